/* Per-UE security tracker: UEs, connections and the dispatch of NAS PDUs (TS 24.301 4.4,
 * TS 24.501 4.4). */
#include "tracker_int.h"

#include <stddef.h>
#include <string.h>

#include "hexutil.h"
#include "kdf.h"
#include "suci.h"

uint64_t kasme_conn_key(unsigned kind, uint32_t assoc, uint64_t id)
{
    return (uint64_t)kind << 56 | (uint64_t)(assoc & 0xFFFF) << 40 | (id & 0xFFFFFFFFFFull);
}

uint32_t kasme_conn_assoc(uint64_t conn)
{
    return (uint32_t)(conn >> 40) & 0xFFFF;
}

uint64_t kasme_tmsi_key(kasme_domain domain, uint32_t tmsi)
{
    return (uint64_t)(domain + 1) << 32 | tmsi;
}

/* UEs by connection key: the key and the UE's id in an id map, no allocation per entry.
 * A UE also remembers the last two keys it was bound to (an S1AP connection has two: the
 * eNB's and the MME's UE S1AP ID), so binding a PDU's keys again costs no probe of the map,
 * which at 100 000s of UEs is a cache miss. Kept exact: a key a UE remembers always maps to
 * it, so a key is forgotten whenever its entry goes to another UE or away. */
static void forget_bound(kasme_tracker *tr, uint32_t ue_id, uint64_t conn)
{
    kasme_ue *ue = kasme_ue_by_id(tr, ue_id);
    if (!ue)
        return;
    for (size_t i = 0; i < 2; i++)
        if (ue->bound_conn[i] == conn)
            ue->bound_conn[i] = 0;
}

void kasme_conn_map_insert(kasme_tracker *tr, uint64_t conn, kasme_ue *ue)
{
    if (!conn || ue->bound_conn[0] == conn || ue->bound_conn[1] == conn)
        return;
    uint32_t replaced = kasme_idmap_put(&tr->by_conn, conn, ue->id);
    if (replaced && replaced != ue->id)
        forget_bound(tr, replaced, conn);
    ue->bound_conn[1] = ue->bound_conn[0];
    ue->bound_conn[0] = conn;
}

kasme_ue *kasme_conn_map_lookup(kasme_tracker *tr, uint64_t conn)
{
    return kasme_ue_by_id(tr, kasme_idmap_get(&tr->by_conn, conn));
}

void kasme_conn_map_remove(kasme_tracker *tr, uint64_t conn)
{
    forget_bound(tr, kasme_idmap_remove(&tr->by_conn, conn), conn);
}

#define SLAB_CHUNK_LOG2 10
#define SLAB_CHUNK (1u << SLAB_CHUNK_LOG2)

static void slab_init(kasme_slab *slab, size_t size)
{
    slab->chunks = g_ptr_array_new();
    slab->count = 0;
    slab->size = (uint32_t)size;
}

static void *slab_at(const kasme_slab *slab, uint32_t id)
{
    if (!id || id > slab->count)
        return NULL;
    uint8_t *chunk = g_ptr_array_index(slab->chunks, (id - 1) >> SLAB_CHUNK_LOG2);
    return chunk + (size_t)((id - 1) & (SLAB_CHUNK - 1)) * slab->size;
}

/* Chunks start on a cache line, so a kasme_ue (128 octets) occupies exactly two lines and its
 * per-PDU fields one (tracker_int.h). */
#define SLAB_ALIGN 64
#if UINTPTR_MAX > 0xFFFFFFFFu /* 64-bit: a UE is 128 octets; 32-bit layouts differ */
_Static_assert(sizeof(kasme_ue) % SLAB_ALIGN == 0, "kasme_ue: whole cache lines");
#endif
_Static_assert(offsetof(kasme_ue, sub) + sizeof(void *) <= SLAB_ALIGN,
               "kasme_ue: the per-PDU fields in the first cache line");

static void *chunk_new(size_t octets)
{
#if GLIB_CHECK_VERSION(2, 72, 0)
    return g_aligned_alloc0(1, octets, SLAB_ALIGN);
#else
    return g_malloc0(octets); /* 16-octet aligned: still correct, one line more a UE */
#endif
}

