/* The network side of an LTE attach, built for the tracker's unit tests from the crypto
 * primitives alone (MILENAGE/XOR, the TS 33.401 KDFs, EEA/EIA): the test knows every key
 * the tracker should arrive at, because it made them here.
 *
 * One fx_ue is one subscriber as both the MME and the UE see it: its secrets, its last AKA
 * vector, and the NAS security context both ends currently protect with (keys, algorithms
 * and the next NAS COUNT of each direction). Used only by tests/test_unit_tracker.c. */
#ifndef KASME_TESTS_TRACKER_FIXTURE_H
#define KASME_TESTS_TRACKER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Large enough for every PDU the tests build. */
#define FX_MAX_PDU 256

/* The serving network id of every test network: MCC 001, MNC 01 (TS 24.008 10.5.1.13 order). */
extern const uint8_t FX_SN_ID[3];

typedef enum { FX_MILENAGE, FX_XOR } fx_auth_alg;

/* A NAS security context as both ends hold it (TS 33.401 7.2.5.1). */
typedef struct {
    int ksi;
    uint8_t eea, eia;
    uint8_t kasme[32], k_nas_enc[16], k_nas_int[16];
    uint32_t next_count[2]; /* next NAS COUNT to send, index KASME_DIR_UL / KASME_DIR_DL */
} fx_nas_ctx;

/* One authentication vector (TS 33.401 6.1.1), as the HSS computes it. */
typedef struct {
    uint8_t rand[16], autn[16];
    uint8_t xres[16];
    size_t xres_len;
    uint8_t kasme[32];
    int ksi;
} fx_auth_vector;

typedef struct {
    char imsi[16];
    fx_auth_alg alg;
    uint8_t k[16], opc[16], amf[2];
    uint64_t conn;          /* the S1AP connection its PDUs travel on */
    fx_auth_vector vector;  /* the last Authentication Request's */
    fx_nas_ctx ctx;         /* what NAS PDUs are protected with now */
} fx_ue;

/* Initialises libgcrypt; 0 on success. */
int fx_init(void);

/* Decodes hex (exactly 2*max digits or fewer); exits the test on a malformed literal. */
size_t fx_unhex(const char *hex, uint8_t *out, size_t max);

/* A subscriber; opc_hex is ignored for FX_XOR. */
void fx_ue_setup(fx_ue *ue, const char *imsi, fx_auth_alg alg, const char *k_hex,
                 const char *opc_hex, uint32_t enb_ue_s1ap_id);

/* The key-file line that describes the subscriber (NUL-terminated, no line ending). */
void fx_keyfile_line(const fx_ue *ue, char *out, size_t out_len);

/* Plain Attach request with the IMSI as EPS mobile identity (TS 24.301 8.2.4). */
size_t fx_attach_request_imsi(const char *imsi, uint8_t *out);
/* Plain Attach request with a GUTI (PLMN 00F110, MMEGI 0001, MMEC 1A). */
size_t fx_attach_request_guti(uint32_t m_tmsi, uint8_t *out);

/* Runs the HSS for the subscriber: vector from RAND and SQN, K_ASME for FX_SN_ID; writes the
 * plain Authentication Request (TS 24.301 8.2.7) and keeps the vector in ue->vector. */
size_t fx_auth_request(fx_ue *ue, int ksi, const uint8_t rand[16], uint64_t sqn, uint8_t *out);
/* The UE's Authentication Response: the first res_len octets of its RES (8.2.8). */
size_t fx_auth_response(const fx_ue *ue, size_t res_len, uint8_t *out);

/* A context from a K_ASME: NAS keys for the algorithms, both COUNTs at 0. */
void fx_ctx_from_kasme(fx_nas_ctx *ctx, const uint8_t kasme[32], int ksi, uint8_t eea,
                       uint8_t eia);

/* Security mode command inner message (8.2.20) and Security mode complete (8.2.21). */
size_t fx_smc_inner(uint8_t eea, uint8_t eia, int ksi, uint8_t *out);
size_t fx_smc_complete_inner(uint8_t *out);
/* EMM information (DL) and Uplink NAS transport (UL) whose content names the tag. */
size_t fx_emm_information_inner(uint32_t tag, uint8_t *out);
size_t fx_ul_nas_transport_inner(uint32_t tag, uint8_t *out);

/* A protected PDU (TS 24.301 9.1, TS 33.401 8.1/8.2): octet 1 = sec_hdr << 4 | 7, MAC, SN,
 * inner (ciphered for types 2 and 4) with the given NAS COUNT and direction. */
size_t fx_protect(const fx_nas_ctx *ctx, uint8_t sec_hdr, int dir, uint32_t count,
                  const uint8_t *inner, size_t inner_len, uint8_t *out);
/* fx_protect with the context's next COUNT of that direction, which then advances. */
size_t fx_send(fx_nas_ctx *ctx, uint8_t sec_hdr, int dir, const uint8_t *inner,
               size_t inner_len, uint8_t *out, uint32_t *count_used);

/* The 32-bit NAS-MAC the context gives data with COUNT/direction (bearer 0). */
uint32_t fx_nas_mac(const fx_nas_ctx *ctx, uint32_t count, int dir, const uint8_t *data,
                    size_t len);
/* SERVICE REQUEST (8.2.25) for the given UL COUNT: KSI, 5 COUNT bits, short MAC. */
size_t fx_service_request(const fx_nas_ctx *ctx, uint32_t ul_count, uint8_t *out);

/* K_eNB the context gives for an uplink NAS COUNT (TS 33.401 A.3). */
void fx_kenb(const fx_nas_ctx *ctx, uint32_t ul_count, uint8_t kenb[32]);

#endif
