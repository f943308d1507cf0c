/* What the libFuzzer harnesses share: CHECK (a failed invariant aborts, so libFuzzer keeps
 * the input) and the start-up of the tracker harnesses. Define FUZZ_NAME before including. */
#ifndef KASME_FUZZ_COMMON_H
#define KASME_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcrypt_init.h"
#include "keyfile.h"
#include "subdb.h"

#define CHECK(cond)                                                                             \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, FUZZ_NAME ": check failed at %s:%d: %s\n", __FILE__, __LINE__,      \
                    #cond);                                                                     \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

/* libgcrypt, then the harness's key file, which must give exactly `expected` entries. */
static inline kasme_subdb *fuzz_load_keys(const char *text, int expected)
{
    if (kasme_gcrypt_init() != 0) {
        fprintf(stderr, FUZZ_NAME ": libgcrypt initialisation failed\n");
        abort();
    }
    kasme_subdb *db = kasme_subdb_new();
    int added = kasme_keyfile_load_buffer(FUZZ_NAME ".keys", text, strlen(text), db, NULL, NULL);
    if (added != expected) {
        fprintf(stderr, FUZZ_NAME ": key file gave %d entries, expected %d\n", added, expected);
        abort();
    }
    return db;
}

#endif
