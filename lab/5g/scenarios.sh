#!/bin/bash
# The 5G scenarios of captures/5g-*: one line each, name, mode of
# run_scenario.sh, and its environment.  Runs the named ones (all without
# arguments) and turns each run into captures/<name>/ with make_capture.sh.
#
#   BUILD=/work/lab5g-build lab/5g/scenarios.sh [name ...]
set -u
LAB=$(cd "$(dirname "$0")" && pwd)
TREE=$(cd "$LAB/../.." && pwd)
BUILD=${BUILD:-/work/lab5g-build}
CAPTURES=${CAPTURES:-$TREE/captures}

SCENARIOS="
5g-s01-nea2-nia2        basic  NEA=NEA2 NIA=NIA2
5g-s02-nea1-nia1        basic  NEA=NEA1 NIA=NIA1
5g-s03-nea3-nia3        basic  NEA=NEA3 NIA=NIA3
5g-s04-nea0-nia2        basic  NEA=NEA0 NIA=NIA2
5g-s05-suci-profile-a   basic  NEA=NEA2 NIA=NIA2 SCHEME=1
5g-s06-suci-profile-b   basic  NEA=NEA2 NIA=NIA2 SCHEME=2
5g-s07-service-request  idle   NEA=NEA2 NIA=NIA2
5g-s08-reregistration   rereg  NEA=NEA2 NIA=NIA2 T3512=10
5g-s09-two-ues          basic  NEA=NEA2 NIA=NIA2 UES=2
"

# Not made: EAP-AKA' (Open5GS v2.7.7's UDM answers 5G-AKA only).  See
# lab/5g/README.md.

want=" $* "
echo "$SCENARIOS" | while read -r name mode env; do
  [ -n "$name" ] || continue
  [ $# -eq 0 ] || [[ "$want" == *" $name "* ]] || continue
  echo "=== $name ($mode; $env)"
  env $env BUILD="$BUILD" bash "$LAB/run_scenario.sh" "$name" "$mode" || { echo "run of $name failed"; continue; }
  rm -rf "${CAPTURES:?}/$name"
  bash "$LAB/make_capture.sh" "$BUILD/runs/$name" "$CAPTURES/$name"
done
