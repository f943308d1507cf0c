/* The kasme post-dissector: runs after every other dissector of a frame, feeds the NAS PDUs,
 * S1AP SecurityKeys and PDCP PDUs it finds to the tracker on the first pass, stores the results
 * per frame and shows them on every pass (doc/README.dissector, "postdissectors"). NAS found
 * inside RRC that kasme deciphered is handled right after its RRC message. */
#include "kasme_ws.h"

#include <epan/prefs.h>
#include <epan/column-utils.h>

#include "gcrypt_init.h"
#include "hexutil.h"
#include "ws_compat.h"

#define KASME_MAX_ITEMS 32
#define KASME_MAX_RESULTS 64

int proto_kasme = -1;
static dissector_handle_t kasme_handle;

/* One frame's walk over its items: on the first pass results are computed into `fresh` (and
 * stored afterwards); on later passes they are rebuilt from the store in the same order. */
typedef struct {
    const kasme_session *session;
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
    bool first;
    kasme_frame_result fresh[KASME_MAX_RESULTS];
    kasme_pdu_bytes fresh_pdus[KASME_MAX_RESULTS]; /* what the store needs of each item */
    /* each fresh result's plaintext buffer (pinfo->pool), wiped with the walk: one wmem
     * callback a frame instead of one a PDU */
    uint8_t *fresh_plain[KASME_MAX_RESULTS];
    size_t fresh_plain_size[KASME_MAX_RESULTS];
    kasme_frame_result rebuilt;
    guint next;
    bool show; /* results are computed and stored, but shown only once kasme has keys */
} frame_walk;

typedef struct {
    void *p;
    size_t len;
} wipe_span;

/* wmem calls a pool's callbacks before it frees the pool's memory. */
static kasme_wmem_cb_ret wipe_span_on_free(wmem_allocator_t *pool, wmem_cb_event_t event,
                                           void *user)
{
    (void)pool;
    (void)event;
    wipe_span *span = user;
    kasme_secure_zero(span->p, span->len);
    return FALSE; /* once: the pool's memory goes, and the callback with it */
}

void *kasme_wiped_alloc(wmem_allocator_t *pool, size_t size)
{
    wipe_span *span = wmem_new(pool, wipe_span);
    span->p = wmem_alloc0(pool, size);
    span->len = size;
    wmem_register_callback(pool, wipe_span_on_free, span);
    return span->p;
}

/* A frame's results hold the keys that arose at its PDUs: the ones used are wiped. */
static kasme_wmem_cb_ret wipe_walk_on_free(wmem_allocator_t *pool, wmem_cb_event_t event,
                                           void *user)
{
    (void)pool;
    (void)event;
    frame_walk *w = user;
    guint used = w->next < KASME_MAX_RESULTS ? w->next : KASME_MAX_RESULTS;
    if (w->first)
        for (guint i = 0; i < used; i++)
            kasme_secure_zero(w->fresh_plain[i], w->fresh_plain_size[i]);
    kasme_secure_zero(w->fresh, used * sizeof w->fresh[0]);
    kasme_secure_zero(&w->rebuilt, sizeof w->rebuilt);
    return FALSE;
}

/* The i-th fresh result's plaintext buffer, zeroed, wiped by wipe_walk_on_free. */
static uint8_t *fresh_plain_buffer(frame_walk *w, guint i, size_t size)
{
    w->fresh_plain[i] = wmem_alloc0(w->pinfo->pool, size);
    w->fresh_plain_size[i] = size;
    return w->fresh_plain[i];
}

