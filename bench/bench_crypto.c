/* bench_crypto: throughput of the EPS security algorithms through the per-key front
 * (sec_alg.h), raw SNOW 3G / ZUC keystream rates, libgcrypt AES-128-CTR as the reference,
 * and the per-message cost of deciphering + verifying a short NAS message.
 *
 *   bench_crypto [--seconds S] [--check] [--no-aesni]
 *
 * Every measurement runs for at least S seconds (default 0.3) and is repeated 3 times, as 3
 * interleaved passes over all rows; the best repetition is reported. MB = 10^6 octets. Exit
 * status is 0 even when a target is missed, unless --check is given (then 1 on a miss, 2 on
 * an error). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <gcrypt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aes_block.h"
#include "gcrypt_init.h"
#include "milenage.h"
#include "sec_alg.h"
#ifdef KASME_HAVE_SNOW3G_ZUC
#include "snow3g.h"
#include "zuc.h"
#endif

#ifndef KASME_BENCH_BUILD_TYPE
#define KASME_BENCH_BUILD_TYPE ""
#endif

#define REPS 3
#define KS_WORDS 4096
#define MAX_MSG 1500
#define NAS_LEN 40
#define BEARER 3
#define DIR 1

#define TARGET_KS_MBPS 500.0 /* SNOW 3G and ZUC keystream, 0.5 GB/s */
#define TARGET_NAS_US 2.0    /* decipher + verify of a 40-octet NAS message */
#define TARGET_AKA_TRY_US 1.0 /* one subscriber tried against AUTN: 100 000 in 0.1 s */

/* Everything a measured loop produces is folded in here, so none of it can be optimised away. */
static volatile uint32_t g_sink;

static const uint8_t KEY_C[16] = {0xd3, 0xc5, 0xd5, 0x92, 0x32, 0x7f, 0xb1, 0x1c,
                                  0x40, 0x35, 0xc6, 0x68, 0x0a, 0xf8, 0xc6, 0xd1};
static const uint8_t KEY_I[16] = {0x2b, 0xd6, 0x45, 0x9f, 0x82, 0xc5, 0xb3, 0x00,
                                  0x95, 0x2c, 0x49, 0x10, 0x48, 0x81, 0xff, 0x48};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the measured operations: run(ctx, n) does n operations ---- */

typedef struct {
    kasme_cipher c;
    uint8_t buf[MAX_MSG];
    size_t len;
    uint32_t count;
    int err;
} cipher_ctx;

static void run_cipher(void *p, uint64_t n)
{
    cipher_ctx *x = p;
    uint32_t acc = 0;
    int err = 0;
    for (uint64_t k = 0; k < n; k++) {
        err |= kasme_cipher_apply(&x->c, x->count++, BEARER, DIR, x->buf, x->len, x->len * 8);
        acc ^= x->buf[x->len - 1];
    }
    x->err |= err;
    g_sink ^= acc;
}

typedef struct {
    kasme_integrity i;
    uint8_t buf[MAX_MSG];
    size_t len;
    uint32_t count;
    int err;
} integrity_ctx;

static void run_integrity(void *p, uint64_t n)
{
    integrity_ctx *x = p;
    uint32_t acc = 0;
    int err = 0;
    for (uint64_t k = 0; k < n; k++) {
        uint32_t mac = 0;
        err |= kasme_integrity_mac(&x->i, x->count++, BEARER, DIR, x->buf, x->len, x->len * 8,
                                   &mac);
        acc ^= mac;
    }
    x->err |= err;
    g_sink ^= acc;
}

typedef struct {
    gcry_cipher_hd_t h;
    uint8_t buf[MAX_MSG];
    size_t len;
    uint32_t count;
    int err;
} aes_ctx;

