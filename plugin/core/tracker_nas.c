/* Protected NAS PDUs in the tracker, one engine for EPS and 5GS: the NAS SMC (TS 33.401
 * 7.2.4.4, TS 24.301 5.4.3; TS 33.501 6.7.2, TS 24.501 5.4.2), NAS COUNT per direction
 * (TS 24.301 4.4.3.1, TS 24.501 4.4.3.1), deciphering and NAS-MAC (TS 33.401 8.1, 8.2;
 * TS 33.501 6.4.3, 6.4.4), the EPS Service Request short MAC (TS 24.301 9.9.3.28) and K_eNB /
 * K_gNB (TS 33.401 7.2.8, A.3; TS 33.501 A.9). The domains differ only through
 * tracker_domain.c. */
#include "tracker_int.h"

#include <string.h>

#include "count_est.h"
#include "kdf.h"

/* A protected PDU kasme has no keys for: not deciphered, its MAC not checked, and why. */
static void no_context(kasme_nas_result *res, uint32_t mac_received, const char *why)
{
    res->status = KASME_PDU_NO_CONTEXT;
    res->events |= KASME_EV_NO_AKA;
    res->mac_status = KASME_MAC_UNVERIFIED;
    res->mac_received = mac_received;
    res->unverified_why = why;
}

int kasme_ctx_activate(kasme_sec_ctx *ctx, size_t root_index, uint8_t eea, uint8_t eia)
{
    const uint8_t *root = kasme_ctx_root_cand(ctx, root_index);
    if (!root)
        return -1;
    memcpy(ctx->root_key, root, 32);
    memcpy(ctx->sn_id, ctx->cands->sn[root_index], 3);
    return kasme_ctx_set_algs(ctx, eea, eia);
}

int kasme_ctx_set_algs(kasme_sec_ctx *ctx, uint8_t eea, uint8_t eia)
{
    ctx->eea = eea;
    ctx->eia = eia;
    ctx->keys_ready = false;
    ctx->active = false;
    if (!kasme_alg_available(eea) || !kasme_alg_available(eia))
        return -1;
    uint8_t fc = kasme_profile(ctx->domain)->alg_key_fc;
    if (kdf_alg_key_fc(ctx->root_key, fc, KDF_NAS_ENC, eea, ctx->k_nas_enc) ||
        kdf_alg_key_fc(ctx->root_key, fc, KDF_NAS_INT, eia, ctx->k_nas_int))
        return -1;
    ctx->keys_ready = true;
    if (!kasme_ctx_sched(ctx)) {
        ctx->keys_ready = false;
        return -1;
    }
    ctx->active = true;
    return 0;
}

bool kasme_nas_mac(kasme_sec_ctx *ctx, uint32_t count, int dir, const uint8_t *data, size_t len,
                   uint32_t *mac)
{
    kasme_sched *sched = kasme_ctx_sched(ctx);
    if (!sched)
        return false;
    return kasme_integrity_mac(&sched->integ, count, ctx->nas_bearer, (unsigned)dir, data, len,
                               len * 8, mac) == KASME_SEC_OK;
}

void kasme_ctx_note_ul(kasme_sec_ctx *ctx, uint32_t count)
{
    if (ctx->ul_hist_n && ctx->ul_hist[(ctx->ul_hist_n - 1) % KASME_UL_HISTORY] == count)
        return;
    ctx->ul_hist[ctx->ul_hist_n % KASME_UL_HISTORY] = count;
    ctx->ul_hist_n++;
}

/* The key itself is derived only when results carry their keys to be shown: nothing else
 * reads it, and the SecurityKey check (kasme_tracker_an_key) derives its own candidates. */
bool kasme_derive_kenb(const kasme_tracker *tr, kasme_sec_ctx *ctx, uint32_t ul_count,
                       kasme_nas_result *res)
{
    if (!tr->keys_unshown &&
        kasme_derive_an_key(ctx->domain, ctx->root_key, ul_count, res->kenb) != 0)
        return false;
    ctx->an_key_count = ul_count; /* a root an NH chain may start from (tracker_kenb.c) */
    ctx->has_an_key_count = true;
    res->has_kenb = true;
    res->kenb_ul_count = ul_count;
    res->events |= KASME_EV_KENB_DERIVED;
    return true;
}

