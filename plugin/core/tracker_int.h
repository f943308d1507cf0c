/* Internals shared by tracker*.c; not part of the tracker's API. */
#ifndef KASME_TRACKER_INT_H
#define KASME_TRACKER_INT_H

#include <glib.h>
#include <string.h>

#include "eap_msg.h"
#include "idmap.h"
#include "nas_msg.h"
#include "schedcache.h"
#include "sec_alg.h"
#include "tracker.h"

#define KASME_MAX_SN_CANDIDATES 6
#define KASME_UL_HISTORY 8
/* A UE found by no identifier is looked for among at most this many recent UEs. */
#define KASME_GUESS_LIMIT 4096
/* Key schedule cache: 64 slots of two schedules each. A libgcrypt AES handle takes about 2 KB
 * (massif), so the full cache is about 256 KB; a miss costs a re-key, well under a
 * microsecond. 64 contexts in use at once is more than a lab capture's UEs; in a capture of
 * thousands of interleaved UEs nearly every PDU misses whatever the size (bench_scale.py's
 * capture of 2 000 UEs: 3 100 M instructions with 256 slots, 3 098 M with 64), and 256 slots
 * were about 1 MB of RSS, 71 B a UE at 10 000 UEs (README, Performance). */
#define KASME_SCHED_SLOTS_LOG2 6

/* What differs between an EPS and a 5GS NAS security context; everything else is shared. */
typedef struct {
    uint8_t alg_key_fc;       /* TS 33.401 A.7: 0x15; TS 33.501 A.8: 0x69 */
    /* why texts (static, so a packed result can name them: tracker_pack.c) */
    const char *why_no_root;        /* an SMC with no AKA or key-file root key */
    const char *why_an_key_unknown; /* a SecurityKey no recent UL NAS COUNT gives */
    const char *why_nh_unplaced;    /* a SecurityContext's NH that no known UE's chain holds */
    const char *why_nh_no_root;     /* a SecurityContext's NH for a UE without a root key */
    const char *why_nh_no_an_key;   /* ... without an initial K_eNB/K_gNB to start the chain */
    const char *why_nh_mismatch;    /* ... that no NH of the chain equals */
    /* key-file lines that give the root key itself: kasme= (EPS) or kamf= (5GS) */
    const kasme_subscriber *(*root_line_by_imsi)(const kasme_subdb *db, const char *imsi);
    const kasme_subscriber *(*root_line_by_tmsi)(const kasme_subdb *db, uint32_t tmsi);
    const kasme_subscriber *(*root_line_any)(const kasme_subdb *db);
} kasme_domain_profile;

/* tracker_domain.c */
const kasme_domain_profile *kasme_profile(kasme_domain domain);
/* The root key of a kasme= or kamf= key-file line. */
const uint8_t *kasme_root_line_key(kasme_domain domain, const kasme_subscriber *line);
/* NAS BEARER input (TS 33.401 8.1.1: 0; TS 33.501 6.4.3.1: the access type, 1 for 3GPP). */
unsigned kasme_nas_bearer(kasme_domain domain, const kasme_pdu_meta *meta);
/* K_eNB (A.3) or K_gNB (A.9, 3GPP access) from the root key and an uplink NAS COUNT. */
int kasme_derive_an_key(kasme_domain domain, const uint8_t root[32], uint32_t ul_count,
                        uint8_t out[32]);
/* The next NH (TS 33.401 A.4, TS 33.501 A.10) from the root key and SYNC-input (the initial
 * K_eNB/K_gNB for NH_1, then the previous NH). */
int kasme_derive_nh(kasme_domain domain, const uint8_t root[32], const uint8_t sync[32],
                    uint8_t out[32]);

/* A NAS security context: EPS (TS 33.401 7.2.5.1, TS 24.301 4.4.2) or 5GS (TS 33.501 6.7,
 * TS 24.501 4.4.2). Before its NAS SMC it may hold several root key candidates (one per
 * serving network candidate); the SMC's MAC picks one. Once active its keys and algorithms
 * never change: a new SMC makes a new context, so a PDU's result can point at the context it
 * used. */
