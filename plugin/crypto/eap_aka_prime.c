/* EAP-AKA' key derivation; see eap_aka_prime.h. */
#include "eap_aka_prime.h"

#include <string.h>

#include "kdf.h"
#include "secure_zero.h"

/* TS 33.402 Annex A.2: CK'/IK' function code. */
#define FC_CK_IK_PRIME 0x20
#define PRF_S_MAX 512
/* RFC 9048 3.4: the fixed string in front of the identity. */
static const char mk_label[] = "EAP-AKA'";

int eap_aka_prime_ck_ik(const uint8_t ck[16], const uint8_t ik[16], const char *network_name,
                        const uint8_t sqn_xor_ak[6], uint8_t ck_prime[16], uint8_t ik_prime[16])
{
    if (!network_name || !*network_name)
        return -1;
    uint8_t out[32];
    kdf_param p[2] = { { (const uint8_t *)network_name, strlen(network_name) },
                       { sqn_xor_ak, 6 } };
    int rc = kdf_generic_ck_ik(ck, ik, FC_CK_IK_PRIME, p, 2, out);
    if (!rc) {
        memcpy(ck_prime, out, 16); /* CK' is the most significant half */
        memcpy(ik_prime, out + 16, 16);
    }
    kasme_secure_zero(out, sizeof out);
    return rc;
}

int eap_aka_prime_prf(const uint8_t *key, size_t key_len, const uint8_t *s, size_t s_len,
                      uint8_t *out, size_t out_len)
{
    /* Each round hashes T(n-1) | S | n; T0 is empty. */
    uint8_t msg[32 + PRF_S_MAX + 1], t[32];
    if (s_len > PRF_S_MAX || out_len > 255 * 32 || (s_len && !s))
        return -1;
    size_t t_len = 0, done = 0;
    int rc = 0;
    for (unsigned n = 1; done < out_len && !rc; n++) {
        memcpy(msg, t, t_len);
        if (s_len)
            memcpy(msg + t_len, s, s_len);
        msg[t_len + s_len] = (uint8_t)n;
        rc = kdf_hmac_sha256(key, key_len, msg, t_len + s_len + 1, t);
        t_len = 32;
        size_t take = out_len - done < 32 ? out_len - done : 32;
        memcpy(out + done, t, take);
        done += take;
    }
    kasme_secure_zero(msg, sizeof msg);
    kasme_secure_zero(t, sizeof t);
    return rc;
}

int eap_aka_prime_keys_derive(const uint8_t ck_prime[16], const uint8_t ik_prime[16],
                              const uint8_t *identity, size_t identity_len,
                              eap_aka_prime_keys *keys)
{
    enum { LABEL = sizeof mk_label - 1 };
    if (identity_len > EAP_AKA_PRIME_IDENTITY_MAX || (identity_len && !identity))
        return -1;
    uint8_t key[32], s[LABEL + EAP_AKA_PRIME_IDENTITY_MAX];
    memcpy(key, ik_prime, 16); /* RFC 9048 3.4: the PRF' key is IK' | CK' */
    memcpy(key + 16, ck_prime, 16);
    memcpy(s, mk_label, LABEL);
    if (identity_len)
        memcpy(s + LABEL, identity, identity_len);
    /* The struct's members are the consecutive slices of MK, without padding. */
    _Static_assert(sizeof(eap_aka_prime_keys) == 208, "MK is 1664 bits");
    int rc = eap_aka_prime_prf(key, sizeof key, s, LABEL + identity_len, (uint8_t *)keys,
                               sizeof *keys);
    kasme_secure_zero(key, sizeof key);
    if (rc)
        kasme_secure_zero(keys, sizeof *keys);
    return rc;
}

void eap_aka_prime_kausf(const eap_aka_prime_keys *keys, uint8_t kausf[32])
{
    memcpy(kausf, keys->emsk, 32);
}
