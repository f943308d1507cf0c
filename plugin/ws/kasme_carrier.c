/* Finds, in a dissected frame, every NAS PDU and S1AP/NGAP SecurityKey and what the carrier
 * says about them (UE identifiers, direction, serving PLMN), whichever way NAS arrived: S1AP or
 * NGAP (with or without SCTP/IP), RRC on MAC-LTE, GSMTAP, or a UE's NAS log. */
#include "kasme_ws.h"

#include <epan/proto.h>

#include "capkeys.h"
#include "secure_zero.h"
#include "ws_compat.h"

/* A field by name: every hfid registered under that name (some dissectors register one name
 * more than once, and the tree uses whichever the code path names). */
typedef struct {
    const char *name;
    int ids[4];
    guint n;
    guint index; /* its place in wanted[], set by kasme_carrier_lookup_hfids */
} kasme_field;

static kasme_field f_nas_eps = {"nas-eps", {0}, 0, 0};
static kasme_field f_nas_5gs = {"nas-5gs", {0}, 0, 0};
static kasme_field f_ngap = {"ngap", {0}, 0, 0};
static kasme_field f_ngap_ran_id = {"ngap.RAN_UE_NGAP_ID", {0}, 0, 0};
static kasme_field f_ngap_amf_id = {"ngap.AMF_UE_NGAP_ID", {0}, 0, 0};
static kasme_field f_ngap_security_key = {"ngap.SecurityKey", {0}, 0, 0};
static kasme_field f_ngap_procedure = {"ngap.procedureCode", {0}, 0, 0};
static kasme_field f_ngap_success = {"ngap.successfulOutcome_element", {0}, 0, 0};
static kasme_field f_ngap_5g_tmsi = {"ngap.fiveG_TMSI", {0}, 0, 0};
static kasme_field f_ngap_plmn = {"ngap.pLMNIdentity", {0}, 0, 0};
static kasme_field f_ngap_nh = {"ngap.nextHopNH", {0}, 0, 0};
static kasme_field f_ngap_ncc = {"ngap.nextHopChainingCount", {0}, 0, 0};
static kasme_field f_s1ap = {"s1ap", {0}, 0, 0};
static kasme_field f_s1ap_enb_id = {"s1ap.ENB_UE_S1AP_ID", {0}, 0, 0};
static kasme_field f_s1ap_mme_id = {"s1ap.MME_UE_S1AP_ID", {0}, 0, 0};
static kasme_field f_s1ap_security_key = {"s1ap.SecurityKey", {0}, 0, 0};
static kasme_field f_s1ap_procedure = {"s1ap.procedureCode", {0}, 0, 0};
static kasme_field f_s1ap_success = {"s1ap.successfulOutcome_element", {0}, 0, 0};
static kasme_field f_s1ap_m_tmsi = {"s1ap.m_TMSI", {0}, 0, 0};
static kasme_field f_s1ap_plmn = {"s1ap.pLMNidentity", {0}, 0, 0};
static kasme_field f_mac_rnti = {"mac-lte.rnti", {0}, 0, 0};
static kasme_field f_mac_ueid = {"mac-lte.ueid", {0}, 0, 0};
static kasme_field f_mac_direction = {"mac-lte.direction", {0}, 0, 0};
static kasme_field f_gsmtap_uplink = {"gsmtap.uplink", {0}, 0, 0};
static kasme_field f_pdcp = {"pdcp-lte", {0}, 0, 0};
static kasme_field f_pdcp_direction = {"pdcp-lte.direction", {0}, 0, 0};
static kasme_field f_pdcp_plane = {"pdcp-lte.plane", {0}, 0, 0};
static kasme_field f_pdcp_channel_id = {"pdcp-lte.channel-id", {0}, 0, 0};
static kasme_field f_pdcp_sn_length = {"pdcp-lte.seqnum_length", {0}, 0, 0};
static kasme_field f_pdcp_sig_data = {"pdcp-lte.signalling-data", {0}, 0, 0};
static kasme_field f_rrc_eea = {"lte-rrc.cipheringAlgorithm", {0}, 0, 0};
static kasme_field f_rrc_eia = {"lte-rrc.integrityProtAlgorithm", {0}, 0, 0};
static kasme_field f_rrc_smc = {"lte-rrc.securityModeCommand_element", {0}, 0, 0};
static kasme_field f_rrc_setup = {"lte-rrc.rrcConnectionSetup_element", {0}, 0, 0};
static kasme_field f_rrc_m_tmsi = {"lte-rrc.m_TMSI", {0}, 0, 0};
static kasme_field f_rrc_reest_req = {"lte-rrc.rrcConnectionReestablishmentRequest_element", {0}, 0, 0};
static kasme_field f_rrc_reest = {"lte-rrc.rrcConnectionReestablishment_element", {0}, 0, 0};
static kasme_field f_rrc_c_rnti = {"lte-rrc.c_RNTI", {0}, 0, 0};
static kasme_field f_rrc_pci = {"lte-rrc.physCellId", {0}, 0, 0};
static kasme_field f_rrc_ncc = {"lte-rrc.nextHopChainingCount", {0}, 0, 0};
static kasme_field f_rrc_mobility = {"lte-rrc.mobilityControlInfo_element", {0}, 0, 0};
static kasme_field f_rrc_target_pci = {"lte-rrc.targetPhysCellId", {0}, 0, 0};
static kasme_field f_rrc_dl_freq = {"lte-rrc.dl_CarrierFreq", {0}, 0, 0};
static kasme_field f_rrc_new_ue_id = {"lte-rrc.newUE_Identity", {0}, 0, 0};
static kasme_field f_s1ap_nh = {"s1ap.nextHopParameter", {0}, 0, 0};
static kasme_field f_s1ap_ncc = {"s1ap.nextHopChainingCount", {0}, 0, 0};
static kasme_field f_rrc_source_dl_freq = {"lte-rrc.sourceDl_CarrierFreq", {0}, 0, 0};
static kasme_field f_rrc_carrier_freq = {"lte-rrc.carrierFreq", {0}, 0, 0};
/* keys a core-network capture carries (kasme.keys_from_capture) */
/* Only Diameter's protocol item: kasme reads the message's octets itself (dia_msg.h). Its
 * lookup finds the protocol, registered at start-up; a lookup of any diameter.* field would
 * make Wireshark register its whole Diameter dictionary (about 2.85 MB, README Performance). */
