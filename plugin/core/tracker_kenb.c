/* Which K_eNB an RRC connection uses: the candidates (TS 33.401 7.2.8.1: the NAS context's
 * K_eNB for each recent uplink NAS COUNT, the S1AP SecurityKey, key-file lines), the one the
 * RRC SecurityModeCommand's MAC-I confirms, and K_eNB* after re-establishment or handover
 * (TS 33.401 7.2.8.4, A.5), confirmed by the first SRB1 PDU's MAC-I. */
#include "tracker_int.h"

#include <string.h>

#include "hexutil.h"
#include "kdf.h"
#include "secure_zero.h"

int kasme_as_derive(kasme_as_ctx *as, const uint8_t kenb[32], uint8_t eea, uint8_t eia)
{
    memcpy(as->kenb, kenb, 32);
    as->eea = eea;
    as->eia = eia;
    if (kdf_alg_key(kenb, KDF_RRC_ENC, eea, as->krrc_enc) ||
        kdf_alg_key(kenb, KDF_RRC_INT, eia, as->krrc_int) ||
        kdf_alg_key(kenb, KDF_UP_ENC, eea, as->kup_enc))
        return -1;
    return 0;
}

/* Cache tags: an AS context's two schedules get neighbouring tags of its own address (the
 * cache compares keys as well, so a context moved to another address stays correct). */
kasme_sched *kasme_as_rrc(kasme_as_ctx *as)
{
    if (!as->active || !as->sched)
        return NULL;
    return kasme_sched_get(as->sched, (uint64_t)(uintptr_t)as << 1, as->eea, as->krrc_enc,
                           as->eia, as->krrc_int);
}

kasme_sched *kasme_as_up(kasme_as_ctx *as)
{
    static const uint8_t no_key[16];
    if (!as->active || !as->sched)
        return NULL;
    return kasme_sched_get(as->sched, (uint64_t)(uintptr_t)as << 1 | 1, as->eea, as->kup_enc,
                           0, no_key);
}

int kasme_as_activate(kasme_tracker *tr, kasme_as_ctx *as)
{
    if (!kasme_alg_available(as->eea) || !kasme_alg_available(as->eia))
        return -1;
    as->sched = tr->sched;
    as->active = true;
    if (!kasme_as_rrc(as) || !kasme_as_up(as)) {
        as->active = false;
        return -1;
    }
    return 0;
}

void kasme_as_fill_keys(const kasme_as_ctx *as, kasme_pdcp_result *res)
{
    res->has_as_keys = true;
    memcpy(res->kenb, as->kenb, 32);
    memcpy(res->krrc_enc, as->krrc_enc, 16);
    memcpy(res->krrc_int, as->krrc_int, 16);
    memcpy(res->kup_enc, as->kup_enc, 16);
}

/* MAC-I over PDCP header || data (TS 36.323 5.7) with a K_RRCint not yet in a schedule. */
static bool mac_i_with_key(const uint8_t krrc_int[16], uint8_t eia, uint32_t count,
                           unsigned bearer, int dir, const uint8_t *covered, size_t len,
                           uint32_t *mac)
{
    kasme_integrity integ;
    if (kasme_integrity_init(&integ, eia, krrc_int) != KASME_SEC_OK)
        return false;
    int rc = kasme_integrity_mac(&integ, count, bearer, (unsigned)dir, covered, len, len * 8, mac);
    kasme_integrity_free(&integ);
    return rc == KASME_SEC_OK;
}

/* --- the RRC Security Mode Command --- */

/* One SMC's search: tries candidates one at a time, so any number of key-file lines can be
 * candidates without an array of them. */
typedef struct {
    const kasme_pdcp_meta *meta;
    const uint8_t *pdu;
    size_t len;
    const uint32_t *counts;
    size_t n_counts;
    unsigned bearer;
    uint32_t mac_i;
    size_t tried;
    bool verified;
    kasme_as_ctx found; /* the verified candidate, or the first one (EIA0 cannot verify) */
    uint32_t count;
} smc_search;

