/* Bounds-checked parsing of NAS PDUs: the security header of both domains (TS 24.301 9.1,
 * TS 24.501 9.1) and the EPS messages (TS 24.301 clauses 8 and 9, TS 24.007 11.2); the 5GMM
 * messages are in nas5g_msg.c. */
#include "nas_msg.h"
#include "nas_reader.h"

#include <string.h>

/* ---- Outer header (TS 24.301 9.1, 9.3.1) ---- */

static kasme_nas_sec_kind sec_kind_of(uint8_t sec_hdr)
{
    if (sec_hdr == 0)
        return KASME_NAS_SEC_PLAIN;
    if (sec_hdr <= 4)
        return KASME_NAS_SEC_PROTECTED;
    if (sec_hdr == 5)
        return KASME_NAS_SEC_PARTIAL;
    if (sec_hdr >= 12)  /* 13..15: "shall be interpreted as 1100" */
        return KASME_NAS_SEC_SERVICE_REQUEST;
    return KASME_NAS_SEC_RESERVED;
}

/* header | MAC (4) | SN (1) | NAS message: the header is one octet in EPS (TS 24.301 9.1,
 * figure 9.1.2) and two in 5GS (EPD, security header type: TS 24.501 9.1.1); the plain message
 * inside has at least 2 (EPS: PD, type) or 3 (5GS: EPD, security header type, type) octets. */
static int parse_protected(const uint8_t *pdu, size_t len, size_t hdr_len, size_t min_msg,
                           kasme_nas_outer *out)
{
    if (len < hdr_len + 4 + 1 + min_msg)
        return -1;
    out->mac = be32(pdu + hdr_len);
    out->seq = pdu[hdr_len + 4];
    out->mac_input = pdu + hdr_len + 4;
    out->mac_input_len = len - hdr_len - 4;
    out->inner = pdu + hdr_len + 5;
    out->inner_len = len - hdr_len - 5;
    return 0;
}

/* 5GS (TS 24.501 9.1.1, 9.3): 5GSM messages are never protected on their own (they travel in
 * 5GMM transport messages); a 5GMM PDU's second octet holds the security header type, 0..4. */
static int parse_outer_5gs(const uint8_t *pdu, size_t len, kasme_nas_outer *out)
{
    out->domain = KASME_DOMAIN_5GS;
    out->pd = pdu[0];
    if (out->pd == KASME_NAS_EPD_5GSM || len < 2) {
        out->kind = KASME_NAS_SEC_PLAIN;
        out->inner = pdu;
        out->inner_len = len;
        return out->pd == KASME_NAS_EPD_5GSM ? 0 : -1;
    }
    out->sec_hdr = pdu[1] & 0x0F;
    if (out->sec_hdr == 0) {
        out->kind = KASME_NAS_SEC_PLAIN;
        out->inner = pdu;
        out->inner_len = len;
        return 0;
    }
    if (out->sec_hdr > 4) {
        out->kind = KASME_NAS_SEC_RESERVED;
        return 0;
    }
    out->kind = KASME_NAS_SEC_PROTECTED;
    return parse_protected(pdu, len, 2, 3, out);
}

/* SERVICE REQUEST (TS 24.301 8.2.25): KSI and sequence number (9.9.3.19), short MAC (9.9.3.28). */
static int parse_service_request(const uint8_t *pdu, size_t len, kasme_nas_outer *out)
{
    if (len < 4)
        return -1;
    out->sr_ksi = pdu[1] >> 5;
    out->sr_seq5 = pdu[1] & 0x1F;
    out->sr_short_mac = (uint16_t)((pdu[2] << 8) | pdu[3]);
    return 0;
}

