/* Home network private keys for SUCI de-concealment from the files core networks use:
 * Open5GS's `openssl genpkey -algorithm X25519` (PKCS#8 "PRIVATE KEY") and
 * `openssl ecparam -name prime256v1 -genkey` (SEC 1 "EC PRIVATE KEY", after an optional
 * "EC PARAMETERS" block), PKCS#8 P-256 keys, and the same as DER. A minimal DER reader of
 * its own, bounded at every step; nothing read is ever put in an error message. */
#ifndef KASME_PEMKEY_H
#define KASME_PEMKEY_H

#include <stddef.h>
#include <stdint.h>

#include "ecies.h"

/* Largest key file read, in octets. */
#define KASME_PEMKEY_MAX_FILE 65536

/* Reads the private key from a PEM or DER text of len octets. On success returns 0 with the
 * 32-octet key in key (X25519: as RFC 7748 writes it; P-256: big endian) and its profile in
 * *profile. -1 with the reason in why otherwise (key wiped). */
int kasme_pemkey_parse(const uint8_t *data, size_t len, uint8_t key[32], ecies_profile *profile,
                       char *why, size_t why_len);

/* The same from a file (a regular file of at most KASME_PEMKEY_MAX_FILE octets); its
 * contents are wiped from memory after reading. */
int kasme_pemkey_load(const char *path, uint8_t key[32], ecies_profile *profile, char *why,
                      size_t why_len);

#endif
