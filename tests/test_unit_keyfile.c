/* Key-file parser and subscriber database: every kind of line, the srsEPC CSV, every error
 * class, secrecy of error messages, hostile bytes, and 100000 subscribers.
 *
 * Expected values are written here (hex strings decoded by check.c's own decoder), never
 * computed by the code under test. The inputs live in tests/data/keyfile/, found relative to
 * this source file so the test needs no CMake variable. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "check.h"
#include "gcrypt_init.h"
#include "keyfile.h"
#include "pemkey.h"
#include "subdb.h"

static void check_hex(const uint8_t *got, const char *want_hex, const char *what)
{
    uint8_t want[64];
    size_t n = check_unhex(want_hex, want, sizeof want);
    check(memcmp(got, want, n) == 0, "%s: bytes differ from %s", what, want_hex);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* ---- error collection ---- */

/* Every report as "file:line: reason". */
static void collect_error(void *user, const char *file, unsigned line, const char *reason)
{
    g_ptr_array_add((GPtrArray *)user, g_strdup_printf("%s:%u: %s", file, line, reason));
}

static GPtrArray *new_log(void)
{
    return g_ptr_array_new_with_free_func(g_free);
}

/* The report for file:line, or NULL. */
static const char *log_find(GPtrArray *log, const char *file, unsigned line)
{
    char *prefix = g_strdup_printf("%s:%u: ", file, line);
    const char *found = NULL;
    for (guint i = 0; i < log->len && !found; i++)
        if (g_str_has_prefix(g_ptr_array_index(log, i), prefix))
            found = g_ptr_array_index(log, i);
    g_free(prefix);
    return found;
}

static void check_reported(GPtrArray *log, const char *file, unsigned line, const char *want)
{
    const char *got = log_find(log, file, line);
    check(got && strstr(got, want), "%s:%u: want a report containing \"%s\", got \"%s\"", file,
          line, want, got ? got : "(none)");
}

/* A key would show up as a run of hex: 8+ hex characters with a letter, or 16+ digits (an
 * IMSI has at most 15). */
static bool has_hex_run(const char *s)
{
    size_t run = 0;
    bool letter = false;
    for (;; s++) {
        if (g_ascii_isxdigit(*s)) {
            run++;
            letter |= g_ascii_isalpha(*s);
            continue;
        }
        if ((run >= 8 && letter) || run >= 16)
            return true;
        if (!*s)
            return false;
        run = 0;
        letter = false;
    }
}

static void check_no_hex_in_log(GPtrArray *log, const char *what)
{
    const char *leak = NULL;
    for (guint i = 0; i < log->len && !leak; i++)
        if (has_hex_run(g_ptr_array_index(log, i)))
            leak = g_ptr_array_index(log, i);
    check(!leak, "%s: a report shows hex: %s", what, leak ? leak : "");
}

/* No 8-character piece of secret appears in any report. */
static void check_secret_absent(GPtrArray *log, const char *secret)
{
    size_t len = strlen(secret);
    for (size_t at = 0; at + 8 <= len; at++) {
        char window[9];
        memcpy(window, secret + at, 8);
        window[8] = '\0';
        for (guint i = 0; i < log->len; i++) {
            char *lower = g_ascii_strdown(g_ptr_array_index(log, i), -1);
            char *win_lower = g_ascii_strdown(window, -1);
            bool leaked = strstr(lower, win_lower) != NULL;
            g_free(lower);
            g_free(win_lower);
            if (leaked) {
                check(false, "report leaks secret piece %s: %s", window,
                      (const char *)g_ptr_array_index(log, i));
                return;
            }
        }
    }
    check(true, "secret absent");
}

/* ---- paths ---- */

/* A path relative to the directory of this source file. */
static char *source_relative(const char *relative)
{
    const char *src = __FILE__;
    const char *end = src + strlen(src);
    while (end > src && end[-1] != '/' && end[-1] != '\\')
        end--;
    char *dir = end > src ? g_strndup(src, (gsize)(end - src)) : g_strdup("./");
    char *path = g_strconcat(dir, relative, NULL);
    g_free(dir);
    return path;
}

static char *data_path(const char *file)
{
    char *relative = g_strconcat("data/keyfile/", file, NULL);
    char *path = source_relative(relative);
    g_free(relative);
    return path;
}

static int load_data_file(const char *file, kasme_subdb *db, GPtrArray *log)
{
    char *path = data_path(file);
    int added = kasme_keyfile_load(path, db, collect_error, log);
    g_free(path);
    return added;
}

/* ---- good.keys: one line of every kind ---- */