/* Root key candidates of a context before its SMC, one per serving network candidate; freed
 * once a context is in use. Every UE holds one between its AKA and its SMC, so it is
 * allocated only for the candidates it has (room: the generated UEs have two, the most is
 * KASME_MAX_SN_CANDIDATES), and a 5GS context's own fields (kasme_cands_5gs) follow the root
 * keys only in a 5GS context (kasme_ctx_cands_5gs). */
typedef struct {
    uint8_t sn[KASME_MAX_SN_CANDIDATES][3];
    /* K_ASME (K_AMF) is derived when the SMC tries a candidate (kasme_ctx_root_cand), as the
     * first one usually verifies: bit i of underived says root[i] is still to be derived from
     * CK || IK and AUTN's SQN xor AK (TS 33.401 A.2; TS 33.501 A.2, A.6, A.7). */
    uint8_t ck_ik[32];
    uint8_t sqn_ak[6];
    uint8_t underived;
    uint8_t room;       /* root keys allocated: root[0 .. room - 1] */
    uint8_t root[][32]; /* then, in a 5GS context, its kasme_cands_5gs */
} kasme_root_cands;

#define KASME_CANDS_ABBA_MAX 16

/* A 5GS context's candidates also hold: for 5G AKA every candidate's XRES* at once (the
 * Authentication Response's RES* picks one) and what K_AUSF -> K_SEAF -> K_AMF of a later
 * candidate needs when RES* or the SMC picks it; for EAP-AKA' K_aut, for the EAP-Response's
 * AT_MAC. */
typedef struct {
    uint8_t k_aut[32];
    bool has_k_aut;
    uint8_t abba_len;
    uint8_t abba[KASME_CANDS_ABBA_MAX];
    char supi[16];
    uint8_t xres_star[][16]; /* room of them */
} kasme_cands_5gs;

/* One is kept per AKA, 100 000s of them. A protected PDU reads (and for its COUNTs writes)
 * the fields up to ul_hist, which therefore come first: at its 168 octets a context spans
 * three or four cache lines, and a PDU of a UE whose state left the cache reads two or three
 * of them. The root key candidates and the root key itself come last (the SMC, K_eNB). */
struct kasme_sec_ctx {
    kasme_sched_cache *sched;  /* key schedules come from the cache while keys_ready */
    const kasme_subscriber *sub;
    uint32_t id;
    uint32_t ue_id;            /* the UE it was made for */
    uint32_t aka_frame;
    uint32_t smc_frame;
    uint32_t last_count[2];    /* highest NAS COUNT seen per direction */
    uint8_t k_nas_enc[16], k_nas_int[16];
    int8_t ksi;                /* 0..7, -1 = not known */
    uint8_t sn_id[3];
    uint8_t eea, eia;
    uint8_t domain;            /* kasme_domain */
    uint8_t nas_bearer;        /* BEARER of its NAS PDUs (kasme_nas_bearer) */
    uint8_t eea_open;          /* algs_searched: the EEAs (bit n = EEA n) no ciphered PDU has
                                  ruled out yet; 0 once one is left (then it is eea) */
    bool seen[2];
    /* the flags in one octet */
    bool from_keyfile_kasme : 1;
    bool active : 1;
    bool keys_ready : 1;       /* k_nas_* derived for eea/eia */
    bool continues_counts : 1; /* an SMC on the current K_ASME: the NAS COUNTs go on */
    bool algs_searched : 1;    /* no SMC: eia and the COUNT found by MAC search */
    bool has_an_key_count : 1;
    bool cands_5gs : 1;        /* cands has a 5GS part (kasme_cands_5gs) */
    uint8_t n_roots;           /* root key candidates in cands */
    uint32_t ul_hist_n;        /* uplink PDUs: the last UL NAS COUNTs (SecurityKey check) */
    uint32_t ul_hist[KASME_UL_HISTORY];
    /* SMC, K_eNB / K_gNB and NH only */
    uint32_t an_key_count;     /* the UL NAS COUNT of the last K_eNB/K_gNB derived under it (SMC
                                  Complete or initial NAS message), if has_an_key_count */
    kasme_root_cands *cands;
    uint8_t root_key[32];      /* K_ASME, or K_AMF in 5GS */
};

/* What the last Authentication Request leaves for its Response: the expected RES. */
typedef struct {
    bool valid;
    uint8_t xres_len;
    uint8_t xres[16];
} kasme_aka_state;

