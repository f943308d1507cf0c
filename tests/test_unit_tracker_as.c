/* Unit tests of the AS-security part of the per-UE tracker (plugin/core/tracker_as.c), through
 * the API of plugin/core/tracker.h: the RRC Security Mode Command and the K_eNB its MAC-I picks,
 * PDCP COUNTs, deciphering and MAC-I of SRB PDUs, DRB deciphering, RRC re-establishment and
 * handover (K_eNB*, NH), and hostile PDCP input.
 *
 * The test plays the UE and the eNB from the crypto primitives (kdf.h, sec_alg.h, which
 * tests/test_vec_* check on the official vectors) and the NAS side with tests/tracker_fixture.c:
 * every expected key, COUNT and plaintext is computed here, never read back from the tracker.
 * PDCP PDUs are fed as a MAC-LTE carrier would: frame, direction, RNTI connection key, bearer,
 * SN length, and whether the carrier dissected an RRC SMC or took the payload as ciphered.
 *
 * Scenarios: 1. K_eNB / AS keys from the key file (rnti, any, decoys, many lines) with every
 * algorithm pair, EIA0; 2. K_eNB from the NAS context (attach, Service Request), the S1AP
 * SecurityKey, bind_tmsi; 3. SRB COUNT wrap, lost PDUs, retransmissions, interleaved
 * connections; 4. tampering; 5. RRC re-establishment (K_eNB*, 2- and 3-octet EARFCN, AM and
 * UM DRBs); 6. handover (horizontal, vertical from NH, EARFCN searched, NCC wrap mod 8, a
 * target connection under another UEId, S1AP NH against the chain, a target eNB that has only
 * the S1AP NH);
 * 7. DRBs (12-bit SN wrap, 7/15/18-bit SNs, BEARER = identity + 1, IPv6, control PDUs);
 * 8. before security and a new RRC connection; 9. hostile and truncated PDUs, each behind a
 * guard page; 10. ciphered PDUs whose ciphertext reads as an SMC.
 *
 * The NCC wrap (6), the guard page (9), the SN length per bearer kind (9) and the EIA0
 * look-alike SMC (10) are regression checks of the fixes in commit 31a1200.
 *
 * Checks that show a tracker bug are reported as "KNOWN BUG" and counted as failed. */

#define _DEFAULT_SOURCE /* sigsetjmp/siglongjmp, mmap's MAP_ANONYMOUS */

/* The build compiles each tests/test_unit_*.c on its own, so the fixture comes in here. */
#include "tracker_fixture.c"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "check.h"
#include "kdf.h"
#include "keyfile.h"
#include "sec_alg.h"
#include "subdb.h"
#include "tracker.h"

static void section(const char *name)
{
    printf("tracker_as: %s\n", name);
    set_run("%s", name);
}

static void die(const char *what)
{
    fprintf(stderr, "tracker_as: %s\n", what);
    exit(2);
}

static const char *dir_name(int dir)
{
    return dir == KASME_DIR_UL ? "UL" : dir == KASME_DIR_DL ? "DL" : "?";
}

/* ---- octets, keys and the security primitives ---- */

#define PDU_MAX 2048
#define MAC_I_LEN 4

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Made-up key material: a different pattern for every seed. */
static void pattern_key(uint8_t *key, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 0x9E3779B9u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        key[i] = (uint8_t)(x >> 11);
    }
}

static void hex_of(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
    return memcmp(a, b, n) == 0;
}

/* EIA over len octets (TS 33.401 B.2). */
static uint32_t eia_mac(uint8_t alg, const uint8_t key[16], uint32_t count, unsigned bearer,
                        int dir, const uint8_t *msg, size_t len)
{
    kasme_integrity integ;
    uint32_t mac = 0;
    if (kasme_integrity_init(&integ, alg, key) != KASME_SEC_OK)
        die("integrity algorithm not available");
    if (kasme_integrity_mac(&integ, count, bearer, (unsigned)dir, msg, len, len * 8, &mac) !=
        KASME_SEC_OK)
        die("EIA failed");
    kasme_integrity_free(&integ);
    return mac;
}

/* EEA in place over len octets (TS 33.401 B.1). */
static void eea_apply(uint8_t alg, const uint8_t key[16], uint32_t count, unsigned bearer,
                      int dir, uint8_t *data, size_t len)
{
    kasme_cipher enc;
    if (len == 0)
        return;
    if (kasme_cipher_init(&enc, alg, key) != KASME_SEC_OK)
        die("ciphering algorithm not available");
    if (kasme_cipher_apply(&enc, count, bearer, (unsigned)dir, data, len, len * 8) != KASME_SEC_OK)
        die("EEA failed");
    kasme_cipher_free(&enc);
}

static bool algs_available(uint8_t eea, uint8_t eia)
{
    return kasme_alg_available(eea) && kasme_alg_available(eia);
}

/* ---- one RRC connection as the UE and the eNB hold it ---- */

#define N_SLOTS (3 + 32 + 1) /* SRB0..2, then DRB identity d at 3 + d */

typedef struct {
    uint16_t rnti;
    uint64_t conn;
    bool secured;     /* the RRC SMC was sent */
    bool ul_ciphered; /* the SMC Complete was sent: UL is ciphered from now on */
    uint8_t eea, eia;
    bool has_kenb;
    uint8_t kenb[32], krrc_enc[16], krrc_int[16], kup_enc[16];
    uint32_t next_count[2][N_SLOTS];
    /* the NH chain (TS 33.401 7.2.8.4, A.4), when K_ASME is known */
    bool has_kasme;
    uint8_t kasme[32], kenb_initial[32];
    int ncc;
} radio_link;

static void link_open(radio_link *l, uint16_t rnti)
{
    memset(l, 0, sizeof *l);
    l->rnti = rnti;
    l->conn = kasme_conn_key(KASME_CONN_RNTI, 0, rnti);
}

/* K_RRCenc, K_RRCint and K_UPenc from a K_eNB for the link's algorithms (TS 33.401 A.7). */
static void link_keys_from_kenb(radio_link *l, const uint8_t kenb[32])
{
    memcpy(l->kenb, kenb, 32);
    l->has_kenb = true;
    if (kdf_alg_key(kenb, KDF_RRC_ENC, l->eea, l->krrc_enc) ||
        kdf_alg_key(kenb, KDF_RRC_INT, l->eia, l->krrc_int) ||
        kdf_alg_key(kenb, KDF_UP_ENC, l->eea, l->kup_enc))
        die("kdf_alg_key failed");
}

/* The keys the next RRC SMC will take into use. */
static void link_take_kenb(radio_link *l, const uint8_t kenb[32], uint8_t eea, uint8_t eia)
{
    l->eea = eea;
    l->eia = eia;
    link_keys_from_kenb(l, kenb);
    memcpy(l->kenb_initial, kenb, 32);
    l->ncc = 0;
}

static void link_take_direct_keys(radio_link *l, uint32_t seed, uint8_t eea, uint8_t eia)
{
    l->eea = eea;
    l->eia = eia;
    l->has_kenb = false;
    pattern_key(l->krrc_enc, 16, seed);
    pattern_key(l->krrc_int, 16, seed + 1);
    pattern_key(l->kup_enc, 16, seed + 2);
}

/* NH_n: NH_1 = KDF(K_ASME, K_eNB initial), NH_n = KDF(K_ASME, NH_n-1) (TS 33.401 A.4). */
static void link_nh(const radio_link *l, int n, uint8_t nh[32])
{
    uint8_t sync[32];
    memcpy(sync, l->kenb_initial, 32);
    for (int i = 1; i <= n; i++) {
        if (kdf_nh(l->kasme, sync, nh))
            die("kdf_nh failed");
        memcpy(sync, nh, 32);
    }
}

/* The UE on a new C-RNTI with K_eNB* from base (TS 33.401 7.2.8.4.3, A.5): PDCP of SRB1 and
 * SRB2 re-established (COUNT 0), DRBs keep their COUNTs, ciphering on at once. */
static void link_move(radio_link *l, uint16_t new_rnti, const uint8_t base[32], uint16_t pci,
                      uint32_t earfcn, int ncc)
{
    uint8_t kenb_star[32];
    if (kdf_kenb_star(base, pci, earfcn, kenb_star))
        die("kdf_kenb_star failed");
    link_keys_from_kenb(l, kenb_star);
    l->rnti = new_rnti;
    l->conn = kasme_conn_key(KASME_CONN_RNTI, 0, new_rnti);
    for (int dir = 0; dir < 2; dir++)
        l->next_count[dir][1] = l->next_count[dir][2] = 0;
    l->ul_ciphered = true;
    l->ncc = ncc;
}

/* ---- PDUs ---- */

typedef struct {
    bool srb;
    unsigned rb;      /* radio bearer identity: SRB1/2, DRB identity */
    unsigned sn_bits;
} bearer_id;

static const bearer_id SRB1 = {true, 1, 5};
static const bearer_id SRB2 = {true, 2, 5};

static bearer_id drb(unsigned id, unsigned sn_bits)
{
    bearer_id b = {false, id, sn_bits};
    return b;
}

static unsigned slot_of(bearer_id b)
{
    return b.srb ? b.rb : 3 + b.rb;
}

/* An RRC message that names its tag, 3 to 31 octets (the tracker does not parse it). */
static size_t rrc_message(uint32_t tag, uint8_t *out)
{
    size_t len = 3 + tag % 29;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(tag * 7 + i * 13 + (tag >> 8));
    return len;
}

/* DL-DCCH-Message securityModeCommand-r8 (TS 36.331 6.2.2, UPER): EEA in bits 13..15, EIA in
 * bits 17..19; 30 02 20 for EEA2/EIA2 and transaction 0. */
static size_t rrc_smc_message(uint8_t eea, uint8_t eia, unsigned transaction, uint8_t *out)
{
    out[0] = (uint8_t)(0x30 | (transaction & 3) << 1);
    out[1] = (uint8_t)(eea & 7);
    out[2] = (uint8_t)((eia & 7) << 4);
    return 3;
}

/* SRB data PDU (TS 36.323 6.2.2): header with the 5-bit SN, data, MAC-I over header||data;
 * data||MAC-I ciphered when asked. protect = false gives the all-zero MAC-I of a PDU sent
 * before AS security. */
static size_t srb_pdu(const radio_link *l, int dir, unsigned rb, uint32_t count,
                      const uint8_t *msg, size_t len, bool protect, bool cipher, uint8_t *out)
{
    out[0] = (uint8_t)(count & 0x1F);
    memcpy(out + 1, msg, len);
    uint32_t mac = protect ? eia_mac(l->eia, l->krrc_int, count, rb - 1, dir, out, 1 + len) : 0;
    put_be32(out + 1 + len, mac);
    if (cipher)
        eea_apply(l->eea, l->krrc_enc, count, rb - 1, dir, out + 1, len + MAC_I_LEN);
    return 1 + len + MAC_I_LEN;
}

static size_t drb_header_len(unsigned sn_bits)
{
    return sn_bits == 7 ? 1 : sn_bits == 18 ? 3 : 2;
}

/* DRB data PDU (TS 36.323 6.2.3, 6.2.4, 6.2.8, 6.2.12): D/C = 1, SN of sn_bits bits, the SDU
 * ciphered with K_UPenc and BEARER = DRB identity - 1, no MAC-I. */
static size_t drb_pdu(const radio_link *l, int dir, bearer_id b, uint32_t count,
                      const uint8_t *sdu, size_t len, uint8_t *out)
{
    size_t hdr = drb_header_len(b.sn_bits);
    uint32_t sn = count & ((1u << b.sn_bits) - 1);
    uint32_t raw = 1u << (8 * hdr - 1) | sn;
    for (size_t i = 0; i < hdr; i++)
        out[i] = (uint8_t)(raw >> (8 * (hdr - 1 - i)));
    memcpy(out + hdr, sdu, len);
    eea_apply(l->eea, l->kup_enc, count, b.rb - 1, dir, out + hdr, len);
    return hdr + len;
}

static uint16_t internet_checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len % 2)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* An IPv4 ICMP echo request (UL) or reply (DL) with valid header and ICMP checksums. */
static size_t ipv4_echo(uint32_t seq, int dir, uint8_t *out)
{
    static const uint8_t ue_ip[4] = {172, 16, 0, 2}, server_ip[4] = {8, 8, 8, 8};
    size_t payload = 8 + seq % 24, total = 20 + 8 + payload;
    memset(out, 0, total);
    out[0] = 0x45;
    out[2] = (uint8_t)(total >> 8);
    out[3] = (uint8_t)total;
    out[4] = (uint8_t)(seq >> 8);
    out[5] = (uint8_t)seq;
    out[6] = 0x40; /* don't fragment */
    out[8] = 64;
    out[9] = 1; /* ICMP */
    memcpy(out + 12, dir == KASME_DIR_UL ? ue_ip : server_ip, 4);
    memcpy(out + 16, dir == KASME_DIR_UL ? server_ip : ue_ip, 4);
    uint16_t ip_sum = internet_checksum(out, 20);
    out[10] = (uint8_t)(ip_sum >> 8);
    out[11] = (uint8_t)ip_sum;
    uint8_t *icmp = out + 20;
    icmp[0] = dir == KASME_DIR_UL ? 8 : 0;
    icmp[4] = 0x12;
    icmp[5] = 0x34;
    icmp[6] = (uint8_t)(seq >> 8);
    icmp[7] = (uint8_t)seq;
    for (size_t i = 0; i < payload; i++)
        icmp[8 + i] = (uint8_t)(seq + i);
    uint16_t icmp_sum = internet_checksum(icmp, 8 + payload);
    icmp[2] = (uint8_t)(icmp_sum >> 8);
    icmp[3] = (uint8_t)icmp_sum;
    return total;
}

/* ---- the capture: a tracker and the carrier that feeds it ---- */

typedef struct {
    kasme_subdb *db;
    kasme_tracker *tr;
    uint32_t frame;
    kasme_pdcp_result res;
    uint8_t plain[PDU_MAX];
    kasme_nas_result nas;
    uint8_t nas_plain[FX_MAX_PDU];
} as_capture;