/* NAS COUNT candidates for a received 8-bit sequence number, most likely first. */
static size_t count_candidates(const kasme_sec_ctx *ctx, int dir, uint8_t seq,
                               uint32_t out[3])
{
    static const kasme_count_rule nas_sqn = {8, 24, false};
    return kasme_count_candidates(&nas_sqn, ctx->seen[dir], ctx->last_count[dir], seq, out);
}

/* The COUNTs a MAC is tried at: the estimator's candidates; for a context found by MAC
 * search, a direction it has not seen yet has an unknown overflow too: the search window. */
static size_t mac_counts(const kasme_sec_ctx *ctx, int dir, uint8_t seq,
                         uint32_t out[KASME_SEARCH_OVERFLOWS])
{
    static const kasme_count_rule nas_sqn = {8, 24, false};
    if (ctx->algs_searched && !ctx->seen[dir])
        return kasme_count_window(&nas_sqn, seq, KASME_SEARCH_OVERFLOWS, out,
                                  KASME_SEARCH_OVERFLOWS);
    return count_candidates(ctx, dir, seq, out);
}

static void note_count(kasme_sec_ctx *ctx, int dir, uint32_t count, kasme_nas_result *res)
{
    if (ctx->seen[dir] && count <= ctx->last_count[dir])
        res->events |= KASME_EV_COUNT_REPLAY;
    if (!ctx->seen[dir] || count > ctx->last_count[dir])
        ctx->last_count[dir] = count;
    ctx->seen[dir] = true;
    if (dir == KASME_DIR_UL)
        kasme_ctx_note_ul(ctx, count);
}

bool kasme_nas_verify_mac(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, int dir_hint,
                          kasme_nas_result *res)
{
    const uint8_t *covered = outer->mac_input;
    size_t covered_len = outer->mac_input_len;
    int dirs[2] = {dir_hint, -1};
    if (dir_hint == KASME_DIR_UNKNOWN) {
        dirs[0] = KASME_DIR_UL;
        dirs[1] = KASME_DIR_DL;
    }
    res->mac_received = outer->mac;
    bool first = true;
    for (int d = 0; d < 2 && dirs[d] >= 0; d++) {
        uint32_t counts[KASME_SEARCH_OVERFLOWS];
        size_t n = mac_counts(ctx, dirs[d], outer->seq, counts);
        for (size_t i = 0; i < n; i++) {
            uint32_t mac;
            if (!kasme_nas_mac(ctx, counts[i], dirs[d], covered, covered_len, &mac))
                return false;
            if (first) {
                res->count = counts[i];
                res->dir = dirs[d];
                res->mac_calculated = mac;
                first = false;
            }
            if (ctx->eia != 0 && mac == outer->mac) {
                res->count = counts[i];
                res->dir = dirs[d];
                res->mac_calculated = mac;
                return true;
            }
        }
    }
    return false;
}

static void set_mac_verdict(kasme_sec_ctx *ctx, bool verified, kasme_nas_result *res)
{
    if (ctx->eia == 0) {
        res->mac_status = KASME_MAC_UNVERIFIED;
        res->unverified_why = "EIA0: no integrity protection";
    } else {
        res->mac_status = verified ? KASME_MAC_GOOD : KASME_MAC_BAD;
    }
}

/* TS 24.501 4.4.6: an integrity-protected (type 1) initial message of a UE with a context
 * carries the whole message in a NAS message container whose value is ciphered, at the
 * message's own NAS COUNT. Its place in the message, or false if it has none. */
static bool ciphered_container(const kasme_nas_outer *outer, int dir, size_t *off, size_t *len)
{
    kasme_nas_msg msg;
    if (outer->domain != KASME_DOMAIN_5GS || outer->sec_hdr != 1 || dir != KASME_DIR_UL ||
        kasme_nas_parse_plain(outer->inner, outer->inner_len, 1, &msg) != 0 ||
        msg.kind != KASME_NAS_K_INITIAL || !msg.nas_container_len)
        return false;
    *off = (size_t)(msg.nas_container - outer->inner);
    *len = msg.nas_container_len;
    return true;
}

