/* AES-128 block encryption (aes_block.h) on both of its paths, AES-NI and libgcrypt, against
 * FIPS 197 (Appendix A.1 key expansion, Appendix B, Appendix C.1) and NIST SP 800-38A F.1.1
 * (ECB-AES128, four blocks in one call). */
#include <stdio.h>
#include <string.h>

#include "aes_block.h"
#include "gcrypt_init.h"
#include "vec_util.h"

#define CAT "aes_block"

typedef struct {
    const char *name, *key, *plain, *cipher;
} aes_vector;

static const aes_vector vectors[] = {
    {"FIPS 197 Appendix B", "2b7e151628aed2a6abf7158809cf4f3c",
     "3243f6a8885a308d313198a2e0370734", "3925841d02dc09fbdc118597196a0b32"},
    {"FIPS 197 Appendix C.1", "000102030405060708090a0b0c0d0e0f",
     "00112233445566778899aabbccddeeff", "69c4e0d86a7b0430d8cdb78070b4c55a"},
    {"SP 800-38A F.1.1 ECB-AES128", "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
     "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"},
};
/* FIPS 197 A.1: w[40..43], the last round key of 2b7e1516... */
static const char *last_round_key = "d014f9a8c9ee2589e13f0cc8b6630ca6";

static void check_vector(const aes_vector *v, long set, const char *path)
{
    uint8_t key[16], plain[64], want[64];
    size_t n = vec_hex(v->plain, plain, sizeof plain);
    vec_hex(v->cipher, want, sizeof want);
    vec_hex(v->key, key, sizeof key);
    char what[96];
    aes_block_key k = {0};
    vec_check(aes_block_setkey(&k, key) == 0, CAT, "setkey", set);
    uint8_t buf[64];
    memcpy(buf, plain, n);
    vec_check(aes_block_encrypt_n(&k, buf, n / 16) == 0, CAT, "encrypt_n", set);
    snprintf(what, sizeof what, "%s (%s), all blocks in one call", v->name, path);
    vec_check_mem(buf, want, n, CAT, what, set);
    for (size_t b = 0; b < n / 16; b++) { /* the same one block at a time */
        memcpy(buf, plain + 16 * b, 16);
        vec_check(aes_block_encrypt(&k, buf) == 0, CAT, "encrypt", set);
        snprintf(what, sizeof what, "%s (%s), block %zu", v->name, path, b + 1);
        vec_check_mem(buf, want + 16 * b, 16, CAT, what, set);
    }
    if (k.ni && set == 1) {
        uint8_t w40[16];
        vec_hex(last_round_key, w40, sizeof w40);
        vec_check_mem(k.rk[10], w40, 16, CAT, "FIPS 197 A.1 last round key (AES-NI)", set);
    }
    aes_block_free(&k);
    static const aes_block_key zero;
    vec_check(memcmp(&k, &zero, sizeof k) == 0, CAT, "key wiped by aes_block_free", set);
}

/* NIST SP 800-38A F.2.1 CBC-AES128.Encrypt: with the IV as the starting state, the CBC-MAC
 * chain ends on the last ciphertext block, in one call or split over two. */
static void check_cbc_mac(const char *path)
{
    uint8_t key[16], plain[64], state[16], want[16];
    vec_hex("2b7e151628aed2a6abf7158809cf4f3c", key, sizeof key);
    vec_hex(vectors[2].plain, plain, sizeof plain);
    vec_hex("3ff1caa1681fac09120eca307586e1a7", want, sizeof want);
    char what[96];
    aes_block_key k = {0};
    vec_check(aes_block_setkey(&k, key) == 0, CAT, "setkey (CBC)", 4);
    for (size_t split = 0; split < 4; split++) {
        vec_hex("000102030405060708090a0b0c0d0e0f", state, sizeof state);
        vec_check(aes_block_cbc_mac(&k, state, plain, split) == 0 &&
                      aes_block_cbc_mac(&k, state, plain + 16 * split, 4 - split) == 0,
                  CAT, "cbc_mac", 4);
        snprintf(what, sizeof what, "SP 800-38A F.2.1 CBC-MAC (%s), blocks %zu + %zu", path,
                 split, 4 - split);
        vec_check_mem(state, want, 16, CAT, what, 4);
    }
    aes_block_free(&k);
}

/* A key set on one path and set again on the other gives the same blocks. */
static void check_rekey_across_paths(void)
{
    const aes_vector *v = &vectors[1];
    uint8_t key[16], buf[16], want[16];
    vec_hex(v->key, key, sizeof key);
    vec_hex(v->cipher, want, sizeof want);
    aes_block_key k = {0};
    for (int round = 0; round < 4; round++) {
        aes_block_allow_ni(round % 2 == 0);
        vec_hex(v->plain, buf, sizeof buf);
        vec_check(aes_block_setkey(&k, key) == 0 && aes_block_encrypt(&k, buf) == 0 &&
                      memcmp(buf, want, 16) == 0,
                  CAT, "re-keyed on the other path", round);
    }
    aes_block_free(&k);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (kasme_gcrypt_init()) {
        fprintf(stderr, "libgcrypt initialisation failed\n");
        return 1;
    }
    int checked = 0;
    for (int pass = 0; pass < 2; pass++) {
        aes_block_allow_ni(pass == 0);
        const char *path = aes_block_uses_ni() ? "AES-NI" : "libgcrypt";
        printf(CAT ": pass %d on %s\n", pass + 1, path);
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++, checked++)
            check_vector(&vectors[i], (long)i + 1, path);
        check_cbc_mac(path);
        checked++;
    }
    check_rekey_across_paths();
    return vec_report(CAT, checked);
}
