/* The 3GPP test algorithm XOR for test USIMs (TS 34.108 clauses 8.1.2.1 and 8.1.2.2). */
#include "xor_auth.h"

#include <string.h>

/* Step 1: XDOUT = K xor RAND. */
static void xdout_of(const uint8_t k[16], const uint8_t rand[16], uint8_t xdout[16])
{
    for (int i = 0; i < 16; i++)
        xdout[i] = k[i] ^ rand[i];
}

static void rotate_left_octets(const uint8_t in[16], unsigned n, uint8_t out[16])
{
    for (unsigned i = 0; i < 16; i++)
        out[i] = in[(i + n) % 16];
}

void xor_auth_f2345(const uint8_t k[16], const uint8_t rand[16], uint8_t res[16], uint8_t ck[16],
                    uint8_t ik[16], uint8_t ak[6])
{
    uint8_t xdout[16];
    xdout_of(k, rand, xdout);
    if (res)
        memcpy(res, xdout, 16);
    if (ck)
        rotate_left_octets(xdout, 1, ck);
    if (ik)
        rotate_left_octets(xdout, 2, ik);
    if (ak)
        memcpy(ak, xdout + 3, 6); /* XDOUT bits 24..71 */
}

/* Step 7: MAC = XDOUT[0..63] xor CDOUT, CDOUT = SQN || AMF. For f1* (8.1.2.2) the caller
 * passes SQN_MS and the dummy AMF*. */
void xor_auth_f1(const uint8_t k[16], const uint8_t rand[16], const uint8_t sqn[6],
                 const uint8_t amf[2], uint8_t mac[8])
{
    uint8_t xdout[16];
    xdout_of(k, rand, xdout);
    for (int i = 0; i < 6; i++)
        mac[i] = xdout[i] ^ sqn[i];
    mac[6] = xdout[6] ^ amf[0];
    mac[7] = xdout[7] ^ amf[1];
}
