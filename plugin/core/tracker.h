/* The per-UE security tracker: follows AKA, NAS Security Mode Command and the NAS COUNTs of
 * every UE in a capture, EPS and 5GS alike, derives the key hierarchy (TS 33.401 clause 6, 7
 * and Annex A; TS 33.501 clause 6 and Annex A), deciphers and verifies protected NAS PDUs. Plain C over GLib: no Wireshark types, so it is
 * unit-tested on its own. The caller feeds PDUs in capture order (Wireshark's first pass) and
 * keeps the per-PDU results; the tracker keeps every security context it ever made, tagged
 * with the frames that made it, for as long as the tracker lives. */
#ifndef KASME_TRACKER_H
#define KASME_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nas_msg.h"
#include "subdb.h"

typedef struct kasme_tracker kasme_tracker;
typedef struct kasme_ue kasme_ue;
typedef struct kasme_sec_ctx kasme_sec_ctx;

enum { KASME_DIR_UL = 0, KASME_DIR_DL = 1, KASME_DIR_UNKNOWN = -1 };

/* Connection keys name the carrier-level conversation a PDU belongs to: the high byte says
 * which kind of identifier the low 40 bits hold (an AMF UE NGAP ID has 40), the 16 bits between
 * name the association (or the MAC-LTE UEId). */
enum {
    KASME_CONN_NONE = 0,
    KASME_CONN_S1AP_ENB = 1, /* eNB-UE-S1AP-ID (+ association) */
    KASME_CONN_S1AP_MME = 2, /* MME-UE-S1AP-ID (+ association) */
    KASME_CONN_RNTI = 3,     /* MAC-LTE UEId/RNTI */
    KASME_CONN_STREAM = 4,   /* a single-UE stream: a UE's NAS log, GSMTAP from one UE */
    KASME_CONN_NGAP_RAN = 5, /* RAN-UE-NGAP-ID (+ association) */
    KASME_CONN_NGAP_AMF = 6, /* AMF-UE-NGAP-ID (+ association) */
};
uint64_t kasme_conn_key(unsigned kind, uint32_t assoc, uint64_t id);
/* The association (or UEId) part of a connection key. */
uint32_t kasme_conn_assoc(uint64_t conn);

/* Checksum-like verdicts, numerically equal to Wireshark's PROTO_CHECKSUM_E_* values. */
enum {
    KASME_MAC_BAD = 0,
    KASME_MAC_GOOD = 1,
    KASME_MAC_UNVERIFIED = 2,
    KASME_MAC_NOT_PRESENT = 3,
};

/* What happened to a PDU, most important first. */
typedef enum {
    KASME_PDU_PLAIN = 0,          /* security header type 0: nothing to do */
    KASME_PDU_DECIPHERED,         /* deciphered (or integrity-only) with a known context */
    KASME_PDU_NO_CONTEXT,         /* protected, but no security context for this UE/KSI */
    KASME_PDU_MALFORMED,          /* too short or not a NAS PDU */
    KASME_PDU_ALG_UNAVAILABLE,    /* the algorithm is not in this build */
    KASME_PDU_CIPHER_REFUSED,     /* the cipher refused its input (BEARER > 31, a libgcrypt
                                     error): not deciphered, no plaintext */
    KASME_PDU_EEA_UNKNOWN,        /* MAC verified under a context found by MAC search whose
                                     ciphering algorithm no PDU has told yet: no plaintext */
} kasme_pdu_status;

