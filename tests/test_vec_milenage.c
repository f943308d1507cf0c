/* MILENAGE (TS 35.206) against the TS 35.208 conformance test sets: OPc and f1..f5*. */
#include <stdio.h>
#include <stdlib.h>

#include "aes_block.h"
#include "gcrypt_init.h"
#include "milenage.h"
#include "vec_util.h"

#define CAT "milenage"

static void hex_exact(JsonObject *v, const char *member, uint8_t *out, size_t n)
{
    if (vec_hex(vec_str(v, member), out, n) != n) {
        fprintf(stderr, CAT ": '%s' is not %zu octets\n", member, n);
        exit(1);
    }
}

static void check_set(JsonObject *v)
{
    long set = (long)vec_int(v, "test_set");
    uint8_t k[16], rand[16], sqn[6], amf[2], op[16];
    hex_exact(v, "k", k, 16);
    hex_exact(v, "rand", rand, 16);
    hex_exact(v, "sqn", sqn, 6);
    hex_exact(v, "amf", amf, 2);
    hex_exact(v, "op", op, 16);

    uint8_t want_opc[16], want_mac_a[8], want_mac_s[8], want_res[8], want_ck[16], want_ik[16],
        want_ak[6], want_ak_star[6];
    hex_exact(v, "opc", want_opc, 16);
    hex_exact(v, "f1_mac_a", want_mac_a, 8);
    hex_exact(v, "f1star_mac_s", want_mac_s, 8);
    hex_exact(v, "f2_res", want_res, 8);
    hex_exact(v, "f3_ck", want_ck, 16);
    hex_exact(v, "f4_ik", want_ik, 16);
    hex_exact(v, "f5_ak", want_ak, 6);
    hex_exact(v, "f5star_ak_star", want_ak_star, 6);

    /* Everything below uses the OPc computed here, so a wrong OPc fails every output. */
    uint8_t opc[16], mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];
    vec_check(milenage_opc(k, op, opc) == 0, CAT, "milenage_opc returns 0", set);
    vec_check_mem(opc, want_opc, 16, CAT, "OPc", set);
    vec_check(milenage_f1(k, opc, rand, sqn, amf, mac_a, mac_s) == 0, CAT, "f1 returns 0", set);
    vec_check_mem(mac_a, want_mac_a, 8, CAT, "f1 MAC-A", set);
    vec_check_mem(mac_s, want_mac_s, 8, CAT, "f1* MAC-S", set);
    vec_check(milenage_f2345(k, opc, rand, res, ck, ik, ak, ak_star) == 0, CAT,
              "f2345 returns 0", set);
    vec_check_mem(res, want_res, 8, CAT, "f2 RES", set);
    vec_check_mem(ck, want_ck, 16, CAT, "f3 CK", set);
    vec_check_mem(ik, want_ik, 16, CAT, "f4 IK", set);
    vec_check_mem(ak, want_ak, 6, CAT, "f5 AK", set);
    vec_check_mem(ak_star, want_ak_star, 6, CAT, "f5* AK", set);

    /* NULL outputs are skipped; the ones asked for must not change. */
    uint8_t only_ak_star[6];
    milenage_f2345(k, opc, rand, NULL, NULL, NULL, NULL, only_ak_star);
    vec_check_mem(only_ak_star, want_ak_star, 6, CAT, "f5* alone", set);
}

int main(int argc, char **argv)
{
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "libgcrypt initialisation failed\n");
        return 1;
    }
    JsonArray *sets = vec_category(argc, argv, CAT);
    guint n = json_array_get_length(sets);
    for (int pass = 0; pass < 2; pass++) { /* AES-NI (where the CPU has it), libgcrypt */
        aes_block_allow_ni(pass == 0);
        for (guint i = 0; i < n; i++)
            check_set(json_array_get_object_element(sets, i));
    }
    return vec_report(CAT, 2 * (int)n);
}