static kasme_field f_diameter = {"diameter", {0}, 0, 0};
static kasme_field f_json_member = {"json.member_with_value", {0}, 0, 0};

static kasme_field *const wanted[] = {
    &f_nas_eps, &f_s1ap, &f_s1ap_enb_id, &f_s1ap_mme_id, &f_s1ap_security_key,
    &f_s1ap_procedure, &f_s1ap_success, &f_s1ap_m_tmsi, &f_s1ap_plmn, &f_mac_rnti,
    &f_mac_ueid, &f_mac_direction, &f_gsmtap_uplink, &f_pdcp, &f_pdcp_direction,
    &f_pdcp_plane, &f_pdcp_channel_id, &f_pdcp_sn_length, &f_pdcp_sig_data, &f_rrc_eea, &f_rrc_eia, &f_rrc_smc,
    &f_rrc_setup, &f_rrc_m_tmsi, &f_rrc_reest_req, &f_rrc_reest, &f_rrc_c_rnti, &f_rrc_pci,
    &f_rrc_ncc, &f_rrc_mobility, &f_rrc_target_pci, &f_rrc_dl_freq, &f_rrc_new_ue_id,
    &f_nas_5gs, &f_ngap, &f_ngap_ran_id, &f_ngap_amf_id, &f_ngap_security_key,
    &f_ngap_procedure, &f_ngap_success, &f_ngap_5g_tmsi, &f_ngap_plmn, &f_ngap_nh, &f_ngap_ncc,
    &f_s1ap_nh, &f_s1ap_ncc, &f_rrc_source_dl_freq, &f_rrc_carrier_freq,
    &f_diameter, &f_json_member,
};
/* wanted[i]->ids[j]'s registration, for its ref_type (set with the ids) */
static const header_field_info *wanted_hfis[G_N_ELEMENTS(wanted)][4];

/* The protocols that add the wanted fields ("families": S1AP, NGAP, PDCP-LTE, ...), each a
 * bit of a frame's mask of protocols present; wanted_family[i] is field i's bit, 0 for a
 * field looked for in every frame. Set with the ids. */
#define KASME_FAMILIES 16
static int family_proto[KASME_FAMILIES];
static guint n_families = 1; /* bit 0: none */
static guint8 wanted_family[G_N_ELEMENTS(wanted)];
/* A frame's layer to its family by (proto % 64): most layers (frame, IP, SCTP, NAS) are no
 * family and find an empty slot; a slot that two families share says so and is searched. */
#define FAMILY_SLOTS 64
#define FAMILY_SLOT_SHARED 0xFF
static struct {
    int proto;
    guint8 family; /* 0: none, FAMILY_SLOT_SHARED: search family_proto[] */
} family_slots[FAMILY_SLOTS];

static guint8 family_of(int proto)
{
    if (proto < 0)
        return 0;
    for (guint b = 1; b < n_families; b++)
        if (family_proto[b] == proto)
            return (guint8)b;
    if (n_families == KASME_FAMILIES)
        return 0;
    family_proto[n_families] = proto;
    guint s = (guint)proto % FAMILY_SLOTS;
    family_slots[s].family = family_slots[s].family ? FAMILY_SLOT_SHARED : (guint8)n_families;
    family_slots[s].proto = proto;
    return (guint8)n_families++;
}

/* The protocol a header field belongs to: a protocol's own item is its protocol. */
static int protocol_of(const header_field_info *hfi)
{
    return hfi->parent == -1 ? hfi->id : hfi->parent;
}

/* Protocols whose items can be in the tree while the frame's layers do not list them, so
 * their fields are looked up in every frame that asks for them. S1AP dissects the RRC
 * containers of a handover (HandoverPreparationInformation) with LTE RRC's exported PDU
 * functions; and mutated captures (tools/fuzz-captures.sh) gave 5GS NAS items without the
 * layer. Found by comparing, for every frame of the test suite's captures and of the fuzz
 * smoke test's mutations, the fields of protocols absent from the layers with the tree. */
static bool added_without_layer(const char *field_name)
{
    static const char *const protocols[] = {"lte-rrc", "nas-eps", "nas-5gs"};
    for (size_t i = 0; i < G_N_ELEMENTS(protocols); i++) {
        size_t len = strlen(protocols[i]);
        if (strncmp(field_name, protocols[i], len) == 0 &&
            (field_name[len] == '\0' || field_name[len] == '.'))
            return true;
    }
    return false;
}

static void lookup_field(kasme_field *f, int *proto)
{
    f->n = 0;
    *proto = -1;
    int id = proto_registrar_get_id_byname(f->name);
    if (id <= 0)
        return;
    header_field_info *hfi = proto_registrar_get_nth((guint)id);
    while (hfi->same_name_prev_id > 0)
        hfi = proto_registrar_get_nth((guint)hfi->same_name_prev_id);
    *proto = added_without_layer(f->name) ? -1 : protocol_of(hfi);
    for (; hfi && f->n < G_N_ELEMENTS(f->ids); hfi = hfi->same_name_next) {
        if (*proto != -1 && protocol_of(hfi) != *proto)
            *proto = -1; /* registered by two protocols: looked for whatever the frame has */
        f->ids[f->n++] = hfi->id;
    }
}

/* Every wanted hfid's place (field index * 4 + which of its ids), so that one pass over a
 * frame's table of interesting fields finds all the wanted ones it holds. Open addressing:
 * at most 4 ids a field, so the table is never more than half full. */
#define PLACE_SLOTS 512
static struct {
    int hfid; /* 0: empty (hfid 0 is no field kasme wants) */
    guint16 place;
} places[PLACE_SLOTS];

static guint place_slot(int hfid)
{
    return ((guint)hfid * 2654435761u) >> 23; /* Fibonacci hashing to 9 bits */
}

static void add_place(int hfid, guint16 place)
{
    guint s = place_slot(hfid);
    while (places[s].hfid && places[s].hfid != hfid)
        s = (s + 1) % PLACE_SLOTS;
    places[s].hfid = hfid;
    places[s].place = place;
}

