/* The subscriber database: every entry of the key files (and of the GUI's key table), with O(1)
 * lookups by the identities the dissector sees (IMSI, M-TMSI, C-RNTI). Plain C over GLib.
 *
 * Five kinds of entry, one per key-file line:
 *   - secret subscriber: alg != KASME_AUTH_NONE, K (+ OPc), identity IMSI (the SUPI of type
 *     IMSI for 5G); at most one per IMSI. Used to run AKA (EPS or 5G) on a captured
 *     Authentication Request/Response.
 *   - K_ASME entry:  has_kasme, identity IMSI, M-TMSI (tmsi=/guti=) or ANY.
 *   - K_AMF entry:   has_kamf, identity IMSI (SUPI), 5G-TMSI (tmsi=/guti= with a 5G-GUTI) or
 *     ANY. Its own indexes: a 5G-TMSI never finds a K_ASME entry, nor an M-TMSI a K_AMF one.
 *   - K_eNB entry:   has_kenb and/or direct AS keys (has_krrcenc/has_krrcint/has_kupenc),
 *     identity C-RNTI, IMSI or ANY.
 *   - home network key (SUCI de-concealment): has_hnet, hnet_id 0..255, hnet_profile A or B,
 *     the 32-octet private key; no UE identity (id_kind ANY). Looked up by key id.
 * Direct-key entries may repeat an identity (several attaches of one UE in a capture): their
 * lookups return the first candidate in load order and kasme_subdb_next_match() walks the
 * others; the caller keeps the one whose integrity check verifies.
 *
 * Pointers returned by lookups stay valid until the next kasme_subdb_add() or
 * kasme_subdb_free(). Not thread-safe; Wireshark dissects on one thread. */
#ifndef KASME_SUBDB_H
#define KASME_SUBDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecies.h"

/* Packed (one octet each): an entry is kept per key-file line, 10 000s of them. */
typedef enum __attribute__((packed)) {
    KASME_AUTH_NONE,
    KASME_AUTH_MILENAGE,
    KASME_AUTH_XOR
} kasme_auth_alg;
typedef enum __attribute__((packed)) {
    KASME_ID_IMSI,
    KASME_ID_TMSI,
    KASME_ID_RNTI,
    KASME_ID_ANY
} kasme_id_kind;

/* Fields ordered by alignment, so that the entry has no holes (168 octets as a whole). The
 * database stores each entry only up to the end of its own kind's keys (kasme_subdb_add), so a
 * stored secret subscriber is 128 octets: read only the union member of an entry's kind, and
 * never copy a stored entry by value. */
typedef struct kasme_subscriber {
    const char *source;     /* basename of the file (or the buffer's name) the entry came from,
                               NULL if none; the database keeps its own copy */
    unsigned line;          /* line in that file, 1-based; 0 if not from a file */
    uint32_t m_tmsi;        /* TMSI/GUTI identity: the M-TMSI, or the 5G-TMSI of a K_AMF entry */
    uint16_t rnti;          /* RNTI identity */
    /* guti= also gives the rest of the GUTI, kept for display and for callers that want to
     * check it; lookups use the M-TMSI only (S-TMSI in RRC carries no PLMN/MMEGI). */
    uint16_t guti_mmegi;
    /* A 5G-GUTI (K_AMF entries): PLMN as above, AMF Region ID, AMF Set ID (10 bits), AMF
     * Pointer (6 bits); the 5G-TMSI is in m_tmsi. */
    uint16_t guti_amf_set;
    kasme_id_kind id_kind;
    kasme_auth_alg alg;     /* NONE for direct-key lines */
    char imsi[16];          /* digits, NUL-terminated (IMSI identity) */
    char name[32];          /* user label, "" if none; shown instead of keys */
    char guti_mcc[4], guti_mnc[4]; /* digits as written: MNC "01" and "001" differ */
    uint8_t guti_mmec;
    uint8_t guti_amf_region;
    uint8_t guti_amf_pointer;
    int8_t ksi;             /* 0..6, -1 = any (KSI of K_ASME, ngKSI of K_AMF) */
    uint8_t hnet_id;        /* home network public key identifier, 0..255 */
    ecies_profile hnet_profile;
    /* One bit each: with them the header is 88 octets, so that a stored K/OPc entry (header
     * and 34 key octets) fits in 128. */
    bool has_guti : 1;
    bool guti_5g : 1;
    bool has_amf : 1;
    bool has_kasme : 1;
    bool has_kamf : 1;
    bool has_hnet : 1;
    bool has_kenb : 1;
    bool has_krrcenc : 1, has_krrcint : 1, has_kupenc : 1;
    bool in_capture : 1;    /* a key the capture carried (capkeys.h): source names the
                               message, line is its frame; never in a database */
    /* An entry is one kind (kasme_subdb_add refuses mixtures), so the kinds' keys share
     * storage: secret (alg != NONE), K_ASME (has_kasme), K_AMF (has_kamf), home network key
     * (has_hnet), or K_eNB / AS keys. The union is last: the stored entry ends with its kind's
     * member. */
    union {
        struct {
            uint8_t k[16], opc[16], amf[2];
        };
        uint8_t kasme[32];
        uint8_t kamf[32];
        uint8_t hnet_key[32]; /* X25519: RFC 7748 octets; P-256: scalar, big endian */
        struct {
            uint8_t kenb[32];
            uint8_t krrcenc[16], krrcint[16], kupenc[16];
        };
    };
} kasme_subscriber;

