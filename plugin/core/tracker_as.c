/* AS security in the tracker: the RRC Security Mode Command (TS 33.401 7.2.4.5, TS 36.331
 * 5.3.4), the AS keys (TS 33.401 A.7), PDCP COUNT per bearer and direction (TS 36.323 7.1),
 * deciphering and MAC-I of SRB PDUs (TS 36.323 5.6, 5.7) and ciphering of DRB PDUs. */
#include "tracker_int.h"

#include "count_est.h"

#include <string.h>

#include "hexutil.h"
#include "kdf.h"
#include "rrc_msg.h"


void kasme_as_ctx_clear(kasme_as_ctx *as)
{
    kasme_secure_zero(as, sizeof *as); /* key material */
}

void kasme_radio_conn_free(gpointer p)
{
    kasme_radio_conn *rc = p;
    kasme_as_ctx_clear(&rc->as);
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
    kasme_count_rule pdcp_sn = {sn_bits, 32, false};
    return kasme_count_candidates(&pdcp_sn, rc->seen[dir][rb], rc->last_count[dir][rb], sn, out);
}

/* The COUNTs a PDU is tried at: the estimator's; on a connection whose keys the MAC-I search
 * found (no RRC SMC in the capture), an SRB direction not seen yet has an unknown HFN: the
 * search window. */
static size_t srb_counts(const kasme_radio_conn *rc, const kasme_pdcp_meta *meta, uint32_t sn,
                         uint32_t out[KASME_SEARCH_HFNS])
{
    unsigned slot = slot_of(meta);
    if (meta->srb && rc->as.active && rc->as.algs_searched && !rc->seen[meta->dir][slot]) {
        kasme_count_rule srb_sn = {meta->sn_bits, 32, false};
        return kasme_count_window(&srb_sn, sn, KASME_SEARCH_HFNS, out, KASME_SEARCH_HFNS);
    }
    return count_candidates(rc, meta->dir, slot, sn, meta->sn_bits, out);
}

static void note_count(kasme_radio_conn *rc, int dir, unsigned rb, uint32_t count)
{
    if (!rc->seen[dir][rb] || count > rc->last_count[dir][rb])
        rc->last_count[dir][rb] = count;
    rc->seen[dir][rb] = true;
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

/* Tries the PDU as ciphered or not (the SMC and the SMC Complete are not ciphered, TS 36.331
 * 5.3.4.3) at one COUNT; true if the MAC-I matches. plain_out gets header-less data.
 * *refused is set when the cipher or the MAC refused the input: work then holds no plaintext. */
static bool try_srb(kasme_as_ctx *as, const uint8_t *pdu, size_t len, uint32_t count,
                    unsigned bearer, int dir, bool ciphered, uint8_t *work, uint32_t *mac,
                    bool *refused)
{
    size_t body = len - 1; /* data || MAC-I after the 1-octet header */
    memcpy(work, pdu, len);
    kasme_sched *rrc = kasme_as_rrc(as);
    *mac = 0;
    *refused = false;
    if (!rrc)
        return false;
    if (ciphered && kasme_cipher_apply(&rrc->enc, count, bearer, (unsigned)dir, work + 1, body,
                                       body * 8) != KASME_SEC_OK) {
        *refused = true;
        return false;
    }
    uint32_t mac_i = (uint32_t)work[len - 4] << 24 | (uint32_t)work[len - 3] << 16 |
                     (uint32_t)work[len - 2] << 8 | work[len - 1];
    if (kasme_integrity_mac(&rrc->integ, count, bearer, (unsigned)dir, work, len - KASME_MAC_I_LEN,
                            (len - KASME_MAC_I_LEN) * 8, mac) != KASME_SEC_OK) {
        *refused = true;
        return false;
    }
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
    bool verified = false, mode = ciphered_first, refused = false;
    uint32_t count = counts[0], mac = 0;
    for (size_t i = 0; i < n_counts && !verified; i++) {
        for (int m = 0; m < 2 && !verified; m++) {
            uint32_t calc;
            if (try_srb(as, pdu, len, counts[i], res->bearer, meta->dir, modes[m], work, &calc,
                        &refused)) {
                verified = true;
                count = counts[i];
                mode = modes[m];
                mac = calc;
            }
        }
    }
    if (!verified)
        try_srb(as, pdu, len, count, res->bearer, meta->dir, mode, work, &mac, &refused);
    if (refused) {
        res->status = KASME_PDU_CIPHER_REFUSED;
        res->mac_status = KASME_MAC_UNVERIFIED;
        res->unverified_why = "the cipher or integrity algorithm refused the PDU";
        res->count = count;
        return;
    }
    /* UL is ciphered from the PDU after the SMC Complete on; with EIA0 nothing verifies, so
     * the first UL PDU after the SMC is taken to be the SMC Complete */
    if (meta->dir == KASME_DIR_UL && (verified || as->eia == 0))
        as->ul_ciphering_on = true;
    res->count = count;
    res->ciphered = mode && as->eea != 0;
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
    memmove(plain_out, work + 1, len - 1 - KASME_MAC_I_LEN);
    res->plain_len = len - 1 - KASME_MAC_I_LEN;
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
        /* the old connection keeps its keys: the source cell may still retransmit the
         * handover command there (RLC ARQ) before the UE shows up on the target */
        rc = radio_conn(tr, new_conn);
        kasme_as_ctx_clear(&rc->as);
        *rc = *old;
    }
    for (int dir = 0; dir < 2; dir++)
        rc->seen[dir][1] = rc->seen[dir][2] = false;
    for (unsigned drb = 0; drb <= KASME_MAX_RB; drb++)
        rc->drb_moved[0][drb] = rc->drb_moved[1][drb] = true;
    rc->as.reest_pending = true;
    rc->as.reest_pci = pci;
    rc->as.reest_ncc = rc->as.ncc;
    rc->as.earfcn_hint = -1;
    if (ue)
        kasme_conn_map_insert(tr, new_conn, ue);
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
    tr->ho_moves[tr->ho_moves_next++ % KASME_HO_MOVES] = new_conn;
}

