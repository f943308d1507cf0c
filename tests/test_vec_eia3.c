/* 128-EIA3 vs ETSI/SAGE EEA3/EIA3 Document 3 (Implementors' Test Data), section 5. */
#include "eia3.h"
#include "vec_util.h"
#include "zuc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BYTES 1024

typedef struct {
    uint8_t key[16];
    uint32_t count;
    unsigned bearer, dir;
    uint8_t msg[MAX_BYTES];
    size_t length_bits;
} eia3_input;

static uint32_t mac_of(const eia3_input *in)
{
    return eia3_mac(in->key, in->count, in->bearer, in->dir, in->msg, in->length_bits);
}

/* Set number for messages; the non-official vector has "test_set": null. */
static long set_number(JsonObject *o)
{
    JsonNode *node = json_object_get_member(o, "test_set");
    return (node && !JSON_NODE_HOLDS_NULL(node)) ? (long)json_node_get_int(node) : -1;
}

static int load(JsonObject *o, eia3_input *in, long set)
{
    memset(in, 0, sizeof *in);
    in->count = vec_hex_u32(vec_str(o, "count"));
    in->bearer = (unsigned)vec_int(o, "bearer");
    in->dir = (unsigned)vec_int(o, "direction");
    in->length_bits = (size_t)vec_int(o, "length_bits");
    size_t n_key = vec_hex(vec_str(o, "key"), in->key, sizeof in->key);
    size_t n_msg = vec_hex(vec_str(o, "message"), in->msg, sizeof in->msg);
    int ok = n_key == 16 && n_msg == (in->length_bits + 7) / 8;
    vec_check(ok, "eia3", "key 16 bytes, message ceil(length_bits/8) bytes", set);
    return ok;
}

/* One altered input: the MAC must change, or (for bits past LENGTH) must not. */
static void check_change(const eia3_input *in, uint32_t mac, int must_change, const char *what,
                         long set)
{
    char text[96];
    uint32_t altered = mac_of(in);
    snprintf(text, sizeof text, "%s: MAC %s %08x", what,
             must_change ? "unchanged" : "changed to", altered);
    vec_check((altered != mac) == must_change, "eia3", text, set);
}

/* Flips one bit of each input in turn (the message bit in the middle of the message). */
static void check_sensitivity(const eia3_input *orig, uint32_t mac, long set)
{
    eia3_input in = *orig;
    in.key[7] ^= 0x10;
    check_change(&in, mac, 1, "key bit flipped", set);

    in = *orig;
    in.count ^= 1u << 13;
    check_change(&in, mac, 1, "COUNT bit flipped", set);

    in = *orig;
    in.bearer ^= 1;
    check_change(&in, mac, 1, "BEARER bit flipped", set);

    in = *orig;
    in.dir ^= 1;
    check_change(&in, mac, 1, "DIRECTION flipped", set);

    in = *orig;
    size_t bit = orig->length_bits / 2;
    in.msg[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
    check_change(&in, mac, 1, "message bit flipped", set);

    if (orig->length_bits % 8) {
        in = *orig;
        in.msg[orig->length_bits / 8] ^= 0x01; /* the last byte's LSB lies past LENGTH */
        check_change(&in, mac, 0, "bit past length_bits flipped", set);
    }
}

/*
 * The official sets never have LENGTH a multiple of 32, the usual case for byte-aligned NAS
 * and RRC messages. So eia3_mac is also compared, for every LENGTH in 0..REF_MAX_BITS, with a
 * literal reading of Document 1 sections 4.3-4.5 (whole keystream stored, one bit at a time).
 * Each message sits in a buffer of exactly ceil(LENGTH/8) bytes so that ASan sees any read
 * past it.
 */
#define REF_MAX_BITS 600
#define REF_MAX_WORDS (MAX_BYTES * 8 / 32 + 3)

static unsigned ref_bit(const uint32_t *ks, size_t i)
{
    return (ks[i / 32] >> (31 - i % 32)) & 1;
}

static uint32_t ref_z_word(const uint32_t *ks, size_t i)
{
    uint32_t z = 0;
    for (size_t b = 0; b < 32; b++)
        z = z << 1 | ref_bit(ks, i + b);
    return z;
}

static uint32_t ref_mac(const eia3_input *in)
{
    uint8_t iv[16] = {0};
    uint32_t ks[REF_MAX_WORDS];
    size_t n_words = (in->length_bits + 31) / 32 + 2;
    for (int i = 0; i < 4; i++)
        iv[i] = (uint8_t)(in->count >> (24 - 8 * i));
    iv[4] = (uint8_t)(in->bearer << 3);
    memcpy(iv + 8, iv, 8);
    iv[8] ^= (uint8_t)(in->dir << 7);
    iv[14] = (uint8_t)(in->dir << 7);
    zuc_state st;
    zuc_init(&st, in->key, iv);
    zuc_keystream(&st, ks, n_words);
    uint32_t t = 0;
    for (size_t i = 0; i < in->length_bits; i++)
        if ((in->msg[i / 8] >> (7 - i % 8)) & 1)
            t ^= ref_z_word(ks, i);
    t ^= ref_z_word(ks, in->length_bits);
    return t ^ ref_z_word(ks, 32 * (n_words - 1));
}

/* Message bits derived from the vector's message; whatever lies past LENGTH in the last byte
 * is left as is and must be ignored. */
static void check_against_reference(const eia3_input *orig, long set)
{
    static eia3_input in;
    in = *orig;
    for (size_t i = 0; i < sizeof in.msg; i++)
        in.msg[i] = (uint8_t)(orig->msg[i % ((orig->length_bits + 7) / 8)] ^ (i * 0x9d));
    int mismatches = 0;
    for (size_t len = 0; len <= REF_MAX_BITS; len++) {
        size_t n_bytes = (len + 7) / 8;
        uint8_t *exact = malloc(n_bytes ? n_bytes : 1);
        memcpy(exact, in.msg, n_bytes);
        in.length_bits = len;
        if (eia3_mac(in.key, in.count, in.bearer, in.dir, exact, len) != ref_mac(&in))
            mismatches++;
        free(exact);
    }
    char what[96];
    snprintf(what, sizeof what, "%d of %d lengths differ from the bitwise reference", mismatches,
             REF_MAX_BITS + 1);
    vec_check(mismatches == 0, "eia3", what, set);
}

int main(int argc, char **argv)
{
    static eia3_input in;
    JsonArray *vectors = vec_category(argc, argv, "eia3");
    int n_vectors = 0;

    for (guint v = 0; v < json_array_get_length(vectors); v++) {
        JsonObject *o = json_array_get_object_element(vectors, v);
        long set = set_number(o);
        int official = json_object_get_boolean_member_with_default(o, "official_3gpp", TRUE);
        if (!load(o, &in, set))
            continue;
        uint32_t want = vec_hex_u32(vec_str(o, "mac"));
        uint32_t got = mac_of(&in);
        char what[96];
        snprintf(what, sizeof what, "MAC got %08x want %08x", got, want);
        vec_check(got == want, "eia3", what, set);
        if (!official)
            printf("eia3: non-official vector (%s), length %zu: MAC %08x %s\n",
                   vec_str(o, "name"), in.length_bits, got, got == want ? "matches" : "DIFFERS");
        vec_check(ref_mac(&in) == want, "eia3", "bitwise reference agrees with the vector", set);
        check_sensitivity(&in, got, set);
        check_against_reference(&in, set);
        n_vectors++;
    }
    return vec_report("eia3", n_vectors);
}
