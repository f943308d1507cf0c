/* SUCI parsing and SUCI -> SUPI (plugin/core/suci.c) with home network keys from key-file
 * lines: the TS 33.501 Annex C.4.3 (Profile A) and C.4.4 (Profile B) scheme outputs wrapped in
 * 5GS mobile identity IEs (TS 24.501 9.11.3.4), the null scheme, and hostile IEs. The expected
 * SUPIs are written here: MCC 001, MNC 01 (the IEs' PLMN) and the vectors' MSIN 001002086. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "check.h"
#include "gcrypt_init.h"
#include "keyfile.h"
#include "subdb.h"
#include "suci.h"

/* TS 33.501 C.4.3 / C.4.4 (tests/vectors/vectors5g.json): ephemeral public key || ciphertext
 * || MAC tag, and the home network private keys. */
#define C43_OUTPUT "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d" \
                   "cb02352410" "cddd9e730ef3fa87"
#define C44_OUTPUT "039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d1" \
                   "46a33fc271" "6ac7dae96aa30a4d"
#define C43_KEY "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d"
#define C44_KEY "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda"
/* type SUCI, SUPI format IMSI; MCC 001 MNC 01; routing indicator 0 (f0 ff) */
#define IE_HEAD "01" "00f110" "f0ff"

static kasme_subdb *db_of(const char *text)
{
    kasme_subdb *db = kasme_subdb_new();
    int added = kasme_keyfile_load_buffer("suci.keys", text, strlen(text), db, NULL, NULL);
    check(added > 0, "key lines loaded (%d)", added);
    return db;
}

/* Parses the IE (hex) and runs SUCI -> SUPI. */
static kasme_suci_result run(const char *ie_hex, const kasme_subdb *db, kasme_suci_status *parsed)
{
    uint8_t ie[200];
    size_t n = check_unhex(ie_hex, ie, sizeof ie);
    kasme_suci suci;
    *parsed = kasme_suci_parse(ie, n, &suci);
    kasme_suci_result r = { .status = *parsed };
    if (*parsed == KASME_SUCI_OK)
        r = kasme_suci_to_supi(&suci, db);
    check(kasme_suci_status_text(r.status)[0] != '\0', "status has a text");
    if (r.status != KASME_SUCI_OK)
        check(r.supi[0] == '\0' && r.hnet_key == NULL, "no SUPI without ok (%s)", ie_hex);
    return r;
}

static void test_profiles(void)
{
    kasme_subdb *db = db_of("hnet id=1 scheme=A key=" C43_KEY "\n"
                            "hnet id=2 scheme=B key=" C44_KEY "\n");
    kasme_suci_status parsed;
    kasme_suci_result r = run(IE_HEAD "01" "01" C43_OUTPUT, db, &parsed);
    check(r.status == KASME_SUCI_OK && strcmp(r.supi, "00101001002086") == 0,
          "Profile A SUCI -> SUPI 00101001002086 (got %s, %s)", r.supi,
          kasme_suci_status_text(r.status));
    check(r.hnet_key && r.hnet_key->hnet_id == 1 && r.hnet_key->line == 1, "Profile A key used");
    r = run(IE_HEAD "02" "02" C44_OUTPUT, db, &parsed);
    check(r.status == KASME_SUCI_OK && strcmp(r.supi, "00101001002086") == 0,
          "Profile B SUCI -> SUPI (got %s, %s)", r.supi, kasme_suci_status_text(r.status));
    /* The parsed fields. */
    uint8_t ie[100];
    size_t n = check_unhex("01" "13" "00" "14" "21" "43" "02" "07" C44_OUTPUT, ie, sizeof ie);
    kasme_suci suci;
    check(kasme_suci_parse(ie, n, &suci) == KASME_SUCI_OK && strcmp(suci.mcc, "310") == 0 &&
              strcmp(suci.mnc, "410") == 0 && strcmp(suci.routing_indicator, "1234") == 0 &&
              suci.scheme == 2 && suci.hnet_id == 7 && suci.scheme_output_len == 33 + 5 + 8,
          "SUCI fields: MCC 310, MNC 410, RI 1234, scheme 2, key id 7");
    /* A flipped tag bit: bad tag, no SUPI. */
    char *flipped = g_strdup(IE_HEAD "02" "02" C44_OUTPUT);
    flipped[strlen(flipped) - 1] ^= 0x01; /* 'd' -> 'e': the tag's last bit */
    r = run(flipped, db, &parsed);
    check(r.status == KASME_SUCI_BAD_TAG && r.ecies == ECIES_BAD_TAG, "flipped tag -> bad tag");
    g_free(flipped);
    /* Unknown key id, and a key id whose key is of the other profile. */
    r = run(IE_HEAD "01" "09" C43_OUTPUT, db, &parsed);
    check(r.status == KASME_SUCI_UNKNOWN_KEY_ID, "key id 9 unknown");
    r = run(IE_HEAD "01" "02" C43_OUTPUT, db, &parsed);
    check(r.status == KASME_SUCI_UNKNOWN_KEY_ID, "key id 2 is a Profile B key, SUCI says A");
    /* Scheme output with a point off the curve: a clear status, no SUPI. */
    r = run(IE_HEAD "02" "02" "04" "0000000000000000000000000000000000000000000000000000000000000001"
                   "0000000000000000000000000000000000000000000000000000000000000001"
                   "46a33fc271" "6ac7dae96aa30a4d", db, &parsed);
    check(r.status == KASME_SUCI_BAD_OUTPUT && r.ecies == ECIES_BAD_POINT, "off-curve -> bad point");
    kasme_subdb_free(db);
}

