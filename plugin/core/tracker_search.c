/* Security contexts found by MAC rather than by the capture's own procedures:
 * - a capture that starts after the NAS Security Mode Command (no AKA, no SMC in the file):
 *   the root key comes from a kasme= or kamf= key-file line, the integrity algorithm and the
 *   NAS COUNT (TS 24.301 / TS 24.501 4.4.3.1: overflow || SQN, the overflow unknown) from the
 *   first MAC that verifies, the ciphering algorithm from the ciphered PDUs whose plaintext is
 *   a valid NAS message under one EEA/NEA only;
 * - an initial NAS message whose GUTI or S-TMSI names a UE whose context does not verify it
 *   (an identity reused, or never assigned to this UE): the capture's other stored contexts
 *   with its KSI, most recent first. */
#include "tracker_int.h"

#include <string.h>

#include "count_est.h"
#include "hexutil.h"

/* EEA0..3 (NEA0..3): the ciphering algorithms a context found by MAC search may use. */
#define EEA_ALL 0x0Fu

static bool search_budget_take(kasme_tracker *tr)
{
    if (tr->stats.search_macs >= KASME_SEARCH_BUDGET)
        return false;
    tr->stats.search_macs++;
    return true;
}

static size_t directions(int dir_hint, int dirs[2])
{
    if (dir_hint != KASME_DIR_UNKNOWN) {
        dirs[0] = dir_hint;
        return 1;
    }
    dirs[0] = KASME_DIR_UL;
    dirs[1] = KASME_DIR_DL;
    return 2;
}

/* One root key under every available EIA (NIA): true with the context active at the EIA
 * whose MAC verifies, res holding COUNT and direction. */
static bool search_root(kasme_tracker *tr, kasme_sec_ctx *ctx, const kasme_nas_outer *outer,
                        int dir_hint, kasme_nas_result *res, bool *spent)
{
    static const kasme_count_rule nas_sqn = {8, 24, false};
    uint32_t counts[KASME_SEARCH_OVERFLOWS];
    size_t n = kasme_count_window(&nas_sqn, outer->seq, KASME_SEARCH_OVERFLOWS, counts,
                                  KASME_SEARCH_OVERFLOWS);
    int dirs[2];
    size_t n_dirs = directions(dir_hint, dirs);
    for (uint8_t eia = 1; eia <= 3; eia++) {
        if (!kasme_alg_available(eia) || kasme_ctx_set_algs(ctx, 0, eia) != 0)
            continue;
        for (size_t d = 0; d < n_dirs; d++) {
            for (size_t i = 0; i < n; i++) {
                uint32_t mac;
                if (!search_budget_take(tr)) {
                    *spent = true;
                    return false;
                }
                if (kasme_nas_mac(ctx, counts[i], dirs[d], outer->mac_input,
                                  outer->mac_input_len, &mac) &&
                    mac == outer->mac) {
                    res->count = counts[i];
                    res->dir = dirs[d];
                    res->mac_received = outer->mac;
                    res->mac_calculated = mac;
                    return true;
                }
            }
        }
    }
    return false;
}

/* The EEAs (NEAs) this build has, as a mask. */
static uint8_t available_eeas(void)
{
    uint8_t mask = 0;
    for (uint8_t eea = 0; eea <= 3; eea++)
        if (kasme_alg_available(eea))
            mask |= (uint8_t)(1u << eea);
    return mask;
}

kasme_sec_ctx *kasme_search_algs(kasme_tracker *tr, kasme_ue **ue, const kasme_pdu_meta *meta,
                                 const kasme_nas_outer *outer, int dir_hint,
                                 kasme_nas_result *res, bool *spent)
{
    kasme_domain domain = outer->domain;
    kasme_ue nobody; /* no identity: only the carrier's S-TMSI and `any` lines apply */
    memset(&nobody, 0, sizeof nobody);
    kasme_sec_ctx *cands[KASME_SEARCH_ROOTS];
    size_t n = kasme_keyfile_root_candidates(tr, *ue ? *ue : &nobody, meta, domain, -1, cands, 0,
                                             KASME_SEARCH_ROOTS);
    kasme_sec_ctx *found = NULL;
    for (size_t i = 0; i < n; i++) {
        kasme_sec_ctx *ctx = cands[i];
        ctx->domain = (uint8_t)domain;
        ctx->nas_bearer = (uint8_t)kasme_nas_bearer(domain, meta);
        memcpy(ctx->root_key, ctx->cands->root[0], 32);
        kasme_nas_result probe = *res;
        if (!found && !*spent && search_root(tr, ctx, outer, dir_hint, &probe, spent)) {
            found = ctx;
            *res = probe;
            continue;
        }
        kasme_ctx_recycle(tr, ctx);
    }
    if (!found)
        return NULL;
    if (!*ue)
        *ue = kasme_ue_new(tr);
    kasme_ctx_drop_cands(found);
    found->ue_id = (*ue)->id;
    found->algs_searched = true;
    found->eea_open = available_eeas();
    kasme_ue_set_current(*ue, domain, found);
    res->events |= KASME_EV_ALGS_SEARCHED;
    return found;
}

