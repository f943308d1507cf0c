/* 128-EIA2 (TS 33.401 B.2.3) against the Annex C.2 test sets, with bit-flip negatives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eia2.h"
#include "aes_block.h"
#include "gcrypt_init.h"
#include "vec_util.h"

#define CAT "eia2"
#define MAX_OCTETS 4096

typedef struct {
    long set;
    uint8_t key[16];
    uint32_t count;
    unsigned bearer, dir;
    size_t length_bits, n_octets;
    uint8_t message[MAX_OCTETS];
    uint32_t mac;
} eia2_vector;

static void load_vector(JsonObject *v, eia2_vector *iv)
{
    iv->set = (long)vec_int(v, "test_set");
    iv->count = vec_hex_u32(vec_str(v, "count"));
    iv->bearer = (unsigned)vec_int(v, "bearer");
    iv->dir = (unsigned)vec_int(v, "direction");
    iv->length_bits = (size_t)vec_int(v, "length_bits");
    iv->n_octets = (iv->length_bits + 7) / 8;
    iv->mac = vec_hex_u32(vec_str(v, "mac"));
    int ok = vec_hex(vec_str(v, "key"), iv->key, 16) == 16 &&
             vec_hex(vec_str(v, "message"), iv->message, MAX_OCTETS) == iv->n_octets;
    if (!ok) {
        fprintf(stderr, CAT ": set %ld: field lengths disagree with length_bits\n", iv->set);
        exit(1);
    }
}

/* MAC of the vector's inputs with the given key; a failed call yields ~expected. */
static uint32_t mac_with_key(const uint8_t key[16], const eia2_vector *iv, uint32_t count,
                             unsigned bearer, unsigned dir, const uint8_t *msg)
{
    eia2_key k;
    uint32_t mac = ~iv->mac;
    if (eia2_key_init(&k, key))
        return mac;
    if (eia2_mac(&k, count, bearer, dir, msg, iv->length_bits, &mac))
        mac = ~iv->mac;
    eia2_key_free(&k);
    return mac;
}

static void flip_bit(uint8_t *buf, size_t bit)
{
    buf[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
}

static void check_message_flips(const eia2_vector *iv)
{
    static uint8_t msg[MAX_OCTETS];
    size_t inside[2] = { 0, iv->length_bits - 1 }; /* first and last message bit */
    for (int i = 0; i < 2; i++) {
        memcpy(msg, iv->message, iv->n_octets);
        flip_bit(msg, inside[i]);
        vec_check(mac_with_key(iv->key, iv, iv->count, iv->bearer, iv->dir, msg) != iv->mac, CAT,
                  i ? "last message bit flipped changes MAC" :
                      "first message bit flipped changes MAC", iv->set);
    }
    if (iv->length_bits % 8 == 0)
        return;
    memcpy(msg, iv->message, iv->n_octets);
    flip_bit(msg, iv->length_bits); /* first unused bit of the last octet */
    msg[iv->n_octets - 1] |= 1;     /* and the last one */
    vec_check(mac_with_key(iv->key, iv, iv->count, iv->bearer, iv->dir, msg) == iv->mac, CAT,
              "bits past length_bits do not change MAC", iv->set);
}

static void check_negatives(const eia2_vector *iv)
{
    uint8_t key[16];
    memcpy(key, iv->key, 16);
    flip_bit(key, 127);
    vec_check(mac_with_key(key, iv, iv->count, iv->bearer, iv->dir, iv->message) != iv->mac, CAT,
              "key bit flipped changes MAC", iv->set);
    vec_check(mac_with_key(iv->key, iv, iv->count ^ 1, iv->bearer, iv->dir, iv->message) !=
                  iv->mac, CAT, "COUNT bit flipped changes MAC", iv->set);
    vec_check(mac_with_key(iv->key, iv, iv->count, iv->bearer ^ 1, iv->dir, iv->message) !=
                  iv->mac, CAT, "BEARER bit flipped changes MAC", iv->set);
    vec_check(mac_with_key(iv->key, iv, iv->count, iv->bearer, iv->dir ^ 1, iv->message) !=
                  iv->mac, CAT, "DIRECTION flipped changes MAC", iv->set);
    check_message_flips(iv);
}

static void check_vector(JsonObject *v)
{
    static eia2_vector iv;
    load_vector(v, &iv);
    uint32_t mac = mac_with_key(iv.key, &iv, iv.count, iv.bearer, iv.dir, iv.message);
    vec_check(mac == iv.mac, CAT, "MAC", iv.set);
    if (mac != iv.mac)
        fprintf(stderr, "  got  %08x\n  want %08x\n", mac, iv.mac);
    check_negatives(&iv);
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