static bool smc_try(smc_search *s, kasme_as_ctx *probe)
{
    bool first = s->tried++ == 0;
    if (first) {
        s->found = *probe;
        s->count = s->counts[0];
    }
    for (size_t i = 0; s->meta->smc_eia != 0 && i < s->n_counts; i++) {
        uint32_t mac;
        if (mac_i_with_key(probe->krrc_int, s->meta->smc_eia, s->counts[i], s->bearer,
                           s->meta->dir, s->pdu, s->len - KASME_MAC_I_LEN, &mac) &&
            mac == s->mac_i) {
            s->found = *probe;
            s->count = s->counts[i];
            s->verified = true;
            break;
        }
    }
    memset(probe, 0, sizeof *probe);
    return s->verified;
}

static bool try_kenb(smc_search *s, const uint8_t kenb[32], const char *source, bool from_nas,
                     uint32_t ul_count)
{
    kasme_as_ctx probe;
    memset(&probe, 0, sizeof probe);
    if (kasme_as_derive(&probe, kenb, s->meta->smc_eea, s->meta->smc_eia) != 0)
        return false;
    probe.kenb_source = source;
    probe.kenb_from_nas = from_nas;
    probe.kenb_ul_count = ul_count;
    return smc_try(s, &probe);
}

static bool try_line(smc_search *s, const kasme_subscriber *line)
{
    if (line->has_kenb)
        return try_kenb(s, line->kenb, "K_eNB from the key file", false, 0);
    kasme_as_ctx probe;
    memset(&probe, 0, sizeof probe);
    probe.eea = s->meta->smc_eea;
    probe.eia = s->meta->smc_eia;
    memcpy(probe.krrc_enc, line->krrcenc, 16);
    memcpy(probe.krrc_int, line->krrcint, 16);
    memcpy(probe.kup_enc, line->kupenc, 16);
    probe.kenb_source = "AS keys from the key file";
    return smc_try(s, &probe);
}

static bool try_lines(smc_search *s, const kasme_subdb *db, const kasme_subscriber *first)
{
    for (const kasme_subscriber *e = first; e; e = kasme_subdb_next_match(db, e))
        if (try_line(s, e))
            return true;
    return false;
}

static bool try_nas_context(smc_search *s, const kasme_sec_ctx *ctx)
{
    size_t hist = ctx->ul_hist_n < KASME_UL_HISTORY ? ctx->ul_hist_n : KASME_UL_HISTORY;
    for (size_t i = 0; i < hist; i++) {
        uint32_t count = ctx->ul_hist[(ctx->ul_hist_n - 1 - i) % KASME_UL_HISTORY];
        uint8_t kenb[32];
        if (kdf_kenb(ctx->root_key, count, kenb) == 0 &&
            try_kenb(s, kenb, "NAS security context", true, count))
            return true;
    }
    return false;
}

/* Candidates in order of likelihood; stops at the first whose MAC-I verifies. */
static void search_kenb(kasme_tracker *tr, kasme_ue *ue, smc_search *s)
{
    if (ue && ue->has_an_key && ue->an_key_domain == KASME_DOMAIN_EPS &&
        try_kenb(s, ue->an_key, "S1AP SecurityKey", false, 0))
        return;
    kasme_sec_ctx *current = ue ? kasme_ue_current(tr, ue, KASME_DOMAIN_EPS) : NULL;
    if (current && current->active && try_nas_context(s, current))
        return;
    if (!tr->db)
        return;
    if (try_lines(s, tr->db, kasme_subdb_kenb_by_rnti(tr->db, s->meta->rnti)))
        return;
    if (ue && ue->imsi[0] && try_lines(s, tr->db, kasme_subdb_kenb_by_imsi(tr->db, ue->imsi)))
        return;
    try_lines(s, tr->db, kasme_subdb_kenb_any(tr->db));
}

static bool same_keys(const kasme_as_ctx *a, const kasme_as_ctx *b)
{
    return a->eea == b->eea && a->eia == b->eia && memcmp(a->krrc_int, b->krrc_int, 16) == 0 &&
           memcmp(a->krrc_enc, b->krrc_enc, 16) == 0;
}

