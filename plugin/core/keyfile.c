/* Key-file parser; see keyfile.h for the API and keyfiles/README.md for the format.
 *
 * A line goes through: length limit -> text check -> comment/blank -> srsEPC CSV detection ->
 * key=value tokens (each value checked as it is read) -> the rules that tie the keys of a line
 * together (finish_*). Anything that held a key is wiped before it goes out of scope. */
#include "keyfile.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ecies.h"
#include "hexutil.h"
#include "milenage.h"
#include "pemkey.h"

/* Every key a line may hold. Lookup is by name, case-insensitive. */
typedef enum {
    F_IMSI, F_SUPI, F_TMSI, F_GUTI, F_RNTI, F_ANY,    /* identities */
    F_K, F_OP, F_OPC, F_AMF, F_ALG,                   /* secret subscriber */
    F_KASME,                                          /* direct K_ASME */
    F_KAMF,                                           /* direct K_AMF */
    F_KSI,                                            /* with kasme= or kamf= */
    F_KENB, F_KRRCENC, F_KRRCINT, F_KUPENC,           /* direct K_eNB / AS keys */
    F_HNET, F_ID, F_SCHEME, F_KEY, F_FILE,            /* home network key (SUCI) */
    F_NAME,
    F_COUNT
} field_id;

static const char *const field_names[F_COUNT] = {
    "imsi", "supi", "tmsi", "guti", "rnti", "any", "k", "op", "opc", "amf", "alg",
    "kasme", "kamf", "ksi", "kenb", "krrcenc", "krrcint", "kupenc",
    "hnet", "id", "scheme", "key", "file", "name",
};

static const field_id identity_fields[] = {F_IMSI, F_SUPI, F_TMSI, F_GUTI, F_RNTI, F_ANY};
static const field_id secret_fields[] = {F_K, F_OP, F_OPC, F_AMF, F_ALG};
static const field_id kasme_fields[] = {F_KASME};
static const field_id kamf_fields[] = {F_KAMF};
static const field_id kenb_fields[] = {F_KENB, F_KRRCENC, F_KRRCINT, F_KUPENC};
static const field_id hnet_fields[] = {F_HNET, F_ID, F_SCHEME, F_KEY, F_FILE};
/* Words that stand alone, without "=value". */
static const field_id bare_fields[] = {F_ANY, F_HNET};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
    const char *text;
    size_t len;
} span;

/* What one line has given so far. */
typedef struct {
    kasme_subscriber *out;
    uint8_t op[16];       /* OP is only needed until OPc is computed */
    bool seen[F_COUNT];
    const char *base_dir; /* where a relative file= path starts; NULL: the working directory */
    span file;            /* the file= value, read when the line is complete */
} line_fields;

/* A line is this long at most in the CSV split; srsEPC has 10 columns. */
#define CSV_MAX_FIELDS 16


static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool span_is(span s, const char *word)
{
    return strlen(word) == s.len && g_ascii_strncasecmp(s.text, word, s.len) == 0;
}

static span trim(const char *text, size_t len)
{
    while (len && is_blank(*text))
        text++, len--;
    while (len && is_blank(text[len - 1]))
        len--;
    return (span){text, len};
}

/* ---- value parsers: key names the value in messages, which never quote the value ---- */

static int parse_hex(const char *key, span v, uint8_t *out, size_t out_len, char *why,
                     size_t why_len)
{
    if (v.len >= 2 && v.text[0] == '0' && (v.text[1] == 'x' || v.text[1] == 'X'))
        return kasme_fail(why, why_len, "%s: no 0x prefix, write the %zu hex digits only", key,
                    2 * out_len);
    size_t bad_pos = 0;
    switch (kasme_hex_decode(v.text, v.len, out, out_len, &bad_pos)) {
    case KASME_HEX_OK:
        return 0;
    case KASME_HEX_BAD_DIGIT:
        return kasme_fail(why, why_len, "%s: non-hex character at position %zu", key, bad_pos + 1);
    default:
        return kasme_fail(why, why_len, "%s: expected %zu hex digits, got %zu", key, 2 * out_len,
                    v.len);
    }
}

/* Big-endian hex of n_octets (1..4) into *value. */
static int parse_hex_number(const char *key, span v, size_t n_octets, uint32_t *value,
                            char *why, size_t why_len)
{
    uint8_t octets[4];
    if (parse_hex(key, v, octets, n_octets, why, why_len))
        return -1;
    *value = 0;
    for (size_t i = 0; i < n_octets; i++)
        *value = *value << 8 | octets[i];
    return 0;
}

static int parse_imsi(const char *key, span v, char imsi[16], char *why, size_t why_len)
{
    for (size_t i = 0; i < v.len; i++)
        if (v.text[i] < '0' || v.text[i] > '9')
            return kasme_fail(why, why_len, "%s: non-digit at position %zu", key, i + 1);
    if (v.len < 6 || v.len > 15)
        return kasme_fail(why, why_len, "%s: expected 6 to 15 digits, got %zu", key, v.len);
    memcpy(imsi, v.text, v.len);
    imsi[v.len] = '\0';
    return 0;
}