/* Events a PDU caused; several can be set. */
enum {
    KASME_EV_AKA_MATCH = 1u << 0,        /* Authentication Request: a subscriber's MAC-A matched */
    KASME_EV_AKA_NO_MATCH = 1u << 1,     /* no subscriber's MAC-A matched AUTN */
    KASME_EV_RES_OK = 1u << 2,           /* Authentication Response RES = XRES */
    KASME_EV_RES_BAD = 1u << 3,
    KASME_EV_SMC_CONTEXT = 1u << 4,      /* NAS SMC took a context into use (MAC verified) */
    KASME_EV_KENB_DERIVED = 1u << 5,     /* this PDU's UL COUNT is a K_eNB/K_gNB input */
    KASME_EV_COUNT_REPLAY = 1u << 6,     /* COUNT not above the last one of its direction */
    KASME_EV_UNKNOWN_SUBSCRIBER = 1u << 7, /* identity not in the key file */
    KASME_EV_AUTH_FAILURE = 1u << 8,     /* Authentication Failure seen */
    KASME_EV_IDENTITY = 1u << 9,         /* learned an IMSI or a GUTI */
    KASME_EV_CONTEXT_GUESSED = 1u << 10, /* UE found by trying contexts against the MAC */
    KASME_EV_NO_AKA = 1u << 11,          /* protected PDU but no AKA/SMC/key-file context */
    KASME_EV_AS_SMC = 1u << 12,          /* RRC SMC: AS security taken into use (MAC-I verified) */
    KASME_EV_NO_KENB = 1u << 13,         /* RRC SMC but no K_eNB candidate verifies its MAC-I */
    KASME_EV_CAPTURE_VECTOR = 1u << 14,  /* Authentication Request: RAND of a vector the
                                            capture carried (capkeys.h) */
    KASME_EV_ALGS_SEARCHED = 1u << 15,   /* no SMC in the capture: a key-file root key, the
                                            integrity algorithm and COUNT found by MAC search */
    KASME_EV_FOUND_BY_MAC = 1u << 16,    /* the context its identity named failed the MAC;
                                            another stored context verified it (named_ue_id) */
    KASME_EV_EAP_MAC_OK = 1u << 17,      /* EAP-AKA': AT_MAC verified with K_aut */
    KASME_EV_EAP_MAC_BAD = 1u << 18,     /* EAP-AKA': AT_MAC differs (no identity gives it) */
    KASME_EV_KSI_DIFFERS = 1u << 19,     /* Service Request: its KSI is not its context's; the
                                            UE's current context verified the short MAC */
};

/* What a carrier knows about a PDU besides its bytes. */
typedef struct {
    uint32_t frame;
    int dir;             /* KASME_DIR_*; UNKNOWN lets the MAC decide */
    uint64_t conn;       /* primary connection key, 0 if none */
    uint64_t conn_alt;   /* a second key for the same connection (MME-UE-S1AP-ID), 0 if none */
    bool has_m_tmsi;     /* S-TMSI from S1AP InitialUEMessage or RRCConnectionRequest, */
    uint32_t m_tmsi;     /* or the 5G-TMSI of NGAP InitialUEMessage's 5G-S-TMSI */
    uint8_t access_type; /* 5GS: the access (TS 33.501 A.9 values, 2 = non-3GPP); 0 = 3GPP */
    const uint8_t (*plmns)[3]; /* serving network candidates seen in the carrier (TAI, ...) */
    size_t n_plmns;
} kasme_pdu_meta;

/* A snapshot of the security context a PDU was handled with. */
typedef struct {
    uint32_t ctx_id;
    kasme_domain domain;
    int ksi;
    uint8_t eea, eia;
    uint32_t aka_frame, smc_frame; /* 0 = none (context from the key file) */
    const kasme_subscriber *sub;   /* key-file entry the keys came from */
    bool from_keyfile_kasme;
    bool algs_searched;            /* no SMC: algorithms found by MAC search */
    uint8_t sn_id[3];
} kasme_ctx_info;

typedef struct {
    kasme_pdu_status status;
    uint32_t events;
    uint32_t ue_id;                  /* 0 = no UE */
    uint32_t named_ue_id;            /* KASME_EV_FOUND_BY_MAC: the UE the identity named */
    char imsi[16];
    uint8_t sec_hdr;
    int dir;
    bool has_ctx;
    kasme_ctx_info ctx;
    uint32_t count;                  /* NAS COUNT used */
    int mac_status;                  /* KASME_MAC_* */
    uint32_t mac_received, mac_calculated;
    const char *unverified_why;      /* static text when mac_status is UNVERIFIED */
    size_t plain_len;                /* deciphered inner message written to plain_out */
    bool plain_is_inner;             /* plain_out holds the inner message (types 1..4) */
    /* keys that arose at this PDU (shown only when the user asks): the root key (K_ASME, or
     * K_AMF in 5GS) and the access network key (K_eNB, or K_gNB; its value only with
     * kasme_tracker_show_keys on) */
    bool has_kasme, has_nas_keys, has_kenb;
    uint8_t kasme[32], k_nas_enc[16], k_nas_int[16], kenb[32];
    uint32_t kenb_ul_count;
    /* A SUCI in the message (TS 33.501 6.12): its scheme and key id, what de-concealment gave
     * (kasme_suci_status; 0 = the SUPI is known) and the SUPI (IMSI digits) */
    bool has_suci;
    uint8_t suci_scheme, suci_hnet_id, suci_status;
    char supi[16];
} kasme_nas_result;

