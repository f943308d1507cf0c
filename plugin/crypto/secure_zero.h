/* Wiping key material: lowest layer, so crypto and core code share one implementation. */
#ifndef KASME_SECURE_ZERO_H
#define KASME_SECURE_ZERO_H

#include <stddef.h>

/* memset(p, 0, n) that the compiler may not remove as a dead store (p NULL or n 0: nothing). */
void kasme_secure_zero(void *p, size_t n);

/* Wipes the stack below the caller, where the functions it called left their frames (libgcrypt
 * 1.11 leaves a digest on its stack, 256 to 512 octets below kdf_hmac_sha256's frame; 1024
 * gives a margin): call it right after them, from the same frame. */
#define KASME_BURN_STACK_BYTES 1024
void kasme_burn_stack(void);

#endif