/* The kind and RNTI of a MAC-LTE connection key, without the UEId. */
static uint64_t rnti_part(uint64_t conn)
{
    return conn & 0xFF000000FFFFFFFFull;
}

/* A PDU on a connection kasme has no AS context for, whose RNTI a handover command just gave
 * the UE (newUE-Identity) under another UEId: srsUE's own capture changes the UEId with the
 * cell. The moved context continues here; K_eNB*'s MAC-I check still decides. */
static void follow_handover(kasme_tracker *tr, uint64_t conn)
{
    guint64 key = conn;
    kasme_radio_conn *here = g_hash_table_lookup(tr->radio, &key);
    if (here && here->as.active)
        return;
    for (unsigned i = 0; i < KASME_HO_MOVES; i++) {
        guint64 moved = tr->ho_moves[i];
        kasme_radio_conn *rc = moved ? g_hash_table_lookup(tr->radio, &moved) : NULL;
        if (!rc || moved == conn || rnti_part(moved) != rnti_part(conn) || !rc->as.reest_pending)
            continue;
        kasme_radio_conn copy = *rc;
        memset(&rc->as, 0, sizeof rc->as);
        g_hash_table_remove(tr->radio, &moved);
        kasme_radio_conn *target = radio_conn(tr, conn);
        kasme_as_ctx_clear(&target->as);
        *target = copy;
        kasme_secure_zero(&copy, sizeof copy);
        kasme_ue *ue = kasme_ue_of_conn(tr, moved);
        if (ue)
            kasme_conn_map_insert(tr, conn, ue);
        tr->ho_moves[i] = 0;
        return;
    }
}

void kasme_tracker_rrc_reest(kasme_tracker *tr, uint64_t conn, int ncc)
{
    guint64 key = conn;
    kasme_radio_conn *rc = g_hash_table_lookup(tr->radio, &key);
    if (rc && rc->as.reest_pending)
        rc->as.reest_ncc = ncc;
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
    kasme_sched *up = kasme_as_up(&rc->as);
    if (!up) {
        res->status = KASME_PDU_ALG_UNAVAILABLE;
        return;
    }
    /* after a re-establishment or handover an RLC-UM DRB starts again at COUNT 0 (TS 36.323
     * 5.2.1.2, 5.2.2.2) while an AM DRB goes on: both are tried */
    uint32_t tries[4];
    size_t n_tries = 0;
    for (size_t i = 0; i < n_counts && i < 3; i++)
        tries[n_tries++] = counts[i];
    if (rc->drb_moved[meta->dir][meta->rb_id])
        tries[n_tries++] = read_sn(meta, pdu);
    counts = tries;
    n_counts = n_tries;
    unsigned bearers[2] = {known > 0 ? (unsigned)known - 1 : meta->rb_id - 1, meta->rb_id + 1};
    size_t n_bearers = known > 0 ? 1 : 2;
    bool found = false;
    for (size_t b = 0; b < n_bearers && !found; b++) {
        for (size_t i = 0; i < n_counts && !found; i++) {
            memcpy(plain_out, pdu + hdr, body);
            /* a refused BEARER (the identity + 1 guess above 31) leaves ciphertext behind */
            if (kasme_cipher_apply(&up->enc, counts[i], bearers[b], (unsigned)meta->dir,
                                   plain_out, body, body * 8) != KASME_SEC_OK)
                continue;
            if (looks_like_ip(plain_out, body)) {
                found = true;
                res->bearer = bearers[b];
                res->count = counts[i];
                rc->drb_bearer[meta->rb_id] = (int8_t)(bearers[b] + 1);
                rc->drb_moved[meta->dir][meta->rb_id] = false;
                if (i == n_counts - 1 && n_counts > 1 && counts[i] < counts[0])
                    rc->seen[meta->dir][slot_of(meta)] = false; /* HFN restarted */
            }
        }
    }
    if (!found) {
        res->bearer = bearers[0];
        res->count = counts[0];
        memcpy(plain_out, pdu + hdr, body);
        if (kasme_cipher_apply(&up->enc, counts[0], bearers[0], (unsigned)meta->dir, plain_out,
                               body, body * 8) != KASME_SEC_OK) {
            res->status = KASME_PDU_CIPHER_REFUSED;
            res->unverified_why = "the cipher or integrity algorithm refused the PDU";
            return;
        }
        res->unverified_why = "the plaintext is not an IP packet (ROHC, or wrong keys)";
    }
    res->plain_len = body;
    res->ciphered = rc->as.eea != 0;
    res->status = KASME_PDU_DECIPHERED;
    res->mac_status = KASME_MAC_NOT_PRESENT;
    note_count(rc, meta->dir, slot_of(meta), res->count);
}

