/* gen_ngap: synthetic NGAP captures for kasme scale tests, the 5G SA twin of gen_s1ap.
 *
 *   gen_ngap -n N_UES -m M_MSGS -o out.pcap -k out.keys [--seed S] [--alg NEA/NIA]
 *            [--ran-id-base B] [--amf-id-base B]
 *
 * Writes a pcap of bare NGAP PDUs (DLT 150, "User 3", as gen_s1ap's S1AP) in which N UEs
 * register with 5G AKA (MILENAGE, RES*, K_AUSF, K_SEAF, K_AMF: TS 33.501 Annex A), a NAS-5GS
 * Security Mode Command, an InitialContextSetupRequest carrying K_gNB and the ciphered
 * Registration Accept, a Registration Complete, then exchange M ciphered and
 * integrity-protected NAS-5GS messages in each direction; and the key file
 * (supi=imsi-... k= opc= amf=) with which kasme deciphers all of it.
 *
 * The UEs are interleaved step by step, as in gen_s1ap. All values derive from the seed.
 *
 * The NGAP PDUs are the real frames 3, 4, 5 and 8 of captures/5g-s01-nea2-nia2/ngap.pcapng
 * (Open5GS + UERANSIM) with their variable parts re-encoded in APER (X.691): the UE NGAP IDs,
 * the NAS-PDU, the SecurityKey and every length determinant around them. The NAS messages are
 * that capture's plaintexts (truth.json: frames 3 to 12) with the per-UE values (MSIN, 5G-TMSI)
 * put in. UE 0 with the default id bases writes frame 3 byte for byte.
 *
 * Stock Wireshark shows the body of a ciphered NAS-5GS PDU as "Encrypted data" and never
 * parses it (preference nas-5gs.null_decipher, off by default), so unlike gen_s1ap no message
 * has to be chosen by its ciphertext. */
#include <inttypes.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"
#include "kdf5g.h"
#include "sec_alg.h"

/* ---------------------------------------------------------------------------------------- */
/* Fixed values                                                                              */

/* PLMN 999/70 of the template capture: in the SUCI, the GUTI, the TAI and the cell id. */
#define PLMN 0x99, 0xf9, 0x07
static const uint8_t SERVING_PLMN[3] = {PLMN};
static const uint8_t AMF[2] = {0x80, 0x00};
static const uint8_t ABBA[2] = {0x00, 0x00};
#define SUPI_PREFIX 999700000000000ULL /* MCC 999, MNC 70, then the 10-digit MSIN */

/* Registration Request (UERANSIM), SUCI with the null scheme: MSIN at offset 14 (5 octets BCD). */
static const uint8_t T_REGISTRATION_REQUEST[] = {
    0x7e, 0x00, 0x41, 0x79, 0x00, 0x0d, 0x01, PLMN, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x10, 0x2e, 0x04, 0xf0, 0xf0, 0xf0, 0xf0};
#define REGISTRATION_REQUEST_MSIN_OFF 14

/* Security Mode Command (Open5GS): algorithms at offset 3, ngKSI 0, replayed UE security
 * capabilities, IMEISV request, Additional 5G security information. */
static const uint8_t T_SMC[] = {0x7e, 0x00, 0x5d, 0x22, 0x00, 0x04, 0xf0, 0xf0, 0xf0, 0xf0,
                                0xe1, 0x36, 0x01, 0x02};
#define SMC_ALG_OFF 3

/* Security Mode Complete: IMEISV and the NAS message container with the whole Registration
 * Request (its MSIN at offset 32). */
static const uint8_t T_SMC_COMPLETE[] = {
    0x7e, 0x00, 0x5e, 0x77, 0x00, 0x09, 0x45, 0x73, 0x80, 0x61, 0x21, 0x85, 0x61, 0x51,
    0xf1, 0x71, 0x00, 0x23, 0x7e, 0x00, 0x41, 0x79, 0x00, 0x0d, 0x01, PLMN, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x10, 0x01, 0x00, 0x2e, 0x04, 0xf0, 0xf0,
    0xf0, 0xf0, 0x2f, 0x02, 0x01, 0x01, 0x53, 0x01, 0x00};
#define SMC_COMPLETE_MSIN_OFF 32

