/* The network side of an LTE attach for the tracker's unit tests (see tracker_fixture.h).
 * Built only from the crypto primitives, which tests/test_vec_* check on the official
 * vectors; nothing here calls the tracker. */
#include "tracker_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcrypt_init.h"
#include "kdf.h"
#include "milenage.h"
#include "sec_alg.h"
#include "tracker.h"
#include "xor_auth.h"

const uint8_t FX_SN_ID[3] = {0x00, 0xF1, 0x10};

static void fx_die(const char *what)
{
    fprintf(stderr, "tracker fixture: %s\n", what);
    exit(2);
}

int fx_init(void)
{
    return kasme_gcrypt_init();
}

size_t fx_unhex(const char *hex, uint8_t *out, size_t max)
{
    size_t digits = strlen(hex);
    if (digits % 2 || digits / 2 > max)
        fx_die("bad hex literal length");
    for (size_t i = 0; i < digits / 2; i++) {
        unsigned byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            fx_die("bad hex literal");
        out[i] = (uint8_t)byte;
    }
    return digits / 2;
}

static void fx_hex(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

void fx_ue_setup(fx_ue *ue, const char *imsi, fx_auth_alg alg, const char *k_hex,
                 const char *opc_hex, uint32_t enb_ue_s1ap_id)
{
    memset(ue, 0, sizeof *ue);
    snprintf(ue->imsi, sizeof ue->imsi, "%s", imsi);
    ue->alg = alg;
    fx_unhex(k_hex, ue->k, 16);
    if (alg == FX_MILENAGE)
        fx_unhex(opc_hex, ue->opc, 16);
    ue->amf[0] = 0x80;
    ue->amf[1] = 0x00;
    ue->conn = kasme_conn_key(KASME_CONN_S1AP_ENB, 0, enb_ue_s1ap_id);
    ue->ctx.ksi = -1;
}

void fx_keyfile_line(const fx_ue *ue, char *out, size_t out_len)
{
    char k[33], opc[33];
    fx_hex(ue->k, 16, k);
    fx_hex(ue->opc, 16, opc);
    if (ue->alg == FX_XOR)
        snprintf(out, out_len, "imsi=%s k=%s alg=xor", ue->imsi, k);
    else
        snprintf(out, out_len, "imsi=%s k=%s opc=%s amf=8000", ue->imsi, k, opc);
}

/* ---- Plain messages ---- */

/* EPS mobile identity value, type IMSI (TS 24.008 10.5.1.4 digit order). */
static size_t fx_imsi_identity(const char *imsi, uint8_t *out)
{
    size_t n = strlen(imsi);
    if (n < 6 || n > 15)
        fx_die("bad IMSI");
    out[0] = (uint8_t)((imsi[0] - '0') << 4 | (n % 2 ? 0x08 : 0) | 0x01);
    size_t len = 1;
    for (size_t i = 1; i < n; i += 2) {
        uint8_t high = i + 1 < n ? (uint8_t)(imsi[i + 1] - '0') : 0x0F;
        out[len++] = (uint8_t)(high << 4 | (imsi[i] - '0'));
    }
    return len;
}

/* UE network capability LV and an ESM PDN connectivity request LV-E, as srsUE sends them. */
static size_t fx_attach_tail(uint8_t *out)
{
    static const uint8_t tail[] = {0x02, 0xF0, 0x70, 0x00, 0x05, 0x02, 0x01, 0xD0, 0x11, 0xD1};
    memcpy(out, tail, sizeof tail);
    return sizeof tail;
}

size_t fx_attach_request_imsi(const char *imsi, uint8_t *out)
{
    size_t len = 0;
    out[len++] = 0x07;
    out[len++] = 0x41;
    out[len++] = 0x71; /* KSI 7 (no key) | EPS attach */
    len++;             /* identity length, below */
    size_t id_len = fx_imsi_identity(imsi, out + len);
    out[len - 1] = (uint8_t)id_len;
    len += id_len;
    return len + fx_attach_tail(out + len);
}

size_t fx_attach_request_guti(uint32_t m_tmsi, uint8_t *out)
{
    const uint8_t head[] = {0x07, 0x41, 0x71, 0x0B, 0xF6, 0x00, 0xF1, 0x10, 0x00, 0x01, 0x1A,
                            (uint8_t)(m_tmsi >> 24), (uint8_t)(m_tmsi >> 16),
                            (uint8_t)(m_tmsi >> 8), (uint8_t)m_tmsi};
    memcpy(out, head, sizeof head);
    return sizeof head + fx_attach_tail(out + sizeof head);
}

/* ---- AKA (TS 33.102 6.3, TS 33.401 6.1.1, A.2) ---- */

typedef struct {
    uint8_t res[16], ck[16], ik[16], ak[6], mac_a[8];
    size_t res_len;
} fx_aka_out;

static void fx_aka_compute(const fx_ue *ue, const uint8_t rand[16], const uint8_t sqn[6],
                           fx_aka_out *o)
{
    memset(o, 0, sizeof *o);
    if (ue->alg == FX_XOR) {
        xor_auth_f2345(ue->k, rand, o->res, o->ck, o->ik, o->ak);
        xor_auth_f1(ue->k, rand, sqn, ue->amf, o->mac_a);
        o->res_len = 16;
        return;
    }
    if (milenage_f2345(ue->k, ue->opc, rand, o->res, o->ck, o->ik, o->ak, NULL) ||
        milenage_f1(ue->k, ue->opc, rand, sqn, ue->amf, o->mac_a, NULL))
        fx_die("MILENAGE failed");
    o->res_len = 8;
}

size_t fx_auth_request(fx_ue *ue, int ksi, const uint8_t rand[16], uint64_t sqn_value,
                       uint8_t *out)
{
    uint8_t sqn[6];
    fx_aka_out o;
    for (int i = 0; i < 6; i++)
        sqn[i] = (uint8_t)(sqn_value >> (8 * (5 - i)));
    fx_aka_compute(ue, rand, sqn, &o);

    fx_auth_vector *v = &ue->vector;
    memset(v, 0, sizeof *v);
    memcpy(v->rand, rand, 16);
    for (int i = 0; i < 6; i++)
        v->autn[i] = sqn[i] ^ o.ak[i];
    memcpy(v->autn + 6, ue->amf, 2);
    memcpy(v->autn + 8, o.mac_a, 8);
    memcpy(v->xres, o.res, 16);
    v->xres_len = o.res_len;
    v->ksi = ksi;
    if (kdf_kasme(o.ck, o.ik, FX_SN_ID, v->autn, v->kasme))
        fx_die("kdf_kasme failed");

    out[0] = 0x07;
    out[1] = 0x52;
    out[2] = (uint8_t)(ksi & 0x07);
    memcpy(out + 3, rand, 16);
    out[19] = 16;
    memcpy(out + 20, v->autn, 16);
    return 36;
}

size_t fx_auth_response(const fx_ue *ue, size_t res_len, uint8_t *out)
{
    out[0] = 0x07;
    out[1] = 0x53;
    out[2] = (uint8_t)res_len;
    memcpy(out + 3, ue->vector.xres, res_len);
    return 3 + res_len;
}

/* ---- NAS security (TS 33.401 8.1, 8.2, A.7) ---- */

void fx_ctx_from_kasme(fx_nas_ctx *ctx, const uint8_t kasme[32], int ksi, uint8_t eea,
                       uint8_t eia)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->ksi = ksi;
    ctx->eea = eea;
    ctx->eia = eia;
    memcpy(ctx->kasme, kasme, 32);
    if (kdf_alg_key(kasme, KDF_NAS_ENC, eea, ctx->k_nas_enc) ||
        kdf_alg_key(kasme, KDF_NAS_INT, eia, ctx->k_nas_int))
        fx_die("kdf_alg_key failed");
}

