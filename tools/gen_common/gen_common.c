/* gen_common: see gen_common.h. */
#include "gen_common.h"

#include "gcrypt_init.h"
#include "milenage.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *gen_prog = "gen";

void gen_die(const char *what, int rc)
{
    fprintf(stderr, "%s: %s failed (%d)\n", gen_prog, what, rc);
    exit(1);
}

static void die_errno(const char *path)
{
    fprintf(stderr, "%s: %s: %s\n", gen_prog, path, strerror(errno));
    exit(1);
}

/* ---------------------------------------------------------------------------------------- */
/* APER (X.691)                                                                              */

void gen_put(gen_buf *o, const void *p, size_t len)
{
    if (o->n + len > sizeof o->b) {
        fprintf(stderr, "%s: internal error: PDU too long\n", gen_prog);
        exit(1);
    }
    memcpy(o->b + o->n, p, len);
    o->n += len;
}

void gen_put8(gen_buf *o, uint8_t v)
{
    gen_put(o, &v, 1);
}

/* One octet below 128, two octets (10xxxxxx xxxxxxxx) below 16384. Nothing here is longer. */
void gen_put_len(gen_buf *o, size_t len)
{
    if (len < 128) {
        gen_put8(o, (uint8_t)len);
    } else if (len < 16384) {
        gen_put8(o, (uint8_t)(0x80 | (len >> 8)));
        gen_put8(o, (uint8_t)len);
    } else {
        fprintf(stderr, "%s: internal error: length %zu needs fragmentation\n", gen_prog, len);
        exit(1);
    }
}

/* X.691 10.5.7.4 ("indefinite length" case of a constrained whole number): the octet count
 * minus one as a constrained number 0..max_octets-1, in 2 bits for ENB-UE-S1AP-ID (1..3
 * octets), MME-UE-S1AP-ID and RAN-UE-NGAP-ID (1..4), in 3 bits for AMF-UE-NGAP-ID (1..5,
 * 0..2^40-1); alone in an open type the bits sit at the top of the first octet. Then,
 * octet-aligned, the value in the minimum number of octets. */
void gen_put_big_int(gen_buf *o, uint64_t v, unsigned max_octets)
{
    unsigned n = 1, bits = 0;
    while (n < 8 && (v >> (8 * n)) != 0)
        n++;
    while ((1u << bits) < max_octets)
        bits++;
    gen_put8(o, (uint8_t)((n - 1) << (8 - bits)));
    for (unsigned i = n; i-- > 0;)
        gen_put8(o, (uint8_t)(v >> (8 * i)));
}

/* id (0..65535: 2 octets), criticality (2 bits, padded), value as an open type. */
void gen_put_ie_bytes(gen_buf *o, unsigned id, unsigned crit, const uint8_t *v, size_t len)
{
    gen_put8(o, (uint8_t)(id >> 8));
    gen_put8(o, (uint8_t)id);
    gen_put8(o, (uint8_t)(crit << 6));
    gen_put_len(o, len);
    gen_put(o, v, len);
}

void gen_put_ie(gen_buf *o, unsigned id, unsigned crit, const gen_buf *value)
{
    gen_put_ie_bytes(o, id, crit, value->b, value->n);
}

void gen_put_ie_id(gen_buf *o, unsigned id, uint64_t ue_id, unsigned max_octets)
{
    gen_buf v = {.n = 0};
    gen_put_big_int(&v, ue_id, max_octets);
    gen_put_ie(o, id, GEN_CRIT_REJECT, &v);
}

void gen_put_ie_octets(gen_buf *o, unsigned id, unsigned crit, const uint8_t *v, size_t len)
{
    gen_buf value = {.n = 0};
    gen_put_len(&value, len);
    gen_put(&value, v, len);
    gen_put_ie(o, id, crit, &value);
}

/* S1AP-PDU / NGAP-PDU initiatingMessage: CHOICE index 0 (with the extension bit: 1 octet),
 * procedureCode (0..255: 1 octet), criticality (padded octet), value as an open type. The
 * value is a SEQUENCE { protocolIEs, ... }: one octet of extension bit and padding, then the
 * IE count (0..65535: 2 octets), then the IEs. */