bool kasme_nas_inner_plain(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, uint32_t count,
                           int dir, uint8_t *plain_out)
{
    memcpy(plain_out, outer->inner, outer->inner_len);
    kasme_sched *sched = ctx ? kasme_ctx_sched(ctx) : NULL;
    if (!sched || dir < 0)
        return true;
    size_t off = 0, n = outer->inner_len;
    if ((outer->sec_hdr == 2 || outer->sec_hdr == 4) || ciphered_container(outer, dir, &off, &n))
        return kasme_cipher_apply(&sched->enc, count, ctx->nas_bearer, (unsigned)dir,
                                  plain_out + off, n, n * 8) == KASME_SEC_OK;
    return true;
}

/* Copies the inner message out and deciphers it (types 2 and 4) with the chosen COUNT; a PDU
 * the cipher refused keeps no plaintext. */
static void decipher_inner(kasme_sec_ctx *ctx, const kasme_nas_outer *outer,
                           uint8_t *plain_out, kasme_nas_result *res)
{
    if (!kasme_nas_inner_plain(ctx, outer, res->count, res->dir, plain_out)) {
        res->status = KASME_PDU_CIPHER_REFUSED;
        res->unverified_why = "the cipher or integrity algorithm refused the PDU";
        res->plain_len = 0;
        res->plain_is_inner = false;
        return;
    }
    res->plain_len = outer->inner_len;
    res->plain_is_inner = true;
}

static void result_from_ctx(kasme_sec_ctx *ctx, kasme_nas_result *res)
{
    res->has_ctx = true;
    kasme_ctx_info_fill(ctx, &res->ctx);
}

size_t kasme_keyfile_root_candidates(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                                     kasme_domain domain, int ksi, kasme_sec_ctx **out, size_t n,
                                     size_t max)
{
    const kasme_domain_profile *pf = kasme_profile(domain);
    bool ue_tmsi = ue->has_tmsi && ue->tmsi_domain == domain;
    const kasme_subscriber *firsts[4] = {
        ue->imsi[0] ? pf->root_line_by_imsi(tr->db, ue->imsi) : NULL,
        ue_tmsi ? pf->root_line_by_tmsi(tr->db, ue->m_tmsi) : NULL,
        meta->has_m_tmsi ? pf->root_line_by_tmsi(tr->db, meta->m_tmsi) : NULL,
        pf->root_line_any(tr->db),
    };
    for (size_t f = 0; f < 4; f++) {
        for (const kasme_subscriber *line = firsts[f]; line && n < max;
             line = kasme_subdb_next_match(tr->db, line)) {
            if (ksi >= 0 && line->ksi >= 0 && line->ksi != ksi)
                continue;
            kasme_sec_ctx *ctx = kasme_ctx_new(tr);
            ctx->ue_id = ue->id;
            ctx->ksi = ksi >= 0 ? ksi : line->ksi;
            ctx->sub = line;
            ctx->from_keyfile_kasme = true;
            ctx->n_roots = 1;
            ctx->domain = (uint8_t)domain; /* before kasme_ctx_cands, which sizes by it */
            memcpy(kasme_ctx_cands(ctx)->root[0], kasme_root_line_key(domain, line), 32);
            out[n++] = ctx;
        }
    }
    return n;
}

/* Contexts an SMC can take into use: the one the last AKA made, the current one (new
 * algorithms, same root key), and root key lines of the key file. */
