/* AKA in the tracker, EPS AKA (TS 33.401 6.1, TS 24.301 5.4.2), 5G AKA (TS 33.501 6.1.3.2,
 * TS 24.501 5.4.1.3) and EAP-AKA' (6.1.3.1, its keys in tracker_eap.c): find the subscriber
 * whose MAC-A matches AUTN, derive CK/IK and the root key candidates (K_ASME; K_AUSF -> K_SEAF
 * -> K_AMF), check RES (RES*). */
#include "tracker_int.h"

#include <string.h>

#include "kdf.h"
#include "kdf5g.h"
#include "secure_zero.h"
#include "milenage.h"
#include "xor_auth.h"

static bool kamf_from_kausf(const uint8_t kausf[32], const char *snn, const char *supi,
                            const uint8_t *abba, size_t abba_len, uint8_t kamf[32])
{
    uint8_t kseaf[32];
    bool ok = kdf5g_kseaf(kausf, snn, kseaf) == 0 &&
              kdf5g_kamf(kseaf, supi, abba, abba_len, kamf) == 0;
    kasme_secure_zero(kseaf, sizeof kseaf);
    return ok;
}

bool kasme_kamf_from_kausf(const uint8_t kausf[32], const char *snn, const char *supi,
                           const kasme_nas_msg *msg, uint8_t kamf[32])
{
    return kamf_from_kausf(kausf, snn, supi, msg->abba, msg->abba_len, kamf);
}

/* TS 33.501 A.2, A.6, A.7: one serving network's K_AMF, from CK || IK and AUTN's SQN xor AK. */
static bool derive_5g_kamf(const uint8_t ck_ik[32], const uint8_t plmn[3],
                           const uint8_t sqn_ak[6], const char *supi, const uint8_t *abba,
                           size_t abba_len, uint8_t kamf[32])
{
    char snn[KDF5G_SNN_SIZE];
    uint8_t kausf[32];
    bool ok = kdf5g_serving_network_name(plmn, snn) == 0 &&
              kdf5g_kausf(ck_ik, ck_ik + 16, snn, sqn_ak, kausf) == 0 &&
              kamf_from_kausf(kausf, snn, supi, abba, abba_len, kamf);
    kasme_secure_zero(kausf, sizeof kausf);
    return ok;
}

/* TS 33.501 A.4: one serving network's XRES*. */
static bool derive_5g_xres_star(const kasme_aka_vector *vec, const uint8_t plmn[3],
                                const kasme_nas_msg *msg, uint8_t xres_star[16])
{
    char snn[KDF5G_SNN_SIZE];
    return kdf5g_serving_network_name(plmn, snn) == 0 &&
           kdf5g_res_star(vec->ck, vec->ik, snn, msg->rand, vec->xres, vec->xres_len,
                          xres_star) == 0;
}

/* Computes the subscriber's view of AUTN; true if its MAC-A equals AUTN's (TS 33.102 6.3.3). */
static bool aka_check(const kasme_subscriber *sub, const uint8_t rand[16],
                      const uint8_t autn[16], kasme_aka_vector *out)
{
    uint8_t ak[6], sqn[6], mac_a[8];
    const uint8_t *amf = autn + 6;

    memset(out, 0, sizeof *out);
    /* AK and MAC-A first (3 AES for MILENAGE): a GUTI attach tries every subscriber, and
     * only the one that matches needs RES, CK and IK. */
    if (sub->alg == KASME_AUTH_MILENAGE) {
        if (milenage_f2345(sub->k, sub->opc, rand, NULL, NULL, NULL, ak, NULL))
            return false;
    } else if (sub->alg == KASME_AUTH_XOR) {
        xor_auth_f2345(sub->k, rand, out->xres, out->ck, out->ik, ak);
    } else {
        return false;
    }
    for (int i = 0; i < 6; i++)
        sqn[i] = autn[i] ^ ak[i];
    if (sub->alg == KASME_AUTH_MILENAGE) {
        if (milenage_f1(sub->k, sub->opc, rand, sqn, amf, mac_a, NULL))
            return false;
    } else {
        xor_auth_f1(sub->k, rand, sqn, amf, mac_a);
    }
    if (memcmp(mac_a, autn + 8, 8) != 0)
        return false;
    out->xres_len = sub->alg == KASME_AUTH_MILENAGE ? 8 : 16;
    return sub->alg != KASME_AUTH_MILENAGE ||
           milenage_f2345(sub->k, sub->opc, rand, out->xres, out->ck, out->ik, NULL, NULL) == 0;
}

