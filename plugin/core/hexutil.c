/* Strict hex codec and secret wiping; see hexutil.h. */
#include "hexutil.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <string.h>

int kasme_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One pass over the digits (a key file holds two keys a subscriber, 100 000s of lines):
 * decoded as they are checked when the length fits. A bad character anywhere is still
 * reported before a bad length ("non-hex at position 7" says more about a typo than a length
 * count does), and a half-decoded key is wiped. */
kasme_hex_status kasme_hex_decode(const char *s, size_t len, uint8_t *out, size_t out_len,
                                  size_t *bad_pos)
{
    bool fits = len == 2 * out_len;
    for (size_t i = 0; i < len; i += 2) {
        int hi = kasme_hex_digit((unsigned char)s[i]);
        int lo = i + 1 < len ? kasme_hex_digit((unsigned char)s[i + 1]) : 0;
        if (hi < 0 || lo < 0) {
            if (bad_pos)
                *bad_pos = hi < 0 ? i : i + 1;
            if (fits)
                kasme_secure_zero(out, out_len);
            return KASME_HEX_BAD_DIGIT;
        }
        if (fits)
            out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return fits ? KASME_HEX_OK : KASME_HEX_BAD_LENGTH;
}

void kasme_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

int kasme_fail(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return -1;
}
