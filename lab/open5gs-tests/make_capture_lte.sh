#!/bin/bash
# Turns an LTE run of run_test.sh into a capture folder of the project:
#   epc_s1ap_s6a.pcap  S1AP over SCTP (rebuilt from the shim's TCP records with
#                      the captured timestamps, lab/5g/ngap_pcap.py) merged with
#                      the Diameter of the loopback capture (TCP port 3868: S6a
#                      MME-HSS, Gx SMF-PCRF), in time order; Wireshark decodes
#                      both without options
#   core.pcapng        the rest of the loopback capture (GTP-C, PFCP, GTP-U)
#   subscriber.keys    kasme key file line(s) for the run's subscriber(s)
#   logs/              the NF logs (colour codes removed) and the test's output
#   truth.json         extract_truth_lte.py; check.txt: derive_check_lte.py
#
#   lab/open5gs-tests/make_capture_lte.sh <run dir> <capture dir>
set -eu
RUN=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
mkdir -p "$OUT/logs"
$PY "$HERE/../5g/ngap_pcap.py" "$RUN/lo.pcap" "$RUN/s1ap.pcap" --port 36412 --json "$RUN/s1ap-records.json"
tshark -r "$RUN/lo.pcap" -Y "tcp.port==3868" -F pcap -w "$RUN/diameter.pcap" 2>/dev/null
mergecap -F pcap -w "$OUT/epc_s1ap_s6a.pcap" "$RUN/s1ap.pcap" "$RUN/diameter.pcap"
tshark -r "$RUN/lo.pcap" -Y "!(tcp.port==36412) && !(tcp.port==3868)" -F pcapng -w "$OUT/core.pcapng" 2>/dev/null
cp "$RUN/run.txt" "$OUT/run.txt"
for f in "$RUN"/logs/*.log "$RUN"/logs/test.out "$RUN"/logs/mongo.out; do
  sed 's/\x1b\[[0-9;]*m//g' "$f" > "$OUT/logs/$(basename "$f")"
done
cp "$RUN/sample.yaml" "$OUT/logs/sample.yaml"
$PY "$HERE/extract_truth_lte.py" "$OUT" "$OUT/epc_s1ap_s6a.pcap" "$OUT/truth.json" --name "$(basename "$OUT")"
$PY -c "
import json, sys
for s in json.load(open(sys.argv[1]))['subscribers']:
    print('imsi=%s k=%s opc=%s amf=%s name=open5gs-test' % (s['imsi'], s['k'], s['opc'], s['amf']))
" "$OUT/truth.json" > "$OUT/subscriber.keys"
$PY "$HERE/derive_check_lte.py" "$OUT/truth.json" --report "$OUT/check.txt" | tail -1
