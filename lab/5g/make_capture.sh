#!/bin/bash
# Turns a run of run_scenario.sh into a capture folder of the project:
#   ngap.pcapng       NGAP over SCTP over IPv4, rebuilt from the shim's TCP
#                     records with the captured timestamps (ngap_pcap.py)
#   core.pcapng       the rest of the loopback capture: SBI (HTTP/2 cleartext,
#                     port 7777), PFCP, GTP-U (the pings)
#   subscriber.keys   kasme key file lines for the run's subscribers
#   conf/             the configs of the run; logs/ the NF and UE logs trimmed
#                     of colour codes
#   truth.json        extract_truth.py; check.txt: derive_check.py's report
# The pcaps are pcapng on purpose: the LTE capture tools (tools/fuzz-captures.sh,
# valgrind-captures.sh) take every captures/*/*.pcap and demand kasme results,
# which kasme does not give for 5G yet.
#
#   lab/5g/make_capture.sh <run dir> <capture dir>
set -eu
RUN=$1
OUT=$2
LAB=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
mkdir -p "$OUT/conf" "$OUT/logs"
$PY "$LAB/ngap_pcap.py" "$RUN/lo.pcap" "$RUN/ngap.pcap" --json "$RUN/ngap-records.json"
editcap -F pcapng "$RUN/ngap.pcap" "$OUT/ngap.pcapng"
# core.pcapng: the rest of the loopback capture (SBI, PFCP, GTP-U) from half a
# second before the first InitialUEMessage (NGAP procedure code 15) to half a
# second after the last NGAP message; NF start-up and shut-down are left out.
read -r T0 T1 < <($PY -c "
import json, sys
recs = json.load(open(sys.argv[1]))
ue = [float(r['time']) for r in recs if r['kind'] == 'DATA']
first = min(float(r['time']) for r in recs if r['kind'] == 'DATA' and r['payload'].startswith('000f'))
print(first - 0.5, max(ue) + 0.5)
" "$RUN/ngap-records.json")
tshark -r "$RUN/lo.pcap" -Y "!(tcp.port==38412) && frame.time_epoch >= $T0 && frame.time_epoch <= $T1" \
  -F pcapng -w "$OUT/core.pcapng" 2>/dev/null
cp "$RUN"/conf/*.yaml "$RUN/conf/subscribers.json" "$OUT/conf/"
cp "$RUN/run.txt" "$OUT/run.txt"
# Open5GS NFs: their .log files (their stdout says the same); UERANSIM,
# the stand-in, ping and nr-cli: stdout, without colour codes.
cp "$RUN"/logs/*.log "$OUT/logs/"
for f in "$RUN"/logs/{gnb,ue*,mongo,ping*,cli}.out; do
  [ -e "$f" ] && sed 's/\x1b\[[0-9;]*m//g' "$f" > "$OUT/logs/$(basename "$f")"
done
$PY "$LAB/extract_truth.py" "$RUN" "$RUN/ngap.pcap" "$OUT/truth.json" --name "$(basename "$OUT")"
$PY "$LAB/keys_file.py" "$OUT/truth.json" > "$OUT/subscriber.keys"
$PY "$LAB/derive_check.py" "$OUT/truth.json" --report "$OUT/check.txt" | tail -1
