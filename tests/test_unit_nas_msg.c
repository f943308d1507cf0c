/* Unit tests of the NAS PDU parser (plugin/core/nas_msg.c) on real PDUs.
 *
 * Every PDU below marked with a capture name was copied from that srsRAN capture's ground truth
 * (shared/captures/<capture>/truth.json, ue[i].nas_messages[]: pdu_hex = as on the wire,
 * plain_hex_ue_log = the UE's deciphered copy, header kept). PDUs marked "synthetic" were
 * written by hand from TS 24.301 to reach IEs the captures do not contain.
 * Run it under -fsanitize=address,undefined: the truncation and hostile-input checks copy every
 * input into a buffer of exactly its size, so any read past the end is reported. */
#include "nas_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        checks++;                                                                          \
        if (!(cond)) {                                                                     \
            failures++;                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                                  \
    } while (0)

/* ---- Real PDUs ---- */

/* s01-eea2-eia2, UE run ue.log */
#include "s01_pdus.h"
static const char S01_ESM_INFO_REQ_PLAIN[] = "272fcd9aa4010201d9";
static const char S01_ESM_INFO_RESP[] = "2701cc1e01017d547870457b20694263275e";
static const char S01_ATTACH_ACCEPT[] =
    "272363200702022ff1e02033096b251e01f8d2802465faff80376d8e688a7d58ec612f804a45e51bf67df12d"
    "5af50b9ae563df5cb284e5588228f099a8bbe25d8e0d0a1bc0a6e1875bcd";
static const char S01_ATTACH_ACCEPT_PLAIN[] =
    "2723632007020742013e060000f1100007001d5201c10107070673727361706e0501ac100002270880000d04"
    "08080808500bf600f11000011a75871df41300f11000062305f475871df4";
static const char S01_ATTACH_COMPLETE[] = "270a7fbba802e2b94d825e3e1b";
static const char S01_EMM_INFO_PLAIN[] =
    "27191d4ff3030761431882d3b7997e0fcbcb2069989c7e83a6f939bddc9e83a4412745078673f95c1a740247"
    "62113201447200";
static const char S01_DETACH_REQ[] = "17627e0192030745090bf600f11000011a75871df4";

/* s02-eea1-eia1, s03-eea3-eia3, s08-eea0-eia2, s12-paging: Security mode commands */
static const char S02_SMC[] = "371a18abf800075d110002f070";
static const char S03_SMC[] = "379b5da35c00075d330002f070";
static const char S08_SMC[] = "37330e7a9b00075d020002f070";
static const char S12_SMC[] = "375c33ab3900075d130002f070";

/* s08-eea0-eia2: EEA0, so the "ciphered" (type 2/4) UL bodies are plaintext on the wire. */
static const char S08_SMC_COMPLETE[] = "477cc575d500075e";
static const char S08_ESM_INFO_RESP[] = "27b89dc1b0010201da28070673727361706e";
static const char S08_ATTACH_COMPLETE[] = "2772d8b82402074300035200c2";

/* s07-reattach: run 1 (ue_run1.log) and run 2 (ue.log, GUTI attach with the stored context) */
static const char S07_R1_ATTACH_ACCEPT_PLAIN[] =
    "271ee4ae90020742013e060000f1100007001d5201c10107070673727361706e0501ac100002270880000d04"
    "08080808500bf600f11000011ac5ce28781300f11000062305f4c5ce2878";
static const char S07_R1_SERVICE_REQ[] = "c70324cd";
static const char S07_R1_DETACH_REQ[] = "177d90b2ee040745090bf600f11000011ac5ce2878";
static const char S07_R2_ATTACH_REQ[] =
    "177962fe0c050741010bf600f11000011ac5ce287802f07000050201d011d191e0";
static const char S07_R2_ATTACH_ACCEPT_PLAIN[] =
    "273c577f17050742013e060000f1100007001d5201c10107070673727361706e0501ac100002270880000d04"
    "08080808500bf600f11000011ac5ce28791300f11000062305f4c5ce2879";

/* s12-paging */
static const char S12_AUTH_REQ[] =
    "075200682d96113b47988b65edcd468b5d0e5d10755d61f60374800090119bd78d20bd64";
static const char S12_AUTH_RESP[] = "07530800cadd4f812e1621";
static const char S12_SERVICE_REQ[] = "c7032e93";

