/* floor_stub: a bench-only Wireshark plugin that does the least any post-dissector must do to
 * show a deciphered NAS message, and nothing else, so that bench_scale.py --lower-bound can
 * measure what that least costs against the floor (issue 16's target is kasme <= 1.10 x floor).
 *
 * It runs on the EEA0 twin of a generated capture with nas-eps.null_decipher off, so nas-eps
 * shows "Ciphered message" as it does for EEA2, and for each such NAS PDU it:
 *   - reads the fields it needs from the tree Wireshark built for it (the PDU, its MAC and
 *     sequence number, the MME UE S1AP ID);
 *   - with floor_stub.crypto on (the default), finds the UE's keys in a hash table (one entry
 *     a UE, made on first sight: no AKA, no key derivation, no SMC), sets up EIA2 and EEA2 with
 *     them (a rekey a PDU, as the UEs are interleaved), computes the MAC and the keystream over
 *     a copy (the twin is EEA0, so the result is dropped, but its cost is paid);
 *   - makes the plaintext a child tvb and a data source and calls nas-eps_plain on it, and puts
 *     its names into the Info column in place of "Ciphered message".
 * It keeps no results for a second pass, adds no tree items of its own, checks nothing and
 * handles no other RAT, procedure or algorithm: a lower bound, not a dissector. */
#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <ws_symbol_export.h>
#include <ws_version.h>

#include "sec_alg.h"
#include "ws_compat.h" /* kasme's: what differs between Wireshark 4.0 and 4.6 */

KASME_WS_PLUGIN_SYMBOLS("0")

typedef struct {
    uint8_t k_nas_enc[16];
    uint8_t k_nas_int[16];
    uint32_t nas_count;
} stub_ue;

static int proto_stub = -1;
static dissector_handle_t stub_handle, plain_handle;
static int hf_ciphered = -1, hf_mac = -1, hf_seq = -1, hf_mme_id = -1;
static kasme_ws_bool stub_crypto = TRUE;
static GHashTable *ues;
static kasme_cipher cipher;
static kasme_integrity integrity;
static guint64 macs_equal; /* read by nothing: keeps the MAC's computation from being dropped */

static field_info *first_field(proto_tree *tree, int hf)
{
    GPtrArray *a = hf > 0 ? proto_get_finfo_ptr_array(tree, hf) : NULL;
    return a && a->len ? g_ptr_array_index(a, 0) : NULL;
}

static guint32 field_uint(proto_tree *tree, int hf)
{
    field_info *fi = first_field(tree, hf);
    return fi ? fvalue_get_uinteger(KASME_FI_VALUE(fi)) : 0;
}

static stub_ue *find_ue(guint32 mme_ue_id)
{
    stub_ue *ue = g_hash_table_lookup(ues, GUINT_TO_POINTER(mme_ue_id + 1));
    if (!ue) {
        ue = g_new0(stub_ue, 1);
        memcpy(ue->k_nas_enc, &mme_ue_id, sizeof mme_ue_id);
        memcpy(ue->k_nas_int + 4, &mme_ue_id, sizeof mme_ue_id);
        g_hash_table_insert(ues, GUINT_TO_POINTER(mme_ue_id + 1), ue);
    }
    return ue;
}

/* EIA2 over sequence number and message, EEA2 over a copy of the message (TS 33.401 8.1). */
static void verify_and_decipher(proto_tree *tree, packet_info *pinfo, const guint8 *msg,
                                guint len)
{
    stub_ue *ue = find_ue(field_uint(tree, hf_mme_id));
    guint32 count = ue->nas_count++;
    guint8 *scratch = wmem_alloc(pinfo->pool, len + 1);
    scratch[0] = (guint8)field_uint(tree, hf_seq);
    memcpy(scratch + 1, msg, len);
    uint32_t mac = 0;
    kasme_integrity_rekey(&integrity, 2, ue->k_nas_int);
    kasme_integrity_mac(&integrity, count, 0, 0, scratch, len + 1, 8 * (size_t)(len + 1), &mac);
    macs_equal += mac == field_uint(tree, hf_mac);
    kasme_cipher_rekey(&cipher, 2, ue->k_nas_enc);
    kasme_cipher_apply(&cipher, count, 0, 0, scratch + 1, len, 8 * (size_t)len);
}