/* Registration Accept: 5G-GUTI (5G-TMSI at offset 15), TAI list, allowed NSSAI, ... */
static const uint8_t T_REGISTRATION_ACCEPT[] = {
    0x7e, 0x00, 0x42, 0x01, 0x01, 0x77, 0x00, 0x0b, 0xf2, PLMN, 0x02, 0x00, 0x40,
    0xc0, 0x00, 0x01, 0x84, 0x54, 0x07, 0x40, PLMN, 0x00, 0x00, 0x01, 0x15, 0x02,
    0x01, 0x01, 0x21, 0x02, 0x01, 0x00, 0x5e, 0x01, 0x92};
#define REGISTRATION_ACCEPT_TMSI_OFF 15

static const uint8_t T_REGISTRATION_COMPLETE[] = {0x7e, 0x00, 0x43};

/* After the registration: downlink Configuration Update Command (network names, time zone,
 * time), uplink UL NAS Transport with a PDU Session Establishment Request (PDU session 1,
 * DNN "internet"): frames 11 and 12 of the capture. */
static const uint8_t T_CONFIGURATION_UPDATE[] = {
    0x7e, 0x00, 0x54, 0x43, 0x0f, 0x90, 0x00, 0x4f, 0x00, 0x70, 0x00, 0x65, 0x00, 0x6e, 0x00,
    0x35, 0x00, 0x47, 0x00, 0x53, 0x45, 0x09, 0x90, 0x00, 0x4e, 0x00, 0x65, 0x00, 0x78, 0x00,
    0x74, 0x46, 0x00, 0x47, 0x62, 0x21, 0x40, 0x51, 0x60, 0x01, 0x00, 0x49, 0x01, 0x00};
static const uint8_t T_UL_NAS_TRANSPORT[] = {
    0x7e, 0x00, 0x67, 0x01, 0x00, 0x15, 0x2e, 0x01, 0x01, 0xc1, 0xff, 0xff, 0x91,
    0xa1, 0x28, 0x01, 0x00, 0x7b, 0x00, 0x07, 0x80, 0x00, 0x0a, 0x00, 0x00, 0x0d,
    0x00, 0x12, 0x01, 0x81, 0x22, 0x01, 0x01, 0x25, 0x09, 0x08, 0x69, 0x6e, 0x74,
    0x65, 0x72, 0x6e, 0x65, 0x74};

/* NGAP IE values copied from the template frames. */
static const uint8_t IE_USER_LOCATION[] = {0x50, PLMN, 0x00, 0x00, 0x00, 0x01, 0x00,
                                           PLMN, 0x00, 0x00, 0x01, 0xee, 0xbd, 0x55, 0x62};
static const uint8_t IE_RRC_CAUSE_MO_SIGNALLING[] = {0x18};
static const uint8_t IE_UE_CONTEXT_REQUESTED[] = {0x00};
static const uint8_t IE_GUAMI[] = {0x00, PLMN, 0x02, 0x00, 0x40};
static const uint8_t IE_ALLOWED_NSSAI[] = {0x00, 0x01}; /* one S-NSSAI, SST 1 */
static const uint8_t IE_UE_SEC_CAPS[] = {0x1c, 0x00, 0x0e, 0x00, 0x07, 0x00, 0x03, 0x80, 0x00};
static const uint8_t IE_MASKED_IMEISV[] = {0x43, 0x70, 0x81, 0x61, 0x25, 0xff, 0xff, 0x51};

/* NGAP procedure codes and IE ids (TS 38.413). */
enum {
    PROC_DOWNLINK_NAS_TRANSPORT = 4,
    PROC_INITIAL_CONTEXT_SETUP = 14,
    PROC_INITIAL_UE_MESSAGE = 15,
    PROC_UPLINK_NAS_TRANSPORT = 46,
};
enum {
    ID_ALLOWED_NSSAI = 0,
    ID_AMF_UE_NGAP_ID = 10,
    ID_GUAMI = 28,
    ID_MASKED_IMEISV = 34,
    ID_NAS_PDU = 38,
    ID_RAN_UE_NGAP_ID = 85,
    ID_RRC_ESTABLISHMENT_CAUSE = 90,
    ID_SECURITY_KEY = 94,
    ID_UE_CONTEXT_REQUEST = 112,
    ID_UE_SECURITY_CAPABILITIES = 119,
    ID_USER_LOCATION_INFORMATION = 121,
};