/* ---- Synthetic PDUs (TS 24.301 layouts, for IEs the captures lack) ---- */

/* Authentication failure, cause 21 "synch failure", AUTS 0x30 TLV (8.2.5, 9.9.3.1). */
static const char SYN_AUTH_FAILURE[] = "075c15300e000102030405060708090a0b0c0d";
/* Identity response with an IMSI, 15 digits (odd) (8.2.19, 24.008 10.5.1.4). */
static const char SYN_ID_RESP_IMSI[] = "0756080910101032547608";
/* Identity response with an IMEISV, 16 digits (even: filler F in the last high nibble). */
static const char SYN_ID_RESP_IMEISV[] = "0756093315213243546576f7";
/* Extended service request, KSI 2, M-TMSI as Mobile identity type 4 (8.2.15). */
static const char SYN_EXT_SERVICE_REQ[] = "074c2005f4c5ce2878";
/* TAU accept: T3412 0x5A (TV 2) before GUTI 0x50, then TAI list 0x54, bearer status 0x57 (8.2.26). */
static const char SYN_TAU_ACCEPT[] =
    "0749005a21500bf600f11000011a0102030454060000f110000757022000";
/* GUTI reallocation command, then TAI list 0x54 (8.2.16). */
static const char SYN_GUTI_REALLOC[] = "07500bf600f11000021b0a0b0c0d54060000f1100007";
/* TAU request: NAS KSI 1, update type 0, old GUTI (8.2.29). */
static const char SYN_TAU_REQ[] = "0748100bf600f11000011ac5ce2878";
/* Detach request, network to UE: re-attach required, EMM cause 0x53 TV (8.2.11.2). */
static const char SYN_DETACH_DL[] = "074501530e";
/* Security mode complete with IMEISV 0x23 (8.2.21). */
static const char SYN_SMC_COMPLETE_IMEISV[] = "075e23093315213243546576f7";
/* Attach reject, cause 7, ESM container 0x78 TLV-E (8.2.3). */
static const char SYN_ATTACH_REJECT[] = "0744077800040201d11b";

/* ---- Helpers ---- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes hex into a malloc'd buffer of exactly the decoded size (so ASan sees overreads). */
static uint8_t *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        abort();
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            abort();
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n;
    return buf;
}

static bool bytes_equal_hex(const uint8_t *p, size_t n, const char *hex)
{
    size_t hex_len;
    uint8_t *want = unhex(hex, &hex_len);
    bool eq = hex_len == n && memcmp(p, want, n) == 0;
    free(want);
    return eq;
}

/* Outer parse of a hex PDU; the buffer stays allocated in *buf for inner pointers. */
static int outer_of(const char *hex, uint8_t **buf, kasme_nas_outer *outer)
{
    size_t len;
    *buf = unhex(hex, &len);
    return kasme_nas_parse_outer(*buf, len, outer);
}

/* Buffers that parsed messages point into (esm_container), freed at the end of main. */
static uint8_t *kept_buffers[256];
static size_t kept_count;

static void keep_buffer(uint8_t *buf)
{
    if (kept_count == sizeof kept_buffers / sizeof kept_buffers[0])
        abort();
    kept_buffers[kept_count++] = buf;
}

static void free_kept_buffers(void)
{
    while (kept_count)
        free(kept_buffers[--kept_count]);
}

/* Plain parse of the message inside a PDU (the whole PDU for type 0, after the SN otherwise). */
static int plain_of(const char *hex, int uplink_hint, kasme_nas_msg *msg)
{
    uint8_t *buf;
    kasme_nas_outer outer;
    int rc = outer_of(hex, &buf, &outer);
    keep_buffer(buf);
    if (rc == 0)
        rc = outer.inner ? kasme_nas_parse_plain(outer.inner, outer.inner_len, uplink_hint, msg)
                         : -1;
    return rc;
}

/* ---- Tests on real PDUs ---- */