/* K_eNB (K_gNB) check against S1AP's (NGAP's) SecurityKey. */
typedef enum {
    KASME_KENB_UNCHECKED = 0, /* no context to compare with */
    KASME_KENB_CONFIRMED,
    KASME_KENB_MISMATCH,
} kasme_kenb_verdict;

typedef struct {
    kasme_kenb_verdict verdict;
    kasme_domain domain;  /* EPS: K_eNB of S1AP; 5GS: K_gNB of NGAP */
    uint32_t ue_id;
    uint32_t ul_count;   /* the UL NAS COUNT whose K_eNB matched */
    uint32_t ctx_id;
    const char *why;
    bool nh;             /* the result is of a SecurityContext's NH, not a SecurityKey: */
    uint8_t ncc;         /*   its nextHopChainingCount */
    unsigned nh_index;   /*   the chain position that matched: NH_1 = KDF(K_ASME, initial K_eNB)
                              or KDF(K_AMF, initial K_gNB) */
    bool nh_root_from_nas;     /*   the chain starts from a K_eNB (K_gNB) no SecurityKey carried,
                                    derived from this UL NAS COUNT (tracker_kenb.c nh_roots) */
    uint32_t nh_root_ul_count;
} kasme_kenb_result;

/* A SecurityContext {nextHopChainingCount, nextHopParameter (S1AP) or nextHopNH (NGAP)}
 * (HandoverRequest, PathSwitchRequestAcknowledge) and, for S1AP, what the HandoverRequest's
 * source-to-target container tells about the target cell (TS 36.331
 * HandoverPreparationInformation). */
#define KASME_NH_MAX_CELLS 8
typedef struct {
    uint8_t ncc;
    uint8_t nh[32];
    bool has_algs;          /* the source's AS algorithms (sourceSecurityAlgorithmConfig) */
    uint8_t eea, eia;
    uint32_t earfcns[KASME_NH_MAX_CELLS]; /* EARFCN-DL candidates (source and measured ones) */
    size_t n_earfcns;
    uint16_t pcis[KASME_NH_MAX_CELLS];    /* PCI candidates tried before all 504 */
    size_t n_pcis;
} kasme_nh_context;

/* What a carrier knows about a PDCP PDU (TS 36.323) besides its bytes. */
typedef struct {
    uint32_t frame;
    int dir;             /* KASME_DIR_UL or KASME_DIR_DL */
    uint64_t conn;       /* the RRC connection: KASME_CONN_RNTI key */
    uint16_t rnti;
    unsigned rb_id;      /* radio bearer identity: SRB1 = 1, SRB2 = 2, DRB identity for DRBs */
    bool srb;
    unsigned sn_bits;    /* 5 for SRBs; 7, 12, 15 or 18 for DRBs */
    bool payload_opaque; /* the carrier did not dissect the payload (it took it as ciphered) */
    bool rrc_smc;        /* the PDU holds an RRC SecurityModeCommand with these algorithms: */
    uint8_t smc_eea, smc_eia;
} kasme_pdcp_meta;

typedef struct {
    kasme_pdu_status status;  /* PLAIN: AS security not active yet on this connection */
    uint32_t events;
    uint32_t ue_id;
    char imsi[16];
    int dir;
    unsigned bearer;          /* BEARER input of EEA/EIA: radio bearer identity - 1 */
    uint32_t count;           /* PDCP COUNT = HFN || SN */
    bool ciphered;            /* the PDU was ciphered (and plain_out holds the plaintext) */
    int mac_status;           /* KASME_MAC_*; NOT_PRESENT for DRBs */
    uint32_t mac_received, mac_calculated;
    const char *unverified_why;
    size_t plain_len;         /* the RRC message (SRB) or the SDU (DRB) in plain_out */
    uint8_t eea, eia;
    uint32_t smc_frame;
    const char *kenb_source;  /* static text: where K_eNB came from */
    bool kenb_from_nas;
    uint32_t kenb_ul_count;
    uint32_t nh_frame;        /* K_eNB* from the NH of the S1AP SecurityContext in this frame */
    bool kenb_star;           /* K_eNB* of a re-establishment or handover: */
    uint16_t pci;
    uint32_t earfcn_dl;       /* found by the MAC-I of the first SRB1 PDU */
    bool has_as_keys;         /* the keys, at the RRC SMC (or re-establishment) only */
    uint8_t kenb[32], krrc_enc[16], krrc_int[16], kup_enc[16];
} kasme_pdcp_result;

