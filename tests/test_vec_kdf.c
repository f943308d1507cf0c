/* TS 33.220 Annex B.2 KDF and the TS 33.401 Annex A derivations against the kdf vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "gcrypt_init.h"
#include "kdf.h"
#include "vec_util.h"

#define CAT "kdf"
#define MAX_PARAMS 4
#define MAX_PARAM_LEN 64

/* One vector, decoded. */
typedef struct {
    long set;
    uint8_t fc;
    uint8_t key[64];
    size_t key_len;
    uint8_t values[MAX_PARAMS][MAX_PARAM_LEN];
    kdf_param params[MAX_PARAMS];
    size_t n_params;
    uint8_t want[32];
} kdf_vector;

static void load_params(JsonObject *v, kdf_vector *kv)
{
    JsonArray *params = json_object_get_array_member(v, "params");
    kv->n_params = json_array_get_length(params);
    if (kv->n_params > MAX_PARAMS) {
        fprintf(stderr, CAT ": set %ld has too many params\n", kv->set);
        exit(1);
    }
    for (size_t i = 0; i < kv->n_params; i++) {
        JsonObject *p = json_array_get_object_element(params, (guint)i);
        size_t len = vec_hex(vec_str(p, "value"), kv->values[i], MAX_PARAM_LEN);
        vec_check(len == (size_t)vec_int(p, "length_bytes"), CAT, "param length_bytes", kv->set);
        kv->params[i] = (kdf_param){ kv->values[i], len };
    }
}

static void load_vector(JsonObject *v, long set, kdf_vector *kv)
{
    kv->set = set;
    if (vec_hex(vec_str(v, "fc"), &kv->fc, 1) != 1) {
        fprintf(stderr, CAT ": set %ld: fc is not one octet\n", set);
        exit(1);
    }
    kv->key_len = vec_hex(vec_str(v, "key"), kv->key, sizeof kv->key);
    if (vec_hex(vec_str(v, "output_256"), kv->want, 32) != 32) {
        fprintf(stderr, CAT ": set %ld: output_256 is not 32 octets\n", set);
        exit(1);
    }
    load_params(v, kv);
}

/* Key and parameter lengths the wrapper's fixed-size arguments need; records a check. */
static int shape_ok(const kdf_vector *kv, size_t n_params, const size_t *lens, const char *what)
{
    int ok = kv->key_len == 32 && kv->n_params == n_params;
    for (size_t i = 0; ok && i < n_params; i++)
        ok = kv->params[i].len == lens[i];
    vec_check(ok, CAT, what, kv->set);
    return ok;
}

static uint32_t be_value(const kdf_param *p)
{
    uint32_t x = 0;
    for (size_t i = 0; i < p->len; i++)
        x = x << 8 | p->value[i];
    return x;
}

/* The named TS 33.401 wrapper for this FC, on the same inputs; 1 if the FC has none here. */
static int check_wrapper(const kdf_vector *kv)
{
    uint8_t out[32];
    const kdf_param *p = kv->params;
    switch (kv->fc) {
    case 0x10:
        if (!shape_ok(kv, 2, (const size_t[]){ 3, 6 }, "K_ASME param lengths"))
            return 0;
        vec_check(kdf_kasme(kv->key, kv->key + 16, p[0].value, p[1].value, out) == 0, CAT,
                  "kdf_kasme returns 0", kv->set);
        break;
    case 0x11:
        if (!shape_ok(kv, 1, (const size_t[]){ 4 }, "K_eNB param lengths"))
            return 0;
        vec_check(kdf_kenb(kv->key, be_value(&p[0]), out) == 0, CAT, "kdf_kenb returns 0",
                  kv->set);
        break;
    case 0x12:
        if (!shape_ok(kv, 1, (const size_t[]){ 32 }, "NH param lengths"))
            return 0;
        vec_check(kdf_nh(kv->key, p[0].value, out) == 0, CAT, "kdf_nh returns 0", kv->set);
        break;
    case 0x13:
        if (!shape_ok(kv, 2, (const size_t[]){ 2, 2 }, "K_eNB* param lengths"))
            return 0;
        vec_check(kdf_kenb_star(kv->key, (uint16_t)be_value(&p[0]), be_value(&p[1]), out) == 0,
                  CAT, "kdf_kenb_star returns 0", kv->set);
        break;
    case 0x15: {
        if (!shape_ok(kv, 2, (const size_t[]){ 1, 1 }, "alg key param lengths"))
            return 0;
        uint8_t key128[16];
        vec_check(kdf_alg_key(kv->key, p[0].value[0], p[1].value[0], key128) == 0, CAT,
                  "kdf_alg_key returns 0", kv->set);
        vec_check_mem(key128, kv->want + 16, 16, CAT, "kdf_alg_key", kv->set);
        return 0;
    }
    default: /* EN-DC / NR function codes have no TS 33.401 wrapper */
        return 1;
    }
    vec_check_mem(out, kv->want, 32, CAT, "named wrapper", kv->set);
    return 0;
}