static int parse_rnti(span v, uint16_t *rnti, char *why, size_t why_len)
{
    unsigned value = 0;
    if (v.len > 5 || !all_digits(v.text, v.len))
        return kasme_fail(why, why_len, "rnti: expected a decimal number 1..65535");
    for (size_t i = 0; i < v.len; i++)
        value = value * 10 + (unsigned)(v.text[i] - '0');
    if (value < 1 || value > 65535)
        return kasme_fail(why, why_len, "rnti: expected a decimal number 1..65535");
    *rnti = (uint16_t)value;
    return 0;
}

static int parse_ksi(span v, int8_t *ksi, char *why, size_t why_len)
{
    if (v.len != 1 || v.text[0] < '0' || v.text[0] > '6')
        return kasme_fail(why, why_len, "ksi: expected 0..6 (7 means \"no key\")");
    *ksi = (int8_t)(v.text[0] - '0');
    return 0;
}

static int parse_alg(const char *key, span v, kasme_auth_alg *alg, char *why, size_t why_len)
{
    /* "mil" is srsEPC's spelling; accepting it here too saves a surprise. */
    if (span_is(v, "milenage") || span_is(v, "mil"))
        *alg = KASME_AUTH_MILENAGE;
    else if (span_is(v, "xor"))
        *alg = KASME_AUTH_XOR;
    else
        return kasme_fail(why, why_len, "%s: expected milenage or xor", key);
    return 0;
}

static int parse_name(span v, char name[32], char *why, size_t why_len)
{
    if (v.len > 31)
        return kasme_fail(why, why_len, "name: longer than 31 octets (got %zu)", v.len);
    memcpy(name, v.text, v.len);
    name[v.len] = '\0';
    return 0;
}

/* Splits text on '-' into at most max parts; returns the number of parts found (max + 1 means
 * "more than max"). */
static size_t split_dashes(span v, span *parts, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= v.len; i++) {
        if (i < v.len && v.text[i] != '-')
            continue;
        if (n == max)
            return max + 1;
        parts[n++] = (span){v.text + start, i - start};
        start = i + 1;
    }
    return n;
}

static int parse_plmn_digits(const char *key, span v, size_t min, size_t max, char out[4],
                             char *why, size_t why_len)
{
    if (v.len < min || v.len > max || !all_digits(v.text, v.len)) {
        if (min == max)
            return kasme_fail(why, why_len, "%s: expected %zu digits", key, min);
        return kasme_fail(why, why_len, "%s: expected %zu or %zu digits", key, min, max);
    }
    memcpy(out, v.text, v.len);
    out[v.len] = '\0';
    return 0;
}

/* The AMF Set ID (10 bits) and AMF Pointer (6 bits) of a 5G-GUTI, 3 and 2 hex digits. */
static int parse_amf_id_bits(span set, span pointer, kasme_subscriber *out, char *why,
                             size_t why_len)
{
    uint32_t set_id, pointer_id;
    uint8_t set_be[2];
    /* 3 hex digits: decode "0" + digits as two octets. */
    char set_text[4] = {'0', 0, 0, 0};
    if (set.len != 3)
        return kasme_fail(why, why_len, "guti amf set: expected 3 hex digits");
    memcpy(set_text + 1, set.text, 3);
    if (parse_hex("guti amf set", (span){set_text, 4}, set_be, 2, why, why_len))
        return -1;
    set_id = (uint32_t)set_be[0] << 8 | set_be[1];
    if (parse_hex_number("guti amf pointer", pointer, 1, &pointer_id, why, why_len))
        return -1;
    if (set_id > 0x3ff || pointer_id > 0x3f)
        return kasme_fail(why, why_len, "guti: amf set is 0..3ff and amf pointer 0..3f");
    out->guti_amf_set = (uint16_t)set_id;
    out->guti_amf_pointer = (uint8_t)pointer_id;
    return 0;
}

/* guti=<mcc>-<mnc>-<mmegi 4 hex>-<mmec 2 hex>-<m-tmsi 8 hex> (LTE) or
 * guti=<mcc>-<mnc>-<amf region 2 hex>-<amf set 3 hex>-<amf pointer 2 hex>-<5g-tmsi 8 hex> */
static int parse_guti(span v, kasme_subscriber *out, char *why, size_t why_len)
{
    span part[6];
    size_t n = split_dashes(v, part, 6);
    if (n != 5 && n != 6)
        return kasme_fail(why, why_len, "guti: expected mcc-mnc-mmegi-mmec-mtmsi (LTE, 5 parts) or "
                    "mcc-mnc-region-set-pointer-tmsi (5G, 6 parts) separated by '-', got %s%zu",
                    n > 6 ? "more than " : "", n > 6 ? (size_t)6 : n);
    if (parse_plmn_digits("guti mcc", part[0], 3, 3, out->guti_mcc, why, why_len) ||
        parse_plmn_digits("guti mnc", part[1], 2, 3, out->guti_mnc, why, why_len) ||
        parse_hex_number("guti m-tmsi", part[n - 1], 4, &out->m_tmsi, why, why_len))
        return -1;
    uint32_t first, second;
    if (n == 6) {
        if (parse_hex_number("guti amf region", part[2], 1, &first, why, why_len) ||
            parse_amf_id_bits(part[3], part[4], out, why, why_len))
            return -1;
        out->guti_amf_region = (uint8_t)first;
        out->guti_5g = true;
    } else {
        if (parse_hex_number("guti mmegi", part[2], 2, &first, why, why_len) ||
            parse_hex_number("guti mmec", part[3], 1, &second, why, why_len))
            return -1;
        out->guti_mmegi = (uint16_t)first;
        out->guti_mmec = (uint8_t)second;
    }
    out->has_guti = true;
    return 0;
}

