/* Unit tests of the keys the capture carries (plugin/core/capkeys.c, tracker_capkeys.c).
 *
 * LTE: the real NAS PDUs of srsRAN capture s01 (tests/s01_pdus.h) with NO key file, and the
 * authentication vector (RAND, AUTN, XRES, K_ASME) the HSS logged for that run, read from the
 * capture's truth.json, learned as an S6a AIA would give it. Expected: the Authentication
 * Request matched by RAND, RES checked against XRES, the SMC's MAC verified with that K_ASME
 * (equal to the truth's K_NASint), the key source naming the AIA frame and the request's IMSI,
 * the ESM information request deciphered as the UE logged it. Negatives: a K_ASME with one bit
 * flipped gives a failed SMC MAC, never a verified one; a wrong XRES a RES mismatch; another
 * RAND or another AUTN no context. Also the table's bound, duplicates, the S6a session tie and
 * the SBI JSON members.
 *
 * Usage: test_unit_tracker_capkeys VECTORS_JSON S01_TRUTH_JSON */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "capkeys.h"
#include "check.h"
#include "vec_util.h"
#include "hexutil.h"
#include "s01_pdus.h"
#include "sec_alg.h"
#include "subdb.h"
#include "tracker.h"
#include "gcrypt_init.h"

/* The ESM information request's plaintext as the UE logged it. */
static const uint8_t S01_ESM_INFO_REQ_PLAIN[] = {0x02, 0x01, 0xD9};
#define AIA_FRAME 2 /* where the test's S6a answer sits, before the Attach (frame 3) */
static const char S6A_SESSION[] = "mme.localdomain;1;s6a";

/* The HSS's vector and the UE's NAS keys for the s01 run, from its truth.json. */
typedef struct {
    char imsi[16];
    uint8_t rand[16], autn[16], xres[16], kasme[32], k_nas_int[16];
    size_t xres_len;
} s01_truth;

static bool load_truth(const char *path, s01_truth *t)
{
    JsonParser *parser;
    JsonObject *root = vec_load_object(path, &parser);
    if (!root)
        return false;
    JsonObject *epc = json_object_get_object_member(root, "epc");
    JsonObject *hss = json_array_get_object_element(json_object_get_array_member(epc, "hss"), 0);
    JsonObject *mme = json_array_get_object_element(json_object_get_array_member(epc, "mme_nas"), 0);
    JsonObject *sub = json_object_get_object_member(root, "subscriber");
    g_strlcpy(t->imsi, vec_str_or_empty(sub, "IMSI"), sizeof t->imsi);
    check_unhex(vec_str_or_empty(hss, "RAND"), t->rand, 16);
    check_unhex(vec_str_or_empty(hss, "AUTN_as_logged"), t->autn, 16);
    t->xres_len = check_unhex(vec_str_or_empty(hss, "XRES"), t->xres, 16);
    check_unhex(vec_str_or_empty(hss, "K_ASME"), t->kasme, 32);
    check_unhex(vec_str_or_empty(mme, "K_NASint"), t->k_nas_int, 16);
    g_object_unref(parser);
    return t->imsi[0] && t->xres_len;
}

typedef struct {
    kasme_subdb *db;
    kasme_tracker *tr;
    uint32_t frame;
    kasme_nas_result res;
    uint8_t plain[256];
} capture;

static void capture_open(capture *cap)
{
    memset(cap, 0, sizeof *cap);
    cap->db = kasme_subdb_new(); /* no key file */
    cap->tr = kasme_tracker_new(cap->db);
    cap->frame = AIA_FRAME;
}

static void capture_close(capture *cap)
{
    kasme_tracker_free(cap->tr);
    kasme_subdb_free(cap->db);
}

/* The vector as an S6a AIA in frame AIA_FRAME gives it, for the request's session. */
static kasme_capkey aia_vector(const s01_truth *t)
{
    kasme_capkey k = {.kind = KASME_CAPKEY_KASME, .origin = KASME_CAPKEY_S6A_AIA,
                      .frame = AIA_FRAME, .has_rand = true, .has_autn = true,
                      .xres_len = (uint8_t)t->xres_len};
    memcpy(k.rand, t->rand, 16);
    memcpy(k.autn, t->autn, 16);
    memcpy(k.xres, t->xres, 16);
    memcpy(k.key, t->kasme, 32);
    return k;
}

