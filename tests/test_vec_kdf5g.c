/* TS 33.501 Annex A (kdf5g.c) and EAP-AKA' (eap_aka_prime.c) against vectors5g.json (argv[1])
 * and vectors5g_extra.json (argv[2]: RFC 5448 Appendix C, and the HXRES* / NH values computed
 * independently when the vectors were written; see tests/vectors/README.md). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eap_aka_prime.h"
#include "gcrypt_init.h"
#include "kdf.h"
#include "kdf5g.h"
#include "vec_util.h"

#define CAT "kdf5g"
#define MAX_PARAMS 4
#define MAX_PARAM_LEN 64

typedef struct {
    long set;
    uint8_t fc;
    uint8_t key[32];
    size_t key_len;
    uint8_t values[MAX_PARAMS][MAX_PARAM_LEN + 1]; /* + NUL for string parameters */
    kdf_param params[MAX_PARAMS];
    size_t n_params;
    uint8_t want[32];
    uint8_t want128[16];
    int has_128;
} kdf5g_vector;

static void load_vector(JsonObject *v, long set, kdf5g_vector *kv)
{
    memset(kv, 0, sizeof *kv);
    kv->set = set;
    vec_check(vec_hex(vec_str(v, "fc"), &kv->fc, 1) == 1, CAT, "fc is one octet", set);
    kv->key_len = vec_hex(vec_str(v, "key"), kv->key, sizeof kv->key);
    vec_check(vec_hex(vec_str(v, "output_256"), kv->want, 32) == 32, CAT, "output_256 size", set);
    kv->has_128 = json_object_has_member(v, "key_128");
    if (kv->has_128)
        vec_hex(vec_str(v, "key_128"), kv->want128, 16);
    JsonArray *params = json_object_get_array_member(v, "params");
    kv->n_params = json_array_get_length(params);
    if (kv->n_params > MAX_PARAMS) {
        fprintf(stderr, CAT ": set %ld has too many params\n", set);
        exit(1);
    }
    for (size_t i = 0; i < kv->n_params; i++) {
        JsonObject *p = json_array_get_object_element(params, (guint)i);
        size_t len = vec_hex(vec_str(p, "value"), kv->values[i], MAX_PARAM_LEN);
        kv->params[i] = (kdf_param){ kv->values[i], len };
        if (json_object_has_member(p, "text")) /* the hex is the text's characters */
            vec_check(strcmp((const char *)kv->values[i], vec_str(p, "text")) == 0, CAT,
                      "param text equals its hex", set);
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *text(const kdf5g_vector *kv, size_t i)
{
    return (const char *)kv->values[i];
}

/* The named kdf5g wrapper for this FC on the same inputs; its output into out (32, or 16
 * for the 128-bit keys, *is_128 set). */
static int run_wrapper(const kdf5g_vector *kv, uint8_t out[32], int *is_128)
{
    const kdf_param *p = kv->params;
    *is_128 = 0;
    switch (kv->fc) {
    case 0x6A:
        return kdf5g_kausf(kv->key, kv->key + 16, text(kv, 0), p[1].value, out);
    case 0x6B:
        *is_128 = 1;
        return kdf5g_res_star(kv->key, kv->key + 16, text(kv, 0), p[1].value, p[2].value,
                              p[2].len, out);
    case 0x6C:
        return kdf5g_kseaf(kv->key, text(kv, 0), out);
    case 0x6D:
        return kdf5g_kamf(kv->key, text(kv, 0), p[1].value, p[1].len, out);
    case 0x69:
        *is_128 = 1;
        return kdf5g_alg_key(kv->key, p[0].value[0], p[1].value[0], out);
    case 0x6E:
        return kdf5g_kgnb(kv->key, be32(p[0].value), p[1].value[0], out);
    default:
        return -2;
    }
}

static void check_wrapper(const kdf5g_vector *kv, const char *name)
{
    uint8_t out[32];
    int is_128;
    int rc = run_wrapper(kv, out, &is_128);
    if (rc == -2) {
        vec_check(0, CAT, "an FC without a kdf5g wrapper", kv->set);
        return;
    }
    vec_check(rc == 0, CAT, "wrapper returns 0", kv->set);
    if (is_128) {
        vec_check(kv->has_128, CAT, "128-bit vector has key_128", kv->set);
        vec_check_mem(out, kv->want128, 16, CAT, name, kv->set);
        vec_check_mem(out, kv->want + 16, 16, CAT, "128-bit key = last half of output_256",
                      kv->set);
    } else {
        vec_check_mem(out, kv->want, 32, CAT, name, kv->set);
    }
}

/* A flipped bit of the key or of any parameter gives another output. */
static void check_flips(kdf5g_vector *kv)
{
    uint8_t out[32], good[32];
    int is_128;
    run_wrapper(kv, good, &is_128);
    size_t n = is_128 ? 16 : 32;
    kv->key[kv->key_len - 1] ^= 0x01;
    run_wrapper(kv, out, &is_128);
    vec_check(memcmp(out, good, n) != 0, CAT, "flipped key bit changes the output", kv->set);
    kv->key[kv->key_len - 1] ^= 0x01;
    for (size_t i = 0; i < kv->n_params; i++) {
        kv->values[i][0] ^= 0x01; /* a digit stays a digit: '0' <-> '1', '5' <-> '4' */
        run_wrapper(kv, out, &is_128);
        vec_check(memcmp(out, good, n) != 0, CAT, "flipped parameter bit changes the output",
                  kv->set * 10 + (long)i);
        kv->values[i][0] ^= 0x01;
    }
}

static void check_vector(JsonObject *v, long set)
{
    kdf5g_vector kv;
    load_vector(v, set, &kv);
    uint8_t out[32];
    vec_check(kdf_generic(kv.key, kv.key_len, kv.fc, kv.params, kv.n_params, out) == 0, CAT,
              "kdf_generic returns 0", set);
    vec_check_mem(out, kv.want, 32, CAT, "output_256", set);
    check_wrapper(&kv, vec_str(v, "name"));
    check_flips(&kv);
}

/* The serving network name from PLMNs as the NAS/NGAP messages encode them; the expected
 * names are the vectors' own parameter texts and TS 24.501 9.12.1's format. */
static void check_snn(void)
{
    static const struct {
        uint8_t plmn[3];
        const char *want;
    } cases[] = {
        { { 0x09, 0xf1, 0x07 }, "5G:mnc070.mcc901.3gppnetwork.org" }, /* K_AUSF vector */
        { { 0x00, 0xf1, 0x10 }, "5G:mnc001.mcc001.3gppnetwork.org" }, /* RES* vector */
        { { 0x13, 0x00, 0x14 }, "5G:mnc410.mcc310.3gppnetwork.org" }, /* 3-digit MNC */
        { { 0x99, 0xf9, 0x99 }, "5G:mnc099.mcc999.3gppnetwork.org" },
    };
    char snn[KDF5G_SNN_SIZE];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vec_check(kdf5g_serving_network_name(cases[i].plmn, snn) == 0, CAT, "SNN returns 0",
                  (long)i);
        vec_check(strcmp(snn, cases[i].want) == 0, CAT, "serving network name", (long)i);
    }
    static const uint8_t bad[][3] = { { 0x0a, 0xf1, 0x10 }, { 0x00, 0xf1, 0x1f },
                                      { 0x00, 0xe1, 0x10 }, { 0xf0, 0xf1, 0x10 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        vec_check(kdf5g_serving_network_name(bad[i], snn) == -1, CAT,
                  "non-BCD PLMN digit refused", (long)i);
}

/* Inputs a derivation must refuse rather than derive from. */
static void check_refusals(void)
{
    uint8_t k[32] = { 1 }, out[32], rand[16] = { 2 }, res[16] = { 3 }, abba[2] = { 0 };
    vec_check(kdf5g_res_star(k, k + 16, "5G:x", rand, res, 3, out) == -1, CAT, "RES of 3 octets", 0);
    vec_check(kdf5g_res_star(k, k + 16, "5G:x", rand, res, 17, out) == -1, CAT, "RES of 17", 0);
    vec_check(kdf5g_res_star(k, k + 16, "", rand, res, 8, out) == -1, CAT, "RES* empty SNN", 0);
    vec_check(kdf5g_kausf(k, k + 16, NULL, res, out) == -1, CAT, "K_AUSF without SNN", 0);
    vec_check(kdf5g_kseaf(k, "", out) == -1, CAT, "K_SEAF empty SNN", 0);
    vec_check(kdf5g_kamf(k, "001010123456780", abba, 1, out) == -1, CAT, "ABBA of 1 octet", 0);
    vec_check(kdf5g_kamf(k, "", abba, 2, out) == -1, CAT, "K_AMF empty SUPI", 0);
}

/* ---- vectors5g_extra.json ---- */

static void check_hxres(JsonArray *a)
{
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *v = json_array_get_object_element(a, i);
        uint8_t rand[16], xres[16], want[16], got[16];
        vec_hex(vec_str(v, "rand"), rand, 16);
        vec_hex(vec_str(v, "xres_star"), xres, 16);
        vec_hex(vec_str(v, "hxres_star"), want, 16);
        vec_check(kdf5g_hxres_star(rand, xres, got) == 0, CAT, "HXRES* returns 0", i);
        vec_check_mem(got, want, 16, CAT, "HXRES*", i);
        xres[15] ^= 0x80;
        kdf5g_hxres_star(rand, xres, got);
        vec_check(memcmp(got, want, 16) != 0, CAT, "flipped XRES* bit changes HXRES*", i);
    }
}

static void check_nh(JsonArray *a)
{
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *v = json_array_get_object_element(a, i);
        uint8_t kamf[32], sync[32], want[32], got[32];
        vec_hex(vec_str(v, "kamf"), kamf, 32);
        vec_hex(vec_str(v, "sync_input"), sync, 32);
        vec_hex(vec_str(v, "nh"), want, 32);
        vec_check(kdf5g_nh(kamf, sync, got) == 0, CAT, "NH returns 0", i);
        vec_check_mem(got, want, 32, CAT, "NH", i);
        kamf[0] ^= 0x01;
        kdf5g_nh(kamf, sync, got);
        vec_check(memcmp(got, want, 32) != 0, CAT, "flipped K_AMF bit changes NH", i);
    }
}

static void check_eap_keys(JsonObject *v, const eap_aka_prime_keys *k, long set)
{
    static const struct {
        const char *member;
        size_t offset, len;
    } parts[] = {
        { "k_encr", offsetof(eap_aka_prime_keys, k_encr), 16 },
        { "k_aut", offsetof(eap_aka_prime_keys, k_aut), 32 },
        { "k_re", offsetof(eap_aka_prime_keys, k_re), 32 },
        { "msk", offsetof(eap_aka_prime_keys, msk), 64 },
        { "emsk", offsetof(eap_aka_prime_keys, emsk), 64 },
    };
    uint8_t want[64];
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        vec_check(vec_hex(vec_str(v, parts[i].member), want, 64) == parts[i].len, CAT,
                  "EAP-AKA' key length", set);
        vec_check_mem((const uint8_t *)k + parts[i].offset, want, parts[i].len, CAT,
                      parts[i].member, set);
    }
    uint8_t kausf[32];
    eap_aka_prime_kausf(k, kausf);
    vec_hex(vec_str(v, "kausf"), want, 32);
    vec_check_mem(kausf, want, 32, CAT, "K_AUSF = first 256 bits of EMSK", set);
}

