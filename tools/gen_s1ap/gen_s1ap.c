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
 * Crypto comes from kasme_core (milenage.h, kdf.h, sec_alg.h), whose primitives the project's
 * tests check against the 3GPP test vectors. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcrypt_init.h"
#include "kdf.h"
#include "milenage.h"
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
enum { CRIT_REJECT = 0, CRIT_IGNORE = 1 };

enum { DIR_UL = 0, DIR_DL = 1 };

/* ---------------------------------------------------------------------------------------- */
/* APER (X.691) pieces                                                                       */

#define MAX_PDU 1024

typedef struct {
    uint8_t b[MAX_PDU];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t len)
{
    if (o->n + len > sizeof o->b) {
        fprintf(stderr, "gen_s1ap: internal error: PDU too long\n");
        exit(1);
    }
    memcpy(o->b + o->n, p, len);
    o->n += len;
}

static void put8(buf *o, uint8_t v)
{
    put(o, &v, 1);
}

/* Length determinant of an unconstrained length (X.691 11.9.3.6, aligned): one octet below
 * 128, two octets (10xxxxxx xxxxxxxx) below 16384. Nothing here is longer. */
static void put_len(buf *o, size_t len)
{
    if (len < 128) {
        put8(o, (uint8_t)len);
    } else if (len < 16384) {
        put8(o, (uint8_t)(0x80 | (len >> 8)));
        put8(o, (uint8_t)len);
    } else {
        fprintf(stderr, "gen_s1ap: internal error: length %zu needs fragmentation\n", len);
        exit(1);
    }
}

/* A constrained whole number whose range exceeds 65536 (X.691 10.5.7.4, "indefinite length"
 * case): the octet count minus one as a constrained number in as few bits as the maximum octet
 * count needs (2 bits for 1..3 octets, ENB-UE-S1AP-ID 0..2^24-1, and for 1..4 octets,
 * MME-UE-S1AP-ID 0..2^32-1), then, octet-aligned, the value in the minimum number of octets.
 * Alone in an open type, the 2 bits sit at the top of the first octet. */
static void put_big_int(buf *o, uint32_t v)
{
    unsigned n = v > 0xFFFFFF ? 4 : v > 0xFFFF ? 3 : v > 0xFF ? 2 : 1;
    put8(o, (uint8_t)((n - 1) << 6));
    for (unsigned i = n; i-- > 0;)
        put8(o, (uint8_t)(v >> (8 * i)));
}

/* ProtocolIE-Field: id (0..65535: 2 octets), criticality (2 bits, padded), value as an open
 * type (length determinant + the value's encoding). */
static void put_ie(buf *o, unsigned id, unsigned crit, const buf *value)
{
    put8(o, (uint8_t)(id >> 8));
    put8(o, (uint8_t)id);
    put8(o, (uint8_t)(crit << 6));
    put_len(o, value->n);
    put(o, value->b, value->n);
}

static void put_ie_bytes(buf *o, unsigned id, unsigned crit, const uint8_t *v, size_t len)
{
    put8(o, (uint8_t)(id >> 8));
    put8(o, (uint8_t)id);
    put8(o, (uint8_t)(crit << 6));
    put_len(o, len);
    put(o, v, len);
}

static void put_ie_id(buf *o, unsigned id, uint32_t ue_id)
{
    buf v = {.n = 0};
    put_big_int(&v, ue_id);
    put_ie(o, id, CRIT_REJECT, &v);
}

/* NAS-PDU ::= OCTET STRING (unconstrained): length determinant + octets. */
static void put_ie_nas(buf *o, const uint8_t *nas, size_t len)
{
    buf v = {.n = 0};
    put_len(&v, len);
    put(&v, nas, len);
    put_ie(o, ID_NAS_PDU, CRIT_REJECT, &v);
}

/* S1AP-PDU initiatingMessage: CHOICE index 0 (with the extension bit: 1 octet), procedureCode
 * (0..255: 1 octet), criticality (padded octet), value as an open type. The value is a
 * SEQUENCE { protocolIEs, ... }: one octet of extension bit and padding, then the IE count
 * (0..65535: 2 octets), then the IEs. */
