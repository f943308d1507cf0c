/* Subscriber database; see subdb.h.
 *
 * Storage: one grown arena of entries (no allocation per entry), each stored only up to the
 * end of its kind's keys (a K/OPc subscriber in 128 octets instead of 168: the key union is
 * sized by the K_eNB lines), and, parallel to the entries, one arena offset and one chain link
 * per entry. The id maps (idmap.h) index an identity to the index + 1 of the
 * first entry with that identity (0 never occurs, so NULL means "absent"); further entries
 * with the same identity hang off the first through the links, in load order. An IMSI's key
 * is its digits packed into 64 bits (kasme_digits_key), so no copy of the string is kept. */
#include "subdb.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "hexutil.h"
#include "idmap.h"

/* Indices in links and hash values are entry index + 1; 0 = none. */
typedef struct {
    uint32_t next; /* next entry of the same lookup */
    uint32_t last; /* on a chain's first entry only: its last entry, for O(1) append */
} chain_link;

/* Entries start on multiples of this; offsets count in these units, so 32 bits reach 32 GiB. */
#define ENTRY_ALIGN _Alignof(kasme_subscriber)

struct kasme_subdb {
    uint8_t *arena;             /* the entries, each ENTRY_ALIGN-aligned, in load order */
    size_t arena_used, arena_capacity;   /* octets */
    uint32_t *offsets;          /* entry i starts at arena + offsets[i] * ENTRY_ALIGN */
    chain_link *links;
    size_t count, capacity;     /* entries; capacity of offsets and links */
    GArray *secret_index;       /* guint32 entry indices of the secret subscribers */
    GStringChunk *sources;      /* one copy of each entry's source name */
    kasme_idmap secret_by_imsi; /* unique */
    kasme_idmap kasme_by_imsi, kasme_by_tmsi;
    kasme_idmap kenb_by_imsi, kenb_by_rnti;
    kasme_idmap kamf_by_imsi, kamf_by_tmsi;
    kasme_idmap hnet_by_id;
    uint32_t kasme_any_head, kenb_any_head, kamf_any_head;
};

typedef enum { KIND_SECRET, KIND_KASME, KIND_KENB, KIND_KAMF, KIND_HNET } entry_kind;

/* Entry indices are 32 bits: far above any key file, and it halves the index memory. */
#define SUBDB_MAX_ENTRIES (UINT32_MAX - 1)
#define SUBDB_MAX_ARENA ((size_t)UINT32_MAX * ENTRY_ALIGN)

#define KEY_END(member) (offsetof(kasme_subscriber, member) + sizeof ((kasme_subscriber *)0)->member)
#define ALIGN_UP(n) (((n) + ENTRY_ALIGN - 1) / ENTRY_ALIGN * ENTRY_ALIGN)

/* Octets stored for an entry of this kind: the header, then its kind's keys only. */
static size_t stored_size(entry_kind kind)
{
    switch (kind) {
    case KIND_SECRET:
        return ALIGN_UP(KEY_END(amf));
    case KIND_KASME:
        return ALIGN_UP(KEY_END(kasme));
    case KIND_KAMF:
        return ALIGN_UP(KEY_END(kamf));
    case KIND_HNET:
        return ALIGN_UP(KEY_END(hnet_key));
    default:
        return sizeof(kasme_subscriber); /* K_eNB and the three AS keys fill the union */
    }
}

static kasme_subscriber *entry_at(const kasme_subdb *db, size_t i)
{
    return (kasme_subscriber *)(void *)(db->arena + (size_t)db->offsets[i] * ENTRY_ALIGN);
}


/* The IMSI indexes keep entry refs only; an entry's key is its IMSI's. */
static uint64_t imsi_key_of_ref(const void *owner, uint32_t ref)
{
    const kasme_subdb *db = owner;
    return kasme_digits_key(entry_at(db, ref - 1)->imsi);
}