static const kasme_nas_result *feed_hex(capture *cap, int dir, const char *hex)
{
    uint8_t pdu[256];
    size_t n = check_unhex(hex, pdu, sizeof pdu);
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = dir,
                           .conn = kasme_conn_key(KASME_CONN_S1AP_ENB, 0, 1)};
    kasme_tracker_nas(cap->tr, &meta, pdu, n, cap->plain, &cap->res);
    return &cap->res;
}

/* The attach up to the SMC with one learned vector; returns the SMC's result. */
static const kasme_nas_result *attach_to_smc(capture *cap, const kasme_capkey *vector,
                                             uint32_t *auth_events, uint32_t *resp_events)
{
    capture_open(cap);
    kasme_tracker_s6a_request(cap->tr, S6A_SESSION, "001010123456780");
    kasme_capkey k = *vector;
    const char *imsi = kasme_tracker_s6a_imsi(cap->tr, S6A_SESSION);
    g_strlcpy(k.supi, imsi ? imsi : "", sizeof k.supi);
    check(kasme_tracker_learn_key(cap->tr, &k), "the AIA's vector is learned");
    feed_hex(cap, KASME_DIR_UL, S01_ATTACH_REQ);
    *auth_events = feed_hex(cap, KASME_DIR_DL, S01_AUTH_REQ)->events;
    *resp_events = feed_hex(cap, KASME_DIR_UL, S01_AUTH_RESP)->events;
    return feed_hex(cap, KASME_DIR_DL, S01_SMC);
}

static void test_s01_from_aia(const s01_truth *t)
{
    set_run("s01, K_ASME from an S6a AIA, no key file");
    capture cap;
    uint32_t auth, resp;
    kasme_capkey v = aia_vector(t);
    const kasme_nas_result *r = attach_to_smc(&cap, &v, &auth, &resp);
    check(auth & KASME_EV_CAPTURE_VECTOR, "Authentication Request matched by RAND (events %#x)", auth);
    check(!(auth & KASME_EV_AKA_NO_MATCH), "no 'no subscriber matches' with no key file");
    check(resp & KASME_EV_RES_OK, "RES equals the AIA's XRES (events %#x)", resp);
    check(r->mac_status == KASME_MAC_GOOD && (r->events & KASME_EV_SMC_CONTEXT),
          "SMC MAC verified with the learned K_ASME (status %d)", r->mac_status);
    check(r->has_kasme && memcmp(r->kasme, t->kasme, 32) == 0, "K_ASME is the HSS's");
    check(r->has_nas_keys && memcmp(r->k_nas_int, t->k_nas_int, 16) == 0,
          "K_NASint equals the MME's");
    char who[128] = "";
    if (r->ctx.sub)
        kasme_subscriber_describe(r->ctx.sub, who, sizeof who);
    char want[128];
    snprintf(want, sizeof want, "S6a AIA in frame %d, imsi %s", AIA_FRAME, t->imsi);
    check(r->ctx.sub && r->ctx.sub->in_capture && strcmp(who, want) == 0,
          "key source '%s' (want '%s')", who, want);
    check(r->ctx.aka_frame == 4 && r->ctx.smc_frame == 6 && strcmp(r->imsi, t->imsi) == 0,
          "AKA frame %u, SMC frame %u, IMSI %s", r->ctx.aka_frame, r->ctx.smc_frame, r->imsi);
    feed_hex(&cap, KASME_DIR_UL, S01_SMC_COMPLETE);
    check(cap.res.mac_status == KASME_MAC_GOOD, "SMC complete MAC verified");
    r = feed_hex(&cap, KASME_DIR_DL, S01_ESM_INFO_REQ);
    check(r->mac_status == KASME_MAC_GOOD && r->plain_len == sizeof S01_ESM_INFO_REQ_PLAIN &&
              memcmp(cap.plain, S01_ESM_INFO_REQ_PLAIN, r->plain_len) == 0,
          "ESM information request deciphered as the UE logged it");
    check(kasme_tracker_capkey_count(cap.tr) == 1, "one key learned");
    capture_close(&cap);
}