static void put_initiating(buf *o, unsigned proc, unsigned crit, unsigned n_ies, const buf *ies)
{
    buf v = {.n = 0};
    put8(&v, 0x00);
    put8(&v, (uint8_t)(n_ies >> 8));
    put8(&v, (uint8_t)n_ies);
    put(&v, ies->b, ies->n);
    o->n = 0;
    put8(o, 0x00);
    put8(o, (uint8_t)proc);
    put8(o, (uint8_t)(crit << 6));
    put_len(o, v.n);
    put(o, v.b, v.n);
}

/* ---------------------------------------------------------------------------------------- */
/* S1AP messages                                                                             */

static void s1ap_initial_ue_message(buf *o, uint32_t enb_id, const uint8_t *nas, size_t len)
{
    buf ies = {.n = 0};
    put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id);
    put_ie_nas(&ies, nas, len);
    put_ie_bytes(&ies, ID_TAI, CRIT_REJECT, IE_TAI, sizeof IE_TAI);
    put_ie_bytes(&ies, ID_EUTRAN_CGI, CRIT_IGNORE, IE_EUTRAN_CGI, sizeof IE_EUTRAN_CGI);
    put_ie_bytes(&ies, ID_RRC_ESTABLISHMENT_CAUSE, CRIT_IGNORE, IE_RRC_CAUSE_MO_DATA,
                 sizeof IE_RRC_CAUSE_MO_DATA);
    put_initiating(o, PROC_INITIAL_UE_MESSAGE, CRIT_IGNORE, 5, &ies);
}

static void s1ap_downlink_nas(buf *o, uint32_t mme_id, uint32_t enb_id, const uint8_t *nas,
                              size_t len)
{
    buf ies = {.n = 0};
    put_ie_id(&ies, ID_MME_UE_S1AP_ID, mme_id);
    put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id);
    put_ie_nas(&ies, nas, len);
    put_initiating(o, PROC_DOWNLINK_NAS_TRANSPORT, CRIT_IGNORE, 3, &ies);
}

static void s1ap_uplink_nas(buf *o, uint32_t mme_id, uint32_t enb_id, const uint8_t *nas,
                            size_t len)
{
    buf ies = {.n = 0};
    put_ie_id(&ies, ID_MME_UE_S1AP_ID, mme_id);
    put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id);
    put_ie_nas(&ies, nas, len);
    put_ie_bytes(&ies, ID_EUTRAN_CGI, CRIT_IGNORE, IE_EUTRAN_CGI, sizeof IE_EUTRAN_CGI);
    put_ie_bytes(&ies, ID_TAI, CRIT_IGNORE, IE_TAI, sizeof IE_TAI);
    put_initiating(o, PROC_UPLINK_NAS_TRANSPORT, CRIT_IGNORE, 5, &ies);
}

static void s1ap_initial_context_setup(buf *o, uint32_t mme_id, uint32_t enb_id,
                                       const uint8_t *nas, size_t len, const uint8_t kenb[32])
{
    buf ies = {.n = 0};
    put_ie_id(&ies, ID_MME_UE_S1AP_ID, mme_id);
    put_ie_id(&ies, ID_ENB_UE_S1AP_ID, enb_id);
    put_ie_bytes(&ies, ID_UE_AMBR, CRIT_REJECT, IE_UE_AMBR, sizeof IE_UE_AMBR);

    /* E-RABToBeSetupListCtxtSUReq: SEQUENCE (SIZE(1..256)) OF ProtocolIE-SingleContainer:
     * the count minus one in one octet, then the single E-RAB item as an IE. */
    buf item = {.n = 0};
    put(&item, ERAB_ITEM_HEAD, sizeof ERAB_ITEM_HEAD);
    put_len(&item, len); /* nAS-PDU: OCTET STRING */
    put(&item, nas, len);
    buf list = {.n = 0};
    put8(&list, 0x00);
    put_ie(&list, ID_E_RAB_TO_BE_SETUP_ITEM_CTXT_SU_REQ, CRIT_REJECT, &item);
    put_ie(&ies, ID_E_RAB_TO_BE_SETUP_LIST_CTXT_SU_REQ, CRIT_REJECT, &list);

    put_ie_bytes(&ies, ID_UE_SECURITY_CAPABILITIES, CRIT_REJECT, IE_UE_SEC_CAPS,
                 sizeof IE_UE_SEC_CAPS);
    /* SecurityKey ::= BIT STRING (SIZE(256)): fixed size, no length, octet-aligned. */
    put_ie_bytes(&ies, ID_SECURITY_KEY, CRIT_REJECT, kenb, 32);
    put_initiating(o, PROC_INITIAL_CONTEXT_SETUP, CRIT_REJECT, 6, &ies);
}