static void take_into_use(kasme_tracker *tr, kasme_radio_conn *rc, kasme_ue *ue,
                          const smc_search *s, kasme_pdcp_result *res)
{
    kasme_as_ctx_clear(&rc->as);
    rc->as = s->found;
    if (kasme_as_activate(tr, &rc->as) != 0) {
        res->status = KASME_PDU_ALG_UNAVAILABLE;
        return;
    }
    rc->as.smc_frame = s->meta->frame;
    memcpy(rc->as.kenb_initial, rc->as.kenb, 32);
    const kasme_sec_ctx *current = ue ? kasme_ue_current(tr, ue, KASME_DOMAIN_EPS) : NULL;
    if (current && current->active) {
        memcpy(rc->as.kasme, current->root_key, 32);
        rc->as.has_kasme = true;
    }
    tr->stats.as_smc_verified += s->verified;
    res->events |= KASME_EV_AS_SMC;
}

/* The RRC SecurityModeCommand is integrity protected with the new K_RRCint and not ciphered
 * (TS 36.331 5.3.4.2). Returns the COUNT the SMC used, for the caller to note. */
uint32_t kasme_rrc_smc(kasme_tracker *tr, kasme_radio_conn *rc, const kasme_pdcp_meta *meta,
                       const uint8_t *pdu, size_t len, const uint32_t *counts, size_t n_counts,
                       kasme_pdcp_result *res)
{
    smc_search s = {.meta = meta, .pdu = pdu, .len = len, .counts = counts,
                    .n_counts = n_counts, .bearer = res->bearer, .mac_i = res->mac_received};
    res->count = counts[0];
    if (!kasme_alg_available(meta->smc_eea) || !kasme_alg_available(meta->smc_eia)) {
        res->status = KASME_PDU_ALG_UNAVAILABLE;
        return counts[0];
    }
    kasme_ue *ue = kasme_ue_of_conn(tr, meta->conn);
    search_kenb(tr, ue, &s);
    if (!s.verified && !(meta->smc_eia == 0 && s.tried)) {
        res->status = KASME_PDU_NO_CONTEXT;
        res->events |= KASME_EV_NO_KENB;
        res->mac_status = KASME_MAC_UNVERIFIED;
        res->unverified_why = s.tried ? "no K_eNB candidate verifies the RRC SMC's MAC-I"
                                      : "no K_eNB for this UE (no NAS context, S1AP key or key-file line)";
        memset(&s.found, 0, sizeof s.found);
        return counts[0];
    }
    /* an SMC seen again (RLC retransmission) with the running keys changes nothing */
    if (!(s.verified && rc->as.active && same_keys(&rc->as, &s.found)))
        take_into_use(tr, rc, ue, &s, res);
    memset(&s.found, 0, sizeof s.found);
    if (res->status == KASME_PDU_ALG_UNAVAILABLE)
        return s.count;
    res->status = KASME_PDU_DECIPHERED;
    res->count = s.count;
    kasme_sched *rrc = kasme_as_rrc(&rc->as);
    bool computed = rrc && kasme_integrity_mac(&rrc->integ, s.count, res->bearer,
                                               (unsigned)meta->dir, pdu, len - KASME_MAC_I_LEN,
                                               (len - KASME_MAC_I_LEN) * 8,
                                               &res->mac_calculated) == KASME_SEC_OK;
    res->mac_status = meta->smc_eia == 0 ? KASME_MAC_UNVERIFIED : KASME_MAC_GOOD;
    if (meta->smc_eia == 0)
        res->unverified_why = "EIA0: no integrity protection";
    else if (!computed) {
        res->mac_status = KASME_MAC_UNVERIFIED;
        res->unverified_why = "the cipher or integrity algorithm refused the PDU";
    }
    kasme_as_fill_keys(&rc->as, res);
    return s.count;
}

/* --- K_eNB* after re-establishment or handover --- */

/* How many NH derivations a new NCC stands for: NCC is 3 bits and only goes forward. */
static unsigned nh_steps(const kasme_as_ctx *as)
{
    return (unsigned)(as->reest_ncc - as->ncc) & 7;
}

/* The keys K_eNB* can come from: NH of the NCC the network sent when it changed (vertical,
 * NH_1 from the K_eNB of the initial setup), and the current K_eNB (horizontal). */
static size_t reest_bases(const kasme_as_ctx *as, uint8_t bases[2][32], bool *vertical)
{
    size_t n = 0;
    vertical[0] = vertical[1] = false;
    if (as->has_kasme && nh_steps(as) != 0) {
        uint8_t sync[32];
        memcpy(sync, as->kenb_initial, 32);
        unsigned target = as->nh_index + nh_steps(as);
        bool ok = true;
        for (unsigned i = 1; i <= target && ok; i++) {
            ok = kdf_nh(as->kasme, sync, bases[0]) == 0;
            memcpy(sync, bases[0], 32);
        }
        kasme_secure_zero(sync, sizeof sync);
        if (ok)
            vertical[n++] = true;
    }
    memcpy(bases[n++], as->kenb, 32);
    return n;
}