static int place_of(int hfid)
{
    for (guint s = place_slot(hfid); places[s].hfid; s = (s + 1) % PLACE_SLOTS)
        if (places[s].hfid == hfid)
            return places[s].place;
    return -1;
}

static void forget_families(void);

void kasme_carrier_lookup_hfids(void)
{
    n_families = 1;
    memset(family_slots, 0, sizeof family_slots);
    memset(places, 0, sizeof places);
    G_STATIC_ASSERT(G_N_ELEMENTS(wanted) * 4 <= PLACE_SLOTS / 2);
    for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++) {
        int proto;
        lookup_field(wanted[i], &proto);
        wanted_family[i] = family_of(proto);
        wanted[i]->index = (guint)i;
        for (guint j = 0; j < wanted[i]->n; j++) {
            wanted_hfis[i][j] = proto_registrar_get_nth((guint)wanted[i]->ids[j]);
            add_place(wanted[i]->ids[j], (guint16)(i * 4 + j));
        }
    }
    forget_families(); /* the bits may name other protocols now */
}

GArray *kasme_carrier_wanted_hfids(void)
{
    GArray *ids = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++)
        for (guint j = 0; j < wanted[i]->n; j++)
            g_array_append_val(ids, wanted[i]->ids[j]);
    return ids;
}

/* The instances of the wanted fields in the frame being looked at, fetched when first asked
 * for (an S1AP frame never asks for the RRC fields). Primed fields (the first pass, and every
 * pass in the GUI) come from the tree's table of interesting fields, read in one pass when the
 * first field is asked for: it holds only the fields the frame has (proto.c,
 * tree_data_add_maybe_interesting_field), a dozen in an S1AP frame, where a lookup per
 * wanted field was a GLib hash lookup each (12 a frame). On passes where Wireshark did not
 * prime them (tshark -2's second pass) the tree is searched once per field and frame. Each
 * gathering is a generation: a field's arrays count only when fetched in the current one, so
 * starting another costs no clearing of the arrays (that memset of 2 KB was run 3 times a
 * frame). */
static struct {
    proto_tree *tree;
    /* The families that dissected the frame so far (pinfo->layers), so that the fields of a
     * protocol the frame lacks are not looked for: an S1AP frame has no NGAP, PDCP, MAC-LTE,
     * Diameter or JSON. Read again when the frame or its number of layers changes
     * (dissecting a deciphered message adds layers). */
    guint32 families;
    proto_tree *families_tree; /* and the frame and number of layers they were read at */
    guint32 families_frame;
    guint families_layers;
    guint32 generation;
    guint32 indexed_in;  /* the generation whose table of interesting fields was read */
    bool tracking;       /* that table has fields: primed ones it lacks are not in the frame */
    guint32 found_in[G_N_ELEMENTS(wanted)]; /* the table held one of field i's ids: */
    GPtrArray *arrays[G_N_ELEMENTS(wanted)][4];
    guint32 searched_in[G_N_ELEMENTS(wanted)]; /* an unprimed id of field i was searched: */
    GPtrArray *searched[G_N_ELEMENTS(wanted)][4];
} frame_fields;

static void index_field(gpointer hfid, gpointer array, gpointer user)
{
    (void)user;
    int place = place_of(GPOINTER_TO_INT(hfid));
    if (place < 0)
        return;
    size_t i = (size_t)place / 4;
    if (frame_fields.found_in[i] != frame_fields.generation) {
        memset(frame_fields.arrays[i], 0, sizeof frame_fields.arrays[i]);
        frame_fields.found_in[i] = frame_fields.generation;
    }
    frame_fields.arrays[i][place % 4] = array;
}

/* One pass over the frame's interesting fields: each wanted one's array. */
static void index_frame(void)
{
    GHashTable *table = PTREE_DATA(frame_fields.tree)->interesting_hfids;
    frame_fields.indexed_in = frame_fields.generation;
    frame_fields.tracking = proto_tracking_interesting_fields(frame_fields.tree);
    if (table)
        g_hash_table_foreach(table, index_field, NULL);
}

/* A primed field that the frame lacks has no array: only unprimed ones need the search
 * (proto_tracking_interesting_fields, and the field's ref_type). */
static bool primed(const header_field_info *hfi)
{
    return frame_fields.tracking && hfi && hfi->ref_type != HF_REF_TYPE_NONE;
}

/* Wireshark lists a protocol in pinfo->layers whenever it calls one of its dissectors through
 * a handle, a dissector table or a heuristic list (packet.c: call_dissector_work,
 * dissector_try_heuristic), and only such a call adds the protocol's item and fields (but see
 * added_without_layer). Bit 0 is always set: fields of no family. */
static guint32 families_of(packet_info *pinfo)
{
    if (!pinfo || !pinfo->layers)
        return G_MAXUINT32;
    guint32 mask = 1;
    for (wmem_list_frame_t *l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l)) {
        int proto = GPOINTER_TO_INT(wmem_list_frame_data(l));
        if (proto < 0)
            continue;
        guint s = (guint)proto % FAMILY_SLOTS;
        if (family_slots[s].family == FAMILY_SLOT_SHARED) {
            for (guint b = 1; b < n_families; b++)
                if (family_proto[b] == proto)
                    mask |= 1u << b;
        } else if (family_slots[s].family && family_slots[s].proto == proto) {
            mask |= 1u << family_slots[s].family;
        }
    }
    return mask;
}

static void forget_families(void)
{
    frame_fields.families_tree = NULL;
}

static void note_families(proto_tree *tree)
{
    packet_info *pinfo = PTREE_DATA(tree)->pinfo;
    guint layers = pinfo && pinfo->layers ? wmem_list_count(pinfo->layers) : 0;
    if (tree == frame_fields.families_tree && pinfo &&
        pinfo->num == frame_fields.families_frame && layers == frame_fields.families_layers)
        return;
    frame_fields.families = families_of(pinfo);
    frame_fields.families_tree = tree;
    frame_fields.families_frame = pinfo ? pinfo->num : 0;
    frame_fields.families_layers = layers;
}

