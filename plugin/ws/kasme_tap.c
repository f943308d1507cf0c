/* The "kasme" tap and `tshark -z kasme,stat`: per UE, how its keys were learned and what
 * became of its protected PDUs. */
#include "kasme_ws.h"

#include <stdio.h>

#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include "ws_compat.h"

static int kasme_tap = -1;

typedef struct {
    guint32 ue_id;
    char subscriber[24];
    char keys_from[80];
    guint nas, rrc, up;            /* PDUs deciphered (or integrity-only, verified) */
    guint mac_ok, mac_failed, not_checked;
    guint kenb_confirmed, kenb_mismatch;
} ue_row;

typedef struct {
    GHashTable *rows; /* ue_id -> ue_row* */
    ue_row no_ue;     /* protected PDUs kasme could not tie to a UE */
} kasme_stat;

void kasme_tap_register(void)
{
    kasme_tap = register_tap("kasme");
}

void kasme_tap_queue(packet_info *pinfo, const kasme_item *item, const kasme_frame_result *fr)
{
    if (kasme_tap < 0 || !have_tap_listener(kasme_tap))
        return;
    kasme_tap_record *rec = wmem_new0(pinfo->pool, kasme_tap_record);
    rec->fr = fr;
    rec->srb = item->kind == KASME_ITEM_PDCP && item->pdcp.srb;
    tap_queue_packet(kasme_tap, pinfo, rec);
}

static ue_row *row_for(kasme_stat *st, guint32 ue_id)
{
    if (!ue_id)
        return &st->no_ue;
    ue_row *row = g_hash_table_lookup(st->rows, GUINT_TO_POINTER(ue_id));
    if (!row) {
        row = g_new0(ue_row, 1);
        row->ue_id = ue_id;
        g_hash_table_insert(st->rows, GUINT_TO_POINTER(ue_id), row);
    }
    return row;
}

static void count_mac(ue_row *row, int mac_status, kasme_pdu_status status)
{
    if (mac_status == KASME_MAC_GOOD)
        row->mac_ok++;
    else if (mac_status == KASME_MAC_BAD)
        row->mac_failed++;
    else if (status != KASME_PDU_PLAIN)
        row->not_checked++;
}

static void note_keys_from(ue_row *row, const char *text)
{
    if (!row->keys_from[0] && text)
        g_strlcpy(row->keys_from, text, sizeof row->keys_from);
}

static void tally_nas(kasme_stat *st, const kasme_nas_result *r)
{
    if (r->sec_hdr == 0)
        return;
    ue_row *row = row_for(st, r->ue_id);
    if (r->imsi[0])
        g_strlcpy(row->subscriber, r->imsi, sizeof row->subscriber);
    if (r->has_ctx && !row->keys_from[0]) {
        char who[64] = "";
        if (r->ctx.sub)
            kasme_subscriber_describe(r->ctx.sub, who, sizeof who);
        g_snprintf(row->keys_from, sizeof row->keys_from, "%s%s %s",
                   r->ctx.from_keyfile_kasme ? "K_ASME" : "AKA",
                   r->ctx.algs_searched ? " (MAC search)" : "", who);
    }
    if (r->status == KASME_PDU_DECIPHERED)
        row->nas++;
    count_mac(row, r->mac_status, r->status);
}

static void tally_pdcp(kasme_stat *st, const kasme_pdcp_result *r, bool srb)
{
    if (r->status == KASME_PDU_PLAIN)
        return;
    ue_row *row = row_for(st, r->ue_id);
    if (r->imsi[0])
        g_strlcpy(row->subscriber, r->imsi, sizeof row->subscriber);
    if (r->status == KASME_PDU_DECIPHERED)
        srb ? row->rrc++ : row->up++;
    if (srb)
        count_mac(row, r->mac_status, r->status);
    if (r->kenb_source && !r->kenb_from_nas && !row->keys_from[0])
        note_keys_from(row, r->kenb_source);
}

static tap_packet_status kasme_stat_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                           const void *data, tap_flags_t flags)
{
    (void)pinfo;
    (void)edt;
    (void)flags;
    kasme_stat *st = tapdata;
    const kasme_tap_record *rec = data;
    const kasme_frame_result *fr = rec->fr;
    if (fr->kind == KASME_ITEM_NAS) {
        tally_nas(st, &fr->nas);
    } else if (fr->kind == KASME_ITEM_PDCP) {
        tally_pdcp(st, &fr->pdcp, rec->srb);
    } else {
        ue_row *row = row_for(st, fr->kenb.ue_id);
        row->kenb_confirmed += !fr->kenb.nh && fr->kenb.verdict == KASME_KENB_CONFIRMED;
        row->kenb_mismatch += !fr->kenb.nh && fr->kenb.verdict == KASME_KENB_MISMATCH;
    }
    return TAP_PACKET_REDRAW;
}

