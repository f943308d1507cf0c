/* See idmap.h. Linear probing keeps a lookup to one run of adjacent slots; deletion shifts
 * the run's later entries back instead of leaving tombstones (Knuth, TAOCP 6.4 Algorithm R),
 * so a map whose entries come and go (connections) never fills with dead slots. At 7/8 full
 * a miss reads about 30 slots on average: a few adjacent cache lines, and in an index no
 * owner's record unless 32 bits of hash match. */
#include "idmap.h"

#include <string.h>

#include <glib.h>

#define MIN_SLOTS 64u

/* splitmix64's finaliser: every key bit reaches every slot bit. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The low half of a key's hash picks its home slot, the high half is an index's tag. */
static uint64_t hash_of(const kasme_idmap *m, uint64_t key)
{
    return mix(key ^ m->seed);
}

static uint32_t home_slot(const kasme_idmap *m, uint64_t key)
{
    return (uint32_t)hash_of(m, key) & m->mask;
}

static uint64_t key_at(const kasme_idmap *m, uint32_t slot)
{
    return m->key_of ? m->key_of(m->owner, m->ids[slot]) : m->keys[slot];
}

void kasme_idmap_init(kasme_idmap *m)
{
    memset(m, 0, sizeof *m);
    m->seed = (uint64_t)g_random_int() << 32 | g_random_int();
}

void kasme_idmap_init_index(kasme_idmap *m, kasme_key_of_id key_of, const void *owner)
{
    kasme_idmap_init(m);
    m->key_of = key_of;
    m->owner = owner;
}

void kasme_idmap_clear(kasme_idmap *m)
{
    g_free(m->keys);
    g_free(m->ids);
    g_free(m->tags);
    m->keys = NULL;
    m->ids = NULL;
    m->tags = NULL;
    m->mask = m->count = 0;
}

static bool holds(const kasme_idmap *m, uint32_t slot, uint64_t key, uint32_t tag)
{
    if (m->key_of)
        return m->tags[slot] == tag && m->key_of(m->owner, m->ids[slot]) == key;
    return m->keys[slot] == key;
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t find_slot(const kasme_idmap *m, uint64_t key)
{
    uint64_t hash = hash_of(m, key);
    uint32_t tag = (uint32_t)(hash >> 32);
    uint32_t i = (uint32_t)hash & m->mask;
    while (m->ids[i] && !holds(m, i, key, tag))
        i = (i + 1) & m->mask;
    return i;
}

uint32_t kasme_idmap_get(const kasme_idmap *m, uint64_t key)
{
    if (!m->count)
        return 0;
    return m->ids[find_slot(m, key)];
}

static void store(kasme_idmap *m, uint32_t slot, uint64_t key, uint32_t id)
{
    m->ids[slot] = id;
    if (m->key_of)
        m->tags[slot] = (uint32_t)(hash_of(m, key) >> 32);
    else
        m->keys[slot] = key;
}

static void resize(kasme_idmap *m, uint32_t slots)
{
    kasme_idmap old = *m;
    uint32_t old_slots = m->ids ? m->mask + 1 : 0;
    m->ids = g_new0(uint32_t, slots);
    m->keys = m->key_of ? NULL : g_new(uint64_t, slots);
    m->tags = m->key_of ? g_new(uint32_t, slots) : NULL;
    m->mask = slots - 1;
    for (uint32_t i = 0; i < old_slots; i++) {
        if (!old.ids[i])
            continue;
        uint64_t key = key_at(&old, i);
        store(m, find_slot(m, key), key, old.ids[i]);
    }
    g_free(old.ids);
    g_free(old.keys);
    g_free(old.tags);
}

static bool too_full(const kasme_idmap *m)
{
    return (uint64_t)(m->count + 1) * 8 > (uint64_t)(m->mask + 1) * 7 && m->mask < 0x7FFFFFFFu;
}

void kasme_idmap_put(kasme_idmap *m, uint64_t key, uint32_t id)
{
    if (!id)
        return;
    if (!m->ids)
        resize(m, MIN_SLOTS);
    else if (too_full(m))
        resize(m, (m->mask + 1) * 2);
    uint32_t i = find_slot(m, key);
    if (!m->ids[i]) {
        if (m->count >= m->mask) /* never the last empty slot: lookups end on one */
            return;
        m->count++;
    }
    store(m, i, key, id);
}

bool kasme_idmap_remove(kasme_idmap *m, uint64_t key)
{
    if (!m->count)
        return false;
    uint32_t hole = find_slot(m, key);
    if (!m->ids[hole])
        return false;
    m->count--;
    /* Move back each later entry of the run whose home slot does not lie in (hole, j]. */
    for (uint32_t j = (hole + 1) & m->mask; m->ids[j]; j = (j + 1) & m->mask) {
        uint64_t key_j = key_at(m, j);
        uint32_t home = home_slot(m, key_j);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        store(m, hole, key_j, m->ids[j]);
        hole = j;
    }
    m->ids[hole] = 0;
    return true;
}

uint64_t kasme_digits_key(const char *digits)
{
    uint64_t key = 0;
    size_t n = 0;
    for (; digits[n]; n++) {
        if (n == 16 || digits[n] < '0' || digits[n] > '9')
            return 0;
        key = key << 4 | (uint64_t)(digits[n] - '0' + 1);
    }
    return key;
}
