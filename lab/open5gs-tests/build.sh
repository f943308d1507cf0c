#!/bin/bash
# Builds what lab/open5gs-tests needs: Open5GS v2.7.7 with lab/5g's patches and
# open5gs-o5lab.patch, its EPC NFs (MME, HSS, SGW-C, SGW-U, PCRF) beside the 5G
# ones, the freeDiameter extensions, and the test programs (tests/attach,
# tests/handover, tests/registration), plus the SCTP shim; in $BUILD (default
# /work/o5lab-build).  Run as root on Debian 12.
#
# Sources as lab/5g/build.sh takes them: MIRROR_OPEN5GS, MIRROR_FREEDIAMETER,
# MIRROR_PROMETHEUS (bare git dirs), or an unpacked Open5GS tree to copy
# (FROM=/work/lab5g-build/src/open5gs: lab/5g's, already patched with
# lab/5g/open5gs-*.patch; its build directory is not copied, meson sets up a
# fresh one, because a meson build directory holds absolute paths).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
LAB5G=$HERE/../5g
BUILD=${BUILD:-/work/o5lab-build}
JOBS=${JOBS:-2}
SRC=$BUILD/src/open5gs
mkdir -p "$BUILD/src"
stamp() { date +%s; }
t0=$(stamp)

DEBIAN_FRONTEND=noninteractive apt-get install -y -q meson ninja-build build-essential flex bison \
  libsctp-dev libgnutls28-dev libgcrypt-dev libssl-dev libidn11-dev libmongoc-dev libbson-dev \
  libyaml-dev libnghttp2-dev libmicrohttpd-dev libcurl4-gnutls-dev libtalloc-dev \
  tcpdump tshark iproute2 python3-bson python3-cryptography > "$BUILD/apt.log"

if [ ! -d "$SRC" ]; then
  if [ -n "${FROM:-}" ]; then
    mkdir -p "$SRC"
    (cd "$FROM" && tar -c --exclude=./build .) | tar -x -C "$SRC"
  else
    # lab/5g/build.sh unpacks and patches (and builds its 5G NFs) into $BUILD
    BUILD=$BUILD "$LAB5G/build.sh"
  fi
fi
if [ ! -e "$SRC/.o5lab-patched" ]; then
  # lab/5g's patches, unless the tree has them already (its truth log)
  grep -q ogs_kdf_truth "$SRC/lib/crypt/ogs-kdf.h" ||
    for p in "$LAB5G"/open5gs-*.patch; do patch -d "$SRC" -p1 < "$p"; done
  patch -d "$SRC" -p1 < "$HERE/open5gs-o5lab.patch"
  touch "$SRC/.lab-patched" "$SRC/.o5lab-patched"
fi
if [ ! -e "$SRC/.o5lab-wrong-identity-patched" ]; then
  # tests/attach wrong-identity-test (s24): a Service Request under another UE's S-TMSI
  patch -d "$SRC" -p1 < "$HERE/open5gs-wrong-identity.patch"
  touch "$SRC/.o5lab-wrong-identity-patched"
fi

cd "$SRC"
[ -d build ] || nice -n 10 meson setup build --buildtype=plain > "$BUILD/open5gs-meson.log"
NFS="nrf scp ausf udm udr pcf nssf bsf smf upf amf mme hss sgwc sgwu pcrf"
FDX=$(ninja -C build -t targets all | grep -o '^subprojects/freeDiameter/extensions/[^:]*\.fdx' | grep -v '\.p/' | sort -u)
nice -n 10 ninja -C build -j"$JOBS" $(for n in $NFS; do echo src/$n/open5gs-${n}d; done) $FDX \
  tests/attach/attach tests/handover/handover tests/registration/registration > "$BUILD/open5gs-ninja.log"
gcc -O2 -Wall -shared -fPIC -o "$BUILD/sctp_shim.so" "$LAB5G/sctp_shim.c" -ldl -lpthread
echo "build $(( $(stamp) - t0 )) s" | tee -a "$BUILD/build-times.txt"
