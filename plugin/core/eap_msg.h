/* Bounds-checked parsing of the EAP-AKA' packets that 5GS NAS carries in its EAP message IE
 * (TS 24.501 9.11.2.2; RFC 3748 4, RFC 4187 8 and 10, RFC 9048 3): just what the tracker needs
 * to follow an AKA'-Challenge. Plain C, no Wireshark or GLib types. */
#ifndef KASME_EAP_MSG_H
#define KASME_EAP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    KASME_EAP_REQUEST = 1, /* RFC 3748 4.1 codes */
    KASME_EAP_RESPONSE = 2,
    KASME_EAP_TYPE_AKA_PRIME = 50,  /* RFC 9048 */
    KASME_EAP_AKA_CHALLENGE = 1,    /* RFC 4187 11: subtype */
    KASME_EAP_AKA_MAC_LEN = 16,     /* AT_MAC value (RFC 9048 3.5: HMAC-SHA-256-128) */
    KASME_EAP_NAME_MAX = 255,       /* AT_KDF_INPUT: longer names are refused */
    KASME_EAP_PKT_MAX = 1500,       /* TS 24.501 9.11.2.2: the EAP message IE's longest value */
};

/* An EAP-AKA' packet; the pointers point into the packet. */
typedef struct {
    uint8_t code, identifier, subtype;
    const uint8_t *rand, *autn;       /* AT_RAND, AT_AUTN: 16 octets each, or NULL */
    const uint8_t *res;               /* AT_RES: the RES, res_bits long (RFC 4187 10.8) */
    size_t res_bits;
    size_t mac_offset;                /* AT_MAC's value in the packet, 0 if absent */
    bool has_kdf;                     /* AT_KDF: the first one's value (1 = RFC 9048 3.1) */
    uint16_t kdf;
    char network_name[KASME_EAP_NAME_MAX + 1]; /* AT_KDF_INPUT, NUL-terminated; "" if absent */
} kasme_eap_aka;

/* 0 ok (an EAP-AKA' packet whose attributes all fit), -1 anything else: not EAP-AKA', a
 * length that disagrees with the buffer, a truncated or zero-length attribute, an AT_RAND,
 * AT_AUTN or AT_MAC of the wrong size, an AT_RES longer than its attribute, a network name
 * with a NUL or over KASME_EAP_NAME_MAX, a packet over KASME_EAP_PKT_MAX. */
int kasme_eap_parse(const uint8_t *pkt, size_t len, kasme_eap_aka *out);

#endif