/* keyfile_text NULL: a tracker without key file. */
static void capture_open(as_capture *cap, const char *keyfile_text)
{
    memset(cap, 0, sizeof *cap);
    if (keyfile_text) {
        cap->db = kasme_subdb_new();
        int added = kasme_keyfile_load_buffer("test.keys", keyfile_text, strlen(keyfile_text),
                                              cap->db, NULL, NULL);
        check(added > 0, "key file: %d entries loaded", added);
    }
    cap->tr = kasme_tracker_new(cap->db);
}

static void capture_close(as_capture *cap)
{
    kasme_tracker_free(cap->tr);
    kasme_subdb_free(cap->db);
}

/* What the carrier understood of the payload. */
typedef struct {
    bool opaque;      /* it took the payload as ciphered and did not dissect it */
    bool smc;         /* it dissected an RRC SecurityModeCommand with these algorithms */
    uint8_t eea, eia;
} carrier_view;

static const carrier_view DISSECTED = {0};
static const carrier_view OPAQUE = {.opaque = true};

static const kasme_pdcp_result *feed_pdcp(as_capture *cap, const radio_link *l, int dir,
                                          bearer_id b, const carrier_view *v,
                                          const uint8_t *pdu, size_t len)
{
    kasme_pdcp_meta meta = {.frame = ++cap->frame, .dir = dir, .conn = l->conn,
                            .rnti = l->rnti, .rb_id = b.rb, .srb = b.srb,
                            .sn_bits = b.sn_bits, .payload_opaque = v->opaque,
                            .rrc_smc = v->smc, .smc_eea = v->eea, .smc_eia = v->eia};
    memset(cap->plain, 0, sizeof cap->plain);
    kasme_tracker_pdcp(cap->tr, &meta, pdu, len, cap->plain, &cap->res);
    return &cap->res;
}

static const kasme_nas_result *feed_nas(as_capture *cap, uint64_t conn, int dir,
                                        const uint8_t *pdu, size_t len)
{
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = dir, .conn = conn};
    kasme_tracker_nas(cap->tr, &meta, pdu, len, cap->nas_plain, &cap->nas);
    return &cap->nas;
}

static bool plain_is(const as_capture *cap, const uint8_t *msg, size_t len)
{
    return cap->res.plain_len == len && same(cap->plain, msg, len);
}

static int mac_wanted(const radio_link *l)
{
    return l->eia == 0 ? KASME_MAC_UNVERIFIED : KASME_MAC_GOOD;
}

static bool as_keys_are(const kasme_pdcp_result *r, const radio_link *l)
{
    return r->has_as_keys && same(r->krrc_enc, l->krrc_enc, 16) &&
           same(r->krrc_int, l->krrc_int, 16) && same(r->kup_enc, l->kup_enc, 16) &&
           (!l->has_kenb || same(r->kenb, l->kenb, 32));
}

/* ---- SRB traffic, checked ---- */

/* An SRB PDU sent before AS security: the tracker passes the RRC message as it is. */
static bool send_srb_plain(as_capture *cap, radio_link *l, int dir, bearer_id b,
                           const uint8_t *msg, size_t len, const char *what)
{
    uint8_t pdu[PDU_MAX];
    uint32_t count = l->next_count[dir][b.rb]++;
    size_t n = srb_pdu(l, dir, b.rb, count, msg, len, false, false, pdu);
    const kasme_pdcp_result *r = feed_pdcp(cap, l, dir, b, &DISSECTED, pdu, n);
    bool ok = r->status == KASME_PDU_PLAIN && r->count == count && plain_is(cap, msg, len) &&
              !r->ciphered && r->dir == dir;
    check(ok, "%s (%s SRB%u COUNT %u, before security): status %d (want PLAIN) count %u "
              "plain_len %zu (want %zu) plain %s",
          what, dir_name(dir), b.rb, count, r->status, r->count, r->plain_len, len,
          plain_is(cap, msg, len) ? "equal" : "differs");
    return ok;
}

static bool srb_result_ok(const as_capture *cap, const radio_link *l, int dir, bearer_id b,
                          uint32_t count, bool ciphered, const uint8_t *msg, size_t len)
{
    const kasme_pdcp_result *r = &cap->res;
    return r->status == KASME_PDU_DECIPHERED && r->mac_status == mac_wanted(l) &&
           r->count == count && r->dir == dir && r->bearer == b.rb - 1 &&
           (r->ciphered == ciphered || l->eea == 0) && plain_is(cap, msg, len) &&
           r->eea == l->eea &&
           r->eia == l->eia;
}

/* The next PDU of an SRB after the RRC SMC: the first UL one is the SMC Complete (integrity
 * only), the others are ciphered and integrity protected. */
static bool send_srb_msg(as_capture *cap, radio_link *l, int dir, bearer_id b,
                         const uint8_t *msg, size_t len, const char *what)
{
    if (!l->secured)
        return send_srb_plain(cap, l, dir, b, msg, len, what);
    uint8_t pdu[PDU_MAX];
    uint32_t count = l->next_count[dir][b.rb]++;
    bool cipher = dir == KASME_DIR_DL || l->ul_ciphered;
    size_t n = srb_pdu(l, dir, b.rb, count, msg, len, true, cipher, pdu);
    const kasme_pdcp_result *r = feed_pdcp(cap, l, dir, b, cipher ? &OPAQUE : &DISSECTED, pdu, n);
    if (dir == KASME_DIR_UL)
        l->ul_ciphered = true;
    bool ok = srb_result_ok(cap, l, dir, b, count, cipher, msg, len);
    check(ok, "%s (%s SRB%u COUNT %u%s): status %d mac %d (want %d) count %u bearer %u "
              "ciphered %d eea %u eia %u plain %s",
          what, dir_name(dir), b.rb, count, cipher ? ", ciphered" : "", r->status,
          r->mac_status, mac_wanted(l), r->count, r->bearer, r->ciphered, r->eea, r->eia,
          plain_is(cap, msg, len) ? "equal" : "differs");
    return ok;
}

static bool send_srb(as_capture *cap, radio_link *l, int dir, bearer_id b, uint32_t tag,
                     const char *what)
{
    uint8_t msg[64];
    size_t len = rrc_message(tag, msg);
    return send_srb_msg(cap, l, dir, b, msg, len, what);
}

/* RRCConnectionSetupComplete and a few information transfers before the SMC. */
static bool connect_plain(as_capture *cap, radio_link *l, unsigned n_pdus)
{
    bool ok = true;
    for (unsigned i = 0; i < n_pdus; i++)
        ok &= send_srb(cap, l, i % 2 ? KASME_DIR_DL : KASME_DIR_UL, SRB1, 100 + i,
                       "before the SMC");
    return ok;
}

/* The RRC SMC on DL SRB1 with the link's new keys: integrity protected, not ciphered. */
static bool send_smc(as_capture *cap, radio_link *l, bool in_bytes, unsigned transaction)
{
    uint8_t msg[8], pdu[32];
    size_t len = rrc_smc_message(l->eea, l->eia, transaction, msg);
    uint32_t count = l->next_count[KASME_DIR_DL][1]++;
    size_t n = srb_pdu(l, KASME_DIR_DL, 1, count, msg, len, true, false, pdu);
    carrier_view flagged = {.smc = true, .eea = l->eea, .eia = l->eia};
    const kasme_pdcp_result *r =
        feed_pdcp(cap, l, KASME_DIR_DL, SRB1, in_bytes ? &OPAQUE : &flagged, pdu, n);
    l->secured = true;
    l->ul_ciphered = false;
    bool ok = r->status == KASME_PDU_DECIPHERED && (r->events & KASME_EV_AS_SMC) &&
              !(r->events & KASME_EV_NO_KENB) && r->mac_status == mac_wanted(l) &&
              r->count == count && r->bearer == 0 && r->eea == l->eea && r->eia == l->eia &&
              r->smc_frame == cap->frame && r->kenb_source != NULL && as_keys_are(r, l) &&
              !r->ciphered && plain_is(cap, msg, len);
    check(ok, "RRC SMC EEA%u/EIA%u (%s) at DL COUNT %u: status %d events %#x mac %d count %u "
              "eea %u eia %u smc_frame %u (want %u) keys %s plain %s",
          l->eea, l->eia, in_bytes ? "found in the bytes" : "flagged by the carrier", count,
          r->status, r->events, r->mac_status, r->count, r->eea, r->eia, r->smc_frame,
          cap->frame, as_keys_are(r, l) ? "right" : "wrong",
          plain_is(cap, msg, len) ? "equal" : "differs");
    return ok;
}

/* DL/UL on SRB1 and SRB2, rounds times. */
static bool exchange(as_capture *cap, radio_link *l, unsigned rounds, uint32_t tag)
{
    bool ok = true;
    for (unsigned i = 0; i < rounds; i++) {
        ok &= send_srb(cap, l, KASME_DIR_DL, SRB1, tag + 4 * i, "DL SRB1");
        ok &= send_srb(cap, l, KASME_DIR_UL, SRB1, tag + 4 * i + 1, "UL SRB1");
        ok &= send_srb(cap, l, KASME_DIR_DL, SRB2, tag + 4 * i + 2, "DL SRB2");
        ok &= send_srb(cap, l, KASME_DIR_UL, SRB2, tag + 4 * i + 3, "UL SRB2");
    }
    return ok;
}

/* Setup, SMC, SMC Complete and a few PDUs on both SRBs. */
static bool secure_connection(as_capture *cap, radio_link *l, bool smc_in_bytes)
{
    bool ok = connect_plain(cap, l, 3);
    ok &= send_smc(cap, l, smc_in_bytes, 1);
    ok &= send_srb(cap, l, KASME_DIR_UL, SRB1, 200, "SMC Complete");
    check(!cap->res.ciphered, "SMC Complete reported as ciphered");
    ok &= exchange(cap, l, 3, 300);
    return ok;
}

/* ---- key files ---- */

static void append_kenb_line(GString *text, const uint8_t kenb[32], const char *identity)
{
    char hex[65];
    hex_of(kenb, 32, hex);
    g_string_append_printf(text, "kenb=%s %s\n", hex, identity);
}

static void append_as_keys_line(GString *text, const radio_link *l, const char *identity)
{
    char enc[33], integ[33], up[33];
    hex_of(l->krrc_enc, 16, enc);
    hex_of(l->krrc_int, 16, integ);
    hex_of(l->kup_enc, 16, up);
    g_string_append_printf(text, "krrcenc=%s krrcint=%s kupenc=%s %s\n", enc, integ, up,
                           identity);
}

/* The right K_eNB among decoys that come before it in the tracker's order of candidates. */
static char *kenb_keyfile(const uint8_t kenb[32], uint16_t rnti, bool by_rnti)
{
    GString *text = g_string_new("# decoys first\n");
    uint8_t decoy[32];
    char rnti_id[24], other_id[24];
    snprintf(rnti_id, sizeof rnti_id, "rnti=%u", rnti);
    snprintf(other_id, sizeof other_id, "rnti=%u", rnti + 1u);
    pattern_key(decoy, 32, 901);
    append_kenb_line(text, decoy, by_rnti ? rnti_id : other_id);
    pattern_key(decoy, 32, 902);
    append_kenb_line(text, decoy, by_rnti ? other_id : "any");
    append_kenb_line(text, kenb, by_rnti ? rnti_id : "any");
    pattern_key(decoy, 32, 903);
    append_kenb_line(text, decoy, "any");
    return g_string_free(text, FALSE);
}

/* ---- 1. K_eNB and AS keys from the key file ---- */

typedef struct {
    uint8_t eea, eia;
} alg_pair;

static const alg_pair ALG_PAIRS[] = {{1, 1}, {2, 2}, {3, 3}, {1, 3}, {3, 1}, {2, 3},
                                     {3, 2}, {1, 2}, {2, 1}, {0, 2}, {0, 1}, {0, 3}};
#define N_ALG_PAIRS (sizeof ALG_PAIRS / sizeof ALG_PAIRS[0])

static void keyfile_kenb_run(alg_pair a, bool by_rnti, bool smc_in_bytes, uint32_t seed)
{
    set_run("1. EEA%u/EIA%u, kenb= %s, SMC %s", a.eea, a.eia, by_rnti ? "rnti=" : "any",
            smc_in_bytes ? "in the bytes" : "flagged");
    radio_link l;
    as_capture cap;
    uint8_t kenb[32];
    link_open(&l, (uint16_t)(70 + seed % 50));
    pattern_key(kenb, 32, seed);
    char *keys = kenb_keyfile(kenb, l.rnti, by_rnti);
    capture_open(&cap, keys);
    link_take_kenb(&l, kenb, a.eea, a.eia);
    secure_connection(&cap, &l, smc_in_bytes);
    check(!cap.res.kenb_from_nas && !cap.res.kenb_star, "K_eNB reported from NAS or as K_eNB*");
    kasme_tracker_stats st;
    kasme_tracker_get_stats(cap.tr, &st);
    check(st.as_smc_verified == 1, "as_smc_verified %u, want 1", st.as_smc_verified);
    capture_close(&cap);
    g_free(keys);
}

static void keyfile_direct_keys_run(alg_pair a, uint32_t seed)
{
    set_run("1. EEA%u/EIA%u, krrcenc/krrcint/kupenc any", a.eea, a.eia);
    radio_link l, decoy;
    as_capture cap;
    link_open(&l, 80);
    link_take_direct_keys(&decoy, seed + 50, a.eea, a.eia);
    link_take_direct_keys(&l, seed, a.eea, a.eia);
    GString *text = g_string_new(NULL);
    append_as_keys_line(text, &decoy, "any");
    append_as_keys_line(text, &l, "any");
    capture_open(&cap, text->str);
    secure_connection(&cap, &l, seed % 2);
    capture_close(&cap);
    g_string_free(text, TRUE);
}

/* Many K_eNB lines for one identity (a long capture, one line per connection, as the subdb
 * allows): the right one is the last. */