static size_t smc_candidates(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                             kasme_domain domain, int ksi, kasme_sec_ctx **out, size_t max)
{
    size_t n = 0;
    kasme_sec_ctx *pending = kasme_ue_pending(tr, ue, domain);
    kasme_sec_ctx *current = kasme_ue_current(tr, ue, domain);
    if (pending && (pending->ksi == ksi || pending->ksi < 0))
        out[n++] = pending;
    if (current && current->ksi == ksi && n < max) {
        kasme_sec_ctx *again = kasme_ctx_new(tr);
        uint32_t id = again->id;
        *again = *current;
        again->id = id;
        again->active = false;
        again->keys_ready = false;
        again->cands = NULL;
        again->n_roots = 1;
        again->continues_counts = true;
        memcpy(kasme_ctx_cands(again)->root[0], current->root_key, 32);
        memcpy(again->cands->sn[0], current->sn_id, 3);
        out[n++] = again;
    }
    n = kasme_keyfile_root_candidates(tr, ue, meta, domain, ksi, out, n, max);
    for (size_t i = 0; i < n; i++) {
        out[i]->domain = (uint8_t)domain;
        out[i]->nas_bearer = (uint8_t)kasme_nas_bearer(domain, meta);
    }
    return n;
}

static void ctx_deactivate(kasme_sec_ctx *ctx)
{
    ctx->keys_ready = false;
    ctx->active = false;
}

/* The DL COUNTs an SMC may carry under ctx: 0 || seq for a new root key (TS 24.301 4.4.3.1,
 * TS 24.501 4.4.3.1 reset the counts when a new K_ASME or K_AMF is taken into use); the
 * continued DL COUNT when the SMC only changes algorithms on the current root key. */
static size_t smc_counts(const kasme_sec_ctx *ctx, uint8_t seq, uint32_t out[3])
{
    if (ctx->continues_counts)
        return count_candidates(ctx, KASME_DIR_DL, seq, out);
    out[0] = seq;
    return 1;
}

typedef struct {
    kasme_sec_ctx *ctx;
    bool verified;
    uint32_t count;
} smc_choice;

static bool smc_mac_matches(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, uint32_t *count)
{
    uint32_t counts[3];
    size_t n = smc_counts(ctx, outer->seq, counts);
    for (size_t i = 0; i < n; i++) {
        uint32_t mac;
        if (kasme_nas_mac(ctx, counts[i], KASME_DIR_DL, outer->mac_input, outer->mac_input_len,
                          &mac) &&
            ctx->eia != 0 && mac == outer->mac) {
            *count = counts[i];
            return true;
        }
    }
    *count = counts[0];
    return false;
}

/* Tries every candidate context and root key against the SMC's MAC; the first candidate is
 * the fallback when none verifies (or with EIA0, which cannot). */
static smc_choice smc_pick(kasme_sec_ctx **cands, size_t n, const kasme_nas_outer *outer,
                           const kasme_nas_msg *smc)
{
    smc_choice choice = {NULL, false, 0};
    for (size_t c = 0; c < n; c++) {
        kasme_sec_ctx *ctx = cands[c];
        for (size_t k = 0; k < ctx->n_roots; k++) {
            ctx_deactivate(ctx);
            if (kasme_ctx_activate(ctx, k, smc->smc_eea, smc->smc_eia) != 0)
                return choice;
            uint32_t count;
            if (smc_mac_matches(ctx, outer, &count))
                return (smc_choice){ctx, true, count};
        }
    }
    if (n) {
        choice.ctx = cands[0];
        ctx_deactivate(choice.ctx);
        if (kasme_ctx_activate(choice.ctx, 0, smc->smc_eea, smc->smc_eia) != 0)
            choice.ctx = NULL;
        else
            smc_mac_matches(choice.ctx, outer, &choice.count);
    }
    return choice;
}

static void smc_result(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, uint32_t count,
                       bool verified, kasme_nas_result *res)
{
    res->status = KASME_PDU_DECIPHERED;
    res->dir = KASME_DIR_DL;
    res->count = count;
    res->mac_received = outer->mac;
    kasme_nas_mac(ctx, count, KASME_DIR_DL, outer->mac_input, outer->mac_input_len,
                  &res->mac_calculated);
    set_mac_verdict(ctx, verified, res);
    result_from_ctx(ctx, res);
}

