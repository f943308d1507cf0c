/* 128-EEA2 (TS 33.401 B.1.3) against the Annex C.1 test sets, both directions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eea2.h"
#include "aes_block.h"
#include "gcrypt_init.h"
#include "vec_util.h"

#define CAT "eea2"
#define MAX_OCTETS 4096

typedef struct {
    long set;
    uint8_t key[16];
    uint32_t count;
    unsigned bearer, dir;
    size_t length_bits, n_octets;
    uint8_t plaintext[MAX_OCTETS], ciphertext[MAX_OCTETS];
} eea2_vector;

static void load_vector(JsonObject *v, eea2_vector *ev)
{
    ev->set = (long)vec_int(v, "test_set");
    ev->count = vec_hex_u32(vec_str(v, "count"));
    ev->bearer = (unsigned)vec_int(v, "bearer");
    ev->dir = (unsigned)vec_int(v, "direction");
    ev->length_bits = (size_t)vec_int(v, "length_bits");
    ev->n_octets = (ev->length_bits + 7) / 8;
    int ok = vec_hex(vec_str(v, "key"), ev->key, 16) == 16 &&
             vec_hex(vec_str(v, "plaintext"), ev->plaintext, MAX_OCTETS) == ev->n_octets &&
             vec_hex(vec_str(v, "ciphertext"), ev->ciphertext, MAX_OCTETS) == ev->n_octets;
    if (!ok) {
        fprintf(stderr, CAT ": set %ld: field lengths disagree with length_bits\n", ev->set);
        exit(1);
    }
}

/* Sets bits past length_bits in the last octet, which eea2_crypt must clear. */
static void dirty_tail(uint8_t *buf, const eea2_vector *ev)
{
    if (ev->length_bits % 8)
        buf[ev->n_octets - 1] |= (uint8_t)(0xff >> (ev->length_bits % 8));
}

static void check_direction(const eea2_key *key, const eea2_vector *ev, const uint8_t *in,
                            const uint8_t *want, const char *what)
{
    static uint8_t buf[MAX_OCTETS];
    memcpy(buf, in, ev->n_octets);
    dirty_tail(buf, ev);
    vec_check(eea2_crypt(key, ev->count, ev->bearer, ev->dir, buf, ev->length_bits) == 0, CAT,
              "eea2_crypt returns 0", ev->set);
    vec_check_mem(buf, want, ev->n_octets, CAT, what, ev->set);
}

static void check_vector(JsonObject *v)
{
    static eea2_vector ev;
    load_vector(v, &ev);
    eea2_key key;
    if (eea2_key_init(&key, ev.key)) {
        vec_check(0, CAT, "eea2_key_init", ev.set);
        return;
    }
    /* Same key handle for both, so a counter left over from the first call would show. */
    check_direction(&key, &ev, ev.plaintext, ev.ciphertext, "encrypt plaintext");
    check_direction(&key, &ev, ev.ciphertext, ev.plaintext, "decrypt ciphertext");
    eea2_key_free(&key);
}

int main(int argc, char **argv)
{
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "libgcrypt initialisation failed\n");
        return 1;
    }
    JsonArray *vectors = vec_category(argc, argv, CAT);
    guint n = json_array_get_length(vectors);
    for (int pass = 0; pass < 2; pass++) { /* AES-NI (where the CPU has it), libgcrypt */
        aes_block_allow_ni(pass == 0);
        for (guint i = 0; i < n; i++)
            check_vector(json_array_get_object_element(vectors, i));
    }
    return vec_report(CAT, 2 * (int)n);
}
