/* Per-frame results between passes. The first pass stores a record per result, in the order
 * it made them; a later pass (the GUI's clicks, tshark -2) rebuilds the results from them.
 * NAS and K_eNB results are packed (tracker_pack.c): 20 octets a record, the keys and the
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
enum { FLAG_LAST = 1, FLAG_SRB = 2, FLAG_OPAQUE = 4, FLAG_IN_FRAME = 8, FLAG_BLOCK = 16 };
#define BLOCK_LOG2 5
#define BLOCK_FRAMES (1u << BLOCK_LOG2)

/* The record's own bytes (kind, form and flags; direction; the frame's place in its block)
 * are the three octets that kasme_nas_packed leaves to its caller; a K_eNB result (13 octets,
 * written before them) or a whole result's index is shorter and leaves them alone too. */
typedef struct {
    union {
        kasme_nas_packed nas;
        kasme_kenb_packed kenb;
        uint32_t full; /* index into full_results */
    } u;
    uint16_t offset; /* the PDU's bytes in the frame's own data (FLAG_IN_FRAME) */
    uint16_t length;
} kasme_record;

G_STATIC_ASSERT(G_STRUCT_OFFSET(kasme_kenb_packed, why) < G_STRUCT_OFFSET(kasme_nas_packed, caller));
G_STATIC_ASSERT(sizeof(kasme_record) == 20);
#define REC_KIND(r) ((r)->u.nas.caller[0] & 3)
#define REC_FORM(r) (((r)->u.nas.caller[0] >> 2) & 1)
#define REC_FLAGS(r) ((r)->u.nas.caller[0] >> 3)
#define REC_DIR(r) ((int8_t)(r)->u.nas.caller[1])
#define REC_FRAME_LOW(r) ((r)->u.nas.caller[2])

#define CHUNK_RECORDS 4096u

static GPtrArray *chunks;       /* kasme_record[CHUNK_RECORDS] each */
static guint32 n_records;
/* guint32 per block of frames: its first record + 1, 0 = none */
static GArray *blocks;
static guint32 last_frame;      /* the last frame stored; frames are stored in order */
/* The last frame looked up and its first record (-1: none): a later pass asks for one frame's
 * records several times (has, then each item), and each answer would walk its block again. */
static guint32 looked_up_frame;
static gint64 looked_up_first = -1;
static GPtrArray *full_results; /* kasme_frame_result*, wmem_file_scope */

static size_t plain_len_of(const kasme_frame_result *fr)
{
    return fr->kind == KASME_ITEM_NAS    ? fr->nas.plain_len
           : fr->kind == KASME_ITEM_PDCP ? fr->pdcp.plain_len
                                         : 0;
}

/* Results kept whole hold keys and plaintext: wiped before wmem_file_scope goes (the reset
 * runs from kasme's cleanup routine, before Wireshark leaves the file scope). */
static void wipe_full_results(void)
{
    for (guint i = 0; full_results && i < full_results->len; i++) {
        kasme_frame_result *fr = g_ptr_array_index(full_results, i);
        if (fr->plain)
            kasme_secure_zero(fr->plain, plain_len_of(fr));
        kasme_secure_zero(fr, sizeof *fr);
    }
}

void kasme_store_reset(void)
{
    if (chunks)
        g_ptr_array_free(chunks, TRUE);
    if (blocks)
        g_array_free(blocks, TRUE);
    wipe_full_results();
    if (full_results)
        g_ptr_array_free(full_results, TRUE);
    chunks = g_ptr_array_new_with_free_func(g_free);
    blocks = g_array_new(FALSE, TRUE, sizeof(guint32));
    full_results = g_ptr_array_new();
    n_records = 0;
    last_frame = 0;
    looked_up_frame = 0;
    looked_up_first = -1;
}

static kasme_record *record_at(guint32 i)
{
    return &((kasme_record *)g_ptr_array_index(chunks, i / CHUNK_RECORDS))[i % CHUNK_RECORDS];
}

static kasme_record *new_record(void)
{
    if (n_records % CHUNK_RECORDS == 0)
        g_ptr_array_add(chunks, g_new0(kasme_record, CHUNK_RECORDS));
    return record_at(n_records++);
}

/* Where the item's bytes are in the frame's data, so that a pass without a tree (which finds
 * no items) can still read them. */
static bool locate_in_frame(tvbuff_t *frame_tvb, const kasme_item *item, kasme_record *rec)
{
    guint frame_len = tvb_captured_length(frame_tvb);
    if (!frame_len || item->length <= 0 || item->length > 0xFFFF)
        return false;
    const guint8 *frame = tvb_get_ptr(frame_tvb, 0, frame_len);
    const guint8 *pdu = tvb_get_ptr(item->tvb, item->offset, item->length);
    if (pdu < frame || pdu + item->length > frame + frame_len || pdu - frame > 0xFFFF)
        return false;
    rec->offset = (uint16_t)(pdu - frame);
    rec->length = (uint16_t)item->length;
    return true;
}

static bool pack(const kasme_item *item, const kasme_frame_result *fr, kasme_record *rec)
{
    const guint8 *pdu = tvb_get_ptr(item->tvb, item->offset, item->length);
    if (fr->kind == KASME_ITEM_NAS)
        return kasme_nas_pack(kasme_keys_tracker(), &fr->nas, pdu, (size_t)item->length,
                              &rec->u.nas);
    if (fr->kind == KASME_ITEM_KENB)
        return kasme_kenb_pack(&fr->kenb, &rec->u.kenb);
    return false;
}

