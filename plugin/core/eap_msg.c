/* EAP-AKA' packets; see eap_msg.h. */
#include "eap_msg.h"

#include <string.h>

/* RFC 4187 10.1: attribute types */
enum {
    AT_RAND = 1,
    AT_AUTN = 2,
    AT_RES = 3,
    AT_MAC = 11,
    AT_KDF_INPUT = 23, /* RFC 9048 3.1 */
    AT_KDF = 24,
};

#define EAP_HEADER_LEN 8 /* code, identifier, length(2), type, subtype, reserved(2) */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* AT_RAND, AT_AUTN, AT_MAC: two reserved octets, then 16 octets. */
static bool fixed16(const uint8_t *value, size_t len, const uint8_t **out)
{
    if (len != 18)
        return false;
    *out = value + 2;
    return true;
}

/* AT_RES: its length in bits, then the RES (RFC 4187 10.8: 32..128 bits). */
static bool take_res(const uint8_t *value, size_t len, kasme_eap_aka *out)
{
    size_t bits = be16(value);
    if (bits < 32 || bits > 128 || (bits + 7) / 8 > len - 2)
        return false;
    out->res = value + 2;
    out->res_bits = bits;
    return true;
}

/* AT_KDF_INPUT: the network name's actual length, then the name (RFC 9048 3.1). */
static bool take_name(const uint8_t *value, size_t len, kasme_eap_aka *out)
{
    size_t n = be16(value);
    if (n > len - 2 || n > KASME_EAP_NAME_MAX || memchr(value + 2, 0, n))
        return false;
    memcpy(out->network_name, value + 2, n);
    out->network_name[n] = '\0';
    return true;
}

/* One attribute; value_len >= 2 (an attribute is at least 4 octets). */
static bool take_attribute(uint8_t type, const uint8_t *pkt, size_t value_at, size_t value_len,
                           kasme_eap_aka *out)
{
    const uint8_t *value = pkt + value_at;
    const uint8_t *mac;
    switch (type) {
    case AT_RAND:
        return fixed16(value, value_len, &out->rand);
    case AT_AUTN:
        return fixed16(value, value_len, &out->autn);
    case AT_RES:
        return take_res(value, value_len, out);
    case AT_MAC:
        if (!fixed16(value, value_len, &mac))
            return false;
        out->mac_offset = (size_t)(mac - pkt);
        return true;
    case AT_KDF_INPUT:
        return take_name(value, value_len, out);
    case AT_KDF:
        if (!out->has_kdf) /* the first is the one the server prefers (RFC 9048 3.2) */
            out->kdf = be16(value);
        out->has_kdf = true;
        return true;
    default:
        return true; /* skippable or not needed here */
    }
}

int kasme_eap_parse(const uint8_t *pkt, size_t len, kasme_eap_aka *out)
{
    memset(out, 0, sizeof *out);
    if (!pkt || len < EAP_HEADER_LEN || len > KASME_EAP_PKT_MAX || be16(pkt + 2) != len ||
        pkt[4] != KASME_EAP_TYPE_AKA_PRIME)
        return -1;
    out->code = pkt[0];
    out->identifier = pkt[1];
    out->subtype = pkt[5];
    for (size_t pos = EAP_HEADER_LEN; pos < len;) {
        if (len - pos < 4)
            return -1;
        size_t attr_len = (size_t)pkt[pos + 1] * 4;
        if (attr_len == 0 || attr_len > len - pos ||
            !take_attribute(pkt[pos], pkt, pos + 2, attr_len - 2, out))
            return -1;
        pos += attr_len;
    }
    return 0;
}
