/* gen_s1ap: synthetic S1AP captures for kasme scale tests.
 *
 *   gen_s1ap -n N_UES -m M_MSGS -o out.pcap -k out.keys [--seed S] [--alg EEA/EIA]
 *            [--enb-id-base B] [--mme-id-base B]
 *
 * Writes a pcap of bare S1AP PDUs (DLT 150, "User 3", the framing of the bundled
 * captures/<scenario>/epc_s1ap.pcap) in which N UEs attach with real MILENAGE AKA, a NAS Security
 * Mode Command, an InitialContextSetupRequest carrying K_eNB and the ciphered Attach Accept, an
 * Attach Complete, then exchange M ciphered and integrity-protected NAS messages in each
 * direction; and the key file (imsi= k= opc= amf=) with which kasme deciphers all of it.
 *
 * The UEs are interleaved step by step (every UE does step 1, then every UE step 2, ...), so the
 * capture has N UEs in flight at once. All values derive from the seed; the same arguments give
 * the same bytes.
 *
 * The S1AP PDUs are the real frames of captures/s01-eea2-eia2/epc_s1ap.pcap (srsENB/srsEPC) with
 * their variable parts re-encoded in APER (X.691): the UE S1AP IDs, the NAS-PDU, the
 * SecurityKey and every length determinant around them. The NAS messages are that capture's
 * plaintexts (truth.json, ue_nas.pcap) with the per-UE values put in; after the attach, a few
 * other short valid messages stand in now and then so that stock Wireshark never takes a
 * ciphertext for a plain message it cannot parse (see choose_msg()).
 *
 * Crypto comes from kasme_core (milenage.h, kdf.h, sec_alg.h, through tools/gen_common), whose primitives the project's
 * tests check against the 3GPP test vectors. */
#include <inttypes.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcrypt_init.h"
#include "gen_common.h"
#include "kdf.h"
#include "sec_alg.h"

/* ---------------------------------------------------------------------------------------- */
/* Fixed values                                                                              */

static const uint8_t SN_ID[3] = {0x00, 0xf1, 0x10}; /* PLMN 001/01 */
static const uint8_t AMF[2] = {0x80, 0x00};

/* UE network capability of the Attach Request (EEA0-3, EIA1-3), replayed in the SMC. */
#define UE_NET_CAP 0x02, 0xf0, 0x70

/* Attach Request (srsUE), IMSI identity at offset 4 (length 8 + 8 octets BCD). */
static const uint8_t T_ATTACH_REQUEST[] = {
    0x07, 0x41, 0x71, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x08, UE_NET_CAP,
    0x00, 0x05, 0x02, 0x01, 0xd0, 0x11, 0xd1};
#define ATTACH_REQUEST_IMSI_OFF 4

/* Attach Accept (srsEPC), with its ESM Activate Default EPS Bearer Context Request; the PDN
 * address and the M-TMSI (in the GUTI and in the MS identity) are put in per UE. */
static const uint8_t T_ATTACH_ACCEPT[] = {
    0x07, 0x42, 0x01, 0x3e, 0x06, 0x00, 0x00, 0xf1, 0x10, 0x00, 0x07, 0x00, 0x1d, 0x52,
    0x01, 0xc1, 0x01, 0x07, 0x07, 0x06, 0x73, 0x72, 0x73, 0x61, 0x70, 0x6e, 0x05, 0x01,
    0xac, 0x10, 0x00, 0x02, 0x27, 0x08, 0x80, 0x00, 0x0d, 0x04, 0x08, 0x08, 0x08, 0x08,
    0x50, 0x0b, 0xf6, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x1a, 0x75, 0x87, 0x1d, 0xf4, 0x13,
    0x00, 0xf1, 0x10, 0x00, 0x06, 0x23, 0x05, 0xf4, 0x75, 0x87, 0x1d, 0xf4};
#define ATTACH_ACCEPT_IP_OFF 28
#define ATTACH_ACCEPT_GUTI_TMSI_OFF 51
#define ATTACH_ACCEPT_MSID_TMSI_OFF 64