bool kasme_srb_mac_i_check(const kasme_as_ctx *trial, const uint8_t *pdu, size_t len,
                           const uint32_t *counts, size_t n_counts, unsigned bearer, int dir,
                           uint8_t *work, uint32_t *found)
{
    kasme_cipher enc;
    kasme_integrity integ;
    if (kasme_cipher_init(&enc, trial->eea, trial->krrc_enc) != KASME_SEC_OK)
        return false;
    if (kasme_integrity_init(&integ, trial->eia, trial->krrc_int) != KASME_SEC_OK) {
        kasme_cipher_free(&enc);
        return false;
    }
    bool verified = false;
    size_t covered = len - KASME_MAC_I_LEN;
    for (size_t i = 0; i < n_counts && !verified; i++) {
        uint32_t mac;
        memcpy(work, pdu, len);
        verified = kasme_cipher_apply(&enc, counts[i], bearer, (unsigned)dir, work + 1, len - 1,
                                      (len - 1) * 8) == KASME_SEC_OK &&
                   kasme_integrity_mac(&integ, counts[i], bearer, (unsigned)dir, work, covered,
                                       covered * 8, &mac) == KASME_SEC_OK &&
                   mac == ((uint32_t)work[len - 4] << 24 | (uint32_t)work[len - 3] << 16 |
                           (uint32_t)work[len - 2] << 8 | work[len - 1]);
        if (verified)
            *found = counts[i];
    }
    kasme_cipher_free(&enc);
    kasme_integrity_free(&integ);
    return verified;
}

/* Whether K_eNB* gives the first SRB1 PDU after the move (ciphered and integrity protected
 * with the new keys) its MAC-I; trial gets its K_RRCenc and K_RRCint. */
static bool reest_check(kasme_as_ctx *trial, const uint8_t kenb_star[32], const uint8_t *pdu,
                        size_t len, uint32_t count, unsigned bearer, int dir, uint8_t *work)
{
    uint32_t found;
    if (kdf_alg_key(kenb_star, KDF_RRC_INT, trial->eia, trial->krrc_int) != 0 ||
        kdf_alg_key(kenb_star, KDF_RRC_ENC, trial->eea, trial->krrc_enc) != 0)
        return false;
    return kasme_srb_mac_i_check(trial, pdu, len, &count, 1, bearer, dir, work, &found);
}

/* Tries one K_eNB*; the candidate is wiped from the stack whatever the outcome. */
static bool reest_try(kasme_as_ctx *trial, const uint8_t base[32], uint16_t pci, uint32_t earfcn,
                      const uint8_t *pdu, size_t len, uint32_t count, unsigned bearer, int dir,
                      uint8_t *work)
{
    uint8_t kenb_star[32];
    bool ok = kdf_kenb_star(base, pci, earfcn, kenb_star) == 0 &&
              reest_check(trial, kenb_star, pdu, len, count, bearer, dir, work);
    if (ok)
        memcpy(trial->kenb, kenb_star, 32);
    kasme_secure_zero(kenb_star, sizeof kenb_star);
    return ok;
}

static bool reest_adopt(kasme_tracker *tr, kasme_as_ctx *as, kasme_as_ctx *trial,
                        uint32_t earfcn, bool vertical)
{
    kdf_alg_key(trial->kenb, KDF_UP_ENC, as->eea, trial->kup_enc);
    memcpy(as->kenb, trial->kenb, 32);
    memcpy(as->krrc_enc, trial->krrc_enc, 16);
    memcpy(as->krrc_int, trial->krrc_int, 16);
    memcpy(as->kup_enc, trial->kup_enc, 16);
    memset(trial, 0, sizeof *trial);
    as->active = false;
    if (kasme_as_activate(tr, as) != 0)
        return false;
    as->reest_earfcn = earfcn;
    as->kenb_star = true;
    if (vertical)
        as->nh_index += nh_steps(as);
    as->ncc = as->reest_ncc;
    as->kenb_source = vertical ? "K_eNB* from NH (vertical)"
                               : "K_eNB* from the previous K_eNB (horizontal)";
    as->kenb_from_nas = false;
    as->ul_ciphering_on = true;
    return true;
}

