/* Key-file parser: text lines -> kasme_subscriber entries in a kasme_subdb. The format is
 * documented for users in keyfiles/README.md; in short, one entry a line of key=value tokens:
 *
 *   imsi=001010123456780 k=<32 hex> opc=<32 hex> [amf=<4 hex>] [alg=milenage|xor] [name=...]
 *   kasme=<64 hex> imsi=...|tmsi=<8 hex>|guti=<mcc>-<mnc>-<mmegi>-<mmec>-<m-tmsi>|any [ksi=0..6]
 *   kenb=<64 hex> and/or krrcenc= krrcint= kupenc=<32 hex>, with rnti=<1..65535>|imsi=...|any
 *
 * plus srsEPC user_db.csv lines as they are. Error reasons never contain key material: they
 * name the key and give lengths and positions only, so they can go to a log. */
#ifndef KASME_KEYFILE_H
#define KASME_KEYFILE_H

#include <stddef.h>

#include "subdb.h"

/* Longest line accepted, in octets without the line ending. */
#define KASME_KEYFILE_MAX_LINE 4096

/* Called once per rejected line; file is the basename given to the loader, line is 1-based
 * (0 when the whole file could not be read). */
typedef void (*kasme_keyfile_error_fn)(void *user, const char *file, unsigned line,
                                       const char *reason);

/* Parses one line (no line ending; NUL-terminated). Returns 1 with the entry in *out (source
 * and line left empty), 0 for a blank or comment line, -1 with the reason in why. *out is
 * wiped unless 1 is returned. OPc is computed here when the line gives OP, so libgcrypt must
 * be initialised. */
int kasme_keyfile_parse_line(const char *line, kasme_subscriber *out, char *why, size_t why_len);

/* Loads a file into db: returns the number of entries added, or -1 if the file cannot be read
 * (reported through err with line 0). Bad lines are reported through err (may be NULL) and
 * skipped; the good ones still load. */
int kasme_keyfile_load(const char *path, kasme_subdb *db, kasme_keyfile_error_fn err,
                       void *user);

/* The same for a text buffer of len octets (need not be NUL-terminated, may hold anything):
 * the GUI's key table rows and the fuzzer. name labels the entries and the errors. */
int kasme_keyfile_load_buffer(const char *name, const char *buf, size_t len, kasme_subdb *db,
                              kasme_keyfile_error_fn err, void *user);

#endif