/* One per UE. The fields every NAS PDU of the UE reads or writes fill the first 64 octets, and
 * the slab keeps UEs 64-octet aligned (slab_new), so a PDU of a UE whose state is no longer in
 * the cache costs one line of it, not three; the rest is read per AKA, identity or K_eNB. */
struct kasme_ue {
    /* Per domain (a UE seen on S1 and NG has a context of each): the context NAS PDUs are
     * protected with, and the one the last AKA made, waiting for its SMC. */
    uint32_t current_id[2]; /* context ids (kasme_ctx_by_id), 0 = none: half a pointer's size */
    uint64_t bound_conn[2]; /* the last two conn keys bound to it, 0 if none (tracker.c) */
    uint32_t id;
    uint8_t carrier_plmn[3]; /* the last PLMN its connection named (TAI, user location) */
    bool has_carrier_plmn;
    char imsi[16];
    uint32_t pending_id[2];
    const kasme_subscriber *sub;
    /* second line: AKA, identities, K_eNB */
    uint32_t m_tmsi;
    uint8_t an_key[32];     /* the last SecurityKey for this UE (K_eNB of S1AP, K_gNB of NGAP): */
    kasme_aka_state aka;
    uint8_t guti_plmn[3];
    bool has_tmsi;
    uint8_t tmsi_domain;    /* kasme_domain of m_tmsi: an M-TMSI or a 5G-TMSI */
    bool has_guti_plmn;
    bool has_an_key;
    uint8_t an_key_domain;  /*   its kasme_domain; NH_1 = KDF(root key, it) */
};

#define KASME_MAX_RB 32
/* COUNT slots of a connection: SRB0..2 at 0..2, DRB identity d at 3 + d. */
#define KASME_RB_SLOTS (3 + KASME_MAX_RB + 1)

/* AS security of one RRC connection (TS 33.401 7.2.4.5, TS 36.331 5.3.4): taken into use by
 * the RRC SMC, whose MAC-I picks the K_eNB among the candidates. */
typedef struct {
    bool active;
    uint32_t smc_frame;
    uint8_t eea, eia;
    uint8_t kenb[32];
    const char *kenb_source;
    bool kenb_from_nas;
    uint32_t kenb_ul_count;
    uint8_t krrc_enc[16], krrc_int[16], kup_enc[16];
    kasme_sched_cache *sched; /* set by kasme_as_activate */
    bool ul_ciphering_on; /* UL is ciphered from the PDU after the SMC Complete */
    /* RRC connection re-establishment (TS 33.401 7.2.8.4.3): K_eNB* waits for the first
     * SRB1 PDU, whose MAC-I tells the target cell's EARFCN-DL */
    bool reest_pending;
    uint16_t reest_pci;
    int ncc;               /* next hop chaining count in use (3 bits); 0 after the initial setup */
    unsigned nh_index;     /* NH derivations behind ncc: NCC is nh_index mod 8 (TS 33.401 7.2.8.4) */
    int reest_ncc;
    uint8_t kasme[32];     /* for the NH chain, when the NAS context is known */
    uint8_t kenb_initial[32];
    bool has_kasme;
    uint32_t reest_earfcn;
    int32_t earfcn_hint;   /* EARFCN-DL named by a handover command, -1 if none */
    bool kenb_star;        /* kenb is a K_eNB* */
    bool algs_searched;    /* no RRC SMC: keys and algorithms found by the MAC-I search */
} kasme_as_ctx;

/* One RRC connection (an RNTI until its release): PDCP COUNTs per bearer and direction. */
typedef struct {
    bool seen[2][KASME_RB_SLOTS];
    uint32_t last_count[2][KASME_RB_SLOTS];
    int8_t drb_bearer[KASME_MAX_RB + 1]; /* BEARER found to work for a DRB, -1 unknown */
    bool drb_moved[2][KASME_MAX_RB + 1]; /* per direction: a move since the DRB's last PDU */
    kasme_as_ctx as;
} kasme_radio_conn;

/* Objects made one after another and never freed one by one (UEs, contexts), in chunks of
 * 1024: an object's id is its index + 1, and it costs no allocation header and no pointer. */
typedef struct {
    GPtrArray *chunks;
    uint32_t count;
    uint32_t size; /* of one object */
} kasme_slab;

#define KASME_HO_MOVES 8