/* ---------------------------------------------------------------------------------------- */
/* Per-UE values from the seed                                                               */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rand_bytes(uint64_t *s, uint8_t *out, size_t len)
{
    while (len) {
        uint64_t r = splitmix64(s);
        for (int i = 0; i < 8 && len; i++, len--, r >>= 8)
            *out++ = (uint8_t)r;
    }
}

typedef struct {
    uint64_t imsi;
    uint32_t enb_id, mme_id, m_tmsi, ip;
    uint8_t k[16], opc[16];
    uint8_t rand[16], autn[16], res[8];
    uint8_t kenb[32];
    kasme_cipher enc;
    kasme_integrity integ;
    uint32_t ul_count, dl_count; /* next NAS COUNT of each direction */
    unsigned attempts;           /* RAND draws until every ciphertext passed choose_msg() */
} ue_t;

static void die(const char *what, int rc)
{
    fprintf(stderr, "gen_s1ap: %s failed (%d)\n", what, rc);
    exit(1);
}

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
    if (ue->enc.alg == 0) /* EEA0: the plaintext is on the wire and Wireshark shows it */
        return 0;
    uint8_t ks[3] = {0, 0, 0};
    int rc = kasme_cipher_apply(&ue->enc, count, 0, dir, ks, sizeof ks, 24);
    if (rc)
        die("kasme_cipher_apply", rc);
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
    uint64_t s = seed ^ (0xA5A5A5A500000000ULL + (uint64_t)idx * 0xD1B54A32D192ED03ULL);
    splitmix64(&s);
    ue->imsi = 1010000000000ULL + idx + 1; /* 001010000000001, ... */
    ue->enb_id = enb_base + idx;
    ue->mme_id = mme_base + idx;
    ue->m_tmsi = 0xC0000000u | (idx + 1);
    ue->ip = 0x0A000002u + idx; /* 10.0.0.2, ... */
    rand_bytes(&s, ue->k, 16);
    rand_bytes(&s, ue->opc, 16);

    /* A new RAND (and SQN) until choose_msg() finds a harmless ciphertext for every message.
     * About one UE in nine needs a second draw, mostly for the Security Mode Complete (2
     * octets: no message type to fall back on when its first octet looks like ESM). */
    uint8_t k_int[16];
    for (ue->attempts = 1;; ue->attempts++) {
        uint8_t sqn[6];
        rand_bytes(&s, ue->rand, 16);
        rand_bytes(&s, sqn, 6);
        sqn[0] = 0;     /* a modest SQN, as a fresh USIM has */
        sqn[5] &= 0xE0; /* IND = 0 */

        int rc;
        uint8_t mac_a[8], ck[16], ik[16], ak[6];
        if ((rc = milenage_f1(ue->k, ue->opc, ue->rand, sqn, AMF, mac_a, NULL)))
            die("milenage_f1", rc);
        if ((rc = milenage_f2345(ue->k, ue->opc, ue->rand, ue->res, ck, ik, ak, NULL)))
            die("milenage_f2345", rc);
        for (int i = 0; i < 6; i++)
            ue->autn[i] = sqn[i] ^ ak[i];
        memcpy(ue->autn + 6, AMF, 2);
        memcpy(ue->autn + 8, mac_a, 8);

        uint8_t kasme[32], k_enc[16];
        if ((rc = kdf_kasme(ck, ik, SN_ID, ue->autn, kasme)))
            die("kdf_kasme", rc);
        if ((rc = kdf_alg_key(kasme, KDF_NAS_ENC, (uint8_t)eea, k_enc)))
            die("kdf_alg_key (NAS enc)", rc);
        if ((rc = kdf_alg_key(kasme, KDF_NAS_INT, (uint8_t)eia, k_int)))
            die("kdf_alg_key (NAS int)", rc);
        if ((rc = kdf_kenb(kasme, 0, ue->kenb))) /* UL NAS COUNT of the SMC Complete */
            die("kdf_kenb", rc);
        if ((rc = kasme_cipher_init(&ue->enc, eea, k_enc)))
            die("kasme_cipher_init", rc);
        if (ue_keys_ok(ue, m_msgs) || ue->attempts == MAX_ATTEMPTS)
            break;
        kasme_cipher_free(&ue->enc);
    }
    int rc = kasme_integrity_init(&ue->integ, eia, k_int);
    if (rc)
        die("kasme_integrity_init", rc);
}