kasme_subdb *kasme_subdb_new(void)
{
    kasme_subdb *db = g_new0(kasme_subdb, 1);
    db->secret_index = g_array_new(FALSE, FALSE, sizeof(guint32));
    db->sources = g_string_chunk_new(256);
    kasme_idmap_init_index(&db->secret_by_imsi, imsi_key_of_ref, db);
    kasme_idmap_init_index(&db->kasme_by_imsi, imsi_key_of_ref, db);
    kasme_idmap_init(&db->kasme_by_tmsi);
    kasme_idmap_init_index(&db->kenb_by_imsi, imsi_key_of_ref, db);
    kasme_idmap_init(&db->kenb_by_rnti);
    kasme_idmap_init_index(&db->kamf_by_imsi, imsi_key_of_ref, db);
    kasme_idmap_init(&db->kamf_by_tmsi);
    kasme_idmap_init(&db->hnet_by_id);
    return db;
}

void kasme_subdb_free(kasme_subdb *db)
{
    if (!db)
        return;
    kasme_secure_zero(db->arena, db->arena_used);
    g_free(db->arena);
    g_free(db->offsets);
    g_free(db->links);
    g_array_free(db->secret_index, TRUE);
    g_string_chunk_free(db->sources);
    kasme_idmap_clear(&db->secret_by_imsi);
    kasme_idmap_clear(&db->kasme_by_imsi);
    kasme_idmap_clear(&db->kasme_by_tmsi);
    kasme_idmap_clear(&db->kenb_by_imsi);
    kasme_idmap_clear(&db->kenb_by_rnti);
    kasme_idmap_clear(&db->kamf_by_imsi);
    kasme_idmap_clear(&db->kamf_by_tmsi);
    kasme_idmap_clear(&db->hnet_by_id);
    g_free(db);
}

/* Resizes the per-entry arrays to capacity (>= count). */
static void resize_index(kasme_subdb *db, size_t capacity)
{
    db->offsets = g_renew(uint32_t, db->offsets, capacity);
    db->links = g_renew(chain_link, db->links, capacity);
    db->capacity = capacity;
}

/* Resizes the arena to capacity octets (>= arena_used). Not g_realloc: realloc would leave the
 * old copy of every key in freed memory, so copy, wipe, then free. */
static void resize_arena(kasme_subdb *db, size_t capacity)
{
    uint8_t *arena = g_malloc(capacity);
    if (db->arena_used)
        memcpy(arena, db->arena, db->arena_used);
    kasme_secure_zero(db->arena, db->arena_used);
    g_free(db->arena);
    db->arena = arena;
    db->arena_capacity = capacity;
}

/* Room for one more entry of size octets. */
static void grow_for(kasme_subdb *db, size_t size)
{
    if (db->count == db->capacity) {
        size_t capacity = db->capacity ? db->capacity * 2 : 64;
        resize_index(db, MIN(capacity, SUBDB_MAX_ENTRIES));
    }
    if (db->arena_capacity - db->arena_used < size) {
        size_t capacity = db->arena_capacity ? db->arena_capacity * 2 : 64 * size;
        resize_arena(db, MIN(MAX(capacity, db->arena_used + size), SUBDB_MAX_ARENA));
    }
}

void kasme_subdb_reserve(kasme_subdb *db, size_t more)
{
    if (!db || more > SUBDB_MAX_ENTRIES - db->count)
        return;
    if (db->count + more <= db->capacity)
        return;
    /* Still geometric: the GUI loads its table one row at a time, each with its hint of 1. */
    size_t doubled = db->capacity <= SUBDB_MAX_ENTRIES / 2 ? db->capacity * 2 : SUBDB_MAX_ENTRIES;
    resize_index(db, MAX(db->count + more, doubled));
    /* Sized for K/OPc subscribers, the lines of big files; other kinds grow it as they come. */
    size_t room = (SUBDB_MAX_ARENA - db->arena_used) / stored_size(KIND_SECRET);
    size_t wanted = db->arena_used + MIN(more, room) * stored_size(KIND_SECRET);
    if (wanted > db->arena_capacity)
        resize_arena(db, MAX(wanted, MIN(db->arena_capacity * 2, SUBDB_MAX_ARENA)));
}