static void test_s01_negatives(const s01_truth *t)
{
    capture cap;
    uint32_t auth, resp;
    kasme_capkey v = aia_vector(t);

    set_run("s01, a K_ASME with one bit flipped");
    v.key[31] ^= 1;
    const kasme_nas_result *r = attach_to_smc(&cap, &v, &auth, &resp);
    check(r->mac_status == KASME_MAC_BAD, "SMC MAC shown failed (status %d)", r->mac_status);
    feed_hex(&cap, KASME_DIR_UL, S01_SMC_COMPLETE);
    check(cap.res.mac_status != KASME_MAC_GOOD, "nothing verifies after it");
    capture_close(&cap);

    set_run("s01, a wrong XRES");
    v = aia_vector(t);
    v.xres[0] ^= 0x80;
    r = attach_to_smc(&cap, &v, &auth, &resp);
    check((resp & KASME_EV_RES_BAD) && !(resp & KASME_EV_RES_OK), "RES differs (events %#x)", resp);
    capture_close(&cap);

    set_run("s01, another RAND");
    v = aia_vector(t);
    v.rand[5] ^= 1;
    r = attach_to_smc(&cap, &v, &auth, &resp);
    check(!(auth & KASME_EV_CAPTURE_VECTOR) && r->status == KASME_PDU_NO_CONTEXT,
          "no vector matched, SMC without context (status %d)", r->status);
    capture_close(&cap);

    set_run("s01, the RAND with another AUTN");
    v = aia_vector(t);
    v.autn[15] ^= 1;
    r = attach_to_smc(&cap, &v, &auth, &resp);
    check(!(auth & KASME_EV_CAPTURE_VECTOR) && r->status == KASME_PDU_NO_CONTEXT,
          "vector not used (status %d)", r->status);
    capture_close(&cap);
}

static void test_table_bounds(void)
{
    set_run("table bounds");
    kasme_subdb *db = kasme_subdb_new();
    kasme_tracker *tr = kasme_tracker_new(db);
    kasme_capkey k = {.kind = KASME_CAPKEY_KASME, .origin = KASME_CAPKEY_S6A_AIA,
                      .has_rand = true};
    unsigned learned = 0;
    for (uint32_t i = 0; i < KASME_CAPKEY_MAX + 10; i++) {
        memcpy(k.rand, &i, sizeof i);
        k.frame = i + 1;
        learned += kasme_tracker_learn_key(tr, &k);
    }
    check(learned == KASME_CAPKEY_MAX && kasme_tracker_capkey_count(tr) == KASME_CAPKEY_MAX,
          "at most %d keys (learned %u)", KASME_CAPKEY_MAX, learned);
    kasme_tracker_free(tr);
    tr = kasme_tracker_new(db);
    check(kasme_tracker_learn_key(tr, &k) && !kasme_tracker_learn_key(tr, &k),
          "the same vector again (an SCP forwarding it) is not a second entry");
    kasme_capkey no_rand = k;
    no_rand.has_rand = false;
    kasme_capkey kseaf = {.kind = KASME_CAPKEY_KSEAF, .origin = KASME_CAPKEY_NAUSF_CONFIRM};
    check(!kasme_tracker_learn_key(tr, &no_rand) && !kasme_tracker_learn_key(tr, &kseaf),
          "a K_ASME without RAND, a K_SEAF without SUPI: refused");
    check(kasme_tracker_s6a_imsi(tr, "unknown;session") == NULL, "no IMSI for an unknown session");
    for (int i = 0; i < KASME_CAPKEY_SESSIONS + 1; i++) {
        char session[32];
        snprintf(session, sizeof session, "s;%d", i);
        kasme_tracker_s6a_request(tr, session, "001010000000001");
    }
    check(kasme_tracker_s6a_imsi(tr, "s;0") == NULL && kasme_tracker_s6a_imsi(tr, "s;1") != NULL,
          "S6a sessions: the oldest of %d forgotten", KASME_CAPKEY_SESSIONS + 1);
    kasme_tracker_free(tr);
    kasme_subdb_free(db);
}