static void gather_fields(proto_tree *tree)
{
    note_families(tree);
    frame_fields.tree = tree;
    if (++frame_fields.generation == 0) { /* wrapped: no stale field may look current */
        memset(frame_fields.found_in, 0, sizeof frame_fields.found_in);
        memset(frame_fields.searched_in, 0, sizeof frame_fields.searched_in);
        frame_fields.indexed_in = 0;
        frame_fields.generation = 1;
    }
}

static kasme_wmem_cb_ret free_array_on_free(wmem_allocator_t *pool, wmem_cb_event_t event,
                                            void *array)
{
    (void)pool;
    (void)event;
    g_ptr_array_free(array, TRUE);
    return FALSE; /* once */
}

/* An unprimed field, searched in the tree once a generation. The array proto_find_finfo makes
 * is freed with the frame's pinfo->pool, so that a dissector exception thrown while kasme
 * reads fields cannot leak it. */
static GPtrArray *searched_array(size_t i, guint j)
{
    proto_tree *tree = frame_fields.tree;
    if (frame_fields.searched_in[i] != frame_fields.generation) {
        memset(frame_fields.searched[i], 0, sizeof frame_fields.searched[i]);
        frame_fields.searched_in[i] = frame_fields.generation;
    }
    if (!frame_fields.searched[i][j]) {
        GPtrArray *a = proto_find_finfo(tree, wanted[i]->ids[j]);
        wmem_register_callback(PTREE_DATA(tree)->pinfo->pool, free_array_on_free, a);
        frame_fields.searched[i][j] = a;
    }
    return frame_fields.searched[i][j];
}

/* The tree goes with the frame; the arrays are left behind, as no later generation reads
 * them. */
static void release_fields(void)
{
    frame_fields.tree = NULL;
}

/* Whether this pass's tree can give the carriers' fields: a printed tree has every field; a
 * tree that is not printed has only those primed for it, and Wireshark 4.4's tshark does not
 * prime a post-dissector's wanted fields on the second pass. */
bool kasme_carrier_fields_available(proto_tree *tree)
{
    if (!tree || !PTREE_DATA(tree))
        return false;
    if (PTREE_DATA(tree)->visible)
        return true;
    GHashTable *interesting = PTREE_DATA(tree)->interesting_hfids;
    return interesting &&
           ((f_nas_eps.n && g_hash_table_contains(interesting, GINT_TO_POINTER(f_nas_eps.ids[0]))) ||
            (f_nas_5gs.n && g_hash_table_contains(interesting, GINT_TO_POINTER(f_nas_5gs.ids[0]))));
}

/* Position of f in wanted[]: looked up once per field, not on every use (it was a scan of
 * wanted[] for every field read, about 2 500 instructions per protected PDU). */
static size_t wanted_index(const kasme_field *f)
{
    return f->index;
}

/* Field i's j-th registration when the frame's table lacks it. */
static G_GNUC_NO_INLINE GPtrArray *absent_array(size_t i, guint j)
{
    if (frame_fields.indexed_in != frame_fields.generation) {
        index_frame(); /* the first field asked for in this generation */
        if (frame_fields.found_in[i] == frame_fields.generation && frame_fields.arrays[i][j])
            return frame_fields.arrays[i][j];
    }
    if (primed(wanted_hfis[i][j]))
        return NULL; /* the frame has none */
    return searched_array(i, j);
}

/* The instances of field i's j-th registration in the frame (NULL: none). Inline: it is
 * called about 25 times a frame. */
static inline GPtrArray *field_array(size_t i, guint j)
{
    if (!((frame_fields.families >> wanted_family[i]) & 1))
        return NULL; /* its protocol did not dissect the frame */
    if (frame_fields.found_in[i] == frame_fields.generation && frame_fields.arrays[i][j])
        return frame_fields.arrays[i][j];
    return absent_array(i, j);
}

/* A walk over every instance of a field in the frame, all its registrations in turn: for
 * (field_info *fi; (fi = next_finfo(&c));). Inline, as a callback per instance cost more
 * than the walk in a frame's dozen look-ups. */
typedef struct {
    const kasme_field *f;
    guint j, k;
    GPtrArray *all; /* registration j's instances */
} finfo_cursor;

static inline field_info *next_finfo(finfo_cursor *c)
{
    for (;;) {
        if (c->all && c->k < c->all->len)
            return g_ptr_array_index(c->all, c->k++);
        if (c->j >= c->f->n)
            return NULL;
        c->all = field_array(wanted_index(c->f), c->j++);
        c->k = 0;
    }
}

/* Calls fn for every instance of the field in the frame, until it returns false. */
typedef bool (*finfo_fn)(field_info *fi, void *user);

static void each_finfo(proto_tree *tree, const kasme_field *f, finfo_fn fn, void *user)
{
    (void)tree;
    finfo_cursor c = {f, 0, 0, NULL};
    for (field_info *fi; (fi = next_finfo(&c));)
        if (!fn(fi, user))
            return;
}

static bool inside(const field_info *outer, const field_info *fi)
{
    return outer->ds_tvb == fi->ds_tvb && fi->start >= outer->start &&
           fi->start + fi->length <= outer->start + outer->length;
}

/* The innermost field of f that contains fi (an S1AP PDU around a NAS PDU), or NULL. */
static field_info *container(proto_tree *tree, const kasme_field *f, const field_info *fi)
{
    (void)tree;
    field_info *found = NULL;
    finfo_cursor cur = {f, 0, 0, NULL};
    for (field_info *c; (c = next_finfo(&cur));)
        if (c != fi && inside(c, fi) && (!found || c->length <= found->length))
            found = c;
    return found;
}

/* First instance of f inside the range of within (anywhere if within is NULL), or NULL. */
static field_info *first_inside(proto_tree *tree, const kasme_field *f, const field_info *within)
{
    (void)tree;
    finfo_cursor c = {f, 0, 0, NULL};
    for (field_info *fi; (fi = next_finfo(&c));)
        if (!within || inside(within, fi))
            return fi;
    return NULL;
}

static guint32 uint_of(field_info *fi)
{
    return fvalue_get_uinteger(KASME_FI_VALUE(fi));
}

/* An unsigned field of any width (the AMF UE NGAP ID is FT_UINT64). */
static guint64 uint64_of(field_info *fi)
{
    switch (fi->hfinfo->type) {
    case FT_UINT40:
    case FT_UINT48:
    case FT_UINT56:
    case FT_UINT64:
        return fvalue_get_uinteger64(KASME_FI_VALUE(fi));
    default:
        return uint_of(fi);
    }
}