static bool imsi_is_valid(const char *imsi)
{
    const char *nul = memchr(imsi, '\0', 16);
    size_t len = nul ? (size_t)(nul - imsi) : 16;
    if (len < 6 || len > 15)
        return false;
    for (size_t i = 0; i < len; i++)
        if (imsi[i] < '0' || imsi[i] > '9')
            return false;
    return true;
}

static bool has_as_key(const kasme_subscriber *e)
{
    return e->has_kenb || e->has_krrcenc || e->has_krrcint || e->has_kupenc;
}

/* Rules of the kinds that name a UE by a direct key (K_ASME, K_AMF). */
static int check_direct_key(const kasme_subscriber *e, const char *key, char *why,
                            size_t why_len)
{
    if (e->id_kind == KASME_ID_RNTI)
        return kasme_fail(why, why_len, "%s: identity must be imsi, tmsi, guti or any (not rnti)",
                          key);
    if (e->ksi < -1 || e->ksi > 6)
        return kasme_fail(why, why_len, "ksi: %d is not 0..6", e->ksi);
    /* A GUTI of the other system would name the UE by a TMSI of the other system. */
    if (e->has_guti && e->guti_5g != e->has_kamf)
        return kasme_fail(why, why_len, "%s: takes %s GUTI", key,
                          e->has_kamf ? "a 5G-" : "an LTE");
    return 0;
}

static int check_hnet(const kasme_subscriber *e, char *why, size_t why_len)
{
    if (e->hnet_profile != ECIES_PROFILE_A && e->hnet_profile != ECIES_PROFILE_B)
        return kasme_fail(why, why_len, "hnet: scheme must be profile A or B");
    if (e->id_kind != KASME_ID_ANY)
        return kasme_fail(why, why_len, "hnet: a home network key names no UE");
    return 0;
}

/* Which kind e is, or -1 with a reason: entries can also come from the GUI, so the rules of
 * the key-file parser are checked again here. */
static int entry_kind_of(const kasme_subscriber *e, char *why, size_t why_len)
{
    bool secret = e->alg != KASME_AUTH_NONE, direct_kasme = e->has_kasme, kenb = has_as_key(e);
    bool kamf = e->has_kamf, hnet = e->has_hnet;
    if (secret + direct_kasme + kenb + kamf + hnet != 1)
        return kasme_fail(why, why_len, "an entry holds exactly one of: K (subscriber), K_ASME, "
                                  "K_AMF, K_eNB/AS keys, a home network key");
    if ((unsigned)e->id_kind > KASME_ID_ANY)
        return kasme_fail(why, why_len, "unknown identity kind %d", (int)e->id_kind);
    if (e->alg != KASME_AUTH_NONE && e->alg != KASME_AUTH_MILENAGE && e->alg != KASME_AUTH_XOR)
        return kasme_fail(why, why_len, "unknown authentication algorithm %d", (int)e->alg);
    if (e->id_kind == KASME_ID_IMSI && !imsi_is_valid(e->imsi))
        return kasme_fail(why, why_len, "imsi: not 6 to 15 digits");
    if (secret && e->id_kind != KASME_ID_IMSI)
        return kasme_fail(why, why_len, "a subscriber with K needs an imsi identity");
    if ((direct_kasme && check_direct_key(e, "kasme", why, why_len)) ||
        (kamf && check_direct_key(e, "kamf", why, why_len)) ||
        (hnet && check_hnet(e, why, why_len)))
        return -1;
    if (kenb && e->id_kind == KASME_ID_TMSI)
        return kasme_fail(why, why_len, "kenb: identity must be rnti, imsi or any (not tmsi/guti)");
    return secret ? KIND_SECRET : direct_kasme ? KIND_KASME : kamf ? KIND_KAMF
                                 : hnet ? KIND_HNET : KIND_KENB;
}

