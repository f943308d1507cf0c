/* 128-EEA2 (TS 33.401 Annex B.1.3): AES-128 in CTR mode (NIST SP 800-38A). */
#include "eea2.h"

int eea2_key_init(eea2_key *k, const uint8_t key[16])
{
    k->ctr = NULL;
    if (gcry_cipher_open(&k->ctr, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 0))
        return -1;
    if (gcry_cipher_setkey(k->ctr, key, 16)) {
        eea2_key_free(k);
        return -1;
    }
    return 0;
}

int eea2_key_rekey(eea2_key *k, const uint8_t key[16])
{
    if (!k->ctr)
        return eea2_key_init(k, key);
    return gcry_cipher_setkey(k->ctr, key, 16) ? -1 : 0;
}

void eea2_key_free(eea2_key *k)
{
    if (k->ctr)
        gcry_cipher_close(k->ctr);
    k->ctr = NULL;
}

/* B.1.3: T1 = COUNT[0..31] || BEARER[0..4] || DIRECTION || 0^26 || 0^64. */
static void eea2_counter_block(uint32_t count, unsigned bearer, unsigned dir, uint8_t t1[16])
{
    for (int i = 0; i < 16; i++)
        t1[i] = 0;
    t1[0] = (uint8_t)(count >> 24);
    t1[1] = (uint8_t)(count >> 16);
    t1[2] = (uint8_t)(count >> 8);
    t1[3] = (uint8_t)count;
    t1[4] = (uint8_t)(bearer << 3 | dir << 2);
}

/* The key struct is const because the key schedule is, but gcry_cipher_setctr and the
 * encryption advance the counter held in the handle: one eea2_key must not be used by two
 * threads at once. Each call sets its own T1, so no state carries over between PDUs. */
int eea2_crypt(const eea2_key *k, uint32_t count, unsigned bearer, unsigned dir, uint8_t *data,
               size_t length_bits)
{
    if (bearer > 31 || dir > 1)
        return -1;
    size_t n_octets = (length_bits + 7) / 8;
    if (n_octets == 0)
        return 0;
    uint8_t t1[16];
    eea2_counter_block(count, bearer, dir, t1);
    if (gcry_cipher_setctr(k->ctr, t1, sizeof t1))
        return -1;
    /* libgcrypt increments the whole 128-bit block big endian, as B.1.3 requires. */
    if (gcry_cipher_encrypt(k->ctr, data, n_octets, NULL, 0))
        return -1;
    if (length_bits % 8)
        data[n_octets - 1] &= (uint8_t)(0xff << (8 - length_bits % 8));
    return 0;
}
