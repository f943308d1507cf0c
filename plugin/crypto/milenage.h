/* MILENAGE authentication functions (TS 35.206), on libgcrypt AES-128. */
#ifndef KASME_MILENAGE_H
#define KASME_MILENAGE_H

#include <stdint.h>

/* OPc = E_K(OP) xor OP. 0 on success. */
int milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);
/* f1 (MAC-A) and f1* (MAC-S); either output may be NULL. */
int milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);
/* f2 (RES, 64 bits), f3 (CK), f4 (IK), f5 (AK), f5* (AK for resynchronisation); any output
 * may be NULL. */
int milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                   uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
                   uint8_t ak_star[6]);

#endif