static void handle_smc(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                       const kasme_nas_outer *outer, uint8_t *plain_out, kasme_nas_result *res)
{
    kasme_nas_msg smc;
    kasme_domain domain = outer->domain;
    if (kasme_nas_parse_plain(outer->inner, outer->inner_len, 0, &smc) != 0 ||
        smc.kind != KASME_NAS_K_SMC || smc.domain != domain) {
        res->status = KASME_PDU_MALFORMED;
        return;
    }
    if (!kasme_alg_available(smc.smc_eea) || !kasme_alg_available(smc.smc_eia)) {
        res->status = KASME_PDU_ALG_UNAVAILABLE;
        return;
    }
    kasme_sec_ctx *cands[8];
    size_t n = smc_candidates(tr, ue, meta, domain, smc.ksi, cands, 8);
    smc_choice pick = smc_pick(cands, n, outer, &smc);
    /* the candidates this SMC made and did not take are reused: an SMC keeps at most one
     * context, however many key-file lines it tried (the AKA's stays for a later SMC) */
    for (size_t i = 0; i < n; i++) {
        if (cands[i] == pick.ctx)
            continue;
        ctx_deactivate(cands[i]);
        if (cands[i] != kasme_ue_pending(tr, ue, domain))
            kasme_ctx_recycle(tr, cands[i]);
    }
    if (!pick.ctx) {
        no_context(res, outer->mac, kasme_profile(domain)->why_no_root);
        return;
    }
    kasme_sec_ctx *ctx = pick.ctx, *current = kasme_ue_current(tr, ue, domain);
    smc_result(ctx, outer, pick.count, pick.verified, res);
    bool have_verified_current = current && current->active && current->eia != 0;
    if (!pick.verified && ctx->eia != 0 && have_verified_current) {
        /* A Security Mode Command whose MAC fails does not replace a working context; the
         * result names the context it was tried with, which never becomes a candidate again
         * unless the AKA made it */
        ctx_deactivate(ctx);
        if (ctx != kasme_ue_pending(tr, ue, domain))
            kasme_ctx_drop_cands(ctx);
        decipher_inner(current, outer, plain_out, res);
        return;
    }
    ctx->smc_frame = meta->frame;
    if (!ctx->continues_counts) {
        memset(ctx->seen, 0, sizeof ctx->seen);
        ctx->ul_hist_n = 0;
    }
    kasme_ue_set_current(ue, domain, ctx);
    kasme_ctx_drop_cands(ctx); /* in use: never an SMC candidate again */
    if (kasme_ue_pending(tr, ue, domain) == ctx)
        kasme_ue_set_pending(ue, domain, NULL);
    if (pick.verified)
        tr->stats.smc_verified++;
    res->events |= KASME_EV_SMC_CONTEXT;
    note_count(ctx, KASME_DIR_DL, pick.count, res);
    decipher_inner(ctx, outer, plain_out, res);
    result_from_ctx(ctx, res);
    res->has_kasme = res->has_nas_keys = true;
    memcpy(res->kasme, ctx->root_key, 32);
    memcpy(res->k_nas_enc, ctx->k_nas_enc, 16);
    memcpy(res->k_nas_int, ctx->k_nas_int, 16);
}

/* Messages whose UL COUNT feeds K_eNB / K_gNB (TS 33.401 7.2.8.1, TS 33.501 6.9.2.1.1): SMC
 * Complete, and the initial NAS message that brings the UE to connected mode. */
static bool feeds_kenb(const kasme_nas_outer *outer, const uint8_t *plain, size_t plain_len)
{
    if (outer->sec_hdr == 4)
        return true;
    return kasme_nas_kind_of(plain, plain_len) == KASME_NAS_K_INITIAL;
}

/* A protected UE with no known connection: try the current contexts of recent UEs against
 * the MAC (a GUTI that kasme never saw allocated), within KASME_GUESS_BUDGET a capture. */
