/* NAS PDUs of the srsRAN capture s01-eea2-eia2 (captures/s01-eea2-eia2/epc_s1ap.pcap, frames
 * 3 to 8), shared by the unit tests of the NAS parser and of the tracker. */
#ifndef KASME_TESTS_S01_PDUS_H
#define KASME_TESTS_S01_PDUS_H

static const char S01_ATTACH_REQ[] = "07417108091010103254760802f07000050201d011d1";
static const char S01_AUTH_REQ[] =
    "075200ce1df29cadf6f1f16cfa58b898a83484100e60f69b0b9280002324c266a83dc989";
static const char S01_AUTH_RESP[] = "075308c6ac7c0754088413";
static const char S01_SMC[] = "37322a253000075d220002f070";
static const char S01_SMC_COMPLETE[] = "472477ee3a00ee9c";
static const char S01_ESM_INFO_REQ[] = "272fcd9aa4013cc5bf";
#endif