/* Attach Complete with Activate Default EPS Bearer Context Accept (EBI 5). */
static const uint8_t T_ATTACH_COMPLETE[] = {0x07, 0x43, 0x00, 0x03, 0x52, 0x00, 0xc2};

/* Security Mode Complete. */
static const uint8_t T_SMC_COMPLETE[] = {0x07, 0x5e};

/* After the attach, each direction sends one of these plain messages, the first in the list
 * unless its ciphertext would fool stock Wireshark (see choose_msg()). */
typedef struct {
    const uint8_t *b;
    size_t len;
} nas_msg;
#define MSG(...) {(const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})}

static const nas_msg DL_TRAFFIC[] = {
    /* EMM Information (srsEPC: network name, time zone, time) */
    MSG(0x07, 0x61, 0x43, 0x18, 0x82, 0xd3, 0xb7, 0x99, 0x7e, 0x0f, 0xcb, 0xcb, 0x20, 0x69,
        0x98, 0x9c, 0x7e, 0x83, 0xa6, 0xf9, 0x39, 0xbd, 0xdc, 0x9e, 0x83, 0xa4, 0x41, 0x27,
        0x45, 0x07, 0x86, 0x73, 0xf9, 0x5c, 0x1a, 0x74, 0x02, 0x47, 0x62, 0x11, 0x32, 0x01,
        0x44, 0x72, 0x00),
    /* ESM Information Request, PTI 1 (srsEPC) */
    MSG(0x02, 0x01, 0xd9),
    /* Modify EPS Bearer Context Request, EBI 5, no optional IEs */
    MSG(0x52, 0x00, 0xc9),
    /* Identity Request (IMEISV) */
    MSG(0x07, 0x55, 0x03),
    /* ESM Status, EBI 5, cause #111 */
    MSG(0x52, 0x00, 0xe8, 0x6f),
};

static const nas_msg UL_TRAFFIC[] = {
    /* ESM Information Response, PTI 1, APN "srsapn" (srsUE) */
    MSG(0x02, 0x01, 0xda, 0x28, 0x07, 0x06, 0x73, 0x72, 0x73, 0x61, 0x70, 0x6e),
    /* Modify EPS Bearer Context Accept, EBI 5 */
    MSG(0x52, 0x00, 0xca),
    /* Uplink NAS Transport carrying an SMS CP-ACK */
    MSG(0x07, 0x63, 0x02, 0x09, 0x04),
    /* GUTI Reallocation Complete */
    MSG(0x07, 0x51),
    /* ESM Status, EBI 5, cause #111 */
    MSG(0x52, 0x00, 0xe8, 0x6f),
};

static const nas_msg SMC_COMPLETE[] = {{T_SMC_COMPLETE, sizeof T_SMC_COMPLETE}};
static const nas_msg ATTACH_COMPLETE[] = {{T_ATTACH_COMPLETE, sizeof T_ATTACH_COMPLETE}};
/* (the checks read the first 3 octets only, which are the same for every UE) */
static const nas_msg ATTACH_ACCEPT[] = {{T_ATTACH_ACCEPT, sizeof T_ATTACH_ACCEPT}};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* S1AP IE values copied from the template frames. */
static const uint8_t IE_TAI[] = {0x00, 0x00, 0xf1, 0x10, 0x00, 0x07};
static const uint8_t IE_EUTRAN_CGI[] = {0x00, 0x00, 0xf1, 0x10, 0x00, 0x19, 0xb0, 0x10};
static const uint8_t IE_RRC_CAUSE_MO_DATA[] = {0x40};
static const uint8_t IE_UE_AMBR[] = {0x18, 0x3b, 0x9a, 0xca, 0x00, 0x60, 0x3b, 0x9a, 0xca, 0x00};
static const uint8_t IE_UE_SEC_CAPS[] = {0x1c, 0x00, 0x0e, 0x00, 0x00};
/* E-RABToBeSetupItemCtxtSUReq up to the nAS-PDU: preamble (nAS-PDU present) and e-RAB-ID 5,
 * QoS (QCI 7, ARP 15), transportLayerAddress 127.0.1.100, gTP-TEID 1. */
