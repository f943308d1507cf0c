/* Bounds-checked parsing of 5GMM messages (TS 24.501 clauses 8.2 and 9): what the security
 * tracker needs, with 5GMM's own IE table. EMM and 5GMM reuse message type codes and IEIs for
 * different things (0x21 is RAND in an Authentication request and 5GS network feature support
 * in a Registration accept), so nothing here is shared with the EPS table but the reader. */
#include "nas_msg.h"
#include "nas_reader.h"

#include <string.h>

/* 5GMM message types (TS 24.501 9.7). */
enum {
    MT_REGISTRATION_REQUEST = 0x41,
    MT_REGISTRATION_ACCEPT = 0x42,
    MT_DEREG_REQUEST_UE_ORIG = 0x45,
    MT_SERVICE_REQUEST = 0x4C,
    MT_CONFIGURATION_UPDATE_COMMAND = 0x54,
    MT_AUTH_REQUEST = 0x56,
    MT_AUTH_RESPONSE = 0x57,
    MT_AUTH_FAILURE = 0x59,
    MT_IDENTITY_RESPONSE = 0x5C,
    MT_SMC = 0x5D,
    MT_SMC_COMPLETE = 0x5E,
};

/* IEIs the tracker reads. */
enum {
    IEI_AUTN = 0x20,
    IEI_RAND = 0x21,
    IEI_AUTH_RESPONSE_PARAMETER = 0x2D,
    IEI_AUTH_FAILURE_PARAMETER = 0x30,
    IEI_ABBA = 0x38,
    IEI_NAS_MESSAGE_CONTAINER = 0x71,
    IEI_5GS_MOBILE_IDENTITY = 0x77, /* 5G-GUTI, additional GUTI, IMEISV */
    IEI_EAP_MESSAGE = 0x78,
};

/* The TV (type 3) IEs of the 5GMM messages, by message: in 5GMM a TV IEI means different
 * things in different messages, so the table is per message (TS 24.501 8.2 tables). */
static const struct {
    uint8_t msg_type, iei, total_len;
} tv_ies[] = {
    {MT_REGISTRATION_REQUEST, 0x52, 7},         /* Last visited registered TAI */
    {MT_AUTH_REQUEST, IEI_RAND, 17},            /* Authentication parameter RAND */
    {MT_SMC, 0x57, 2},                          /* Selected EPS NAS security algorithms */
    {MT_CONFIGURATION_UPDATE_COMMAND, 0x46, 2}, /* Local time zone */
    {MT_CONFIGURATION_UPDATE_COMMAND, 0x47, 8}, /* Universal time and local time zone */
    {0x47, 0x58, 2},                            /* Deregistration request (UE terminated): cause */
    {0x4D, 0x58, 2},                            /* Service reject: 5GMM cause (none; defensive) */
    {0x4E, 0x58, 2},                            /* Service accept */
};

static size_t fivegmm_tv_total_len(uint8_t msg_type, uint8_t iei)
{
    for (size_t i = 0; i < sizeof tv_ies / sizeof tv_ies[0]; i++)
        if (tv_ies[i].msg_type == msg_type && tv_ies[i].iei == iei)
            return tv_ies[i].total_len;
    return 0;
}

/* ---- 5GS mobile identity (TS 24.501 9.11.3.4) ---- */

/* MCC/MNC octets (TS 24.008 10.5.1.3 order) as IMSI digits; MNC digit 3 is 0xF for 2 digits. */
static bool plmn_digits(const uint8_t plmn[3], char *out, size_t *n)
{
    uint8_t d[6] = {plmn[0] & 0x0F, plmn[0] >> 4, plmn[1] & 0x0F,
                    plmn[2] & 0x0F, plmn[2] >> 4, plmn[1] >> 4};
    size_t count = d[5] == 0x0F ? 5 : 6;
    for (size_t i = 0; i < count; i++) {
        if (d[i] > 9)
            return false;
        out[i] = (char)('0' + d[i]);
    }
    *n = count;
    return true;
}

