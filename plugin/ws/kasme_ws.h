/* Declarations shared by the Wireshark glue files (plugin/ws/). */
#ifndef KASME_WS_H
#define KASME_WS_H

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>

#include "subdb.h"
#include "tracker.h"

void proto_register_kasme(void);
void proto_reg_handoff_kasme(void);

extern int proto_kasme;

/* Reloads keys (key file and table) and tells Wireshark which fields kasme needs. */
void kasme_reload(void);

/* kasme_keys.c: the key database from the key file and the UAT, and the tracker. */
void kasme_keys_register(module_t *module);
/* (Re)loads the key file and the UAT rows; reports bad lines. */
void kasme_keys_apply(void);
bool kasme_keys_loaded(void);
/* kasme.keys_from_capture: learn keys from S6a and SBI (on by default). */
bool kasme_keys_from_capture(void);
bool kasme_keys_show(void);

/* What one set of keys makes of one capture, owned together: the key database, the tracker
 * over it, and the per-frame results the tracker made (which point into both). A preference
 * change ends the whole session, so no result outlives the keys it was made with. */
typedef struct kasme_store kasme_store;
typedef struct {
    kasme_subdb *db;
    kasme_tracker *tracker; /* NULL when no keys are loaded */
    kasme_store *store;     /* NULL when no keys are loaded */
} kasme_session;

const kasme_session *kasme_session_get(void);
/* Whether kasme shows anything: keys loaded, or keys the capture carried were learned. With
 * neither, tshark's output is what it is without kasme. */
bool kasme_session_active(const kasme_session *s);
void kasme_keys_init(void);    /* a capture file opens: a new tracker and store */
void kasme_keys_cleanup(void); /* the capture file closes */

/* kasme_carrier.c: which NAS PDUs and S1AP SecurityKeys a frame holds, and about whom. */
typedef enum { KASME_ITEM_NAS, KASME_ITEM_KENB, KASME_ITEM_PDCP } kasme_item_kind;

typedef struct kasme_item {
    kasme_item_kind kind;
    kasme_domain domain; /* KASME_ITEM_KENB: S1AP's K_eNB or NGAP's K_gNB */
    tvbuff_t *tvb;   /* the data source the bytes are in */
    gint offset, length;
    kasme_pdu_meta meta;
    kasme_pdcp_meta pdcp; /* KASME_ITEM_PDCP */
    uint8_t plmns[4][3];
    bool release;    /* S1AP UE Context Release: unbind this connection afterwards */
    bool nh;         /* KASME_ITEM_KENB of a SecurityContext's NH (S1AP, NGAP), with: */
    kasme_nh_context nh_sc;
} kasme_item;

/* Fills items (up to max) in the order they appear in the frame; returns the count. */
guint kasme_carrier_items(proto_tree *tree, packet_info *pinfo, kasme_item *items, guint max);
typedef struct {
    uint64_t conn;           /* the frame's RRC connection (RNTI) */
    bool setup;              /* RRCConnectionSetup */
    bool has_m_tmsi;         /* RRCConnectionRequest with an S-TMSI */
    uint32_t m_tmsi;
    bool reest_request;      /* RRCConnectionReestablishmentRequest: */
    uint64_t old_conn;       /*   the C-RNTI it names */
    uint16_t pci;
    bool reest;              /* RRCConnectionReestablishment with its NCC */
    int ncc;
} kasme_rrc_events;

void kasme_carrier_rrc_events(proto_tree *tree, kasme_rrc_events *ev);

typedef struct {
    uint64_t conn, new_conn; /* the UE's connection before and after (new C-RNTI) */
    uint16_t pci;
    int32_t earfcn_dl;       /* -1 when the command names no carrier frequency */
    int ncc;                 /* -1 when it has no securityConfigHO NCC */
} kasme_handover;

bool kasme_carrier_handover(proto_tree *tree, const struct kasme_item *parent, kasme_handover *ho);
/* How many NAS PDUs the tree holds now, and the ones added after the first `before`. */
guint kasme_carrier_nas_count(proto_tree *tree);
guint kasme_carrier_new_nas(proto_tree *tree, guint before, const kasme_item *parent,
                            kasme_item *items, guint max);
