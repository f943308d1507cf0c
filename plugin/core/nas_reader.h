/* A bounds-checked cursor over a NAS message and the information-element reads that EPS
 * (TS 24.301) and 5GS (TS 24.501) messages share (TS 24.007 11.2). Internal to the NAS parsers. */
#ifndef KASME_NAS_READER_H
#define KASME_NAS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
} nas_reader;

static inline size_t rd_left(const nas_reader *r)
{
    return r->len - r->pos;
}

static inline bool rd_u8(nas_reader *r, uint8_t *v)
{
    if (rd_left(r) < 1)
        return false;
    *v = r->buf[r->pos++];
    return true;
}

static inline bool rd_bytes(nas_reader *r, size_t n, const uint8_t **v)
{
    if (rd_left(r) < n)
        return false;
    *v = r->buf + r->pos;
    r->pos += n;
    return true;
}

/* LV: one length octet, then the value (TS 24.007 11.2.1.1). */
static inline bool rd_lv(nas_reader *r, const uint8_t **v, size_t *n)
{
    uint8_t l;
    if (!rd_u8(r, &l))
        return false;
    *n = l;
    return rd_bytes(r, l, v);
}

/* LV-E: two length octets, big endian, then the value (TS 24.007 11.2.1.1). */
static inline bool rd_lve(nas_reader *r, const uint8_t **v, size_t *n)
{
    uint8_t hi, lo;
    if (!rd_u8(r, &hi) || !rd_u8(r, &lo))
        return false;
    *n = ((size_t)hi << 8) | lo;
    return rd_bytes(r, *n, v);
}

static inline uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* An optional IE as read (TS 24.007 11.2.4). */
typedef struct {
    uint8_t iei;          /* full octet; for one-octet IEs only the IEI nibble (0x90, 0xC0, ...) */
    const uint8_t *value; /* for one-octet IEs: that octet (value in its low nibble) */
    size_t len;
} nas_ie;

/* Total length of a TV (type 3) IE with this IEI in this message, 0 if it is not TV. */
typedef size_t (*nas_tv_len_fn)(uint8_t msg_type, uint8_t iei);

/* Reads the next optional IE: 1 = read, 0 = end of message, -1 = truncated. Type 1 and 2 IEs
 * have the high bit set; IEIs 0x70..0x7F are TLV-E in both EPS and 5GS messages (TS 24.007
 * 11.2.4); any other IEI that tv_len does not name is TLV. */
static inline int rd_optional_ie(nas_reader *r, uint8_t msg_type, nas_tv_len_fn tv_len,
                                 nas_ie *ie)
{
    uint8_t first;
    if (!rd_u8(r, &first))
        return 0;
    if (first & 0x80) {
        ie->iei = first & 0xF0;
        ie->value = r->buf + r->pos - 1;
        ie->len = 1;
        return 1;
    }
    ie->iei = first;
    size_t total = tv_len(msg_type, first);
    if (total) {
        ie->len = total - 1;
        return rd_bytes(r, ie->len, &ie->value) ? 1 : -1;
    }
    if ((first & 0xF0) == 0x70)
        return rd_lve(r, &ie->value, &ie->len) ? 1 : -1;
    return rd_lv(r, &ie->value, &ie->len) ? 1 : -1;
}

/* A message type's name (as Wireshark prints it) and direction, and its lookup in a table. */
typedef struct {
    uint8_t type;
    int8_t dir; /* 1 UL-only, 0 DL-only, -1 both */
    const char *name;
} nas_msg_info;

static inline const nas_msg_info *nas_msg_info_find(const nas_msg_info *table, size_t n,
                                                    uint8_t msg_type)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].type == msg_type)
            return &table[i];
    return NULL;
}

#endif