/* Null-scheme output: the MSIN in BCD, two digits an octet, low nibble first, filler 0xF in
 * the last high nibble (TS 24.501 9.11.3.4, TS 23.003 2.2B). */
static bool append_msin(const uint8_t *v, size_t n, char digits[17], size_t pos)
{
    for (size_t i = 0; i < 2 * n; i++) {
        uint8_t d = (i % 2 == 0) ? (v[i / 2] & 0x0F) : (v[i / 2] >> 4);
        if (d == 0x0F && i == 2 * n - 1)
            break;
        if (d > 9 || pos >= 16)
            return false;
        digits[pos++] = (char)('0' + d);
    }
    digits[pos] = '\0';
    return pos >= 6;
}

/* SUCI of SUPI format IMSI: type octet, MCC/MNC 3, routing indicator 2, protection scheme id
 * (low nibble), home network public key id, scheme output. The null scheme (0) carries the MSIN
 * itself and so gives the IMSI. */
static bool decode_suci(const uint8_t *v, size_t n, kasme_nas_identity *id)
{
    if (((v[0] >> 4) & 0x07) != 0) { /* SUPI format NAI: not decoded */
        id->type = KASME_NAS_ID_OTHER;
        return true;
    }
    if (n < 8)
        return false;
    memcpy(id->plmn, v + 1, 3);
    id->suci_ie = v;
    id->suci_ie_len = n;
    id->suci_scheme = v[6] & 0x0F;
    id->suci_hn_key_id = v[7];
    id->suci_output = v + 8;
    id->suci_output_len = n - 8;
    if (id->suci_scheme != 0) {
        id->type = KASME_NAS_ID_SUCI;
        return true;
    }
    size_t pos;
    if (!plmn_digits(v + 1, id->digits, &pos) || !append_msin(v + 8, n - 8, id->digits, pos))
        return false;
    id->type = KASME_NAS_ID_IMSI;
    id->from_suci = true;
    return true;
}

/* 5G-GUTI: 0xF2, MCC/MNC 3, AMF region 1, AMF set id and pointer 2, 5G-TMSI 4. */
static bool decode_5g_guti(const uint8_t *v, size_t n, kasme_nas_identity *id)
{
    if (n != 11)
        return false;
    id->type = KASME_NAS_ID_GUTI;
    memcpy(id->plmn, v + 1, 3);
    id->mmegi = (uint16_t)(v[4] << 8 | v[5]); /* AMF region id | AMF set id high bits */
    id->mmec = v[6];                           /* AMF set id low bits | AMF pointer */
    id->m_tmsi = be32(v + 7);
    return true;
}

/* 5G-S-TMSI: 0xF4, AMF set id and pointer 2, 5G-TMSI 4. */
static bool decode_5g_s_tmsi(const uint8_t *v, size_t n, kasme_nas_identity *id)
{
    if (n != 7)
        return false;
    id->type = KASME_NAS_ID_TMSI;
    id->m_tmsi = be32(v + 3);
    return true;
}

static bool decode_5gs_mobile_identity(const uint8_t *v, size_t n, kasme_nas_identity *id)
{
    memset(id, 0, sizeof *id);
    if (n < 1)
        return false;
    switch (v[0] & 0x07) {
    case 0:
        id->type = KASME_NAS_ID_NONE;
        return true;
    case 1:
        return decode_suci(v, n, id);
    case 2:
        return decode_5g_guti(v, n, id);
    case 4:
        return decode_5g_s_tmsi(v, n, id);
    default:
        id->type = KASME_NAS_ID_OTHER;
        return true;
    }
}

static bool rd_5gs_mobile_identity(nas_reader *r, kasme_nas_identity *id)
{
    const uint8_t *v;
    size_t n;
    return rd_lve(r, &v, &n) && decode_5gs_mobile_identity(v, n, id);
}

/* ---- Optional IEs ---- */

static bool take_abba(const nas_ie *ie, kasme_nas_msg *out)
{
    if (ie->len < 2 || ie->len > sizeof out->abba) /* 9.11.3.10: 2 octets or more */
        return false;
    memcpy(out->abba, ie->value, ie->len);
    out->abba_len = ie->len;
    out->has_abba = true;
    return true;
}

