/* Keys the capture carried (capkeys.h), in the tracker: a bounded table of learned vectors
 * keyed by RAND, matched to the NAS Authentication Request (TS 24.301 5.4.2, TS 24.501
 * 5.4.1.3); the context it makes holds root key candidates, which the Security Mode Command's
 * MAC confirms as it confirms a key-file K_ASME or K_AMF (tracker_nas.c). */
#include "capkeys.h"
#include "tracker_int.h"

#include <string.h>

#include "kdf5g.h"
#include "secure_zero.h"

typedef struct {
    kasme_capkey key;
    kasme_subscriber line; /* the key source a context points at; it holds no key */
} capkey_entry;

typedef struct {
    uint64_t hash; /* of the Session-Id; 0 = free slot */
    char imsi[16];
} s6a_session;

/* A 5G AKA that no vector matched: a K_SEAF confirmed later (Nausf_UEAuthentication, after
 * the Authentication Response) gives its K_AMF (TS 33.501 A.7) with this ABBA. */
typedef struct {
    bool used;
    uint32_t ue_id, frame;
    int ksi;
    uint8_t abba_len;
    uint8_t abba[16];
} waiting_aka;

struct kasme_capkeys {
    GHashTable *by_rand;  /* the entry's 16-octet RAND -> capkey_entry */
    GPtrArray *entries;   /* capkey_entry *, in learning order; freed with the tracker */
    s6a_session sessions[KASME_CAPKEY_SESSIONS];
    unsigned next_session;
    waiting_aka waiting[KASME_CAPKEY_WAITING];
    unsigned next_waiting;
};

static const char *origin_text(kasme_capkey_origin origin)
{
    switch (origin) {
    case KASME_CAPKEY_S6A_AIA:
        return "S6a AIA";
    case KASME_CAPKEY_NUDM_AUTH_DATA:
        return "Nudm_UEAU generate-auth-data (K_AUSF)";
    default:
        return "Nausf 5g-aka-confirmation (K_SEAF)";
    }
}

/* FNV-1a: RANDs in a hostile capture can share any prefix. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static guint rand_hash(gconstpointer rand)
{
    return (guint)fnv1a(rand, 16);
}

static gboolean rand_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 16) == 0;
}

static struct kasme_capkeys *table(kasme_tracker *tr)
{
    if (!tr->capkeys) {
        tr->capkeys = g_new0(struct kasme_capkeys, 1);
        tr->capkeys->by_rand = g_hash_table_new(rand_hash, rand_equal);
        tr->capkeys->entries = g_ptr_array_new();
    }
    return tr->capkeys;
}

void kasme_capkeys_free(struct kasme_capkeys *ck)
{
    if (!ck)
        return;
    g_hash_table_destroy(ck->by_rand);
    for (guint i = 0; i < ck->entries->len; i++) {
        kasme_secure_zero(g_ptr_array_index(ck->entries, i), sizeof(capkey_entry));
        g_free(g_ptr_array_index(ck->entries, i));
    }
    g_ptr_array_free(ck->entries, TRUE);
    kasme_secure_zero(ck, sizeof *ck);
    g_free(ck);
}

size_t kasme_tracker_capkey_count(const kasme_tracker *tr)
{
    return tr->capkeys ? tr->capkeys->entries->len : 0;
}

static uint64_t session_hash(const char *session_id)
{
    uint64_t h = fnv1a((const uint8_t *)session_id, strlen(session_id));
    return h ? h : 1;
}

void kasme_tracker_s6a_request(kasme_tracker *tr, const char *session_id, const char *imsi)
{
    char digits[16];
    if (!session_id || !imsi || !kasme_capkey_supi_digits(imsi, digits))
        return;
    struct kasme_capkeys *ck = table(tr);
    s6a_session *slot = &ck->sessions[ck->next_session++ % KASME_CAPKEY_SESSIONS];
    slot->hash = session_hash(session_id);
    memcpy(slot->imsi, digits, sizeof slot->imsi);
}

const char *kasme_tracker_s6a_imsi(kasme_tracker *tr, const char *session_id)
{
    if (!tr->capkeys || !session_id)
        return NULL;
    uint64_t h = session_hash(session_id);
    struct kasme_capkeys *ck = tr->capkeys;
    for (unsigned i = 1; i <= KASME_CAPKEY_SESSIONS; i++) { /* newest first */
        const s6a_session *s = &ck->sessions[(ck->next_session - i) % KASME_CAPKEY_SESSIONS];
        if (s->hash == h)
            return s->imsi;
    }
    return NULL;
}

typedef struct {
    kasme_tracker *tr;
    uint32_t frame;
    const char *imsi; /* of the answer's session, or NULL */
} s6a_answer;

