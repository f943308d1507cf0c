/* The key schedule cache (plugin/core/schedcache.c): schedules taken from a slot that other
 * keys used before still give the official 128-EEA/EIA test-set outputs, a slot holding the
 * same tag with other keys is re-keyed, and hits and misses are counted as documented. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcrypt_init.h"
#include "schedcache.h"
#include "vec_util.h"

#define CAT "schedcache"
#define MAX_OCTETS 4096

typedef struct {
    unsigned alg;
    bool integrity;
    long set;
    uint8_t key[16];
    uint32_t count;
    unsigned bearer, dir;
    size_t length_bits, n_octets;
    uint8_t in[MAX_OCTETS], out[MAX_OCTETS]; /* plaintext/ciphertext, or message */
    uint32_t mac;
} vec;

static vec vecs[64];
static size_t n_vecs;

static void load(int argc, char **argv, const char *category, unsigned alg, bool integrity)
{
    JsonArray *a = vec_category(argc, argv, category);
    for (guint i = 0; i < json_array_get_length(a) && n_vecs < G_N_ELEMENTS(vecs); i++) {
        JsonObject *o = json_array_get_object_element(a, i);
        vec *v = &vecs[n_vecs++];
        v->alg = alg;
        v->integrity = integrity;
        v->set = (long)vec_int(o, "test_set");
        vec_hex(vec_str(o, "key"), v->key, 16);
        v->count = vec_hex_u32(vec_str(o, "count"));
        v->bearer = (unsigned)vec_int(o, "bearer");
        v->dir = (unsigned)vec_int(o, "direction");
        v->length_bits = (size_t)vec_int(o, "length_bits");
        v->n_octets = (v->length_bits + 7) / 8;
        if (integrity) {
            vec_hex(vec_str(o, "message"), v->in, MAX_OCTETS);
            v->mac = vec_hex_u32(vec_str(o, "mac"));
        } else {
            vec_hex(vec_str(o, "plaintext"), v->in, MAX_OCTETS);
            vec_hex(vec_str(o, "ciphertext"), v->out, MAX_OCTETS);
        }
    }
}

/* One vector through the cache under tag; the other key of the pair is a fixed dummy. */
static void run(kasme_sched_cache *cache, const vec *v, uint64_t tag, const char *what)
{
    static const uint8_t other[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    char label[64];
    snprintf(label, sizeof label, "%s %s%u", what, v->integrity ? "EIA" : "EEA", v->alg);
    kasme_sched *s = v->integrity ? kasme_sched_get(cache, tag, 0, other, (uint8_t)v->alg, v->key)
                                  : kasme_sched_get(cache, tag, (uint8_t)v->alg, v->key, 0, other);
    vec_check(s != NULL, CAT, label, v->set);
    if (!s)
        return;
    if (v->integrity) {
        uint32_t mac = ~v->mac;
        kasme_integrity_mac(&s->integ, v->count, v->bearer, v->dir, v->in, v->n_octets,
                            v->length_bits, &mac);
        vec_check(mac == v->mac, CAT, label, v->set);
    } else {
        uint8_t buf[MAX_OCTETS];
        memcpy(buf, v->in, v->n_octets);
        kasme_cipher_apply(&s->enc, v->count, v->bearer, v->dir, buf, v->n_octets,
                           v->length_bits);
        vec_check_mem(buf, v->out, v->n_octets, CAT, label, v->set);
    }
}

int main(int argc, char **argv)
{
    if (kasme_gcrypt_init() != 0)
        return 2;
    load(argc, argv, "eea2", 2, false);
    load(argc, argv, "eia2", 2, true);
    if (kasme_alg_available(1)) {
        load(argc, argv, "eea1", 1, false);
        load(argc, argv, "eia1", 1, true);
        load(argc, argv, "eea3", 3, false);
        load(argc, argv, "eia3", 3, true);
    }

    /* One slot: every vector re-keys the slot the previous one used, across algorithms. */
    kasme_sched_cache *one = kasme_sched_cache_new(0);
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < n_vecs; i++)
            run(one, &vecs[i], i + 1, round ? "one slot, round 2" : "one slot");
    kasme_sched_stats st;
    kasme_sched_get_stats(one, &st);
    vec_check(st.hits == 0 && st.misses == 2 * n_vecs, CAT, "one slot: every get a miss", 0);

    /* Same tag, other keys: the keys are compared, not only the tag. */
    for (size_t i = 0; i < n_vecs; i++)
        run(one, &vecs[i], 7, "same tag");

    /* The same tag and keys again: a hit, and still the right output. */
    kasme_sched_cache *big = kasme_sched_cache_new(9);
    run(big, &vecs[0], 42, "first get");
    run(big, &vecs[0], 42, "second get");
    kasme_sched_get_stats(big, &st);
    vec_check(st.hits == 1 && st.misses == 1, CAT, "second get is a hit", 0);

    /* An unknown algorithm gives NULL and leaves the cache usable. */
    uint8_t key[16] = {0};
    vec_check(kasme_sched_get(big, 42, 5, key, 2, key) == NULL, CAT, "EEA5 refused", 0);
    run(big, &vecs[0], 42, "after a refusal");

    kasme_sched_cache_free(one);
    kasme_sched_cache_free(big);
    kasme_sched_cache_free(NULL);
    return vec_report(CAT, (int)n_vecs);
}
