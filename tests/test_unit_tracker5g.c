/* The tracker's 5G handover keys and EAP-AKA'.
 * - An NGAP SecurityContext's NH checked against the UE's NH chain from K_AMF and the initial
 *   K_gNB (TS 33.501 6.9.2.1.1, A.10). The K_AMF, K_gNB and NH values are vectors5g_extra.json's
 *   nh5g entries (computed by an independent Python implementation,
 *   tests/vectors/gen_vectors5g_extra.py), read from argv[2].
 * - EAP-AKA' (TS 33.501 6.1.3.1, RFC 9048): the network side's AKA'-Challenge, the UE's
 *   response and the SMC are built here from the crypto primitives (MILENAGE, CK'/IK', PRF',
 *   the TS 33.501 KDFs: each checked against its vectors in vec_milenage and vec_kdf5g), so the
 *   test knows the K_AMF the tracker must arrive at; the tracker's protocol handling is the
 *   subject: finding the EAP identity by AT_MAC, AT_RES, K_AUSF from EMSK, the SMC.
 * 5G contexts are taken into use by NAS Security Mode Commands built here. */
/* The build compiles each tests/test_unit_*.c on its own: the round-trip check comes in. */
#include "pack_round_trip.c"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "eap_msg.h"
#include "eap_aka_prime.h"
#include "gcrypt_init.h"
#include "kdf.h"
#include "kdf5g.h"
#include "milenage.h"
#include "keyfile.h"
#include "sec_alg.h"
#include "subdb.h"
#include "suci.h"
#include "tracker.h"
#include "vec_util.h"

typedef struct {
    kasme_subdb *db;
    kasme_tracker *tr;
    uint32_t frame;
    kasme_nas_result nas;
    uint8_t plain[256];
} capture5g;

static void capture_open(capture5g *cap, const char *keyfile_text)
{
    memset(cap, 0, sizeof *cap);
    cap->db = kasme_subdb_new();
    int added = kasme_keyfile_load_buffer("test.keys", keyfile_text, strlen(keyfile_text),
                                          cap->db, NULL, NULL);
    check(added > 0, "key file: %d entries loaded", added);
    cap->tr = kasme_tracker_new(cap->db);
}

static void capture_close(capture5g *cap)
{
    kasme_tracker_free(cap->tr);
    kasme_subdb_free(cap->db);
}

static const kasme_nas_result *feed_nas(capture5g *cap, uint64_t conn, int dir,
                                        const uint8_t *pdu, size_t len)
{
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = dir, .conn = conn};
    kasme_tracker_nas(cap->tr, &meta, pdu, len, cap->plain, &cap->nas);
    check_round_trip(cap->tr, pdu, len, &cap->nas, cap->plain, true, meta.frame);
    return &cap->nas;
}

/* A 5GS protected PDU (TS 24.501 9.1.1): EPD, security header type, NAS-MAC over SN ||
 * message with K_NASint of K_AMF (A.8) for NIA2, BEARER 1 (3GPP access, TS 33.501 6.4.3.1). */
static size_t protect_5g(const uint8_t kamf[32], uint8_t sec_hdr, int dir, uint32_t count,
                         const uint8_t *inner, size_t inner_len, uint8_t *out)
{
    uint8_t k_int[16];
    kasme_integrity integ;
    uint32_t mac = 0;
    out[0] = 0x7E;
    out[1] = sec_hdr;
    out[6] = (uint8_t)count;
    memcpy(out + 7, inner, inner_len);
    if (kdf5g_alg_key(kamf, KDF5G_NAS_INT, 2, k_int) != 0 ||
        kasme_integrity_init(&integ, 2, k_int) != KASME_SEC_OK)
        return 0;
    kasme_integrity_mac(&integ, count, 1, (unsigned)dir, out + 6, inner_len + 1,
                        (inner_len + 1) * 8, &mac);
    kasme_integrity_free(&integ);
    for (int i = 0; i < 4; i++)
        out[2 + i] = (uint8_t)(mac >> (24 - 8 * i));
    return inner_len + 7;
}