/* RAN-UE-NGAP-ID is 0..2^32-1 (up to 4 octets), AMF-UE-NGAP-ID 0..2^40-1 (up to 5). */
#define RAN_ID_OCTETS 4
#define AMF_ID_OCTETS 5
#define RAN_ID_MAX 0xFFFFFFFFULL
#define AMF_ID_MAX 0xFFFFFFFFFFULL

enum { DIR_UL = GEN_DIR_UL, DIR_DL = GEN_DIR_DL };

/* BEARER of NEA/NIA for NAS-5GS: the NAS connection identifier of 3GPP access. Open5GS and
 * UERANSIM pass 1 (truth.json of captures/5g-s01-nea2-nia2: "bearer": 1), and so does kasme. */
#define NAS_BEARER_3GPP 1

/* ---------------------------------------------------------------------------------------- */
/* NGAP messages                                                                             */

static void put_ue_ids(gen_buf *ies, uint64_t amf_id, uint32_t ran_id)
{
    gen_put_ie_id(ies, ID_AMF_UE_NGAP_ID, amf_id, AMF_ID_OCTETS);
    gen_put_ie_id(ies, ID_RAN_UE_NGAP_ID, ran_id, RAN_ID_OCTETS);
}

static void ngap_initial_ue_message(gen_buf *o, uint32_t ran_id, const uint8_t *nas, size_t len)
{
    gen_buf ies = {.n = 0};
    gen_put_ie_id(&ies, ID_RAN_UE_NGAP_ID, ran_id, RAN_ID_OCTETS);
    gen_put_ie_octets(&ies, ID_NAS_PDU, GEN_CRIT_REJECT, nas, len);
    gen_put_ie_bytes(&ies, ID_USER_LOCATION_INFORMATION, GEN_CRIT_REJECT, IE_USER_LOCATION,
                     sizeof IE_USER_LOCATION);
    gen_put_ie_bytes(&ies, ID_RRC_ESTABLISHMENT_CAUSE, GEN_CRIT_IGNORE,
                     IE_RRC_CAUSE_MO_SIGNALLING, sizeof IE_RRC_CAUSE_MO_SIGNALLING);
    gen_put_ie_bytes(&ies, ID_UE_CONTEXT_REQUEST, GEN_CRIT_IGNORE, IE_UE_CONTEXT_REQUESTED,
                     sizeof IE_UE_CONTEXT_REQUESTED);
    gen_put_initiating(o, PROC_INITIAL_UE_MESSAGE, GEN_CRIT_IGNORE, 5, &ies);
}

static void ngap_downlink_nas(gen_buf *o, uint64_t amf_id, uint32_t ran_id, const uint8_t *nas,
                              size_t len)
{
    gen_buf ies = {.n = 0};
    put_ue_ids(&ies, amf_id, ran_id);
    gen_put_ie_octets(&ies, ID_NAS_PDU, GEN_CRIT_REJECT, nas, len);
    gen_put_initiating(o, PROC_DOWNLINK_NAS_TRANSPORT, GEN_CRIT_IGNORE, 3, &ies);
}

static void ngap_uplink_nas(gen_buf *o, uint64_t amf_id, uint32_t ran_id, const uint8_t *nas,
                            size_t len)
{
    gen_buf ies = {.n = 0};
    put_ue_ids(&ies, amf_id, ran_id);
    gen_put_ie_octets(&ies, ID_NAS_PDU, GEN_CRIT_REJECT, nas, len);
    gen_put_ie_bytes(&ies, ID_USER_LOCATION_INFORMATION, GEN_CRIT_IGNORE, IE_USER_LOCATION,
                     sizeof IE_USER_LOCATION);
    gen_put_initiating(o, PROC_UPLINK_NAS_TRANSPORT, GEN_CRIT_IGNORE, 4, &ies);
}