static void keyfile_many_lines_run(bool by_rnti, unsigned n_lines)
{
    set_run("1. %u kenb= %s lines, the right one last", n_lines, by_rnti ? "rnti=" : "any");
    radio_link l;
    as_capture cap;
    uint8_t kenb[32];
    link_open(&l, 75);
    GString *text = g_string_new(NULL);
    for (unsigned i = 0; i < n_lines; i++) {
        pattern_key(kenb, 32, 5000 + i);
        append_kenb_line(text, kenb, by_rnti ? "rnti=75" : "any");
    }
    capture_open(&cap, text->str);
    link_take_kenb(&l, kenb, 2, 2);
    connect_plain(&cap, &l, 1);
    if (n_lines > 23)
        known_bug_note = "tracker_as.c kenb_candidates keeps at most MAX_KENB_CANDIDATES (24) "
                         "K_eNB candidates: later key-file lines are never tried";
    send_smc(&cap, &l, false, 0);
    known_bug_note = NULL;
    capture_close(&cap);
    g_string_free(text, TRUE);
}

/* EIA0: no MAC-I to verify (TS 33.401 5.1.4.1 keeps it for unauthenticated emergency calls,
 * with EEA0; a lab eNB can be configured to pick it with EEA2). */
static void keyfile_null_integrity_run(uint8_t eea)
{
    set_run("1. EEA%u/EIA0", eea);
    radio_link l;
    as_capture cap;
    uint8_t kenb[32];
    link_open(&l, 76);
    pattern_key(kenb, 32, 76);
    GString *text = g_string_new(NULL);
    append_kenb_line(text, kenb, "rnti=76");
    capture_open(&cap, text->str);
    link_take_kenb(&l, kenb, eea, 0);
    connect_plain(&cap, &l, 2);
    send_smc(&cap, &l, false, 0);
    send_srb(&cap, &l, KASME_DIR_UL, SRB1, 1, "SMC Complete");
    check(cap.res.unverified_why != NULL, "EIA0 PDU without unverified_why");
    if (eea != 0)
        known_bug_note = "tracker_as.c handle_srb turns UL ciphering on only after a verified "
                         "MAC-I, which EIA0 never gives: UL PDUs after the SMC Complete are "
                         "taken as not ciphered";
    exchange(&cap, &l, 2, 10);
    known_bug_note = NULL;
    capture_close(&cap);
    g_string_free(text, TRUE);
}

static void test_keyfile_kenb(void)
{
    section("1. K_eNB / AS keys from the key file");
    unsigned runs = 0;
    for (size_t i = 0; i < N_ALG_PAIRS; i++) {
        if (!algs_available(ALG_PAIRS[i].eea, ALG_PAIRS[i].eia)) {
            printf("tracker_as:    EEA%u/EIA%u not in this build, skipped\n", ALG_PAIRS[i].eea,
                   ALG_PAIRS[i].eia);
            continue;
        }
        keyfile_kenb_run(ALG_PAIRS[i], true, i % 2, 10 + (uint32_t)i);
        keyfile_kenb_run(ALG_PAIRS[i], false, (i + 1) % 2, 30 + (uint32_t)i);
        keyfile_direct_keys_run(ALG_PAIRS[i], 60 + 3 * (uint32_t)i);
        runs += 3;
    }
    check(runs >= 3, "no algorithm pair available");
    keyfile_many_lines_run(true, 20);
    keyfile_many_lines_run(true, 30);
    keyfile_many_lines_run(false, 30);
    keyfile_null_integrity_run(0);
    keyfile_null_integrity_run(2);
}

/* ---- 2. K_eNB from the NAS context, the S1AP SecurityKey and bind_tmsi ---- */

/* srsRAN s01's Attach accept plaintext; its GUTI has M-TMSI 0x75871df4. */
static const char ATTACH_ACCEPT_HEX[] =
    "0742013e060000f1100007001d5201c10107070673727361706e0501ac100002270880000d0408080808500b"
    "f600f11000011a75871df41300f11000062305f475871df4";
static const uint32_t ATTACH_ACCEPT_M_TMSI = 0x75871df4;

static const char IMSI_A[] = "001010123456780";
static const char K_A[] = "00112233445566778899aabbccddeeff";
static const char OPC_A[] = "63bfa50ee6523365ff14c1f45f88737d";

static char *subscriber_keyfile(const fx_ue *ue)
{
    char line[256];
    fx_keyfile_line(ue, line, sizeof line);
    return g_strdup_printf("%s\n", line);
}

/* A NAS PDU inside a plain SRB1 PDU: the RRC message (one made-up header octet, then the NAS
 * PDU) goes to PDCP, then the NAS PDU to the NAS tracker, as a MAC-LTE carrier does. */
static const kasme_nas_result *nas_over_srb1(as_capture *cap, radio_link *l, int dir,
                                             const uint8_t *nas, size_t len)
{
    uint8_t msg[FX_MAX_PDU + 1];
    msg[0] = dir == KASME_DIR_UL ? 0x48 : 0x08;
    memcpy(msg + 1, nas, len);
    send_srb_msg(cap, l, dir, SRB1, msg, len + 1, "NAS carrier PDU");
    return feed_nas(cap, l->conn, dir, nas, len);
}

static void attach_aka(as_capture *cap, radio_link *l, fx_ue *ue)
{
    uint8_t pdu[FX_MAX_PDU], rand[16];
    for (int i = 0; i < 16; i++)
        rand[i] = (uint8_t)(0x40 + 3 * i);
    size_t n = fx_attach_request_imsi(ue->imsi, pdu);
    nas_over_srb1(cap, l, KASME_DIR_UL, pdu, n);
    n = fx_auth_request(ue, 0, rand, 0x20, pdu);
    const kasme_nas_result *r = nas_over_srb1(cap, l, KASME_DIR_DL, pdu, n);
    check(r->events & KASME_EV_AKA_MATCH, "fixture: Authentication Request events %#x",
          r->events);
    n = fx_auth_response(ue, 8, pdu);
    nas_over_srb1(cap, l, KASME_DIR_UL, pdu, n);
}

/* NAS SMC and SMC Complete; returns the SMC Complete's UL NAS COUNT. */
static uint32_t attach_nas_smc(as_capture *cap, radio_link *l, fx_ue *ue)
{
    uint8_t inner[16], pdu[FX_MAX_PDU];
    uint32_t count;
    fx_ctx_from_kasme(&ue->ctx, ue->vector.kasme, 0, 2, 2);
    size_t n = fx_send(&ue->ctx, 3, KASME_DIR_DL, inner, fx_smc_inner(2, 2, 0, inner), pdu, NULL);
    const kasme_nas_result *r = nas_over_srb1(cap, l, KASME_DIR_DL, pdu, n);
    check(r->events & KASME_EV_SMC_CONTEXT, "fixture: NAS SMC events %#x", r->events);
    n = fx_send(&ue->ctx, 4, KASME_DIR_UL, inner, fx_smc_complete_inner(inner), pdu, &count);
    r = nas_over_srb1(cap, l, KASME_DIR_UL, pdu, n);
    check(r->events & KASME_EV_KENB_DERIVED, "fixture: NAS SMC Complete events %#x", r->events);
    return count;
}

/* Protected NAS PDUs after the SMC: an EMM information (DL), uplink NAS transports (UL). */
static void nas_traffic(as_capture *cap, radio_link *l, fx_ue *ue, unsigned n_ul, uint32_t tag)
{
    uint8_t inner[32], pdu[FX_MAX_PDU];
    size_t n = fx_send(&ue->ctx, 2, KASME_DIR_DL, inner, fx_emm_information_inner(tag, inner),
                       pdu, NULL);
    nas_over_srb1(cap, l, KASME_DIR_DL, pdu, n);
    for (unsigned i = 0; i < n_ul; i++) {
        n = fx_send(&ue->ctx, 2, KASME_DIR_UL, inner,
                    fx_ul_nas_transport_inner(tag + 1 + i, inner), pdu, NULL);
        const kasme_nas_result *r = nas_over_srb1(cap, l, KASME_DIR_UL, pdu, n);
        check(r->status == KASME_PDU_DECIPHERED && r->mac_status == KASME_MAC_GOOD,
              "fixture: UL NAS transport status %d mac %d", r->status, r->mac_status);
    }
}

/* The RRC SMC with K_eNB from ul_count: the tracker must find that COUNT among the recent
 * ones. */
static void smc_from_nas(as_capture *cap, radio_link *l, fx_ue *ue, uint32_t ul_count)
{
    uint8_t kenb[32];
    fx_kenb(&ue->ctx, ul_count, kenb);
    link_take_kenb(l, kenb, 2, 2);
    memcpy(l->kasme, ue->ctx.kasme, 32);
    l->has_kasme = true;
    send_smc(cap, l, true, 0);
    const kasme_pdcp_result *r = &cap->res;
    check(r->kenb_from_nas && r->kenb_ul_count == ul_count,
          "RRC SMC: kenb_from_nas %d kenb_ul_count %u, want K_eNB of UL NAS COUNT %u (source %s)",
          r->kenb_from_nas, r->kenb_ul_count, ul_count, r->kenb_source ? r->kenb_source : "-");
}

/* A UE attached on the RNTI connection: RRC SMC keyed by the SMC Complete's UL NAS COUNT. */
static void nas_attach_then_as(as_capture *cap, radio_link *l, fx_ue *ue)
{
    connect_plain(cap, l, 0);
    attach_aka(cap, l, ue);
    uint32_t smc_complete_count = attach_nas_smc(cap, l, ue);
    nas_traffic(cap, l, ue, 2, 0x100); /* later UL NAS COUNTs come before the RRC SMC */
    smc_from_nas(cap, l, ue, smc_complete_count);
    send_srb(cap, l, KASME_DIR_UL, SRB1, 400, "RRC SMC Complete");
    exchange(cap, l, 2, 410);
}

static void check_s1ap_verdicts(as_capture *cap, const radio_link *l, fx_ue *ue,
                                uint32_t ul_count)
{
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = KASME_DIR_DL, .conn = l->conn};
    kasme_kenb_result kr;
    uint8_t kenb[32];
    fx_kenb(&ue->ctx, ul_count, kenb);
    kasme_tracker_an_key(cap->tr, KASME_DOMAIN_EPS, &meta, kenb, &kr);
    check(kr.verdict == KASME_KENB_CONFIRMED && kr.ul_count == ul_count,
          "S1AP SecurityKey of UL COUNT %u: verdict %d ul_count %u", ul_count, kr.verdict,
          kr.ul_count);
    kenb[5] ^= 0x10;
    kasme_tracker_an_key(cap->tr, KASME_DOMAIN_EPS, &meta, kenb, &kr);
    check(kr.verdict == KASME_KENB_MISMATCH, "wrong S1AP SecurityKey: verdict %d", kr.verdict);
}

/* Release, then a Service Request on a new C-RNTI bound by the S-TMSI of RRCConnectionRequest:
 * K_eNB from the Service Request's UL NAS COUNT. */
static void service_request_then_as(as_capture *cap, radio_link *l, fx_ue *ue)
{
    uint8_t accept[128], pdu[FX_MAX_PDU];
    size_t len = fx_unhex(ATTACH_ACCEPT_HEX, accept, sizeof accept);
    size_t n = fx_send(&ue->ctx, 2, KASME_DIR_DL, accept, len, pdu, NULL);
    nas_over_srb1(cap, l, KASME_DIR_DL, pdu, n); /* the UE's GUTI */
    nas_traffic(cap, l, ue, 3, 0x200);
    kasme_tracker_conn_release(cap->tr, l->conn);
    radio_link l2;
    link_open(&l2, (uint16_t)(l->rnti + 1));
    kasme_tracker_rrc_setup(cap->tr, l2.conn);
    kasme_tracker_bind_tmsi(cap->tr, l2.conn, ATTACH_ACCEPT_M_TMSI);
    uint32_t sr_count = ue->ctx.next_count[KASME_DIR_UL]++;
    n = fx_service_request(&ue->ctx, sr_count, pdu);
    const kasme_nas_result *r = nas_over_srb1(cap, &l2, KASME_DIR_UL, pdu, n);
    check(r->status == KASME_PDU_DECIPHERED && (r->events & KASME_EV_KENB_DERIVED),
          "fixture: Service Request status %d events %#x", r->status, r->events);
    nas_traffic(cap, &l2, ue, 1, 0x300);
    smc_from_nas(cap, &l2, ue, sr_count);
    send_srb(cap, &l2, KASME_DIR_UL, SRB1, 500, "RRC SMC Complete after Service Request");
    exchange(cap, &l2, 2, 510);
}

static void test_kenb_from_nas(void)
{
    section("2. K_eNB from the NAS context (attach, Service Request)");
    fx_ue ue;
    fx_ue_setup(&ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 1);
    radio_link l;
    link_open(&l, 70);
    ue.conn = l.conn; /* the NAS PDUs come in RRC on the same C-RNTI */
    char *keys = subscriber_keyfile(&ue);
    as_capture cap;
    capture_open(&cap, keys);
    nas_attach_then_as(&cap, &l, &ue);
    check_s1ap_verdicts(&cap, &l, &ue, 0);
    service_request_then_as(&cap, &l, &ue);
    capture_close(&cap);
    g_free(keys);
}

/* A UE known only by the GUTI of its plain Attach request on S1AP; the RRC connection is bound
 * to it by S-TMSI, and its K_eNB comes from the S1AP SecurityKey alone. */
