/* SUCI de-concealment (ecies.c) against TS 33.501 Annex C.4.3/C.4.4 (vectors5g.json, argv[1])
 * and the Profile B uncompressed-key case of vectors5g_extra.json (argv[2]), then hostile
 * scheme outputs: every one must give a clear status, no plaintext, and no crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecies.h"
#include "gcrypt_init.h"
#include "vec_util.h"

#define CAT "ecies"
#define OUT_MAX 256

typedef struct {
    long set;
    ecies_profile profile;
    uint8_t priv[32];
    uint8_t output[OUT_MAX]; /* ephemeral key || ciphertext || tag */
    size_t output_len;
    uint8_t plain[64];
    size_t plain_len;
} suci_vector;

static const char *eph_member(JsonObject *v)
{
    static const char *const names[] = { "eph_public_key", "eph_public_key_compressed",
                                         "eph_public_key_uncompressed" };
    for (size_t i = 0; i < 3; i++)
        if (json_object_has_member(v, names[i]))
            return names[i];
    fprintf(stderr, CAT ": vector without an ephemeral public key\n");
    exit(1);
}

static void load(JsonObject *v, long set, suci_vector *sv)
{
    memset(sv, 0, sizeof *sv);
    sv->set = set;
    sv->profile = (ecies_profile)vec_int(v, "scheme_id");
    vec_hex(vec_str(v, "hn_private_key"), sv->priv, 32);
    size_t n = vec_hex(vec_str(v, eph_member(v)), sv->output, 65);
    n += vec_hex(vec_str(v, "ciphertext"), sv->output + n, 64);
    n += vec_hex(vec_str(v, "mac_tag"), sv->output + n, 8);
    sv->output_len = n;
    sv->plain_len = vec_hex(vec_str(v, "plaintext_msin_bcd"), sv->plain, sizeof sv->plain);
}

/* Runs a de-concealment and checks that a failure leaves no plaintext behind. */
static ecies_status run(const suci_vector *sv, const uint8_t *priv, const uint8_t *out,
                        size_t len, uint8_t plain[OUT_MAX], size_t *plain_len)
{
    memset(plain, 0xa5, OUT_MAX);
    ecies_status st = ecies_deconceal(sv->profile, priv, out, len, plain, OUT_MAX, plain_len);
    if (st != ECIES_OK) {
        uint8_t zero[OUT_MAX] = { 0 };
        vec_check(*plain_len == 0 && memcmp(plain, zero, OUT_MAX) == 0, CAT,
                  "a failed de-concealment leaves no plaintext", sv->set);
    }
    vec_check(ecies_status_text(st) && *ecies_status_text(st), CAT, "status has a text", sv->set);
    return st;
}

static void check_public_keys(JsonObject *v, const suci_vector *sv)
{
    const char *member = sv->profile == ECIES_PROFILE_A ? "hn_public_key"
                                                        : "hn_public_key_compressed";
    uint8_t want[33], got[33];
    size_t want_len = vec_hex(vec_str(v, member), want, 33), got_len = 0;
    vec_check(ecies_public_key(sv->profile, sv->priv, got, &got_len) == ECIES_OK, CAT,
              "home network public key derived", sv->set);
    vec_check(got_len == want_len, CAT, "public key length", sv->set);
    vec_check_mem(got, want, want_len, CAT, "home network public key", sv->set);
}

static void check_good(const suci_vector *sv)
{
    uint8_t plain[OUT_MAX];
    size_t plain_len = 99;
    ecies_status st = run(sv, sv->priv, sv->output, sv->output_len, plain, &plain_len);
    vec_check(st == ECIES_OK, CAT, "de-concealed", sv->set);
    vec_check(plain_len == sv->plain_len, CAT, "plaintext length", sv->set);
    vec_check_mem(plain, sv->plain, sv->plain_len, CAT, "MSIN BCD", sv->set);
}

