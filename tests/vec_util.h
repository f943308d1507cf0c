/* Helpers for the vector tests: load tests/vectors/vectors.json (a verbatim copy of the
 * official/shared vector file) and decode hex. Used only by tests. */
#ifndef KASME_TESTS_VEC_UTIL_H
#define KASME_TESTS_VEC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <json-glib/json-glib.h>

/* Array of vectors for one category ("eea1", "milenage", ...). Path comes from argv[1] or
 * the KASME_VECTORS environment variable. Aborts the test (exit 1) if missing. */
JsonArray *vec_category(int argc, char **argv, const char *category);
/* Exits with a usage message unless argv holds at least n arguments. */
void vec_need_args(int argc, char **argv, int n, const char *usage);
/* The same from a named file (a test reading two vector files). */
JsonArray *vec_category_in(const char *path, const char *category);

/* Object member as string; aborts if missing. */
const char *vec_str(JsonObject *o, const char *member);
gint64 vec_int(JsonObject *o, const char *member);
/* Object member as string, "" when the object or the member is missing: for ground-truth
 * files, whose callers check what they got. */
const char *vec_str_or_empty(JsonObject *o, const char *member);
/* A JSON file's root object; *parser holds it (g_object_unref it after use). NULL, with
 * *parser NULL, when the file cannot be read or parsed. */
JsonObject *vec_load_object(const char *path, JsonParser **parser);

/* Decode hex into out (max bytes). Returns bytes written; aborts on bad hex / overflow. */
size_t vec_hex(const char *hex, uint8_t *out, size_t max);
uint32_t vec_hex_u32(const char *hex);

/* Check bookkeeping: vec_check() records one comparison, prints on mismatch. */
void vec_check(int ok, const char *category, const char *what, long set);
int vec_check_mem(const uint8_t *got, const uint8_t *want, size_t n, const char *category,
                  const char *what, long set);
/* Print "<category>: N vectors checked, F failed" and return exit status (0 iff no failure
 * and at least one vector checked). */
int vec_report(const char *category, int vectors);

#endif