static void chunk_free(void *chunk)
{
#if GLIB_CHECK_VERSION(2, 72, 0)
    g_aligned_free(chunk);
#else
    g_free(chunk);
#endif
}

/* A zeroed object; its id is the new count. */
static void *slab_new(kasme_slab *slab)
{
    if (slab->count % SLAB_CHUNK == 0)
        g_ptr_array_add(slab->chunks, chunk_new((size_t)SLAB_CHUNK * slab->size));
    return slab_at(slab, ++slab->count);
}

/* Wipes every object (key material) and frees the chunks. */
static void slab_free(kasme_slab *slab, void (*before_wipe)(void *))
{
    for (uint32_t id = 1; before_wipe && id <= slab->count; id++)
        before_wipe(slab_at(slab, id));
    for (guint i = 0; i < slab->chunks->len; i++) {
        kasme_secure_zero(g_ptr_array_index(slab->chunks, i), (size_t)SLAB_CHUNK * slab->size);
        chunk_free(g_ptr_array_index(slab->chunks, i));
    }
    g_ptr_array_free(slab->chunks, TRUE);
}

static void ctx_drop_cands(void *ctx)
{
    kasme_ctx_drop_cands(ctx);
}

static uint64_t imsi_key_of_ue(const void *owner, uint32_t id)
{
    return kasme_digits_key(kasme_ue_by_id((kasme_tracker *)owner, id)->imsi);
}

kasme_tracker *kasme_tracker_new(const kasme_subdb *db)
{
    kasme_tracker *tr = g_new0(kasme_tracker, 1);
    tr->db = db;
    slab_init(&tr->ues, sizeof(kasme_ue));
    slab_init(&tr->contexts, sizeof(kasme_sec_ctx));
    kasme_idmap_init(&tr->by_conn);
    kasme_idmap_init_index(&tr->by_imsi, imsi_key_of_ue, tr);
    kasme_idmap_init(&tr->by_tmsi);
    tr->radio = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, kasme_radio_conn_free);
    tr->sched = kasme_sched_cache_new(KASME_SCHED_SLOTS_LOG2);
    tr->spare_ctx = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    return tr;
}

void kasme_tracker_show_keys(kasme_tracker *tr, bool show)
{
    tr->keys_unshown = !show;
}

void kasme_tracker_free(kasme_tracker *tr)
{
    if (!tr)
        return;
    kasme_idmap_clear(&tr->by_conn);
    kasme_idmap_clear(&tr->by_imsi);
    kasme_idmap_clear(&tr->by_tmsi);
    g_hash_table_destroy(tr->radio);
    kasme_secure_zero(tr->nh_pending, sizeof tr->nh_pending); /* NH and K_ASME */
    slab_free(&tr->contexts, ctx_drop_cands);
    g_array_free(tr->spare_ctx, TRUE);
    slab_free(&tr->ues, NULL);
    kasme_sched_cache_free(tr->sched);
    kasme_capkeys_free(tr->capkeys); /* after the contexts that point at its entries */
    g_free(tr);
}

void kasme_tracker_get_stats(const kasme_tracker *tr, kasme_tracker_stats *st)
{
    *st = tr->stats;
    st->ues = tr->ues.count;
    st->contexts = tr->contexts.count - tr->spare_ctx->len; /* spares: at most one SMC's */
}

kasme_ue *kasme_ue_new(kasme_tracker *tr)
{
    kasme_ue *ue = slab_new(&tr->ues);
    ue->id = tr->ues.count;
    return ue;
}

kasme_sec_ctx *kasme_ctx_new(kasme_tracker *tr)
{
    kasme_sec_ctx *ctx;
    if (tr->spare_ctx->len) {
        uint32_t id = g_array_index(tr->spare_ctx, uint32_t, tr->spare_ctx->len - 1);
        g_array_set_size(tr->spare_ctx, tr->spare_ctx->len - 1);
        ctx = slab_at(&tr->contexts, id); /* wiped when it was recycled */
        ctx->id = id;
    } else {
        ctx = slab_new(&tr->contexts);
        ctx->id = tr->contexts.count;
    }
    ctx->ksi = -1;
    ctx->sched = tr->sched;
    return ctx;
}

