/* ECIES de-concealment of SUCIs, TS 33.501 Annex C.3; see ecies.h.
 *
 * Steps (C.3.3 for the home network): ECDH of the home network private key with the
 * ephemeral public key -> shared secret Z; ANSI X9.63 KDF with SHA-256 over Z with SharedInfo
 * = the ephemeral public key as sent -> encryption key (16) || ICB (16) || MAC key (32);
 * MAC tag = the first 8 octets of HMAC-SHA-256(MAC key, ciphertext), checked before anything
 * is deciphered; plaintext = AES-128-CTR(encryption key, ICB, ciphertext). */
#include "ecies.h"

#include <stdbool.h>
#include <string.h>
#include <gcrypt.h>

#include "kdf.h"
#include "secure_zero.h"

#define SHARED_SECRET_LEN 32
#define KDF_OUT_LEN 64 /* enc key 16 || ICB 16 || MAC key 32 (C.3.4.1, C.3.4.2) */

/* The keys of one de-concealment. */
typedef struct {
    uint8_t z[SHARED_SECRET_LEN];
    uint8_t k[KDF_OUT_LEN];
} ecies_secrets;

const char *ecies_status_text(ecies_status status)
{
    switch (status) {
    case ECIES_OK: return "ok";
    case ECIES_BAD_TAG: return "MAC tag does not verify";
    case ECIES_BAD_LENGTH: return "scheme output of a wrong length";
    case ECIES_BAD_POINT: return "ephemeral public key is not a valid point";
    case ECIES_BAD_KEY: return "home network private key not usable";
    case ECIES_BAD_PROFILE: return "not ECIES Profile A or B";
    case ECIES_CRYPTO_ERROR: return "libgcrypt error";
    }
    return "unknown status";
}