static void run_aes_ctr(void *p, uint64_t n)
{
    aes_ctx *x = p;
    uint32_t acc = 0;
    int err = 0;
    for (uint64_t k = 0; k < n; k++) {
        /* The EEA2 counter block layout: COUNT || BEARER || DIRECTION || 0^26 || 0^64. */
        uint8_t ctr[16] = {0};
        uint32_t c = x->count++;
        ctr[0] = (uint8_t)(c >> 24);
        ctr[1] = (uint8_t)(c >> 16);
        ctr[2] = (uint8_t)(c >> 8);
        ctr[3] = (uint8_t)c;
        ctr[4] = (uint8_t)(BEARER << 3 | DIR << 2);
        err |= gcry_cipher_setctr(x->h, ctr, sizeof ctr) != 0;
        err |= gcry_cipher_encrypt(x->h, x->buf, x->len, NULL, 0) != 0;
        acc ^= x->buf[x->len - 1];
    }
    x->err |= err;
    g_sink ^= acc;
}

#ifdef KASME_HAVE_SNOW3G_ZUC
typedef struct {
    snow3g_state st;
    uint32_t z[KS_WORDS];
    int err;
} snow3g_ctx;

static void run_snow3g(void *p, uint64_t n)
{
    snow3g_ctx *x = p;
    uint32_t acc = 0;
    for (uint64_t k = 0; k < n; k++) {
        snow3g_keystream(&x->st, x->z, KS_WORDS);
        acc ^= x->z[0] ^ x->z[KS_WORDS - 1];
    }
    g_sink ^= acc;
}

typedef struct {
    zuc_state st;
    uint32_t z[KS_WORDS];
    int err;
} zuc_ctx;

static void run_zuc(void *p, uint64_t n)
{
    zuc_ctx *x = p;
    uint32_t acc = 0;
    for (uint64_t k = 0; k < n; k++) {
        zuc_keystream(&x->st, x->z, KS_WORDS);
        acc ^= x->z[0] ^ x->z[KS_WORDS - 1];
    }
    g_sink ^= acc;
}
#endif

/* A NAS message as a receiver handles it: verify the MAC, then decipher in place; the COUNT
 * (NAS COUNT) advances per message, the keys were set up once. */
typedef struct {
    kasme_cipher c;
    kasme_integrity i;
    uint8_t buf[NAS_LEN];
    uint32_t count;
    int err;
} nas_ctx;

static void run_nas(void *p, uint64_t n)
{
    nas_ctx *x = p;
    uint32_t acc = 0;
    int err = 0;
    for (uint64_t k = 0; k < n; k++) {
        uint32_t count = x->count++;
        uint32_t mac = 0;
        err |= kasme_integrity_mac(&x->i, count, 0, DIR, x->buf, NAS_LEN, NAS_LEN * 8, &mac);
        uint32_t ok = mac == ((uint32_t)x->buf[0] << 24 | (uint32_t)x->buf[1] << 16 |
                              (uint32_t)x->buf[2] << 8 | x->buf[3]);
        err |= kasme_cipher_apply(&x->c, count, 0, DIR, x->buf, NAS_LEN, NAS_LEN * 8);
        acc ^= mac ^ ok ^ x->buf[NAS_LEN - 1];
    }
    x->err |= err;
    g_sink ^= acc;
}

/* A schedule cache miss (schedcache.c): the NAS context's EEA2 and EIA2 schedules set up
 * again, with another context's keys each time. */
static void run_rekey(void *p, uint64_t n)
{
    nas_ctx *x = p;
    int err = 0;
    for (uint64_t k = 0; k < n; k++) {
        uint8_t key[16];
        memcpy(key, KEY_C, 16);
        key[0] ^= (uint8_t)k;
        err |= kasme_cipher_rekey(&x->c, 2, key) != KASME_SEC_OK;
        key[1] ^= 0x5a;
        err |= kasme_integrity_rekey(&x->i, 2, key) != KASME_SEC_OK;
    }
    x->err |= err;
    g_sink ^= x->i.cmac.k1[0];
}

/* One subscriber tried against an Authentication Request's AUTN, as the tracker does for a
 * UE it cannot name (a GUTI attach): MILENAGE AK (f5), SQN = AUTN xor AK, MAC-A (f1), compare.
 * The subscriber changes every time (a new K), as in the scan over the key file. */
typedef struct {
    uint8_t k[16], opc[16], rand[16], autn[16];
    uint32_t n;
    int err;
} aka_ctx;