static const uint8_t ERAB_ITEM_HEAD[] = {0x45, 0x00, 0x07, 0x3c, 0x0f, 0x80, 0x7f,
                                         0x00, 0x01, 0x64, 0x00, 0x00, 0x00, 0x01};

/* S1AP procedure codes, IE ids, criticalities (TS 36.413). */
enum {
    PROC_INITIAL_CONTEXT_SETUP = 9,
    PROC_DOWNLINK_NAS_TRANSPORT = 11,
    PROC_INITIAL_UE_MESSAGE = 12,
    PROC_UPLINK_NAS_TRANSPORT = 13,
};
enum {
    ID_MME_UE_S1AP_ID = 0,
    ID_ENB_UE_S1AP_ID = 8,
    ID_E_RAB_TO_BE_SETUP_LIST_CTXT_SU_REQ = 24,
    ID_NAS_PDU = 26,
    ID_E_RAB_TO_BE_SETUP_ITEM_CTXT_SU_REQ = 52,
    ID_UE_AMBR = 66,
    ID_TAI = 67,
    ID_SECURITY_KEY = 73,
    ID_EUTRAN_CGI = 100,
    ID_UE_SECURITY_CAPABILITIES = 107,
    ID_RRC_ESTABLISHMENT_CAUSE = 134,
};
enum { DIR_UL = GEN_DIR_UL, DIR_DL = GEN_DIR_DL };

/* ENB-UE-S1AP-ID takes up to 3 octets (0..2^24-1), MME-UE-S1AP-ID up to 4 (0..2^32-1). */
#define ENB_ID_OCTETS 3
#define MME_ID_OCTETS 4

static void put_ie_nas(gen_buf *o, const uint8_t *nas, size_t len)
{
    gen_put_ie_octets(o, ID_NAS_PDU, GEN_CRIT_REJECT, nas, len);
}

/* ---------------------------------------------------------------------------------------- */
/* S1AP messages                                                                             */

static void s1ap_initial_ue_message(gen_buf *o, uint32_t enb_id, const uint8_t *nas, size_t len)
{
    gen_buf ies = {.n = 0};
    gen_put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id, ENB_ID_OCTETS);
    put_ie_nas(&ies, nas, len);
    gen_put_ie_bytes(&ies, ID_TAI, GEN_CRIT_REJECT, IE_TAI, sizeof IE_TAI);
    gen_put_ie_bytes(&ies, ID_EUTRAN_CGI, GEN_CRIT_IGNORE, IE_EUTRAN_CGI, sizeof IE_EUTRAN_CGI);
    gen_put_ie_bytes(&ies, ID_RRC_ESTABLISHMENT_CAUSE, GEN_CRIT_IGNORE, IE_RRC_CAUSE_MO_DATA,
                 sizeof IE_RRC_CAUSE_MO_DATA);
    gen_put_initiating(o, PROC_INITIAL_UE_MESSAGE, GEN_CRIT_IGNORE, 5, &ies);
}

static void s1ap_downlink_nas(gen_buf *o, uint32_t mme_id, uint32_t enb_id, const uint8_t *nas,
                              size_t len)
{
    gen_buf ies = {.n = 0};
    gen_put_ie_id(&ies, ID_MME_UE_S1AP_ID, mme_id, MME_ID_OCTETS);
    gen_put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id, ENB_ID_OCTETS);
    put_ie_nas(&ies, nas, len);
    gen_put_initiating(o, PROC_DOWNLINK_NAS_TRANSPORT, GEN_CRIT_IGNORE, 3, &ies);
}

