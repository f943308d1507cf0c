#include "schedcache.h"

#include <glib.h>
#include <string.h>

#include "hexutil.h"

struct kasme_sched_cache {
    uint64_t mask;
    kasme_sched_stats stats;
    kasme_sched *slots;
};

kasme_sched_cache *kasme_sched_cache_new(unsigned slots_log2)
{
    if (slots_log2 > 16)
        slots_log2 = 16;
    kasme_sched_cache *cache = g_new0(kasme_sched_cache, 1);
    cache->mask = ((uint64_t)1 << slots_log2) - 1;
    cache->slots = g_new0(kasme_sched, cache->mask + 1);
    return cache;
}

void kasme_sched_cache_free(kasme_sched_cache *cache)
{
    if (!cache)
        return;
    for (uint64_t i = 0; i <= cache->mask; i++) {
        kasme_cipher_free(&cache->slots[i].enc);
        kasme_integrity_free(&cache->slots[i].integ);
    }
    kasme_secure_zero(cache->slots, (size_t)(cache->mask + 1) * sizeof *cache->slots);
    g_free(cache->slots);
    g_free(cache);
}

/* Fibonacci hashing spreads consecutive context ids over the slots. */
static kasme_sched *slot_of(kasme_sched_cache *cache, uint64_t tag)
{
    return &cache->slots[(tag * 0x9E3779B97F4A7C15ull >> 40) & cache->mask];
}

static bool holds(const kasme_sched *s, uint64_t tag, uint8_t eea, const uint8_t k_enc[16],
                  uint8_t eia, const uint8_t k_int[16])
{
    return s->ready && s->tag == tag && s->enc.alg == eea && s->integ.alg == eia &&
           memcmp(s->enc.key, k_enc, 16) == 0 && memcmp(s->integ.key, k_int, 16) == 0;
}

kasme_sched *kasme_sched_get(kasme_sched_cache *cache, uint64_t tag, uint8_t eea,
                             const uint8_t k_enc[16], uint8_t eia, const uint8_t k_int[16])
{
    kasme_sched *s = slot_of(cache, tag);
    if (holds(s, tag, eea, k_enc, eia, k_int)) {
        cache->stats.hits++;
        return s;
    }
    cache->stats.misses++;
    s->ready = false;
    s->tag = tag;
    if (kasme_cipher_rekey(&s->enc, eea, k_enc) != KASME_SEC_OK ||
        kasme_integrity_rekey(&s->integ, eia, k_int) != KASME_SEC_OK)
        return NULL;
    s->ready = true;
    return s;
}

void kasme_sched_get_stats(const kasme_sched_cache *cache, kasme_sched_stats *st)
{
    *st = cache->stats;
}
