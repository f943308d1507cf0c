#!/bin/bash
# One run of an Open5GS test program (tests/attach, tests/handover, ...) with
# its simulated eNB/gNB and UE against the real NFs, captured on loopback.
#
#   run_test.sh <run name> <test program> <suite> [more suites]
#   e.g. run_test.sh s6a-simple attach simple-test
#
# Everything runs in a network namespace of its own (o5lab-<name>): its own lo,
# ogstun and ports, so other labs on the machine (and their MongoDB stand-in on
# 27017, their ogstun) are not disturbed.  In it: tcpdump on lo, the MongoDB
# stand-in (lab/5g/mongo_standin.py; the test inserts and removes its
# subscriber), and the test program with the SCTP shim preloaded (it spawns
# the NFs, which inherit the shim; with O5LAB_LOGDIR each NF's output goes to
# logs/<nf>.log, see open5gs-o5lab.patch).
# Env: BUILD (default /work/o5lab-build), EEA, EIA (default EEA2/EIA2;
# NEA/NIA follow), RUNROOT (default $BUILD/runs).
set -u
NAME=${1:?run name}
PROG=${2:?test program: attach, handover, registration, ...}
shift 2
BUILD=${BUILD:-/work/o5lab-build}
HERE=$(cd "$(dirname "$0")" && pwd)
LAB5G=$HERE/../5g
O5=$BUILD/src/open5gs/build
RUN=${RUNROOT:-$BUILD/runs}/$NAME
NS=o5lab-$NAME
EEA=${EEA:-EEA2} EIA=${EIA:-EIA2}

if [ -z "${O5LAB_IN_NS:-}" ]; then
  rm -rf "$RUN"; mkdir -p "$RUN/logs"
  ip netns del "$NS" 2>/dev/null
  ip netns add "$NS" || exit 1
  O5LAB_IN_NS=1 ip netns exec "$NS" "$0" "$NAME" "$PROG" "$@"
  rc=$?
  ip netns del "$NS"
  exit $rc
fi

log() { echo "[$(date +%T.%N | cut -c1-12)] $*" | tee -a "$RUN/run.txt"; }
{
  echo "name=$NAME program=tests/$PROG suites=$* eea=$EEA eia=$EIA"
  echo "open5gs: $(cat "$BUILD/src/open5gs/.lab-commit" 2>/dev/null || echo '?')"
} > "$RUN/run.txt"

ip link set lo up
ip tuntap add name ogstun mode tun
ip addr add 10.45.0.1/16 dev ogstun
ip addr add 2001:db8:cafe::1/48 dev ogstun
ip link set ogstun up

/usr/bin/python3 "$HERE/gen_config.py" "$O5/configs/sample.yaml" "$RUN/sample.yaml" --eea "$EEA" --eia "$EIA" || exit 1

tcpdump -i lo -s 0 -U -w "$RUN/lo.pcap" not port 27017 > "$RUN/logs/tcpdump.out" 2>&1 &
TCPDUMP=$!
/usr/bin/python3 "$LAB5G/mongo_standin.py" --state "$RUN/subscribers-after.json" > "$RUN/logs/mongo.out" 2>&1 &
MONGO=$!
sleep 1
log "start tests/$PROG $*"
(cd "$O5" && O5LAB_LOGDIR="$RUN/logs" LD_PRELOAD="$BUILD/sctp_shim.so" \
  timeout 300 "./tests/$PROG/$PROG" -c "$RUN/sample.yaml" -e info "$@") > "$RUN/logs/test.out" 2>&1
rc=$?
log "tests/$PROG exit $rc: $(grep -E 'SUCCESS|FAILED|Failed' "$RUN/logs/test.out" | tr '\n' ' ')"
sleep 1
kill "$TCPDUMP" "$MONGO"
wait "$TCPDUMP" "$MONGO" 2>/dev/null
exit $rc
