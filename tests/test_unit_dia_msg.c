/* Unit tests of the Diameter reader (plugin/core/dia_msg.c) and of the tracker's S6a entry
 * (kasme_tracker_s6a_message, tracker_capkeys.c).
 *
 * Real messages: the AIR and AIA of captures/s16-open5gs-s6a (tests/data/s6a, as Wireshark
 * gave their octets). What they must give (the IMSI, the vector's RAND, XRES, AUTN and K_ASME)
 * is read from that capture's truth.json: the HSS's own log, not this parser's output.
 * Malformed variants, each handed over in a heap buffer of exactly its size so that an ASan
 * build (KASME_SANITIZE) catches any read past it: every truncation, an AVP of length 0, one
 * longer than its container, a V bit without room for the Vendor-ID, grouped AVPs nested past
 * the bound, a bad header; each must be refused and deliver nothing. Also every single-octet
 * corruption of the AIA, for the sanitizers.
 *
 * Usage: test_unit_dia_msg S16_TRUTH_JSON S6A_DATA_DIR */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "capkeys.h"
#include "check.h"
#include "vec_util.h"
#include "dia_msg.h"
#include "gcrypt_init.h"
#include "subdb.h"
#include "tracker.h"

#define AIA_FRAME 23

typedef struct {
    char imsi[16];
    uint8_t rand[16], autn[16], xres[16], kasme[32];
    size_t xres_len;
} hss_vector;

static bool load_truth(const char *path, hss_vector *t)
{
    JsonParser *parser;
    JsonObject *root = vec_load_object(path, &parser);
    if (!root)
        return false;
    JsonObject *hss = json_array_get_object_element(
        json_object_get_array_member(root, "hss_auth_vectors"), 0);
    JsonObject *sub = json_array_get_object_element(
        json_object_get_array_member(root, "subscribers"), 0);
    g_strlcpy(t->imsi, vec_str_or_empty(sub, "imsi"), sizeof t->imsi);
    bool ok = check_unhex(vec_str_or_empty(hss, "RAND"), t->rand, 16) == 16 &&
              check_unhex(vec_str_or_empty(hss, "AUTN"), t->autn, 16) == 16 &&
              check_unhex(vec_str_or_empty(hss, "KASME"), t->kasme, 32) == 32;
    t->xres_len = check_unhex(vec_str_or_empty(hss, "XRES"), t->xres, 16);
    g_object_unref(parser);
    return ok && t->imsi[0] && t->xres_len >= 4;
}

/* A message file: one line of hex. */
static GByteArray *load_message(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    GByteArray *msg = g_byte_array_new();
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        g_strstrip(text);
        uint8_t octets[4096];
        size_t n = check_unhex(text, octets, sizeof octets);
        g_byte_array_append(msg, octets, (guint)n);
    }
    check(msg->len >= KASME_DIA_HEADER_LEN, "%s read", path);
    g_free(text);
    g_free(path);
    return msg;
}

typedef struct {
    unsigned n;
    kasme_dia_vector first;
} vectors_seen;

static void keep_vector(const kasme_dia_vector *v, void *user)
{
    vectors_seen *seen = user;
    if (seen->n++ == 0)
        seen->first = *v;
}

/* Parses a copy of len octets in a buffer of exactly that size; the copy is freed, or handed
 * over in *kept (msg's pointers point into it). */
static kasme_dia_status parse_kept(const uint8_t *octets, size_t len, kasme_dia_msg *msg,
                                   vectors_seen *seen, uint8_t **kept)
{
    uint8_t *copy = g_malloc(len ? len : 1);
    if (len)
        memcpy(copy, octets, len);
    memset(seen, 0, sizeof *seen);
    kasme_dia_status status = kasme_dia_parse(copy, len, msg, keep_vector, seen);
    if (kept)
        *kept = copy;
    else
        g_free(copy);
    return status;
}

static kasme_dia_status parse_exact(const uint8_t *octets, size_t len, kasme_dia_msg *msg,
                                    vectors_seen *seen)
{
    return parse_kept(octets, len, msg, seen, NULL);
}

static bool same_text(const uint8_t *octets, size_t len, const char *text)
{
    return octets && len == strlen(text) && memcmp(octets, text, len) == 0;
}