/* A UE that arrives by handover on a cell whose eNB got {NH, NCC} over S1AP: its first SRB1
 * PDU (RRCConnectionReconfigurationComplete) is tried with the pending NHs, and a MAC-I that
 * verifies gives the connection its keys and, when the S1AP connection named it, its UE. */
static bool incoming_handover(kasme_tracker *tr, kasme_radio_conn *rc,
                              const kasme_pdcp_meta *meta, const uint8_t *pdu, size_t len,
                              uint32_t count, uint8_t *work, kasme_pdcp_result *res)
{
    kasme_nh_pending taken;
    if (!kasme_nh_incoming(tr, &rc->as, pdu, len, count, res->bearer, meta->dir, work, &taken))
        return false;
    kasme_ue *ue = kasme_ue_by_id(tr, taken.ue_id);
    if (ue && !kasme_ue_of_conn(tr, meta->conn)) {
        kasme_conn_map_insert(tr, meta->conn, ue);
        res->ue_id = ue->id;
        g_strlcpy(res->imsi, ue->imsi, sizeof res->imsi);
    }
    res->kenb_star = true;
    res->pci = rc->as.reest_pci;
    res->earfcn_dl = rc->as.reest_earfcn;
    res->nh_frame = taken.frame;
    kasme_as_fill_keys(&rc->as, res);
    kasme_secure_zero(&taken, sizeof taken);
    return true;
}

/* Before integrity protection an SRB PDU's MAC-I field is there and all 0 (TS 36.323
 * 6.3.4): only a PDU with another MAC-I can be protected. */
static bool mac_i_present(const uint8_t *pdu, size_t len)
{
    return len >= 1 + KASME_MAC_I_LEN &&
           (pdu[len - 4] | pdu[len - 3] | pdu[len - 2] | pdu[len - 1]) != 0;
}

typedef enum { AS_NO_LINES, AS_FOUND, AS_NOT_FOUND } as_search_outcome;

/* A connection that was secured before the capture began (no RRC SMC in it): the key file's
 * K_eNB lines and every EEA/EIA pair against this PDU's MAC-I (kasme_as_search). The found
 * COUNT is noted so that handle_srb verifies the PDU at it; when no line verifies, res says
 * so (never a guess). */