static void check_eap_case(JsonObject *v, long set)
{
    uint8_t ck[16], ik[16], autn[16], want_ck[16], want_ik[16], ckp[16], ikp[16];
    vec_hex(vec_str(v, "ck"), ck, 16);
    vec_hex(vec_str(v, "ik"), ik, 16);
    vec_hex(vec_str(v, "autn"), autn, 16);
    vec_hex(vec_str(v, "ck_prime"), want_ck, 16);
    vec_hex(vec_str(v, "ik_prime"), want_ik, 16);
    const char *identity = vec_str(v, "identity");
    vec_check(eap_aka_prime_ck_ik(ck, ik, vec_str(v, "network_name"), autn, ckp, ikp) == 0, CAT,
              "CK'/IK' returns 0", set);
    vec_check_mem(ckp, want_ck, 16, CAT, "CK'", set);
    vec_check_mem(ikp, want_ik, 16, CAT, "IK'", set);
    eap_aka_prime_keys keys, other;
    vec_check(eap_aka_prime_keys_derive(ckp, ikp, (const uint8_t *)identity, strlen(identity),
                                        &keys) == 0, CAT, "MK returns 0", set);
    check_eap_keys(v, &keys, set);
    /* The identity and the order IK' | CK' are part of MK. */
    eap_aka_prime_keys_derive(ckp, ikp, (const uint8_t *)identity, strlen(identity) - 1, &other);
    vec_check(memcmp(&other, &keys, sizeof keys) != 0, CAT, "shorter identity changes MK", set);
    eap_aka_prime_keys_derive(ikp, ckp, (const uint8_t *)identity, strlen(identity), &other);
    vec_check(memcmp(&other, &keys, sizeof keys) != 0, CAT, "CK'/IK' swapped changes MK", set);
    autn[5] ^= 0x01;
    eap_aka_prime_ck_ik(ck, ik, vec_str(v, "network_name"), autn, ckp, ikp);
    vec_check(memcmp(ckp, want_ck, 16) != 0, CAT, "flipped SQN xor AK bit changes CK'", set);
}

