/* TS 33.501 Annex A key derivations; see kdf5g.h. */
#include "kdf5g.h"

#include <stdio.h>
#include <string.h>
#include <gcrypt.h>

#include "kdf.h"
#include "secure_zero.h"

/* TS 33.501 Annex A function codes. */
enum {
    FC_KAUSF = 0x6A,
    FC_RES_STAR = 0x6B,
    FC_KSEAF = 0x6C,
    FC_KAMF = 0x6D,
    FC_KGNB = 0x6E,
    FC_NH = 0x6F,
    FC_ALG_KEY = 0x69,
};

/* A string parameter is its characters, without the terminating NUL (A.2, A.7). */
static kdf_param text_param(const char *text)
{
    return (kdf_param){ (const uint8_t *)text, text ? strlen(text) : 0 };
}

/* Every derivation that names the serving network needs one. */
static int snn_ok(const char *snn)
{
    return snn && *snn;
}

static int bcd_digit(unsigned nibble, char *out)
{
    if (nibble > 9)
        return -1;
    *out = (char)('0' + nibble);
    return 0;
}

int kdf5g_serving_network_name(const uint8_t plmn[3], char snn[KDF5G_SNN_SIZE])
{
    char mcc[4] = "", mnc[4] = "";
    /* A 2-digit MNC has filler 0xF as its third digit; the name writes it as 0MM. */
    unsigned mnc3 = plmn[1] >> 4;
    if (bcd_digit(plmn[0] & 0x0f, &mcc[0]) || bcd_digit(plmn[0] >> 4, &mcc[1]) ||
        bcd_digit(plmn[1] & 0x0f, &mcc[2]) || bcd_digit(plmn[2] & 0x0f, &mnc[0]) ||
        bcd_digit(plmn[2] >> 4, &mnc[1]))
        return -1;
    if (mnc3 == 0x0f) {
        mnc[2] = mnc[1];
        mnc[1] = mnc[0];
        mnc[0] = '0';
    } else if (bcd_digit(mnc3, &mnc[2])) {
        return -1;
    }
    snprintf(snn, KDF5G_SNN_SIZE, "5G:mnc%.3s.mcc%.3s.3gppnetwork.org", mnc, mcc);
    return 0;
}

int kdf5g_kausf(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                const uint8_t sqn_xor_ak[6], uint8_t kausf[32])
{
    if (!snn_ok(snn))
        return -1;
    kdf_param p[2] = { text_param(snn), { sqn_xor_ak, 6 } };
    return kdf_generic_ck_ik(ck, ik, FC_KAUSF, p, 2, kausf);
}

int kdf5g_res_star(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                   const uint8_t rand[16], const uint8_t *res, size_t res_len,
                   uint8_t res_star[16])
{
    if (res_len < 4 || res_len > 16) /* TS 33.102: RES is 32 to 128 bits */
        return -1;
    if (!snn_ok(snn))
        return -1;
    uint8_t full[32];
    kdf_param p[3] = { text_param(snn), { rand, 16 }, { res, res_len } };
    int rc = kdf_generic_ck_ik(ck, ik, FC_RES_STAR, p, 3, full);
    if (!rc)
        memcpy(res_star, full + 16, 16); /* A.4: the 128 least significant bits */
    kasme_secure_zero(full, sizeof full);
    return rc;
}

int kdf5g_hxres_star(const uint8_t rand[16], const uint8_t res_star[16], uint8_t hxres_star[16])
{
    uint8_t digest[32];
    gcry_buffer_t in[2] = { { .data = (void *)rand, .len = 16 },
                            { .data = (void *)res_star, .len = 16 } };
    if (gcry_md_hash_buffers(GCRY_MD_SHA256, 0, digest, in, 2))
        return -1;
    memcpy(hxres_star, digest + 16, 16);
    return 0;
}

int kdf5g_kseaf(const uint8_t kausf[32], const char *snn, uint8_t kseaf[32])
{
    if (!snn_ok(snn))
        return -1;
    kdf_param p[1] = { text_param(snn) };
    return kdf_generic(kausf, 32, FC_KSEAF, p, 1, kseaf);
}

int kdf5g_kamf(const uint8_t kseaf[32], const char *supi, const uint8_t *abba, size_t abba_len,
               uint8_t kamf[32])
{
    if (!supi || !*supi || !abba || abba_len < 2)
        return -1;
    kdf_param p[2] = { text_param(supi), { abba, abba_len } };
    return kdf_generic(kseaf, 32, FC_KAMF, p, 2, kamf);
}

int kdf5g_alg_key(const uint8_t key[32], uint8_t distinguisher, uint8_t alg_id, uint8_t out[16])
{
    return kdf_alg_key_fc(key, FC_ALG_KEY, distinguisher, alg_id, out);
}

int kdf5g_kgnb(const uint8_t kamf[32], uint32_t ul_nas_count, uint8_t access_type,
               uint8_t kgnb[32])
{
    uint8_t count[4];
    kdf_be32(ul_nas_count, count);
    kdf_param p[2] = { { count, 4 }, { &access_type, 1 } };
    return kdf_generic(kamf, 32, FC_KGNB, p, 2, kgnb);
}

int kdf5g_nh(const uint8_t kamf[32], const uint8_t sync_input[32], uint8_t nh[32])
{
    kdf_param p[1] = { { sync_input, 32 } };
    return kdf_generic(kamf, 32, FC_NH, p, 1, nh);
}