/* A hash of the two endpoints that does not depend on direction: eNB-UE-S1AP-IDs are unique
 * per S1 association only. Zero for captures without addresses (DLT 150). */
static guint32 association_of(packet_info *pinfo)
{
    guint32 a = add_address_to_hash(0, &pinfo->src) ^ pinfo->srcport;
    guint32 b = add_address_to_hash(0, &pinfo->dst) ^ pinfo->destport;
    return pinfo->src.type == AT_NONE ? 0 : (a ^ b);
}

/* S1AP procedure codes (TS 36.413 9.3.7) whose NAS-PDU goes downlink or uplink. */
static int s1ap_direction(guint32 procedure)
{
    switch (procedure) {
    case 5:  /* E-RABSetup */
    case 6:  /* E-RABModify */
    case 7:  /* E-RABRelease */
    case 9:  /* InitialContextSetup */
    case 11: /* downlinkNASTransport */
    case 16: /* NASNonDeliveryIndication: a DL PDU handed back */
        return KASME_DIR_DL;
    case 12: /* initialUEMessage */
    case 13: /* uplinkNASTransport */
        return KASME_DIR_UL;
    default:
        return KASME_DIR_UNKNOWN;
    }
}

/* NGAP procedure codes (TS 38.413 9.4.7) whose NAS-PDU goes downlink or uplink. */
static int ngap_direction(guint32 procedure)
{
    switch (procedure) {
    case 4:  /* DownlinkNASTransport */
    case 13: /* HandoverResourceAllocation: NASC */
    case 14: /* InitialContextSetup */
    case 19: /* NASNonDeliveryIndication: a DL PDU handed back */
    case 26: /* PDUSessionResourceModify */
    case 28: /* PDUSessionResourceRelease */
    case 29: /* PDUSessionResourceSetup */
        return KASME_DIR_DL;
    case 15: /* InitialUEMessage */
    case 36: /* RerouteNASRequest: the InitialUEMessage's NAS-PDU again */
    case 46: /* UplinkNASTransport */
        return KASME_DIR_UL;
    default:
        return KASME_DIR_UNKNOWN;
    }
}

/* What kasme reads of a core network carrier: S1AP for EPS, NGAP for 5GS. */
typedef struct {
    kasme_domain domain;
    kasme_field *proto, *nas, *ran_ue_id, *core_ue_id, *tmsi, *procedure, *success, *plmn,
        *security_key;
    kasme_field *nh, *ncc; /* SecurityContext {NCC, NH} */
    unsigned ran_conn_kind, core_conn_kind;
    int (*direction)(guint32 procedure);
    guint32 ue_context_release; /* procedure code */
} core_carrier;

static const core_carrier core_carriers[] = {
    {KASME_DOMAIN_EPS, &f_s1ap, &f_nas_eps, &f_s1ap_enb_id, &f_s1ap_mme_id, &f_s1ap_m_tmsi,
     &f_s1ap_procedure, &f_s1ap_success, &f_s1ap_plmn, &f_s1ap_security_key, &f_s1ap_nh,
     &f_s1ap_ncc, KASME_CONN_S1AP_ENB, KASME_CONN_S1AP_MME, s1ap_direction, 23},
    {KASME_DOMAIN_5GS, &f_ngap, &f_nas_5gs, &f_ngap_ran_id, &f_ngap_amf_id, &f_ngap_5g_tmsi,
     &f_ngap_procedure, &f_ngap_success, &f_ngap_plmn, &f_ngap_security_key, &f_ngap_nh,
     &f_ngap_ncc, KASME_CONN_NGAP_RAN, KASME_CONN_NGAP_AMF, ngap_direction, 41},
};

/* The serving network candidates in the PDU (TAI, E-UTRAN CGI, ...), in the frame's order. */
static size_t add_plmns(const kasme_field *plmn, const field_info *pdu, kasme_item *item)
{
    size_t n = 0;
    finfo_cursor c = {plmn, 0, 0, NULL};
    for (field_info *p; (p = next_finfo(&c));)
        if (inside(pdu, p) && p->length == 3 && n < G_N_ELEMENTS(item->plmns))
            tvb_memcpy(p->ds_tvb, item->plmns[n++], p->start, 3);
    return n;
}

static void core_meta(proto_tree *tree, packet_info *pinfo, const core_carrier *cc,
                      field_info *pdu, kasme_item *item)
{
    guint32 assoc = association_of(pinfo);
    field_info *fi;
    item->domain = cc->domain;
    if ((fi = first_inside(tree, cc->ran_ue_id, pdu)))
        item->meta.conn = kasme_conn_key(cc->ran_conn_kind, assoc, uint64_of(fi));
    if ((fi = first_inside(tree, cc->core_ue_id, pdu)))
        item->meta.conn_alt = kasme_conn_key(cc->core_conn_kind, assoc, uint64_of(fi));
    if ((fi = first_inside(tree, cc->tmsi, pdu))) {
        item->meta.has_m_tmsi = true;
        item->meta.m_tmsi = uint_of(fi);
    }
    guint32 procedure = 0xFFFF;
    if ((fi = first_inside(tree, cc->procedure, pdu)))
        procedure = uint_of(fi);
    item->meta.dir = cc->direction(procedure);
    /* UEContextRelease successful outcome: the connection is gone. */
    item->release = procedure == cc->ue_context_release && first_inside(tree, cc->success, pdu);

    item->meta.n_plmns = add_plmns(cc->plmn, pdu, item);
}

/* MAC-LTE: one MAC PDU belongs to one UE (RNTI, and UEId which srsRAN leaves at 0). */
static bool mac_lte_meta(proto_tree *tree, kasme_item *item)
{
    field_info *rnti = first_inside(tree, &f_mac_rnti, NULL);
    if (!rnti)
        return false;
    field_info *ueid = first_inside(tree, &f_mac_ueid, NULL);
    field_info *dir = first_inside(tree, &f_mac_direction, NULL);
    item->meta.conn = kasme_conn_key(KASME_CONN_RNTI, ueid ? uint_of(ueid) : 0, uint_of(rnti));
    item->meta.dir = dir ? (uint_of(dir) ? KASME_DIR_DL : KASME_DIR_UL) : KASME_DIR_UNKNOWN;
    return true;
}

