/* The COUNT a received sequence number stands for (TS 24.301 4.4.3.1 and TS 24.501 4.4.3.1
 * for NAS: overflow || SQN; TS 36.323 5.1 for PDCP: HFN || SN), estimated from the highest
 * COUNT seen so far in that direction. One estimator for NAS, the EPS Service Request's 5-bit
 * sequence number and PDCP. */
#ifndef KASME_COUNT_EST_H
#define KASME_COUNT_EST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned sn_bits;    /* bits of the sequence number on the wire: 8 (NAS), 5, 5..18 (PDCP) */
    unsigned count_bits; /* 24 for NAS (the spare high octet is 0), 32 for PDCP */
    bool after_last;     /* the PDU is new: its COUNT is above the last one, never equal */
} kasme_count_rule;

/* Candidates for sn, most likely first: the first COUNT with these low bits at or above the
 * last one (above it with after_last), then one wrap later, then one wrap earlier. Without a
 * COUNT seen yet, the SN itself. Returns how many (1 to 3). */
size_t kasme_count_candidates(const kasme_count_rule *rule, bool seen, uint32_t last,
                              uint32_t sn, uint32_t out[3]);

/* When the higher bits are unknown (a capture that starts mid-session: the overflow counter
 * of NAS, the HFN of PDCP): the COUNTs with these low bits for the first n_wraps values of
 * the higher bits, lowest first, at most max and never past count_bits. Returns how many. */
size_t kasme_count_window(const kasme_count_rule *rule, uint32_t sn, uint32_t n_wraps,
                          uint32_t *out, size_t max);

#endif
