/* Preferences, the key table (UAT) and the key file: builds the subscriber database and owns
 * the tracker of the open capture file. */
#include "kasme_ws.h"

#include <epan/prefs.h>
#include <epan/uat.h>
#include <wsutil/report_message.h>

#include "hexutil.h"
#include "ws_compat.h"
#include "capkeys.h"
#include "keyfile.h"

typedef struct {
    char *identity; /* see kasme_keyfile_row (keyfile.h) */
    char *kind;
    char *key;
    char *op;       /* OP or OPc in hex (MILENAGE) */
    char *amf;
    char *ksi;
    char *name;
} kasme_uat_row;

static const char *pref_key_file = "";
static kasme_ws_bool pref_show_keys = FALSE;
static kasme_ws_bool pref_quiet_null_decipher = TRUE;
static kasme_ws_bool pref_user_plane = FALSE;
static kasme_ws_bool pref_keys_from_capture = TRUE;
static kasme_uat_row *uat_rows;
static guint uat_n_rows;

static kasme_session session;
static bool loaded;

UAT_CSTRING_CB_DEF(kasme_uat, identity, kasme_uat_row)
UAT_CSTRING_CB_DEF(kasme_uat, kind, kasme_uat_row)
UAT_CSTRING_CB_DEF(kasme_uat, key, kasme_uat_row)
UAT_CSTRING_CB_DEF(kasme_uat, op, kasme_uat_row)
UAT_CSTRING_CB_DEF(kasme_uat, amf, kasme_uat_row)
UAT_CSTRING_CB_DEF(kasme_uat, ksi, kasme_uat_row)
UAT_CSTRING_CB_DEF(kasme_uat, name, kasme_uat_row)

static bool empty(const char *s)
{
    return !s || !*s;
}

/* A UAT row as a key-file line, so that both go through one parser. */
static char *row_to_line(const kasme_uat_row *r)
{
    kasme_keyfile_row row = {r->identity, r->kind, r->key, r->op, r->amf, r->ksi, r->name};
    return kasme_keyfile_row_to_line(&row);
}

static void *uat_copy(void *dst, const void *src, size_t len)
{
    (void)len;
    const kasme_uat_row *s = src;
    kasme_uat_row *d = dst;
    d->identity = g_strdup(s->identity);
    d->kind = g_strdup(s->kind);
    d->key = g_strdup(s->key);
    d->op = g_strdup(s->op);
    d->amf = g_strdup(s->amf);
    d->ksi = g_strdup(s->ksi);
    d->name = g_strdup(s->name);
    return d;
}

static kasme_ws_bool uat_update(void *rec, char **err)
{
    kasme_subscriber entry;
    char why[256];
    char *line = row_to_line(rec);
    int rc = kasme_keyfile_parse_line(line, &entry, why, sizeof why);
    kasme_secure_zero(line, strlen(line)); /* it holds secrets */
    g_free(line);
    kasme_secure_zero(&entry, sizeof entry);
    if (rc < 0) {
        *err = g_strdup(why);
        return FALSE;
    }
    return TRUE;
}

static void uat_free(void *rec)
{
    kasme_uat_row *r = rec;
    if (r->key)
        kasme_secure_zero(r->key, strlen(r->key));
    if (r->op)
        kasme_secure_zero(r->op, strlen(r->op));
    g_free(r->identity);
    g_free(r->kind);
    g_free(r->key);
    g_free(r->op);
    g_free(r->amf);
    g_free(r->ksi);
    g_free(r->name);
}

typedef struct {
    GString *text;
    unsigned count;
} error_list;

/* Key-file errors reach the user once per load: a dialog in the GUI, stderr in tshark. */
static void collect_error(void *user, const char *file, unsigned line, const char *reason)
{
    error_list *errs = user;
    if (++errs->count <= 20) {
        if (line)
            g_string_append_printf(errs->text, "\n%s:%u: %s", file, line, reason);
        else
            g_string_append_printf(errs->text, "\n%s: %s", file, reason);
    }
}

static void load_uat_rows(kasme_subdb *into, error_list *errs)
{
    for (guint i = 0; i < uat_n_rows; i++) {
        char *line = row_to_line(&uat_rows[i]);
        char name[32];
        g_snprintf(name, sizeof name, "key table row %u", i + 1);
        kasme_keyfile_load_buffer(name, line, strlen(line), into, collect_error, errs);
        kasme_secure_zero(line, strlen(line));
        g_free(line);
    }
}

static void quiet_null_decipher(void)
{
    /* nas-eps dissects a ciphered body as plaintext when its first octets look like NAS; with
     * keys loaded that would show bogus messages beside the real plaintext. */
    char *err = NULL;
    char setting[] = "nas-eps.null_decipher:FALSE";
    if (prefs_set_pref(setting, &err) != PREFS_SET_OK)
        g_free(err);
}

/* The results and the tracker go first: they point into the database. */
static void end_capture_state(void)
{
    kasme_store_free(session.store);
    session.store = NULL;
    kasme_tracker_free(session.tracker);
    session.tracker = NULL;
}