static guint32 keep_whole(const kasme_frame_result *fr)
{
    kasme_frame_result *copy = wmem_memdup(wmem_file_scope(), fr, sizeof *fr);
    size_t plain_len = plain_len_of(fr);
    copy->plain = fr->plain && plain_len ? wmem_memdup(wmem_file_scope(), fr->plain, plain_len)
                                         : NULL;
    g_ptr_array_add(full_results, copy);
    return full_results->len - 1;
}

void kasme_store_frame(tvbuff_t *frame_tvb, guint32 frame, const kasme_frame_result *results,
                       const kasme_item *items, guint n)
{
    if (!chunks || !n || frame <= last_frame || n_records > G_MAXUINT32 - n)
        return;
    guint32 block = frame >> BLOCK_LOG2;
    bool block_start = block >= blocks->len;
    if (block_start) {
        g_array_set_size(blocks, block + 1);
        g_array_index(blocks, guint32, block) = n_records + 1;
    }
    last_frame = frame;
    looked_up_frame = 0; /* it may have been looked up, before it had records */
    for (guint i = 0; i < n; i++) {
        kasme_record *rec = new_record();
        const kasme_frame_result *fr = &results[i];
        uint8_t flags = (uint8_t)((i + 1 == n ? FLAG_LAST : 0) | (fr->srb ? FLAG_SRB : 0) |
                                  (fr->opaque ? FLAG_OPAQUE : 0) |
                                  (block_start && i == 0 ? FLAG_BLOCK : 0));
        if (locate_in_frame(frame_tvb, &items[i], rec))
            flags |= FLAG_IN_FRAME;
        uint8_t form = FORM_PACKED;
        /* A NAS PDU outside the frame's data (inside RRC kasme deciphered) is kept whole:
         * a pass without a tree could not find its bytes again for the Info column. */
        bool findable = (flags & FLAG_IN_FRAME) || fr->kind != KASME_ITEM_NAS;
        if (!findable || !pack(&items[i], fr, rec)) {
            form = FORM_FULL;
            memset(&rec->u, 0, sizeof rec->u);
            rec->u.full = keep_whole(fr);
        }
        rec->u.nas.caller[0] = (uint8_t)((fr->kind & 3) | form << 2 | flags << 3);
        rec->u.nas.caller[1] = (uint8_t)fr->dir;
        rec->u.nas.caller[2] = (uint8_t)(frame & (BLOCK_FRAMES - 1));
    }
}

/* The index of the frame's first record, or -1: a walk over its block's records, which are
 * in frame order, each frame's ending with FLAG_LAST. */
static gint64 walk_block(guint32 frame)
{
    guint32 block = frame >> BLOCK_LOG2;
    if (!blocks || frame > last_frame || block >= blocks->len ||
        !g_array_index(blocks, guint32, block))
        return -1;
    guint8 low = (guint8)(frame & (BLOCK_FRAMES - 1));
    guint32 start = g_array_index(blocks, guint32, block) - 1;
    bool frame_start = true;
    for (guint32 i = start; i < n_records; i++) {
        const kasme_record *rec = record_at(i);
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

static gint64 first_record_of(guint32 frame)
{
    if (!frame || frame != looked_up_frame) {
        looked_up_first = walk_block(frame);
        looked_up_frame = frame;
    }
    return looked_up_first;
}

bool kasme_store_has(guint32 frame)
{
    return first_record_of(frame) >= 0;
}

/* The i-th record of the frame, or NULL. */
static const kasme_record *frame_record(guint32 frame, guint i)
{
    gint64 first = first_record_of(frame);
    if (first < 0)
        return NULL;
    for (guint k = 0; k < i; k++)
        if (REC_FLAGS(record_at((guint32)first + k)) & FLAG_LAST)
            return NULL;
    return record_at((guint32)first + i);
}

static bool rebuild(packet_info *pinfo, const kasme_record *rec, const guint8 *pdu, guint len,
                    kasme_frame_result *fr)
{
    if (REC_FORM(rec) == FORM_FULL) {
        *fr = *(const kasme_frame_result *)g_ptr_array_index(full_results, rec->u.full);
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
    kasme_nas_unpack(kasme_keys_tracker(), &rec->u.nas, pdu, len, fr->plain, &fr->nas);
    if (!fr->nas.plain_len)
        fr->plain = NULL;
    return true;
}

bool kasme_store_get(packet_info *pinfo, guint32 frame, guint i, const kasme_item *item,
                     kasme_frame_result *fr)
{
    const kasme_record *rec = frame_record(frame, i);
    if (!rec || REC_KIND(rec) != item->kind || !kasme_keys_tracker())
        return false;
    const guint8 *pdu = tvb_get_ptr(item->tvb, item->offset, item->length);
    return rebuild(pinfo, rec, pdu, (guint)item->length, fr);
}

void kasme_store_each(tvbuff_t *frame_tvb, packet_info *pinfo, guint32 frame,
                      kasme_store_fn fn, void *user)
{
    gint64 first = first_record_of(frame);
    if (first < 0 || !kasme_keys_tracker())
        return;
    for (guint32 i = (guint32)first;; i++) {
        const kasme_record *rec = record_at(i);
        const guint8 *pdu = NULL;
        if ((REC_FLAGS(rec) & FLAG_IN_FRAME) && rec->length &&
            tvb_bytes_exist(frame_tvb, (gint)rec->offset, (gint)rec->length))
            pdu = tvb_get_ptr(frame_tvb, (gint)rec->offset, (gint)rec->length);
        kasme_frame_result fr;
        if (rebuild(pinfo, rec, pdu, rec->length, &fr))
            fn(&fr, pdu ? (gint)rec->offset : 0, pdu ? (gint)rec->length : 0, user);
        kasme_secure_zero(&fr, sizeof fr); /* the keys a rebuilt result derived again */
        if (REC_FLAGS(rec) & FLAG_LAST)
            return;
    }
}