static void check_good_secrets(const kasme_subdb *db)
{
    static const uint8_t srsran_k[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                         0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    static const uint8_t srsran_opc[16] = {0x63, 0xbf, 0xa5, 0x0e, 0xe6, 0x52, 0x33, 0x65,
                                           0xff, 0x14, 0xc1, 0xf4, 0x5f, 0x88, 0x73, 0x7d};
    const kasme_subscriber *e = kasme_subdb_by_imsi(db, "001010123456780");
    check(e != NULL, "good: srsRAN subscriber found");
    if (e) {
        check(e->alg == KASME_AUTH_MILENAGE && e->id_kind == KASME_ID_IMSI, "good:4 alg/id");
        check(memcmp(e->k, srsran_k, 16) == 0, "good:4 K");
        check(memcmp(e->opc, srsran_opc, 16) == 0, "good:4 OPc");
        check(e->has_amf && e->amf[0] == 0x80 && e->amf[1] == 0x00, "good:4 AMF 8000");
        check(strcmp(e->name, "ue1") == 0, "good:4 name '%s'", e->name);
        check(strcmp(e->source, "good.keys") == 0 && e->line == 4, "good:4 origin %s:%u",
              e->source, e->line);
        check(!e->has_kasme && !e->has_kenb && e->ksi == -1, "good:4 no direct keys");
    }
    /* MILENAGE test set 1 (TS 35.207 4.3): OPc computed from OP at load. */
    e = kasme_subdb_by_imsi(db, "001010000000001");
    check(e != NULL, "good: test set 1 subscriber found");
    if (e) {
        check_hex(e->k, "465b5ce8b199b49faa5f0a2ee238a6bc", "good:5 K (upper-case hex)");
        check_hex(e->opc, "cd63cb71954a9f4e48a5994e37a02baf", "good:5 OPc from OP");
        check(e->alg == KASME_AUTH_MILENAGE && !e->has_amf && !e->name[0], "good:5 fields");
    }
    e = kasme_subdb_by_imsi(db, "001010000000002");
    check(e != NULL, "good: xor subscriber found");
    if (e) {
        check(e->alg == KASME_AUTH_XOR, "good:6 alg xor");
        check_hex(e->k, "000102030405060708090a0b0c0d0e0f", "good:6 K");
        check(all_zero(e->opc, 16), "good:6 no OPc for xor");
        check(e->has_amf && e->amf[0] == 0 && e->amf[1] == 0, "good:6 AMF 0000");
    }
}

static void check_good_kasme(const kasme_subdb *db)
{
    const kasme_subscriber *e = kasme_subdb_kasme_by_imsi(db, "001010123456780");
    check(e && e->has_kasme && e->alg == KASME_AUTH_NONE, "good:7 kasme by imsi");
    if (e) {
        check_hex(e->kasme, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                  "good:7 K_ASME");
        check(e->ksi == 2, "good:7 ksi %d", e->ksi);
        check(strcmp(e->name, "attach#1") == 0, "good:7 '#' inside a value kept: '%s'", e->name);
        check(e->line == 7 && kasme_subdb_next_match(db, e) == NULL, "good:7 single match");
    }
    e = kasme_subdb_kasme_by_tmsi(db, 0xc0ffee01);
    check(e && e->id_kind == KASME_ID_TMSI && !e->has_guti && e->ksi == -1, "good:8 by tmsi");
    if (e)
        check_hex(e->kasme, "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f",
                  "good:8 K_ASME");
    e = kasme_subdb_kasme_by_tmsi(db, 0xdeadbeef);
    check(e && e->has_guti && e->ksi == 0, "good:9 by guti m-tmsi");
    if (e) {
        check(strcmp(e->guti_mcc, "001") == 0 && strcmp(e->guti_mnc, "01") == 0, "good:9 plmn");
        check(e->guti_mmegi == 0x8001 && e->guti_mmec == 0x1a, "good:9 mmegi/mmec");
        check_hex(e->kasme, "335a7f5adac2c13349a0a730ee03ef2aed7aeeddea1488138775e1e7143b2962",
                  "good:9 K_ASME");
    }
    e = kasme_subdb_kasme_any(db);
    check(e && e->id_kind == KASME_ID_ANY && e->line == 10, "good:10 kasme any");
    if (e)
        check_hex(e->kasme, "11c061f25b34d5efc778e29097682f303393d8bcee29811e7d9333e5ea94431e",
                  "good:10 K_ASME");
    check(e && kasme_subdb_next_match(db, e) == NULL, "good:10 one 'any'");
}

static void check_good_kenb(const kasme_subdb *db)
{
    const kasme_subscriber *e = kasme_subdb_kenb_by_rnti(db, 70);
    check(e && e->has_kenb && !e->has_krrcenc && e->rnti == 70, "good:11 kenb by rnti");
    if (e)
        check_hex(e->kenb, "1a89833e76140c36ab790f6d5c8fd05f993c63d6b9a4decc1f3901bed04be950",
                  "good:11 K_eNB");
    e = kasme_subdb_kenb_by_rnti(db, 65535);
    check(e && !e->has_kenb && e->has_krrcenc && e->has_krrcint && !e->has_kupenc,
          "good:12 AS-key subset");
    if (e) {
        check_hex(e->krrcenc, "e57b1f5e103e042b11fc0ee461d49f2f", "good:12 K_RRCenc");
        check_hex(e->krrcint, "03d5f2a624ccd504ac25bd8e48e4933b", "good:12 K_RRCint");
        check(strcmp(e->name, "cell-A") == 0, "good:12 name");
    }
    e = kasme_subdb_kenb_by_imsi(db, "001010123456780");
    check(e && e->has_kenb && e->line == 13, "good:13 kenb by imsi");
    if (e)
        check_hex(e->kenb, "6d67be21aaa226d386b32dd99f7c664040cfef336c9bd711ca220fb50bcceee7",
                  "good:13 K_eNB");
    e = kasme_subdb_kenb_any(db);
    check(e && e->has_kupenc && !e->has_kenb && e->id_kind == KASME_ID_ANY, "good:14 any");
    if (e)
        check_hex(e->kupenc, "89ee4c5d69a955c1949216ec8897da9a", "good:14 K_UPenc");
}

static void check_good_misses_and_order(const kasme_subdb *db)
{
    check(kasme_subdb_by_imsi(db, "001010123456789") == NULL, "good: unknown imsi");
    check(kasme_subdb_by_imsi(db, NULL) == NULL, "good: NULL imsi");
    check(kasme_subdb_kasme_by_tmsi(db, 1) == NULL, "good: unknown tmsi");
    check(kasme_subdb_kenb_by_rnti(db, 71) == NULL, "good: unknown rnti");
    check(kasme_subdb_kasme_by_imsi(db, "001010000000001") == NULL, "good: secret != kasme");
    check(kasme_subdb_count(db) == 11 && kasme_subdb_secret_count(db) == 3, "good: counts");
    const kasme_subscriber *s0 = kasme_subdb_secret_at(db, 0), *s2 = kasme_subdb_secret_at(db, 2);
    check(s0 && s0->line == 4 && s2 && s2->line == 6, "good: secret order");
    check(kasme_subdb_secret_at(db, 3) == NULL && kasme_subdb_at(db, 11) == NULL, "good: bounds");
    const kasme_subscriber *last = kasme_subdb_at(db, 10);
    check(last && last->line == 14, "good: at(10) is line 14");

    char label[128];
    kasme_subscriber_describe(kasme_subdb_by_imsi(db, "001010123456780"), label, sizeof label);
    check(strcmp(label, "ue1 (good.keys:4)") == 0, "describe named: '%s'", label);
    kasme_subscriber_describe(kasme_subdb_kasme_by_tmsi(db, 0xc0ffee01), label, sizeof label);
    check(strcmp(label, "tmsi 0xc0ffee01 (good.keys:8)") == 0, "describe tmsi: '%s'", label);
}

static void test_good_file(void)
{
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int added = load_data_file("good.keys", db, log);
    check(added == 11, "good.keys: %d entries added, want 11", added);
    check(log->len == 0, "good.keys: %u errors, want 0 (first: %s)", log->len,
          log->len ? (const char *)g_ptr_array_index(log, 0) : "");
    check_good_secrets(db);
    check_good_kasme(db);
    check_good_kenb(db);
    check_good_misses_and_order(db);

    /* The same IMSI from another file: rejected, pointing at the first file. */
    added = load_data_file("user_db.csv", db, log);
    check(added == 3, "user_db.csv after good.keys: %d added, want 3", added);
    check_reported(log, "user_db.csv", 4, "duplicate imsi 001010123456780, first at good.keys:4");
    check(kasme_subdb_by_imsi(db, "001010123456780")->line == 4, "duplicate: first kept");
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
}

/* ---- srsEPC user_db.csv ---- */

static void test_srsepc_file(void)
{
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int added = load_data_file("user_db.csv", db, log);
    check(added == 4, "user_db.csv: %d added, want 4", added);
    check(log->len == 1, "user_db.csv: %u errors, want 1", log->len);
    check_reported(log, "user_db.csv", 6, "field 4 (key): expected 32 hex digits, got 31");
    check_no_hex_in_log(log, "user_db.csv");

    const kasme_subscriber *e = kasme_subdb_by_imsi(db, "001010123456780");
    check(e && e->alg == KASME_AUTH_MILENAGE && strcmp(e->name, "ue1") == 0, "csv ue1");
    if (e) {
        check_hex(e->k, "00112233445566778899aabbccddeeff", "csv ue1 K");
        check_hex(e->opc, "63bfa50ee6523365ff14c1f45f88737d", "csv ue1 OPc");
        check(e->has_amf && e->amf[0] == 0x80 && e->amf[1] == 0, "csv ue1 AMF");
        check(e->line == 4, "csv ue1 line %u (CRLF file)", e->line);
    }
    e = kasme_subdb_by_imsi(db, "001010123456789");
    check(e && e->alg == KASME_AUTH_XOR && all_zero(e->opc, 16), "csv ue2 xor ignores opc");
    if (e)
        check_hex(e->k, "00112233445566778899aabbccddeeff", "csv ue2 K");
    e = kasme_subdb_by_imsi(db, "001010000000003");
    check(e != NULL, "csv ue3 (op)");
    if (e) {
        check_hex(e->opc, "cd63cb71954a9f4e48a5994e37a02baf", "csv ue3 OPc from OP");
        check(e->amf[0] == 0xb9 && e->amf[1] == 0xb9, "csv ue3 AMF");
    }
    check(kasme_subdb_by_imsi(db, "001010000000004") == NULL, "csv ue4 (bad key) not loaded");
    e = kasme_subdb_by_imsi(db, "001010000000005");
    check(e && e->amf[0] == 0x90 && e->amf[1] == 0x01, "csv ue5: 7 fields, upper-case MIL/OPC");
    if (e)
        check_hex(e->opc, "0ccecd9b17089694c3bf2435a9e6ec3b", "csv ue5 OPc");
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);

    /* The brief's line, through the one-line API. */
    kasme_subscriber one;
    char why[200];
    int r = kasme_keyfile_parse_line("ue1,mil,001010123456780,00112233445566778899aabbccddeeff,"
                                     "opc,63bfa50ee6523365ff14c1f45f88737d,8000,000000001234,7,"
                                     "172.16.0.2", &one, why, sizeof why);
    check(r == 1 && strcmp(one.imsi, "001010123456780") == 0, "csv parse_line: %d %s", r, why);
    check_hex(one.opc, "63bfa50ee6523365ff14c1f45f88737d", "csv parse_line OPc");
}