/* Security mode command (TS 24.501 8.2.25): NEA0/NIA2, ngKSI, replayed capabilities. */
static size_t smc_5g(const uint8_t kamf[32], int ngksi, uint8_t *out)
{
    const uint8_t inner[] = {0x7E, 0x00, 0x5D, 0x02, (uint8_t)ngksi, 0x02, 0xE0, 0xE0};
    return protect_5g(kamf, 0x03, KASME_DIR_DL, 0, inner, sizeof inner, out);
}

/* Registration request (TS 24.501 8.2.6) with a null-scheme SUCI (9.11.3.4) of SUPI
 * imsi-001010000000001: the UE on its connection. */
static const uint8_t REGISTRATION_REQUEST[] = {
    0x7E, 0x00, 0x41, 0x79, 0x00, 0x0D, 0x01, 0x00, 0xF1, 0x10, 0xF0, 0xFF, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x10};
#define SUPI "001010000000001"

typedef struct {
    uint8_t kamf[32], kgnb[32], nh[2][32];
} nh_vectors;

static void load_nh_vectors(const char *extra_path, nh_vectors *v)
{
    JsonArray *a = vec_category_in(extra_path, "nh5g");
    check(a && json_array_get_length(a) == 2, "nh5g: two vectors");
    for (guint i = 0; a && i < 2; i++) {
        JsonObject *o = json_array_get_object_element(a, i);
        vec_hex(vec_str(o, "kamf"), v->kamf, 32);
        vec_hex(vec_str(o, "nh"), v->nh[i], 32);
        if (i == 0)
            vec_hex(vec_str(o, "sync_input"), v->kgnb, 32);
    }
}

static kasme_kenb_result nh_on(capture5g *cap, kasme_domain domain, uint64_t conn,
                               const uint8_t nh[32], uint8_t ncc)
{
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = KASME_DIR_DL, .conn = conn};
    kasme_nh_context sc = {.ncc = ncc};
    memcpy(sc.nh, nh, 32);
    kasme_kenb_result kr;
    kasme_tracker_nh(cap->tr, domain, &meta, &sc, &kr);
    return kr;
}

/* A UE whose K_AMF the key file gives: SMC on its NGAP connection, then the NGAP SecurityKey
 * (the initial K_gNB) and SecurityContexts with NH_1 (NCC 1) and NH_2 (NCC 2). */