static kasme_ue *guess_ue(kasme_tracker *tr, const kasme_nas_outer *outer, int dir_hint,
                          kasme_nas_result *res, bool *budget_spent)
{
    uint32_t n = tr->ues.count;
    uint32_t lowest = n > KASME_GUESS_LIMIT ? n - KASME_GUESS_LIMIT : 0;
    for (uint32_t id = n; id > lowest; id--) {
        kasme_ue *ue = kasme_ue_by_id(tr, id);
        kasme_sec_ctx *current = kasme_ue_current(tr, ue, outer->domain);
        if (!current || !current->active || current->eia == 0)
            continue;
        if (tr->stats.guess_tries >= KASME_GUESS_BUDGET) {
            *budget_spent = true;
            return NULL;
        }
        tr->stats.guess_tries++;
        kasme_nas_result probe = *res;
        if (kasme_nas_verify_mac(current, outer, dir_hint, &probe)) {
            res->events |= KASME_EV_CONTEXT_GUESSED;
            return ue;
        }
    }
    return NULL;
}

/* Why a protected PDU has no context, most specific first. */
static const char *why_no_context(const kasme_ue *ue, bool guess_spent, bool search_spent,
                                  bool searched)
{
    if (search_spent)
        return "no SMC seen; the MAC search for algorithms and COUNT spent its budget";
    if (searched)
        return "no SMC seen, and no key-file root key verifies the MAC (any EIA/NIA, COUNT < 4096)";
    if (guess_spent)
        return "UE not identified (the search among known UEs spent its budget)";
    if (!ue)
        return "UE not identified (no S1AP/RRC context, unknown GUTI)";
    return "no NAS Security Mode Command seen for this UE";
}

static bool full_mac_check(kasme_sec_ctx *ctx, const void *arg, kasme_nas_result *probe)
{
    const kasme_nas_outer *outer = arg;
    int dir_hint = outer->sec_hdr == 3 ? KASME_DIR_DL : KASME_DIR_UL; /* initial messages: UL */
    return kasme_nas_verify_mac(ctx, outer, dir_hint, probe);
}

/* An initial message whose identity named a UE whose context (named, maybe NULL) does not
 * verify it: a GUTI or S-TMSI reused, or never assigned to this UE. The other stored contexts
 * with its KSI decide; the UE becomes the context's and the context its current one (the UE
 * evidently uses it, TS 24.301 4.4.2.1). NULL if none verifies. */
static kasme_sec_ctx *context_by_mac(kasme_tracker *tr, kasme_ue **ue, kasme_sec_ctx *named,
                                     const kasme_nas_outer *outer, int dir_hint,
                                     kasme_nas_result *res)
{
    int ksi;
    if (!*ue || !kasme_names_its_context(outer, dir_hint, &ksi))
        return NULL;
    kasme_sec_ctx *other = kasme_ctx_by_mac(tr, named, outer->domain, ksi, KASME_GUESS_LIMIT,
                                            full_mac_check, outer, res);
    kasme_ue *owner = other ? kasme_ue_by_id(tr, other->ue_id) : NULL;
    if (!owner)
        return NULL;
    res->named_ue_id = (*ue)->id;
    res->events |= KASME_EV_FOUND_BY_MAC;
    *ue = owner;
    kasme_ue_set_current(owner, outer->domain, other);
    return other;
}

/* The context for a protected PDU that is not an SMC: the UE's current one when it verifies;
 * else, for an initial message, another stored context that does; with no context, one found
 * by MAC search from the key file. *verified tells whether the MAC verified (res then holds
 * COUNT and direction). NULL (and res says why) when there is none. */
static kasme_sec_ctx *pick_context(kasme_tracker *tr, kasme_ue **ue, const kasme_pdu_meta *meta,
                                   const kasme_nas_outer *outer, int dir_hint, bool guess_spent,
                                   kasme_nas_result *res, bool *verified)
{
    kasme_sec_ctx *ctx = *ue ? kasme_ue_current(tr, *ue, outer->domain) : NULL;
    if (ctx && ctx->active) {
        *verified = kasme_nas_verify_mac(ctx, outer, dir_hint, res);
        if (*verified || ctx->eia == 0)
            return ctx;
        kasme_sec_ctx *other = context_by_mac(tr, ue, ctx, outer, dir_hint, res);
        *verified = other != NULL;
        return other ? other : ctx;
    }
    *verified = true;
    kasme_sec_ctx *other = context_by_mac(tr, ue, NULL, outer, dir_hint, res);
    if (other)
        return other;
    bool search_spent = false;
    uint32_t macs_before = tr->stats.search_macs;
    ctx = guess_spent ? NULL
                      : kasme_search_algs(tr, ue, meta, outer, dir_hint, res, &search_spent);
    if (!ctx)
        no_context(res, outer->mac, why_no_context(*ue, guess_spent, search_spent,
                                                   tr->stats.search_macs != macs_before));
    return ctx;
}

