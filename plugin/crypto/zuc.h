/* ZUC keystream generator (ETSI/SAGE 128-EEA3 & 128-EIA3 Document 2, ZUC v1.6). */
#ifndef KASME_ZUC_H
#define KASME_ZUC_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s[16]; /* 31-bit LFSR cells */
    uint32_t r1, r2;
} zuc_state;

/* key = k0..k15, iv = iv0..iv15 as in the ZUC specification. */
void zuc_init(zuc_state *st, const uint8_t key[16], const uint8_t iv[16]);
uint32_t zuc_next(zuc_state *st);
void zuc_keystream(zuc_state *st, uint32_t *z, size_t n_words);

#endif
