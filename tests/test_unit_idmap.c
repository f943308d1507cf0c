/* The id map (plugin/core/idmap.c), as a map and as an index, against a GHashTable model:
 * random puts, replacements and removals (which shift entries back within a run of slots)
 * give the same answers for every key, across growth; and kasme_digits_key gives distinct
 * keys to distinct digit strings. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "idmap.h"

static GHashTable *model; /* uint64* -> id */

static uint32_t model_get(uint64_t key)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(model, &key));
}

static void model_put(uint64_t key, uint32_t id)
{
    uint64_t *k = g_new(uint64_t, 1);
    *k = key;
    g_hash_table_replace(model, k, GUINT_TO_POINTER(id));
}

/* Every key ever used agrees with the model. */
static void compare_all(const kasme_idmap *m, const uint64_t *keys, size_t n, const char *when)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (kasme_idmap_get(m, keys[i]) != model_get(keys[i]))
            bad++;
    check(bad == 0, "%s: %zu of %zu keys differ from the model", when, bad, n);
    check(m->count == g_hash_table_size(model), "%s: count %u, model %u", when, m->count,
          g_hash_table_size(model));
}

/* In an index, id i + 1 is the id of keys[i]. */
static uint64_t key_of_id(const void *owner, uint32_t id)
{
    return ((const uint64_t *)owner)[id - 1];
}

static void random_ops(unsigned n_keys, unsigned n_ops, bool dense, bool index)
{
    set_run("%s, %u keys, %u ops, %s", index ? "index" : "map", n_keys, n_ops,
            dense ? "dense keys" : "random keys");
    model = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GRand *rng = g_rand_new_with_seed(n_keys * 7919u + n_ops + dense);
    uint64_t *keys = g_new(uint64_t, n_keys);
    for (unsigned i = 0; i < n_keys; i++)
        keys[i] = dense ? i : (uint64_t)g_rand_int(rng) << 32 | g_rand_int(rng);
    kasme_idmap m;
    if (index)
        kasme_idmap_init_index(&m, key_of_id, keys);
    else
        kasme_idmap_init(&m);
    for (unsigned op = 0; op < n_ops; op++) {
        unsigned k = (unsigned)g_rand_int_range(rng, 0, (gint32)n_keys);
        uint64_t key = keys[k];
        unsigned what = (unsigned)g_rand_int_range(rng, 0, 10);
        if (what < 6) {
            uint32_t id = index ? k + 1 : g_rand_int(rng) | 1;
            uint32_t before = model_get(key);
            check(kasme_idmap_put(&m, key, id) == before, "put returns the id replaced");
            model_put(key, id);
        } else if (what < 9) {
            check(kasme_idmap_remove(&m, key) == model_get(key), "remove returns the id it had");
            g_hash_table_remove(model, &key);
        } else {
            check(kasme_idmap_get(&m, key) == model_get(key), "get %llx",
                  (unsigned long long)key);
        }
        if (op % 4096 == 4095)
            compare_all(&m, keys, n_keys, "during");
    }
    compare_all(&m, keys, n_keys, "after");
    check(m.words == NULL || (uint64_t)m.count * 8 <= (uint64_t)(m.mask + 1) * 7,
          "at most 7/8 full");
    kasme_idmap_clear(&m);
    check(kasme_idmap_get(&m, keys[0]) == 0 && m.count == 0, "empty after clear");
    kasme_idmap_put(&m, keys[0], 1);
    check(kasme_idmap_get(&m, keys[0]) == 1, "usable after clear");
    kasme_idmap_clear(&m);
    g_free(keys);
    g_rand_free(rng);
    g_hash_table_destroy(model);
}

static void zero_id_and_absent(void)
{
    set_run("edge cases");
    kasme_idmap m;
    kasme_idmap_init(&m);
    check(kasme_idmap_get(&m, 0) == 0 && kasme_idmap_remove(&m, 5) == 0,
          "empty map finds nothing");
    check(kasme_idmap_put(&m, 5, 0) == 0, "id 0 replaces nothing");
    check(m.count == 0, "id 0 is not stored");
    kasme_idmap_put(&m, 0, 3); /* key 0 is an ordinary key */
    check(kasme_idmap_get(&m, 0) == 3, "key 0");
    check(kasme_idmap_put(&m, 0, 4) == 3, "replacing returns the old id");
    check(kasme_idmap_get(&m, 0) == 4 && m.count == 1, "replace keeps one entry");
    kasme_idmap_clear(&m);
}

static void digits_keys(void)
{
    set_run("digits keys");
    static const char *const distinct[] = {"1", "01", "001", "10", "100", "0", "00",
                                           "001010123456789", "001010123456780",
                                           "0010101234567890", "9999999999999999"};
    GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t keys[G_N_ELEMENTS(distinct)];
    for (size_t i = 0; i < G_N_ELEMENTS(distinct); i++) {
        keys[i] = kasme_digits_key(distinct[i]);
        check(keys[i] != 0, "\"%s\" has a key", distinct[i]);
        check(!g_hash_table_contains(seen, &keys[i]), "\"%s\" has a key of its own",
              distinct[i]);
        g_hash_table_add(seen, &keys[i]);
    }
    static const char *const keyless[] = {"", "12a4", "00101012345678901", "-1", " 1"};
    for (size_t i = 0; i < G_N_ELEMENTS(keyless); i++)
        check(kasme_digits_key(keyless[i]) == 0, "\"%s\" has no key", keyless[i]);
    g_hash_table_destroy(seen);
}

/* An index's owner lookups (a random read of the owner's record each) while it grows from
 * nothing to 100 000 entries and loses half of them again: only when 32 bits of hash match a
 * key that is not the one looked for or removed, a handful at most. */
static unsigned owner_reads;

static uint64_t counted_key_of_id(const void *owner, uint32_t id)
{
    owner_reads++;
    return key_of_id(owner, id);
}

static void index_reads_owner_rarely(void)
{
    enum { N = 100000 };
    set_run("index owner reads, %u keys", N);
    GRand *rng = g_rand_new_with_seed(4242);
    uint64_t *keys = g_new(uint64_t, N);
    for (unsigned i = 0; i < N; i++)
        keys[i] = (uint64_t)g_rand_int(rng) << 32 | g_rand_int(rng);
    kasme_idmap m;
    kasme_idmap_init_index(&m, counted_key_of_id, keys);
    owner_reads = 0;
    for (unsigned i = 0; i < N; i++)
        kasme_idmap_put(&m, keys[i], i + 1);
    unsigned growing = owner_reads;
    check(growing < 20, "%u owner reads for %u new keys (growth included)", growing, N);
    owner_reads = 0;
    for (unsigned i = 0; i < N; i += 2)
        kasme_idmap_remove(&m, keys[i]);
    /* each removal reads the removed key's record once; shifting entries back reads none */
    check(owner_reads < N / 2 + 20, "%u owner reads for %u removals", owner_reads, N / 2);
    size_t bad = 0;
    for (unsigned i = 0; i < N; i++)
        bad += kasme_idmap_get(&m, keys[i]) != (i % 2 ? i + 1 : 0);
    check(bad == 0, "%zu keys wrong after the removals", bad);
    kasme_idmap_clear(&m);
    g_free(keys);
    g_rand_free(rng);
}

int main(void)
{
    zero_id_and_absent();
    index_reads_owner_rarely();
    digits_keys();
    for (int index = 0; index < 2; index++) {
        random_ops(50, 20000, true, index);
        random_ops(5000, 200000, true, index);
        random_ops(100000, 400000, false, index);
        random_ops(3000, 300000, false, index);
    }
    return check_report("unit_idmap");
}
