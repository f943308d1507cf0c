#!/bin/sh
# Runs tshark with kasme under valgrind memcheck over every bundled capture (with its key file
# and the carrier preferences the tests use, -V so that every display path runs) and counts
# the errors valgrind reports in code kasme runs. Takes minutes: on demand, not in ctest.
# Usage: tools/valgrind-captures.sh [JOBS]   (after tools/build.sh)
# Exit 0 only if every run reports 0 errors. Logs are kept in valgrind-logs/.
set -e
cd "$(dirname "$0")/.."
. tools/capture-tshark.sh

one() { # capture
    cap="$1"
    log="$KASME_VG_LOGS/$(echo "$cap" | tr / _).log"
    touch "$log" && chmod 666 "$log"
    KASME_TSHARK_WRAPPER="valgrind --error-exitcode=99 --log-file=$log"
    export KASME_TSHARK_WRAPPER
    capture_tshark "$cap" "$cap" -o kasme.show_keys:TRUE -V >"$log.out" 2>&1 || true
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
    good=$(grep -cE "^ +MAC(-I)?: 0x[0-9a-f]{8}.*\[Good\]$" "$log.out" || true) # the compact tree's MAC line
    [ -n "$KASME_VG_KEEP" ] || rm -f "$log.out"
    echo "${errors:-?} $cap ($good verified MACs shown)"
}

if [ "$1" = "--one" ]; then
    one "$2"
    exit 0
fi
jobs="${1:-$(nproc)}"
command -v valgrind >/dev/null || { echo "valgrind-captures: apt-get install valgrind" >&2; exit 2; }
KASME_VG_LOGS="$(mktemp -d /tmp/kasme-vg.XXXXXX)"
chmod 777 "$KASME_VG_LOGS"
export KASME_VG_LOGS
bundled_captures | xargs -P "$jobs" -n 1 "$0" --one > "$KASME_VG_LOGS/summary"
rm -rf valgrind-logs && cp -r "$KASME_VG_LOGS" valgrind-logs && rm -rf "$KASME_VG_LOGS"
sort -k2 valgrind-logs/summary
runs=$(wc -l < valgrind-logs/summary)
clean=$(grep -c '^0 ' valgrind-logs/summary || true)
echo "valgrind: $runs captures, $clean with 0 errors"
[ "$runs" -gt 0 ] && [ "$runs" -eq "$clean" ]