void kasme_ctx_recycle(kasme_tracker *tr, kasme_sec_ctx *ctx)
{
    uint32_t id = ctx->id;
    kasme_ctx_drop_cands(ctx);
    kasme_secure_zero(ctx, sizeof *ctx);
    g_array_append_val(tr->spare_ctx, id);
}

kasme_ue *kasme_ue_by_id(kasme_tracker *tr, uint32_t id)
{
    return slab_at(&tr->ues, id);
}

kasme_sec_ctx *kasme_ctx_by_id(kasme_tracker *tr, uint32_t id)
{
    return slab_at(&tr->contexts, id);
}

kasme_sec_ctx *kasme_ue_current(kasme_tracker *tr, const kasme_ue *ue, int domain)
{
    return kasme_ctx_by_id(tr, ue->current_id[domain]);
}

kasme_sec_ctx *kasme_ue_pending(kasme_tracker *tr, const kasme_ue *ue, int domain)
{
    return kasme_ctx_by_id(tr, ue->pending_id[domain]);
}

void kasme_ue_set_current(kasme_ue *ue, int domain, const kasme_sec_ctx *ctx)
{
    ue->current_id[domain] = ctx ? ctx->id : 0;
}

void kasme_ue_set_pending(kasme_ue *ue, int domain, const kasme_sec_ctx *ctx)
{
    ue->pending_id[domain] = ctx ? ctx->id : 0;
}

/* Octets of candidates with room root keys, and a 5GS part after them or not. */
static size_t cands_size(bool fivegs, size_t room)
{
    size_t roots = offsetof(kasme_root_cands, root) + room * 32;
    return fivegs ? roots + offsetof(kasme_cands_5gs, xres_star) + room * 16 : roots;
}

static kasme_cands_5gs *part_5gs(kasme_root_cands *c)
{
    return (kasme_cands_5gs *)((uint8_t *)c + cands_size(false, c->room));
}

kasme_root_cands *kasme_ctx_cands_room(kasme_sec_ctx *ctx, size_t room)
{
    if (!ctx->cands) {
        room = CLAMP(room, 1, KASME_MAX_SN_CANDIDATES);
        ctx->cands_5gs = ctx->domain == KASME_DOMAIN_5GS;
        ctx->cands = g_malloc0(cands_size(ctx->cands_5gs, room));
        ctx->cands->room = (uint8_t)room;
    }
    return ctx->cands;
}

kasme_root_cands *kasme_ctx_cands(kasme_sec_ctx *ctx)
{
    return kasme_ctx_cands_room(ctx, 1);
}

kasme_cands_5gs *kasme_ctx_cands_5gs(const kasme_sec_ctx *ctx)
{
    return ctx->cands && ctx->cands_5gs ? part_5gs(ctx->cands) : NULL;
}

void kasme_ctx_drop_cands(kasme_sec_ctx *ctx)
{
    if (!ctx->cands)
        return;
    kasme_secure_zero(ctx->cands, cands_size(ctx->cands_5gs, ctx->cands->room));
    g_free(ctx->cands);
    ctx->cands = NULL;
}

kasme_sched *kasme_ctx_sched(kasme_sec_ctx *ctx)
{
    if (!ctx->keys_ready)
        return NULL;
    return kasme_sched_get(ctx->sched, ctx->id, ctx->eea, ctx->k_nas_enc, ctx->eia,
                           ctx->k_nas_int);
}

void kasme_ue_set_imsi(kasme_tracker *tr, kasme_ue *ue, const char *imsi)
{
    if (!imsi[0] || strcmp(ue->imsi, imsi) == 0)
        return;
    uint64_t old_key = kasme_digits_key(ue->imsi);
    if (old_key && kasme_idmap_get(&tr->by_imsi, old_key) == ue->id)
        kasme_idmap_remove(&tr->by_imsi, old_key);
    g_strlcpy(ue->imsi, imsi, sizeof ue->imsi);
    uint64_t key = kasme_digits_key(ue->imsi);
    if (key)
        kasme_idmap_put(&tr->by_imsi, key, ue->id);
    if (!ue->sub && tr->db)
        ue->sub = kasme_subdb_by_imsi(tr->db, imsi);
}