static void nh_chain(const nh_vectors *v)
{
    set_run("NGAP NH chain");
    char keys[128];
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", v->kamf[i]);
    snprintf(keys, sizeof keys, "kamf=%s supi=imsi-" SUPI " ksi=1\n", hex);
    capture5g cap;
    capture_open(&cap, keys);
    uint64_t conn = kasme_conn_key(KASME_CONN_NGAP_RAN, 7, 1);
    const kasme_nas_result *r = feed_nas(&cap, conn, KASME_DIR_UL, REGISTRATION_REQUEST,
                                         sizeof REGISTRATION_REQUEST);
    check(strcmp(r->imsi, SUPI) == 0, "Registration request: SUPI %s", r->imsi);
    uint8_t pdu[64];
    size_t len = smc_5g(v->kamf, 1, pdu);
    r = feed_nas(&cap, conn, KASME_DIR_DL, pdu, len);
    check(r->mac_status == KASME_MAC_GOOD && r->has_ctx && r->ctx.domain == KASME_DOMAIN_5GS,
          "SMC: the K_AMF line's context taken into use (MAC %d: %s)", r->mac_status,
          r->unverified_why ? r->unverified_why : "");
    uint32_t ue_id = r->ue_id;

    kasme_kenb_result kr = nh_on(&cap, KASME_DOMAIN_5GS, conn, v->nh[0], 1);
    check(kr.nh && kr.verdict == KASME_KENB_UNCHECKED && kr.why,
          "NH before any SecurityKey: not checked (no initial K_gNB), verdict %d", kr.verdict);

    kasme_pdu_meta meta = {.frame = ++cap.frame, .dir = KASME_DIR_DL, .conn = conn};
    kasme_kenb_result key_res;
    kasme_tracker_an_key(cap.tr, KASME_DOMAIN_5GS, &meta, v->kgnb, &key_res);

    kr = nh_on(&cap, KASME_DOMAIN_5GS, conn, v->nh[0], 1);
    check(kr.nh && kr.domain == KASME_DOMAIN_5GS && kr.verdict == KASME_KENB_CONFIRMED &&
              kr.nh_index == 1 && kr.ncc == 1,
          "NH_1 with NCC 1 confirmed (verdict %d, index %u)", kr.verdict, kr.nh_index);
    kr = nh_on(&cap, KASME_DOMAIN_5GS, conn, v->nh[1], 2);
    check(kr.verdict == KASME_KENB_CONFIRMED && kr.nh_index == 2,
          "NH_2 with NCC 2 confirmed (verdict %d, index %u)", kr.verdict, kr.nh_index);
    kr = nh_on(&cap, KASME_DOMAIN_5GS, conn, v->nh[0], 2);
    check(kr.verdict == KASME_KENB_MISMATCH && kr.why, "NH_1 sent with NCC 2: mismatch");
    uint8_t flipped[32];
    memcpy(flipped, v->nh[1], 32);
    flipped[31] ^= 1;
    kr = nh_on(&cap, KASME_DOMAIN_5GS, conn, flipped, 2);
    check(kr.verdict == KASME_KENB_MISMATCH, "NH_2 with a flipped bit: mismatch");
    kr = nh_on(&cap, KASME_DOMAIN_EPS, conn, v->nh[0], 1);
    check(kr.verdict == KASME_KENB_UNCHECKED,
          "the same NH as S1AP's: no EPS context, not checked (verdict %d)", kr.verdict);
    /* the target's connection (Xn: another association; N2: a new AMF UE NGAP ID) names no
     * known UE: the UE is the one whose chain holds the NH, and the connection becomes its */
    uint64_t target = kasme_conn_key(KASME_CONN_NGAP_AMF, 8, 2);
    kr = nh_on(&cap, KASME_DOMAIN_5GS, kasme_conn_key(KASME_CONN_NGAP_AMF, 8, 3), flipped, 2);
    check(kr.verdict == KASME_KENB_UNCHECKED && kr.ue_id == 0 && kr.why,
          "flipped NH on a connection of no known UE: no UE's chain holds it, not checked");
    kr = nh_on(&cap, KASME_DOMAIN_5GS, target, v->nh[1], 2);
    check(kr.verdict == KASME_KENB_CONFIRMED && kr.nh_index == 2 && kr.ue_id == ue_id,
          "NH_2 on a connection of no known UE: its UE found by the chain (verdict %d, UE %u)",
          kr.verdict, kr.ue_id);
    kr = nh_on(&cap, KASME_DOMAIN_5GS, target, flipped, 2);
    check(kr.verdict == KASME_KENB_MISMATCH && kr.ue_id == ue_id,
          "that connection now names the UE: a flipped NH there is a mismatch");
    capture_close(&cap);
}

/* ---- EAP-AKA' ---- */

#define EAP_K "465b5ce8b199b49faa5f0a2ee238a6bc"
#define EAP_OPC "cd63cb71954a9f4e48a5994e37a02baf"
#define SNN "5G:mnc001.mcc001.3gppnetwork.org" /* PLMN 001/01 (00 F1 10) */
static const uint8_t ABBA[2] = {0x00, 0x00};