/* An S1AP SecurityContext waiting for its UE on the target cell (tracker_kenb.c). */
#define KASME_NH_PENDING 4
#define KASME_NH_TRIES 8 /* PDUs of new connections one NH is tried on before it is dropped */
#define KASME_MAX_PCI_SWEEPS 64 /* tries over all 504 PCIs per capture; then named PCIs only */
typedef struct {
    bool used;
    kasme_nh_context sc;
    uint32_t frame, ue_id;
    unsigned nh_index;     /* its place in the UE's NH chain, 0 if not confirmed */
    bool has_kasme;        /* K_ASME and initial K_eNB, for the NH chain after this handover */
    uint8_t kasme[32], kenb_initial[32];
    unsigned tries;
} kasme_nh_pending;

struct kasme_tracker {
    const kasme_subdb *db;
    kasme_slab ues;      /* kasme_ue, id = index + 1 */
    kasme_slab contexts; /* kasme_sec_ctx, id = index + 1 */
    kasme_idmap by_conn; /* conn key -> UE id (kasme_conn_map_*) */
    kasme_idmap by_imsi; /* kasme_digits_key(IMSI) -> UE id, an index of ue->imsi */
    kasme_idmap by_tmsi; /* kasme_tmsi_key(domain, TMSI) -> UE id */
    GHashTable *radio;   /* uint64 conn key -> kasme_radio_conn* */
    kasme_tracker_stats stats;
    unsigned earfcn_searches;
    /* connections a handover command moved a UE to, waiting for its first PDU there: a UE's
     * own capture may name the target cell's connection by another UEId (tracker_as.c) */
    uint64_t ho_moves[KASME_HO_MOVES];
    unsigned ho_moves_next;
    kasme_nh_pending nh_pending[KASME_NH_PENDING];
    unsigned nh_pending_next;
    unsigned pci_sweeps;
    kasme_sched_cache *sched; /* key schedules of the contexts in use */
    GArray *spare_ctx;   /* uint32 ids of contexts made for an SMC and not taken: reused */
    struct kasme_capkeys *capkeys; /* keys the capture carried, NULL until one is learned */
    bool keys_unshown; /* kasme_tracker_show_keys(tr, false): results' kenb left unset */
};

/* tracker.c; a conn key of 0 (none) is never stored */
void kasme_conn_map_insert(kasme_tracker *tr, uint64_t conn, kasme_ue *ue);
kasme_ue *kasme_conn_map_lookup(kasme_tracker *tr, uint64_t conn);
void kasme_conn_map_remove(kasme_tracker *tr, uint64_t conn);
/* M-TMSIs and 5G-TMSIs are keyed apart, so the two cannot name each other's UE. */
uint64_t kasme_tmsi_key(kasme_domain domain, uint32_t tmsi);
kasme_ue *kasme_ue_by_tmsi(kasme_tracker *tr, kasme_domain domain, uint32_t tmsi);
kasme_ue *kasme_ue_by_imsi(kasme_tracker *tr, const char *imsi);
kasme_ue *kasme_ue_new(kasme_tracker *tr);
/* A UE's IMSI into a result (both char[16], NUL-terminated): for every NAS PDU, so a copy of
 * the whole array (a few instructions) instead of g_strlcpy (about 140 under callgrind). */
static inline void kasme_imsi_copy(char dst[16], const char src[16])
{
    memcpy(dst, src, 16);
    dst[15] = '\0';
}
void kasme_ue_set_imsi(kasme_tracker *tr, kasme_ue *ue, const char *imsi);
void kasme_ue_set_tmsi(kasme_tracker *tr, kasme_ue *ue, kasme_domain domain, uint32_t tmsi);
kasme_sec_ctx *kasme_ctx_new(kasme_tracker *tr);
/* A context nothing refers to (an SMC candidate that was not taken) is wiped, and its id is
 * handed out again by kasme_ctx_new. */
