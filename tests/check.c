#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int n_checks, n_failed, n_known_bugs;
const char *known_bug_note;
static char run_name[160];

static void report_failure(const char *label, const char *fmt, va_list ap)
{
    n_failed++;
    if (run_name[0])
        fprintf(stderr, "%s [%s]: ", label, run_name);
    else
        fprintf(stderr, "%s: ", label);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
}

void check(bool ok, const char *fmt, ...)
{
    n_checks++;
    if (ok)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (known_bug_note) {
        n_known_bugs++;
        report_failure("FAIL (KNOWN BUG)", fmt, ap);
        fprintf(stderr, "    known bug: %s\n", known_bug_note);
    } else {
        report_failure("FAIL", fmt, ap);
    }
    va_end(ap);
}

void known_bug(bool ok, const char *fmt, ...)
{
    n_checks++;
    if (ok)
        return;
    n_known_bugs++;
    va_list ap;
    va_start(ap, fmt);
    report_failure("FAIL (KNOWN BUG)", fmt, ap);
    va_end(ap);
}

void set_run(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run_name, sizeof run_name, fmt, ap);
    va_end(ap);
}

int check_report(const char *name)
{
    if (n_known_bugs)
        printf("%s: %d of the failed checks are KNOWN BUGs\n", name, n_known_bugs);
    printf("%s: %d checks, %d failed\n", name, n_checks, n_failed);
    return n_failed == 0 && n_checks > 0 ? 0 : 1;
}

size_t check_unhex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = strlen(hex) / 2;
    if (strlen(hex) % 2 || n > max) {
        fprintf(stderr, "test bug: bad expected hex '%s'\n", hex);
        exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            fprintf(stderr, "test bug: bad expected hex '%s'\n", hex);
            exit(2);
        }
        out[i] = (uint8_t)byte;
    }
    return n;
}
