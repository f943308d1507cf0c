/* Bounds-checked parsing of NAS PDUs of EPS (TS 24.301) and 5GS (TS 24.501): just what the
 * security tracker needs. Plain C, no Wireshark or GLib types. Every read is checked against the buffer length; on -1 an
 * output struct may be partly filled and must not be used. */
#ifndef KASME_NAS_MSG_H
#define KASME_NAS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KASME_NAS_PD_ESM 2 /* TS 24.007 11.2.3.1.1 */
#define KASME_NAS_PD_EMM 7
#define KASME_NAS_EPD_5GMM 0x7E /* TS 24.007 11.2.3.1.1A */
#define KASME_NAS_EPD_5GSM 0x2E

/* The system a NAS PDU (and a security context) belongs to. */
typedef enum { KASME_DOMAIN_EPS = 0, KASME_DOMAIN_5GS = 1 } kasme_domain;

/* A 5GS protocol discriminator (5GMM or 5GSM EPD); EPS PDs are 4 bits with the security header
 * or EBI above them, so the two never meet in one octet. */
static inline bool kasme_nas_epd_is_5gs(uint8_t first_octet)
{
    return first_octet == KASME_NAS_EPD_5GMM || first_octet == KASME_NAS_EPD_5GSM;
}

/* What the security header type (TS 24.301 9.3.1) makes of a PDU. */
typedef enum {
    KASME_NAS_SEC_PLAIN = 0,        /* type 0, and every ESM PDU (its nibble is the EBI) */
    KASME_NAS_SEC_PROTECTED,        /* types 1..4: MAC, SN, message (ciphered for 2 and 4) */
    KASME_NAS_SEC_PARTIAL,          /* type 5: MAC, SN, message with ciphered IE values */
    KASME_NAS_SEC_SERVICE_REQUEST,  /* type 12; 13..15 "shall be interpreted as 1100" */
    KASME_NAS_SEC_RESERVED,         /* types 6..11: nothing after octet 1 is interpreted */
} kasme_nas_sec_kind;

typedef struct {
    uint8_t sec_hdr, pd;     /* sec_hdr as on the wire (0 for ESM); pd = low nibble of octet 1,
                                or the 5GS extended protocol discriminator (0x7E, 0x2E) */
    kasme_domain domain;
    kasme_nas_sec_kind kind;
    uint8_t ebi;             /* ESM only: EPS bearer identity (TS 24.301 9.3.2) */
    uint32_t mac; uint8_t seq;          /* types 1..5 */
    /* Types 1..5: the message after the SN (ciphered for 2 and 4). Plain/ESM: the whole PDU.
     * Service request and reserved types: NULL, 0. */
    const uint8_t *inner; size_t inner_len;
    /* Types 1..5: what the NAS-MAC covers, SN || message (TS 33.401 8.1.1, TS 33.501 6.4.3) */
    const uint8_t *mac_input; size_t mac_input_len;
    uint8_t sr_ksi, sr_seq5; uint16_t sr_short_mac;   /* types 12..15 (TS 24.301 8.2.25) */
} kasme_nas_outer;

/* 0 ok, -1 truncated/invalid (empty, protected PDU without a message, a PD other than EMM, ESM,
 * 5GMM or 5GSM). */
int kasme_nas_parse_outer(const uint8_t *pdu, size_t len, kasme_nas_outer *out);

typedef enum {
    KASME_NAS_ID_NONE,  /* no identity in the message */
    KASME_NAS_ID_IMSI, KASME_NAS_ID_GUTI, KASME_NAS_ID_TMSI, KASME_NAS_ID_IMEI,
    KASME_NAS_ID_IMEISV,
    KASME_NAS_ID_SUCI,  /* a concealed SUCI (protection scheme 1..15); a null-scheme SUCI is IMSI */
    KASME_NAS_ID_OTHER  /* present, of a type not decoded here */
} kasme_nas_id_type;

typedef struct {
    kasme_nas_id_type type;
    char digits[17];   /* IMSI/IMEI/IMEISV digits, NUL-terminated */
    uint8_t plmn[3];   /* GUTI: MCC/MNC as on the wire (TS 24.008 10.5.1.13 order) */
    uint16_t mmegi;
    uint8_t mmec;
    uint32_t m_tmsi;   /* GUTI, and TMSI (M-TMSI / P-TMSI / TMSI; 5G-TMSI of a 5G-GUTI/5G-S-TMSI) */
    bool from_suci;    /* IMSI: read from a null-scheme SUCI (TS 24.501 9.11.3.4) */
    /* SUCI (TS 24.501 9.11.3.4, TS 33.501 6.12.2): the home network's PLMN (MCC/MNC as on the
     * wire), the protection scheme and key id, and the scheme output, pointing into the message */
    uint8_t suci_scheme, suci_hn_key_id;
    const uint8_t *suci_output; size_t suci_output_len;
    const uint8_t *suci_ie; size_t suci_ie_len; /* the whole IE value (suci.h parses it) */
} kasme_nas_identity;