int kasme_nas_parse_outer(const uint8_t *pdu, size_t len, kasme_nas_outer *out)
{
    memset(out, 0, sizeof *out);
    if (!pdu || len < 1)
        return -1;
    if (kasme_nas_epd_is_5gs(pdu[0]))
        return parse_outer_5gs(pdu, len, out);
    out->pd = pdu[0] & 0x0F;
    if (out->pd == KASME_NAS_PD_ESM) {
        /* TS 24.301 9.3.2: for ESM the high nibble is the EPS bearer identity. */
        out->ebi = pdu[0] >> 4;
        out->kind = KASME_NAS_SEC_PLAIN;
        out->inner = pdu;
        out->inner_len = len;
        return 0;
    }
    if (out->pd != KASME_NAS_PD_EMM)
        return -1;
    out->sec_hdr = pdu[0] >> 4;
    out->kind = sec_kind_of(out->sec_hdr);
    switch (out->kind) {
    case KASME_NAS_SEC_PLAIN:
        out->inner = pdu;
        out->inner_len = len;
        return 0;
    case KASME_NAS_SEC_PROTECTED:
    case KASME_NAS_SEC_PARTIAL:
        return parse_protected(pdu, len, 1, 2, out);
    case KASME_NAS_SEC_SERVICE_REQUEST:
        return parse_service_request(pdu, len, out);
    default:
        return 0;  /* reserved: reported through kind, nothing else interpreted */
    }
}

/* ---- Identities ---- */

/* BCD digits of an IMSI/IMEI/IMEISV (TS 24.008 10.5.1.4): digit 1 in the high nibble of the
 * first octet (bit 4 = odd number of digits), then two digits an octet, low nibble first; an
 * even count leaves filler 0xF in the last high nibble. */
static bool decode_bcd_digits(const uint8_t *v, size_t n, char digits[17])
{
    bool odd = (v[0] & 0x08) != 0;
    size_t count = 2 * n - 1 - (odd ? 0 : 1);
    if (count < 1 || count > 16)
        return false;
    for (size_t i = 0; i < count; i++) {
        /* Digit i > 0 sits in octet (i + 1) / 2: low nibble for odd i, high nibble for even i. */
        uint8_t octet = v[(i + 1) / 2];
        uint8_t d = (i == 0 || i % 2 == 0) ? (octet >> 4) : (octet & 0x0F);
        if (d > 9)
            return false;
        digits[i] = (char)('0' + d);
    }
    digits[count] = '\0';
    return true;
}

/* GUTI value (TS 24.301 9.9.3.12): type octet, MCC/MNC 3, MME group id 2, MME code 1, M-TMSI 4. */
static bool decode_guti(const uint8_t *v, size_t n, kasme_nas_identity *id)
{
    if (n != 11)
        return false;
    id->type = KASME_NAS_ID_GUTI;
    memcpy(id->plmn, v + 1, 3);
    id->mmegi = (uint16_t)((v[4] << 8) | v[5]);
    id->mmec = v[6];
    id->m_tmsi = be32(v + 7);
    return true;
}

static bool decode_digits_as(const uint8_t *v, size_t n, kasme_nas_id_type type,
                             kasme_nas_identity *id)
{
    id->type = type;
    return decode_bcd_digits(v, n, id->digits);
}

/* EPS mobile identity value (TS 24.301 9.9.3.12): type 1 IMSI, 3 IMEI, 6 GUTI. */
static bool decode_eps_mobile_identity(const uint8_t *v, size_t n, kasme_nas_identity *id)
{
    memset(id, 0, sizeof *id);
    if (n < 1)
        return false;
    switch (v[0] & 0x07) {
    case 1:
        return decode_digits_as(v, n, KASME_NAS_ID_IMSI, id);
    case 3:
        return decode_digits_as(v, n, KASME_NAS_ID_IMEI, id);
    case 6:
        return decode_guti(v, n, id);
    default:
        id->type = KASME_NAS_ID_OTHER;
        return true;
    }
}

