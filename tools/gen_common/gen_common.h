/* gen_common: what the synthetic-capture generators (tools/gen_s1ap, tools/gen_ngap) share:
 * APER (X.691) pieces of S1AP and NGAP PDUs, the pcap writer, the seeded per-UE values, the
 * NAS integrity and ciphering of a protected PDU body, and command-line number parsing.
 * S1AP (TS 36.413) and NGAP (TS 38.413) use the same ProtocolIE container encoding, so one set
 * of helpers writes both. */
#ifndef KASME_GEN_COMMON_H
#define KASME_GEN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sec_alg.h"

/* The generator's name, for messages ("gen_s1ap", "gen_ngap"); set by main(). */
extern const char *gen_prog;

void gen_die(const char *what, int rc);

/* ---- APER ---- */

#define GEN_MAX_PDU 1024

typedef struct {
    uint8_t b[GEN_MAX_PDU];
    size_t n;
} gen_buf;

enum { GEN_CRIT_REJECT = 0, GEN_CRIT_IGNORE = 1 };

void gen_put(gen_buf *o, const void *p, size_t len);
void gen_put8(gen_buf *o, uint8_t v);
/* Length determinant of an unconstrained length (X.691 11.9.3.6, aligned). */
void gen_put_len(gen_buf *o, size_t len);
/* A constrained whole number whose range exceeds 65536 (X.691 10.5.7.4) and takes up to
 * max_octets octets: the octet count minus one in as few bits as max_octets needs, at the top
 * of the first octet, then the value in as few octets as it needs. */
void gen_put_big_int(gen_buf *o, uint64_t v, unsigned max_octets);
/* ProtocolIE-Field: id, criticality, the value as an open type (length + encoding). */
void gen_put_ie(gen_buf *o, unsigned id, unsigned crit, const gen_buf *value);
void gen_put_ie_bytes(gen_buf *o, unsigned id, unsigned crit, const uint8_t *v, size_t len);
/* An IE whose value is a UE id of up to max_octets octets (criticality reject). */
void gen_put_ie_id(gen_buf *o, unsigned id, uint64_t ue_id, unsigned max_octets);
/* An IE whose value is an unconstrained OCTET STRING (NAS-PDU): length + octets. */
void gen_put_ie_octets(gen_buf *o, unsigned id, unsigned crit, const uint8_t *v, size_t len);
/* initiatingMessage: procedure code, criticality, and a value of n_ies ProtocolIEs. */
void gen_put_initiating(gen_buf *o, unsigned proc, unsigned crit, unsigned n_ies,
                        const gen_buf *ies);

/* An option that sets the id of the first UE on one side (--enb-id-base, --amf-id-base, ...);
 * UE i gets base + i, and base + N - 1 may not pass max. */
typedef struct {
    const char *name; /* without the dashes */
    uint64_t max;
} gen_id_option;

typedef struct {
    uint64_t n_ues, m_msgs, seed;
    uint64_t id_base[2]; /* of ids[0], ids[1]; default 1 */
    unsigned enc, integ; /* NAS algorithms, default 2/2 */
    const char *out_pcap, *out_keys;
} gen_options;

/* ---- pcap (DLT 150, User 3: one bare S1AP or NGAP PDU a record) ---- */

typedef struct {
    FILE *f;
    uint64_t usec; /* timestamp of the next record */
    uint64_t records, protected_pdus, security_keys, bytes;
    uint64_t verdicts[3]; /* gen_s1ap: protected PDUs by choose_msg() verdict */
} gen_pcap;

/* Opens path for writing as a pcap; exits with a message on failure. */
void gen_pcap_open(gen_pcap *p, const char *path);
void gen_pcap_write(gen_pcap *p, const void *data, size_t len);
void gen_pcap_close(gen_pcap *p, const char *path);

/* ---- per-UE values ---- */

