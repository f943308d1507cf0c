#!/bin/sh
# Mutates every bundled capture with editcap -E and runs tshark with an ASan+UBSan build of
# kasme over each mutant; counts crashes, sanitizer reports and hangs.
# Usage: tools/fuzz-captures.sh [MUTANTS_PER_CAPTURE [ERROR_PROBABILITY [FIRST_SEED]]]
# Exit 0 only with 0 crashes, 0 reports and 0 hangs. Failing mutants are kept in fuzz-failures/.
set -e
cd "$(dirname "$0")/.."
per="${1:-5}"
prob="${2:-0.02}"
seed="${3:-1}"
build="${KASME_ASAN_BUILD:-build-asan}"
if [ ! -f "$build/plugins/.stamp" ]; then
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
runs=0 crashes=0 reports=0 hangs=0
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
        s=$((seed + i))
        mutant="$tmp/$(echo "$cap" | tr / _).$s.pcap"
        editcap -E "$prob" --seed "$s" "$cap" "$mutant" 2>/dev/null
        set +e
        # shellcheck disable=SC2086
        KASME_PLUGIN_TREE="$build/plugins" LD_PRELOAD="$asan" \
            ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
            timeout 120 tools/kasme-tshark -r "$mutant" $prefs -o "kasme.key_file:$keys" -V \
            >/dev/null 2>"$tmp/err"
        rc=$?
        set -e
        runs=$((runs + 1))
        bad=""
        if [ $rc -eq 124 ]; then hangs=$((hangs + 1)); bad=hang; fi
        if [ $rc -gt 128 ]; then crashes=$((crashes + 1)); bad=crash; fi
        if grep -q -E "ERROR: AddressSanitizer|runtime error:" "$tmp/err"; then
            reports=$((reports + 1)); bad="${bad:+$bad+}sanitizer"
        fi
        if [ -n "$bad" ]; then
            mkdir -p fuzz-failures
            cp "$mutant" fuzz-failures/ && cp "$tmp/err" "fuzz-failures/$(basename "$mutant").err"
            echo "FAIL $cap seed $s: $bad (rc $rc)"
        fi
        rm -f "$mutant"
        i=$((i + 1))
    done
done
echo "fuzz: $runs mutated captures (editcap -E $prob, seeds $seed..$((seed + per - 1))): $crashes crashes, $reports sanitizer reports, $hangs hangs"
echo "$((runs - crashes - reports - hangs)) passed, $((crashes + reports + hangs)) failed"
[ $((crashes + reports + hangs)) -eq 0 ]