/* ---------------------------------------------------------------------------------------- */
/* NAS                                                                                       */

/* A security-protected NAS PDU: header (sec_hdr, EMM PD) | MAC | SN | inner, the inner message
 * ciphered unless sec_hdr is 1 or 3, the MAC over SN || inner (after ciphering). Uses and
 * advances the COUNT of dir. Returns the length written to out. */
static size_t nas_protect(ue_t *ue, unsigned sec_hdr, unsigned dir, const uint8_t *inner,
                          size_t len, uint8_t *out)
{
    uint32_t *countp = dir == DIR_DL ? &ue->dl_count : &ue->ul_count;
    uint32_t count = (*countp)++;
    uint8_t *sn_inner = out + 5;
    sn_inner[0] = (uint8_t)count;
    memcpy(sn_inner + 1, inner, len);
    int rc;
    if (sec_hdr == 2 || sec_hdr == 4) {
        rc = kasme_cipher_apply(&ue->enc, count, 0, dir, sn_inner + 1, len, len * 8);
        if (rc)
            die("kasme_cipher_apply", rc);
    }
    uint32_t mac;
    rc = kasme_integrity_mac(&ue->integ, count, 0, dir, sn_inner, len + 1, (len + 1) * 8, &mac);
    if (rc)
        die("kasme_integrity_mac", rc);
    out[0] = (uint8_t)(sec_hdr << 4 | 0x07);
    out[1] = (uint8_t)(mac >> 24);
    out[2] = (uint8_t)(mac >> 16);
    out[3] = (uint8_t)(mac >> 8);
    out[4] = (uint8_t)mac;
    return len + 6;
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

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---------------------------------------------------------------------------------------- */
/* pcap                                                                                      */

typedef struct {
    FILE *f;
    uint64_t usec; /* timestamp of the next record */
    uint64_t records, protected_pdus, security_keys, bytes;
    uint64_t verdicts[3]; /* protected PDUs by choose_msg() verdict (ciphered ones only) */
} pcap_out;

static void pcap_write(pcap_out *p, const void *data, size_t len)
{
    uint32_t hdr[4] = {(uint32_t)(p->usec / 1000000), (uint32_t)(p->usec % 1000000),
                       (uint32_t)len, (uint32_t)len};
    p->usec += 100;
    if (fwrite(hdr, sizeof hdr, 1, p->f) != 1 || fwrite(data, len, 1, p->f) != 1) {
        fprintf(stderr, "gen_s1ap: write error: %s\n", strerror(errno));
        exit(1);
    }
    p->records++;
    p->bytes += sizeof hdr + len;
}

static void pcap_open(pcap_out *p, FILE *f)
{
    /* Native byte order; readers detect it from the magic. */
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } gh = {0xa1b2c3d4, 2, 4, 0, 0, 65535, 150 /* DLT_USER3 */};
    memset(p, 0, sizeof *p);
    p->f = f;
    p->usec = 1700000000ULL * 1000000ULL;
    if (fwrite(&gh, sizeof gh, 1, f) != 1) {
        fprintf(stderr, "gen_s1ap: write error: %s\n", strerror(errno));
        exit(1);
    }
    p->bytes = sizeof gh;
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
                             size_t n, const uint8_t *override, uint8_t *out, pcap_out *p)
{
    int v;
    uint32_t count = dir == DIR_DL ? ue->dl_count : ue->ul_count;
    size_t i = choose_msg(ue, count, dir, list, n, &v);
    p->verdicts[v]++;
    p->protected_pdus++;
    return nas_protect(ue, sec_hdr, dir, override ? override : list[i].b, list[i].len, out);
}

