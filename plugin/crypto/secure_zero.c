/* See secure_zero.h. */
#include "secure_zero.h"

#include <string.h>

/* Calls through a volatile pointer cannot be proven to be memset, so the compiler must make
 * the call even when p is freed right after (explicit_bzero is neither C11 nor available on
 * every platform Wireshark runs on). Same idiom as OpenSSL's OPENSSL_cleanse. */
static void *(*const volatile memset_unelided)(void *, int, size_t) = memset;

void kasme_secure_zero(void *p, size_t n)
{
    if (p && n)
        memset_unelided(p, 0, n);
}

/* noinline: its frame must lie where the callee frames of its caller lay. */
__attribute__((noinline)) void kasme_burn_stack(void)
{
    unsigned char below[KASME_BURN_STACK_BYTES];
    kasme_secure_zero(below, sizeof below);
}
