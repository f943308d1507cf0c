/* Private-key files for SUCI de-concealment; see pemkey.h. The structures read:
 *   PKCS#8 (RFC 5208 / RFC 5958): SEQUENCE { INTEGER version, SEQUENCE { OID algorithm,
 *     [parameters] }, OCTET STRING privateKey, ... }
 *     X25519 (RFC 8410): algorithm 1.3.101.110, privateKey = OCTET STRING (32 octets)
 *     EC (RFC 5915): algorithm 1.2.840.10045.2.1, parameters = prime256v1, privateKey = SEC 1
 *   SEC 1 ECPrivateKey (RFC 5915): SEQUENCE { INTEGER 1, OCTET STRING d, [0] OID curve opt,
 *     [1] public key opt } */
#include "pemkey.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hexutil.h"

enum { TAG_INTEGER = 0x02, TAG_OCTET_STRING = 0x04, TAG_OID = 0x06, TAG_SEQUENCE = 0x30,
       TAG_CONTEXT_0 = 0xa0 };

static const uint8_t oid_x25519[] = { 0x2b, 0x65, 0x6e };
static const uint8_t oid_ec_public_key[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t oid_prime256v1[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

/* A DER element: its tag and contents. */
typedef struct {
    uint8_t tag;
    const uint8_t *value;
    size_t len;
} der_tlv;

/* A window on DER input. */
typedef struct {
    const uint8_t *p;
    size_t len, pos;
} der_reader;

/* Reads the next element; false at the end or on a malformed one (definite lengths of at most
 * 3 length octets, within the window). */
static bool der_next(der_reader *r, der_tlv *out)
{
    if (r->len - r->pos < 2)
        return false;
    out->tag = r->p[r->pos++];
    size_t len = r->p[r->pos++];
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > 3 || r->len - r->pos < n)
            return false;
        len = 0;
        while (n--)
            len = len << 8 | r->p[r->pos++];
    }
    if (len > r->len - r->pos)
        return false;
    out->value = r->p + r->pos;
    out->len = len;
    r->pos += len;
    return true;
}

static der_reader der_inside(const der_tlv *t)
{
    return (der_reader){ t->value, t->len, 0 };
}

static bool der_expect(der_reader *r, uint8_t tag, der_tlv *out)
{
    return der_next(r, out) && out->tag == tag;
}

static bool tlv_is(const der_tlv *t, const uint8_t *want, size_t n)
{
    return t->len == n && memcmp(t->value, want, n) == 0;
}

/* A 1..32-octet big-endian scalar, left-padded to 32. */
static int take_scalar(const der_tlv *t, uint8_t key[32], char *why, size_t why_len)
{
    if (t->len == 0 || t->len > 32)
        return kasme_fail(why, why_len, "file: private key of %zu octets, expected 32", t->len);
    memset(key, 0, 32 - t->len);
    memcpy(key + 32 - t->len, t->value, t->len);
    return 0;
}

/* SEC 1 ECPrivateKey; the curve, when named, must be prime256v1. */
static int parse_sec1(const der_tlv *seq, uint8_t key[32], char *why, size_t why_len)
{
    der_reader r = der_inside(seq);
    der_tlv version, d, extra;
    if (!der_expect(&r, TAG_INTEGER, &version) || !tlv_is(&version, (const uint8_t[]){ 1 }, 1) ||
        !der_expect(&r, TAG_OCTET_STRING, &d))
        return kasme_fail(why, why_len, "file: not an EC private key (RFC 5915 structure)");
    if (der_next(&r, &extra) && extra.tag == TAG_CONTEXT_0) {
        der_reader params = der_inside(&extra);
        der_tlv curve;
        if (!der_expect(&params, TAG_OID, &curve) ||
            !tlv_is(&curve, oid_prime256v1, sizeof oid_prime256v1))
            return kasme_fail(why, why_len, "file: EC key on a curve other than secp256r1 "
                                            "(prime256v1)");
    }
    return take_scalar(&d, key, why, why_len);
}

/* PKCS#8 PrivateKeyInfo holding an X25519 or P-256 key. */
static int parse_pkcs8(const der_tlv *seq, uint8_t key[32], ecies_profile *profile, char *why,
                       size_t why_len)
{
    der_reader r = der_inside(seq);
    der_tlv version, alg, oid, params, priv;
    if (!der_expect(&r, TAG_INTEGER, &version) || !der_expect(&r, TAG_SEQUENCE, &alg) ||
        !der_expect(&r, TAG_OCTET_STRING, &priv))
        return kasme_fail(why, why_len, "file: not a PKCS#8 private key structure");
    der_reader alg_r = der_inside(&alg);
    if (!der_expect(&alg_r, TAG_OID, &oid))
        return kasme_fail(why, why_len, "file: PKCS#8 key without an algorithm");
    der_reader inner = der_inside(&priv);
    der_tlv body;
    if (tlv_is(&oid, oid_x25519, sizeof oid_x25519)) {
        *profile = ECIES_PROFILE_A;
        if (!der_expect(&inner, TAG_OCTET_STRING, &body) || body.len != 32)
            return kasme_fail(why, why_len, "file: X25519 key is not 32 octets");
        memcpy(key, body.value, 32);
        return 0;
    }
    if (!tlv_is(&oid, oid_ec_public_key, sizeof oid_ec_public_key) ||
        !der_expect(&alg_r, TAG_OID, &params) ||
        !tlv_is(&params, oid_prime256v1, sizeof oid_prime256v1))
        return kasme_fail(why, why_len, "file: not an X25519 or secp256r1 (prime256v1) key");
    *profile = ECIES_PROFILE_B;
    if (!der_expect(&inner, TAG_SEQUENCE, &body))
        return kasme_fail(why, why_len, "file: not an EC private key (RFC 5915 structure)");
    return parse_sec1(&body, key, why, why_len);
}