/* supi=imsi-<digits> (TS 23.003 2.2A); a NAI-type SUPI names no IMSI. */
static int parse_supi(span v, char imsi[16], char *why, size_t why_len)
{
    if (v.len >= 4 && g_ascii_strncasecmp(v.text, "nai-", 4) == 0)
        return kasme_fail(why, why_len, "supi: only SUPIs of type IMSI (imsi-<digits>) are "
                                        "supported");
    if (v.len < 5 || g_ascii_strncasecmp(v.text, "imsi-", 5) != 0)
        return kasme_fail(why, why_len, "supi: expected imsi-<6 to 15 digits>");
    return parse_imsi("supi", (span){v.text + 5, v.len - 5}, imsi, why, why_len);
}

static int parse_hnet_id(span v, uint8_t *id, char *why, size_t why_len)
{
    unsigned value = 0;
    if (!v.len || v.len > 3 || !all_digits(v.text, v.len))
        return kasme_fail(why, why_len, "id: expected the key identifier, 0..255");
    for (size_t i = 0; i < v.len; i++)
        value = value * 10 + (unsigned)(v.text[i] - '0');
    if (value > 255)
        return kasme_fail(why, why_len, "id: expected the key identifier, 0..255");
    *id = (uint8_t)value;
    return 0;
}

/* TS 33.501 Annex C: protection scheme 1 = Profile A (X25519), 2 = Profile B (secp256r1). */
static int parse_scheme(span v, ecies_profile *profile, char *why, size_t why_len)
{
    static const struct {
        const char *word;
        ecies_profile profile;
    } names[] = {
        {"a", ECIES_PROFILE_A}, {"1", ECIES_PROFILE_A}, {"x25519", ECIES_PROFILE_A},
        {"curve25519", ECIES_PROFILE_A}, {"b", ECIES_PROFILE_B}, {"2", ECIES_PROFILE_B},
        {"secp256r1", ECIES_PROFILE_B}, {"prime256v1", ECIES_PROFILE_B},
        {"p-256", ECIES_PROFILE_B},
    };
    for (size_t i = 0; i < N_OF(names); i++) {
        if (span_is(v, names[i].word)) {
            *profile = names[i].profile;
            return 0;
        }
    }
    return kasme_fail(why, why_len, "scheme: expected A (or 1, x25519) or B (or 2, secp256r1)");
}

/* Longest file= path accepted. */
#define KEYFILE_MAX_PATH 1024

/* Parses the value of a known key into the entry being built. */
static int parse_value(line_fields *st, field_id f, span v, char *why, size_t why_len)
{
    kasme_subscriber *out = st->out;
    const char *key = field_names[f];
    switch (f) {
    case F_IMSI: return parse_imsi(key, v, out->imsi, why, why_len);
    case F_SUPI: return parse_supi(v, out->imsi, why, why_len);
    case F_TMSI: return parse_hex_number(key, v, 4, &out->m_tmsi, why, why_len);
    case F_GUTI: return parse_guti(v, out, why, why_len);
    case F_RNTI: return parse_rnti(v, &out->rnti, why, why_len);
    case F_K: return parse_hex(key, v, out->k, 16, why, why_len);
    case F_OP: return parse_hex(key, v, st->op, 16, why, why_len);
    case F_OPC: return parse_hex(key, v, out->opc, 16, why, why_len);
    case F_AMF: return parse_hex(key, v, out->amf, 2, why, why_len);
    case F_ALG: return parse_alg(key, v, &out->alg, why, why_len);
    case F_KASME: return parse_hex(key, v, out->kasme, 32, why, why_len);
    case F_KAMF: return parse_hex(key, v, out->kamf, 32, why, why_len);
    case F_ID: return parse_hnet_id(v, &out->hnet_id, why, why_len);
    case F_SCHEME: return parse_scheme(v, &out->hnet_profile, why, why_len);
    case F_KEY: return parse_hex(key, v, out->hnet_key, 32, why, why_len);
    case F_FILE:
        if (v.len > KEYFILE_MAX_PATH)
            return kasme_fail(why, why_len, "file: path longer than %d octets",
                              KEYFILE_MAX_PATH);
        st->file = v;
        return 0;
    case F_KSI: return parse_ksi(v, &out->ksi, why, why_len);
    case F_KENB: return parse_hex(key, v, out->kenb, 32, why, why_len);
    case F_KRRCENC: return parse_hex(key, v, out->krrcenc, 16, why, why_len);
    case F_KRRCINT: return parse_hex(key, v, out->krrcint, 16, why, why_len);
    case F_KUPENC: return parse_hex(key, v, out->kupenc, 16, why, why_len);
    case F_NAME: return parse_name(v, out->name, why, why_len);
    default: return kasme_fail(why, why_len, "%s: takes no value", key);
    }
}

/* ---- tokens ---- */

static int field_by_name(span name)
{
    for (int f = 0; f < F_COUNT; f++)
        if (span_is(name, field_names[f]))
            return f;
    return -1;
}