/* ---- errors.keys: every error class between good lines ---- */

static const struct {
    unsigned line;
    const char *want;
} expected_errors[] = {
    {3, "k: non-hex character at position 32"},
    {4, "k: expected 32 hex digits, got 31"},
    {5, "unknown key 'kk'"},
    {6, "kasme= needs an identity"},
    {7, "two identities (imsi and tmsi)"},
    {8, "alg=xor takes no op= or opc="},
    {9, "duplicate imsi 001010000000010, first at line 2"},
    {11, "k: empty value"},
    {12, "milenage subscriber needs op= or opc="},
    {13, "k: no 0x prefix"},
    {14, "give op= or opc=, not both"},
    {15, "unknown key at column 22"},
    {16, "unexpected word at column 22"},
    {17, "k= and kasme= cannot share a line"},
    {18, "ksi: expected 0..6"},
    {19, "kasme= cannot be keyed by rnti="},
    {20, "kenb= cannot be keyed by tmsi=/guti="},
    {21, "rnti: expected a decimal number 1..65535"},
    {22, "guti: expected mcc-mnc-mmegi-mmec-mtmsi"},
    {23, "guti mnc: expected 2 or 3 digits"},
    {24, "imsi: expected 6 to 15 digits, got 5"},
    {25, "k: given twice"},
    {26, "no key on the line"},
    {27, "ksi= needs kasme="},
    {28, "name: longer than 31 octets (got 36)"},
    {29, "any: takes no value"},
    {30, "alg: expected milenage or xor"},
    {31, "neither key=value nor an srsEPC user_db.csv line"},
    {32, "subscriber needs imsi="},
    {33, "subscriber needs k="},
    {34, "'=' without a key at column 22"},
};

static const char *const error_file_secrets[] = {
    "1920c6bb5933bd1fdad3cde83a45710c", "33c47c59e48928ca08f3db97fbe63c47",
    "4390e24c5833972deb3ce1d5cf9b0415", "0ccecd9b17089694c3bf2435a9e6ec3b",
    "42b81199ea1b332c5cf3c387bdd7ba84b84c4ac83998af9d7a1274909125f5cf",
};

static void test_errors_file(void)
{
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int added = load_data_file("errors.keys", db, log);
    size_t n_expected = sizeof expected_errors / sizeof expected_errors[0];
    check(added == 3, "errors.keys: %d added, want 3 (lines 2, 10, 35)", added);
    check(log->len == n_expected, "errors.keys: %u reports, want %zu", log->len, n_expected);
    for (size_t i = 0; i < n_expected; i++)
        check_reported(log, "errors.keys", expected_errors[i].line, expected_errors[i].want);

    const kasme_subscriber *e = kasme_subdb_by_imsi(db, "001010000000010");
    check(e && e->line == 2, "errors.keys: line 2 loaded and kept over line 9");
    if (e)
        check_hex(e->k, "1920c6bb5933bd1fdad3cde83a45710c", "errors.keys: line 2 K");
    e = kasme_subdb_kasme_by_tmsi(db, 0x0badcafe);
    check(e && e->line == 10 && strcmp(e->name, "good-10") == 0, "errors.keys: line 10");
    e = kasme_subdb_kenb_by_rnti(db, 1234);
    check(e && e->line == 35, "errors.keys: line 35 (after all the errors)");
    check(kasme_subdb_by_imsi(db, "001010000000011") == NULL, "errors.keys: line 3 not loaded");

    check_no_hex_in_log(log, "errors.keys");
    for (size_t i = 0; i < G_N_ELEMENTS(error_file_secrets); i++)
        check_secret_absent(log, error_file_secrets[i]);
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
}

/* ---- hostile bytes and line limits, through a buffer ---- */

#define GOOD_TAIL " k=1920c6bb5933bd1fdad3cde83a45710c opc=33c47c59e48928ca08f3db97fbe63c47"

static GString *hostile_buffer(void)
{
    GString *b = g_string_new("\xEF\xBB\xBF"); /* byte-order mark */
    g_string_append(b, "imsi=001010000000030" GOOD_TAIL "\n");                 /* 1 */
    g_string_append(b, "name=x ");                                              /* 2 */
    for (int i = 0; i < 5000; i++)
        g_string_append_c(b, 'a');
    g_string_append(b, " imsi=001010000000031" GOOD_TAIL "\n"); /* must not load */
    g_string_append(b, "imsi=001010000000032" GOOD_TAIL "\n");                  /* 3 */
    g_string_append(b, "imsi=001010000000033 k=1920c6bb5933bd1fdad3cde83a45710c"); /* 4 */
    g_string_append_len(b, "\0", 1);
    g_string_append(b, " opc=33c47c59e48928ca08f3db97fbe63c47\n");
    g_string_append(b, "imsi=001010000000036\x01" GOOD_TAIL "\n");              /* 5 */
    g_string_append(b, "imsi=001010000000037" GOOD_TAIL " name=\xff\xfe\n");    /* 6 */
    g_string_append(b, "imsi=001010000000034" GOOD_TAIL " name=caf\xc3\xa9\r\n"); /* 7 */
    g_string_append(b, "imsi=001010000000038" GOOD_TAIL "\r\r\n");              /* 8 */
    g_string_append(b, "imsi=001010000000035" GOOD_TAIL);                       /* 9, no \n */
    return b;
}

