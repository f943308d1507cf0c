/* Compact per-PDU results: what a later pass needs to show a NAS PDU or an S1AP SecurityKey
 * exactly as the first pass did. Contexts never change their keys once a PDU used them, so
 * the keys and the plaintext are derived again from the context and the stored COUNT instead
 * of being kept per PDU. Packing checks its own work: a result that would not come back
 * field for field is refused and the caller keeps it whole. */
#include "tracker_int.h"

#include <string.h>

#include "hexutil.h"
#include "kdf.h"

/* Texts the tracker gives for an unverified MAC or a K_eNB verdict; index 0 is "none". */
static const char *const why_texts[] = {
    NULL,
    "EIA0: no integrity protection",
    "no AKA or key-file K_ASME for this UE and KSI",
    "UE not identified (no S1AP/RRC context, unknown GUTI)",
    "no NAS Security Mode Command seen for this UE",
    "no security context with this KSI",
    "UE not identified (unknown S-TMSI)",
    "no active NAS security context for this UE",
    "no recent uplink NAS COUNT gives this K_eNB",
};

static bool same_text(const char *a, const char *b);

static bool why_index(const char *why, uint8_t *index)
{
    for (size_t i = 0; i < G_N_ELEMENTS(why_texts); i++) {
        if (same_text(why, why_texts[i])) {
            *index = (uint8_t)i;
            return true;
        }
    }
    return false;
}

static const char *why_text(uint8_t index)
{
    return index < G_N_ELEMENTS(why_texts) ? why_texts[index] : NULL;
}

static kasme_sec_ctx *ctx_by_id(kasme_tracker *tr, uint32_t id)
{
    return id && id <= tr->contexts->len ? g_ptr_array_index(tr->contexts, id - 1) : NULL;
}

static kasme_ue *ue_by_id(kasme_tracker *tr, uint32_t id)
{
    return id && id <= tr->ues->len ? g_ptr_array_index(tr->ues, id - 1) : NULL;
}

/* The MAC field as the PDU carries it (TS 24.301 9.1: octets 2-5; Service Request: the short
 * MAC in octets 3-4). */
static uint32_t received_mac(const uint8_t *pdu, size_t len, uint8_t sec_hdr)
{
    if (sec_hdr >= 12)
        return len >= 4 ? (uint32_t)pdu[2] << 8 | pdu[3] : 0;
    if (sec_hdr == 0 || len < 5)
        return 0;
    return (uint32_t)pdu[1] << 24 | (uint32_t)pdu[2] << 16 | (uint32_t)pdu[3] << 8 | pdu[4];
}

static void unpack_ctx(kasme_tracker *tr, const kasme_nas_packed *p, kasme_nas_result *res)
{
    kasme_sec_ctx *ctx = ctx_by_id(tr, p->ctx_id);
    if (!(p->flags & 0x40) || !ctx)
        return;
    res->has_ctx = true;
    kasme_ctx_info_fill(ctx, &res->ctx);
    res->ctx.eea = p->ctx_alg & 7;
    res->ctx.eia = (p->ctx_alg >> 3) & 7;
    if (!(p->ctx_alg & 0x40))
        res->ctx.smc_frame = 0;
}

static void unpack_keys(kasme_tracker *tr, const kasme_nas_packed *p, kasme_nas_result *res)
{
    kasme_sec_ctx *ctx = ctx_by_id(tr, p->ctx_id);
    if (!ctx)
        return;
    if (p->keys_why & 1) {
        res->has_kasme = true;
        memcpy(res->kasme, ctx->kasme, 32);
    }
    if (p->keys_why & 2) {
        res->has_nas_keys = true;
        memcpy(res->k_nas_enc, ctx->k_nas_enc, 16);
        memcpy(res->k_nas_int, ctx->k_nas_int, 16);
    }
    if ((p->keys_why & 4) && kdf_kenb(ctx->kasme, res->count, res->kenb) == 0) {
        res->has_kenb = true;
        res->kenb_ul_count = res->count;
    }
}

/* The inner message again: copied from the PDU and, for types 2 and 4, deciphered with the
 * context's K_NASenc at the stored COUNT (TS 33.401 8.2, BEARER 0). */
static void unpack_plain(kasme_tracker *tr, const kasme_nas_packed *p, const uint8_t *pdu,
                         size_t len, uint8_t *plain_out, kasme_nas_result *res)
{
    if (!p->plain_len || !(p->flags & 0x10) || len < 6 || len - 6 < p->plain_len)
        return;
    memcpy(plain_out, pdu + 6, p->plain_len);
    res->plain_len = p->plain_len;
    uint8_t sec_hdr = p->status_hdr >> 3;
    kasme_sec_ctx *ctx = ctx_by_id(tr, p->ctx_id);
    kasme_sched *sched = ctx ? kasme_ctx_sched(ctx) : NULL;
    if ((sec_hdr == 2 || sec_hdr == 4) && sched && res->dir >= 0)
        kasme_cipher_apply(&sched->enc, res->count, 0, (unsigned)res->dir, plain_out,
                           p->plain_len, (size_t)p->plain_len * 8);
}

