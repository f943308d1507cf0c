/* Compact results (plugin/core/tracker_pack.c): what a later pass gets back must equal the
 * first pass's result, field for field and byte for byte. Shared by the EPS and 5GS tracker
 * tests, which include this file (each tests/test_unit_*.c is built on its own). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "check.h"
#include "tracker.h"

static unsigned packs_tried, packs_refused;

static bool same_ctx_info(const kasme_ctx_info *a, const kasme_ctx_info *b)
{
    return a->ctx_id == b->ctx_id && a->ksi == b->ksi && a->eea == b->eea && a->eia == b->eia &&
           a->aka_frame == b->aka_frame && a->smc_frame == b->smc_frame && a->sub == b->sub &&
           a->from_keyfile_kasme == b->from_keyfile_kasme &&
           a->algs_searched == b->algs_searched && memcmp(a->sn_id, b->sn_id, 3) == 0;
}

static bool same_why(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_suci(const kasme_nas_result *u, const kasme_nas_result *r)
{
    return u->has_suci == r->has_suci && u->suci_scheme == r->suci_scheme &&
           u->suci_hnet_id == r->suci_hnet_id && u->suci_status == r->suci_status &&
           strcmp(u->supi, r->supi) == 0;
}

static bool same_keys(const kasme_nas_result *u, const kasme_nas_result *r)
{
    return u->has_kasme == r->has_kasme && u->has_nas_keys == r->has_nas_keys &&
           u->has_kenb == r->has_kenb && (!r->has_kasme || memcmp(u->kasme, r->kasme, 32) == 0) &&
           (!r->has_nas_keys || (memcmp(u->k_nas_enc, r->k_nas_enc, 16) == 0 &&
                                 memcmp(u->k_nas_int, r->k_nas_int, 16) == 0)) &&
           (!r->has_kenb ||
            (memcmp(u->kenb, r->kenb, 32) == 0 && u->kenb_ul_count == r->kenb_ul_count));
}

static bool same_result(const kasme_nas_result *u, const kasme_nas_result *r)
{
    return u->status == r->status && u->events == r->events && u->ue_id == r->ue_id &&
           u->named_ue_id == r->named_ue_id && strcmp(u->imsi, r->imsi) == 0 &&
           u->sec_hdr == r->sec_hdr && u->dir == r->dir && u->has_ctx == r->has_ctx &&
           (!r->has_ctx || same_ctx_info(&u->ctx, &r->ctx)) && u->count == r->count &&
           u->mac_status == r->mac_status && u->mac_received == r->mac_received &&
           u->mac_calculated == r->mac_calculated &&
           same_why(u->unverified_why, r->unverified_why) && u->plain_len == r->plain_len &&
           u->plain_is_inner == r->plain_is_inner && same_keys(u, r) && same_suci(u, r);
}

/* Packs r, unpacks it with the PDU and compares every field and the plaintext bytes.
 * must_pack: a result of an ordinary exchange, which has to fit the compact form. */
static void check_round_trip(kasme_tracker *tr, const uint8_t *pdu, size_t len,
                             const kasme_nas_result *r, const uint8_t *plain, bool must_pack,
                             uint32_t frame)
{
    kasme_nas_packed p;
    packs_tried++;
    /* A failed MAC's calculated value is not in the compact form: the result is kept whole. */
    bool failed_mac = r->mac_calculated && r->mac_calculated != r->mac_received;
    /* the few PDUs that found a context by MAC, or whose KSI differs, and EAP-AKA''s AT_MAC
     * verdicts say so in events beyond the compact 14 bits; a SUCI's outcome packs only in a
     * result of COUNT 0 (plain) */
    bool rare = (r->events & (KASME_EV_FOUND_BY_MAC | KASME_EV_ALGS_SEARCHED |
                              KASME_EV_KSI_DIFFERS | KASME_EV_EAP_MAC_OK | KASME_EV_EAP_MAC_BAD)) ||
                (r->has_suci && r->count);
    if (!kasme_nas_pack(tr, r, pdu, len, &p)) {
        packs_refused++;
        check(!must_pack || failed_mac || rare,
              "frame %u: an ordinary result (status %d, events 0x%x, SUCI %d) was refused by "
              "kasme_nas_pack", frame, r->status, r->events, r->has_suci);
        return;
    }
    check(!failed_mac, "frame %u: a failed MAC (calculated %08x) was packed", frame,
          r->mac_calculated);
    uint8_t *again_plain = g_malloc0(len ? len : 1);
    kasme_nas_result u;
    kasme_nas_unpack(tr, &p, pdu, len, again_plain, &u);
    check(same_result(&u, r) && memcmp(again_plain, plain, r->plain_len) == 0,
          "frame %u: the unpacked result differs from the first pass's", frame);
    g_free(again_plain);
}