void kasme_ctx_recycle(kasme_tracker *tr, kasme_sec_ctx *ctx);
/* By the 1-based ids results carry; NULL for 0 or an id not handed out. */
kasme_ue *kasme_ue_by_id(kasme_tracker *tr, uint32_t id);
kasme_sec_ctx *kasme_ctx_by_id(kasme_tracker *tr, uint32_t id);
/* A UE's current and pending contexts per domain, kept as ids (NULL / 0 = none) */
kasme_sec_ctx *kasme_ue_current(kasme_tracker *tr, const kasme_ue *ue, int domain);
kasme_sec_ctx *kasme_ue_pending(kasme_tracker *tr, const kasme_ue *ue, int domain);
void kasme_ue_set_current(kasme_ue *ue, int domain, const kasme_sec_ctx *ctx);
void kasme_ue_set_pending(kasme_ue *ue, int domain, const kasme_sec_ctx *ctx);
/* The context's root key candidates, allocated (zeroed) on first use with room for that many
 * (kasme_ctx_cands: one; a later call does not resize them, see their room); set ctx->domain
 * first: an EPS context's have no 5GS part. Dropping zeroes and frees them. */
kasme_root_cands *kasme_ctx_cands_room(kasme_sec_ctx *ctx, size_t room);
kasme_root_cands *kasme_ctx_cands(kasme_sec_ctx *ctx);
/* The 5GS part of a 5GS context's candidates; NULL if it has none (or is an EPS context). */
kasme_cands_5gs *kasme_ctx_cands_5gs(const kasme_sec_ctx *ctx);
void kasme_ctx_drop_cands(kasme_sec_ctx *ctx);
/* The context's NAS schedules from the tracker's cache; NULL if its keys are not derived. */
kasme_sched *kasme_ctx_sched(kasme_sec_ctx *ctx);
void kasme_ctx_info_fill(const kasme_sec_ctx *ctx, kasme_ctx_info *info);

/* What the subscriber's AKA functions give for one challenge (TS 33.102 6.3). */
typedef struct {
    uint8_t xres[16];
    size_t xres_len;
    uint8_t ck[16], ik[16];
} kasme_aka_vector;

/* tracker_aka.c: Authentication Request / Response / Failure. The request returns the UE the
 * AKA ran for: ue, or the UE of the subscriber whose MAC-A matched when ue is another's (the
 * connection is then that UE's). */
kasme_ue *kasme_aka_request(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                            const kasme_nas_msg *msg, kasme_nas_result *res);
void kasme_aka_response(kasme_tracker *tr, kasme_ue *ue, const kasme_nas_msg *msg,
                        kasme_nas_result *res);
void kasme_aka_failure(kasme_ue *ue, kasme_domain domain, kasme_nas_result *res);
/* The context an AKA makes for its SMC, as the UE's pending one of the domain (no root key
 * candidates yet). */
kasme_sec_ctx *kasme_aka_new_ctx(kasme_tracker *tr, kasme_ue *ue, kasme_domain domain, int ksi,
                                 uint32_t aka_frame, const kasme_subscriber *sub);

/* tracker_capkeys.c: keys the capture carried (capkeys.h). An Authentication Request no
 * key-file subscriber matched: true if a learned vector's RAND matches it (the pending
 * context then holds its root key candidates); a 5G one that none matches waits for a K_SEAF. */
bool kasme_capkeys_aka(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                       const kasme_nas_msg *msg, kasme_nas_result *res);
void kasme_capkeys_free(struct kasme_capkeys *ck);
/* Root key candidate i of a context, derived now if the AKA left it (NULL if that fails). */
const uint8_t *kasme_ctx_root_cand(kasme_sec_ctx *ctx, size_t i);
/* TS 33.501 A.6, A.7: K_AMF of one serving network name from K_AUSF (5G AKA, EAP-AKA', or
 * a K_AUSF the capture carried), with the SUPI and the Authentication Request's ABBA. */
bool kasme_kamf_from_kausf(const uint8_t kausf[32], const char *snn, const char *supi,
                           const kasme_nas_msg *msg, uint8_t kamf[32]);
/* Serving network id candidates for a UE, deduplicated; returns how many. */
size_t kasme_sn_candidates(const kasme_ue *ue, const kasme_pdu_meta *meta,
                           uint8_t out[][3], size_t max);

/* tracker_eap.c: EAP-AKA' (TS 33.501 6.1.3.1). The AKA'-Challenge of an Authentication
 * Request whose subscriber gave vec: true when AT_MAC verifies with one EAP identity; ctx then
 * holds its K_AMF (one root key) and K_aut. */
bool kasme_eap_challenge(const kasme_ue *ue, const kasme_pdu_meta *meta, const char *supi,
                         const kasme_nas_msg *msg, const kasme_eap_aka *eap,
                         const kasme_aka_vector *vec, kasme_sec_ctx *ctx);