static void ue_step(ue_t *ue, unsigned step, unsigned eea, unsigned eia, pcap_out *p)
{
    uint8_t plain[256], nas[256];
    size_t len = 0;
    buf s1ap;

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
        put_be32(plain + ATTACH_ACCEPT_IP_OFF, ue->ip);
        put_be32(plain + ATTACH_ACCEPT_GUTI_TMSI_OFF, ue->m_tmsi);
        put_be32(plain + ATTACH_ACCEPT_MSID_TMSI_OFF, ue->m_tmsi);
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
    pcap_write(p, s1ap.b, s1ap.n);
}

/* ---------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gen_s1ap -n N_UES -m M_MSGS -o OUT.pcap -k OUT.keys [--seed S]\n"
            "                [--alg EEA/EIA] [--enb-id-base B] [--mme-id-base B]\n"
            "  -n N           number of UEs (1 .. 10^9)\n"
            "  -m M           protected NAS messages per UE in each direction after the attach\n"
            "  -o FILE        the pcap (DLT 150, bare S1AP PDUs)\n"
            "  -k FILE        the key file (imsi= k= opc= amf=8000, one line per UE)\n"
            "  --seed S       seed of every K, OPc, RAND and SQN (default 1)\n"
            "  --alg E/I      NAS algorithms, 0..3 each (default 2/2 = 128-EEA2/128-EIA2)\n"
            "  --enb-id-base  eNB-UE-S1AP-ID of the first UE (default 1; up to 16777215)\n"
            "  --mme-id-base  MME-UE-S1AP-ID of the first UE (default 1; up to 4294967295)\n");
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    uint64_t n_ues = 0, m_msgs = 0, seed = 1, enb_base = 1, mme_base = 1;
    unsigned eea = 2, eia = 2;
    const char *out_pcap = NULL, *out_keys = NULL;
    bool have_n = false, have_m = false;

    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},
        {"alg", required_argument, NULL, 'a'},
        {"enb-id-base", required_argument, NULL, 'E'},
        {"mme-id-base", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "n:m:o:k:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_u64(optarg, 1000000000ULL, &n_ues) || n_ues == 0) {
                fprintf(stderr, "gen_s1ap: -n: expected 1 .. 10^9 UEs\n");
                return 2;
            }
            have_n = true;
            break;
        case 'm':
            /* COUNTs are 24 bits; the DL one reaches M + 2. */
            if (!parse_u64(optarg, 0xFFFFFFULL - 2, &m_msgs)) {
                fprintf(stderr, "gen_s1ap: -m: expected 0 .. %u\n", 0xFFFFFF - 2);
                return 2;
            }
            have_m = true;
            break;
        case 'o':
            out_pcap = optarg;
            break;
        case 'k':
            out_keys = optarg;
            break;
        case 's':
            if (!parse_u64(optarg, UINT64_MAX, &seed)) {
                fprintf(stderr, "gen_s1ap: --seed: expected an unsigned 64-bit number\n");
                return 2;
            }
            break;
        case 'a': {
            unsigned e, i;
            char tail;
            if (sscanf(optarg, "%u/%u%c", &e, &i, &tail) != 2 || e > 3 || i > 3) {
                fprintf(stderr, "gen_s1ap: --alg: expected EEA/EIA, each 0..3 (e.g. 2/2)\n");
                return 2;
            }
            eea = e;
            eia = i;
            break;
        }
        case 'E':
            if (!parse_u64(optarg, 0xFFFFFFULL, &enb_base)) {
                fprintf(stderr, "gen_s1ap: --enb-id-base: expected 0 .. 16777215\n");
                return 2;
            }
            break;
        case 'M':
            if (!parse_u64(optarg, 0xFFFFFFFFULL, &mme_base)) {
                fprintf(stderr, "gen_s1ap: --mme-id-base: expected 0 .. 4294967295\n");
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !have_n || !have_m || !out_pcap || !out_keys) {
        usage(stderr);
        return 2;
    }
    if (enb_base + n_ues - 1 > 0xFFFFFFULL) {
        fprintf(stderr, "gen_s1ap: eNB-UE-S1AP-IDs %" PRIu64 " .. %" PRIu64
                        " exceed 16777215\n", enb_base, enb_base + n_ues - 1);
        return 2;
    }
    if (mme_base + n_ues - 1 > 0xFFFFFFFFULL) {
        fprintf(stderr, "gen_s1ap: MME-UE-S1AP-IDs %" PRIu64 " .. %" PRIu64
                        " exceed 4294967295\n", mme_base, mme_base + n_ues - 1);
        return 2;
    }
    if (!kasme_alg_available(eea) || !kasme_alg_available(eia)) {
        fprintf(stderr, "gen_s1ap: %s/%s not in this build (KASME_WITH_SNOW3G_ZUC=OFF)\n",
                kasme_eea_name(eea), kasme_eia_name(eia));
        return 2;
    }
    if (eia == 0)
        fprintf(stderr, "gen_s1ap: warning: EIA0: every NAS-MAC is zero (TS 33.401 allows "
                        "EIA0 for unauthenticated emergency calls only)%s\n",
                eea ? "; stock Wireshark takes a zero MAC for \"not ciphered\" and dissects "
                      "the ciphertext as plain" : "");
    if (kasme_gcrypt_init() != 0) {
        fprintf(stderr, "gen_s1ap: libgcrypt initialisation failed\n");
        return 1;
    }

    uint64_t redraws = 0;
    ue_t *ues = calloc((size_t)n_ues, sizeof *ues);
    if (!ues) {
        fprintf(stderr, "gen_s1ap: out of memory for %" PRIu64 " UEs\n", n_ues);
        return 1;
    }
    FILE *pf = fopen(out_pcap, "wb");
    if (!pf) {
        fprintf(stderr, "gen_s1ap: %s: %s\n", out_pcap, strerror(errno));
        return 1;
    }
    FILE *kf = fopen(out_keys, "w");
    if (!kf) {
        fprintf(stderr, "gen_s1ap: %s: %s\n", out_keys, strerror(errno));
        return 1;
    }
    static char kbuf[1 << 16];
    setvbuf(kf, kbuf, _IOFBF, sizeof kbuf);
    for (uint64_t i = 0; i < n_ues; i++) {
        ue_t *ue = &ues[i];
        ue_setup(ue, seed, (uint32_t)i, (uint32_t)enb_base, (uint32_t)mme_base, eea, eia, m_msgs);
        redraws += ue->attempts - 1;
        fprintf(kf, "imsi=%015" PRIu64 " k=", ue->imsi);
        for (int j = 0; j < 16; j++)
            fprintf(kf, "%02x", ue->k[j]);
        fputs(" opc=", kf);
        for (int j = 0; j < 16; j++)
            fprintf(kf, "%02x", ue->opc[j]);
        fputs(" amf=8000\n", kf);
    }
    if (fclose(kf) != 0) {
        fprintf(stderr, "gen_s1ap: %s: %s\n", out_keys, strerror(errno));
        return 1;
    }

    static char pbuf[1 << 20];
    setvbuf(pf, pbuf, _IOFBF, sizeof pbuf);
    pcap_out p;
    pcap_open(&p, pf);
    uint64_t steps = STEP_TRAFFIC + 2 * m_msgs;
    for (uint64_t step = 0; step < steps; step++)
        for (uint64_t i = 0; i < n_ues; i++)
            ue_step(&ues[i], (unsigned)step, eea, eia, &p);
    if (fclose(pf) != 0) {
        fprintf(stderr, "gen_s1ap: %s: %s\n", out_pcap, strerror(errno));
        return 1;
    }

    for (uint64_t i = 0; i < n_ues; i++) {
        kasme_cipher_free(&ues[i].enc);
        kasme_integrity_free(&ues[i].integ);
    }
    free(ues);
    fprintf(stderr,
            "gen_s1ap: %" PRIu64 " UEs, %" PRIu64 " PDUs, %" PRIu64 " protected, %" PRIu64
            " SecurityKeys, NAS %s/%s, %" PRIu64 " bytes\n",
            n_ues, p.records, p.protected_pdus, p.security_keys, kasme_eea_name(eea),
            kasme_eia_name(eia), p.bytes);
    fprintf(stderr,
            "gen_s1ap: stock Wireshark sees %" PRIu64 " ciphertexts as \"Unknown Message Type\", "
            "%" PRIu64 " unguarded; %" PRIu64 " RAND redraws\n",
            p.verdicts[SHOWN_UNKNOWN_TYPE], p.verdicts[UNGUARDED], redraws);
    return 0;
}