/* An unknown key is quoted only when it cannot be a piece of a key: someone who typed
 * "0011...eeff=..." or "k0011...=" must not find those digits in a log. */
static bool safe_to_quote(span name)
{
    size_t hex_chars = 0;
    if (name.len > 16)
        return false;
    for (size_t i = 0; i < name.len; i++) {
        char c = name.text[i];
        if (!g_ascii_isalnum(c) && c != '_' && c != '-')
            return false;
        hex_chars += kasme_hex_digit((unsigned char)c) >= 0;
    }
    /* Mostly letters beyond a-f, like every real key name ("kk", "opcc", "kasme2"); a mixed
     * name such as "k00112233" is not quoted. */
    return hex_chars <= 4 && hex_chars < name.len;
}

static int mark_seen(line_fields *st, field_id f, char *why, size_t why_len)
{
    if (st->seen[f])
        return kasme_fail(why, why_len, "%s: given twice", field_names[f]);
    st->seen[f] = true;
    return 0;
}

static int take_key_value(line_fields *st, span key, span value, size_t column, char *why,
                          size_t why_len)
{
    if (!key.len)
        return kasme_fail(why, why_len, "'=' without a key at column %zu", column);
    int f = field_by_name(key);
    if (f < 0 && safe_to_quote(key))
        return kasme_fail(why, why_len, "unknown key '%.*s'", (int)key.len, key.text);
    if (f < 0)
        return kasme_fail(why, why_len, "unknown key at column %zu", column);
    for (size_t i = 0; i < N_OF(bare_fields); i++)
        if (f == (int)bare_fields[i])
            return kasme_fail(why, why_len, "%s: takes no value (write just '%s')",
                              field_names[f], field_names[f]);
    if (mark_seen(st, (field_id)f, why, why_len))
        return -1;
    if (!value.len)
        return kasme_fail(why, why_len, "%s: empty value", field_names[f]);
    return parse_value(st, (field_id)f, value, why, why_len);
}

static int take_bare_word(line_fields *st, span word, size_t column, char *why, size_t why_len)
{
    int f = field_by_name(word);
    for (size_t i = 0; i < N_OF(bare_fields); i++)
        if (f == (int)bare_fields[i])
            return mark_seen(st, (field_id)f, why, why_len);
    if (f >= 0)
        return kasme_fail(why, why_len, "%s: missing '=value' (write %s=value, no spaces around '=')",
                    field_names[f], field_names[f]);
    /* Not quoted: a lone word may well be a key whose "k=" was forgotten. */
    return kasme_fail(why, why_len, "unexpected word at column %zu (expected key=value)", column);
}

/* Reads the key=value tokens of a line; '#' outside a value starts a comment. */
static int read_tokens(line_fields *st, const char *line, size_t len, char *why, size_t why_len)
{
    size_t i = 0;
    while (i < len) {
        if (is_blank(line[i])) {
            i++;
            continue;
        }
        if (line[i] == '#')
            break;
        size_t start = i;
        while (i < len && !is_blank(line[i]) && line[i] != '=' && line[i] != '#')
            i++;
        span key = {line + start, i - start};
        if (i == len || line[i] != '=') {
            if (take_bare_word(st, key, start + 1, why, why_len))
                return -1;
            continue;
        }
        size_t value_start = ++i;
        while (i < len && !is_blank(line[i]))
            i++;
        span value = {line + value_start, i - value_start};
        if (take_key_value(st, key, value, start + 1, why, why_len))
            return -1;
    }
    return 0;
}

/* ---- rules tying a line together ---- */

/* The first key of group seen on the line, or NULL. */
static const char *first_seen(const line_fields *st, const field_id *group, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (st->seen[group[i]])
            return field_names[group[i]];
    return NULL;
}

static size_t count_seen(const line_fields *st, const field_id *group, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += st->seen[group[i]];
    return count;
}

/* Sets id_kind from the one identity given; -1 if two are given. 0 with *given = false if
 * none is. */
static int take_identity(line_fields *st, bool *given, char *why, size_t why_len)
{
    const char *names[2] = {NULL, NULL};
    size_t n = 0;
    for (size_t i = 0; i < N_OF(identity_fields); i++)
        if (st->seen[identity_fields[i]] && n < 2)
            names[n++] = field_names[identity_fields[i]];
    if (count_seen(st, identity_fields, N_OF(identity_fields)) > 1)
        return kasme_fail(why, why_len, "two identities (%s and %s): give exactly one", names[0],
                    names[1]);
    *given = n == 1;
    if (st->seen[F_IMSI] || st->seen[F_SUPI])
        st->out->id_kind = KASME_ID_IMSI;
    else if (st->seen[F_TMSI] || st->seen[F_GUTI])
        st->out->id_kind = KASME_ID_TMSI;
    else if (st->seen[F_RNTI])
        st->out->id_kind = KASME_ID_RNTI;
    else
        st->out->id_kind = KASME_ID_ANY;
    return 0;
}

