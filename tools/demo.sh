#!/bin/sh
# Installs what is missing, builds kasme, and deciphers two bundled real captures with it: an
# LTE attach made by srsRAN (S1AP, EEA3/EIA3 i.e. ZUC) and a 5G registration made by Open5GS's
# roaming set-up (NGAP, 5G AKA, NIA2). Prints each NAS message as kasme shows it, then a
# verification summary per capture.
# Usage: tools/demo.sh [CAPTURE [KEYFILE]]   (one capture of your choice instead of the two)
set -e
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh
# S1AP captures without SCTP/IP use DLT 150; the setting is harmless for other captures
dlt='uat:user_dlts:"User 3 (DLT=150)","s1ap","0","","0",""'

demo() { # CAPTURE KEYFILE
    echo "== $1 deciphered with $2"
    tools/kasme-tshark -r "$1" -o "$dlt" -o "kasme.key_file:$2" -Y "kasme || s1ap || ngap" \
        -T fields -E separator=/t -E occurrence=f \
        -e frame.number -e _ws.col.Info -e kasme.mac.status -e kasme.count |
    awk -F'\t' '{ v = ($3 == "1") ? "MAC verified" : ($3 == "0") ? "MAC FAILED" : ($3 == "2") ? "MAC not verified" : "";
                  c = ($4 != "") ? "COUNT " $4 : "";
                  sub(/^(SACK \([^)]*\) ,? ?)+/, "", $2);
                  printf "%5s  %-80s %-14s %s\n", $1, $2, v, c }'
    echo "== verification summary"
    tools/kasme-tshark -r "$1" -o "$dlt" -o "kasme.key_file:$2" \
        -T fields -E occurrence=a -E aggregator=, -e kasme.mac.status -e kasme.kenb -e kasme.kgnb |
    awk -F'\t' '{ n = split($1, s, ","); for (i = 1; i <= n; i++) m[s[i]]++;
                  k = split($2 "," $3, e, ","); for (i = 1; i <= k; i++) key[e[i]]++ }
         END { printf "protected NAS PDUs: %d   MAC verified: %d   MAC failed: %d   not verified: %d\n",
                      m["0"] + m["1"] + m["2"], m["1"], m["0"], m["2"];
               printf "S1AP K_eNB / NGAP K_gNB confirmed: %d   mismatched: %d\n", key["1"], key["2"];
               exit (m["0"] > 0) }'
}

if [ $# -gt 0 ]; then
    demo "$1" "${2:-keyfiles/srsran-milenage.keys}"
else
    demo captures/s03-eea3-eia3/epc_s1ap.pcap keyfiles/srsran-milenage.keys
    echo
    demo captures/public5g/open5gs-roaming/5g-roaming-hr.pcapng keyfiles/public5g.keys
fi