static void ngap_initial_context_setup(gen_buf *o, uint64_t amf_id, uint32_t ran_id,
                                       const uint8_t *nas, size_t len, const uint8_t kgnb[32])
{
    gen_buf ies = {.n = 0};
    put_ue_ids(&ies, amf_id, ran_id);
    gen_put_ie_bytes(&ies, ID_GUAMI, GEN_CRIT_REJECT, IE_GUAMI, sizeof IE_GUAMI);
    gen_put_ie_bytes(&ies, ID_ALLOWED_NSSAI, GEN_CRIT_REJECT, IE_ALLOWED_NSSAI,
                     sizeof IE_ALLOWED_NSSAI);
    gen_put_ie_bytes(&ies, ID_UE_SECURITY_CAPABILITIES, GEN_CRIT_REJECT, IE_UE_SEC_CAPS,
                     sizeof IE_UE_SEC_CAPS);
    /* SecurityKey ::= BIT STRING (SIZE(256)): fixed size, no length, octet-aligned. */
    gen_put_ie_bytes(&ies, ID_SECURITY_KEY, GEN_CRIT_REJECT, kgnb, 32);
    gen_put_ie_bytes(&ies, ID_MASKED_IMEISV, GEN_CRIT_IGNORE, IE_MASKED_IMEISV,
                     sizeof IE_MASKED_IMEISV);
    gen_put_ie_octets(&ies, ID_NAS_PDU, GEN_CRIT_IGNORE, nas, len);
    gen_put_initiating(o, PROC_INITIAL_CONTEXT_SETUP, GEN_CRIT_REJECT, 8, &ies);
}

/* ---------------------------------------------------------------------------------------- */
/* Per-UE values from the seed                                                               */

typedef struct {
    uint64_t supi;
    uint64_t amf_id;
    uint32_t ran_id, tmsi;
    uint8_t k[16], opc[16];
    uint8_t rand[16], autn[16], res_star[16];
    uint8_t kgnb[32];
    gen_nas nas;
} ue_t;

/* 5G AKA on the home network's side (TS 33.501 6.1.3.2): AUTN and RES* from MILENAGE, then
 * K_AUSF, K_SEAF and K_AMF (Annex A.2, A.6, A.7) for this SUPI and ABBA 0000. */
static void ue_aka(ue_t *ue, const uint8_t sqn[6], uint8_t kamf[32])
{
    uint8_t res[8], ck[16], ik[16], kausf[32], kseaf[32];
    char snn[KDF5G_SNN_SIZE], supi[16];
    int rc;
    gen_aka_vector(ue->k, ue->opc, ue->rand, sqn, AMF, ue->autn, res, ck, ik);
    if ((rc = kdf5g_serving_network_name(SERVING_PLMN, snn)))
        gen_die("kdf5g_serving_network_name", rc);
    if ((rc = kdf5g_res_star(ck, ik, snn, ue->rand, res, sizeof res, ue->res_star)))
        gen_die("kdf5g_res_star", rc);
    if ((rc = kdf5g_kausf(ck, ik, snn, ue->autn, kausf)))
        gen_die("kdf5g_kausf", rc);
    if ((rc = kdf5g_kseaf(kausf, snn, kseaf)))
        gen_die("kdf5g_kseaf", rc);
    snprintf(supi, sizeof supi, "%015" PRIu64, ue->supi);
    if ((rc = kdf5g_kamf(kseaf, supi, ABBA, sizeof ABBA, kamf)))
        gen_die("kdf5g_kamf", rc);
}

static void ue_setup(void *ue_v, uint32_t idx, const gen_options *o)
{
    ue_t *ue = ue_v;
    memset(ue, 0, sizeof *ue);
    uint64_t s = gen_ue_seed(o->seed, idx);
    ue->supi = SUPI_PREFIX + idx + 1; /* 999700000000001, ... */
    ue->ran_id = (uint32_t)(o->id_base[0] + idx);
    ue->amf_id = o->id_base[1] + idx;
    ue->tmsi = 0xC0000000u | (idx + 1);
    gen_rand_bytes(&s, ue->k, 16);
    gen_rand_bytes(&s, ue->opc, 16);
    uint8_t sqn[6];
    gen_draw_rand_sqn(&s, ue->rand, sqn);

    uint8_t kamf[32], k_enc[16], k_int[16];
    ue_aka(ue, sqn, kamf);
    int rc;
    /* A.8: the NAS keys; A.9: K_gNB from the UL NAS COUNT of the Security Mode Complete. */
    if ((rc = kdf5g_alg_key(kamf, KDF5G_NAS_ENC, (uint8_t)o->enc, k_enc)))
        gen_die("kdf5g_alg_key (NAS enc)", rc);
    if ((rc = kdf5g_alg_key(kamf, KDF5G_NAS_INT, (uint8_t)o->integ, k_int)))
        gen_die("kdf5g_alg_key (NAS int)", rc);
    if ((rc = kdf5g_kgnb(kamf, 0, KDF5G_ACCESS_3GPP, ue->kgnb)))
        gen_die("kdf5g_kgnb", rc);
    gen_nas_init(&ue->nas, o->enc, k_enc, o->integ, k_int);
}