void gen_put_initiating(gen_buf *o, unsigned proc, unsigned crit, unsigned n_ies,
                        const gen_buf *ies)
{
    gen_buf v = {.n = 0};
    gen_put8(&v, 0x00);
    gen_put8(&v, (uint8_t)(n_ies >> 8));
    gen_put8(&v, (uint8_t)n_ies);
    gen_put(&v, ies->b, ies->n);
    o->n = 0;
    gen_put8(o, 0x00);
    gen_put8(o, (uint8_t)proc);
    gen_put8(o, (uint8_t)(crit << 6));
    gen_put_len(o, v.n);
    gen_put(o, v.b, v.n);
}

/* ---------------------------------------------------------------------------------------- */
/* pcap                                                                                      */

void gen_pcap_write(gen_pcap *p, const void *data, size_t len)
{
    uint32_t hdr[4] = {(uint32_t)(p->usec / 1000000), (uint32_t)(p->usec % 1000000),
                       (uint32_t)len, (uint32_t)len};
    p->usec += 100;
    if (fwrite(hdr, sizeof hdr, 1, p->f) != 1 || fwrite(data, len, 1, p->f) != 1) {
        fprintf(stderr, "%s: write error: %s\n", gen_prog, strerror(errno));
        exit(1);
    }
    p->records++;
    p->bytes += sizeof hdr + len;
}

void gen_pcap_open(gen_pcap *p, const char *path)
{
    /* Native byte order; readers detect it from the magic. */
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } gh = {0xa1b2c3d4, 2, 4, 0, 0, 65535, 150 /* DLT_USER3 */};
    static char pbuf[1 << 20];
    memset(p, 0, sizeof *p);
    p->f = fopen(path, "wb");
    if (!p->f)
        die_errno(path);
    setvbuf(p->f, pbuf, _IOFBF, sizeof pbuf);
    p->usec = 1700000000ULL * 1000000ULL;
    if (fwrite(&gh, sizeof gh, 1, p->f) != 1)
        die_errno(path);
    p->bytes = sizeof gh;
}