static void test_real_air(const GByteArray *air, const hss_vector *t)
{
    set_run("s16 AIR");
    kasme_dia_msg msg;
    vectors_seen seen;
    uint8_t *octets = NULL;
    kasme_dia_status status = parse_kept(air->data, air->len, &msg, &seen, &octets);
    check(status == KASME_DIA_OK, "reads whole (%s)", kasme_dia_status_text(status));
    check(msg.request && msg.command == KASME_DIA_CMD_AUTH_INFO && msg.application == 16777251,
          "an S6a (16777251) request of command 318 (R %d, command %u, application %u)",
          msg.request, msg.command, msg.application);
    check(same_text(msg.user_name, msg.user_name_len, t->imsi), "User-Name is the IMSI %s",
          t->imsi);
    check(same_text(msg.session_id, msg.session_id_len, "mme.localdomain;1796400991;1;app_s6a"),
          "Session-Id");
    check(msg.vectors == 0 && seen.n == 0, "no vector in a request");
    g_free(octets);
}

static void test_real_aia(const GByteArray *aia, const hss_vector *t)
{
    set_run("s16 AIA");
    kasme_dia_msg msg;
    vectors_seen seen;
    uint8_t *octets = NULL;
    kasme_dia_status status = parse_kept(aia->data, aia->len, &msg, &seen, &octets);
    check(status == KASME_DIA_OK, "reads whole (%s)", kasme_dia_status_text(status));
    check(!msg.request && msg.command == KASME_DIA_CMD_AUTH_INFO, "an answer of command 318");
    check(same_text(msg.session_id, msg.session_id_len, "mme.localdomain;1796400991;1;app_s6a"),
          "the request's Session-Id");
    check(msg.user_name == NULL, "no User-Name in the answer");
    g_free(octets);
    check(msg.vectors == 1 && seen.n == 1, "one E-UTRAN-Vector (%u, %u delivered)", msg.vectors,
          seen.n);
    const kasme_dia_vector *v = &seen.first;
    check(v->has_rand && memcmp(v->rand, t->rand, 16) == 0, "RAND as the HSS logged it");
    check(v->has_autn && memcmp(v->autn, t->autn, 16) == 0, "AUTN as the HSS logged it");
    check(v->xres_len == t->xres_len && memcmp(v->xres, t->xres, t->xres_len) == 0,
          "XRES as the HSS logged it (%u octets)", v->xres_len);
    check(v->has_kasme && memcmp(v->kasme, t->kasme, 32) == 0, "K_ASME as the HSS logged it");
    check(kasme_dia_parse(aia->data, aia->len, &msg, NULL, NULL) == KASME_DIA_OK &&
              msg.vectors == 1,
          "without a callback: the same count");
}

/* Appends an AVP (RFC 6733 4.1): vendor 0 = no V bit; `length` 0 = the true one. */
static void put_avp(GByteArray *m, uint32_t code, uint32_t vendor, const uint8_t *data,
                    size_t len, uint32_t length)
{
    size_t header = vendor ? 12 : 8;
    uint32_t avp_len = length ? length : (uint32_t)(header + len);
    uint8_t h[12] = {code >> 24, code >> 16, code >> 8, code, vendor ? 0xC0 : 0x40,
                     avp_len >> 16, avp_len >> 8, avp_len,
                     vendor >> 24, vendor >> 16, vendor >> 8, vendor};
    g_byte_array_append(m, h, (guint)header);
    g_byte_array_append(m, data, (guint)len);
    static const uint8_t pad[3] = {0};
    g_byte_array_append(m, pad, (guint)((4 - (header + len) % 4) % 4));
}

/* A message (AIA, 318 answer) around the given AVPs, its Message Length set. */
static GByteArray *message_of(const GByteArray *avps)
{
    GByteArray *m = g_byte_array_new();
    uint8_t h[20] = {1, 0, 0, 0, 0x40, 0x00, 0x01, 0x3e, 0x01, 0x00, 0x00, 0x23};
    g_byte_array_append(m, h, sizeof h);
    g_byte_array_append(m, avps->data, avps->len);
    m->data[1] = (uint8_t)(m->len >> 16);
    m->data[2] = (uint8_t)(m->len >> 8);
    m->data[3] = (uint8_t)m->len;
    return m;
}

/* Authentication-Info { E-UTRAN-Vector { inner } }, then an Origin-Host (24 octets) */
static GByteArray *aia_around(const GByteArray *inner)
{
    GByteArray *vector = g_byte_array_new(), *info = g_byte_array_new();
    put_avp(vector, KASME_DIA_AVP_E_UTRAN_VECTOR, KASME_DIA_VENDOR_3GPP, inner->data, inner->len, 0);
    put_avp(info, KASME_DIA_AVP_AUTH_INFO, KASME_DIA_VENDOR_3GPP, vector->data, vector->len, 0);
    put_avp(info, 264, 0, (const uint8_t *)"hss.localdomain", 15, 0);
    GByteArray *m = message_of(info);
    g_byte_array_free(vector, TRUE);
    g_byte_array_free(info, TRUE);
    return m;
}