static void test_hostile_buffer(void)
{
    GString *b = hostile_buffer();
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int added = kasme_keyfile_load_buffer("/some/dir/hostile.keys", b->str, b->len, db,
                                          collect_error, log);
    check(added == 4, "hostile: %d added, want 4", added);
    check(log->len == 5, "hostile: %u reports, want 5", log->len);
    check_reported(log, "hostile.keys", 2, "line longer than 4096 octets");
    check_reported(log, "hostile.keys", 4, "non-text byte at column 56");
    check_reported(log, "hostile.keys", 5, "non-text byte at column 21");
    check_reported(log, "hostile.keys", 6, "non-text byte at column 99");
    check_reported(log, "hostile.keys", 8, "non-text byte at column 93");
    check(kasme_subdb_by_imsi(db, "001010000000030") != NULL, "hostile: line 1 after BOM");
    check(kasme_subdb_by_imsi(db, "001010000000031") == NULL, "hostile: overlong tail skipped");
    check(kasme_subdb_by_imsi(db, "001010000000032") != NULL, "hostile: line 3");
    const kasme_subscriber *e = kasme_subdb_by_imsi(db, "001010000000034");
    check(e && strcmp(e->name, "caf\xc3\xa9") == 0 && e->line == 7, "hostile: UTF-8 name, CRLF");
    e = kasme_subdb_by_imsi(db, "001010000000035");
    check(e && e->line == 9, "hostile: last line without newline");
    check_no_hex_in_log(log, "hostile");
    check_secret_absent(log, "1920c6bb5933bd1fdad3cde83a45710c");
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
    g_string_free(b, TRUE);
}

/* 4096 octets load, 4097 do not (padding with blanks keeps the line valid). */
static void test_line_limit(void)
{
    kasme_subscriber e;
    char why[200];
    GString *line = g_string_new("imsi=001010000000040" GOOD_TAIL);
    while (line->len < KASME_KEYFILE_MAX_LINE)
        g_string_append_c(line, ' ');
    check(kasme_keyfile_parse_line(line->str, &e, why, sizeof why) == 1, "4096 octets: %s", why);
    g_string_append_c(line, ' ');
    check(kasme_keyfile_parse_line(line->str, &e, why, sizeof why) == -1 &&
          strstr(why, "longer than 4096") != NULL, "4097 octets: '%s'", why);
    g_string_free(line, TRUE);
}

/* ---- the one-line API ---- */

static void test_parse_line(void)
{
    kasme_subscriber e;
    char why[200], tiny[8];
    check(kasme_keyfile_parse_line("", &e, why, sizeof why) == 0, "empty line");
    check(kasme_keyfile_parse_line(" \t ", &e, why, sizeof why) == 0, "blank line");
    check(kasme_keyfile_parse_line("  # k=00", &e, why, sizeof why) == 0, "comment line");
    const char *kasme_any = "kasme=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1"
                            "e1f any#no space needed before a comment";
    check(kasme_keyfile_parse_line(kasme_any, &e, why, sizeof why) == 1 &&
          e.id_kind == KASME_ID_ANY, "comment right after 'any': %s", why);
    check(kasme_keyfile_parse_line("kenb=000102030405060708090a0b0c0d0e0f101112131415161718191a1"
                                   "b1c1d1e1f rnti=00070 # trailing\r\n", &e, why, sizeof why) == 1
          && e.rnti == 70, "rnti with leading zeros, CRLF: %s", why);
    /* A failed line leaves no key behind in *out. */
    int r = kasme_keyfile_parse_line("imsi=001010000000041 k=1920c6bb5933bd1fdad3cde83a45710c "
                                     "opc=33c4", &e, why, sizeof why);
    check(r == -1 && all_zero(e.k, 16), "failed line wipes *out");
    check(strcmp(why, "opc: expected 32 hex digits, got 4") == 0, "why: '%s'", why);
    /* A short or absent why buffer is fine. */
    r = kasme_keyfile_parse_line("imsi=1", &e, tiny, sizeof tiny);
    check(r == -1 && strlen(tiny) == sizeof tiny - 1, "tiny why buffer truncated");
    check(kasme_keyfile_parse_line("imsi=1", &e, NULL, 0) == -1, "NULL why");
    check(kasme_keyfile_parse_line(NULL, &e, why, sizeof why) == -1, "NULL line");
}

/* ---- the database API directly (the GUI adds entries this way) ---- */

static kasme_subscriber direct_kasme(kasme_id_kind kind, const char *imsi, uint8_t tag)
{
    kasme_subscriber e;
    memset(&e, 0, sizeof e);
    e.id_kind = kind;
    g_strlcpy(e.imsi, imsi, sizeof e.imsi);
    e.has_kasme = true;
    e.ksi = -1;
    e.kasme[0] = tag;
    return e;
}

static void test_subdb_api(void)
{
    kasme_subdb *db = kasme_subdb_new();
    char why[200];
    kasme_subscriber a = direct_kasme(KASME_ID_IMSI, "001010000000050", 1);
    kasme_subscriber b = direct_kasme(KASME_ID_IMSI, "001010000000050", 2);
    kasme_subscriber c = direct_kasme(KASME_ID_IMSI, "001010000000050", 3);
    check(kasme_subdb_add(db, &a, why, sizeof why) == 0 && kasme_subdb_add(db, &b, why,
          sizeof why) == 0 && kasme_subdb_add(db, &c, why, sizeof why) == 0, "3 kasme, one imsi");
    for (int i = 0; i < 5; i++) {
        kasme_subscriber any = direct_kasme(KASME_ID_ANY, "", (uint8_t)(10 + i));
        kasme_subdb_add(db, &any, why, sizeof why);
    }
    const kasme_subscriber *e = kasme_subdb_kasme_by_imsi(db, "001010000000050");
    int tags[3] = {0};
    for (int i = 0; i < 3 && e; i++, e = kasme_subdb_next_match(db, e))
        tags[i] = e->kasme[0];
    check(tags[0] == 1 && tags[1] == 2 && tags[2] == 3 && e == NULL, "chain in load order");
    int n_any = 0, order_ok = 1;
    for (e = kasme_subdb_kasme_any(db); e; e = kasme_subdb_next_match(db, e))
        order_ok &= e->kasme[0] == 10 + n_any++;
    check(n_any == 5 && order_ok, "any chain: %d entries", n_any);

    kasme_subscriber bad = a;
    bad.alg = KASME_AUTH_MILENAGE;
    check(kasme_subdb_add(db, &bad, why, sizeof why) == -1, "K and K_ASME in one entry refused");
    bad = a;
    bad.has_kasme = false;
    check(kasme_subdb_add(db, &bad, why, sizeof why) == -1, "entry without key refused");
    bad = a;
    memset(bad.imsi, '1', sizeof bad.imsi); /* no NUL */
    check(kasme_subdb_add(db, &bad, why, sizeof why) == -1, "unterminated imsi refused");
    bad = a;
    bad.id_kind = KASME_ID_RNTI;
    check(kasme_subdb_add(db, &bad, why, sizeof why) == -1, "kasme by rnti refused");
    check(kasme_subdb_next_match(db, &a) == NULL, "next_match of a foreign pointer");
    check(kasme_subdb_count(db) == 8, "8 entries after the refusals");
    kasme_subdb_free(db);
    kasme_subdb_free(NULL);
}

