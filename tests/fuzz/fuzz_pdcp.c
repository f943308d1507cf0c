/* libFuzzer harness: the AS side of the per-UE security tracker (plugin/core/tracker_as.c,
 * tracker_kenb.c, rrc_msg.c): PDCP PDUs of SRBs and DRBs, the RRC SMC and its K_eNB search,
 * RRC connection setup, re-establishment and handover (K_eNB*), interleaved with the NAS PDUs
 * that make the NAS context K_eNB comes from.
 *
 * Key file (made once): the srsRAN test subscriber, s01's K_ASME as an `any` line and s01's
 * K_eNB as a `kenb=... any` line, so RRC SMCs can verify from the NAS context or the key file.
 * Per input: a fresh tracker, then the input as a sequence of records fed in order:
 *
 *   byte 0  bits 0-2  kind: 0-3 PDCP PDU, 4 NAS PDU, 5 RRC event, 6 handover,
 *                     7 re-establishment (request + RRCConnectionReestablishment)
 *           bits 3-4  connection: MAC-LTE C-RNTI 70 + n (UEId 0)
 *           bit  5    direction: 0 UL, 1 DL
 *           bit  6    NAS only: direction unknown
 *   byte 1  PDCP:      bit 0 SRB (else DRB); SRB: bit 1 -> SRB1/SRB2, 5-bit SN (with bit 2
 *                      set: bearer 0..7 from bits 3-5 and a 12-bit SN if bit 6, which the
 *                      tracker must refuse); DRB: bits 1-5 -> DRB identity 1..32, bits 6-7 ->
 *                      SN length 7/12/15/18
 *           event:     bits 0-1: 0 RRCConnectionSetup, 1 S-TMSI (data[0..3]) bound to the
 *                      connection, 2 connection release, 3 S1AP SecurityKey (data, 32 octets)
 *           handover / re-establishment: bits 0-1 the new connection (C-RNTI 70 + n),
 *                      bits 2-4 NCC, bits 5-7 PCI bits 8-10
 *   byte 2  PDCP:      bit 0 rrc_smc (the carrier dissected an RRC SMC), bits 1-3 its EEA,
 *                      bits 4-6 its EIA, bit 7 payload_opaque (the carrier took it as ciphered)
 *           handover / re-establishment: PCI bits 0-7
 *   byte 3  length L, then L octets (fewer if the input ends first). A handover's target
 *           EARFCN-DL hint is data[0..2] (big-endian, 18 bits), 3350 if L < 3.
 *
 * The EARFCN search. On the first SRB1 PDU after a move, kasme_reest_derive() tries the
 * handover's hint and then, if that does not verify (and always for a re-establishment),
 * every EARFCN 0..262143 for each K_eNB* base (1, or 2 after an NCC change): up to 524288
 * KDF + key schedules + MAC, per try ciphering and MACing the PDU: measured at 5.7 s (one base,
 * 7-octet PDU), 9.4 s (two bases) and 23 s (two bases, 238-octet PDU) per input in this
 * ASan/UBSan build (0.37 s, 0.73 s and 1.5 s in the gcc -O2 build of the plugin). A hint does not bound it: a wrong hint falls back to the full search.
 * So that this does not eat the fuzzing time, moves (handover and re-establishment records)
 * are honoured
 *   - at most FUZZ_PDCP_MAX_MOVES times per input (default 1; 0 turns them off), and
 *   - only in inputs whose FNV-1a hash has its low bits zero, 1 input in FUZZ_PDCP_MOVE_ONE_IN
 *     (a power of 2, default 256; 1 = every input). The gate is a function of the input, so
 *     runs reproduce; make_seeds.py pads its move seeds with a 1-3 octet tail (shorter than
 *     a record header, so ignored) that makes their hash pass any gate up to 1024. With 1 in
 *     32, a 600 s run made 183 exec/s (a failed search every ~1500 inputs, 5-25 s each);
 *     the default trades move coverage for speed, FUZZ_PDCP_MOVE_ONE_IN=1 fuzzes moves only.
 * Every PDU is copied to a buffer of exactly L octets and plain_out is exactly L octets, so
 * ASan sees any access outside them. FUZZ_TRACE=1 prints one line per record. Records after
 * the 128th are ignored.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz_pdcp"
#include "fuzz_common.h"
#include "gcrypt_init.h"
#include "keyfile.h"
#include "subdb.h"
#include "tracker.h"

#define MAX_RECORDS 128
#define HEADER 4


static const char keyfile_text[] =
    "imsi=001010123456780 k=00112233445566778899aabbccddeeff "
    "opc=63bfa50ee6523365ff14c1f45f88737d amf=8000 name=srsue\n"
    "kasme=9274fa19278ce27857402ff4dae9be902dde73b8906431572337ac63504a956e any name=s01\n"
    "kenb=3125f38ae9d02e234d6bde965392fec1c0eaa4cf6864023a27f1e091aa179c0f any name=s01-enb\n";

static kasme_subdb *db;
static unsigned max_moves = 1;
static uint32_t move_mask = 255; /* FUZZ_PDCP_MOVE_ONE_IN - 1 */
static bool trace; /* FUZZ_TRACE=1: one line per record on stderr, to check seeds by hand */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    db = fuzz_load_keys(keyfile_text, 3);
    const char *env = getenv("FUZZ_PDCP_MAX_MOVES");
    if (env && *env)
        max_moves = (unsigned)strtoul(env, NULL, 10);
    env = getenv("FUZZ_PDCP_MOVE_ONE_IN");
    if (env && *env) {
        unsigned long one_in = strtoul(env, NULL, 10);
        if (one_in == 0 || (one_in & (one_in - 1)) != 0 || one_in > (1ul << 31)) {
            fprintf(stderr, "fuzz_pdcp: FUZZ_PDCP_MOVE_ONE_IN must be a power of 2\n");
            abort();
        }
        move_mask = (uint32_t)(one_in - 1);
    }
    trace = getenv("FUZZ_TRACE") != NULL;
    return 0;
}

