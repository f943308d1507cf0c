/* The few LTE RRC messages (TS 36.331, UPER) the tracker reads itself, for when the carrier did
 * not dissect them. Plain C, bounds-checked. */
#ifndef KASME_RRC_MSG_H
#define KASME_RRC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A DL-DCCH-Message that is a SecurityModeCommand (r8): its algorithms. */
bool kasme_rrc_parse_smc(const uint8_t *msg, size_t len, uint8_t *eea, uint8_t *eia);

#endif