/* ---- the documented example must stay valid ---- */

static void test_example_file(void)
{
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    char *path = source_relative("../keyfiles/example.keys");
    int added = kasme_keyfile_load(path, db, collect_error, log);
    g_free(path);
    check(added == 17 && log->len == 0, "keyfiles/example.keys: %d added, %u errors (first: %s)",
          added, log->len, log->len ? (const char *)g_ptr_array_index(log, 0) : "");
    const kasme_subscriber *e = kasme_subdb_by_imsi(db, "001010000000001");
    check(e != NULL, "example: test set 1 entry");
    if (e)
        check_hex(e->opc, "cd63cb71954a9f4e48a5994e37a02baf", "example: OPc from OP");
    e = kasme_subdb_hnet_by_id(db, 2);
    check(e && e->hnet_profile == ECIES_PROFILE_B, "example: hnet key 2 read from its PEM");
    if (e)
        check_hex(e->hnet_key, "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda",
                  "example: hnet key 2 (TS 33.501 C.4.4)");
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
}

/* ---- unreadable files ---- */

static void test_unreadable(void)
{
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int r = kasme_keyfile_load("/nonexistent-dir/missing.keys", db, collect_error, log);
    check(r == -1, "missing file: -1");
    check_reported(log, "missing.keys", 0, "cannot read");
    char *dir = data_path("");
    r = kasme_keyfile_load(dir, db, collect_error, log);
    g_free(dir);
    check(r == -1 && log->len == 2, "directory: -1");
    check(log->len == 2 && strstr(g_ptr_array_index(log, 1), ":0: cannot read: not a regular"),
          "directory report");
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
}

/* ---- fuzzing: mutated good lines must not crash nor leak ---- */

static const char *const fuzz_seeds[] = {
    "imsi=001010123456780 k=00112233445566778899aabbccddeeff opc=63bfa50ee6523365ff14c1f45f88737d "
    "amf=8000 name=ue1",
    "kasme=335a7f5adac2c13349a0a730ee03ef2aed7aeeddea1488138775e1e7143b2962 "
    "guti=001-01-8001-1a-deadbeef ksi=0",
    "krrcenc=e57b1f5e103e042b11fc0ee461d49f2f krrcint=03d5f2a624ccd504ac25bd8e48e4933b rnti=65535",
    "ue1,mil,001010123456780,00112233445566778899aabbccddeeff,op,63bfa50ee6523365ff14c1f45f88737d,"
    "8000,000000001234,7,dynamic",
};

static void mutate(GString *s, GRand *rng)
{
    static const char alphabet[] = "0123456789abcdefgxyz=#,- \t\n\r\0\x01\x7f\xc3\xff";
    int edits = g_rand_int_range(rng, 1, 6);
    for (int i = 0; i < edits && s->len; i++) {
        gsize at = (gsize)g_rand_int_range(rng, 0, (gint32)s->len);
        char c = alphabet[g_rand_int_range(rng, 0, (gint32)sizeof alphabet - 1)];
        switch (g_rand_int_range(rng, 0, 3)) {
        case 0: s->str[at] = c; break;
        case 1: g_string_insert_c(s, (gssize)at, c); break;
        default: g_string_erase(s, (gssize)at, 1); break;
        }
    }
}

static void test_fuzz(void)
{
    GRand *rng = g_rand_new_with_seed(20240601);
    GPtrArray *log = new_log();
    kasme_subdb *db = kasme_subdb_new();
    GString *buf = g_string_new(NULL);
    for (int round = 0; round < 20000; round++) {
        g_string_truncate(buf, 0);
        int lines = g_rand_int_range(rng, 1, 4);
        for (int i = 0; i < lines; i++) {
            g_string_append(buf, fuzz_seeds[g_rand_int_range(rng, 0, G_N_ELEMENTS(fuzz_seeds))]);
            g_string_append_c(buf, '\n');
        }
        mutate(buf, rng);
        kasme_keyfile_load_buffer("fuzz", buf->str, buf->len, db, collect_error, log);
        if (round % 1000 == 999) {
            kasme_subdb_free(db);
            db = kasme_subdb_new();
            check_no_hex_in_log(log, "fuzz");
            g_ptr_array_set_size(log, 0);
        }
    }
    kasme_subdb_free(db);
    g_string_free(buf, TRUE);
    g_ptr_array_free(log, TRUE);
    g_rand_free(rng);
    check(true, "fuzz: 20000 mutated buffers without a crash");
}

/* ---- scale: 100000 subscribers ---- */

#define N_SCALE 100000

static void test_scale(void)
{
    GString *text = g_string_sized_new((gsize)N_SCALE * 120);
    for (unsigned i = 0; i < N_SCALE; i++)
        g_string_append_printf(text, "imsi=00101%010u k=000102030405060708090a0b%08x "
                               "opc=63bfa50ee6523365ff14c1f45f88737d name=sub%u\n", i, i, i);
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    gint64 t0 = g_get_monotonic_time();
    int added = kasme_keyfile_load_buffer("scale.keys", text->str, text->len, db, collect_error,
                                          log);
    gint64 t1 = g_get_monotonic_time();
    check(added == N_SCALE && log->len == 0, "scale: %d added, %u errors", added, log->len);

    unsigned found = 0, right = 0;
    for (unsigned i = 0; i < N_SCALE; i++) {
        char imsi[16];
        snprintf(imsi, sizeof imsi, "00101%010u", i);
        const kasme_subscriber *e = kasme_subdb_by_imsi(db, imsi);
        found += e != NULL;
        right += e && e->k[11] == 0x0b && e->k[12] == (uint8_t)(i >> 24) &&
                 e->k[13] == (uint8_t)(i >> 16) && e->k[14] == (uint8_t)(i >> 8) &&
                 e->k[15] == (uint8_t)i && e->line == i + 1;
    }
    gint64 t2 = g_get_monotonic_time();
    check(found == N_SCALE && right == N_SCALE, "scale: %u found, %u right", found, right);
    printf("keyfile: %d subscribers loaded in %.1f ms, %d looked up by IMSI in %.1f ms "
           "(%zu octets per entry)\n", N_SCALE, (double)(t1 - t0) / 1000.0, N_SCALE,
           (double)(t2 - t1) / 1000.0, sizeof(kasme_subscriber));
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
    g_string_free(text, TRUE);
}

/* The GUI's key table arrives one row at a time: must stay linear, not copy per row. */
#define N_ROWS 20000

/* Entries of every size interleaved (the database stores each kind only up to the end of its
 * own keys): each key's last octets read back, and chains of repeated identities walk across
 * entries of other sizes. 4 lines a round, past the first arena and the K/OPc-sized reserve. */