static uint64_t rnti_conn(unsigned n)
{
    return kasme_conn_key(KASME_CONN_RNTI, 0, 70 + n);
}

static const unsigned drb_sn_bits[4] = {7, 12, 15, 18};

static void pdcp_record(kasme_tracker *tr, uint32_t frame, const uint8_t *hdr,
                        const uint8_t *body, size_t len)
{
    kasme_pdcp_meta meta;
    memset(&meta, 0, sizeof meta);
    unsigned conn = (hdr[0] >> 3) & 3;
    meta.frame = frame;
    meta.dir = hdr[0] & 0x20 ? KASME_DIR_DL : KASME_DIR_UL;
    meta.conn = rnti_conn(conn);
    meta.rnti = (uint16_t)(70 + conn);
    meta.srb = hdr[1] & 1;
    if (meta.srb && (hdr[1] & 4)) {
        /* a carrier with nonsense configuration: bearer 0..7, 5- or 12-bit SN */
        meta.rb_id = (hdr[1] >> 3) & 7;
        meta.sn_bits = hdr[1] & 0x40 ? 12 : 5;
    } else if (meta.srb) {
        meta.rb_id = 1 + ((hdr[1] >> 1) & 1);
        meta.sn_bits = 5;
    } else {
        meta.rb_id = 1 + ((hdr[1] >> 1) & 31);
        meta.sn_bits = drb_sn_bits[hdr[1] >> 6];
    }
    meta.rrc_smc = hdr[2] & 1;
    meta.smc_eea = (hdr[2] >> 1) & 7;
    meta.smc_eia = (hdr[2] >> 4) & 7;
    meta.payload_opaque = hdr[2] >> 7;

    uint8_t *pdu = malloc(len);
    uint8_t *plain = malloc(len);
    CHECK(len == 0 || (pdu && plain));
    if (len)
        memcpy(pdu, body, len);
    kasme_pdcp_result res;
    kasme_tracker_pdcp(tr, &meta, pdu, len, plain, &res);
    CHECK(res.status <= KASME_PDU_CIPHER_REFUSED);
    CHECK(res.plain_len <= len);
    CHECK(res.mac_status >= KASME_MAC_BAD && res.mac_status <= KASME_MAC_NOT_PRESENT);
    CHECK(memchr(res.imsi, '\0', sizeof res.imsi) != NULL);
    if (res.unverified_why)
        CHECK(strlen(res.unverified_why) < 256);
    if (res.kenb_source)
        CHECK(strlen(res.kenb_source) < 256);
    if (trace)
        fprintf(stderr, "#%u pdcp %s%u dir %d len %zu: status %d events 0x%x ue %u mac %d "
                "count %u ciphered %d k_enb* %d earfcn %u (%s)\n", frame, meta.srb ? "SRB" : "DRB",
                meta.rb_id, meta.dir, len, (int)res.status, res.events, res.ue_id,
                res.mac_status, res.count, res.ciphered, res.kenb_star, res.earfcn_dl,
                res.kenb_source ? res.kenb_source : "-");
    free(pdu);
    free(plain);
}

static void nas_record(kasme_tracker *tr, uint32_t frame, const uint8_t *hdr,
                       const uint8_t *body, size_t len)
{
    kasme_pdu_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.frame = frame;
    meta.dir = hdr[0] & 0x40 ? KASME_DIR_UNKNOWN : hdr[0] & 0x20 ? KASME_DIR_DL : KASME_DIR_UL;
    meta.conn = rnti_conn((hdr[0] >> 3) & 3);
    uint8_t *pdu = malloc(len);
    uint8_t *plain = malloc(len);
    CHECK(len == 0 || (pdu && plain));
    if (len)
        memcpy(pdu, body, len);
    kasme_nas_result res;
    kasme_tracker_nas(tr, &meta, pdu, len, plain, &res);
    CHECK(res.status <= KASME_PDU_CIPHER_REFUSED);
    CHECK(res.plain_len <= len);
    if (trace)
        fprintf(stderr, "#%u nas len %zu: status %d events 0x%x ue %u mac %d count %u\n", frame,
                len, (int)res.status, res.events, res.ue_id, res.mac_status, res.count);
    free(pdu);
    free(plain);
}