/* ---------------------------------------------------------------------------------------- */
/* NAS-5GS                                                                                   */

/* A security-protected NAS-5GS message (TS 24.501 9.1.1): EPD 0x7e, security header type,
 * MAC, SN, inner message; the inner message ciphered for types 2 and 4. */
static size_t nas_protect(ue_t *ue, unsigned sec_hdr, unsigned dir, const uint8_t *inner,
                          size_t len, uint8_t *out)
{
    const uint8_t hdr[2] = {0x7e, (uint8_t)sec_hdr};
    return gen_nas_pdu(&ue->nas, hdr, sizeof hdr, NAS_BEARER_3GPP, dir,
                       sec_hdr == 2 || sec_hdr == 4, inner, len, out);
}

/* The MSIN (the SUPI's last 10 digits) as the SUCI's scheme output for the null scheme
 * (TS 24.501 9.11.3.4): BCD, the first digit in the low nibble. */
static void msin_bcd(uint64_t supi, uint8_t out[5])
{
    char d[16];
    snprintf(d, sizeof d, "%015" PRIu64, supi);
    for (int i = 0; i < 5; i++)
        out[i] = (uint8_t)((d[5 + 2 * i + 1] - '0') << 4 | (d[5 + 2 * i] - '0'));
}

/* ---------------------------------------------------------------------------------------- */
/* One step of one UE                                                                        */

enum {
    STEP_REGISTRATION_REQUEST,
    STEP_AUTH_REQUEST,
    STEP_AUTH_RESPONSE,
    STEP_SMC,
    STEP_SMC_COMPLETE,
    STEP_ICS_REGISTRATION_ACCEPT,
    STEP_REGISTRATION_COMPLETE,
    STEP_TRAFFIC, /* then 2 * M steps: DL, UL, DL, UL, ... */
};

/* The NAS-5GS message of a step, plain or protected, into nas; returns its length. */
static size_t step_nas(ue_t *ue, unsigned step, unsigned alg_octet, uint8_t *nas, gen_pcap *p)
{
    uint8_t plain[256];
    size_t len = 0;
    switch (step) {
    case STEP_REGISTRATION_REQUEST:
        memcpy(nas, T_REGISTRATION_REQUEST, sizeof T_REGISTRATION_REQUEST);
        msin_bcd(ue->supi, nas + REGISTRATION_REQUEST_MSIN_OFF);
        return sizeof T_REGISTRATION_REQUEST;
    case STEP_AUTH_REQUEST: { /* ngKSI 0, ABBA, RAND (IEI 21), AUTN (IEI 20) */
        const uint8_t head[] = {0x7e, 0x00, 0x56, 0x00, 0x02, ABBA[0], ABBA[1], 0x21};
        memcpy(nas, head, sizeof head);
        len = sizeof head;
        memcpy(nas + len, ue->rand, 16);
        len += 16;
        nas[len++] = 0x20;
        nas[len++] = 16;
        memcpy(nas + len, ue->autn, 16);
        return len + 16;
    }
    case STEP_AUTH_RESPONSE: /* RES* in the Authentication response parameter (IEI 2d) */
        memcpy(nas, (const uint8_t[]){0x7e, 0x00, 0x57, 0x2d, 0x10}, 5);
        memcpy(nas + 5, ue->res_star, 16);
        return 21;
    }
    p->protected_pdus++;
    switch (step) {
    case STEP_SMC:
        memcpy(plain, T_SMC, sizeof T_SMC);
        plain[SMC_ALG_OFF] = (uint8_t)alg_octet;
        return nas_protect(ue, 3, DIR_DL, plain, sizeof T_SMC, nas);
    case STEP_SMC_COMPLETE:
        memcpy(plain, T_SMC_COMPLETE, sizeof T_SMC_COMPLETE);
        msin_bcd(ue->supi, plain + SMC_COMPLETE_MSIN_OFF);
        return nas_protect(ue, 4, DIR_UL, plain, sizeof T_SMC_COMPLETE, nas);
    case STEP_ICS_REGISTRATION_ACCEPT:
        memcpy(plain, T_REGISTRATION_ACCEPT, sizeof T_REGISTRATION_ACCEPT);
        gen_put_be32(plain + REGISTRATION_ACCEPT_TMSI_OFF, ue->tmsi);
        return nas_protect(ue, 2, DIR_DL, plain, sizeof T_REGISTRATION_ACCEPT, nas);
    case STEP_REGISTRATION_COMPLETE:
        return nas_protect(ue, 2, DIR_UL, T_REGISTRATION_COMPLETE,
                           sizeof T_REGISTRATION_COMPLETE, nas);
    default:
        if ((step - STEP_TRAFFIC) % 2 == 0)
            return nas_protect(ue, 2, DIR_DL, T_CONFIGURATION_UPDATE,
                               sizeof T_CONFIGURATION_UPDATE, nas);
        return nas_protect(ue, 2, DIR_UL, T_UL_NAS_TRANSPORT, sizeof T_UL_NAS_TRANSPORT, nas);
    }
}