static const kasme_subscriber *entry_at_ref(const kasme_subdb *db, uint32_t ref)
{
    return ref ? entry_at(db, ref - 1) : NULL;
}

/* Appends entry ref to the chain starting at *head (0 = empty chain). */
static void chain_append(kasme_subdb *db, uint32_t *head, uint32_t ref)
{
    db->links[ref - 1] = (chain_link){0, ref};
    if (!*head) {
        *head = ref;
        return;
    }
    chain_link *first = &db->links[*head - 1];
    db->links[first->last - 1].next = ref;
    first->last = ref;
}

static void index_by_key(kasme_subdb *db, kasme_idmap *map, uint64_t key, uint32_t ref)
{
    uint32_t head = kasme_idmap_get(map, key);
    chain_append(db, &head, ref);
    if (head == ref)
        kasme_idmap_put(map, key, ref);
}

static void index_secret(kasme_subdb *db, const kasme_subscriber *e, uint32_t ref)
{
    db->links[ref - 1] = (chain_link){0, ref};
    kasme_idmap_put(&db->secret_by_imsi, kasme_digits_key(e->imsi), ref);
    guint32 index = ref - 1;
    g_array_append_val(db->secret_index, index);
}

static void index_kasme(kasme_subdb *db, const kasme_subscriber *e, uint32_t ref)
{
    if (e->id_kind == KASME_ID_IMSI)
        index_by_key(db, &db->kasme_by_imsi, kasme_digits_key(e->imsi), ref);
    else if (e->id_kind == KASME_ID_TMSI)
        index_by_key(db, &db->kasme_by_tmsi, e->m_tmsi, ref);
    else
        chain_append(db, &db->kasme_any_head, ref);
}

static void index_kamf(kasme_subdb *db, const kasme_subscriber *e, uint32_t ref)
{
    if (e->id_kind == KASME_ID_IMSI)
        index_by_key(db, &db->kamf_by_imsi, kasme_digits_key(e->imsi), ref);
    else if (e->id_kind == KASME_ID_TMSI)
        index_by_key(db, &db->kamf_by_tmsi, e->m_tmsi, ref);
    else
        chain_append(db, &db->kamf_any_head, ref);
}

static void index_kenb(kasme_subdb *db, const kasme_subscriber *e, uint32_t ref)
{
    if (e->id_kind == KASME_ID_IMSI)
        index_by_key(db, &db->kenb_by_imsi, kasme_digits_key(e->imsi), ref);
    else if (e->id_kind == KASME_ID_RNTI)
        index_by_key(db, &db->kenb_by_rnti, e->rnti, ref);
    else
        chain_append(db, &db->kenb_any_head, ref);
}

/* An IMSI without a key (not 1..16 digits) is in no index. */
static const kasme_subscriber *first_by_imsi(const kasme_subdb *db, const kasme_idmap *map,
                                             const char *imsi)
{
    uint64_t key = imsi ? kasme_digits_key(imsi) : 0;
    return key ? entry_at_ref(db, kasme_idmap_get(map, key)) : NULL;
}

static int reject_duplicate_secret(const kasme_subdb *db, const kasme_subscriber *e, char *why,
                                   size_t why_len)
{
    const kasme_subscriber *first =
        first_by_imsi(db, &db->secret_by_imsi, e->imsi);
    if (!first)
        return 0;
    /* The IMSI is an identity, not a key: the user needs it to find the two lines. */
    if (g_strcmp0(first->source, e->source) == 0)
        return kasme_fail(why, why_len, "duplicate imsi %s, first at line %u (kept)", e->imsi,
                    first->line);
    return kasme_fail(why, why_len, "duplicate imsi %s, first at %s:%u (kept)", e->imsi,
                first->source, first->line);
}

