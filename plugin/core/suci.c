/* SUCI to SUPI; see suci.h. */
#include "suci.h"

#include <stdbool.h>
#include <string.h>

#include "hexutil.h"

/* TS 24.501 9.11.3.4: type of identity SUCI, SUPI formats. */
enum { IDENTITY_SUCI = 0x01, SUPI_FORMAT_IMSI = 0, SUPI_FORMAT_NAI = 1 };
/* Octets before the scheme output: type, PLMN (3), routing indicator (2), scheme, key id. */
#define SUCI_HEADER_LEN 8

const char *kasme_suci_status_text(kasme_suci_status status)
{
    switch (status) {
    case KASME_SUCI_OK: return "ok";
    case KASME_SUCI_NOT_SUCI: return "not a SUCI";
    case KASME_SUCI_NAI_FORMAT: return "SUCI of a NAI-format SUPI (no IMSI)";
    case KASME_SUCI_MALFORMED: return "malformed SUCI";
    case KASME_SUCI_UNKNOWN_SCHEME: return "unknown protection scheme";
    case KASME_SUCI_UNKNOWN_KEY_ID: return "no home network key with this key id and scheme";
    case KASME_SUCI_BAD_TAG: return "SUCI MAC tag does not verify";
    case KASME_SUCI_BAD_OUTPUT: return "malformed scheme output";
    }
    return "unknown status";
}

/* Appends the BCD digits of n octets (low nibble first, TS 24.008 10.5.1.13 order), at most
 * max digits; a filler 0xF may end the string. false for any other non-digit. */
static bool bcd_digits(const uint8_t *p, size_t n, char *out, size_t max)
{
    size_t len = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        unsigned d = i % 2 ? p[i / 2] >> 4 : p[i / 2] & 0x0f;
        if (d == 0x0f) {
            /* only at the end: every later nibble must be filler too */
            for (size_t j = i + 1; j < 2 * n; j++)
                if ((j % 2 ? p[j / 2] >> 4 : p[j / 2] & 0x0f) != 0x0f)
                    return false;
            break;
        }
        if (d > 9 || len == max)
            return false;
        out[len++] = (char)('0' + d);
    }
    out[len] = '\0';
    return len > 0;
}

static bool parse_plmn(const uint8_t p[3], kasme_suci *out)
{
    uint8_t mcc[2] = { p[0], (uint8_t)(0xf0 | (p[1] & 0x0f)) };
    uint8_t mnc[2] = { p[2], (uint8_t)(0xf0 | (p[1] >> 4)) };
    return bcd_digits(mcc, 2, out->mcc, 3) && strlen(out->mcc) == 3 &&
           bcd_digits(mnc, 2, out->mnc, 3) && strlen(out->mnc) >= 2;
}

kasme_suci_status kasme_suci_parse(const uint8_t *value, size_t len, kasme_suci *out)
{
    memset(out, 0, sizeof *out);
    if (!value || len < 1)
        return KASME_SUCI_MALFORMED;
    if ((value[0] & 0x07) != IDENTITY_SUCI)
        return KASME_SUCI_NOT_SUCI;
    unsigned format = (value[0] >> 4) & 0x07;
    if (format == SUPI_FORMAT_NAI)
        return KASME_SUCI_NAI_FORMAT;
    if (format != SUPI_FORMAT_IMSI || len < SUCI_HEADER_LEN)
        return KASME_SUCI_MALFORMED;
    if (!parse_plmn(value + 1, out) || !bcd_digits(value + 4, 2, out->routing_indicator, 4))
        return KASME_SUCI_MALFORMED;
    out->scheme = value[6] & 0x0f;
    out->hnet_id = value[7];
    out->scheme_output = value + SUCI_HEADER_LEN;
    out->scheme_output_len = len - SUCI_HEADER_LEN;
    return KASME_SUCI_OK;
}

/* SUPI = MCC || MNC || MSIN, at most 15 digits (TS 23.003 2.2). */
static kasme_suci_status supi_from_msin_bcd(const kasme_suci *suci, const uint8_t *bcd,
                                            size_t n, char supi[16])
{
    char msin[16];
    size_t plmn = strlen(suci->mcc) + strlen(suci->mnc);
    if (!bcd_digits(bcd, n, msin, 15 - plmn))
        return KASME_SUCI_MALFORMED;
    memcpy(supi, suci->mcc, 4);
    strcat(supi, suci->mnc);
    strcat(supi, msin);
    return strlen(supi) >= 6 ? KASME_SUCI_OK : KASME_SUCI_MALFORMED;
}

/* Tries every key with the SUCI's id and profile; the first whose tag verifies wins. */
static void deconceal(const kasme_suci *suci, const kasme_subdb *db, kasme_suci_result *r)
{
    uint8_t msin[ECIES_PLAINTEXT_MAX];
    size_t msin_len = 0;
    bool any_key = false, any_bad_tag = false;
    for (const kasme_subscriber *k = kasme_subdb_hnet_by_id(db, suci->hnet_id); k;
         k = kasme_subdb_next_match(db, k)) {
        if (k->hnet_profile != (ecies_profile)suci->scheme)
            continue;
        any_key = true;
        r->ecies = ecies_deconceal(k->hnet_profile, k->hnet_key, suci->scheme_output,
                                   suci->scheme_output_len, msin, sizeof msin, &msin_len);
        any_bad_tag |= r->ecies == ECIES_BAD_TAG;
        if (r->ecies == ECIES_OK) {
            r->status = supi_from_msin_bcd(suci, msin, msin_len, r->supi);
            r->hnet_key = r->status == KASME_SUCI_OK ? k : NULL;
            kasme_secure_zero(msin, sizeof msin);
            return;
        }
    }
    r->status = !any_key      ? KASME_SUCI_UNKNOWN_KEY_ID
                : any_bad_tag ? KASME_SUCI_BAD_TAG
                              : KASME_SUCI_BAD_OUTPUT;
}

kasme_suci_result kasme_suci_to_supi(const kasme_suci *suci, const kasme_subdb *db)
{
    kasme_suci_result r = { .status = KASME_SUCI_MALFORMED, .ecies = ECIES_OK };
    if (!suci)
        return r;
    if (suci->scheme == KASME_SUCI_NULL_SCHEME)
        r.status = supi_from_msin_bcd(suci, suci->scheme_output, suci->scheme_output_len,
                                      r.supi);
    else if (suci->scheme == KASME_SUCI_PROFILE_A || suci->scheme == KASME_SUCI_PROFILE_B)
        deconceal(suci, db, &r);
    else
        r.status = KASME_SUCI_UNKNOWN_SCHEME;
    if (r.status != KASME_SUCI_OK)
        memset(r.supi, 0, sizeof r.supi);
    return r;
}