/* One AKA'-Challenge as the home network and the UE run it. */
typedef struct {
    const char *identity;     /* the EAP identity both ends put in MK */
    const char *key_name;     /* the network name the keys are derived with */
    const char *packet_name;  /* the one AT_KDF_INPUT carries */
    bool flip_request_mac, flip_response_mac, wrong_res;
    /* what it gives */
    uint8_t rand[16], autn[16], res[8];
    uint8_t k_aut[32], kamf[32];
} eap_run;

static void hex_in(const char *hex, uint8_t *out, size_t n)
{
    check(check_unhex(hex, out, n) == n, "hex literal of %zu octets", n);
}

/* The AUSF's side: the vector for SQN 1, CK'/IK' (TS 33.402 A.2), MK's keys, K_AMF. */
static void network_keys(eap_run *run)
{
    uint8_t k[16], opc[16], ck[16], ik[16], ak[6], sqn[6] = {0, 0, 0, 0, 0, 1}, mac_a[8];
    const uint8_t amf[2] = {0x80, 0x00};
    hex_in(EAP_K, k, 16);
    hex_in(EAP_OPC, opc, 16);
    for (int i = 0; i < 16; i++)
        run->rand[i] = (uint8_t)(0xA0 + i);
    milenage_f2345(k, opc, run->rand, run->res, ck, ik, ak, NULL);
    milenage_f1(k, opc, run->rand, sqn, amf, mac_a, NULL);
    for (int i = 0; i < 6; i++)
        run->autn[i] = sqn[i] ^ ak[i];
    memcpy(run->autn + 6, amf, 2);
    memcpy(run->autn + 8, mac_a, 8);
    uint8_t ckp[16], ikp[16], kausf[32], kseaf[32];
    eap_aka_prime_keys keys;
    eap_aka_prime_ck_ik(ck, ik, run->key_name, run->autn, ckp, ikp);
    eap_aka_prime_keys_derive(ckp, ikp, (const uint8_t *)run->identity, strlen(run->identity),
                              &keys);
    memcpy(run->k_aut, keys.k_aut, 32);
    eap_aka_prime_kausf(&keys, kausf);
    kdf5g_kseaf(kausf, run->key_name, kseaf);
    kdf5g_kamf(kseaf, SUPI, ABBA, sizeof ABBA, run->kamf);
}

static size_t put_attr16(uint8_t *p, uint8_t type, const uint8_t v[16])
{
    p[0] = type;
    p[1] = 5;
    p[2] = p[3] = 0;
    memcpy(p + 4, v, 16);
    return 20;
}

/* AT_MAC (RFC 9048 3.5): HMAC-SHA-256-128 under K_aut over the packet with the MAC zeroed. */
static void seal_eap(const uint8_t k_aut[32], uint8_t *eap, size_t len, size_t mac_at, bool flip)
{
    uint8_t digest[32];
    eap[2] = (uint8_t)(len >> 8);
    eap[3] = (uint8_t)len;
    memset(eap + mac_at, 0, 16);
    kdf_hmac_sha256(k_aut, 32, eap, len, digest);
    memcpy(eap + mac_at, digest, 16);
    if (flip)
        eap[mac_at + 15] ^= 1;
}

/* The 5GMM message around an EAP packet: its header octets, then EAP message IE (TLV-E). */
static size_t wrap_eap(const uint8_t *head, size_t head_len, const uint8_t *eap, size_t len,
                       uint8_t *out)
{
    memcpy(out, head, head_len);
    out[head_len] = 0x78;
    out[head_len + 1] = (uint8_t)(len >> 8);
    out[head_len + 2] = (uint8_t)len;
    memcpy(out + head_len + 3, eap, len);
    return head_len + 3 + len;
}

/* Authentication request (TS 24.501 8.2.1): ngKSI 1, ABBA, EAP-Request/AKA'-Challenge
 * (RFC 9048 3.1: AT_RAND, AT_AUTN, AT_KDF 1, AT_KDF_INPUT, AT_MAC). */