static void test_kenb_from_s1ap(void)
{
    section("2. K_eNB from the S1AP SecurityKey, bound by S-TMSI");
    const uint32_t m_tmsi = 0xC0FFEE01;
    uint64_t s1ap_conn = kasme_conn_key(KASME_CONN_S1AP_ENB, 0, 7);
    as_capture cap;
    radio_link l, stranger;
    uint8_t pdu[FX_MAX_PDU], kenb[32];
    capture_open(&cap, NULL);
    feed_nas(&cap, s1ap_conn, KASME_DIR_UL, pdu, fx_attach_request_guti(m_tmsi, pdu));
    link_open(&l, 90);
    link_open(&stranger, 91);
    kasme_tracker_bind_tmsi(cap.tr, l.conn, m_tmsi);
    kasme_tracker_bind_tmsi(cap.tr, stranger.conn, 0x0BADF00D); /* unknown S-TMSI: no UE */
    pattern_key(kenb, 32, 77);
    kasme_pdu_meta meta = {.frame = ++cap.frame, .dir = KASME_DIR_DL, .conn = s1ap_conn};
    kasme_kenb_result kr;
    kasme_tracker_an_key(cap.tr, KASME_DOMAIN_EPS, &meta, kenb, &kr);
    check(kr.verdict == KASME_KENB_UNCHECKED, "S1AP key without NAS context: verdict %d",
          kr.verdict);
    link_take_kenb(&l, kenb, 2, 2);
    secure_connection(&cap, &l, false);
    check(cap.res.ue_id != 0 && !cap.res.kenb_from_nas, "PDCP result: ue %u kenb_from_nas %d",
          cap.res.ue_id, cap.res.kenb_from_nas);
    /* the same K_eNB is no candidate on a connection of another UE */
    link_take_kenb(&stranger, kenb, 2, 2);
    connect_plain(&cap, &stranger, 1);
    uint8_t msg[8];
    size_t n = srb_pdu(&stranger, KASME_DIR_DL, 1, 0, msg,
                       rrc_smc_message(2, 2, 0, msg), true, false, pdu);
    const kasme_pdcp_result *r = feed_pdcp(&cap, &stranger, KASME_DIR_DL, SRB1, &OPAQUE, pdu, n);
    check(r->status == KASME_PDU_NO_CONTEXT && (r->events & KASME_EV_NO_KENB) &&
              r->mac_status != KASME_MAC_GOOD && r->ue_id == 0,
          "SMC of an unknown UE: status %d events %#x mac %d ue %u", r->status, r->events,
          r->mac_status, r->ue_id);
    capture_close(&cap);
}

/* ---- 3. SRB COUNT wrap and lost PDUs ---- */

static void skip_pdus(radio_link *l, int dir, bearer_id b, unsigned n)
{
    l->next_count[dir][slot_of(b)] += n;
}

/* RLC retransmissions: a PDU seen again later is deciphered at its own COUNT. */
static void retransmitted_srb_pdus(as_capture *cap, radio_link *l, int dir)
{
    uint8_t msgs[5][64], pdus[5][PDU_MAX];
    size_t lens[5], ns[5];
    uint32_t counts[5];
    bool cipher = dir == KASME_DIR_DL || l->ul_ciphered;
    for (int i = 0; i < 5; i++) {
        lens[i] = rrc_message(6000 + (uint32_t)i, msgs[i]);
        counts[i] = l->next_count[dir][1]++;
        ns[i] = srb_pdu(l, dir, 1, counts[i], msgs[i], lens[i], true, cipher, pdus[i]);
        feed_pdcp(cap, l, dir, SRB1, &OPAQUE, pdus[i], ns[i]);
    }
    static const int again[] = {2, 4, 0};
    for (int k = 0; k < 3; k++) {
        int i = again[k];
        feed_pdcp(cap, l, dir, SRB1, &OPAQUE, pdus[i], ns[i]);
        check(srb_result_ok(cap, l, dir, SRB1, counts[i], cipher, msgs[i], lens[i]),
              "%s SRB1 COUNT %u seen again: status %d mac %d count %u", dir_name(dir),
              counts[i], cap->res.status, cap->res.mac_status, cap->res.count);
    }
    send_srb(cap, l, dir, SRB1, 6100, "after the retransmissions");
}

static unsigned wrap_run(as_capture *cap, radio_link *l, unsigned n, uint32_t tag)
{
    unsigned good = 0;
    for (unsigned i = 0; i < n; i++) {
        good += send_srb(cap, l, KASME_DIR_DL, SRB1, tag + 2 * i, "wrap DL SRB1");
        good += send_srb(cap, l, KASME_DIR_UL, SRB1, tag + 2 * i + 1, "wrap UL SRB1");
    }
    return good;
}

static void count_wrap_run(alg_pair a)
{
    set_run("3. SRB COUNT wrap EEA%u/EIA%u", a.eea, a.eia);
    radio_link l;
    as_capture cap;
    uint8_t kenb[32];
    link_open(&l, 100);
    pattern_key(kenb, 32, 1000 + a.eea);
    char *keys = kenb_keyfile(kenb, l.rnti, true);
    capture_open(&cap, keys);
    link_take_kenb(&l, kenb, a.eea, a.eia);
    secure_connection(&cap, &l, false);
    unsigned good = wrap_run(&cap, &l, 45, 1000);
    skip_pdus(&l, KASME_DIR_DL, SRB1, 1); /* one lost PDU each way */
    skip_pdus(&l, KASME_DIR_UL, SRB1, 1);
    good += wrap_run(&cap, &l, 30, 2000);
    skip_pdus(&l, KASME_DIR_DL, SRB1, 40); /* more than an SN cycle lost */
    skip_pdus(&l, KASME_DIR_UL, SRB2, 40);
    good += wrap_run(&cap, &l, 20, 3000);
    exchange(&cap, &l, 10, 4000);
    retransmitted_srb_pdus(&cap, &l, KASME_DIR_DL);
    retransmitted_srb_pdus(&cap, &l, KASME_DIR_UL);
    check(l.next_count[KASME_DIR_DL][1] > 128, "test: DL COUNT %u", l.next_count[KASME_DIR_DL][1]);
    check(good == 190, "%u of 190 SRB1 PDUs GOOD", good);
    printf("tracker_as:    EEA%u/EIA%u: %u of 190 SRB1 PDUs GOOD up to HFN %u (DL)\n", a.eea,
           a.eia, good, l.next_count[KASME_DIR_DL][1] >> 5);
    capture_close(&cap);
    g_free(keys);
}

/* Two connections whose PDUs interleave keep their own keys and COUNTs. */
static void interleaved_connections(void)
{
    set_run("3. two interleaved connections");
    radio_link a, b;
    as_capture cap;
    uint8_t kenb_a[32], kenb_b[32];
    link_open(&a, 110);
    link_open(&b, 111);
    pattern_key(kenb_a, 32, 1110);
    pattern_key(kenb_b, 32, 1111);
    GString *text = g_string_new(NULL);
    append_kenb_line(text, kenb_a, "rnti=110");
    append_kenb_line(text, kenb_b, "rnti=111");
    capture_open(&cap, text->str);
    link_take_kenb(&a, kenb_a, 2, 2);
    link_take_kenb(&b, kenb_b, 0, 2);
    connect_plain(&cap, &a, 2);
    connect_plain(&cap, &b, 4);
    send_smc(&cap, &a, false, 0);
    send_smc(&cap, &b, true, 0);
    for (unsigned i = 0; i < 40; i++) {
        send_srb(&cap, i % 3 ? &a : &b, (int)(i % 2), i % 4 < 2 ? SRB1 : SRB2, 5000 + i,
                 "interleaved");
    }
    capture_close(&cap);
    g_string_free(text, TRUE);
}

/* The RRC SMC seen twice (RLC/HARQ retransmission in a MAC capture): right after the first,
 * and after DL PDUs ciphered with its keys. */
static void retransmitted_smc(void)
{
    set_run("3. RRC SMC retransmitted");
    radio_link l;
    as_capture cap;
    uint8_t kenb[32], msg[8], pdu[32];
    link_open(&l, 105);
    pattern_key(kenb, 32, 1050);
    GString *text = g_string_new(NULL);
    append_kenb_line(text, kenb, "rnti=105");
    capture_open(&cap, text->str);
    link_take_kenb(&l, kenb, 2, 2);
    connect_plain(&cap, &l, 3);
    uint32_t smc_count = l.next_count[KASME_DIR_DL][1];
    size_t n = srb_pdu(&l, KASME_DIR_DL, 1, smc_count, msg, rrc_smc_message(2, 2, 0, msg),
                       true, false, pdu);
    send_smc(&cap, &l, false, 0);
    carrier_view flagged = {.smc = true, .eea = 2, .eia = 2};
    const kasme_pdcp_result *r = feed_pdcp(&cap, &l, KASME_DIR_DL, SRB1, &flagged, pdu, n);
    check(r->mac_status == KASME_MAC_GOOD && r->count == smc_count,
          "SMC seen again at once: status %d events %#x mac %d count %u", r->status, r->events,
          r->mac_status, r->count);
    send_srb(&cap, &l, KASME_DIR_UL, SRB1, 1, "SMC Complete");
    exchange(&cap, &l, 2, 10);
    r = feed_pdcp(&cap, &l, KASME_DIR_DL, SRB1, &flagged, pdu, n);
    known_bug(r->mac_status == KASME_MAC_GOOD && r->count == smc_count,
              "SMC seen again after %u DL PDUs: status %d events %#x mac %d count %u (want %u; "
              "tracker_as.c kasme_tracker_pdcp gives handle_rrc_smc only the first COUNT "
              "candidate, then notes it as the DL COUNT)",
              l.next_count[KASME_DIR_DL][1] - smc_count - 1, r->status, r->events,
              r->mac_status, r->count, smc_count);
    exchange(&cap, &l, 2, 20);
    capture_close(&cap);
    g_string_free(text, TRUE);
}

static void test_count_wrap(void)
{
    section("3. SRB COUNT wrap, lost PDUs, interleaved connections");
    static const alg_pair pairs[] = {{2, 2}, {1, 1}, {3, 3}};
    for (size_t i = 0; i < 3; i++)
        if (algs_available(pairs[i].eea, pairs[i].eia))
            count_wrap_run(pairs[i]);
    interleaved_connections();
    retransmitted_smc();
}

/* ---- 4. tampering ---- */

typedef enum { FLIP_DATA, FLIP_MAC_I, FLIP_SN, FLIP_RESERVED } flip_kind;
static const char *const FLIP_NAMES[] = {"data", "MAC-I", "SN", "reserved header bit"};

static void flip(uint8_t *pdu, size_t len, flip_kind kind, unsigned which)
{
    switch (kind) {
    case FLIP_DATA:
        pdu[1 + which % (len - 1 - MAC_I_LEN)] ^= (uint8_t)(1u << (which % 8));
        break;
    case FLIP_MAC_I:
        pdu[len - 1 - which % MAC_I_LEN] ^= (uint8_t)(1u << (which % 8));
        break;
    case FLIP_SN:
        pdu[0] ^= (uint8_t)(1u << (which % 5));
        break;
    case FLIP_RESERVED:
        pdu[0] ^= (uint8_t)(0x20u << (which % 3));
        break;
    }
}

/* A tampered copy of the link's next PDU: BAD; then the PDU itself (or, lost, its successor)
 * is GOOD. */
static void tampered_pdu(as_capture *cap, radio_link *l, int dir, bearer_id b, flip_kind kind,
                         unsigned which, bool lose_original)
{
    uint8_t msg[64], pdu[PDU_MAX];
    size_t len = rrc_message(7000 + which, msg);
    uint32_t count = l->next_count[dir][b.rb];
    bool cipher = dir == KASME_DIR_DL || l->ul_ciphered;
    size_t n = srb_pdu(l, dir, b.rb, count, msg, len, true, cipher, pdu);
    flip(pdu, n, kind, which);
    const kasme_pdcp_result *r = feed_pdcp(cap, l, dir, b, &OPAQUE, pdu, n);
    check(r->mac_status == KASME_MAC_BAD && r->status == KASME_PDU_DECIPHERED &&
              !(r->events & KASME_EV_AS_SMC),
          "%s SRB%u COUNT %u with a flipped %s bit (%u): status %d mac %d, want BAD",
          dir_name(dir), b.rb, count, FLIP_NAMES[kind], which, r->status, r->mac_status);
    if (lose_original)
        l->next_count[dir][b.rb]++;
    send_srb(cap, l, dir, b, 7100 + which, "the PDU after a tampered one");
}

static void tamper_all_kinds(as_capture *cap, radio_link *l)
{
    unsigned which = 0;
    for (int dir = 0; dir < 2; dir++)
        for (int b = 0; b < 2; b++)
            for (flip_kind k = FLIP_DATA; k <= FLIP_RESERVED; k++)
                for (unsigned i = 0; i < 3; i++, which++)
                    tampered_pdu(cap, l, dir, b ? SRB2 : SRB1, k, which * 5 + i, which % 2);
}

/* A tampered RRC SMC takes no key into use; the genuine one then does. */
static void tampered_smc(as_capture *cap, radio_link *l)
{
    uint8_t msg[8], pdu[32];
    size_t len = rrc_smc_message(l->eea, l->eia, 0, msg);
    uint32_t count = l->next_count[KASME_DIR_DL][1];
    size_t n = srb_pdu(l, KASME_DIR_DL, 1, count, msg, len, true, false, pdu);
    pdu[n - 2] ^= 0x04;
    carrier_view flagged = {.smc = true, .eea = l->eea, .eia = l->eia};
    const kasme_pdcp_result *r = feed_pdcp(cap, l, KASME_DIR_DL, SRB1, &flagged, pdu, n);
    check(!(r->events & KASME_EV_AS_SMC) && (r->events & KASME_EV_NO_KENB) &&
              r->mac_status != KASME_MAC_GOOD && !r->has_as_keys,
          "SMC with a flipped MAC-I bit: status %d events %#x mac %d", r->status, r->events,
          r->mac_status);
    send_srb(cap, l, KASME_DIR_UL, SRB1, 7200, "UL before the genuine SMC");
}

static void test_tampering(void)
{
    section("4. tampering");
    radio_link l;
    as_capture cap;
    uint8_t kenb[32];
    link_open(&l, 120);
    pattern_key(kenb, 32, 1200);
    char *keys = kenb_keyfile(kenb, l.rnti, false);
    capture_open(&cap, keys);
    link_take_kenb(&l, kenb, 2, 2);
    connect_plain(&cap, &l, 3);
    tampered_smc(&cap, &l);
    send_smc(&cap, &l, false, 2);
    send_srb(&cap, &l, KASME_DIR_UL, SRB1, 7300, "SMC Complete");
    exchange(&cap, &l, 1, 7310);
    tamper_all_kinds(&cap, &l);
    exchange(&cap, &l, 3, 7400);
    capture_close(&cap);
    g_free(keys);
}

/* ---- 5. and 6. re-establishment and handover ---- */

/* The first SRB1 PDU on the new C-RNTI (RRCConnectionReestablishmentComplete or
 * RRCConnectionReconfigurationComplete, UL, COUNT 0) confirms K_eNB*. */