static void test_attach_request_imsi(void)
{
    uint8_t *buf;
    kasme_nas_outer outer;
    CHECK(outer_of(S01_ATTACH_REQ, &buf, &outer) == 0);
    CHECK(outer.sec_hdr == 0 && outer.pd == 7 && outer.kind == KASME_NAS_SEC_PLAIN);
    free(buf);

    kasme_nas_msg m;
    CHECK(plain_of(S01_ATTACH_REQ, 1, &m) == 0);
    CHECK(m.pd == 7 && m.msg_type == 0x41);
    CHECK(m.identity.type == KASME_NAS_ID_IMSI);
    CHECK(strcmp(m.identity.digits, "001010123456780") == 0);
    CHECK(m.ksi == 7 && m.tsc == 0); /* 7 = "no key is available": an IMSI attach */
    /* The PDN connectivity request inside (ESM PD 2, PTI 1, type 0xD0). */
    CHECK(m.esm_container_len == 5 && bytes_equal_hex(m.esm_container, 5, "0201d011d1"));
    CHECK(strcmp(kasme_nas_msg_name(m.pd, m.msg_type), "Attach request") == 0);
}

static void check_auth_request(const char *hex, const char *rand, const char *autn)
{
    kasme_nas_msg m;
    CHECK(plain_of(hex, 0, &m) == 0);
    CHECK(m.msg_type == 0x52 && m.ksi == 0 && m.tsc == 0);
    CHECK(m.has_rand && bytes_equal_hex(m.rand, 16, rand));
    CHECK(m.has_autn && bytes_equal_hex(m.autn, 16, autn));
}

static void check_auth_response(const char *hex, const char *res)
{
    kasme_nas_msg m;
    CHECK(plain_of(hex, 1, &m) == 0);
    CHECK(m.msg_type == 0x53 && m.res_len == 8 && bytes_equal_hex(m.res, m.res_len, res));
}

static void test_aka(void)
{
    /* RAND/AUTN/RES as in each capture's truth.json summary ("what": "AKA"). */
    check_auth_request(S01_AUTH_REQ, "ce1df29cadf6f1f16cfa58b898a83484",
                       "0e60f69b0b9280002324c266a83dc989");
    check_auth_response(S01_AUTH_RESP, "c6ac7c0754088413");
    check_auth_request(S12_AUTH_REQ, "682d96113b47988b65edcd468b5d0e5d",
                       "755d61f60374800090119bd78d20bd64");
    check_auth_response(S12_AUTH_RESP, "00cadd4f812e1621");
}

static void check_smc(const char *hex, uint32_t mac, uint8_t eea, uint8_t eia)
{
    uint8_t *buf;
    kasme_nas_outer outer;
    CHECK(outer_of(hex, &buf, &outer) == 0);
    CHECK(outer.sec_hdr == 3 && outer.kind == KASME_NAS_SEC_PROTECTED);
    CHECK(outer.mac == mac && outer.seq == 0);
    free(buf);

    kasme_nas_msg m;
    CHECK(plain_of(hex, 0, &m) == 0);
    CHECK(m.msg_type == 0x5D && m.smc_eea == eea && m.smc_eia == eia);
    CHECK(m.ksi == 0 && m.tsc == 0);
}

static void test_security_mode_commands(void)
{
    check_smc(S01_SMC, 0x322a2530, 2, 2);
    check_smc(S02_SMC, 0x1a18abf8, 1, 1);
    check_smc(S03_SMC, 0x9b5da35c, 3, 3);
    check_smc(S08_SMC, 0x330e7a9b, 0, 2);
    check_smc(S12_SMC, 0x5c33ab39, 1, 3);
}

static void check_protected(const char *hex, uint8_t sec_hdr, uint32_t mac, uint8_t seq,
                            size_t inner_len)
{
    uint8_t *buf;
    kasme_nas_outer outer;
    CHECK(outer_of(hex, &buf, &outer) == 0);
    CHECK(outer.sec_hdr == sec_hdr && outer.pd == 7 && outer.kind == KASME_NAS_SEC_PROTECTED);
    CHECK(outer.mac == mac && outer.seq == seq && outer.inner == buf + 6);
    CHECK(outer.inner_len == inner_len);
    free(buf);
}

static void test_protected_outer(void)
{
    /* sec_hdr_type, mac and nas_seq as in truth.json */
    check_protected(S01_SMC_COMPLETE, 4, 0x2477ee3a, 0, 2);
    check_protected(S01_ESM_INFO_REQ, 2, 0x2fcd9aa4, 1, 3);
    check_protected(S01_ESM_INFO_RESP, 2, 0x01cc1e01, 1, 12);
    check_protected(S01_ATTACH_ACCEPT, 2, 0x23632007, 2, 68);
    check_protected(S01_ATTACH_COMPLETE, 2, 0x0a7fbba8, 2, 7);
    check_protected(S01_DETACH_REQ, 1, 0x627e0192, 3, 15);
    check_protected(S07_R1_DETACH_REQ, 1, 0x7d90b2ee, 4, 15);
    check_protected(S07_R2_ATTACH_REQ, 1, 0x7962fe0c, 5, 27);
}

