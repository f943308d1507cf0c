/* 128-EEA3 (TS 33.401 Annex B.1.4, ETSI/SAGE EEA3/EIA3 Document 1). */
#ifndef KASME_EEA3_H
#define KASME_EEA3_H

#include <stddef.h>
#include <stdint.h>

/* In place; bits past length_bits in the last byte are cleared. */
void eea3_crypt(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                uint8_t *data, size_t length_bits);

#endif
