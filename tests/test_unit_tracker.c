/* Unit tests of the per-UE security tracker (plugin/core/tracker*.c).
 *
 * The network side (HSS, MME, UE) is played by tests/tracker_fixture.c from the crypto
 * primitives, so every expected key, COUNT and plaintext is computed here from keys the test
 * made itself, never read back from the tracker. PDUs are fed in capture order as a carrier
 * (S1AP) would: frame number, direction, connection key, S-TMSI and serving-network hints.
 *
 * Scenarios: full attach; NAS COUNT overflow, gaps and replays; re-keying (AKA + SMC with a
 * new KSI, in plain and in protected PDUs, and algorithm-only SMCs); Service Request after an
 * S1 release; interleaved UEs; tampering; unknown subscriber / wrong K; K_ASME from the key
 * file; hostile and truncated input (run it under -DKASME_SANITIZE=ON as well); the work
 * budgets hostile input meets (the search for an unplaced PDU's UE, contexts per NAS SMC).
 *
 * Checks that show a tracker bug are reported as "KNOWN BUG" and counted as failed. */

/* The build compiles each tests/test_unit_*.c on its own, so the fixture comes in here. */
#include "tracker_fixture.c"
#include "pack_round_trip.c"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "check.h"
#include "kdf.h"
#include "keyfile.h"
#include "milenage.h"
#include "sec_alg.h"
#include "subdb.h"
#include "tracker.h"

static void section(const char *name)
{
    printf("tracker: %s\n", name);
}

/* ---- subscribers ---- */

/* srsRAN's default test SIM. */
static const char IMSI_A[] = "001010123456780";
static const char K_A[] = "00112233445566778899aabbccddeeff";
static const char OPC_A[] = "63bfa50ee6523365ff14c1f45f88737d";
/* MILENAGE test set 1 of TS 35.207. */
static const char IMSI_B[] = "001010000000001";
static const char K_B[] = "465b5ce8b199b49faa5f0a2ee238a6bc";
static const char OPC_B[] = "cd63cb71954a9f4e48a5994e37a02baf";
/* A roaming XOR test SIM (home PLMN 208-93) served by 001-01. */
static const char IMSI_C[] = "208930000000003";
static const char K_C[] = "000102030405060708090a0b0c0d0e0f";
static const char IMSI_D[] = "001010000000004";
static const char K_D[] = "0f0e0d0c0b0a09080706050403020100";
static const char OPC_D[] = "00112233445566778899aabbccddeeff";

/* The real Attach accept plaintext of srsRAN capture s01 (GUTI M-TMSI 0x75871df4). */
static const char ATTACH_ACCEPT_HEX[] =
    "0742013e060000f1100007001d5201c10107070673727361706e0501ac100002270880000d0408080808500b"
    "f600f11000011a75871df41300f11000062305f475871df4";
static const uint32_t ATTACH_ACCEPT_M_TMSI = 0x75871df4;
static const uint8_t ATTACH_COMPLETE[] = {0x07, 0x43, 0x00, 0x03, 0x52, 0x00, 0xC2};

