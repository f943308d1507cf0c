#include "vec_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static GHashTable *parsers; /* path -> JsonParser, each file parsed once */
static int failures;
static int checks;

JsonArray *vec_category_in(const char *path, const char *category)
{
    GError *err = NULL;
    if (!parsers)
        parsers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
    JsonParser *parser = g_hash_table_lookup(parsers, path);
    if (!parser) {
        parser = json_parser_new();
        if (!json_parser_load_from_file(parser, path, &err)) {
            fprintf(stderr, "%s: %s\n", path, err->message);
            exit(1);
        }
        g_hash_table_insert(parsers, g_strdup(path), parser);
    }
    JsonObject *root = json_node_get_object(json_parser_get_root(parser));
    if (!root || !json_object_has_member(root, category)) {
        fprintf(stderr, "%s: no category '%s'\n", path, category);
        exit(1);
    }
    return json_object_get_array_member(root, category);
}

void vec_need_args(int argc, char **argv, int n, const char *usage)
{
    if (argc < n + 1) {
        fprintf(stderr, "usage: %s %s\n", argv[0], usage);
        exit(1);
    }
}

JsonArray *vec_category(int argc, char **argv, const char *category)
{
    const char *path = argc > 1 ? argv[1] : getenv("KASME_VECTORS");
    if (!path) {
        fprintf(stderr, "usage: %s VECTORS.json\n", argv[0]);
        exit(1);
    }
    return vec_category_in(path, category);
}

const char *vec_str(JsonObject *o, const char *member)
{
    if (!json_object_has_member(o, member)) {
        fprintf(stderr, "vector lacks member '%s'\n", member);
        exit(1);
    }
    return json_object_get_string_member(o, member);
}

gint64 vec_int(JsonObject *o, const char *member)
{
    if (!json_object_has_member(o, member)) {
        fprintf(stderr, "vector lacks member '%s'\n", member);
        exit(1);
    }
    return json_object_get_int_member(o, member);
}

const char *vec_str_or_empty(JsonObject *o, const char *member)
{
    return o && json_object_has_member(o, member) ? json_object_get_string_member(o, member) : "";
}

JsonObject *vec_load_object(const char *path, JsonParser **parser)
{
    *parser = json_parser_new();
    if (!json_parser_load_from_file(*parser, path, NULL)) {
        g_object_unref(*parser);
        *parser = NULL;
        return NULL;
    }
    return json_node_get_object(json_parser_get_root(*parser));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t vec_hex(const char *hex, uint8_t *out, size_t max)
{
    size_t len = strlen(hex);
    if (len % 2 || len / 2 > max) {
        fprintf(stderr, "bad hex length (%zu chars, max %zu bytes): %s\n", len, max, hex);
        exit(1);
    }
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "bad hex: %s\n", hex);
            exit(1);
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return len / 2;
}

uint32_t vec_hex_u32(const char *hex)
{
    uint8_t b[4];
    if (vec_hex(hex, b, 4) != 4) {
        fprintf(stderr, "expected 4 bytes: %s\n", hex);
        exit(1);
    }
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

void vec_check(int ok, const char *category, const char *what, long set)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL %s set %ld: %s\n", category, set, what);
    }
}

int vec_check_mem(const uint8_t *got, const uint8_t *want, size_t n, const char *category,
                  const char *what, long set)
{
    int ok = memcmp(got, want, n) == 0;
    vec_check(ok, category, what, set);
    if (!ok) {
        fprintf(stderr, "  got  ");
        for (size_t i = 0; i < n; i++) fprintf(stderr, "%02x", got[i]);
        fprintf(stderr, "\n  want ");
        for (size_t i = 0; i < n; i++) fprintf(stderr, "%02x", want[i]);
        fprintf(stderr, "\n");
    }
    return ok;
}

int vec_report(const char *category, int vectors)
{
    printf("%s: %d vectors checked (%d comparisons), %d failed\n", category, vectors, checks,
           failures);
    return (failures == 0 && vectors > 0) ? 0 : 1;
}