/* The plaintext under a context whose ciphering algorithm the MAC search has not settled:
 * the first ciphered PDU with a verified MAC settles it (kasme_search_eea); until then no
 * plaintext is shown. False when the PDU stays without plaintext. */
static bool decipher_open_eea(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, bool verified,
                              uint8_t *plain_out, kasme_nas_result *res)
{
    size_t off, n;
    bool ciphered = outer->sec_hdr == 2 || outer->sec_hdr == 4;
    if (!ciphered && !ciphered_container(outer, res->dir, &off, &n))
        return true; /* nothing ciphered: the inner message as it is */
    if (ciphered && verified && kasme_search_eea(ctx, outer, res->count, res->dir, plain_out)) {
        res->plain_len = outer->inner_len;
        res->plain_is_inner = true;
        return false; /* deciphered here: decipher_inner is not needed */
    }
    res->status = KASME_PDU_EEA_UNKNOWN;
    return false;
}

void kasme_nas_protected(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                         const kasme_nas_outer *outer, uint8_t *plain_out,
                         kasme_nas_result *res)
{
    if (outer->sec_hdr > 4) {
        res->status = KASME_PDU_MALFORMED;
        return;
    }
    int dir_hint = meta->dir;
    if (outer->sec_hdr == 3)
        dir_hint = KASME_DIR_DL;
    else if (outer->sec_hdr == 4)
        dir_hint = KASME_DIR_UL;

    bool guess_spent = false;
    if (!ue)
        ue = guess_ue(tr, outer, dir_hint, res, &guess_spent);
    if (outer->sec_hdr == 3) {
        if (!ue) {
            no_context(res, outer->mac, why_no_context(NULL, guess_spent, false, false));
            return;
        }
        res->ue_id = ue->id;
        handle_smc(tr, ue, meta, outer, plain_out, res);
        return;
    }
    bool verified;
    kasme_sec_ctx *ctx = pick_context(tr, &ue, meta, outer, dir_hint, guess_spent, res, &verified);
    if (ue)
        res->ue_id = ue->id;
    if (!ctx)
        return;
    set_mac_verdict(ctx, verified, res);
    res->status = KASME_PDU_DECIPHERED;
    if (verified || ctx->eia == 0)
        note_count(ctx, res->dir, res->count, res);
    if (!ctx->eea_open || decipher_open_eea(ctx, outer, verified, plain_out, res))
        decipher_inner(ctx, outer, plain_out, res);
    result_from_ctx(ctx, res);
    if (res->dir == KASME_DIR_UL && res->mac_status != KASME_MAC_BAD &&
        res->status == KASME_PDU_DECIPHERED && feeds_kenb(outer, plain_out, res->plain_len))
        kasme_derive_kenb(tr, ctx, res->count, res);
}
/* Service Request (TS 24.301 8.2.25, 9.9.3.28): KSI and the 5 low bits of the UL COUNT;
 * the short MAC is the low 16 bits of the NAS-MAC over the first two octets. */
typedef struct {
    const kasme_nas_outer *outer;
    const uint8_t *pdu;
} sr_pdu;

/* The short MAC under ctx at the COUNTs the 5-bit sequence number allows; res gets the COUNT
 * and MAC (the first candidate's when none verifies). */