static void rand_for(uint8_t seed, uint8_t rand[16])
{
    for (int i = 0; i < 16; i++)
        rand[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

/* ---- the capture: a tracker and the carrier that feeds it ---- */

typedef struct {
    kasme_subdb *db;
    kasme_tracker *tr;
    uint32_t frame;
    kasme_nas_result res;
    uint8_t plain[FX_MAX_PDU];
} capture;

/* What a carrier may know besides the connection: S-TMSI and serving-network candidates. */
typedef struct {
    bool has_m_tmsi;
    uint32_t m_tmsi;
    const uint8_t (*plmns)[3];
    size_t n_plmns;
} carrier_hints;

static const carrier_hints NO_HINTS = {0};

static void capture_open(capture *cap, const char *keyfile_text)
{
    memset(cap, 0, sizeof *cap);
    cap->db = kasme_subdb_new();
    int added = kasme_keyfile_load_buffer("test.keys", keyfile_text, strlen(keyfile_text),
                                          cap->db, NULL, NULL);
    check(added > 0, "key file for the capture: %d entries loaded", added);
    cap->tr = kasme_tracker_new(cap->db);
}

static void capture_close(capture *cap)
{
    kasme_tracker_free(cap->tr);
    kasme_subdb_free(cap->db);
}

/* The key-file text for up to four subscribers (NULL ends the list). */
static char *keyfile_for(const fx_ue *a, const fx_ue *b, const fx_ue *c, const fx_ue *d)
{
    const fx_ue *ues[] = {a, b, c, d};
    GString *text = g_string_new(NULL);
    for (size_t i = 0; i < 4 && ues[i]; i++) {
        char line[256];
        fx_keyfile_line(ues[i], line, sizeof line);
        g_string_append_printf(text, "%s\n", line);
    }
    return g_string_free(text, FALSE);
}


static const kasme_nas_result *feed_hinted(capture *cap, uint64_t conn, int dir,
                                           const carrier_hints *hints, const uint8_t *pdu,
                                           size_t len)
{
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = dir, .conn = conn,
                           .has_m_tmsi = hints->has_m_tmsi, .m_tmsi = hints->m_tmsi,
                           .plmns = hints->plmns, .n_plmns = hints->n_plmns};
    memset(cap->plain, 0, sizeof cap->plain);
    kasme_tracker_nas(cap->tr, &meta, pdu, len, cap->plain, &cap->res);
    check_round_trip(cap->tr, pdu, len, &cap->res, cap->plain, true, meta.frame);
    return &cap->res;
}

static const kasme_nas_result *feed(capture *cap, uint64_t conn, int dir, const uint8_t *pdu,
                                    size_t len)
{
    return feed_hinted(cap, conn, dir, &NO_HINTS, pdu, len);
}

/* Protects inner with the UE's current context and feeds it; *count gets the COUNT used. */
static const kasme_nas_result *send_protected(capture *cap, fx_ue *ue, uint8_t sec_hdr,
                                              int dir, const uint8_t *inner, size_t len,
                                              uint32_t *count)
{
    uint8_t pdu[FX_MAX_PDU];
    size_t n = fx_send(&ue->ctx, sec_hdr, dir, inner, len, pdu, count);
    return feed(cap, ue->conn, dir, pdu, n);
}

static const char *dir_name(int dir)
{
    return dir == KASME_DIR_UL ? "UL" : dir == KASME_DIR_DL ? "DL" : "?";
}

/* The PDU was deciphered with a GOOD MAC, the expected COUNT, direction and plaintext. */
static bool deciphered_as(const capture *cap, uint32_t count, int dir, const uint8_t *inner,
                          size_t len)
{
    const kasme_nas_result *r = &cap->res;
    return r->status == KASME_PDU_DECIPHERED && r->mac_status == KASME_MAC_GOOD &&
           r->count == count && r->dir == dir && r->plain_is_inner && r->plain_len == len &&
           memcmp(cap->plain, inner, len) == 0;
}

static void check_deciphered(const capture *cap, uint32_t count, int dir, const uint8_t *inner,
                             size_t len, const char *what)
{
    const kasme_nas_result *r = &cap->res;
    check(deciphered_as(cap, count, dir, inner, len),
          "%s: want DECIPHERED/GOOD %s COUNT %u; got status %d mac %d dir %s COUNT %u "
          "plain_len %zu (want %zu) plain %s",
          what, dir_name(dir), count, r->status, r->mac_status, dir_name(r->dir), r->count,
          r->plain_len, len,
          r->plain_len == len && memcmp(cap->plain, inner, len) == 0 ? "equal" : "differs");
}

/* Sends an EMM information (DL) or Uplink NAS transport (UL) and checks its result. */
static void exchange_checked(capture *cap, fx_ue *ue, int dir, uint32_t tag, const char *what)
{
    uint8_t inner[32];
    size_t len = dir == KASME_DIR_DL ? fx_emm_information_inner(tag, inner)
                                     : fx_ul_nas_transport_inner(tag, inner);
    uint32_t count;
    send_protected(cap, ue, 2, dir, inner, len, &count);
    check_deciphered(cap, count, dir, inner, len, what);
}

/* The same, for a check that a known tracker bug makes fail. */
static void exchange_verdict(capture *cap, fx_ue *ue, int dir, uint32_t tag, bool expect_bug,
                             const char *what)
{
    if (!expect_bug) {
        exchange_checked(cap, ue, dir, tag, what);
        return;
    }
    uint8_t inner[32];
    size_t len = dir == KASME_DIR_DL ? fx_emm_information_inner(tag, inner)
                                     : fx_ul_nas_transport_inner(tag, inner);
    uint32_t count;
    send_protected(cap, ue, 2, dir, inner, len, &count);
    known_bug(deciphered_as(cap, count, dir, inner, len),
              "%s: want GOOD %s COUNT %u; got status %d mac %d COUNT %u", what, dir_name(dir),
              count, cap->res.status, cap->res.mac_status, cap->res.count);
}

static bool key_equals(const uint8_t *got, const uint8_t *want, size_t n)
{
    return memcmp(got, want, n) == 0;
}

/* ---- the attach, step by step ---- */

/* What the tracker said at the important steps of an attach. */
typedef struct {
    uint32_t ue_id;
    uint32_t ctx_id;
    uint32_t aka_frame, smc_frame;
} attach_ids;

typedef struct {
    int ksi;
    uint8_t eea, eia;
    uint8_t rand_seed;
    uint64_t sqn;
    const carrier_hints *hints;
} attach_plan;

static const kasme_nas_result *send_plain(capture *cap, const fx_ue *ue, int dir,
                                          const carrier_hints *hints, const uint8_t *pdu,
                                          size_t len)
{
    return feed_hinted(cap, ue->conn, dir, hints, pdu, len);
}

static void step_attach_request(capture *cap, const fx_ue *ue, const attach_plan *p,
                                attach_ids *ids)
{
    uint8_t pdu[FX_MAX_PDU];
    size_t n = fx_attach_request_imsi(ue->imsi, pdu);
    const kasme_nas_result *r = send_plain(cap, ue, KASME_DIR_UL, p->hints, pdu, n);
    ids->ue_id = r->ue_id;
    check(r->status == KASME_PDU_PLAIN && (r->events & KASME_EV_IDENTITY) && r->ue_id != 0 &&
              strcmp(r->imsi, ue->imsi) == 0,
          "%s attach request: status %d events %#x ue %u imsi '%s'", ue->imsi, r->status,
          r->events, r->ue_id, r->imsi);
}

static void step_aka(capture *cap, fx_ue *ue, const attach_plan *p, attach_ids *ids)
{
    uint8_t pdu[FX_MAX_PDU], rand[16];
    rand_for(p->rand_seed, rand);
    size_t n = fx_auth_request(ue, p->ksi, rand, p->sqn, pdu);
    const kasme_nas_result *r = send_plain(cap, ue, KASME_DIR_DL, p->hints, pdu, n);
    ids->aka_frame = cap->frame;
    check((r->events & KASME_EV_AKA_MATCH) && !(r->events & KASME_EV_AKA_NO_MATCH) &&
              r->ue_id == ids->ue_id,
          "%s authentication request: events %#x ue %u (want AKA_MATCH, ue %u)", ue->imsi,
          r->events, r->ue_id, ids->ue_id);
    n = fx_auth_response(ue, 8, pdu);
    r = send_plain(cap, ue, KASME_DIR_UL, p->hints, pdu, n);
    check((r->events & KASME_EV_RES_OK) && !(r->events & KASME_EV_RES_BAD),
          "%s authentication response: events %#x (want RES_OK)", ue->imsi, r->events);
}

static void step_smc(capture *cap, fx_ue *ue, const attach_plan *p, attach_ids *ids)
{
    uint8_t inner[16], pdu[FX_MAX_PDU];
    fx_ctx_from_kasme(&ue->ctx, ue->vector.kasme, p->ksi, p->eea, p->eia);
    size_t len = fx_smc_inner(p->eea, p->eia, p->ksi, inner);
    size_t n = fx_send(&ue->ctx, 3, KASME_DIR_DL, inner, len, pdu, NULL);
    const kasme_nas_result *r = send_plain(cap, ue, KASME_DIR_DL, p->hints, pdu, n);
    ids->ctx_id = r->ctx.ctx_id;
    ids->smc_frame = cap->frame;
    check((r->events & KASME_EV_SMC_CONTEXT) && r->has_ctx && r->ctx.ksi == p->ksi &&
              r->ctx.eea == p->eea && r->ctx.eia == p->eia && r->has_kasme &&
              key_equals(r->kasme, ue->ctx.kasme, 32),
          "%s SMC: events %#x ksi %d eea %u eia %u, K_ASME %s", ue->imsi, r->events, r->ctx.ksi,
          r->ctx.eea, r->ctx.eia, key_equals(r->kasme, ue->ctx.kasme, 32) ? "right" : "wrong");
    check_deciphered(cap, 0, KASME_DIR_DL, inner, len, "SMC");
}

static void step_smc_complete(capture *cap, fx_ue *ue, attach_ids *ids)
{
    uint8_t inner[4], kenb[32];
    size_t len = fx_smc_complete_inner(inner);
    uint32_t count;
    const kasme_nas_result *r = send_protected(cap, ue, 4, KASME_DIR_UL, inner, len, &count);
    check_deciphered(cap, count, KASME_DIR_UL, inner, len, "SMC complete");
    fx_kenb(&ue->ctx, count, kenb);
    check(r->ctx.ctx_id == ids->ctx_id && (r->events & KASME_EV_KENB_DERIVED) && r->has_kenb &&
              r->kenb_ul_count == count && key_equals(r->kenb, kenb, 32),
          "%s SMC complete: ctx %u (want %u) events %#x K_eNB %s from UL COUNT %u", ue->imsi,
          r->ctx.ctx_id, ids->ctx_id, r->events,
          key_equals(r->kenb, kenb, 32) ? "right" : "wrong", r->kenb_ul_count);
}

/* Attach request, AKA, SMC and SMC complete; the UE ends with an active context. */
static void attach(capture *cap, fx_ue *ue, const attach_plan *p, attach_ids *ids)
{
    step_attach_request(cap, ue, p, ids);
    step_aka(cap, ue, p, ids);
    step_smc(cap, ue, p, ids);
    step_smc_complete(cap, ue, ids);
}

static const attach_plan EEA2_EIA2_KSI0 = {.ksi = 0, .eea = 2, .eia = 2, .rand_seed = 1,
                                           .sqn = 0x20, .hints = &NO_HINTS};

/* Sends the Attach accept (with the GUTI) and the Attach complete. */
static void finish_attach(capture *cap, fx_ue *ue)
{
    uint8_t accept[128];
    size_t len = fx_unhex(ATTACH_ACCEPT_HEX, accept, sizeof accept);
    uint32_t count;
    const kasme_nas_result *r = send_protected(cap, ue, 2, KASME_DIR_DL, accept, len, &count);
    check_deciphered(cap, count, KASME_DIR_DL, accept, len, "attach accept");
    check(r->events & KASME_EV_IDENTITY, "attach accept: events %#x, want IDENTITY (GUTI)",
          r->events);
    send_protected(cap, ue, 2, KASME_DIR_UL, ATTACH_COMPLETE, sizeof ATTACH_COMPLETE, &count);
    check_deciphered(cap, count, KASME_DIR_UL, ATTACH_COMPLETE, sizeof ATTACH_COMPLETE,
                     "attach complete");
}

/* ---- 0. The fixture against a real capture ---- */

/* srsRAN capture s01-eea2-eia2, UE IMSI_A. */
#include "s01_pdus.h"
static const uint8_t S01_ESM_INFO_REQ_PLAIN[] = {0x02, 0x01, 0xD9};
/* srsRAN capture s12-paging (128-EEA1/128-EIA3): its SMC and the Service Request after paging. */
static const char S12_AUTH_REQ[] =
    "075200682d96113b47988b65edcd468b5d0e5d10755d61f60374800090119bd78d20bd64";
static const char S12_SMC[] = "375c33ab3900075d130002f070";
static const char S12_SERVICE_REQ[] = "c7032e93";

/* SQN of a real AUTN: its first six octets xor AK. */
static uint64_t sqn_of_autn(const fx_ue *ue, const uint8_t rand[16], const uint8_t autn[16])
{
    uint8_t ak[6];
    uint64_t sqn = 0;
    if (milenage_f2345(ue->k, ue->opc, rand, NULL, NULL, NULL, ak, NULL))
        fx_die("MILENAGE failed");
    for (int i = 0; i < 6; i++)
        sqn = sqn << 8 | (uint8_t)(autn[i] ^ ak[i]);
    return sqn;
}

static void check_fixture_pdu(const uint8_t *made, size_t made_len, const char *real_hex,
                              const char *what)
{
    uint8_t real[FX_MAX_PDU];
    size_t real_len = fx_unhex(real_hex, real, sizeof real);
    check(made_len == real_len && memcmp(made, real, real_len) == 0,
          "fixture: %s differs from the real capture's", what);
}

/* The fixture rebuilds the captured PDUs octet for octet from K/OPc alone. */
static void fixture_matches_capture(fx_ue *ue)
{
    uint8_t real[FX_MAX_PDU], made[FX_MAX_PDU], inner[16];
    fx_unhex(S01_AUTH_REQ, real, sizeof real);
    uint64_t sqn = sqn_of_autn(ue, real + 3, real + 20);
    check_fixture_pdu(made, fx_auth_request(ue, 0, real + 3, sqn, made), S01_AUTH_REQ,
                      "authentication request (AUTN = SQN^AK || AMF || MAC-A)");
    check_fixture_pdu(made, fx_auth_response(ue, 8, made), S01_AUTH_RESP, "RES");
    fx_ctx_from_kasme(&ue->ctx, ue->vector.kasme, 0, 2, 2);
    size_t len = fx_smc_inner(2, 2, 0, inner);
    check_fixture_pdu(made, fx_protect(&ue->ctx, 3, KASME_DIR_DL, 0, inner, len, made),
                      S01_SMC, "SMC (K_ASME, K_NASint, NAS-MAC)");
    len = fx_smc_complete_inner(inner);
    check_fixture_pdu(made, fx_protect(&ue->ctx, 4, KASME_DIR_UL, 0, inner, len, made),
                      S01_SMC_COMPLETE, "SMC complete (K_NASenc, EEA2)");
    check_fixture_pdu(made,
                      fx_protect(&ue->ctx, 2, KASME_DIR_DL, 1, S01_ESM_INFO_REQ_PLAIN,
                                 sizeof S01_ESM_INFO_REQ_PLAIN, made),
                      S01_ESM_INFO_REQ, "ESM information request (DL COUNT 1)");
}

/* The Service Request's short MAC (EIA3) as the fixture makes it. */
static void fixture_matches_service_request(fx_ue *ue)
{
    if (!kasme_alg_available(1) || !kasme_alg_available(3))
        return;
    uint8_t real[FX_MAX_PDU], made[FX_MAX_PDU], inner[16];
    fx_unhex(S12_AUTH_REQ, real, sizeof real);
    fx_auth_request(ue, 0, real + 3, sqn_of_autn(ue, real + 3, real + 20), made);
    fx_ctx_from_kasme(&ue->ctx, ue->vector.kasme, 0, 1, 3);
    size_t len = fx_smc_inner(1, 3, 0, inner);
    check_fixture_pdu(made, fx_protect(&ue->ctx, 3, KASME_DIR_DL, 0, inner, len, made),
                      S12_SMC, "s12 SMC (EIA3)");
    check_fixture_pdu(made, fx_service_request(&ue->ctx, 3, made), S12_SERVICE_REQ,
                      "s12 service request at UL COUNT 3 (short MAC)");
}

static const kasme_nas_result *feed_hex(capture *cap, uint64_t conn, int dir, const char *hex)
{
    uint8_t pdu[FX_MAX_PDU];
    size_t n = fx_unhex(hex, pdu, sizeof pdu);
    return feed(cap, conn, dir, pdu, n);
}

/* The tracker on the captured PDUs themselves. */
static void tracker_on_capture(const fx_ue *ue)
{
    capture cap;
    char *keys = keyfile_for(ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    feed_hex(&cap, ue->conn, KASME_DIR_UL, S01_ATTACH_REQ);
    check(feed_hex(&cap, ue->conn, KASME_DIR_DL, S01_AUTH_REQ)->events & KASME_EV_AKA_MATCH,
          "s01: authentication request: events %#x", cap.res.events);
    check(feed_hex(&cap, ue->conn, KASME_DIR_UL, S01_AUTH_RESP)->events & KASME_EV_RES_OK,
          "s01: authentication response: events %#x", cap.res.events);
    feed_hex(&cap, ue->conn, KASME_DIR_DL, S01_SMC);
    check(cap.res.mac_status == KASME_MAC_GOOD && key_equals(cap.res.kasme, ue->ctx.kasme, 32),
          "s01: SMC mac %d, K_ASME %s", cap.res.mac_status,
          key_equals(cap.res.kasme, ue->ctx.kasme, 32) ? "right" : "wrong");
    feed_hex(&cap, ue->conn, KASME_DIR_UL, S01_SMC_COMPLETE);
    check_deciphered(&cap, 0, KASME_DIR_UL, (const uint8_t *)"\x07\x5e", 2, "s01: SMC complete");
    feed_hex(&cap, ue->conn, KASME_DIR_DL, S01_ESM_INFO_REQ);
    check_deciphered(&cap, 1, KASME_DIR_DL, S01_ESM_INFO_REQ_PLAIN,
                     sizeof S01_ESM_INFO_REQ_PLAIN, "s01: ESM information request");
    capture_close(&cap);
    g_free(keys);
}

static void test_fixture_anchor(void)
{
    section("0. fixture and tracker on a real capture (srsRAN s01)");
    fx_ue ue;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 100);
    fixture_matches_capture(&ue);
    tracker_on_capture(&ue);
    fixture_matches_service_request(&ue);
}

/* ---- 1. Full attach ---- */

static void check_smc_details(const capture *cap, const fx_ue *ue, const attach_ids *ids)
{
    const kasme_nas_result *r = &cap->res;
    check(r->mac_status == KASME_MAC_GOOD && r->ctx.aka_frame == ids->aka_frame &&
              r->ctx.smc_frame == ids->smc_frame && !r->ctx.from_keyfile_kasme &&
              r->ctx.sub && strcmp(r->ctx.sub->imsi, ue->imsi) == 0 &&
              memcmp(r->ctx.sn_id, FX_SN_ID, 3) == 0,
          "SMC context: aka_frame %u (want %u) smc_frame %u (want %u) sn %02x%02x%02x",
          r->ctx.aka_frame, ids->aka_frame, r->ctx.smc_frame, ids->smc_frame, r->ctx.sn_id[0],
          r->ctx.sn_id[1], r->ctx.sn_id[2]);
    check(r->has_nas_keys && key_equals(r->k_nas_enc, ue->ctx.k_nas_enc, 16) &&
              key_equals(r->k_nas_int, ue->ctx.k_nas_int, 16),
          "SMC: K_NASenc/K_NASint differ from the fixture's");
}

static void check_kenb_round_trip(const kasme_kenb_result *kr)
{
    kasme_kenb_packed p;
    kasme_kenb_result u;
    bool packed = kasme_kenb_pack(kr, &p);
    check(packed, "a K_eNB verdict (%d) was refused by kasme_kenb_pack", kr->verdict);
    if (!packed)
        return;
    kasme_kenb_unpack(&p, &u);
    check(u.verdict == kr->verdict && u.ue_id == kr->ue_id && u.ul_count == kr->ul_count &&
          u.ctx_id == kr->ctx_id && same_why(u.why, kr->why),
          "the unpacked K_eNB verdict differs from the first pass's");
}

static void check_s1ap_kenb(capture *cap, const fx_ue *ue, uint32_t ul_count, const char *what)
{
    uint8_t kenb[32];
    kasme_kenb_result kr;
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = KASME_DIR_DL, .conn = ue->conn};
    fx_kenb(&ue->ctx, ul_count, kenb);
    kasme_tracker_an_key(cap->tr, KASME_DOMAIN_EPS, &meta, kenb, &kr);
    check_kenb_round_trip(&kr);
    check(kr.verdict == KASME_KENB_CONFIRMED && kr.ul_count == ul_count,
          "%s: S1AP K_eNB verdict %d UL COUNT %u (want CONFIRMED, %u)", what, kr.verdict,
          kr.ul_count, ul_count);
    kenb[0] ^= 1;
    kasme_tracker_an_key(cap->tr, KASME_DOMAIN_EPS, &meta, kenb, &kr);
    check_kenb_round_trip(&kr);
    check(kr.verdict == KASME_KENB_MISMATCH, "%s: a wrong K_eNB gives verdict %d", what,
          kr.verdict);
}