static void ue_step(void *ue_v, unsigned step, const gen_options *o, gen_pcap *p)
{
    ue_t *ue = ue_v;
    uint8_t nas[256];
    size_t len = step_nas(ue, step, o->enc << 4 | o->integ, nas, p);
    gen_buf ngap;
    if (step == STEP_REGISTRATION_REQUEST) {
        ngap_initial_ue_message(&ngap, ue->ran_id, nas, len);
    } else if (step == STEP_ICS_REGISTRATION_ACCEPT) {
        ngap_initial_context_setup(&ngap, ue->amf_id, ue->ran_id, nas, len, ue->kgnb);
        p->security_keys++;
    } else if (step == STEP_AUTH_REQUEST || step == STEP_SMC ||
               (step >= STEP_TRAFFIC && (step - STEP_TRAFFIC) % 2 == 0)) {
        ngap_downlink_nas(&ngap, ue->amf_id, ue->ran_id, nas, len);
    } else {
        ngap_uplink_nas(&ngap, ue->amf_id, ue->ran_id, nas, len);
    }
    gen_pcap_write(p, ngap.b, ngap.n);
}

/* ---------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: gen_ngap -n N_UES -m M_MSGS -o OUT.pcap -k OUT.keys [--seed S]\n"
               "                [--alg NEA/NIA] [--ran-id-base B] [--amf-id-base B]\n");
    gen_usage_common(f);
    fprintf(f, "  -k FILE        the key file (supi=imsi-... k= opc= amf=8000, one line per UE)\n"
               "  --alg E/I      NAS algorithms, 0..3 each (default 2/2 = 128-NEA2/128-NIA2)\n"
               "  --ran-id-base  RAN-UE-NGAP-ID of the first UE (default 1; up to 4294967295)\n"
               "  --amf-id-base  AMF-UE-NGAP-ID of the first UE (default 1; up to "
               "1099511627775)\n");
}

static void key_line(FILE *f, const void *ue_v)
{
    const ue_t *ue = ue_v;
    fprintf(f, "supi=imsi-%015" PRIu64, ue->supi);
    gen_key_tail(f, ue->k, ue->opc);
}

int main(int argc, char **argv)
{
    static const gen_id_option ids[2] = {{"ran-id-base", RAN_ID_MAX},
                                         {"amf-id-base", AMF_ID_MAX}};
    static const gen_scenario scenario = {sizeof(ue_t), offsetof(ue_t, nas), STEP_TRAFFIC,
                                          ue_setup, key_line, ue_step};
    gen_options o;
    gen_prog = "gen_ngap";
    int status = gen_parse_options(argc, argv, ids, usage, &o);
    if (status >= 0)
        return status;
    gen_pcap p;
    if ((status = gen_run(&scenario, &o, &p)) != 0)
        return status;
    fprintf(stderr,
            "gen_ngap: %" PRIu64 " UEs, %" PRIu64 " PDUs, %" PRIu64 " protected, %" PRIu64
            " SecurityKeys, NAS NEA%u/NIA%u, %" PRIu64 " bytes\n",
            o.n_ues, p.records, p.protected_pdus, p.security_keys, o.enc, o.integ, p.bytes);
    return 0;
}
