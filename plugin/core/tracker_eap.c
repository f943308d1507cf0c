/* EAP-AKA' in the tracker (TS 33.501 6.1.3.1, RFC 9048): the AKA'-Challenge of a 5GS
 * Authentication Request gives CK'/IK' (network name from AT_KDF_INPUT), MK and its keys;
 * AT_MAC under K_aut confirms them and the EAP identity; K_AUSF = EMSK[0..31] -> K_SEAF ->
 * K_AMF as for 5G AKA (Annex A.6, A.7), and the SMC's MAC confirms K_AMF. The subscriber is
 * found by AUTN's MAC-A in tracker_aka.c, which calls in here. */
#include "tracker_int.h"

#include <stdio.h>
#include <string.h>

#include "eap_aka_prime.h"
#include "kdf.h"
#include "kdf5g.h"
#include "secure_zero.h"

/* AT_MAC (RFC 4187 10.15, RFC 9048 3.5): the first 16 octets of HMAC-SHA-256 under K_aut
 * over the whole EAP packet with AT_MAC's value zeroed. */
static bool at_mac_matches(const uint8_t k_aut[32], const uint8_t *pkt, size_t len,
                           size_t mac_offset)
{
    uint8_t copy[KASME_EAP_PKT_MAX], digest[32];
    if (len > sizeof copy || mac_offset == 0)
        return false;
    memcpy(copy, pkt, len);
    memset(copy + mac_offset, 0, KASME_EAP_AKA_MAC_LEN);
    bool same = kdf_hmac_sha256(k_aut, 32, copy, len, digest) == 0 &&
                memcmp(digest, pkt + mac_offset, KASME_EAP_AKA_MAC_LEN) == 0;
    kasme_secure_zero(digest, sizeof digest);
    return same;
}

/* The EAP identity in MK: TS 33.501 (from v15.9.0 on) takes the IMSI digits of the SUPI,
 * earlier cores the SUPI with its "imsi-" type prefix; AT_MAC tells which one the peers used. */
#define EAP_IDENTITIES 2
static size_t identity_candidates(const char *imsi, char out[EAP_IDENTITIES][24])
{
    snprintf(out[0], sizeof out[0], "%s", imsi);
    snprintf(out[1], sizeof out[1], "imsi-%s", imsi);
    return EAP_IDENTITIES;
}

/* MK's keys for the identity whose K_aut gives the packet its AT_MAC; false if none does. */
static bool keys_for_at_mac(const uint8_t ck_prime[16], const uint8_t ik_prime[16],
                            const char *imsi, const uint8_t *pkt, size_t len,
                            const kasme_eap_aka *eap, eap_aka_prime_keys *keys)
{
    char ids[EAP_IDENTITIES][24];
    size_t n = identity_candidates(imsi, ids);
    for (size_t i = 0; i < n; i++) {
        if (eap_aka_prime_keys_derive(ck_prime, ik_prime, (const uint8_t *)ids[i],
                                      strlen(ids[i]), keys) == 0 &&
            at_mac_matches(keys->k_aut, pkt, len, eap->mac_offset))
            return true;
    }
    kasme_secure_zero(keys, sizeof *keys);
    return false;
}

/* The serving network of the name (TS 24.501 9.12.1): the UE's candidate whose name it is. */
static void sn_of_name(const kasme_ue *ue, const kasme_pdu_meta *meta, const char *name,
                       uint8_t sn[3])
{
    uint8_t plmns[KASME_MAX_SN_CANDIDATES][3];
    size_t n = kasme_sn_candidates(ue, meta, plmns, KASME_MAX_SN_CANDIDATES);
    memset(sn, 0, 3);
    for (size_t i = 0; i < n; i++) {
        char snn[KDF5G_SNN_SIZE];
        if (kdf5g_serving_network_name(plmns[i], snn) == 0 && strcmp(snn, name) == 0) {
            memcpy(sn, plmns[i], 3);
            return;
        }
    }
}

/* K_AUSF = EMSK[0..31] (TS 33.501 6.1.3.1 step 5), K_SEAF (A.6), K_AMF (A.7). */
static bool kamf_from_emsk(const eap_aka_prime_keys *keys, const char *snn, const char *supi,
                           const kasme_nas_msg *msg, uint8_t kamf[32])
{
    uint8_t kausf[32];
    eap_aka_prime_kausf(keys, kausf);
    bool ok = kasme_kamf_from_kausf(kausf, snn, supi, msg, kamf);
    kasme_secure_zero(kausf, sizeof kausf);
    return ok;
}

bool kasme_eap_challenge(const kasme_ue *ue, const kasme_pdu_meta *meta, const char *supi,
                         const kasme_nas_msg *msg, const kasme_eap_aka *eap,
                         const kasme_aka_vector *vec, kasme_sec_ctx *ctx)
{
    uint8_t ck_prime[16], ik_prime[16];
    eap_aka_prime_keys keys;
    /* RFC 9048 3.2: KDF 1 is the only one defined; the key follows the network name */
    bool ok = (!eap->has_kdf || eap->kdf == 1) && supi[0] && msg->has_abba &&
              eap_aka_prime_ck_ik(vec->ck, vec->ik, eap->network_name, eap->autn, ck_prime,
                                  ik_prime) == 0 &&
              keys_for_at_mac(ck_prime, ik_prime, supi, msg->eap, msg->eap_len, eap, &keys);
    kasme_secure_zero(ck_prime, sizeof ck_prime);
    kasme_secure_zero(ik_prime, sizeof ik_prime);
    if (!ok)
        return false;
    kasme_root_cands *cands = kasme_ctx_cands(ctx);
    kasme_cands_5gs *c5 = kasme_ctx_cands_5gs(ctx); /* ctx is a 5GS context */
    ctx->n_roots = kamf_from_emsk(&keys, eap->network_name, supi, msg, cands->root[0]) ? 1 : 0;
    sn_of_name(ue, meta, eap->network_name, cands->sn[0]);
    if (c5) {
        memcpy(c5->k_aut, keys.k_aut, 32);
        c5->has_k_aut = true;
    }
    kasme_secure_zero(&keys, sizeof keys);
    return true;
}

void kasme_eap_response(kasme_tracker *tr, const kasme_ue *ue, const kasme_nas_msg *msg, kasme_nas_result *res)
{
    kasme_eap_aka eap;
    const kasme_sec_ctx *ctx = kasme_ue_pending(tr, ue, KASME_DOMAIN_5GS);
    const kasme_cands_5gs *c5 = ctx ? kasme_ctx_cands_5gs(ctx) : NULL;
    if (kasme_eap_parse(msg->eap, msg->eap_len, &eap) != 0 || eap.code != KASME_EAP_RESPONSE ||
        eap.subtype != KASME_EAP_AKA_CHALLENGE || !c5 || !c5->has_k_aut)
        return;
    bool mac_ok = at_mac_matches(c5->k_aut, msg->eap, msg->eap_len, eap.mac_offset);
    res->events |= mac_ok ? KASME_EV_EAP_MAC_OK : KASME_EV_EAP_MAC_BAD;
    /* RES is the first res_len octets of the subscriber's output (TS 33.102 6.3.2) */
    size_t res_len = eap.res_bits / 8;
    bool res_ok = eap.res && eap.res_bits % 8 == 0 && res_len <= ue->aka.xres_len &&
                  memcmp(eap.res, ue->aka.xres, res_len) == 0;
    res->events |= res_ok ? KASME_EV_RES_OK : KASME_EV_RES_BAD;
}