static int finish_milenage(line_fields *st, char *why, size_t why_len)
{
    if (st->seen[F_OP] && st->seen[F_OPC])
        return kasme_fail(why, why_len, "give op= or opc=, not both");
    if (!st->seen[F_OP] && !st->seen[F_OPC])
        return kasme_fail(why, why_len, "milenage subscriber needs op= or opc=");
    if (st->seen[F_OP] && milenage_opc(st->out->k, st->op, st->out->opc))
        return kasme_fail(why, why_len, "op: could not compute OPc (libgcrypt not initialised?)");
    return 0;
}

static int finish_secret(line_fields *st, bool has_identity, char *why, size_t why_len)
{
    kasme_subscriber *out = st->out;
    if (!st->seen[F_K])
        return kasme_fail(why, why_len, "subscriber needs k=");
    if (!has_identity)
        return kasme_fail(why, why_len, "subscriber needs imsi=");
    if (out->id_kind != KASME_ID_IMSI)
        return kasme_fail(why, why_len, "subscriber needs imsi= (tmsi, guti, rnti and any are for "
                    "kasme=/kenb= lines)");
    if (!st->seen[F_ALG])
        out->alg = KASME_AUTH_MILENAGE;
    out->has_amf = st->seen[F_AMF];
    if (out->alg == KASME_AUTH_XOR) {
        if (st->seen[F_OP] || st->seen[F_OPC])
            return kasme_fail(why, why_len, "alg=xor takes no op= or opc= (the XOR test algorithm "
                        "uses K only)");
        return 0;
    }
    return finish_milenage(st, why, why_len);
}

static int finish_kasme(line_fields *st, bool has_identity, char *why, size_t why_len)
{
    if (!has_identity)
        return kasme_fail(why, why_len, "kasme= needs an identity: imsi=, tmsi=, guti= or any");
    if (st->out->id_kind == KASME_ID_RNTI)
        return kasme_fail(why, why_len, "kasme= cannot be keyed by rnti= (use imsi=, tmsi=, guti= "
                    "or any)");
    if (st->out->guti_5g)
        return kasme_fail(why, why_len, "kasme= takes an LTE GUTI (mcc-mnc-mmegi-mmec-mtmsi), not "
                    "a 5G-GUTI");
    st->out->has_kasme = true;
    return 0;
}

/* kamf=: as kasme=, with 5G identities (tmsi= is the 5G-TMSI, guti= a 5G-GUTI). */
static int finish_kamf(line_fields *st, bool has_identity, char *why, size_t why_len)
{
    if (!has_identity)
        return kasme_fail(why, why_len, "kamf= needs an identity: supi=, imsi=, tmsi= (5G-TMSI), "
                    "guti= (5G-GUTI) or any");
    if (st->out->id_kind == KASME_ID_RNTI)
        return kasme_fail(why, why_len, "kamf= cannot be keyed by rnti= (use supi=, imsi=, tmsi=, "
                    "guti= or any)");
    if (st->seen[F_GUTI] && !st->out->guti_5g)
        return kasme_fail(why, why_len, "kamf= takes a 5G-GUTI (mcc-mnc-region-set-pointer-tmsi), "
                    "not an LTE GUTI");
    st->out->has_kamf = true;
    return 0;
}

/* The private key from file=, whose type must be the line's scheme. */
static int read_hnet_file(line_fields *st, char *why, size_t why_len)
{
    char *name = g_strndup(st->file.text, st->file.len);
    char *path = g_path_is_absolute(name) || !st->base_dir
                     ? g_strdup(name)
                     : g_build_filename(st->base_dir, name, NULL);
    ecies_profile in_file = ECIES_PROFILE_A;
    int rc = kasme_pemkey_load(path, st->out->hnet_key, &in_file, why, why_len);
    g_free(path);
    g_free(name);
    if (rc)
        return -1;
    if (in_file != st->out->hnet_profile)
        return kasme_fail(why, why_len, "file: holds %s key, but scheme= says profile %c",
                          in_file == ECIES_PROFILE_A ? "an X25519" : "a secp256r1",
                          st->out->hnet_profile == ECIES_PROFILE_A ? 'A' : 'B');
    return 0;
}

/* hnet id=<0..255> scheme=A|B key=<64 hex> | file=<PEM or DER> */
static int finish_hnet(line_fields *st, bool has_identity, char *why, size_t why_len)
{
    if (!st->seen[F_HNET])
        return kasme_fail(why, why_len, "%s= belongs on an hnet line (hnet id=... scheme=... "
                    "key=...|file=...)", first_seen(st, hnet_fields, N_OF(hnet_fields)));
    if (has_identity)
        return kasme_fail(why, why_len, "hnet: a home network key takes no UE identity");
    if (!st->seen[F_ID] || !st->seen[F_SCHEME])
        return kasme_fail(why, why_len, "hnet: needs id= (0..255) and scheme= (A or B)");
    if (st->seen[F_KEY] == st->seen[F_FILE])
        return kasme_fail(why, why_len, "hnet: give key= (64 hex digits) or file= (PEM), one of "
                    "them");
    if (st->seen[F_FILE] && read_hnet_file(st, why, why_len))
        return -1;
    if (!ecies_private_key_ok(st->out->hnet_profile, st->out->hnet_key))
        return kasme_fail(why, why_len, "%s: not a valid %s private key",
                          st->seen[F_KEY] ? "key" : "file",
                          st->out->hnet_profile == ECIES_PROFILE_A ? "X25519" : "secp256r1");
    st->out->id_kind = KASME_ID_ANY;
    st->out->has_hnet = true;
    return 0;
}