static void stream_meta(proto_tree *tree, kasme_item *item)
{
    field_info *uplink = first_inside(tree, &f_gsmtap_uplink, NULL);
    item->meta.conn = kasme_conn_key(KASME_CONN_STREAM, 0, 0);
    item->meta.dir = KASME_DIR_UNKNOWN;
    if (uplink)
        item->meta.dir = uint_of(uplink) ? KASME_DIR_UL : KASME_DIR_DL;
}

static void fill_meta(proto_tree *tree, packet_info *pinfo, field_info *fi, kasme_item *item)
{
    item->meta.frame = pinfo->num;
    item->meta.dir = KASME_DIR_UNKNOWN;
    for (size_t i = 0; i < G_N_ELEMENTS(core_carriers); i++) {
        field_info *pdu = container(tree, core_carriers[i].proto, fi);
        if (pdu) {
            core_meta(tree, pinfo, &core_carriers[i], pdu, item);
            return;
        }
    }
    if (!mac_lte_meta(tree, item))
        stream_meta(tree, item);
}

/* A PDCP PDU of pdcp-lte: bearer, direction, SN length from pdcp-lte's configuration fields;
 * the RNTI from MAC-LTE; whether it holds the RRC SecurityModeCommand. */
static void pdcp_meta(proto_tree *tree, field_info *pdcp, kasme_item *item)
{
    field_info *fi;
    kasme_pdcp_meta *m = &item->pdcp;
    field_info *rnti = first_inside(tree, &f_mac_rnti, NULL);
    field_info *ueid = first_inside(tree, &f_mac_ueid, NULL);
    m->frame = item->meta.frame;
    m->rnti = rnti ? (uint16_t)uint_of(rnti) : 0;
    m->conn = kasme_conn_key(KASME_CONN_RNTI, ueid ? uint_of(ueid) : 0, m->rnti);
    m->dir = (fi = first_inside(tree, &f_pdcp_direction, pdcp)) && uint_of(fi) ? KASME_DIR_DL
                                                                               : KASME_DIR_UL;
    m->srb = !(fi = first_inside(tree, &f_pdcp_plane, pdcp)) || uint_of(fi) == 1;
    m->rb_id = (fi = first_inside(tree, &f_pdcp_channel_id, pdcp)) ? uint_of(fi) : 0;
    m->sn_bits = 5;
    if (!m->srb)
        m->sn_bits = (fi = first_inside(tree, &f_pdcp_sn_length, pdcp)) ? uint_of(fi) : 12;
    m->payload_opaque = first_inside(tree, &f_pdcp_sig_data, pdcp) != NULL;
    field_info *eea = first_inside(tree, &f_rrc_eea, pdcp);
    field_info *eia = first_inside(tree, &f_rrc_eia, pdcp);
    m->rrc_smc = m->srb && m->dir == KASME_DIR_DL && first_inside(tree, &f_rrc_smc, pdcp) &&
                 eea && eia;
    if (m->rrc_smc) {
        m->smc_eea = (uint8_t)uint_of(eea);
        m->smc_eia = (uint8_t)uint_of(eia);
    }
    item->meta.conn = m->conn;
    item->meta.dir = m->dir;
}

/* Distinct values of a field of the frame, up to max. */
typedef struct {
    uint32_t *out;
    size_t *n, max;
} values_state;

static bool add_value(field_info *fi, void *user)
{
    values_state *st = user;
    uint32_t v = uint_of(fi);
    for (size_t i = 0; i < *st->n; i++)
        if (st->out[i] == v)
            return true;
    if (*st->n < st->max)
        st->out[(*st->n)++] = v;
    return *st->n < st->max;
}

static void add_values(proto_tree *tree, const kasme_field *f, uint32_t *out, size_t *n,
                       size_t max)
{
    values_state st = {out, n, max};
    each_finfo(tree, f, add_value, &st);
}

/* The HandoverRequest's source-to-target container (HandoverPreparationInformation, TS 36.331
 * 10.2.2): the source's AS algorithms, the EARFCN-DL and the PCIs it names, where the target
 * cell's K_eNB* is looked for. Searched in the whole frame (its RRC may be in a data source of
 * its own). */
static void lte_target_cells(proto_tree *tree, kasme_nh_context *sc)
{
    field_info *eea = first_inside(tree, &f_rrc_eea, NULL);
    field_info *eia = first_inside(tree, &f_rrc_eia, NULL);
    sc->has_algs = eea && eia;
    sc->eea = eea ? (uint8_t)uint_of(eea) : 0;
    sc->eia = eia ? (uint8_t)uint_of(eia) : 0;
    add_values(tree, &f_rrc_source_dl_freq, sc->earfcns, &sc->n_earfcns, KASME_NH_MAX_CELLS);
    add_values(tree, &f_rrc_carrier_freq, sc->earfcns, &sc->n_earfcns, KASME_NH_MAX_CELLS);
    add_values(tree, &f_rrc_dl_freq, sc->earfcns, &sc->n_earfcns, KASME_NH_MAX_CELLS);
    uint32_t pcis[KASME_NH_MAX_CELLS];
    add_values(tree, &f_rrc_pci, pcis, &sc->n_pcis, KASME_NH_MAX_CELLS);
    for (size_t i = 0; i < sc->n_pcis; i++)
        sc->pcis[i] = (uint16_t)pcis[i];
}

/* A SecurityContext's NH with the NCC beside it in the same S1AP/NGAP PDU; for S1AP the
 * target cells too (NR RRC is not followed). */
static void nh_meta(proto_tree *tree, const core_carrier *cc, field_info *nh, kasme_item *item)
{
    kasme_nh_context *sc = &item->nh_sc;
    field_info *pdu = container(tree, cc->proto, nh);
    field_info *ncc = first_inside(tree, cc->ncc, pdu);
    item->nh = true;
    sc->ncc = ncc ? (uint8_t)(uint_of(ncc) & 7) : 0;
    tvb_memcpy(nh->ds_tvb, sc->nh, nh->start, 32);
    if (cc->domain == KASME_DOMAIN_EPS)
        lte_target_cells(tree, sc);
}

