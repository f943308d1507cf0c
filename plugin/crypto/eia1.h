/* 128-EIA1 (TS 33.401 Annex B.2.2): SNOW 3G f9 with FRESH = BEARER || 0^27. */
#ifndef KASME_EIA1_H
#define KASME_EIA1_H

#include <stddef.h>
#include <stdint.h>

/* 32-bit MAC over the first length_bits bits of msg (MSB first). */
uint32_t eia1_mac(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                  const uint8_t *msg, size_t length_bits);

#endif