static void run_aka_try(void *p, uint64_t n)
{
    aka_ctx *x = p;
    uint32_t acc = 0;
    int err = 0;
    for (uint64_t k = 0; k < n; k++) {
        uint8_t ak[6], sqn[6], mac_a[8];
        x->n++;
        memcpy(x->k, &x->n, sizeof x->n);
        err |= milenage_f2345(x->k, x->opc, x->rand, NULL, NULL, NULL, ak, NULL);
        for (int i = 0; i < 6; i++)
            sqn[i] = x->autn[i] ^ ak[i];
        err |= milenage_f1(x->k, x->opc, x->rand, sqn, x->autn + 6, mac_a, NULL);
        acc ^= (uint32_t)(memcmp(mac_a, x->autn + 8, 8) == 0) ^ mac_a[0];
    }
    x->err |= err;
    g_sink ^= acc;
}

/* ---- timing ---- */

/* Seconds per operation over one repetition: batches of operations, the batch growing until
 * one lasts >= 1 ms (so the clock reads cost nothing measurable), until min_s have elapsed. */
static double measure_once(void (*run)(void *, uint64_t), void *ctx, double min_s)
{
    uint64_t batch = 1, ops = 0;
    double t0 = now_s(), t = t0;
    do {
        double tb = now_s();
        run(ctx, batch);
        ops += batch;
        t = now_s();
        if (t - tb < 1e-3 && batch < (UINT64_C(1) << 40))
            batch *= 2;
    } while (t - t0 < min_s);
    return (t - t0) / (double)ops;
}

/* ---- the rows ---- */

enum target_kind { T_NONE, T_MIN_MBPS, T_MAX_US };

typedef struct {
    char name[24];
    const char *what;
    size_t bytes; /* octets per operation */
    enum target_kind tk;
    double target;
    void (*run)(void *, uint64_t);
    void *ctx;
    int *ctx_err;  /* the context's error flag, set by run() */
    bool skipped;  /* algorithm not in this build */
    bool error;    /* set-up or an operation failed */
    double best_s; /* best seconds per operation so far; < 0 before the first repetition */
} row;

#define MAX_ROWS 32
static row g_rows[MAX_ROWS];
static size_t g_nrows;

static row *add_row(const char *what, size_t bytes, enum target_kind tk, double target)
{
    if (g_nrows == MAX_ROWS) {
        fprintf(stderr, "bench_crypto: too many rows\n");
        exit(2);
    }
    row *r = &g_rows[g_nrows++];
    memset(r, 0, sizeof *r);
    r->what = what;
    r->bytes = bytes;
    r->tk = tk;
    r->target = target;
    r->best_s = -1;
    return r;
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
    for (size_t k = 0; k < n; k++)
        b[k] = (uint8_t)(seed + 37 * k);
}

/* Contexts live for the whole run: keys are set up once, before the first repetition. */
static aes_ctx g_aes;
static cipher_ctx g_cipher[2][4];
static integrity_ctx g_integ[2][4];
static nas_ctx g_nas[4];
static aka_ctx g_aka;
static nas_ctx g_rekey;
#ifdef KASME_HAVE_SNOW3G_ZUC
static snow3g_ctx g_snow3g;
static zuc_ctx g_zuc;
#endif
static const size_t SIZES[2] = {1500, 40};

