/* MILENAGE f1, f1*, f2, f3, f4, f5, f5* (3GPP TS 35.206 clause 4.1). */
#include "milenage.h"

#include <string.h>

#include "aes_block.h"
#include "secure_zero.h"

/* TS 35.206 4.1: rotation amounts r1..r5 in octets (64, 0, 32, 64, 96 bits). */
enum { R1 = 8, R2 = 0, R3 = 4, R4 = 8, R5 = 12 };
/* Constants c1..c5: zero except the last octet, which holds these values. */
enum { C1 = 0x00, C2 = 0x01, C3 = 0x02, C4 = 0x04, C5 = 0x08 };

static void xor16(uint8_t dst[16], const uint8_t a[16])
{
    for (int i = 0; i < 16; i++)
        dst[i] ^= a[i];
}

/* out = rot(x xor OPc, r): cyclic rotation towards the most significant bit. */
static void rot_xor_opc(const uint8_t x[16], const uint8_t opc[16], unsigned r_octets,
                        uint8_t out[16])
{
    for (unsigned i = 0; i < 16; i++)
        out[i] = x[(i + r_octets) % 16] ^ opc[(i + r_octets) % 16];
}

/* OUTi = E_K(block) xor OPc, with block already rotated and offset. */
static int milenage_out(const aes_block_key *ek, const uint8_t opc[16], uint8_t block[16])
{
    if (aes_block_encrypt(ek, block))
        return -1;
    xor16(block, opc);
    return 0;
}

/* TEMP = E_K(RAND xor OPc). */
static int milenage_temp(const aes_block_key *ek, const uint8_t opc[16], const uint8_t rand[16],
                         uint8_t temp[16])
{
    memcpy(temp, rand, 16);
    xor16(temp, opc);
    return aes_block_encrypt(ek, temp);
}

/* OUTi for i = 2..5: E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc. */
static int milenage_out_n(const aes_block_key *ek, const uint8_t opc[16], const uint8_t temp[16],
                          unsigned r_octets, uint8_t c_last, uint8_t out[16])
{
    rot_xor_opc(temp, opc, r_octets, out);
    out[15] ^= c_last;
    return milenage_out(ek, opc, out);
}

/* The AES key is wiped with the schedule (aes_block_free). */
int milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
    aes_block_key ek = {0};
    uint8_t block[16];
    memcpy(block, op, 16);
    int rc = aes_block_setkey(&ek, k) || aes_block_encrypt(&ek, block) ? -1 : 0;
    aes_block_free(&ek);
    if (rc == 0) {
        xor16(block, op);
        memcpy(opc, block, 16);
    }
    kasme_secure_zero(block, sizeof block);
    return rc;
}

/* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, IN1 = SQN||AMF||SQN||AMF. */
static int milenage_out1(const aes_block_key *ek, const uint8_t opc[16], const uint8_t rand[16],
                         const uint8_t sqn[6], const uint8_t amf[2], uint8_t out1[16])
{
    uint8_t temp[16], in1[16];
    if (milenage_temp(ek, opc, rand, temp))
        return -1;
    memcpy(in1, sqn, 6);
    memcpy(in1 + 6, amf, 2);
    memcpy(in1 + 8, in1, 8);
    rot_xor_opc(in1, opc, R1, out1);
    xor16(out1, temp);
    out1[15] ^= C1;
    return milenage_out(ek, opc, out1);
}

int milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
    aes_block_key ek = {0};
    uint8_t out1[16];
    int rc = aes_block_setkey(&ek, k) || milenage_out1(&ek, opc, rand, sqn, amf, out1) ? -1 : 0;
    aes_block_free(&ek);
    if (rc == 0 && mac_a)
        memcpy(mac_a, out1, 8);
    if (rc == 0 && mac_s)
        memcpy(mac_s, out1 + 8, 8);
    kasme_secure_zero(out1, sizeof out1);
    return rc;
}

/* f2/f5 from OUT2, f3 = OUT3, f4 = OUT4, f5* from OUT5; outputs nobody asked for are skipped. */
static int milenage_outputs(const aes_block_key *ek, const uint8_t opc[16], const uint8_t rand[16],
                            uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
                            uint8_t ak_star[6])
{
    uint8_t temp[16], out[16];
    if (milenage_temp(ek, opc, rand, temp))
        return -1;
    if (res || ak) {
        if (milenage_out_n(ek, opc, temp, R2, C2, out))
            return -1;
        if (ak)
            memcpy(ak, out, 6);
        if (res)
            memcpy(res, out + 8, 8);
    }
    if (ck && milenage_out_n(ek, opc, temp, R3, C3, ck))
        return -1;
    if (ik && milenage_out_n(ek, opc, temp, R4, C4, ik))
        return -1;
    if (ak_star) {
        if (milenage_out_n(ek, opc, temp, R5, C5, out))
            return -1;
        memcpy(ak_star, out, 6);
    }
    return 0;
}

int milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                   uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
                   uint8_t ak_star[6])
{
    aes_block_key ek = {0};
    int rc = aes_block_setkey(&ek, k) || milenage_outputs(&ek, opc, rand, res, ck, ik, ak, ak_star)
                 ? -1
                 : 0;
    aes_block_free(&ek);
    return rc;
}