static void compute(frame_walk *w, guint i, const kasme_item *item, kasme_frame_result *fr)
{
    kasme_tracker *tr = w->session->tracker;
    w->fresh_plain[i] = NULL;
    w->fresh_plain_size[i] = 0;
    fr->kind = item->kind;
    fr->dir = (int8_t)(item->kind == KASME_ITEM_PDCP ? item->pdcp.dir : item->meta.dir);
    fr->srb = item->kind == KASME_ITEM_PDCP && item->pdcp.srb;
    fr->opaque = item->kind == KASME_ITEM_PDCP && item->pdcp.payload_opaque;
    fr->rb_id = item->kind == KASME_ITEM_PDCP ? (uint8_t)item->pdcp.rb_id : 0;
    const guint8 *bytes = tvb_get_ptr(item->tvb, item->offset, item->length);
    w->fresh_pdus[i] = (kasme_pdu_bytes){bytes, item->length};
    if (item->kind == KASME_ITEM_KENB && item->nh) {
        kasme_tracker_nh(tr, item->domain, &item->meta, &item->nh_sc, &fr->kenb);
        return;
    }
    if (item->kind == KASME_ITEM_KENB) {
        kasme_tracker_an_key(tr, item->domain, &item->meta, bytes, &fr->kenb);
        return;
    }
    fr->plain = fresh_plain_buffer(w, i, (size_t)item->length);
    if (item->kind == KASME_ITEM_NAS)
        kasme_tracker_nas(tr, &item->meta, bytes, (size_t)item->length, fr->plain, &fr->nas);
    else
        kasme_tracker_pdcp(tr, &item->pdcp, bytes, (size_t)item->length, fr->plain, &fr->pdcp);
    if ((item->kind == KASME_ITEM_NAS ? fr->nas.plain_len : fr->pdcp.plain_len) == 0)
        fr->plain = NULL;
    if (item->release) {
        kasme_tracker_conn_release(tr, item->meta.conn);
        kasme_tracker_conn_release(tr, item->meta.conn_alt);
    }
}

static const kasme_frame_result *next_result(frame_walk *w, const kasme_item *item)
{
    guint i = w->next++;
    if (!w->first)
        return kasme_store_get(w->session->store, w->session->tracker, w->pinfo, w->pinfo->num,
                               i, item, &w->rebuilt)
                   ? &w->rebuilt
                   : NULL;
    if (i >= KASME_MAX_RESULTS)
        return NULL;
    memset(&w->fresh[i], 0, sizeof w->fresh[i]);
    compute(w, i, item, &w->fresh[i]);
    return &w->fresh[i];
}

/* What every pass does with a result: taps, export, and the tree; the deciphered RRC
 * message's tvb when there is one. */
static tvbuff_t *show_result(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                             const kasme_item *item, const kasme_frame_result *fr)
{
    kasme_tap_queue(pinfo, item, fr);
    kasme_export_queue(pinfo, item, fr);
    return kasme_display_result(tvb, pinfo, tree, item, fr);
}

static void walk_item(frame_walk *w, const kasme_item *item, int depth)
{
    const kasme_frame_result *fr = next_result(w, item);
    if (!fr || fr->kind != item->kind)
        return;
    /* NAS that dissecting a deciphered RRC message adds is handled after it */
    guint nas_before = item->kind == KASME_ITEM_PDCP ? kasme_carrier_nas_count(w->tree) : 0;
    tvbuff_t *rrc = w->show ? show_result(w->tvb, w->pinfo, w->tree, item, fr) : NULL;
    if (!rrc || depth > 0)
        return;
    kasme_handover ho;
    if (w->first && item->pdcp.dir == KASME_DIR_DL && kasme_carrier_handover(w->tree, item, &ho))
        kasme_tracker_rrc_handover(w->session->tracker, ho.conn, ho.new_conn, ho.pci,
                                   ho.earfcn_dl, ho.ncc < 0 ? 0 : ho.ncc);
    kasme_item nested[KASME_MAX_ITEMS];
    guint n = kasme_carrier_new_nas(w->tree, nas_before, item, nested, KASME_MAX_ITEMS);
    for (guint i = 0; i < n; i++)
        walk_item(w, &nested[i], depth + 1);
}

typedef struct {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
} replay_ctx;

/* Passes without a tree (the GUI's packet list) still show the plaintext message names. */
static void restore_columns(const kasme_frame_result *fr, gint offset, gint length, void *user)
{
    (void)offset;
    (void)length;
    replay_ctx *rc = user;
    kasme_display_columns(rc->tvb, rc->pinfo, fr);
}

static void restore_info(const kasme_session *s, tvbuff_t *tvb, packet_info *pinfo)
{
    replay_ctx rc = {tvb, pinfo, NULL};
    if (pinfo->cinfo)
        kasme_store_each(s->store, s->tracker, tvb, pinfo, pinfo->num, restore_columns, &rc);
}

static void rrc_events(kasme_tracker *tr, proto_tree *tree)
{
    kasme_rrc_events ev;
    kasme_carrier_rrc_events(tree, &ev);
    if (!ev.conn)
        return;
    if (ev.setup)
        kasme_tracker_rrc_setup(tr, ev.conn);
    if (ev.has_m_tmsi)
        kasme_tracker_bind_tmsi(tr, ev.conn, ev.m_tmsi);
    if (ev.reest_request)
        kasme_tracker_rrc_reest_request(tr, ev.conn, ev.old_conn, ev.pci);
    if (ev.reest)
        kasme_tracker_rrc_reest(tr, ev.conn, ev.ncc);
}