static void start_capture_state(void)
{
    end_capture_state();
    if (loaded || pref_keys_from_capture) {
        session.tracker = kasme_tracker_new(session.db);
        kasme_tracker_show_keys(session.tracker, pref_show_keys);
        session.store = kasme_store_new();
    }
}

void kasme_keys_apply(void)
{
    error_list errs = {g_string_new(NULL), 0};
    end_capture_state();
    kasme_subdb_free(session.db);
    kasme_subdb *db = session.db = kasme_subdb_new();
    if (!empty(pref_key_file))
        kasme_keyfile_load(pref_key_file, db, collect_error, &errs);
    load_uat_rows(db, &errs);
    if (errs.count)
        report_failure("kasme: %u key-file error%s (those lines were skipped):%s%s", errs.count,
                       errs.count == 1 ? "" : "s", errs.text->str,
                       errs.count > 20 ? "\n..." : "");
    g_string_free(errs.text, TRUE);
    loaded = kasme_subdb_count(db) > 0;
    if (loaded && pref_quiet_null_decipher)
        quiet_null_decipher();
    start_capture_state();
}

bool kasme_keys_loaded(void)
{
    return loaded;
}

bool kasme_keys_from_capture(void)
{
    return pref_keys_from_capture;
}

bool kasme_session_active(const kasme_session *s)
{
    return s->tracker && (loaded || kasme_tracker_capkey_count(s->tracker) > 0);
}

bool kasme_keys_user_plane(void)
{
    return pref_user_plane;
}

bool kasme_keys_show(void)
{
    return pref_show_keys;
}

const kasme_session *kasme_session_get(void)
{
    return &session;
}

void kasme_keys_init(void)
{
    start_capture_state();
}

void kasme_keys_cleanup(void)
{
    end_capture_state();
}

void kasme_keys_register(module_t *module)
{
    static uat_field_t fields[] = {
        UAT_FLD_CSTRING(kasme_uat, identity, "Identity",
                        "IMSI digits, imsi-<digits> (SUPI), tmsi:<8 hex>, guti:<GUTI>, rnti:<n> "
                        "or any; the key id 0..255 for hnet-a/hnet-b"),
        UAT_FLD_CSTRING(kasme_uat, kind, "Kind",
                        "milenage-opc, milenage-op, xor, kasme, kamf, kenb, hnet-a (X25519) or "
                        "hnet-b (secp256r1)"),
        UAT_FLD_CSTRING(kasme_uat, key, "Key",
                        "K (32 hex), K_ASME / K_AMF / K_eNB (64 hex), or the home network "
                        "private key (64 hex or a PEM file)"),
        UAT_FLD_CSTRING(kasme_uat, op, "OP or OPc", "32 hex digits (MILENAGE only)"),
        UAT_FLD_CSTRING(kasme_uat, amf, "AMF", "optional, 4 hex digits"),
        UAT_FLD_CSTRING(kasme_uat, ksi, "KSI", "optional NAS KSI 0..6 for a K_ASME row"),
        UAT_FLD_CSTRING(kasme_uat, name, "Name", "optional label"),
        UAT_END_FIELDS};
    uat_t *uat = uat_new("kasme subscriber keys", sizeof(kasme_uat_row), "kasme_keys", TRUE,
                         &uat_rows, &uat_n_rows, UAT_AFFECTS_DISSECTION, NULL, uat_copy,
                         uat_update, uat_free, kasme_reload, NULL, fields);

    prefs_register_filename_preference(module, "key_file", "Key file",
        "Subscriber keys: IMSI (SUPI) with K and OPc/OP (MILENAGE) or K (XOR), K_ASME, K_AMF, "
        "home network keys for SUCIs; srsEPC user_db.csv is accepted too. See "
        "keyfiles/README.md.", &pref_key_file, FALSE);
    prefs_register_uat_preference(module, "keys", "Subscriber keys",
        "Keys entered here are used together with the key file", uat);
    prefs_register_bool_preference(module, "show_keys", "Show derived keys",
        "Add K_ASME, K_NASenc, K_NASint and K_eNB to the tree where they arise (they are then "
        "in any export of the dissection)", &pref_show_keys);
    prefs_register_bool_preference(module, "decipher_user_plane", "Decipher user plane (DRBs)",
        "Decipher PDCP PDUs of data radio bearers with K_UPenc and dissect them as IP",
        &pref_user_plane);
    prefs_register_bool_preference(module, "keys_from_capture", "Learn keys the capture carries",
        "Learn K_ASME from Diameter S6a Authentication-Information-Answers and K_AUSF / K_SEAF "
        "from 5G SBI (Nudm_UEAU, Nausf_UEAuthentication) in the capture; each is used only once "
        "a Security Mode Command's MAC confirms it", &pref_keys_from_capture);
    prefs_register_bool_preference(module, "quiet_null_decipher",
        "Stop nas-eps guessing at ciphered bodies",
        "With keys loaded, turn off the nas-eps preference that dissects ciphered bodies as "
        "if they were plaintext, so only real plaintext is shown", &pref_quiet_null_decipher);
}