static void learn_e_utran_vector(const kasme_dia_vector *vector, void *user)
{
    const s6a_answer *answer = user;
    if (!vector->has_kasme)
        return;
    kasme_capkey key = {.kind = KASME_CAPKEY_KASME, .origin = KASME_CAPKEY_S6A_AIA,
                        .frame = answer->frame, .has_rand = vector->has_rand,
                        .has_autn = vector->has_autn, .xres_len = vector->xres_len};
    memcpy(key.rand, vector->rand, sizeof key.rand);
    memcpy(key.autn, vector->autn, sizeof key.autn);
    memcpy(key.xres, vector->xres, sizeof key.xres);
    memcpy(key.key, vector->kasme, sizeof key.key);
    if (answer->imsi)
        g_strlcpy(key.supi, answer->imsi, sizeof key.supi);
    kasme_tracker_learn_key(answer->tr, &key);
    kasme_secure_zero(&key, sizeof key);
}

/* An AVP's octets as a C string (a UTF8String AVP has no terminator), or NULL. */
static char *avp_text(const uint8_t *octets, size_t len)
{
    return octets ? g_strndup((const char *)octets, len) : NULL;
}

kasme_dia_status kasme_tracker_s6a_message(kasme_tracker *tr, const uint8_t *msg, size_t len,
                                           uint32_t frame)
{
    kasme_dia_msg head;
    kasme_dia_status status = kasme_dia_parse(msg, len, &head, NULL, NULL);
    if (status != KASME_DIA_OK || head.command != KASME_DIA_CMD_AUTH_INFO)
        return status;
    char *session_id = avp_text(head.session_id, head.session_id_len);
    if (head.request) {
        char *user_name = avp_text(head.user_name, head.user_name_len);
        kasme_tracker_s6a_request(tr, session_id, user_name);
        g_free(user_name);
    } else if (head.vectors) {
        s6a_answer answer = {tr, frame, kasme_tracker_s6a_imsi(tr, session_id)};
        status = kasme_dia_parse(msg, len, &head, learn_e_utran_vector, &answer);
    }
    g_free(session_id);
    return status;
}

static bool well_formed(const kasme_capkey *key)
{
    switch (key->kind) {
    case KASME_CAPKEY_KASME:
    case KASME_CAPKEY_KAUSF:
        return key->has_rand && key->xres_len <= 16;
    case KASME_CAPKEY_KSEAF:
        return key->supi[0] != '\0';
    default:
        return false;
    }
}

/* The same key again: a vector the SCP forwarded, or the answer dissected twice. */
static bool already_known(const struct kasme_capkeys *ck, const kasme_capkey *key)
{
    if (key->has_rand)
        return g_hash_table_contains(ck->by_rand, key->rand);
    for (guint i = 0; i < ck->entries->len; i++) {
        const capkey_entry *e = g_ptr_array_index(ck->entries, i);
        if (e->key.kind == key->kind && memcmp(e->key.key, key->key, 32) == 0)
            return true;
    }
    return false;
}

static capkey_entry *add_entry(struct kasme_capkeys *ck, const kasme_capkey *key)
{
    capkey_entry *e = g_new0(capkey_entry, 1);
    e->key = *key;
    e->line.in_capture = true;
    e->line.source = origin_text(key->origin);
    e->line.line = key->frame;
    e->line.ksi = -1;
    e->line.id_kind = key->supi[0] ? KASME_ID_IMSI : KASME_ID_ANY;
    memcpy(e->line.imsi, key->supi, sizeof e->line.imsi);
    g_ptr_array_add(ck->entries, e);
    if (key->has_rand)
        g_hash_table_insert(ck->by_rand, e->key.rand, e);
    return e;
}

/* A context whose one root key the capture gave (K_ASME, or K_AMF from a K_SEAF): like a
 * key-file root key, it has no serving network of its own to show. */
static kasme_sec_ctx *root_key_ctx(kasme_tracker *tr, kasme_ue *ue, kasme_domain domain,
                                   int ksi, uint32_t aka_frame, const capkey_entry *e)
{
    kasme_sec_ctx *ctx = kasme_aka_new_ctx(tr, ue, domain, ksi, aka_frame, &e->line);
    ctx->from_keyfile_kasme = true;
    kasme_ctx_cands(ctx);
    return ctx;
}

/* K_SEAF of each serving network name candidate, then K_AMF (TS 33.501 A.6, A.7); RES*
 * is compared with the vector's XRES*. */
static void kausf_candidates(const kasme_ue *ue, const kasme_pdu_meta *meta,
                             const kasme_nas_msg *msg, const capkey_entry *e, const char *supi,
                             kasme_sec_ctx *ctx)
{
    uint8_t sn[KASME_MAX_SN_CANDIDATES][3] = {{0}};
    size_t n_sn = kasme_sn_candidates(ue, meta, sn, KASME_MAX_SN_CANDIDATES);
    kasme_root_cands *c = kasme_ctx_cands_room(ctx, n_sn);
    kasme_cands_5gs *c5 = kasme_ctx_cands_5gs(ctx); /* ctx is a 5GS context */
    memcpy(c->sn, sn, sizeof sn);
    n_sn = MIN(n_sn, c->room); /* a context given candidates before keeps their room */
    size_t n = 0;
    for (size_t i = 0; i < n_sn && c5; i++) {
        char snn[KDF5G_SNN_SIZE];
        memmove(c->sn[n], c->sn[i], 3);
        bool ok = kdf5g_serving_network_name(c->sn[n], snn) == 0 &&
                  kasme_kamf_from_kausf(e->key.key, snn, supi, msg, c->root[n]);
        memcpy(c5->xres_star[n], e->key.xres, 16);
        n += ok;
    }
    ctx->n_roots = (uint8_t)n;
}