kasme_ue *kasme_ue_by_imsi(kasme_tracker *tr, const char *imsi)
{
    return kasme_ue_by_id(tr, kasme_idmap_get(&tr->by_imsi, kasme_digits_key(imsi)));
}

kasme_ue *kasme_ue_by_tmsi(kasme_tracker *tr, kasme_domain domain, uint32_t tmsi)
{
    return kasme_ue_by_id(tr, kasme_idmap_get(&tr->by_tmsi, kasme_tmsi_key(domain, tmsi)));
}

void kasme_ue_set_tmsi(kasme_tracker *tr, kasme_ue *ue, kasme_domain domain, uint32_t tmsi)
{
    ue->has_tmsi = true;
    ue->m_tmsi = tmsi;
    ue->tmsi_domain = (uint8_t)domain;
    kasme_idmap_put(&tr->by_tmsi, kasme_tmsi_key(domain, tmsi), ue->id);
}

void kasme_ctx_info_fill(const kasme_sec_ctx *ctx, kasme_ctx_info *info)
{
    memset(info, 0, sizeof *info);
    info->ctx_id = ctx->id;
    info->domain = (kasme_domain)ctx->domain;
    info->ksi = ctx->ksi;
    info->eea = ctx->eea;
    info->eia = ctx->eia;
    info->aka_frame = ctx->aka_frame;
    info->smc_frame = ctx->smc_frame;
    info->sub = ctx->sub;
    info->from_keyfile_kasme = ctx->from_keyfile_kasme;
    info->algs_searched = ctx->algs_searched;
    memcpy(info->sn_id, ctx->sn_id, 3);
}

void kasme_tracker_conn_release(kasme_tracker *tr, uint64_t conn)
{
    kasme_conn_map_remove(tr, conn);
}

void kasme_tracker_bind_tmsi(kasme_tracker *tr, uint64_t conn, uint32_t m_tmsi)
{
    kasme_ue *ue = kasme_ue_by_tmsi(tr, KASME_DOMAIN_EPS, m_tmsi);
    if (ue)
        kasme_conn_map_insert(tr, conn, ue);
    else
        kasme_tracker_conn_release(tr, conn); /* a UE kasme does not know yet */
}


kasme_ue *kasme_ue_of_conn(kasme_tracker *tr, uint64_t conn)
{
    return conn ? kasme_conn_map_lookup(tr, conn) : NULL;
}

/* The per-PDU part of a UE's current context (the fields before cands, tracker_int.h) is
 * requested at once when the UE is known, so that for a UE whose state left the cache its two
 * or three lines arrive together instead of one after another as the handling reaches them. */
static void prefetch_current(kasme_tracker *tr, const kasme_ue *ue, kasme_domain domain)
{
    const char *ctx = (const char *)kasme_ue_current(tr, ue, domain);
    if (!ctx)
        return;
    for (size_t at = 0; at < offsetof(kasme_sec_ctx, cands); at += 64)
        KASME_PREFETCH(ctx + at);
    KASME_PREFETCH(ctx + offsetof(kasme_sec_ctx, cands) - 1);
}

static kasme_ue *ue_by_conn(kasme_tracker *tr, const kasme_pdu_meta *meta)
{
    kasme_ue *ue = NULL;
    if (meta->conn)
        ue = kasme_conn_map_lookup(tr, meta->conn);
    if (!ue && meta->conn_alt)
        ue = kasme_conn_map_lookup(tr, meta->conn_alt);
    return ue;
}

static kasme_ue *ue_by_identity(kasme_tracker *tr, kasme_domain domain,
                                const kasme_nas_identity *id)
{
    if (id->type == KASME_NAS_ID_IMSI)
        return kasme_ue_by_imsi(tr, id->digits);
    if (id->type == KASME_NAS_ID_GUTI || id->type == KASME_NAS_ID_TMSI)
        return kasme_ue_by_tmsi(tr, domain, id->m_tmsi);
    return NULL;
}

