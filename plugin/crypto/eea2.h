/* 128-EEA2 (TS 33.401 Annex B.1.3): AES-128 in CTR mode (aes_block.h). */
#ifndef KASME_EEA2_H
#define KASME_EEA2_H

#include <stddef.h>
#include <stdint.h>
#include "aes_block.h"

/* The AES key schedule, set up once per key and reused for every PDU. */
typedef struct {
    aes_block_key aes;
} eea2_key;

int eea2_key_init(eea2_key *k, const uint8_t key[16]); /* 0 on success */
/* A new key on the handle k already has (no allocation); 0 on success. */
int eea2_key_rekey(eea2_key *k, const uint8_t key[16]);
void eea2_key_free(eea2_key *k);
/* In place; bits past length_bits in the last byte are cleared. 0 on success. */
int eea2_crypt(const eea2_key *k, uint32_t count, unsigned bearer, unsigned dir, uint8_t *data,
               size_t length_bits);

#endif