bool kasme_carrier_fields_available(proto_tree *tree);
/* Keys the frame carries in clear (Diameter S6a AIA, SBI JSON) to the tracker (capkeys.h). */
void kasme_carrier_learn_keys(proto_tree *tree, packet_info *pinfo, kasme_tracker *tr);
/* Whether the frame has any of the fields kasme_carrier_learn_keys reads. */
bool kasme_carrier_has_capture_keys(proto_tree *tree);
/* Header fields the carrier code needs from other dissectors. */
GArray *kasme_carrier_wanted_hfids(void);
void kasme_carrier_lookup_hfids(void);

/* kasme_display.c */
typedef struct {
    kasme_item_kind kind;
    union {
        kasme_nas_result nas;
        kasme_kenb_result kenb;
        kasme_pdcp_result pdcp;
    };
    uint8_t *plain; /* pinfo->pool, or wmem_file_scope when stored whole */
    /* what the no-tree passes (the GUI's packet list) need to redo the Info column */
    int8_t dir;
    bool srb, opaque;
    uint8_t rb_id;  /* PDCP: the radio bearer, for a later pass that finds no items */
} kasme_frame_result;

void kasme_display_register(int proto);
/* kasme.tree_detail (compact or full) */
void kasme_display_register_prefs(module_t *module);

/* packet-kasme.c: zeroed memory from pinfo->pool for what holds keys or plaintext; wiped when
 * the pool is freed, after the taps have read it. */
void *kasme_wiped_alloc(wmem_allocator_t *pool, size_t size);

/* kasme_store.c: results kept from the first pass, by frame number; packed results are
 * rebuilt with the tracker that made them. */
kasme_store *kasme_store_new(void);
void kasme_store_free(kasme_store *st);
/* A result's PDU for the store: its bytes (valid while the frame is dissected) and length. */
typedef struct {
    const guint8 *bytes;
    gint length;
} kasme_pdu_bytes;
void kasme_store_frame(kasme_store *st, kasme_tracker *tr, tvbuff_t *frame_tvb, guint32 frame,
                       const kasme_frame_result *results, const kasme_pdu_bytes *pdus, guint n);
bool kasme_store_has(kasme_store *st, guint32 frame);
/* The i-th result of the frame for this item, rebuilt into fr (plaintext in pinfo->pool). */
bool kasme_store_get(kasme_store *st, kasme_tracker *tr, packet_info *pinfo, guint32 frame,
                     guint i, const kasme_item *item, kasme_frame_result *fr);
/* Every result of the frame without items (a pass without a tree, or whose tree lacks the
 * carriers' fields), in order: the bytes come from the frame's data; offset and length say
 * where the PDU is in the frame, length 0 if it is not there. */
typedef void (*kasme_store_fn)(const kasme_frame_result *fr, gint offset, gint length,
                               void *user);
void kasme_store_each(kasme_store *st, kasme_tracker *tr, tvbuff_t *frame_tvb,
                      packet_info *pinfo, guint32 frame, kasme_store_fn fn, void *user);
/* kasme_tap.c: the "kasme" tap (one record per result) and tshark -z kasme,stat. */
typedef struct {
    const kasme_frame_result *fr;
    bool srb;
} kasme_tap_record;

void kasme_tap_register(void);
void kasme_stat_register(void);
void kasme_tap_queue(packet_info *pinfo, const kasme_item *item, const kasme_frame_result *fr);

/* kasme_export.c: plaintext PDUs for "Export PDUs to File" / tshark -U "kasme plaintext". */
void kasme_export_register(void);
void kasme_export_queue(packet_info *pinfo, const kasme_item *item, const kasme_frame_result *fr);

/* Shows a result; for a deciphered SRB PDU returns the RRC plaintext's tvb (after dissecting
 * it with LTE RRC), else NULL. */
tvbuff_t *kasme_display_result(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               const kasme_item *item, const kasme_frame_result *fr);
bool kasme_keys_user_plane(void);
/* On a pass without a tree: the Info column as the tree passes make it. */
void kasme_display_columns(tvbuff_t *tvb, packet_info *pinfo, const kasme_frame_result *fr);
/* After a frame's results are shown: its primed column fields (Wireshark 4.2 on) get the
 * columns' texts that kasme's plaintext made. */
void kasme_display_sync_column_fields(proto_tree *tree, packet_info *pinfo);

#endif
