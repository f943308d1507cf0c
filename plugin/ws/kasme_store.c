/* Per-frame results between passes. The first pass stores a record per result, in the order
 * it made them; a later pass (the GUI's clicks, tshark -2) rebuilds the results from them.
 * NAS and K_eNB results are packed (tracker_pack.c): 16 octets a record, the keys and the
 * plaintext derived again from the tracker's contexts; PDCP results and the rare result that
 * does not pack are kept whole in file scope. Records live in fixed-size chunks, in frame
 * order (the first pass reads the frames in order); a frame's records are found through an
 * index of blocks of 32 frames (4 octets a block), then a walk over that block's records:
 * no per-frame allocation, index entry or hash entry. */
#include "kasme_ws.h"

#include <string.h>

#include "hexutil.h"

enum { FORM_PACKED = 0, FORM_FULL = 1 };
/* FLAG_BLOCK: the first record of its block of frames */
enum { FLAG_LAST = 1, FLAG_SRB = 2, FLAG_OPAQUE = 4, FLAG_BLOCK = 8 };
#define BLOCK_LOG2 5
#define BLOCK_FRAMES (1u << BLOCK_LOG2)

/* Where a packed record's PDU is in its frame's data: 9 bits each for offset and length, as
 * S1AP frames carry their NAS PDU in the first 512 octets; a record whose PDU lies further
 * or is longer is kept whole, with its place beside it. Length 0: not in the frame's data. */
#define PLACE_BITS 9
#define PLACE_MAX ((1u << PLACE_BITS) - 1)

/* meta: kind (2 bits) | form << 2 | flags << 3 (4 bits) | dir + 1 << 7 (2 bits) |
 * the frame's place in its block << 9 (5 bits) | offset << 14 | length << 23 */
typedef struct {
    union {
        kasme_nas_packed nas;
        kasme_kenb_packed kenb;
        uint32_t full; /* index into full_results */
    } u;
    uint32_t meta;
} kasme_record;

G_STATIC_ASSERT(sizeof(kasme_record) == 16);
G_STATIC_ASSERT(9 + BLOCK_LOG2 + 2 * PLACE_BITS == 32);
#define REC_KIND(r) ((r)->meta & 3)
#define REC_FORM(r) (((r)->meta >> 2) & 1)
#define REC_FLAGS(r) (((r)->meta >> 3) & 15)
#define REC_DIR(r) ((int)(((r)->meta >> 7) & 3) - 1)
#define REC_FRAME_LOW(r) (((r)->meta >> 9) & (BLOCK_FRAMES - 1))
#define REC_OFFSET(r) (((r)->meta >> 14) & PLACE_MAX)
#define REC_LENGTH(r) ((r)->meta >> (14 + PLACE_BITS))

/* A result kept whole, and where its PDU is in the frame's data (length 0: not there) */
typedef struct {
    kasme_frame_result fr;
    guint16 offset, length;
} kasme_full_result;

#define CHUNK_RECORDS 4096u

struct kasme_store {
    GPtrArray *chunks;       /* kasme_record[CHUNK_RECORDS] each */
    guint32 n_records;
    /* guint32 per block of frames: its first record + 1, 0 = none */
    GArray *blocks;
    guint32 last_frame;      /* the last frame stored; frames are stored in order */
    /* The last frame looked up and its first record (-1: none): a later pass asks for one
     * frame's records several times (has, then each item), and each answer would walk its
     * block again. */
    guint32 looked_up_frame;
    gint64 looked_up_first;
    GPtrArray *full_results; /* kasme_full_result*, wmem_file_scope */
};

static size_t plain_len_of(const kasme_frame_result *fr)
{
    return fr->kind == KASME_ITEM_NAS    ? fr->nas.plain_len
           : fr->kind == KASME_ITEM_PDCP ? fr->pdcp.plain_len
                                         : 0;
}

/* Results kept whole hold keys and plaintext: wiped before wmem_file_scope goes (the store is
 * freed from kasme's cleanup routine, before Wireshark leaves the file scope). */
static void wipe_full_results(kasme_store *st)
{
    for (guint i = 0; i < st->full_results->len; i++) {
        kasme_full_result *full = g_ptr_array_index(st->full_results, i);
        if (full->fr.plain)
            kasme_secure_zero(full->fr.plain, plain_len_of(&full->fr));
        kasme_secure_zero(full, sizeof *full);
    }
}

kasme_store *kasme_store_new(void)
{
    kasme_store *st = g_new0(kasme_store, 1);
    st->chunks = g_ptr_array_new_with_free_func(g_free);
    st->blocks = g_array_new(FALSE, TRUE, sizeof(guint32));
    st->full_results = g_ptr_array_new();
    st->looked_up_first = -1;
    return st;
}

void kasme_store_free(kasme_store *st)
{
    if (!st)
        return;
    g_ptr_array_free(st->chunks, TRUE);
    g_array_free(st->blocks, TRUE);
    wipe_full_results(st);
    g_ptr_array_free(st->full_results, TRUE);
    g_free(st);
}

