/* One-block AES-128 (FIPS 197) on a libgcrypt ECB handle. */
#include "aes_block.h"

int aes_block_open(gcry_cipher_hd_t *hd, const uint8_t key[16])
{
    *hd = NULL;
    if (gcry_cipher_open(hd, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0))
        return -1;
    if (gcry_cipher_setkey(*hd, key, 16)) {
        gcry_cipher_close(*hd);
        *hd = NULL;
        return -1;
    }
    return 0;
}

int aes_block_encrypt(gcry_cipher_hd_t hd, uint8_t block[16])
{
    return gcry_cipher_encrypt(hd, block, 16, NULL, 0) ? -1 : 0;
}