static void encode_plmn(const char *imsi, size_t mnc_digits, uint8_t out[3])
{
    uint8_t d[6];
    for (size_t i = 0; i < 3 + mnc_digits; i++)
        d[i] = (uint8_t)(imsi[i] - '0');
    uint8_t mnc3 = mnc_digits == 3 ? d[5] : 0xF;
    out[0] = (uint8_t)(d[1] << 4 | d[0]);
    out[1] = (uint8_t)(mnc3 << 4 | d[2]);
    out[2] = (uint8_t)(d[4] << 4 | d[3]);
}

static size_t add_candidate(uint8_t out[][3], size_t n, size_t max, const uint8_t plmn[3])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(out[i], plmn, 3) == 0)
            return n;
    if (n < max)
        memcpy(out[n++], plmn, 3);
    return n;
}

/* TS 33.401 A.2, TS 33.501 6.1.1.4: the serving network is the PLMN the UE is served by. The
 * carrier's TAI/PLMN fields come first, then the last PLMN the UE's connection named (an
 * Authentication Request's DownlinkNASTransport names none; the InitialUEMessage did), the
 * GUTI's PLMN and the home PLMN from the IMSI (2- and 3-digit MNC); RES* and the SMC's MAC
 * decide. */
size_t kasme_sn_candidates(const kasme_ue *ue, const kasme_pdu_meta *meta, uint8_t out[][3],
                           size_t max)
{
    size_t n = 0;
    uint8_t plmn[3];
    for (size_t i = 0; meta && i < meta->n_plmns; i++)
        n = add_candidate(out, n, max, meta->plmns[i]);
    if (ue->has_carrier_plmn)
        n = add_candidate(out, n, max, ue->carrier_plmn);
    if (ue->has_guti_plmn)
        n = add_candidate(out, n, max, ue->guti_plmn);
    if (strlen(ue->imsi) >= 6) {
        encode_plmn(ue->imsi, 2, plmn);
        n = add_candidate(out, n, max, plmn);
        encode_plmn(ue->imsi, 3, plmn);
        n = add_candidate(out, n, max, plmn);
    }
    return n;
}

/* Every subscriber with secrets but skip, in key-file order, until one's MAC-A matches (the
 * loop a GUTI attach runs: f5 and f1 only for the ones that do not match). */
static const kasme_subscriber *search_subscribers(kasme_tracker *tr,
                                                  const kasme_subscriber *skip,
                                                  const uint8_t rand[16], const uint8_t autn[16],
                                                  kasme_aka_vector *vec)
{
    size_t n = kasme_subdb_secret_count(tr->db);
    for (size_t i = 0; i < n; i++) {
        const kasme_subscriber *sub = kasme_subdb_secret_at(tr->db, i);
        if (sub != skip && aka_check(sub, rand, autn, vec))
            return sub;
    }
    return NULL;
}

/* The subscriber whose MAC-A matches: the UE's own if known and it matches, else every other
 * subscriber with secrets. A GUTI attach does not say who the UE is; and a connection kasme
 * tied to one subscriber (its registration verified under that one's context) may be
 * authenticated for another: the core failed the MAC under the context of the GUTI's owner
 * and authenticates that owner (5g-s14 frame 30). */