static kasme_record *record_at(const kasme_store *st, guint32 i)
{
    return &((kasme_record *)g_ptr_array_index(st->chunks, i / CHUNK_RECORDS))[i % CHUNK_RECORDS];
}

static kasme_record *new_record(kasme_store *st)
{
    if (st->n_records % CHUNK_RECORDS == 0)
        g_ptr_array_add(st->chunks, g_new0(kasme_record, CHUNK_RECORDS));
    return record_at(st, st->n_records++);
}

typedef struct {
    guint16 offset, length; /* length 0: not in the frame's data */
} pdu_place;

/* The frame's data, for locate_in_frame. */
typedef struct {
    const guint8 *data;
    guint len;
} frame_data_span;

/* Where the PDU's bytes are in the frame's data, so that a pass without a tree (which finds
 * no items) can still read them. */
static pdu_place locate_in_frame(frame_data_span frame, const kasme_pdu_bytes *pdu)
{
    pdu_place none = {0, 0};
    if (!frame.len || pdu->length <= 0 || pdu->length > 0xFFFF)
        return none;
    const guint8 *at = pdu->bytes;
    if (at < frame.data || at + pdu->length > frame.data + frame.len || at - frame.data > 0xFFFF)
        return none;
    return (pdu_place){(guint16)(at - frame.data), (guint16)pdu->length};
}

static bool place_fits(pdu_place place)
{
    return place.offset <= PLACE_MAX && place.length <= PLACE_MAX;
}

static bool pack(kasme_tracker *tr, const kasme_pdu_bytes *pdu, const kasme_frame_result *fr,
                 kasme_record *rec)
{
    if (fr->kind == KASME_ITEM_NAS)
        return kasme_nas_pack(tr, &fr->nas, pdu->bytes, (size_t)pdu->length, &rec->u.nas);
    if (fr->kind == KASME_ITEM_KENB)
        return kasme_kenb_pack(&fr->kenb, &rec->u.kenb);
    return false;
}

static guint32 keep_whole(kasme_store *st, const kasme_frame_result *fr, pdu_place place)
{
    kasme_full_result *full = wmem_new0(wmem_file_scope(), kasme_full_result);
    full->fr = *fr;
    full->offset = place.offset;
    full->length = place.length;
    size_t plain_len = plain_len_of(fr);
    full->fr.plain = fr->plain && plain_len
                         ? wmem_memdup(wmem_file_scope(), fr->plain, plain_len)
                         : NULL;
    g_ptr_array_add(st->full_results, full);
    return st->full_results->len - 1;
}

static void store_one(kasme_store *st, kasme_tracker *tr, frame_data_span frame_data,
                      guint32 frame, const kasme_frame_result *fr, const kasme_pdu_bytes *pdu,
                      uint32_t flags)
{
    kasme_record *rec = new_record(st);
    flags |= (fr->srb ? FLAG_SRB : 0) | (fr->opaque ? FLAG_OPAQUE : 0);
    pdu_place place = locate_in_frame(frame_data, pdu);
    uint32_t form = FORM_PACKED;
    /* A NAS PDU outside the frame's data (inside RRC kasme deciphered) is kept whole: a pass
     * without a tree could not find its bytes again for the Info column. */
    bool findable = place.length || fr->kind != KASME_ITEM_NAS;
    if (!findable || !place_fits(place) || !pack(tr, pdu, fr, rec)) {
        form = FORM_FULL;
        memset(&rec->u, 0, sizeof rec->u);
        rec->u.full = keep_whole(st, fr, place);
        place = (pdu_place){0, 0};
    }
    rec->meta = (uint32_t)(fr->kind & 3) | form << 2 | flags << 3 | (uint32_t)(fr->dir + 1) << 7 |
                (frame & (BLOCK_FRAMES - 1)) << 9 | (uint32_t)place.offset << 14 |
                (uint32_t)place.length << (14 + PLACE_BITS);
}

void kasme_store_frame(kasme_store *st, kasme_tracker *tr, tvbuff_t *frame_tvb, guint32 frame,
                       const kasme_frame_result *results, const kasme_pdu_bytes *pdus, guint n)
{
    if (!st || !n || frame <= st->last_frame || st->n_records > G_MAXUINT32 - n)
        return;
    guint32 block = frame >> BLOCK_LOG2;
    bool block_start = block >= st->blocks->len;
    if (block_start) {
        g_array_set_size(st->blocks, block + 1);
        g_array_index(st->blocks, guint32, block) = st->n_records + 1;
    }
    st->last_frame = frame;
    st->looked_up_frame = 0; /* it may have been looked up, before it had records */
    frame_data_span frame_data = {NULL, tvb_captured_length(frame_tvb)};
    if (frame_data.len)
        frame_data.data = tvb_get_ptr(frame_tvb, 0, (gint)frame_data.len);
    for (guint i = 0; i < n; i++)
        store_one(st, tr, frame_data, frame, &results[i], &pdus[i],
                  (uint32_t)((i + 1 == n ? FLAG_LAST : 0) |
                             (block_start && i == 0 ? FLAG_BLOCK : 0)));
}

/* The index of the frame's first record, or -1: a walk over its block's records, which are
 * in frame order, each frame's ending with FLAG_LAST. */