static size_t eap_request(const eap_run *run, uint8_t *out)
{
    uint8_t eap[160] = {KASME_EAP_REQUEST, 7, 0, 0, 50, 1, 0, 0};
    size_t n = 8;
    n += put_attr16(eap + n, 1, run->rand);
    n += put_attr16(eap + n, 2, run->autn);
    const uint8_t kdf[4] = {24, 1, 0, 1};
    memcpy(eap + n, kdf, 4);
    n += 4;
    size_t name_len = strlen(run->packet_name), padded = (name_len + 3) / 4 * 4;
    eap[n] = 23;
    eap[n + 1] = (uint8_t)((padded + 4) / 4);
    eap[n + 2] = 0;
    eap[n + 3] = (uint8_t)name_len;
    memcpy(eap + n + 4, run->packet_name, name_len);
    n += padded + 4;
    size_t mac_at = n + 4;
    n += put_attr16(eap + n, 11, (const uint8_t[16]){0});
    seal_eap(run->k_aut, eap, n, mac_at, run->flip_request_mac);
    const uint8_t head[] = {0x7E, 0x00, 0x56, 0x01, 0x02, ABBA[0], ABBA[1]};
    return wrap_eap(head, sizeof head, eap, n, out);
}

/* Authentication response (8.2.2): EAP-Response/AKA'-Challenge with AT_RES and AT_MAC. */
static size_t eap_response(const eap_run *run, uint8_t *out)
{
    uint8_t eap[64] = {2, 7, 0, 0, 50, 1, 0, 0, 3, 3, 0, 64};
    memcpy(eap + 12, run->res, 8);
    if (run->wrong_res)
        eap[19] ^= 0x80;
    size_t n = 20, mac_at = n + 4;
    n += put_attr16(eap + n, 11, (const uint8_t[16]){0});
    seal_eap(run->k_aut, eap, n, mac_at, run->flip_response_mac);
    const uint8_t head[] = {0x7E, 0x00, 0x57};
    return wrap_eap(head, sizeof head, eap, n, out);
}

static bool has(const kasme_nas_result *r, uint32_t events)
{
    return (r->events & events) == events;
}

/* Registration, the challenge, the response and the SMC on one NGAP connection. */
static void eap_flow(eap_run *run, bool keys_confirmed, const char *what)
{
    set_run("EAP-AKA' %s", what);
    network_keys(run);
    capture5g cap;
    capture_open(&cap, "supi=imsi-" SUPI " k=" EAP_K " opc=" EAP_OPC "\n");
    uint64_t conn = kasme_conn_key(KASME_CONN_NGAP_AMF, 3, 0x1234567890ULL);
    feed_nas(&cap, conn, KASME_DIR_UL, REGISTRATION_REQUEST, sizeof REGISTRATION_REQUEST);
    uint8_t pdu[256];
    size_t len = eap_request(run, pdu);
    const kasme_nas_result *r = feed_nas(&cap, conn, KASME_DIR_DL, pdu, len);
    uint32_t aka_frame = cap.frame;
    uint32_t want_mac = keys_confirmed && !run->flip_request_mac ? KASME_EV_EAP_MAC_OK
                                                                 : KASME_EV_EAP_MAC_BAD;
    check(has(r, KASME_EV_AKA_MATCH | want_mac),
          "request: subscriber by MAC-A, AT_MAC %s (events %#x)",
          want_mac == KASME_EV_EAP_MAC_OK ? "verified" : "failed", r->events);
    len = eap_response(run, pdu);
    r = feed_nas(&cap, conn, KASME_DIR_UL, pdu, len);
    if (keys_confirmed && !run->flip_request_mac) {
        check(has(r, run->wrong_res ? KASME_EV_RES_BAD : KASME_EV_RES_OK),
              "response: AT_RES %s (events %#x)", run->wrong_res ? "differs" : "equals XRES",
              r->events);
        check(has(r, run->flip_response_mac ? KASME_EV_EAP_MAC_BAD : KASME_EV_EAP_MAC_OK),
              "response: AT_MAC %s (events %#x)", run->flip_response_mac ? "failed" : "verified",
              r->events);
    }
    len = smc_5g(run->kamf, 1, pdu);
    r = feed_nas(&cap, conn, KASME_DIR_DL, pdu, len);
    bool taken = r->mac_status == KASME_MAC_GOOD && r->has_ctx && r->ctx.aka_frame == aka_frame;
    check(taken == (keys_confirmed && !run->flip_request_mac),
          "SMC with the AUSF's K_AMF: %s (MAC %d, AKA frame %u)",
          taken ? "verified with the EAP-AKA' context" : "no context", r->mac_status,
          r->ctx.aka_frame);
    if (taken)
        check(memcmp(r->ctx.sn_id, (const uint8_t[3]){0x00, 0xF1, 0x10}, 3) == 0,
              "serving network of AT_KDF_INPUT: 00F110");
    capture_close(&cap);
}

