/* 128-EEA3, ETSI/SAGE 128-EEA3 & 128-EIA3 Document 1 v1.7 section 3 (TS 33.401 Annex B.1.4). */
#include "eea3.h"

#include "zuc.h"

/* Keystream words produced per ZUC call: a stack buffer, no allocation per PDU. */
#define EEA3_CHUNK_WORDS 16
#define EEA3_CHUNK_BYTES (4 * EEA3_CHUNK_WORDS)

/* Section 3.3: COUNT || BEARER || DIRECTION || 0^26, twice. */
static void eea3_iv(uint8_t iv[16], uint32_t count, unsigned bearer, unsigned dir)
{
    iv[0] = (uint8_t)(count >> 24);
    iv[1] = (uint8_t)(count >> 16);
    iv[2] = (uint8_t)(count >> 8);
    iv[3] = (uint8_t)count;
    iv[4] = (uint8_t)((bearer & 0x1f) << 3 | (dir & 1) << 2);
    iv[5] = iv[6] = iv[7] = 0;
    for (unsigned i = 0; i < 8; i++)
        iv[8 + i] = iv[i];
}

/* Keystream bit z[0] is the MSB of the first word (section 3.4), so word w covers bytes
 * 4w..4w+3 most significant byte first. */
static void xor_keystream(uint8_t *data, const uint32_t *ks, size_t n_bytes)
{
    for (size_t i = 0; i < n_bytes; i++)
        data[i] ^= (uint8_t)(ks[i / 4] >> (24 - 8 * (i % 4)));
}

void eea3_crypt(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                uint8_t *data, size_t length_bits)
{
    uint8_t iv[16];
    uint32_t ks[EEA3_CHUNK_WORDS];
    zuc_state st;
    size_t n_bytes = length_bits / 8 + (length_bits % 8 != 0);

    eea3_iv(iv, count, bearer, dir);
    zuc_init(&st, key, iv);
    /* L = ceil(LENGTH / 32) words in all (section 3.4): ceil(chunk / 4) per chunk. */
    for (size_t pos = 0; pos < n_bytes; pos += EEA3_CHUNK_BYTES) {
        size_t chunk = n_bytes - pos < EEA3_CHUNK_BYTES ? n_bytes - pos : EEA3_CHUNK_BYTES;
        zuc_keystream(&st, ks, (chunk + 3) / 4);
        xor_keystream(data + pos, ks, chunk);
    }
    if (length_bits % 8)
        data[n_bytes - 1] &= (uint8_t)(0xff << (8 - length_bits % 8));
}
