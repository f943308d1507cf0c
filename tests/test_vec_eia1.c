/* 128-EIA1 against 3GPP TS 33.401 Annex C.3 (128-EIA1 test sets 1-7), plus sensitivity checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eia1.h"
#include "vec_util.h"

#define MAX_BYTES 4096

typedef struct {
    uint8_t key[16];
    uint32_t count;
    unsigned bearer;
    unsigned dir;
    uint8_t msg[MAX_BYTES];
    size_t length_bits;
} eia1_input;

static uint32_t mac_of(const eia1_input *in)
{
    return eia1_mac(in->key, in->count, in->bearer, in->dir, in->msg, in->length_bits);
}

static void flip_bit(uint8_t *bytes, size_t bit)
{
    bytes[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
}

static void load_input(JsonObject *v, eia1_input *in, long set)
{
    in->length_bits = (size_t)vec_int(v, "length_bits");
    vec_hex(vec_str(v, "key"), in->key, sizeof in->key);
    in->count = vec_hex_u32(vec_str(v, "count"));
    in->bearer = (unsigned)vec_int(v, "bearer");
    in->dir = (unsigned)vec_int(v, "direction");
    if (vec_hex(vec_str(v, "message"), in->msg, sizeof in->msg) != (in->length_bits + 7) / 8) {
        fprintf(stderr, "eia1 set %ld: message is not ceil(length_bits/8) bytes\n", set);
        exit(1);
    }
}

/* Each single-bit change of an input that the MAC covers must change the MAC. */
static void check_sensitivity(const eia1_input *orig, uint32_t mac, long set)
{
    eia1_input in;

    in = *orig;
    flip_bit(in.key, 77);
    vec_check(mac_of(&in) != mac, "eia1", "key bit flip changes MAC", set);

    in = *orig;
    in.count ^= 1u << 13;
    vec_check(mac_of(&in) != mac, "eia1", "COUNT bit flip changes MAC", set);

    in = *orig;
    in.bearer ^= 1u << 2;
    vec_check(mac_of(&in) != mac, "eia1", "BEARER bit flip changes MAC", set);

    in = *orig;
    in.dir ^= 1;
    vec_check(mac_of(&in) != mac, "eia1", "DIRECTION flip changes MAC", set);

    if (orig->length_bits > 0) {
        in = *orig;
        flip_bit(in.msg, orig->length_bits - 1);
        vec_check(mac_of(&in) != mac, "eia1", "last message bit flip changes MAC", set);
        in = *orig;
        flip_bit(in.msg, 0);
        vec_check(mac_of(&in) != mac, "eia1", "first message bit flip changes MAC", set);
    }
}

/* Bits after length_bits in the last byte are padding, which f9 replaces by zeros. */
static void check_padding_ignored(const eia1_input *orig, uint32_t mac, long set)
{
    if (orig->length_bits % 8 == 0)
        return;
    eia1_input in = *orig;
    flip_bit(in.msg, orig->length_bits);
    vec_check(mac_of(&in) == mac, "eia1", "bit past length_bits does not change MAC", set);
    in.msg[(orig->length_bits - 1) / 8] |= (uint8_t)(0xff >> (orig->length_bits % 8));
    vec_check(mac_of(&in) == mac, "eia1", "all bits past length_bits set: same MAC", set);
}

int main(int argc, char **argv)
{
    JsonArray *vectors = vec_category(argc, argv, "eia1");
    guint n = json_array_get_length(vectors);
    static eia1_input in;
    for (guint i = 0; i < n; i++) {
        JsonObject *v = json_array_get_object_element(vectors, i);
        long set = (long)vec_int(v, "test_set");
        load_input(v, &in, set);
        uint32_t want = vec_hex_u32(vec_str(v, "mac"));
        uint32_t got = mac_of(&in);
        vec_check(got == want, "eia1", "MAC", set);
        if (got != want)
            fprintf(stderr, "  got %08x want %08x\n", got, want);
        check_sensitivity(&in, want, set);
        check_padding_ignored(&in, want, set);
    }
    return vec_report("eia1", (int)n);
}
