#!/bin/bash
# Runs one 5G scenario: MongoDB stand-in, Open5GS's NFs, UERANSIM's gNB and
# UE(s), with tcpdump on loopback; leaves configs, logs and the raw capture in
# $RUNROOT/<name>/.  Needs root (TUN devices, network namespaces, tcpdump).
#
#   BUILD=/work/lab5g-build lab/5g/run_scenario.sh <name> [mode]
# Environment: NEA (NEA2), NIA (NIA2), UES (1), SCHEME (0 null, 1 Profile A,
#   2 Profile B), RUNROOT ($BUILD/runs).
# Modes: basic     register, PDU session, ping, deregister
#        idle      basic, then the gNB releases the UE (CM-IDLE) and a ping
#                  from the UE brings it back with a Service Request; again,
#                  with a ping to the UE (paging, then Service Request)
#        rereg     basic, then CM-IDLE until T3512 (env T3512, seconds)
#                  expires: periodic registration update with the 5G-GUTI
set -u
NAME=${1:?scenario name}
MODE=${2:-basic}
BUILD=${BUILD:-/work/lab5g-build}
LAB=$(cd "$(dirname "$0")" && pwd)
O5=$BUILD/src/open5gs/build
UR=$BUILD/src/UERANSIM/build
RUN=${RUNROOT:-$BUILD/runs}/$NAME
SHIM=$BUILD/sctp_shim.so
NEA=${NEA:-NEA2} NIA=${NIA:-NIA2} UES=${UES:-1} SCHEME=${SCHEME:-0} T3512=${T3512:-0}
PY=/usr/bin/python3
PIDS=()

log() { echo "[$(date +%T)] $*" | tee -a "$RUN/run.txt"; }

start() { # start <logname> <cmd...>: background, stdout+stderr to logs/<logname>.out
  local n=$1; shift
  "$@" > "$RUN/logs/$n.out" 2>&1 &
  PIDS+=($!)
}

stop_all() {
  local p
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    p=${PIDS[i]}
    kill -INT "$p" 2>/dev/null
    sleep 0.3
  done
  sleep 2
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_all EXIT

wait_for() { # wait_for <file> <regex> <seconds>
  local t=0
  until grep -qE "$2" "$1" 2>/dev/null; do
    sleep 1; t=$((t+1))
    if [ $t -ge "$3" ]; then log "timeout waiting for /$2/ in $1"; return 1; fi
  done
}

rm -rf "$RUN"; mkdir -p "$RUN/logs" "$RUN/conf"
$PY "$LAB/gen_configs.py" --samples "$O5/configs/open5gs" --out "$RUN/conf" --logs "$RUN/logs" \
  --nea "$NEA" --nia "$NIA" --ues "$UES" --scheme "$SCHEME" --t3512 "$T3512" || exit 1
case $MODE in
  basic) what="register, PDU session, ping 10.45.0.1, deregister" ;;
  idle) what="basic; gNB releases the UE, UE ping (Service Request); released again, ping to the UE (paging, Service Request)" ;;
  rereg) what="basic; gNB releases the UE, T3512 expires (periodic registration update), ping" ;;
  *) echo "unknown mode $MODE"; exit 1 ;;
esac
{
  echo "name=$NAME mode=$MODE nea=$NEA nia=$NIA ues=$UES scheme=$SCHEME t3512=$T3512"
  echo "what: $what"
  echo "open5gs: $(cat "$BUILD/src/open5gs/.lab-commit" 2>/dev/null || echo '?') ueransim: $(cat "$BUILD/src/UERANSIM/.lab-commit" 2>/dev/null || echo '?')"
} > "$RUN/run.txt"

# Loopback addresses of Open5GS's samples (127.0.0.2..20, .200 for the SCP).
for i in $(seq 2 20) 200; do ip addr add 127.0.0.$i/8 dev lo 2>/dev/null; done

# The UPF's TUN device with the UE pool's gateway address (Open5GS's docs do
# the same by hand); the kernel answers the UEs' pings to 10.45.0.1.
if ! ip link show ogstun > /dev/null 2>&1; then
  ip tuntap add name ogstun mode tun
  ip addr add 10.45.0.1/16 dev ogstun
fi
ip link set ogstun up

