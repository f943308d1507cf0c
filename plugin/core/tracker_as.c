/* AS security in the tracker: the RRC Security Mode Command (TS 33.401 7.2.4.5, TS 36.331
 * 5.3.4), the AS keys (TS 33.401 A.7), PDCP COUNT per bearer and direction (TS 36.323 7.1),
 * deciphering and MAC-I of SRB PDUs (TS 36.323 5.6, 5.7) and ciphering of DRB PDUs. */
#include "tracker_int.h"

#include <string.h>

#include "kdf.h"
#include "rrc_msg.h"

#define MAC_I_LEN 4

static void as_ctx_clear(kasme_as_ctx *as)
{
    if (as->active) {
        kasme_cipher_free(&as->rrc_enc);
        kasme_cipher_free(&as->up_enc);
        kasme_integrity_free(&as->rrc_int);
    }
    memset(as, 0, sizeof *as); /* key material */
}

void kasme_radio_conn_free(gpointer p)
{
    kasme_radio_conn *rc = p;
    as_ctx_clear(&rc->as);
    g_free(rc);
}

static kasme_radio_conn *radio_conn(kasme_tracker *tr, uint64_t conn)
{
    guint64 key = conn;
    kasme_radio_conn *rc = g_hash_table_lookup(tr->radio, &key);
    if (!rc) {
        rc = g_new0(kasme_radio_conn, 1);
        guint64 *k = g_new(guint64, 1);
        *k = conn;
        g_hash_table_insert(tr->radio, k, rc);
    }
    return rc;
}

void kasme_tracker_rrc_setup(kasme_tracker *tr, uint64_t conn)
{
    guint64 key = conn;
    g_hash_table_remove(tr->radio, &key);
}

/* The COUNT slot of a bearer: SRBs by identity, DRB identity d at 3 + d. */
static unsigned slot_of(const kasme_pdcp_meta *meta)
{
    return meta->srb ? meta->rb_id : 3 + meta->rb_id;
}

/* PDCP COUNT candidates for an SN of sn_bits bits, most likely first (TS 36.323 5.1.2). */
static size_t count_candidates(const kasme_radio_conn *rc, int dir, unsigned rb, uint32_t sn,
                               unsigned sn_bits, uint32_t out[3])
{
    uint32_t window = 1u << sn_bits;
    if (!rc->seen[dir][rb]) {
        out[0] = sn;
        return 1;
    }
    uint32_t last = rc->last_count[dir][rb];
    uint32_t count = (last & ~(window - 1)) | sn;
    if (count < last)
        count += window;
    size_t n = 0;
    out[n++] = count;
    out[n++] = count + window;
    if (count >= window)
        out[n++] = count - window;
    return n;
}

static void note_count(kasme_radio_conn *rc, int dir, unsigned rb, uint32_t count)
{
    if (!rc->seen[dir][rb] || count > rc->last_count[dir][rb])
        rc->last_count[dir][rb] = count;
    rc->seen[dir][rb] = true;
}

static int derive_as_keys(kasme_as_ctx *as, const uint8_t kenb[32], uint8_t eea, uint8_t eia)
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

