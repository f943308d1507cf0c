#!/bin/bash
# The captures this lab made: capture folder, test program, suite, domain, the
# MME's (AMF's: NEA/NIA of the same number) first ciphering and integrity algorithm.
# Runs each (run_test.sh) and turns it into its folder under captures/
# (make_capture_lte.sh or make_capture_5g.sh).
#   lab/open5gs-tests/captures.sh                 # all
#   lab/open5gs-tests/captures.sh s16-open5gs-s6a # one
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TREE=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-/work/o5lab-build}
TABLE="
s16-open5gs-s6a         attach       simple-test  lte  EEA2 EIA2
s17-open5gs-x2-handover handover     epc-x2-test  lte  EEA2 EIA2
s18-open5gs-s1-handover handover     epc-s1-test  lte  EEA2 EIA2
s19-open5gs-guti        attach       guti-test    lte  EEA2 EIA2
s20-open5gs-auth        attach       auth-test    lte  EEA2 EIA2
s21-open5gs-idle        attach       idle-test    lte  EEA2 EIA2
5g-s10-xn-handover      handover     5gc-xn-test  5g  EEA2 EIA2
5g-s11-n2-handover      handover     5gc-n2-test  5g  EEA2 EIA2
5g-s12-guti             registration guti-test    5g  EEA2 EIA2
5g-s13-auth             registration auth-test    5g  EEA2 EIA2
s22-open5gs-eea1-eia1   attach       simple-test  lte  EEA1 EIA1
s23-open5gs-eea3-eia3   attach       simple-test  lte  EEA3 EIA3
s24-open5gs-wrong-identity attach   wrong-identity-test lte EEA2 EIA2
5g-s14-wrong-identity registration wrong-identity-test 5g EEA2 EIA2
"
rc=0
while read -r name prog suite domain eea eia; do
  [ -n "$name" ] || continue
  [ $# -eq 0 ] || [ "$1" = "$name" ] || continue
  BUILD=$BUILD EEA=$eea EIA=$eia "$HERE/run_test.sh" "$name" "$prog" "$suite" || { rc=1; continue; }
  rm -rf "$TREE/captures/$name"
  "$HERE/make_capture_$domain.sh" "$BUILD/runs/$name" "$TREE/captures/$name" || rc=1
done <<< "$TABLE"
exit $rc