/* Mobile identity value (TS 24.008 10.5.1.4): 1 IMSI, 2 IMEI, 3 IMEISV, 4 TMSI/P-TMSI/M-TMSI. */
static bool decode_mobile_identity(const uint8_t *v, size_t n, kasme_nas_identity *id)
{
    memset(id, 0, sizeof *id);
    if (n < 1)
        return false;
    switch (v[0] & 0x07) {
    case 1:
        return decode_digits_as(v, n, KASME_NAS_ID_IMSI, id);
    case 2:
        return decode_digits_as(v, n, KASME_NAS_ID_IMEI, id);
    case 3:
        return decode_digits_as(v, n, KASME_NAS_ID_IMEISV, id);
    case 4:
        if (n != 5)  /* type octet, then the 4-octet TMSI */
            return false;
        id->type = KASME_NAS_ID_TMSI;
        id->m_tmsi = be32(v + 1);
        return true;
    default:
        id->type = KASME_NAS_ID_OTHER;
        return true;
    }
}

/* ---- Optional IEs (TS 24.007 11.2.4, TS 24.301 9.9.1) ---- */

/* The TV (type 3) IEs of the EMM messages of TS 24.301 clause 8.2 with their total length. An
 * IEI that is TV means the same TV IE in every EMM message that carries it, so one table
 * serves all messages. */
static const struct {
    uint8_t iei, total_len;
} emm_tv_ies[] = {
    {0x13, 6}, /* Location area identification; Old location area identification */
    {0x17, 2}, /* T3402 value */
    {0x19, 4}, /* Old P-TMSI signature */
    {0x46, 2}, /* Local time zone (EMM information) */
    {0x47, 8}, /* Universal time and local time zone (EMM information) */
    {0x52, 6}, /* Last visited registered TAI */
    {0x53, 2}, /* EMM cause */
    {0x55, 5}, /* NonceUE; Replayed nonceUE */
    {0x56, 5}, /* NonceMME */
    {0x59, 2}, /* T3423 value */
    {0x5A, 2}, /* T3412 value (TAU accept) */
    {0x5B, 2}, /* T3442 value (Service reject) */
    {0x5C, 3}, /* DRX parameter */
    {0x61, 2}, /* SS code (CS service notification) */
    {0x62, 2}, /* LCS indicator (CS service notification) */
};

static size_t emm_tv_total_len(uint8_t msg_type, uint8_t iei)
{
    (void)msg_type;
    for (size_t i = 0; i < sizeof emm_tv_ies / sizeof emm_tv_ies[0]; i++)
        if (emm_tv_ies[i].iei == iei)
            return emm_tv_ies[i].total_len;
    return 0;
}

/* The optional IEs the tracker wants, by message (TS 24.301 clause 8.2 tables). */
static bool take_optional_ie(uint8_t msg_type, const nas_ie *ie, kasme_nas_msg *out)
{
    switch (msg_type) {
    case 0x42: /* Attach accept: GUTI */
    case 0x49: /* TAU accept: GUTI */
        if (ie->iei == 0x50)
            return decode_eps_mobile_identity(ie->value, ie->len, &out->new_guti);
        break;
    case 0x44: /* Attach reject */
    case 0x4D: /* Control plane service request */
        if (ie->iei == 0x78) {
            out->esm_container = ie->value;
            out->esm_container_len = ie->len;
        }
        break;
    case 0x5C: /* Authentication failure: Authentication failure parameter (9.9.3.1) */
        if (ie->iei == 0x30) {
            if (ie->len != sizeof out->auts)
                return false;
            memcpy(out->auts, ie->value, sizeof out->auts);
            out->has_auts = true;
        }
        break;
    case 0x5E: /* Security mode complete: IMEISV */
        if (ie->iei == 0x23)
            return decode_mobile_identity(ie->value, ie->len, &out->identity);
        break;
    default:
        break;
    }
    return true;
}