static void expect_refused(const GByteArray *m, kasme_dia_status want, const char *what)
{
    kasme_dia_msg msg;
    vectors_seen seen;
    kasme_dia_status got = parse_exact(m->data, m->len, &msg, &seen);
    check(got == want && seen.n == 0, "%s: refused as \"%s\" (got \"%s\", %u vectors delivered)",
          what, kasme_dia_status_text(want), kasme_dia_status_text(got), seen.n);
}

static void test_truncations(const GByteArray *aia)
{
    set_run("truncated AIA");
    unsigned refused = 0;
    for (size_t len = 0; len < aia->len; len++) {
        kasme_dia_msg msg;
        vectors_seen seen;
        refused += parse_exact(aia->data, len, &msg, &seen) != KASME_DIA_OK && seen.n == 0;
    }
    check(refused == aia->len, "each of the %u shorter buffers refused (%u)", aia->len, refused);
    /* the header's length cut to match: the last AVP then runs past the message */
    GByteArray *cut = g_byte_array_new();
    g_byte_array_append(cut, aia->data, aia->len - 8);
    cut->data[3] = (uint8_t)(cut->data[3] - 8);
    expect_refused(cut, KASME_DIA_BAD_AVP, "Message Length cut by 8 with the octets");
    g_byte_array_free(cut, TRUE);
}

