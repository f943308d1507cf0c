/* Diameter message reading (dia_msg.h): RFC 6733 3 (header), 4.1 (AVP header, padding), 4.4
 * (grouped AVPs); TS 29.272 7.3.17-7.3.18 (Authentication-Info, E-UTRAN-Vector). */
#include "dia_msg.h"

#include <string.h>

#include "secure_zero.h"

enum {
    FLAG_REQUEST = 0x80, /* RFC 6733 3: R */
    AVP_FLAG_VENDOR = 0x80, /* RFC 6733 4.1: V, a Vendor-ID follows the length */
    AVP_HEADER_LEN = 8,
    AVP_VENDOR_HEADER_LEN = 12,
};

typedef struct {
    uint32_t code, vendor; /* vendor 0: no V bit */
    const uint8_t *data;
    size_t len;  /* of the data, without header and padding */
    size_t step; /* to the next AVP */
} dia_avp;

typedef struct {
    kasme_dia_msg *msg;
    kasme_dia_vector_fn each_vector; /* NULL on the pass that only checks */
    void *user;
} dia_walk;

static uint32_t be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | be24(p + 1);
}

/* The AVP at p with avail octets left in what holds it; false if it does not fit. */
static bool read_avp(const uint8_t *p, size_t avail, dia_avp *avp)
{
    if (avail < AVP_HEADER_LEN)
        return false;
    size_t header = (p[4] & AVP_FLAG_VENDOR) ? AVP_VENDOR_HEADER_LEN : AVP_HEADER_LEN;
    size_t len = be24(p + 5);
    if (len < header || len > avail)
        return false;
    avp->code = be32(p);
    avp->vendor = header == AVP_VENDOR_HEADER_LEN ? be32(p + 8) : 0;
    avp->data = p + header;
    avp->len = len - header;
    /* padded to 4 octets (RFC 6733 4.1); the padding of the last AVP of a container is taken
     * as it comes, since some senders leave it out */
    size_t padded = (len + 3) & ~(size_t)3;
    avp->step = padded <= avail ? padded : avail;
    return true;
}

static bool take_octets(const dia_avp *avp, uint8_t *out, size_t min, size_t max, bool *has)
{
    if (*has || avp->len < min || avp->len > max)
        return false;
    memcpy(out, avp->data, avp->len);
    *has = true;
    return true;
}

static void take_vector_member(kasme_dia_vector *v, const dia_avp *avp)
{
    bool has_xres = v->xres_len != 0;
    switch (avp->code) {
    case KASME_DIA_AVP_RAND:
        take_octets(avp, v->rand, 16, 16, &v->has_rand);
        break;
    case KASME_DIA_AVP_AUTN:
        take_octets(avp, v->autn, 16, 16, &v->has_autn);
        break;
    case KASME_DIA_AVP_KASME:
        take_octets(avp, v->kasme, 32, 32, &v->has_kasme);
        break;
    case KASME_DIA_AVP_XRES: /* TS 33.102 6.3.2: 4..16 octets */
        if (take_octets(avp, v->xres, 4, 16, &has_xres))
            v->xres_len = (uint8_t)avp->len;
        break;
    default:
        break;
    }
}

static void note_base_avp(kasme_dia_msg *msg, const dia_avp *avp)
{
    if (avp->code == KASME_DIA_AVP_SESSION_ID && !msg->session_id) {
        msg->session_id = avp->data;
        msg->session_id_len = avp->len;
    } else if (avp->code == KASME_DIA_AVP_USER_NAME && !msg->user_name) {
        msg->user_name = avp->data;
        msg->user_name_len = avp->len;
    }
}

static kasme_dia_status walk_avps(dia_walk *w, const uint8_t *p, size_t len, unsigned depth,
                                  kasme_dia_vector *vector);

static kasme_dia_status open_group(dia_walk *w, const dia_avp *avp, unsigned depth,
                                   kasme_dia_vector *vector)
{
    if (depth + 1 >= KASME_DIA_DEPTH_MAX)
        return KASME_DIA_TOO_DEEP;
    return walk_avps(w, avp->data, avp->len, depth + 1, vector);
}