static void first_pdu_after_move(as_capture *cap, radio_link *l, uint16_t pci, uint32_t earfcn,
                                 const char *what)
{
    send_srb(cap, l, KASME_DIR_UL, SRB1, 8000 + earfcn % 97, what);
    const kasme_pdcp_result *r = &cap->res;
    check(r->kenb_star && r->pci == pci && r->earfcn_dl == earfcn && as_keys_are(r, l),
          "%s: kenb_star %d pci %u (want %u) earfcn_dl %u (want %u) keys %s", what,
          r->kenb_star, r->pci, pci, r->earfcn_dl, earfcn, as_keys_are(r, l) ? "right" : "wrong");
}

/* DRB1 PDUs, checked; their COUNT goes on across re-establishment and handover. */
static void drb_exchange(as_capture *cap, radio_link *l, unsigned n, const char *what);
static bool drb_result_ok(const as_capture *cap, const radio_link *l, int dir, bearer_id b,
                          uint32_t count, const uint8_t *sdu, size_t len);

/* After the move: SRB1 and SRB2 from COUNT 0 on both sides, DRB1 where it was. */
static void traffic_after_move(as_capture *cap, radio_link *l)
{
    check(l->next_count[KASME_DIR_DL][1] == 0 && l->next_count[KASME_DIR_UL][2] == 0,
          "test model: SRB COUNTs not restarted");
    exchange(cap, l, 3, 8100);
    drb_exchange(cap, l, 4, "DRB1 after the move");
}

/* A connection with AS security, SRB and DRB traffic, K_eNB from a key-file line. */
static void secured_link(as_capture *cap, radio_link *l, uint16_t rnti, uint32_t seed,
                         alg_pair a, char **keys)
{
    uint8_t kenb[32];
    link_open(l, rnti);
    pattern_key(kenb, 32, seed);
    *keys = kenb_keyfile(kenb, rnti, true);
    capture_open(cap, *keys);
    link_take_kenb(l, kenb, a.eea, a.eia);
    secure_connection(cap, l, false);
    drb_exchange(cap, l, 5, "DRB1 before the move");
}

/* A DRB on RLC UM (7-bit SN, as for voice) past its first HFN. */
static const unsigned UM_DRB = 3;

/* n PDUs each way, checked together; *first_wrong gets the first wrong PDU's COUNTs. */
static unsigned um_drb_traffic(as_capture *cap, radio_link *l, unsigned n, char *first_wrong,
                               size_t first_wrong_len)
{
    unsigned good = 0;
    bearer_id b = drb(UM_DRB, 7);
    first_wrong[0] = 0;
    for (uint32_t i = 0; i < n; i++)
        for (int dir = 0; dir < 2; dir++) {
            uint8_t sdu[128], pdu[PDU_MAX];
            size_t len = ipv4_echo(i, dir, sdu);
            uint32_t count = l->next_count[dir][slot_of(b)]++;
            size_t pdu_len = drb_pdu(l, dir, b, count, sdu, len, pdu);
            feed_pdcp(cap, l, dir, b, &OPAQUE, pdu, pdu_len);
            bool ok = drb_result_ok(cap, l, dir, b, count, sdu, len);
            good += ok;
            if (!ok && !first_wrong[0])
                snprintf(first_wrong, first_wrong_len, "first wrong: %s COUNT %u taken as %u",
                         dir_name(dir), count, cap->res.count);
        }
    return good;
}

/* PDCP re-establishment of a DRB on RLC UM: COUNT 0 again both ways (TS 36.323 5.2.1.2,
 * 5.2.2.2), with the new K_UPenc. */
static void um_drb_after_move(as_capture *cap, radio_link *l)
{
    for (int dir = 0; dir < 2; dir++)
        l->next_count[dir][slot_of(drb(UM_DRB, 7))] = 0;
    known_bug_note = "tracker_as.c move_for_new_kenb keeps the COUNTs of every DRB; a DRB on "
                     "RLC UM restarts at COUNT 0 (TS 36.323 5.2.1.2)";
    char first_wrong[96];
    unsigned good = um_drb_traffic(cap, l, 20, first_wrong, sizeof first_wrong);
    check(good == 40, "UM DRB%u after re-establishment: %u of 40 PDUs right (%s)", UM_DRB, good,
          first_wrong);
    known_bug_note = NULL;
}

static void reestablishment_run(uint32_t earfcn, alg_pair a)
{
    set_run("5. re-establishment EEA%u/EIA%u EARFCN-DL %u", a.eea, a.eia, earfcn);
    as_capture cap;
    radio_link l;
    char *keys;
    const uint16_t pci = 301, new_rnti = 131;
    secured_link(&cap, &l, 130, 1300 + earfcn % 1000, a, &keys);
    char first_wrong[96];
    check(um_drb_traffic(&cap, &l, 150, first_wrong, sizeof first_wrong) == 300,
          "UM DRB%u before re-establishment: %s", UM_DRB, first_wrong);
    uint64_t old_conn = l.conn;
    uint8_t base[32];
    memcpy(base, l.kenb, 32);
    link_move(&l, new_rnti, base, pci, earfcn, l.ncc);
    kasme_tracker_rrc_reest_request(cap.tr, l.conn, old_conn, pci);
    kasme_tracker_rrc_reest(cap.tr, l.conn, 0);
    first_pdu_after_move(&cap, &l, pci, earfcn, "RRCConnectionReestablishmentComplete");
    traffic_after_move(&cap, &l);
    um_drb_after_move(&cap, &l);
    capture_close(&cap);
    g_free(keys);
}

static void test_reestablishment(void)
{
    section("5. RRC connection re-establishment");
    alg_pair eea2 = {2, 2}, eea3 = {3, 1};
    reestablishment_run(3350, eea2);
    reestablishment_run(70000, eea2);
    if (algs_available(3, 1))
        reestablishment_run(1575, eea3);
}

/* Handover to (pci, earfcn) on new_rnti with the given NCC; base is what K_eNB* comes from. */
static void handover(as_capture *cap, radio_link *l, uint16_t new_rnti, uint16_t pci,
                     uint32_t earfcn, bool earfcn_in_message, int ncc, const uint8_t base[32],
                     const char *what)
{
    uint64_t old_conn = l->conn;
    uint8_t b[32];
    memcpy(b, base, 32);
    link_move(l, new_rnti, b, pci, earfcn, ncc);
    kasme_tracker_rrc_handover(cap->tr, old_conn, l->conn, pci,
                               earfcn_in_message ? (int32_t)earfcn : -1, ncc);
    first_pdu_after_move(cap, l, pci, earfcn, what);
    traffic_after_move(cap, l);
}

static void horizontal_handovers(void)
{
    set_run("6. horizontal handovers (K_eNB from the key file)");
    as_capture cap;
    radio_link l;
    char *keys;
    secured_link(&cap, &l, 140, 1400, (alg_pair){2, 2}, &keys);
    handover(&cap, &l, 141, 11, 1850, true, 0, l.kenb, "horizontal, EARFCN given");
    handover(&cap, &l, 142, 12, 2525, false, 0, l.kenb, "horizontal, EARFCN searched");
    handover(&cap, &l, 142, 13, 66436, true, 0, l.kenb, "horizontal, same C-RNTI, 3 octets");
    capture_close(&cap);
    g_free(keys);
}

/* A UE attached on its C-RNTI (so K_ASME is known) with AS security from its NAS context. */
static void nas_secured_link(as_capture *cap, radio_link *l, fx_ue *ue, uint16_t rnti,
                             char **keys)
{
    fx_ue_setup(ue, IMSI_A, FX_MILENAGE, K_A, OPC_A, 2);
    link_open(l, rnti);
    ue->conn = l->conn;
    *keys = subscriber_keyfile(ue);
    capture_open(cap, *keys);
    nas_attach_then_as(cap, l, ue);
    drb_exchange(cap, l, 3, "DRB1 before the handovers");
}

static void vertical_handovers(void)
{
    set_run("6. vertical handovers (NH from the NAS context's K_ASME)");
    as_capture cap;
    radio_link l;
    fx_ue ue;
    char *keys;
    uint8_t nh[32];
    nas_secured_link(&cap, &l, &ue, 150, &keys);
    link_nh(&l, 2, nh);
    handover(&cap, &l, 151, 21, 3350, true, 2, nh, "vertical NCC 2, EARFCN given");
    handover(&cap, &l, 152, 22, 1300, true, 2, l.kenb, "horizontal after NCC 2");
    link_nh(&l, 3, nh);
    handover(&cap, &l, 153, 23, 6300, false, 3, nh, "vertical NCC 3, EARFCN searched");
    uint64_t old_conn = l.conn;
    link_nh(&l, 4, nh);
    link_move(&l, 154, nh, 24, 9820, 4);
    kasme_tracker_rrc_reest_request(cap.tr, l.conn, old_conn, 24);
    kasme_tracker_rrc_reest(cap.tr, l.conn, 4);
    first_pdu_after_move(&cap, &l, 24, 9820, "re-establishment with NCC 4 (vertical)");
    traffic_after_move(&cap, &l);
    capture_close(&cap);
    g_free(keys);
}

/* NCC is 3 bits (TS 36.331 securityConfigHO): after NCC 5, NCC 1 means NH_9 (NH_6, NH_7, NH_8
 * with NCC 0, NH_9 with NCC 1: TS 33.401 7.2.8.4.3, the UE computes NH until the NCC matches). */
static void ncc_wrap(void)
{
    set_run("6. NCC wrap (3-bit NCC)");
    as_capture cap;
    radio_link l;
    fx_ue ue;
    char *keys;
    uint8_t nh[32];
    nas_secured_link(&cap, &l, &ue, 160, &keys);
    link_nh(&l, 5, nh);
    handover(&cap, &l, 161, 31, 3350, true, 5, nh, "vertical NCC 5");
    /* the tracker took NCC as an absolute NH index before 31a1200 */
    link_nh(&l, 9, nh);
    handover(&cap, &l, 162, 32, 3350, true, 1, nh, "NCC 1 after NCC 5: NH_9");
    link_nh(&l, 16, nh);
    handover(&cap, &l, 163, 33, 3350, false, 0, nh, "NCC 0 after NCC 1: NH_16");
    handover(&cap, &l, 164, 34, 1850, true, 0, l.kenb, "NCC 0 again: horizontal");
    capture_close(&cap);
    g_free(keys);
}

/* A UE's own capture (srsUE) names the target cell's connection with another UEId than the
 * source's: the carrier reports the handover on the source's UEId and the new C-RNTI, and the
 * tracker must find the UE on the connection its next PDU comes from. */
static void handover_other_ueid(void)
{
    set_run("6. handover to a connection with another UEId (the UE's own capture)");
    as_capture cap;
    radio_link l;
    char *keys;
    secured_link(&cap, &l, 170, 1700, (alg_pair){2, 2}, &keys);
    uint64_t old_conn = l.conn;
    uint8_t base[32];
    memcpy(base, l.kenb, 32);
    link_move(&l, 170, base, 41, 3100, 0); /* srsENB keeps the C-RNTI in an intra-eNB handover */
    l.conn = kasme_conn_key(KASME_CONN_RNTI, 2, 170);
    kasme_tracker_rrc_handover(cap.tr, old_conn, kasme_conn_key(KASME_CONN_RNTI, 0, 170), 41,
                               3100, 0);
    first_pdu_after_move(&cap, &l, 41, 3100, "first PDU on UEId 2");
    traffic_after_move(&cap, &l);
    /* back, without carrierFreq: the current EARFCN-DL (3100) is tried first */
    old_conn = l.conn;
    memcpy(base, l.kenb, 32);
    link_move(&l, 171, base, 42, 3100, 0);
    l.conn = kasme_conn_key(KASME_CONN_RNTI, 1, 171);
    kasme_tracker_rrc_handover(cap.tr, old_conn, kasme_conn_key(KASME_CONN_RNTI, 2, 171), 42,
                               -1, 0);
    first_pdu_after_move(&cap, &l, 42, 3100, "first PDU on UEId 1, same frequency");
    traffic_after_move(&cap, &l);
    capture_close(&cap);
    g_free(keys);
}

/* An S1AP SecurityContext for the UE on l's connection. */
static kasme_kenb_result s1ap_nh(as_capture *cap, uint64_t conn, const kasme_nh_context *sc)
{
    kasme_pdu_meta meta = {.frame = ++cap->frame, .dir = KASME_DIR_DL, .conn = conn};
    kasme_kenb_result kr;
    kasme_tracker_nh(cap->tr, KASME_DOMAIN_EPS, &meta, sc, &kr);
    return kr;
}

static kasme_nh_context security_context(const uint8_t nh[32], uint8_t ncc)
{
    kasme_nh_context sc = {.ncc = ncc, .has_algs = true, .eea = 2, .eia = 2,
                        .earfcns = {1850, 3350}, .n_earfcns = 2, .pcis = {5, 7}, .n_pcis = 2};
    memcpy(sc.nh, nh, 32);
    return sc;
}

/* The MME's NH (HandoverRequest) against the UE's chain from K_ASME and the initial K_eNB. */
static void s1ap_nh_checks(void)
{
    set_run("6. S1AP SecurityContext NH against the NH chain");
    as_capture cap;
    radio_link l;
    fx_ue ue;
    char *keys;
    uint8_t nh[32];
    nas_secured_link(&cap, &l, &ue, 180, &keys);
    kasme_pdu_meta meta = {.frame = ++cap.frame, .dir = KASME_DIR_DL, .conn = l.conn};
    kasme_kenb_result kr;
    kasme_tracker_an_key(cap.tr, KASME_DOMAIN_EPS, &meta, l.kenb_initial, &kr);
    for (uint8_t n = 1; n <= 9; n += 4) {
        link_nh(&l, n, nh);
        kasme_nh_context sc = security_context(nh, n & 7);
        kr = s1ap_nh(&cap, l.conn, &sc);
        check(kr.nh && kr.verdict == KASME_KENB_CONFIRMED && kr.nh_index == n && kr.ncc == (n & 7),
              "NH_%u with NCC %u: verdict %d index %u", n, n & 7, kr.verdict, kr.nh_index);
    }
    link_nh(&l, 2, nh);
    kasme_nh_context sc = security_context(nh, 3);
    kr = s1ap_nh(&cap, l.conn, &sc);
    check(kr.verdict == KASME_KENB_MISMATCH, "NH_2 with NCC 3: verdict %d (want mismatch)",
          kr.verdict);
    sc = security_context(nh, 2);
    sc.nh[31] ^= 1;
    kr = s1ap_nh(&cap, l.conn, &sc);
    check(kr.verdict == KASME_KENB_MISMATCH, "NH_2 with a flipped bit: verdict %d", kr.verdict);
    kr = s1ap_nh(&cap, kasme_conn_key(KASME_CONN_S1AP_MME, 0, 99), &sc);
    check(kr.verdict == KASME_KENB_UNCHECKED && kr.why, "unknown UE: verdict %d", kr.verdict);
    capture_close(&cap);
    g_free(keys);
}