/* The first SRB1 PDU after a move, which K_eNB* must verify. */
typedef struct {
    const uint8_t *pdu;
    size_t len;
    uint32_t count;
    unsigned bearer;
    int dir;
    uint8_t *work;
} reest_pdu;

/* The target cell's EARFCN-DL: the one a handover command named, tried with every base first;
 * otherwise (re-establishment) every value, 3 octets above 65535, once per move. */
static bool reest_search(kasme_tracker *tr, kasme_as_ctx *as, uint8_t bases[2][32],
                         const bool *vertical, size_t n, kasme_as_ctx *trial, const reest_pdu *p)
{
    /* a handover command without carrierFreq keeps the current frequency (TS 36.331 6.3.4,
     * MobilityControlInfo), known once an earlier K_eNB* found it */
    int32_t current = as->kenb_star ? (int32_t)as->reest_earfcn : -1;
    int32_t first = as->earfcn_hint >= 0 ? as->earfcn_hint : current;
    for (size_t b = 0; b < n && first >= 0; b++)
        if (reest_try(trial, bases[b], as->reest_pci, (uint32_t)first, p->pdu, p->len,
                      p->count, p->bearer, p->dir, p->work))
            return reest_adopt(tr, as, trial, (uint32_t)first, vertical[b]);
    /* a full search costs about 0.4 s a base: a handover names its EARFCN, and a capture gets
     * a bounded number of searches, so hostile input cannot make dissection crawl */
    if (as->earfcn_hint >= 0 || tr->earfcn_searches >= KASME_MAX_EARFCN_SEARCHES)
        return false;
    tr->earfcn_searches++;
    for (size_t b = 0; b < n; b++)
        for (uint32_t earfcn = 0; earfcn <= 262143; earfcn++)
            if (reest_try(trial, bases[b], as->reest_pci, earfcn, p->pdu, p->len, p->count,
                          p->bearer, p->dir, p->work))
                return reest_adopt(tr, as, trial, earfcn, vertical[b]);
    return false;
}

bool kasme_reest_derive(kasme_tracker *tr, kasme_as_ctx *as, const uint8_t *pdu, size_t len,
                        uint32_t count, unsigned bearer, int dir, uint8_t *work)
{
    uint8_t bases[2][32];
    bool vertical[2];
    if (as->eia == 0)
        return false;
    size_t n = reest_bases(as, bases, vertical);
    kasme_as_ctx trial = *as;
    reest_pdu p = {pdu, len, count, bearer, dir, work};
    bool adopted = reest_search(tr, as, bases, vertical, n, &trial, &p);
    kasme_secure_zero(&trial, sizeof trial); /* key material: the candidates tried */
    kasme_secure_zero(bases, sizeof bases);
    return adopted;
}

/* --- NH from S1AP and NGAP (HandoverRequest, PathSwitchRequestAcknowledge) --- */

/* NH_1 = KDF(root key, initial K_eNB/K_gNB), NH_i = KDF(root key, NH_i-1) (TS 33.401 7.2.8.4,
 * A.4; TS 33.501 6.9.2.1.1, A.10); NCC is i mod 8. Returns the i <= KASME_NH_CHAIN_MAX (two NCC
 * wraps) whose NH equals nh, or 0. */
#define KASME_NH_CHAIN_MAX 16
static unsigned nh_chain_match(kasme_domain domain, const uint8_t root[32],
                               const uint8_t an_key_initial[32], uint8_t ncc,
                               const uint8_t nh[32])
{
    uint8_t sync[32], next[32];
    unsigned found = 0;
    memcpy(sync, an_key_initial, 32);
    for (unsigned i = 1; i <= KASME_NH_CHAIN_MAX && !found; i++) {
        if (kasme_derive_nh(domain, root, sync, next) != 0)
            break;
        if ((i & 7) == (ncc & 7u) && memcmp(next, nh, 32) == 0)
            found = i;
        memcpy(sync, next, 32);
    }
    kasme_secure_zero(sync, sizeof sync);
    kasme_secure_zero(next, sizeof next);
    return found;
}