/* kasme_eap_parse refuses what does not fit (RFC 3748 4.1, RFC 4187 8.1) and never reads
 * past the buffer (the fuzzers run it too). */
static void eap_parser(void)
{
    set_run("EAP parser");
    uint8_t ok[] = {1, 9, 0, 32, 50, 1, 0, 0, 1, 5, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                    11, 12, 13, 14, 15, 16, 24, 1, 0, 1};
    kasme_eap_aka e;
    check(kasme_eap_parse(ok, sizeof ok, &e) == 0 && e.rand == ok + 12 && !e.autn &&
              e.has_kdf && e.kdf == 1 && e.identifier == 9,
          "AT_RAND and AT_KDF read");
    check(kasme_eap_parse(ok, sizeof ok - 1, &e) == -1, "EAP length above the buffer");
    uint8_t copy[sizeof ok];
    memcpy(copy, ok, sizeof ok);
    copy[9] = 0;
    check(kasme_eap_parse(copy, sizeof copy, &e) == -1, "zero-length attribute");
    memcpy(copy, ok, sizeof ok);
    copy[9] = 9;
    check(kasme_eap_parse(copy, sizeof copy, &e) == -1, "attribute past the packet");
    memcpy(copy, ok, sizeof ok);
    copy[4] = 23; /* EAP-AKA, not AKA' */
    check(kasme_eap_parse(copy, sizeof copy, &e) == -1, "not EAP-AKA'");
    uint8_t res[] = {2, 1, 0, 16, 50, 1, 0, 0, 3, 2, 0, 64, 1, 2, 3, 4};
    check(kasme_eap_parse(res, sizeof res, &e) == -1, "AT_RES of 64 bits in 4 octets");
    res[11] = 32;
    check(kasme_eap_parse(res, sizeof res, &e) == 0 && e.res_bits == 32, "AT_RES of 32 bits");
    uint8_t name[] = {1, 1, 0, 16, 50, 1, 0, 0, 23, 2, 0, 3, 'a', 0, 'b', 0};
    check(kasme_eap_parse(name, sizeof name, &e) == -1, "network name with a NUL");
    name[13] = 'x';
    check(kasme_eap_parse(name, sizeof name, &e) == 0 && strcmp(e.network_name, "axb") == 0,
          "network name read");
    name[11] = 5;
    check(kasme_eap_parse(name, sizeof name, &e) == -1, "network name past its attribute");
}

