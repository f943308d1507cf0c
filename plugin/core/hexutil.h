/* Small helpers shared by the key-file parser and the display code: strict hex decoding,
 * hex encoding for the "show keys" preference, and wiping of secrets. */
#ifndef KASME_HEXUTIL_H
#define KASME_HEXUTIL_H

#include <stddef.h>
#include <stdint.h>

/* kasme_secure_zero, used on every buffer that held a key before it is freed or goes out of
 * scope: with the crypto code, which needs it too. */
#include "secure_zero.h"

/* Value of one hex digit (either case), or -1. */
int kasme_hex_digit(int c);

typedef enum {
    KASME_HEX_OK = 0,
    KASME_HEX_BAD_DIGIT = -1,  /* *bad_pos = 0-based offset of the first non-hex character */
    KASME_HEX_BAD_LENGTH = -2, /* all hex, but not exactly 2 * out_len digits */
} kasme_hex_status;

/* Decodes exactly 2 * out_len hex digits from s[0..len) into out: no prefix, no separators.
 * On failure out may be partly written (the caller wipes it) and bad_pos (may be NULL) is set
 * for KASME_HEX_BAD_DIGIT. */
kasme_hex_status kasme_hex_decode(const char *s, size_t len, uint8_t *out, size_t out_len,
                                  size_t *bad_pos);

/* Lower-case hex of in[0..n) into out, which holds 2 * n + 1 characters (NUL-terminated). */
void kasme_hex_encode(const uint8_t *in, size_t n, char *out);

/* Writes a reason into why (if why is not NULL) and returns -1: the error path of the parsers. */
int kasme_fail(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