typedef struct kasme_subdb kasme_subdb;

kasme_subdb *kasme_subdb_new(void);
/* Wipes every key held, then frees. NULL is accepted. */
void kasme_subdb_free(kasme_subdb *db);

/* Makes room for `more` further entries at once (a loader that knows its size avoids the
 * copies of repeated growth). Only a hint: add works without it. */
void kasme_subdb_reserve(kasme_subdb *db, size_t more);

/* Copies *e into the database. 0 on success; -1 with the reason in why (never containing key
 * material) if the entry is inconsistent or is a second secret subscriber for an IMSI already
 * present (the first one is kept). why may be NULL. */
int kasme_subdb_add(kasme_subdb *db, const kasme_subscriber *e, char *why, size_t why_len);

/* Secret subscriber (K/OPc) for an IMSI, or NULL. */
const kasme_subscriber *kasme_subdb_by_imsi(const kasme_subdb *db, const char *imsi);

/* First direct-key candidate for an identity, or NULL; walk the others with next_match. The
 * "any" lists hold the entries written with the identity `any`: try them when the specific
 * lookup gives nothing that verifies. */
const kasme_subscriber *kasme_subdb_kasme_by_imsi(const kasme_subdb *db, const char *imsi);
const kasme_subscriber *kasme_subdb_kasme_by_tmsi(const kasme_subdb *db, uint32_t m_tmsi);
const kasme_subscriber *kasme_subdb_kasme_any(const kasme_subdb *db);
/* K_AMF entries, by SUPI (IMSI digits), 5G-TMSI, or written with `any`. */
const kasme_subscriber *kasme_subdb_kamf_by_imsi(const kasme_subdb *db, const char *imsi);
const kasme_subscriber *kasme_subdb_kamf_by_tmsi(const kasme_subdb *db, uint32_t tmsi_5g);
const kasme_subscriber *kasme_subdb_kamf_any(const kasme_subdb *db);
/* Home network keys with this key identifier (of either profile: the caller compares
 * hnet_profile with the SUCI's protection scheme), in load order. */
const kasme_subscriber *kasme_subdb_hnet_by_id(const kasme_subdb *db, uint8_t hnet_id);
/* K_eNB entries, which include lines giving only K_RRCenc/K_RRCint/K_UPenc. */
const kasme_subscriber *kasme_subdb_kenb_by_imsi(const kasme_subdb *db, const char *imsi);
const kasme_subscriber *kasme_subdb_kenb_by_rnti(const kasme_subdb *db, uint16_t rnti);
const kasme_subscriber *kasme_subdb_kenb_any(const kasme_subdb *db);
/* Next entry of the same lookup as e (e came from one of the lookups above), or NULL. */
const kasme_subscriber *kasme_subdb_next_match(const kasme_subdb *db, const kasme_subscriber *e);

/* Every entry in load order. */
size_t kasme_subdb_count(const kasme_subdb *db);
const kasme_subscriber *kasme_subdb_at(const kasme_subdb *db, size_t i);
/* The secret subscribers only, in load order (the AKA fallback scan when no IMSI is known). */
size_t kasme_subdb_secret_count(const kasme_subdb *db);
const kasme_subscriber *kasme_subdb_secret_at(const kasme_subdb *db, size_t i);

/* A label for the user that holds no key: "name (keys.txt:3)", or "imsi 00101... (keys.txt:3)"
 * / "tmsi 0x12345678" / "5g-tmsi 0x12345678" / "rnti 70" / "any" / "hnet key 1 (profile A)"
 * when the entry has no name. */
void kasme_subscriber_describe(const kasme_subscriber *e, char *buf, size_t buf_len);

#endif