int kasme_subdb_add(kasme_subdb *db, const kasme_subscriber *e, char *why, size_t why_len)
{
    if (!db || !e)
        return kasme_fail(why, why_len, "no database or entry");
    int kind = entry_kind_of(e, why, why_len);
    if (kind < 0)
        return -1;
    if (kind == KIND_SECRET && reject_duplicate_secret(db, e, why, why_len))
        return -1;
    size_t size = stored_size(kind);
    if (db->count >= SUBDB_MAX_ENTRIES || db->arena_used + size > SUBDB_MAX_ARENA)
        return kasme_fail(why, why_len, "subscriber database full");
    grow_for(db, size);

    db->offsets[db->count] = (uint32_t)(db->arena_used / ENTRY_ALIGN);
    kasme_subscriber *stored = entry_at(db, db->count);
    memcpy(stored, e, size);
    db->arena_used += size;
    /* Strings from the GUI may arrive unterminated; the lookups rely on the NULs. */
    stored->imsi[sizeof stored->imsi - 1] = '\0';
    stored->name[sizeof stored->name - 1] = '\0';
    stored->source = e->source ? g_string_chunk_insert_const(db->sources, e->source) : NULL;
    uint32_t ref = (uint32_t)++db->count;
    if (kind == KIND_SECRET)
        index_secret(db, stored, ref);
    else if (kind == KIND_KASME)
        index_kasme(db, stored, ref);
    else if (kind == KIND_KAMF)
        index_kamf(db, stored, ref);
    else if (kind == KIND_HNET)
        index_by_key(db, &db->hnet_by_id, stored->hnet_id, ref);
    else
        index_kenb(db, stored, ref);
    return 0;
}

const kasme_subscriber *kasme_subdb_by_imsi(const kasme_subdb *db, const char *imsi)
{
    return db ? first_by_imsi(db, &db->secret_by_imsi, imsi) : NULL;
}

const kasme_subscriber *kasme_subdb_kasme_by_imsi(const kasme_subdb *db, const char *imsi)
{
    return db ? first_by_imsi(db, &db->kasme_by_imsi, imsi) : NULL;
}

const kasme_subscriber *kasme_subdb_kasme_by_tmsi(const kasme_subdb *db, uint32_t m_tmsi)
{
    return db ? entry_at_ref(db, kasme_idmap_get(&db->kasme_by_tmsi, m_tmsi)) : NULL;
}

const kasme_subscriber *kasme_subdb_kasme_any(const kasme_subdb *db)
{
    return db ? entry_at_ref(db, db->kasme_any_head) : NULL;
}

const kasme_subscriber *kasme_subdb_kamf_by_imsi(const kasme_subdb *db, const char *imsi)
{
    return db ? first_by_imsi(db, &db->kamf_by_imsi, imsi) : NULL;
}

const kasme_subscriber *kasme_subdb_kamf_by_tmsi(const kasme_subdb *db, uint32_t tmsi_5g)
{
    return db ? entry_at_ref(db, kasme_idmap_get(&db->kamf_by_tmsi, tmsi_5g)) : NULL;
}

const kasme_subscriber *kasme_subdb_kamf_any(const kasme_subdb *db)
{
    return db ? entry_at_ref(db, db->kamf_any_head) : NULL;
}

const kasme_subscriber *kasme_subdb_hnet_by_id(const kasme_subdb *db, uint8_t hnet_id)
{
    return db ? entry_at_ref(db, kasme_idmap_get(&db->hnet_by_id, hnet_id)) : NULL;
}

const kasme_subscriber *kasme_subdb_kenb_by_imsi(const kasme_subdb *db, const char *imsi)
{
    return db ? first_by_imsi(db, &db->kenb_by_imsi, imsi) : NULL;
}

const kasme_subscriber *kasme_subdb_kenb_by_rnti(const kasme_subdb *db, uint16_t rnti)
{
    return db ? entry_at_ref(db, kasme_idmap_get(&db->kenb_by_rnti, rnti)) : NULL;
}