/* Binds what a plaintext message says about who the UE is. */
static void learn_identity(kasme_tracker *tr, kasme_ue *ue, const kasme_nas_msg *msg,
                           kasme_nas_result *res)
{
    const kasme_nas_identity *id = &msg->identity;
    if (id->type == KASME_NAS_ID_IMSI) {
        kasme_ue_set_imsi(tr, ue, id->digits);
        res->events |= KASME_EV_IDENTITY;
        /* known by K (ue->sub) or by a root key line of the message's domain; with no key
         * file at all (keys from the capture only) there is nothing to be missing from */
        if (!ue->sub && tr->db && kasme_subdb_count(tr->db) > 0 &&
            !kasme_profile(msg->domain)->root_line_by_imsi(tr->db, id->digits))
            res->events |= KASME_EV_UNKNOWN_SUBSCRIBER;
    } else if (id->type == KASME_NAS_ID_GUTI) {
        kasme_ue_set_tmsi(tr, ue, msg->domain, id->m_tmsi);
        memcpy(ue->guti_plmn, id->plmn, 3);
        ue->has_guti_plmn = true;
    }
    if (msg->new_guti.type == KASME_NAS_ID_GUTI) {
        kasme_ue_set_tmsi(tr, ue, msg->domain, msg->new_guti.m_tmsi);
        memcpy(ue->guti_plmn, msg->new_guti.plmn, 3);
        ue->has_guti_plmn = true;
        res->events |= KASME_EV_IDENTITY;
    }
}

/* A plaintext (security header type 0) EMM or 5GMM message: AKA and identities. Returns the
 * UE the connection now belongs to (an AKA for another subscriber moves it, tracker_aka.c). */
static kasme_ue *handle_plain(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                              const kasme_nas_msg *msg, kasme_nas_result *res)
{
    learn_identity(tr, ue, msg, res);
    switch (msg->kind) {
    case KASME_NAS_K_AUTH_REQUEST:
        return kasme_aka_request(tr, ue, meta, msg, res);
    case KASME_NAS_K_AUTH_RESPONSE:
        kasme_aka_response(tr, ue, msg, res);
        break;
    case KASME_NAS_K_AUTH_FAILURE:
        kasme_aka_failure(ue, msg->domain, res);
        break;
    default:
        break;
    }
    return ue;
}

/* An initial NAS message names its UE (TS 24.301 5.5.1.2.2, 5.5.3.2.2, 5.6.1.2; TS 24.501
 * 5.5.1.2.2, 5.6.1.2): a known identity wins over the connection, which may have been reused
 * by another UE. So does an Identity Response: a registration with a 5G-GUTI (or an attach
 * with a GUTI) that kasme placed on the UE that GUTI belonged to is another subscriber when
 * the core asks for the identity and gets another SUPI (IMSI). */
static bool is_initial_message(const kasme_nas_msg *msg)
{
    return msg->kind == KASME_NAS_K_INITIAL || msg->kind == KASME_NAS_K_IDENTITY_RESPONSE;
}

static kasme_ue *ue_for_pdu(kasme_tracker *tr, kasme_domain domain,
                            const kasme_pdu_meta *meta, const kasme_nas_msg *msg)
{
    kasme_ue *by_conn = ue_by_conn(tr, meta);
    if (by_conn && !(msg && is_initial_message(msg)))
        return by_conn;
    kasme_ue *named = msg ? ue_by_identity(tr, domain, &msg->identity) : NULL;
    if (named)
        return named;
    if (by_conn && msg && msg->identity.type == KASME_NAS_ID_IMSI && by_conn->imsi[0] &&
        strcmp(by_conn->imsi, msg->identity.digits) != 0)
        return kasme_ue_new(tr); /* a new subscriber on a reused connection */
    if (by_conn)
        return by_conn;
    if (meta->has_m_tmsi)
        return kasme_ue_by_tmsi(tr, domain, meta->m_tmsi);
    return NULL;
}

