/* 128-EEA1 (TS 33.401 Annex B.1.2): SNOW 3G f8 with a 5-bit BEARER. */
#ifndef KASME_EEA1_H
#define KASME_EEA1_H

#include <stddef.h>
#include <stdint.h>

/* Ciphers or deciphers length_bits bits of data in place. Bits past length_bits in the last
 * byte are cleared. bearer 0..31, dir 0 = uplink, 1 = downlink. */
void eea1_crypt(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                uint8_t *data, size_t length_bits);

#endif