/* NH_n of the chain that starts from K_eNB start under K_ASME kasme (TS 33.401 A.4). */
static void chain_nh(const uint8_t kasme[32], const uint8_t start[32], int n, uint8_t nh[32])
{
    uint8_t sync[32];
    memcpy(sync, start, 32);
    for (int i = 1; i <= n; i++) {
        if (kdf_nh(kasme, sync, nh))
            die("kdf_nh failed");
        memcpy(sync, nh, 32);
    }
}

/* A core that derives a K_eNB from an initial NAS message's UL COUNT while the UE is
 * connected, never sends it and restarts the NH chain from it (Open5GS's MME at a TAU with
 * active flag): the next SecurityContext's NH is of that chain, on the UE's connection or on a
 * connection that names no UE (a new MME UE S1AP ID). A K_eNB the UE's NAS never fed is no
 * root. */
static void nh_chain_from_unsent_kenb(void)
{
    set_run("6. S1AP NH of a chain from a K_eNB no SecurityKey carried");
    as_capture cap;
    radio_link l;
    fx_ue ue;
    char *keys;
    nas_secured_link(&cap, &l, &ue, 185, &keys);
    kasme_pdu_meta meta = {.frame = ++cap.frame, .dir = KASME_DIR_DL, .conn = l.conn};
    kasme_kenb_result kr;
    kasme_tracker_an_key(cap.tr, KASME_DOMAIN_EPS, &meta, l.kenb_initial, &kr);
    uint32_t count = ue.ctx.next_count[KASME_DIR_UL]++;
    uint8_t pdu[8], hidden[32], nh[32];
    const kasme_nas_result *r = feed_nas(&cap, l.conn, KASME_DIR_UL, pdu,
                                         fx_service_request(&ue.ctx, count, pdu));
    check(r->mac_status == KASME_MAC_GOOD && r->has_kenb && r->kenb_ul_count == count,
          "fixture: initial NAS message at UL COUNT %u: mac %d K_eNB %d", count, r->mac_status,
          r->has_kenb);
    fx_kenb(&ue.ctx, count, hidden);
    uint64_t unknown = kasme_conn_key(KASME_CONN_S1AP_MME, 0, 77);
    for (int n = 2; n <= 3; n++) {
        chain_nh(ue.ctx.kasme, hidden, n, nh);
        kasme_nh_context sc = security_context(nh, (uint8_t)n);
        kr = s1ap_nh(&cap, n == 2 ? unknown : l.conn, &sc);
        check(kr.verdict == KASME_KENB_CONFIRMED && kr.nh_index == (unsigned)n &&
                  kr.nh_root_from_nas && kr.nh_root_ul_count == count,
              "NH_%d from the K_eNB of UL COUNT %u (%s): verdict %d index %u from NAS %d count "
              "%u", n, count, n == 2 ? "unknown connection" : "UE's connection", kr.verdict,
              kr.nh_index, kr.nh_root_from_nas, kr.nh_root_ul_count);
    }
    link_nh(&l, 2, nh); /* the SecurityKey's chain still holds */
    kasme_nh_context sc = security_context(nh, 2);
    kr = s1ap_nh(&cap, l.conn, &sc);
    check(kr.verdict == KASME_KENB_CONFIRMED && kr.nh_index == 2 && !kr.nh_root_from_nas,
          "NH_2 of the SecurityKey's chain: verdict %d index %u from NAS %d", kr.verdict,
          kr.nh_index, kr.nh_root_from_nas);
    fx_kenb(&ue.ctx, count + 1, hidden); /* a UL COUNT no message fed */
    chain_nh(ue.ctx.kasme, hidden, 2, nh);
    sc = security_context(nh, 2);
    kr = s1ap_nh(&cap, l.conn, &sc);
    check(kr.verdict == KASME_KENB_MISMATCH, "NH_2 from the K_eNB of UL COUNT %u: verdict %d",
          count + 1, kr.verdict);
    kr = s1ap_nh(&cap, kasme_conn_key(KASME_CONN_S1AP_MME, 0, 78), &sc);
    check(kr.verdict == KASME_KENB_UNCHECKED && kr.ue_id == 0,
          "the same on a connection that names no UE: verdict %d ue %u", kr.verdict, kr.ue_id);
    capture_close(&cap);
    g_free(keys);
}

/* A target eNB's capture: no attach, no key file; the HandoverRequest's NH and the UE's first
 * SRB1 PDU on the new cell give the keys (K_eNB* = KDF(NH, PCI, EARFCN-DL)). */
static void incoming_from_nh(uint16_t pci, bool pci_named, bool algs_named, bool right_nh)
{
    set_run("6. target eNB: K_eNB* from the S1AP NH (PCI %u %s, algorithms %s%s)", pci,
            pci_named ? "named" : "searched", algs_named ? "named" : "searched",
            right_nh ? "" : ", wrong NH");
    as_capture cap;
    radio_link l;
    uint8_t nh[32];
    capture_open(&cap, NULL);
    pattern_key(nh, 32, 1900u + pci);
    kasme_nh_context sc = security_context(nh, 1);
    sc.has_algs = algs_named;
    sc.pcis[1] = pci_named ? pci : 8;
    if (!right_nh)
        sc.nh[0] ^= 0x80;
    kasme_kenb_result kr = s1ap_nh(&cap, kasme_conn_key(KASME_CONN_S1AP_MME, 0, 1), &sc);
    uint32_t nh_frame = cap.frame;
    check(kr.verdict == KASME_KENB_UNCHECKED, "NH without K_ASME: verdict %d", kr.verdict);
    link_open(&l, 190);
    l.eea = 2;
    l.eia = 2;
    link_move(&l, 190, nh, pci, 3350, 1);
    l.secured = true;
    if (!right_nh) {
        uint8_t msg[64], pdu[PDU_MAX];
        size_t n = srb_pdu(&l, KASME_DIR_UL, 1, 0, msg, rrc_message(8000, msg), true, true, pdu);
        const kasme_pdcp_result *r = feed_pdcp(&cap, &l, KASME_DIR_UL, SRB1, &OPAQUE, pdu, n);
        check(!r->kenb_star && r->mac_status != KASME_MAC_GOOD && !r->has_as_keys,
              "wrong NH: kenb_star %d mac_status %d", r->kenb_star, r->mac_status);
    } else {
        first_pdu_after_move(&cap, &l, pci, 3350, "RRCConnectionReconfigurationComplete");
        check(cap.res.nh_frame == nh_frame && cap.res.mac_status == KASME_MAC_GOOD,
              "nh_frame %u (want %u) mac_status %d", cap.res.nh_frame, nh_frame,
              cap.res.mac_status);
        exchange(&cap, &l, 3, 8100);
    }
    capture_close(&cap);
}

/* A capture full of HandoverRequests cannot make dissection crawl: after KASME_MAX_PCI_SWEEPS
 * (64) tries over all PCIs only the PCIs a HandoverRequest names are tried. */
static void nh_sweep_budget(void)
{
    set_run("6. target eNB: the PCI sweeps per capture are bounded");
    as_capture cap;
    radio_link l;
    uint8_t nh[32], msg[64], pdu[PDU_MAX];
    capture_open(&cap, NULL);
    gint64 start = g_get_monotonic_time();
    for (uint32_t i = 0; i < 16; i++) { /* 4 pending wrong NHs a PDU: 64 sweeps */
        if (i % 4 == 0)
            for (uint32_t k = 0; k < 4; k++) {
                pattern_key(nh, 32, 2100 + i * 4 + k);
                kasme_nh_context sc = security_context(nh, 1);
                s1ap_nh(&cap, kasme_conn_key(KASME_CONN_S1AP_MME, 0, 10 + k), &sc);
            }
        link_open(&l, (uint16_t)(300 + i));
        l.eea = l.eia = 2;
        pattern_key(nh, 32, 9999);
        link_move(&l, (uint16_t)(300 + i), nh, 9, 3350, 1);
        size_t n = srb_pdu(&l, KASME_DIR_UL, 1, 0, msg, rrc_message(i, msg), true, true, pdu);
        feed_pdcp(&cap, &l, KASME_DIR_UL, SRB1, &OPAQUE, pdu, n);
    }
    printf("tracker_as:    64 PCI sweeps (2 EARFCN-DLs each): %.1f ms\n",
           (double)(g_get_monotonic_time() - start) / 1000.0);
    for (int named = 0; named < 2; named++) {
        pattern_key(nh, 32, 2200u + (uint32_t)named);
        kasme_nh_context sc = security_context(nh, 1);
        sc.pcis[0] = named ? 301 : 5;
        s1ap_nh(&cap, kasme_conn_key(KASME_CONN_S1AP_MME, 0, 20), &sc);
        link_open(&l, (uint16_t)(400 + named));
        l.eea = l.eia = 2;
        link_move(&l, (uint16_t)(400 + named), nh, 301, 3350, 1);
        size_t n = srb_pdu(&l, KASME_DIR_UL, 1, 0, msg, rrc_message(9, msg), true, true, pdu);
        const kasme_pdcp_result *r = feed_pdcp(&cap, &l, KASME_DIR_UL, SRB1, &OPAQUE, pdu, n);
        check(r->kenb_star == (named == 1),
              "after the sweeps, PCI 301 %s: kenb_star %d (want %d)", named ? "named" : "not named",
              r->kenb_star, named);
    }
    capture_close(&cap);
}

static void test_handover(void)
{
    section("6. handover");
    horizontal_handovers();
    vertical_handovers();
    ncc_wrap();
    handover_other_ueid();
    s1ap_nh_checks();
    nh_chain_from_unsent_kenb();
    incoming_from_nh(7, true, true, true);
    incoming_from_nh(301, false, true, true);
    incoming_from_nh(7, true, false, true);
    incoming_from_nh(7, true, true, false);
    nh_sweep_budget();
}

/* ---- 7. DRBs ---- */

static bool drb_result_ok(const as_capture *cap, const radio_link *l, int dir, bearer_id b,
                          uint32_t count, const uint8_t *sdu, size_t len)
{
    const kasme_pdcp_result *r = &cap->res;
    return r->status == KASME_PDU_DECIPHERED && r->mac_status == KASME_MAC_NOT_PRESENT &&
           r->count == count && r->bearer == b.rb - 1 && r->dir == dir &&
           r->ciphered == (l->eea != 0) && plain_is(cap, sdu, len) && r->unverified_why == NULL;
}

static bool send_drb(as_capture *cap, radio_link *l, int dir, bearer_id b, uint32_t seq,
                     bool quiet)
{
    uint8_t sdu[128], pdu[PDU_MAX];
    size_t len = ipv4_echo(seq, dir, sdu);
    uint32_t count = l->next_count[dir][slot_of(b)]++;
    size_t n = drb_pdu(l, dir, b, count, sdu, len, pdu);
    const kasme_pdcp_result *r = feed_pdcp(cap, l, dir, b, &OPAQUE, pdu, n);
    bool ok = drb_result_ok(cap, l, dir, b, count, sdu, len);
    if (!quiet || !ok)
        check(ok, "%s DRB%u (%u-bit SN) COUNT %u: status %d mac %d count %u bearer %u "
                  "ciphered %d plain %s%s%s",
              dir_name(dir), b.rb, b.sn_bits, count, r->status, r->mac_status, r->count,
              r->bearer, r->ciphered, plain_is(cap, sdu, len) ? "equal" : "differs",
              r->unverified_why ? ": " : "", r->unverified_why ? r->unverified_why : "");
    return ok;
}

static void drb_exchange(as_capture *cap, radio_link *l, unsigned n, const char *what)
{
    bool ok = true;
    for (unsigned i = 0; i < n; i++) {
        ok &= send_drb(cap, l, KASME_DIR_UL, drb(1, 12), 9000 + i, false);
        ok &= send_drb(cap, l, KASME_DIR_DL, drb(1, 12), 9000 + i, false);
    }
    check(ok, "%s", what);
}

/* More than 4096 PDUs each way: the 12-bit SN wraps and the HFN goes on. */
static void drb_sn_wrap(as_capture *cap, radio_link *l)
{
    unsigned good = 0, total = 0;
    for (uint32_t i = 0; i < 4200; i++) {
        for (int dir = 0; dir < 2; dir++, total++)
            good += send_drb(cap, l, dir, drb(1, 12), i, true);
        if (i == 4000) { /* a few lost PDUs near the wrap */
            l->next_count[KASME_DIR_UL][slot_of(drb(1, 12))] += 90;
            l->next_count[KASME_DIR_DL][slot_of(drb(1, 12))] += 3;
        }
    }
    uint32_t dl_count = l->next_count[KASME_DIR_DL][slot_of(drb(1, 12))];
    check(good == total && dl_count > 4096, "DRB1 12-bit SN wrap: %u of %u PDUs right, DL "
          "COUNT now %u", good, total, dl_count);
    printf("tracker_as:    DRB1: %u of %u PDUs deciphered right, DL COUNT up to %u\n", good,
           total, dl_count - 1);
}

static void drb_other_sn_lengths(as_capture *cap, radio_link *l)
{
    static const unsigned sn_bits[] = {7, 15, 18};
    for (size_t k = 0; k < 3; k++) {
        bearer_id b = drb(2 + (unsigned)k, sn_bits[k]);
        unsigned good = 0, n = sn_bits[k] == 7 ? 300 : 40;
        for (uint32_t i = 0; i < n; i++)
            for (int dir = 0; dir < 2; dir++)
                good += send_drb(cap, l, dir, b, i, true);
        check(good == 2 * n, "DRB%u with %u-bit SN: %u of %u right", b.rb, sn_bits[k], good,
              2 * n);
    }
}