static void test_bad_avps(void)
{
    static const uint8_t rand[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t kasme[32] = {0xAA};
    set_run("malformed AVPs");
    GByteArray *inner = g_byte_array_new();
    put_avp(inner, KASME_DIA_AVP_RAND, KASME_DIA_VENDOR_3GPP, rand, 16, 0);
    put_avp(inner, KASME_DIA_AVP_KASME, KASME_DIA_VENDOR_3GPP, kasme, 32, 0);
    GByteArray *good = aia_around(inner);
    kasme_dia_msg msg;
    vectors_seen seen;
    check(parse_exact(good->data, good->len, &msg, &seen) == KASME_DIA_OK && seen.n == 1 &&
              seen.first.has_rand && seen.first.has_kasme && seen.first.xres_len == 0 &&
              !seen.first.has_autn,
          "the well-formed base of the variants reads (RAND and K_ASME, no XRES, no AUTN)");

    GByteArray *m = g_byte_array_new();
    put_avp(m, KASME_DIA_AVP_SESSION_ID, 0, (const uint8_t *)"s;1", 3, 0);
    GByteArray *zero = message_of(m);
    zero->data[20 + 5] = zero->data[20 + 6] = zero->data[20 + 7] = 0;
    expect_refused(zero, KASME_DIA_BAD_AVP, "an AVP of length 0");
    GByteArray *longer = message_of(m);
    longer->data[20 + 7] = 0x20; /* 32 octets in a 12-octet message body */
    expect_refused(longer, KASME_DIA_BAD_AVP, "an AVP longer than the message");

    /* inside the vector: a RAND AVP whose length (76) runs past the E-UTRAN-Vector's 72
     * octets of members but not past the message (the Origin-Host follows) */
    GByteArray *over = g_byte_array_new();
    put_avp(over, KASME_DIA_AVP_RAND, KASME_DIA_VENDOR_3GPP, rand, 16, 12 + 16 + 44 + 4);
    put_avp(over, KASME_DIA_AVP_KASME, KASME_DIA_VENDOR_3GPP, kasme, 32, 0);
    GByteArray *m_over = aia_around(over);
    expect_refused(m_over, KASME_DIA_BAD_AVP, "a RAND longer than its E-UTRAN-Vector");

    /* the V bit set, but the AVP too short to hold the Vendor-ID */
    GByteArray *novendor = g_byte_array_new();
    put_avp(novendor, KASME_DIA_AVP_KASME, KASME_DIA_VENDOR_3GPP, kasme, 32, 0);
    uint8_t bare[8] = {0, 0, 0x05, 0xA7, 0xC0, 0, 0, 8}; /* RAND, V and M, length 8 */
    g_byte_array_append(novendor, bare, sizeof bare);
    GByteArray *m_novendor = aia_around(novendor);
    expect_refused(m_novendor, KASME_DIA_BAD_AVP, "a V bit without a Vendor-ID");

    /* no V bit: code 1447 of vendor 0 is not 3GPP's RAND; code 1450 of vendor 9 not K_ASME */
    static const uint8_t other_kasme[32] = {0xBB};
    GByteArray *base = g_byte_array_new();
    put_avp(base, KASME_DIA_AVP_RAND, 0, rand, 16, 0);
    put_avp(base, KASME_DIA_AVP_KASME, 9, other_kasme, 32, 0);
    put_avp(base, KASME_DIA_AVP_KASME, KASME_DIA_VENDOR_3GPP, kasme, 32, 0);
    GByteArray *m_base = aia_around(base);
    check(parse_exact(m_base->data, m_base->len, &msg, &seen) == KASME_DIA_OK && seen.n == 1 &&
              !seen.first.has_rand && memcmp(seen.first.kasme, kasme, 32) == 0,
          "an AVP 1447 without the V bit is not the RAND, a 1450 of vendor 9 not the K_ASME");

    /* wrong sizes: a 31-octet K_ASME and a 3-octet XRES are absent */
    GByteArray *sizes = g_byte_array_new();
    put_avp(sizes, KASME_DIA_AVP_RAND, KASME_DIA_VENDOR_3GPP, rand, 16, 0);
    put_avp(sizes, KASME_DIA_AVP_XRES, KASME_DIA_VENDOR_3GPP, rand, 3, 0);
    put_avp(sizes, KASME_DIA_AVP_KASME, KASME_DIA_VENDOR_3GPP, kasme, 31, 0);
    GByteArray *m_sizes = aia_around(sizes);
    check(parse_exact(m_sizes->data, m_sizes->len, &msg, &seen) == KASME_DIA_OK && seen.n == 1 &&
              !seen.first.has_kasme && seen.first.xres_len == 0,
          "a 31-octet K_ASME and a 3-octet XRES are not taken");

    GByteArray *arrays[] = {inner, good, m, zero, longer, over, m_over, novendor, m_novendor,
                            base, m_base, sizes, m_sizes};
    for (size_t i = 0; i < G_N_ELEMENTS(arrays); i++)
        g_byte_array_free(arrays[i], TRUE);
}

static void test_headers(const GByteArray *aia)
{
    set_run("malformed headers");
    GByteArray *m = g_byte_array_new();
    g_byte_array_append(m, aia->data, aia->len);
    m->data[0] = 2;
    expect_refused(m, KASME_DIA_VERSION, "version 2");
    m->data[0] = 1;
    m->data[3] = (uint8_t)(m->data[3] + 2);
    expect_refused(m, KASME_DIA_BAD_LENGTH, "a Message Length not a multiple of 4");
    m->data[1] = m->data[2] = 0;
    m->data[3] = 16;
    expect_refused(m, KASME_DIA_BAD_LENGTH, "a Message Length of 16");
    m->data[1] = 0xFF;
    m->data[3] = 0;
    expect_refused(m, KASME_DIA_SHORT, "a Message Length past the octets given");
    g_byte_array_free(m, TRUE);
}

/* Authentication-Info nested `levels` deep, an E-UTRAN-Vector with a K_ASME at the bottom. */
static GByteArray *nested(unsigned levels)
{
    static const uint8_t rand[16] = {7}, kasme[32] = {9};
    GByteArray *body = g_byte_array_new();
    put_avp(body, KASME_DIA_AVP_RAND, KASME_DIA_VENDOR_3GPP, rand, 16, 0);
    put_avp(body, KASME_DIA_AVP_KASME, KASME_DIA_VENDOR_3GPP, kasme, 32, 0);
    GByteArray *cur = g_byte_array_new();
    put_avp(cur, KASME_DIA_AVP_E_UTRAN_VECTOR, KASME_DIA_VENDOR_3GPP, body->data, body->len, 0);
    for (unsigned i = 0; i < levels; i++) {
        GByteArray *outer = g_byte_array_new();
        put_avp(outer, KASME_DIA_AVP_AUTH_INFO, KASME_DIA_VENDOR_3GPP, cur->data, cur->len, 0);
        g_byte_array_free(cur, TRUE);
        cur = outer;
    }
    GByteArray *m = message_of(cur);
    g_byte_array_free(cur, TRUE);
    g_byte_array_free(body, TRUE);
    return m;
}

static void test_nesting(void)
{
    set_run("nesting");
    kasme_dia_msg msg;
    vectors_seen seen;
    /* levels of groups below the message: Authentication-Infos, then the vector */
    unsigned deepest = KASME_DIA_DEPTH_MAX - 1;
    GByteArray *ok = nested(deepest - 1);
    check(parse_exact(ok->data, ok->len, &msg, &seen) == KASME_DIA_OK && seen.n == 1 &&
              seen.first.has_kasme,
          "%u levels of grouped AVPs read", deepest);
    GByteArray *deep = nested(deepest);
    expect_refused(deep, KASME_DIA_TOO_DEEP, "one level more");
    GByteArray *hostile = nested(2000);
    expect_refused(hostile, KASME_DIA_TOO_DEEP, "2000 levels");
    g_byte_array_free(ok, TRUE);
    g_byte_array_free(deep, TRUE);
    g_byte_array_free(hostile, TRUE);
}

/* Every octet of the AIA set to each of a few values: whatever it reads as, no read past it
 * (the sanitizers' part) and a delivered vector only from a message that read whole. */
static void test_corruptions(const GByteArray *aia)
{
    set_run("corrupted AIA");
    static const uint8_t values[] = {0x00, 0x01, 0x7F, 0x80, 0xC0, 0xFF};
    unsigned runs = 0, consistent = 0;
    GByteArray *m = g_byte_array_new();
    g_byte_array_append(m, aia->data, aia->len);
    for (guint at = 0; at < aia->len; at++) {
        for (size_t v = 0; v < sizeof values; v++) {
            m->data[at] = values[v];
            kasme_dia_msg msg;
            vectors_seen seen;
            kasme_dia_status status = parse_exact(m->data, m->len, &msg, &seen);
            consistent += status == KASME_DIA_OK ? seen.n == msg.vectors : seen.n == 0;
            runs++;
        }
        m->data[at] = aia->data[at];
    }
    check(consistent == runs, "%u corrupted AIAs: vectors only from a whole message (%u)", runs,
          consistent);
    g_byte_array_free(m, TRUE);
}

static void test_tracker(const GByteArray *air, const GByteArray *aia, const hss_vector *t)
{
    set_run("tracker S6a");
    kasme_subdb *db = kasme_subdb_new();
    kasme_tracker *tr = kasme_tracker_new(db);
    check(kasme_tracker_s6a_message(tr, air->data, air->len, 22) == KASME_DIA_OK,
          "the AIR is taken");
    const char *imsi = kasme_tracker_s6a_imsi(tr, "mme.localdomain;1796400991;1;app_s6a");
    check(imsi && strcmp(imsi, t->imsi) == 0, "its session names IMSI %s", t->imsi);
    check(kasme_tracker_capkey_count(tr) == 0, "a request teaches no key");
    GByteArray *cut = g_byte_array_new();
    g_byte_array_append(cut, aia->data, aia->len - 4);
    check(kasme_tracker_s6a_message(tr, cut->data, cut->len, AIA_FRAME) == KASME_DIA_SHORT &&
              kasme_tracker_capkey_count(tr) == 0,
          "a truncated AIA teaches nothing");
    check(kasme_tracker_s6a_message(tr, aia->data, aia->len, AIA_FRAME) == KASME_DIA_OK &&
              kasme_tracker_capkey_count(tr) == 1,
          "the AIA teaches its one vector");
    kasme_capkey same = {.kind = KASME_CAPKEY_KASME, .origin = KASME_CAPKEY_S6A_AIA,
                         .has_rand = true};
    memcpy(same.rand, t->rand, 16);
    check(!kasme_tracker_learn_key(tr, &same), "the learned vector has the HSS's RAND");
    GByteArray *other = g_byte_array_new();
    g_byte_array_append(other, aia->data, aia->len);
    other->data[7] = 0x3D; /* command 317: not an Authentication-Information-Answer */
    other->data[100 + 5] ^= 1; /* a RAND octet: a new vector, were it taken */
    kasme_tracker_s6a_message(tr, other->data, other->len, AIA_FRAME + 1);
    check(kasme_tracker_capkey_count(tr) == 1, "vectors of another command are left alone");
    g_byte_array_free(cut, TRUE);
    g_byte_array_free(other, TRUE);
    kasme_tracker_free(tr);
    kasme_subdb_free(db);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s S16_TRUTH_JSON S6A_DATA_DIR\n", argv[0]);
        return 2;
    }
    kasme_gcrypt_init();
    hss_vector truth;
    bool loaded = load_truth(argv[1], &truth);
    check(loaded, "truth %s read", argv[1]);
    GByteArray *air = load_message(argv[2], "s16_air.hex");
    GByteArray *aia = load_message(argv[2], "s16_aia.hex");
    if (loaded && air->len >= KASME_DIA_HEADER_LEN && aia->len >= KASME_DIA_HEADER_LEN) {
        test_real_air(air, &truth);
        test_real_aia(aia, &truth);
        test_truncations(aia);
        test_headers(aia);
        test_corruptions(aia);
        test_tracker(air, aia, &truth);
    }
    test_bad_avps();
    test_nesting();
    g_byte_array_free(air, TRUE);
    g_byte_array_free(aia, TRUE);
    return check_report("unit_dia_msg");
}
