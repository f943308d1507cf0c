/* EAP-AKA' key derivation (RFC 9048, which obsoletes RFC 5448), as 5G uses it (TS 33.501
 * 6.1.3.1 and Annex F): CK'/IK' from CK/IK (TS 33.402 Annex A.2), the PRF' key schedule
 * (MK -> K_encr, K_aut, K_re, MSK, EMSK) and K_AUSF = the first 256 bits of EMSK. */
#ifndef KASME_EAP_AKA_PRIME_H
#define KASME_EAP_AKA_PRIME_H

#include <stddef.h>
#include <stdint.h>

/* Longest EAP identity accepted by eap_aka_prime_keys_derive (an NAI is at most 253). */
#define EAP_AKA_PRIME_IDENTITY_MAX 256

/* The EAP-AKA' keys of RFC 9048 3.4, in the order MK holds them. */
typedef struct {
    uint8_t k_encr[16];
    uint8_t k_aut[32];
    uint8_t k_re[32];
    uint8_t msk[64];
    uint8_t emsk[64];
} eap_aka_prime_keys;

/* CK' || IK' = KDF(CK || IK, FC 0x20, network name, SQN xor AK) (TS 33.402 A.2; for 5G the
 * network name is the serving network name). 0 on success, -1 for an empty or overlong name. */
int eap_aka_prime_ck_ik(const uint8_t ck[16], const uint8_t ik[16], const char *network_name,
                        const uint8_t sqn_xor_ak[6], uint8_t ck_prime[16], uint8_t ik_prime[16]);

/* PRF'(K, S) of RFC 9048 3.4.1: T1 = HMAC-SHA-256(K, S | 0x01), Tn = HMAC-SHA-256(K, Tn-1 | S
 * | n), out = the first out_len octets of T1 | T2 | ...; out_len at most 255 * 32, s_len at
 * most 512. 0 on success. */
int eap_aka_prime_prf(const uint8_t *key, size_t key_len, const uint8_t *s, size_t s_len,
                      uint8_t *out, size_t out_len);

/* MK = PRF'(IK' | CK', "EAP-AKA'" | Identity), split into the keys. identity is the EAP
 * identity as sent (identity_len <= EAP_AKA_PRIME_IDENTITY_MAX). 0 on success. */
int eap_aka_prime_keys_derive(const uint8_t ck_prime[16], const uint8_t ik_prime[16],
                              const uint8_t *identity, size_t identity_len,
                              eap_aka_prime_keys *keys);

/* TS 33.501 6.1.3.1: K_AUSF = the most significant 256 bits of EMSK. */
void eap_aka_prime_kausf(const eap_aka_prime_keys *keys, uint8_t kausf[32]);

#endif