/* The EAP-Response/AKA'-Challenge of an Authentication Response: AT_MAC and AT_RES. */
void kasme_eap_response(kasme_tracker *tr, const kasme_ue *ue, const kasme_nas_msg *msg, kasme_nas_result *res);

/* tracker_nas.c: protected PDUs. */
/* The MAC input and the inner message come from outer (kasme_nas_parse_outer). */
void kasme_nas_protected(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                         const kasme_nas_outer *outer, uint8_t *plain_out,
                         kasme_nas_result *res);
void kasme_nas_service_request(kasme_tracker *tr, kasme_ue *ue, const kasme_nas_outer *outer,
                               const uint8_t *pdu, size_t len, kasme_nas_result *res);
int kasme_ctx_activate(kasme_sec_ctx *ctx, size_t root_index, uint8_t eea, uint8_t eia);
/* Takes the algorithms into use on the context's root key: K_NASenc and K_NASint derived. */
int kasme_ctx_set_algs(kasme_sec_ctx *ctx, uint8_t eea, uint8_t eia);
/* Verifies seq||inner under ctx, trying the COUNT candidates and, when dir_hint is UNKNOWN,
 * both directions; fills count, dir and the MACs of res. True if the MAC verified. */
bool kasme_nas_verify_mac(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, int dir_hint,
                          kasme_nas_result *res);
/* Candidate contexts (not yet active) from the key file's root key lines that may name this
 * UE (IMSI, TMSI, the carrier's S-TMSI, any) and whose KSI is ksi (any when ksi < 0),
 * appended to out[n..max); returns the new n. */
size_t kasme_keyfile_root_candidates(kasme_tracker *tr, kasme_ue *ue, const kasme_pdu_meta *meta,
                                     kasme_domain domain, int ksi, kasme_sec_ctx **out, size_t n,
                                     size_t max);
/* The inner message of a protected PDU into plain_out (capacity >= inner_len): copied, and
 * deciphered (types 2 and 4) with ctx's K_NASenc at count (TS 33.401 8.2, TS 33.501 6.4.4);
 * in 5GS the NAS message container of an integrity-protected initial message too (TS 24.501
 * 4.4.6). False if the cipher refused: plain_out then holds ciphertext, never to be shown as
 * plaintext. */
bool kasme_nas_inner_plain(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, uint32_t count,
                           int dir, uint8_t *plain_out);
/* NAS-MAC of seq||inner (TS 33.401 8.1.1, TS 33.501 6.4.3) under ctx; false if no schedule. */
bool kasme_nas_mac(kasme_sec_ctx *ctx, uint32_t count, int dir, const uint8_t *data,
                   size_t len, uint32_t *mac);
void kasme_ctx_note_ul(kasme_sec_ctx *ctx, uint32_t count);
bool kasme_derive_kenb(const kasme_tracker *tr, kasme_sec_ctx *ctx, uint32_t ul_count,
                       kasme_nas_result *res);

/* tracker_search.c: contexts found by MAC rather than by the capture's own procedures. */
/* A protected PDU of a UE with no active context (ue may be NULL: no identifier placed it):
 * the key file's root key lines under every EIA and the COUNT window. On success the UE
 * (made when ue is NULL) has the context as current, res holds the COUNT, direction and
 * MACs, and the result is the context; NULL when nothing verifies (*spent: the budget ran
 * out). */
kasme_sec_ctx *kasme_search_algs(kasme_tracker *tr, kasme_ue **ue, const kasme_pdu_meta *meta,
                                 const kasme_nas_outer *outer, int dir_hint,
                                 kasme_nas_result *res, bool *spent);
/* A ciphered PDU under a context whose EEA is still open: deciphered with each open EEA, the
 * ones whose plaintext is no valid NAS message ruled out. True when one EEA is left (then
 * plain_out holds the plaintext and the context uses that EEA). */
bool kasme_search_eea(kasme_sec_ctx *ctx, const kasme_nas_outer *outer, uint32_t count,
                      int dir, uint8_t *plain_out);
/* An initial NAS message (Attach, TAU, Extended Service Request, Detach; Registration,
 * Service Request, Deregistration) sent integrity protected: its KSI into *ksi. */