/* A plaintext that reads as a NAS message of the context's domain, of a type the direction
 * may send (TS 24.301 8, 9.8; TS 24.501 8, 9.7), whose IEs parse. */
static bool plain_is_nas(const uint8_t *plain, size_t len, int dir, kasme_domain domain)
{
    kasme_nas_msg msg;
    if (kasme_nas_parse_plain(plain, len, dir == KASME_DIR_UL, &msg) != 0 ||
        (len && kasme_nas_epd_is_5gs(plain[0])) != (domain == KASME_DOMAIN_5GS))
        return false;
    if (!kasme_nas_msg_name(msg.pd, msg.msg_type))
        return false;
    int allowed = kasme_nas_msg_direction(msg.pd, msg.msg_type);
    return allowed < 0 || allowed == (dir == KASME_DIR_UL);
}

static uint8_t lowest_bit(uint8_t mask)
{
    for (uint8_t b = 0; b < 8; b++)
        if (mask & (1u << b))
            return b;
    return 0;
}

bool kasme_search_eea(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, uint32_t count,
                      int dir, uint8_t *plain_out)
{
    uint8_t eia = ctx->eia, valid = 0;
    for (uint8_t eea = 0; eea <= 3; eea++) {
        if (!(ctx->eea_open & (1u << eea)) || kasme_ctx_set_algs(ctx, eea, eia) != 0)
            continue;
        if (kasme_nas_inner_plain(ctx, outer, count, dir, plain_out) &&
            plain_is_nas(plain_out, outer->inner_len, dir, (kasme_domain)ctx->domain))
            valid |= (uint8_t)(1u << eea);
    }
    /* a PDU that reads as NAS under no open EEA rules nothing out */
    if (valid)
        ctx->eea_open = valid;
    bool settled = valid && (valid & (valid - 1)) == 0;
    kasme_ctx_set_algs(ctx, lowest_bit(ctx->eea_open), eia);
    if (!settled)
        return false;
    ctx->eea_open = 0;
    return kasme_nas_inner_plain(ctx, outer, count, dir, plain_out);
}

bool kasme_names_its_context(const kasme_nas_outer *outer, int dir_hint, int *ksi)
{
    kasme_nas_msg msg;
    if (outer->sec_hdr != 1 || dir_hint == KASME_DIR_DL ||
        kasme_nas_parse_plain(outer->inner, outer->inner_len, 1, &msg) != 0)
        return false;
    /* Detach request (EMM 0x45), Deregistration request UE originating (5GMM 0x45) */
    bool detach = msg.msg_type == 0x45 &&
                  (msg.pd == KASME_NAS_PD_EMM || msg.pd == KASME_NAS_EPD_5GMM);
    if (msg.kind != KASME_NAS_K_INITIAL && !detach)
        return false;
    *ksi = msg.ksi == 7 ? -1 : msg.ksi; /* 7: "no key is available" */
    return *ksi >= 0;
}

kasme_sec_ctx *kasme_ctx_by_mac(kasme_tracker *tr, const kasme_sec_ctx *tried,
                                kasme_domain domain, int ksi, uint32_t max_tries,
                                kasme_ctx_check check, const void *arg, kasme_nas_result *res)
{
    uint32_t tries = 0, n = tr->contexts.count;
    uint32_t lowest = n > KASME_GUESS_LIMIT ? n - KASME_GUESS_LIMIT : 0;
    for (uint32_t id = n; id > lowest && tries < max_tries; id--) {
        kasme_sec_ctx *ctx = kasme_ctx_by_id(tr, id);
        if (ctx == tried || !ctx->active || ctx->eia == 0 || ctx->domain != domain ||
            (ksi >= 0 && ctx->ksi >= 0 && ctx->ksi != ksi))
            continue;
        if (tr->stats.guess_tries >= KASME_GUESS_BUDGET)
            return NULL;
        tr->stats.guess_tries++;
        tries++;
        kasme_nas_result probe = *res;
        if (check(ctx, arg, &probe)) {
            *res = probe;
            return ctx;
        }
    }
    return NULL;
}

bool kasme_an_key_before_capture(const kasme_sec_ctx *ctx, const uint8_t key[32],
                                 uint32_t *ul_count)
{
    if (!ctx->algs_searched)
        return false;
    uint32_t lowest = 16;
    size_t n = ctx->ul_hist_n < KASME_UL_HISTORY ? ctx->ul_hist_n : KASME_UL_HISTORY;
    for (size_t i = 0; i < n; i++)
        if (ctx->ul_hist[i] < lowest)
            lowest = ctx->ul_hist[i];
    for (uint32_t count = lowest; count-- > 0 && lowest - count <= 16;) {
        uint8_t derived[32];
        bool same = kasme_derive_an_key((kasme_domain)ctx->domain, ctx->root_key, count,
                                        derived) == 0 &&
                    memcmp(derived, key, 32) == 0;
        kasme_secure_zero(derived, sizeof derived);
        if (same) {
            *ul_count = count;
            return true;
        }
    }
    return false;
}

/* --- RRC: a capture that starts after the RRC Security Mode Command --- */