/* An IPv6 UDP packet whose payload length fits the SDU. */
static size_t ipv6_udp(uint32_t seq, uint8_t *out)
{
    size_t payload = 8 + 12 + seq % 16;
    memset(out, 0, 40 + payload);
    out[0] = 0x60;
    out[4] = (uint8_t)(payload >> 8);
    out[5] = (uint8_t)payload;
    out[6] = 17;
    out[7] = 64;
    out[8] = 0x20;
    out[9] = 0x01;
    out[23] = 2;
    out[24] = 0x20;
    out[25] = 0x01;
    out[39] = 1;
    out[40] = 0x30;
    out[41] = 0x39;
    out[42] = 0x00;
    out[43] = 0x35;
    out[44] = (uint8_t)(payload >> 8);
    out[45] = (uint8_t)payload;
    for (size_t i = 8; i < payload; i++)
        out[40 + i] = (uint8_t)(seq * 3 + i);
    return 40 + payload;
}

/* A stack that ciphers a DRB with BEARER = LCID - 1 = DRB identity + 1: the tracker finds it
 * by the IP header and keeps it for the bearer; IPv6 SDUs are recognised too. */
static void drb_alternate_bearer_ipv6(as_capture *cap, radio_link *l)
{
    bearer_id b = drb(6, 12);
    unsigned good = 0;
    for (uint32_t i = 0; i < 40; i++) {
        uint8_t sdu[128], pdu[PDU_MAX];
        int dir = (int)(i % 2);
        size_t len = i % 4 < 2 ? ipv4_echo(i, dir, sdu) : ipv6_udp(i, sdu);
        uint32_t count = l->next_count[dir][slot_of(b)]++;
        bearer_id lcid_based = drb(b.rb + 2, 12); /* drb_pdu uses its rb - 1 as BEARER */
        size_t n = drb_pdu(l, dir, lcid_based, count, sdu, len, pdu);
        const kasme_pdcp_result *r = feed_pdcp(cap, l, dir, b, &OPAQUE, pdu, n);
        bool ok = r->status == KASME_PDU_DECIPHERED && r->count == count &&
                  r->bearer == b.rb + 1 && plain_is(cap, sdu, len);
        good += ok;
        if (!ok)
            check(false, "DRB%u ciphered with BEARER %u, %s COUNT %u (%s): status %d bearer %u "
                         "count %u plain %s", b.rb, b.rb + 1, dir_name(dir), count,
                  i % 4 < 2 ? "IPv4" : "IPv6", r->status, r->bearer, r->count,
                  plain_is(cap, sdu, len) ? "equal" : "differs");
    }
    check(good == 40, "DRB with BEARER = identity + 1: %u of 40 right", good);
}

/* DRB identity 32: BEARER 31 is right and the identity + 1 guess (33) is out of range, so the
 * cipher refuses it. A PDU whose payload is an IP packet sent in clear must not pass for one
 * deciphered with BEARER 33 (before the fix the refused cipher left the bytes as they were,
 * which looked like IP, and they were shown as plaintext). */
static void drb_bearer_above_31(as_capture *cap, radio_link *l)
{
    bearer_id b = drb(32, 12);
    uint8_t sdu[128], pdu[PDU_MAX];
    size_t len = ipv4_echo(77, KASME_DIR_UL, sdu);
    uint32_t count = l->next_count[KASME_DIR_UL][slot_of(b)]++;
    size_t hdr = drb_header_len(b.sn_bits);
    pdu[0] = (uint8_t)(0x80 | (count >> 8));
    pdu[1] = (uint8_t)count;
    memcpy(pdu + hdr, sdu, len); /* not ciphered */
    const kasme_pdcp_result *r = feed_pdcp(cap, l, KASME_DIR_UL, b, &OPAQUE, pdu, hdr + len);
    check(r->bearer <= 31 && !(r->status == KASME_PDU_DECIPHERED && plain_is(cap, sdu, len)),
          "DRB32 PDU in clear: status %d bearer %u, the bytes as sent %s as plaintext",
          r->status, r->bearer, plain_is(cap, sdu, len) ? "shown" : "not shown");
    check(send_drb(cap, l, KASME_DIR_UL, b, 78, true), "DRB32 ciphered with BEARER 31 after it");
}

/* PDCP control PDUs (D/C = 0: status report, ROHC feedback) are not ciphered. */
static void drb_control_pdus(as_capture *cap, radio_link *l)
{
    static const uint8_t status_report[] = {0x00, 0x12, 0x34, 0x00};
    static const uint8_t rohc_feedback[] = {0x10, 0xF0, 0x01};
    bearer_id b = drb(1, 12);
    const kasme_pdcp_result *r = feed_pdcp(cap, l, KASME_DIR_UL, b, &OPAQUE, status_report,
                                           sizeof status_report);
    check(r->status == KASME_PDU_PLAIN, "PDCP status report: status %d", r->status);
    r = feed_pdcp(cap, l, KASME_DIR_DL, b, &OPAQUE, rohc_feedback, sizeof rohc_feedback);
    check(r->status == KASME_PDU_PLAIN, "ROHC feedback: status %d", r->status);
    send_drb(cap, l, KASME_DIR_UL, b, 1, false);
}

static void drb_run(alg_pair a)
{
    set_run("7. DRBs EEA%u/EIA%u", a.eea, a.eia);
    as_capture cap;
    radio_link l;
    char *keys;
    secured_link(&cap, &l, 170, 1700 + a.eea, a, &keys);
    drb_control_pdus(&cap, &l);
    drb_sn_wrap(&cap, &l);
    drb_other_sn_lengths(&cap, &l);
    if (a.eea != 0) { /* EEA0 leaves no BEARER to find */
        drb_alternate_bearer_ipv6(&cap, &l);
        drb_bearer_above_31(&cap, &l);
    }
    exchange(&cap, &l, 1, 9500);
    capture_close(&cap);
    g_free(keys);
}

static void test_drb(void)
{
    section("7. DRBs");
    static const alg_pair pairs[] = {{2, 2}, {1, 1}, {3, 3}, {0, 2}};
    for (size_t i = 0; i < 4; i++)
        if (algs_available(pairs[i].eea, pairs[i].eia))
            drb_run(pairs[i]);
}

/* ---- 8. before security, a new RRC connection on the same C-RNTI ---- */

static void pdus_before_any_smc(as_capture *cap, radio_link *l)
{
    connect_plain(cap, l, 6);
    send_srb(cap, l, KASME_DIR_DL, SRB2, 10, "SRB2 before security");
    uint8_t sdu[128], pdu[PDU_MAX];
    size_t n = drb_pdu(l, KASME_DIR_UL, drb(1, 12), 0, sdu, ipv4_echo(1, KASME_DIR_UL, sdu), pdu);
    const kasme_pdcp_result *r = feed_pdcp(cap, l, KASME_DIR_UL, drb(1, 12), &DISSECTED, pdu, n);
    check(r->status == KASME_PDU_PLAIN && r->mac_status == KASME_MAC_NOT_PRESENT,
          "DRB before security: status %d mac %d", r->status, r->mac_status);
}

static void test_before_security_and_setup(void)
{
    section("8. before security; RRCConnectionSetup restarts COUNTs");
    as_capture cap;
    radio_link l;
    uint8_t kenb1[32], kenb2[32];
    link_open(&l, 180);
    pattern_key(kenb1, 32, 1801);
    pattern_key(kenb2, 32, 1802);
    GString *text = g_string_new(NULL);
    append_kenb_line(text, kenb1, "rnti=180");
    append_kenb_line(text, kenb2, "rnti=180");
    capture_open(&cap, text->str);
    pdus_before_any_smc(&cap, &l);
    link_take_kenb(&l, kenb1, 2, 2);
    send_smc(&cap, &l, false, 0);
    send_srb(&cap, &l, KASME_DIR_UL, SRB1, 20, "SMC Complete, first connection");
    exchange(&cap, &l, 12, 30);
    kasme_tracker_rrc_setup(cap.tr, l.conn); /* a new connection on the same C-RNTI */
    link_open(&l, 180);
    connect_plain(&cap, &l, 3);
    link_take_kenb(&l, kenb2, 1, 3);
    if (algs_available(1, 3)) {
        send_smc(&cap, &l, true, 1);
        send_srb(&cap, &l, KASME_DIR_UL, SRB1, 80, "SMC Complete, second connection");
        exchange(&cap, &l, 3, 90);
    }
    capture_close(&cap);
    g_string_free(text, TRUE);
}

/* ---- 9. hostile and truncated PDUs ---- */

/* Every PDU is copied to the end of a page followed by an inaccessible one, and plain_out ends
 * the same way: a read or write past len faults, and the fault is caught and reported. */
typedef struct {
    uint8_t *in, *out; /* the last octet of each accessible page is at [page - 1] */
    size_t page;
} guard_pages;

static guard_pages guard;
static sigjmp_buf guard_jump;
static volatile sig_atomic_t guard_armed;

static void guard_fault(int sig)
{
    if (guard_armed)
        siglongjmp(guard_jump, 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

static uint8_t *guarded_region(size_t page)
{
    uint8_t *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + page, page, PROT_NONE))
        die("guard page mapping failed");
    return p;
}

static void guard_open(void)
{
    guard.page = (size_t)sysconf(_SC_PAGESIZE);
    guard.in = guarded_region(guard.page);
    guard.out = guarded_region(guard.page);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = guard_fault;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

static void guard_close(void)
{
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    munmap(guard.in, 2 * guard.page);
    munmap(guard.out, 2 * guard.page);
}

/* false if the tracker touched memory past the PDU or past plain_out[len). */
static bool feed_guarded(kasme_tracker *tr, const kasme_pdcp_meta *meta, const uint8_t *pdu,
                         size_t len, kasme_pdcp_result *res)
{
    uint8_t *in = guard.in + guard.page - len, *out = guard.out + guard.page - len;
    memcpy(in, pdu, len);
    memset(res, 0, sizeof *res);
    if (sigsetjmp(guard_jump, 1)) {
        guard_armed = 0;
        return false;
    }
    guard_armed = 1;
    kasme_tracker_pdcp(tr, meta, in, len, out, res);
    guard_armed = 0;
    return true;
}

typedef struct {
    unsigned fed, status[KASME_PDU_CIPHER_REFUSED + 1], good;
    unsigned past_end, first_past_end_len, first_past_end_sn, first_past_end_srb;
    unsigned insane, wrong_malformed;
    char first_wrong[200];
} hostile_tally;

/* TS 36.323 6.2: SRBs have a 5-bit SN, DRBs 7, 12, 15 or 18 bits. */
static bool sn_bits_valid_for_bearer(const kasme_pdcp_meta *m)
{
    if (m->srb)
        return m->sn_bits == 5;
    return m->sn_bits == 7 || m->sn_bits == 12 || m->sn_bits == 15 || m->sn_bits == 18;
}

/* A meta no PDU can be read with: direction, bearer identity or SN length impossible. */
static bool meta_unusable(const kasme_pdcp_meta *m)
{
    return m->dir < 0 || m->dir > 1 || m->rb_id == 0 || m->rb_id > 32 ||
           (m->srb && m->rb_id > 2) || !sn_bits_valid_for_bearer(m);
}

/* What the status must be; -1 when any non-MALFORMED status may do. */
static int status_required(const kasme_pdcp_meta *m, const uint8_t *pdu, size_t len)
{
    if (meta_unusable(m) || len == 0)
        return KASME_PDU_MALFORMED;
    if (!m->srb && !(pdu[0] & 0x80))
        return KASME_PDU_PLAIN;
    size_t min = m->srb ? 1 + MAC_I_LEN : drb_header_len(m->sn_bits) + 1;
    return len < min ? KASME_PDU_MALFORMED : -1;
}

static bool result_sane(const kasme_pdcp_result *r, const kasme_pdcp_meta *m, size_t len)
{
    return r->status <= KASME_PDU_CIPHER_REFUSED && r->mac_status >= KASME_MAC_BAD &&
           r->mac_status <= KASME_MAC_NOT_PRESENT && r->plain_len <= len && r->dir == m->dir &&
           r->bearer <= 31 && memchr(r->imsi, 0, sizeof r->imsi) != NULL &&
           (r->status != KASME_PDU_MALFORMED || r->plain_len == 0);
}

static void describe_meta(const kasme_pdcp_meta *m, size_t len, char *out, size_t out_len)
{
    snprintf(out, out_len, "srb %d rb %u sn_bits %u dir %d opaque %d smc %d (%u/%u) len %zu",
             m->srb, m->rb_id, m->sn_bits, m->dir, m->payload_opaque, m->rrc_smc, m->smc_eea,
             m->smc_eia, len);
}

static void tally_status(hostile_tally *t, const kasme_pdcp_meta *m, const uint8_t *pdu,
                         size_t len, const kasme_pdcp_result *r)
{
    int want = status_required(m, pdu, len);
    if (!result_sane(r, m, len))
        t->insane++;
    else
        t->status[r->status]++;
    t->good += r->mac_status == KASME_MAC_GOOD;
    bool wrong = want >= 0 ? (int)r->status != want : r->status == KASME_PDU_MALFORMED;
    if (wrong && !t->wrong_malformed++) {
        describe_meta(m, len, t->first_wrong, sizeof t->first_wrong);
        size_t used = strlen(t->first_wrong);
        snprintf(t->first_wrong + used, sizeof t->first_wrong - used, " octet0 %#x: status %d",
                 len ? pdu[0] : 0, r->status);
    }
}

static void hostile_feed(kasme_tracker *tr, hostile_tally *t, const kasme_pdcp_meta *m,
                         const uint8_t *pdu, size_t len)
{
    kasme_pdcp_result r;
    t->fed++;
    if (!feed_guarded(tr, m, pdu, len, &r)) {
        if (!t->past_end++) {
            t->first_past_end_len = (unsigned)len;
            t->first_past_end_sn = m->sn_bits;
            t->first_past_end_srb = m->srb;
        }
        return;
    }
    tally_status(t, m, pdu, len, &r);
}

static uint32_t prng_state = 0x2545F491u;

static uint32_t prng_next(void)
{
    prng_state ^= prng_state << 13;
    prng_state ^= prng_state >> 17;
    prng_state ^= prng_state << 5;
    return prng_state;
}

static void random_octets(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)prng_next();
}