static void s1ap_uplink_nas(gen_buf *o, uint32_t mme_id, uint32_t enb_id, const uint8_t *nas,
                            size_t len)
{
    gen_buf ies = {.n = 0};
    gen_put_ie_id(&ies, ID_MME_UE_S1AP_ID, mme_id, MME_ID_OCTETS);
    gen_put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id, ENB_ID_OCTETS);
    put_ie_nas(&ies, nas, len);
    gen_put_ie_bytes(&ies, ID_EUTRAN_CGI, GEN_CRIT_IGNORE, IE_EUTRAN_CGI, sizeof IE_EUTRAN_CGI);
    gen_put_ie_bytes(&ies, ID_TAI, GEN_CRIT_IGNORE, IE_TAI, sizeof IE_TAI);
    gen_put_initiating(o, PROC_UPLINK_NAS_TRANSPORT, GEN_CRIT_IGNORE, 5, &ies);
}

static void s1ap_initial_context_setup(gen_buf *o, uint32_t mme_id, uint32_t enb_id,
                                       const uint8_t *nas, size_t len, const uint8_t kenb[32])
{
    gen_buf ies = {.n = 0};
    gen_put_ie_id(&ies, ID_MME_UE_S1AP_ID, mme_id, MME_ID_OCTETS);
    gen_put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id, ENB_ID_OCTETS);
    gen_put_ie_bytes(&ies, ID_UE_AMBR, GEN_CRIT_REJECT, IE_UE_AMBR, sizeof IE_UE_AMBR);

    /* E-RABToBeSetupListCtxtSUReq: SEQUENCE (SIZE(1..256)) OF ProtocolIE-SingleContainer:
     * the count minus one in one octet, then the single E-RAB item as an IE. */
    gen_buf item = {.n = 0};
    gen_put(&item, ERAB_ITEM_HEAD, sizeof ERAB_ITEM_HEAD);
    gen_put_len(&item, len); /* nAS-PDU: OCTET STRING */
    gen_put(&item, nas, len);
    gen_buf list = {.n = 0};
    gen_put8(&list, 0x00);
    gen_put_ie(&list, ID_E_RAB_TO_BE_SETUP_ITEM_CTXT_SU_REQ, GEN_CRIT_REJECT, &item);
    gen_put_ie(&ies, ID_E_RAB_TO_BE_SETUP_LIST_CTXT_SU_REQ, GEN_CRIT_REJECT, &list);

    gen_put_ie_bytes(&ies, ID_UE_SECURITY_CAPABILITIES, GEN_CRIT_REJECT, IE_UE_SEC_CAPS,
                 sizeof IE_UE_SEC_CAPS);
    /* SecurityKey ::= BIT STRING (SIZE(256)): fixed size, no length, octet-aligned. */
    gen_put_ie_bytes(&ies, ID_SECURITY_KEY, GEN_CRIT_REJECT, kenb, 32);
    gen_put_initiating(o, PROC_INITIAL_CONTEXT_SETUP, GEN_CRIT_REJECT, 6, &ies);
}

/* ---------------------------------------------------------------------------------------- */
/* Per-UE values from the seed                                                               */

typedef struct {
    uint64_t imsi;
    uint32_t enb_id, mme_id, m_tmsi, ip;
    uint8_t k[16], opc[16];
    uint8_t rand[16], autn[16], res[8];
    uint8_t kenb[32];
    gen_nas nas;
    unsigned attempts;           /* RAND draws until every ciphertext passed choose_msg() */
} ue_t;

/* Stock Wireshark shows the inner message of a type 2/4 NAS PDU as "Ciphered message" unless
 * its first octet looks like a plain NAS header (preference nas-eps.null_decipher, on by
 * default): 0x07, 0x0f or any 0xX2 in Wireshark 4.0 (measured: every value of that octet run
 * through tshark 4.0.17; later versions spare 0x12..0x42). A ciphertext that looks plain is
 * dissected as a plain message, as happens in real captures, and random octets can then end in
 * [Malformed Packet]. So the generator sends, in each direction, the first message of its list
 * whose ciphertext does not look plain. Only when the first keystream octet is 0x00 do all of
 * them look plain (the list mixes EMM and ESM messages with two EPS bearer identities); then it
 * takes one whose ciphered message type is outside every EMM (0x40..0x6f) or ESM (0xc0..0xef)
 * message type, which Wireshark shows as "Unknown Message Type" and nothing else (measured with
 * every such type and first octet). If none is (keystream octets 0, 1 and 2 all unlucky), the
 * UE's keys are drawn again (a new RAND): see ue_setup(). */
