/* One-block AES-128 (FIPS 197): AES-NI round keys kept in the key struct, or a libgcrypt ECB
 * handle. Under callgrind a gcry_cipher_encrypt of one block costs about 170 instructions and
 * a gcry_cipher_setkey about 400; the AES-NI path about 30 and 90. */
#include "aes_block.h"

#include <string.h>

#include "secure_zero.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KASME_AES_NI 1
#include <wmmintrin.h>
#endif

static bool ni_refused; /* aes_block_allow_ni(false) */

#ifdef KASME_AES_NI
static bool cpu_has_ni(void)
{
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse2");
}

/* FIPS 197 5.2 KeyExpansion, one word of Rcon at a time: w[i] = w[i-4] ^ SubWord(RotWord(
 * w[i-1])) ^ Rcon for the first word of a round key, then the running xor for the others. */
__attribute__((target("aes,sse2"))) static __m128i expand_step(__m128i prev, __m128i assist)
{
    assist = _mm_shuffle_epi32(assist, 0xff); /* SubWord(RotWord(w[i-1])) ^ Rcon in every lane */
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    return _mm_xor_si128(prev, assist);
}

/* AES-NI leaves round keys (round key 0 is the key itself) in xmm registers that later code
 * may never touch; the dynamic linker's lazy binding saves all of them to the stack (xsave),
 * where they would outlive the key. Cleared after each use, as libgcrypt does. */
