#!/bin/bash
# Builds the 5G lab: Open5GS (the 5G core NFs, with the two open5gs-*.patch),
# UERANSIM (nr-gnb, nr-ue, nr-cli, with the three ueransim-*.patch) and the
# SCTP-over-TCP shim, out of the git tree, in $BUILD (default
# /work/lab5g-build).  Installs the Debian packages it needs.  Run as root on
# Debian 12.
#
# Sources, at the commits below, come from bare git directories (MIRROR_*; the
# project's `fetch` tool gives them) or from clones you made yourself and put
# at $BUILD/src/<name> beforehand (then MIRROR_* are not needed):
#   MIRROR_OPEN5GS      open5gs/open5gs              tag v2.7.7
#   MIRROR_FREEDIAMETER open5gs/freeDiameter         tag r1.5.0      (meson subproject)
#   MIRROR_PROMETHEUS   open5gs/prometheus-client-c  branch open5gs  (meson subproject)
#   MIRROR_UERANSIM     aligungr/UERANSIM            commit below
set -eu
LAB=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-/work/lab5g-build}
JOBS=${JOBS:-2}
OPEN5GS_REV=318eeb49a7dcdff733dec60e02d9c60aefca2fb9       # v2.7.7
FREEDIAMETER_REV=20196a265aecb7b1573ceb526bb619e092c1fd3f  # r1.5.0
PROMETHEUS_REV=a58ba25bf87a9b1b7c6be4e6f4c62047d620f402    # branch open5gs
UERANSIM_REV=2a3ef81f189ca95d5c1996a28ed7af9734f5cfb4      # v3.3.0-11-g2a3ef81f1
SRC=$BUILD/src
TIMES=$BUILD/build-times.txt
mkdir -p "$SRC"

stamp() { date +%s; }
note_time() { echo "$1 $(( $(stamp) - $2 )) s" | tee -a "$TIMES"; }

t0=$(stamp)
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  meson ninja-build build-essential cmake pkg-config flex bison git \
  libsctp-dev libgnutls28-dev libgcrypt-dev libssl-dev libidn11-dev libmongoc-dev libbson-dev \
  libyaml-dev libnghttp2-dev libmicrohttpd-dev libcurl4-gnutls-dev libtins-dev libtalloc-dev \
  tcpdump tshark iproute2 iputils-ping python3-yaml python3-bson python3-cryptography > "$BUILD/apt.log"
note_time "apt-get" "$t0"

extract() { # extract <dir> <mirror var name> <rev>
  local dir=$1 mirror=${!2:-} rev=$3
  if [ -d "$dir" ]; then echo "using $dir as it is"; return; fi
  [ -n "$mirror" ] || { echo "no $dir and no $2: give a bare git dir or put a checkout of $rev there"; exit 1; }
  mkdir -p "$dir"
  git --git-dir="$mirror" archive "$rev" | tar -x -C "$dir"
  echo "$rev" > "$dir/.lab-commit"
}

extract "$SRC/open5gs" MIRROR_OPEN5GS $OPEN5GS_REV
extract "$SRC/open5gs/subprojects/freeDiameter" MIRROR_FREEDIAMETER $FREEDIAMETER_REV
extract "$SRC/open5gs/subprojects/prometheus-client-c" MIRROR_PROMETHEUS $PROMETHEUS_REV
extract "$SRC/UERANSIM" MIRROR_UERANSIM $UERANSIM_REV

# open5gs-truth-log.patch: the keys and NAS PDUs as "[truth]" log lines.
# open5gs-sbi-fresh-connect.patch: one HTTP/2 connection per SBI request, as
# Debian 12's libcurl 7.88.1 fails the second request on a reused one.
if [ ! -e "$SRC/open5gs/.lab-patched" ]; then
  for p in "$LAB"/open5gs-*.patch; do patch -d "$SRC/open5gs" -p1 < "$p"; done
  touch "$SRC/open5gs/.lab-patched"
fi

# ueransim-gnb-amf-fallback.patch: the gNB sends initial NAS messages that
# carry no Requested NSSAI (Service Request, protected Registration Request) to
# its AMF instead of dropping them ("Could not find a suitable AMF").
# ueransim-ue-mobility-registration.patch: the UE's mobility/periodic
# Registration Request carries its ngKSI (not "no key") and keeps Requested
# NSSAI out of the cleartext part; Open5GS rejected it or re-authenticated.
# ueransim-ue-suci-profile-b.patch: SUCI concealment with ECIES Profile B
# (secp256r1, OpenSSL's libcrypto), which UERANSIM did not implement.
if [ ! -e "$SRC/UERANSIM/.lab-patched" ]; then
  for p in "$LAB"/ueransim-*.patch; do patch -d "$SRC/UERANSIM" -p1 < "$p"; done
  touch "$SRC/UERANSIM/.lab-patched"
fi

# Open5GS: only the 5G core NFs.  buildtype plain (-O0, no -g): its ~3000
# mostly generated C files compile about twice as fast as with -O2.
t0=$(stamp)
cd "$SRC/open5gs"
[ -d build ] || nice -n 10 meson setup build --buildtype=plain > "$BUILD/open5gs-meson.log"
NFS="nrf scp ausf udm udr pcf nssf bsf smf upf amf"
nice -n 10 ninja -C build -j"$JOBS" $(for n in $NFS; do echo src/$n/open5gs-${n}d; done) > "$BUILD/open5gs-ninja.log"
note_time "open5gs ($NFS)" "$t0"

t0=$(stamp)
cd "$SRC/UERANSIM"
nice -n 10 cmake -DCMAKE_BUILD_TYPE=Release -B build . > "$BUILD/ueransim-cmake.log"
nice -n 10 cmake --build build -j"$JOBS" > "$BUILD/ueransim-build.log"
note_time "ueransim" "$t0"

gcc -O2 -Wall -shared -fPIC -o "$BUILD/sctp_shim.so" "$LAB/sctp_shim.c" -ldl -lpthread
echo "built: $SRC/open5gs/build/src/*/open5gs-*d, $SRC/UERANSIM/build/nr-{gnb,ue,cli}, $BUILD/sctp_shim.so"