start tcpdump tcpdump -i lo -s 0 -U -w "$RUN/lo.pcap" not port 27017
sleep 1
start mongo $PY "$LAB/mongo_standin.py" --subscribers "$RUN/conf/subscribers.json" --state "$RUN/subscribers-after.json"
sleep 1
for nf in nrf scp ausf udm udr pcf nssf bsf smf upf; do
  start $nf "$O5/src/$nf/open5gs-${nf}d" -c "$RUN/conf/$nf.yaml"
  sleep 0.5
done
sleep 2
start amf env LD_PRELOAD="$SHIM" "$O5/src/amf/open5gs-amfd" -c "$RUN/conf/amf.yaml"
wait_for "$RUN/logs/amf.log" "ngap_server" 20 || exit 1
sleep 2
start gnb env LD_PRELOAD="$SHIM" "$UR/nr-gnb" -c "$RUN/conf/gnb.yaml"
wait_for "$RUN/logs/gnb.out" "NG Setup procedure is successful" 20 || exit 1
for u in $(seq 1 "$UES"); do
  start ue$u "$UR/nr-ue" -c "$RUN/conf/ue$u.yaml"
done
for u in $(seq 1 "$UES"); do
  wait_for "$RUN/logs/ue$u.out" "TUN interface\[.*\] is up|Connection setup for PDU session.*is successful" 40 || exit 1
done
log "UE(s) registered, PDU session up"
sleep 1

ue_ns() { ip netns list | awk '{print $1}' | grep "^ue5g$1-" | head -1; }
ping_ue() { # ping_ue <ue index> <count>
  local ns; ns=$(ue_ns "$1")
  log "ping from $ns"
  ip netns exec "$ns" ping -c "$2" -i 0.5 -W 2 10.45.0.1 >> "$RUN/logs/ping$1.out" 2>&1
  log "  $(grep transmitted "$RUN/logs/ping$1.out" | tail -1)"
}
nr_cli() { "$UR/nr-cli" "$@"; }
ue_node() { nr_cli --dump | grep "imsi-" | sed -n "${1}p"; }

# No IPv6 on the UEs' TUNs: its router solicitations would be uplink data
# that wakes an idle UE (a Service Request nobody asked for).
for u in $(seq 1 "$UES"); do
  ip netns exec "$(ue_ns "$u")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
for u in $(seq 1 "$UES"); do ping_ue "$u" 3; done

gnb_node() { nr_cli --dump | grep -v "imsi-" | head -1; }
release_ue() { # the gNB asks the AMF to release the UE's context: UE to CM-IDLE
  local id
  id=$(nr_cli "$(gnb_node)" -e ue-list | sed -n 's/.*ue-id: *\([0-9]*\).*/\1/p' | head -1)
  log "gNB releases ue-id $id"
  nr_cli "$(gnb_node)" -e "ue-release $id" >> "$RUN/logs/cli.out" 2>&1
  sleep 2
}

case $MODE in
  idle)
    # UE-triggered Service Request: uplink data while CM-IDLE.
    release_ue
    ping_ue 1 3
    # Network-triggered: downlink data while CM-IDLE; the AMF pages the UE,
    # which answers with a Service Request.
    release_ue
    log "ping the UE from the data network side"
    ping -c 3 -i 0.5 -W 3 10.45.0.2 >> "$RUN/logs/ping-dl.out" 2>&1
    log "  $(grep transmitted "$RUN/logs/ping-dl.out" | tail -1)"
    ;;
  rereg)
    # CM-IDLE until T3512 runs out: periodic registration update with the
    # 5G-GUTI, on the stored NAS security context.  Then data again.
    release_ue
    log "waiting $((T3512 + 4)) s for T3512"
    sleep $((T3512 + 4))
    ping_ue 1 3
    ;;
esac

for u in $(seq 1 "$UES"); do
  log "UE $u deregisters"
  nr_cli "$(ue_node "$u")" -e "deregister disable-5g" >> "$RUN/logs/cli.out" 2>&1 || true
done
sleep 3
log "done, stopping"
stop_all
trap - EXIT
cp "$RUN"/logs/*.out "$RUN"/logs/*.log "$RUN/" 2>/dev/null
log "run in $RUN"