static kasme_dia_status read_vector(dia_walk *w, const dia_avp *avp, unsigned depth)
{
    kasme_dia_vector vector;
    memset(&vector, 0, sizeof vector);
    kasme_dia_status status = open_group(w, avp, depth, &vector);
    if (status == KASME_DIA_OK) {
        w->msg->vectors++;
        if (w->each_vector)
            w->each_vector(&vector, w->user);
    }
    kasme_secure_zero(&vector, sizeof vector);
    return status;
}

/* vector: the innermost E-UTRAN-Vector being read, or NULL. */
static kasme_dia_status visit_avp(dia_walk *w, const dia_avp *avp, unsigned depth,
                                  kasme_dia_vector *vector)
{
    if (avp->vendor == 0) {
        if (depth == 0)
            note_base_avp(w->msg, avp);
        return KASME_DIA_OK;
    }
    if (avp->vendor != KASME_DIA_VENDOR_3GPP)
        return KASME_DIA_OK;
    if (avp->code == KASME_DIA_AVP_AUTH_INFO)
        return open_group(w, avp, depth, vector);
    if (avp->code == KASME_DIA_AVP_E_UTRAN_VECTOR)
        return read_vector(w, avp, depth);
    if (vector)
        take_vector_member(vector, avp);
    return KASME_DIA_OK;
}

/* Every AVP consumes at least 8 octets, so the loop ends within len / 8 turns. */
static kasme_dia_status walk_avps(dia_walk *w, const uint8_t *p, size_t len, unsigned depth,
                                  kasme_dia_vector *vector)
{
    size_t at = 0;
    while (at < len) {
        dia_avp avp;
        if (!read_avp(p + at, len - at, &avp))
            return KASME_DIA_BAD_AVP;
        at += avp.step;
        kasme_dia_status status = visit_avp(w, &avp, depth, vector);
        if (status != KASME_DIA_OK)
            return status;
    }
    return KASME_DIA_OK;
}

static kasme_dia_status read_header(const uint8_t *buf, size_t len, kasme_dia_msg *out,
                                    size_t *msg_len)
{
    if (!buf || len < KASME_DIA_HEADER_LEN)
        return KASME_DIA_SHORT;
    if (buf[0] != 1)
        return KASME_DIA_VERSION;
    *msg_len = be24(buf + 1);
    if (*msg_len < KASME_DIA_HEADER_LEN || *msg_len % 4 != 0)
        return KASME_DIA_BAD_LENGTH;
    if (*msg_len > len)
        return KASME_DIA_SHORT;
    out->request = (buf[4] & FLAG_REQUEST) != 0;
    out->command = be24(buf + 5);
    out->application = be32(buf + 8);
    return KASME_DIA_OK;
}

kasme_dia_status kasme_dia_parse(const uint8_t *buf, size_t len, kasme_dia_msg *out,
                                 kasme_dia_vector_fn each_vector, void *user)
{
    memset(out, 0, sizeof *out);
    size_t msg_len = 0;
    kasme_dia_status status = read_header(buf, len, out, &msg_len);
    if (status != KASME_DIA_OK)
        return status;
    const uint8_t *avps = buf + KASME_DIA_HEADER_LEN;
    size_t avps_len = msg_len - KASME_DIA_HEADER_LEN;
    dia_walk check = {out, NULL, NULL};
    status = walk_avps(&check, avps, avps_len, 0, NULL);
    if (status != KASME_DIA_OK || !each_vector)
        return status;
    /* the message reads whole: the same walk again, delivering the vectors */
    out->vectors = 0;
    dia_walk deliver = {out, each_vector, user};
    return walk_avps(&deliver, avps, avps_len, 0, NULL);
}

const char *kasme_dia_status_text(kasme_dia_status status)
{
    switch (status) {
    case KASME_DIA_OK:
        return "ok";
    case KASME_DIA_SHORT:
        return "shorter than its header or its Message Length";
    case KASME_DIA_VERSION:
        return "not Diameter version 1";
    case KASME_DIA_BAD_LENGTH:
        return "Message Length under 20 or not a multiple of 4";
    case KASME_DIA_BAD_AVP:
        return "an AVP shorter than its header or longer than what holds it";
    case KASME_DIA_TOO_DEEP:
        return "grouped AVPs nested too deep";
    default:
        return "unknown status";
    }
}
