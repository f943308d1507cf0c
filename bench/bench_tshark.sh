#!/bin/sh
# tshark wall time with and without kasme, and against Wireshark's own PDCP-LTE deciphering.
# Not a test: prints figures. Usage: bench/bench_tshark.sh [COPIES [RUNS]] (after tools/build.sh)
set -e
cd "$(dirname "$0")/.."
copies="${1:-300}"
runs="${2:-5}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
repeat() { # file copies -> file
    f="$1"; n="$2"; out="$3"; set --
    i=0; while [ $i -lt "$n" ]; do set -- "$@" "$f"; i=$((i + 1)); done
    mergecap -a -w "$out" "$@"
}
mean() { # runs the command $runs times, prints the mean seconds
    s=$(date +%s.%N)
    i=0; while [ $i -lt "$runs" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
    e=$(date +%s.%N)
    echo "scale=3; ($e - $s) / $runs" | bc
}
S1AP='uat:user_dlts:"User 3 (DLT=150)","s1ap","0","","0",""'
keys=keyfiles/srsran-milenage.keys
repeat captures/s07-reattach/epc_s1ap.pcap "$copies" "$tmp/s1ap.pcap"
echo "S1AP: captures/s07-reattach/epc_s1ap.pcap x $copies ($(capinfos -c -M "$tmp/s1ap.pcap" | awk '/Number/ {print $NF}') frames), mean of $runs runs"
without=$(mean tools/kasme-tshark -r "$tmp/s1ap.pcap" -o "$S1AP")
with=$(mean tools/kasme-tshark -r "$tmp/s1ap.pcap" -o "$S1AP" -o kasme.key_file:$keys)
echo "  summary output: without keys ${without}s, with kasme ${with}s, ratio $(echo "scale=2; $with / $without" | bc)"
without=$(mean tools/kasme-tshark -r "$tmp/s1ap.pcap" -o "$S1AP" -V)
with=$(mean tools/kasme-tshark -r "$tmp/s1ap.pcap" -o "$S1AP" -o kasme.key_file:$keys -V)
echo "  -V output:      without keys ${without}s, with kasme ${with}s, ratio $(echo "scale=2; $with / $without" | bc)"
repeat captures/s01-eea2-eia2/enb_mac.pcap "$((copies / 10))" "$tmp/mac.pcap"
mkdir -p "$tmp/s01" && cp captures/s01-eea2-eia2/truth.json "$tmp/s01/" && cp "$tmp/mac.pcap" "$tmp/s01/enb_mac.pcap"
echo "MAC-LTE: captures/s01-eea2-eia2/enb_mac.pcap x $((copies / 10)), Wireshark's PDCP-LTE (truth AS keys) vs kasme (K/OPc)"
ver="$(ls build/plugins)"
python3 tests/captures/check_builtin.py "build/plugins/$ver/epan/kasme.so" "$ver" "$tmp/s01" \
    enb_mac.pcap $keys --time "$runs" |
    grep -E "BENCH|RRC messages"