uint64_t gen_splitmix64(uint64_t *s);
void gen_rand_bytes(uint64_t *s, uint8_t *out, size_t len);
/* The seed state of UE idx: every generator draws a UE's values from it in its own order. */
uint64_t gen_ue_seed(uint64_t seed, uint32_t idx);
void gen_put_be32(uint8_t *p, uint32_t v);
/* Writes "k=<hex> opc=<hex> amf=8000\n" (the rest of a key-file line after the identity). */
void gen_key_tail(FILE *f, const uint8_t k[16], const uint8_t opc[16]);

/* ---- AKA and NAS ---- */

/* MILENAGE on the home network's side (TS 33.102 6.3.2): AUTN = SQN xor AK || AMF || MAC-A,
 * RES (8 octets), CK and IK. Exits on a crypto error. */
void gen_aka_vector(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                    const uint8_t sqn[6], const uint8_t amf[2], uint8_t autn[16], uint8_t res[8],
                    uint8_t ck[16], uint8_t ik[16]);
/* A fresh RAND and an SQN as a fresh USIM has (small, IND 0), from the UE's seed state. */
void gen_draw_rand_sqn(uint64_t *s, uint8_t rand[16], uint8_t sqn[6]);

enum { GEN_DIR_UL = 0, GEN_DIR_DL = 1 };

/* A UE's NAS security context: the algorithms keyed, and the next COUNT of each direction. */
typedef struct {
    kasme_cipher enc;
    kasme_integrity integ;
    uint32_t count[2]; /* by GEN_DIR_* */
} gen_nas;

/* Keys the algorithms enc_alg/int_alg (0..3); exits on an error. */
void gen_nas_init(gen_nas *nas, unsigned enc_alg, const uint8_t k_enc[16], unsigned int_alg,
                  const uint8_t k_int[16]);
void gen_nas_free(gen_nas *nas);
/* A security-protected NAS PDU into out: the header (EPS: 1 octet, 5GS: 2), the MAC, the
 * sequence number and the inner message, ciphered when cipher is set, the MAC over SN ||
 * inner after ciphering (TS 24.301 4.4.3, TS 24.501 4.4.3). Uses and advances the COUNT of
 * dir. Returns the length written. Exits on a crypto error. */
size_t gen_nas_pdu(gen_nas *nas, const uint8_t *hdr, size_t hdr_len, unsigned bearer,
                   unsigned dir, bool cipher, const uint8_t *inner, size_t len, uint8_t *out);

/* ---- the run ---- */

/* What a generator does for each UE. A UE is ue_size octets, holding its gen_nas at
 * nas_offset. */
typedef struct {
    size_t ue_size, nas_offset;
    unsigned steps_before_traffic; /* then 2 * M steps: DL, UL, DL, UL, ... */
    /* Draws UE idx's values and keys. */
    void (*setup)(void *ue, uint32_t idx, const gen_options *o);
    /* Writes the UE's key-file line. */
    void (*key_line)(FILE *f, const void *ue);
    /* Writes the UE's PDU of this step. */
    void (*step)(void *ue, unsigned step, const gen_options *o, gen_pcap *p);
} gen_scenario;

/* Sets up every UE and writes the key file, then the pcap with the UEs interleaved step by
 * step (every UE does step 1, then every UE step 2, ...), so all N UEs are in flight at once.
 * Returns the exit status; p holds the counts. */
int gen_run(const gen_scenario *sc, const gen_options *o, gen_pcap *p);

/* ---- command line ---- */

bool gen_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* The usage lines of -n, -m and --seed. */
void gen_usage_common(FILE *f);

/* -n, -m, -o, -k, --seed, --alg and the two id options. Returns -1 when the generator should
 * run, else the exit status (0 after --help, 2 after an error, with the message printed).
 * Also checks that the algorithms are in this build and initialises libgcrypt. */
int gen_parse_options(int argc, char **argv, const gen_id_option ids[2], void (*usage)(FILE *),
                      gen_options *o);
/* Opens the key file for writing (buffered); exits with a message on failure. */
FILE *gen_keys_open(const char *path);
void gen_keys_close(FILE *f, const char *path);

#endif
