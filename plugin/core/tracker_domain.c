/* The small, named places where an EPS and a 5GS NAS security context differ (TS 33.401 and
 * TS 33.501); the NAS protection engine around them is shared. */
#include "tracker_int.h"

#include "kdf.h"
#include "kdf5g.h"

static const kasme_domain_profile profiles[2] = {
    [KASME_DOMAIN_EPS] = {0x15,
                          "no AKA or key-file K_ASME for this UE and KSI",
                          "no recent uplink NAS COUNT gives this K_eNB",
                          "no K_ASME for this UE: NH kept for the target cell's first MAC-I",
                          "no K_ASME for this UE: NH kept for the target cell's first MAC-I",
                          "no initial K_eNB (S1AP SecurityKey) to start this UE's NH chain",
                          "no NH of this UE's chain (K_ASME, initial K_eNB) has this NCC and value",
                          kasme_subdb_kasme_by_imsi, kasme_subdb_kasme_by_tmsi,
                          kasme_subdb_kasme_any},
    [KASME_DOMAIN_5GS] = {0x69,
                          "no 5G AKA or key-file K_AMF for this UE and ngKSI",
                          "no recent uplink NAS COUNT gives this K_gNB",
                          "no known UE on this connection, and no recent UE's NH chain holds "
                          "this NH",
                          "no K_AMF for this UE in this capture",
                          "no initial K_gNB (NGAP SecurityKey) to start this UE's NH chain",
                          "no NH of this UE's chain (K_AMF, initial K_gNB) has this NCC and value",
                          kasme_subdb_kamf_by_imsi, kasme_subdb_kamf_by_tmsi,
                          kasme_subdb_kamf_any},
};

const uint8_t *kasme_root_line_key(kasme_domain domain, const kasme_subscriber *line)
{
    return domain == KASME_DOMAIN_5GS ? line->kamf : line->kasme;
}

const kasme_domain_profile *kasme_profile(kasme_domain domain)
{
    return &profiles[domain == KASME_DOMAIN_5GS];
}

unsigned kasme_nas_bearer(kasme_domain domain, const kasme_pdu_meta *meta)
{
    if (domain != KASME_DOMAIN_5GS)
        return 0;
    return meta && meta->access_type == KDF5G_ACCESS_NON_3GPP ? KDF5G_ACCESS_NON_3GPP
                                                              : KDF5G_ACCESS_3GPP;
}

int kasme_derive_an_key(kasme_domain domain, const uint8_t root[32], uint32_t ul_count,
                        uint8_t out[32])
{
    if (domain == KASME_DOMAIN_5GS)
        return kdf5g_kgnb(root, ul_count, KDF5G_ACCESS_3GPP, out);
    return kdf_kenb(root, ul_count, out);
}

int kasme_derive_nh(kasme_domain domain, const uint8_t root[32], const uint8_t sync[32],
                    uint8_t out[32])
{
    if (domain == KASME_DOMAIN_5GS)
        return kdf5g_nh(root, sync, out);
    return kdf_nh(root, sync, out);
}