/* What a message means to the tracker, whatever its domain: EMM and 5GMM use the same type
 * codes for different messages. */
typedef enum {
    KASME_NAS_K_OTHER = 0,
    KASME_NAS_K_AUTH_REQUEST,
    KASME_NAS_K_AUTH_RESPONSE,
    KASME_NAS_K_AUTH_FAILURE,
    KASME_NAS_K_SMC,
    KASME_NAS_K_SMC_COMPLETE,
    /* An initial NAS message: names its UE and brings it to connected mode (attach, TAU and
     * extended service request; registration request and service request) */
    KASME_NAS_K_INITIAL,
    KASME_NAS_K_IDENTITY_RESPONSE,
} kasme_nas_kind;

typedef struct {
    uint8_t pd, msg_type;    /* pd: the EPS PD, or the 5GS EPD */
    kasme_domain domain;
    kasme_nas_kind kind;
    int ksi;  /* NAS key set identifier (0..7, 7 = no key) when the message has one, else -1 */
    int tsc;  /* its type of security context flag (0 native, 1 mapped), else -1 */
    /* Attach request, Detach request (UL), TAU request (old GUTI), Identity response,
     * Extended service request (M-TMSI), Security mode complete (IMEISV) */
    kasme_nas_identity identity;
    kasme_nas_identity new_guti;  /* Attach accept, TAU accept, GUTI reallocation command */
    bool has_rand, has_autn; uint8_t rand[16], autn[16];   /* Authentication request */
    uint8_t res[16]; size_t res_len;      /* Authentication response: RES, or RES* (5GS) */
    uint8_t abba[16]; size_t abba_len; bool has_abba;    /* 5GS authentication request, SMC */
    const uint8_t *eap; size_t eap_len;   /* 5GS EAP message IE (EAP-AKA'), into msg */
    /* 5GS NAS message container (TS 24.501 9.11.3.33) of an initial message or SMC Complete */
    const uint8_t *nas_container; size_t nas_container_len;
    /* Authentication failure; also Attach/TAU/Service reject, SMC reject, EMM status */
    uint8_t emm_cause; bool has_auts; uint8_t auts[14];
    uint8_t smc_eea, smc_eia;     /* Security mode command: selected algorithms (0..7) */
    uint8_t detach_switch_off;    /* Detach request (UL): 1 = switch off */
    const uint8_t *esm_container; size_t esm_container_len;  /* points into msg when present */
} kasme_nas_msg;

/* A plain NAS message of either domain (security header type 0, or the inner message of a
 * protected PDU after deciphering). uplink_hint: -1 unknown, 0 DL, 1 UL (Detach request differs by direction; with
 * -1 the layout is guessed from the length). 0 ok, -1 truncated/invalid. */
int kasme_nas_parse_plain(const uint8_t *msg, size_t len, int uplink_hint, kasme_nas_msg *out);

/* The message name as Wireshark's nas-eps or nas-5gs dissector prints it ("Attach request"),
 * or NULL for a type it does not know; pd is the EPS PD or the 5GS EPD. The type-12 PDU has no message type: use KASME_NAS_NAME_SERVICE_REQ. */
const char *kasme_nas_msg_name(uint8_t pd, uint8_t msg_type);
#define KASME_NAS_NAME_SERVICE_REQ "Service request"

/* 1 UL-only, 0 DL-only, -1 both directions or unknown (TS 24.301 8.2 / 8.3). */
int kasme_nas_msg_direction(uint8_t pd, uint8_t msg_type);

/* What a plain message of either domain means, from its header alone (no IE is read). */
kasme_nas_kind kasme_nas_kind_of(const uint8_t *msg, size_t len);

/* 5GS (nas5g_msg.c): the 5GMM message after its 3-octet header (TS 24.501 8.2), into out. */
int kasme_nas5g_parse_5gmm(const uint8_t *msg, size_t len, kasme_nas_msg *out);
kasme_nas_kind kasme_nas5g_kind(uint8_t msg_type);
const char *kasme_nas5g_msg_name(uint8_t epd, uint8_t msg_type);
int kasme_nas5g_msg_direction(uint8_t epd, uint8_t msg_type);

#endif