/* NAS PDUs nested in another NAS PDU of the same data source are parts of it (an EPS NAS
 * container in 5GS, a 5GS NAS message container, a 5GSM message in a payload container). */
static bool nested_nas(proto_tree *tree, const field_info *fi)
{
    return container(tree, &f_nas_eps, fi) != NULL || container(tree, &f_nas_5gs, fi) != NULL;
}

static gint cmp_items(const kasme_item *x, const kasme_item *y)
{
    if (x->tvb != y->tvb)
        return 0;
    bool x_key = x->kind == KASME_ITEM_KENB, y_key = y->kind == KASME_ITEM_KENB;
    if (x_key != y_key && (x->kind == KASME_ITEM_NAS || y->kind == KASME_ITEM_NAS))
        return x_key ? 1 : -1;
    return x->offset - y->offset;
}

typedef struct {
    proto_tree *tree;
    packet_info *pinfo;
    kasme_item_kind kind;
    const core_carrier *nh_carrier; /* collecting this carrier's SecurityContext NHs */
    kasme_item *items;
    guint n, max;
} collect_state;

static bool collect_item(field_info *fi, void *user)
{
    collect_state *st = user;
    if (st->n >= st->max)
        return false;
    if (st->kind == KASME_ITEM_NAS && (fi->length <= 0 || nested_nas(st->tree, fi)))
        return true;
    if (st->kind == KASME_ITEM_KENB && fi->length != 32)
        return true;
    if (st->kind == KASME_ITEM_PDCP && fi->length <= 0)
        return true;
    kasme_item *item = &st->items[st->n++];
    memset(item, 0, sizeof *item);
    item->kind = st->kind;
    item->tvb = fi->ds_tvb;
    item->offset = fi->start;
    item->length = fi->length;
    fill_meta(st->tree, st->pinfo, fi, item);
    if (st->kind == KASME_ITEM_PDCP)
        pdcp_meta(st->tree, fi, item);
    if (st->nh_carrier)
        nh_meta(st->tree, st->nh_carrier, fi, item);
    return true;
}

/* Frame order: by data source, then offset (insertion sort: a frame holds a few items); in one
 * data source a SecurityKey after the NAS PDUs, so that a context the first NAS PDU makes (a
 * capture that starts mid-session: the InitialContextSetupRequest carries both) can check it.
 * A DL NAS PDU adds no UL NAS COUNT a K_eNB could come from, so no verdict changes. */
static void sort_items(kasme_item *items, guint n)
{
    for (guint i = 1; i < n; i++) {
        kasme_item moving = items[i];
        guint j = i;
        for (; j > 0 && cmp_items(&items[j - 1], &moving) > 0; j--)
            items[j] = items[j - 1];
        items[j] = moving;
    }
}

static guint add_items(proto_tree *tree, packet_info *pinfo, const kasme_field *f,
                       kasme_item_kind kind, const core_carrier *nh_carrier, kasme_item *items,
                       guint n, guint max)
{
    collect_state st = {tree, pinfo, kind, nh_carrier, items, n, max};
    each_finfo(tree, f, collect_item, &st);
    return st.n;
}

guint kasme_carrier_items(proto_tree *tree, packet_info *pinfo, kasme_item *items, guint max)
{
    gather_fields(tree);
    guint n = add_items(tree, pinfo, &f_nas_eps, KASME_ITEM_NAS, NULL, items, 0, max);
    n = add_items(tree, pinfo, &f_nas_5gs, KASME_ITEM_NAS, NULL, items, n, max);
    for (size_t i = 0; i < G_N_ELEMENTS(core_carriers); i++) {
        const core_carrier *cc = &core_carriers[i];
        n = add_items(tree, pinfo, cc->security_key, KASME_ITEM_KENB, NULL, items, n, max);
        n = add_items(tree, pinfo, cc->nh, KASME_ITEM_KENB, cc, items, n, max);
    }
    n = add_items(tree, pinfo, &f_pdcp, KASME_ITEM_PDCP, NULL, items, n, max);
    sort_items(items, n);
    for (guint i = 0; i < n; i++)
        items[i].meta.plmns = (const uint8_t(*)[3])items[i].plmns;
    release_fields();
    return n;
}



/* The RRC connection events of a frame that change AS security state (TS 36.331 5.3.3,
 * 5.3.7): setup, S-TMSI, re-establishment request and re-establishment. */
void kasme_carrier_rrc_events(proto_tree *tree, kasme_rrc_events *ev)
{
    memset(ev, 0, sizeof *ev);
    gather_fields(tree);
    field_info *rnti = first_inside(tree, &f_mac_rnti, NULL);
    field_info *ueid = first_inside(tree, &f_mac_ueid, NULL);
    guint32 ue_id = ueid ? uint_of(ueid) : 0;
    if (!rnti) {
        release_fields();
        return;
    }
    ev->conn = kasme_conn_key(KASME_CONN_RNTI, ue_id, uint_of(rnti));
    ev->setup = first_inside(tree, &f_rrc_setup, NULL) != NULL;
    field_info *tmsi = first_inside(tree, &f_rrc_m_tmsi, NULL);
    if (tmsi && tmsi->length == 4) {
        ev->has_m_tmsi = true;
        ev->m_tmsi = tvb_get_ntohl(tmsi->ds_tvb, tmsi->start);
    }
    field_info *req = first_inside(tree, &f_rrc_reest_req, NULL);
    field_info *c_rnti = req ? first_inside(tree, &f_rrc_c_rnti, NULL) : NULL;
    field_info *pci = req ? first_inside(tree, &f_rrc_pci, NULL) : NULL;
    if (c_rnti && pci && c_rnti->length == 2) {
        ev->reest_request = true;
        ev->old_conn = kasme_conn_key(KASME_CONN_RNTI, ue_id,
                                      tvb_get_ntohs(c_rnti->ds_tvb, c_rnti->start));
        ev->pci = (uint16_t)uint_of(pci);
    }
    field_info *ncc = first_inside(tree, &f_rrc_reest, NULL) ? first_inside(tree, &f_rrc_ncc, NULL)
                                                             : NULL;
    if (ncc) {
        ev->reest = true;
        ev->ncc = (int)uint_of(ncc);
    }
    release_fields();
}

