/* 128-EEA3 vs ETSI/SAGE EEA3/EIA3 Document 3 (Implementors' Test Data), section 4. */
#include "eea3.h"
#include "vec_util.h"
#include "zuc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BYTES 1024

/* Runs eea3_crypt on a copy of `in` and compares ceil(length_bits/8) bytes with `want`. */
static void check_direction(const uint8_t *key, JsonObject *o, const uint8_t *in,
                            const uint8_t *want, size_t n_bytes, const char *what, long set)
{
    uint8_t buf[MAX_BYTES];
    memcpy(buf, in, n_bytes);
    eea3_crypt(key, vec_hex_u32(vec_str(o, "count")), (unsigned)vec_int(o, "bearer"),
               (unsigned)vec_int(o, "direction"), buf, (size_t)vec_int(o, "length_bits"));
    vec_check_mem(buf, want, n_bytes, "eea3", what, set);
}

/*
 * Besides the official sets, every LENGTH in 1..REF_MAX_BITS is compared with a literal reading
 * of Document 1 sections 3.3-3.5 (C[i] = M[i] ^ z[i], bit by bit), in a buffer of exactly
 * ceil(LENGTH/8) bytes so that ASan sees any access past it. The input's bits past LENGTH are
 * set, and the output's must come back cleared.
 */
#define REF_MAX_BITS 600

static void ref_crypt(const uint8_t *key, uint32_t count, unsigned bearer, unsigned dir,
                      const uint8_t *in, uint8_t *out, size_t length_bits)
{
    uint8_t iv[16] = {0};
    uint32_t ks[REF_MAX_BITS / 32 + 1];
    for (int i = 0; i < 4; i++)
        iv[i] = (uint8_t)(count >> (24 - 8 * i));
    iv[4] = (uint8_t)(bearer << 3 | dir << 2);
    memcpy(iv + 8, iv, 8);
    zuc_state st;
    zuc_init(&st, key, iv);
    zuc_keystream(&st, ks, (length_bits + 31) / 32);
    memset(out, 0, (length_bits + 7) / 8);
    for (size_t i = 0; i < length_bits; i++) {
        unsigned m = (in[i / 8] >> (7 - i % 8)) & 1;
        unsigned z = (ks[i / 32] >> (31 - i % 32)) & 1;
        out[i / 8] |= (uint8_t)((m ^ z) << (7 - i % 8));
    }
}

static void check_against_reference(const uint8_t *key, JsonObject *o, long set)
{
    uint32_t count = vec_hex_u32(vec_str(o, "count"));
    unsigned bearer = (unsigned)vec_int(o, "bearer"), dir = (unsigned)vec_int(o, "direction");
    uint8_t in[REF_MAX_BITS / 8 + 1], want[sizeof in];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(0xff ^ (i * 0x3b));
    int mismatches = 0;
    for (size_t len = 1; len <= REF_MAX_BITS; len++) {
        size_t n_bytes = (len + 7) / 8;
        uint8_t *exact = malloc(n_bytes);
        memcpy(exact, in, n_bytes);
        eea3_crypt(key, count, bearer, dir, exact, len);
        ref_crypt(key, count, bearer, dir, in, want, len);
        mismatches += memcmp(exact, want, n_bytes) != 0;
        free(exact);
    }
    char what[96];
    snprintf(what, sizeof what, "%d of %d lengths differ from the bitwise reference", mismatches,
             REF_MAX_BITS);
    vec_check(mismatches == 0, "eea3", what, set);
}

int main(int argc, char **argv)
{
    JsonArray *vectors = vec_category(argc, argv, "eea3");
    int n_vectors = 0;

    for (guint v = 0; v < json_array_get_length(vectors); v++) {
        JsonObject *o = json_array_get_object_element(vectors, v);
        long set = (long)vec_int(o, "test_set");
        uint8_t key[16], plain[MAX_BYTES], cipher[MAX_BYTES];
        size_t length_bits = (size_t)vec_int(o, "length_bits");
        size_t n_bytes = (length_bits + 7) / 8;

        vec_check(vec_hex(vec_str(o, "key"), key, 16) == 16, "eea3", "key is 16 bytes", set);
        size_t n_plain = vec_hex(vec_str(o, "plaintext"), plain, sizeof plain);
        size_t n_cipher = vec_hex(vec_str(o, "ciphertext"), cipher, sizeof cipher);
        if (n_plain != n_bytes || n_cipher != n_bytes) {
            vec_check(0, "eea3", "data is not ceil(length_bits/8) bytes", set);
            continue;
        }
        check_direction(key, o, plain, cipher, n_bytes, "encrypt", set);
        check_direction(key, o, cipher, plain, n_bytes, "decrypt", set);
        check_against_reference(key, o, set);
        n_vectors++;
    }
    return vec_report("eea3", n_vectors);
}