static void test_sbi_body(void)
{
    set_run("SBI JSON bodies");
    static const char *udm[] = {
        "authType:5G_AKA", "avType:5G_HE_AKA", "rand:40aa7b857d1884bf9a7c18468970b748",
        "autn:ffc44da7cbcd80001618567aa122ddb2", "xresStar:2021ecfe6bd35996f0117e3756a0cc2b",
        "kausf:e904e49d2d1cf8069808ebb5ae9f0b0dcc2fb674919a7b1c0d0f5f7be727959e",
        "supi:imsi-999700000000001"};
    kasme_sbi_body body;
    kasme_capkey k;
    kasme_sbi_body_init(&body);
    for (size_t i = 0; i < G_N_ELEMENTS(udm); i++)
        kasme_sbi_body_member(&body, udm[i]);
    uint8_t rand[16], kausf[32];
    check_unhex("40aa7b857d1884bf9a7c18468970b748", rand, 16);
    check_unhex("e904e49d2d1cf8069808ebb5ae9f0b0dcc2fb674919a7b1c0d0f5f7be727959e", kausf, 32);
    check(kasme_sbi_body_key(&body, 94, &k) && k.kind == KASME_CAPKEY_KAUSF && k.has_rand &&
              memcmp(k.rand, rand, 16) == 0 && memcmp(k.key, kausf, 32) == 0 &&
              k.xres_len == 16 && k.has_autn && strcmp(k.supi, "999700000000001") == 0 &&
              k.frame == 94,
          "Nudm_UEAU answer: K_AUSF vector with RAND, XRES*, AUTN and SUPI");
    kasme_sbi_body_init(&body);
    kasme_sbi_body_member(&body, "authResult:AUTHENTICATION_SUCCESS");
    kasme_sbi_body_member(&body, "supi:imsi-999700000000001");
    kasme_sbi_body_member(&body, "kseaf:e33a4132a203ded494cb67b8f705ffc4fd06752b58340e6424d9e83524b0820b");
    check(kasme_sbi_body_key(&body, 212, &k) && k.kind == KASME_CAPKEY_KSEAF &&
              strcmp(k.supi, "999700000000001") == 0,
          "Nausf confirmation: K_SEAF with SUPI");
    kasme_sbi_body_init(&body);
    kasme_sbi_body_member(&body, "rand:40aa7b857d1884bf9a7c18468970b748");
    kasme_sbi_body_member(&body, "hxresStar:2021ecfe6bd35996f0117e3756a0cc2b");
    kasme_sbi_body_member(&body, "kausf:e904e49d2d1cf8069808ebb5ae9f0b0dcc2fb674919a7b1c0d0f5f7be727"); /* short */
    check(!kasme_sbi_body_key(&body, 1, &k), "a body without a whole key carries none");
    kasme_sbi_body_init(&body);
    kasme_sbi_body_member(&body, "supi:nai-user@example.org");
    kasme_sbi_body_member(&body, "kseaf:e33a4132a203ded494cb67b8f705ffc4fd06752b58340e6424d9e83524b0820b");
    check(!kasme_sbi_body_key(&body, 1, &k), "a K_SEAF of an NAI (no IMSI) is not taken");
    kasme_sbi_body_wipe(&body);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s VECTORS_JSON S01_TRUTH_JSON\n", argv[0]);
        return 2;
    }
    kasme_gcrypt_init();
    s01_truth truth;
    bool loaded = load_truth(argv[2], &truth);
    check(loaded, "truth %s read", argv[2]);
    if (loaded) {
        test_s01_from_aia(&truth);
        test_s01_negatives(&truth);
    }
    test_table_bounds();
    test_sbi_body();
    return check_report("unit_tracker_capkeys");
}
