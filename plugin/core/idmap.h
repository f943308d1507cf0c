/* A map from 64-bit keys to non-zero 32-bit ids, for the indexes that hold one entry per UE or
 * per subscriber (100 000s): open addressing with linear probing and backward-shift deletion,
 * at most 7/8 full, no allocation per entry. A map keeps each key beside its id (12 octets a
 * slot); an index keeps the id and 32 bits of the key's hash (8 octets a slot) and asks its
 * owner for an id's key, for keys the owner holds anyway (an entry's IMSI), only when the
 * hash bits match (never to grow or to shift entries back: a slot's home is in its tag). A slot's words sit together, so a probe of 100 000s of entries costs one
 * cache miss. A GHashTable of pointers takes 20 octets a slot, in three arrays.
 *
 * Keys come from captures, which may be hostile: they are mixed with a random seed drawn per
 * map, so nobody can choose keys that pile up in one run of slots. Not thread-safe. */
#ifndef KASME_IDMAP_H
#define KASME_IDMAP_H

#include <stdbool.h>
#include <stdint.h>

/* A hint to fetch the cache line at p (no effect on what the program computes). */
#if defined(__GNUC__) || defined(__clang__)
#define KASME_PREFETCH(p) __builtin_prefetch(p)
#else
#define KASME_PREFETCH(p) ((void)(p))
#endif

/* The key an index's owner holds for id; it must not change while id is in the index. */
typedef uint64_t (*kasme_key_of_id)(const void *owner, uint32_t id);

typedef struct {
    uint32_t *words;          /* a slot: id (0 = empty), then a map's key (low, high half) or
                                 an index's tag (the high half of the key's hash) */
    unsigned stride;          /* words a slot: 3 for a map, 2 for an index */
    kasme_key_of_id key_of;   /* an index's key lookup; NULL for a map */
    const void *owner;
    uint32_t mask;            /* slots - 1; no arrays while empty */
    uint32_t count;
    uint64_t seed;
} kasme_idmap;

void kasme_idmap_init(kasme_idmap *m);
void kasme_idmap_init_index(kasme_idmap *m, kasme_key_of_id key_of, const void *owner);
/* Frees the arrays; the map is empty and usable again. */
void kasme_idmap_clear(kasme_idmap *m);
/* The id stored for key, 0 if none. */
uint32_t kasme_idmap_get(const kasme_idmap *m, uint64_t key);
/* Stores id (non-zero) for key, replacing any id it had; returns the id replaced, 0 if none. */
uint32_t kasme_idmap_put(kasme_idmap *m, uint64_t key, uint32_t id);
/* Removes key; returns the id it had, 0 if it was absent. */
uint32_t kasme_idmap_remove(kasme_idmap *m, uint64_t key);

/* A key for a string of 1..16 decimal digits (IMSI, IMEI), one digit a nibble; 0 for anything
 * else, which then has no key and is never found. */
uint64_t kasme_digits_key(const char *digits);

#endif