/* Walks the optional part to its end: -1 if an IE runs past the end or is malformed. */
static int parse_optionals(nas_reader *r, kasme_nas_msg *out)
{
    nas_ie ie;
    int got;
    while ((got = rd_optional_ie(r, out->msg_type, emm_tv_total_len, &ie)) == 1)
        if (!take_optional_ie(out->msg_type, &ie, out))
            return -1;
    return got;
}

/* ---- EMM messages (TS 24.301 8.2) ---- */

/* NAS key set identifier (9.9.3.21) as a half octet: bit 4 TSC, bits 3..1 KSI. */
static void set_nas_ksi(kasme_nas_msg *out, uint8_t nibble)
{
    out->tsc = (nibble >> 3) & 1;
    out->ksi = nibble & 0x07;
}

static bool rd_eps_mobile_identity(nas_reader *r, kasme_nas_identity *id)
{
    const uint8_t *v;
    size_t n;
    return rd_lv(r, &v, &n) && decode_eps_mobile_identity(v, n, id);
}

static bool rd_mobile_identity(nas_reader *r, kasme_nas_identity *id)
{
    const uint8_t *v;
    size_t n;
    return rd_lv(r, &v, &n) && decode_mobile_identity(v, n, id);
}

static bool rd_esm_container(nas_reader *r, kasme_nas_msg *out)
{
    return rd_lve(r, &out->esm_container, &out->esm_container_len);
}

/* 8.2.4: NAS KSI | EPS attach type, EPS mobile identity LV, UE network capability LV,
 * ESM message container LV-E. */