static void setup_rows(void)
{
    row *r = add_row("libgcrypt AES-128-CTR (reference)", 1500, T_NONE, 0);
    snprintf(r->name, sizeof r->name, "aes128_ctr_1500");
    g_aes.len = 1500;
    fill(g_aes.buf, g_aes.len, 1);
    r->error = gcry_cipher_open(&g_aes.h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 0) != 0 ||
               gcry_cipher_setkey(g_aes.h, KEY_C, 16) != 0;
    r->run = run_aes_ctr;
    r->ctx = &g_aes;
    r->ctx_err = &g_aes.err;

    static const char *const cwhat[4] = {"", "128-EEA1 via kasme_cipher_apply",
                                         "128-EEA2 via kasme_cipher_apply",
                                         "128-EEA3 via kasme_cipher_apply"};
    for (unsigned s = 0; s < 2; s++)
        for (unsigned alg = 1; alg <= 3; alg++) {
            cipher_ctx *x = &g_cipher[s][alg];
            r = add_row(cwhat[alg], SIZES[s], T_NONE, 0);
            snprintf(r->name, sizeof r->name, "eea%u_%zu", alg, SIZES[s]);
            if (!kasme_alg_available(alg)) {
                r->skipped = true;
                continue;
            }
            x->len = SIZES[s];
            fill(x->buf, x->len, 2);
            r->error = kasme_cipher_init(&x->c, alg, KEY_C) != KASME_SEC_OK;
            r->run = run_cipher;
            r->ctx = x;
            r->ctx_err = &x->err;
        }

    static const char *const iwhat[4] = {"", "128-EIA1 via kasme_integrity_mac",
                                         "128-EIA2 via kasme_integrity_mac",
                                         "128-EIA3 via kasme_integrity_mac"};
    for (unsigned s = 0; s < 2; s++)
        for (unsigned alg = 1; alg <= 3; alg++) {
            integrity_ctx *x = &g_integ[s][alg];
            r = add_row(iwhat[alg], SIZES[s], T_NONE, 0);
            snprintf(r->name, sizeof r->name, "eia%u_%zu", alg, SIZES[s]);
            if (!kasme_alg_available(alg)) {
                r->skipped = true;
                continue;
            }
            x->len = SIZES[s];
            fill(x->buf, x->len, 3);
            r->error = kasme_integrity_init(&x->i, alg, KEY_I) != KASME_SEC_OK;
            r->run = run_integrity;
            r->ctx = x;
            r->ctx_err = &x->err;
        }

    r = add_row("snow3g_keystream, 4096 words/call", KS_WORDS * 4, T_MIN_MBPS, TARGET_KS_MBPS);
    snprintf(r->name, sizeof r->name, "snow3g_keystream");
#ifdef KASME_HAVE_SNOW3G_ZUC
    {
        const uint32_t k[4] = {0x2bd6459f, 0x82c5b300, 0x952c4910, 0x4881ff48};
        const uint32_t iv[4] = {0xea024714, 0xad5c4d84, 0xdf1f9b25, 0x1c0bf45f};
        snow3g_init(&g_snow3g.st, k, iv);
        r->run = run_snow3g;
        r->ctx = &g_snow3g;
        r->ctx_err = &g_snow3g.err;
    }
#else
    r->skipped = true;
#endif
    r = add_row("zuc_keystream, 4096 words/call", KS_WORDS * 4, T_MIN_MBPS, TARGET_KS_MBPS);
    snprintf(r->name, sizeof r->name, "zuc_keystream");
#ifdef KASME_HAVE_SNOW3G_ZUC
    {
        const uint8_t iv[16] = {0x84, 0x31, 0x9a, 0xa8, 0xde, 0x69, 0x15, 0xca,
                                0x1f, 0x6b, 0xda, 0x6b, 0xfb, 0xd8, 0xc7, 0x66};
        zuc_init(&g_zuc.st, KEY_C, iv);
        r->run = run_zuc;
        r->ctx = &g_zuc;
        r->ctx_err = &g_zuc.err;
    }
#else
    r->skipped = true;
#endif

    static const char *const nwhat[4] = {"", "40-oct NAS: EIA1 verify + EEA1",
                                         "40-oct NAS: EIA2 verify + EEA2",
                                         "40-oct NAS: EIA3 verify + EEA3"};
    for (unsigned alg = 1; alg <= 3; alg++) {
        nas_ctx *x = &g_nas[alg];
        r = add_row(nwhat[alg], NAS_LEN, T_MAX_US, TARGET_NAS_US);
        snprintf(r->name, sizeof r->name, "nas40_eea%u_eia%u", alg, alg);
        if (!kasme_alg_available(alg)) {
            r->skipped = true;
            continue;
        }
        fill(x->buf, NAS_LEN, 4);
        r->error = kasme_cipher_init(&x->c, alg, KEY_C) != KASME_SEC_OK;
        r->error |= kasme_integrity_init(&x->i, alg, KEY_I) != KASME_SEC_OK;
        r->run = run_nas;
        r->ctx = x;
        r->ctx_err = &x->err;
    }

    r = add_row("EEA2 + EIA2 re-key (cache miss)", 16, T_NONE, 0);
    snprintf(r->name, sizeof r->name, "rekey_eea2_eia2");
    r->error = kasme_cipher_init(&g_rekey.c, 2, KEY_C) != KASME_SEC_OK ||
               kasme_integrity_init(&g_rekey.i, 2, KEY_I) != KASME_SEC_OK;
    r->run = run_rekey;
    r->ctx = &g_rekey;
    r->ctx_err = &g_rekey.err;

    r = add_row("AKA: one subscriber tried (MILENAGE)", 16, T_MAX_US, TARGET_AKA_TRY_US);
    snprintf(r->name, sizeof r->name, "aka_try_milenage");
    fill(g_aka.opc, 16, 5);
    fill(g_aka.rand, 16, 6);
    fill(g_aka.autn, 16, 7);
    r->run = run_aka_try;
    r->ctx = &g_aka;
    r->ctx_err = &g_aka.err;
}