const kasme_subscriber *kasme_subdb_kenb_any(const kasme_subdb *db)
{
    return db ? entry_at_ref(db, db->kenb_any_head) : NULL;
}

/* The index of the stored entry e, or count if e is not one: the offsets ascend with the
 * index, so a binary search finds it. */
static size_t index_of(const kasme_subdb *db, const kasme_subscriber *e)
{
    const uint8_t *at = (const uint8_t *)e;
    if (!db->count || at < db->arena || at >= db->arena + db->arena_used)
        return db->count;
    size_t offset = (size_t)(at - db->arena);
    if (offset % ENTRY_ALIGN)
        return db->count;
    uint32_t unit = (uint32_t)(offset / ENTRY_ALIGN);
    size_t low = 0, high = db->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (db->offsets[mid] < unit)
            low = mid + 1;
        else
            high = mid;
    }
    return low < db->count && db->offsets[low] == unit ? low : db->count;
}

const kasme_subscriber *kasme_subdb_next_match(const kasme_subdb *db, const kasme_subscriber *e)
{
    if (!db || !e)
        return NULL;
    size_t i = index_of(db, e);
    return i < db->count ? entry_at_ref(db, db->links[i].next) : NULL;
}

size_t kasme_subdb_count(const kasme_subdb *db)
{
    return db ? db->count : 0;
}

const kasme_subscriber *kasme_subdb_at(const kasme_subdb *db, size_t i)
{
    return db && i < db->count ? entry_at(db, i) : NULL;
}

size_t kasme_subdb_secret_count(const kasme_subdb *db)
{
    return db ? db->secret_index->len : 0;
}

const kasme_subscriber *kasme_subdb_secret_at(const kasme_subdb *db, size_t i)
{
    if (!db || i >= db->secret_index->len)
        return NULL;
    return entry_at(db, g_array_index(db->secret_index, guint32, i));
}

static void describe_identity(const kasme_subscriber *e, char *buf, size_t buf_len)
{
    switch (e->id_kind) {
    case KASME_ID_IMSI:
        snprintf(buf, buf_len, "imsi %.15s", e->imsi);
        break;
    case KASME_ID_TMSI:
        if (e->has_kamf)
            snprintf(buf, buf_len, "%s 0x%08x", e->has_guti ? "5g-guti 5g-tmsi" : "5g-tmsi",
                     (unsigned)e->m_tmsi);
        else
            snprintf(buf, buf_len, "%s 0x%08x", e->has_guti ? "guti m-tmsi" : "tmsi",
                     (unsigned)e->m_tmsi);
        break;
    case KASME_ID_RNTI:
        snprintf(buf, buf_len, "rnti %u", (unsigned)e->rnti);
        break;
    default:
        snprintf(buf, buf_len, "any");
        break;
    }
}

void kasme_subscriber_describe(const kasme_subscriber *e, char *buf, size_t buf_len)
{
    if (!buf || !buf_len)
        return;
    char label[48];
    if (e->name[0])
        snprintf(label, sizeof label, "%.31s", e->name);
    else if (e->has_hnet)
        snprintf(label, sizeof label, "hnet key %u (profile %c)", (unsigned)e->hnet_id,
                 e->hnet_profile == ECIES_PROFILE_A ? 'A' : 'B');
    else
        describe_identity(e, label, sizeof label);
    if (e->in_capture && e->id_kind == KASME_ID_ANY)
        snprintf(buf, buf_len, "%.63s in frame %u", e->source, e->line);
    else if (e->in_capture)
        snprintf(buf, buf_len, "%.63s in frame %u, %s", e->source, e->line, label);
    else if (e->source && e->source[0])
        snprintf(buf, buf_len, "%s (%.63s:%u)", label, e->source, e->line);
    else
        snprintf(buf, buf_len, "%s", label);
}
