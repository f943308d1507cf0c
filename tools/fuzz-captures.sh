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
S1AP='uat:user_dlts:"User 3 (DLT=150)","s1ap","0","","0",""'
NAS='uat:user_dlts:"User 1 (DLT=148)","nas-eps","0","","0",""'
MAC='uat:user_dlts:"User 2 (DLT=149)","udp","0","","0",""'
mutants=0 runs=0 crashes=0 reports=0 hangs=0

# run_one FILE CAPTURE-PREFS KEYS: tshark over FILE; sets $bad ("" when clean) and $rc.
run_one() {
    set +e
    # shellcheck disable=SC2086
    KASME_PLUGIN_TREE="$build/plugins" LD_PRELOAD="$asan" \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        timeout 300 tools/kasme-tshark -r "$1" $2 -o "kasme.key_file:$3" -V \
        >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    runs=$((runs + 1))
    bad=""
    if [ $rc -eq 124 ]; then bad=hang; fi
    if [ $rc -gt 128 ]; then bad=crash; fi
    if grep -q -E "ERROR: AddressSanitizer|runtime error:" "$tmp/err"; then
        bad="${bad:+$bad+}sanitizer"
    fi
}

count_failure() { # kind of failure in $bad, the mutant's file, its label
    case "$bad" in *hang*) hangs=$((hangs + 1)) ;; esac
    case "$bad" in *crash*) crashes=$((crashes + 1)) ;; esac
    case "$bad" in *sanitizer*) reports=$((reports + 1)) ;; esac
    mkdir -p fuzz-failures
    cp "$1" fuzz-failures/ && cp "$tmp/err" "fuzz-failures/$(basename "$1").err"
    echo "FAIL $2: $bad (rc $rc)"
}

for cap in captures/*/*.pcap; do
    keys=keyfiles/srsran-milenage.keys
    case "$cap" in *s05-xor*) keys=keyfiles/srsran-xor.keys ;; esac
    case "$cap" in
        *s1ap*) prefs="-o $S1AP" ;;
        *mac*) prefs="-o $MAC --enable-heuristic mac_lte_udp -o mac-lte.attempt_rrc_decode:TRUE -o mac-lte.attempt_to_dissect_srb_sdus:TRUE -o rlc-lte.call_pdcp_for_srb:TRUE -o pdcp-lte.show_signalling_plane_as_rrc:TRUE -o kasme.decipher_user_plane:TRUE" ;;
        *) prefs="-o $NAS" ;;
    esac
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
            run_one "$tmp/batch.pcap" "$prefs" "$keys"
        else
            run_one "$1" "$prefs" "$keys"
        fi
        if [ -n "$bad" ] && [ $# -gt 1 ]; then
            batch_bad="$bad" found=0
            cp "$tmp/batch.pcap" "$tmp/batch-$s.pcap" && cp "$tmp/err" "$tmp/batch.err"
            for m in "$@"; do
                run_one "$m" "$prefs" "$keys"
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
