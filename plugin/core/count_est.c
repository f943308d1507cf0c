#include "count_est.h"

size_t kasme_count_candidates(const kasme_count_rule *rule, bool seen, uint32_t last,
                              uint32_t sn, uint32_t out[3])
{
    uint32_t window = 1u << rule->sn_bits;
    uint32_t mask = rule->count_bits >= 32 ? 0xFFFFFFFFu : (1u << rule->count_bits) - 1;
    sn &= window - 1;
    if (!seen) {
        out[0] = sn;
        return 1;
    }
    uint32_t count = (last & ~(window - 1)) | sn;
    if (count < last || (rule->after_last && count == last))
        count += window;
    size_t n = 0;
    out[n++] = count & mask;
    out[n++] = (count + window) & mask;
    if (count >= window)
        out[n++] = (count - window) & mask;
    return n;
}

size_t kasme_count_window(const kasme_count_rule *rule, uint32_t sn, uint32_t n_wraps,
                          uint32_t *out, size_t max)
{
    uint32_t window = 1u << rule->sn_bits;
    uint64_t limit = rule->count_bits >= 32 ? (uint64_t)1 << 32 : (uint64_t)1 << rule->count_bits;
    size_t n = 0;
    for (uint64_t count = sn & (window - 1); n < max && n < n_wraps && count < limit;
         count += window)
        out[n++] = (uint32_t)count;
    return n;
}
