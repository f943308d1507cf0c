/* Strict hex codec and secret wiping; see hexutil.h. */
#include "hexutil.h"

#include <stdarg.h>
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

kasme_hex_status kasme_hex_decode(const char *s, size_t len, uint8_t *out, size_t out_len,
                                  size_t *bad_pos)
{
    /* Report a bad character before a bad length: "non-hex at position 7" says more about a
     * typo than a length count does. */
    for (size_t i = 0; i < len; i++) {
        if (kasme_hex_digit((unsigned char)s[i]) < 0) {
            if (bad_pos)
                *bad_pos = i;
            return KASME_HEX_BAD_DIGIT;
        }
    }
    if (len != 2 * out_len)
        return KASME_HEX_BAD_LENGTH;
    for (size_t i = 0; i < out_len; i++) {
        int hi = kasme_hex_digit((unsigned char)s[2 * i]);
        int lo = kasme_hex_digit((unsigned char)s[2 * i + 1]);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return KASME_HEX_OK;
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