/* A key an NH chain may start from: NH_1 = KDF(root key, it). */
typedef struct {
    uint8_t key[32];
    bool from_nas;     /* derived from the UL NAS COUNT ul_count, not the SecurityKey */
    uint32_t ul_count;
} nh_root;

/* The keys a UE's NH chain may start from, at most 2: the last SecurityKey (TS 33.401
 * 7.2.8.4: NH_1 comes from the initial K_eNB of the connection); and, when it differs, the
 * K_eNB/K_gNB of the last UL NAS COUNT that fed one under the current context, which the core
 * may derive and never send: Open5GS's MME, at a TAU with active flag while connected, derives
 * K_eNB from the TAU's UL COUNT and restarts the chain from it. A chain is taken only when its
 * NH equals the SecurityContext's (256 bits). */
static size_t nh_roots(const kasme_ue *ue, const kasme_sec_ctx *ctx, kasme_domain domain,
                       nh_root roots[2])
{
    size_t n = 0;
    memset(roots, 0, 2 * sizeof *roots);
    if (ue->has_an_key && ue->an_key_domain == domain)
        memcpy(roots[n++].key, ue->an_key, 32);
    if (!ctx->has_an_key_count ||
        kasme_derive_an_key(domain, ctx->root_key, ctx->an_key_count, roots[n].key) != 0)
        return n;
    if (n && memcmp(roots[n].key, roots[0].key, 32) == 0) {
        kasme_secure_zero(roots[n].key, 32);
        return n;
    }
    roots[n].from_nas = true;
    roots[n].ul_count = ctx->an_key_count;
    return n + 1;
}

/* The first chain of ctx's root key from roots that holds the NH: NH_i's i (0 if none), and
 * in *which the root it started from. */
static unsigned nh_roots_match(kasme_domain domain, const kasme_sec_ctx *ctx,
                               const nh_root *roots, size_t n, const kasme_nh_context *sc,
                               size_t *which)
{
    for (size_t r = 0; r < n; r++) {
        unsigned i = nh_chain_match(domain, ctx->root_key, roots[r].key, sc->ncc, sc->nh);
        if (i) {
            *which = r;
            return i;
        }
    }
    return 0;
}

/* Checks the NH against the UE's chains of the domain's root key; the UE's context that
 * confirmed it (and in *used the key its chain started from), or NULL. */
static const kasme_sec_ctx *nh_check(kasme_tracker *tr, const kasme_ue *ue, kasme_domain domain,
                                     const kasme_nh_context *sc, kasme_kenb_result *res,
                                     nh_root *used)
{
    const kasme_domain_profile *profile = kasme_profile(domain);
    const kasme_sec_ctx *current = ue ? kasme_ue_current(tr, ue, domain) : NULL;
    if (!current || !current->active) {
        res->why = ue ? profile->why_nh_no_root : profile->why_nh_unplaced;
        return NULL;
    }
    res->ue_id = ue->id;
    res->ctx_id = current->id;
    nh_root roots[2];
    size_t n = nh_roots(ue, current, domain, roots), which = 0;
    if (!n) {
        res->why = profile->why_nh_no_an_key;
        return NULL;
    }
    unsigned i = nh_roots_match(domain, current, roots, n, sc, &which);
    res->verdict = i ? KASME_KENB_CONFIRMED : KASME_KENB_MISMATCH;
    res->nh_index = i;
    if (i) {
        *used = roots[which];
        res->nh_root_from_nas = used->from_nas;
        res->nh_root_ul_count = used->ul_count;
    } else {
        res->why = profile->why_nh_mismatch;
    }
    kasme_secure_zero(roots, sizeof roots);
    return i ? current : NULL;
}

/* An S1AP NH waits for the UE on the target cell (tracker_as.c), with the chain it is part
 * of when known (ctx's root key, the chain's first key). NR RRC is not followed, so an NGAP
 * NH is only checked. */
static void nh_keep_pending(kasme_tracker *tr, const kasme_ue *ue, const kasme_sec_ctx *ctx,
                            const nh_root *root, const kasme_nh_context *sc,
                            const kasme_kenb_result *res, uint32_t frame)
{
    kasme_nh_pending *p = &tr->nh_pending[tr->nh_pending_next++ % KASME_NH_PENDING];
    kasme_secure_zero(p, sizeof *p);
    p->used = true;
    p->sc = *sc;
    p->sc.ncc &= 7;
    p->frame = frame;
    p->ue_id = ue ? ue->id : 0;
    if (!ctx)
        return;
    p->nh_index = res->nh_index;
    p->has_kasme = true;
    memcpy(p->kasme, ctx->root_key, 32);
    memcpy(p->kenb_initial, root->key, 32);
}

