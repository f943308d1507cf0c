/* One-block AES-128 (FIPS 197) on a libgcrypt ECB handle, shared by MILENAGE and 128-EIA2. */
#ifndef KASME_AES_BLOCK_H
#define KASME_AES_BLOCK_H

#include <stdint.h>
#include <gcrypt.h>

/* Opens an AES-128 ECB handle keyed with key; 0 on success, *hd is NULL on failure. */
int aes_block_open(gcry_cipher_hd_t *hd, const uint8_t key[16]);
/* block = E_K(block); 0 on success. */
int aes_block_encrypt(gcry_cipher_hd_t hd, uint8_t block[16]);

#endif