#define N_MIXED 300
static void test_mixed_kinds(void)
{
    GString *text = g_string_new(NULL);
    for (unsigned i = 0; i < N_MIXED; i++) {
        unsigned tag = i & 0xff;
        g_string_append_printf(text, "imsi=00101%010u k=000102030405060708090a0b0c0d0e%02x "
                               "opc=63bfa50ee6523365ff14c1f45f8873%02x amf=80%02x\n", i, tag, tag,
                               tag);
        g_string_append_printf(text, "kenb=000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
                               "1c1d1e%02x krrcenc=e57b1f5e103e042b11fc0ee461d49f%02x krrcint=03d5f2"
                               "a624ccd504ac25bd8e48e493%02x kupenc=00112233445566778899aabbccddee%02x"
                               " rnti=%u\n", tag, tag, tag, tag, 1 + i % 7);
        g_string_append_printf(text, "kasme=000102030405060708090a0b0c0d0e0f101112131415161718191"
                               "a1b1c1d1e%02x tmsi=%08x\n", tag, i % 5);
        g_string_append_printf(text, "kamf=000102030405060708090a0b0c0d0e0f1011121314151617181"
                               "91a1b1c1d1e%02x supi=imsi-00102%010u\n", tag, i);
    }
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int added = kasme_keyfile_load_buffer("mixed.keys", text->str, text->len, db, collect_error,
                                          log);
    check(added == 4 * N_MIXED && log->len == 0, "mixed: %d added, %u errors (%s)", added,
          log->len, log->len ? (const char *)log->pdata[0] : "");
    unsigned right = 0;
    for (unsigned i = 0; i < N_MIXED; i++) {
        uint8_t tag = (uint8_t)i;
        char imsi[16];
        snprintf(imsi, sizeof imsi, "00101%010u", i);
        const kasme_subscriber *e = kasme_subdb_by_imsi(db, imsi);
        right += e && e->k[15] == tag && e->opc[15] == tag && e->amf[1] == tag &&
                 e->line == 4 * i + 1;
        snprintf(imsi, sizeof imsi, "00102%010u", i);
        e = kasme_subdb_kamf_by_imsi(db, imsi);
        right += e && e->kamf[31] == tag && e->kamf[0] == 0 && e->line == 4 * i + 4;
    }
    check(right == 2 * N_MIXED, "mixed: %u of %u secret and K_AMF entries right", right,
          2 * N_MIXED);
    /* rnti 1 + i % 7 and tmsi i % 5: each chain holds every 7th (5th) round, in load order. */
    unsigned kenb_right = 0, kenb_seen = 0, kasme_right = 0, kasme_seen = 0;
    for (unsigned r = 0; r < 7; r++)
        for (const kasme_subscriber *e = kasme_subdb_kenb_by_rnti(db, (uint16_t)(1 + r)); e;
             e = kasme_subdb_next_match(db, e)) {
            kenb_seen++;
            unsigned round = (e->line - 2) / 4;
            kenb_right += round % 7 == r && e->kenb[31] == (uint8_t)round &&
                          e->krrcenc[15] == (uint8_t)round && e->krrcint[15] == (uint8_t)round &&
                          e->kupenc[15] == (uint8_t)round && e->kupenc[0] == 0;
        }
    for (unsigned t = 0; t < 5; t++) {
        unsigned last_line = 0;
        for (const kasme_subscriber *e = kasme_subdb_kasme_by_tmsi(db, t); e;
             e = kasme_subdb_next_match(db, e)) {
            unsigned round = (e->line - 3) / 4;
            kasme_seen++;
            kasme_right += round % 5 == t && e->kasme[31] == (uint8_t)round &&
                           e->line > last_line;
            last_line = e->line;
        }
    }
    check(kenb_seen == N_MIXED && kenb_right == N_MIXED, "mixed: K_eNB chains %u of %u right",
          kenb_right, kenb_seen);
    check(kasme_seen == N_MIXED && kasme_right == N_MIXED, "mixed: K_ASME chains %u of %u right",
          kasme_right, kasme_seen);
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
    g_string_free(text, TRUE);
}

static void test_rows_one_by_one(void)
{
    kasme_subdb *db = kasme_subdb_new();
    gint64 t0 = g_get_monotonic_time();
    int added = 0;
    for (unsigned i = 0; i < N_ROWS; i++) {
        char row[128];
        int n = snprintf(row, sizeof row, "kasme=000102030405060708090a0b0c0d0e0f101112131415161"
                         "718191a1b%08x tmsi=%08x", i, i);
        added += kasme_keyfile_load_buffer("uat", row, (size_t)n, db, NULL, NULL);
    }
    gint64 t1 = g_get_monotonic_time();
    const kasme_subscriber *e = kasme_subdb_kasme_by_tmsi(db, 12345);
    check(added == N_ROWS && e && e->kasme[31] == (12345 & 0xff) && e->kasme[30] == 12345 >> 8,
          "rows: %d added one by one", added);
    printf("keyfile: %d rows added one at a time in %.1f ms\n", N_ROWS,
           (double)(t1 - t0) / 1000.0);
    kasme_subdb_free(db);
}


/* ---- 5G: supi=, kamf=, hnet lines (good5g.keys, errors5g.keys) ---- */

static void check_good5g_kamf(const kasme_subdb *db)
{
    const kasme_subscriber *e = kasme_subdb_by_imsi(db, "001010123456780");
    check(e && e->line == 2 && e->alg == KASME_AUTH_MILENAGE, "good5g: supi=imsi- subscriber");
    e = kasme_subdb_kamf_by_imsi(db, "001010123456780");
    check(e && e->line == 3 && e->ksi == 1 && e->has_kamf, "good5g: K_AMF by SUPI, ngKSI 1");
    if (e)
        check_hex(e->kamf, "8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af58490eab07aa437a4",
                  "good5g: line 3 K_AMF");
    e = e ? kasme_subdb_next_match(db, e) : NULL;
    check(e && e->line == 7, "good5g: imsi= on a kamf line is the same SUPI (line 7 next)");
    /* A 5G-TMSI and an M-TMSI of the same value are different identities. */
    e = kasme_subdb_kamf_by_tmsi(db, 0xc0ffee01);
    check(e && e->line == 4 && e->has_kamf, "good5g: K_AMF by 5G-TMSI");
    e = kasme_subdb_kasme_by_tmsi(db, 0xc0ffee01);
    check(e && e->line == 8 && e->has_kasme, "good5g: the M-TMSI finds the K_ASME line only");
    check(kasme_subdb_kasme_by_imsi(db, "001010123456780") == NULL,
          "good5g: a K_AMF SUPI is not a K_ASME IMSI");
    e = kasme_subdb_kamf_by_tmsi(db, 0x12345678);
    check(e && e->line == 5 && e->has_guti && e->guti_5g && strcmp(e->guti_mcc, "901") == 0 &&
              strcmp(e->guti_mnc, "70") == 0 && e->guti_amf_region == 0xca &&
              e->guti_amf_set == 0x3fe && e->guti_amf_pointer == 0x3d,
          "good5g: 5G-GUTI parts");
    e = kasme_subdb_kamf_any(db);
    check(e && e->line == 6 && !kasme_subdb_next_match(db, e), "good5g: kamf any");
    char label[128];
    if ((e = kasme_subdb_kamf_by_tmsi(db, 0xc0ffee01))) {
        kasme_subscriber_describe(e, label, sizeof label);
        check(strcmp(label, "5g-tmsi 0xc0ffee01 (good5g.keys:4)") == 0, "label '%s'", label);
    }
}