static int finish_kenb(line_fields *st, bool has_identity, char *why, size_t why_len)
{
    const char *key = first_seen(st, kenb_fields, N_OF(kenb_fields));
    if (!has_identity)
        return kasme_fail(why, why_len, "%s= needs an identity: rnti=, imsi= or any", key);
    if (st->out->id_kind == KASME_ID_TMSI)
        return kasme_fail(why, why_len, "%s= cannot be keyed by tmsi=/guti= (use rnti=, imsi= or "
                    "any)", key);
    st->out->has_kenb = st->seen[F_KENB];
    st->out->has_krrcenc = st->seen[F_KRRCENC];
    st->out->has_krrcint = st->seen[F_KRRCINT];
    st->out->has_kupenc = st->seen[F_KUPENC];
    return 0;
}

/* A word written without "=value" (any, hnet). */
static bool is_bare(const char *name)
{
    for (size_t i = 0; i < N_OF(bare_fields); i++)
        if (strcmp(name, field_names[bare_fields[i]]) == 0)
            return true;
    return false;
}

/* The kinds of entry, each known by the keys that only it takes. */
typedef struct {
    const field_id *fields;
    size_t n;
    int (*finish)(line_fields *st, bool has_identity, char *why, size_t why_len);
} entry_kind;

static const entry_kind entry_kinds[] = {
    {secret_fields, N_OF(secret_fields), finish_secret},
    {kasme_fields, N_OF(kasme_fields), finish_kasme},
    {kamf_fields, N_OF(kamf_fields), finish_kamf},
    {kenb_fields, N_OF(kenb_fields), finish_kenb},
    {hnet_fields, N_OF(hnet_fields), finish_hnet},
};

static int finish_entry(line_fields *st, char *why, size_t why_len)
{
    const char *kinds[2] = {NULL, NULL};
    const entry_kind *kind = NULL;
    size_t n_kinds = 0;
    for (size_t i = 0; i < N_OF(entry_kinds); i++) {
        const char *key = first_seen(st, entry_kinds[i].fields, entry_kinds[i].n);
        if (!key)
            continue;
        if (n_kinds < 2)
            kinds[n_kinds] = key;
        n_kinds++;
        kind = &entry_kinds[i];
    }
    if (n_kinds == 0 && st->seen[F_KSI])
        return kasme_fail(why, why_len, "ksi= needs kasme= or kamf=");
    if (n_kinds == 0)
        return kasme_fail(why, why_len, "no key on the line: give k= (subscriber), kasme=, kamf=, "
                    "kenb=/krrcenc=/krrcint=/kupenc=, or an hnet line");
    if (n_kinds > 1)
        return kasme_fail(why, why_len, "%s%s and %s%s cannot share a line (one kind of entry "
                    "per line)", kinds[0], is_bare(kinds[0]) ? "" : "=", kinds[1],
                    is_bare(kinds[1]) ? "" : "=");
    if (st->seen[F_KSI] && kind->finish != finish_kasme && kind->finish != finish_kamf)
        return kasme_fail(why, why_len, "ksi= needs kasme= or kamf=");
    bool has_identity = false;
    if (take_identity(st, &has_identity, why, why_len))
        return -1;
    return kind->finish(st, has_identity, why, why_len);
}

/* ---- srsEPC user_db.csv ---- */

/* Splits on ',' (fields trimmed); returns the number of fields, capped at CSV_MAX_FIELDS. */
static size_t split_csv(const char *line, size_t len, span *fields)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len && n < CSV_MAX_FIELDS; i++) {
        if (i < len && line[i] != ',')
            continue;
        fields[n++] = trim(line + start, i - start);
        start = i + 1;
    }
    return n;
}

/* srsEPC lines have no '=' and at least 7 fields, the second naming the algorithm. */
static bool is_srsepc_line(const char *line, size_t len, span *fields, size_t *n_fields)
{
    if (memchr(line, '=', len))
        return false;
    *n_fields = split_csv(line, len, fields);
    return *n_fields >= 7 && (span_is(fields[1], "mil") || span_is(fields[1], "xor"));
}

