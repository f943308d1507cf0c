#!/bin/sh
# Mutates every bundled capture with editcap -E and runs tshark with an ASan+UBSan build of
# kasme over the mutants; counts crashes, sanitizer reports and hangs.
# Usage: tools/fuzz-captures.sh [MUTANTS_PER_CAPTURE [ERROR_PROBABILITY [FIRST_SEED [BATCH]]]]
# BATCH mutants of one capture (default 1) are joined end to end (mergecap -a) and read by one
# tshark run, which spares BATCH-1 tshark start-ups; the tracker then also meets the mutants'
# UEs again, as in a capture that restarts. A failing batch is re-run mutant by mutant.
# Exit 0 only with 0 crashes, 0 reports and 0 hangs. Failing mutants are kept in fuzz-failures/.
set -e
cd "$(dirname "$0")/.."
per="${1:-5}"
prob="${2:-0.02}"
seed="${3:-1}"
batch="${4:-1}"
build="${KASME_ASAN_BUILD:-build-asan}"
if [ ! -f "$build/plugins/.stamp" ] || [ -n "$(find plugin -newer "$build/plugins/.stamp" -name '*.[ch]')" ]; then
    cmake -S . -B "$build" -DKASME_SANITIZE=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build "$build" -j"$(nproc)" --target kasme >/dev/null
    touch "$build/plugins/.stamp"
fi
asan="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
. tools/capture-tshark.sh
mutants=0 runs=0 crashes=0 reports=0 hangs=0

export KASME_PLUGIN_TREE="$build/plugins" ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1

# run_one FILE CAPTURE: tshark over FILE (CAPTURE or mutants of it); sets $bad ("" when
# clean) and $rc. Any other non-zero exit is a failure too: tshark refusing its options
# would otherwise pass for a clean run.
run_one() {
    set +e
    LD_PRELOAD="$asan" timeout 300 sh -c '. tools/capture-tshark.sh; capture_tshark "$@"' \
        sh "$2" "$1" -V >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
    runs=$((runs + 1))
    bad=""
    if [ $rc -eq 124 ]; then bad=hang; elif [ $rc -gt 128 ]; then bad=crash;
    elif [ $rc -ne 0 ]; then bad="exit-$rc"; fi
    if grep -q -E "ERROR: AddressSanitizer|runtime error:" "$tmp/err"; then
        bad="${bad:+$bad+}sanitizer"
    fi
}

# Each capture unmutated first: kasme has to show results there, or the set-up is broken.
# Except where the keys are in another capture: s15's second eNB sees the UE only after a
# handover, and the NH for it is in enb2_s1ap.pcap.
keys_elsewhere="captures/s15-s1-handover/enb2_mac.pcap"
for cap in $(bundled_captures); do
    run_one "$cap" "$cap"
    results=yes
    grep -q "NAS/RRC security (kasme)" "$tmp/out" || results=""
    [ "$cap" = "$keys_elsewhere" ] && results=yes
    if [ -n "$bad" ] || [ -z "$results" ]; then
        echo "fuzz-captures: $cap unmutated: ${bad:-no kasme results} (rc $rc); set-up broken" >&2
        cat "$tmp/err" >&2
        exit 2
    fi
done
runs=0


count_failure() { # kind of failure in $bad, the mutant's file, its label
    case "$bad" in *hang*) hangs=$((hangs + 1)) ;; esac
    case "$bad" in *crash*) crashes=$((crashes + 1)) ;; esac
    case "$bad" in *sanitizer*) reports=$((reports + 1)) ;; esac
    mkdir -p fuzz-failures
    cp "$1" fuzz-failures/ && cp "$tmp/err" "fuzz-failures/$(basename "$1").err"
    echo "FAIL $2: $bad (rc $rc)"
}

for cap in $(bundled_captures); do
    i=0
    while [ $i -lt "$per" ]; do
        set --
        j=0
        while [ $j -lt "$batch" ] && [ $i -lt "$per" ]; do
            s=$((seed + i))
            mutant="$tmp/$(echo "$cap" | tr / _).$s.pcap"
            editcap -E "$prob" --seed "$s" "$cap" "$mutant" 2>/dev/null
            set -- "$@" "$mutant"
            i=$((i + 1)) j=$((j + 1))
        done
        mutants=$((mutants + $#))
        if [ $# -gt 1 ]; then
            mergecap -a -w "$tmp/batch.pcap" "$@"
            run_one "$tmp/batch.pcap" "$cap"
        else
            run_one "$1" "$cap"
        fi
        if [ -n "$bad" ] && [ $# -gt 1 ]; then
            batch_bad="$bad" found=0
            cp "$tmp/batch.pcap" "$tmp/batch-$s.pcap" && cp "$tmp/err" "$tmp/batch.err"
            for m in "$@"; do
                run_one "$m" "$cap"
                if [ -n "$bad" ]; then
                    count_failure "$m" "$cap mutant $(basename "$m")"
                    found=1
                fi
            done
            if [ $found -eq 0 ]; then # only the joined mutants fail
                bad="$batch_bad"
                cp "$tmp/batch.err" "$tmp/err"
                count_failure "$tmp/batch-$s.pcap" "$cap batch of seeds up to $s"
            fi
            rm -f "$tmp/batch-$s.pcap"
        elif [ -n "$bad" ]; then
            count_failure "$1" "$cap seed $s"
        fi
        rm -f "$@" "$tmp/batch.pcap"
    done
done
echo "fuzz: $mutants mutated captures in $runs tshark runs (editcap -E $prob, seeds $seed..$((seed + per - 1)), batches of $batch): $crashes crashes, $reports sanitizer reports, $hangs hangs"
[ $((crashes + reports + hangs)) -eq 0 ]
