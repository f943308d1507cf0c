/* 128-EIA3, ETSI/SAGE 128-EEA3 & 128-EIA3 Document 1 v1.7 section 4 (TS 33.401 Annex B.2.4). */
#include "eia3.h"

#include "zuc.h"

/*
 * Section 4.5 XORs z_i = z[i..i+31] into T for every message bit M[i] = 1. The message is
 * taken 32 bits at a time: for message word k, every z_i with 32k <= i < 32k + 32 lies in the
 * 64-bit window (keystream word k) || (keystream word k+1). The window slides one keystream
 * word per message word, so the keystream is read as a stream and never stored whole.
 */

/* Keystream words generated per ZUC call; small, on the stack. */
#define EIA3_CHUNK_WORDS 16

typedef struct {
    zuc_state zuc;
    uint32_t buf[EIA3_CHUNK_WORDS];
    unsigned pos, fill;
    size_t words_left; /* of the L words section 4.4 asks for: no more are generated */
} ks_reader;

static uint32_t ks_read(ks_reader *r)
{
    if (r->pos == r->fill) {
        size_t n = r->words_left < EIA3_CHUNK_WORDS ? r->words_left : EIA3_CHUNK_WORDS;
        zuc_keystream(&r->zuc, r->buf, n);
        r->words_left -= n;
        r->fill = (unsigned)n;
        r->pos = 0;
    }
    return r->buf[r->pos++];
}

/* Section 4.3: unlike EEA3, DIRECTION is folded into IV[8] and IV[14]. */
static void eia3_iv(uint8_t iv[16], uint32_t count, unsigned bearer, unsigned dir)
{
    uint8_t dir_bit = (uint8_t)((dir & 1) << 7);
    iv[0] = (uint8_t)(count >> 24);
    iv[1] = (uint8_t)(count >> 16);
    iv[2] = (uint8_t)(count >> 8);
    iv[3] = (uint8_t)count;
    iv[4] = (uint8_t)((bearer & 0x1f) << 3);
    iv[5] = iv[6] = iv[7] = 0;
    iv[8] = iv[0] ^ dir_bit;
    iv[9] = iv[1];
    iv[10] = iv[2];
    iv[11] = iv[3];
    iv[12] = iv[4];
    iv[13] = 0;
    iv[14] = dir_bit;
    iv[15] = 0;
}

/* Message bits 32k..32k+31 (bit 32k = MSB of msg_word) against window = ks[k] || ks[k+1].
 * Branch-free, so the time does not depend on the message bits. */
static uint32_t hash_word(uint32_t msg_word, uint64_t window)
{
    uint32_t t = 0;
    for (unsigned b = 0; b < 32; b++) {
        uint32_t take = 0u - (msg_word >> 31);
        t ^= take & (uint32_t)(window >> 32);
        msg_word <<= 1;
        window <<= 1;
    }
    return t;
}

/* Up to 4 message bytes, left-aligned in a 32-bit word. */
static uint32_t load_be(const uint8_t *p, size_t n_bytes)
{
    uint32_t w = 0;
    for (size_t i = 0; i < 4; i++)
        w = w << 8 | (i < n_bytes ? p[i] : 0);
    return w;
}

uint32_t eia3_mac(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                  const uint8_t *msg, size_t length_bits)
{
    uint8_t iv[16];
    ks_reader ks = {.pos = 0, .fill = 0};
    size_t full_words = length_bits / 32;
    unsigned tail_bits = (unsigned)(length_bits % 32);
    uint32_t t = 0;

    eia3_iv(iv, count, bearer, dir);
    zuc_init(&ks.zuc, key, iv);
    ks.words_left = full_words + (tail_bits != 0) + 2; /* L = ceil(LENGTH / 32) + 2, 4.4 */

    uint64_t window = (uint64_t)ks_read(&ks) << 32;
    window |= ks_read(&ks);
    for (size_t k = 0; k < full_words; k++) {
        t ^= hash_word(load_be(msg + 4 * k, 4), window);
        window = window << 32 | ks_read(&ks);
    }
    /* Now window = ks[LENGTH/32] || ks[LENGTH/32 + 1]: it covers the tail bits and z_LENGTH. */
    if (tail_bits) {
        uint32_t tail = load_be(msg + 4 * full_words, (tail_bits + 7) / 8);
        t ^= hash_word(tail & (~0u << (32 - tail_bits)), window);
    }
    t ^= (uint32_t)(window >> (32 - tail_bits));
    /* MAC = T ^ z_{32(L-1)}, the last keystream word: the window's low word when LENGTH is a
     * multiple of 32, else the one after it. */
    uint32_t last_word = tail_bits ? ks_read(&ks) : (uint32_t)window;
    return t ^ last_word;
}