static void check_res_bad(capture *cap, fx_ue *ue)
{
    uint8_t pdu[32];
    size_t n = fx_auth_response(ue, 8, pdu);
    pdu[n - 1] ^= 0x01;
    const kasme_nas_result *r = feed(cap, ue->conn, KASME_DIR_UL, pdu, n);
    check((r->events & KASME_EV_RES_BAD) && !(r->events & KASME_EV_RES_OK),
          "wrong RES: events %#x (want RES_BAD)", r->events);
}

/* A carrier that does not know the direction (KASME_DIR_UNKNOWN): the MAC decides. */
static void send_direction_unknown(capture *cap, fx_ue *ue, int true_dir, uint32_t tag)
{
    uint8_t inner[32], pdu[FX_MAX_PDU];
    size_t len = true_dir == KASME_DIR_DL ? fx_emm_information_inner(tag, inner)
                                          : fx_ul_nas_transport_inner(tag, inner);
    uint32_t count;
    size_t n = fx_send(&ue->ctx, 2, true_dir, inner, len, pdu, &count);
    feed(cap, ue->conn, KASME_DIR_UNKNOWN, pdu, n);
    check_deciphered(cap, count, true_dir, inner, len, "direction unknown to the carrier");
}

static void test_full_attach(void)
{
    section("1. full attach");
    capture cap;
    fx_ue ue;
    attach_ids ids;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 1);
    char *keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    const attach_plan *p = &EEA2_EIA2_KSI0;

    step_attach_request(&cap, &ue, p, &ids);
    check(!(cap.res.events & KASME_EV_UNKNOWN_SUBSCRIBER), "known IMSI flagged unknown");
    step_aka(&cap, &ue, p, &ids);
    check_res_bad(&cap, &ue);
    step_smc(&cap, &ue, p, &ids);
    check_smc_details(&cap, &ue, &ids);
    step_smc_complete(&cap, &ue, &ids);
    check_s1ap_kenb(&cap, &ue, 0, "after SMC complete");
    finish_attach(&cap, &ue);
    for (uint32_t i = 0; i < 4; i++) {
        exchange_checked(&cap, &ue, KASME_DIR_DL, 0x100 + i, "attach: DL EMM information");
        check(cap.res.ctx.ctx_id == ids.ctx_id && cap.res.ue_id == ids.ue_id,
              "DL: ctx %u ue %u", cap.res.ctx.ctx_id, cap.res.ue_id);
        exchange_checked(&cap, &ue, KASME_DIR_UL, 0x200 + i, "attach: UL NAS transport");
    }
    send_direction_unknown(&cap, &ue, KASME_DIR_DL, 0x300);
    send_direction_unknown(&cap, &ue, KASME_DIR_UL, 0x301);
    kasme_tracker_stats st;
    kasme_tracker_get_stats(cap.tr, &st);
    check(st.ues == 1 && st.aka_seen == 1 && st.aka_matched == 1 && st.smc_verified == 1,
          "stats: ues %u aka %u/%u smc %u", st.ues, st.aka_matched, st.aka_seen,
          st.smc_verified);
    capture_close(&cap);
    g_free(keys);
}

/* ---- 2. NAS COUNT overflow, gaps, replays ---- */

/* Sends n messages in one direction, each checked for COUNT, MAC and plaintext. */
static void run_many(capture *cap, fx_ue *ue, int dir, unsigned n, uint32_t tag_base)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t inner[32];
        size_t len = dir == KASME_DIR_DL ? fx_emm_information_inner(tag_base + i, inner)
                                         : fx_ul_nas_transport_inner(tag_base + i, inner);
        uint32_t count;
        send_protected(cap, ue, 2, dir, inner, len, &count);
        bool ok = deciphered_as(cap, count, dir, inner, len) &&
                  !(cap->res.events & KASME_EV_COUNT_REPLAY);
        check(ok, "%s message %u: want COUNT %u GOOD; got COUNT %u mac %d events %#x",
              dir_name(dir), i, count, cap->res.count, cap->res.mac_status, cap->res.events);
        bad += !ok;
    }
    printf("tracker:    %u %s messages up to COUNT %u, %u wrong\n", n, dir_name(dir),
           ue->ctx.next_count[dir] - 1, bad);
}

/* Builds a PDU at the next COUNT but does not feed it (a PDU the capture lost). */
static void lose_pdus(fx_ue *ue, int dir, unsigned n)
{
    ue->ctx.next_count[dir] += n;
}

static void check_replay(capture *cap, fx_ue *ue, const uint8_t *pdu, size_t n,
                         uint32_t count, const char *what)
{
    const kasme_nas_result *r = feed(cap, ue->conn, KASME_DIR_DL, pdu, n);
    check(r->mac_status == KASME_MAC_GOOD && r->count == count &&
              (r->events & KASME_EV_COUNT_REPLAY),
          "%s: COUNT %u (want %u) mac %d events %#x (want COUNT_REPLAY)", what, r->count, count,
          r->mac_status, r->events);
}

/* Keys not shown (kasme_tracker_show_keys off): the SMC Complete's K_eNB is named by its
 * COUNT but not derived, and the S1AP SecurityKey check still confirms the right one. */
static void test_keys_unshown(void)
{
    section("1b. keys not shown: no K_eNB derived for the result");
    capture cap;
    fx_ue ue;
    attach_ids ids;
    static const uint8_t unset[32];
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 1);
    char *keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    kasme_tracker_show_keys(cap.tr, false);
    const attach_plan *p = &EEA2_EIA2_KSI0;
    step_attach_request(&cap, &ue, p, &ids);
    step_aka(&cap, &ue, p, &ids);
    step_smc(&cap, &ue, p, &ids);
    uint8_t inner[4];
    uint32_t count;
    size_t len = fx_smc_complete_inner(inner);
    const kasme_nas_result *r = send_protected(&cap, &ue, 4, KASME_DIR_UL, inner, len, &count);
    check_deciphered(&cap, count, KASME_DIR_UL, inner, len, "SMC complete, keys not shown");
    check((r->events & KASME_EV_KENB_DERIVED) && r->has_kenb && r->kenb_ul_count == count &&
              key_equals(r->kenb, unset, 32),
          "keys not shown: SMC complete events %#x has_kenb %d COUNT %u, K_eNB %s", r->events,
          r->has_kenb, r->kenb_ul_count, key_equals(r->kenb, unset, 32) ? "unset" : "derived");
    check_s1ap_kenb(&cap, &ue, count, "keys not shown");
    capture_close(&cap);
    g_free(keys);
}

static void test_count_overflow(void)
{
    section("2. NAS COUNT overflow, lost PDUs, replays");
    capture cap;
    fx_ue ue;
    attach_ids ids;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 2);
    char *keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &ue, &EEA2_EIA2_KSI0, &ids);

    run_many(&cap, &ue, KASME_DIR_DL, 300, 0x10000);
    lose_pdus(&ue, KASME_DIR_DL, 10);
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x20000, "DL after 10 lost PDUs");
    run_many(&cap, &ue, KASME_DIR_UL, 250, 0x30000);
    lose_pdus(&ue, KASME_DIR_UL, 10); /* 251..260: across the 256 boundary */
    exchange_checked(&cap, &ue, KASME_DIR_UL, 0x40000, "UL after 10 lost PDUs across 256");
    run_many(&cap, &ue, KASME_DIR_UL, 20, 0x50000);

    uint8_t inner[32], older[FX_MAX_PDU], last[FX_MAX_PDU];
    uint32_t older_count, last_count;
    size_t len = fx_emm_information_inner(0x60000, inner);
    size_t older_len = fx_send(&ue.ctx, 2, KASME_DIR_DL, inner, len, older, &older_count);
    feed(&cap, ue.conn, KASME_DIR_DL, older, older_len);
    size_t last_len = fx_send(&ue.ctx, 2, KASME_DIR_DL, inner, len, last, &last_count);
    feed(&cap, ue.conn, KASME_DIR_DL, last, last_len);
    check_replay(&cap, &ue, last, last_len, last_count, "retransmitted last DL PDU");
    check_replay(&cap, &ue, older, older_len, older_count, "replayed older DL PDU");
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x70000, "DL after the replays");
    check(!(cap.res.events & KASME_EV_COUNT_REPLAY), "fresh PDU flagged as replay");
    capture_close(&cap);
    g_free(keys);
}

/* ---- 3. Re-keying ---- */

/* A new AKA (plain PDUs) with a new KSI, then its SMC. */
static void rekey_plain(capture *cap, fx_ue *ue, const attach_ids *old)
{
    attach_plan p = {.ksi = 1, .eea = 2, .eia = 2, .rand_seed = 9, .sqn = 0x40,
                     .hints = &NO_HINTS};
    attach_ids ids = *old;
    step_aka(cap, ue, &p, &ids);
    exchange_checked(cap, ue, KASME_DIR_DL, 0x3100, "DL between new AKA and its SMC");
    check(cap->res.ctx.ctx_id == old->ctx_id, "DL before the new SMC: ctx %u (want old %u)",
          cap->res.ctx.ctx_id, old->ctx_id);
    step_smc(cap, ue, &p, &ids);
    check(ids.ctx_id != old->ctx_id, "new SMC: ctx id %u did not change", ids.ctx_id);
    step_smc_complete(cap, ue, &ids);
    exchange_checked(cap, ue, KASME_DIR_DL, 0x3101, "DL with the new keys");
    check(cap->res.count == 1 && cap->res.ctx.ctx_id == ids.ctx_id && cap->res.ctx.ksi == 1,
          "DL after re-key: COUNT %u ctx %u ksi %d (want 1, %u, 1)", cap->res.count,
          cap->res.ctx.ctx_id, cap->res.ctx.ksi, ids.ctx_id);
}

/* An SMC with the current KSI and K_ASME and new algorithms: NAS COUNTs go on (TS 24.301
 * 5.4.3.2/5.4.3.3 reset them only for a context made by a new AKA). Returns the new ctx id. */
static uint32_t change_algorithms(capture *cap, fx_ue *ue, uint8_t eea, uint8_t eia,
                                  bool expect_bug, uint32_t old_ctx)
{
    void (*verdict)(bool, const char *, ...) = expect_bug ? known_bug : check;
    fx_nas_ctx next = ue->ctx;
    fx_ctx_from_kasme(&next, ue->ctx.kasme, ue->ctx.ksi, eea, eia);
    memcpy(next.next_count, ue->ctx.next_count, sizeof next.next_count);
    ue->ctx = next;
    uint8_t inner[16];
    size_t len = fx_smc_inner(eea, eia, ue->ctx.ksi, inner);
    uint32_t count;
    const kasme_nas_result *r = send_protected(cap, ue, 3, KASME_DIR_DL, inner, len, &count);
    uint32_t ctx_id = r->ctx.ctx_id;
    verdict(deciphered_as(cap, count, KASME_DIR_DL, inner, len) &&
                (r->events & KASME_EV_SMC_CONTEXT) && ctx_id != old_ctx && r->ctx.eea == eea &&
                r->ctx.eia == eia && key_equals(r->kasme, ue->ctx.kasme, 32),
            "algorithm-change SMC at DL COUNT %u: status %d mac %d COUNT %u events %#x "
            "ctx %u (old %u) eea %u eia %u",
            count, r->status, r->mac_status, r->count, r->events, ctx_id, old_ctx, r->ctx.eea,
            r->ctx.eia);
    uint8_t done[4];
    len = fx_smc_complete_inner(done);
    send_protected(cap, ue, 4, KASME_DIR_UL, done, len, &count);
    verdict(deciphered_as(cap, count, KASME_DIR_UL, done, len),
            "SMC complete after algorithm change, UL COUNT %u: got COUNT %u mac %d", count,
            cap->res.count, cap->res.mac_status);
    for (uint32_t i = 0; i < 3; i++) {
        uint8_t msg[32];
        len = fx_emm_information_inner(0x3200 + i, msg);
        send_protected(cap, ue, 2, KASME_DIR_DL, msg, len, &count);
        verdict(deciphered_as(cap, count, KASME_DIR_DL, msg, len) && cap->res.ctx.ctx_id == ctx_id,
                "DL after algorithm change, COUNT %u: got COUNT %u mac %d ctx %u", count,
                cap->res.count, cap->res.mac_status, cap->res.ctx.ctx_id);
    }
    return ctx_id;
}