/* One SRB PDU (TS 36.323 5.6, 5.7: the MAC-I covers header || plaintext; data and MAC-I are
 * ciphered) and the COUNTs its SN may stand for. */
typedef struct {
    const kasme_pdcp_meta *meta;
    const uint8_t *pdu;
    size_t len;
    unsigned bearer;
    uint8_t *work;
    uint32_t counts[KASME_SEARCH_HFNS];
    size_t n_counts;
} srb_probe;

/* trial's K_RRCenc/K_RRCint at every COUNT of the window: true (and *count) when the MAC-I
 * verifies. */
static bool srb_window(kasme_tracker *tr, const kasme_as_ctx *trial, const srb_probe *p,
                       uint32_t *count, bool *spent)
{
    if (tr->stats.search_macs + p->n_counts > KASME_SEARCH_BUDGET) {
        *spent = true;
        return false;
    }
    tr->stats.search_macs += (unsigned)p->n_counts;
    return kasme_srb_mac_i_check(trial, p->pdu, p->len, p->counts, p->n_counts, p->bearer,
                                 p->meta->dir, p->work, count);
}

/* The AS keys of a key-file line for the algorithms: derived from its K_eNB (TS 33.401 A.7),
 * or its K_RRCenc/K_RRCint/K_UPenc as they are. */
static bool line_keys(const kasme_subscriber *line, uint8_t eea, uint8_t eia, kasme_as_ctx *trial)
{
    memset(trial, 0, sizeof *trial);
    if (line->has_kenb)
        return kasme_as_derive(trial, line->kenb, eea, eia) == 0;
    trial->eea = eea;
    trial->eia = eia;
    memcpy(trial->krrc_enc, line->krrcenc, 16);
    memcpy(trial->krrc_int, line->krrcint, 16);
    memcpy(trial->kup_enc, line->kupenc, 16);
    return line->has_krrcint;
}

/* One key-file line under every EEA/EIA pair this build has (EIA0 cannot verify). */
static bool search_line(kasme_tracker *tr, const kasme_subscriber *line, const srb_probe *p,
                        kasme_as_ctx *found, uint32_t *count, bool *spent)
{
    for (uint8_t eia = 1; eia <= 3 && !*spent; eia++) {
        for (uint8_t eea = 0; eea <= 3 && !*spent; eea++) {
            if (!kasme_alg_available(eea) || !kasme_alg_available(eia) ||
                !line_keys(line, eea, eia, found))
                continue;
            if (srb_window(tr, found, p, count, spent))
                return true;
        }
    }
    kasme_secure_zero(found, sizeof *found);
    return false;
}

/* The K_eNB lines that may be this connection's: by its C-RNTI, the UE's IMSI, any. */
static size_t kenb_lines(const kasme_tracker *tr, const kasme_ue *ue, uint16_t rnti,
                         const kasme_subscriber **out, size_t max)
{
    const kasme_subscriber *firsts[3] = {
        kasme_subdb_kenb_by_rnti(tr->db, rnti),
        ue && ue->imsi[0] ? kasme_subdb_kenb_by_imsi(tr->db, ue->imsi) : NULL,
        kasme_subdb_kenb_any(tr->db),
    };
    size_t n = 0;
    for (size_t f = 0; f < 3; f++)
        for (const kasme_subscriber *e = firsts[f]; e && n < max;
             e = kasme_subdb_next_match(tr->db, e))
            out[n++] = e;
    return n;
}

bool kasme_as_search(kasme_tracker *tr, kasme_as_ctx *as, const kasme_ue *ue,
                     const kasme_pdcp_meta *meta, const uint8_t *pdu, size_t len,
                     unsigned bearer, uint8_t *work, uint32_t *count, bool *tried)
{
    const kasme_subscriber *lines[KASME_SEARCH_ROOTS];
    size_t n = tr->db ? kenb_lines(tr, ue, meta->rnti, lines, KASME_SEARCH_ROOTS) : 0;
    *tried = n > 0 && len >= 1 + KASME_MAC_I_LEN;
    if (!*tried)
        return false;
    srb_probe p = {.meta = meta, .pdu = pdu, .len = len, .bearer = bearer, .work = work};
    static const kasme_count_rule srb_sn = {5, 32, false};
    p.n_counts = kasme_count_window(&srb_sn, pdu[0], KASME_SEARCH_HFNS, p.counts, KASME_SEARCH_HFNS);
    bool spent = false;
    kasme_as_ctx found;
    for (size_t i = 0; i < n && !spent; i++) {
        if (!search_line(tr, lines[i], &p, &found, count, &spent))
            continue;
        kasme_as_ctx_clear(as);
        *as = found;
        kasme_secure_zero(&found, sizeof found);
        if (kasme_as_activate(tr, as) != 0)
            return false;
        as->kenb_source = lines[i]->has_kenb
                              ? "K_eNB from the key file, algorithms found by MAC-I search"
                              : "AS keys from the key file, algorithms found by MAC-I search";
        memcpy(as->kenb_initial, as->kenb, 32);
        as->ul_ciphering_on = true;
        as->algs_searched = true;
        return true;
    }
    return false;
}
