/* Wiping key material: lowest layer, so crypto and core code share one implementation. */
#ifndef KASME_SECURE_ZERO_H
#define KASME_SECURE_ZERO_H

#include <stddef.h>

/* memset(p, 0, n) that the compiler may not remove as a dead store (p NULL or n 0: nothing). */
void kasme_secure_zero(void *p, size_t n);

#endif