static void event_record(kasme_tracker *tr, const uint8_t *hdr, const uint8_t *body, size_t len)
{
    uint64_t conn = rnti_conn((hdr[0] >> 3) & 3);
    switch (hdr[1] & 3) {
    case 0:
        kasme_tracker_rrc_setup(tr, conn);
        break;
    case 1: {
        uint8_t t[4] = {0};
        memcpy(t, body, len < 4 ? len : 4);
        kasme_tracker_bind_tmsi(tr, conn,
                                (uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | t[2] << 8 | t[3]);
        break;
    }
    case 2:
        kasme_tracker_conn_release(tr, conn);
        break;
    default: {
        uint8_t kenb[32] = {0};
        memcpy(kenb, body, len < 32 ? len : 32);
        kasme_pdu_meta meta;
        memset(&meta, 0, sizeof meta);
        meta.conn = conn;
        kasme_kenb_result kr;
        if (hdr[1] & 4) { /* an S1AP SecurityContext: NH, NCC, a cell or two to try */
            kasme_nh_context sc = {.ncc = (uint8_t)(hdr[1] >> 3), .has_algs = hdr[2] & 1,
                                .eea = (uint8_t)((hdr[2] >> 1) & 3), .eia = (uint8_t)((hdr[2] >> 3) & 3),
                                .earfcns = {3350, (uint32_t)hdr[2] << 10}, .n_earfcns = 1 + (hdr[2] >> 7),
                                .pcis = {(uint16_t)(hdr[1] >> 5)}, .n_pcis = 1};
            memcpy(sc.nh, kenb, 32);
            kasme_tracker_nh(tr, KASME_DOMAIN_EPS, &meta, &sc, &kr);
            CHECK(kr.nh && kr.ncc < 8);
        } else {
            kasme_tracker_an_key(tr, KASME_DOMAIN_EPS, &meta, kenb, &kr);
        }
        CHECK(kr.verdict <= KASME_KENB_MISMATCH);
        break;
    }
    }
}

static void move_record(kasme_tracker *tr, const uint8_t *hdr, const uint8_t *body, size_t len)
{
    uint64_t conn = rnti_conn((hdr[0] >> 3) & 3);
    uint64_t new_conn = rnti_conn(hdr[1] & 3);
    int ncc = (hdr[1] >> 2) & 7;
    uint16_t pci = (uint16_t)((hdr[1] >> 5) << 8 | hdr[2]);
    if ((hdr[0] & 7) == 6) {
        int32_t earfcn = 3350;
        if (len >= 3)
            earfcn = (int32_t)(((uint32_t)body[0] << 16 | (uint32_t)body[1] << 8 | body[2]) &
                               0x3FFFF);
        kasme_tracker_rrc_handover(tr, conn, new_conn, pci, earfcn, ncc);
        if (trace)
            fprintf(stderr, "handover pci %u earfcn %d ncc %d\n", pci, (int)earfcn, ncc);
    } else {
        if (trace)
            fprintf(stderr, "re-establishment pci %u ncc %d\n", pci, ncc);
        kasme_tracker_rrc_reest_request(tr, new_conn, conn, pci);
        kasme_tracker_rrc_reest(tr, new_conn, ncc);
    }
}

/* FNV-1a, 32 bits (make_seeds.py has the same). */
static uint32_t fnv1a(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kasme_tracker *tr = kasme_tracker_new(db);
    size_t pos = 0;
    uint32_t frame = 0;
    unsigned moves = 0;
    bool moves_allowed = max_moves > 0 && (fnv1a(data, size) & move_mask) == 0;
    while (size - pos >= HEADER && frame < MAX_RECORDS) {
        const uint8_t *hdr = data + pos;
        pos += HEADER;
        size_t len = hdr[3];
        if (len > size - pos)
            len = size - pos;
        const uint8_t *body = data + pos;
        pos += len;
        frame++;
        switch (hdr[0] & 7) {
        case 4:
            nas_record(tr, frame, hdr, body, len);
            break;
        case 5:
            event_record(tr, hdr, body, len);
            break;
        case 6:
        case 7:
            if (moves_allowed && moves < max_moves) {
                moves++;
                move_record(tr, hdr, body, len);
            }
            break;
        default:
            pdcp_record(tr, frame, hdr, body, len);
            break;
        }
    }
    if (trace) {
        kasme_tracker_stats st;
        kasme_tracker_get_stats(tr, &st);
        fprintf(stderr, "ues %u contexts %u aka %u/%u nas smc %u rrc smc %u\n", st.ues,
                st.contexts, st.aka_matched, st.aka_seen, st.smc_verified, st.as_smc_verified);
    }
    kasme_tracker_free(tr);
    return 0;
}
