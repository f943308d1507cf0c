/* One front for the EPS security algorithms (TS 33.401 clause 5.1.3 and 5.1.4): a key
 * schedule set up once per key (kasme_cipher / kasme_integrity) and used per PDU without
 * allocation. Algorithm identities are the 3-bit values of TS 33.401 5.1.3.2 / 5.1.4.2:
 * 0 = EEA0/EIA0, 1 = 128-EEA1/EIA1, 2 = 128-EEA2/EIA2, 3 = 128-EEA3/EIA3. */
#ifndef KASME_SEC_ALG_H
#define KASME_SEC_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eea2.h"
#include "eia2.h"

enum {
    KASME_SEC_OK = 0,
    KASME_SEC_EUNKNOWN_ALG = -1, /* identity 4..7 */
    KASME_SEC_ENOT_BUILT = -2,   /* SNOW 3G / ZUC compiled out */
    KASME_SEC_EARG = -3,         /* bearer > 31, direction > 1, length past the buffer */
    KASME_SEC_ECRYPTO = -4,      /* libgcrypt refused */
};

typedef struct {
    uint8_t alg;
    uint8_t key[16];
    eea2_key aes; /* used when alg == 2 */
} kasme_cipher;

typedef struct {
    uint8_t alg;
    uint8_t key[16];
    eia2_key cmac; /* used when alg == 2 */
} kasme_integrity;

/* True when this build has the algorithm (EEA1/EIA1 and EEA3/EIA3 can be compiled out). */
bool kasme_alg_available(unsigned alg);
const char *kasme_eea_name(unsigned alg);
const char *kasme_eia_name(unsigned alg);

int kasme_cipher_init(kasme_cipher *c, unsigned alg, const uint8_t key[16]);
/* Replaces c's key (c set up before, or zeroed): reuses c's libgcrypt handle when it can. */
int kasme_cipher_rekey(kasme_cipher *c, unsigned alg, const uint8_t key[16]);
void kasme_cipher_free(kasme_cipher *c);
/* Ciphers/deciphers the first length_bits bits of data[0..data_len) in place. */
int kasme_cipher_apply(kasme_cipher *c, uint32_t count, unsigned bearer, unsigned dir,
                       uint8_t *data, size_t data_len, size_t length_bits);

int kasme_integrity_init(kasme_integrity *i, unsigned alg, const uint8_t key[16]);
int kasme_integrity_rekey(kasme_integrity *i, unsigned alg, const uint8_t key[16]);
void kasme_integrity_free(kasme_integrity *i);
/* 32-bit MAC over the first length_bits bits of msg[0..msg_len). EIA0 gives 0 (TS 33.401
 * 5.1.4.1: the NULL integrity algorithm's MAC is 32 zero bits). */
int kasme_integrity_mac(kasme_integrity *i, uint32_t count, unsigned bearer, unsigned dir,
                        const uint8_t *msg, size_t msg_len, size_t length_bits, uint32_t *mac);

#endif