/* A later pass whose tree lacks the fields the carrier code reads (tshark -2's second pass
 * from Wireshark 4.4 on, with -T fields or a filter): the results are shown from the store,
 * at the PDUs' places in the frame. NAS found inside deciphered RRC is not in the frame's
 * data and is left out. */
static void replay_result(const kasme_frame_result *fr, gint offset, gint length, void *user)
{
    replay_ctx *rc = user;
    if (!length)
        return;
    kasme_item item;
    memset(&item, 0, sizeof item);
    item.kind = fr->kind;
    item.tvb = rc->tvb;
    item.offset = offset;
    item.length = length;
    item.meta.frame = rc->pinfo->num;
    item.meta.dir = fr->dir;
    item.pdcp.dir = fr->dir;
    item.pdcp.srb = fr->srb;
    item.pdcp.payload_opaque = fr->opaque;
    item.pdcp.rb_id = fr->rb_id;
    show_result(rc->tvb, rc->pinfo, rc->tree, &item, fr);
}

static int dissect_kasme(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    const kasme_session *s = kasme_session_get();
    if (!s->tracker)
        return 0;
    if (!tree) {
        if (kasme_session_active(s))
            restore_info(s, tvb, pinfo);
        return 0;
    }
    bool stored = kasme_store_has(s->store, pinfo->num);
    bool first = !PINFO_FD_VISITED(pinfo) && !stored;
    if (!first && (!stored || !kasme_session_active(s)))
        return 0;
    if (first && kasme_keys_from_capture() && kasme_carrier_has_capture_keys(tree))
        kasme_carrier_learn_keys(tree, pinfo, s->tracker);
    if (first)
        rrc_events(s->tracker, tree);

    if (!first && !kasme_carrier_fields_available(tree)) {
        replay_ctx rc = {tvb, pinfo, tree};
        kasme_store_each(s->store, s->tracker, tvb, pinfo, pinfo->num, replay_result, &rc);
        kasme_display_sync_column_fields(tree, pinfo);
        return tvb_captured_length(tvb);
    }
    kasme_item items[KASME_MAX_ITEMS];
    guint n = kasme_carrier_items(tree, pinfo, items, KASME_MAX_ITEMS);
    if (!n) /* nothing to compute, store or show: no walk and no wiping to register */
        return tvb_captured_length(tvb);
    frame_walk *w = wmem_new(pinfo->pool, frame_walk);
    w->session = s;
    w->tvb = tvb;
    w->pinfo = pinfo;
    w->tree = tree;
    w->first = first;
    w->show = kasme_session_active(s);
    w->next = 0;
    wmem_register_callback(pinfo->pool, wipe_walk_on_free, w);
    for (guint i = 0; i < n; i++)
        walk_item(w, &items[i], 0);
    if (first)
        kasme_store_frame(s->store, s->tracker, tvb, pinfo->num, w->fresh, w->fresh_pdus,
                          w->next < KASME_MAX_RESULTS ? w->next : KASME_MAX_RESULTS);
    kasme_display_sync_column_fields(tree, pinfo);
    return tvb_captured_length(tvb);
}

void kasme_reload(void)
{
    kasme_keys_apply();
    if (kasme_keys_loaded() || kasme_keys_from_capture()) {
        kasme_carrier_lookup_hfids();
        set_postdissector_wanted_hfids(kasme_handle, kasme_carrier_wanted_hfids());
    } else {
        set_postdissector_wanted_hfids(kasme_handle, NULL);
    }
}

void proto_register_kasme(void)
{
    proto_kasme = proto_register_protocol("NAS/RRC security (kasme)", "kasme", "kasme");
    kasme_handle = register_dissector("kasme", dissect_kasme, proto_kasme);
    kasme_display_register(proto_kasme);
    module_t *module = prefs_register_protocol(proto_kasme, kasme_reload);
    kasme_keys_register(module);
    kasme_display_register_prefs(module);
    kasme_tap_register();
    kasme_export_register();
    kasme_stat_register();
    register_init_routine(kasme_keys_init);
    register_cleanup_routine(kasme_keys_cleanup);
}

void proto_reg_handoff_kasme(void)
{
    kasme_gcrypt_init();
    register_postdissector(kasme_handle);
    kasme_reload();
}