/* A NAS result kept compactly between passes (12 octets): kasme_nas_pack refuses (false) a
 * result that kasme_nas_unpack would not give back field for field (a failed MAC, whose
 * calculated value is neither 0 nor the received one, among them; an id above
 * KASME_PACKED_ID_MAX); the caller then keeps the result whole. Unpacking needs the PDU's
 * bytes again, and derives the keys and (when plain_out is not NULL, capacity >= len) the
 * plaintext from the tracker's contexts. */
typedef struct {
    uint32_t ref_why;        /* the context's id when it has one, else the UE's (24 bits) |
                                unverified reason << 24 (4 bits, 0 = none) | SUCI << 28 */
    uint32_t count_bits;     /* COUNT (24 bits; with SUCI the COUNT is 0 and they hold the
                                SUCI's scheme, key id and status) | status << 24 |
                                MAC status << 27 | dir + 1 << 29 |
                                plaintext is the inner message << 31 */
    uint32_t bits;           /* events (14 bits) | sec_hdr << 14 | eea << 18 | eia << 21 |
                                SMC frame known << 24 | IMSI << 25 | context << 26 |
                                no MAC received << 27 | K_ASME << 28 | NAS keys << 29 |
                                K_eNB << 30 | calculated MAC = received MAC << 31 */
} kasme_nas_packed;

/* UE and context ids a packed result can hold (24 bits: 16 million a capture) */
#define KASME_PACKED_ID_MAX 0xFFFFFFu

bool kasme_nas_pack(kasme_tracker *tr, const kasme_nas_result *res, const uint8_t *pdu,
                    size_t len, kasme_nas_packed *packed);
void kasme_nas_unpack(kasme_tracker *tr, const kasme_nas_packed *packed, const uint8_t *pdu,
                      size_t len, uint8_t *plain_out, kasme_nas_result *res);

/* A K_eNB verdict kept compactly (12 octets); kasme_kenb_pack refuses NH results and ids
 * above KASME_PACKED_ID_MAX. */
typedef struct {
    uint32_t ue_why;        /* UE id (24 bits) | reason << 24 (0 = none) */
    uint32_t ctx_id;
    uint32_t count_verdict; /* UL NAS COUNT (24 bits) | verdict << 24 | domain << 31 */
} kasme_kenb_packed;

bool kasme_kenb_pack(const kasme_kenb_result *res, kasme_kenb_packed *packed);
void kasme_kenb_unpack(const kasme_kenb_packed *packed, kasme_kenb_result *res);

typedef struct {
    unsigned ues, contexts, aka_seen, aka_matched, smc_verified, as_smc_verified;
    unsigned guess_tries; /* contexts tried against the MAC of PDUs no identifier placed */
    unsigned search_macs; /* MACs computed searching algorithms and COUNTs (no SMC seen) */
} kasme_tracker_stats;

/* Contexts tried, per capture, against the MAC of protected PDUs whose UE no identifier names
 * (at most 6 MACs a try; KASME_GUESS_LIMIT tries a PDU): about a second of work at most, so
 * hostile input cannot make dissection crawl. Such PDUs are not placed once it is spent. */
#define KASME_GUESS_BUDGET (1u << 18)

/* A capture that starts after the NAS SMC: protected PDUs of a UE without a context are tried
 * with the key file's root key lines that may name it (at most KASME_SEARCH_ROOTS a PDU),
 * every available EIA/NIA and the first KASME_SEARCH_OVERFLOWS overflow values of the COUNT
 * (COUNT < 4096): at most 8 x 3 x 16 x 2 MACs a PDU, and KASME_SEARCH_BUDGET MACs a capture
 * (about half a second of EIA1), then such PDUs are left without a context. */
