/* libFuzzer harness: the key-file parser (plugin/core/keyfile.c) and the subscriber database
 * it fills (plugin/core/subdb.c).
 *
 * The input is a whole key-file buffer, as the GUI's key table or a file would hand it over:
 * kasme_keyfile_load_buffer() into a fresh database, then the lookups the tracker makes, every
 * entry described for display, and kasme_keyfile_parse_line() on the first line. Oracles
 * besides ASan/UBSan/LSan:
 *   - an error reason is a NUL-terminated string shorter than the loader's buffer, and never
 *     holds a run of 12 or more hex digits (keyfile.h: reasons never contain key material);
 *   - the count returned equals the entries in the database;
 *   - every entry is one of the five kinds of subdb.h with a consistent identity. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz_keyfile"
#include "fuzz_common.h"
#include "gcrypt_init.h"
#include "keyfile.h"
#include "subdb.h"


static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void check_reason(const char *reason)
{
    CHECK(reason != NULL);
    size_t len = strlen(reason); /* ASan: must be terminated within its buffer */
    CHECK(len < 512);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        run = is_hex(reason[i]) ? run + 1 : 0;
        CHECK(run < 16); /* 15: an IMSI, which reasons may name */
    }
}

static void on_error(void *user, const char *file, unsigned line, const char *reason)
{
    unsigned *errors = user;
    (*errors)++;
    CHECK(file != NULL && strlen(file) < 64);
    (void)line;
    check_reason(reason);
}

static void check_entry(const kasme_subdb *db, const kasme_subscriber *e)
{
    int kinds = (e->alg != KASME_AUTH_NONE) + e->has_kasme + e->has_kamf + e->has_hnet +
                (e->has_kenb || e->has_krrcenc || e->has_krrcint || e->has_kupenc);
    CHECK(kinds == 1);
    if (e->has_hnet) {
        CHECK(e->id_kind == KASME_ID_ANY);
        CHECK(e->hnet_profile == ECIES_PROFILE_A || e->hnet_profile == ECIES_PROFILE_B);
    }
    if (e->has_guti)
        CHECK(e->guti_5g == e->has_kamf); /* a GUTI of the entry's own system */
    CHECK(memchr(e->imsi, '\0', sizeof e->imsi) != NULL);
    CHECK(memchr(e->name, '\0', sizeof e->name) != NULL);
    CHECK(e->source == NULL || strlen(e->source) < 64); /* one interned copy per file */
    if (e->alg != KASME_AUTH_NONE) {
        CHECK(e->id_kind == KASME_ID_IMSI);
        CHECK(kasme_subdb_by_imsi(db, e->imsi) != NULL);
    }
    if (e->id_kind == KASME_ID_IMSI) {
        size_t n = strlen(e->imsi);
        CHECK(n >= 6 && n <= 15);
    }
    if (e->id_kind == KASME_ID_RNTI)
        CHECK(e->rnti != 0);
    CHECK(e->ksi >= -1 && e->ksi <= 6);
    char label[160];
    kasme_subscriber_describe(e, label, sizeof label);
    CHECK(strlen(label) < sizeof label);
}

/* Walks a candidate list with a bound: next_match must end. */
static void walk(const kasme_subdb *db, const kasme_subscriber *first)
{
    size_t n = 0, total = kasme_subdb_count(db);
    for (const kasme_subscriber *e = first; e; e = kasme_subdb_next_match(db, e)) {
        check_entry(db, e);
        CHECK(++n <= total);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (kasme_gcrypt_init() != 0) {
        fprintf(stderr, "fuzz_keyfile: libgcrypt initialisation failed\n");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kasme_subdb *db = kasme_subdb_new();
    unsigned errors = 0;
    int added = kasme_keyfile_load_buffer("fuzz.keys", (const char *)data, size, db, on_error,
                                          &errors);
    CHECK(added >= 0);
    size_t count = kasme_subdb_count(db);
    CHECK((size_t)added == count);

    for (size_t i = 0; i < count; i++)
        check_entry(db, kasme_subdb_at(db, i));
    size_t secrets = kasme_subdb_secret_count(db);
    CHECK(secrets <= count);
    for (size_t i = 0; i < secrets; i++)
        CHECK(kasme_subdb_secret_at(db, i)->alg != KASME_AUTH_NONE);

    /* The lookups the tracker makes, with the identities of the bundled captures and of the
     * first entries of the input itself. */
    static const char *const imsis[] = {"001010123456780", "001010000000001", "00101"};
    for (size_t i = 0; i < sizeof imsis / sizeof imsis[0]; i++) {
        const kasme_subscriber *s = kasme_subdb_by_imsi(db, imsis[i]);
        if (s)
            CHECK(strcmp(s->imsi, imsis[i]) == 0);
        walk(db, kasme_subdb_kasme_by_imsi(db, imsis[i]));
        walk(db, kasme_subdb_kamf_by_imsi(db, imsis[i]));
        walk(db, kasme_subdb_kenb_by_imsi(db, imsis[i]));
    }
    walk(db, kasme_subdb_kamf_by_tmsi(db, 0xc0ffee01u));
    walk(db, kasme_subdb_kamf_any(db));
    for (unsigned id = 0; id < 3; id++)
        walk(db, kasme_subdb_hnet_by_id(db, (uint8_t)id));
    walk(db, kasme_subdb_kasme_by_tmsi(db, 0xc0ffee01u));
    walk(db, kasme_subdb_kenb_by_rnti(db, 70));
    walk(db, kasme_subdb_kasme_any(db));
    walk(db, kasme_subdb_kenb_any(db));
    for (size_t i = 0; i < count && i < 4; i++) {
        const kasme_subscriber *e = kasme_subdb_at(db, i);
        if (e->id_kind == KASME_ID_IMSI) {
            walk(db, kasme_subdb_kasme_by_imsi(db, e->imsi));
            walk(db, kasme_subdb_kamf_by_imsi(db, e->imsi));
            walk(db, kasme_subdb_kenb_by_imsi(db, e->imsi));
            kasme_subdb_by_imsi(db, e->imsi);
        } else if (e->id_kind == KASME_ID_TMSI) {
            walk(db, kasme_subdb_kasme_by_tmsi(db, e->m_tmsi));
            walk(db, kasme_subdb_kamf_by_tmsi(db, e->m_tmsi));
        } else if (e->id_kind == KASME_ID_RNTI) {
            walk(db, kasme_subdb_kenb_by_rnti(db, e->rnti));
        }
        if (e->has_hnet)
            walk(db, kasme_subdb_hnet_by_id(db, e->hnet_id));
    }
    kasme_subdb_free(db);

    /* The single-line API (the GUI's key table) on the first line, NUL-terminated. */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t first = nl ? (size_t)(nl - data) + 1 : size; /* keeps the '\n' the API strips */
    if (first <= 2 * KASME_KEYFILE_MAX_LINE) {
        char *line = malloc(first + 1);
        CHECK(line != NULL);
        memcpy(line, data, first);
        line[first] = '\0';
        kasme_subscriber entry;
        char why[256];
        int rc = kasme_keyfile_parse_line(line, &entry, why, sizeof why);
        CHECK(rc >= -1 && rc <= 1);
        if (rc < 0)
            check_reason(why);
        free(line);
    }
    return 0;
}