static void check_eap_refusals(void)
{
    uint8_t k[16] = { 0 }, sqn[6] = { 0 }, out[16], big[EAP_AKA_PRIME_IDENTITY_MAX + 1] = { 0 };
    char name[300];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    eap_aka_prime_keys keys;
    vec_check(eap_aka_prime_ck_ik(k, k, "", sqn, out, out) == -1, CAT, "empty network name", 0);
    vec_check(eap_aka_prime_ck_ik(k, k, name, sqn, out, out) == -1, CAT, "overlong name", 0);
    vec_check(eap_aka_prime_keys_derive(k, k, big, sizeof big, &keys) == -1, CAT,
              "overlong identity", 0);
    vec_check(eap_aka_prime_prf(k, 16, big, 10, out, 255 * 32 + 1) == -1, CAT,
              "PRF' output over 255 blocks", 0);
}

int main(int argc, char **argv)
{
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "libgcrypt initialisation failed\n");
        return 1;
    }
    vec_need_args(argc, argv, 2, "vectors5g.json vectors5g_extra.json");
    JsonArray *vectors = vec_category_in(argv[1], "kdf5g");
    guint n = json_array_get_length(vectors);
    for (guint i = 0; i < n; i++)
        check_vector(json_array_get_object_element(vectors, i), (long)i + 1);
    JsonArray *eap = vec_category_in(argv[2], "eap_aka_prime");
    JsonArray *hx = vec_category_in(argv[2], "hxres_star");
    JsonArray *nh = vec_category_in(argv[2], "nh5g");
    for (guint i = 0; i < json_array_get_length(eap); i++)
        check_eap_case(json_array_get_object_element(eap, i), (long)i + 1);
    check_hxres(hx);
    check_nh(nh);
    check_snn();
    check_refusals();
    check_eap_refusals();
    return vec_report(CAT, (int)(n + json_array_get_length(eap) + json_array_get_length(hx) +
                                 json_array_get_length(nh)));
}