/* A handover command (RRCConnectionReconfiguration with mobilityControlInfo, TS 36.331
 * 6.2.2) in RRC that kasme just deciphered for the connection of parent. */
bool kasme_carrier_handover(proto_tree *tree, const kasme_item *parent, kasme_handover *ho)
{
    memset(ho, 0, sizeof *ho);
    gather_fields(tree);
    field_info *mobility = first_inside(tree, &f_rrc_mobility, NULL);
    field_info *pci = mobility ? first_inside(tree, &f_rrc_target_pci, NULL) : NULL;
    field_info *new_id = mobility ? first_inside(tree, &f_rrc_new_ue_id, NULL) : NULL;
    field_info *freq = mobility ? first_inside(tree, &f_rrc_dl_freq, NULL) : NULL;
    field_info *ncc = mobility ? first_inside(tree, &f_rrc_ncc, NULL) : NULL;
    bool found = pci && new_id && new_id->length == 2;
    if (found) {
        ho->conn = parent->pdcp.conn;
        ho->new_conn = kasme_conn_key(KASME_CONN_RNTI, kasme_conn_assoc(parent->pdcp.conn),
                                      tvb_get_ntohs(new_id->ds_tvb, new_id->start));
        ho->pci = (uint16_t)uint_of(pci);
        ho->earfcn_dl = freq ? (int32_t)uint_of(freq) : -1;
        ho->ncc = ncc ? (int)uint_of(ncc) : -1;
    }
    release_fields();
    return found;
}

guint kasme_carrier_nas_count(proto_tree *tree)
{
    guint n = 0;
    gather_fields(tree);
    size_t w = wanted_index(&f_nas_eps);
    for (guint j = 0; j < f_nas_eps.n; j++) {
        GPtrArray *all = field_array(w, j);
        n += all ? all->len : 0;
    }
    release_fields();
    return n;
}

/* The NAS PDUs that a dissector call added (those past the first `before` instances): the NAS
 * inside a deciphered RRC message. They belong to the parent PDCP PDU's UE and direction. */
guint kasme_carrier_new_nas(proto_tree *tree, guint before, const kasme_item *parent,
                            kasme_item *items, guint max)
{
    guint seen = 0, n = 0;
    gather_fields(tree);
    size_t w = wanted_index(&f_nas_eps);
    for (guint j = 0; j < f_nas_eps.n; j++) {
        GPtrArray *all = field_array(w, j);
        for (guint k = 0; all && k < all->len && n < max; k++, seen++) {
            field_info *fi = g_ptr_array_index(all, k);
            if (seen < before || fi->length <= 0 || nested_nas(tree, fi))
                continue;
            kasme_item *item = &items[n++];
            memset(item, 0, sizeof *item);
            item->kind = KASME_ITEM_NAS;
            item->tvb = fi->ds_tvb;
            item->offset = fi->start;
            item->length = fi->length;
            item->meta.frame = parent->meta.frame;
            item->meta.conn = parent->pdcp.conn;
            item->meta.dir = parent->pdcp.dir;
        }
    }
    release_fields();
    return n;
}

/* Whether the frame has any field kasme_carrier_learn_keys reads: most frames have none, and
 * the walk's set-up and wiping cost about 1 500 instructions a frame. */
bool kasme_carrier_has_capture_keys(proto_tree *tree)
{
    static const kasme_field *const key_fields[] = {&f_diameter, &f_json_member};
    bool found = false;
    gather_fields(tree);
    for (size_t i = 0; i < G_N_ELEMENTS(key_fields) && !found; i++)
        for (guint j = 0; j < key_fields[i]->n && !found; j++)
            found = field_array(wanted_index(key_fields[i]), j) != NULL;
    release_fields();
    return found;
}

/* Keys the capture carries in clear (capkeys.h): the E-UTRAN-Vectors of a Diameter S6a
 * Authentication-Information-Answer (TS 29.272 7.3.18), tied to the request's User-Name by
 * Session-Id, and SBI JSON bodies with a K_AUSF or a K_SEAF (TS 29.503, TS 29.509). */
typedef struct {
    proto_tree *tree;
    packet_info *pinfo;
    kasme_tracker *tr;
    tvbuff_t *body_tvb;  /* the JSON body being read */
    kasme_sbi_body body;
} key_walk;

static const char *string_of(field_info *fi)
{
    return fvalue_get_string(KASME_FI_VALUE(fi));
}

/* One Diameter message (S6a AIR or AIA; the tracker leaves other messages alone). */
static bool read_diameter(field_info *msg, void *user)
{
    key_walk *w = user;
    if (msg->ds_tvb && msg->length > 0 &&
        tvb_captured_length_remaining(msg->ds_tvb, msg->start) >= msg->length) {
        const guint8 *octets = tvb_get_ptr(msg->ds_tvb, msg->start, msg->length);
        kasme_tracker_s6a_message(w->tr, octets, (size_t)msg->length, w->pinfo->num);
    }
    return true;
}

static void learn_sbi_body(key_walk *w)
{
    kasme_capkey key;
    if (w->body_tvb && kasme_sbi_body_key(&w->body, w->pinfo->num, &key))
        kasme_tracker_learn_key(w->tr, &key);
    kasme_secure_zero(&key, sizeof key);
    kasme_sbi_body_wipe(&w->body);
    w->body_tvb = NULL;
}

/* Members come in document order; a new data source starts another body. */
static bool read_json_member(field_info *member, void *user)
{
    key_walk *w = user;
    if (member->ds_tvb != w->body_tvb) {
        learn_sbi_body(w);
        w->body_tvb = member->ds_tvb;
    }
    kasme_sbi_body_member(&w->body, string_of(member));
    return true;
}

void kasme_carrier_learn_keys(proto_tree *tree, packet_info *pinfo, kasme_tracker *tr)
{
    key_walk *w = g_new0(key_walk, 1);
    w->tree = tree;
    w->pinfo = pinfo;
    w->tr = tr;
    gather_fields(tree);
    each_finfo(tree, &f_diameter, read_diameter, w);
    each_finfo(tree, &f_json_member, read_json_member, w);
    learn_sbi_body(w);
    release_fields();
    kasme_secure_zero(w, sizeof *w);
    g_free(w);
}