size_t fx_smc_inner(uint8_t eea, uint8_t eia, int ksi, uint8_t *out)
{
    const uint8_t smc[] = {0x07, 0x5D, (uint8_t)(eea << 4 | eia), (uint8_t)(ksi & 0x07),
                           0x02, 0xF0, 0x70};
    memcpy(out, smc, sizeof smc);
    return sizeof smc;
}

size_t fx_smc_complete_inner(uint8_t *out)
{
    out[0] = 0x07;
    out[1] = 0x5E;
    return 2;
}

/* EMM information with a Full name for network IE (0x43, TLV) holding the tag. */
size_t fx_emm_information_inner(uint32_t tag, uint8_t *out)
{
    const uint8_t msg[] = {0x07, 0x61, 0x43, 0x05, 0x80, (uint8_t)(tag >> 24),
                           (uint8_t)(tag >> 16), (uint8_t)(tag >> 8), (uint8_t)tag};
    memcpy(out, msg, sizeof msg);
    return sizeof msg;
}

/* Uplink NAS transport whose NAS message container (LV) holds the tag. */
size_t fx_ul_nas_transport_inner(uint32_t tag, uint8_t *out)
{
    const uint8_t msg[] = {0x07, 0x63, 0x05, 0x5A, (uint8_t)(tag >> 24), (uint8_t)(tag >> 16),
                           (uint8_t)(tag >> 8), (uint8_t)tag};
    memcpy(out, msg, sizeof msg);
    return sizeof msg;
}