static void test_esm(void)
{
    kasme_nas_msg m;
    CHECK(plain_of(S01_ESM_INFO_REQ_PLAIN, 0, &m) == 0);
    CHECK(m.pd == 2 && m.msg_type == 0xD9 && m.ksi == -1);
    CHECK(strcmp(kasme_nas_msg_name(m.pd, m.msg_type), "ESM information request") == 0);
    CHECK(kasme_nas_msg_direction(m.pd, m.msg_type) == 0);

    /* The ESM container of the Attach accept: ESM PD with EBI 5 in the "security" nibble. */
    uint8_t *buf;
    kasme_nas_outer outer;
    CHECK(outer_of("5201c101", &buf, &outer) == 0);
    CHECK(outer.pd == 2 && outer.sec_hdr == 0 && outer.ebi == 5);
    CHECK(outer.kind == KASME_NAS_SEC_PLAIN && outer.inner == buf && outer.inner_len == 4);
    free(buf);
}

static uint32_t attach_accept_m_tmsi(const char *plain_hex)
{
    kasme_nas_msg m;
    if (plain_of(plain_hex, 0, &m) != 0 || m.new_guti.type != KASME_NAS_ID_GUTI)
        return 0;
    return m.new_guti.m_tmsi;
}

static void test_attach_accept_guti(void)
{
    kasme_nas_msg m;
    CHECK(plain_of(S01_ATTACH_ACCEPT_PLAIN, 0, &m) == 0);
    CHECK(m.msg_type == 0x42 && m.new_guti.type == KASME_NAS_ID_GUTI);
    CHECK(bytes_equal_hex(m.new_guti.plmn, 3, "00f110")); /* MCC 001 MNC 01 */
    CHECK(m.new_guti.mmegi == 1 && m.new_guti.mmec == 0x1a);
    CHECK(m.new_guti.m_tmsi == 0x75871df4);
    /* Activate default EPS bearer context request, EBI 5 */
    CHECK(m.esm_container_len == 29 && m.esm_container[0] == 0x52 && m.esm_container[2] == 0xC1);

    /* s08 (EEA0): the wire PDU carries the same layout in clear */
    CHECK(plain_of(S08_ATTACH_COMPLETE, 1, &m) == 0);
    CHECK(m.msg_type == 0x43 && m.esm_container_len == 3);
    CHECK(bytes_equal_hex(m.esm_container, 3, "5200c2"));
    CHECK(plain_of(S08_ESM_INFO_RESP, 1, &m) == 0 && m.pd == 2 && m.msg_type == 0xDA);
    CHECK(plain_of(S08_SMC_COMPLETE, 1, &m) == 0 && m.msg_type == 0x5E);
    CHECK(m.identity.type == KASME_NAS_ID_NONE);

    /* EMM information: optional IEs including the TV 0x47 (8 octets) are walked to the end */
    CHECK(plain_of(S01_EMM_INFO_PLAIN, 0, &m) == 0 && m.msg_type == 0x61);
}

static void test_detach_request(void)
{
    for (int hint = -1; hint <= 1; hint += 2) {
        kasme_nas_msg m;
        CHECK(plain_of(S01_DETACH_REQ, hint, &m) == 0);
        CHECK(m.msg_type == 0x45 && m.detach_switch_off == 1 && m.ksi == 0 && m.tsc == 0);
        CHECK(m.identity.type == KASME_NAS_ID_GUTI && m.identity.m_tmsi == 0x75871df4);
    }
    kasme_nas_msg m;
    CHECK(plain_of(SYN_DETACH_DL, -1, &m) == 0);
    CHECK(m.identity.type == KASME_NAS_ID_NONE && m.ksi == -1 && m.detach_switch_off == 0);
    CHECK(plain_of(SYN_DETACH_DL, 0, &m) == 0 && m.identity.type == KASME_NAS_ID_NONE);
    CHECK(plain_of(SYN_DETACH_DL, 1, &m) == -1); /* 0x53 is no LV identity that fits */
}