static as_search_outcome as_search(kasme_tracker *tr, kasme_radio_conn *rc, const kasme_ue *ue,
                                   const kasme_pdcp_meta *meta, const uint8_t *pdu, size_t len,
                                   uint8_t *work, kasme_pdcp_result *res)
{
    uint32_t count;
    bool tried = false;
    if (!kasme_as_search(tr, &rc->as, ue, meta, pdu, len, res->bearer, work, &count, &tried)) {
        if (!tried)
            return AS_NO_LINES;
        res->status = KASME_PDU_NO_CONTEXT;
        res->mac_status = KASME_MAC_UNVERIFIED;
        res->mac_received = (uint32_t)pdu[len - 4] << 24 | (uint32_t)pdu[len - 3] << 16 |
                            (uint32_t)pdu[len - 2] << 8 | pdu[len - 1];
        res->unverified_why = "no RRC SMC seen, and no key-file K_eNB verifies the MAC-I "
                              "(any EEA/EIA, COUNT < 512)";
        return AS_NOT_FOUND;
    }
    rc->seen[meta->dir][slot_of(meta)] = true;
    rc->last_count[meta->dir][slot_of(meta)] = count;
    res->events |= KASME_EV_ALGS_SEARCHED;
    kasme_as_fill_keys(&rc->as, res);
    return AS_FOUND;
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
    if (len < (meta->srb ? 1 + KASME_MAC_I_LEN : header_len(meta) + 1)) {
        res->status = KASME_PDU_MALFORMED;
        return;
    }
    res->bearer = meta->rb_id - 1; /* TS 33.401 B.1.1: BEARER = radio bearer identity - 1 */
    follow_handover(tr, meta->conn);
    kasme_radio_conn *rc = radio_conn(tr, meta->conn);
    kasme_ue *ue = kasme_ue_of_conn(tr, meta->conn);
    if (ue) {
        res->ue_id = ue->id;
        g_strlcpy(res->imsi, ue->imsi, sizeof res->imsi);
    }
    uint32_t counts[KASME_SEARCH_HFNS];
    size_t n = srb_counts(rc, meta, read_sn(meta, pdu), counts);
    kasme_pdcp_meta smc_meta = *meta;
    if (meta->srb && meta->dir == KASME_DIR_DL && !meta->rrc_smc && meta->payload_opaque)
        smc_meta.rrc_smc = kasme_rrc_parse_smc(pdu + 1, len - 1 - KASME_MAC_I_LEN, &smc_meta.smc_eea,
                                               &smc_meta.smc_eia);
    /* ciphertext can read as an SMC: a guessed one never replaces a running AS context
     * unless its MAC-I verifies, which EIA0 cannot */
    if (smc_meta.rrc_smc && !meta->rrc_smc && rc->as.active && smc_meta.smc_eia == 0)
        smc_meta.rrc_smc = false;
    bool smc_guessed = smc_meta.rrc_smc && !meta->rrc_smc;
    kasme_pdcp_result before = *res;
    as_search_outcome searched;
    uint32_t smc_count = counts[0];
    if (smc_meta.rrc_smc && meta->srb) {
        res->mac_received = (uint32_t)pdu[len - 4] << 24 | (uint32_t)pdu[len - 3] << 16 |
                            (uint32_t)pdu[len - 2] << 8 | pdu[len - 1];
        smc_count = kasme_rrc_smc(tr, rc, &smc_meta, pdu, len, counts, n, res);
    }
    if (smc_guessed && res->status != KASME_PDU_DECIPHERED && rc->as.active) {
        /* it only looked like an SMC: a ciphered PDU of the running AS context */
        *res = before;
        smc_meta.rrc_smc = false;
    }
    if (smc_meta.rrc_smc && meta->srb) {
        note_count(rc, meta->dir, slot_of(meta), smc_count);
        res->plain_len = len - 1 - KASME_MAC_I_LEN; /* the SMC is not ciphered */
        memcpy(plain_out, pdu + 1, res->plain_len);
    } else if (!rc->as.active && meta->srb && meta->rb_id == 1 &&
               incoming_handover(tr, rc, meta, pdu, len, counts[0], plain_out, res)) {
        handle_srb(rc, meta, pdu, len, counts, n, plain_out, res);
    } else if (!rc->as.active && meta->srb && mac_i_present(pdu, len) &&
               (searched = as_search(tr, rc, ue, meta, pdu, len, plain_out, res)) != AS_NO_LINES) {
        if (searched == AS_NOT_FOUND)
            return;
        n = srb_counts(rc, meta, read_sn(meta, pdu), counts);
        handle_srb(rc, meta, pdu, len, counts, n, plain_out, res);
    } else if (!rc->as.active) {
        /* before the RRC SMC nothing is protected: the RRC message is the data as it is */
        res->status = KASME_PDU_PLAIN;
        res->count = counts[0];
        note_count(rc, meta->dir, slot_of(meta), counts[0]);
        if (meta->srb) {
            res->plain_len = len - 1 - KASME_MAC_I_LEN;
            memcpy(plain_out, pdu + 1, res->plain_len);
        }
        return;
    } else if (meta->srb && rc->as.reest_pending && meta->rb_id == 1) {
        rc->as.reest_pending = false;
        if (kasme_reest_derive(tr, &rc->as, pdu, len, counts[0], res->bearer, meta->dir, plain_out)) {
            res->kenb_star = true;
            res->pci = rc->as.reest_pci;
            res->earfcn_dl = rc->as.reest_earfcn;
            kasme_as_fill_keys(&rc->as, res);
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
