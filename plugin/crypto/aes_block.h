/* One-block AES-128 encryption (FIPS 197) with the key schedule held in place, shared by
 * MILENAGE, 128-EIA2 and 128-EEA2: AES-NI where the CPU has it (round keys in the struct, no
 * allocation, no call into libgcrypt per block), else a libgcrypt ECB handle. */
#ifndef KASME_AES_BLOCK_H
#define KASME_AES_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gcrypt.h>

typedef struct {
    uint8_t rk[11][16];   /* FIPS 197 5.2 round keys (AES-NI; read unaligned) */
    gcry_cipher_hd_t ecb; /* the libgcrypt handle when AES-NI is not used */
    bool ni;
} aes_block_key;

/* Keys k (zeroed before its first key); a handle k already has is reused. 0 on success. */
int aes_block_setkey(aes_block_key *k, const uint8_t key[16]);
/* Closes k's handle and wipes its round keys (k may be zeroed, never keyed). */
void aes_block_free(aes_block_key *k);
/* block = E_K(block); 0 on success. */
int aes_block_encrypt(const aes_block_key *k, uint8_t block[16]);
/* E_K of n consecutive blocks in place (ECB; the CTR keystream of 128-EEA2). */
int aes_block_encrypt_n(const aes_block_key *k, uint8_t *blocks, size_t n);
/* The CBC chain of a CMAC (NIST SP 800-38B 6.2 step 6) over n whole blocks read in place:
 * state = E_K(state xor block) for each block in turn. With AES-NI the round keys stay in
 * registers for the whole chain (one call per message part, not one per block). */
int aes_block_cbc_mac(const aes_block_key *k, uint8_t state[16], const uint8_t *blocks,
                      size_t n);

/* 64-bit big-endian load and store, for the modes on top (EEA2's counter, EIA2's subkeys);
 * spelt out so that the compiler makes one byte swap of each (a loop cost 100 instructions;
 * the store's loop still cost about 50 under callgrind, so it swaps explicitly). */
static inline uint64_t aes_load_be64(const uint8_t p[8])
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static inline void aes_store_be64(uint64_t v, uint8_t p[8])
{
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
    __builtin_memcpy(p, &v, 8);
#else
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
#endif
}

/* Whether keys set from now on may use AES-NI (default: when the CPU has it). For the tests
 * and the benchmark, which run the libgcrypt path too. */
void aes_block_allow_ni(bool allow);
bool aes_block_uses_ni(void);

#endif
