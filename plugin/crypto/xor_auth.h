/* The 3GPP test algorithm "XOR" of test USIMs (TS 34.108 clause 8.1.2). */
#ifndef KASME_XOR_AUTH_H
#define KASME_XOR_AUTH_H

#include <stdint.h>

/* XDOUT = K xor RAND; RES = XDOUT[0..res_len) (res_len in octets, 4..16), CK = XDOUT <<< 8,
 * IK = XDOUT <<< 16, AK = XDOUT[24..71]. Any output may be NULL. */
void xor_auth_f2345(const uint8_t k[16], const uint8_t rand[16], uint8_t res[16], uint8_t ck[16],
                    uint8_t ik[16], uint8_t ak[6]);
/* MAC-A (f1) = XDOUT[0..63] xor (SQN || AMF); also f1* (MAC-S) with the same rule. */
void xor_auth_f1(const uint8_t k[16], const uint8_t rand[16], const uint8_t sqn[6],
                 const uint8_t amf[2], uint8_t mac[8]);

#endif