/* Expected private keys: the TS 33.501 C.4.3/C.4.4 keys, and for the files generated with
 * openssl (tests/data/keyfile/hnet/README.md) what `openssl pkey -text` printed. */
static const struct {
    unsigned line, id;
    ecies_profile profile;
    const char *key;
} good5g_hnet[] = {
    {9, 1, ECIES_PROFILE_A, "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d"},
    {10, 2, ECIES_PROFILE_B, "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda"},
    {11, 3, ECIES_PROFILE_A, "d0a86c31e2ccc3ace022f5e1fc92b408fabe31c9306895b0eb9fcb89e1c1dc6b"},
    {12, 4, ECIES_PROFILE_B, "02e78feafd41762d76448d105616f624a8737e194ad5c3a2e4bf76a84db0de84"},
    {13, 5, ECIES_PROFILE_B, "35cf0a8bfb035eaa3463427046bdd85b796f649bf020acfc75c2059e4b2c816a"},
    {14, 6, ECIES_PROFILE_B, "02e78feafd41762d76448d105616f624a8737e194ad5c3a2e4bf76a84db0de84"},
    {15, 7, ECIES_PROFILE_A, "d0a86c31e2ccc3ace022f5e1fc92b408fabe31c9306895b0eb9fcb89e1c1dc6b"},
    {16, 8, ECIES_PROFILE_B, "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda"},
    {17, 1, ECIES_PROFILE_A, "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d"},
    {18, 255, ECIES_PROFILE_B, "c4517d60a1cff34d25d490d007eb0e677d6b917e124e7e2703619d80c71b7c0a"},
};

static void check_good5g_hnet(const kasme_subdb *db)
{
    for (size_t i = 0; i < G_N_ELEMENTS(good5g_hnet); i++) {
        const kasme_subscriber *e = kasme_subdb_hnet_by_id(db, (uint8_t)good5g_hnet[i].id);
        while (e && e->line != good5g_hnet[i].line)
            e = kasme_subdb_next_match(db, e);
        check(e && e->has_hnet && e->hnet_profile == good5g_hnet[i].profile,
              "good5g: hnet line %u, id %u", good5g_hnet[i].line, good5g_hnet[i].id);
        if (e)
            check_hex(e->hnet_key, good5g_hnet[i].key, "good5g: hnet private key");
    }
    check(kasme_subdb_hnet_by_id(db, 9) == NULL, "good5g: no hnet key 9");
    const kasme_subscriber *e = kasme_subdb_hnet_by_id(db, 7);
    char label[128];
    if (e) {
        kasme_subscriber_describe(e, label, sizeof label);
        check(strcmp(label, "lab-a (good5g.keys:15)") == 0, "label '%s'", label);
    }
    if ((e = kasme_subdb_hnet_by_id(db, 2))) {
        kasme_subscriber_describe(e, label, sizeof label);
        check(strcmp(label, "hnet key 2 (profile B) (good5g.keys:10)") == 0, "label '%s'", label);
    }
}

static void test_good5g_file(void)
{
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int added = load_data_file("good5g.keys", db, log);
    check(added == 17 && log->len == 0, "good5g.keys: %d added (want 17), %u reports%s%s", added,
          log->len, log->len ? ": " : "", log->len ? (char *)g_ptr_array_index(log, 0) : "");
    check_good5g_kamf(db);
    check_good5g_hnet(db);
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
}

static const struct {
    unsigned line;
    const char *want;
} expected_errors5g[] = {
    {2, "supi: only SUPIs of type IMSI (imsi-<digits>) are supported"},
    {3, "supi: expected imsi-<6 to 15 digits>"},
    {4, "supi: expected 6 to 15 digits, got 5"},
    {5, "two identities (imsi and supi): give exactly one"},
    {6, "kamf: expected 64 hex digits, got 62"},
    {7, "kamf= needs an identity: supi=, imsi=, tmsi= (5G-TMSI), guti= (5G-GUTI) or any"},
    {8, "kamf= cannot be keyed by rnti="},
    {9, "kamf= takes a 5G-GUTI (mcc-mnc-region-set-pointer-tmsi), not an LTE GUTI"},
    {10, "kasme= takes an LTE GUTI (mcc-mnc-mmegi-mmec-mtmsi), not a 5G-GUTI"},
    {11, "guti: amf set is 0..3ff and amf pointer 0..3f"},
    {12, "guti: amf set is 0..3ff and amf pointer 0..3f"},
    {13, "guti: expected mcc-mnc-mmegi-mmec-mtmsi (LTE, 5 parts) or "
         "mcc-mnc-region-set-pointer-tmsi (5G, 6 parts)"},
    {14, "kasme= and kamf= cannot share a line"},
    {15, "ksi: expected 0..6"},
    {16, "ksi= needs kasme= or kamf="},
    {17, "id: expected the key identifier, 0..255"},
    {18, "id: expected the key identifier, 0..255"},
    {19, "hnet: needs id= (0..255) and scheme= (A or B)"},
    {20, "scheme: expected A (or 1, x25519) or B (or 2, secp256r1)"},
    {21, "hnet: give key= (64 hex digits) or file= (PEM), one of them"},
    {22, "hnet: give key= (64 hex digits) or file= (PEM), one of them"},
    {23, "key: expected 64 hex digits, got 62"},
    {24, "key: not a valid secp256r1 private key"},
    {25, "key: not a valid secp256r1 private key"},
    {26, "file: no such file"},
    {27, "file: not a regular file"},
    {28, "file: holds an X25519 key, but scheme= says profile B"},
    {29, "file: holds a secp256r1 key, but scheme= says profile A"},
    {30, "file: EC key on a curve other than secp256r1 (prime256v1)"},
    {31, "file: not an X25519 or secp256r1 (prime256v1) key"},
    {32, "file: the key is encrypted"},
    {33, "file: no PRIVATE KEY or EC PRIVATE KEY block"},
    {34, "file: PRIVATE KEY block is not base64"},
    {35, "file: no DER private key"},
    {36, "hnet: takes no value (write just 'hnet')"},
    {37, "hnet: a home network key takes no UE identity"},
    {38, "id= belongs on an hnet line"},
    {39, "kasme= and hnet cannot share a line"},
    {40, "ksi= needs kasme= or kamf="},
    {41, "hnet: given twice"},
};

