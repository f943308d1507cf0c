/* SUCI (TS 23.003 2.2B, TS 33.501 6.12) from the 5GS mobile identity IE (TS 24.501 9.11.3.4)
 * to the SUPI: the null scheme gives the MSIN directly, Profile A/B are de-concealed with the
 * home network keys of the subscriber database (ecies.h). Plain C, no Wireshark types: the
 * tracker calls it on Registration Request and Identity Response. */
#ifndef KASME_SUCI_H
#define KASME_SUCI_H

#include <stddef.h>
#include <stdint.h>

#include "ecies.h"
#include "subdb.h"

/* Protection scheme identifiers (TS 33.501 Annex C.1). */
enum { KASME_SUCI_NULL_SCHEME = 0, KASME_SUCI_PROFILE_A = 1, KASME_SUCI_PROFILE_B = 2 };

typedef enum {
    KASME_SUCI_OK = 0,
    KASME_SUCI_NOT_SUCI,        /* the identity is of another type (5G-GUTI, IMEI, ...) */
    KASME_SUCI_NAI_FORMAT,      /* SUPI format NAI: no IMSI to give */
    KASME_SUCI_MALFORMED,       /* too short, or a digit that is not BCD */
    KASME_SUCI_UNKNOWN_SCHEME,  /* protection scheme 3..15 (operator specific or reserved) */
    KASME_SUCI_UNKNOWN_KEY_ID,  /* no home network key with this id for this scheme */
    KASME_SUCI_BAD_TAG,         /* every key with this id gave a MAC tag that does not verify */
    KASME_SUCI_BAD_OUTPUT,      /* the scheme output is malformed (length, point): see ecies */
} kasme_suci_status;

/* A SUCI of SUPI format IMSI, as parsed; scheme_output points into the parsed buffer. */
typedef struct {
    char mcc[4], mnc[4];          /* digits; the MNC has 2 or 3 */
    char routing_indicator[5];    /* 1 to 4 digits */
    uint8_t scheme;               /* protection scheme identifier, 0..15 */
    uint8_t hnet_id;              /* home network public key identifier */
    const uint8_t *scheme_output;
    size_t scheme_output_len;
} kasme_suci;

/* What de-concealment found. */
typedef struct {
    kasme_suci_status status;
    ecies_status ecies;               /* the last ECIES result (ECIES_OK for the null scheme) */
    char supi[16];                    /* IMSI digits (MCC MNC MSIN) when status is OK, else "" */
    const kasme_subscriber *hnet_key; /* the key whose tag verified; NULL for the null scheme */
} kasme_suci_result;

/* Parses the value of a 5GS mobile identity IE (the octets after its length: octet 4 of
 * TS 24.501 figure 9.11.3.4.1 onwards). */
kasme_suci_status kasme_suci_parse(const uint8_t *value, size_t len, kasme_suci *out);

/* The SUPI of a parsed SUCI: the null scheme's MSIN, or the de-concealed one, trying every
 * home network key of db with the SUCI's key id and scheme in load order. */
kasme_suci_result kasme_suci_to_supi(const kasme_suci *suci, const kasme_subdb *db);

/* A short English description of status, for expert info. */
const char *kasme_suci_status_text(kasme_suci_status status);

#endif
