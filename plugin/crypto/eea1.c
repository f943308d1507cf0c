/* 128-EEA1, 3GPP TS 33.401 Annex B.1.2 (UEA2 / f8 of ETSI/SAGE UEA2 & UIA2 Document 1, 5-bit BEARER). */
#include "eea1.h"

#include "snow3g.h"

/* Batch size matching snow3g_keystream's fast 16-clock path. */
#define KEYSTREAM_BATCH_WORDS 16

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* f8 key words: K3 = key bytes 0..3, ..., K0 = bytes 12..15; k[i] holds K_i. */
static void snow3g_key_words(const uint8_t key[16], uint32_t k[4])
{
    for (int i = 0; i < 4; i++)
        k[3 - i] = load_be32(key + 4 * i);
}

/* f8 IV (Document 1, 3.4): IV3 = IV1 = COUNT, IV2 = IV0 = BEARER || DIRECTION || 0^26. */
static void eea1_iv_words(uint32_t count, unsigned bearer, unsigned dir, uint32_t iv[4])
{
    uint32_t bearer_dir = (uint32_t)(bearer & 0x1f) << 27 | (uint32_t)(dir & 1) << 26;
    iv[3] = count;
    iv[2] = bearer_dir;
    iv[1] = count;
    iv[0] = bearer_dir;
}

/* XORs the keystream words onto data, big endian (z1's MSB is bit 0), stopping after n_bytes. */
static void xor_keystream(uint8_t *data, const uint32_t *z, size_t n_bytes)
{
    for (size_t i = 0; i < n_bytes; i++)
        data[i] ^= (uint8_t)(z[i / 4] >> (24 - 8 * (i % 4)));
}

void eea1_crypt(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                uint8_t *data, size_t length_bits)
{
    uint32_t k[4], iv[4], z[KEYSTREAM_BATCH_WORDS];
    const size_t batch_bytes = sizeof z;
    size_t n_bytes = (length_bits + 7) / 8;
    snow3g_state st;

    snow3g_key_words(key, k);
    eea1_iv_words(count, bearer, dir, iv);
    snow3g_init(&st, k, iv);

    for (size_t done = 0; done < n_bytes; done += batch_bytes) {
        size_t chunk = n_bytes - done < batch_bytes ? n_bytes - done : batch_bytes;
        snow3g_keystream(&st, z, (chunk + 3) / 4);
        xor_keystream(data + done, z, chunk);
    }
    /* f8 output is exactly length_bits bits; eea1.h promises zeroed bits after them. */
    if (length_bits % 8)
        data[n_bytes - 1] &= (uint8_t)(0xff << (8 - length_bits % 8));
}
