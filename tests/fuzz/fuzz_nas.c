/* libFuzzer harness: the NAS side of the per-UE security tracker (plugin/core/tracker.c,
 * tracker_nas.c, tracker_aka.c, nas_msg.c) with a key file that can verify real captures.
 *
 * Key file (made once): the srsRAN test subscriber (K/OPc, every bundled capture but s05 was
 * made with it) and a K_ASME `any` line (s01's K_ASME). Per input: a fresh tracker, then the
 * input as a sequence of records, each fed in order:
 *
 *   byte 0  flags
 *           bits 0-1  direction: 0 UL, 1 DL, 2-3 unknown (the MAC decides)
 *           bits 2-3  carrier: 0 S1AP (eNB-UE-S1AP-ID + MME-UE-S1AP-ID, TAI 001/01),
 *                     1 MAC-LTE RNTI, 2 single-UE stream, 3 none (conn 0: the UE is guessed)
 *           bit  4    which UE-associated id of that carrier (1 or 2): two connections
 *           bit  5    has_m_tmsi: 4 octets of M-TMSI follow this byte (big-endian)
 *           bits 6-7  0, 1: a NAS PDU; 2: S1AP SecurityKey (K_eNB, the data zero-padded to
 *                     32 octets); 3: connection release (UE Context Release)
 *   [4 octets M-TMSI if bit 5]
 *   byte    length L
 *   L octets (fewer if the input ends first)
 *
 * The PDU is copied to a buffer of exactly L octets and plain_out is exactly L octets, so ASan
 * sees any read or write outside them. tests/fuzz/make_seeds.py writes the bundled captures'
 * NAS PDUs in this format (AKA -> SMC -> protected PDUs, per UE instance). Every result that
 * packs (tracker_pack.c) must unpack to itself, plaintext included; the tracker may keep a
 * context per matched AKA and one per NAS SMC, no more. FUZZ_TRACE=1 prints
 * one line per record; records after the 96th are ignored. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz_nas"
#include "fuzz_common.h"
#include "gcrypt_init.h"
#include "keyfile.h"
#include "subdb.h"
#include "tracker.h"

#define MAX_RECORDS 96


static const char keyfile_text[] =
    "imsi=001010123456780 k=00112233445566778899aabbccddeeff "
    "opc=63bfa50ee6523365ff14c1f45f88737d amf=8000 name=srsue\n"
    "kasme=9274fa19278ce27857402ff4dae9be902dde73b8906431572337ac63504a956e any name=s01\n"
    /* the 5G lab's subscriber (captures/5g-*), its K_AMF of 5g-s01, and a home network key */
    "imsi=999700000000001 k=e65eef3bc67706d3bb66ef53caa96007 "
    "opc=940e7dcb739d0da8d8b7e74cd3892cdd amf=8000 name=lab5g\n"
    "kamf=f6cdc60dacf35bdcffb8a29b0ef806183d4e834cabeba24bc5b205a03b6dc721 any name=5g-s01\n"
    "hnet id=1 scheme=A key=10c9c67e861a5625a1db8f684123896d9b3506199d3df1968e07b6c8448bb147\n";

static kasme_subdb *db;
static bool trace; /* FUZZ_TRACE=1: one line per record on stderr, to check seeds by hand */
static const uint8_t serving_plmn[1][3] = {{0x00, 0xf1, 0x10}}; /* MCC 001, MNC 01 */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    db = fuzz_load_keys(keyfile_text, 5);
    trace = getenv("FUZZ_TRACE") != NULL;
    return 0;
}

static void fill_conn(kasme_pdu_meta *meta, unsigned carrier, unsigned which)
{
    uint32_t id = which + 1;
    switch (carrier) {
    case 0:
        meta->conn = kasme_conn_key(KASME_CONN_S1AP_ENB, 1, id);
        meta->conn_alt = kasme_conn_key(KASME_CONN_S1AP_MME, 1, id);
        meta->plmns = serving_plmn;
        meta->n_plmns = 1;
        break;
    case 1:
        meta->conn = kasme_conn_key(KASME_CONN_RNTI, 0, 69 + id);
        break;
    case 2:
        meta->conn = kasme_conn_key(KASME_CONN_STREAM, 0, id - 1);
        break;
    default:
        meta->conn = 0;
        break;
    }
}

static void check_nas_result(const kasme_nas_result *res, size_t len)
{
    CHECK(res->status <= KASME_PDU_CIPHER_REFUSED);
    CHECK(res->plain_len <= len);
    CHECK(res->mac_status >= KASME_MAC_BAD && res->mac_status <= KASME_MAC_NOT_PRESENT);
    CHECK(memchr(res->imsi, '\0', sizeof res->imsi) != NULL);
    if (res->unverified_why)
        CHECK(strlen(res->unverified_why) < 256);
}

/* A later pass's view of the result (tracker_pack.c): when the result packs, unpacking must
 * give it back, plaintext included (the plaintext is derived again from the context). */
