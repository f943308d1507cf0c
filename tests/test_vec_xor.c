/* The 3GPP XOR test algorithm (TS 34.108 8.1.2) against its vector: RES, CK, IK, AK, MAC-A. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec_util.h"
#include "xor_auth.h"

#define CAT "xor"

static void hex_exact(JsonObject *v, const char *member, uint8_t *out, size_t n)
{
    if (vec_hex(vec_str(v, member), out, n) != n) {
        fprintf(stderr, CAT ": '%s' is not %zu octets\n", member, n);
        exit(1);
    }
}

static void check_vector(JsonObject *v, long set)
{
    uint8_t k[16], rand[16], sqn[6], amf[2];
    hex_exact(v, "k", k, 16);
    hex_exact(v, "rand", rand, 16);
    hex_exact(v, "sqn", sqn, 6);
    hex_exact(v, "amf", amf, 2);

    gint64 res_bits = vec_int(v, "res_length_bits");
    if (res_bits < 32 || res_bits > 128 || res_bits % 8) {
        fprintf(stderr, CAT ": bad res_length_bits %lld\n", (long long)res_bits);
        exit(1);
    }
    size_t res_len = (size_t)res_bits / 8;
    uint8_t want_xdout[16], want_res[16], want_ck[16], want_ik[16], want_ak[6], want_mac[8];
    hex_exact(v, "xdout", want_xdout, 16);
    hex_exact(v, "res", want_res, res_len);
    hex_exact(v, "ck", want_ck, 16);
    hex_exact(v, "ik", want_ik, 16);
    hex_exact(v, "ak", want_ak, 6);
    hex_exact(v, "mac_a", want_mac, 8);

    uint8_t xdout[16], ck[16], ik[16], ak[6], mac[8];
    xor_auth_f2345(k, rand, xdout, ck, ik, ak);
    vec_check_mem(xdout, want_xdout, 16, CAT, "XDOUT (RES, 128 bits)", set);
    vec_check_mem(xdout, want_res, res_len, CAT, "RES truncated to res_length_bits", set);
    vec_check_mem(ck, want_ck, 16, CAT, "CK", set);
    vec_check_mem(ik, want_ik, 16, CAT, "IK", set);
    vec_check_mem(ak, want_ak, 6, CAT, "AK", set);
    xor_auth_f1(k, rand, sqn, amf, mac);
    vec_check_mem(mac, want_mac, 8, CAT, "MAC-A (f1)", set);
}

int main(int argc, char **argv)
{
    JsonArray *vectors = vec_category(argc, argv, CAT);
    guint n = json_array_get_length(vectors);
    for (guint i = 0; i < n; i++)
        check_vector(json_array_get_object_element(vectors, i), (long)i + 1);
    return vec_report(CAT, (int)n);
}
