/* 128-EEA1 against 3GPP TS 33.401 Annex C.1 (128-EEA1 test sets 1-6). */
#include <stdio.h>
#include <stdlib.h>

#include "eea1.h"
#include "vec_util.h"

#define MAX_BYTES 1024

/* With junk_padding, the unused low bits of the last input byte are set first: eea1_crypt must
 * still produce the vector, whose unused bits are 0 (eea1.h). */
static void check_direction(JsonObject *v, const char *from, const char *to, int junk_padding,
                            const char *what, long set)
{
    uint8_t key[16], buf[MAX_BYTES], want[MAX_BYTES];
    size_t length_bits = (size_t)vec_int(v, "length_bits");
    size_t n_bytes = (length_bits + 7) / 8;
    vec_hex(vec_str(v, "key"), key, sizeof key);
    size_t n_in = vec_hex(vec_str(v, from), buf, sizeof buf);
    size_t n_want = vec_hex(vec_str(v, to), want, sizeof want);
    if (n_in != n_bytes || n_want != n_bytes) {
        fprintf(stderr, "eea1 set %ld: data is not ceil(length_bits/8) bytes\n", set);
        exit(1);
    }
    if (junk_padding && length_bits % 8)
        buf[n_bytes - 1] |= (uint8_t)(0xff >> (length_bits % 8));
    eea1_crypt(key, vec_hex_u32(vec_str(v, "count")), (unsigned)vec_int(v, "bearer"),
               (unsigned)vec_int(v, "direction"), buf, length_bits);
    vec_check_mem(buf, want, n_bytes, "eea1", what, set);
}

int main(int argc, char **argv)
{
    JsonArray *vectors = vec_category(argc, argv, "eea1");
    guint n = json_array_get_length(vectors);
    for (guint i = 0; i < n; i++) {
        JsonObject *v = json_array_get_object_element(vectors, i);
        long set = (long)vec_int(v, "test_set");
        check_direction(v, "plaintext", "ciphertext", 0, "encrypt", set);
        check_direction(v, "ciphertext", "plaintext", 0, "decrypt", set);
        check_direction(v, "plaintext", "ciphertext", 1, "encrypt, junk after length_bits", set);
    }
    return vec_report("eea1", (int)n);
}