/* Re-authentication of a UE with a context: the MME protects the Authentication Request
 * and the UE its Response with the current context (TS 24.301 4.4.4, 4.4.5). */
static void rekey_protected(capture *cap, fx_ue *ue, uint32_t old_ctx_id)
{
    uint8_t pdu[FX_MAX_PDU], rand[16];
    rand_for(17, rand);
    size_t n = fx_auth_request(ue, 2, rand, 0x60, pdu);
    uint32_t count;
    const kasme_nas_result *r = send_protected(cap, ue, 2, KASME_DIR_DL, pdu, n, &count);
    check_deciphered(cap, count, KASME_DIR_DL, pdu, n, "protected authentication request");
    known_bug(r->events & KASME_EV_AKA_MATCH,
              "ciphered Authentication Request (sec hdr 2): events %#x, want AKA_MATCH: the "
              "tracker never runs AKA on a deciphered inner message", r->events);
    n = fx_auth_response(ue, 8, pdu);
    r = send_protected(cap, ue, 2, KASME_DIR_UL, pdu, n, &count);
    known_bug(r->events & KASME_EV_RES_OK, "ciphered Authentication Response: events %#x",
              r->events);
    fx_ctx_from_kasme(&ue->ctx, ue->vector.kasme, 2, 2, 2);
    uint8_t inner[16];
    size_t len = fx_smc_inner(2, 2, 2, inner);
    r = send_protected(cap, ue, 3, KASME_DIR_DL, inner, len, &count);
    known_bug(deciphered_as(cap, 0, KASME_DIR_DL, inner, len) &&
                  (r->events & KASME_EV_SMC_CONTEXT) && r->ctx.ksi == 2 &&
                  r->ctx.ctx_id != old_ctx_id,
              "SMC (KSI 2) after a ciphered AKA: status %d mac %d events %#x ksi %d",
              r->status, r->mac_status, r->events, r->ctx.ksi);
    exchange_verdict(cap, ue, KASME_DIR_UL, 0x3300, true,
                     "UL with the keys of the ciphered AKA");
}

static void test_rekey(void)
{
    section("3. re-keying: new AKA + SMC, algorithm change");
    capture cap;
    fx_ue ue;
    attach_ids ids;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 3);
    char *keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &ue, &EEA2_EIA2_KSI0, &ids);
    finish_attach(&cap, &ue);
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x3000, "DL with the first keys");
    rekey_plain(&cap, &ue, &ids);

    uint32_t rekeyed_ctx = cap.res.ctx.ctx_id;
    bool have_eea1 = kasme_alg_available(1);
    uint32_t alg_ctx = change_algorithms(&cap, &ue, have_eea1 ? 1 : 0, have_eea1 ? 1 : 2,
                                         false, rekeyed_ctx);
    rekey_protected(&cap, &ue, alg_ctx);
    capture_close(&cap);
    g_free(keys);

    section("3b. algorithm change after the NAS COUNT passed 256");
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 4);
    keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &ue, &EEA2_EIA2_KSI0, &ids);
    run_many(&cap, &ue, KASME_DIR_DL, 300, 0x38000);
    run_many(&cap, &ue, KASME_DIR_UL, 260, 0x39000);
    change_algorithms(&cap, &ue, 2, 2, true, ids.ctx_id);
    exchange_verdict(&cap, &ue, KASME_DIR_UL, 0x3A000, true, "UL after the algorithm change");
    capture_close(&cap);
    g_free(keys);
}

/* ---- 4. Service Request ---- */

static const kasme_nas_result *send_service_request(capture *cap, fx_ue *ue, uint32_t ul_count,
                                                    int ksi, bool good_mac, uint32_t m_tmsi)
{
    uint8_t pdu[4];
    fx_nas_ctx ctx = ue->ctx;
    ctx.ksi = ksi;
    fx_service_request(&ctx, ul_count, pdu); /* with a wrong KSI: still the right keys */
    if (!good_mac)
        pdu[3] ^= 0x5A;
    carrier_hints hints = {.has_m_tmsi = true, .m_tmsi = m_tmsi};
    return feed_hinted(cap, ue->conn, KASME_DIR_UL, &hints, pdu, sizeof pdu);
}

static void check_sr_good(capture *cap, fx_ue *ue, uint32_t ue_id, const char *what)
{
    uint32_t count = ue->ctx.next_count[KASME_DIR_UL]++;
    uint8_t kenb[32];
    fx_kenb(&ue->ctx, count, kenb);
    const kasme_nas_result *r =
        send_service_request(cap, ue, count, ue->ctx.ksi, true, ATTACH_ACCEPT_M_TMSI);
    check(r->status == KASME_PDU_DECIPHERED && r->mac_status == KASME_MAC_GOOD &&
              r->count == count && r->ue_id == ue_id && r->dir == KASME_DIR_UL,
          "%s: want GOOD UL COUNT %u ue %u; got status %d mac %d COUNT %u ue %u", what, count,
          ue_id, r->status, r->mac_status, r->count, r->ue_id);
    check((r->events & KASME_EV_KENB_DERIVED) && r->has_kenb && r->kenb_ul_count == count &&
              key_equals(r->kenb, kenb, 32),
          "%s: K_eNB %s from UL COUNT %u (want %u)", what,
          key_equals(r->kenb, kenb, 32) ? "right" : "wrong", r->kenb_ul_count, count);
    check_s1ap_kenb(cap, ue, count, what);
}

static void check_sr_rejects(capture *cap, fx_ue *ue, uint32_t ue_id)
{
    uint32_t count = ue->ctx.next_count[KASME_DIR_UL];
    const kasme_nas_result *r =
        send_service_request(cap, ue, count, ue->ctx.ksi, false, ATTACH_ACCEPT_M_TMSI);
    check(r->mac_status == KASME_MAC_BAD && r->ue_id == ue_id,
          "SR with a wrong short MAC: mac %d ue %u (want BAD, %u)", r->mac_status, r->ue_id,
          ue_id);
    r = send_service_request(cap, ue, count, (ue->ctx.ksi + 3) % 7, false, ATTACH_ACCEPT_M_TMSI);
    check(r->status == KASME_PDU_NO_CONTEXT && r->mac_status != KASME_MAC_GOOD &&
              !(r->events & KASME_EV_KSI_DIFFERS),
          "SR with a wrong KSI and a wrong short MAC: status %d mac %d events %#x (want "
          "NO_CONTEXT)", r->status, r->mac_status, r->events);
    fx_ue stranger = *ue;
    stranger.conn = kasme_conn_key(KASME_CONN_S1AP_ENB, 0, 999);
    r = send_service_request(cap, &stranger, count, ue->ctx.ksi, false, 0x0BADCAFE);
    check(r->status == KASME_PDU_NO_CONTEXT && r->ue_id == 0,
          "SR with an unknown S-TMSI, no context verifies it: status %d ue %u", r->status,
          r->ue_id);
    /* issue 17 part 3: an S-TMSI never assigned, the UE's own context verifies it */
    r = send_service_request(cap, &stranger, count, ue->ctx.ksi, true, 0x0BADCAFE);
    check(r->mac_status == KASME_MAC_GOOD && r->ue_id == ue_id &&
              (r->events & KASME_EV_FOUND_BY_MAC) && r->named_ue_id == 0,
          "SR with an unknown S-TMSI: mac %d ue %u events %#x named %u (want GOOD, ue %u, "
          "found by MAC, none named)", r->mac_status, r->ue_id, r->events, r->named_ue_id, ue_id);
}

/* A UE whose Service Request names another KSI than its context's (Open5GS's test UE sends
 * 0 after a re-attach gave KSI 1; its MME takes the current context): verified under the
 * current context, K_eNB from its COUNT, and the result says the KSI differs. */
static void check_sr_ksi_differs(capture *cap, fx_ue *ue, uint32_t ue_id)
{
    uint32_t count = ue->ctx.next_count[KASME_DIR_UL]++;
    uint8_t kenb[32];
    fx_kenb(&ue->ctx, count, kenb);
    const kasme_nas_result *r =
        send_service_request(cap, ue, count, (ue->ctx.ksi + 3) % 7, true, ATTACH_ACCEPT_M_TMSI);
    check(r->status == KASME_PDU_DECIPHERED && r->mac_status == KASME_MAC_GOOD &&
              r->count == count && r->ue_id == ue_id && (r->events & KASME_EV_KSI_DIFFERS) &&
              r->has_ctx && r->ctx.ksi == ue->ctx.ksi,
          "SR with another KSI, right short MAC: want GOOD COUNT %u ue %u KSI-differs; got status "
          "%d mac %d COUNT %u ue %u events %#x", count, ue_id, r->status, r->mac_status,
          r->count, r->ue_id, r->events);
    check(r->has_kenb && r->kenb_ul_count == count && key_equals(r->kenb, kenb, 32),
          "SR with another KSI: K_eNB from its UL COUNT %u", count);
    check_s1ap_kenb(cap, ue, count, "SR with another KSI");
}

static void move_to_new_connection(capture *cap, fx_ue *ue, uint32_t enb_ue_s1ap_id)
{
    kasme_tracker_conn_release(cap->tr, ue->conn);
    ue->conn = kasme_conn_key(KASME_CONN_S1AP_ENB, 0, enb_ue_s1ap_id);
}

static void test_service_request(void)
{
    section("4. Service Request after S1 release");
    capture cap;
    fx_ue ue;
    attach_ids ids;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 40);
    char *keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &ue, &EEA2_EIA2_KSI0, &ids);
    finish_attach(&cap, &ue);

    move_to_new_connection(&cap, &ue, 41);
    check_sr_rejects(&cap, &ue, ids.ue_id);
    check_sr_good(&cap, &ue, ids.ue_id, "service request (UL COUNT 2)");
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x4000, "DL after service request");
    exchange_checked(&cap, &ue, KASME_DIR_UL, 0x4001, "UL after service request");
    run_many(&cap, &ue, KASME_DIR_UL, 29, 0x4100); /* UL COUNT up to 32 */

    move_to_new_connection(&cap, &ue, 42);
    check_sr_good(&cap, &ue, ids.ue_id, "service request past 5 bits (UL COUNT 33)");
    exchange_checked(&cap, &ue, KASME_DIR_UL, 0x4200, "UL after the second service request");

    move_to_new_connection(&cap, &ue, 43);
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x4300, "DL on an unknown connection");
    check(cap.res.ue_id == ids.ue_id && (cap.res.events & KASME_EV_CONTEXT_GUESSED),
          "DL on an unknown connection: ue %u events %#x (want CONTEXT_GUESSED)",
          cap.res.ue_id, cap.res.events);

    move_to_new_connection(&cap, &ue, 44);
    check_sr_ksi_differs(&cap, &ue, ids.ue_id);
    exchange_checked(&cap, &ue, KASME_DIR_UL, 0x4400, "UL after the SR with another KSI");
    capture_close(&cap);
    g_free(keys);
}

/* A connection id taken by another subscriber's attach and then back by the first UE's: each
 * time the id has to lead to the UE that attached last on it (the tracker caches the ids a UE
 * is bound to, and must forget one when it goes to another UE). */
