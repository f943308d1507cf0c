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

/* The high half of a key's hash is an index's tag, and its low bits pick the home slot: a slot
 * knows its home from its tag, so growing an index or shifting its entries back never asks
 * the owner for a key (a random read of the owner's record per entry). Tags of one home
 * still differ in their 32 - log2(slots) high bits, so an index asks its owner for a key it
 * does not hold about once in 2^(32 - log2(slots)) probes. */
static uint64_t hash_of(const kasme_idmap *m, uint64_t key)
{
    return mix(key ^ m->seed);
}

static uint32_t tag_of(const kasme_idmap *m, uint64_t key)
{
    return (uint32_t)(hash_of(m, key) >> 32);
}

static uint32_t home_slot(const kasme_idmap *m, uint64_t key)
{
    return tag_of(m, key) & m->mask;
}

static uint32_t *slot_at(const kasme_idmap *m, uint32_t i)
{
    return m->words + (size_t)i * m->stride;
}

/* The home slot of the entry in slot i: from an index's tag, from a map's key. */
static uint32_t home_of_entry(const kasme_idmap *m, uint32_t i)
{
    const uint32_t *s = slot_at(m, i);
    if (m->key_of)
        return s[1] & m->mask;
    return home_slot(m, (uint64_t)s[2] << 32 | s[1]);
}

void kasme_idmap_init(kasme_idmap *m)
{
    memset(m, 0, sizeof *m);
    m->stride = 3;
    m->seed = (uint64_t)g_random_int() << 32 | g_random_int();
}

void kasme_idmap_init_index(kasme_idmap *m, kasme_key_of_id key_of, const void *owner)
{
    kasme_idmap_init(m);
    m->stride = 2;
    m->key_of = key_of;
    m->owner = owner;
}

void kasme_idmap_clear(kasme_idmap *m)
{
    g_free(m->words);
    m->words = NULL;
    m->mask = m->count = 0;
}

static bool holds(const kasme_idmap *m, const uint32_t *s, uint64_t key, uint32_t tag)
{
    if (m->key_of)
        return s[1] == tag && m->key_of(m->owner, s[0]) == key;
    return s[1] == (uint32_t)key && s[2] == (uint32_t)(key >> 32);
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t find_slot(const kasme_idmap *m, uint64_t key)
{
    uint32_t tag = tag_of(m, key);
    uint32_t i = tag & m->mask;
    for (const uint32_t *s = slot_at(m, i); s[0] && !holds(m, s, key, tag); s = slot_at(m, i))
        i = (i + 1) & m->mask;
    return i;
}

uint32_t kasme_idmap_get(const kasme_idmap *m, uint64_t key)
{
    if (!m->count)
        return 0;
    return slot_at(m, find_slot(m, key))[0];
}

static void store(kasme_idmap *m, uint32_t i, uint64_t key, uint32_t id)
{
    uint32_t *s = slot_at(m, i);
    s[0] = id;
    if (m->key_of) {
        s[1] = tag_of(m, key);
    } else {
        s[1] = (uint32_t)key;
        s[2] = (uint32_t)(key >> 32);
    }
}

/* Moves every entry into a new array of slots: to the first empty slot from its home (the
 * keys are distinct, so none is compared). */
static void resize(kasme_idmap *m, uint32_t slots)
{
    kasme_idmap old = *m;
    uint32_t old_slots = m->words ? m->mask + 1 : 0;
    m->words = g_new0(uint32_t, (size_t)slots * m->stride);
    m->mask = slots - 1;
    for (uint32_t i = 0; i < old_slots; i++) {
        const uint32_t *from = slot_at(&old, i);
        if (!from[0])
            continue;
        uint32_t j = m->key_of ? from[1] & m->mask
                               : home_slot(m, (uint64_t)from[2] << 32 | from[1]);
        while (slot_at(m, j)[0])
            j = (j + 1) & m->mask;
        memcpy(slot_at(m, j), from, m->stride * sizeof(uint32_t));
    }
    g_free(old.words);
}

static bool too_full(const kasme_idmap *m)
{
    return (uint64_t)(m->count + 1) * 8 > (uint64_t)(m->mask + 1) * 7 && m->mask < 0x7FFFFFFFu;
}

uint32_t kasme_idmap_put(kasme_idmap *m, uint64_t key, uint32_t id)
{
    if (!id)
        return 0;
    if (!m->words)
        resize(m, MIN_SLOTS);
    else if (too_full(m))
        resize(m, (m->mask + 1) * 2);
    uint32_t i = find_slot(m, key);
    uint32_t replaced = slot_at(m, i)[0];
    if (!replaced) {
        if (m->count >= m->mask) /* never the last empty slot: lookups end on one */
            return 0;       /* (2^31 entries, far beyond any capture) */
        m->count++;
    }
    store(m, i, key, id);
    return replaced;
}

uint32_t kasme_idmap_remove(kasme_idmap *m, uint64_t key)
{
    if (!m->count)
        return 0;
    uint32_t hole = find_slot(m, key);
    uint32_t removed = slot_at(m, hole)[0];
    if (!removed)
        return 0;
    m->count--;
    /* Move back each later entry of the run whose home slot does not lie in (hole, j]. */
    for (uint32_t j = (hole + 1) & m->mask; slot_at(m, j)[0]; j = (j + 1) & m->mask) {
        uint32_t home = home_of_entry(m, j);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        memcpy(slot_at(m, hole), slot_at(m, j), m->stride * sizeof(uint32_t));
        hole = j;
    }
    slot_at(m, hole)[0] = 0;
    return removed;
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