/* s07: the GUTI attach of run 2 names the GUTI that run 1's Attach accept assigned. */
static void test_s07_guti_attach(void)
{
    uint32_t run1_m_tmsi = attach_accept_m_tmsi(S07_R1_ATTACH_ACCEPT_PLAIN);
    CHECK(run1_m_tmsi == 0xc5ce2878);

    kasme_nas_msg m;
    CHECK(plain_of(S07_R2_ATTACH_REQ, 1, &m) == 0);
    CHECK(m.msg_type == 0x41 && m.identity.type == KASME_NAS_ID_GUTI);
    CHECK(m.identity.m_tmsi == run1_m_tmsi);
    CHECK(m.identity.mmegi == 1 && m.identity.mmec == 0x1a);
    CHECK(m.ksi == 0 && m.tsc == 0); /* the stored native context, KSI 0 */
    CHECK(m.esm_container_len == 5);

    /* Run 1's switch-off detach also names it; run 2's Attach accept assigns the next one. */
    CHECK(plain_of(S07_R1_DETACH_REQ, 1, &m) == 0 && m.identity.m_tmsi == run1_m_tmsi);
    CHECK(attach_accept_m_tmsi(S07_R2_ATTACH_ACCEPT_PLAIN) == 0xc5ce2879);
}

static void check_service_request(const char *hex, uint8_t ksi, uint8_t seq5, uint16_t short_mac)
{
    uint8_t *buf;
    kasme_nas_outer outer;
    CHECK(outer_of(hex, &buf, &outer) == 0);
    CHECK(outer.sec_hdr == 12 && outer.pd == 7 && outer.kind == KASME_NAS_SEC_SERVICE_REQUEST);
    CHECK(outer.sr_ksi == ksi && outer.sr_seq5 == seq5 && outer.sr_short_mac == short_mac);
    CHECK(outer.inner == NULL && outer.inner_len == 0);
    free(buf);
}

static void test_service_requests(void)
{
    /* Both sent with UL NAS COUNT 3, the count the AS keys of the reconnection come from. */
    check_service_request(S07_R1_SERVICE_REQ, 0, 3, 0x24cd);
    check_service_request(S12_SERVICE_REQ, 0, 3, 0x2e93);
}

/* 5g-s07-service-request frame 18 (the AMF's plaintext): the 5G Service Request's ngKSI is
 * the low half of the octet after the message type (TS 24.501 8.2.16: ngKSI 0 here, service
 * type 1 "data" above it, as Wireshark's nas-5gs reads it); its 5G-S-TMSI names the UE. */
static const char S5G07_SERVICE_REQ[] =
    "7e004c100007f40040c00006ec710015af4b212cbb5b0995e11cc1f4a75a38903e9c0e431c";

static void test_5g_service_request(void)
{
    kasme_nas_msg m;
    CHECK(plain_of(S5G07_SERVICE_REQ, 1, &m) == 0 && m.kind == KASME_NAS_K_INITIAL);
    CHECK(m.ksi == 0 && m.tsc == 0);
    CHECK(m.identity.type == KASME_NAS_ID_TMSI && m.identity.m_tmsi == 0xc00006ec);
}

/* ---- Tests on synthetic PDUs ---- */