enum { SHOWN_CIPHERED = 0, SHOWN_UNKNOWN_TYPE = 1, UNGUARDED = 2 };

static bool looks_plain(uint8_t c0)
{
    return c0 == 0x07 || c0 == 0x0f || (c0 & 0x0f) == 0x02;
}

static bool unknown_type(const nas_msg *m, const uint8_t ks[3])
{
    uint8_t c0 = m->b[0] ^ ks[0];
    if (c0 == 0x07) { /* EMM: the message type is octet 2 */
        uint8_t c1 = m->len >= 2 ? (uint8_t)(m->b[1] ^ ks[1]) : 0x41;
        return m->len >= 2 && (c1 < 0x40 || c1 > 0x6f);
    }
    if ((c0 & 0x0f) == 0x02) { /* ESM: EBI/PD, PTI, then the message type */
        uint8_t c2 = m->len >= 3 ? (uint8_t)(m->b[2] ^ ks[2]) : 0xc1;
        return m->len >= 3 && (c2 < 0xc0 || c2 > 0xef);
    }
    return false; /* 0x0f: a test-procedure message, not examined */
}

static size_t choose_msg(ue_t *ue, uint32_t count, unsigned dir, const nas_msg *list, size_t n,
                         int *verdict)
{
    *verdict = SHOWN_CIPHERED;
    if (ue->nas.enc.alg == 0) /* EEA0: the plaintext is on the wire and Wireshark shows it */
        return 0;
    uint8_t ks[3] = {0, 0, 0};
    int rc = kasme_cipher_apply(&ue->nas.enc, count, 0, dir, ks, sizeof ks, 24);
    if (rc)
        gen_die("kasme_cipher_apply", rc);
    for (size_t i = 0; i < n; i++)
        if (!looks_plain(list[i].b[0] ^ ks[0]))
            return i;
    *verdict = SHOWN_UNKNOWN_TYPE;
    for (size_t i = 0; i < n; i++)
        if (unknown_type(&list[i], ks))
            return i;
    *verdict = UNGUARDED;
    return 0;
}

/* Whether every protected message this UE will send gets a ciphertext choose_msg() accepts. */
static bool ue_keys_ok(ue_t *ue, uint64_t m_msgs)
{
    int v;
    choose_msg(ue, 0, DIR_UL, SMC_COMPLETE, 1, &v);
    if (v == UNGUARDED)
        return false;
    choose_msg(ue, 1, DIR_DL, ATTACH_ACCEPT, 1, &v);
    if (v == UNGUARDED)
        return false;
    choose_msg(ue, 1, DIR_UL, ATTACH_COMPLETE, 1, &v);
    if (v == UNGUARDED)
        return false;
    for (uint64_t c = 2; c < m_msgs + 2; c++) {
        choose_msg(ue, (uint32_t)c, DIR_DL, DL_TRAFFIC, N_OF(DL_TRAFFIC), &v);
        if (v == UNGUARDED)
            return false;
        choose_msg(ue, (uint32_t)c, DIR_UL, UL_TRAFFIC, N_OF(UL_TRAFFIC), &v);
        if (v == UNGUARDED)
            return false;
    }
    return true;
}

#define MAX_ATTEMPTS 200