/* Every secret of errors5g.keys and of the PEM files it names. */
static const char *const errors5g_secrets[] = {
    "8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af58490eab07aa437a4",
    "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d",
    "00112233445566778899aabbccddeeff", "63bfa50ee6523365ff14c1f45f88737d",
    "d0a86c31e2ccc3ace022f5e1fc92b408fabe31c9306895b0eb9fcb89e1c1dc6b",
    "02e78feafd41762d76448d105616f624a8737e194ad5c3a2e4bf76a84db0de84",
};

static void test_errors5g_file(void)
{
    kasme_subdb *db = kasme_subdb_new();
    GPtrArray *log = new_log();
    int added = load_data_file("errors5g.keys", db, log);
    size_t n_expected = G_N_ELEMENTS(expected_errors5g);
    check(added == 1, "errors5g.keys: %d added, want 1 (line 42)", added);
    check(log->len == n_expected, "errors5g.keys: %u reports, want %zu", log->len, n_expected);
    for (size_t i = 0; i < n_expected; i++)
        check_reported(log, "errors5g.keys", expected_errors5g[i].line, expected_errors5g[i].want);
    const kasme_subscriber *e = kasme_subdb_kamf_by_tmsi(db, 0x0badcafe);
    check(e && e->line == 42, "errors5g.keys: line 42 loads after all the errors");
    check(kasme_subdb_hnet_by_id(db, 1) == NULL, "errors5g.keys: no hnet key loaded");
    check_no_hex_in_log(log, "errors5g.keys");
    for (size_t i = 0; i < G_N_ELEMENTS(errors5g_secrets); i++)
        check_secret_absent(log, errors5g_secrets[i]);
    g_ptr_array_free(log, TRUE);
    kasme_subdb_free(db);
}

/* PEM/DER parsing on hostile bytes: every truncation and every single-byte corruption of the
 * good files gives the right key or a reason, never a crash or a key without one. */
static void test_pemkey_mutations(void)
{
    static const char *const files[] = {"hnet/x25519.pem", "hnet/p256-ecparam.pem",
                                        "hnet/p256-pkcs8.pem", "hnet/p256-sec1.der",
                                        "hnet/x25519.der"};
    for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
        char *path = data_path(files[f]);
        gchar *data = NULL;
        gsize len = 0;
        check(g_file_get_contents(path, &data, &len, NULL), "read %s", files[f]);
        unsigned refused = 0, accepted = 0;
        for (gsize cut = 0; data && cut <= len; cut++) {
            uint8_t key[32];
            ecies_profile profile;
            char why[160] = "";
            int rc = kasme_pemkey_parse((const uint8_t *)data, cut, key, &profile, why, sizeof why);
            rc ? refused++ : accepted++;
            if (rc)
                check(why[0] != '\0' && all_zero(key, 32), "%s cut at %zu: reason, no key",
                      files[f], (size_t)cut);
        }
        for (gsize at = 0; data && at < len; at++) {
            uint8_t key[32], saved = (uint8_t)data[at];
            ecies_profile profile;
            char why[160];
            data[at] = (char)(saved ^ 0x5a);
            kasme_pemkey_parse((const uint8_t *)data, len, key, &profile, why, sizeof why);
            data[at] = (char)saved;
        }
        check(accepted >= 1 && refused >= len / 2, "%s: %u truncations refused, %u accepted",
              files[f], refused, accepted);
        g_free(data);
        g_free(path);
    }
}

/* Hand-made DER that lies about its lengths, each in a buffer of exactly its size (so that a
 * sanitizer build sees any read past it): refused with a reason. */
static void test_pemkey_hostile_der(void)
{
    static const struct {
        const char *hex;
        const char *why;
    } cases[] = {
        {"3082", "long length, no length octets"},
        {"308201", "long length cut short"},
        {"30840000000102", "4 length octets"},
        {"3080020100", "indefinite length"},
        {"3005020100", "inner SEQUENCE shorter than its length"},
        {"3003020101", "SEC 1 without the key"},
        {"300602010104ff", "OCTET STRING longer than its parent"},
        {"30050201010400", "empty private key"},
        {"3028020101042200112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011",
         "34-octet EC private key"},
        {"300b0201003006060300112233", "PKCS#8 with no private key"},
        {"30100201003005060300112204040402aabb", "PKCS#8 of an unknown algorithm"},
        {"3010020100300506032b656e0404040200ff", "X25519 key of 2 octets"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t bytes[64];
        size_t n = check_unhex(cases[i].hex, bytes, sizeof bytes);
        uint8_t *exact = g_memdup2(bytes, n);
        uint8_t key[32];
        ecies_profile profile;
        char why[160] = "";
        int rc = kasme_pemkey_parse(exact, n, key, &profile, why, sizeof why);
        check(rc == -1 && why[0] && all_zero(key, 32), "DER %s refused (%s)", cases[i].why, why);
        g_free(exact);
    }
}

/* The GUI's key-table rows for the 5G kinds, through the same parser. */
static void test_rows5g(void)
{
    static const struct {
        kasme_keyfile_row row;
        const char *want_line;
    } rows[] = {
        {{"imsi-001010123456780", "kamf",
          "8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af58490eab07aa437a4", NULL, NULL, "1",
          NULL},
         "supi=imsi-001010123456780 kamf=8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af58490ea"
         "b07aa437a4 ksi=1"},
        {{"tmsi:c0ffee01", "KAMF",
          "8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af58490eab07aa437a4", NULL, NULL, NULL,
          NULL},
         "tmsi=c0ffee01 KAMF=8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af58490eab07aa437a4"},
        {{"guti:901-70-ca-3fe-3d-12345678", "kamf",
          "8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af58490eab07aa437a4", NULL, NULL, NULL,
          "g"},
         "guti=901-70-ca-3fe-3d-12345678 kamf=8f2a5d6c12608d8a0a8d330a719dee07226b47417b661af584"
         "90eab07aa437a4 name=g"},
        {{"1", "hnet-a", "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d",
          NULL, NULL, NULL, NULL},
         "hnet id=1 scheme=A key=c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d"},
        {{"2", "hnet-b", "/nonexistent/hn.pem", NULL, NULL, NULL, NULL},
         "hnet id=2 scheme=B file=/nonexistent/hn.pem"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *line = kasme_keyfile_row_to_line(&rows[i].row);
        check(strcmp(line, rows[i].want_line) == 0, "row %zu: '%s'", i, line);
        kasme_subscriber e;
        char why[200];
        int rc = kasme_keyfile_parse_line(line, &e, why, sizeof why);
        check(i == 4 ? rc == -1 && strcmp(why, "file: no such file") == 0 : rc == 1,
              "row %zu parses as expected: %s", i, why);
        g_free(line);
    }
}

int main(void)
{
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "keyfile: libgcrypt initialisation failed\n");
        return 1;
    }
    test_good_file();
    test_srsepc_file();
    test_errors_file();
    test_hostile_buffer();
    test_line_limit();
    test_parse_line();
    test_subdb_api();
    test_example_file();
    test_unreadable();
    test_fuzz();
    test_scale();
    test_rows_one_by_one();
    test_mixed_kinds();
    test_good5g_file();
    test_errors5g_file();
    test_pemkey_mutations();
    test_pemkey_hostile_der();
    test_rows5g();
    return check_report("keyfile");
}