static void test_synthetic_ies(void)
{
    kasme_nas_msg m;
    CHECK(plain_of(SYN_AUTH_FAILURE, 1, &m) == 0);
    CHECK(m.emm_cause == 21 && m.has_auts);
    CHECK(bytes_equal_hex(m.auts, 14, "000102030405060708090a0b0c0d"));

    CHECK(plain_of(SYN_ID_RESP_IMSI, 1, &m) == 0 && m.identity.type == KASME_NAS_ID_IMSI);
    CHECK(strcmp(m.identity.digits, "001010123456780") == 0);
    CHECK(plain_of(SYN_ID_RESP_IMEISV, 1, &m) == 0 && m.identity.type == KASME_NAS_ID_IMEISV);
    CHECK(strcmp(m.identity.digits, "3511223344556677") == 0);
    CHECK(plain_of(SYN_SMC_COMPLETE_IMEISV, 1, &m) == 0);
    CHECK(m.identity.type == KASME_NAS_ID_IMEISV);

    CHECK(plain_of(SYN_EXT_SERVICE_REQ, 1, &m) == 0 && m.ksi == 2);
    CHECK(m.identity.type == KASME_NAS_ID_TMSI && m.identity.m_tmsi == 0xc5ce2878);

    CHECK(plain_of(SYN_TAU_ACCEPT, 0, &m) == 0 && m.new_guti.type == KASME_NAS_ID_GUTI);
    CHECK(m.new_guti.m_tmsi == 0x01020304);
    CHECK(plain_of(SYN_GUTI_REALLOC, 0, &m) == 0 && m.new_guti.type == KASME_NAS_ID_GUTI);
    CHECK(m.new_guti.mmegi == 2 && m.new_guti.mmec == 0x1b && m.new_guti.m_tmsi == 0x0a0b0c0d);
    CHECK(plain_of(SYN_TAU_REQ, 1, &m) == 0 && m.ksi == 1);
    CHECK(m.identity.type == KASME_NAS_ID_GUTI && m.identity.m_tmsi == 0xc5ce2878);

    CHECK(plain_of(SYN_ATTACH_REJECT, 0, &m) == 0 && m.emm_cause == 7);
    CHECK(m.esm_container_len == 4 && bytes_equal_hex(m.esm_container, 4, "0201d11b"));
}

static void test_outer_kinds(void)
{
    uint8_t *buf;
    kasme_nas_outer outer;
    /* Types 13..15 "shall be interpreted as 1100" (9.3.1); 6..11 are reserved. */
    CHECK(outer_of("f70324cd", &buf, &outer) == 0);
    CHECK(outer.sec_hdr == 15 && outer.kind == KASME_NAS_SEC_SERVICE_REQUEST);
    CHECK(outer.sr_seq5 == 3);
    free(buf);
    CHECK(outer_of("97000000000000", &buf, &outer) == 0);
    CHECK(outer.sec_hdr == 9 && outer.kind == KASME_NAS_SEC_RESERVED && outer.inner == NULL);
    free(buf);
    CHECK(outer_of("5701020304050741", &buf, &outer) == 0);
    CHECK(outer.kind == KASME_NAS_SEC_PARTIAL && outer.mac == 0x01020304 && outer.seq == 5);
    free(buf);
    CHECK(outer_of("0641", &buf, &outer) == -1); /* PD 6 is no EPS protocol */
    free(buf);
    CHECK(kasme_nas_parse_outer(NULL, 0, &outer) == -1);
}

static void test_names_and_directions(void)
{
    CHECK(strcmp(kasme_nas_msg_name(7, 0x42), "Attach accept") == 0);
    CHECK(strcmp(kasme_nas_msg_name(7, 0x49), "Tracking area update accept") == 0);
    CHECK(strcmp(kasme_nas_msg_name(7, 0x5C), "Authentication failure") == 0);
    CHECK(strcmp(kasme_nas_msg_name(2, 0xC1), "Activate default EPS bearer context request") ==
          0);
    CHECK(kasme_nas_msg_name(7, 0x47) == NULL && kasme_nas_msg_name(5, 0x41) == NULL);
    CHECK(kasme_nas_msg_direction(7, 0x41) == 1 && kasme_nas_msg_direction(7, 0x5D) == 0);
    CHECK(kasme_nas_msg_direction(7, 0x45) == -1 && kasme_nas_msg_direction(2, 0xDA) == 1);
    CHECK(kasme_nas_msg_direction(7, 0x00) == -1);
}

/* ---- Robustness ---- */

static const char *const all_pdus[] = {
    S01_ATTACH_REQ, S01_AUTH_REQ, S01_AUTH_RESP, S01_SMC, S01_SMC_COMPLETE, S01_ESM_INFO_REQ,
    S01_ESM_INFO_REQ_PLAIN, S01_ESM_INFO_RESP, S01_ATTACH_ACCEPT, S01_ATTACH_ACCEPT_PLAIN,
    S01_ATTACH_COMPLETE, S01_EMM_INFO_PLAIN, S01_DETACH_REQ, S02_SMC, S03_SMC, S08_SMC,
    S08_SMC_COMPLETE, S08_ESM_INFO_RESP, S08_ATTACH_COMPLETE, S12_SMC,
    S07_R1_ATTACH_ACCEPT_PLAIN, S07_R1_SERVICE_REQ, S07_R1_DETACH_REQ, S07_R2_ATTACH_REQ,
    S07_R2_ATTACH_ACCEPT_PLAIN, S12_AUTH_REQ, S12_AUTH_RESP, S12_SERVICE_REQ,
    SYN_AUTH_FAILURE, SYN_ID_RESP_IMSI, SYN_ID_RESP_IMEISV, SYN_EXT_SERVICE_REQ, SYN_TAU_ACCEPT,
    SYN_GUTI_REALLOC, SYN_TAU_REQ, SYN_DETACH_DL, SYN_SMC_COMPLETE_IMEISV, SYN_ATTACH_REJECT,
};