static void test_connection_reused(void)
{
    section("4b. Connection id reused by another UE and back");
    capture cap;
    fx_ue a, b;
    attach_ids ids_a, ids_b, ids_a2;
    fx_ue_setup(&a, IMSI_A, FX_MILENAGE, K_A, OPC_A, 60);
    fx_ue_setup(&b, IMSI_B, FX_MILENAGE, K_B, OPC_B, 60);
    char *keys = keyfile_for(&a, &b, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &a, &EEA2_EIA2_KSI0, &ids_a);
    exchange_checked(&cap, &a, KASME_DIR_UL, 0x5000, "A before the id is reused");
    attach(&cap, &b, &EEA2_EIA2_KSI0, &ids_b);
    check(ids_b.ue_id != ids_a.ue_id, "B on A's connection id is another UE: %u vs %u",
          ids_b.ue_id, ids_a.ue_id);
    exchange_checked(&cap, &b, KASME_DIR_DL, 0x5001, "B on the reused id");
    static const attach_plan again = {.ksi = 1, .eea = 2, .eia = 2, .rand_seed = 7,
                                      .sqn = 0x40, .hints = &NO_HINTS};
    attach(&cap, &a, &again, &ids_a2);
    check(ids_a2.ue_id == ids_a.ue_id, "A back on the id is A again: %u vs %u", ids_a2.ue_id,
          ids_a.ue_id);
    exchange_checked(&cap, &a, KASME_DIR_DL, 0x5002, "A back on the id (DL)");
    exchange_checked(&cap, &a, KASME_DIR_UL, 0x5003, "A back on the id (UL)");
    check(cap.res.ue_id == ids_a.ue_id, "UL after A is back: ue %u", cap.res.ue_id);

    kasme_tracker_conn_release(cap.tr, a.conn);
    b.conn = a.conn;
    static const attach_plan b_again = {.ksi = 2, .eea = 2, .eia = 2, .rand_seed = 9,
                                        .sqn = 0x60, .hints = &NO_HINTS};
    attach(&cap, &b, &b_again, &ids_b);
    exchange_checked(&cap, &b, KASME_DIR_UL, 0x5004, "B after a release of the id");
    check(cap.res.ue_id == ids_b.ue_id, "UL of B after the release: ue %u", cap.res.ue_id);
    capture_close(&cap);
    g_free(keys);
}

/* ---- 5. Interleaved UEs ---- */

typedef struct {
    fx_ue ue;
    attach_plan plan;
    attach_ids ids;
} ue_run;

static const uint8_t SERVING_PLMN[1][3] = {{0x00, 0xF1, 0x10}};
static const carrier_hints SERVING_HINTS = {.plmns = SERVING_PLMN, .n_plmns = 1};

static void setup_three_ues(ue_run r[3])
{
    bool snow = kasme_alg_available(1), zuc = kasme_alg_available(3);
    memset(r, 0, 3 * sizeof r[0]);
    fx_ue_setup(&r[0].ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 51);
    fx_ue_setup(&r[1].ue, IMSI_B, FX_MILENAGE, K_B, OPC_B, 52);
    fx_ue_setup(&r[2].ue, IMSI_C, FX_XOR, K_C, NULL, 53);
    r[0].plan = (attach_plan){.ksi = 0, .eea = 2, .eia = 2, .rand_seed = 51, .sqn = 0x100,
                              .hints = &NO_HINTS};
    r[1].plan = (attach_plan){.ksi = 3, .eea = snow ? 1 : 0, .eia = snow ? 1 : 2,
                              .rand_seed = 52, .sqn = 0x200, .hints = &NO_HINTS};
    r[2].plan = (attach_plan){.ksi = 5, .eea = zuc ? 3 : 2, .eia = zuc ? 3 : 2,
                              .rand_seed = 53, .sqn = 0x300, .hints = &SERVING_HINTS};
}

/* Sends one message of ue r in a direction and checks it is that UE's. */
static void interleaved_exchange(capture *cap, ue_run *r, int dir, uint32_t tag)
{
    uint8_t inner[32], pdu[FX_MAX_PDU];
    size_t len = dir == KASME_DIR_DL ? fx_emm_information_inner(tag, inner)
                                     : fx_ul_nas_transport_inner(tag, inner);
    uint32_t count;
    size_t n = fx_send(&r->ue.ctx, 2, dir, inner, len, pdu, &count);
    feed_hinted(cap, r->ue.conn, dir, r->plan.hints, pdu, n);
    check_deciphered(cap, count, dir, inner, len, r->ue.imsi);
    check(cap->res.ue_id == r->ids.ue_id && strcmp(cap->res.imsi, r->ue.imsi) == 0 &&
              cap->res.ctx.ctx_id == r->ids.ctx_id,
          "%s: ue %u imsi '%s' ctx %u (want %u, %u)", r->ue.imsi, cap->res.ue_id,
          cap->res.imsi, cap->res.ctx.ctx_id, r->ids.ue_id, r->ids.ctx_id);
}

/* The attach steps of three UEs, each step of each UE before the next step of any. */
static void interleaved_attaches(capture *cap, ue_run r[3])
{
    static const int order[3][3] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}};
    for (int u = 0; u < 3; u++)
        step_attach_request(cap, &r[order[0][u]].ue, &r[order[0][u]].plan, &r[order[0][u]].ids);
    for (int u = 0; u < 3; u++)
        step_aka(cap, &r[order[1][u]].ue, &r[order[1][u]].plan, &r[order[1][u]].ids);
    for (int u = 0; u < 3; u++)
        step_smc(cap, &r[order[2][u]].ue, &r[order[2][u]].plan, &r[order[2][u]].ids);
    for (int u = 0; u < 3; u++)
        step_smc_complete(cap, &r[order[0][u]].ue, &r[order[0][u]].ids);
}

static void check_roaming_sn_id(capture *cap, ue_run *c)
{
    interleaved_exchange(cap, c, KASME_DIR_DL, 0x5FFF);
    check(memcmp(cap->res.ctx.sn_id, FX_SN_ID, 3) == 0 && cap->res.ctx.sub &&
              cap->res.ctx.sub->alg == KASME_AUTH_XOR,
          "roaming XOR UE: sn id %02x%02x%02x (want 00f110)", cap->res.ctx.sn_id[0],
          cap->res.ctx.sn_id[1], cap->res.ctx.sn_id[2]);
}

/* The eNB reuses an S1AP id whose release the capture missed: a new IMSI attaches on it. */
static void conn_reuse_without_release(capture *cap, const ue_run *a)
{
    fx_ue d;
    fx_ue_setup(&d, IMSI_D, FX_MILENAGE, K_D, OPC_D, 0);
    d.conn = a->ue.conn;
    attach_plan p = {.ksi = 1, .eea = 2, .eia = 2, .rand_seed = 54, .sqn = 0x400,
                     .hints = &NO_HINTS};
    uint8_t pdu[FX_MAX_PDU], rand[16];
    size_t n = fx_attach_request_imsi(d.imsi, pdu);
    const kasme_nas_result *r = feed(cap, d.conn, KASME_DIR_UL, pdu, n);
    known_bug(r->ue_id != a->ids.ue_id && strcmp(r->imsi, d.imsi) == 0,
              "attach request of IMSI %s on the connection of UE %u (IMSI %s): got ue %u: "
              "the old UE is renamed instead of a new UE", d.imsi, a->ids.ue_id, a->ue.imsi,
              r->ue_id);
    rand_for(p.rand_seed, rand);
    n = fx_auth_request(&d, p.ksi, rand, p.sqn, pdu);
    r = feed(cap, d.conn, KASME_DIR_DL, pdu, n);
    known_bug(r->events & KASME_EV_AKA_MATCH,
              "AKA of IMSI %s on a reused connection: events %#x (want AKA_MATCH): the UE keeps "
              "the subscriber (K) of IMSI %s", d.imsi, r->events, a->ue.imsi);
}

static void test_interleaved(void)
{
    section("5. interleaved UEs");
    capture cap;
    ue_run r[3];
    setup_three_ues(r);
    fx_ue d;
    fx_ue_setup(&d, IMSI_D, FX_MILENAGE, K_D, OPC_D, 0);
    char *keys = keyfile_for(&r[0].ue, &r[1].ue, &r[2].ue, &d);
    capture_open(&cap, keys);
    interleaved_attaches(&cap, r);
    check(r[0].ids.ue_id != r[1].ids.ue_id && r[1].ids.ue_id != r[2].ids.ue_id &&
              r[0].ids.ue_id != r[2].ids.ue_id,
          "three UEs got ids %u %u %u", r[0].ids.ue_id, r[1].ids.ue_id, r[2].ids.ue_id);
    for (uint32_t round = 0; round < 20; round++) {
        for (int u = 0; u < 3; u++) {
            int who = (int)(round + (uint32_t)u) % 3;
            interleaved_exchange(&cap, &r[who], (round + (uint32_t)u) % 2, 0x5000 + round);
        }
    }
    check_roaming_sn_id(&cap, &r[2]);
    conn_reuse_without_release(&cap, &r[0]);
    capture_close(&cap);
    g_free(keys);
}

/* ---- 6. Tampering ---- */

static bool never_good(const kasme_nas_result *r)
{
    return r->mac_status != KASME_MAC_GOOD;
}

static void check_tampered(capture *cap, const fx_ue *ue, int dir, const uint8_t *pdu,
                           size_t n, size_t octet, uint8_t mask, const char *what)
{
    uint8_t copy[FX_MAX_PDU];
    memcpy(copy, pdu, n);
    copy[octet] ^= mask;
    const kasme_nas_result *r = feed(cap, ue->conn, dir, copy, n);
    bool in_header = octet == 0;
    check(in_header ? never_good(r) : r->mac_status == KASME_MAC_BAD,
          "%s %s (octet %zu ^ %#x): mac %d status %d (want %s)", dir_name(dir), what, octet,
          mask, r->mac_status, r->status, in_header ? "not GOOD" : "BAD");
}

/* Every single-bit change of a PDU fails, then the PDU itself still verifies. */
static void tamper_direction(capture *cap, fx_ue *ue, int dir)
{
    uint8_t inner[32], pdu[FX_MAX_PDU];
    size_t len = dir == KASME_DIR_DL ? fx_emm_information_inner(0x6000, inner)
                                     : fx_ul_nas_transport_inner(0x6000, inner);
    uint32_t count;
    size_t n = fx_send(&ue->ctx, 2, dir, inner, len, pdu, &count);
    check_tampered(cap, ue, dir, pdu, n, n - 1, 0x01, "body bit");
    check_tampered(cap, ue, dir, pdu, n, 2, 0x10, "MAC bit");
    check_tampered(cap, ue, dir, pdu, n, 5, 0x01, "SN bit");
    for (size_t octet = 0; octet < n; octet++)
        for (int bit = 0; bit < 8; bit++)
            check_tampered(cap, ue, dir, pdu, n, octet, (uint8_t)(1u << bit), "any bit");
    feed(cap, ue->conn, dir, pdu, n);
    check_deciphered(cap, count, dir, inner, len, "untampered PDU after tampered copies");
    exchange_checked(cap, ue, dir, 0x6001, "next PDU after tampering");
}

/* A forged SMC (bad MAC, same KSI, EEA0) must not replace the UE's context. */
static void forged_smc(capture *cap, fx_ue *ue)
{
    uint8_t inner[16], pdu[FX_MAX_PDU];
    size_t len = fx_smc_inner(0, 2, ue->ctx.ksi, inner);
    size_t n = fx_protect(&ue->ctx, 3, KASME_DIR_DL, ue->ctx.next_count[KASME_DIR_DL], inner,
                          len, pdu);
    pdu[1] ^= 0xFF;
    const kasme_nas_result *r = feed(cap, ue->conn, KASME_DIR_DL, pdu, n);
    check(r->mac_status != KASME_MAC_GOOD, "forged SMC: mac %d", r->mac_status);
    known_bug(!(r->events & KASME_EV_SMC_CONTEXT),
              "forged SMC (bad MAC, EEA0) on a UE with a verified context: events %#x, "
              "want no SMC_CONTEXT", r->events);
    uint8_t msg[32];
    len = fx_emm_information_inner(0x6100, msg);
    uint32_t count;
    send_protected(cap, ue, 2, KASME_DIR_DL, msg, len, &count);
    known_bug(deciphered_as(cap, count, KASME_DIR_DL, msg, len),
              "DL after a forged SMC (bad MAC, EEA0): mac %d COUNT %u eea %u: the forged SMC "
              "replaced the UE's current context", cap->res.mac_status, cap->res.count,
              cap->res.ctx.eea);
}