void kasme_nas_unpack(kasme_tracker *tr, const kasme_nas_packed *p, const uint8_t *pdu,
                      size_t len, uint8_t *plain_out, kasme_nas_result *res)
{
    memset(res, 0, sizeof *res);
    res->status = (kasme_pdu_status)(p->status_hdr & 7);
    res->sec_hdr = p->status_hdr >> 3;
    res->events = p->events;
    res->ue_id = p->ue_id;
    kasme_ue *ue = ue_by_id(tr, p->ue_id);
    if ((p->flags & 0x20) && ue)
        g_strlcpy(res->imsi, ue->imsi, sizeof res->imsi);
    res->dir = (int)(p->flags & 3) - 1;
    res->mac_status = (p->flags >> 2) & 3;
    res->count = p->count;
    res->mac_calculated = p->mac_calculated;
    res->mac_received = (p->flags & 0x80) ? 0 : received_mac(pdu, len, res->sec_hdr);
    res->unverified_why = why_text(p->keys_why >> 3);
    res->plain_is_inner = (p->flags & 0x10) != 0;
    unpack_ctx(tr, p, res);
    unpack_keys(tr, p, res);
    if (plain_out)
        unpack_plain(tr, p, pdu, len, plain_out, res);
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_ctx_info(const kasme_ctx_info *a, const kasme_ctx_info *b)
{
    return a->ctx_id == b->ctx_id && a->ksi == b->ksi && a->eea == b->eea && a->eia == b->eia &&
           a->aka_frame == b->aka_frame && a->smc_frame == b->smc_frame && a->sub == b->sub &&
           a->from_keyfile_kasme == b->from_keyfile_kasme &&
           memcmp(a->sn_id, b->sn_id, 3) == 0;
}

static bool same_keys(const kasme_nas_result *a, const kasme_nas_result *b)
{
    return a->has_kasme == b->has_kasme && a->has_nas_keys == b->has_nas_keys &&
           a->has_kenb == b->has_kenb &&
           (!a->has_kasme || memcmp(a->kasme, b->kasme, 32) == 0) &&
           (!a->has_nas_keys || (memcmp(a->k_nas_enc, b->k_nas_enc, 16) == 0 &&
                                 memcmp(a->k_nas_int, b->k_nas_int, 16) == 0)) &&
           (!a->has_kenb || (memcmp(a->kenb, b->kenb, 32) == 0 &&
                             a->kenb_ul_count == b->kenb_ul_count));
}

/* Everything but the plaintext bytes, which unpack_plain derives as decipher_inner did. */
static bool same_result(const kasme_nas_result *a, const kasme_nas_result *b)
{
    return a->status == b->status && a->events == b->events && a->ue_id == b->ue_id &&
           strcmp(a->imsi, b->imsi) == 0 && a->sec_hdr == b->sec_hdr && a->dir == b->dir &&
           a->has_ctx == b->has_ctx && (!a->has_ctx || same_ctx_info(&a->ctx, &b->ctx)) &&
           a->count == b->count && a->mac_status == b->mac_status &&
           a->mac_received == b->mac_received && a->mac_calculated == b->mac_calculated &&
           same_text(a->unverified_why, b->unverified_why) &&
           a->plain_is_inner == b->plain_is_inner && same_keys(a, b);
}

static bool encode(const kasme_nas_result *res, kasme_nas_packed *p)
{
    uint8_t why;
    if (res->events > 0xFFFF || res->plain_len > 0xFFFF || res->sec_hdr > 15 ||
        res->dir < -1 || res->dir > 1 || (res->plain_len && !res->plain_is_inner) ||
        !why_index(res->unverified_why, &why))
        return false;
    memset(p, 0, sizeof *p);
    p->ue_id = res->ue_id;
    p->ctx_id = res->has_ctx ? res->ctx.ctx_id : 0;
    p->count = res->count;
    p->mac_calculated = res->mac_calculated;
    p->events = (uint16_t)res->events;
    p->plain_len = (uint16_t)res->plain_len;
    p->status_hdr = (uint8_t)((res->status & 7) | res->sec_hdr << 3);
    p->flags = (uint8_t)((res->dir + 1) | (res->mac_status & 3) << 2 | res->plain_is_inner << 4 |
                         (res->imsi[0] != 0) << 5 | res->has_ctx << 6 |
                         (res->mac_received == 0) << 7);
    p->ctx_alg = (uint8_t)((res->ctx.eea & 7) | (res->ctx.eia & 7) << 3 |
                           (res->ctx.smc_frame != 0) << 6);
    p->keys_why = (uint8_t)(res->has_kasme | res->has_nas_keys << 1 | res->has_kenb << 2 |
                            why << 3);
    return true;
}

bool kasme_nas_pack(kasme_tracker *tr, const kasme_nas_result *res, const uint8_t *pdu,
                    size_t len, kasme_nas_packed *p)
{
    if (!encode(res, p))
        return false;
    if (res->plain_len && (len < 6 || len - 6 < res->plain_len))
        return false; /* unpack_plain copies the inner message from octet 7 on */
    kasme_nas_result again;
    kasme_nas_unpack(tr, p, pdu, len, NULL, &again);
    bool ok = same_result(res, &again);
    kasme_secure_zero(&again, sizeof again);
    return ok;
}

bool kasme_kenb_pack(const kasme_kenb_result *res, kasme_kenb_packed *p)
{
    memset(p, 0, sizeof *p);
    if (!why_index(res->why, &p->why) || res->verdict > 255)
        return false;
    p->ue_id = res->ue_id;
    p->ul_count = res->ul_count;
    p->ctx_id = res->ctx_id;
    p->verdict = (uint8_t)res->verdict;
    return true;
}

void kasme_kenb_unpack(const kasme_kenb_packed *p, kasme_kenb_result *res)
{
    memset(res, 0, sizeof *res);
    res->verdict = (kasme_kenb_verdict)p->verdict;
    res->ue_id = p->ue_id;
    res->ul_count = p->ul_count;
    res->ctx_id = p->ctx_id;
    res->why = why_text(p->why);
}