static const kasme_subscriber *find_subscriber(kasme_tracker *tr, kasme_ue *ue,
                                               const uint8_t rand[16], const uint8_t autn[16],
                                               kasme_aka_vector *vec)
{
    if (!tr->db)
        return NULL;
    const kasme_subscriber *own = ue->sub && ue->sub->alg != KASME_AUTH_NONE ? ue->sub : NULL;
    if (own && aka_check(own, rand, autn, vec))
        return own;
    return search_subscribers(tr, own, rand, autn, vec);
}

/* The UE an AKA for sub runs on: the connection's own, unless that one is another
 * subscriber's; then sub's UE (by IMSI), or a new one, and the connection is tied to it, so
 * that the Authentication Response and SMC that follow are checked in sub's context. */
static kasme_ue *ue_of_subscriber(kasme_tracker *tr, kasme_ue *ue, const kasme_subscriber *sub)
{
    if (!ue->sub || ue->sub == sub)
        return ue;
    kasme_ue *owner = NULL;
    if (sub->id_kind == KASME_ID_IMSI)
        owner = kasme_ue_by_imsi(tr, sub->imsi);
    return owner ? owner : kasme_ue_new(tr);
}

/* EPS candidate n: K_ASME at once for the first (the SMC tries it first), the others when the
 * SMC tries them (kasme_ctx_root_cand): each is an HMAC-SHA-256 that rarely matters. */
static bool lazy_kasme(kasme_root_cands *cands, size_t n, const kasme_aka_vector *vec,
                       const uint8_t autn[16])
{
    if (n == 0)
        return kdf_kasme(vec->ck, vec->ik, cands->sn[0], autn, cands->root[0]) == 0;
    memcpy(cands->ck_ik, vec->ck, 16);
    memcpy(cands->ck_ik + 16, vec->ik, 16);
    memcpy(cands->sqn_ak, autn, 6);
    cands->underived |= (uint8_t)(1u << n);
    return true;
}

/* 5G candidate n: its XRES* at once; K_AMF at once for the first, the others when RES* or
 * the SMC picks them (kasme_ctx_root_cand): three HMAC-SHA-256 each that rarely matter. */
static bool lazy_kamf(kasme_sec_ctx *ctx, size_t n, const kasme_aka_vector *vec,
                      const kasme_nas_msg *msg, const char *supi)
{
    kasme_root_cands *cands = ctx->cands;
    kasme_cands_5gs *c5 = kasme_ctx_cands_5gs(ctx);
    if (!c5 || !derive_5g_xres_star(vec, cands->sn[n], msg, c5->xres_star[n]))
        return false;
    memcpy(cands->ck_ik, vec->ck, 16);
    memcpy(cands->ck_ik + 16, vec->ik, 16);
    memcpy(cands->sqn_ak, msg->autn, 6);
    if (n == 0)
        return derive_5g_kamf(cands->ck_ik, cands->sn[0], cands->sqn_ak, supi, msg->abba,
                              msg->abba_len, cands->root[0]);
    g_strlcpy(c5->supi, supi, sizeof c5->supi);
    c5->abba_len = (uint8_t)msg->abba_len;
    memcpy(c5->abba, msg->abba, msg->abba_len);
    cands->underived |= (uint8_t)(1u << n);
    return true;
}

/* The root key candidates of a new context, one per serving network candidate: K_ASME
 * (TS 33.401 A.2), or K_AMF with its XRES* (5G AKA). The SMC's MAC (and RES*) picks one. */