static void test_tampering(void)
{
    section("6. tampering");
    capture cap;
    fx_ue ue;
    attach_ids ids;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 60);
    char *keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &ue, &EEA2_EIA2_KSI0, &ids);
    tamper_direction(&cap, &ue, KASME_DIR_DL);
    tamper_direction(&cap, &ue, KASME_DIR_UL);
    forged_smc(&cap, &ue);
    capture_close(&cap);
    g_free(keys);
}

/* ---- 7. Unknown subscriber, wrong K ---- */

static void check_no_context(const kasme_nas_result *r, const char *what)
{
    check(r->status == KASME_PDU_NO_CONTEXT && r->mac_status != KASME_MAC_GOOD &&
              (r->events & KASME_EV_NO_AKA) && r->plain_len == 0,
          "%s: status %d mac %d events %#x plain_len %zu (want NO_CONTEXT)", what, r->status,
          r->mac_status, r->events, r->plain_len);
}

/* The whole attach of a UE the key file cannot authenticate. */
static void attach_unauthenticated(capture *cap, fx_ue *ue, bool imsi_in_file)
{
    uint8_t pdu[FX_MAX_PDU], rand[16], inner[16];
    size_t n = fx_attach_request_imsi(ue->imsi, pdu);
    const kasme_nas_result *r = feed(cap, ue->conn, KASME_DIR_UL, pdu, n);
    check(!!(r->events & KASME_EV_UNKNOWN_SUBSCRIBER) == !imsi_in_file,
          "%s attach request: events %#x", ue->imsi, r->events);
    rand_for(70, rand);
    n = fx_auth_request(ue, 0, rand, 0x700, pdu);
    r = feed(cap, ue->conn, KASME_DIR_DL, pdu, n);
    check((r->events & KASME_EV_AKA_NO_MATCH) && !(r->events & KASME_EV_AKA_MATCH),
          "%s AKA: events %#x (want AKA_NO_MATCH)", ue->imsi, r->events);
    n = fx_auth_response(ue, 8, pdu);
    r = feed(cap, ue->conn, KASME_DIR_UL, pdu, n);
    check(!(r->events & (KASME_EV_RES_OK | KASME_EV_RES_BAD)), "%s RES: events %#x", ue->imsi,
          r->events);
    fx_ctx_from_kasme(&ue->ctx, ue->vector.kasme, 0, 2, 2);
    size_t len = fx_smc_inner(2, 2, 0, inner);
    check_no_context(send_protected(cap, ue, 3, KASME_DIR_DL, inner, len, NULL), "SMC");
    len = fx_smc_complete_inner(inner);
    check_no_context(send_protected(cap, ue, 4, KASME_DIR_UL, inner, len, NULL), "SMC complete");
    len = fx_emm_information_inner(0x7000, inner);
    check_no_context(send_protected(cap, ue, 2, KASME_DIR_DL, inner, len, NULL), "DL");
    fx_service_request(&ue->ctx, 1, pdu);
    carrier_hints hints = {.has_m_tmsi = true, .m_tmsi = ATTACH_ACCEPT_M_TMSI};
    check_no_context(feed_hinted(cap, ue->conn, KASME_DIR_UL, &hints, pdu, 4), "SR");
}

static void test_unknown_subscriber(void)
{
    section("7. wrong K, unknown IMSI");
    capture cap;
    fx_ue ue, in_file, stranger;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 70);
    in_file = ue;
    fx_unhex(K_D, in_file.k, 16); /* the key file has another K for this IMSI */
    fx_ue_setup(&stranger, IMSI_D, FX_MILENAGE, K_D, OPC_D, 71);
    char *keys = keyfile_for(&in_file, NULL, NULL, NULL);
    capture_open(&cap, keys);
    attach_unauthenticated(&cap, &ue, true);
    attach_unauthenticated(&cap, &stranger, false);
    kasme_tracker_stats st;
    kasme_tracker_get_stats(cap.tr, &st);
    check(st.aka_seen == 2 && st.aka_matched == 0 && st.smc_verified == 0,
          "stats: aka %u/%u smc %u", st.aka_matched, st.aka_seen, st.smc_verified);
    capture_close(&cap);
    g_free(keys);
}

/* ---- 8. K_ASME from the key file ---- */

static const char KASME_HEX[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char KASME2_HEX[] = "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";

static void smc_from_keyfile(capture *cap, fx_ue *ue, int ksi, uint8_t eea, uint8_t eia)
{
    uint8_t inner[16];
    size_t len = fx_smc_inner(eea, eia, ksi, inner);
    uint32_t count;
    const kasme_nas_result *r = send_protected(cap, ue, 3, KASME_DIR_DL, inner, len, &count);
    check_deciphered(cap, count, KASME_DIR_DL, inner, len, "SMC with a key-file K_ASME");
    check((r->events & KASME_EV_SMC_CONTEXT) && r->ctx.from_keyfile_kasme &&
              r->ctx.aka_frame == 0 && r->ctx.ksi == ksi && r->ctx.eea == eea &&
              key_equals(r->kasme, ue->ctx.kasme, 32),
          "key-file SMC: events %#x from_keyfile %d aka_frame %u ksi %d", r->events,
          r->ctx.from_keyfile_kasme, r->ctx.aka_frame, r->ctx.ksi);
}

static void keyfile_kasme_by_imsi(void)
{
    capture cap;
    fx_ue ue;
    uint8_t kasme[32], pdu[FX_MAX_PDU], inner[16];
    fx_unhex(KASME_HEX, kasme, 32);
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 80);
    char *keys = g_strdup_printf("imsi=%s kasme=%s ksi=0\n", IMSI_A, KASME_HEX);
    capture_open(&cap, keys);
    size_t n = fx_attach_request_imsi(ue.imsi, pdu);
    const kasme_nas_result *r = feed(&cap, ue.conn, KASME_DIR_UL, pdu, n);
    uint32_t ue_id = r->ue_id;
    check(!(r->events & KASME_EV_UNKNOWN_SUBSCRIBER), "IMSI with a K_ASME line flagged unknown");
    fx_ctx_from_kasme(&ue.ctx, kasme, 1, 2, 2);
    size_t len = fx_smc_inner(2, 2, 1, inner);
    check_no_context(send_protected(&cap, &ue, 3, KASME_DIR_DL, inner, len, NULL),
                     "SMC with KSI 1 for a ksi=0 line");
    fx_ctx_from_kasme(&ue.ctx, kasme, 0, 2, 2);
    smc_from_keyfile(&cap, &ue, 0, 2, 2);
    attach_ids ids = {.ue_id = ue_id, .ctx_id = cap.res.ctx.ctx_id};
    step_smc_complete(&cap, &ue, &ids);
    finish_attach(&cap, &ue);
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x8000, "DL with a key-file K_ASME");
    capture_close(&cap);
    g_free(keys);
}

static void keyfile_kasme_any(void)
{
    capture cap;
    fx_ue ue;
    uint8_t kasme[32], pdu[FX_MAX_PDU];
    fx_unhex(KASME2_HEX, kasme, 32);
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 81);
    char *keys = g_strdup_printf("kasme=%s any\n", KASME2_HEX);
    capture_open(&cap, keys);
    size_t n = fx_attach_request_guti(0x12345678, pdu);
    feed(&cap, ue.conn, KASME_DIR_UL, pdu, n);
    fx_ctx_from_kasme(&ue.ctx, kasme, 3, 0, 2);
    smc_from_keyfile(&cap, &ue, 3, 0, 2);
    exchange_checked(&cap, &ue, KASME_DIR_UL, 0x8100, "UL, EEA0, any-UE K_ASME");
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x8101, "DL, EEA0, any-UE K_ASME");
    capture_close(&cap);
    g_free(keys);
}

static void test_keyfile_kasme(void)
{
    section("8. K_ASME from the key file");
    keyfile_kasme_by_imsi();
    keyfile_kasme_any();
}

/* ---- 9. Robustness ---- */

static uint32_t prng_state = 0x2545F491u;

static uint32_t prng_next(void)
{
    prng_state ^= prng_state << 13;
    prng_state ^= prng_state >> 17;
    prng_state ^= prng_state << 5;
    return prng_state;
}

/* How the hostile PDUs came out, to show which paths they reached. */
static unsigned hostile_status[KASME_PDU_CIPHER_REFUSED + 1], hostile_good;

/* Feeds a copy of exactly len octets (so a sanitizer sees any read past it) and checks the
 * result stays within its documented values. */
static void feed_exact(capture *cap, uint64_t conn, int dir, const uint8_t *pdu, size_t len,
                       bool has_m_tmsi)
{
    uint8_t *copy = g_malloc(len ? len : 1);
    uint8_t *plain = g_malloc(len ? len : 1);
    if (len)
        memcpy(copy, pdu, len);
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = dir, .conn = conn,
                           .has_m_tmsi = has_m_tmsi, .m_tmsi = ATTACH_ACCEPT_M_TMSI};
    kasme_nas_result r;
    kasme_tracker_nas(cap->tr, &meta, copy, len, plain, &r);
    check_round_trip(cap->tr, copy, len, &r, plain, false, meta.frame);
    kasme_tracker_stats st;
    kasme_tracker_get_stats(cap->tr, &st);
    bool sane = r.status <= KASME_PDU_CIPHER_REFUSED && r.mac_status >= KASME_MAC_BAD &&
                r.mac_status <= KASME_MAC_NOT_PRESENT && r.plain_len <= len &&
                r.ue_id <= st.ues && memchr(r.imsi, 0, sizeof r.imsi);
    if (sane) {
        hostile_status[r.status]++;
        hostile_good += r.mac_status == KASME_MAC_GOOD;
    } else {
        check(false, "hostile PDU of %zu octets: status %d mac %d plain_len %zu ue %u", len,
              r.status, r.mac_status, r.plain_len, r.ue_id);
    }
    g_free(copy);
    g_free(plain);
}

typedef struct {
    uint8_t pdu[12][FX_MAX_PDU];
    size_t len[12], n;
} pdu_list;

static uint8_t *pdu_slot(pdu_list *l)
{
    return l->pdu[l->n];
}

static void pdu_commit(pdu_list *l, size_t len)
{
    l->len[l->n++] = len;
}

/* One PDU of each kind an attach has, protected with the UE's current context. */
static void attach_pdus(fx_ue *ue, pdu_list *l)
{
    uint8_t inner[128], rand[16] = {1};
    pdu_commit(l, fx_attach_request_imsi(ue->imsi, pdu_slot(l)));
    pdu_commit(l, fx_auth_request(ue, 1, rand, 0x99, pdu_slot(l)));
    pdu_commit(l, fx_auth_response(ue, 8, pdu_slot(l)));
    size_t len = fx_smc_inner(2, 2, ue->ctx.ksi, inner);
    pdu_commit(l, fx_protect(&ue->ctx, 3, KASME_DIR_DL, 5, inner, len, pdu_slot(l)));
    len = fx_unhex(ATTACH_ACCEPT_HEX, inner, sizeof inner);
    pdu_commit(l, fx_protect(&ue->ctx, 2, KASME_DIR_DL, 6, inner, len, pdu_slot(l)));
    pdu_commit(l, fx_protect(&ue->ctx, 1, KASME_DIR_DL, 7, inner, len, pdu_slot(l)));
    pdu_commit(l, fx_service_request(&ue->ctx, 3, pdu_slot(l)));
    len = fx_smc_complete_inner(inner);
    pdu_commit(l, fx_protect(&ue->ctx, 4, KASME_DIR_UL, 8, inner, len, pdu_slot(l)));
}

/* Every prefix of every PDU of an attach, on the attached UE's connection. */
static void feed_truncations(capture *cap, fx_ue *ue)
{
    static pdu_list l;
    l.n = 0;
    attach_pdus(ue, &l);
    unsigned fed = 0;
    for (size_t p = 0; p < l.n; p++)
        for (size_t cut = 0; cut <= l.len[p]; cut++, fed++)
            for (int dir = KASME_DIR_UNKNOWN; dir <= KASME_DIR_DL; dir++)
                feed_exact(cap, ue->conn, dir, l.pdu[p], cut, cut % 2);
    check(fed > 100, "truncations fed: %u", fed);
}

