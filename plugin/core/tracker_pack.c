/* Compact per-PDU results: what a later pass needs to show a NAS PDU or an S1AP SecurityKey
 * exactly as the first pass did. Contexts never change their keys once a PDU used them, so
 * the keys and the plaintext are derived again from the context and the stored COUNT instead
 * of being kept per PDU. Packing checks its own work: a result that would not come back
 * field for field is refused and the caller keeps it whole. */
#include "tracker_int.h"

#include <string.h>

#include "hexutil.h"
#include "kdf.h"
#include "suci.h"

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
    "no 5G AKA or key-file K_AMF for this UE and ngKSI",
    "no recent uplink NAS COUNT gives this K_gNB",
    "the cipher or integrity algorithm refused the PDU",
    "UE not identified (the search among known UEs spent its budget)",
    "no SMC seen; the MAC search for algorithms and COUNT spent its budget",
    "no SMC seen, and no key-file root key verifies the MAC (any EIA/NIA, COUNT < 4096)",
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

#define PACKED_REF(word) ((word) & KASME_PACKED_ID_MAX)
#define PACKED_WHY(word) ((uint8_t)((word) >> 24))
#define PACK_REF_WHY(ref, why) ((ref) | (uint32_t)(why) << 24)
/* A NAS result's reason takes 4 bits (fewer than 16 texts), so that bit 28 can say the COUNT
 * field holds a SUCI's outcome (pack_suci) */
#define NAS_WHY(word) ((uint8_t)(((word) >> 24) & 15))
#define R_SUCI (1u << 28)
G_STATIC_ASSERT(G_N_ELEMENTS(why_texts) <= 16);

static const char *why_text(uint8_t index)
{
    return index < G_N_ELEMENTS(why_texts) ? why_texts[index] : NULL;
}

enum {
    B_SMC_KNOWN = 1u << 24, B_IMSI = 1u << 25, B_CTX = 1u << 26, B_NO_MAC = 1u << 27,
    B_KASME = 1u << 28, B_NAS_KEYS = 1u << 29, B_KENB = 1u << 30, B_MAC_MATCHES = 1u << 31,
    C_INNER = 1u << 31,
};

static kasme_sec_ctx *packed_ctx(kasme_tracker *tr, const kasme_nas_packed *p)
{
    return (p->bits & B_CTX) ? kasme_ctx_by_id(tr, PACKED_REF(p->ref_why)) : NULL;
}

static void unpack_ctx(kasme_sec_ctx *ctx, const kasme_nas_packed *p, kasme_nas_result *res)
{
    if (!ctx)
        return;
    res->has_ctx = true;
    kasme_ctx_info_fill(ctx, &res->ctx);
    res->ctx.eea = (p->bits >> 18) & 7;
    res->ctx.eia = (p->bits >> 21) & 7;
    if (!(p->bits & B_SMC_KNOWN))
        res->ctx.smc_frame = 0;
}

/* derive_kenb false: has_kenb and its COUNT only (the pack check, see kasme_nas_pack). */
static void unpack_keys(kasme_sec_ctx *ctx, const kasme_nas_packed *p, bool derive_kenb,
                        kasme_nas_result *res)
{
    if (!ctx)
        return;
    if (p->bits & B_KASME) {
        res->has_kasme = true;
        memcpy(res->kasme, ctx->root_key, 32);
    }
    if (p->bits & B_NAS_KEYS) {
        res->has_nas_keys = true;
        memcpy(res->k_nas_enc, ctx->k_nas_enc, 16);
        memcpy(res->k_nas_int, ctx->k_nas_int, 16);
    }
    if ((p->bits & B_KENB) &&
        (!derive_kenb ||
         kasme_derive_an_key(ctx->domain, ctx->root_key, res->count, res->kenb) == 0)) {
        res->has_kenb = true;
        res->kenb_ul_count = res->count;
    }
}

/* A SUCI's outcome, in the COUNT field of a result whose COUNT is 0 (a plain Registration
 * Request or Identity Response: every 5G UE of a capture sends one, so keeping these results
 * whole cost about 290 B a UE): scheme (4 bits, TS 24.501 9.11.3.4) | home network key id << 4
 * | status << 12. The SUPI is the UE's IMSI (resolve_suci names the UE by it), or none when
 * the status is not OK; a result where that does not hold is refused by the pack check. */
#define SUCI_BITS(scheme, hnet_id, status) \
    ((uint32_t)(scheme) | (uint32_t)(hnet_id) << 4 | (uint32_t)(status) << 12)