/* srsEPC names are free text; cut to 31 octets without splitting a UTF-8 sequence. */
static void copy_csv_name(span v, char name[32])
{
    size_t n = v.len;
    if (n > 31) {
        n = 31;
        while (n && ((unsigned char)v.text[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(name, v.text, n);
    name[n] = '\0';
}

/* name,auth,imsi,key,op_type,op/opc,amf[,sqn,qci,ip_alloc]: the columns after amf are the
 * HSS's business (SQN is tracked from the capture, not from the file). */
static int parse_srsepc(line_fields *st, const span *field, char *why, size_t why_len)
{
    kasme_subscriber *out = st->out;
    copy_csv_name(field[0], out->name);
    out->id_kind = KASME_ID_IMSI;
    out->has_amf = true;
    if (parse_alg("field 2 (auth)", field[1], &out->alg, why, why_len) ||
        parse_imsi("field 3 (imsi)", field[2], out->imsi, why, why_len) ||
        parse_hex("field 4 (key)", field[3], out->k, 16, why, why_len) ||
        parse_hex("field 7 (amf)", field[6], out->amf, 2, why, why_len))
        return -1;
    if (out->alg == KASME_AUTH_XOR)
        return 0; /* srsEPC ignores op_type and op/opc for xor, and so do we */
    if (span_is(field[4], "opc"))
        return parse_hex("field 6 (opc)", field[5], out->opc, 16, why, why_len);
    if (!span_is(field[4], "op"))
        return kasme_fail(why, why_len, "field 5 (op_type): expected op or opc");
    if (parse_hex("field 6 (op)", field[5], st->op, 16, why, why_len))
        return -1;
    if (milenage_opc(out->k, st->op, out->opc))
        return kasme_fail(why, why_len, "field 6 (op): could not compute OPc (libgcrypt not "
                    "initialised?)");
    return 0;
}

/* ---- one line ---- */

/* Only printable text (and tabs) may appear; UTF-8 is allowed, for names and comments. */
static int check_text(const char *line, size_t len, char *why, size_t why_len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return kasme_fail(why, why_len, "non-text byte at column %zu", i + 1);
    }
    const char *end = NULL;
    if (!g_utf8_validate(line, (gssize)len, &end))
        return kasme_fail(why, why_len, "non-text byte at column %zu (not UTF-8)",
                    (size_t)(end - line) + 1);
    return 0;
}

static int parse_content(line_fields *st, const char *line, size_t len, char *why,
                         size_t why_len)
{
    span csv[CSV_MAX_FIELDS];
    size_t n_csv = 0;
    if (is_srsepc_line(line, len, csv, &n_csv))
        return parse_srsepc(st, csv, why, why_len);
    if (!memchr(line, '=', len) && memchr(line, ',', len))
        return kasme_fail(why, why_len, "neither key=value nor an srsEPC user_db.csv line (that needs "
                    "7 or more comma-separated fields, the 2nd mil or xor)");
    if (read_tokens(st, line, len, why, why_len))
        return -1;
    return finish_entry(st, why, why_len);
}

/* The length-aware core of kasme_keyfile_parse_line (buffers may hold NULs). */
static int parse_line_len(const char *line, size_t len, const char *base_dir,
                          kasme_subscriber *out, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    memset(out, 0, sizeof *out);
    out->ksi = -1;
    if (len > KASME_KEYFILE_MAX_LINE)
        return kasme_fail(why, why_len, "line longer than %d octets (%zu), ignored",
                    KASME_KEYFILE_MAX_LINE, len);
    if (check_text(line, len, why, why_len))
        return -1;
    span content = trim(line, len);
    if (!content.len || content.text[0] == '#')
        return 0;

    line_fields st = {.out = out, .base_dir = base_dir};
    int result = parse_content(&st, line, len, why, why_len);
    kasme_secure_zero(st.op, sizeof st.op);
    if (result < 0) {
        kasme_secure_zero(out, sizeof *out);
        out->ksi = -1;
        return -1;
    }
    return 1;
}

int kasme_keyfile_parse_line(const char *line, kasme_subscriber *out, char *why, size_t why_len)
{
    if (!line || !out)
        return kasme_fail(why, why_len, "no line or no output");
    size_t len = strlen(line);
    if (len && line[len - 1] == '\n')
        len--;
    if (len && line[len - 1] == '\r')
        len--;
    return parse_line_len(line, len, NULL, out, why, why_len);
}

/* ---- files and buffers ---- */

/* Basename of path (either separator: the GUI may hand over Windows paths) into source. */
static void basename_into(const char *path, char source[64])
{
    const char *base = path ? path : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    g_strlcpy(source, base, 64);
}

static void report(kasme_keyfile_error_fn err, void *user, const char *source, unsigned line,
                   const char *why)
{
    if (err)
        err(user, source, line, why);
}

/* Parses and adds one line; 1 if an entry was added. */
static int load_line(const char *source, const char *base_dir, unsigned line_no,
                     const char *line, size_t len, kasme_subdb *db, kasme_keyfile_error_fn err,
                     void *user)
{
    kasme_subscriber entry;
    char why[256];
    int added = 0;
    int result = parse_line_len(line, len, base_dir, &entry, why, sizeof why);
    if (result == 1) {
        entry.source = source;
        entry.line = line_no;
        added = kasme_subdb_add(db, &entry, why, sizeof why) == 0;
        if (!added)
            report(err, user, source, line_no, why);
    } else if (result < 0) {
        report(err, user, source, line_no, why);
    }
    kasme_secure_zero(&entry, sizeof entry);
    return added;
}

/* Room for the entries buf can hold: at most one a line, and no entry line is shorter than
 * 40 octets ("kupenc=<32 hex> any" is 43), so a file of blank lines reserves nothing big. */
static size_t max_entries_in(const char *buf, size_t len)
{
    size_t lines = 1;
    for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    return MIN(lines, len / 40 + 1);
}

/* A buffer's lines; relative file= paths start at base_dir (NULL: the working directory). */
static int load_buffer_in(const char *name, const char *base_dir, const char *buf, size_t len,
                          kasme_subdb *db, kasme_keyfile_error_fn err, void *user)
{
    char source[64];
    basename_into(name, source);
    if (!buf || !db)
        return 0;
    kasme_subdb_reserve(db, max_entries_in(buf, len));
    size_t pos = 0;
    /* Windows editors put a UTF-8 byte-order mark in front of the first line. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    unsigned line_no = 0;
    int added = 0;
    while (pos < len) {
        const char *line = buf + pos;
        const char *newline = memchr(line, '\n', len - pos);
        size_t line_len = newline ? (size_t)(newline - line) : len - pos;
        /* An overlong line is skipped whole, up to its own newline. */
        pos += line_len + (newline != NULL);
        if (line_len && line[line_len - 1] == '\r')
            line_len--;
        line_no++;
        if (load_line(source, base_dir, line_no, line, line_len, db, err, user) &&
            added < INT_MAX)
            added++;
    }
    return added;
}

int kasme_keyfile_load_buffer(const char *name, const char *buf, size_t len, kasme_subdb *db,
                              kasme_keyfile_error_fn err, void *user)
{
    return load_buffer_in(name, NULL, buf, len, db, err, user);
}

int kasme_keyfile_load(const char *path, kasme_subdb *db, kasme_keyfile_error_fn err,
                       void *user)
{
    char source[64];
    basename_into(path, source);
    if (!path || !db) {
        report(err, user, source, 0, "cannot read: no file name");
        return -1;
    }
    /* Refuse FIFOs and devices: reading /dev/zero or a pipe would never end. */
    if (g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        report(err, user, source, 0, "cannot read: not a regular file");
        return -1;
    }
    gchar *contents = NULL;
    gsize length = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &contents, &length, &error)) {
        char why[512];
        snprintf(why, sizeof why, "cannot read: %s", error->message);
        report(err, user, source, 0, why);
        g_error_free(error);
        return -1;
    }
    char *base_dir = g_path_get_dirname(path);
    int added = load_buffer_in(path, base_dir, contents, length, db, err, user);
    g_free(base_dir);
    kasme_secure_zero(contents, length);
    g_free(contents);
    return added;
}

