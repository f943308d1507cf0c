/* Check bookkeeping shared by the unit tests: every check counted, a failure printed with the
 * run it belongs to, failures that a documented bug explains counted apart. */
#ifndef KASME_TESTS_CHECK_H
#define KASME_TESTS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

extern int n_checks, n_failed, n_known_bugs;
/* Set around a run that a known bug makes fail: its failed checks are KNOWN BUGs. */
extern const char *known_bug_note;

void check(bool ok, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* A check that fails because of a bug described in the test's report. */
void known_bug(bool ok, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Names the run the next checks belong to, for failure messages ("" for none). */
void set_run(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Prints "<name>: N checks, F failed" (and the known bugs) and returns the exit status:
 * 0 only with no failure and at least one check. */
int check_report(const char *name);

/* Decodes the hex of an expected value written in a test (independent of hexutil.c on
 * purpose); a malformed one is a bug of the test: exit 2. Returns the octets written. */
size_t check_unhex(const char *hex, uint8_t *out, size_t max);

#endif
