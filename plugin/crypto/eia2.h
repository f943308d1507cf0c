/* 128-EIA2 (TS 33.401 Annex B.2.3): AES-CMAC (NIST SP 800-38B) over the bit string
 * COUNT || BEARER || DIRECTION || 0^26 || MESSAGE. The CMAC is computed on AES blocks directly
 * so that message lengths that are not a multiple of 8 bits are padded at the right bit. */
#ifndef KASME_EIA2_H
#define KASME_EIA2_H

#include <stddef.h>
#include <stdint.h>
#include "aes_block.h"

/* AES key schedule and the CMAC subkeys K1, K2, set up once per key. */
typedef struct {
    aes_block_key aes;
    uint8_t k1[16], k2[16];
} eia2_key;

int eia2_key_init(eia2_key *k, const uint8_t key[16]); /* 0 on success */
/* A new key on the handle k already has (no allocation); 0 on success. */
int eia2_key_rekey(eia2_key *k, const uint8_t key[16]);
void eia2_key_free(eia2_key *k);
/* 0 on success, the MAC (first 32 bits of the CMAC tag, big endian) in *mac. */
int eia2_mac(const eia2_key *k, uint32_t count, unsigned bearer, unsigned dir,
             const uint8_t *msg, size_t length_bits, uint32_t *mac);

#endif