/* Two keys with one id: the one whose tag verifies is taken. */
static void test_key_choice(void)
{
    kasme_subdb *db = db_of("hnet id=1 scheme=A key=" "0101010101010101010101010101010101010101010101010101010101010101\n"
                            "hnet id=1 scheme=A key=" C43_KEY " name=right\n");
    kasme_suci_status parsed;
    kasme_suci_result r = run(IE_HEAD "01" "01" C43_OUTPUT, db, &parsed);
    check(r.status == KASME_SUCI_OK && r.hnet_key && strcmp(r.hnet_key->name, "right") == 0,
          "second key with the same id verifies and is taken");
    kasme_subdb_free(db);
}

static void test_null_scheme_and_hostile(void)
{
    kasme_subdb *db = db_of("hnet id=1 scheme=A key=" C43_KEY "\n");
    kasme_suci_status parsed;
    kasme_suci_result r = run(IE_HEAD "00" "00" "00012080f6", db, &parsed);
    check(r.status == KASME_SUCI_OK && strcmp(r.supi, "00101001002086") == 0 && !r.hnet_key,
          "null scheme -> SUPI (got %s)", r.supi);
    r = run("01" "00f110" "f0ff" "00" "00" "0001208f06", db, &parsed);
    check(r.status == KASME_SUCI_MALFORMED, "filler inside the MSIN refused");
    r = run("01" "00f110" "f0ff" "00" "00" "00a12080f6", db, &parsed);
    check(r.status == KASME_SUCI_MALFORMED, "non-BCD MSIN digit refused");
    r = run("01" "00f110" "f0ff" "00" "00" "1032547698f0", db, &parsed); /* 11-digit MSIN */
    check(r.status == KASME_SUCI_MALFORMED, "SUPI over 15 digits refused");
    r = run("01" "00f110" "f0ff" "00" "00" "1032547698", db, &parsed);
    check(r.status == KASME_SUCI_OK && strcmp(r.supi, "001010123456789") == 0,
          "10-digit MSIN: a 15-digit SUPI (got %s)", r.supi);
    r = run(IE_HEAD "05" "00" "00012080f6", db, &parsed);
    check(r.status == KASME_SUCI_UNKNOWN_SCHEME, "scheme 5 unknown");
    r = run("02" "00f110", db, &parsed);
    check(parsed == KASME_SUCI_NOT_SUCI, "5G-GUTI is not a SUCI");
    r = run("11" "6e61692d", db, &parsed);
    check(parsed == KASME_SUCI_NAI_FORMAT, "NAI-format SUCI");
    r = run("01" "0af110" "f0ff" "00" "00" "00012080f6", db, &parsed);
    check(parsed == KASME_SUCI_MALFORMED, "MCC digit A refused");
    r = run("01" "00f110" "ffff" "00" "00" "00012080f6", db, &parsed);
    check(parsed == KASME_SUCI_MALFORMED, "routing indicator without a digit refused");
    /* Every truncation of a Profile A SUCI: a status, never a SUPI, never a crash. */
    const char *full = IE_HEAD "01" "01" C43_OUTPUT;
    for (size_t cut = 0; cut < strlen(full); cut += 2) {
        char *part = g_strndup(full, cut);
        r = run(part, db, &parsed);
        check(r.status != KASME_SUCI_OK, "SUCI cut to %zu octets refused", cut / 2);
        g_free(part);
    }
    check(kasme_suci_parse(NULL, 4, &(kasme_suci){0}) == KASME_SUCI_MALFORMED, "NULL IE");
    kasme_subdb_free(db);
}

int main(void)
{
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "suci: libgcrypt initialisation failed\n");
        return 1;
    }
    test_profiles();
    test_key_choice();
    test_null_scheme_and_hostile();
    return check_report("suci");
}