bool kasme_names_its_context(const kasme_nas_outer *outer, int dir_hint, int *ksi);
/* The other stored contexts of the domain whose KSI is ksi (any when < 0), most recent first,
 * at most max_tries: the first one check verifies the PDU under (res then holds its COUNT,
 * direction and MACs), or NULL. Counts against KASME_GUESS_BUDGET. */
typedef bool (*kasme_ctx_check)(kasme_sec_ctx *ctx, const void *arg, kasme_nas_result *probe);
kasme_sec_ctx *kasme_ctx_by_mac(kasme_tracker *tr, const kasme_sec_ctx *tried,
                                kasme_domain domain, int ksi, uint32_t max_tries,
                                kasme_ctx_check check, const void *arg, kasme_nas_result *res);
/* An S1AP/NGAP SecurityKey under a context found by MAC search: K_eNB (K_gNB) from an uplink
 * NAS COUNT before the capture began (below the lowest seen, at most 16). */
bool kasme_an_key_before_capture(const kasme_sec_ctx *ctx, const uint8_t key[32],
                                 uint32_t *ul_count);

/* An SRB PDU of a connection without AS security (a capture that starts after the RRC SMC):
 * the key file's K_eNB (or AS key) lines for it, every EEA/EIA pair, PDCP COUNTs of HFN 0..15;
 * on a MAC-I that verifies, `as` is active with those keys and *count the COUNT. *tried: there
 * were lines to try. Counts against KASME_SEARCH_BUDGET; work holds len octets. */
bool kasme_as_search(kasme_tracker *tr, kasme_as_ctx *as, const kasme_ue *ue,
                     const kasme_pdcp_meta *meta, const uint8_t *pdu, size_t len,
                     unsigned bearer, uint8_t *work, uint32_t *count, bool *tried);

/* tracker_as.c */
#define KASME_MAC_I_LEN 4
void kasme_radio_conn_free(gpointer p);
kasme_ue *kasme_ue_of_conn(kasme_tracker *tr, uint64_t conn);
void kasme_as_ctx_clear(kasme_as_ctx *as);

/* tracker_kenb.c */
int kasme_as_derive(kasme_as_ctx *as, const uint8_t kenb[32], uint8_t eea, uint8_t eia);
int kasme_as_activate(kasme_tracker *tr, kasme_as_ctx *as);
/* Schedules of an active AS context from the cache: K_RRCenc + K_RRCint, and K_UPenc. */
kasme_sched *kasme_as_rrc(kasme_as_ctx *as);
kasme_sched *kasme_as_up(kasme_as_ctx *as);
void kasme_as_fill_keys(const kasme_as_ctx *as, kasme_pdcp_result *res);
uint32_t kasme_rrc_smc(kasme_tracker *tr, kasme_radio_conn *rc, const kasme_pdcp_meta *meta,
                       const uint8_t *pdu, size_t len, const uint32_t *counts, size_t n_counts,
                       kasme_pdcp_result *res);
/* An SRB PDU (TS 36.323 5.6, 5.7: the MAC-I covers header || plaintext; data and MAC-I are
 * ciphered) under trial's K_RRCenc/K_RRCint at each COUNT: true, with *found, at the first
 * whose MAC-I verifies. work holds len octets. */
bool kasme_srb_mac_i_check(const kasme_as_ctx *trial, const uint8_t *pdu, size_t len,
                           const uint32_t *counts, size_t n_counts, unsigned bearer, int dir,
                           uint8_t *work, uint32_t *found);
/* Full EARFCN-DL searches allowed per capture (re-establishments without a known EARFCN). */
#define KASME_MAX_EARFCN_SEARCHES 16
/* K_eNB* from a pending S1AP NH for the first SRB1 PDU of a connection without AS security;
 * on success `as` holds the target cell's keys and *taken the NH it came from. */
bool kasme_nh_incoming(kasme_tracker *tr, kasme_as_ctx *as, const uint8_t *pdu, size_t len,
                       uint32_t count, unsigned bearer, int dir, uint8_t *work,
                       kasme_nh_pending *taken);
bool kasme_reest_derive(kasme_tracker *tr, kasme_as_ctx *as, const uint8_t *pdu, size_t len,
                        uint32_t count, unsigned bearer, int dir, uint8_t *work);

#endif