static bool pack_suci(const kasme_nas_result *res, uint32_t *count_field)
{
    if (res->count || res->suci_scheme > 15 || res->suci_status > 7)
        return false;
    *count_field = SUCI_BITS(res->suci_scheme, res->suci_hnet_id, res->suci_status);
    return true;
}

static void unpack_suci(uint32_t count_field, kasme_nas_result *res)
{
    res->has_suci = true;
    res->suci_scheme = count_field & 15;
    res->suci_hnet_id = (count_field >> 4) & 0xFF;
    res->suci_status = (count_field >> 12) & 7;
    if (res->suci_status == KASME_SUCI_OK)
        kasme_imsi_copy(res->supi, res->imsi);
}

static void unpack(kasme_tracker *tr, const kasme_nas_packed *p, const uint8_t *pdu, size_t len,
                   uint8_t *plain_out, bool derive_kenb, kasme_nas_result *res)
{
    memset(res, 0, sizeof *res);
    kasme_sec_ctx *ctx = packed_ctx(tr, p);
    res->count = (p->ref_why & R_SUCI) ? 0 : p->count_bits & 0xFFFFFF;
    res->status = (kasme_pdu_status)((p->count_bits >> 24) & 7);
    res->mac_status = (p->count_bits >> 27) & 3;
    res->dir = (int)((p->count_bits >> 29) & 3) - 1;
    res->plain_is_inner = (p->count_bits & C_INNER) != 0;
    res->events = p->bits & 0x3FFF;
    res->sec_hdr = (p->bits >> 14) & 15;
    res->ue_id = (p->bits & B_CTX) ? (ctx ? ctx->ue_id : 0) : PACKED_REF(p->ref_why);
    kasme_ue *ue = kasme_ue_by_id(tr, res->ue_id);
    if ((p->bits & B_IMSI) && ue)
        kasme_imsi_copy(res->imsi, ue->imsi);
    if (p->ref_why & R_SUCI)
        unpack_suci(p->count_bits & 0xFFFFFF, res);
    res->unverified_why = why_text(NAS_WHY(p->ref_why));
    unpack_ctx(ctx, p, res);
    unpack_keys(ctx, p, derive_kenb && !tr->keys_unshown, res); /* as kasme_derive_kenb */
    /* The received MAC and the inner message come from the PDU itself, parsed as the tracker
     * parsed it; the plaintext is deciphered again as the tracker deciphered it. */
    kasme_nas_outer outer;
    if (kasme_nas_parse_outer(pdu, len, &outer) != 0)
        return;
    if (!(p->bits & B_NO_MAC))
        res->mac_received = res->sec_hdr >= 12 ? outer.sr_short_mac : outer.mac;
    if (p->bits & B_MAC_MATCHES)
        res->mac_calculated = res->mac_received;
    if (res->plain_is_inner)
        res->plain_len = outer.inner_len;
    if (res->plain_len && plain_out)
        kasme_nas_inner_plain(ctx, &outer, res->count, res->dir, plain_out);
}

void kasme_nas_unpack(kasme_tracker *tr, const kasme_nas_packed *p, const uint8_t *pdu,
                      size_t len, uint8_t *plain_out, kasme_nas_result *res)
{
    unpack(tr, p, pdu, len, plain_out, true, res);
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
           a->algs_searched == b->algs_searched &&
           memcmp(a->sn_id, b->sn_id, 3) == 0;
}

/* b is unpacked without deriving K_eNB: the tracker's K_eNB (kasme_derive_kenb) is the KDF of
 * the result's context's root key at the result's COUNT, which is what unpacking derives, so
 * the check compares that COUNT and leaves out a second KDF per K_eNB (about 10 000
 * instructions). */
static bool same_keys(const kasme_nas_result *a, const kasme_nas_result *b)
{
    return a->has_kasme == b->has_kasme && a->has_nas_keys == b->has_nas_keys &&
           a->has_kenb == b->has_kenb &&
           (!a->has_kasme || memcmp(a->kasme, b->kasme, 32) == 0) &&
           (!a->has_nas_keys || (memcmp(a->k_nas_enc, b->k_nas_enc, 16) == 0 &&
                                 memcmp(a->k_nas_int, b->k_nas_int, 16) == 0)) &&
           (!a->has_kenb || a->kenb_ul_count == b->kenb_ul_count);
}

static bool same_suci(const kasme_nas_result *a, const kasme_nas_result *b)
{
    /* the SUPI's first octet before strcmp: it is empty in nearly every result */
    return a->has_suci == b->has_suci && a->suci_scheme == b->suci_scheme &&
           a->suci_hnet_id == b->suci_hnet_id && a->suci_status == b->suci_status &&
           a->supi[0] == b->supi[0] && (!a->supi[0] || strcmp(a->supi, b->supi) == 0);
}

