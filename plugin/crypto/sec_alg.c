/* Dispatch over EEA0..3 / EIA0..3 (TS 33.401 clause 5.1.3, 5.1.4). */
#include "sec_alg.h"

#include <string.h>

#include "secure_zero.h"

#ifdef KASME_HAVE_SNOW3G_ZUC
#include "eea1.h"
#include "eea3.h"
#include "eia1.h"
#include "eia3.h"
#endif

bool kasme_alg_available(unsigned alg)
{
#ifdef KASME_HAVE_SNOW3G_ZUC
    return alg <= 3;
#else
    return alg == 0 || alg == 2;
#endif
}

const char *kasme_eea_name(unsigned alg)
{
    static const char *const names[] = {"EEA0", "128-EEA1", "128-EEA2", "128-EEA3"};
    return alg < 4 ? names[alg] : "EEA?";
}

const char *kasme_eia_name(unsigned alg)
{
    static const char *const names[] = {"EIA0", "128-EIA1", "128-EIA2", "128-EIA3"};
    return alg < 4 ? names[alg] : "EIA?";
}

static int check_alg(unsigned alg)
{
    if (alg > 3)
        return KASME_SEC_EUNKNOWN_ALG;
    return kasme_alg_available(alg) ? KASME_SEC_OK : KASME_SEC_ENOT_BUILT;
}

static int check_args(unsigned bearer, unsigned dir, const void *buf, size_t buf_len,
                      size_t length_bits)
{
    if (bearer > 31 || dir > 1)
        return KASME_SEC_EARG;
    if (length_bits > buf_len * 8 || (length_bits && !buf))
        return KASME_SEC_EARG;
    return KASME_SEC_OK;
}

int kasme_cipher_init(kasme_cipher *c, unsigned alg, const uint8_t key[16])
{
    int rc = check_alg(alg);
    memset(c, 0, sizeof *c);
    if (rc)
        return rc;
    c->alg = (uint8_t)alg;
    memcpy(c->key, key, 16);
    if (alg == 2 && eea2_key_init(&c->aes, key) != 0)
        return KASME_SEC_ECRYPTO;
    return KASME_SEC_OK;
}

int kasme_cipher_rekey(kasme_cipher *c, unsigned alg, const uint8_t key[16])
{
    if (c->alg != 2 || alg != 2) {
        kasme_cipher_free(c);
        return kasme_cipher_init(c, alg, key);
    }
    memcpy(c->key, key, 16);
    if (eea2_key_rekey(&c->aes, key) != 0) {
        kasme_cipher_free(c);
        return KASME_SEC_ECRYPTO;
    }
    return KASME_SEC_OK;
}

void kasme_cipher_free(kasme_cipher *c)
{
    if (c->alg == 2)
        eea2_key_free(&c->aes);
    kasme_secure_zero(c, sizeof *c);
}

int kasme_cipher_apply(kasme_cipher *c, uint32_t count, unsigned bearer, unsigned dir,
                       uint8_t *data, size_t data_len, size_t length_bits)
{
    int rc = check_args(bearer, dir, data, data_len, length_bits);
    if (rc)
        return rc;
    switch (c->alg) {
    case 0:
        return KASME_SEC_OK;
    case 2:
        return eea2_crypt(&c->aes, count, bearer, dir, data, length_bits) ? KASME_SEC_ECRYPTO
                                                                          : KASME_SEC_OK;
#ifdef KASME_HAVE_SNOW3G_ZUC
    case 1:
        eea1_crypt(c->key, count, bearer, dir, data, length_bits);
        return KASME_SEC_OK;
    case 3:
        eea3_crypt(c->key, count, bearer, dir, data, length_bits);
        return KASME_SEC_OK;
#endif
    default:
        return KASME_SEC_ENOT_BUILT;
    }
}

int kasme_integrity_init(kasme_integrity *i, unsigned alg, const uint8_t key[16])
{
    int rc = check_alg(alg);
    memset(i, 0, sizeof *i);
    if (rc)
        return rc;
    i->alg = (uint8_t)alg;
    memcpy(i->key, key, 16);
    if (alg == 2 && eia2_key_init(&i->cmac, key) != 0)
        return KASME_SEC_ECRYPTO;
    return KASME_SEC_OK;
}

int kasme_integrity_rekey(kasme_integrity *i, unsigned alg, const uint8_t key[16])
{
    if (i->alg != 2 || alg != 2) {
        kasme_integrity_free(i);
        return kasme_integrity_init(i, alg, key);
    }
    memcpy(i->key, key, 16);
    if (eia2_key_rekey(&i->cmac, key) != 0) {
        kasme_integrity_free(i);
        return KASME_SEC_ECRYPTO;
    }
    return KASME_SEC_OK;
}

void kasme_integrity_free(kasme_integrity *i)
{
    if (i->alg == 2)
        eia2_key_free(&i->cmac);
    kasme_secure_zero(i, sizeof *i);
}

int kasme_integrity_mac(kasme_integrity *i, uint32_t count, unsigned bearer, unsigned dir,
                        const uint8_t *msg, size_t msg_len, size_t length_bits, uint32_t *mac)
{
    int rc = check_args(bearer, dir, msg, msg_len, length_bits);
    if (rc)
        return rc;
    switch (i->alg) {
    case 0:
        *mac = 0;
        return KASME_SEC_OK;
    case 2:
        return eia2_mac(&i->cmac, count, bearer, dir, msg, length_bits, mac) ? KASME_SEC_ECRYPTO
                                                                             : KASME_SEC_OK;
#ifdef KASME_HAVE_SNOW3G_ZUC
    case 1:
        *mac = eia1_mac(i->key, count, bearer, dir, msg, length_bits);
        return KASME_SEC_OK;
    case 3:
        *mac = eia3_mac(i->key, count, bearer, dir, msg, length_bits);
        return KASME_SEC_OK;
#endif
    default:
        return KASME_SEC_ENOT_BUILT;
    }
}
