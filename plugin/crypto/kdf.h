/* Key derivation: the generic KDF of TS 33.220 Annex B.2 (HMAC-SHA-256) and the TS 33.401
 * Annex A derivations built on it. */
#ifndef KASME_KDF_H
#define KASME_KDF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *value;
    size_t len; /* Li = len as 2 octets, big endian */
} kdf_param;

/* Algorithm type distinguishers, TS 33.401 Annex A.7. */
enum {
    KDF_NAS_ENC = 0x01,
    KDF_NAS_INT = 0x02,
    KDF_RRC_ENC = 0x03,
    KDF_RRC_INT = 0x04,
    KDF_UP_ENC = 0x05,
    KDF_UP_INT = 0x06,
};

/* HMAC-SHA-256 (RFC 2104, FIPS 198-1) of msg under key. 0 on success. */
int kdf_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                    uint8_t out[32]);
/* out = HMAC-SHA-256(key, FC || P0 || L0 || ... ). 0 on success. */
int kdf_generic(const uint8_t *key, size_t key_len, uint8_t fc, const kdf_param *params,
                size_t n_params, uint8_t out[32]);

/* kdf_generic keyed with CK || IK (the key is wiped after use). */
int kdf_generic_ck_ik(const uint8_t ck[16], const uint8_t ik[16], uint8_t fc,
                      const kdf_param *params, size_t n_params, uint8_t out[32]);
/* 128-bit algorithm key under function code fc (0x15 for EPS, 0x69 for 5GS):
 * last 16 octets of KDF(key, fc, distinguisher, alg_id). */
int kdf_alg_key_fc(const uint8_t key[32], uint8_t fc, uint8_t distinguisher, uint8_t alg_id,
                   uint8_t out[16]);
/* value as 4 octets, big endian (COUNT parameters). */
void kdf_be32(uint32_t value, uint8_t out[4]);

/* A.2: K_ASME from CK || IK, serving network id (3 octets) and SQN xor AK (6 octets). */
int kdf_kasme(const uint8_t ck[16], const uint8_t ik[16], const uint8_t sn_id[3],
              const uint8_t sqn_xor_ak[6], uint8_t kasme[32]);
/* A.7: 128-bit algorithm key = last 16 octets of KDF(key, 0x15, distinguisher, alg_id). */
int kdf_alg_key(const uint8_t key[32], uint8_t distinguisher, uint8_t alg_id, uint8_t out[16]);
/* A.3: K_eNB from K_ASME and the uplink NAS COUNT. */
int kdf_kenb(const uint8_t kasme[32], uint32_t ul_nas_count, uint8_t kenb[32]);
/* A.4: NH from K_ASME and SYNC-input (K_eNB for the first NH, then the previous NH). */
int kdf_nh(const uint8_t kasme[32], const uint8_t sync_input[32], uint8_t nh[32]);
/* A.5: K_eNB* from K_eNB or NH, the target PCI and EARFCN-DL (2 octets, 3 above 65535). */
int kdf_kenb_star(const uint8_t key[32], uint16_t pci, uint32_t earfcn_dl, uint8_t out[32]);

#endif