/* Everything but the plaintext bytes, which unpack_plain derives as decipher_inner did. */
static bool same_result(const kasme_nas_result *a, const kasme_nas_result *b)
{
    return a->status == b->status && a->events == b->events && a->ue_id == b->ue_id &&
           a->named_ue_id == b->named_ue_id &&
           strcmp(a->imsi, b->imsi) == 0 && a->sec_hdr == b->sec_hdr && a->dir == b->dir &&
           a->has_ctx == b->has_ctx && (!a->has_ctx || same_ctx_info(&a->ctx, &b->ctx)) &&
           a->count == b->count && a->mac_status == b->mac_status &&
           a->mac_received == b->mac_received && a->mac_calculated == b->mac_calculated &&
           same_text(a->unverified_why, b->unverified_why) &&
           a->plain_is_inner == b->plain_is_inner && a->plain_len == b->plain_len &&
           same_keys(a, b) && same_suci(a, b);
}

static bool encode(const kasme_nas_result *res, kasme_nas_packed *p)
{
    uint8_t why;
    uint32_t count_field = res->count;
    if (res->has_suci && !pack_suci(res, &count_field))
        return false;
    if (res->events > 0x3FFF || res->count > 0xFFFFFF || res->sec_hdr > 15 || res->dir < -1 ||
        res->dir > 1 || res->status > 7 || !why_index(res->unverified_why, &why))
        return false;
    uint32_t ref = res->has_ctx ? res->ctx.ctx_id : res->ue_id;
    if (ref > KASME_PACKED_ID_MAX)
        return false;
    memset(p, 0, sizeof *p);
    p->ref_why = PACK_REF_WHY(ref, why) | (res->has_suci ? R_SUCI : 0);
    p->count_bits = count_field | (uint32_t)res->status << 24 |
                    (uint32_t)(res->mac_status & 3) << 27 | (uint32_t)(res->dir + 1) << 29 |
                    (res->plain_is_inner ? C_INNER : 0);
    p->bits = res->events | (uint32_t)res->sec_hdr << 14 | (uint32_t)(res->ctx.eea & 7) << 18 |
              (uint32_t)(res->ctx.eia & 7) << 21 | (res->ctx.smc_frame ? B_SMC_KNOWN : 0) |
              (res->imsi[0] ? B_IMSI : 0) | (res->has_ctx ? B_CTX : 0) |
              (res->mac_received ? 0 : B_NO_MAC) | (res->has_kasme ? B_KASME : 0) |
              (res->has_nas_keys ? B_NAS_KEYS : 0) | (res->has_kenb ? B_KENB : 0) |
              (res->mac_calculated && res->mac_calculated == res->mac_received ? B_MAC_MATCHES
                                                                                : 0);
    return true;
}

bool kasme_nas_pack(kasme_tracker *tr, const kasme_nas_result *res, const uint8_t *pdu,
                    size_t len, kasme_nas_packed *p)
{
    if (!encode(res, p))
        return false;
    kasme_nas_result again;
    unpack(tr, p, pdu, len, NULL, false, &again);
    bool ok = same_result(res, &again);
    kasme_secure_zero(&again, sizeof again);
    return ok;
}

bool kasme_kenb_pack(const kasme_kenb_result *res, kasme_kenb_packed *p)
{
    uint8_t why;
    memset(p, 0, sizeof *p);
    if (res->nh || !why_index(res->why, &why) || res->verdict > 127 ||
        res->ul_count > 0xFFFFFF || res->ue_id > KASME_PACKED_ID_MAX)
        return false; /* NH results (a few per capture) are kept whole */
    p->ue_why = PACK_REF_WHY(res->ue_id, why);
    p->ctx_id = res->ctx_id;
    p->count_verdict = res->ul_count | (uint32_t)res->verdict << 24 | (uint32_t)res->domain << 31;
    return true;
}

void kasme_kenb_unpack(const kasme_kenb_packed *p, kasme_kenb_result *res)
{
    memset(res, 0, sizeof *res);
    res->verdict = (kasme_kenb_verdict)((p->count_verdict >> 24) & 0x7F);
    res->domain = (kasme_domain)(p->count_verdict >> 31);
    res->ue_id = PACKED_REF(p->ue_why);
    res->ul_count = p->count_verdict & 0xFFFFFF;
    res->ctx_id = p->ctx_id;
    res->why = why_text(PACKED_WHY(p->ue_why));
}