static bool take_auth_ie(const nas_ie *ie, kasme_nas_msg *out)
{
    switch (ie->iei) {
    case IEI_RAND: /* TV of 17 octets in an Authentication request only: in a response or a
                      failure 0x21 is read as a TLV of any length (found by fuzz_nas) */
        if (out->msg_type != MT_AUTH_REQUEST || ie->len != 16)
            return true;
        memcpy(out->rand, ie->value, 16);
        out->has_rand = true;
        return true;
    case IEI_AUTN:
        if (ie->len != 16)
            return false;
        memcpy(out->autn, ie->value, 16);
        out->has_autn = true;
        return true;
    case IEI_AUTH_RESPONSE_PARAMETER: /* RES* (9.11.3.17): 16 octets */
        if (ie->len < 4 || ie->len > sizeof out->res)
            return false;
        memcpy(out->res, ie->value, ie->len);
        out->res_len = ie->len;
        return true;
    case IEI_AUTH_FAILURE_PARAMETER:
        if (ie->len != sizeof out->auts)
            return false;
        memcpy(out->auts, ie->value, sizeof out->auts);
        out->has_auts = true;
        return true;
    default:
        return true;
    }
}

/* The optional IEs the tracker wants, by message (TS 24.501 8.2 tables). */
static bool take_optional_ie(const nas_ie *ie, kasme_nas_msg *out)
{
    if (ie->iei == IEI_EAP_MESSAGE && out->msg_type != MT_SMC_COMPLETE) {
        out->eap = ie->value; /* SMC Complete's 0x78 is the non-IMEISV PEI */
        out->eap_len = ie->len;
        return true;
    }
    if (ie->iei == IEI_NAS_MESSAGE_CONTAINER) {
        out->nas_container = ie->value;
        out->nas_container_len = ie->len;
        return true;
    }
    switch (out->msg_type) {
    case MT_AUTH_REQUEST:
    case MT_AUTH_RESPONSE:
    case MT_AUTH_FAILURE:
        return take_auth_ie(ie, out);
    case MT_SMC:
        return ie->iei != IEI_ABBA || take_abba(ie, out);
    case MT_REGISTRATION_ACCEPT:
    case MT_CONFIGURATION_UPDATE_COMMAND:
        if (ie->iei == IEI_5GS_MOBILE_IDENTITY)
            return decode_5gs_mobile_identity(ie->value, ie->len, &out->new_guti);
        return true;
    default:
        return true;
    }
}

static int parse_optionals(nas_reader *r, kasme_nas_msg *out)
{
    nas_ie ie;
    int got;
    while ((got = rd_optional_ie(r, out->msg_type, fivegmm_tv_total_len, &ie)) == 1)
        if (!take_optional_ie(&ie, out))
            return -1;
    return got;
}

/* ---- 5GMM messages ---- */

/* NAS key set identifier (9.11.3.32) as a half octet: bit 4 TSC, bits 3..1 ngKSI. */
static void set_ngksi(kasme_nas_msg *out, uint8_t nibble)
{
    out->tsc = (nibble >> 3) & 1;
    out->ksi = nibble & 0x07;
}

/* 8.2.6 Registration request, 8.2.12 Deregistration request (UE originating): ngKSI (high
 * nibble) | type; 8.2.16 Service request: service type (high nibble) | ngKSI, as Wireshark's
 * nas-5gs reads it and the lab's Service Requests (ngKSI 0, service type 1) show. Then the
 * 5GS mobile identity LV-E and optional IEs. */