static void check_round_trip(kasme_tracker *tr, const kasme_nas_result *res, const uint8_t *pdu,
                             size_t len, const uint8_t *plain)
{
    kasme_nas_packed p;
    if (!kasme_nas_pack(tr, res, pdu, len, &p))
        return;
    uint8_t *again = malloc(len ? len : 1);
    CHECK(again);
    kasme_nas_result u;
    kasme_nas_unpack(tr, &p, pdu, len, again, &u);
    CHECK(u.status == res->status && u.events == res->events && u.ue_id == res->ue_id);
    CHECK(strcmp(u.imsi, res->imsi) == 0 && u.sec_hdr == res->sec_hdr && u.dir == res->dir);
    CHECK(u.count == res->count && u.mac_status == res->mac_status);
    CHECK(u.mac_received == res->mac_received && u.mac_calculated == res->mac_calculated);
    CHECK(u.plain_len == res->plain_len && u.plain_is_inner == res->plain_is_inner);
    CHECK(u.has_ctx == res->has_ctx && u.has_kasme == res->has_kasme && u.has_kenb == res->has_kenb);
    CHECK(!res->has_ctx || (u.ctx.ctx_id == res->ctx.ctx_id && u.ctx.eea == res->ctx.eea &&
                            u.ctx.eia == res->ctx.eia && u.ctx.smc_frame == res->ctx.smc_frame));
    CHECK(!res->has_kenb || memcmp(u.kenb, res->kenb, 32) == 0);
    CHECK(res->plain_len == 0 || memcmp(again, plain, res->plain_len) == 0);
    free(again);
}

/* A NAS SMC (security header type 3, EMM): each may keep one context of those it tries. */
/* Security header type 3 (an SMC's): EPS in octet 1 (TS 24.301 9.3.1), 5GS in octet 2 after
 * the EPD (TS 24.501 9.3). */
static bool is_smc_pdu(const uint8_t *pdu, size_t len)
{
    return (len > 0 && pdu[0] == 0x37) || (len > 1 && pdu[0] == 0x7E && (pdu[1] & 0x0F) == 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kasme_tracker *tr = kasme_tracker_new(db);
    size_t pos = 0;
    uint32_t frame = 0;
    unsigned smc_pdus = 0;
    while (pos < size && frame < MAX_RECORDS) {
        uint8_t flags = data[pos++];
        kasme_pdu_meta meta;
        memset(&meta, 0, sizeof meta);
        meta.frame = ++frame;
        unsigned d = flags & 3;
        meta.dir = d == 0 ? KASME_DIR_UL : d == 1 ? KASME_DIR_DL : KASME_DIR_UNKNOWN;
        fill_conn(&meta, (flags >> 2) & 3, (flags >> 4) & 1);
        if (flags & 0x20) {
            if (size - pos < 4)
                break;
            meta.has_m_tmsi = true;
            meta.m_tmsi = (uint32_t)data[pos] << 24 | (uint32_t)data[pos + 1] << 16 |
                          (uint32_t)data[pos + 2] << 8 | data[pos + 3];
            pos += 4;
        }
        if (pos >= size)
            break;
        size_t len = data[pos++];
        if (len > size - pos)
            len = size - pos;
        const uint8_t *body = data + pos;
        pos += len;

        unsigned op = flags >> 6;
        if (op == 2) {
            uint8_t kenb[32] = {0};
            memcpy(kenb, body, len < 32 ? len : 32);
            kasme_kenb_result kr;
            kasme_tracker_an_key(tr, KASME_DOMAIN_EPS, &meta, kenb, &kr);
            CHECK(kr.verdict <= KASME_KENB_MISMATCH);
            kasme_kenb_packed kp;
            kasme_kenb_result ku;
            CHECK(kasme_kenb_pack(&kr, &kp));
            kasme_kenb_unpack(&kp, &ku);
            CHECK(ku.verdict == kr.verdict && ku.ue_id == kr.ue_id && ku.ul_count == kr.ul_count);
            if (trace)
                fprintf(stderr, "#%u s1ap K_eNB: verdict %d\n", frame, (int)kr.verdict);
            continue;
        }
        if (op == 3) {
            kasme_tracker_conn_release(tr, meta.conn);
            kasme_tracker_conn_release(tr, meta.conn_alt);
            continue;
        }
        /* Exactly-sized copies: ASan catches any access outside pdu[0..len) and
         * plain_out[0..len) (ASan's malloc(0) gives a chunk where every access is caught). */
        uint8_t *pdu = malloc(len);
        uint8_t *plain = malloc(len);
        CHECK(len == 0 || (pdu && plain));
        if (len)
            memcpy(pdu, body, len);
        kasme_nas_result res;
        smc_pdus += is_smc_pdu(pdu, len);
        kasme_tracker_nas(tr, &meta, pdu, len, plain, &res);
        check_nas_result(&res, len);
        check_round_trip(tr, &res, pdu, len, plain);
        if (trace)
            fprintf(stderr, "#%u nas len %zu: status %d events 0x%x ue %u mac %d count %u\n",
                    frame, len, (int)res.status, res.events, res.ue_id, res.mac_status,
                    res.count);
        free(pdu);
        free(plain);
    }
    kasme_tracker_stats st;
    kasme_tracker_get_stats(tr, &st);
    CHECK(st.aka_matched <= st.aka_seen);
    /* work budgets: a context per matched AKA and at most one per SMC; the UE search bounded */
    CHECK(st.contexts <= st.aka_matched + smc_pdus);
    CHECK(st.guess_tries <= KASME_GUESS_BUDGET);
    if (trace)
        fprintf(stderr, "ues %u contexts %u aka %u/%u nas smc %u/%u\n", st.ues, st.contexts,
                st.aka_matched, st.aka_seen, st.smc_verified, smc_pdus);
    kasme_tracker_free(tr);
    return 0;
}
