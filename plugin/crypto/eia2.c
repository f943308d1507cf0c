/* 128-EIA2 (TS 33.401 Annex B.2.3): AES-CMAC (NIST SP 800-38B) over a bit string. */
#include "eia2.h"

#include <string.h>

#include "aes_block.h"
#include "secure_zero.h"

/* SP 800-38B 5.3: R_128 = 0^120 || 10000111. */
#define CMAC_RB 0x87

/* SP 800-38B 6.1 step 2/3: out = in << 1, xor R_b if the bit shifted out was 1 (on two
 * 64-bit halves). */
static void cmac_double(const uint8_t in[16], uint8_t out[16])
{
    uint64_t hi = aes_load_be64(in), lo = aes_load_be64(in + 8);
    uint64_t rb = (hi >> 63) ? CMAC_RB : 0;
    aes_store_be64(hi << 1 | lo >> 63, out);
    aes_store_be64(lo << 1 ^ rb, out + 8);
}

/* SP 800-38B 6.1: L = E_K(0^128), K1 = dbl(L), K2 = dbl(K1). */
static int cmac_subkeys(eia2_key *k)
{
    uint8_t l[16] = { 0 };
    int rc = aes_block_encrypt(&k->aes, l);
    cmac_double(l, k->k1);
    cmac_double(k->k1, k->k2);
    kasme_secure_zero(l, sizeof l);
    return rc;
}

int eia2_key_init(eia2_key *k, const uint8_t key[16])
{
    memset(k, 0, sizeof *k);
    return eia2_key_rekey(k, key);
}

int eia2_key_rekey(eia2_key *k, const uint8_t key[16])
{
    if (aes_block_setkey(&k->aes, key) || cmac_subkeys(k)) {
        eia2_key_free(k);
        return -1;
    }
    return 0;
}

void eia2_key_free(eia2_key *k)
{
    aes_block_free(&k->aes);
    kasme_secure_zero(k->k1, sizeof k->k1);
    kasme_secure_zero(k->k2, sizeof k->k2);
}

/* B.2.3: the first 64 bits of M, COUNT || BEARER || DIRECTION || 0^26. */
static void eia2_header(uint32_t count, unsigned bearer, unsigned dir, uint8_t hdr[8])
{
    hdr[0] = (uint8_t)(count >> 24);
    hdr[1] = (uint8_t)(count >> 16);
    hdr[2] = (uint8_t)(count >> 8);
    hdr[3] = (uint8_t)count;
    hdr[4] = (uint8_t)(bearer << 3 | dir << 2);
    hdr[5] = hdr[6] = hdr[7] = 0;
}

/* Octets of block `index` of HDR || MSG, zero past the end. The header is 8 octets, so the
 * message stays octet aligned in the bit string and blocks can be copied octet-wise. */
static void eia2_block(const uint8_t hdr[8], const uint8_t *msg, size_t msg_octets,
                       size_t index, uint8_t block[16])
{
    size_t at = 0, from = 0;
    if (index == 0) {
        memcpy(block, hdr, 8);
        at = 8;
    } else {
        from = 16 * index - 8;
    }
    size_t avail = from < msg_octets ? msg_octets - from : 0;
    size_t take = avail < 16 - at ? avail : 16 - at;
    if (take)
        memcpy(block + at, msg + from, take);
    memset(block + at + take, 0, 16 - at - take);
}

/* SP 800-38B 6.2 steps 3/4 for the last block of a bit string of total_bits bits: complete
 * blocks are xored with K1; otherwise the bits past the end are cleared, padding 10..0
 * starts at the first free bit, and K2 is used. */
static void cmac_last_block(const eia2_key *k, size_t total_bits, uint8_t block[16])
{
    const uint8_t *subkey = k->k1;
    size_t used = total_bits % 128;
    if (used || total_bits == 0) {
        uint8_t keep = (uint8_t)~(0xff >> (used % 8));
        block[used / 8] = (uint8_t)((block[used / 8] & keep) | (0x80 >> (used % 8)));
        subkey = k->k2;
    }
    for (int i = 0; i < 16; i++)
        block[i] ^= subkey[i];
}

/* Uses the key schedule read-only, so one eia2_key may be shared between calls. HDR || MSG
 * is chained in three parts: the first block (HDR and the message's first 8 octets, built on
 * the stack), the whole blocks after it (read from the message in place: the header is 8
 * octets, so they start at msg + 8), and the padded last block. */
int eia2_mac(const eia2_key *k, uint32_t count, unsigned bearer, unsigned dir,
             const uint8_t *msg, size_t length_bits, uint32_t *mac)
{
    if (bearer > 31 || dir > 1 || length_bits > SIZE_MAX - 64)
        return -1;
    uint8_t hdr[8], block[16], state[16] = { 0 };
    eia2_header(count, bearer, dir, hdr);
    size_t total_bits = 64 + length_bits;
    size_t msg_octets = (length_bits + 7) / 8;
    size_t n_blocks = (total_bits + 127) / 128;
    int rc = 0;
    if (n_blocks > 1) {
        eia2_block(hdr, msg, msg_octets, 0, block);
        rc |= aes_block_cbc_mac(&k->aes, state, block, 1);
        if (n_blocks > 2) /* blocks 1 .. n-2: whole, every bit inside the message */
            rc |= aes_block_cbc_mac(&k->aes, state, msg + 8, n_blocks - 2);
    }
    eia2_block(hdr, msg, msg_octets, n_blocks - 1, block);
    cmac_last_block(k, total_bits, block);
    rc |= aes_block_cbc_mac(&k->aes, state, block, 1);
    if (rc)
        return -1;
    *mac = (uint32_t)state[0] << 24 | (uint32_t)state[1] << 16 | (uint32_t)state[2] << 8 |
           state[3];
    return 0;
}
