/* Key schedules of the security contexts in use, in a fixed-size direct-mapped cache. A
 * context's EEA/EIA schedules are set up when a PDU first needs them and stay until another
 * context takes the slot, so memory is bounded however many UEs a capture holds (a libgcrypt
 * AES handle is over a kilobyte) and a PDU costs one slot lookup, plus a re-key on a miss. */
#ifndef KASME_SCHEDCACHE_H
#define KASME_SCHEDCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "sec_alg.h"

typedef struct {
    uint64_t tag;   /* whose keys the slot holds; 0 = empty */
    bool ready;
    kasme_cipher enc;
    kasme_integrity integ;
} kasme_sched;

typedef struct kasme_sched_cache kasme_sched_cache;

/* 2^slots_log2 slots (at most 2^16). */
kasme_sched_cache *kasme_sched_cache_new(unsigned slots_log2);
void kasme_sched_cache_free(kasme_sched_cache *cache);

/* The schedules of (eea, k_enc) and (eia, k_int) for the owner named by tag (nonzero, e.g. a
 * context id): the slot's own when it already holds exactly these algorithms and keys, else
 * the slot is re-keyed. NULL if an algorithm is not available or libgcrypt fails. */
kasme_sched *kasme_sched_get(kasme_sched_cache *cache, uint64_t tag, uint8_t eea,
                             const uint8_t k_enc[16], uint8_t eia, const uint8_t k_int[16]);

typedef struct {
    uint64_t hits, misses;
} kasme_sched_stats;
void kasme_sched_get_stats(const kasme_sched_cache *cache, kasme_sched_stats *st);

#endif