static void kasme_stat_reset(void *tapdata)
{
    kasme_stat *st = tapdata;
    g_hash_table_remove_all(st->rows);
    memset(&st->no_ue, 0, sizeof st->no_ue);
}

/* The "Keys from" column is as wide as its longest entry, so that a long key source (a MAC
 * search's, a key file's path) does not push its row's counts out of their columns. */
static int keys_from_width(const GPtrArray *rows)
{
    int width = 32;
    for (guint i = 0; i < rows->len; i++) {
        const ue_row *r = g_ptr_array_index(rows, i);
        width = MAX(width, (int)strlen(r->keys_from));
    }
    return width;
}

static void print_row(const ue_row *r, const char *ue, const char *subscriber, int width)
{
    printf("%-5s %-16s %-*s %6u %6u %6u %8u %8u %9u %6u/%u\n", ue, subscriber, width,
           r->keys_from[0] ? r->keys_from : "-", r->nas, r->rrc, r->up, r->mac_ok, r->mac_failed,
           r->not_checked, r->kenb_confirmed, r->kenb_mismatch);
}

static void add_to(ue_row *total, const ue_row *r)
{
    total->nas += r->nas;
    total->rrc += r->rrc;
    total->up += r->up;
    total->mac_ok += r->mac_ok;
    total->mac_failed += r->mac_failed;
    total->not_checked += r->not_checked;
    total->kenb_confirmed += r->kenb_confirmed;
    total->kenb_mismatch += r->kenb_mismatch;
}

static gint by_ue_id(gconstpointer a, gconstpointer b)
{
    const ue_row *x = *(const ue_row *const *)a, *y = *(const ue_row *const *)b;
    return x->ue_id < y->ue_id ? -1 : x->ue_id > y->ue_id;
}

static void kasme_stat_draw(void *tapdata)
{
    kasme_stat *st = tapdata;
    GPtrArray *rows = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, st->rows);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(rows, value);
    g_ptr_array_sort(rows, by_ue_id);
    ue_row total = {0};
    printf("\n==================================================================================================\n");
    printf("kasme: NAS/RRC security per UE, LTE and 5G (PDUs deciphered; MACs of NAS and RRC)\n");
    int width = keys_from_width(rows);
    printf("%-5s %-16s %-*s %6s %6s %6s %8s %8s %9s %s\n", "UE", "Subscriber", width, "Keys from", "NAS",
           "RRC", "UP", "MAC ok", "MAC bad", "unchecked", "K_eNB/gNB ok/bad");
    for (guint i = 0; i < rows->len; i++) {
        const ue_row *r = g_ptr_array_index(rows, i);
        char ue[16];
        g_snprintf(ue, sizeof ue, "%u", r->ue_id);
        print_row(r, ue, r->subscriber[0] ? r->subscriber : "(unknown)", width);
        add_to(&total, r);
    }
    if (st->no_ue.nas || st->no_ue.not_checked || st->no_ue.mac_failed) {
        print_row(&st->no_ue, "-", "(no UE found)", width);
        add_to(&total, &st->no_ue);
    }
    print_row(&total, "Total", "", width);
    printf("==================================================================================================\n");
    g_ptr_array_free(rows, TRUE);
}

static void kasme_stat_finish(void *tapdata)
{
    kasme_stat *st = tapdata;
    g_hash_table_destroy(st->rows);
    g_free(st);
}

static KASME_STAT_INIT_TYPE kasme_stat_init(const char *opt_arg, void *userdata)
{
    (void)userdata;
    const char *filter = NULL;
    if (opt_arg && g_str_has_prefix(opt_arg, "kasme,stat,"))
        filter = opt_arg + strlen("kasme,stat,");
    kasme_stat *st = g_new0(kasme_stat, 1);
    st->rows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    GString *err = register_tap_listener("kasme", st, filter, TL_REQUIRES_NOTHING,
                                         kasme_stat_reset, kasme_stat_packet, kasme_stat_draw,
                                         kasme_stat_finish);
    if (err) {
        fprintf(stderr, "tshark: can't register the kasme tap: %s\n", err->str);
        g_string_free(err, TRUE);
        kasme_stat_finish(st);
        KASME_STAT_INIT_RETURN(false);
    }
    KASME_STAT_INIT_RETURN(true);
}

void kasme_stat_register(void)
{
    static stat_tap_ui ui = {REGISTER_STAT_GROUP_GENERIC, "kasme LTE/5G security per UE",
                             "kasme,stat", kasme_stat_init, 0, NULL};
    register_stat_tap_ui(&ui, NULL);
}