static void teardown_rows(void)
{
    if (g_aes.h)
        gcry_cipher_close(g_aes.h);
    for (unsigned s = 0; s < 2; s++)
        for (unsigned alg = 1; alg <= 3; alg++) {
            kasme_cipher_free(&g_cipher[s][alg].c);
            kasme_integrity_free(&g_integ[s][alg].i);
        }
    for (unsigned alg = 1; alg <= 3; alg++) {
        kasme_cipher_free(&g_nas[alg].c);
        kasme_integrity_free(&g_nas[alg].i);
    }
    kasme_cipher_free(&g_rekey.c);
    kasme_integrity_free(&g_rekey.i);
}

/* ---- main ---- */

static void cpu_model(char *out, size_t n)
{
    snprintf(out, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *v = strchr(line, ':');
            if (v) {
                v++;
                while (*v == ' ' || *v == '\t')
                    v++;
                v[strcspn(v, "\n")] = 0;
                snprintf(out, n, "%s", v);
            }
            break;
        }
    }
    fclose(f);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_crypto [--seconds S] [--check] [--no-aesni]\n"
               "  --seconds S  minimum time per measurement (default 0.3); every row is measured\n"
               "               in %d interleaved passes and the best pass is reported\n"
               "  --check      exit 1 if a target is missed (default: always exit 0)\n"
               "  --no-aesni   AES (EEA2, EIA2, MILENAGE) through libgcrypt handles, as on a\n"
               "               CPU without AES-NI (aes_block.h)\n",
            REPS);
}

static const char *status_of(const row *r)
{
    if (r->skipped)
        return "SKIP";
    if (r->error)
        return "ERROR";
    if (r->tk == T_MIN_MBPS)
        return (double)r->bytes / r->best_s / 1e6 >= r->target ? "PASS" : "MISS";
    if (r->tk == T_MAX_US)
        return r->best_s * 1e6 <= r->target ? "PASS" : "MISS";
    return "";
}