static void check_vector(JsonObject *v, long set)
{
    kdf_vector kv;
    load_vector(v, set, &kv);
    uint8_t out[32];
    vec_check(kdf_generic(kv.key, kv.key_len, kv.fc, kv.params, kv.n_params, out) == 0, CAT,
              "kdf_generic returns 0", set);
    vec_check_mem(out, kv.want, 32, CAT, "output_256", set);
    if (json_object_has_member(v, "output_128_lsb")) {
        uint8_t want128[16];
        vec_hex(vec_str(v, "output_128_lsb"), want128, 16);
        vec_check_mem(out + 16, want128, 16, CAT, "output_128_lsb", set);
    }
    if (check_wrapper(&kv))
        printf(CAT ": set %ld (%s, FC %02x): generic KDF only\n", set, vec_str(v, "name"), kv.fc);
}

/* Not vectors: the 3-octet EARFCN-DL form of A.5 and the S length bound. */
static void check_edges(void)
{
    uint8_t key[32] = { 1 }, got[32], want[32], big[300] = { 0 };
    uint8_t pci[2] = { 0x01, 0xf7 }, earfcn[3] = { 0x01, 0x11, 0x70 }; /* PCI 503, 70000 */
    kdf_param p[2] = { { pci, 2 }, { earfcn, 3 } };
    kdf_generic(key, 32, 0x13, p, 2, want);
    vec_check(kdf_kenb_star(key, 503, 70000, got) == 0, CAT, "K_eNB* 3-octet EARFCN", 0);
    vec_check_mem(got, want, 32, CAT, "K_eNB* with EARFCN-DL > 65535 uses 3 octets", 0);
    kdf_param huge = { big, sizeof big };
    vec_check(kdf_generic(key, 32, 0x10, &huge, 1, got) == -1, CAT, "oversized S rejected", 0);
    kdf_param many[100];
    for (int i = 0; i < 100; i++)
        many[i] = (kdf_param){ big, 1 };
    vec_check(kdf_generic(key, 32, 0x10, many, 100, got) == -1, CAT, "many params rejected", 0);
}

/* HMAC-SHA-256 itself (kdf.c builds it on plain SHA-256): RFC 4231 test cases 1, 2 and 6
 * (a key longer than the block), then libgcrypt's own HMAC as an independent reference over
 * keys and messages of every length around the 64-octet block. */
static void check_hmac(void)
{
    static const struct {
        const char *key, *data, *mac;
    } rfc4231[] = {
        {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {NULL, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579"
               "202d2048617368204b6579204669727374",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    };
    uint8_t key[200], msg[300], got[32], want[32];
    for (size_t i = 0; i < sizeof rfc4231 / sizeof rfc4231[0]; i++) {
        size_t key_len = 131; /* case 6: 131 octets of 0xaa */
        memset(key, 0xaa, key_len);
        if (rfc4231[i].key)
            key_len = vec_hex(rfc4231[i].key, key, sizeof key);
        size_t msg_len = vec_hex(rfc4231[i].data, msg, sizeof msg);
        vec_hex(rfc4231[i].mac, want, 32);
        vec_check(kdf_hmac_sha256(key, key_len, msg, msg_len, got) == 0, CAT, "HMAC returns 0",
                  (long)i + 1);
        vec_check_mem(got, want, 32, CAT, "RFC 4231 HMAC-SHA-256", (long)i + 1);
    }
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 37 + 11);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 101 + 7);
    static const size_t lens[] = {0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 128, 129, 200};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        for (size_t m = 0; m < sizeof lens / sizeof lens[0]; m++) {
            gcry_buffer_t iov[2] = {{.data = key, .len = lens[k]}, {.data = msg, .len = lens[m]}};
            if (gcry_md_hash_buffers(GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC, want, iov, 2))
                continue; /* libgcrypt refuses an empty HMAC key */
            kdf_hmac_sha256(key, lens[k], msg, lens[m], got);
            vec_check_mem(got, want, 32, CAT, "HMAC-SHA-256 equals libgcrypt's",
                          (long)(lens[k] * 1000 + lens[m]));
        }
    }
}

int main(int argc, char **argv)
{
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "libgcrypt initialisation failed\n");
        return 1;
    }
    JsonArray *vectors = vec_category(argc, argv, CAT);
    guint n = json_array_get_length(vectors);
    for (guint i = 0; i < n; i++)
        check_vector(json_array_get_object_element(vectors, i), (long)i + 1);
    check_edges();
    check_hmac();
    return vec_report(CAT, (int)n);
}