static bool sr_mac_check(kasme_sec_ctx *ctx, const void *arg, kasme_nas_result *res)
{
    const sr_pdu *sr = arg;
    /* TS 24.301 9.9.3.19: the 5 low bits of the UL COUNT of a new message */
    static const kasme_count_rule sr_seq5 = {5, 24, true};
    uint32_t tries[3];
    size_t n_tries = kasme_count_candidates(&sr_seq5, ctx->seen[KASME_DIR_UL],
                                            ctx->last_count[KASME_DIR_UL], sr->outer->sr_seq5,
                                            tries);
    for (size_t i = 0; i < n_tries; i++) {
        uint32_t mac;
        if (!kasme_nas_mac(ctx, tries[i], KASME_DIR_UL, sr->pdu, 2, &mac))
            return false;
        if (i == 0 || (mac & 0xFFFF) == sr->outer->sr_short_mac) {
            res->count = tries[i];
            res->mac_calculated = mac & 0xFFFF;
        }
        if ((mac & 0xFFFF) == sr->outer->sr_short_mac)
            return ctx->eia != 0;
    }
    return false;
}

/* The S-TMSI's UE's current context for a Service Request (NULL if it has none active), and
 * whether its short MAC verifies there. The KSI should name that context (TS 24.301 8.2.25,
 * 9.9.3.19), but some UEs send another (Open5GS's test UE: always 0) and an MME that takes
 * the UE's current context accepts them: a context whose KSI differs is kept only when the
 * MAC verifies under it, and the result says the KSI differs. A context the MAC search found
 * has no KSI until a message names one. */
static kasme_sec_ctx *sr_current_ctx(kasme_tracker *tr, kasme_ue *ue, const sr_pdu *sr,
                                     bool *verified, kasme_nas_result *res)
{
    kasme_sec_ctx *ctx = ue ? kasme_ue_current(tr, ue, KASME_DOMAIN_EPS) : NULL;
    *verified = false;
    if (!ctx || !ctx->active)
        return NULL;
    *verified = sr_mac_check(ctx, sr, res);
    if (ctx->ksi < 0 || ctx->ksi == sr->outer->sr_ksi)
        return ctx;
    if (*verified) {
        res->events |= KASME_EV_KSI_DIFFERS;
        return ctx;
    }
    res->count = res->mac_calculated = 0; /* nothing was tried under the KSI it names */
    return NULL;
}

void kasme_nas_service_request(kasme_tracker *tr, kasme_ue *ue, const kasme_nas_outer *outer,
                               const uint8_t *pdu, size_t len, kasme_nas_result *res)
{
    (void)len;
    res->dir = KASME_DIR_UL;
    res->mac_received = outer->sr_short_mac;
    sr_pdu sr = {outer, pdu};
    bool verified;
    kasme_sec_ctx *ctx = sr_current_ctx(tr, ue, &sr, &verified, res);
    if (!verified && (!ctx || ctx->eia != 0)) {
        /* the S-TMSI named a UE whose context does not verify it, or no UE the capture
         * knows (never assigned, or assigned before it): another stored context with this
         * KSI may (a reused or never-assigned S-TMSI); named_ue_id 0 when it named none */
        kasme_sec_ctx *other = kasme_ctx_by_mac(tr, ctx, KASME_DOMAIN_EPS, outer->sr_ksi,
                                                KASME_SHORT_MAC_TRIES, sr_mac_check, &sr, res);
        kasme_ue *owner = other ? kasme_ue_by_id(tr, other->ue_id) : NULL;
        if (owner) {
            res->named_ue_id = ue ? ue->id : 0;
            res->events |= KASME_EV_FOUND_BY_MAC;
            res->ue_id = owner->id;
            kasme_ue_set_current(owner, KASME_DOMAIN_EPS, other);
            ctx = other;
            verified = true;
        }
    }
    if (!ctx) {
        no_context(res, res->mac_received, ue ? "no security context with this KSI"
                                              : "UE not identified (unknown S-TMSI)");
        return;
    }
    if (ctx->ksi < 0 && verified)
        ctx->ksi = outer->sr_ksi;
    res->status = KASME_PDU_DECIPHERED;
    result_from_ctx(ctx, res);
    set_mac_verdict(ctx, verified, res);
    if (verified || ctx->eia == 0) {
        note_count(ctx, KASME_DIR_UL, res->count, res);
        kasme_derive_kenb(tr, ctx, res->count, res);
    }
}
