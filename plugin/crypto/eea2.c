/* 128-EEA2 (TS 33.401 Annex B.1.3): AES-128 in CTR mode (NIST SP 800-38A 6.5). */
#include "eea2.h"

#include <string.h>

/* Counter blocks enciphered in one aes_block_encrypt_n call. */
#define EEA2_BATCH 16

int eea2_key_init(eea2_key *k, const uint8_t key[16])
{
    memset(k, 0, sizeof *k);
    return eea2_key_rekey(k, key);
}

int eea2_key_rekey(eea2_key *k, const uint8_t key[16])
{
    if (aes_block_setkey(&k->aes, key)) {
        eea2_key_free(k);
        return -1;
    }
    return 0;
}

void eea2_key_free(eea2_key *k)
{
    aes_block_free(&k->aes);
}

/* B.1.3: T1 = COUNT[0..31] || BEARER[0..4] || DIRECTION || 0^26 || 0^64; Ti+1 = Ti + 1 as a
 * 128-bit big-endian integer. The low 64 bits start at 0, so block i has i there. */
static void eea2_counter_blocks(uint32_t count, unsigned bearer, unsigned dir, uint64_t first,
                                size_t n, uint8_t *blocks)
{
    const uint8_t high[8] = { (uint8_t)(count >> 24), (uint8_t)(count >> 16),
                              (uint8_t)(count >> 8), (uint8_t)count,
                              (uint8_t)(bearer << 3 | dir << 2) };
    for (size_t b = 0; b < n; b++) {
        uint64_t index = first + b;
        uint8_t *t = blocks + 16 * b;
        memcpy(t, high, 8);
        aes_store_be64(index, t + 8);
    }
}

static void xor_stream(uint8_t *data, const uint8_t *stream, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t d, k;
        memcpy(&d, data + i, 8);
        memcpy(&k, stream + i, 8);
        d ^= k;
        memcpy(data + i, &d, 8);
    }
    for (; i < n; i++)
        data[i] ^= stream[i];
}

/* The key is only read, so one eea2_key may serve several calls at once. */
int eea2_crypt(const eea2_key *k, uint32_t count, unsigned bearer, unsigned dir, uint8_t *data,
               size_t length_bits)
{
    if (bearer > 31 || dir > 1)
        return -1;
    size_t n_octets = (length_bits + 7) / 8;
    uint8_t stream[EEA2_BATCH * 16];
    uint64_t index = 0;
    for (size_t done = 0; done < n_octets;) {
        size_t take = n_octets - done < sizeof stream ? n_octets - done : sizeof stream;
        size_t blocks = (take + 15) / 16;
        eea2_counter_blocks(count, bearer, dir, index, blocks, stream);
        index += blocks;
        if (aes_block_encrypt_n(&k->aes, stream, blocks))
            return -1;
        xor_stream(data + done, stream, take);
        done += take;
    }
    if (length_bits % 8)
        data[n_octets - 1] &= (uint8_t)(0xff << (8 - length_bits % 8));
    return 0;
}
