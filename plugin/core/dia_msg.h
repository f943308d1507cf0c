/* Bounds-checked reading of one Diameter message (RFC 6733 3 and 4) for what kasme learns from
 * S6a: the header (R flag, command code), the Session-Id and User-Name at the top level, and the
 * E-UTRAN-Vectors of an Authentication-Info (TS 29.272 7.3.17, 7.3.18). Plain C, no Wireshark
 * or GLib types: kasme reads the octets of Wireshark's "diameter" item itself, so that Wireshark
 * need not register its whole Diameter dictionary for kasme's sake (README, Performance). */
#ifndef KASME_DIA_MSG_H
#define KASME_DIA_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    KASME_DIA_HEADER_LEN = 20,         /* RFC 6733 3 */
    KASME_DIA_CMD_AUTH_INFO = 318,     /* TS 29.272 7.2.5, 7.2.6: AIR (R set) and AIA */
    KASME_DIA_VENDOR_3GPP = 10415,
    KASME_DIA_AVP_SESSION_ID = 263,    /* RFC 6733 8.8 */
    KASME_DIA_AVP_USER_NAME = 1,       /* RFC 6733 8.14: the IMSI in S6a (TS 29.272 7.3.1) */
    KASME_DIA_AVP_AUTH_INFO = 1413,    /* TS 29.272 7.3.17, grouped */
    KASME_DIA_AVP_E_UTRAN_VECTOR = 1414, /* 7.3.18, grouped */
    KASME_DIA_AVP_RAND = 1447,         /* 7.3.53 */
    KASME_DIA_AVP_XRES = 1448,         /* 7.3.54 */
    KASME_DIA_AVP_AUTN = 1449,         /* 7.3.55 */
    KASME_DIA_AVP_KASME = 1450,        /* 7.3.56 */
    /* Levels of grouped AVPs kasme opens (message, Authentication-Info, E-UTRAN-Vector are
     * three); a deeper known group is refused, so hostile nesting costs no stack. */
    KASME_DIA_DEPTH_MAX = 4,
};

typedef enum {
    KASME_DIA_OK = 0,
    KASME_DIA_SHORT,       /* under 20 octets, or a Message Length beyond the octets given */
    KASME_DIA_VERSION,     /* not version 1 */
    KASME_DIA_BAD_LENGTH,  /* Message Length under 20 or not a multiple of 4 */
    KASME_DIA_BAD_AVP,     /* an AVP shorter than its header (8 octets, 12 with the V bit) or
                            * longer than what holds it */
    KASME_DIA_TOO_DEEP,    /* grouped AVPs nested deeper than KASME_DIA_DEPTH_MAX */
} kasme_dia_status;

/* The message; the pointers point into its octets. */
typedef struct {
    bool request;                 /* the R flag */
    uint32_t command, application;
    const uint8_t *session_id;    /* the first top-level Session-Id, or NULL */
    size_t session_id_len;
    const uint8_t *user_name;     /* the first top-level User-Name, or NULL */
    size_t user_name_len;
    unsigned vectors;             /* E-UTRAN-Vector AVPs in it */
} kasme_dia_msg;

/* One E-UTRAN-Vector: each member the first of its name with a valid size (RAND, AUTN 16
 * octets, XRES 4..16, K_ASME 32); a member of another size is absent. */
typedef struct {
    bool has_rand, has_autn, has_kasme;
    uint8_t xres_len; /* 0: no XRES */
    uint8_t rand[16], autn[16], xres[16], kasme[32];
} kasme_dia_vector;

/* Called for each E-UTRAN-Vector in message order; the vector is wiped when it returns. */
typedef void (*kasme_dia_vector_fn)(const kasme_dia_vector *vector, void *user);

/* Reads the Diameter message at buf (len octets available; octets past its Message Length are
 * not read). Every AVP at the top level and inside the grouped AVPs kasme opens must fit its
 * container, or nothing is delivered: each_vector (may be NULL) is called only for a message
 * that reads whole. */
kasme_dia_status kasme_dia_parse(const uint8_t *buf, size_t len, kasme_dia_msg *out,
                                 kasme_dia_vector_fn each_vector, void *user);

/* A short English reason for a status. */
const char *kasme_dia_status_text(kasme_dia_status status);

#endif