/* ---- the GUI's key table ---- */

static bool row_empty(const char *s)
{
    return !s || !*s;
}

static bool prefixed(const char *s, const char *prefix)
{
    return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static void append_row_identity(GString *line, const char *identity)
{
    static const char *const prefixes[][2] = {
        {"tmsi:", "tmsi="}, {"guti:", "guti="}, {"rnti:", "rnti="}, {"supi:", "supi="},
    };
    if (row_empty(identity) || g_ascii_strcasecmp(identity, "any") == 0) {
        g_string_append(line, "any");
        return;
    }
    for (size_t i = 0; i < N_OF(prefixes); i++) {
        if (prefixed(identity, prefixes[i][0])) {
            g_string_append_printf(line, "%s%s", prefixes[i][1],
                                   identity + strlen(prefixes[i][0]));
            return;
        }
    }
    g_string_append_printf(line, prefixed(identity, "imsi-") ? "supi=%s" : "imsi=%s", identity);
}

/* hnet-a / hnet-b: the identity column holds the key id, the key column the key or a path. */
static void append_hnet_row(GString *line, const kasme_keyfile_row *r, char scheme)
{
    const char *key = row_empty(r->key) ? "" : r->key;
    size_t len = strlen(key);
    bool is_hex = len == 64 && kasme_hex_decode(key, len, (uint8_t[32]){0}, 32, NULL) ==
                                   KASME_HEX_OK;
    g_string_append_printf(line, "hnet id=%s scheme=%c %s=%s",
                           row_empty(r->identity) ? "" : r->identity, scheme,
                           is_hex ? "key" : "file", key);
}

static void append_row_keys(GString *line, const kasme_keyfile_row *r)
{
    const char *kind = row_empty(r->kind) ? "milenage-opc" : r->kind;
    const char *key = row_empty(r->key) ? "" : r->key;
    const char *op = row_empty(r->op) ? "" : r->op;
    if (g_ascii_strcasecmp(kind, "milenage-op") == 0)
        g_string_append_printf(line, " k=%s op=%s", key, op);
    else if (g_ascii_strcasecmp(kind, "xor") == 0)
        g_string_append_printf(line, " alg=xor k=%s", key);
    else if (g_ascii_strcasecmp(kind, "kasme") == 0 || g_ascii_strcasecmp(kind, "kamf") == 0 ||
             g_ascii_strcasecmp(kind, "kenb") == 0)
        g_string_append_printf(line, " %s=%s", kind, key);
    else
        g_string_append_printf(line, " k=%s opc=%s", key, op);
}

char *kasme_keyfile_row_to_line(const kasme_keyfile_row *r)
{
    GString *line = g_string_new(NULL);
    const char *kind = row_empty(r->kind) ? "" : r->kind;
    if (g_ascii_strcasecmp(kind, "hnet-a") == 0 || g_ascii_strcasecmp(kind, "hnet-b") == 0) {
        append_hnet_row(line, r, g_ascii_toupper(kind[5]));
    } else {
        append_row_identity(line, r->identity);
        append_row_keys(line, r);
        if (!row_empty(r->amf))
            g_string_append_printf(line, " amf=%s", r->amf);
        if (!row_empty(r->ksi))
            g_string_append_printf(line, " ksi=%s", r->ksi);
    }
    if (!row_empty(r->name))
        g_string_append_printf(line, " name=%s", r->name);
    return g_string_free(line, FALSE);
}