/* Length of the ephemeral public key at the start of a scheme output, 0 if none fits. */
static size_t ephemeral_key_len(ecies_profile profile, const uint8_t *out, size_t len)
{
    if (profile == ECIES_PROFILE_A)
        return 32;
    if (!len)
        return 0;
    if (out[0] == 0x02 || out[0] == 0x03)
        return 33;
    return out[0] == 0x04 ? 65 : 0; /* SEC 1 2.3.3: no other prefix is a finite point */
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* RFC 7748 X25519; a small-order ephemeral key gives Z = 0, which C.3.4.1 forbids using
 * (RFC 7748 6.1: check for the all-zero value). */
static ecies_status ecdh_x25519(const uint8_t priv[32], const uint8_t eph[32], uint8_t z[32])
{
    if (gcry_ecc_mul_point(GCRY_ECC_CURVE25519, z, priv, eph))
        return ECIES_CRYPTO_ERROR;
    return all_zero(z, 32) ? ECIES_BAD_POINT : ECIES_OK;
}

bool ecies_private_key_ok(ecies_profile profile, const uint8_t priv[32])
{
    /* SEC 2 2.4.2: the order n of the secp256r1 base point. */
    static const uint8_t p256_n[32] = {
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2,
        0xfc, 0x63, 0x25, 0x51,
    };
    if (profile == ECIES_PROFILE_A)
        return priv != NULL;
    if (profile != ECIES_PROFILE_B || !priv || all_zero(priv, 32))
        return false;
    return memcmp(priv, p256_n, 32) < 0; /* big endian: octet order is numeric order */
}

/* The P-256 scalar d, refused unless 0 < d < n. */
static ecies_status p256_scalar(const uint8_t priv[32], gcry_mpi_t *d)
{
    if (!ecies_private_key_ok(ECIES_PROFILE_B, priv))
        return ECIES_BAD_KEY;
    return gcry_mpi_scan(d, GCRYMPI_FMT_USG, priv, 32, NULL) ? ECIES_CRYPTO_ERROR : ECIES_OK;
}

/* x as 32 octets, big endian, left-padded. */
static ecies_status mpi_to_32(gcry_mpi_t x, uint8_t out[32])
{
    size_t n = 0;
    uint8_t buf[32];
    if (gcry_mpi_print(GCRYMPI_FMT_USG, buf, sizeof buf, &n, x) || n > 32)
        return ECIES_CRYPTO_ERROR;
    memset(out, 0, 32 - n);
    memcpy(out + 32 - n, buf, n);
    kasme_secure_zero(buf, sizeof buf);
    return ECIES_OK;
}

/* Z = x-coordinate of d * Q (SEC 1 3.3.1); Q must be a point of the curve (P-256 has
 * cofactor 1, so that is the whole public key validation besides infinity). */
static ecies_status ecdh_p256_in(gcry_ctx_t ctx, gcry_mpi_t d, const uint8_t *eph,
                                 size_t eph_len, uint8_t z[32])
{
    gcry_mpi_t encoded = gcry_mpi_set_opaque_copy(NULL, eph, (unsigned)eph_len * 8);
    gcry_mpi_point_t q = gcry_mpi_point_new(0), r = gcry_mpi_point_new(0);
    gcry_mpi_t x = gcry_mpi_new(0);
    ecies_status st = ECIES_BAD_POINT;
    if (encoded && !gcry_mpi_ec_decode_point(q, encoded, ctx) && gcry_mpi_ec_curve_point(q, ctx)) {
        gcry_mpi_ec_mul(r, d, q, ctx);
        if (gcry_mpi_ec_get_affine(x, NULL, r, ctx) == 0) /* not the point at infinity */
            st = mpi_to_32(x, z);
    }
    gcry_mpi_release(x);
    gcry_mpi_point_release(r);
    gcry_mpi_point_release(q);
    gcry_mpi_release(encoded);
    return st;
}

static ecies_status ecdh_p256(const uint8_t priv[32], const uint8_t *eph, size_t eph_len,
                              uint8_t z[32])
{
    gcry_ctx_t ctx = NULL;
    if (gcry_mpi_ec_new(&ctx, NULL, "NIST P-256"))
        return ECIES_CRYPTO_ERROR;
    gcry_mpi_t d = NULL;
    ecies_status st = p256_scalar(priv, &d);
    if (st == ECIES_OK)
        st = ecdh_p256_in(ctx, d, eph, eph_len, z);
    gcry_mpi_release(d); /* libgcrypt wipes the limbs of an MPI it frees (mpi/mpiutil.c) */
    gcry_ctx_release(ctx);
    return st;
}

/* ANSI X9.63 KDF with SHA-256 (SEC 1 3.6.1): K = Hash(Z || 1 || SharedInfo) ||
 * Hash(Z || 2 || SharedInfo), the counter as 4 octets big endian. */
static ecies_status x963_kdf(const uint8_t z[32], const uint8_t *shared_info, size_t info_len,
                             uint8_t k[KDF_OUT_LEN])
{
    for (uint32_t counter = 1; counter <= KDF_OUT_LEN / 32; counter++) {
        uint8_t counter_be[4];
        kdf_be32(counter, counter_be);
        gcry_buffer_t in[3] = { { .data = (void *)z, .len = 32 },
                                { .data = counter_be, .len = 4 },
                                { .data = (void *)shared_info, .len = info_len } };
        if (gcry_md_hash_buffers(GCRY_MD_SHA256, 0, k + 32 * (counter - 1), in, 3))
            return ECIES_CRYPTO_ERROR;
    }
    return ECIES_OK;
}

/* Compares the received tag with HMAC-SHA-256(MAC key, ciphertext) in time independent of
 * where they differ. */
static ecies_status check_tag(const uint8_t mac_key[32], const uint8_t *ciphertext, size_t len,
                              const uint8_t tag[ECIES_MAC_TAG_LEN])
{
    uint8_t mac[32], diff = 0;
    if (kdf_hmac_sha256(mac_key, 32, ciphertext, len, mac))
        return ECIES_CRYPTO_ERROR;
    for (size_t i = 0; i < ECIES_MAC_TAG_LEN; i++)
        diff |= mac[i] ^ tag[i];
    kasme_secure_zero(mac, sizeof mac);
    return diff ? ECIES_BAD_TAG : ECIES_OK;
}

static ecies_status aes128_ctr(const uint8_t key[16], const uint8_t icb[16], const uint8_t *in,
                               size_t len, uint8_t *out)
{
    gcry_cipher_hd_t hd = NULL;
    ecies_status st = ECIES_CRYPTO_ERROR;
    if (gcry_cipher_open(&hd, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 0))
        return st;
    if (!gcry_cipher_setkey(hd, key, 16) && !gcry_cipher_setctr(hd, icb, 16) &&
        !gcry_cipher_decrypt(hd, out, len, in, len))
        st = ECIES_OK;
    gcry_cipher_close(hd); /* libgcrypt wipes the key schedule on close */
    return st;
}

static ecies_status ecdh(ecies_profile profile, const uint8_t priv[32], const uint8_t *eph,
                         size_t eph_len, uint8_t z[32])
{
    return profile == ECIES_PROFILE_A ? ecdh_x25519(priv, eph, z)
                                      : ecdh_p256(priv, eph, eph_len, z);
}

/* The steps after the lengths are known; s holds every secret. */
static ecies_status deconceal_parts(ecies_profile profile, const uint8_t priv[32],
                                    const uint8_t *eph, size_t eph_len,
                                    const uint8_t *ciphertext, size_t ct_len, const uint8_t *tag,
                                    uint8_t *plaintext, ecies_secrets *s)
{
    ecies_status st = ecdh(profile, priv, eph, eph_len, s->z);
    if (st == ECIES_OK)
        st = x963_kdf(s->z, eph, eph_len, s->k);
    if (st == ECIES_OK)
        st = check_tag(s->k + 32, ciphertext, ct_len, tag);
    if (st == ECIES_OK)
        st = aes128_ctr(s->k, s->k + 16, ciphertext, ct_len, plaintext);
    return st;
}

ecies_status ecies_deconceal(ecies_profile profile, const uint8_t hn_private_key[32],
                             const uint8_t *scheme_output, size_t scheme_output_len,
                             uint8_t *plaintext, size_t plaintext_max, size_t *plaintext_len)
{
    if (plaintext_len)
        *plaintext_len = 0;
    if (plaintext && plaintext_max)
        memset(plaintext, 0, plaintext_max);
    if (profile != ECIES_PROFILE_A && profile != ECIES_PROFILE_B)
        return ECIES_BAD_PROFILE;
    if (!hn_private_key || !plaintext || !plaintext_len || (scheme_output_len && !scheme_output))
        return ECIES_BAD_LENGTH;
    size_t eph_len = ephemeral_key_len(profile, scheme_output, scheme_output_len);
    if (!eph_len && scheme_output_len)
        return ECIES_BAD_POINT;
    if (scheme_output_len < eph_len + 1 + ECIES_MAC_TAG_LEN)
        return ECIES_BAD_LENGTH;
    size_t ct_len = scheme_output_len - eph_len - ECIES_MAC_TAG_LEN;
    if (ct_len > ECIES_PLAINTEXT_MAX || ct_len > plaintext_max)
        return ECIES_BAD_LENGTH;
    ecies_secrets s;
    ecies_status st = deconceal_parts(profile, hn_private_key, scheme_output, eph_len,
                                      scheme_output + eph_len, ct_len,
                                      scheme_output + eph_len + ct_len, plaintext, &s);
    kasme_secure_zero(&s, sizeof s);
    if (st == ECIES_OK)
        *plaintext_len = ct_len;
    else
        kasme_secure_zero(plaintext, plaintext_max);
    return st;
}

static ecies_status p256_public_key(const uint8_t priv[32], uint8_t out[33])
{
    gcry_ctx_t ctx = NULL;
    if (gcry_mpi_ec_new(&ctx, NULL, "NIST P-256"))
        return ECIES_CRYPTO_ERROR;
    gcry_mpi_t d = NULL, x = gcry_mpi_new(0), y = gcry_mpi_new(0);
    gcry_mpi_point_t g = gcry_mpi_ec_get_point("g", ctx, 1), q = gcry_mpi_point_new(0);
    ecies_status st = p256_scalar(priv, &d);
    if (st == ECIES_OK) {
        gcry_mpi_ec_mul(q, d, g, ctx);
        st = gcry_mpi_ec_get_affine(x, y, q, ctx) ? ECIES_BAD_KEY : mpi_to_32(x, out + 1);
        out[0] = gcry_mpi_test_bit(y, 0) ? 0x03 : 0x02; /* SEC 1 2.3.3 compressed form */
    }
    gcry_mpi_release(d);
    gcry_mpi_release(x);
    gcry_mpi_release(y);
    gcry_mpi_point_release(g);
    gcry_mpi_point_release(q);
    gcry_ctx_release(ctx);
    return st;
}

ecies_status ecies_public_key(ecies_profile profile, const uint8_t hn_private_key[32],
                              uint8_t public_key[33], size_t *public_key_len)
{
    *public_key_len = 0;
    if (profile == ECIES_PROFILE_A) {
        if (gcry_ecc_mul_point(GCRY_ECC_CURVE25519, public_key, hn_private_key, NULL))
            return ECIES_CRYPTO_ERROR;
        *public_key_len = 32;
        return ECIES_OK;
    }
    if (profile != ECIES_PROFILE_B)
        return ECIES_BAD_PROFILE;
    ecies_status st = p256_public_key(hn_private_key, public_key);
    if (st == ECIES_OK)
        *public_key_len = 33;
    return st;
}