static int parse_attach_request(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    const uint8_t *cap;
    size_t cap_len;
    if (!rd_u8(r, &octet))
        return -1;
    set_nas_ksi(out, octet >> 4);
    if (!rd_eps_mobile_identity(r, &out->identity) || !rd_lv(r, &cap, &cap_len) ||
        !rd_esm_container(r, out))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.1: spare | EPS attach result, T3412 V, TAI list LV, ESM message container LV-E. */
static int parse_attach_accept(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    const uint8_t *tai_list;
    size_t tai_len;
    if (!rd_u8(r, &octet) || !rd_u8(r, &octet) || !rd_lv(r, &tai_list, &tai_len) ||
        !rd_esm_container(r, out))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.2: ESM message container LV-E. */
static int parse_attach_complete(nas_reader *r, kasme_nas_msg *out)
{
    if (!rd_esm_container(r, out))
        return -1;
    return parse_optionals(r, out);
}

/* Messages whose mandatory part is just an EMM cause V (attach/TAU/service reject, SMC
 * reject, EMM status). */
static int parse_emm_cause_first(nas_reader *r, kasme_nas_msg *out)
{
    if (!rd_u8(r, &out->emm_cause))
        return -1;
    return parse_optionals(r, out);
}

/* Detach request has two layouts (8.2.11.1 UL, 8.2.11.2 DL). Without a hint: the UL one needs
 * an EPS mobile identity after octet 2; the DL one has nothing or the EMM cause IE 0x53 (an LV
 * identity of 0x53 octets cannot exist). */
static bool detach_looks_uplink(const nas_reader *r)
{
    return rd_left(r) > 1 && r->buf[r->pos + 1] != 0x53;
}

static int parse_detach_request(nas_reader *r, int uplink_hint, kasme_nas_msg *out)
{
    bool uplink = uplink_hint == 1 || (uplink_hint == -1 && detach_looks_uplink(r));
    uint8_t octet;
    if (!rd_u8(r, &octet))
        return -1;
    if (!uplink)  /* spare | detach type: nothing the tracker needs */
        return parse_optionals(r, out);
    set_nas_ksi(out, octet >> 4);
    out->detach_switch_off = (octet >> 3) & 1;  /* 9.9.3.7: bit 4 of the detach type */
    if (!rd_eps_mobile_identity(r, &out->identity))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.29: NAS KSI | EPS update type, old GUTI (EPS mobile identity LV). */
static int parse_tau_request(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    if (!rd_u8(r, &octet))
        return -1;
    set_nas_ksi(out, octet >> 4);
    if (!rd_eps_mobile_identity(r, &out->identity))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.26: spare | EPS update result, then only optional IEs. */
static int parse_tau_accept(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    if (!rd_u8(r, &octet))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.15: NAS KSI | service type, M-TMSI (Mobile identity LV, type TMSI). */
static int parse_extended_service_request(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    if (!rd_u8(r, &octet))
        return -1;
    set_nas_ksi(out, octet >> 4);
    if (!rd_mobile_identity(r, &out->identity))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.33: NAS KSI | control plane service type, then optional IEs (ESM container 0x78). */
static int parse_cp_service_request(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    if (!rd_u8(r, &octet))
        return -1;
    set_nas_ksi(out, octet >> 4);
    return parse_optionals(r, out);
}

/* 8.2.16: GUTI (EPS mobile identity LV). */
static int parse_guti_realloc_command(nas_reader *r, kasme_nas_msg *out)
{
    if (!rd_eps_mobile_identity(r, &out->new_guti))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.7: spare | NAS KSI, RAND V 16 (9.9.3.3), AUTN LV 17 (9.9.3.2). */
static int parse_auth_request(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t octet;
    const uint8_t *rand, *autn;
    size_t autn_len;
    if (!rd_u8(r, &octet) || !rd_bytes(r, 16, &rand) || !rd_lv(r, &autn, &autn_len) ||
        autn_len != 16)
        return -1;
    set_nas_ksi(out, octet & 0x0F);
    memcpy(out->rand, rand, 16);
    memcpy(out->autn, autn, 16);
    out->has_rand = out->has_autn = true;
    return parse_optionals(r, out);
}

/* 8.2.8: RES LV, 4 to 16 octets (9.9.3.4). */
static int parse_auth_response(nas_reader *r, kasme_nas_msg *out)
{
    const uint8_t *res;
    size_t res_len;
    if (!rd_lv(r, &res, &res_len) || res_len < 4 || res_len > sizeof out->res)
        return -1;
    memcpy(out->res, res, res_len);
    out->res_len = res_len;
    return parse_optionals(r, out);
}

/* 8.2.19: Mobile identity LV. */
static int parse_identity_response(nas_reader *r, kasme_nas_msg *out)
{
    if (!rd_mobile_identity(r, &out->identity))
        return -1;
    return parse_optionals(r, out);
}

/* 8.2.20: selected NAS security algorithms (9.9.3.23: bits 7..5 EEA, bits 3..1 EIA),
 * spare | NAS KSI, replayed UE security capabilities LV. */
static int parse_security_mode_command(nas_reader *r, kasme_nas_msg *out)
{
    uint8_t algs, octet;
    const uint8_t *caps;
    size_t caps_len;
    if (!rd_u8(r, &algs) || !rd_u8(r, &octet) || !rd_lv(r, &caps, &caps_len))
        return -1;
    out->smc_eea = (algs >> 4) & 0x07;
    out->smc_eia = algs & 0x07;
    set_nas_ksi(out, octet & 0x0F);
    return parse_optionals(r, out);
}

/* The EMM message after its 2-octet header; messages without anything the tracker needs
 * are accepted as they are. */
static int parse_emm_body(nas_reader *r, int uplink_hint, kasme_nas_msg *out)
{
    switch (out->msg_type) {
    case 0x41: return parse_attach_request(r, out);
    case 0x42: return parse_attach_accept(r, out);
    case 0x43: return parse_attach_complete(r, out);
    case 0x44: /* Attach reject */
    case 0x4B: /* TAU reject */
    case 0x4E: /* Service reject */
    case 0x5F: /* Security mode reject */
    case 0x60: /* EMM status */
        return parse_emm_cause_first(r, out);
    case 0x45: return parse_detach_request(r, uplink_hint, out);
    case 0x48: return parse_tau_request(r, out);
    case 0x49: return parse_tau_accept(r, out);
    case 0x4C: return parse_extended_service_request(r, out);
    case 0x4D: return parse_cp_service_request(r, out);
    case 0x50: return parse_guti_realloc_command(r, out);
    case 0x52: return parse_auth_request(r, out);
    case 0x53: return parse_auth_response(r, out);
    case 0x56: return parse_identity_response(r, out);
    case 0x5C: return parse_emm_cause_first(r, out); /* then AUTS 0x30 */
    case 0x5D: return parse_security_mode_command(r, out);
    case 0x5E: return parse_optionals(r, out);       /* only optionals: IMEISV 0x23 */
    default: return 0;
    }
}

/* TS 24.301 9.8: what an EMM message type means to the tracker. */
static kasme_nas_kind emm_kind(uint8_t msg_type)
{
    switch (msg_type) {
    case 0x41: /* Attach request */
    case 0x48: /* Tracking area update request */
    case 0x4C: /* Extended service request */
        return KASME_NAS_K_INITIAL;
    case 0x52: return KASME_NAS_K_AUTH_REQUEST;
    case 0x53: return KASME_NAS_K_AUTH_RESPONSE;
    case 0x5C: return KASME_NAS_K_AUTH_FAILURE;
    case 0x5D: return KASME_NAS_K_SMC;
    case 0x5E: return KASME_NAS_K_SMC_COMPLETE;
    case 0x56: return KASME_NAS_K_IDENTITY_RESPONSE;
    default: return KASME_NAS_K_OTHER;
    }
}

kasme_nas_kind kasme_nas_kind_of(const uint8_t *msg, size_t len)
{
    if (len >= 3 && msg[0] == KASME_NAS_EPD_5GMM && (msg[1] & 0x0F) == 0)
        return kasme_nas5g_kind(msg[2]);
    if (len >= 2 && msg[0] == KASME_NAS_PD_EMM) /* security header type 0 */
        return emm_kind(msg[1]);
    return KASME_NAS_K_OTHER;
}

int kasme_nas_parse_plain(const uint8_t *msg, size_t len, int uplink_hint, kasme_nas_msg *out)
{
    memset(out, 0, sizeof *out);
    out->ksi = out->tsc = -1;
    if (!msg || len < 2)
        return -1;
    if (kasme_nas_epd_is_5gs(msg[0]))
        return kasme_nas5g_parse_5gmm(msg, len, out);
    out->pd = msg[0] & 0x0F;
    if (out->pd == KASME_NAS_PD_ESM) {
        /* EBI | PD, procedure transaction identity, message type (9.1, figure 9.1.1) */
        if (len < 3)
            return -1;
        out->msg_type = msg[2];
        return 0;
    }
    /* A plain EMM message has security header type 0; anything else is not plain. */
    if (out->pd != KASME_NAS_PD_EMM || (msg[0] >> 4) != 0)
        return -1;
    out->msg_type = msg[1];
    out->kind = emm_kind(out->msg_type);
    nas_reader r = {.buf = msg, .len = len, .pos = 2};
    return parse_emm_body(&r, uplink_hint, out);
}

/* ---- Names and directions (TS 24.301 9.8; names as Wireshark's nas-eps prints them) ---- */

static const nas_msg_info emm_msgs[] = {
    {0x41, 1, "Attach request"},
    {0x42, 0, "Attach accept"},
    {0x43, 1, "Attach complete"},
    {0x44, 0, "Attach reject"},
    {0x45, -1, "Detach request"},
    {0x46, -1, "Detach accept"},
    {0x48, 1, "Tracking area update request"},
    {0x49, 0, "Tracking area update accept"},
    {0x4A, 1, "Tracking area update complete"},
    {0x4B, 0, "Tracking area update reject"},
    {0x4C, 1, "Extended service request"},
    {0x4D, 1, "Control plane service request"},
    {0x4E, 0, "Service reject"},
    {0x4F, 0, "Service accept"},
    {0x50, 0, "GUTI reallocation command"},
    {0x51, 1, "GUTI reallocation complete"},
    {0x52, 0, "Authentication request"},
    {0x53, 1, "Authentication response"},
    {0x54, 0, "Authentication reject"},
    {0x55, 0, "Identity request"},
    {0x56, 1, "Identity response"},
    {0x5C, 1, "Authentication failure"},
    {0x5D, 0, "Security mode command"},
    {0x5E, 1, "Security mode complete"},
    {0x5F, 1, "Security mode reject"},
    {0x60, -1, "EMM status"},
    {0x61, 0, "EMM information"},
    {0x62, 0, "Downlink NAS transport"},
    {0x63, 1, "Uplink NAS transport"},
    {0x64, 0, "CS service notification"},
    {0x68, 0, "Downlink generic NAS transport"},
    {0x69, 1, "Uplink generic NAS transport"},
};

static const nas_msg_info esm_msgs[] = {
    {0xC1, 0, "Activate default EPS bearer context request"},
    {0xC2, 1, "Activate default EPS bearer context accept"},
    {0xC3, 1, "Activate default EPS bearer context reject"},
    {0xC5, 0, "Activate dedicated EPS bearer context request"},
    {0xC6, 1, "Activate dedicated EPS bearer context accept"},
    {0xC7, 1, "Activate dedicated EPS bearer context reject"},
    {0xC9, 0, "Modify EPS bearer context request"},
    {0xCA, 1, "Modify EPS bearer context accept"},
    {0xCB, 1, "Modify EPS bearer context reject"},
    {0xCD, 0, "Deactivate EPS bearer context request"},
    {0xCE, 1, "Deactivate EPS bearer context accept"},
    {0xD0, 1, "PDN connectivity request"},
    {0xD1, 0, "PDN connectivity reject"},
    {0xD2, 1, "PDN disconnect request"},
    {0xD3, 0, "PDN disconnect reject"},
    {0xD4, 1, "Bearer resource allocation request"},
    {0xD5, 0, "Bearer resource allocation reject"},
    {0xD6, 1, "Bearer resource modification request"},
    {0xD7, 0, "Bearer resource modification reject"},
    {0xD9, 0, "ESM information request"},
    {0xDA, 1, "ESM information response"},
    {0xDB, 0, "Notification"},
    {0xDC, -1, "ESM dummy message"},
    {0xE8, -1, "ESM status"},
    {0xE9, 1, "Remote UE report"},
    {0xEA, 0, "Remote UE report response"},
    {0xEB, -1, "ESM data transport"},
};

static const nas_msg_info *find_msg_info(uint8_t pd, uint8_t msg_type)
{
    if (pd == KASME_NAS_PD_EMM)
        return nas_msg_info_find(emm_msgs, sizeof emm_msgs / sizeof emm_msgs[0], msg_type);
    if (pd == KASME_NAS_PD_ESM)
        return nas_msg_info_find(esm_msgs, sizeof esm_msgs / sizeof esm_msgs[0], msg_type);
    return NULL;
}

const char *kasme_nas_msg_name(uint8_t pd, uint8_t msg_type)
{
    if (kasme_nas_epd_is_5gs(pd))
        return kasme_nas5g_msg_name(pd, msg_type);
    const nas_msg_info *info = find_msg_info(pd, msg_type);
    return info ? info->name : NULL;
}

int kasme_nas_msg_direction(uint8_t pd, uint8_t msg_type)
{
    if (kasme_nas_epd_is_5gs(pd))
        return kasme_nas5g_msg_direction(pd, msg_type);
    const nas_msg_info *info = find_msg_info(pd, msg_type);
    return info ? info->dir : -1;
}
