/* The tracker's 5G handover keys.
 * - An NGAP SecurityContext's NH checked against the UE's NH chain from K_AMF and the initial
 *   K_gNB (TS 33.501 6.9.2.1.1, A.10). The K_AMF, K_gNB and NH values are vectors5g_extra.json's
 *   nh5g entries (computed by an independent Python implementation,
 *   tests/vectors/gen_vectors5g_extra.py), read from argv[2].
 * 5G contexts are taken into use by NAS Security Mode Commands built here. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "gcrypt_init.h"
#include "kdf5g.h"
#include "keyfile.h"
#include "sec_alg.h"
#include "subdb.h"
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
    kr = nh_on(&cap, KASME_DOMAIN_5GS, kasme_conn_key(KASME_CONN_NGAP_RAN, 7, 2), v->nh[0], 1);
    check(kr.verdict == KASME_KENB_UNCHECKED && kr.ue_id == 0,
          "NH on a connection of no known UE: not checked");
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
    return check_report("unit_tracker5g");
}