#define KASME_SEARCH_ROOTS 8
#define KASME_SEARCH_OVERFLOWS 16
#define KASME_SEARCH_BUDGET (1u << 18)
/* SRB PDUs of a connection without AS security: PDCP COUNTs of HFN 0..15 (COUNT < 512). */
#define KASME_SEARCH_HFNS 16
/* An EPS Service Request's short MAC has 16 bits: at most this many stored contexts are tried
 * on it when its S-TMSI names the wrong one, so a chance match stays below 1 in 300. */
#define KASME_SHORT_MAC_TRIES 64

kasme_tracker *kasme_tracker_new(const kasme_subdb *db);
void kasme_tracker_free(kasme_tracker *tr);
/* Whether results carry the keys that are there only to be shown (on by default): off, a NAS
 * result's kenb is left unset (has_kenb and kenb_ul_count still say which COUNT gives it), which
 * saves an HMAC-SHA-256 per context; the SecurityKey check derives the K_eNB it compares. */
void kasme_tracker_show_keys(kasme_tracker *tr, bool show);

/* Handle one NAS PDU. plain_out (capacity >= len) receives the deciphered inner message.
 * Never reads outside pdu[0..len). */
void kasme_tracker_nas(kasme_tracker *tr, const kasme_pdu_meta *meta, const uint8_t *pdu,
                       size_t len, uint8_t *plain_out, kasme_nas_result *res);

/* A SecurityKey (S1AP: K_eNB; NGAP: K_gNB; 32 octets) for the UE on meta's connection. */
void kasme_tracker_an_key(kasme_tracker *tr, kasme_domain domain, const kasme_pdu_meta *meta,
                          const uint8_t key[32], kasme_kenb_result *res);

/* A SecurityContext {NCC, NH} of S1AP (EPS) or NGAP (5GS) for the UE on meta's connection:
 * NH checked against the UE's NH chain (TS 33.401 7.2.8.4, A.4; TS 33.501 6.9.2.1.1, A.10)
 * when the root key and the initial K_eNB/K_gNB are known. An S1AP NH is kept for the target
 * cell either way, where the first SRB1 PDU of a connection without AS security is tried with
 * K_eNB* = KDF(NH, PCI, EARFCN-DL) and its MAC-I decides. */
void kasme_tracker_nh(kasme_tracker *tr, kasme_domain domain, const kasme_pdu_meta *meta,
                      const kasme_nh_context *sc, kasme_kenb_result *res);

/* Handle one PDCP PDU of a radio bearer; plain_out (capacity >= len) receives the RRC
 * message or the user-plane SDU. */
void kasme_tracker_pdcp(kasme_tracker *tr, const kasme_pdcp_meta *meta, const uint8_t *pdu,
                        size_t len, uint8_t *plain_out, kasme_pdcp_result *res);

/* A new RRC connection on conn (RRCConnectionSetup): PDCP COUNTs and AS keys start afresh. */
void kasme_tracker_rrc_setup(kasme_tracker *tr, uint64_t conn);

/* RRCConnectionReestablishmentRequest on new_conn from the UE known as old_conn (its C-RNTI
 * in the request), with the PCI it names; then RRCConnectionReestablishment with the NCC. */
void kasme_tracker_rrc_reest_request(kasme_tracker *tr, uint64_t new_conn, uint64_t old_conn,
                                     uint16_t pci);
void kasme_tracker_rrc_reest(kasme_tracker *tr, uint64_t conn, int ncc);

/* RRCConnectionReconfiguration with mobilityControlInfo (TS 36.331 5.3.5.4): the UE moves to
 * the target cell (PCI, EARFCN-DL or -1 if the message has none) as new_conn (its new C-RNTI)
 * with the NCC of securityConfigHO; K_eNB* is confirmed by the first SRB1 PDU there. */
void kasme_tracker_rrc_handover(kasme_tracker *tr, uint64_t conn, uint64_t new_conn,
                                uint16_t pci, int32_t earfcn_dl, int ncc);

/* A connection named its UE by S-TMSI (RRCConnectionRequest): bind it to that UE, if known. */
void kasme_tracker_bind_tmsi(kasme_tracker *tr, uint64_t conn, uint32_t m_tmsi);

/* The connection ended (S1AP UE Context Release, RRC release): unbind its keys. */
void kasme_tracker_conn_release(kasme_tracker *tr, uint64_t conn);

void kasme_tracker_get_stats(const kasme_tracker *tr, kasme_tracker_stats *st);

#endif