static void eap_aka_prime_runs(void)
{
    eap_parser();
    eap_run digits = {.identity = SUPI, .key_name = SNN, .packet_name = SNN};
    eap_flow(&digits, true, "identity = IMSI digits");
    eap_run prefixed = {.identity = "imsi-" SUPI, .key_name = SNN, .packet_name = SNN};
    eap_flow(&prefixed, true, "identity = imsi-<digits>");
    eap_run nai = {.identity = "0" SUPI "@nai.5gc.mnc001.mcc001.3gppnetwork.org",
                   .key_name = SNN, .packet_name = SNN};
    eap_flow(&nai, false, "identity of no candidate form");
    eap_run name = {.identity = SUPI, .key_name = "5G:mnc002.mcc001.3gppnetwork.org",
                    .packet_name = SNN};
    eap_flow(&name, false, "keys of another network name than AT_KDF_INPUT's");
    eap_run req_flip = {.identity = SUPI, .key_name = SNN, .packet_name = SNN,
                        .flip_request_mac = true};
    eap_flow(&req_flip, true, "request AT_MAC bit flipped");
    eap_run resp = {.identity = SUPI, .key_name = SNN, .packet_name = SNN,
                    .flip_response_mac = true, .wrong_res = true};
    eap_flow(&resp, true, "response with a wrong RES and a flipped AT_MAC");
}

/* ---- 5G AKA whose serving network is not kasme's first candidate ---- */

/* The NGAP PLMN 123/45 comes first; the subscriber's own 001/01 (from its IMSI) second. The
 * K_AMF of a later candidate is derived only when RES* or the SMC picks it (tracker_aka.c):
 * it must then be the right one. */
static const uint8_t WRONG_PLMN[1][3] = {{0x21, 0xF3, 0x54}};

static const kasme_nas_result *feed_nas_plmn(capture5g *cap, int dir, const uint8_t *pdu,
                                             size_t len)
{
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = dir, .conn = 7,
                           .plmns = WRONG_PLMN, .n_plmns = 1};
    kasme_tracker_nas(cap->tr, &meta, pdu, len, cap->plain, &cap->nas);
    check_round_trip(cap->tr, pdu, len, &cap->nas, cap->plain, true, meta.frame);
    return &cap->nas;
}

static size_t auth_request_5g(const uint8_t rand[16], const uint8_t autn[16], uint8_t *out)
{
    /* TS 24.501 8.2.1: ngKSI 0, ABBA 0000, RAND (IEI 21), AUTN (IEI 20) */
    const uint8_t head[] = {0x7E, 0x00, 0x56, 0x00, 0x02, 0x00, 0x00, 0x21};
    size_t n = sizeof head;
    memcpy(out, head, n);
    memcpy(out + n, rand, 16);
    n += 16;
    out[n++] = 0x20;
    out[n++] = 16;
    memcpy(out + n, autn, 16);
    return n + 16;
}

static void second_candidate(bool send_res)
{
    eap_run net = {.identity = SUPI, .key_name = SNN};
    uint8_t k[16], opc[16], ck[16], ik[16], ak[6], kausf[32], kseaf[32], kamf[32], res_star[16];
    uint8_t pdu[128];
    network_keys(&net); /* RAND, AUTN and RES for SQN 1 */
    hex_in(EAP_K, k, 16);
    hex_in(EAP_OPC, opc, 16);
    milenage_f2345(k, opc, net.rand, NULL, ck, ik, ak, NULL);
    kdf5g_res_star(ck, ik, SNN, net.rand, net.res, 8, res_star);
    kdf5g_kausf(ck, ik, SNN, net.autn, kausf);
    kdf5g_kseaf(kausf, SNN, kseaf);
    kdf5g_kamf(kseaf, SUPI, ABBA, sizeof ABBA, kamf);

    set_run("5G AKA, serving network 001/01 second%s", send_res ? "" : ", no RES*");
    capture5g cap;
    capture_open(&cap, "supi=imsi-" SUPI " k=" EAP_K " opc=" EAP_OPC "\n");
    feed_nas_plmn(&cap, KASME_DIR_UL, REGISTRATION_REQUEST, sizeof REGISTRATION_REQUEST);
    const kasme_nas_result *r = feed_nas_plmn(&cap, KASME_DIR_DL, pdu,
                                              auth_request_5g(net.rand, net.autn, pdu));
    check(has(r, KASME_EV_AKA_MATCH), "second candidate%s: AUTN matches the subscriber",
          send_res ? "" : ", no RES*");
    if (send_res) {
        const uint8_t head[] = {0x7E, 0x00, 0x57, 0x2D, 16};
        memcpy(pdu, head, sizeof head);
        memcpy(pdu + sizeof head, res_star, 16);
        r = feed_nas_plmn(&cap, KASME_DIR_UL, pdu, sizeof head + 16);
        check(has(r, KASME_EV_RES_OK), "second candidate: RES* is the XRES* of 001/01, "
              "kasme's second serving network");
    }
    r = feed_nas_plmn(&cap, KASME_DIR_DL, pdu, smc_5g(kamf, 0, pdu));
    check(r->mac_status == KASME_MAC_GOOD, "second candidate%s: the SMC verifies under the "
          "K_AMF of 001/01 (MAC status %d)", send_res ? "" : ", no RES*", r->mac_status);
    capture_close(&cap);
}