/* Carrier flags for a round: none, opaque, or a flagged SMC with any 3-bit algorithms. */
static void random_flags(kasme_pdcp_meta *m, unsigned round)
{
    m->payload_opaque = round % 3 == 1;
    m->rrc_smc = round % 3 == 2;
    m->smc_eea = (uint8_t)(prng_next() % 8);
    m->smc_eia = (uint8_t)(prng_next() % 8);
}

static const unsigned HOSTILE_SN_BITS[] = {5, 7, 12, 15, 18, 0, 19};

/* Every meta combination, every length up to max_len, random octets (D/C set or not). */
static void hostile_every_meta(kasme_tracker *tr, hostile_tally *t, const uint64_t *conns,
                               size_t n_conns, size_t max_len)
{
    uint8_t buf[64];
    unsigned round = 0;
    for (int srb = 0; srb < 2; srb++)
        for (size_t s = 0; s < 7; s++)
            for (unsigned rb = 0; rb <= 40; rb++)
                for (int dir = -1; dir <= 2; dir++)
                    for (size_t len = 0; len <= max_len; len++, round++) {
                        kasme_pdcp_meta m = {.frame = round, .dir = dir, .rb_id = rb,
                                             .srb = srb, .sn_bits = HOSTILE_SN_BITS[s],
                                             .conn = conns[round % n_conns], .rnti = 200};
                        random_flags(&m, round);
                        random_octets(buf, len);
                        hostile_feed(tr, t, &m, buf, len);
                    }
}

/* Every prefix of genuine PDUs of the secured link: SMC, SRB1/2 both ways, DRBs. */
static void hostile_truncations(kasme_tracker *tr, hostile_tally *t, radio_link *l,
                                unsigned *truncated_good)
{
    uint8_t msg[64], pdu[PDU_MAX];
    for (unsigned k = 0; k < 8; k++) {
        bearer_id b = k < 4 ? (k % 2 ? SRB2 : SRB1) : drb(1 + k % 3, k == 7 ? 7 : 12 + 3 * (k % 3));
        int dir = (int)(k % 2);
        size_t n, len = k == 0 ? rrc_smc_message(2, 2, 0, msg) : rrc_message(k * 11, msg);
        if (b.srb)
            n = srb_pdu(l, dir, b.rb, l->next_count[dir][b.rb], msg, len, true, k != 0, pdu);
        else
            n = drb_pdu(l, dir, b, l->next_count[dir][slot_of(b)], msg, len, pdu);
        for (size_t cut = 0; cut < n; cut++) {
            kasme_pdcp_meta m = {.frame = k, .dir = dir, .conn = l->conn, .rnti = l->rnti,
                                 .rb_id = b.rb, .srb = b.srb, .sn_bits = b.sn_bits,
                                 .payload_opaque = true};
            kasme_pdcp_result r;
            t->fed++;
            if (!feed_guarded(tr, &m, pdu, cut, &r)) {
                if (!t->past_end++) {
                    t->first_past_end_len = (unsigned)cut;
                    t->first_past_end_sn = m.sn_bits;
                    t->first_past_end_srb = m.srb;
                }
                continue;
            }
            tally_status(t, &m, pdu, cut, &r);
            *truncated_good += r.mac_status == KASME_MAC_GOOD;
        }
    }
}

static void report_hostile(const hostile_tally *t, const char *what)
{
    printf("tracker_as:    %s: %u fed: plain %u, deciphered %u (MAC GOOD %u), no context %u, "
           "malformed %u, algorithm unavailable %u\n",
           what, t->fed, t->status[KASME_PDU_PLAIN], t->status[KASME_PDU_DECIPHERED], t->good,
           t->status[KASME_PDU_NO_CONTEXT], t->status[KASME_PDU_MALFORMED],
           t->status[KASME_PDU_ALG_UNAVAILABLE]);
    check(t->insane == 0, "%s: %u results out of their documented ranges", what, t->insane);
    check(t->wrong_malformed == 0, "%s: %u PDUs with the wrong MALFORMED verdict, first: %s",
          what, t->wrong_malformed, t->first_wrong);
    /* read_sn read 3 header octets of a 2-octet 7-bit-SN DRB PDU before 31a1200 */
    check(t->past_end == 0,
          "%s: %u PDUs made the tracker touch memory past the PDU or plain_out[len) (first: "
          "srb %u, %u-bit SN, %u octets)",
          what, t->past_end, t->first_past_end_srb, t->first_past_end_sn,
          t->first_past_end_len);
}

static void hostile_on_secured_tracker(void)
{
    set_run("9. hostile PDUs, a tracker with AS security and a pending re-establishment");
    as_capture cap;
    radio_link l;
    char *keys;
    hostile_tally t;
    unsigned truncated_good = 0;
    memset(&t, 0, sizeof t);
    secured_link(&cap, &l, 200, 2000, (alg_pair){2, 2}, &keys);
    hostile_truncations(cap.tr, &t, &l, &truncated_good);
    check(truncated_good == 0, "%u truncated PDUs verified GOOD", truncated_good);
    uint64_t conns[] = {l.conn, kasme_conn_key(KASME_CONN_RNTI, 0, 201), 0};
    kasme_tracker_rrc_reest_request(cap.tr, conns[1], l.conn, 5);
    hostile_every_meta(cap.tr, &t, conns, 3, 24);
    check(t.status[KASME_PDU_DECIPHERED] > 0 && t.status[KASME_PDU_PLAIN] > 0 &&
              t.status[KASME_PDU_MALFORMED] > 0 &&
              t.status[KASME_PDU_NO_CONTEXT] + t.status[KASME_PDU_ALG_UNAVAILABLE] > 0,
          "hostile PDUs did not reach every path");
    report_hostile(&t, "secured tracker");
    capture_close(&cap);
    g_free(keys);
}

static void hostile_on_bare_tracker(void)
{
    set_run("9. hostile PDUs, a tracker without key file");
    hostile_tally t;
    memset(&t, 0, sizeof t);
    kasme_tracker *tr = kasme_tracker_new(NULL);
    uint64_t conns[] = {kasme_conn_key(KASME_CONN_RNTI, 0, 7), 0};
    hostile_every_meta(tr, &t, conns, 2, 12);
    report_hostile(&t, "bare tracker");
    kasme_tracker_free(tr);
}

static void test_robustness(void)
{
    section("9. hostile and truncated PDCP PDUs");
    guard_open();
    hostile_on_secured_tracker();
    hostile_on_bare_tracker();
    guard_close();
}

/* ---- 10. a ciphered DL PDU whose ciphertext looks like an SMC ---- */

/* A genuine ciphered DL SRB1 PDU whose first three ciphertext octets happen to read as a
 * securityModeCommand (about 1 ciphered DL PDU in 2048 does, 1 in 16384 with EIA0): the
 * carrier took it as ciphered (payload_opaque), so the tracker reads the ciphertext as RRC. */
static void ciphertext_like_smc(as_capture *cap, radio_link *l, uint8_t eea, uint8_t eia)
{
    uint8_t looks_like_smc[3];
    rrc_smc_message(eea, eia, 1, looks_like_smc);
    uint8_t msg[64], keystream[64 + MAC_I_LEN] = {0}, pdu[PDU_MAX];
    uint32_t count = l->next_count[KASME_DIR_DL][1];
    size_t len = rrc_message(24, msg);
    eea_apply(l->eea, l->krrc_enc, count, 0, KASME_DIR_DL, keystream, len + MAC_I_LEN);
    for (int i = 0; i < 3; i++)
        msg[i] = keystream[i] ^ looks_like_smc[i];
    size_t n = srb_pdu(l, KASME_DIR_DL, 1, count, msg, len, true, true, pdu);
    check(same(pdu + 1, looks_like_smc, 3), "test: ciphertext does not look like an SMC");
    l->next_count[KASME_DIR_DL][1]++;
    const kasme_pdcp_result *r = feed_pdcp(cap, l, KASME_DIR_DL, SRB1, &OPAQUE, pdu, n);
    bool ok = srb_result_ok(cap, l, KASME_DIR_DL, SRB1, count, true, msg, len) &&
              !(r->events & (KASME_EV_AS_SMC | KASME_EV_NO_KENB));
    const char *what = "ciphered DL PDU whose ciphertext reads as an SMC";
    if (kasme_alg_available(eea) && kasme_alg_available(eia))
        check(ok, "%s with EEA%u/EIA%u: status %d events %#x mac %d eia %u", what, eea, eia,
              r->status, r->events, r->mac_status, r->eia);
    else
        known_bug(ok, "%s with EEA%u/EIA%u, not in this build: status %d events %#x mac %d "
                      "(tracker_as.c kasme_tracker_pdcp reverts a guessed SMC only on "
                      "NO_CONTEXT, not on ALG_UNAVAILABLE)",
                  what, eea, eia, r->status, r->events, r->mac_status);
}

static void test_ciphertext_like_smc(void)
{
    section("10. a ciphered DL PDU that looks like an SMC");
    as_capture cap;
    radio_link l;
    char *keys;
    secured_link(&cap, &l, 210, 2100, (alg_pair){2, 2}, &keys);
    /* EIA0: replaced the running AS context before 31a1200 */
    static const alg_pair looks[] = {{2, 0}, {0, 0}, {2, 2}, {1, 1}, {3, 3}, {0, 3}};
    for (size_t i = 0; i < sizeof looks / sizeof looks[0]; i++) {
        ciphertext_like_smc(&cap, &l, looks[i].eea, looks[i].eia);
        bool dl_ok = send_srb(&cap, &l, KASME_DIR_DL, SRB1, 10 + (uint32_t)i, "DL after it");
        bool ul_ok = send_srb(&cap, &l, KASME_DIR_UL, SRB1, 20 + (uint32_t)i, "UL after it");
        check(dl_ok && ul_ok, "after a look-alike of EEA%u/EIA%u: DL %s, UL %s",
              looks[i].eea, looks[i].eia, dl_ok ? "GOOD" : "wrong", ul_ok ? "GOOD" : "wrong");
    }
    capture_close(&cap);
    g_free(keys);
}

/* ---- 12. a capture that starts after the RRC SMC ---- */

/* No RRC SMC in the capture: a `kenb=` line, every SRB direction at an HFN of its own. The
 * first PDU's MAC-I finds the algorithms and its COUNT; the other directions and SRB2 are
 * found at theirs; a wrong K_eNB leaves the PDUs without a context. */
static void midsession_run(alg_pair algs, bool right_key)
{
    as_capture cap;
    radio_link l;
    uint8_t kenb[32], other[32];
    pattern_key(kenb, 32, 700 + algs.eea * 4 + algs.eia);
    pattern_key(other, 32, 800);
    link_open(&l, 75);
    link_take_kenb(&l, kenb, algs.eea, algs.eia);
    GString *keys = g_string_new(NULL);
    append_kenb_line(keys, right_key ? kenb : other, "any");
    capture_open(&cap, keys->str);
    l.secured = l.ul_ciphered = true;
    l.next_count[KASME_DIR_DL][1] = 100; /* HFN 3 */
    l.next_count[KASME_DIR_UL][1] = 70;  /* HFN 2 */
    l.next_count[KASME_DIR_DL][2] = 40;
    l.next_count[KASME_DIR_UL][2] = 33;
    if (!right_key) {
        uint8_t msg[64], pdu[PDU_MAX];
        size_t len = rrc_message(900, msg);
        size_t n = srb_pdu(&l, KASME_DIR_DL, 1, 100, msg, len, true, true, pdu);
        const kasme_pdcp_result *r = feed_pdcp(&cap, &l, KASME_DIR_DL, SRB1, &OPAQUE, pdu, n);
        check(r->status == KASME_PDU_NO_CONTEXT && r->mac_status != KASME_MAC_GOOD &&
                  r->plain_len == 0,
              "mid-session, wrong K_eNB (EEA%u/EIA%u): status %d mac %d plain_len %zu",
              algs.eea, algs.eia, r->status, r->mac_status, r->plain_len);
    } else {
        send_srb(&cap, &l, KASME_DIR_DL, SRB1, 900, "mid-session, first PDU (DL SRB1, HFN 3)");
        check((cap.res.events & KASME_EV_ALGS_SEARCHED) && as_keys_are(&cap.res, &l) &&
                  cap.res.smc_frame == 0,
              "mid-session EEA%u/EIA%u: events %#x, keys %s", algs.eea, algs.eia,
              cap.res.events, as_keys_are(&cap.res, &l) ? "right" : "wrong");
        send_srb(&cap, &l, KASME_DIR_UL, SRB1, 901, "mid-session, first UL SRB1 (HFN 2)");
        send_srb(&cap, &l, KASME_DIR_DL, SRB2, 902, "mid-session, first DL SRB2 (HFN 1)");
        send_srb(&cap, &l, KASME_DIR_UL, SRB2, 903, "mid-session, first UL SRB2 (HFN 1)");
        exchange(&cap, &l, 2, 910);
    }
    capture_close(&cap);
    g_string_free(keys, TRUE);
}

static void test_midsession(void)
{
    section("12. A capture that starts after the RRC SMC");
    for (size_t i = 0; i < N_ALG_PAIRS; i++) {
        if (!algs_available(ALG_PAIRS[i].eea, ALG_PAIRS[i].eia) || ALG_PAIRS[i].eia == 0)
            continue;
        midsession_run(ALG_PAIRS[i], true);
        midsession_run(ALG_PAIRS[i], false);
    }
}

int main(void)
{
    if (fx_init()) {
        fprintf(stderr, "tracker_as: libgcrypt initialisation failed\n");
        return 1;
    }
    test_keyfile_kenb();
    test_kenb_from_nas();
    test_kenb_from_s1ap();
    test_count_wrap();
    test_tampering();
    test_reestablishment();
    test_handover();
    test_drb();
    test_before_security_and_setup();
    test_robustness();
    test_ciphertext_like_smc();
    test_midsession();
    return check_report("tracker_as");
}
