/* TS 33.501 Annex A: the 5G key hierarchy (K_AUSF, RES*, HXRES*, K_SEAF, K_AMF, NAS keys,
 * K_gNB, NH) on the TS 33.220 Annex B.2 KDF of kdf.h, and the serving network name. */
#ifndef KASME_KDF5G_H
#define KASME_KDF5G_H

#include <stddef.h>
#include <stdint.h>

/* "5G:mnc<3 digits>.mcc<3 digits>.3gppnetwork.org" and its NUL. */
#define KDF5G_SNN_SIZE 33

/* TS 33.501 A.8 algorithm type distinguishers (N-NAS-enc-alg ... N-UP-int-alg). */
enum {
    KDF5G_NAS_ENC = 0x01,
    KDF5G_NAS_INT = 0x02,
    KDF5G_RRC_ENC = 0x03,
    KDF5G_RRC_INT = 0x04,
    KDF5G_UP_ENC = 0x05,
    KDF5G_UP_INT = 0x06,
};

/* TS 33.501 A.9 access type distinguishers. */
enum { KDF5G_ACCESS_3GPP = 0x01, KDF5G_ACCESS_NON_3GPP = 0x02 };

/* Serving network name (TS 24.501 9.12.1) from a PLMN identity as encoded on the wire
 * (TS 24.008 10.5.1.13: MCC2|MCC1, MNC3|MCC3, MNC2|MNC1; MNC3 = 0xF for a 2-digit MNC, which
 * the name pads to 3 digits with a leading 0). 0 on success, -1 if a digit is not 0..9. */
int kdf5g_serving_network_name(const uint8_t plmn[3], char snn[KDF5G_SNN_SIZE]);

/* A.2: K_AUSF (5G-AKA) from CK || IK, the serving network name and SQN xor AK. */
int kdf5g_kausf(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                const uint8_t sqn_xor_ak[6], uint8_t kausf[32]);
/* A.4: RES* / XRES* = last 128 bits of KDF(CK || IK, 0x6B, SNN, RAND, RES); res_len 4..16. */
int kdf5g_res_star(const uint8_t ck[16], const uint8_t ik[16], const char *snn,
                   const uint8_t rand[16], const uint8_t *res, size_t res_len,
                   uint8_t res_star[16]);
/* A.5: HRES* / HXRES* = the 128 least significant bits of SHA-256(RAND || RES*). */
int kdf5g_hxres_star(const uint8_t rand[16], const uint8_t res_star[16], uint8_t hxres_star[16]);
/* A.6: K_SEAF from K_AUSF and the serving network name. */
int kdf5g_kseaf(const uint8_t kausf[32], const char *snn, uint8_t kseaf[32]);
/* A.7: K_AMF from K_SEAF, the SUPI (for an IMSI: its digits as characters) and the ABBA
 * (as received, abba_len >= 2). */
int kdf5g_kamf(const uint8_t kseaf[32], const char *supi, const uint8_t *abba, size_t abba_len,
               uint8_t kamf[32]);
/* A.8: 128-bit K_NASenc / K_NASint / K_RRC* / K_UP* from K_AMF or K_gNB. */
int kdf5g_alg_key(const uint8_t key[32], uint8_t distinguisher, uint8_t alg_id, uint8_t out[16]);
/* A.9: K_gNB from K_AMF, the uplink NAS COUNT and the access type distinguisher. */
int kdf5g_kgnb(const uint8_t kamf[32], uint32_t ul_nas_count, uint8_t access_type,
               uint8_t kgnb[32]);
/* A.10: NH from K_AMF and SYNC-input (K_gNB for the first NH, then the previous NH). */
int kdf5g_nh(const uint8_t kamf[32], const uint8_t sync_input[32], uint8_t nh[32]);

#endif