/* ---- a SUCI's outcome in the compact result ---- */

/* Registration request with a Profile A SUCI (TS 33.501 C.3.4.1: ephemeral public key, MSIN
 * ciphertext, MAC tag) under home network key id 7, which the key file does not have. */
static size_t registration_profile_a(uint8_t *out)
{
    const uint8_t head[] = {0x7E, 0x00, 0x41, 0x79, 0x00, 8 + 32 + 5 + 8,
                            0x01, 0x00, 0xF1, 0x10, 0xF0, 0xFF, 0x01, 0x07};
    memcpy(out, head, sizeof head);
    for (size_t i = 0; i < 32 + 5 + 8; i++)
        out[sizeof head + i] = (uint8_t)(0x40 + i);
    return sizeof head + 32 + 5 + 8;
}

/* Every UE's registration carries a SUCI, so its result must pack (a whole result per UE cost
 * about 290 B at 10 000 UEs): the SUPI of a null-scheme SUCI and the status of one that does
 * not give its SUPI come back from the compact form (feed_nas checks the round trip). */
static void suci_results_pack(void)
{
    set_run("SUCI results in the compact form");
    capture5g cap;
    capture_open(&cap, "supi=imsi-" SUPI " k=" EAP_K " opc=" EAP_OPC "\n");
    unsigned refused = packs_refused;
    const kasme_nas_result *r = feed_nas(&cap, 11, KASME_DIR_UL, REGISTRATION_REQUEST,
                                         sizeof REGISTRATION_REQUEST);
    check(r->has_suci && r->suci_status == KASME_SUCI_OK && strcmp(r->supi, SUPI) == 0,
          "null scheme: SUPI %s (status %u)", r->supi, r->suci_status);
    uint8_t pdu[128];
    r = feed_nas(&cap, 12, KASME_DIR_UL, pdu, registration_profile_a(pdu));
    check(r->has_suci && r->suci_scheme == 1 && r->suci_hnet_id == 7 &&
              r->suci_status == KASME_SUCI_UNKNOWN_KEY_ID && !r->supi[0],
          "Profile A, unknown key id: scheme %u, key id %u, status %u, SUPI '%s'",
          r->suci_scheme, r->suci_hnet_id, r->suci_status, r->supi);
    check(packs_refused == refused, "both SUCI results packed");
    capture_close(&cap);
}

int main(int argc, char **argv)
{
    vec_need_args(argc, argv, 2, "vectors5g.json vectors5g_extra.json");
    if (kasme_gcrypt_init() != 0)
        return 2;
    nh_vectors v;
    load_nh_vectors(argv[2], &v);
    nh_chain(&v);
    eap_aka_prime_runs();
    second_candidate(true);
    second_candidate(false);
    suci_results_pack();
    printf("tracker5g: compact results: %u packed and unpacked, %u kept whole\n",
           packs_tried - packs_refused, packs_refused);
    return check_report("unit_tracker5g");
}
