/* The kasme subtree: fields, expert info and the deciphered plaintext as a data source. */
#include "kasme_ws.h"
#include "ws_compat.h"

#include <epan/proto.h>
#include <epan/column-utils.h>
#include <epan/prefs.h>
#include <epan/tap.h> /* union_of_tap_listener_flags */
#include <wsutil/str_util.h> /* wmem_strconcat */

#include "nas_msg.h"
#include "sec_alg.h"
#include "suci.h"

static int hf_ue = -1;
static int hf_imsi = -1;
static int hf_status = -1;
static int hf_dir = -1;
static int hf_ksi = -1;
static int hf_eea = -1;
static int hf_eia = -1;
static int hf_key_source = -1;
static int hf_aka_frame = -1;
static int hf_smc_frame = -1;
static int hf_sn_id = -1;
static int hf_count = -1;
static int hf_mac = -1;
static int hf_mac_calc = -1;
static int hf_mac_status = -1;
static int hf_mac_why = -1;
static int hf_event = -1;
static int hf_deciphered = -1;
static int hf_msg = -1;
static int hf_plaintext = -1;
static int hf_kenb_verdict = -1;
static int hf_kenb_count = -1;
static int hf_key_kasme = -1;
static int hf_key_nas_enc = -1;
static int hf_key_nas_int = -1;
static int hf_key_kenb = -1;
static int hf_layer = -1;
static int hf_rb = -1;
static int hf_bearer = -1;
static int hf_kenb_source = -1;
static int hf_pci = -1;
static int hf_earfcn = -1;
static int hf_nh_verdict = -1;
static int hf_nh_ncc = -1;
static int hf_nh_index = -1;
static int hf_nh_root_count = -1;
static int hf_nh_frame = -1;
static int hf_kenb_confirmed_by = -1;
static int hf_key_rrc_enc = -1;
static int hf_key_rrc_int = -1;
static int hf_key_up_enc = -1;
static int hf_supi = -1;
static int hf_suci_scheme = -1;
static int hf_suci_hnet_id = -1;
static int hf_suci_mac_status = -1;
static int hf_suci_status = -1;
static int hf_nea = -1;
static int hf_nia = -1;
static int hf_kgnb_verdict = -1;
static int hf_kgnb_count = -1;
static int hf_key_kamf = -1;
static int hf_eap_mac = -1;
static int hf_key_kgnb = -1;
static int hf_algs_searched = -1;
static int hf_named_ue = -1;

static gint ett_kasme = -1;
static gint ett_kasme_keys = -1;

static expert_field ei_mac_bad = EI_INIT;
static expert_field ei_mac_unverified = EI_INIT;
static expert_field ei_no_context = EI_INIT;
static expert_field ei_unknown_subscriber = EI_INIT;
static expert_field ei_aka_no_match = EI_INIT;
static expert_field ei_res_bad = EI_INIT;
static expert_field ei_count_replay = EI_INIT;
static expert_field ei_kenb_mismatch = EI_INIT;
static expert_field ei_nh_mismatch = EI_INIT;
static expert_field ei_alg_unavailable = EI_INIT;
static expert_field ei_guessed = EI_INIT;
static expert_field ei_found_by_mac = EI_INIT;
static expert_field ei_ksi_differs = EI_INIT;
static expert_field ei_eea_unknown = EI_INIT;
static expert_field ei_no_kenb = EI_INIT;
static expert_field ei_kgnb_mismatch = EI_INIT;
static expert_field ei_eap_mac_bad = EI_INIT;
static expert_field ei_suci_bad_tag = EI_INIT;
static expert_field ei_suci_unknown_key = EI_INIT;
static expert_field ei_suci_failed = EI_INIT;

/* kasme.tree_detail: the compact tree prints a few summary lines a PDU (tshark -V printed ~19
 * before), every field kept as a hidden item for filters, columns and -T fields; "full" shows
 * each field on its own line. */
enum { KASME_TREE_COMPACT, KASME_TREE_FULL };
static gint tree_detail = KASME_TREE_COMPACT;

static dissector_handle_t nas_eps_plain_handle;
static dissector_handle_t nas_5gs_handle;
static dissector_handle_t rrc_ul_dcch_handle;
static dissector_handle_t rrc_dl_dcch_handle;
static dissector_handle_t ip_handle;
static dissector_handle_t ipv6_handle;

static const value_string status_vals[] = {
    {KASME_PDU_PLAIN, "Not protected"},
    {KASME_PDU_DECIPHERED, "Deciphered"},
    {KASME_PDU_NO_CONTEXT, "No security context"},
    {KASME_PDU_MALFORMED, "Malformed"},
    {KASME_PDU_ALG_UNAVAILABLE, "Algorithm not in this build"},
    {KASME_PDU_CIPHER_REFUSED, "Not deciphered: the cipher refused the PDU"},
    {KASME_PDU_EEA_UNKNOWN, "Not deciphered: the ciphering algorithm is not found yet"},
    {0, NULL},
};

static const value_string dir_vals[] = {{0, "Uplink"}, {1, "Downlink"}, {0, NULL}};
static const value_string eea_vals[] = {
    {0, "EEA0 (null)"}, {1, "128-EEA1 (SNOW 3G)"}, {2, "128-EEA2 (AES)"},
    {3, "128-EEA3 (ZUC)"}, {0, NULL}};
static const value_string eia_vals[] = {
    {0, "EIA0 (null)"}, {1, "128-EIA1 (SNOW 3G)"}, {2, "128-EIA2 (AES)"},
    {3, "128-EIA3 (ZUC)"}, {0, NULL}};
static const value_string suci_scheme_vals[] = {
    {0, "Null scheme"}, {1, "Profile A (X25519)"}, {2, "Profile B (secp256r1)"}, {0, NULL}};
static const value_string nea_vals[] = {
    {0, "NEA0 (null)"}, {1, "128-NEA1 (SNOW 3G)"}, {2, "128-NEA2 (AES)"},
    {3, "128-NEA3 (ZUC)"}, {0, NULL}};
static const value_string nia_vals[] = {
    {0, "NIA0 (null)"}, {1, "128-NIA1 (SNOW 3G)"}, {2, "128-NIA2 (AES)"},
    {3, "128-NIA3 (ZUC)"}, {0, NULL}};
static const value_string kenb_vals[] = {
    {KASME_KENB_UNCHECKED, "Not checked"},
    {KASME_KENB_CONFIRMED, "Confirmed"},
    {KASME_KENB_MISMATCH, "Mismatch"},
    {0, NULL}};

/* Wireshark 4.2 and later add the columns as fields (_ws.col.info, _ws.col.protocol) before
 * they call the post-dissectors (packet-frame.c, col_dissect), so "-T fields -e _ws.col.info"
 * and a filter on it would still see "Ciphered message". Where one of these fields is primed,
 * it gets the column's text once kasme's plaintext has been dissected. */
typedef struct {
    const char *name;
    gint column;
    int hf; /* looked up on every file's init: column preferences re-register the fields */
} column_field;

static column_field column_fields[] = {{"_ws.col.info", COL_INFO, -1},
                                       {"_ws.col.protocol", COL_PROTOCOL, -1}};
static guint32 columns_changed_in; /* the frame whose columns kasme's plaintext changed */

static void lookup_column_fields(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(column_fields); i++)
        column_fields[i].hf = proto_registrar_get_id_byname(column_fields[i].name);
    columns_changed_in = 0;
}

static void sync_column_field(proto_tree *tree, packet_info *pinfo, const column_field *cf)
{
#if KASME_WS_AT_LEAST(4, 2) /* 4.0 has no such fields (and exports no fvalue_set_string) */
    GPtrArray *fis = cf->hf > 0 ? proto_get_finfo_ptr_array(tree, cf->hf) : NULL;
    const gchar *text = fis && fis->len ? col_get_text(pinfo->cinfo, cf->column) : NULL;
    for (guint i = 0; text && i < fis->len; i++) {
        field_info *fi = g_ptr_array_index(fis, i);
        if (fi->hfinfo->type == FT_STRING && strcmp(fi->hfinfo->abbrev, cf->name) == 0)
            fvalue_set_string(KASME_FI_VALUE(fi), text);
    }
#else
    (void)tree, (void)pinfo, (void)cf;
#endif
}