/* The UE whose NH chain holds this NH, for a SecurityContext on a connection that names no
 * known UE: the target's association (Xn/X2 path switch; an AMF or MME UE id is unique per
 * core node, not per association), the target's new MME UE S1AP ID (Open5GS's MME gives one
 * in HandoverRequest) or new AMF UE NGAP ID (N2 handover). Tried among the recent UEs within
 * the capture's guess budget, like a PDU no identifier places; a 256-bit NH that equals a
 * chain's is that UE's. */
/* A chain costs up to KASME_NH_CHAIN_MAX HMAC-SHA-256s, about 8 MAC tries of a NAS PDU: so
 * much of the budget is charged per chain, which keeps the capture's worst case near a
 * second. */
#define KASME_NH_CHAIN_TRY_COST 8
static kasme_ue *nh_owner(kasme_tracker *tr, kasme_domain domain, const kasme_nh_context *sc)
{
    uint32_t n = tr->ues.count;
    uint32_t lowest = n > KASME_GUESS_LIMIT ? n - KASME_GUESS_LIMIT : 0;
    kasme_ue *owner = NULL;
    for (uint32_t id = n; id > lowest && !owner && tr->stats.guess_tries < KASME_GUESS_BUDGET;
         id--) {
        kasme_ue *ue = kasme_ue_by_id(tr, id);
        const kasme_sec_ctx *current = kasme_ue_current(tr, ue, domain);
        nh_root roots[2];
        size_t n_roots = current && current->active ? nh_roots(ue, current, domain, roots) : 0;
        if (!n_roots)
            continue;
        tr->stats.guess_tries += KASME_NH_CHAIN_TRY_COST * (unsigned)n_roots;
        size_t which;
        if (nh_roots_match(domain, current, roots, n_roots, sc, &which))
            owner = ue;
        kasme_secure_zero(roots, sizeof roots);
    }
    return owner;
}

void kasme_tracker_nh(kasme_tracker *tr, kasme_domain domain, const kasme_pdu_meta *meta,
                      const kasme_nh_context *sc, kasme_kenb_result *res)
{
    memset(res, 0, sizeof *res);
    res->nh = true;
    res->domain = domain;
    res->ncc = sc->ncc & 7;
    kasme_ue *ue = kasme_ue_of_conn(tr, meta->conn);
    if (!ue)
        ue = kasme_ue_of_conn(tr, meta->conn_alt);
    if (!ue && (ue = nh_owner(tr, domain, sc))) {
        kasme_conn_map_insert(tr, meta->conn, ue); /* the UE's connection on the target */
        kasme_conn_map_insert(tr, meta->conn_alt, ue);
    }
    nh_root used;
    memset(&used, 0, sizeof used);
    const kasme_sec_ctx *confirmed = nh_check(tr, ue, domain, sc, res, &used);
    if (domain == KASME_DOMAIN_EPS)
        nh_keep_pending(tr, ue, confirmed, &used, sc, res, meta->frame);
    kasme_secure_zero(&used, sizeof used);
}

/* Trial budget of one pending NH on one PDU: every PCI (TS 36.211: 0..503) at each EARFCN-DL
 * candidate (at most 8: about 4 000 trials), or only the named PCIs when the algorithms must
 * be searched too or the capture used its KASME_MAX_PCI_SWEEPS, so that a hostile capture
 * full of HandoverRequests cannot make dissection crawl. */
#define KASME_PCI_COUNT 504

static bool nh_try_cells(kasme_as_ctx *trial, const kasme_nh_pending *p, bool all_pcis,
                         const uint8_t *pdu, size_t len, uint32_t count, unsigned bearer,
                         int dir, uint8_t *work, uint16_t *pci, uint32_t *earfcn)
{
    for (size_t e = 0; e < p->sc.n_earfcns; e++) {
        size_t n_pcis = p->sc.n_pcis + (all_pcis ? KASME_PCI_COUNT : 0);
        for (size_t c = 0; c < n_pcis; c++) {
            *pci = c < p->sc.n_pcis ? p->sc.pcis[c] : (uint16_t)(c - p->sc.n_pcis);
            *earfcn = p->sc.earfcns[e];
            if (reest_try(trial, p->sc.nh, *pci, *earfcn, pdu, len, count, bearer, dir, work))
                return true;
        }
    }
    return false;
}

