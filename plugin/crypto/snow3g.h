/* SNOW 3G keystream generator (ETSI/SAGE UEA2 & UIA2 Document 2, SNOW 3G specification). */
#ifndef KASME_SNOW3G_H
#define KASME_SNOW3G_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s[16];      /* LFSR s0..s15 */
    uint32_t r1, r2, r3; /* FSM registers */
} snow3g_state;

/* Initialize(k, IV) in the specification's naming: k[0..3] = k0..k3, iv[0..3] = IV0..IV3. */
void snow3g_init(snow3g_state *st, const uint32_t k[4], const uint32_t iv[4]);
/* Next keystream word z_t (first call returns z1). */
uint32_t snow3g_next(snow3g_state *st);
void snow3g_keystream(snow3g_state *st, uint32_t *z, size_t n_words);

#endif