/* A SUCI names its SUPI (TS 33.501 6.12.2): the null scheme in clear, Profiles A and B
 * concealed with a home network key of the key file, whose MAC tag must verify. A SUCI that
 * gives its SUPI is then an IMSI identity, so the UE and its subscriber line are found by it. */
static void resolve_suci(kasme_tracker *tr, kasme_nas_msg *msg, kasme_nas_result *res)
{
    kasme_nas_identity *id = &msg->identity;
    if (!id->suci_ie || (id->type != KASME_NAS_ID_SUCI && !id->from_suci))
        return;
    kasme_suci suci;
    kasme_suci_result got = {.status = kasme_suci_parse(id->suci_ie, id->suci_ie_len, &suci)};
    if (got.status == KASME_SUCI_OK)
        got = kasme_suci_to_supi(&suci, tr->db);
    res->has_suci = true;
    res->suci_scheme = id->suci_scheme;
    res->suci_hnet_id = id->suci_hn_key_id;
    res->suci_status = (uint8_t)got.status;
    if (got.status != KASME_SUCI_OK)
        return;
    g_strlcpy(res->supi, got.supi, sizeof res->supi);
    g_strlcpy(id->digits, got.supi, sizeof id->digits);
    id->type = KASME_NAS_ID_IMSI;
    id->from_suci = true;
}

static bool inner_is_plain(const kasme_nas_outer *outer)
{
    return outer->sec_hdr == 1 || outer->sec_hdr == 3;
}

/* After a protected PDU was handled: the inner message can be an AKA (a re-authentication
 * runs inside the current context, TS 33.401 7.2.4.1), an identity or a new GUTI. */
static kasme_ue *handle_inner(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                              const kasme_nas_outer *outer, const uint8_t *plain_out,
                              kasme_nas_result *res)
{
    kasme_nas_msg inner;
    int hint = res->dir == KASME_DIR_UL ? 1 : res->dir == KASME_DIR_DL ? 0 : -1;
    if (res->status != KASME_PDU_DECIPHERED || !res->plain_len || outer->sec_hdr == 3 ||
        res->mac_status == KASME_MAC_BAD)
        return ue;
    if (kasme_nas_parse_plain(plain_out, res->plain_len, hint, &inner) == 0)
        return handle_plain(tr, ue, meta, &inner, res);
    return ue;
}

/* The UE a protected PDU turned out to belong to: the one a MAC search made, or, when its
 * identity named a UE whose context failed the MAC, the owner of the context that verified
 * it; the identity then names that UE. */
static kasme_ue *context_owner(kasme_tracker *tr, kasme_ue *ue, const kasme_nas_msg *msg,
                               kasme_nas_result *res)
{
    if (!ue)
        return kasme_ue_by_id(tr, res->ue_id);
    if (!(res->events & KASME_EV_FOUND_BY_MAC))
        return ue;
    kasme_ue *owner = kasme_ue_by_id(tr, res->ue_id);
    if (owner && msg)
        learn_identity(tr, owner, msg, res);
    return owner ? owner : ue;
}