/* The source's algorithms (the target keeps them unless its handover command says otherwise),
 * else every pair this build has. */
static bool nh_try(kasme_tracker *tr, kasme_as_ctx *trial, const kasme_nh_pending *p,
                   const uint8_t *pdu, size_t len, uint32_t count, unsigned bearer, int dir,
                   uint8_t *work, uint16_t *pci, uint32_t *earfcn)
{
    if (p->sc.has_algs) {
        trial->eea = p->sc.eea;
        trial->eia = p->sc.eia;
        bool sweep = tr->pci_sweeps < KASME_MAX_PCI_SWEEPS;
        tr->pci_sweeps += sweep;
        return kasme_alg_available(trial->eea) && kasme_alg_available(trial->eia) &&
               trial->eia != 0 &&
               nh_try_cells(trial, p, sweep, pdu, len, count, bearer, dir, work, pci, earfcn);
    }
    for (uint8_t eia = 1; eia <= 3; eia++)
        for (uint8_t eea = 0; eea <= 3; eea++) {
            trial->eea = eea;
            trial->eia = eia;
            if (kasme_alg_available(eea) && kasme_alg_available(eia) &&
                nh_try_cells(trial, p, false, pdu, len, count, bearer, dir, work, pci, earfcn))
                return true;
        }
    return false;
}

static bool nh_adopt(kasme_tracker *tr, kasme_as_ctx *as, kasme_as_ctx *trial,
                     const kasme_nh_pending *p, uint16_t pci, uint32_t earfcn)
{
    kasme_as_ctx_clear(as);
    memcpy(as->kenb, trial->kenb, 32);
    memcpy(as->krrc_enc, trial->krrc_enc, 16);
    memcpy(as->krrc_int, trial->krrc_int, 16);
    as->eea = trial->eea;
    as->eia = trial->eia;
    kasme_secure_zero(trial, sizeof *trial);
    if (kdf_alg_key(as->kenb, KDF_UP_ENC, as->eea, as->kup_enc) != 0 ||
        kasme_as_activate(tr, as) != 0)
        return false;
    as->kenb_star = true;
    as->reest_pci = pci;
    as->reest_earfcn = earfcn;
    as->earfcn_hint = -1;
    as->ncc = p->sc.ncc;
    as->nh_index = p->nh_index;
    as->has_kasme = p->has_kasme;
    memcpy(as->kasme, p->kasme, 32);
    memcpy(as->kenb_initial, p->kenb_initial, 32);
    as->kenb_source = "K_eNB* from NH of an S1AP SecurityContext (vertical)";
    as->ul_ciphering_on = true; /* the first PDU on the target is ciphered */
    return true;
}

bool kasme_nh_incoming(kasme_tracker *tr, kasme_as_ctx *as, const uint8_t *pdu, size_t len,
                       uint32_t count, unsigned bearer, int dir, uint8_t *work,
                       kasme_nh_pending *taken)
{
    for (unsigned k = 0; k < KASME_NH_PENDING; k++) {
        /* newest first: a UE's later handover supersedes its earlier one */
        kasme_nh_pending *p =
            &tr->nh_pending[(tr->nh_pending_next + KASME_NH_PENDING - 1 - k) % KASME_NH_PENDING];
        if (!p->used)
            continue;
        kasme_as_ctx trial;
        memset(&trial, 0, sizeof trial);
        uint16_t pci = 0;
        uint32_t earfcn = 0;
        bool found = nh_try(tr, &trial, p, pdu, len, count, bearer, dir, work, &pci, &earfcn);
        if (found && nh_adopt(tr, as, &trial, p, pci, earfcn)) {
            *taken = *p;
            kasme_secure_zero(p, sizeof *p);
            return true;
        }
        kasme_secure_zero(&trial, sizeof trial);
        if (++p->tries >= KASME_NH_TRIES)
            kasme_secure_zero(p, sizeof *p);
    }
    return false;
}