static void ue_setup(ue_t *ue, uint64_t seed, uint32_t idx, uint32_t enb_base, uint32_t mme_base,
                     unsigned eea, unsigned eia, uint64_t m_msgs)
{
    memset(ue, 0, sizeof *ue);
    uint64_t s = gen_ue_seed(seed, idx);
    ue->imsi = 1010000000000ULL + idx + 1; /* 001010000000001, ... */
    ue->enb_id = enb_base + idx;
    ue->mme_id = mme_base + idx;
    ue->m_tmsi = 0xC0000000u | (idx + 1);
    ue->ip = 0x0A000002u + idx; /* 10.0.0.2, ... */
    gen_rand_bytes(&s, ue->k, 16);
    gen_rand_bytes(&s, ue->opc, 16);

    /* A new RAND (and SQN) until choose_msg() finds a harmless ciphertext for every message.
     * About one UE in nine needs a second draw, mostly for the Security Mode Complete (2
     * octets: no message type to fall back on when its first octet looks like ESM). */
    uint8_t k_int[16];
    for (ue->attempts = 1;; ue->attempts++) {
        uint8_t sqn[6], ck[16], ik[16];
        gen_draw_rand_sqn(&s, ue->rand, sqn);
        gen_aka_vector(ue->k, ue->opc, ue->rand, sqn, AMF, ue->autn, ue->res, ck, ik);

        int rc;

        uint8_t kasme[32], k_enc[16];
        if ((rc = kdf_kasme(ck, ik, SN_ID, ue->autn, kasme)))
            gen_die("kdf_kasme", rc);
        if ((rc = kdf_alg_key(kasme, KDF_NAS_ENC, (uint8_t)eea, k_enc)))
            gen_die("kdf_alg_key (NAS enc)", rc);
        if ((rc = kdf_alg_key(kasme, KDF_NAS_INT, (uint8_t)eia, k_int)))
            gen_die("kdf_alg_key (NAS int)", rc);
        if ((rc = kdf_kenb(kasme, 0, ue->kenb))) /* UL NAS COUNT of the SMC Complete */
            gen_die("kdf_kenb", rc);
        if ((rc = kasme_cipher_init(&ue->nas.enc, eea, k_enc)))
            gen_die("kasme_cipher_init", rc);
        if (ue_keys_ok(ue, m_msgs) || ue->attempts == MAX_ATTEMPTS)
            break;
        kasme_cipher_free(&ue->nas.enc);
    }
    int rc = kasme_integrity_init(&ue->nas.integ, eia, k_int);
    if (rc)
        gen_die("kasme_integrity_init", rc);
}

/* ---------------------------------------------------------------------------------------- */
/* NAS                                                                                       */

/* A security-protected NAS PDU: header (sec_hdr, EMM PD) | MAC | SN | inner, the inner message
 * ciphered unless sec_hdr is 1 or 3, the MAC over SN || inner (after ciphering). Uses and
 * advances the COUNT of dir. Returns the length written to out. */
static size_t nas_protect(ue_t *ue, unsigned sec_hdr, unsigned dir, const uint8_t *inner,
                          size_t len, uint8_t *out)
{
    const uint8_t hdr = (uint8_t)(sec_hdr << 4 | 0x07);
    return gen_nas_pdu(&ue->nas, &hdr, 1, 0, dir, sec_hdr == 2 || sec_hdr == 4, inner, len, out);
}

/* The IMSI as a mobile identity value (TS 24.008 10.5.1.4): 15 digits, odd. */
static void imsi_bcd(uint64_t imsi, uint8_t out[8])
{
    char d[16];
    snprintf(d, sizeof d, "%015" PRIu64, imsi);
    out[0] = (uint8_t)((d[0] - '0') << 4 | 0x08 | 0x01);
    for (int i = 1; i < 8; i++)
        out[i] = (uint8_t)((d[2 * i] - '0') << 4 | (d[2 * i - 1] - '0'));
}

/* ---------------------------------------------------------------------------------------- */
/* One step of one UE                                                                        */

enum {
    STEP_ATTACH_REQUEST,
    STEP_AUTH_REQUEST,
    STEP_AUTH_RESPONSE,
    STEP_SMC,
    STEP_SMC_COMPLETE,
    STEP_ICS_ATTACH_ACCEPT,
    STEP_ATTACH_COMPLETE,
    STEP_TRAFFIC, /* then 2 * M steps: DL, UL, DL, UL, ... */
};