static inline void ni_clear_registers(void)
{
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\t"
                     "pxor %%xmm3, %%xmm3\n\tpxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
                     "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm8, %%xmm8\n\t"
                     "pxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\t"
                     "pxor %%xmm11, %%xmm11\n\tpxor %%xmm12, %%xmm12\n\t"
                     "pxor %%xmm13, %%xmm13\n\tpxor %%xmm14, %%xmm14\n\t"
                     "pxor %%xmm15, %%xmm15"
                     :
                     :
                     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* Each round key goes straight to k (no copy on the stack). */
#define EXPAND(i, rcon)                                                                     \
    do {                                                                                    \
        key = expand_step(key, _mm_aeskeygenassist_si128(key, rcon));                       \
        _mm_storeu_si128((__m128i *)k->rk[i], key);                                         \
    } while (0)

__attribute__((target("aes,sse2"))) static void ni_setkey(aes_block_key *k, const uint8_t key_in[16])
{
    __m128i key = _mm_loadu_si128((const __m128i *)key_in);
    _mm_storeu_si128((__m128i *)k->rk[0], key);
    EXPAND(1, 0x01);
    EXPAND(2, 0x02);
    EXPAND(3, 0x04);
    EXPAND(4, 0x08);
    EXPAND(5, 0x10);
    EXPAND(6, 0x20);
    EXPAND(7, 0x40);
    EXPAND(8, 0x80);
    EXPAND(9, 0x1b);
    EXPAND(10, 0x36);
    ni_clear_registers();
}

__attribute__((target("aes,sse2"))) static __m128i ni_cipher(const aes_block_key *k, __m128i s)
{
    s = _mm_xor_si128(s, _mm_loadu_si128((const __m128i *)k->rk[0]));
    for (int r = 1; r < 10; r++)
        s = _mm_aesenc_si128(s, _mm_loadu_si128((const __m128i *)k->rk[r]));
    return _mm_aesenclast_si128(s, _mm_loadu_si128((const __m128i *)k->rk[10]));
}

/* Four blocks at a time, their rounds interleaved: AESENC's latency is several cycles and
 * the blocks are independent (the CTR keystream of a 1500-octet PDU is 94 blocks). */
__attribute__((target("aes,sse2"))) static void ni_encrypt_4(const aes_block_key *k,
                                                             uint8_t *blocks)
{
    __m128i *at = (__m128i *)blocks;
    __m128i rk = _mm_loadu_si128((const __m128i *)k->rk[0]);
    __m128i s0 = _mm_xor_si128(_mm_loadu_si128(at), rk);
    __m128i s1 = _mm_xor_si128(_mm_loadu_si128(at + 1), rk);
    __m128i s2 = _mm_xor_si128(_mm_loadu_si128(at + 2), rk);
    __m128i s3 = _mm_xor_si128(_mm_loadu_si128(at + 3), rk);
    for (int r = 1; r < 10; r++) {
        rk = _mm_loadu_si128((const __m128i *)k->rk[r]);
        s0 = _mm_aesenc_si128(s0, rk);
        s1 = _mm_aesenc_si128(s1, rk);
        s2 = _mm_aesenc_si128(s2, rk);
        s3 = _mm_aesenc_si128(s3, rk);
    }
    rk = _mm_loadu_si128((const __m128i *)k->rk[10]);
    _mm_storeu_si128(at, _mm_aesenclast_si128(s0, rk));
    _mm_storeu_si128(at + 1, _mm_aesenclast_si128(s1, rk));
    _mm_storeu_si128(at + 2, _mm_aesenclast_si128(s2, rk));
    _mm_storeu_si128(at + 3, _mm_aesenclast_si128(s3, rk));
}

__attribute__((target("aes,sse2"))) static void ni_encrypt_n(const aes_block_key *k,
                                                             uint8_t *blocks, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        ni_encrypt_4(k, blocks + 16 * i);
    for (; i < n; i++) {
        __m128i *at = (__m128i *)(blocks + 16 * i);
        _mm_storeu_si128(at, ni_cipher(k, _mm_loadu_si128(at)));
    }
    ni_clear_registers();
}

/* Round keys are read from k, never copied to the stack (see ni_setkey); the compiler keeps
 * them in registers across the blocks. */
__attribute__((target("aes,sse2"))) static void ni_cbc_mac(const aes_block_key *k,
                                                           uint8_t state[16],
                                                           const uint8_t *blocks, size_t n)
{
    __m128i s = _mm_loadu_si128((const __m128i *)state);
    for (size_t i = 0; i < n; i++) {
        s = _mm_xor_si128(s, _mm_loadu_si128((const __m128i *)(blocks + 16 * i)));
        s = _mm_xor_si128(s, _mm_loadu_si128((const __m128i *)k->rk[0]));
        for (int r = 1; r < 10; r++)
            s = _mm_aesenc_si128(s, _mm_loadu_si128((const __m128i *)k->rk[r]));
        s = _mm_aesenclast_si128(s, _mm_loadu_si128((const __m128i *)k->rk[10]));
    }
    _mm_storeu_si128((__m128i *)state, s);
    ni_clear_registers();
}
#else
static bool cpu_has_ni(void)
{
    return false;
}
static void ni_setkey(aes_block_key *k, const uint8_t key[16])
{
    (void)k;
    (void)key;
}
static void ni_encrypt_n(const aes_block_key *k, uint8_t *blocks, size_t n)
{
    (void)k;
    (void)blocks;
    (void)n;
}
static void ni_cbc_mac(const aes_block_key *k, uint8_t state[16], const uint8_t *blocks,
                       size_t n)
{
    (void)k;
    (void)state;
    (void)blocks;
    (void)n;
}
#endif

void aes_block_allow_ni(bool allow)
{
    ni_refused = !allow;
}

bool aes_block_uses_ni(void)
{
    return !ni_refused && cpu_has_ni();
}

static int gcry_setkey(aes_block_key *k, const uint8_t key[16])
{
    if (!k->ecb && gcry_cipher_open(&k->ecb, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0)) {
        k->ecb = NULL;
        return -1;
    }
    return gcry_cipher_setkey(k->ecb, key, 16) ? -1 : 0;
}

int aes_block_setkey(aes_block_key *k, const uint8_t key[16])
{
    k->ni = aes_block_uses_ni();
    if (k->ni) {
        ni_setkey(k, key);
        return 0;
    }
    return gcry_setkey(k, key);
}

void aes_block_free(aes_block_key *k)
{
    if (k->ecb)
        gcry_cipher_close(k->ecb);
    kasme_secure_zero(k, sizeof *k);
}

int aes_block_encrypt_n(const aes_block_key *k, uint8_t *blocks, size_t n)
{
    if (k->ni) {
        ni_encrypt_n(k, blocks, n);
        return 0;
    }
    if (!k->ecb)
        return -1;
    return gcry_cipher_encrypt(k->ecb, blocks, 16 * n, NULL, 0) ? -1 : 0;
}

int aes_block_encrypt(const aes_block_key *k, uint8_t block[16])
{
    return aes_block_encrypt_n(k, block, 1);
}

int aes_block_cbc_mac(const aes_block_key *k, uint8_t state[16], const uint8_t *blocks,
                      size_t n)
{
    if (k->ni) {
        ni_cbc_mac(k, state, blocks, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < 16; j++)
            state[j] ^= blocks[16 * i + j];
        if (aes_block_encrypt(k, state))
            return -1;
    }
    return 0;
}