static void derive_root_candidates(const kasme_ue *ue, const kasme_subscriber *sub,
                                   const kasme_pdu_meta *meta, const kasme_nas_msg *msg,
                                   const kasme_aka_vector *vec, kasme_sec_ctx *ctx)
{
    uint8_t sn[KASME_MAX_SN_CANDIDATES][3] = {{0}};
    size_t n_sn = kasme_sn_candidates(ue, meta, sn, KASME_MAX_SN_CANDIDATES);
    kasme_root_cands *cands = kasme_ctx_cands_room(ctx, n_sn);
    memcpy(cands->sn, sn, sizeof sn);
    n_sn = MIN(n_sn, cands->room); /* a context given candidates before keeps their room */
    const char *supi = ue->imsi[0] ? ue->imsi : sub->imsi;
    size_t n = 0;
    for (size_t i = 0; i < n_sn; i++) {
        bool ok;
        memmove(cands->sn[n], cands->sn[i], 3);
        if (msg->domain == KASME_DOMAIN_5GS)
            ok = supi[0] && msg->has_abba && msg->abba_len <= KASME_CANDS_ABBA_MAX &&
                 lazy_kamf(ctx, n, vec, msg, supi);
        else
            ok = lazy_kasme(cands, n, vec, msg->autn);
        n += ok;
    }
    ctx->n_roots = (uint8_t)n;
}

/* RAND and AUTN of an Authentication Request: its own IEs (EPS AKA, 5G AKA), or the
 * AKA'-Challenge in its EAP message (EAP-AKA'); false if it has neither. */
static bool challenge_of(const kasme_nas_msg *msg, kasme_eap_aka *eap, const uint8_t **rand,
                         const uint8_t **autn)
{
    memset(eap, 0, sizeof *eap);
    if (msg->has_rand && msg->has_autn) {
        *rand = msg->rand;
        *autn = msg->autn;
        return true;
    }
    if (!msg->eap || kasme_eap_parse(msg->eap, msg->eap_len, eap) != 0 ||
        eap->code != KASME_EAP_REQUEST || eap->subtype != KASME_EAP_AKA_CHALLENGE ||
        !eap->rand || !eap->autn)
        return false;
    *rand = eap->rand;
    *autn = eap->autn;
    return true;
}

kasme_sec_ctx *kasme_aka_new_ctx(kasme_tracker *tr, kasme_ue *ue, kasme_domain domain, int ksi,
                                 uint32_t aka_frame, const kasme_subscriber *sub)
{
    kasme_sec_ctx *ctx = kasme_ctx_new(tr);
    ctx->ue_id = ue->id;
    ctx->ksi = ksi;
    ctx->sub = sub;
    ctx->aka_frame = aka_frame;
    ctx->domain = (uint8_t)domain;
    kasme_ue_set_pending(ue, domain, ctx);
    return ctx;
}

const uint8_t *kasme_ctx_root_cand(kasme_sec_ctx *ctx, size_t i)
{
    kasme_root_cands *c = ctx->cands;
    if (!c || i >= ctx->n_roots)
        return NULL;
    if (c->underived & (1u << i)) {
        const kasme_cands_5gs *c5 = kasme_ctx_cands_5gs(ctx);
        bool ok = ctx->domain == KASME_DOMAIN_5GS
                      ? c5 && derive_5g_kamf(c->ck_ik, c->sn[i], c->sqn_ak, c5->supi, c5->abba,
                                             c5->abba_len, c->root[i])
                      : kdf_kasme(c->ck_ik, c->ck_ik + 16, c->sn[i], c->sqn_ak, c->root[i]) == 0;
        if (!ok)
            return NULL;
        c->underived &= (uint8_t)~(1u << i);
    }
    return c->root[i];
}