/* nas-eps's "Ciphered message" in the Info column replaced by the plaintext's names. */
static void show_plaintext(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           const guint8 *msg, guint len)
{
    tvbuff_t *plain = tvb_new_child_real_data(tvb, msg, len, (gint)len);
    add_new_data_source(pinfo, plain, "Deciphered NAS");
    const gchar *before = col_get_text(pinfo->cinfo, COL_INFO);
    gchar *saved = wmem_strdup(pinfo->pool, before ? before : "");
    col_set_writable(pinfo->cinfo, COL_INFO, TRUE);
    col_clear_fence(pinfo->cinfo, COL_INFO);
    col_set_str(pinfo->cinfo, COL_INFO, "");
    call_dissector(plain_handle, plain, pinfo, tree);
    const gchar *names = col_get_text(pinfo->cinfo, COL_INFO);
    gchar *hole = strstr(saved, "Ciphered message");
    if (hole && names) { /* names is the column's own buffer, which col_add_str writes */
        *hole = '\0';
        col_add_str(pinfo->cinfo, COL_INFO,
                    wmem_strdup_printf(pinfo->pool, "%s%s%s", saved, names,
                                       hole + strlen("Ciphered message")));
    }
}

static int dissect_stub(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    field_info *fi = first_field(tree, hf_ciphered);
    if (!fi || fi->length <= 0)
        return 0;
    guint len = (guint)fi->length;
    const guint8 *msg = tvb_memdup(pinfo->pool, fi->ds_tvb, fi->start, len);
    if (stub_crypto)
        verify_and_decipher(tree, pinfo, msg, len);
    show_plaintext(tvb, pinfo, tree, msg, len);
    return tvb_captured_length(tvb);
}

static void stub_init(void)
{
    ues = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

static void stub_cleanup(void)
{
    g_hash_table_destroy(ues);
    ues = NULL;
}

/* nas-eps's field names: "nas_eps." until 4.0, "nas-eps." from 4.2 on. */
static int nas_eps_field(const char *name)
{
    char with_dash[64];
    g_snprintf(with_dash, sizeof with_dash, "nas-eps.%s", name);
    int hf = proto_registrar_get_id_byname(with_dash);
    if (hf > 0)
        return hf;
    g_snprintf(with_dash, sizeof with_dash, "nas_eps.%s", name);
    return proto_registrar_get_id_byname(with_dash);
}

static void want(GArray *wanted, int hf)
{
    if (hf > 0)
        g_array_append_val(wanted, hf);
}

static void lookup_fields(void)
{
    hf_ciphered = nas_eps_field("ciphered_msg");
    hf_mac = nas_eps_field("msg_auth_code");
    hf_seq = nas_eps_field("seq_no");
    hf_mme_id = proto_registrar_get_id_byname("s1ap.MME_UE_S1AP_ID");
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    want(wanted, hf_ciphered);
    if (stub_crypto) {
        want(wanted, hf_mac);
        want(wanted, hf_seq);
        want(wanted, hf_mme_id);
    }
    set_postdissector_wanted_hfids(stub_handle, wanted);
}

static void proto_register_stub(void)
{
    proto_stub = proto_register_protocol("kasme's lower bound (bench only)", "floor_stub",
                                         "floor_stub");
    stub_handle = register_dissector("floor_stub", dissect_stub, proto_stub);
    module_t *module = prefs_register_protocol(proto_stub, lookup_fields);
    prefs_register_bool_preference(module, "crypto", "Find the UE, EIA2 and EEA2",
                                   "Off: only the plaintext's tvb, data source and dissection",
                                   &stub_crypto);
    register_init_routine(stub_init);
    register_cleanup_routine(stub_cleanup);
}

static void proto_reg_handoff_stub(void)
{
    plain_handle = find_dissector("nas-eps_plain");
    register_postdissector(stub_handle);
    lookup_fields();
}

void plugin_register(void)
{
    static proto_plugin stub_plugin;
    stub_plugin.register_protoinfo = proto_register_stub;
    stub_plugin.register_handoff = proto_reg_handoff_stub;
    proto_register_plugin(&stub_plugin);
}