/* Parses buf[0..len) every way: outer, plain with each hint, and plain of the outer's inner.
 * Returns false if any call returned something other than 0 or -1. */
static bool parse_every_way(const uint8_t *buf, size_t len)
{
    kasme_nas_outer outer;
    kasme_nas_msg m;
    int rc = kasme_nas_parse_outer(buf, len, &outer);
    bool ok = rc == 0 || rc == -1;
    for (int hint = -1; hint <= 1; hint++) {
        rc = kasme_nas_parse_plain(buf, len, hint, &m);
        ok = ok && (rc == 0 || rc == -1);
        if (rc == 0 && m.esm_container)
            ok = ok && m.esm_container >= buf && m.esm_container + m.esm_container_len <= buf + len;
    }
    if (kasme_nas_parse_outer(buf, len, &outer) == 0 && outer.inner) {
        ok = ok && outer.inner >= buf && outer.inner + outer.inner_len <= buf + len;
        rc = kasme_nas_parse_plain(outer.inner, outer.inner_len, -1, &m);
        ok = ok && (rc == 0 || rc == -1);
    }
    return ok;
}

/* Every prefix, each in a buffer of exactly its own size. */
static void test_truncations(void)
{
    for (size_t i = 0; i < sizeof all_pdus / sizeof all_pdus[0]; i++) {
        size_t len;
        uint8_t *full = unhex(all_pdus[i], &len);
        bool ok = true;
        for (size_t n = 0; n <= len; n++) {
            uint8_t *prefix = malloc(n ? n : 1);
            memcpy(prefix, full, n);
            ok = ok && parse_every_way(prefix, n);
            free(prefix);
        }
        CHECK(ok);
        free(full);
    }
}

/* Messages whose mandatory part ends the PDU: every strict prefix is truncated. */
static void check_prefixes_rejected(const char *hex, int uplink_hint)
{
    size_t len;
    uint8_t *full = unhex(hex, &len);
    kasme_nas_msg m;
    bool all_rejected = true;
    for (size_t n = 0; n < len; n++) {
        uint8_t *prefix = malloc(n ? n : 1);
        memcpy(prefix, full, n);
        all_rejected = all_rejected && kasme_nas_parse_plain(prefix, n, uplink_hint, &m) == -1;
        free(prefix);
    }
    CHECK(all_rejected);
    CHECK(kasme_nas_parse_plain(full, len, uplink_hint, &m) == 0);
    free(full);
}

static void test_truncation_results(void)
{
    check_prefixes_rejected(S01_ATTACH_REQ, 1);
    check_prefixes_rejected(S01_AUTH_REQ, 0);
    check_prefixes_rejected(S01_AUTH_RESP, 1);
    check_prefixes_rejected(S12_AUTH_REQ, 0);
    kasme_nas_outer outer;
    size_t len;
    uint8_t *buf = unhex(S01_SMC, &len);
    for (size_t n = 0; n < 8; n++)  /* header + a 2-octet message at least */
        CHECK(kasme_nas_parse_outer(buf, n, &outer) == -1);
    free(buf);
    buf = unhex(S12_SERVICE_REQ, &len);
    for (size_t n = 0; n < 4; n++)
        CHECK(kasme_nas_parse_outer(buf, n, &outer) == -1);
    free(buf);
}

