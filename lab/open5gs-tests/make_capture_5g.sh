#!/bin/bash
# Turns a 5G run of run_test.sh (tests/handover 5gc-*, tests/registration ...)
# into a captures/5g-* folder in lab/5g's layout: prepare_5g_run.py gives the
# run the conf/ files, then lab/5g/make_capture.sh does the rest (ngap.pcapng,
# core.pcapng, subscriber.keys, truth.json with amf_nh and
# capture_ngap_security_context, check.txt).  The test program's own output
# (the simulated gNB/UE) goes to logs/test.out.
#
#   lab/open5gs-tests/make_capture_5g.sh <run dir> <capture dir>
set -eu
RUN=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 "$HERE/prepare_5g_run.py" "$RUN"
"$HERE/../5g/make_capture.sh" "$RUN" "$OUT"
cp "$RUN/logs/test.out" "$RUN/logs/mongo.out" "$OUT/logs/"
# PDUs a test UE sent under another UE's 5G-GUTI (wrong-identity-test): the sender's side,
# then check.txt again on that truth
if grep -q 'ue_nas' "$RUN/logs/test.out"; then
  /usr/bin/python3 "$HERE/apply_ue_truth_5g.py" "$RUN" "$OUT/truth.json"
  /usr/bin/python3 "$HERE/../5g/derive_check.py" "$OUT/truth.json" --report "$OUT/check.txt" | tail -1
fi