/* Ciphers and protects the message choose_msg() picks from list, with the next COUNT of dir. */
static size_t protect_chosen(ue_t *ue, unsigned sec_hdr, unsigned dir, const nas_msg *list,
                             size_t n, const uint8_t *override, uint8_t *out, gen_pcap *p)
{
    int v;
    uint32_t count = ue->nas.count[dir];
    size_t i = choose_msg(ue, count, dir, list, n, &v);
    p->verdicts[v]++;
    p->protected_pdus++;
    return nas_protect(ue, sec_hdr, dir, override ? override : list[i].b, list[i].len, out);
}

static void ue_step(ue_t *ue, unsigned step, unsigned eea, unsigned eia, gen_pcap *p)
{
    uint8_t plain[256], nas[256];
    size_t len = 0;
    gen_buf s1ap;

    switch (step) {
    case STEP_ATTACH_REQUEST:
        memcpy(nas, T_ATTACH_REQUEST, sizeof T_ATTACH_REQUEST);
        imsi_bcd(ue->imsi, nas + ATTACH_REQUEST_IMSI_OFF);
        s1ap_initial_ue_message(&s1ap, ue->enb_id, nas, sizeof T_ATTACH_REQUEST);
        break;
    case STEP_AUTH_REQUEST:
        nas[len++] = 0x07;
        nas[len++] = 0x52;
        nas[len++] = 0x00; /* NAS key set identifier 0 */
        memcpy(nas + len, ue->rand, 16);
        len += 16;
        nas[len++] = 16;
        memcpy(nas + len, ue->autn, 16);
        len += 16;
        s1ap_downlink_nas(&s1ap, ue->mme_id, ue->enb_id, nas, len);
        break;
    case STEP_AUTH_RESPONSE:
        nas[len++] = 0x07;
        nas[len++] = 0x53;
        nas[len++] = 8;
        memcpy(nas + len, ue->res, 8);
        len += 8;
        s1ap_uplink_nas(&s1ap, ue->mme_id, ue->enb_id, nas, len);
        break;
    case STEP_SMC: {
        /* selected algorithms, KSI 0, replayed UE security capabilities; not ciphered */
        const uint8_t smc[] = {0x07, 0x5d, (uint8_t)(eea << 4 | eia), 0x00, UE_NET_CAP};
        len = nas_protect(ue, 3, DIR_DL, smc, sizeof smc, nas);
        s1ap_downlink_nas(&s1ap, ue->mme_id, ue->enb_id, nas, len);
        p->protected_pdus++;
        break;
    }
    case STEP_SMC_COMPLETE:
        len = protect_chosen(ue, 4, DIR_UL, SMC_COMPLETE, 1, NULL, nas, p);
        s1ap_uplink_nas(&s1ap, ue->mme_id, ue->enb_id, nas, len);
        break;
    case STEP_ICS_ATTACH_ACCEPT:
        memcpy(plain, T_ATTACH_ACCEPT, sizeof T_ATTACH_ACCEPT);
        gen_put_be32(plain + ATTACH_ACCEPT_IP_OFF, ue->ip);
        gen_put_be32(plain + ATTACH_ACCEPT_GUTI_TMSI_OFF, ue->m_tmsi);
        gen_put_be32(plain + ATTACH_ACCEPT_MSID_TMSI_OFF, ue->m_tmsi);
        len = protect_chosen(ue, 2, DIR_DL, ATTACH_ACCEPT, 1, plain, nas, p);
        s1ap_initial_context_setup(&s1ap, ue->mme_id, ue->enb_id, nas, len, ue->kenb);
        p->security_keys++;
        break;
    case STEP_ATTACH_COMPLETE:
        len = protect_chosen(ue, 2, DIR_UL, ATTACH_COMPLETE, 1, NULL, nas, p);
        s1ap_uplink_nas(&s1ap, ue->mme_id, ue->enb_id, nas, len);
        break;
    default:
        if ((step - STEP_TRAFFIC) % 2 == 0) {
            len = protect_chosen(ue, 2, DIR_DL, DL_TRAFFIC, N_OF(DL_TRAFFIC), NULL, nas, p);
            s1ap_downlink_nas(&s1ap, ue->mme_id, ue->enb_id, nas, len);
        } else {
            len = protect_chosen(ue, 2, DIR_UL, UL_TRAFFIC, N_OF(UL_TRAFFIC), NULL, nas, p);
            s1ap_uplink_nas(&s1ap, ue->mme_id, ue->enb_id, nas, len);
        }
        break;
    }
    gen_pcap_write(p, s1ap.b, s1ap.n);
}