/* Flipped bits of the tag, the ciphertext or the private key: BAD_TAG, no plaintext. */
static void check_flips(suci_vector *sv)
{
    uint8_t plain[OUT_MAX];
    size_t plain_len;
    size_t tag_at = sv->output_len - 8, ct_at = tag_at - sv->plain_len;
    for (size_t bit = 0; bit < 64; bit++) {
        sv->output[tag_at + bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
        vec_check(run(sv, sv->priv, sv->output, sv->output_len, plain, &plain_len) ==
                      ECIES_BAD_TAG, CAT, "flipped tag bit -> bad tag", sv->set * 100 + (long)bit);
        sv->output[tag_at + bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
    }
    sv->output[ct_at] ^= 0x01;
    vec_check(run(sv, sv->priv, sv->output, sv->output_len, plain, &plain_len) == ECIES_BAD_TAG,
              CAT, "flipped ciphertext bit -> bad tag", sv->set);
    sv->output[ct_at] ^= 0x01;
    sv->priv[31] ^= 0x20; /* X25519 clamping forces bits 7 and 6 of the last octet, not 5 */
    vec_check(run(sv, sv->priv, sv->output, sv->output_len, plain, &plain_len) == ECIES_BAD_TAG,
              CAT, "flipped private key bit -> bad tag", sv->set);
    sv->priv[31] ^= 0x20;
}

/* Every truncation, and outputs longer than any ciphertext allowed: a length status or a bad
 * tag, never ok. */
static void check_lengths(const suci_vector *sv)
{
    uint8_t plain[OUT_MAX], big[OUT_MAX] = { 0 };
    size_t plain_len;
    for (size_t len = 0; len < sv->output_len; len++) {
        ecies_status st = run(sv, sv->priv, sv->output, len, plain, &plain_len);
        vec_check(st != ECIES_OK, CAT, "truncated output refused", sv->set * 1000 + (long)len);
    }
    size_t eph_len = sv->output_len - sv->plain_len - 8;
    vec_check(run(sv, sv->priv, sv->output, eph_len + 8, plain, &plain_len) == ECIES_BAD_LENGTH,
              CAT, "no ciphertext -> bad length", sv->set);
    memcpy(big, sv->output, eph_len);
    size_t long_len = eph_len + ECIES_PLAINTEXT_MAX + 1 + 8;
    vec_check(run(sv, sv->priv, big, long_len, plain, &plain_len) == ECIES_BAD_LENGTH, CAT,
              "ciphertext over the maximum -> bad length", sv->set);
    vec_check(run(sv, sv->priv, big, eph_len + ECIES_PLAINTEXT_MAX + 8, plain, &plain_len) ==
                  ECIES_BAD_TAG, CAT, "ciphertext of the maximum -> checked (bad tag)", sv->set);
    vec_check(ecies_deconceal(sv->profile, sv->priv, sv->output, sv->output_len, plain,
                              sv->plain_len - 1, &plain_len) == ECIES_BAD_LENGTH, CAT,
              "plaintext buffer too small -> bad length", sv->set);
}

static void check_vectors(JsonArray *a, long first_set)
{
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *v = json_array_get_object_element(a, i);
        suci_vector sv;
        load(v, first_set + (long)i, &sv);
        if (json_object_has_member(v, "hn_public_key") ||
            json_object_has_member(v, "hn_public_key_compressed"))
            check_public_keys(v, &sv);
        check_good(&sv);
        check_flips(&sv);
        check_lengths(&sv);
    }
}

/* ---- hostile ephemeral keys ---- */

static ecies_status try_output(ecies_profile profile, const uint8_t priv[32], const uint8_t *eph,
                               size_t eph_len)
{
    suci_vector sv = { .set = 900, .profile = profile };
    uint8_t out[OUT_MAX] = { 0 }, plain[OUT_MAX];
    size_t plain_len;
    memcpy(out, eph, eph_len);
    return run(&sv, priv, out, eph_len + 5 + 8, plain, &plain_len); /* 5-octet ciphertext */
}

static void check_bad_points(const uint8_t priv_a[32], const uint8_t priv_b[32])
{
    uint8_t eph[65] = { 0 };
    /* X25519 small-order points (RFC 7748 6.1's all-zero check): u = 0 and u = 1. */
    vec_check(try_output(ECIES_PROFILE_A, priv_a, eph, 32) == ECIES_BAD_POINT, CAT,
              "X25519 u = 0 -> all-zero shared secret refused", 1);
    eph[0] = 1;
    vec_check(try_output(ECIES_PROFILE_A, priv_a, eph, 32) == ECIES_BAD_POINT, CAT,
              "X25519 u = 1 -> all-zero shared secret refused", 2);
    /* P-256: (1, 1) is not on the curve; x = 0 compressed has no square root... either way
     * not a point; prefixes other than 02/03/04 are not finite points. */
    memset(eph, 0, sizeof eph);
    eph[0] = 0x04, eph[32] = 1, eph[64] = 1;
    vec_check(try_output(ECIES_PROFILE_B, priv_b, eph, 65) == ECIES_BAD_POINT, CAT,
              "uncompressed point off the curve", 3);
    for (uint8_t prefix = 0; prefix < 8; prefix++) {
        if (prefix >= 2 && prefix <= 4)
            continue;
        eph[0] = prefix;
        vec_check(try_output(ECIES_PROFILE_B, priv_b, eph, 65) == ECIES_BAD_POINT, CAT,
                  "unknown point prefix", 10 + prefix);
    }
    memset(eph, 0xff, 33);
    eph[0] = 0x02; /* x = 2^256 - 1 >= p: not a field element */
    vec_check(try_output(ECIES_PROFILE_B, priv_b, eph, 33) == ECIES_BAD_POINT, CAT,
              "compressed x >= p", 4);
}

/* The uncompressed C.4.4 key with its y changed: same x, off the curve. */
static void check_off_curve(JsonArray *extra)
{
    JsonObject *v = json_array_get_object_element(extra, 0);
    suci_vector sv;
    load(v, 800, &sv);
    sv.output[64] ^= 0x01;
    uint8_t plain[OUT_MAX];
    size_t plain_len;
    vec_check(run(&sv, sv.priv, sv.output, sv.output_len, plain, &plain_len) == ECIES_BAD_POINT,
              CAT, "valid x with a wrong y -> bad point", 800);
}

static void check_bad_keys(const uint8_t *output_b, size_t len)
{
    static const char *const bad_b[] = {
        "0000000000000000000000000000000000000000000000000000000000000000", /* 0 */
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", /* n */
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    };
    uint8_t priv[32], pub[33], plain[OUT_MAX];
    size_t n;
    for (size_t i = 0; i < 3; i++) {
        vec_hex(bad_b[i], priv, 32);
        vec_check(ecies_deconceal(ECIES_PROFILE_B, priv, output_b, len, plain, OUT_MAX, &n) ==
                      ECIES_BAD_KEY && n == 0, CAT, "P-256 private key outside 1..n-1", (long)i);
        vec_check(ecies_public_key(ECIES_PROFILE_B, priv, pub, &n) == ECIES_BAD_KEY, CAT,
                  "no public key for it", (long)i);
    }
    /* The edges of 1..n-1 (SEC 2's n, written here), which need no curve arithmetic. */
    vec_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", priv, 32);
    vec_check(ecies_private_key_ok(ECIES_PROFILE_B, priv), CAT, "n - 1 is a P-256 key", 0);
    vec_check(ecies_public_key(ECIES_PROFILE_B, priv, pub, &n) == ECIES_OK && n == 33, CAT,
              "n - 1 has a public key", 0);
    memset(priv, 0, 32);
    priv[31] = 1;
    vec_check(ecies_private_key_ok(ECIES_PROFILE_B, priv), CAT, "1 is a P-256 key", 0);
    priv[31] = 0;
    vec_check(!ecies_private_key_ok(ECIES_PROFILE_B, priv), CAT, "0 is no P-256 key", 0);
    vec_check(ecies_private_key_ok(ECIES_PROFILE_A, priv), CAT, "any 32 octets for X25519", 0);
    vec_check(!ecies_private_key_ok((ecies_profile)3, priv), CAT, "no key for profile 3", 0);
    vec_check(ecies_deconceal((ecies_profile)3, priv, output_b, len, plain, OUT_MAX, &n) ==
                  ECIES_BAD_PROFILE, CAT, "profile 3 refused", 0);
    vec_check(ecies_deconceal((ecies_profile)0, priv, output_b, len, plain, OUT_MAX, &n) ==
                  ECIES_BAD_PROFILE, CAT, "null scheme is not ECIES", 0);
}

int main(int argc, char **argv)
{
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "libgcrypt initialisation failed\n");
        return 1;
    }
    vec_need_args(argc, argv, 2, "vectors5g.json vectors5g_extra.json");
    JsonArray *official = vec_category_in(argv[1], "suci_ecies");
    JsonArray *extra = vec_category_in(argv[2], "suci_ecies_uncompressed");
    check_vectors(official, 1);
    check_vectors(extra, 1 + (long)json_array_get_length(official));
    suci_vector a, b;
    load(json_array_get_object_element(official, 0), 1, &a);
    load(json_array_get_object_element(official, 1), 2, &b);
    vec_check(a.profile == ECIES_PROFILE_A && b.profile == ECIES_PROFILE_B, CAT,
              "C.4.3 is Profile A and C.4.4 Profile B", 0);
    check_bad_points(a.priv, b.priv);
    check_off_curve(extra);
    check_bad_keys(b.output, b.output_len);
    return vec_report(CAT, (int)(json_array_get_length(official) + json_array_get_length(extra)));
}
