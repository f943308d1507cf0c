/* The COUNT estimator (plugin/core/count_est.c) that NAS (TS 24.301 / TS 24.501 4.4.3.1: 24-bit
 * COUNT = overflow || 8-bit SQN), the EPS Service Request (5 bits) and PDCP (TS 36.323 5.1:
 * HFN || SN) share. Expected values are worked out by hand from the clauses' rules. */
#include <stdio.h>

#include "check.h"
#include "count_est.h"

static void expect(const char *what, const kasme_count_rule *rule, bool seen, uint32_t last,
                   uint32_t sn, size_t n_want, uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t out[3] = {0, 0, 0}, want[3] = {a, b, c};
    size_t n = kasme_count_candidates(rule, seen, last, sn, out);
    bool ok = n == n_want;
    for (size_t i = 0; ok && i < n; i++)
        ok = out[i] == want[i];
    check(ok, "%s: got %zu candidates %06x %06x %06x", what, n, out[0], out[1], out[2]);
}

/* The window of a capture that starts mid-session: the low bits fixed, the higher ones 0, 1, ... */
static void expect_window(const char *what, const kasme_count_rule *rule, uint32_t sn,
                          uint32_t n_wraps, size_t max, size_t n_want, const uint32_t *want)
{
    uint32_t out[8] = {0};
    size_t n = kasme_count_window(rule, sn, n_wraps, out, max);
    bool ok = n == n_want;
    for (size_t i = 0; ok && i < n; i++)
        ok = out[i] == want[i];
    check(ok, "%s: got %zu COUNTs, first %06x, last %06x", what, n, out[0], n ? out[n - 1] : 0);
}

int main(void)
{
    const kasme_count_rule nas = {8, 24, false}, sr = {5, 24, true}, pdcp12 = {12, 32, false};
    expect("NAS, nothing seen: the SQN", &nas, false, 0, 7, 1, 7, 0, 0);
    expect("NAS, next in the window", &nas, true, 0x105, 0x06, 3, 0x106, 0x206, 0x006);
    expect("NAS, the SQN repeats the last (a replay is still found)", &nas, true, 0x105, 0x05, 3,
           0x105, 0x205, 0x005);
    expect("NAS, SQN wraps 0xff -> 0x00: overflow + 1", &nas, true, 0x0FF, 0x00, 3, 0x100, 0x200,
           0x000);
    expect("NAS, 24-bit COUNT wraps to 0", &nas, true, 0xFFFFFF, 0x00, 3, 0x000000, 0x000100,
           0xFFFF00);
    expect("Service Request, 5 bits: equal means the next wrap", &sr, true, 0x25, 0x05, 3, 0x45,
           0x65, 0x25);
    expect("Service Request, above the last", &sr, true, 0x25, 0x06, 3, 0x26, 0x46, 0x06);
    expect("PDCP 12-bit SN, HFN + 1 after a wrap", &pdcp12, true, 0x0FFE, 0x001, 3, 0x1001,
           0x2001, 0x0001);
    expect("PDCP, SN bits above sn_bits ignored", &pdcp12, false, 0, 0x1003, 1, 0x003, 0, 0);
    expect_window("NAS window: SQN 0x07 under overflows 0..3", &nas, 0x07, 4, 8, 4,
                  (const uint32_t[]){0x007, 0x107, 0x207, 0x307});
    expect_window("NAS window cut at max", &nas, 0x1FF, 16, 2, 2, (const uint32_t[]){0xFF, 0x1FF});
    const kasme_count_rule tiny = {4, 6, false}; /* 6-bit COUNT: 4 wraps of a 4-bit SN */
    expect_window("window stops at the COUNT's width", &tiny, 3, 8, 8, 4,
                  (const uint32_t[]){3, 19, 35, 51});
    return check_report("unit_count_est");
}