/* Random octets, and random octets behind each security header type, on a few connections. */
static void feed_random(capture *cap, unsigned rounds)
{
    uint8_t buf[96];
    for (unsigned i = 0; i < rounds; i++) {
        size_t len = prng_next() % sizeof buf;
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)prng_next();
        if (len && i % 2)
            buf[0] = (uint8_t)((i / 2 % 16) << 4 | 7);
        if (len > 1 && i % 8 == 1)
            buf[1] = (uint8_t)(0x41 + prng_next() % 0x28); /* an EMM message type */
        if (i % 16 == 6) { /* an SMC with random algorithms and KSI, random MAC and SN */
            buf[0] = 0x37;
            len = 6 + fx_smc_inner(prng_next() % 8, prng_next() % 8, (int)(prng_next() % 8),
                                   buf + 6);
        }
        uint64_t conn = kasme_conn_key(KASME_CONN_S1AP_ENB, 0, 90 + prng_next() % 4);
        int dir = (int)(prng_next() % 3) - 1;
        feed_exact(cap, prng_next() % 5 ? conn : 0, dir, buf, len, prng_next() % 2);
    }
    check(true, "random PDUs survived");
}

static void print_hostile_summary(const char *what)
{
    printf("tracker:    %s: plain %u, deciphered %u (MAC GOOD %u), no context %u, "
           "malformed %u, algorithm unavailable %u\n",
           what, hostile_status[KASME_PDU_PLAIN], hostile_status[KASME_PDU_DECIPHERED],
           hostile_good, hostile_status[KASME_PDU_NO_CONTEXT], hostile_status[KASME_PDU_MALFORMED],
           hostile_status[KASME_PDU_ALG_UNAVAILABLE]);
    memset(hostile_status, 0, sizeof hostile_status);
    hostile_good = 0;
}

/* ---- 10. work budgets on hostile input ---- */

/* UEs with active contexts (a key-file K_ASME for any UE, EIA2), each on its own connection. */
static void ues_with_contexts(capture *cap, fx_ue *ues, unsigned n)
{
    uint8_t kasme[32], pdu[FX_MAX_PDU], inner[16];
    fx_unhex(KASME2_HEX, kasme, 32);
    for (unsigned i = 0; i < n; i++) {
        fx_ue_setup(&ues[i], IMSI_A, FX_MILENAGE, K_A, OPC_A, 300 + i);
        feed(cap, ues[i].conn, KASME_DIR_UL, pdu, fx_attach_request_guti(0x40000000 + i, pdu));
        fx_ctx_from_kasme(&ues[i].ctx, kasme, 0, 2, 2);
        size_t len = fx_smc_inner(2, 2, 0, inner);
        send_protected(cap, &ues[i], 3, KASME_DIR_DL, inner, len, NULL);
    }
}

/* Protected PDUs on no connection make the tracker try every recent UE's context against
 * their MAC; hostile ones (no MAC matches) may spend KASME_GUESS_BUDGET tries a capture and
 * no more, and then say so. */
static void guess_budget(void)
{
    enum { N_UES = 64 };
    capture cap;
    static fx_ue ues[N_UES];
    char *keys = g_strdup_printf("kasme=%s any\n", KASME2_HEX);
    capture_open(&cap, keys);
    ues_with_contexts(&cap, ues, N_UES);
    uint8_t inner[32], pdu[FX_MAX_PDU];
    size_t len = fx_emm_information_inner(0xA000, inner);
    unsigned n_pdus = KASME_GUESS_BUDGET / N_UES + 3, placed = 0, told_spent = 0;
    unsigned told_search_spent = 0;
    for (unsigned i = 0; i < n_pdus; i++) {
        size_t n = fx_protect(&ues[i % N_UES].ctx, 2, KASME_DIR_DL, i % 200, inner, len, pdu);
        pdu[1] ^= 0x5A; /* a MAC no context gives */
        const kasme_nas_result *r = feed(&cap, 0, KASME_DIR_UNKNOWN, pdu, n);
        placed += r->ue_id != 0;
        const char *why = r->unverified_why ? r->unverified_why : "";
        told_spent += strstr(why, "among known UEs spent its budget") != NULL;
        told_search_spent += strstr(why, "MAC search for algorithms and COUNT spent") != NULL;
    }
    kasme_tracker_stats st;
    kasme_tracker_get_stats(cap.tr, &st);
    check(placed == 0 && st.guess_tries <= KASME_GUESS_BUDGET && told_spent >= 2 &&
              told_spent <= 3,
          "%u hostile PDUs on no connection, %u UEs: %u placed, %u contexts tried (budget %u), "
          "%u said the budget was spent (want 2 or 3)", n_pdus, N_UES, placed, st.guess_tries,
          KASME_GUESS_BUDGET, told_spent);
    /* the key file's `any` line is tried too (no SMC seen for an unplaced PDU): 96 MACs a PDU
     * until KASME_SEARCH_BUDGET, then each such PDU says so */
    check(st.search_macs == KASME_SEARCH_BUDGET && told_search_spent > 0,
          "MAC search: %u MACs (budget %u), %u PDUs said its budget was spent", st.search_macs,
          KASME_SEARCH_BUDGET, told_search_spent);
    printf("tracker:    %u hostile PDUs on no connection among %u UEs: %u contexts tried, "
           "%u MACs of the algorithm search\n", n_pdus, N_UES, st.guess_tries, st.search_macs);
    capture_close(&cap);
    g_free(keys);
}

/* Every NAS SMC makes candidate contexts (the current K_ASME again, each key-file K_ASME line
 * that fits), and the one it takes stays; the others used to stay too, never freed. Forged
 * SMCs on a UE with a verified context, with four key-file lines, may add one context each. */
static void smc_context_budget(void)
{
    capture cap;
    fx_ue ue;
    attach_ids ids;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 95);
    char line[256];
    fx_keyfile_line(&ue, line, sizeof line);
    GString *keys = g_string_new(line);
    for (int i = 0; i < 4; i++)
        g_string_append_printf(keys, "\nkasme=%02x%s any", i, KASME2_HEX + 2);
    g_string_append_c(keys, '\n');
    capture_open(&cap, keys->str);
    attach(&cap, &ue, &EEA2_EIA2_KSI0, &ids);
    finish_attach(&cap, &ue);
    kasme_tracker_stats before, after;
    kasme_tracker_get_stats(cap.tr, &before);
    enum { N_SMC = 1000 };
    uint8_t inner[16], pdu[FX_MAX_PDU];
    size_t len = fx_smc_inner(2, 2, ue.ctx.ksi, inner);
    unsigned verified = 0;
    for (unsigned i = 0; i < N_SMC; i++) {
        size_t n = fx_protect(&ue.ctx, 3, KASME_DIR_DL, i % 256, inner, len, pdu);
        pdu[2] ^= (uint8_t)(1 + i % 255); /* a MAC no candidate gives */
        verified += feed(&cap, ue.conn, KASME_DIR_DL, pdu, n)->mac_status == KASME_MAC_GOOD;
    }
    kasme_tracker_get_stats(cap.tr, &after);
    check(verified == 0 && after.contexts - before.contexts <= N_SMC,
          "%u forged SMCs, 4 key-file K_ASME lines: %u verified, %u contexts more (want at "
          "most one an SMC)", N_SMC, verified, after.contexts - before.contexts);
    printf("tracker:    %u forged SMCs with 5 candidates each: %u contexts more\n", N_SMC,
           after.contexts - before.contexts);
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0xA100, "DL after the forged SMCs");
    exchange_checked(&cap, &ue, KASME_DIR_UL, 0xA101, "UL after the forged SMCs");
    capture_close(&cap);
    g_string_free(keys, TRUE);
}

static void test_budgets(void)
{
    section("10. work budgets on hostile input");
    guess_budget();
    smc_context_budget();
}

static void test_robustness(void)
{
    section("9. hostile and truncated input");
    capture cap;
    fx_ue ue;
    attach_ids ids;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 90);
    char *keys = keyfile_for(&ue, NULL, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &ue, &EEA2_EIA2_KSI0, &ids);
    finish_attach(&cap, &ue);
    feed_truncations(&cap, &ue);
    check(hostile_status[KASME_PDU_DECIPHERED] > 0 && hostile_status[KASME_PDU_MALFORMED] > 0,
          "truncations reached the deciphering and the malformed paths");
    print_hostile_summary("every prefix of 8 attach PDUs x 3 directions");
    feed_random(&cap, 20000);
    check(hostile_status[KASME_PDU_DECIPHERED] > 0 && hostile_status[KASME_PDU_NO_CONTEXT] > 0,
          "random PDUs reached the deciphering and the no-context paths");
    print_hostile_summary("20000 random PDUs");
    capture_close(&cap);
    g_free(keys);

    capture bare = {0};
    bare.tr = kasme_tracker_new(NULL);
    feed_random(&bare, 5000);
    print_hostile_summary("5000 random PDUs, tracker without key file");
    kasme_tracker_free(bare.tr);
}

/* ---- 11. contexts found by MAC, not by identity ---- */

/* An initial message (Service Request, or an integrity-protected Attach request with the
 * GUTI) from `from`, whose S-TMSI / GUTI names the UE named_ue_id: the context of `from`
 * (ctx_id) must verify it, named "found by MAC, not by identity". */
static void check_found_by_mac(const kasme_nas_result *r, uint32_t count, uint32_t owner_ue,
                               uint32_t ctx_id, uint32_t named_ue, const char *what)
{
    check(r->status == KASME_PDU_DECIPHERED && r->mac_status == KASME_MAC_GOOD &&
              r->count == count && r->ue_id == owner_ue && r->ctx.ctx_id == ctx_id &&
              (r->events & KASME_EV_FOUND_BY_MAC) && r->named_ue_id == named_ue,
          "%s: want GOOD COUNT %u ue %u ctx %u found by MAC (identity named ue %u); got status "
          "%d mac %d COUNT %u ue %u ctx %u events %#x named %u", what, count, owner_ue, ctx_id,
          named_ue, r->status, r->mac_status, r->count, r->ue_id, r->ctx.ctx_id, r->events,
          r->named_ue_id);
}

/* The GUTI's Attach request (KSI 0, TS 24.301 8.2.4) sent integrity protected (type 1). */
static const kasme_nas_result *send_guti_attach(capture *cap, fx_ue *ue, uint32_t m_tmsi,
                                                uint32_t *count)
{
    uint8_t inner[FX_MAX_PDU];
    size_t len = fx_attach_request_guti(m_tmsi, inner);
    inner[2] = 0x01; /* KSI 0 (the context it names) | EPS attach */
    return send_protected(cap, ue, 1, KASME_DIR_UL, inner, len, count);
}

/* A capture whose key file has subscriber A and another (MILENAGE), on S1AP connections
 * base and base + 1; returns the key-file text to free. */
static char *open_with_a(capture *cap, fx_ue *a, fx_ue *other, const char *imsi, const char *k,
                         const char *opc, uint32_t base)
{
    fx_ue_setup(a, IMSI_A, FX_MILENAGE, K_A, OPC_A, base);
    fx_ue_setup(other, imsi, FX_MILENAGE, k, opc, base + 1);
    char *keys = keyfile_for(a, other, NULL, NULL);
    capture_open(cap, keys);
    return keys;
}

/* Two subscribers given the same GUTI one after the other (the MME reused it): the first
 * one's Service Request and GUTI attach name the second one. */
