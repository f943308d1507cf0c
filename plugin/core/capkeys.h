/* Keys the capture itself carries (issue 17 part 4, issue 14 "Keys the capture carries"): a
 * core-network capture often holds the authentication vectors in clear. The Wireshark glue
 * reads them from the dissected frame and hands them to the tracker here; the tracker keeps
 * them in a bounded table keyed by RAND (K_SEAF, which comes without a RAND, by SUPI), and the
 * NAS Authentication Request whose RAND matches makes a context of root key candidates, which
 * the Security Mode Command's MAC confirms exactly as it confirms a key-file K_ASME or K_AMF.
 * A learned key is never used unconfirmed. Plain C, no Wireshark types. */
#ifndef KASME_CAPKEYS_H
#define KASME_CAPKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dia_msg.h"
#include "tracker.h"

/* What the key is. */
typedef enum {
    KASME_CAPKEY_KASME = 1, /* EPS: K_ASME of an E-UTRAN vector (TS 29.272 7.3.18) */
    KASME_CAPKEY_KAUSF,     /* 5GS: K_AUSF of a 5G HE AV (TS 29.503 Nudm_UEAU, TS 33.501 6.1.3.2) */
    KASME_CAPKEY_KSEAF,     /* 5GS: K_SEAF of a confirmed 5G AKA (TS 29.509 Nausf_UEAuthentication) */
} kasme_capkey_kind;

/* Where it came from, for the key source. */
typedef enum {
    KASME_CAPKEY_S6A_AIA = 1,       /* Diameter S6a Authentication-Information-Answer */
    KASME_CAPKEY_NUDM_AUTH_DATA,    /* Nudm_UEAU generate-auth-data response */
    KASME_CAPKEY_NAUSF_CONFIRM,     /* Nausf_UEAuthentication 5g-aka-confirmation response */
} kasme_capkey_origin;

typedef struct {
    kasme_capkey_kind kind;
    kasme_capkey_origin origin;
    uint32_t frame;
    bool has_rand, has_autn;
    uint8_t rand[16], autn[16];
    uint8_t xres_len;       /* XRES (EPS, 4..16 octets) or XRES* (5G, 16); 0 = none */
    uint8_t xres[16];
    uint8_t key[32];
    char supi[16];          /* IMSI digits of the subscriber, "" if the frame does not say */
} kasme_capkey;

/* Table bounds: a hostile capture cannot make the tracker keep more than this. */
#define KASME_CAPKEY_MAX 4096
#define KASME_CAPKEY_SESSIONS 32  /* S6a requests remembered for their answers' IMSI */
#define KASME_CAPKEY_WAITING 16   /* 5G AKAs waiting for a K_SEAF */

/* Learns one key (copied; the caller wipes its copy). False if refused: malformed (no RAND
 * for a K_ASME or K_AUSF, no SUPI for a K_SEAF), already known (the same vector forwarded
 * again, e.g. through an SCP), or the table is full. A K_SEAF is given at once to the UE whose
 * 5G AKA is waiting for it (by SUPI, else the most recent one with no SUPI known). */
bool kasme_tracker_learn_key(kasme_tracker *tr, const kasme_capkey *key);

/* A Diameter S6a Authentication-Information-Request: its Session-Id and User-Name (IMSI), so
 * that the answer's vectors name their subscriber. */
void kasme_tracker_s6a_request(kasme_tracker *tr, const char *session_id, const char *imsi);
/* The IMSI the request of this session named, or NULL. */
const char *kasme_tracker_s6a_imsi(kasme_tracker *tr, const char *session_id);

/* One Diameter message as it was on the wire (dia_msg.h reads it): an S6a
 * Authentication-Information-Request (command 318, R set) is noted as above; an
 * Authentication-Information-Answer's E-UTRAN-Vectors are learned as KASME_CAPKEY_S6A_AIA keys
 * of this frame, with the IMSI of its session's request. Other messages are left alone. Returns
 * how the message read: a malformed one gives the tracker nothing. */
kasme_dia_status kasme_tracker_s6a_message(kasme_tracker *tr, const uint8_t *msg, size_t len,
                                           uint32_t frame);

/* Keys learned so far (0: kasme has nothing to show in a capture without a key file). */
size_t kasme_tracker_capkey_count(const kasme_tracker *tr);

/* One SBI JSON body (HTTP/2 DATA), member by member as Wireshark's json dissector gives them
 * ("key:value"): the keys it carries. */
typedef struct {
    bool has_rand, has_autn, has_xres_star, has_kausf, has_kseaf;
    uint8_t rand[16], autn[16], xres_star[16], kausf[32], kseaf[32];
    char supi[16];
} kasme_sbi_body;

void kasme_sbi_body_init(kasme_sbi_body *body);
void kasme_sbi_body_member(kasme_sbi_body *body, const char *member);
/* The key the body carries, if any: a 5G HE AV with K_AUSF (rand, kausf; autn, xresStar and
 * supi when present) or a K_SEAF (kseaf and supi). */
bool kasme_sbi_body_key(const kasme_sbi_body *body, uint32_t frame, kasme_capkey *out);
void kasme_sbi_body_wipe(kasme_sbi_body *body);

/* "imsi-<digits>" or "<digits>" (5..15 digits) into digits; false otherwise. */
bool kasme_capkey_supi_digits(const char *text, char digits[16]);

#endif
