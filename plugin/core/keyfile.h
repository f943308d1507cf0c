/* Key-file parser: text lines -> kasme_subscriber entries in a kasme_subdb. The format is
 * documented for users in keyfiles/README.md; in short, one entry a line of key=value tokens:
 *
 *   imsi=001010123456780 k=<32 hex> opc=<32 hex> [amf=<4 hex>] [alg=milenage|xor] [name=...]
 *   (supi=imsi-<digits> is the same as imsi=<digits>, on every kind of line)
 *   kasme=<64 hex> imsi=...|tmsi=<8 hex>|guti=<mcc>-<mnc>-<mmegi>-<mmec>-<m-tmsi>|any [ksi=0..6]
 *   kamf=<64 hex> supi=...|imsi=...|tmsi=<5G-TMSI>|guti=<mcc>-<mnc>-<region>-<set>-<pointer>-<5G-TMSI>|any
 *       [ksi=0..6]
 *   kenb=<64 hex> and/or krrcenc= krrcint= kupenc=<32 hex>, with rnti=<1..65535>|imsi=...|any
 *   hnet id=<0..255> scheme=A|B key=<64 hex> | file=<PEM/DER private key>
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

/* Loads a file into db (relative hnet file= paths start at the key file's folder): returns the number of entries added, or -1 if the file cannot be read
 * (reported through err with line 0). Bad lines are reported through err (may be NULL) and
 * skipped; the good ones still load. */
int kasme_keyfile_load(const char *path, kasme_subdb *db, kasme_keyfile_error_fn err,
                       void *user);

/* The same for a text buffer of len octets (need not be NUL-terminated, may hold anything):
 * the GUI's key table rows and the fuzzer. name labels the entries and the errors. */
int kasme_keyfile_load_buffer(const char *name, const char *buf, size_t len, kasme_subdb *db,
                              kasme_keyfile_error_fn err, void *user);

/* A row of the GUI's key table; any field may be NULL or empty. */
typedef struct {
    const char *identity; /* IMSI digits, imsi-<digits>, tmsi:<8 hex>, guti:<GUTI>, rnti:<n>
                             or any; the key identifier 0..255 for an hnet row */
    const char *kind;     /* milenage-opc (default), milenage-op, xor, kasme, kamf, kenb,
                             hnet-a, hnet-b */
    const char *key;      /* K, K_ASME, K_AMF, K_eNB or the home network private key in hex;
                             for an hnet row also the path of a PEM/DER file */
    const char *op;       /* OP or OPc (MILENAGE) */
    const char *amf;
    const char *ksi;
    const char *name;
} kasme_keyfile_row;

/* The row as a key-file line, so that rows and files go through one parser. The line holds
 * the key: wipe it (kasme_secure_zero) before g_free. */
char *kasme_keyfile_row_to_line(const kasme_keyfile_row *row);

#endif