static void guti_reused_across_subscribers(void)
{
    capture cap;
    fx_ue a, b;
    attach_ids ids_a, ids_b;
    char *keys = open_with_a(&cap, &a, &b, IMSI_B, K_B, OPC_B, 70);
    attach(&cap, &a, &EEA2_EIA2_KSI0, &ids_a);
    finish_attach(&cap, &a); /* GUTI ATTACH_ACCEPT_M_TMSI */
    attach_plan plan_b = EEA2_EIA2_KSI0;
    plan_b.rand_seed = 2;
    attach(&cap, &b, &plan_b, &ids_b);
    finish_attach(&cap, &b); /* the same GUTI, now B's */

    move_to_new_connection(&cap, &a, 72);
    uint32_t count = a.ctx.next_count[KASME_DIR_UL]++;
    const kasme_nas_result *r =
        send_service_request(&cap, &a, count, 0, true, ATTACH_ACCEPT_M_TMSI);
    check_found_by_mac(r, count, ids_a.ue_id, ids_a.ctx_id, ids_b.ue_id,
                       "A's Service Request, S-TMSI now B's");
    exchange_checked(&cap, &a, KASME_DIR_DL, 0x7000, "A's DL after it");
    r = send_service_request(&cap, &a, a.ctx.next_count[KASME_DIR_UL], 0, false,
                             ATTACH_ACCEPT_M_TMSI);
    check(r->mac_status == KASME_MAC_BAD && !(r->events & KASME_EV_FOUND_BY_MAC),
          "a Service Request no context verifies: mac %d events %#x (want BAD, not found)",
          r->mac_status, r->events);

    move_to_new_connection(&cap, &b, 73);
    check_sr_good(&cap, &b, ids_b.ue_id, "B's own Service Request (its context, by identity)");

    move_to_new_connection(&cap, &a, 74);
    r = send_guti_attach(&cap, &a, ATTACH_ACCEPT_M_TMSI, &count);
    check_found_by_mac(r, count, ids_a.ue_id, ids_a.ctx_id, ids_b.ue_id,
                       "A's integrity-protected GUTI attach, GUTI now B's");
    capture_close(&cap);
    g_free(keys);
}

/* D attaches with a GUTI the capture never gave it (kasme takes that M-TMSI for D, whose AKA
 * and SMC then run); A attaches and is given the same GUTI. D comes back with a Service
 * Request by that S-TMSI, which now names A. */
static void stmsi_taken_by_unassigned_guti(void)
{
    capture cap;
    fx_ue a, d;
    attach_ids ids_a, ids_d;
    char *keys = open_with_a(&cap, &a, &d, IMSI_D, K_D, OPC_D, 80);
    uint8_t pdu[FX_MAX_PDU];
    const kasme_nas_result *r =
        feed(&cap, d.conn, KASME_DIR_UL, pdu, fx_attach_request_guti(ATTACH_ACCEPT_M_TMSI, pdu));
    ids_d.ue_id = r->ue_id;
    attach_plan plan_d = EEA2_EIA2_KSI0;
    plan_d.rand_seed = 3;
    step_aka(&cap, &d, &plan_d, &ids_d);
    step_smc(&cap, &d, &plan_d, &ids_d);
    step_smc_complete(&cap, &d, &ids_d);
    attach(&cap, &a, &EEA2_EIA2_KSI0, &ids_a);
    finish_attach(&cap, &a); /* the GUTI D took, assigned to A */

    move_to_new_connection(&cap, &d, 82);
    uint32_t count = d.ctx.next_count[KASME_DIR_UL]++;
    r = send_service_request(&cap, &d, count, 0, true, ATTACH_ACCEPT_M_TMSI);
    check_found_by_mac(r, count, ids_d.ue_id, ids_d.ctx_id, ids_a.ue_id,
                       "D's Service Request, its S-TMSI since assigned to A");
    exchange_checked(&cap, &d, KASME_DIR_UL, 0x8000, "D's UL after it");
    move_to_new_connection(&cap, &a, 83);
    check_sr_good(&cap, &a, ids_a.ue_id, "A's own Service Request (its context, by identity)");
    capture_close(&cap);
    g_free(keys);
}

/* A's Service Request under an S-TMSI the capture never gave any UE (lab capture s24, its
 * frame 88: Open5GS's MME knew no UE by it either): no identity names a context, the
 * stored contexts with its KSI decide; named_ue_id 0. */
static void stmsi_never_assigned(void)
{
    capture cap;
    fx_ue a, b;
    attach_ids ids_a;
    char *keys = open_with_a(&cap, &a, &b, IMSI_B, K_B, OPC_B, 90);
    attach(&cap, &a, &EEA2_EIA2_KSI0, &ids_a);
    finish_attach(&cap, &a);
    move_to_new_connection(&cap, &a, 92);
    uint32_t count = a.ctx.next_count[KASME_DIR_UL]++;
    const kasme_nas_result *r = send_service_request(&cap, &a, count, 0, true, 0xC0001234);
    check_found_by_mac(r, count, ids_a.ue_id, ids_a.ctx_id, 0,
                       "A's Service Request under an S-TMSI never assigned");
    capture_close(&cap);
    g_free(keys);
}

/* The core authenticates another subscriber on a connection kasme tied to B (it took B for
 * A, the owner of the identity B sent; 5G: captures/5g-s14-wrong-identity frame 30): A's AKA,
 * A's RES and an SMC under A's new K_ASME, all on B's connection, are A's; then B's own AKA
 * on a connection of A's. */
static void aka_for_other_subscriber(void)
{
    capture cap;
    fx_ue a, b;
    attach_ids ids_a, ids_b;
    fx_ue_setup(&a, IMSI_A, FX_MILENAGE, K_A, OPC_A, 96);
    fx_ue_setup(&b, IMSI_B, FX_MILENAGE, K_B, OPC_B, 97);
    char *keys = keyfile_for(&a, &b, NULL, NULL);
    capture_open(&cap, keys);
    attach(&cap, &a, &EEA2_EIA2_KSI0, &ids_a);
    attach(&cap, &b, &EEA2_EIA2_KSI0, &ids_b);
    attach_plan reauth = {.ksi = 1, .eea = 2, .eia = 2, .rand_seed = 7, .sqn = 0x40,
                          .hints = &NO_HINTS};
    attach_ids ids_again = {.ue_id = ids_a.ue_id};
    uint64_t conn_a = a.conn;
    a.conn = b.conn;
    step_aka(&cap, &a, &reauth, &ids_again); /* the request on A's UE, RES verified */
    step_smc(&cap, &a, &reauth, &ids_again);
    step_smc_complete(&cap, &a, &ids_again);
    check(cap.res.ue_id == ids_a.ue_id && strcmp(cap.res.imsi, IMSI_A) == 0 &&
              ids_again.ctx_id != ids_a.ctx_id,
          "A's AKA on B's connection: SMC complete on UE %u (A's %u) IMSI '%s', new context %u",
          cap.res.ue_id, ids_a.ue_id, cap.res.imsi, ids_again.ctx_id);
    exchange_checked(&cap, &a, KASME_DIR_DL, 0x9300, "A's PDU on B's former connection");
    b.conn = conn_a; /* A's first connection, still tied to A */
    attach_ids ids_b_again = {.ue_id = ids_b.ue_id};
    reauth.rand_seed = 8;
    step_aka(&cap, &b, &reauth, &ids_b_again);
    check(strcmp(cap.res.imsi, IMSI_B) == 0, "B's AKA on A's connection: RES on IMSI '%s'",
          cap.res.imsi);
    capture_close(&cap);
    g_free(keys);
}

static void test_found_by_mac(void)
{
    section("11. Contexts found by MAC, not by identity");
    guti_reused_across_subscribers();
    stmsi_taken_by_unassigned_guti();
    stmsi_never_assigned();
    section("11b. An AKA for another subscriber on a UE's connection");
    aka_for_other_subscriber();
}

/* ---- 12. captures that start mid-session ---- */

/* The NAS SMC happened before the capture: a `kasme= any` line only. The first PDU is UL and
 * integrity protected only (no EEA can be told from it), at a COUNT past the first overflow;
 * the first DL PDU has an overflow of its own; the first ciphered one tells the EEA. */
static void midsession_overflow_and_eea(void)
{
    capture cap;
    fx_ue ue;
    uint8_t kasme[32], inner[32];
    fx_unhex(KASME2_HEX, kasme, 32);
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 90);
    char *keys = g_strdup_printf("kasme=%s any\n", KASME2_HEX);
    capture_open(&cap, keys);
    fx_ctx_from_kasme(&ue.ctx, kasme, 0, 2, 2);
    ue.ctx.next_count[KASME_DIR_UL] = 0x1F0;
    ue.ctx.next_count[KASME_DIR_DL] = 0x305;
    size_t len = fx_ul_nas_transport_inner(0x9000, inner);
    uint32_t count;
    const kasme_nas_result *r = send_protected(&cap, &ue, 1, KASME_DIR_UL, inner, len, &count);
    check(r->status == KASME_PDU_DECIPHERED && r->mac_status == KASME_MAC_GOOD &&
              r->count == count && (r->events & KASME_EV_ALGS_SEARCHED) &&
              r->ctx.algs_searched && r->ctx.eia == 2 && r->ctx.from_keyfile_kasme &&
              r->ctx.smc_frame == 0 && r->ue_id != 0,
          "first PDU, integrity only, UL COUNT %#x: status %d mac %d COUNT %#x events %#x "
          "searched %d eia %u", count, r->status, r->mac_status, r->count, r->events,
          r->ctx.algs_searched, r->ctx.eia);
    uint32_t ue_id = r->ue_id;
    exchange_checked(&cap, &ue, KASME_DIR_DL, 0x9001, "first DL (ciphered: EEA found), COUNT 0x305");
    check(cap.res.ctx.eea == 2 && cap.res.ue_id == ue_id && !(cap.res.events & KASME_EV_ALGS_SEARCHED),
          "EEA2 found, same UE, no second search: eea %u ue %u events %#x", cap.res.ctx.eea,
          cap.res.ue_id, cap.res.events);
    exchange_checked(&cap, &ue, KASME_DIR_UL, 0x9002, "UL after the search");
    capture_close(&cap);
    g_free(keys);
}

/* A COUNT beyond the search window, and a wrong root key: no context, never a guess. */
static void midsession_not_found(void)
{
    capture cap;
    fx_ue ue;
    uint8_t kasme[32], inner[32], pdu[FX_MAX_PDU];
    fx_unhex(KASME2_HEX, kasme, 32);
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 91);
    char *keys = g_strdup_printf("kasme=%s any\n", KASME_HEX); /* not this UE's */
    capture_open(&cap, keys);
    fx_ctx_from_kasme(&ue.ctx, kasme, 0, 2, 2);
    size_t len = fx_emm_information_inner(0x9100, inner);
    const kasme_nas_result *r =
        feed(&cap, ue.conn, KASME_DIR_DL, pdu,
             fx_protect(&ue.ctx, 2, KASME_DIR_DL, 5, inner, len, pdu));
    check(r->status == KASME_PDU_NO_CONTEXT && r->mac_status == KASME_MAC_UNVERIFIED &&
              r->unverified_why && strstr(r->unverified_why, "no key-file root key verifies"),
          "wrong root key: status %d mac %d why '%s'", r->status, r->mac_status,
          r->unverified_why ? r->unverified_why : "");
    capture_close(&cap);
    g_free(keys);
    keys = g_strdup_printf("kasme=%s any\n", KASME2_HEX);
    capture_open(&cap, keys);
    r = feed(&cap, ue.conn, KASME_DIR_DL, pdu,
             fx_protect(&ue.ctx, 2, KASME_DIR_DL, 0x1005, inner, len, pdu));
    check(r->status == KASME_PDU_NO_CONTEXT && r->mac_status != KASME_MAC_GOOD,
          "COUNT 0x1005 (overflow 16, past the window): status %d mac %d", r->status,
          r->mac_status);
    capture_close(&cap);
    g_free(keys);
}

static void test_midsession(void)
{
    section("12. Captures that start mid-session");
    midsession_overflow_and_eea();
    midsession_not_found();
}

int main(void)
{
    if (fx_init()) {
        fprintf(stderr, "tracker: libgcrypt initialisation failed\n");
        return 1;
    }
    test_fixture_anchor();
    test_full_attach();
    test_keys_unshown();
    test_count_overflow();
    test_rekey();
    test_service_request();
    test_connection_reused();
    test_interleaved();
    test_tampering();
    test_unknown_subscriber();
    test_keyfile_kasme();
    test_robustness();
    test_budgets();
    test_found_by_mac();
    test_midsession();
    printf("tracker: compact results: %u packed and unpacked, %u kept whole\n",
           packs_tried - packs_refused, packs_refused);
    check(packs_tried > 100 && packs_refused < packs_tried / 2, "most results pack");
    return check_report("tracker");
}
