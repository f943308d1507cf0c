/* SNOW 3G keystream against ETSI/SAGE SNOW 3G Document 4 (Design Conformance Test Data). */
#include <stdio.h>
#include <stdlib.h>

#include "snow3g.h"
#include "vec_util.h"

/* key_k0k1k2k3 / iv_iv0iv1iv2iv3 print k0 (resp. IV0) first, in Initialize(k, IV) naming. */
static void words_from_hex(const char *hex, uint32_t w[4])
{
    uint8_t b[16];
    if (vec_hex(hex, b, sizeof b) != sizeof b) {
        fprintf(stderr, "expected 16 bytes: %s\n", hex);
        exit(1);
    }
    for (int i = 0; i < 4; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
}

/* Checks one run {word_index_first: t, words: [z_t, ...]}; the generator must be at z_next. */
static void check_run(snow3g_state *st, gint64 *next_index, JsonObject *run, long set)
{
    gint64 first = vec_int(run, "word_index_first");
    JsonArray *words = json_object_get_array_member(run, "words");
    if (first < *next_index) {
        fprintf(stderr, "snow3g set %ld: runs out of order\n", set);
        exit(1);
    }
    for (; *next_index < first; (*next_index)++)
        (void)snow3g_next(st);
    for (guint i = 0; i < json_array_get_length(words); i++, (*next_index)++) {
        uint32_t want = vec_hex_u32(json_array_get_string_element(words, i));
        uint32_t got = snow3g_next(st);
        char what[64];
        snprintf(what, sizeof what, "z%ld", (long)*next_index);
        vec_check(got == want, "snow3g", what, set);
        if (got != want)
            fprintf(stderr, "  got %08x want %08x\n", got, want);
    }
}

/* The same keystream must come out of the 16-word batch path as from single words. */
static void check_batch_matches_single(const uint32_t k[4], const uint32_t iv[4], long set)
{
    enum { N = 16 * 3 + 5 };
    snow3g_state a, b;
    uint32_t batch[N];
    int same = 1;
    snow3g_init(&a, k, iv);
    snow3g_init(&b, k, iv);
    snow3g_keystream(&a, batch, N);
    for (int i = 0; i < N; i++)
        same &= batch[i] == snow3g_next(&b);
    vec_check(same, "snow3g", "snow3g_keystream equals repeated snow3g_next", set);
}

int main(int argc, char **argv)
{
    JsonArray *vectors = vec_category(argc, argv, "snow3g");
    guint n = json_array_get_length(vectors);
    for (guint i = 0; i < n; i++) {
        JsonObject *v = json_array_get_object_element(vectors, i);
        long set = (long)vec_int(v, "test_set");
        uint32_t k[4], iv[4];
        words_from_hex(vec_str(v, "key_k0k1k2k3"), k);
        words_from_hex(vec_str(v, "iv_iv0iv1iv2iv3"), iv);

        snow3g_state st;
        snow3g_init(&st, k, iv);
        gint64 next_index = 1;
        JsonArray *runs = json_object_get_array_member(v, "keystream");
        for (guint r = 0; r < json_array_get_length(runs); r++)
            check_run(&st, &next_index, json_array_get_object_element(runs, r), set);
        check_batch_matches_single(k, iv, set);
    }
    return vec_report("snow3g", (int)n);
}