kasme_ue *kasme_aka_request(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                            const kasme_nas_msg *msg, kasme_nas_result *res)
{
    kasme_aka_vector vec;
    kasme_eap_aka eap;
    const uint8_t *rand, *autn;
    tr->stats.aka_seen++;
    memset(&ue->aka, 0, sizeof ue->aka);
    if (!challenge_of(msg, &eap, &rand, &autn))
        return ue;
    const kasme_subscriber *sub = find_subscriber(tr, ue, rand, autn, &vec);
    if (!sub && !eap.rand && kasme_capkeys_aka(tr, ue, meta, msg, res))
        return ue; /* a vector the capture carried, found by RAND (tracker_capkeys.c) */
    if (!sub) {
        /* With no K for anyone (a K_ASME-only key file) there was nothing to match. */
        if (tr->db && kasme_subdb_secret_count(tr->db) > 0)
            res->events |= KASME_EV_AKA_NO_MATCH;
        return ue;
    }
    tr->stats.aka_matched++;
    res->events |= KASME_EV_AKA_MATCH;
    ue = ue_of_subscriber(tr, ue, sub);
    ue->sub = sub;
    if (!ue->imsi[0] && sub->id_kind == KASME_ID_IMSI)
        kasme_ue_set_imsi(tr, ue, sub->imsi);

    ue->aka = (kasme_aka_state){.valid = true, .xres_len = (uint8_t)vec.xres_len};
    memcpy(ue->aka.xres, vec.xres, 16);

    kasme_sec_ctx *ctx = kasme_aka_new_ctx(tr, ue, msg->domain, msg->ksi, meta->frame, sub);
    if (!eap.rand)
        derive_root_candidates(ue, sub, meta, msg, &vec, ctx);
    else if (kasme_eap_challenge(ue, meta, ue->imsi[0] ? ue->imsi : sub->imsi, msg, &eap, &vec,
                                 ctx))
        res->events |= KASME_EV_EAP_MAC_OK;
    else
        res->events |= KASME_EV_EAP_MAC_BAD;
    kasme_secure_zero(&vec, sizeof vec);
    return ue;
}

static void swap_octets(uint8_t *a, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* RES* (TS 33.501 6.1.3.2.0) equals the XRES* of one serving network name: that candidate
 * goes first, so the SMC tries the confirmed K_AMF before the others. */
/* Candidates 0 and i traded places: so do their "still to derive" bits. */
static void swap_underived(kasme_root_cands *c, size_t i)
{
    uint8_t bit0 = c->underived & 1u, bit_i = (c->underived >> i) & 1u;
    c->underived &= (uint8_t)~(1u | (1u << i));
    c->underived |= (uint8_t)(bit_i | (bit0 << i));
}

static bool res_star_matches(kasme_sec_ctx *ctx, const kasme_nas_msg *msg)
{
    kasme_cands_5gs *c5 = ctx ? kasme_ctx_cands_5gs(ctx) : NULL;
    if (!c5 || msg->res_len != 16)
        return false;
    kasme_root_cands *c = ctx->cands;
    for (size_t i = 0; i < ctx->n_roots; i++) {
        if (memcmp(c5->xres_star[i], msg->res, 16) != 0)
            continue;
        if (i) {
            swap_octets(c->root[0], c->root[i], 32);
            swap_octets(c->sn[0], c->sn[i], 3);
            swap_octets(c5->xres_star[0], c5->xres_star[i], 16);
            swap_underived(c, i);
        }
        return true;
    }
    return false;
}

void kasme_aka_response(kasme_tracker *tr, kasme_ue *ue, const kasme_nas_msg *msg,
                        kasme_nas_result *res)
{
    if (!ue->aka.valid)
        return;
    bool ok;
    if (msg->domain == KASME_DOMAIN_5GS && msg->eap) {
        kasme_eap_response(tr, ue, msg, res);
        return;
    }
    if (msg->domain == KASME_DOMAIN_5GS)
        ok = res_star_matches(kasme_ue_pending(tr, ue, KASME_DOMAIN_5GS), msg);
    else /* RES is the first res_len octets of the subscriber's output (TS 33.102 6.3.2). */
        ok = msg->res_len >= 4 && msg->res_len <= ue->aka.xres_len &&
             memcmp(msg->res, ue->aka.xres, msg->res_len) == 0;
    res->events |= ok ? KASME_EV_RES_OK : KASME_EV_RES_BAD;
}

void kasme_aka_failure(kasme_ue *ue, kasme_domain domain, kasme_nas_result *res)
{
    /* MAC failure or synch failure: the core will run a new AKA, whose request replaces this. */
    res->events |= KASME_EV_AUTH_FAILURE;
    ue->aka.valid = false;
    kasme_ue_set_pending(ue, domain, NULL);
}