/* ---------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: gen_s1ap -n N_UES -m M_MSGS -o OUT.pcap -k OUT.keys [--seed S]\n"
               "                [--alg EEA/EIA] [--enb-id-base B] [--mme-id-base B]\n");
    gen_usage_common(f);
    fprintf(f, "  -k FILE        the key file (imsi= k= opc= amf=8000, one line per UE)\n"
               "  --alg E/I      NAS algorithms, 0..3 each (default 2/2 = 128-EEA2/128-EIA2)\n"
               "  --enb-id-base  eNB-UE-S1AP-ID of the first UE (default 1; up to 16777215)\n"
               "  --mme-id-base  MME-UE-S1AP-ID of the first UE (default 1; up to 4294967295)\n");
}

/* gen_run()'s callbacks. */
static uint64_t rand_redraws; /* over all UEs */

static void setup_cb(void *ue_v, uint32_t idx, const gen_options *o)
{
    ue_t *ue = ue_v;
    ue_setup(ue, o->seed, idx, (uint32_t)o->id_base[0], (uint32_t)o->id_base[1], o->enc,
             o->integ, o->m_msgs);
    rand_redraws += ue->attempts - 1;
}

static void key_line_cb(FILE *f, const void *ue_v)
{
    const ue_t *ue = ue_v;
    fprintf(f, "imsi=%015" PRIu64, ue->imsi);
    gen_key_tail(f, ue->k, ue->opc);
}

static void step_cb(void *ue, unsigned step, const gen_options *o, gen_pcap *p)
{
    ue_step(ue, step, o->enc, o->integ, p);
}

int main(int argc, char **argv)
{
    static const gen_id_option ids[2] = {{"enb-id-base", 0xFFFFFFULL},
                                         {"mme-id-base", 0xFFFFFFFFULL}};
    static const gen_scenario scenario = {sizeof(ue_t), offsetof(ue_t, nas), STEP_TRAFFIC,
                                          setup_cb, key_line_cb, step_cb};
    gen_options o;
    gen_prog = "gen_s1ap";
    int status = gen_parse_options(argc, argv, ids, usage, &o);
    if (status >= 0)
        return status;
    if (o.integ == 0)
        fprintf(stderr, "gen_s1ap: warning: EIA0: every NAS-MAC is zero (TS 33.401 allows "
                        "EIA0 for unauthenticated emergency calls only)%s\n",
                o.enc ? "; stock Wireshark takes a zero MAC for \"not ciphered\" and dissects "
                        "the ciphertext as plain" : "");
    gen_pcap p;
    if ((status = gen_run(&scenario, &o, &p)) != 0)
        return status;
    fprintf(stderr,
            "gen_s1ap: %" PRIu64 " UEs, %" PRIu64 " PDUs, %" PRIu64 " protected, %" PRIu64
            " SecurityKeys, NAS %s/%s, %" PRIu64 " bytes\n",
            o.n_ues, p.records, p.protected_pdus, p.security_keys, kasme_eea_name(o.enc),
            kasme_eia_name(o.integ), p.bytes);
    fprintf(stderr,
            "gen_s1ap: stock Wireshark sees %" PRIu64 " ciphertexts as \"Unknown Message Type\", "
            "%" PRIu64 " unguarded; %" PRIu64 " RAND redraws\n",
            p.verdicts[SHOWN_UNKNOWN_TYPE], p.verdicts[UNGUARDED], rand_redraws);
    return 0;
}