static void test_hostile(void)
{
    kasme_nas_msg m;
    /* Length octets pointing past the end */
    CHECK(plain_of("074171ff091010", 1, &m) == -1);           /* identity LV 255 */
    CHECK(plain_of("07417108091010103254760802f070ffff02", 1, &m) == -1); /* LV-E 65535 */
    CHECK(plain_of("075200ce1df29cadf6f1f16cfa58b898a83484ff0e60", 0, &m) == -1); /* AUTN */
    CHECK(plain_of("0753ff01", 1, &m) == -1);                 /* RES */
    CHECK(plain_of("075c15300e0001", 1, &m) == -1);           /* AUTS TLV cut */
    CHECK(plain_of("075c15300d000102030405060708090a0b0c", 1, &m) == -1); /* AUTS of 13 */
    CHECK(plain_of("0749007aff00", 0, &m) == -1);             /* TLV-E optional cut */
    CHECK(plain_of("0749005a", 0, &m) == -1);                 /* TV optional cut */
    /* Zero lengths */
    CHECK(plain_of("075600", 1, &m) == -1);                   /* empty Mobile identity */
    CHECK(plain_of("07417100", 1, &m) == -1);                 /* empty EPS mobile identity */
    CHECK(plain_of("075300", 1, &m) == -1);                   /* empty RES */
    CHECK(plain_of("07500af600f11000011a010203", 0, &m) == -1); /* GUTI of 10 octets */
    CHECK(plain_of("07560101", 1, &m) == -1);                 /* IMSI of 0 digits */
    CHECK(plain_of("0756020a1f", 1, &m) == -1);               /* non-decimal digit */
    CHECK(plain_of("07430000", 1, &m) == 0 && m.esm_container_len == 0);
    /* 5GMM: IEI 0x21 is RAND (TV 17) in an Authentication request only; in a response it is a
     * TLV of any length, never 16 octets copied from it (an ASan overread fuzz_nas found) */
    CHECK(plain_of("7e0057210100", 1, &m) == 0 && !m.has_rand);
    CHECK(plain_of("7e0057211000112233445566778899aabbccddeeff", 1, &m) == 0 && !m.has_rand);
    /* A protected or service-request header is no plain message */
    CHECK(plain_of("", 0, &m) == -1);
    uint8_t protected_hdr[] = {0x17, 0x45};
    CHECK(kasme_nas_parse_plain(protected_hdr, 2, 1, &m) == -1);

    /* 0xFF- and 0x00-filled buffers; then every message type with such bodies */
    bool ok = true;
    for (size_t n = 0; n <= 64; n++) {
        uint8_t *buf = malloc(n ? n : 1);
        memset(buf, 0xFF, n);
        ok = ok && parse_every_way(buf, n);
        memset(buf, 0x00, n);
        ok = ok && parse_every_way(buf, n);
        for (int pd = 2; pd <= 7; pd += 5)
            for (int type = 0; type < 256 && n >= 3; type++) {
                memset(buf, 0xFF, n);
                buf[0] = (uint8_t)pd;
                buf[1] = buf[2] = (uint8_t)type;
                ok = ok && parse_every_way(buf, n);
                memset(buf + 3, 0x00, n - 3);
                ok = ok && parse_every_way(buf, n);
            }
        free(buf);
    }
    CHECK(ok);
}

/* Every octet of every PDU set to a few values: results stay 0/-1, nothing read out of bounds. */
static void test_mutations(void)
{
    static const uint8_t values[] = {0x00, 0x01, 0x0b, 0x53, 0x7f, 0x80, 0xf0, 0xff};
    bool ok = true;
    for (size_t i = 0; i < sizeof all_pdus / sizeof all_pdus[0]; i++) {
        size_t len;
        uint8_t *buf = unhex(all_pdus[i], &len);
        for (size_t pos = 0; pos < len; pos++) {
            uint8_t saved = buf[pos];
            for (size_t v = 0; v < sizeof values; v++) {
                buf[pos] = values[v];
                ok = ok && parse_every_way(buf, len);
            }
            buf[pos] = saved;
        }
        free(buf);
    }
    CHECK(ok);
}

int main(void)
{
    test_attach_request_imsi();
    test_aka();
    test_security_mode_commands();
    test_protected_outer();
    test_esm();
    test_attach_accept_guti();
    test_detach_request();
    test_s07_guti_attach();
    test_service_requests();
    test_5g_service_request();
    test_synthetic_ies();
    test_outer_kinds();
    test_names_and_directions();
    test_truncations();
    test_truncation_results();
    test_hostile();
    test_mutations();
    free_kept_buffers();
    printf("nas_msg: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
