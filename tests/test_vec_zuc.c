/* ZUC keystream vs ETSI/SAGE EEA3/EIA3 Document 3 (Implementors' Test Data), section 3. */
#include "vec_util.h"
#include "zuc.h"

#include <stdio.h>

#define MAX_WORDS 4096

/* Highest 1-based word index the vector's keystream runs reach. */
static size_t last_word_index(JsonArray *runs)
{
    size_t last = 0;
    for (guint r = 0; r < json_array_get_length(runs); r++) {
        JsonObject *run = json_array_get_object_element(runs, r);
        size_t end = (size_t)vec_int(run, "word_index_first") - 1 +
                     json_array_get_length(json_object_get_array_member(run, "words"));
        if (end > last)
            last = end;
    }
    return last;
}

/* The same keystream three ways: one zuc_keystream call, zuc_next per word, and uneven
 * chunks that cross the 16-word LFSR-ring boundary at every phase. */
static void generate_whole(const uint8_t *key, const uint8_t *iv, uint32_t *z, size_t n)
{
    zuc_state st;
    zuc_init(&st, key, iv);
    zuc_keystream(&st, z, n);
}

static void generate_by_word(const uint8_t *key, const uint8_t *iv, uint32_t *z, size_t n)
{
    zuc_state st;
    zuc_init(&st, key, iv);
    for (size_t i = 0; i < n; i++)
        z[i] = zuc_next(&st);
}

static void generate_by_chunks(const uint8_t *key, const uint8_t *iv, uint32_t *z, size_t n)
{
    zuc_state st;
    size_t done = 0, chunk = 1;
    zuc_init(&st, key, iv);
    while (done < n) {
        size_t take = chunk < n - done ? chunk : n - done;
        zuc_keystream(&st, z + done, take);
        done += take;
        chunk = chunk % 37 + 5; /* 1, 6, 11, ... mixes of sizes below and above 16 */
    }
}

static void check_runs(JsonArray *runs, const uint32_t *z, const char *how, long set)
{
    char what[96];
    for (guint r = 0; r < json_array_get_length(runs); r++) {
        JsonObject *run = json_array_get_object_element(runs, r);
        size_t first = (size_t)vec_int(run, "word_index_first");
        JsonArray *words = json_object_get_array_member(run, "words");
        for (guint w = 0; w < json_array_get_length(words); w++) {
            uint32_t want = vec_hex_u32(json_array_get_string_element(words, w));
            uint32_t got = z[first - 1 + w];
            snprintf(what, sizeof what, "z%zu (%s): got %08x want %08x", first + w, how, got,
                     want);
            vec_check(got == want, "zuc", what, set);
        }
    }
}

int main(int argc, char **argv)
{
    static uint32_t z[MAX_WORDS];
    JsonArray *vectors = vec_category(argc, argv, "zuc");
    int n_vectors = 0;

    for (guint v = 0; v < json_array_get_length(vectors); v++) {
        JsonObject *o = json_array_get_object_element(vectors, v);
        long set = (long)vec_int(o, "test_set");
        uint8_t key[16], iv[16];
        JsonArray *runs = json_object_get_array_member(o, "keystream");
        size_t n = last_word_index(runs);

        vec_check(vec_hex(vec_str(o, "key"), key, 16) == 16, "zuc", "key is 16 bytes", set);
        vec_check(vec_hex(vec_str(o, "iv"), iv, 16) == 16, "zuc", "iv is 16 bytes", set);
        if (n == 0 || n > MAX_WORDS) {
            vec_check(0, "zuc", "keystream run out of range", set);
            continue;
        }
        generate_whole(key, iv, z, n);
        check_runs(runs, z, "one call", set);
        generate_by_word(key, iv, z, n);
        check_runs(runs, z, "zuc_next", set);
        generate_by_chunks(key, iv, z, n);
        check_runs(runs, z, "uneven chunks", set);
        n_vectors++;
    }
    return vec_report("zuc", n_vectors);
}
