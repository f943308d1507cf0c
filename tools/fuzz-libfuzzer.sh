#!/bin/sh
# Builds kasme's libFuzzer harnesses (tests/fuzz) with clang into build-fuzz/, writes the seed
# corpora from the bundled captures and key files, and runs each harness for SECONDS
# (default 600), one after the other, one process each (-jobs=1 -workers=1).
#
# Usage: tools/fuzz-libfuzzer.sh [SECONDS [HARNESS...]]     HARNESS: keyfile nas pdcp dia
#
# Per harness it prints the executions, exec/s, coverage (cov = edges, ft = features) and
# whether anything was found. Everything stays under build-fuzz/ (KASME_FUZZ_DIR):
#   corpus/<h>/     the growing corpus (kept between runs: a second run starts from it)
#   seeds/<h>/      make_seeds.py's seeds (rewritten each run)
#   artifacts/<h>/  crash-*, leak-*, timeout-*, oom-* reproducers (kept)
#   logs/<h>.log    libFuzzer's output
# Exit 0 if no new crash/leak/timeout/oom file appeared, 1 if one did, 2 on a build error.
# Reproduce a finding: build-fuzz/tests/fuzz/fuzz_<h> build-fuzz/artifacts/<h>/crash-...
set -e
cd "$(dirname "$0")/.."
root="$(pwd)"
seconds="${1:-600}"
[ $# -gt 0 ] && shift
harnesses="${*:-keyfile nas pdcp dia}"
out="${KASME_FUZZ_DIR:-build-fuzz}"
case "$out" in /*) ;; *) out="$root/$out" ;; esac

mkdir -p "$out"
if ! CC=clang cmake -S . -B "$out" -DKASME_FUZZ=ON -DKASME_BUILD_PLUGIN=OFF \
        -DBUILD_TESTING=OFF >"$out/configure.log" 2>&1; then
    cat "$out/configure.log" >&2
    echo "fuzz: configure failed (clang with libFuzzer needed)" >&2
    exit 2
fi
if ! cmake --build "$out" --target kasme_fuzzers -j"$(nproc)" >"$out/build.log" 2>&1; then
    cat "$out/build.log" >&2
    echo "fuzz: build failed" >&2
    exit 2
fi
python3 tests/fuzz/make_seeds.py "$out/seeds"

# libFuzzer options per harness: the largest input, a hang limit, extra flags.
options() {
    case "$1" in
        keyfile) echo "-max_len=16384 -timeout=25 -dict=$out/seeds/keyfile.dict" ;;
        nas) echo "-max_len=4096 -timeout=25" ;;
        # one honoured move can cost a full EARFCN search: seconds, see fuzz_pdcp.c
        pdcp) echo "-max_len=8192 -timeout=60" ;;
        dia) echo "-max_len=4096 -timeout=25" ;;
        *) echo "fuzz: unknown harness $1 (keyfile, nas, pdcp, dia)" >&2; exit 2 ;;
    esac
}

# The last value of a libFuzzer final statistic (-print_final_stats=1) in a log.
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

found_any=0
summary=""
for h in $harnesses; do
    opts="$(options "$h")"
    bin="$out/tests/fuzz/fuzz_$h"
    art="$out/artifacts/$h"
    mkdir -p "$out/corpus/$h" "$art" "$out/logs" "$out/run/$h"
    before="$(ls "$art")"
    log="$out/logs/$h.log"
    echo "fuzz: $h for ${seconds}s ($opts), log $log"
    # -jobs=1 writes the fuzzing process's output to fuzz-0.log in the current directory
    rm -f "$out/run/$h/fuzz-0.log"
    set +e
    # shellcheck disable=SC2086
    (cd "$out/run/$h" && "$bin" -jobs=1 -workers=1 -max_total_time="$seconds" \
        -print_final_stats=1 -rss_limit_mb=4096 -artifact_prefix="$art/" $opts \
        "$out/corpus/$h" "$out/seeds/$h" >"$out/run/$h/driver.log" 2>&1)
    set -e
    # the driver repeats the job's log when the job ends; the job's own log is the one
    if [ -s "$out/run/$h/fuzz-0.log" ]; then
        cp "$out/run/$h/fuzz-0.log" "$log"
    else
        cp "$out/run/$h/driver.log" "$log"
    fi

    execs="$(final_stat number_of_executed_units "$log")"
    rate="$(final_stat average_exec_per_sec "$log")"
    slowest="$(final_stat slowest_unit_time_sec "$log")"
    last="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
    cov="$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')"
    ft="$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')"
    corp="$(echo "$last" | sed -n 's/.* corp: \([^ ]*\).*/\1/p')"
    edges="$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters.*/\1/p' "$log" | head -n 1)"
    new="$(ls "$art" | grep -E '^(crash|leak|timeout|oom)-' || true)"
    if [ -n "$before" ]; then
        new="$(echo "$new" | grep -v -x -F "$before" || true)"
    fi
    if [ -n "$new" ]; then
        found_any=1
        verdict="FOUND: $(echo "$new" | tr '\n' ' ')(in $art)"
        grep -E "^(==[0-9]+==ERROR|SUMMARY|.*check failed|.*runtime error)" "$log" | head -n 5 || true
    elif grep -q -E "ERROR: libFuzzer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error" "$log"; then
        found_any=1
        verdict="FOUND: an error in $log but no artifact"
    else
        verdict="nothing found"
    fi
    line="fuzz_$h: ${seconds}s, ${execs:-?} executions (${rate:-?} exec/s), cov ${cov:-?}/${edges:-?} edges, ft ${ft:-?}, corpus ${corp:-?}, slowest unit ${slowest:-?}s: $verdict"
    echo "$line"
    summary="$summary$line
"
done
echo "---"
printf "%s" "$summary"
exit $found_any