/* DER of either structure: PKCS#8 starts with INTEGER 0/1 then a SEQUENCE, SEC 1 with
 * INTEGER 1 then an OCTET STRING. */
static int parse_der(const uint8_t *der, size_t len, uint8_t key[32], ecies_profile *profile,
                     char *why, size_t why_len)
{
    der_reader r = { der, len, 0 };
    der_tlv outer, version, second;
    if (!der_expect(&r, TAG_SEQUENCE, &outer))
        return kasme_fail(why, why_len, "file: no DER private key (expected a PEM block or DER)");
    der_reader in = der_inside(&outer);
    if (!der_expect(&in, TAG_INTEGER, &version) || !der_next(&in, &second))
        return kasme_fail(why, why_len, "file: truncated or malformed DER");
    if (second.tag == TAG_SEQUENCE)
        return parse_pkcs8(&outer, key, profile, why, why_len);
    *profile = ECIES_PROFILE_B;
    return parse_sec1(&outer, key, why, why_len);
}

/* ---- PEM ---- */

/* The base64 body of the first "-----BEGIN <label>-----" block whose label is a private key;
 * NULL if none. *label_out names the label found. */
static const char *find_pem_body(const char *text, size_t len, size_t *body_len,
                                 const char **label_out)
{
    static const char *const labels[] = { "PRIVATE KEY", "EC PRIVATE KEY",
                                          "ENCRYPTED PRIVATE KEY" };
    for (size_t i = 0; i < G_N_ELEMENTS(labels); i++) {
        char *begin = g_strdup_printf("-----BEGIN %s-----", labels[i]);
        char *end = g_strdup_printf("-----END %s-----", labels[i]);
        const char *b = g_strstr_len(text, (gssize)len, begin);
        const char *body = b ? b + strlen(begin) : NULL;
        const char *e = body ? g_strstr_len(body, (gssize)(len - (size_t)(body - text)), end)
                             : NULL;
        g_free(begin);
        g_free(end);
        if (e) {
            *body_len = (size_t)(e - body);
            *label_out = labels[i];
            return body;
        }
    }
    return NULL;
}

static bool is_base64_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!g_ascii_isalnum(c) && c != '+' && c != '/' && c != '=' && c != '\r' && c != '\n' &&
            c != ' ' && c != '\t')
            return false;
    }
    return true;
}

static int parse_pem(const char *text, size_t len, uint8_t key[32], ecies_profile *profile,
                     char *why, size_t why_len)
{
    size_t body_len = 0;
    const char *label = NULL;
    const char *body = find_pem_body(text, len, &body_len, &label);
    if (!body)
        return kasme_fail(why, why_len, "file: no PRIVATE KEY or EC PRIVATE KEY block");
    if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
        return kasme_fail(why, why_len, "file: the key is encrypted (write it unencrypted with "
                                        "openssl pkey)");
    if (!is_base64_text(body, body_len))
        return kasme_fail(why, why_len, "file: %s block is not base64 (PEM headers are not "
                                        "supported)", label);
    uint8_t *der = g_malloc(body_len / 4 * 3 + 3);
    gint state = 0;
    guint save = 0;
    size_t der_len = g_base64_decode_step(body, body_len, der, &state, &save);
    int rc = parse_der(der, der_len, key, profile, why, why_len);
    kasme_secure_zero(der, body_len / 4 * 3 + 3);
    g_free(der);
    return rc;
}

int kasme_pemkey_parse(const uint8_t *data, size_t len, uint8_t key[32], ecies_profile *profile,
                       char *why, size_t why_len)
{
    if (!data || !key || !profile)
        return kasme_fail(why, why_len, "file: nothing to read");
    int rc;
    if (g_strstr_len((const char *)data, (gssize)len, "-----BEGIN "))
        rc = parse_pem((const char *)data, len, key, profile, why, why_len);
    else
        rc = parse_der(data, len, key, profile, why, why_len);
    if (rc)
        kasme_secure_zero(key, 32);
    return rc;
}

int kasme_pemkey_load(const char *path, uint8_t key[32], ecies_profile *profile, char *why,
                      size_t why_len)
{
    if (!path || !*path)
        return kasme_fail(why, why_len, "file: empty path");
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return kasme_fail(why, why_len, "file: %s", g_file_test(path, G_FILE_TEST_EXISTS)
                                                        ? "not a regular file"
                                                        : "no such file");
    GStatBuf st;
    if (g_stat(path, &st) == 0 && st.st_size > KASME_PEMKEY_MAX_FILE)
        return kasme_fail(why, why_len, "file: larger than %d octets", KASME_PEMKEY_MAX_FILE);
    gchar *contents = NULL;
    gsize length = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &contents, &length, &error)) {
        int rc = kasme_fail(why, why_len, "file: cannot read: %s", error->message);
        g_error_free(error);
        return rc;
    }
    int rc = length > KASME_PEMKEY_MAX_FILE
                 ? kasme_fail(why, why_len, "file: larger than %d octets", KASME_PEMKEY_MAX_FILE)
                 : kasme_pemkey_parse((const uint8_t *)contents, length, key, profile, why,
                                      why_len);
    kasme_secure_zero(contents, length);
    g_free(contents);
    return rc;
}
