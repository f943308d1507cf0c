/* 128-EIA1, 3GPP TS 33.401 Annex B.2.2: UIA2 (f9, ETSI/SAGE UEA2 & UIA2 Document 1) with FRESH = BEARER. */
#include "eia1.h"

#include "snow3g.h"

/* Low terms of the f9 field polynomial x^64 + x^4 + x^3 + x + 1 (Document 1, 4.3: c = 0x1b). */
#define GF64_REDUCTION 0x1bu

/* GF64_REDUCTION * h for a 4-bit h (carry-less; degree <= 7, so no further reduction): the
 * value to fold back in when h(x) * x^64 falls out of the top of a 4-bit left shift. */
static const uint8_t NIBBLE_OVERFLOW[16] = {
    0x00, 0x1b, 0x36, 0x2d, 0x6c, 0x77, 0x5a, 0x41,
    0xd8, 0xc3, 0xee, 0xf5, 0xb4, 0xaf, 0x82, 0x99,
};

/* Multiples n(x) * P for every 4-bit polynomial n, for 4-bit-window multiplication by P. */
typedef struct {
    uint64_t of_nibble[16];
} gf64_multiples;

/* MUL64x (Document 1, 4.3). */
static uint64_t gf64_mul_x(uint64_t v)
{
    return (v << 1) ^ ((v >> 63) ? GF64_REDUCTION : 0);
}

static void gf64_multiples_of(uint64_t p, gf64_multiples *m)
{
    m->of_nibble[0] = 0;
    m->of_nibble[1] = p;
    for (unsigned n = 2; n < 16; n += 2) {
        m->of_nibble[n] = gf64_mul_x(m->of_nibble[n / 2]);
        m->of_nibble[n + 1] = m->of_nibble[n] ^ p;
    }
}

/* MUL64(v, P, 0x1b) of Document 1, 4.3, Horner's rule over the nibbles of v, top first. */
static uint64_t gf64_mul(uint64_t v, const gf64_multiples *p)
{
    uint64_t acc = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        acc = (acc << 4) ^ NIBBLE_OVERFLOW[acc >> 60];
        acc ^= p->of_nibble[(v >> shift) & 0xf];
    }
    return acc;
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t load_be64(const uint8_t *p)
{
    return (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
}

/* Message block M_i: message bits 64i..64i+63 (bit 0 = MSB), zero past length_bits. */
static uint64_t message_block(const uint8_t *msg, size_t length_bits, size_t i)
{
    size_t first_bit = 64 * i;
    size_t bits_left = length_bits - first_bit;
    if (bits_left >= 64)
        return load_be64(msg + 8 * i);

    size_t n_bytes = (bits_left + 7) / 8;
    uint64_t block = 0;
    for (size_t b = 0; b < n_bytes; b++)
        block |= (uint64_t)msg[8 * i + b] << (56 - 8 * b);
    return block & ~(~UINT64_C(0) >> bits_left);
}

/* Key words as for f8: K3 = key bytes 0..3, ..., K0 = bytes 12..15; k[i] holds K_i. */
static void snow3g_key_words(const uint8_t key[16], uint32_t k[4])
{
    for (int i = 0; i < 4; i++)
        k[3 - i] = load_be32(key + 4 * i);
}

/* f9 IV (Document 1, 4.4): IV3 = COUNT, IV2 = FRESH, IV1 = COUNT ^ DIR<<31,
 * IV0 = FRESH ^ DIR<<15, with 128-EIA1's FRESH = BEARER || 0^27. */
static void eia1_iv_words(uint32_t count, unsigned bearer, unsigned dir, uint32_t iv[4])
{
    uint32_t fresh = (uint32_t)(bearer & 0x1f) << 27;
    uint32_t direction = dir & 1;
    iv[3] = count;
    iv[2] = fresh;
    iv[1] = count ^ direction << 31;
    iv[0] = fresh ^ direction << 15;
}

uint32_t eia1_mac(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                  const uint8_t *msg, size_t length_bits)
{
    uint32_t k[4], iv[4], z[5];
    snow3g_state st;
    gf64_multiples p, q;

    snow3g_key_words(key, k);
    eia1_iv_words(count, bearer, dir, iv);
    snow3g_init(&st, k, iv);
    snow3g_keystream(&st, z, 5);
    gf64_multiples_of((uint64_t)z[0] << 32 | z[1], &p);
    gf64_multiples_of((uint64_t)z[2] << 32 | z[3], &q);

    /* Document 1, 4.5: D = ceil(LENGTH/64) + 1 blocks, the last being LENGTH itself. */
    size_t n_message_blocks = (length_bits + 63) / 64;
    uint64_t eval = 0;
    for (size_t i = 0; i < n_message_blocks; i++)
        eval = gf64_mul(eval ^ message_block(msg, length_bits, i), &p);
    eval ^= (uint64_t)length_bits;
    eval = gf64_mul(eval, &q);
    return (uint32_t)(eval >> 32) ^ z[4];
}