void kasme_tracker_nas(kasme_tracker *tr, const kasme_pdu_meta *meta, const uint8_t *pdu,
                       size_t len, uint8_t *plain_out, kasme_nas_result *res)
{
    kasme_nas_outer outer;
    kasme_nas_msg msg;
    bool have_msg = false;

    memset(res, 0, sizeof *res);
    res->dir = meta->dir;
    res->mac_status = KASME_MAC_NOT_PRESENT;
    if (kasme_nas_parse_outer(pdu, len, &outer) != 0) {
        res->status = KASME_PDU_MALFORMED;
        return;
    }
    res->sec_hdr = outer.sec_hdr;

    int hint = meta->dir == KASME_DIR_UL ? 1 : meta->dir == KASME_DIR_DL ? 0 : -1;
    if (outer.sec_hdr == 0)
        have_msg = kasme_nas_parse_plain(pdu, len, hint, &msg) == 0;
    else if (inner_is_plain(&outer) && outer.inner_len)
        have_msg = kasme_nas_parse_plain(outer.inner, outer.inner_len, hint, &msg) == 0;

    if (have_msg)
        resolve_suci(tr, &msg, res);
    kasme_ue *ue = ue_for_pdu(tr, outer.domain, meta, have_msg ? &msg : NULL);
    if (!ue && outer.sec_hdr == 0)
        ue = kasme_ue_new(tr);
    if (ue && outer.sec_hdr != 0)
        prefetch_current(tr, ue, outer.domain);

    if (outer.kind == KASME_NAS_SEC_PARTIAL || outer.kind == KASME_NAS_SEC_RESERVED) {
        res->status = KASME_PDU_MALFORMED;
    } else if (outer.sec_hdr == 0) {
        res->status = KASME_PDU_PLAIN;
        if (have_msg)
            ue = handle_plain(tr, ue, meta, &msg, res);
    } else if (outer.kind == KASME_NAS_SEC_SERVICE_REQUEST) {
        kasme_nas_service_request(tr, ue, &outer, pdu, len, res);
        ue = context_owner(tr, ue, have_msg ? &msg : NULL, res);
    } else {
        if (have_msg && ue)
            learn_identity(tr, ue, &msg, res);
        kasme_nas_protected(tr, ue, meta, &outer, plain_out, res);
        ue = context_owner(tr, ue, have_msg ? &msg : NULL, res);
        if (ue)
            ue = handle_inner(tr, ue, meta, &outer, plain_out, res);
    }
    if (!ue)
        return;
    if (meta->n_plmns) {
        memcpy(ue->carrier_plmn, meta->plmns[0], 3);
        ue->has_carrier_plmn = true;
    }
    kasme_conn_map_insert(tr, meta->conn, ue);
    kasme_conn_map_insert(tr, meta->conn_alt, ue);
    res->ue_id = ue->id;
    kasme_imsi_copy(res->imsi, ue->imsi);
}

/* TS 33.401 7.2.8 (TS 33.501 6.9.2.1.1): K_eNB (K_gNB) from the UL NAS COUNT of the NAS
 * message that made the UE connected or of the SMC Complete; the core's SecurityKey tells
 * which. */
void kasme_tracker_an_key(kasme_tracker *tr, kasme_domain domain, const kasme_pdu_meta *meta,
                          const uint8_t key[32], kasme_kenb_result *res)
{
    memset(res, 0, sizeof *res);
    res->domain = domain;
    kasme_ue *ue = ue_by_conn(tr, meta);
    if (ue) { /* a K_eNB candidate for the RRC SMC; NH_1's SYNC-input */
        ue->has_an_key = true;
        ue->an_key_domain = (uint8_t)domain;
        memcpy(ue->an_key, key, 32);
    }
    kasme_sec_ctx *ctx = ue ? kasme_ue_current(tr, ue, domain) : NULL;
    if (!ctx || !ctx->active) {
        res->why = "no active NAS security context for this UE";
        return;
    }
    res->ue_id = ue->id;
    res->ctx_id = ctx->id;
    res->verdict = KASME_KENB_MISMATCH;
    res->why = kasme_profile(domain)->why_an_key_unknown;
    size_t n = ctx->ul_hist_n < KASME_UL_HISTORY ? ctx->ul_hist_n : KASME_UL_HISTORY;
    for (size_t i = 0; i < n; i++) {
        uint8_t derived[32];
        uint32_t count = ctx->ul_hist[(ctx->ul_hist_n - 1 - i) % KASME_UL_HISTORY];
        bool same = kasme_derive_an_key(domain, ctx->root_key, count, derived) == 0 &&
                    memcmp(derived, key, 32) == 0;
        kasme_secure_zero(derived, sizeof derived);
        if (same) {
            res->verdict = KASME_KENB_CONFIRMED;
            res->ul_count = count;
            res->why = NULL;
            return;
        }
    }
    if (kasme_an_key_before_capture(ctx, key, &res->ul_count)) {
        res->verdict = KASME_KENB_CONFIRMED;
        res->why = NULL;
    }
}
