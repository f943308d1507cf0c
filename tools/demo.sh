#!/bin/sh
# Installs what is missing, builds kasme, and deciphers a bundled real LTE capture with it:
# prints each NAS message as kasme shows it, then a verification summary.
# Usage: tools/demo.sh [CAPTURE [KEYFILE]]   (default: the EEA3/EIA3 (ZUC) attach, s03)
set -e
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh
cap="${1:-captures/s03-eea3-eia3/epc_s1ap.pcap}"
keys="${2:-keyfiles/srsran-milenage.keys}"
dlt='uat:user_dlts:"User 3 (DLT=150)","s1ap","0","","0",""'
echo "== $cap deciphered with $keys"
tools/kasme-tshark -r "$cap" -o "$dlt" -o "kasme.key_file:$keys" \
    -T fields -E separator=/t -E occurrence=f \
    -e frame.number -e _ws.col.Info -e kasme.mac.status -e kasme.count |
awk -F'\t' '{ v = ($3 == "1") ? "MAC verified" : ($3 == "0") ? "MAC FAILED" : ($3 == "2") ? "MAC not verified" : "";
              c = ($4 != "") ? "COUNT " $4 : "";
              printf "%5s  %-80s %-14s %s\n", $1, $2, v, c }'
echo "== verification summary"
tools/kasme-tshark -r "$cap" -o "$dlt" -o "kasme.key_file:$keys" \
    -T fields -E occurrence=a -E aggregator=, -e kasme.mac.status -e kasme.kenb |
awk -F'\t' '{ n = split($1, s, ","); for (i = 1; i <= n; i++) m[s[i]]++;
              k = split($2, e, ","); for (i = 1; i <= k; i++) kenb[e[i]]++ }
     END { printf "protected NAS PDUs: %d   MAC verified: %d   MAC failed: %d   not verified: %d\n",
                  m["0"] + m["1"] + m["2"], m["1"], m["0"], m["2"];
           printf "S1AP K_eNB confirmed: %d   mismatched: %d\n", kenb["1"], kenb["2"];
           exit (m["0"] > 0) }'
