/* 128-EIA3 (TS 33.401 Annex B.2.4, ETSI/SAGE EEA3/EIA3 Document 1). */
#ifndef KASME_EIA3_H
#define KASME_EIA3_H

#include <stddef.h>
#include <stdint.h>

uint32_t eia3_mac(const uint8_t key[16], uint32_t count, unsigned bearer, unsigned dir,
                  const uint8_t *msg, size_t length_bits);

#endif
