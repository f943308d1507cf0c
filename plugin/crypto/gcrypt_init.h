/* Idempotent libgcrypt start-up for code that may run outside Wireshark (tests, benchmarks). */
#ifndef KASME_GCRYPT_INIT_H
#define KASME_GCRYPT_INIT_H

/* Initialises libgcrypt unless someone (Wireshark) already did; 0 on success. Safe to call
 * any number of times, single-threaded. */
int kasme_gcrypt_init(void);

#endif