uint32_t fx_nas_mac(const fx_nas_ctx *ctx, uint32_t count, int dir, const uint8_t *data,
                    size_t len)
{
    kasme_integrity integ;
    uint32_t mac = 0;
    if (kasme_integrity_init(&integ, ctx->eia, ctx->k_nas_int) != KASME_SEC_OK)
        fx_die("integrity algorithm not available");
    if (kasme_integrity_mac(&integ, count, 0, (unsigned)dir, data, len, len * 8, &mac) !=
        KASME_SEC_OK)
        fx_die("NAS-MAC failed");
    kasme_integrity_free(&integ);
    return mac;
}

static void fx_cipher(const fx_nas_ctx *ctx, uint32_t count, int dir, uint8_t *data,
                      size_t len)
{
    kasme_cipher enc;
    if (kasme_cipher_init(&enc, ctx->eea, ctx->k_nas_enc) != KASME_SEC_OK)
        fx_die("ciphering algorithm not available");
    if (kasme_cipher_apply(&enc, count, 0, (unsigned)dir, data, len, len * 8) != KASME_SEC_OK)
        fx_die("ciphering failed");
    kasme_cipher_free(&enc);
}

size_t fx_protect(const fx_nas_ctx *ctx, uint8_t sec_hdr, int dir, uint32_t count,
                  const uint8_t *inner, size_t inner_len, uint8_t *out)
{
    if (6 + inner_len > FX_MAX_PDU)
        fx_die("PDU too long");
    out[0] = (uint8_t)(sec_hdr << 4 | 0x07);
    out[5] = (uint8_t)count;
    memcpy(out + 6, inner, inner_len);
    if (sec_hdr == 2 || sec_hdr == 4)
        fx_cipher(ctx, count, dir, out + 6, inner_len);
    uint32_t mac = fx_nas_mac(ctx, count, dir, out + 5, inner_len + 1);
    out[1] = (uint8_t)(mac >> 24);
    out[2] = (uint8_t)(mac >> 16);
    out[3] = (uint8_t)(mac >> 8);
    out[4] = (uint8_t)mac;
    return 6 + inner_len;
}

size_t fx_send(fx_nas_ctx *ctx, uint8_t sec_hdr, int dir, const uint8_t *inner,
               size_t inner_len, uint8_t *out, uint32_t *count_used)
{
    uint32_t count = ctx->next_count[dir]++;
    if (count_used)
        *count_used = count;
    return fx_protect(ctx, sec_hdr, dir, count, inner, inner_len, out);
}

size_t fx_service_request(const fx_nas_ctx *ctx, uint32_t ul_count, uint8_t *out)
{
    out[0] = 0xC7;
    out[1] = (uint8_t)((ctx->ksi & 0x07) << 5 | (ul_count & 0x1F));
    uint32_t mac = fx_nas_mac(ctx, ul_count, KASME_DIR_UL, out, 2);
    out[2] = (uint8_t)(mac >> 8);
    out[3] = (uint8_t)mac;
    return 4;
}

void fx_kenb(const fx_nas_ctx *ctx, uint32_t ul_count, uint8_t kenb[32])
{
    if (kdf_kenb(ctx->kasme, ul_count, kenb))
        fx_die("kdf_kenb failed");
}