int main(int argc, char **argv)
{
    double secs = 0.3;
    bool check = false;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc) {
            char *end;
            errno = 0;
            secs = strtod(argv[++a], &end);
            if (errno || *end || !(secs > 0) || secs > 3600) {
                fprintf(stderr, "bench_crypto: bad --seconds value '%s'\n", argv[a]);
                return 2;
            }
        } else if (strcmp(argv[a], "--check") == 0) {
            check = true;
        } else if (strcmp(argv[a], "--no-aesni") == 0) {
            aes_block_allow_ni(false);
        } else if (strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (kasme_gcrypt_init() != 0) {
        fprintf(stderr, "bench_crypto: libgcrypt initialisation failed\n");
        return 2;
    }

    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    printf("kasme bench_crypto: %.2f s minimum per measurement, best of %d interleaved passes; "
           "MB = 10^6 octets\n",
           secs, REPS);
    printf("cpu: %s, libgcrypt %s, kasme_core build type: %s\n", cpu, gcry_check_version(NULL),
           KASME_BENCH_BUILD_TYPE[0] ? KASME_BENCH_BUILD_TYPE : "(none)");
    printf("AES (EEA2, EIA2, MILENAGE): %s\n",
           aes_block_uses_ni() ? "AES-NI (aes_block.c)" : "libgcrypt handles");
#ifndef KASME_HAVE_SNOW3G_ZUC
    printf("note: built without SNOW 3G/ZUC (KASME_WITH_SNOW3G_ZUC=OFF): EEA1/EIA1/EEA3/EIA3 "
           "rows skipped\n");
#endif
#ifdef KASME_BENCH_SANITIZE
    printf("warning: built with KASME_SANITIZE=ON: figures are not representative\n");
#endif
    if (strcmp(KASME_BENCH_BUILD_TYPE, "Debug") == 0)
        printf("warning: kasme_core built as Debug (-O0): figures are not representative\n");
    fflush(stdout);

    setup_rows();
    /* Passes outermost: a burst of load from elsewhere spoils one pass of a few rows rather
     * than all repetitions of one row. */
    for (int pass = 0; pass < REPS; pass++) {
        fprintf(stderr, "bench_crypto: pass %d/%d\n", pass + 1, REPS);
        for (size_t k = 0; k < g_nrows; k++) {
            row *r = &g_rows[k];
            if (r->skipped || r->error)
                continue;
            double t = measure_once(r->run, r->ctx, secs);
            if (*r->ctx_err)
                r->error = true;
            else if (r->best_s < 0 || t < r->best_s)
                r->best_s = t;
        }
    }
    teardown_rows();

    const row *ref = &g_rows[0]; /* aes128_ctr_1500 */
    double aes_mbps = ref->error ? -1 : (double)ref->bytes / ref->best_s / 1e6;

    printf("\n%-18s %-34s %6s %10s %9s %8s  %-12s %s\n", "row", "what", "octets", "MB/s",
           "us/op", "x AES", "target", "result");
    printf("%-18s %-34s %6s %10s %9s %8s  %-12s %s\n", "---", "----", "------", "----", "-----",
           "-----", "------", "------");
    for (size_t k = 0; k < g_nrows; k++) {
        const row *r = &g_rows[k];
        char mb[32] = "-", us[32] = "-", ratio[32] = "-", tgt[32] = "";
        if (!r->skipped && !r->error) {
            double mbps = (double)r->bytes / r->best_s / 1e6;
            snprintf(mb, sizeof mb, "%.1f", mbps);
            snprintf(us, sizeof us, "%.3f", r->best_s * 1e6);
            if (aes_mbps > 0)
                snprintf(ratio, sizeof ratio, "%.2f", mbps / aes_mbps);
        }
        if (r->tk == T_MIN_MBPS)
            snprintf(tgt, sizeof tgt, ">= %.0f MB/s", r->target);
        else if (r->tk == T_MAX_US)
            snprintf(tgt, sizeof tgt, "<= %.2f us", r->target);
        printf("%-18s %-34s %6zu %10s %9s %8s  %-12s %s\n", r->name, r->what, r->bytes, mb, us,
               ratio, tgt, r->skipped ? "SKIP (compiled out)" : status_of(r));
    }

    unsigned misses = 0, errors = 0;
    printf("\n");
    for (size_t k = 0; k < g_nrows; k++) {
        const row *r = &g_rows[k];
        const char *st = status_of(r);
        if (r->skipped || r->error) {
            printf("BENCH name=%s status=%s\n", r->name, st);
            errors += r->error;
            continue;
        }
        double mbps = (double)r->bytes / r->best_s / 1e6;
        printf("BENCH name=%s octets=%zu mbps=%.2f us=%.4f", r->name, r->bytes, mbps,
               r->best_s * 1e6);
        if (aes_mbps > 0)
            printf(" ratio_aes=%.3f", mbps / aes_mbps);
        if (r->tk == T_MIN_MBPS)
            printf(" target_mbps_min=%.0f", r->target);
        else if (r->tk == T_MAX_US)
            printf(" target_us_max=%.2f", r->target);
        if (r->tk != T_NONE) {
            printf(" status=%s", st);
            misses += strcmp(st, "MISS") == 0;
        }
        printf("\n");
    }
    printf("BENCH summary misses=%u errors=%u sink=%08x\n", misses, errors, (unsigned)g_sink);
    if (errors)
        fprintf(stderr, "bench_crypto: %u row(s) failed\n", errors);
    if (check && errors)
        return 2;
    if (check && misses)
        return 1;
    return 0;
}
