/* The kasme post-dissector: runs after every other dissector of a frame, feeds the NAS PDUs
 * and S1AP SecurityKeys it finds to the tracker on the first pass, stores the results per
 * frame and shows them on every pass (doc/README.dissector, "postdissectors"). */
#include "kasme_ws.h"

#include <epan/prefs.h>
#include <epan/proto_data.h>

#include "gcrypt_init.h"

#define KASME_MAX_ITEMS 32

int proto_kasme = -1;
static dissector_handle_t kasme_handle;

typedef struct {
    guint n;
    kasme_frame_result results[];
} kasme_frame_data;

static void run_tracker(const kasme_item *item, kasme_frame_result *fr)
{
    kasme_tracker *tr = kasme_keys_tracker();
    fr->kind = item->kind;
    if (item->kind == KASME_ITEM_KENB) {
        uint8_t kenb[32];
        tvb_memcpy(item->tvb, kenb, item->offset, 32);
        kasme_tracker_s1ap_kenb(tr, &item->meta, kenb, &fr->kenb);
        return;
    }
    const guint8 *pdu = tvb_get_ptr(item->tvb, item->offset, item->length);
    fr->plain = wmem_alloc0(wmem_file_scope(), (size_t)item->length);
    kasme_tracker_nas(tr, &item->meta, pdu, (size_t)item->length, fr->plain, &fr->nas);
    if (!fr->nas.plain_len) {
        wmem_free(wmem_file_scope(), fr->plain);
        fr->plain = NULL;
    }
}

static kasme_frame_data *first_pass(const kasme_item *items, guint n)
{
    kasme_frame_data *fd = wmem_alloc0(wmem_file_scope(),
                                       sizeof *fd + n * sizeof(kasme_frame_result));
    fd->n = n;
    for (guint i = 0; i < n; i++) {
        run_tracker(&items[i], &fd->results[i]);
        if (items[i].release) {
            kasme_tracker_conn_release(kasme_keys_tracker(), items[i].meta.conn);
            kasme_tracker_conn_release(kasme_keys_tracker(), items[i].meta.conn_alt);
        }
    }
    return fd;
}

static int dissect_kasme(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    if (!kasme_keys_loaded() || !tree)
        return 0;
    kasme_item items[KASME_MAX_ITEMS];
    guint n = kasme_carrier_items(tree, pinfo, items, KASME_MAX_ITEMS);
    kasme_frame_data *fd = p_get_proto_data(wmem_file_scope(), pinfo, proto_kasme, 0);
    if (!fd && !PINFO_FD_VISITED(pinfo) && kasme_keys_tracker()) {
        fd = first_pass(items, n);
        p_add_proto_data(wmem_file_scope(), pinfo, proto_kasme, 0, fd);
    }
    if (!fd)
        return 0;
    /* Results were stored in frame order on the first pass; the items come back in the same
     * order on every later pass because the same dissectors run on the same bytes. */
    for (guint i = 0; i < n && i < fd->n; i++)
        kasme_display_result(tvb, pinfo, tree, &items[i], &fd->results[i]);
    return tvb_captured_length(tvb);
}

void kasme_reload(void)
{
    kasme_keys_apply();
    if (kasme_keys_loaded()) {
        kasme_carrier_lookup_hfids();
        set_postdissector_wanted_hfids(kasme_handle, kasme_carrier_wanted_hfids());
    } else {
        set_postdissector_wanted_hfids(kasme_handle, NULL);
    }
}

void proto_register_kasme(void)
{
    proto_kasme = proto_register_protocol("LTE NAS/RRC security (kasme)", "kasme", "kasme");
    kasme_handle = register_dissector("kasme", dissect_kasme, proto_kasme);
    kasme_display_register(proto_kasme);
    module_t *module = prefs_register_protocol(proto_kasme, kasme_reload);
    kasme_keys_register(module);
    register_init_routine(kasme_keys_init);
    register_cleanup_routine(kasme_keys_cleanup);
}

void proto_reg_handoff_kasme(void)
{
    kasme_gcrypt_init();
    register_postdissector(kasme_handle);
    kasme_reload();
}