static int parse_initial(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    if (!rd_u8(r, &octet))
        return -1;
    set_ngksi(out, out->msg_type == MT_SERVICE_REQUEST ? octet & 0x0F : octet >> 4);
    if (!rd_5gs_mobile_identity(r, &out->identity))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.1: spare | ngKSI, ABBA LV, then RAND (TV), AUTN (TLV), EAP message (TLV-E). */
static int parse_auth_request(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    const uint8_t *abba;
    size_t abba_len;
    if (!rd_u8(r, &octet) || !rd_lv(r, &abba, &abba_len))
        return -1;
    set_ngksi(out, octet & 0x0F);
    nas_ie ie = {IEI_ABBA, abba, abba_len};
    if (!take_abba(&ie, out))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.4: 5GMM cause V, then the authentication failure parameter (AUTS). */
static int parse_cause_first(nas_reader *r, kasme_nas_msg *out)
{
    if (!rd_u8(r, &out->emm_cause))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.25: selected NAS security algorithms (9.11.3.34: bits 8..5 ciphering, 4..1 integrity),
 * spare | ngKSI, replayed UE security capabilities LV, optional IEs (ABBA 0x38). */
static int parse_smc(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t algs, octet;
    const uint8_t *caps;
    size_t caps_len;
    if (!rd_u8(r, &algs) || !rd_u8(r, &octet) || !rd_lv(r, &caps, &caps_len))
        return -1;
    out->smc_eea = algs >> 4;
    out->smc_eia = algs & 0x0F;
    set_ngksi(out, octet & 0x0F);
    return parse_optionals(r, out);
}

/* 8.2.7: 5GS registration result LV, optional IEs (5G-GUTI 0x77). */
static int parse_registration_accept(nas_reader *r, kasme_nas_msg *out)
{
    const uint8_t *result;
    size_t result_len;
    if (!rd_lv(r, &result, &result_len))
        return -1;
    return parse_optionals(r, out);
}

static int parse_identity_response(nas_reader *r, kasme_nas_msg *out)
{
    if (!rd_5gs_mobile_identity(r, &out->identity))
        return -1;
    return parse_optionals(r, out);
}

kasme_nas_kind kasme_nas5g_kind(uint8_t msg_type)
{
    switch (msg_type) {
    case MT_REGISTRATION_REQUEST:
    case MT_SERVICE_REQUEST:
        return KASME_NAS_K_INITIAL;
    case MT_AUTH_REQUEST: return KASME_NAS_K_AUTH_REQUEST;
    case MT_AUTH_RESPONSE: return KASME_NAS_K_AUTH_RESPONSE;
    case MT_AUTH_FAILURE: return KASME_NAS_K_AUTH_FAILURE;
    case MT_SMC: return KASME_NAS_K_SMC;
    case MT_SMC_COMPLETE: return KASME_NAS_K_SMC_COMPLETE;
    case MT_IDENTITY_RESPONSE: return KASME_NAS_K_IDENTITY_RESPONSE;
    default: return KASME_NAS_K_OTHER;
    }
}

static int parse_5gmm_body(nas_reader *r, kasme_nas_msg *out)
{
    switch (out->msg_type) {
    case MT_REGISTRATION_REQUEST:
    case MT_DEREG_REQUEST_UE_ORIG:
    case MT_SERVICE_REQUEST:
        return parse_initial(r, out);
    case MT_REGISTRATION_ACCEPT: return parse_registration_accept(r, out);
    case MT_CONFIGURATION_UPDATE_COMMAND:
    case MT_AUTH_RESPONSE:
    case MT_SMC_COMPLETE:
        return parse_optionals(r, out);
    case MT_AUTH_REQUEST: return parse_auth_request(r, out);
    case MT_AUTH_FAILURE: return parse_cause_first(r, out);
    case MT_IDENTITY_RESPONSE: return parse_identity_response(r, out);
    case MT_SMC: return parse_smc(r, out);
    default: return 0;
    }
}

/* A plain 5GMM message (EPD, security header type 0, message type) or 5GSM message (EPD, PDU
 * session id, PTI, message type: TS 24.501 9.1.1). */
int kasme_nas5g_parse_5gmm(const uint8_t *msg, size_t len, kasme_nas_msg *out)
{
    out->domain = KASME_DOMAIN_5GS;
    out->pd = msg[0];
    if (out->pd == KASME_NAS_EPD_5GSM) {
        if (len < 4)
            return -1;
        out->msg_type = msg[3];
        return 0;
    }
    if (len < 3 || (msg[1] & 0x0F) != 0)
        return -1;
    out->msg_type = msg[2];
    out->kind = kasme_nas5g_kind(out->msg_type);
    nas_reader r = {.buf = msg, .len = len, .pos = 3};
    return parse_5gmm_body(&r, out);
}

/* ---- Names and directions (TS 24.501 9.7; names as Wireshark's nas-5gs prints them) ---- */

typedef struct {
    uint8_t type;
    int8_t dir; /* 1 UL-only, 0 DL-only, -1 both */
    const char *name;
} msg_info;

static const msg_info fivegmm_msgs[] = {
    {0x41, 1, "Registration request"},
    {0x42, 0, "Registration accept"},
    {0x43, 1, "Registration complete"},
    {0x44, 0, "Registration reject"},
    {0x45, 1, "Deregistration request (UE originating)"},
    {0x46, 0, "Deregistration accept (UE originating)"},
    {0x47, 0, "Deregistration request (UE terminated)"},
    {0x48, 1, "Deregistration accept (UE terminated)"},
    {0x4C, 1, "Service request"},
    {0x4D, 0, "Service reject"},
    {0x4E, 0, "Service accept"},
    {0x4F, 1, "Control plane service request"},
    {0x50, 0, "Network slice-specific authentication command"},
    {0x51, 1, "Network slice-specific authentication complete"},
    {0x52, 0, "Network slice-specific authentication result"},
    {0x54, 0, "Configuration update command"},
    {0x55, 1, "Configuration update complete"},
    {0x56, 0, "Authentication request"},
    {0x57, 1, "Authentication response"},
    {0x58, 0, "Authentication reject"},
    {0x59, 1, "Authentication failure"},
    {0x5A, 0, "Authentication result"},
    {0x5B, 0, "Identity request"},
    {0x5C, 1, "Identity response"},
    {0x5D, 0, "Security mode command"},
    {0x5E, 1, "Security mode complete"},
    {0x5F, 1, "Security mode reject"},
    {0x64, -1, "5GMM status"},
    {0x65, 0, "Notification"},
    {0x66, 1, "Notification response"},
    {0x67, 1, "UL NAS transport"},
    {0x68, 0, "DL NAS transport"},
};

static const msg_info fivegsm_msgs[] = {
    {0xC1, 1, "PDU session establishment request"},
    {0xC2, 0, "PDU session establishment accept"},
    {0xC3, 0, "PDU session establishment reject"},
    {0xC5, 0, "PDU session authentication command"},
    {0xC6, 1, "PDU session authentication complete"},
    {0xC7, 0, "PDU session authentication result"},
    {0xC9, 1, "PDU session modification request"},
    {0xCA, 0, "PDU session modification reject"},
    {0xCB, 0, "PDU session modification command"},
    {0xCC, 1, "PDU session modification complete"},
    {0xCD, 1, "PDU session modification command reject"},
    {0xD1, 1, "PDU session release request"},
    {0xD2, 0, "PDU session release reject"},
    {0xD3, 0, "PDU session release command"},
    {0xD4, 1, "PDU session release complete"},
    {0xD6, -1, "5GSM status"},
};

static const msg_info *find_info(uint8_t epd, uint8_t msg_type)
{
    const msg_info *table = epd == KASME_NAS_EPD_5GMM ? fivegmm_msgs : fivegsm_msgs;
    size_t n = epd == KASME_NAS_EPD_5GMM ? sizeof fivegmm_msgs / sizeof fivegmm_msgs[0]
                                         : sizeof fivegsm_msgs / sizeof fivegsm_msgs[0];
    for (size_t i = 0; i < n; i++)
        if (table[i].type == msg_type)
            return &table[i];
    return NULL;
}

const char *kasme_nas5g_msg_name(uint8_t epd, uint8_t msg_type)
{
    const msg_info *info = find_info(epd, msg_type);
    return info ? info->name : NULL;
}

int kasme_nas5g_msg_direction(uint8_t epd, uint8_t msg_type)
{
    const msg_info *info = find_info(epd, msg_type);
    return info ? info->dir : -1;
}
