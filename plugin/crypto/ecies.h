/* SUCI de-concealment: the ECIES protection schemes of TS 33.501 Annex C (C.3.2-C.3.4),
 * Profile A (X25519) and Profile B (NIST P-256), on libgcrypt. The home network's side only:
 * from its private key and a SUCI's scheme output to the plaintext (the MSIN in BCD for an
 * IMSI-type SUPI), given only when the MAC tag verifies. */
#ifndef KASME_ECIES_H
#define KASME_ECIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protection scheme identifiers (TS 33.501 Annex C.1; TS 24.501 9.11.3.4). */
/* Packed (one octet): the subscriber database keeps one in every key-file entry. */
typedef enum __attribute__((packed)) { ECIES_PROFILE_A = 1, ECIES_PROFILE_B = 2 } ecies_profile;

#define ECIES_PRIVATE_KEY_LEN 32
#define ECIES_MAC_TAG_LEN 8
/* Longest ciphertext accepted: an MSIN is at most 5 octets of BCD; a NAI-type SUPI's username
 * is longer, but a scheme output beyond this is taken as malformed. */
#define ECIES_PLAINTEXT_MAX 128

typedef enum {
    ECIES_OK = 0,
    ECIES_BAD_TAG,        /* MAC tag differs: not this key, or the SUCI was altered */
    ECIES_BAD_LENGTH,     /* scheme output too short or too long for the profile */
    ECIES_BAD_POINT,      /* ephemeral public key is no point of the curve, or a small-order
                             X25519 key giving an all-zero shared secret */
    ECIES_BAD_KEY,        /* the home network private key is not usable for the profile */
    ECIES_BAD_PROFILE,    /* not Profile A or B */
    ECIES_CRYPTO_ERROR,   /* libgcrypt failed */
} ecies_status;

/* A short English description of status, for messages ("MAC tag does not verify"). */
const char *ecies_status_text(ecies_status status);

/* De-conceals a scheme output (ephemeral public key || ciphertext || MAC tag, as the SUCI
 * carries it; Profile B's ephemeral key compressed, 33 octets, or uncompressed, 65) with the
 * home network private key (32 octets: X25519 scalar as RFC 7748 writes it, or the P-256
 * scalar big endian). On ECIES_OK the plaintext is in plaintext[0 .. *plaintext_len - 1]
 * (plaintext_max >= ECIES_PLAINTEXT_MAX always suffices); on any other status *plaintext_len
 * is 0 and plaintext is left zeroed up to plaintext_max. Every intermediate secret is wiped. */
ecies_status ecies_deconceal(ecies_profile profile, const uint8_t hn_private_key[32],
                             const uint8_t *scheme_output, size_t scheme_output_len,
                             uint8_t *plaintext, size_t plaintext_max, size_t *plaintext_len);

/* Whether a private key can serve the profile, without any curve arithmetic (a key file may
 * hold many): Profile A takes any 32 octets (RFC 7748 clamps them), Profile B a scalar d with
 * 0 < d < n, the order of P-256. */
bool ecies_private_key_ok(ecies_profile profile, const uint8_t hn_private_key[32]);

/* The home network public key of a private key (Profile A: 32 octets; Profile B: 33,
 * compressed), so that a configured key can be matched with what the UE was given.
 * *public_key_len gets the length; out must hold 33 octets. */
ecies_status ecies_public_key(ecies_profile profile, const uint8_t hn_private_key[32],
                              uint8_t public_key[33], size_t *public_key_len);

#endif