void gen_pcap_close(gen_pcap *p, const char *path)
{
    if (fclose(p->f) != 0)
        die_errno(path);
    p->f = NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Per-UE values                                                                             */

uint64_t gen_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void gen_rand_bytes(uint64_t *s, uint8_t *out, size_t len)
{
    while (len) {
        uint64_t r = gen_splitmix64(s);
        for (int i = 0; i < 8 && len; i++, len--, r >>= 8)
            *out++ = (uint8_t)r;
    }
}

uint64_t gen_ue_seed(uint64_t seed, uint32_t idx)
{
    uint64_t s = seed ^ (0xA5A5A5A500000000ULL + (uint64_t)idx * 0xD1B54A32D192ED03ULL);
    gen_splitmix64(&s);
    return s;
}

void gen_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void gen_key_tail(FILE *f, const uint8_t k[16], const uint8_t opc[16])
{
    fputs(" k=", f);
    for (int j = 0; j < 16; j++)
        fprintf(f, "%02x", k[j]);
    fputs(" opc=", f);
    for (int j = 0; j < 16; j++)
        fprintf(f, "%02x", opc[j]);
    fputs(" amf=8000\n", f);
}

/* ---------------------------------------------------------------------------------------- */
/* NAS                                                                                       */

void gen_aka_vector(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                    const uint8_t sqn[6], const uint8_t amf[2], uint8_t autn[16], uint8_t res[8],
                    uint8_t ck[16], uint8_t ik[16])
{
    uint8_t mac_a[8], ak[6];
    int rc;
    if ((rc = milenage_f1(k, opc, rand, sqn, amf, mac_a, NULL)))
        gen_die("milenage_f1", rc);
    if ((rc = milenage_f2345(k, opc, rand, res, ck, ik, ak, NULL)))
        gen_die("milenage_f2345", rc);
    for (int i = 0; i < 6; i++)
        autn[i] = sqn[i] ^ ak[i];
    memcpy(autn + 6, amf, 2);
    memcpy(autn + 8, mac_a, 8);
}

void gen_draw_rand_sqn(uint64_t *s, uint8_t rand[16], uint8_t sqn[6])
{
    gen_rand_bytes(s, rand, 16);
    gen_rand_bytes(s, sqn, 6);
    sqn[0] = 0;     /* a modest SQN, as a fresh USIM has */
    sqn[5] &= 0xE0; /* IND = 0 */
}

void gen_nas_init(gen_nas *nas, unsigned enc_alg, const uint8_t k_enc[16], unsigned int_alg,
                  const uint8_t k_int[16])
{
    int rc;
    if ((rc = kasme_cipher_init(&nas->enc, enc_alg, k_enc)))
        gen_die("kasme_cipher_init", rc);
    if ((rc = kasme_integrity_init(&nas->integ, int_alg, k_int)))
        gen_die("kasme_integrity_init", rc);
}

void gen_nas_free(gen_nas *nas)
{
    kasme_cipher_free(&nas->enc);
    kasme_integrity_free(&nas->integ);
}

size_t gen_nas_pdu(gen_nas *nas, const uint8_t *hdr, size_t hdr_len, unsigned bearer,
                   unsigned dir, bool cipher, const uint8_t *inner, size_t len, uint8_t *out)
{
    uint32_t count = nas->count[dir]++;
    uint8_t *sn_inner = out + hdr_len + 4;
    sn_inner[0] = (uint8_t)count;
    memcpy(sn_inner + 1, inner, len);
    int rc;
    if (cipher) {
        rc = kasme_cipher_apply(&nas->enc, count, bearer, dir, sn_inner + 1, len, len * 8);
        if (rc)
            gen_die("kasme_cipher_apply", rc);
    }
    uint32_t mac;
    rc = kasme_integrity_mac(&nas->integ, count, bearer, dir, sn_inner, len + 1, (len + 1) * 8,
                             &mac);
    if (rc)
        gen_die("kasme_integrity_mac", rc);
    memcpy(out, hdr, hdr_len);
    gen_put_be32(out + hdr_len, mac);
    return hdr_len + 5 + len;
}

/* ---------------------------------------------------------------------------------------- */
/* The run                                                                                   */

int gen_run(const gen_scenario *sc, const gen_options *o, gen_pcap *p)
{
    uint8_t *ues = calloc((size_t)o->n_ues, sc->ue_size);
    if (!ues) {
        fprintf(stderr, "%s: out of memory for %" PRIu64 " UEs\n", gen_prog, o->n_ues);
        return 1;
    }
    gen_pcap_open(p, o->out_pcap); /* both files open before either is written */
    FILE *kf = gen_keys_open(o->out_keys);
    for (uint64_t i = 0; i < o->n_ues; i++) {
        sc->setup(ues + i * sc->ue_size, (uint32_t)i, o);
        sc->key_line(kf, ues + i * sc->ue_size);
    }
    gen_keys_close(kf, o->out_keys);

    uint64_t steps = sc->steps_before_traffic + 2 * o->m_msgs;
    for (uint64_t step = 0; step < steps; step++)
        for (uint64_t i = 0; i < o->n_ues; i++)
            sc->step(ues + i * sc->ue_size, (unsigned)step, o, p);
    gen_pcap_close(p, o->out_pcap);

    for (uint64_t i = 0; i < o->n_ues; i++)
        gen_nas_free((gen_nas *)(ues + i * sc->ue_size + sc->nas_offset));
    free(ues);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Command line                                                                              */

void gen_usage_common(FILE *f)
{
    fprintf(f, "  -n N           number of UEs (1 .. 10^9)\n"
               "  -m M           protected NAS messages per UE in each direction after the "
               "initial procedure\n"
               "  -o FILE        the pcap (DLT 150, one bare PDU a record)\n"
               "  --seed S       seed of every K, OPc, RAND and SQN (default 1)\n");
}

bool gen_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_alg(const char *s, unsigned *enc, unsigned *integ)
{
    unsigned e, i;
    char tail;
    if (sscanf(s, "%u/%u%c", &e, &i, &tail) != 2 || e > 3 || i > 3)
        return false;
    *enc = e;
    *integ = i;
    return true;
}

/* One option's argument into o; false (with the message printed) when it is wrong. */
static bool parse_option(int c, const char *arg, const gen_id_option ids[2], gen_options *o)
{
    switch (c) {
    case 'n':
        if (!gen_parse_u64(arg, 1000000000ULL, &o->n_ues) || o->n_ues == 0) {
            fprintf(stderr, "%s: -n: expected 1 .. 10^9 UEs\n", gen_prog);
            return false;
        }
        return true;
    case 'm':
        /* COUNTs are 24 bits; the DL one reaches M + 2. */
        if (!gen_parse_u64(arg, 0xFFFFFFULL - 2, &o->m_msgs)) {
            fprintf(stderr, "%s: -m: expected 0 .. %u\n", gen_prog, 0xFFFFFF - 2);
            return false;
        }
        return true;
    case 's':
        if (!gen_parse_u64(arg, UINT64_MAX, &o->seed)) {
            fprintf(stderr, "%s: --seed: expected an unsigned 64-bit number\n", gen_prog);
            return false;
        }
        return true;
    case 'a':
        if (!parse_alg(arg, &o->enc, &o->integ)) {
            fprintf(stderr, "%s: --alg: expected ENC/INT, each 0..3 (e.g. 2/2)\n", gen_prog);
            return false;
        }
        return true;
    default: /* 0, 1: an id option */
        if (!gen_parse_u64(arg, ids[c].max, &o->id_base[c])) {
            fprintf(stderr, "%s: --%s: expected 0 .. %" PRIu64 "\n", gen_prog, ids[c].name,
                    ids[c].max);
            return false;
        }
        return true;
    }
}

/* What the options say together: every UE's ids in range, the algorithms in this build. */
static bool options_fit(const gen_id_option ids[2], const gen_options *o)
{
    for (int side = 0; side < 2; side++)
        if (o->id_base[side] + o->n_ues - 1 > ids[side].max) {
            fprintf(stderr, "%s: --%s: ids %" PRIu64 " .. %" PRIu64 " exceed %" PRIu64 "\n",
                    gen_prog, ids[side].name, o->id_base[side],
                    o->id_base[side] + o->n_ues - 1, ids[side].max);
            return false;
        }
    if (!kasme_alg_available(o->enc) || !kasme_alg_available(o->integ)) {
        fprintf(stderr, "%s: %s/%s not in this build (KASME_WITH_SNOW3G_ZUC=OFF)\n", gen_prog,
                kasme_eea_name(o->enc), kasme_eia_name(o->integ));
        return false;
    }
    return true;
}

int gen_parse_options(int argc, char **argv, const gen_id_option ids[2], void (*usage)(FILE *),
                      gen_options *o)
{
    const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},
        {"alg", required_argument, NULL, 'a'},
        {ids[0].name, required_argument, NULL, 0},
        {ids[1].name, required_argument, NULL, 1},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool have_n = false, have_m = false;
    *o = (gen_options){.seed = 1, .id_base = {1, 1}, .enc = 2, .integ = 2};
    int c;
    while ((c = getopt_long(argc, argv, "n:m:o:k:h", longopts, NULL)) != -1) {
        if (c == 'o' || c == 'k') {
            *(c == 'o' ? &o->out_pcap : &o->out_keys) = optarg;
            continue;
        }
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == '?' || !parse_option(c, optarg, ids, o)) {
            if (c == '?')
                usage(stderr);
            return 2;
        }
        have_n |= c == 'n';
        have_m |= c == 'm';
    }
    if (optind != argc || !have_n || !have_m || !o->out_pcap || !o->out_keys) {
        usage(stderr);
        return 2;
    }
    if (!options_fit(ids, o))
        return 2;
    if (kasme_gcrypt_init() != 0) {
        fprintf(stderr, "%s: libgcrypt initialisation failed\n", gen_prog);
        return 1;
    }
    return -1;
}

FILE *gen_keys_open(const char *path)
{
    static char kbuf[1 << 16];
    FILE *f = fopen(path, "w");
    if (!f)
        die_errno(path);
    setvbuf(f, kbuf, _IOFBF, sizeof kbuf);
    return f;
}

void gen_keys_close(FILE *f, const char *path)
{
    if (fclose(f) != 0)
        die_errno(path);
}
