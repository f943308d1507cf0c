/* SBI JSON bodies that carry keys (TS 29.503 AuthenticationInfoResult's AuthenticationVector,
 * TS 29.509 ConfirmationDataResponse), read member by member. */
#include "capkeys.h"

#include <string.h>

#include "hexutil.h"

bool kasme_capkey_supi_digits(const char *text, char digits[16])
{
    if (strncmp(text, "imsi-", 5) == 0)
        text += 5;
    size_t n = strlen(text);
    if (n < 5 || n > 15 || strspn(text, "0123456789") != n)
        return false;
    memcpy(digits, text, n + 1);
    return true;
}

void kasme_sbi_body_init(kasme_sbi_body *body)
{
    memset(body, 0, sizeof *body);
}

void kasme_sbi_body_wipe(kasme_sbi_body *body)
{
    kasme_secure_zero(body, sizeof *body);
}

static bool hex_member(const char *value, uint8_t *out, size_t len, bool *has)
{
    *has = kasme_hex_decode(value, strlen(value), out, len, NULL) == KASME_HEX_OK;
    if (!*has)
        kasme_secure_zero(out, len);
    return *has;
}

void kasme_sbi_body_member(kasme_sbi_body *body, const char *member)
{
    const char *colon = strchr(member, ':');
    if (!colon)
        return;
    size_t klen = (size_t)(colon - member);
    const char *value = colon + 1;
#define KEY_IS(name) (klen == sizeof(name) - 1 && memcmp(member, name, klen) == 0)
    if (KEY_IS("rand"))
        hex_member(value, body->rand, 16, &body->has_rand);
    else if (KEY_IS("autn"))
        hex_member(value, body->autn, 16, &body->has_autn);
    else if (KEY_IS("xresStar"))
        hex_member(value, body->xres_star, 16, &body->has_xres_star);
    else if (KEY_IS("kausf"))
        hex_member(value, body->kausf, 32, &body->has_kausf);
    else if (KEY_IS("kseaf"))
        hex_member(value, body->kseaf, 32, &body->has_kseaf);
    else if (KEY_IS("supi") && !kasme_capkey_supi_digits(value, body->supi))
        body->supi[0] = '\0'; /* an NAI or a GCI: not a SUPI of type IMSI */
#undef KEY_IS
}

bool kasme_sbi_body_key(const kasme_sbi_body *body, uint32_t frame, kasme_capkey *out)
{
    memset(out, 0, sizeof *out);
    out->frame = frame;
    memcpy(out->supi, body->supi, sizeof out->supi);
    if (body->has_kausf && body->has_rand) {
        out->kind = KASME_CAPKEY_KAUSF;
        out->origin = KASME_CAPKEY_NUDM_AUTH_DATA;
        out->has_rand = true;
        memcpy(out->rand, body->rand, 16);
        out->has_autn = body->has_autn;
        memcpy(out->autn, body->autn, 16);
        out->xres_len = body->has_xres_star ? 16 : 0;
        memcpy(out->xres, body->xres_star, 16);
        memcpy(out->key, body->kausf, 32);
        return true;
    }
    if (body->has_kseaf && body->supi[0]) {
        out->kind = KASME_CAPKEY_KSEAF;
        out->origin = KASME_CAPKEY_NAUSF_CONFIRM;
        memcpy(out->key, body->kseaf, 32);
        return true;
    }
    return false;
}