static gint64 walk_block(const kasme_store *st, guint32 frame)
{
    guint32 block = frame >> BLOCK_LOG2;
    if (frame > st->last_frame || block >= st->blocks->len ||
        !g_array_index(st->blocks, guint32, block))
        return -1;
    guint32 low = frame & (BLOCK_FRAMES - 1);
    guint32 start = g_array_index(st->blocks, guint32, block) - 1;
    bool frame_start = true;
    for (guint32 i = start; i < st->n_records; i++) {
        const kasme_record *rec = record_at(st, i);
        if (i != start && (REC_FLAGS(rec) & FLAG_BLOCK))
            return -1;
        if (frame_start && REC_FRAME_LOW(rec) == low)
            return i;
        if (frame_start && REC_FRAME_LOW(rec) > low)
            return -1;
        frame_start = (REC_FLAGS(rec) & FLAG_LAST) != 0;
    }
    return -1;
}

static gint64 first_record_of(kasme_store *st, guint32 frame)
{
    if (!frame || frame != st->looked_up_frame) {
        st->looked_up_first = walk_block(st, frame);
        st->looked_up_frame = frame;
    }
    return st->looked_up_first;
}

bool kasme_store_has(kasme_store *st, guint32 frame)
{
    return st && first_record_of(st, frame) >= 0;
}

/* The i-th record of the frame, or NULL. */
static const kasme_record *frame_record(kasme_store *st, guint32 frame, guint i)
{
    gint64 first = first_record_of(st, frame);
    if (first < 0)
        return NULL;
    for (guint k = 0; k < i; k++)
        if (REC_FLAGS(record_at(st, (guint32)first + k)) & FLAG_LAST)
            return NULL;
    return record_at(st, (guint32)first + i);
}

static bool rebuild(const kasme_store *st, kasme_tracker *tr, packet_info *pinfo,
                    const kasme_record *rec, const guint8 *pdu, guint len,
                    kasme_frame_result *fr)
{
    if (REC_FORM(rec) == FORM_FULL) {
        *fr = ((const kasme_full_result *)g_ptr_array_index(st->full_results, rec->u.full))->fr;
        return true;
    }
    memset(fr, 0, sizeof *fr);
    fr->kind = (kasme_item_kind)REC_KIND(rec);
    fr->dir = REC_DIR(rec);
    fr->srb = REC_FLAGS(rec) & FLAG_SRB;
    fr->opaque = REC_FLAGS(rec) & FLAG_OPAQUE;
    if (fr->kind == KASME_ITEM_KENB) {
        kasme_kenb_unpack(&rec->u.kenb, &fr->kenb);
        return true;
    }
    if (fr->kind != KASME_ITEM_NAS || !pdu)
        return false;
    fr->plain = kasme_wiped_alloc(pinfo->pool, len ? len : 1);
    kasme_nas_unpack(tr, &rec->u.nas, pdu, len, fr->plain, &fr->nas);
    if (!fr->nas.plain_len)
        fr->plain = NULL;
    return true;
}

bool kasme_store_get(kasme_store *st, kasme_tracker *tr, packet_info *pinfo, guint32 frame,
                     guint i, const kasme_item *item, kasme_frame_result *fr)
{
    const kasme_record *rec = st && tr ? frame_record(st, frame, i) : NULL;
    if (!rec || REC_KIND(rec) != item->kind)
        return false;
    const guint8 *pdu = tvb_get_ptr(item->tvb, item->offset, item->length);
    return rebuild(st, tr, pinfo, rec, pdu, (guint)item->length, fr);
}

static pdu_place place_of(const kasme_store *st, const kasme_record *rec)
{
    if (REC_FORM(rec) == FORM_PACKED)
        return (pdu_place){(guint16)REC_OFFSET(rec), (guint16)REC_LENGTH(rec)};
    const kasme_full_result *full = g_ptr_array_index(st->full_results, rec->u.full);
    return (pdu_place){full->offset, full->length};
}

void kasme_store_each(kasme_store *st, kasme_tracker *tr, tvbuff_t *frame_tvb,
                      packet_info *pinfo, guint32 frame, kasme_store_fn fn, void *user)
{
    gint64 first = st && tr ? first_record_of(st, frame) : -1;
    if (first < 0)
        return;
    for (guint32 i = (guint32)first;; i++) {
        const kasme_record *rec = record_at(st, i);
        pdu_place place = place_of(st, rec);
        const guint8 *pdu = NULL;
        if (place.length && tvb_bytes_exist(frame_tvb, (gint)place.offset, (gint)place.length))
            pdu = tvb_get_ptr(frame_tvb, (gint)place.offset, (gint)place.length);
        kasme_frame_result fr;
        if (rebuild(st, tr, pinfo, rec, pdu, place.length, &fr))
            fn(&fr, pdu ? (gint)place.offset : 0, pdu ? (gint)place.length : 0, user);
        kasme_secure_zero(&fr, sizeof fr); /* the keys a rebuilt result derived again */
        if (REC_FLAGS(rec) & FLAG_LAST)
            return;
    }
}
