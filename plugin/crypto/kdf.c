/* The generic KDF of TS 33.220 Annex B.2 (HMAC-SHA-256) and the TS 33.401 Annex A keys. */
#include "kdf.h"

#include <string.h>
#include <gcrypt.h>

#include "secure_zero.h"

/* Largest S accepted; the longest TS 33.401 input (FC 0x12) needs 35 octets, TS 33.501 RES*
 * (FC 0x6B) 71 with a 16-octet RES; an EAP-AKA' network name over 244 octets is refused. */
#define KDF_S_MAX 256

/* TS 33.401 Annex A function codes. */
enum { FC_KASME = 0x10, FC_KENB = 0x11, FC_NH = 0x12, FC_KENB_STAR = 0x13, FC_ALG_KEY = 0x15 };

/* S = FC || P0 || L0 || P1 || L1 ...; returns its length, or 0 if it would not fit. */
static size_t kdf_build_s(uint8_t fc, const kdf_param *params, size_t n_params,
                          uint8_t s[KDF_S_MAX])
{
    size_t len = 0;
    s[len++] = fc;
    for (size_t i = 0; i < n_params; i++) {
        size_t plen = params[i].len;
        if (len + 2 > KDF_S_MAX || plen > KDF_S_MAX - 2 - len || (plen && !params[i].value))
            return 0;
        if (plen)
            memcpy(s + len, params[i].value, plen);
        len += plen;
        s[len++] = (uint8_t)(plen >> 8);
        s[len++] = (uint8_t)plen;
    }
    return len;
}

/* HMAC-SHA-256 (RFC 2104) as two plain SHA-256 hashes: libgcrypt hashes a list of buffers
 * with plain SHA-256 directly, while its HMAC flag opens, keys and closes a handle per call
 * (callgrind: about 2 300 instructions more a KDF, out of 12 500). */
int kdf_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                    uint8_t out[32])
{
    enum { BLOCK = 64 };
    uint8_t k0[BLOCK] = {0}, pad[BLOCK], inner[32];
    int rc = 0;
    if (key_len > BLOCK)
        gcry_md_hash_buffer(GCRY_MD_SHA256, k0, key, key_len);
    else if (key_len)
        memcpy(k0, key, key_len);
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k0[i] ^ 0x36;
    gcry_buffer_t in[2] = {{.data = pad, .len = BLOCK}, {.data = (void *)msg, .len = msg_len}};
    if (gcry_md_hash_buffers(GCRY_MD_SHA256, 0, inner, in, 2))
        rc = -1;
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k0[i] ^ 0x5c;
    gcry_buffer_t outer[2] = {{.data = pad, .len = BLOCK}, {.data = inner, .len = 32}};
    if (!rc && gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, outer, 2))
        rc = -1;
    kasme_secure_zero(k0, sizeof k0);
    kasme_secure_zero(pad, sizeof pad);
    kasme_secure_zero(inner, sizeof inner);
    kasme_burn_stack(); /* libgcrypt 1.11 leaves the digest, i.e. the key, on its stack */
    return rc;
}

int kdf_generic(const uint8_t *key, size_t key_len, uint8_t fc, const kdf_param *params,
                size_t n_params, uint8_t out[32])
{
    uint8_t s[KDF_S_MAX];
    size_t s_len = kdf_build_s(fc, params, n_params, s);
    if (!s_len)
        return -1;
    return kdf_hmac_sha256(key, key_len, s, s_len, out);
}

int kdf_generic_ck_ik(const uint8_t ck[16], const uint8_t ik[16], uint8_t fc,
                      const kdf_param *params, size_t n_params, uint8_t out[32])
{
    uint8_t key[32];
    memcpy(key, ck, 16);
    memcpy(key + 16, ik, 16);
    int rc = kdf_generic(key, sizeof key, fc, params, n_params, out);
    kasme_secure_zero(key, sizeof key);
    return rc;
}

int kdf_kasme(const uint8_t ck[16], const uint8_t ik[16], const uint8_t sn_id[3],
              const uint8_t sqn_xor_ak[6], uint8_t kasme[32])
{
    kdf_param p[2] = { { sn_id, 3 }, { sqn_xor_ak, 6 } };
    return kdf_generic_ck_ik(ck, ik, FC_KASME, p, 2, kasme);
}

/* The 128 least significant bits (last 16 octets) of kdf_generic's output. */
static int kdf_generic_lsb128(const uint8_t *key, size_t key_len, uint8_t fc,
                              const kdf_param *params, size_t n_params, uint8_t out[16])
{
    uint8_t full[32];
    int rc = kdf_generic(key, key_len, fc, params, n_params, full);
    if (!rc)
        memcpy(out, full + 16, 16);
    kasme_secure_zero(full, sizeof full);
    return rc;
}

int kdf_alg_key_fc(const uint8_t key[32], uint8_t fc, uint8_t distinguisher, uint8_t alg_id,
                   uint8_t out[16])
{
    kdf_param p[2] = { { &distinguisher, 1 }, { &alg_id, 1 } };
    return kdf_generic_lsb128(key, 32, fc, p, 2, out);
}

int kdf_alg_key(const uint8_t key[32], uint8_t distinguisher, uint8_t alg_id, uint8_t out[16])
{
    return kdf_alg_key_fc(key, FC_ALG_KEY, distinguisher, alg_id, out); /* A.7: 128 LSBs */
}

void kdf_be32(uint32_t value, uint8_t out[4])
{
    out[0] = (uint8_t)(value >> 24);
    out[1] = (uint8_t)(value >> 16);
    out[2] = (uint8_t)(value >> 8);
    out[3] = (uint8_t)value;
}

int kdf_kenb(const uint8_t kasme[32], uint32_t ul_nas_count, uint8_t kenb[32])
{
    uint8_t count[4];
    kdf_be32(ul_nas_count, count);
    kdf_param p[1] = { { count, 4 } };
    return kdf_generic(kasme, 32, FC_KENB, p, 1, kenb);
}

int kdf_nh(const uint8_t kasme[32], const uint8_t sync_input[32], uint8_t nh[32])
{
    kdf_param p[1] = { { sync_input, 32 } };
    return kdf_generic(kasme, 32, FC_NH, p, 1, nh);
}

/* A.5: EARFCN-DL is 2 octets up to 65535 and 3 octets above (the extended EARFCN range). */
int kdf_kenb_star(const uint8_t key[32], uint16_t pci, uint32_t earfcn_dl, uint8_t out[32])
{
    if (earfcn_dl > 0xffffff)
        return -1;
    uint8_t pci_be[2] = { (uint8_t)(pci >> 8), (uint8_t)pci };
    uint8_t earfcn_be[3] = { (uint8_t)(earfcn_dl >> 16), (uint8_t)(earfcn_dl >> 8),
                             (uint8_t)earfcn_dl };
    int wide = earfcn_dl > 0xffff;
    kdf_param p[2] = { { pci_be, 2 }, { earfcn_be + (wide ? 0 : 1), wide ? 3 : 2 } };
    return kdf_generic(key, 32, FC_KENB_STAR, p, 2, out);
}