static int as_activate(kasme_as_ctx *as)
{
    if (kasme_integrity_init(&as->rrc_int, as->eia, as->krrc_int) != KASME_SEC_OK)
        return -1;
    if (kasme_cipher_init(&as->rrc_enc, as->eea, as->krrc_enc) != KASME_SEC_OK) {
        kasme_integrity_free(&as->rrc_int);
        return -1;
    }
    if (kasme_cipher_init(&as->up_enc, as->eea, as->kup_enc) != KASME_SEC_OK) {
        kasme_integrity_free(&as->rrc_int);
        kasme_cipher_free(&as->rrc_enc);
        return -1;
    }
    as->active = true;
    return 0;
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

typedef struct {
    uint8_t kenb[32];
    const char *source;
    bool from_nas;
    uint32_t ul_count;
    bool direct_keys; /* key-file K_RRCenc/K_RRCint/K_UPenc instead of a K_eNB */
    const kasme_subscriber *line;
} kenb_candidate;

#define MAX_KENB_CANDIDATES 24

static size_t add_keyfile_candidates(const kasme_subdb *db, const kasme_subscriber *first,
                                     kenb_candidate *out, size_t n)
{
    for (const kasme_subscriber *e = first; e && n < MAX_KENB_CANDIDATES;
         e = kasme_subdb_next_match(db, e)) {
        kenb_candidate *c = &out[n++];
        memset(c, 0, sizeof *c);
        c->line = e;
        if (e->has_kenb) {
            memcpy(c->kenb, e->kenb, 32);
            c->source = "K_eNB from the key file";
        } else {
            c->direct_keys = true;
            c->source = "AS keys from the key file";
        }
    }
    return n;
}

/* K_eNB candidates for a UE (TS 33.401 7.2.8.1): from its NAS context with each recent UL NAS
 * COUNT, the S1AP SecurityKey, and the key file's K_eNB / AS-key lines. */
static size_t kenb_candidates(kasme_tracker *tr, const kasme_pdcp_meta *meta, kasme_ue *ue,
                              kenb_candidate *out)
{
    size_t n = 0;
    if (ue && ue->has_s1ap_kenb) {
        memset(&out[n], 0, sizeof out[n]);
        memcpy(out[n].kenb, ue->s1ap_kenb, 32);
        out[n++].source = "S1AP SecurityKey";
    }
    const kasme_sec_ctx *ctx = ue ? ue->current : NULL;
    if (ctx && ctx->active) {
        size_t hist = ctx->ul_hist_n < KASME_UL_HISTORY ? ctx->ul_hist_n : KASME_UL_HISTORY;
        for (size_t i = 0; i < hist && n < MAX_KENB_CANDIDATES; i++) {
            uint32_t count = ctx->ul_hist[(ctx->ul_hist_n - 1 - i) % KASME_UL_HISTORY];
            memset(&out[n], 0, sizeof out[n]);
            if (kdf_kenb(ctx->kasme, count, out[n].kenb) != 0)
                continue;
            out[n].source = "NAS security context";
            out[n].from_nas = true;
            out[n++].ul_count = count;
        }
    }
    if (!tr->db)
        return n;
    n = add_keyfile_candidates(tr->db, kasme_subdb_kenb_by_rnti(tr->db, meta->rnti), out, n);
    if (ue && ue->imsi[0])
        n = add_keyfile_candidates(tr->db, kasme_subdb_kenb_by_imsi(tr->db, ue->imsi), out, n);
    return add_keyfile_candidates(tr->db, kasme_subdb_kenb_any(tr->db), out, n);
}

static void as_from_candidate(kasme_as_ctx *as, const kenb_candidate *c, uint8_t eea,
                              uint8_t eia)
{
    memset(as, 0, sizeof *as);
    if (c->direct_keys) {
        as->eea = eea;
        as->eia = eia;
        memcpy(as->krrc_enc, c->line->krrcenc, 16);
        memcpy(as->krrc_int, c->line->krrcint, 16);
        memcpy(as->kup_enc, c->line->kupenc, 16);
    } else {
        derive_as_keys(as, c->kenb, eea, eia);
    }
    as->kenb_source = c->source;
    as->kenb_from_nas = c->from_nas;
    as->kenb_ul_count = c->ul_count;
}

static void fill_keys(const kasme_as_ctx *as, kasme_pdcp_result *res)
{
    res->has_as_keys = true;
    memcpy(res->kenb, as->kenb, 32);
    memcpy(res->krrc_enc, as->krrc_enc, 16);
    memcpy(res->krrc_int, as->krrc_int, 16);
    memcpy(res->kup_enc, as->kup_enc, 16);
}

static void fill_as_info(const kasme_as_ctx *as, kasme_pdcp_result *res)
{
    res->eea = as->eea;
    res->eia = as->eia;
    res->smc_frame = as->smc_frame;
    res->kenb_source = as->kenb_source;
    res->kenb_from_nas = as->kenb_from_nas;
    res->kenb_ul_count = as->kenb_ul_count;
}

/* The RRC SecurityModeCommand is integrity protected with the new K_RRCint and not ciphered:
 * the candidate whose MAC-I matches is the K_eNB in use. */
static void handle_rrc_smc(kasme_tracker *tr, kasme_radio_conn *rc, const kasme_pdcp_meta *meta,
                           const uint8_t *pdu, size_t len, uint32_t count,
                           kasme_pdcp_result *res)
{
    kasme_ue *ue = kasme_ue_of_conn(tr, meta->conn);
    kenb_candidate cands[MAX_KENB_CANDIDATES];
    size_t n = kenb_candidates(tr, meta, ue, cands);
    size_t covered = len - MAC_I_LEN;
    int chosen = -1;
    if (!kasme_alg_available(meta->smc_eea) || !kasme_alg_available(meta->smc_eia)) {
        res->status = KASME_PDU_ALG_UNAVAILABLE;
        return;
    }
    for (size_t i = 0; i < n && chosen < 0; i++) {
        kasme_as_ctx probe;
        uint32_t mac;
        as_from_candidate(&probe, &cands[i], meta->smc_eea, meta->smc_eia);
        if (meta->smc_eia != 0 &&
            mac_i_with_key(probe.krrc_int, meta->smc_eia, count, res->bearer, meta->dir, pdu,
                           covered, &mac) &&
            mac == res->mac_received)
            chosen = (int)i;
        memset(&probe, 0, sizeof probe);
    }
    if (chosen < 0 && !(meta->smc_eia == 0 && n > 0)) {
        res->status = KASME_PDU_NO_CONTEXT;
        res->events |= KASME_EV_NO_KENB;
        res->mac_status = KASME_MAC_UNVERIFIED;
        res->unverified_why = n ? "no K_eNB candidate verifies the RRC SMC's MAC-I"
                                : "no K_eNB for this UE (no NAS context, S1AP key or key-file line)";
        return;
    }
    as_ctx_clear(&rc->as);
    as_from_candidate(&rc->as, &cands[chosen < 0 ? 0 : chosen], meta->smc_eea, meta->smc_eia);
    memset(cands, 0, sizeof cands);
    if (as_activate(&rc->as) != 0) {
        res->status = KASME_PDU_ALG_UNAVAILABLE;
        return;
    }
    rc->as.smc_frame = meta->frame;
    memcpy(rc->as.kenb_initial, rc->as.kenb, 32);
    if (ue && ue->current && ue->current->active) {
        memcpy(rc->as.kasme, ue->current->kasme, 32);
        rc->as.has_kasme = true;
    }
    tr->stats.as_smc_verified += chosen >= 0;
    res->events |= KASME_EV_AS_SMC;
    res->status = KASME_PDU_DECIPHERED;
    kasme_integrity_mac(&rc->as.rrc_int, count, res->bearer, (unsigned)meta->dir, pdu, covered,
                        covered * 8, &res->mac_calculated);
    res->mac_status = meta->smc_eia == 0 ? KASME_MAC_UNVERIFIED : KASME_MAC_GOOD;
    if (meta->smc_eia == 0)
        res->unverified_why = "EIA0: no integrity protection";
    fill_keys(&rc->as, res);
}

/* Tries the PDU as ciphered or not (the SMC and the SMC Complete are not ciphered, TS 36.331
 * 5.3.4.3) at one COUNT; true if the MAC-I matches. plain_out gets header-less data. */
static bool try_srb(kasme_as_ctx *as, const uint8_t *pdu, size_t len, uint32_t count,
                    unsigned bearer, int dir, bool ciphered, uint8_t *work, uint32_t *mac)
{
    size_t body = len - 1; /* data || MAC-I after the 1-octet header */
    memcpy(work, pdu, len);
    if (ciphered)
        kasme_cipher_apply(&as->rrc_enc, count, bearer, (unsigned)dir, work + 1, body, body * 8);
    uint32_t mac_i = (uint32_t)work[len - 4] << 24 | (uint32_t)work[len - 3] << 16 |
                     (uint32_t)work[len - 2] << 8 | work[len - 1];
    kasme_integrity_mac(&as->rrc_int, count, bearer, (unsigned)dir, work, len - MAC_I_LEN,
                        (len - MAC_I_LEN) * 8, mac);
    return as->eia != 0 && *mac == mac_i;
}

static void handle_srb(kasme_radio_conn *rc, const kasme_pdcp_meta *meta, const uint8_t *pdu,
                       size_t len, const uint32_t *counts, size_t n_counts, uint8_t *plain_out,
                       kasme_pdcp_result *res)
{
    kasme_as_ctx *as = &rc->as;
    bool ciphered_first = meta->dir == KASME_DIR_DL || as->ul_ciphering_on;
    bool modes[2] = {ciphered_first, !ciphered_first};
    uint8_t *work = plain_out; /* len octets: header, data, MAC-I */
    bool verified = false, mode = ciphered_first;
    uint32_t count = counts[0], mac = 0;
    for (size_t i = 0; i < n_counts && !verified; i++) {
        for (int m = 0; m < 2 && !verified; m++) {
            uint32_t calc;
            if (try_srb(as, pdu, len, counts[i], res->bearer, meta->dir, modes[m], work, &calc)) {
                verified = true;
                count = counts[i];
                mode = modes[m];
                mac = calc;
            }
        }
    }
    if (!verified)
        try_srb(as, pdu, len, count, res->bearer, meta->dir, mode, work, &mac);
    if (meta->dir == KASME_DIR_UL && verified && mode)
        as->ul_ciphering_on = true;
    if (meta->dir == KASME_DIR_UL && verified && !mode)
        as->ul_ciphering_on = true; /* the SMC Complete: ciphered from the next PDU on */
    res->count = count;
    res->ciphered = mode;
    res->mac_calculated = mac;
    res->mac_received = (uint32_t)work[len - 4] << 24 | (uint32_t)work[len - 3] << 16 |
                        (uint32_t)work[len - 2] << 8 | work[len - 1];
    if (!mode)
        res->mac_received = (uint32_t)pdu[len - 4] << 24 | (uint32_t)pdu[len - 3] << 16 |
                            (uint32_t)pdu[len - 2] << 8 | pdu[len - 1];
    res->mac_status = as->eia == 0 ? KASME_MAC_UNVERIFIED
                                   : verified ? KASME_MAC_GOOD : KASME_MAC_BAD;
    if (as->eia == 0)
        res->unverified_why = "EIA0: no integrity protection";
    /* the RRC message: the data between the header and MAC-I */
    memmove(plain_out, work + 1, len - 1 - MAC_I_LEN);
    res->plain_len = len - 1 - MAC_I_LEN;
    res->status = KASME_PDU_DECIPHERED;
    if (verified || as->eia == 0)
        note_count(rc, meta->dir, slot_of(meta), count);
}

/* --- RRC connection re-establishment (TS 36.331 5.3.7, TS 33.401 7.2.8.4.3) --- */

/* The AS context of old_conn continues on new_conn (a new C-RNTI): SRB1 and SRB2 restart at
 * COUNT 0 (PDCP re-establishment, TS 36.323 5.2.1.2), DRBs keep theirs, and K_eNB* is derived
 * for the target cell when the first SRB1 PDU arrives. */
static kasme_radio_conn *move_for_new_kenb(kasme_tracker *tr, uint64_t old_conn,
                                           uint64_t new_conn, uint16_t pci)
{
    guint64 key = old_conn;
    kasme_radio_conn *old = g_hash_table_lookup(tr->radio, &key);
    kasme_ue *ue = kasme_ue_of_conn(tr, old_conn);
    if (!old || !old->as.active)
        return NULL;
    kasme_radio_conn *rc = old;
    if (new_conn != old_conn) {
        rc = radio_conn(tr, new_conn);
        as_ctx_clear(&rc->as);
        *rc = *old;
        memset(&old->as, 0, sizeof old->as);
        g_hash_table_remove(tr->radio, &key);
    }
    for (int dir = 0; dir < 2; dir++)
        rc->seen[dir][1] = rc->seen[dir][2] = false;
    rc->as.reest_pending = true;
    rc->as.reest_pci = pci;
    rc->as.reest_ncc = rc->as.ncc;
    rc->as.earfcn_hint = -1;
    if (ue) {
        guint64 *k = g_new(guint64, 1);
        *k = new_conn;
        g_hash_table_replace(tr->by_conn, k, ue);
    }
    return rc;
}

void kasme_tracker_rrc_reest_request(kasme_tracker *tr, uint64_t new_conn, uint64_t old_conn,
                                     uint16_t pci)
{
    move_for_new_kenb(tr, old_conn, new_conn, pci);
}

void kasme_tracker_rrc_handover(kasme_tracker *tr, uint64_t conn, uint64_t new_conn,
                                uint16_t pci, int32_t earfcn_dl, int ncc)
{
    kasme_radio_conn *rc = move_for_new_kenb(tr, conn, new_conn, pci);
    if (!rc)
        return;
    rc->as.reest_ncc = ncc;
    rc->as.earfcn_hint = earfcn_dl;
}

void kasme_tracker_rrc_reest(kasme_tracker *tr, uint64_t conn, int ncc)
{
    guint64 key = conn;
    kasme_radio_conn *rc = g_hash_table_lookup(tr->radio, &key);
    if (rc && rc->as.reest_pending)
        rc->as.reest_ncc = ncc;
}

/* The keys K_eNB* can come from: the current K_eNB (horizontal, same NCC) and the NH of the
 * NCC the eNB sent (vertical, TS 33.401 7.2.8.4.2: NH_1 from K_eNB at the initial setup). */
/* How many NH derivations a new NCC stands for: NCC is 3 bits and only goes forward. */
static unsigned nh_steps(const kasme_as_ctx *as)
{
    return (unsigned)(as->reest_ncc - as->ncc) & 7;
}

static size_t reest_bases(const kasme_as_ctx *as, uint8_t bases[][32], size_t max)
{
    size_t n = 0;
    memcpy(bases[n++], as->kenb, 32);
    unsigned target = as->nh_index + nh_steps(as);
    if (!as->has_kasme || nh_steps(as) == 0 || n >= max)
        return n;
    uint8_t sync[32];
    memcpy(sync, as->kenb_initial, 32);
    for (unsigned i = 1; i <= target; i++) {
        if (kdf_nh(as->kasme, sync, bases[n]) != 0)
            return n;
        memcpy(sync, bases[n], 32);
    }
    return n + 1;
}

/* Tries one K_eNB* on the first SRB1 PDU after re-establishment (ciphered and integrity
 * protected with the new keys, COUNT 0). */
static bool reest_try(kasme_as_ctx *trial, const uint8_t base[32], uint16_t pci, uint32_t earfcn,
                      const uint8_t *pdu, size_t len, uint32_t count, unsigned bearer, int dir,
                      uint8_t *work)
{
    uint8_t kenb_star[32];
    uint32_t mac;
    if (kdf_kenb_star(base, pci, earfcn, kenb_star) != 0 ||
        kdf_alg_key(kenb_star, KDF_RRC_INT, trial->eia, trial->krrc_int) != 0 ||
        kdf_alg_key(kenb_star, KDF_RRC_ENC, trial->eea, trial->krrc_enc) != 0)
        return false;
    kasme_cipher enc;
    kasme_integrity integ;
    if (kasme_cipher_init(&enc, trial->eea, trial->krrc_enc) != KASME_SEC_OK)
        return false;
    if (kasme_integrity_init(&integ, trial->eia, trial->krrc_int) != KASME_SEC_OK) {
        kasme_cipher_free(&enc);
        return false;
    }
    memcpy(work, pdu, len);
    kasme_cipher_apply(&enc, count, bearer, (unsigned)dir, work + 1, len - 1, (len - 1) * 8);
    kasme_integrity_mac(&integ, count, bearer, (unsigned)dir, work, len - MAC_I_LEN,
                        (len - MAC_I_LEN) * 8, &mac);
    kasme_cipher_free(&enc);
    kasme_integrity_free(&integ);
    uint32_t mac_i = (uint32_t)work[len - 4] << 24 | (uint32_t)work[len - 3] << 16 |
                     (uint32_t)work[len - 2] << 8 | work[len - 1];
    if (mac != mac_i)
        return false;
    memcpy(trial->kenb, kenb_star, 32);
    return true;
}

/* EARFCN-DL is not in the capture: every value is tried (3 octets above 65535), once per
 * re-establishment, and the one the MAC-I confirms is kept. */
static bool reest_derive(kasme_as_ctx *as, const uint8_t *pdu, size_t len, uint32_t count,
                         unsigned bearer, int dir, uint8_t *work)
{
    uint8_t bases[2][32];
    size_t n = reest_bases(as, bases, 2);
    kasme_as_ctx trial = *as;
    if (as->eia == 0)
        return false;
    for (size_t b = 0; b < n; b++) {
        for (int64_t i = as->earfcn_hint >= 0 ? -1 : 0; i <= 262143; i++) {
            uint32_t earfcn = i < 0 ? (uint32_t)as->earfcn_hint : (uint32_t)i;
            if (!reest_try(&trial, bases[b], as->reest_pci, earfcn, pdu, len, count, bearer, dir,
                           work))
                continue;
            kdf_alg_key(trial.kenb, KDF_UP_ENC, as->eea, trial.kup_enc);
            kasme_cipher_free(&as->rrc_enc);
            kasme_cipher_free(&as->up_enc);
            kasme_integrity_free(&as->rrc_int);
            memcpy(as->kenb, trial.kenb, 32);
            memcpy(as->krrc_enc, trial.krrc_enc, 16);
            memcpy(as->krrc_int, trial.krrc_int, 16);
            memcpy(as->kup_enc, trial.kup_enc, 16);
            as->active = false;
            if (as_activate(as) != 0)
                return false;
            as->reest_earfcn = earfcn;
            as->kenb_star = true;
            if (b > 0)
                as->nh_index += nh_steps(as);
            as->ncc = as->reest_ncc;
            as->kenb_source = b == 0 ? "K_eNB* from the previous K_eNB (horizontal)"
                                     : "K_eNB* from NH (vertical)";
            as->kenb_from_nas = false;
            as->ul_ciphering_on = true;
            return true;
        }
    }
    return false;
}

static unsigned header_len(const kasme_pdcp_meta *meta)
{
    if (meta->srb)
        return 1;
    return meta->sn_bits == 7 ? 1 : meta->sn_bits == 18 ? 3 : 2;
}

/* The SN: the low sn_bits bits of the header (the caller checked len >= header_len). */
static uint32_t read_sn(const kasme_pdcp_meta *meta, const uint8_t *pdu)
{
    uint32_t raw = 0;
    for (unsigned i = 0; i < header_len(meta); i++)
        raw = raw << 8 | pdu[i];
    return raw & ((1u << meta->sn_bits) - 1);
}

/* TS 36.323 6.2: SRBs have 5-bit SNs; DRBs 7, 12, 15 or 18. */
static bool sn_bits_valid(const kasme_pdcp_meta *meta)
{
    if (meta->srb)
        return meta->sn_bits == 5;
    return meta->sn_bits == 7 || meta->sn_bits == 12 || meta->sn_bits == 15 || meta->sn_bits == 18;
}

/* An IPv4 header whose checksum holds, or an IPv6 header whose payload length fits: the
 * integrity check a DRB has (it carries no MAC-I). */
static bool looks_like_ip(const uint8_t *p, size_t len)
{
    if (len >= 20 && p[0] >> 4 == 4) {
        size_t ihl = (size_t)(p[0] & 0x0F) * 4;
        if (ihl < 20 || ihl > len || ((size_t)p[2] << 8 | p[3]) > len)
            return false;
        uint32_t sum = 0;
        for (size_t i = 0; i < ihl; i += 2)
            sum += (uint32_t)p[i] << 8 | p[i + 1];
        while (sum >> 16)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return sum == 0xFFFF;
    }
    return len >= 40 && p[0] >> 4 == 6 && ((size_t)p[4] << 8 | p[5]) + 40 == len;
}

/* DRB data PDUs have no MAC-I: deciphered with K_UPenc at the most likely COUNT. BEARER is
 * the radio bearer identity - 1 (TS 33.401 B.1.1), which some stacks read as LCID - 1 for a
 * DRB: both are tried and the one that gives an IP header is kept for the bearer. */
static void handle_drb(kasme_radio_conn *rc, const kasme_pdcp_meta *meta, const uint8_t *pdu,
                       size_t len, const uint32_t *counts, size_t n_counts, uint8_t *plain_out,
                       kasme_pdcp_result *res)
{
    unsigned hdr = header_len(meta);
    size_t body = len - hdr;
    int known = rc->drb_bearer[meta->rb_id];
    unsigned bearers[2] = {known > 0 ? (unsigned)known - 1 : meta->rb_id - 1, meta->rb_id + 1};
    size_t n_bearers = known > 0 ? 1 : 2;
    bool found = false;
    for (size_t b = 0; b < n_bearers && !found; b++) {
        for (size_t i = 0; i < n_counts && !found; i++) {
            memcpy(plain_out, pdu + hdr, body);
            kasme_cipher_apply(&rc->as.up_enc, counts[i], bearers[b], (unsigned)meta->dir,
                               plain_out, body, body * 8);
            if (looks_like_ip(plain_out, body)) {
                found = true;
                res->bearer = bearers[b];
                res->count = counts[i];
                rc->drb_bearer[meta->rb_id] = (int8_t)(bearers[b] + 1);
            }
        }
    }
    if (!found) {
        res->bearer = bearers[0];
        res->count = counts[0];
        memcpy(plain_out, pdu + hdr, body);
        kasme_cipher_apply(&rc->as.up_enc, counts[0], bearers[0], (unsigned)meta->dir, plain_out,
                           body, body * 8);
        res->unverified_why = "the plaintext is not an IP packet (ROHC, or wrong keys)";
    }
    res->plain_len = body;
    res->ciphered = rc->as.eea != 0;
    res->status = KASME_PDU_DECIPHERED;
    res->mac_status = KASME_MAC_NOT_PRESENT;
    note_count(rc, meta->dir, slot_of(meta), res->count);
}

void kasme_tracker_pdcp(kasme_tracker *tr, const kasme_pdcp_meta *meta, const uint8_t *pdu,
                        size_t len, uint8_t *plain_out, kasme_pdcp_result *res)
{
    memset(res, 0, sizeof *res);
    res->dir = meta->dir;
    res->mac_status = KASME_MAC_NOT_PRESENT;
    bool bad_meta = meta->dir < 0 || meta->dir > 1 || meta->rb_id == 0 ||
                    meta->rb_id > KASME_MAX_RB || (meta->srb && meta->rb_id > 2) ||
                    !sn_bits_valid(meta);
    if (bad_meta || len == 0) {
        res->status = KASME_PDU_MALFORMED;
        return;
    }
    if (!meta->srb && !(pdu[0] & 0x80)) {
        res->status = KASME_PDU_PLAIN; /* DRB control PDU (D/C = 0, TS 36.323 6.3.7) */
        return;
    }
    if (len < (meta->srb ? 1 + MAC_I_LEN : header_len(meta) + 1)) {
        res->status = KASME_PDU_MALFORMED;
        return;
    }
    res->bearer = meta->rb_id - 1; /* TS 33.401 B.1.1: BEARER = radio bearer identity - 1 */
    kasme_radio_conn *rc = radio_conn(tr, meta->conn);
    kasme_ue *ue = kasme_ue_of_conn(tr, meta->conn);
    if (ue) {
        res->ue_id = ue->id;
        g_strlcpy(res->imsi, ue->imsi, sizeof res->imsi);
    }
    uint32_t counts[3];
    size_t n = count_candidates(rc, meta->dir, slot_of(meta), read_sn(meta, pdu), meta->sn_bits,
                                counts);
    kasme_pdcp_meta smc_meta = *meta;
    if (meta->srb && meta->dir == KASME_DIR_DL && !meta->rrc_smc && meta->payload_opaque)
        smc_meta.rrc_smc = kasme_rrc_parse_smc(pdu + 1, len - 1 - MAC_I_LEN, &smc_meta.smc_eea,
                                               &smc_meta.smc_eia);
    /* ciphertext can read as an SMC: a guessed one never replaces a running AS context
     * unless its MAC-I verifies, which EIA0 cannot */
    if (smc_meta.rrc_smc && !meta->rrc_smc && rc->as.active && smc_meta.smc_eia == 0)
        smc_meta.rrc_smc = false;
    bool smc_guessed = smc_meta.rrc_smc && !meta->rrc_smc;
    kasme_pdcp_result before = *res;
    if (smc_meta.rrc_smc && meta->srb) {
        res->mac_received = (uint32_t)pdu[len - 4] << 24 | (uint32_t)pdu[len - 3] << 16 |
                            (uint32_t)pdu[len - 2] << 8 | pdu[len - 1];
        res->count = counts[0];
        handle_rrc_smc(tr, rc, &smc_meta, pdu, len, counts[0], res);
    }
    if (smc_guessed && res->status == KASME_PDU_NO_CONTEXT && rc->as.active) {
        /* it only looked like an SMC: a ciphered PDU of the running AS context */
        *res = before;
        smc_meta.rrc_smc = false;
    }
    if (smc_meta.rrc_smc && meta->srb) {
        note_count(rc, meta->dir, slot_of(meta), counts[0]);
        res->plain_len = len - 1 - MAC_I_LEN; /* the SMC is not ciphered */
        memcpy(plain_out, pdu + 1, res->plain_len);
    } else if (!rc->as.active) {
        /* before the RRC SMC nothing is protected: the RRC message is the data as it is */
        res->status = KASME_PDU_PLAIN;
        res->count = counts[0];
        note_count(rc, meta->dir, slot_of(meta), counts[0]);
        if (meta->srb) {
            res->plain_len = len - 1 - MAC_I_LEN;
            memcpy(plain_out, pdu + 1, res->plain_len);
        }
        return;
    } else if (meta->srb && rc->as.reest_pending && meta->rb_id == 1) {
        rc->as.reest_pending = false;
        if (reest_derive(&rc->as, pdu, len, counts[0], res->bearer, meta->dir, plain_out)) {
            res->kenb_star = true;
            res->pci = rc->as.reest_pci;
            res->earfcn_dl = rc->as.reest_earfcn;
            fill_keys(&rc->as, res);
        }
        handle_srb(rc, meta, pdu, len, counts, n, plain_out, res);
    } else if (meta->srb) {
        handle_srb(rc, meta, pdu, len, counts, n, plain_out, res);
    } else {
        handle_drb(rc, meta, pdu, len, counts, n, plain_out, res);
    }
    if (rc->as.active)
        fill_as_info(&rc->as, res);
}