void kasme_display_sync_column_fields(proto_tree *tree, packet_info *pinfo)
{
    if (columns_changed_in != pinfo->num || !tree || !pinfo->cinfo)
        return;
    columns_changed_in = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(column_fields); i++)
        sync_column_field(tree, pinfo, &column_fields[i]);
}

void kasme_display_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_ue, {"UE", "kasme.ue", FT_UINT32, BASE_DEC, NULL, 0, "kasme's number for the UE", HFILL}},
        {&hf_imsi, {"IMSI", "kasme.imsi", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_status, {"Status", "kasme.status", FT_UINT8, BASE_DEC, VALS(status_vals), 0, NULL, HFILL}},
        {&hf_dir, {"Direction", "kasme.direction", FT_UINT8, BASE_DEC, VALS(dir_vals), 0, NULL, HFILL}},
        {&hf_ksi, {"NAS KSI", "kasme.ksi", FT_INT8, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_eea, {"Ciphering algorithm", "kasme.eea", FT_UINT8, BASE_DEC, VALS(eea_vals), 0, NULL, HFILL}},
        {&hf_eia, {"Integrity algorithm", "kasme.eia", FT_UINT8, BASE_DEC, VALS(eia_vals), 0, NULL, HFILL}},
        {&hf_key_source, {"Key source", "kasme.key_source", FT_STRING, BASE_NONE, NULL, 0, "Where the keys came from", HFILL}},
        {&hf_aka_frame, {"AKA in frame", "kasme.aka_frame", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_smc_frame, {"Security Mode Command in frame", "kasme.smc_frame", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_sn_id, {"Serving network id", "kasme.sn_id", FT_BYTES, BASE_NONE, NULL, 0, "PLMN used for K_ASME", HFILL}},
        {&hf_count, {"NAS COUNT", "kasme.count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_mac, {"MAC", "kasme.mac", FT_UINT32, BASE_HEX, NULL, 0, "MAC as received", HFILL}},
        {&hf_mac_calc, {"Calculated MAC", "kasme.mac.calculated", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL}},
        {&hf_mac_status, {"MAC status", "kasme.mac.status", FT_UINT8, BASE_NONE, VALS(proto_checksum_vals), 0, NULL, HFILL}},
        {&hf_eap_mac, {"EAP-AKA' AT_MAC", "kasme.eap.mac", FT_UINT8, BASE_NONE, VALS(proto_checksum_vals), 0, "AT_MAC under K_aut of CK'/IK' (RFC 9048 3.5); Bad when no EAP identity gives it", HFILL}},
        {&hf_mac_why, {"Not verified because", "kasme.mac.unverified_reason", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_event, {"Event", "kasme.event", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_deciphered, {"Deciphered", "kasme.deciphered", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_msg, {"Message", "kasme.msg", FT_STRING, BASE_NONE, NULL, 0, "Plaintext message type", HFILL}},
        {&hf_plaintext, {"Plaintext", "kasme.plaintext", FT_BYTES, BASE_NONE, NULL, 0, "The deciphered message", HFILL}},
        {&hf_kenb_verdict, {"K_eNB", "kasme.kenb", FT_UINT8, BASE_DEC, VALS(kenb_vals), 0, "S1AP SecurityKey against the derived K_eNB", HFILL}},
        {&hf_kenb_count, {"K_eNB from UL NAS COUNT", "kasme.kenb.ul_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_key_kasme, {"K_ASME", "kasme.key.kasme", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_key_nas_enc, {"K_NASenc", "kasme.key.nas_enc", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_key_nas_int, {"K_NASint", "kasme.key.nas_int", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_key_kenb, {"K_eNB", "kasme.key.kenb", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_key_rrc_enc, {"K_RRCenc", "kasme.key.rrc_enc", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_key_rrc_int, {"K_RRCint", "kasme.key.rrc_int", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_key_up_enc, {"K_UPenc", "kasme.key.up_enc", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_layer, {"Layer", "kasme.layer", FT_STRING, BASE_NONE, NULL, 0, "NAS, RRC (SRB) or UP (DRB)", HFILL}},
        {&hf_rb, {"Radio bearer", "kasme.rb", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_bearer, {"BEARER", "kasme.bearer", FT_UINT8, BASE_DEC, NULL, 0, "BEARER input of EEA/EIA", HFILL}},
        {&hf_pci, {"K_eNB* PCI", "kasme.pci", FT_UINT16, BASE_DEC, NULL, 0, "Target cell of the re-establishment", HFILL}},
        {&hf_earfcn, {"K_eNB* EARFCN-DL", "kasme.earfcn_dl", FT_UINT32, BASE_DEC, NULL, 0, "Found by the MAC-I of the first SRB1 PDU", HFILL}},
        {&hf_kenb_source, {"K_eNB source", "kasme.kenb.source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_supi, {"SUPI", "kasme.supi", FT_STRING, BASE_NONE, NULL, 0, "The IMSI digits of the SUPI a SUCI carried (de-concealed for Profiles A and B)", HFILL}},
        {&hf_suci_scheme, {"SUCI protection scheme", "kasme.suci.scheme", FT_UINT8, BASE_DEC, VALS(suci_scheme_vals), 0, NULL, HFILL}},
        {&hf_suci_hnet_id, {"Home network public key id", "kasme.suci.hnet_id", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_suci_mac_status, {"SUCI MAC tag status", "kasme.suci.mac.status", FT_UINT8, BASE_NONE, VALS(proto_checksum_vals), 0, "The ECIES MAC tag (TS 33.501 C.3.3) checked with the home network key", HFILL}},
        {&hf_suci_status, {"SUCI", "kasme.suci.status", FT_STRING, BASE_NONE, NULL, 0, "Why the SUPI could not be had", HFILL}},
        {&hf_nea, {"Ciphering algorithm", "kasme.nea", FT_UINT8, BASE_DEC, VALS(nea_vals), 0, "5GS NAS ciphering algorithm", HFILL}},
        {&hf_nia, {"Integrity algorithm", "kasme.nia", FT_UINT8, BASE_DEC, VALS(nia_vals), 0, "5GS NAS integrity algorithm", HFILL}},
        {&hf_kgnb_verdict, {"K_gNB", "kasme.kgnb", FT_UINT8, BASE_DEC, VALS(kenb_vals), 0, "NGAP SecurityKey against the derived K_gNB", HFILL}},
        {&hf_kgnb_count, {"K_gNB from UL NAS COUNT", "kasme.kgnb.ul_count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_key_kamf, {"K_AMF", "kasme.key.kamf", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_key_kgnb, {"K_gNB", "kasme.key.kgnb", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_nh_verdict, {"NH", "kasme.nh", FT_UINT8, BASE_DEC, VALS(kenb_vals), 0, "S1AP or NGAP SecurityContext's NH against the UE's NH chain", HFILL}},
        {&hf_nh_ncc, {"NCC", "kasme.nh.ncc", FT_UINT8, BASE_DEC, NULL, 0, "nextHopChainingCount", HFILL}},
        {&hf_nh_index, {"NH chain position", "kasme.nh.index", FT_UINT32, BASE_DEC, NULL, 0, "i of NH_i: NH_1 = KDF(K_ASME, initial K_eNB) or KDF(K_AMF, initial K_gNB)", HFILL}},
        {&hf_nh_root_count, {"NH chain from the K_eNB (K_gNB) of UL NAS COUNT", "kasme.nh.root_ul_count", FT_UINT32, BASE_DEC, NULL, 0, "The chain starts from a K_eNB (K_gNB) no SecurityKey carried, derived from this uplink NAS COUNT (e.g. Open5GS's MME at a TAU with active flag while connected)", HFILL}},
        {&hf_nh_frame, {"NH from S1AP in frame", "kasme.nh.frame", FT_FRAMENUM, BASE_NONE, NULL, 0, "K_eNB* = KDF(NH, PCI, EARFCN-DL) with this frame's NH", HFILL}},
        {&hf_algs_searched, {"Algorithms found by MAC search", "kasme.algs_searched", FT_BOOLEAN, BASE_NONE, NULL, 0, "No SMC in the capture: the key-file root key, EIA/NIA and COUNT chosen by the MAC, EEA/NEA by a plaintext that is a valid NAS message", HFILL}},
        {&hf_named_ue, {"UE the identity named", "kasme.named_ue", FT_UINT32, BASE_DEC, NULL, 0, "Its GUTI or S-TMSI named this UE, whose context failed the MAC; the context that verified is another UE's (kasme.ue)", HFILL}},
        {&hf_kenb_confirmed_by, {"K_eNB* confirmed by", "kasme.kenb.confirmed_by", FT_STRING, BASE_NONE, NULL, 0, "The check that confirmed a new key set", HFILL}},
    };
    static gint *ett[] = {&ett_kasme, &ett_kasme_keys};
    static ei_register_info ei[] = {
        {&ei_mac_bad, {"kasme.mac.bad", PI_CHECKSUM, PI_ERROR, "MAC verification failed", EXPFILL}},
        {&ei_mac_unverified, {"kasme.mac.unverified", PI_CHECKSUM, PI_NOTE, "MAC not verified", EXPFILL}},
        {&ei_no_context, {"kasme.no_context", PI_UNDECODED, PI_WARN, "Protected NAS PDU without a known security context", EXPFILL}},
        {&ei_unknown_subscriber, {"kasme.unknown_subscriber", PI_SECURITY, PI_WARN, "Subscriber not in the key file", EXPFILL}},
        {&ei_aka_no_match, {"kasme.aka.no_match", PI_SECURITY, PI_WARN, "No subscriber's MAC-A matches AUTN", EXPFILL}},
        {&ei_res_bad, {"kasme.aka.res_bad", PI_SECURITY, PI_WARN, "RES differs from the expected XRES", EXPFILL}},
        {&ei_count_replay, {"kasme.count.out_of_order", PI_SEQUENCE, PI_WARN, "NAS COUNT not above the previous one", EXPFILL}},
        {&ei_kenb_mismatch, {"kasme.kenb.mismatch", PI_SECURITY, PI_ERROR, "S1AP SecurityKey differs from every derived K_eNB", EXPFILL}},
        {&ei_nh_mismatch, {"kasme.nh.mismatch", PI_SECURITY, PI_ERROR, "S1AP or NGAP NH differs from the UE's NH chain", EXPFILL}},
        {&ei_alg_unavailable, {"kasme.alg_unavailable", PI_UNDECODED, PI_WARN, "Algorithm not in this build of kasme", EXPFILL}},
        {&ei_suci_bad_tag, {"kasme.suci.mac.bad", PI_CHECKSUM, PI_ERROR, "SUCI MAC tag does not verify with the home network key: no SUPI", EXPFILL}},
        {&ei_suci_unknown_key, {"kasme.suci.unknown_key", PI_SECURITY, PI_WARN, "No home network private key with this id and scheme in the key file", EXPFILL}},
        {&ei_suci_failed, {"kasme.suci.failed", PI_MALFORMED, PI_WARN, "SUCI not de-concealed", EXPFILL}},
        {&ei_eap_mac_bad, {"kasme.eap.mac.bad", PI_CHECKSUM, PI_ERROR, "EAP-AKA' AT_MAC does not verify", EXPFILL}},
        {&ei_kgnb_mismatch, {"kasme.kgnb.mismatch", PI_SECURITY, PI_ERROR, "NGAP SecurityKey differs from every derived K_gNB", EXPFILL}},
        {&ei_no_kenb, {"kasme.kenb.none", PI_UNDECODED, PI_WARN, "No K_eNB candidate verifies the RRC Security Mode Command", EXPFILL}},
        {&ei_guessed, {"kasme.ue_guessed", PI_SECURITY, PI_NOTE, "UE found by trying known contexts against the MAC", EXPFILL}},
        {&ei_found_by_mac, {"kasme.found_by_mac", PI_SECURITY, PI_NOTE, "Security context found by MAC, not by identity", EXPFILL}},
        {&ei_ksi_differs, {"kasme.ksi_differs", PI_PROTOCOL, PI_WARN, "Service Request's KSI is not its security context's; the UE's current context verified the short MAC", EXPFILL}},
        {&ei_eea_unknown, {"kasme.eea_unknown", PI_UNDECODED, PI_NOTE, "Ciphering algorithm not found yet: no plaintext", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *expert = expert_register_protocol(proto);
    expert_register_field_array(expert, ei, array_length(ei));
    register_init_routine(lookup_column_fields);
}

void kasme_display_register_prefs(module_t *module)
{
    static const enum_val_t detail_vals[] = {
        {"compact", "Compact: a few summary lines, every field still filterable", KASME_TREE_COMPACT},
        {"full", "Full: every field on its own line", KASME_TREE_FULL},
        {NULL, NULL, -1}};
    prefs_register_enum_preference(
        module, "tree_detail", "Tree detail",
        "compact: the top line, then UE and IMSI, key source and frames, algorithms with KSI, "
        "direction and COUNT, and the MAC verdict (a failed MAC also on lines of its own); the "
        "other fields are hidden items, still usable in filters, columns and -T fields. "
        "full: every field on its own line.",
        &tree_detail, detail_vals, FALSE);
}

/* Labels cost a formatted string each; they are seen only in a printed tree, or for kasme's
 * own item when a column or a filter asks for it (a child item that is not printed may be a
 * stand-in for its parent, so its label is left alone then). */
static bool top_label_wanted(proto_tree *tree)
{
    return proto_field_is_referenced(tree, proto_kasme);
}

static bool child_label_wanted(proto_tree *t)
{
    return t && PTREE_DATA(t) && PTREE_DATA(t)->visible;
}

/* kasme's items, wanted when the tree is printed or a filter, column or -T fields names kasme
 * or one of its fields; otherwise Wireshark would only fake them, at a cost for each call. */
static proto_tree *kasme_subtree(proto_tree *tree, proto_item *top)
{
    return top_label_wanted(tree) ? proto_item_add_subtree(top, ett_kasme) : NULL;
}

/* A result's top item, made when first needed. At once when kasme's subtree is wanted or a tap
 * reads the protocol tree (-z io,phs counts protocols by their items); otherwise only for expert
 * info, which hangs from it (_ws.expert): in summary output most PDUs then make no item at all,
 * where Wireshark would make a real one (the root's items are never faked). */
typedef struct {
    proto_tree *tree;
    const kasme_item *item;
    proto_item *made;
} kasme_top;

static proto_item *top_item(kasme_top *top)
{
    if (!top->made)
        top->made = proto_tree_add_item(top->tree, proto_kasme, top->item->tvb,
                                        top->item->offset, top->item->length, ENC_NA);
    return top->made;
}

/* The top item and kasme's subtree when they are wanted now, else NULL (see kasme_top). */
static proto_tree *start_result(kasme_top *top)
{
    if (!top_label_wanted(top->tree) &&
        !(union_of_tap_listener_flags() & TL_REQUIRES_PROTO_TREE))
        return NULL;
    return kasme_subtree(top->tree, top_item(top));
}

/* A printed tree in the compact form (kasme.tree_detail). */
static bool compact(proto_tree *t)
{
    return tree_detail == KASME_TREE_COMPACT && child_label_wanted(t);
}

/* An item with a line of its own in either form of the tree. */
static proto_item *line(proto_item *it)
{
    proto_item_set_generated(it);
    return it;
}

/* An item whose value a summary line of the compact tree shows: hidden there, still in
 * filters, columns and -T fields; its own line in the full tree. */
static proto_item *detail(proto_tree *t, proto_item *it)
{
    proto_item_set_generated(it);
    if (compact(t))
        proto_item_set_hidden(it);
    return it;
}

static proto_item *line_if(proto_tree *t, proto_item *it, bool own_line)
{
    return own_line ? line(it) : detail(t, it);
}

/* The UE, and its IMSI on the same line in the compact tree. */
static void add_ue(proto_tree *t, uint32_t ue_id, const char *imsi)
{
    if (!t)
        return;
    bool has_imsi = imsi && imsi[0];
    proto_item *ue = ue_id ? line(proto_tree_add_uint(t, hf_ue, NULL, 0, 0, ue_id)) : NULL;
    /* an appended label: cheaper in Wireshark than a _format_value item (callgrind) */
    if (ue && has_imsi && compact(t))
        proto_item_append_text(ue, ", IMSI %s", imsi);
    if (has_imsi)
        line_if(t, proto_tree_add_string(t, hf_imsi, NULL, 0, 0, imsi), !ue_id);
}

/* A status other than deciphered or not protected is news: a line of its own. */
static void add_status(proto_tree *t, kasme_pdu_status status)
{
    if (!t)
        return;
    proto_item *it = proto_tree_add_uint(t, hf_status, NULL, 0, 0, status);
    if (status == KASME_PDU_DECIPHERED || status == KASME_PDU_PLAIN)
        detail(t, it);
    else
        line(it);
}

/* Whether the plaintext is a NAS message of its context's domain (5GS: an EPD of TS 24.007
 * 11.2.3.1.1A; EPS: any other first octet): a wrong key or BEARER gives one that is not, which
 * must not be named or dissected as the other domain's message. */
static bool plain_is_5gs(const kasme_frame_result *fr)
{
    if (fr->nas.has_ctx)
        return fr->nas.ctx.domain == KASME_DOMAIN_5GS;
    return fr->nas.plain_len && kasme_nas_epd_is_5gs(fr->plain[0]);
}

/* nas-eps_plain for EPS; nas-5gs for 5GS, whose plain messages it dissects as they are. */
static dissector_handle_t plain_handle(const kasme_frame_result *fr)
{
    if (plain_is_5gs(fr)) {
        if (!nas_5gs_handle)
            nas_5gs_handle = find_dissector("nas-5gs");
        return nas_5gs_handle;
    }
    if (!nas_eps_plain_handle)
        nas_eps_plain_handle = find_dissector("nas-eps_plain");
    return nas_eps_plain_handle;
}

static void add_events(proto_tree *tree, packet_info *pinfo, kasme_top *top,
                       const kasme_nas_result *r)
{
    static const struct {
        uint32_t bit;
        const char *text;
        expert_field *ei;
    } events[] = {
        {KASME_EV_AKA_MATCH, "AKA: subscriber found by MAC-A", NULL},
        {KASME_EV_AKA_NO_MATCH, "AKA: no subscriber's MAC-A matches AUTN", &ei_aka_no_match},
        {KASME_EV_RES_OK, "AKA: RES verified", NULL},
        {KASME_EV_RES_BAD, "AKA: RES differs from XRES", &ei_res_bad},
        {KASME_EV_SMC_CONTEXT, "Security Mode Command: NAS security context taken into use", NULL},
        {KASME_EV_KENB_DERIVED, "This uplink NAS COUNT is the K_eNB (K_gNB) input (TS 33.401 A.3, TS 33.501 A.9) if the network takes the message", NULL},
        {KASME_EV_COUNT_REPLAY, "NAS COUNT not above the previous one", &ei_count_replay},
        {KASME_EV_UNKNOWN_SUBSCRIBER, "Subscriber not in the key file", &ei_unknown_subscriber},
        {KASME_EV_AUTH_FAILURE, "Authentication failure: the AKA is void", NULL},
        {KASME_EV_IDENTITY, "Identity learned (IMSI or GUTI)", NULL},
        {KASME_EV_CONTEXT_GUESSED, "UE found by trying known contexts against the MAC", &ei_guessed},
        {KASME_EV_AS_SMC, "RRC Security Mode Command: AS security taken into use", NULL},
        {KASME_EV_NO_KENB, "RRC Security Mode Command: no K_eNB candidate verifies its MAC-I", &ei_no_kenb},
        {KASME_EV_CAPTURE_VECTOR, "AKA: RAND of a vector the capture carried (key source)", NULL},
        {KASME_EV_ALGS_SEARCHED, "No SMC in the capture: algorithms found by MAC search", NULL},
        {KASME_EV_FOUND_BY_MAC, "Security context found by MAC, not by identity", NULL},
        {KASME_EV_EAP_MAC_OK, "EAP-AKA': AT_MAC verified with K_aut", NULL},
        {KASME_EV_EAP_MAC_BAD, "EAP-AKA': AT_MAC does not verify", &ei_eap_mac_bad},
        {KASME_EV_KSI_DIFFERS, "KSI differs from the context's: the UE's current context verified the short MAC", &ei_ksi_differs},
    };
    if (!r->events) /* most PDUs: no need to walk the table */
        return;
    if (tree && (r->events & (KASME_EV_EAP_MAC_OK | KASME_EV_EAP_MAC_BAD)))
        line(proto_tree_add_uint(tree, hf_eap_mac, NULL, 0, 0,
                                 r->events & KASME_EV_EAP_MAC_OK ? KASME_MAC_GOOD : KASME_MAC_BAD));
    for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
        if (!(r->events & events[i].bit))
            continue;
        if (tree)
            line(proto_tree_add_string(tree, hf_event, NULL, 0, 0, events[i].text));
        if (events[i].ei)
            expert_add_info(pinfo, top_item(top), events[i].ei);
    }
}

/* Values that are not in the packet (keys, the serving network id) get a tvb of their own,
 * not shown as a data source. */
static proto_item *add_key(proto_tree *tree, tvbuff_t *parent, int hf, const uint8_t *key,
                           guint len)
{
    if (!tree)
        return NULL;
    tvbuff_t *key_tvb = tvb_new_child_real_data(parent, key, len, (gint)len);
    return line(proto_tree_add_item(tree, hf, key_tvb, 0, (gint)len, ENC_NA));
}

/* text, then v in decimal, at p; returns the end. */
static char *put_text_uint(char *p, const char *text, uint32_t v)
{
    size_t len = strlen(text);
    memcpy(p, text, len);
    p += len;
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = digits[--n];
    return p;
}

/* ", AKA in frame a, SMC in frame s" for the frames there are (0: none), without printf: an
 * snprintf cost more than the appended text it replaces (callgrind). buf: at least 64 octets. */
static void frames_text(char *buf, uint32_t aka_frame, uint32_t smc_frame)
{
    char *end = buf;
    if (aka_frame)
        end = put_text_uint(end, ", AKA in frame ", aka_frame);
    if (smc_frame)
        end = put_text_uint(end, ", SMC in frame ", smc_frame);
    *end = '\0';
}

/* The key source line; in the compact tree it names the AKA and SMC frames too, in the one
 * formatted label (an appended text would format the label again). Made only when it is shown
 * or filtered on, as Wireshark would fake it otherwise: its text reads the key-file entry, a
 * cache miss a PDU. */
static void add_key_source_line(proto_tree *tree, const kasme_nas_result *r)
{
    if (!proto_field_is_referenced(tree, hf_key_source))
        return;
    char who[128] = "";
    if (r->ctx.sub)
        kasme_subscriber_describe(r->ctx.sub, who, sizeof who);
    bool fivegs = r->ctx.domain == KASME_DOMAIN_5GS;
    bool in_capture = r->ctx.sub && r->ctx.sub->in_capture;
    const char *how = in_capture                 ? (fivegs ? "K_AMF from" : "K_ASME from")
                      : r->ctx.from_keyfile_kasme ? (fivegs ? "K_AMF from key file"
                                                            : "K_ASME from key file")
                                                  : (fivegs ? "5G AKA with subscriber"
                                                            : "AKA with subscriber");
    const char *searched = r->ctx.algs_searched ? ", algorithms found by MAC search" : "";
    char frames[64] = "";
    if (compact(tree))
        frames_text(frames, r->ctx.aka_frame, r->ctx.smc_frame);
    line(proto_tree_add_string_format_value(tree, hf_key_source, NULL, 0, 0, who, "%s %s%s%s",
                                            how, who, searched, frames));
}

/* The key source line and the context's fields. Returns the ciphering algorithm's item, which
 * holds the compact tree's algorithms line. */
static proto_item *add_key_source(proto_tree *tree, tvbuff_t *parent, const kasme_nas_result *r)
{
    add_key_source_line(tree, r);
    bool fivegs = r->ctx.domain == KASME_DOMAIN_5GS;
    if (r->ctx.algs_searched)
        detail(tree, proto_tree_add_boolean(tree, hf_algs_searched, NULL, 0, 0, TRUE));
    if (r->ctx.aka_frame)
        detail(tree, proto_tree_add_uint(tree, hf_aka_frame, NULL, 0, 0, r->ctx.aka_frame));
    if (r->ctx.smc_frame)
        detail(tree, proto_tree_add_uint(tree, hf_smc_frame, NULL, 0, 0, r->ctx.smc_frame));
    detail(tree, proto_tree_add_int(tree, hf_ksi, NULL, 0, 0, r->ctx.ksi));
    proto_item *alg = line(proto_tree_add_uint(tree, fivegs ? hf_nea : hf_eea, NULL, 0, 0, r->ctx.eea));
    detail(tree, proto_tree_add_uint(tree, fivegs ? hf_nia : hf_eia, NULL, 0, 0, r->ctx.eia));
    if (!r->ctx.from_keyfile_kasme)
        detail(tree, add_key(tree, parent, hf_sn_id, r->ctx.sn_id, 3));
    return alg;
}

/* The compact tree's algorithms line, on the ciphering algorithm's item. */
static void nas_algorithms_line(proto_item *alg, const kasme_nas_result *r)
{
    bool fivegs = r->ctx.domain == KASME_DOMAIN_5GS;
    proto_item_set_text(alg, "Algorithms: %s, %s, KSI %d, %s, NAS COUNT %u",
                        val_to_str_const(r->ctx.eea, fivegs ? nea_vals : eea_vals, "?"),
                        val_to_str_const(r->ctx.eia, fivegs ? nia_vals : eia_vals, "?"),
                        r->ctx.ksi, val_to_str_const((guint32)r->dir, dir_vals, "direction unknown"),
                        r->count);
}

static void add_keys(proto_tree *tree, tvbuff_t *parent, const kasme_nas_result *r)
{
    if (!tree || !kasme_keys_show() || !(r->has_kasme || r->has_kenb))
        return;
    proto_tree *keys = proto_tree_add_subtree(tree, parent, 0, 0, ett_kasme_keys, NULL,
                                              "Derived keys (preference \"show keys\")");
    bool fivegs = r->has_ctx && r->ctx.domain == KASME_DOMAIN_5GS;
    if (r->has_kasme)
        add_key(keys, parent, fivegs ? hf_key_kamf : hf_key_kasme, r->kasme, 32);
    if (r->has_nas_keys) {
        add_key(keys, parent, hf_key_nas_enc, r->k_nas_enc, 16);
        add_key(keys, parent, hf_key_nas_int, r->k_nas_int, 16);
    }
    if (r->has_kenb)
        add_key(keys, parent, fivegs ? hf_key_kgnb : hf_key_kenb, r->kenb, 32);
}

/* The verdict on a NAS MAC or an RRC MAC-I the way Wireshark shows checksums: the calculated
 * value, the status (1 good, 0 bad), and expert info for a failure or a missing check. The
 * compact tree has the status on the received MAC's line (mac, NULL when the PDU is too short
 * to hold it); a failed MAC keeps its calculated value and status on lines of their own. */
/* The MAC as received (a 2-octet short MAC or 4 octets); the compact tree appends its verdict,
 * "MAC: 0x2fcd9aa4 [Good]", in one append (cheaper than a _format_value item). */
static proto_item *add_mac_item(proto_tree *tree, tvbuff_t *tvb, gint offset, gint len,
                                uint32_t received, bool deciphered, int status, const char *why)
{
    proto_item *mac = proto_tree_add_uint(tree, hf_mac, tvb, offset, len, received);
    const char *shown = deciphered ? " (deciphered)" : "";
    if (!compact(tree)) {
        if (deciphered && child_label_wanted(tree))
            proto_item_append_text(mac, "%s", shown);
        return mac;
    }
    const char *verdict = val_to_str_const((guint32)status, proto_checksum_vals, "?");
    if (status == KASME_MAC_UNVERIFIED && why)
        proto_item_append_text(mac, "%s [%s: %s]", shown, verdict, why);
    else
        proto_item_append_text(mac, "%s [%s]", shown, verdict);
    return mac;
}

static void add_mac_verdict(proto_tree *tree, packet_info *pinfo, kasme_top *top,
                            proto_item *mac, const char *what, int status, uint32_t received,
                            uint32_t calculated, const char *why)
{
    bool own_lines = status == KASME_MAC_BAD || !mac;
    if (tree && (status == KASME_MAC_GOOD || status == KASME_MAC_BAD)) {
        proto_item *calc = proto_tree_add_uint(tree, hf_mac_calc, NULL, 0, 0, calculated);
        line_if(tree, calc, own_lines);
    }
    if (tree)
        line_if(tree, proto_tree_add_uint(tree, hf_mac_status, NULL, 0, 0, (guint32)status),
                own_lines);
    bool why_shown = status == KASME_MAC_UNVERIFIED && why;
    if (status == KASME_MAC_BAD)
        expert_add_info_format(pinfo, top_item(top), &ei_mac_bad,
                               "%s verification failed: received 0x%08x, calculated 0x%08x",
                               what, received, calculated);
    if (why_shown) {
        if (tree)
            line_if(tree, proto_tree_add_string(tree, hf_mac_why, NULL, 0, 0, why), own_lines);
        expert_add_info_format(pinfo, top_item(top), &ei_mac_unverified, "%s not verified: %s", what, why);
    }
}

/* The received MAC's item, NULL when the PDU is too short to hold it. */
static proto_item *nas_mac_item(proto_tree *tree, const kasme_item *item,
                                const kasme_nas_result *r)
{
    bool short_mac = r->sec_hdr >= 12;
    /* after the header octet (EPS) or octets (5GS: EPD, security header type) */
    gint hdr_len = item->length > 0 &&
                   KASME_TVB_GET_U8(item->tvb, item->offset) == KASME_NAS_EPD_5GMM ? 2 : 1;
    gint mac_at = short_mac ? 2 : hdr_len;
    gint mac_len = short_mac ? 2 : 4;
    if (item->length < mac_at + mac_len) /* a truncated PDU's MAC is not there to show */
        return NULL;
    return add_mac_item(tree, item->tvb, item->offset + mac_at, mac_len, r->mac_received,
                        false, r->mac_status, r->unverified_why);
}

/* The MAC as Wireshark shows checksums: value, calculated value, status (1 good, 0 bad);
 * without a subtree only the verdict's expert info. */
static void add_mac(proto_tree *tree, packet_info *pinfo, kasme_top *top,
                    const kasme_item *item, const kasme_nas_result *r)
{
    proto_item *mac = tree ? nas_mac_item(tree, item, r) : NULL;
    add_mac_verdict(tree, pinfo, top, mac, "MAC", r->mac_status, r->mac_received,
                    r->mac_calculated, r->unverified_why);
}

/* The plaintext's item; none without a subtree (Wireshark checks an item's range even for
 * no tree). */
static void add_plaintext(proto_tree *t, tvbuff_t *plain)
{
    if (t)
        detail(t, proto_tree_add_item(t, hf_plaintext, plain, 0, -1, ENC_NA));
}

/* The Info column: nas-eps's "Ciphered message" in the text before (saved, saved_len long)
 * replaced by the plaintext's names, or the names appended. Built in one pool buffer that is
 * set without a copy (col_set_str): it lives as long as the packet's columns. A text longer
 * than the Info column holds is copied and cut by col_add_str, as before. */
static void merge_info(packet_info *pinfo, const gchar *saved, size_t saved_len,
                       const gchar *names)
{
    static const char ciphered[] = "Ciphered message";
    const size_t ciphered_len = sizeof ciphered - 1;
    const gchar *hole = strstr(saved, ciphered);
    size_t prefix_len = hole ? (size_t)(hole - saved) : saved_len;
    const char *sep = hole || !saved_len ? "" : ", ";
    size_t sep_len = strlen(sep);
    const gchar *suffix = hole ? hole + ciphered_len : saved + saved_len;
    size_t suffix_len = saved_len - (size_t)(suffix - saved);
    size_t names_len = strlen(names);
    size_t len = prefix_len + sep_len + names_len + suffix_len;
    gchar *merged = wmem_alloc(pinfo->pool, len + 1);
    memcpy(merged, saved, prefix_len);
    memcpy(merged + prefix_len, sep, sep_len);
    memcpy(merged + prefix_len + sep_len, names, names_len);
    memcpy(merged + prefix_len + sep_len + names_len, suffix, suffix_len);
    merged[len] = '\0';
    if (len < COL_MAX_INFO_LEN)
        col_set_str(pinfo->cinfo, COL_INFO, merged);
    else
        col_add_str(pinfo->cinfo, COL_INFO, merged);
}

/* Replaces nas-eps's "Ciphered message" in the Info column with what the plaintext is. */
static void show_plaintext(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           proto_tree *kasme_tree, const kasme_frame_result *fr)
{
    dissector_handle_t h = plain_handle(fr);
    tvbuff_t *plain = tvb_new_child_real_data(tvb, fr->plain, (guint)fr->nas.plain_len,
                                              (gint)fr->nas.plain_len);
    add_new_data_source(pinfo, plain, "Deciphered NAS");
    add_plaintext(kasme_tree, plain);
    if (!h)
        return;
    const gchar *before = col_get_text(pinfo->cinfo, COL_INFO);
    size_t saved_len = before ? strlen(before) : 0;
    /* a copy: the plaintext's dissector writes over the column's buffer */
    const gchar *saved = before ? wmem_memdup(pinfo->pool, before, saved_len + 1) : NULL;
    col_set_writable(pinfo->cinfo, COL_INFO, TRUE); /* RLC-LTE may have frozen it */
    col_clear_fence(pinfo->cinfo, COL_INFO);
    col_set_str(pinfo->cinfo, COL_INFO, "");
    call_dissector(h, plain, pinfo, tree);
    const gchar *names = col_get_text(pinfo->cinfo, COL_INFO);
    if (saved && names)
        merge_info(pinfo, saved, saved_len, names);
    columns_changed_in = pinfo->num;
}

static void summary(proto_item *top, const kasme_nas_result *r, const char *msg_name)
{
    static const char *const mac_words[] = {"MAC FAILED", "MAC verified", "MAC not verified",
                                            "no MAC"};
    const char *name = msg_name ? msg_name : "message";
    const char *state = r->status == KASME_PDU_DECIPHERED ? "" : " (not deciphered)";
    const char *mac = mac_words[r->mac_status & 3];
    if (r->ue_id) /* one formatted append: each costs the label again */
        proto_item_append_text(top, ": NAS %s%s, %s (UE %u, COUNT %u)", name, state, mac,
                               r->ue_id, r->count);
    else
        proto_item_append_text(top, ": NAS %s%s, %s", name, state, mac);
}

static const char *plain_name(const kasme_frame_result *fr)
{
    const kasme_nas_result *r = &fr->nas;
    if (r->sec_hdr >= 12)
        return KASME_NAS_NAME_SERVICE_REQ;
    if (!r->plain_len || r->plain_len < 2 || !fr->plain)
        return NULL;
    if (plain_is_5gs(fr) != kasme_nas_epd_is_5gs(fr->plain[0]))
        return NULL;
    if (kasme_nas_epd_is_5gs(fr->plain[0])) { /* EPD, then 5GMM: sec hdr; 5GSM: PSI, PTI */
        size_t at = fr->plain[0] == KASME_NAS_EPD_5GMM ? 2 : 3;
        return r->plain_len > at ? kasme_nas_msg_name(fr->plain[0], fr->plain[at]) : NULL;
    }
    uint8_t pd = fr->plain[0] & 0x0F;
    uint8_t type = pd == 2 ? (r->plain_len >= 3 ? fr->plain[2] : 0) : fr->plain[1];
    return kasme_nas_msg_name(pd, type);
}

/* A 5GS integrity-protected initial message whose NAS message container kasme deciphered
 * (TS 24.501 4.4.6): its plaintext differs from the message as sent. */
static bool container_deciphered(const kasme_item *item, const kasme_frame_result *fr)
{
    const kasme_nas_result *r = &fr->nas;
    if (r->sec_hdr != 1 || !fr->plain || r->status != KASME_PDU_DECIPHERED ||
        !r->plain_len || !kasme_nas_epd_is_5gs(fr->plain[0]) || item->length < 7 ||
        (size_t)item->length - 7 != r->plain_len)
        return false;
    return tvb_memeql(item->tvb, item->offset + 7, fr->plain, r->plain_len) != 0;
}

/* The SUPI a SUCI gave, and for Profiles A and B the MAC tag's verdict; the private key is
 * never shown. */
static void add_suci(proto_tree *t, packet_info *pinfo, kasme_top *top,
                     const kasme_nas_result *r)
{
    if (!r->has_suci)
        return;
    if (r->suci_status == KASME_SUCI_OK)
        proto_item_set_generated(proto_tree_add_string(t, hf_supi, NULL, 0, 0, r->supi));
    proto_item_set_generated(proto_tree_add_uint(t, hf_suci_scheme, NULL, 0, 0, r->suci_scheme));
    if (r->suci_scheme == 0)
        return;
    proto_item_set_generated(proto_tree_add_uint(t, hf_suci_hnet_id, NULL, 0, 0, r->suci_hnet_id));
    int tag = r->suci_status == KASME_SUCI_OK        ? KASME_MAC_GOOD
              : r->suci_status == KASME_SUCI_BAD_TAG ? KASME_MAC_BAD
                                               : KASME_MAC_UNVERIFIED;
    proto_item_set_generated(proto_tree_add_uint(t, hf_suci_mac_status, NULL, 0, 0, (guint32)tag));
    if (r->suci_status == KASME_SUCI_OK)
        return;
    const char *why = kasme_suci_status_text((kasme_suci_status)r->suci_status);
    proto_item_set_generated(proto_tree_add_string(t, hf_suci_status, NULL, 0, 0, why));
    if (r->suci_status == KASME_SUCI_BAD_TAG)
        expert_add_info(pinfo, top_item(top), &ei_suci_bad_tag);
    else if (r->suci_status == KASME_SUCI_UNKNOWN_KEY_ID)
        expert_add_info_format(pinfo, top_item(top), &ei_suci_unknown_key,
                               "No home network private key with id %u for this scheme in the key file",
                               r->suci_hnet_id);
    else
        expert_add_info_format(pinfo, top_item(top), &ei_suci_failed, "SUCI not de-concealed: %s", why);
}

/* Which context verified an initial message whose identity named another UE's. */
static void add_found_by_mac(proto_tree *t, packet_info *pinfo, kasme_top *top,
                             const kasme_nas_result *r)
{
    if (!(r->events & KASME_EV_FOUND_BY_MAC))
        return;
    if (r->named_ue_id == 0) { /* an S-TMSI the capture gave no UE */
        expert_add_info_format(pinfo, top_item(top), &ei_found_by_mac,
                               "Security context found by MAC, not by identity: the identity "
                               "names no known UE, the context of UE %u (SMC in frame %u) "
                               "verifies", r->ue_id, r->ctx.smc_frame);
        return;
    }
    proto_item_set_generated(proto_tree_add_uint(t, hf_named_ue, NULL, 0, 0, r->named_ue_id));
    expert_add_info_format(pinfo, top_item(top), &ei_found_by_mac,
                           "Security context found by MAC, not by identity: the identity "
                           "names UE %u, the context of UE %u (SMC in frame %u) verifies",
                           r->named_ue_id, r->ue_id, r->ctx.smc_frame);
}

/* The direction, the key source and the COUNT; the compact tree's algorithms line. */
static void add_nas_context(proto_tree *t, const kasme_item *item, const kasme_nas_result *r)
{
    if (r->dir >= 0)
        line_if(t, proto_tree_add_uint(t, hf_dir, NULL, 0, 0, (guint32)r->dir), !r->has_ctx);
    if (!r->has_ctx)
        return;
    proto_item *alg = add_key_source(t, item->tvb, r);
    detail(t, proto_tree_add_uint(t, hf_count, NULL, 0, 0, r->count));
    if (compact(t))
        nas_algorithms_line(alg, r);
}

/* Items nobody sees or filters on are not made: without kasme's subtree (nothing prints or
 * references kasme) only the top item, the expert info and the plaintext's dissection. */
static void display_nas(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                        const kasme_item *item, const kasme_frame_result *fr)
{
    const kasme_nas_result *r = &fr->nas;
    if (r->sec_hdr == 0 && r->status == KASME_PDU_PLAIN && !r->events && !r->has_suci)
        return;
    kasme_top top = {tree, item, NULL};
    proto_tree *t = start_result(&top);
    const char *name = t ? plain_name(fr) : NULL; /* for the labels and kasme.msg */
    if (t) {
        if (r->sec_hdr == 0)
            proto_item_append_text(top.made, ": NAS (plain)");
        else
            summary(top.made, r, name);
        add_ue(t, r->ue_id, r->imsi);
        detail(t, proto_tree_add_string(t, hf_layer, NULL, 0, 0, "NAS"));
        add_status(t, r->status);
    }
    if (r->status == KASME_PDU_NO_CONTEXT)
        expert_add_info(pinfo, top_item(&top), &ei_no_context);
    if (r->status == KASME_PDU_ALG_UNAVAILABLE)
        expert_add_info(pinfo, top_item(&top), &ei_alg_unavailable);
    if (r->status == KASME_PDU_EEA_UNKNOWN)
        expert_add_info(pinfo, top_item(&top), &ei_eea_unknown);
    add_events(t, pinfo, &top, r);
    add_found_by_mac(t, pinfo, &top, r);
    add_suci(t, pinfo, &top, r);
    if (r->sec_hdr == 0) {
        add_keys(t, item->tvb, r);
        return;
    }
    if (t)
        add_nas_context(t, item, r);
    add_mac(t, pinfo, &top, item, r);
    bool ciphered = r->sec_hdr == 2 || r->sec_hdr == 4 || container_deciphered(item, fr);
    bool deciphered = ciphered && r->status == KASME_PDU_DECIPHERED;
    if (t) {
        detail(t, proto_tree_add_boolean(t, hf_deciphered, NULL, 0, 0, deciphered));
        if (name)
            detail(t, proto_tree_add_string(t, hf_msg, NULL, 0, 0, name));
        add_keys(t, item->tvb, r);
    }
    if (deciphered && r->plain_len)
        show_plaintext(tvb, pinfo, tree, t, fr);
}

/* An S1AP or NGAP key check: a SecurityKey's K_eNB (K_gNB) against the NAS context, or a
 * SecurityContext's NH against the UE's NH chain (k->nh); same verdicts, different fields. */
static void kenb_lines(proto_tree *t, proto_item *top, const kasme_item *item,
                       const kasme_kenb_result *k)
{
    const char *verdict = val_to_str_const(k->verdict, kenb_vals, "?");
    bool fivegs = k->domain == KASME_DOMAIN_5GS;
    if (k->nh)
        proto_item_append_text(top, ": NH (%s SecurityContext, NCC %u) %s",
                               fivegs ? "NGAP" : "S1AP", k->ncc, verdict);
    else
        proto_item_append_text(top, fivegs ? ": K_gNB (NGAP SecurityKey) %s"
                                           : ": K_eNB (S1AP SecurityKey) %s", verdict);
    add_ue(t, k->ue_id, NULL);
    int hf_verdict = k->nh ? hf_nh_verdict : fivegs ? hf_kgnb_verdict : hf_kenb_verdict;
    proto_item *v = proto_tree_add_uint(t, hf_verdict, item->tvb, item->offset, item->length,
                                        k->verdict);
    if (k->nh) /* the top line names the NCC */
        detail(t, proto_tree_add_uint(t, hf_nh_ncc, NULL, 0, 0, k->ncc));
    if (k->verdict == KASME_KENB_CONFIRMED) {
        int hf_detail = k->nh ? hf_nh_index : fivegs ? hf_kgnb_count : hf_kenb_count;
        uint32_t value = k->nh ? k->nh_index : k->ul_count;
        detail(t, proto_tree_add_uint(t, hf_detail, NULL, 0, 0, value));
        if (compact(t))
            proto_item_append_text(v, k->nh ? ", NH_%u of the chain" : ", from UL NAS COUNT %u",
                                   value);
        if (k->nh && k->nh_root_from_nas)
            line(proto_tree_add_uint(t, hf_nh_root_count, NULL, 0, 0, k->nh_root_ul_count));
    } else if (k->why && child_label_wanted(t)) {
        proto_item_append_text(v, " (%s)", k->why);
    }
}

static void display_kenb(packet_info *pinfo, proto_tree *tree, const kasme_item *item,
                         const kasme_frame_result *fr)
{
    const kasme_kenb_result *k = &fr->kenb;
    kasme_top top = {tree, item, NULL};
    proto_tree *t = start_result(&top);
    if (t)
        kenb_lines(t, top.made, item, k);
    if (k->verdict == KASME_KENB_MISMATCH)
        expert_add_info(pinfo, top_item(&top), k->nh ? &ei_nh_mismatch
                                               : k->domain == KASME_DOMAIN_5GS ? &ei_kgnb_mismatch
                                                                               : &ei_kenb_mismatch);
}

static void add_pdcp_keys(proto_tree *tree, tvbuff_t *parent, const kasme_pdcp_result *r)
{
    if (!kasme_keys_show() || !r->has_as_keys)
        return;
    proto_tree *keys = proto_tree_add_subtree(tree, parent, 0, 0, ett_kasme_keys, NULL,
                                              "AS keys (preference \"show keys\")");
    add_key(keys, parent, hf_key_kenb, r->kenb, 32);
    add_key(keys, parent, hf_key_rrc_enc, r->krrc_enc, 16);
    add_key(keys, parent, hf_key_rrc_int, r->krrc_int, 16);
    add_key(keys, parent, hf_key_up_enc, r->kup_enc, 16);
}

/* The RRC SMC's frame, the algorithms and the K_eNB's source; the compact tree puts the SMC
 * frame on the source's line. The K_eNB* details of a re-establishment or handover keep lines
 * of their own. Returns the ciphering algorithm's item, which holds the algorithms line. */
static proto_item *add_pdcp_context(proto_tree *t, const kasme_pdcp_result *r)
{
    proto_item *smc = r->smc_frame ? proto_tree_add_uint(t, hf_smc_frame, NULL, 0, 0, r->smc_frame)
                                   : NULL;
    proto_item *alg = line(proto_tree_add_uint(t, hf_eea, NULL, 0, 0, r->eea));
    detail(t, proto_tree_add_uint(t, hf_eia, NULL, 0, 0, r->eia));
    if (!r->kenb_source) {
        line(smc);
        return alg;
    }
    detail(t, smc);
    proto_item *src = line(proto_tree_add_string(t, hf_kenb_source, NULL, 0, 0, r->kenb_source));
    if (r->kenb_star) {
        line(proto_tree_add_uint(t, hf_pci, NULL, 0, 0, r->pci));
        line(proto_tree_add_uint(t, hf_earfcn, NULL, 0, 0, r->earfcn_dl));
        if (r->nh_frame)
            line(proto_tree_add_uint(t, hf_nh_frame, NULL, 0, 0, r->nh_frame));
        /* the first PDU on the new cell: its MAC-I picked the K_eNB* (TS 33.401 7.2.8.4) */
        if (r->mac_status == KASME_MAC_GOOD)
            line(proto_tree_add_string(t, hf_kenb_confirmed_by, NULL, 0, 0,
                                       "MAC-I of this PDU (first on the new cell)"));
    }
    if (r->kenb_from_nas) {
        if (child_label_wanted(t))
            proto_item_append_text(src, " (UL NAS COUNT %u)", r->kenb_ul_count);
        detail(t, proto_tree_add_uint(t, hf_kenb_count, NULL, 0, 0, r->kenb_ul_count));
    }
    if (compact(t) && r->smc_frame)
        proto_item_append_text(src, ", RRC SMC in frame %u", r->smc_frame);
    return alg;
}

/* The compact tree's algorithms line for a PDCP PDU, on the ciphering algorithm's item. */
static void pdcp_algorithms_line(proto_item *alg, const kasme_pdcp_result *r)
{
    proto_item_set_text(alg, "Algorithms: %s, %s, %s, BEARER %u, COUNT %u",
                        val_to_str_const(r->eea, eea_vals, "?"),
                        val_to_str_const(r->eia, eia_vals, "?"),
                        val_to_str_const((guint32)r->dir, dir_vals, "direction unknown"),
                        r->bearer, r->count);
}

/* The direction, BEARER, COUNT and the context; the compact tree's algorithms line. */
static void add_pdcp_lines(proto_tree *t, const kasme_pdcp_result *r)
{
    detail(t, proto_tree_add_uint(t, hf_dir, NULL, 0, 0, (guint32)r->dir));
    detail(t, proto_tree_add_uint(t, hf_bearer, NULL, 0, 0, r->bearer));
    detail(t, proto_tree_add_uint(t, hf_count, NULL, 0, 0, r->count));
    proto_item *alg = add_pdcp_context(t, r);
    if (compact(t))
        pdcp_algorithms_line(alg, r);
}

/* The MAC-I of an SRB PDU as Wireshark shows checksums; when the PDU was ciphered the value
 * received is the deciphered one. A PDU shorter than its header and MAC-I (TS 36.323 6.2.2)
 * has none: the last 4 octets would be octets before it. */
static void add_mac_i(proto_tree *t, packet_info *pinfo, kasme_top *top, const kasme_item *item,
                      const kasme_pdcp_result *r)
{
    proto_item *mac = NULL;
    if (t && item->length >= 1 + 4)
        mac = add_mac_item(t, item->tvb, item->offset + item->length - 4, 4, r->mac_received,
                           r->ciphered, r->mac_status, r->unverified_why);
    add_mac_verdict(t, pinfo, top, mac, "MAC-I", r->mac_status, r->mac_received,
                    r->mac_calculated, r->unverified_why);
}

static tvbuff_t *show_rrc(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                          proto_tree *kasme_tree, const kasme_frame_result *fr)
{
    if (!rrc_dl_dcch_handle) {
        rrc_dl_dcch_handle = find_dissector("lte_rrc.dl_dcch");
        rrc_ul_dcch_handle = find_dissector("lte_rrc.ul_dcch");
    }
    dissector_handle_t h = fr->dir == KASME_DIR_DL ? rrc_dl_dcch_handle : rrc_ul_dcch_handle;
    tvbuff_t *plain = tvb_new_child_real_data(tvb, fr->plain, (guint)fr->pdcp.plain_len,
                                              (gint)fr->pdcp.plain_len);
    add_new_data_source(pinfo, plain, "Deciphered RRC");
    add_plaintext(kasme_tree, plain);
    if (h) {
        col_set_writable(pinfo->cinfo, COL_INFO, TRUE); /* RLC-LTE may have frozen it */
        col_append_str(pinfo->cinfo, COL_INFO, " ");
        col_set_fence(pinfo->cinfo, COL_INFO);
        call_dissector(h, plain, pinfo, tree);
        columns_changed_in = pinfo->num;
    }
    return plain;
}

static void show_user_plane(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                            proto_tree *kasme_tree, const kasme_frame_result *fr)
{
    if (!ip_handle) {
        ip_handle = find_dissector("ip");
        ipv6_handle = find_dissector("ipv6");
    }
    tvbuff_t *plain = tvb_new_child_real_data(tvb, fr->plain, (guint)fr->pdcp.plain_len,
                                              (gint)fr->pdcp.plain_len);
    add_new_data_source(pinfo, plain, "Deciphered user plane");
    add_plaintext(kasme_tree, plain);
    uint8_t version = fr->plain[0] >> 4;
    dissector_handle_t h = version == 4 ? ip_handle : version == 6 ? ipv6_handle : NULL;
    if (h) {
        call_dissector(h, plain, pinfo, tree);
        columns_changed_in = pinfo->num;
    }
}

/* An SRB PDU sent before the RRC SMC that pdcp-lte took for ciphered (it keeps security state
 * per UEId, and srsRAN writes UEId 0 for every UE): its RRC message is in clear. */
static tvbuff_t *display_unprotected(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                     const kasme_item *item, const kasme_frame_result *fr)
{
    const kasme_pdcp_result *r = &fr->pdcp;
    kasme_top top = {tree, item, NULL};
    proto_tree *t = start_result(&top);
    if (t) {
        proto_item_append_text(top.made, ": RRC SRB%u before the RRC Security Mode Command, "
                               "not protected (COUNT %u)", item->pdcp.rb_id, r->count);
        add_ue(t, r->ue_id, NULL);
        detail(t, proto_tree_add_string(t, hf_layer, NULL, 0, 0, "RRC"));
        add_status(t, r->status);
        detail(t, proto_tree_add_uint(t, hf_count, NULL, 0, 0, r->count));
    }
    return show_rrc(tvb, pinfo, tree, t, fr);
}

static void pdcp_label(proto_item *top, const kasme_item *item, const kasme_pdcp_result *r)
{
    static const char *const mac_words[] = {"MAC-I FAILED", "MAC-I verified",
                                            "MAC-I not verified", ""};
    bool srb = item->pdcp.srb;
    const char *state = r->status != KASME_PDU_DECIPHERED ? "not deciphered"
                        : r->ciphered                     ? "deciphered"
                                                          : "not ciphered";
    proto_item_append_text(top, ": %s %s%u %s%s%s (UE %u, COUNT %u)", srb ? "RRC" : "user plane",
                           srb ? "SRB" : "DRB", item->pdcp.rb_id, state, srb ? ", " : "",
                           srb ? mac_words[r->mac_status & 3] : "", r->ue_id, r->count);
}

static tvbuff_t *display_pdcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                              const kasme_item *item, const kasme_frame_result *fr)
{
    const kasme_pdcp_result *r = &fr->pdcp;
    bool srb = item->pdcp.srb;
    if (r->status == KASME_PDU_PLAIN)
        return srb && item->pdcp.payload_opaque && fr->plain ? display_unprotected(tvb, pinfo, tree, item, fr) : NULL;
    if (!srb && !kasme_keys_user_plane())
        return NULL;
    kasme_top top = {tree, item, NULL};
    proto_tree *t = start_result(&top);
    if (t) { /* as display_nas: no items without a subtree */
        pdcp_label(top.made, item, r);
        add_ue(t, r->ue_id, r->imsi);
        detail(t, proto_tree_add_string(t, hf_layer, NULL, 0, 0, srb ? "RRC" : "UP"));
        /* the top line names the bearer */
        detail(t, proto_tree_add_string(t, hf_rb, NULL, 0, 0,
            wmem_strdup_printf(pinfo->pool, "%s%u", srb ? "SRB" : "DRB", item->pdcp.rb_id)));
        add_status(t, r->status);
    }
    if (r->status == KASME_PDU_NO_CONTEXT)
        expert_add_info(pinfo, top_item(&top), &ei_no_context);
    if (r->status == KASME_PDU_ALG_UNAVAILABLE)
        expert_add_info(pinfo, top_item(&top), &ei_alg_unavailable);
    kasme_nas_result ev = {.events = r->events};
    add_events(t, pinfo, &top, &ev);
    if (t)
        add_pdcp_lines(t, r);
    if (srb)
        add_mac_i(t, pinfo, &top, item, r);
    if (t) {
        detail(t, proto_tree_add_boolean(t, hf_deciphered, NULL, 0, 0,
                                         r->ciphered && r->status == KASME_PDU_DECIPHERED));
        add_pdcp_keys(t, item->tvb, r);
    }
    if (r->status != KASME_PDU_DECIPHERED || !r->plain_len || !fr->plain)
        return NULL;
    if (!srb) {
        show_user_plane(tvb, pinfo, tree, t, fr);
        return NULL;
    }
    /* pdcp-lte dissected RRC that was not ciphered (EEA0, the SMC Complete), unless it took
     * it for ciphered */
    if (r->ciphered || item->pdcp.payload_opaque)
        return show_rrc(tvb, pinfo, tree, t, fr);
    if (t)
        add_plaintext(t, tvb_new_child_real_data(tvb, fr->plain, (guint)r->plain_len,
                                                 (gint)r->plain_len));
    return NULL;
}

void kasme_display_columns(tvbuff_t *tvb, packet_info *pinfo, const kasme_frame_result *fr)
{
    if (!fr->plain)
        return;
    if (fr->kind == KASME_ITEM_NAS) {
        const kasme_nas_result *r = &fr->nas;
        if ((r->sec_hdr == 2 || r->sec_hdr == 4) && r->status == KASME_PDU_DECIPHERED &&
            r->plain_len)
            show_plaintext(tvb, pinfo, NULL, NULL, fr);
    } else if (fr->kind == KASME_ITEM_PDCP && fr->srb && fr->pdcp.plain_len &&
               ((fr->pdcp.status == KASME_PDU_DECIPHERED && (fr->pdcp.ciphered || fr->opaque)) ||
                (fr->pdcp.status == KASME_PDU_PLAIN && fr->opaque))) {
        show_rrc(tvb, pinfo, NULL, NULL, fr);
    }
}

tvbuff_t *kasme_display_result(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               const kasme_item *item, const kasme_frame_result *fr)
{
    if (fr->kind == KASME_ITEM_NAS)
        display_nas(tvb, pinfo, tree, item, fr);
    else if (fr->kind == KASME_ITEM_KENB)
        display_kenb(pinfo, tree, item, fr);
    else
        return display_pdcp(tvb, pinfo, tree, item, fr);
    return NULL;
}