static void expect_res(kasme_ue *ue, const capkey_entry *e)
{
    if (!e->key.xres_len)
        return;
    ue->aka = (kasme_aka_state){.valid = true, .xres_len = e->key.xres_len};
    memcpy(ue->aka.xres, e->key.xres, 16);
}

static void note_waiting(kasme_tracker *tr, const kasme_ue *ue, const kasme_pdu_meta *meta,
                         const kasme_nas_msg *msg)
{
    struct kasme_capkeys *ck = table(tr);
    waiting_aka *w = &ck->waiting[ck->next_waiting++ % KASME_CAPKEY_WAITING];
    *w = (waiting_aka){.used = true, .ue_id = ue->id, .frame = meta->frame, .ksi = msg->ksi};
    w->abba_len = (uint8_t)(msg->abba_len <= 16 ? msg->abba_len : 16);
    memcpy(w->abba, msg->abba, w->abba_len);
}

bool kasme_capkeys_aka(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                       const kasme_nas_msg *msg, kasme_nas_result *res)
{
    bool fivegs = msg->domain == KASME_DOMAIN_5GS;
    capkey_entry *e = tr->capkeys ? g_hash_table_lookup(tr->capkeys->by_rand, msg->rand) : NULL;
    if (e && (e->key.kind != (fivegs ? KASME_CAPKEY_KAUSF : KASME_CAPKEY_KASME) ||
              (e->key.has_autn && memcmp(e->key.autn, msg->autn, 16) != 0)))
        e = NULL; /* another domain's vector, or not the AUTN the core sent with it */
    const char *supi = e && e->key.supi[0] ? e->key.supi : ue->imsi;
    if (!e || (fivegs && (!supi[0] || !msg->has_abba))) {
        if (fivegs && msg->has_abba)
            note_waiting(tr, ue, meta, msg);
        return false;
    }
    res->events |= KASME_EV_CAPTURE_VECTOR;
    if (!ue->imsi[0] && e->key.supi[0])
        kasme_ue_set_imsi(tr, ue, e->key.supi);
    if (fivegs) {
        kasme_sec_ctx *ctx = kasme_aka_new_ctx(tr, ue, msg->domain, msg->ksi, meta->frame,
                                               &e->line);
        kausf_candidates(ue, meta, msg, e, supi, ctx);
    } else {
        kasme_sec_ctx *ctx = root_key_ctx(tr, ue, msg->domain, msg->ksi, meta->frame, e);
        memcpy(ctx->cands->root[0], e->key.key, 32);
        ctx->n_roots = 1;
    }
    expect_res(ue, e);
    return true;
}

/* The AKA a K_SEAF confirms: the one of its SUPI's UE, else the most recent one of a UE whose
 * SUPI kasme does not know (a concealed SUCI); the SMC's MAC decides either way. */
static waiting_aka *waiting_for(kasme_tracker *tr, struct kasme_capkeys *ck, const char *supi)
{
    waiting_aka *anonymous = NULL;
    for (unsigned i = 1; i <= KASME_CAPKEY_WAITING; i++) { /* newest first */
        waiting_aka *w = &ck->waiting[(ck->next_waiting - i) % KASME_CAPKEY_WAITING];
        kasme_ue *ue = w->used ? kasme_ue_by_id(tr, w->ue_id) : NULL;
        if (ue && strcmp(ue->imsi, supi) == 0)
            return w;
        if (ue && !ue->imsi[0] && !anonymous)
            anonymous = w;
    }
    return anonymous;
}

static void give_kseaf(kasme_tracker *tr, struct kasme_capkeys *ck, const capkey_entry *e)
{
    waiting_aka *w = waiting_for(tr, ck, e->key.supi);
    if (!w)
        return;
    w->used = false;
    kasme_ue *ue = kasme_ue_by_id(tr, w->ue_id);
    kasme_sec_ctx *ctx = root_key_ctx(tr, ue, KASME_DOMAIN_5GS, w->ksi, w->frame, e);
    if (kdf5g_kamf(e->key.key, e->key.supi, w->abba, w->abba_len, ctx->cands->root[0]) == 0)
        ctx->n_roots = 1;
}

bool kasme_tracker_learn_key(kasme_tracker *tr, const kasme_capkey *key)
{
    if (!well_formed(key))
        return false;
    struct kasme_capkeys *ck = table(tr);
    if (ck->entries->len >= KASME_CAPKEY_MAX || already_known(ck, key))
        return false;
    capkey_entry *e = add_entry(ck, key);
    if (key->kind == KASME_CAPKEY_KSEAF)
        give_kseaf(tr, ck, e);
    return true;
}
