#!/bin/sh
# Installs what kasme needs to build and test on Debian 12 (or later), if it is missing.
set -e
PKGS="build-essential cmake pkg-config libglib2.0-dev libgcrypt20-dev libjson-glib-dev
      libwireshark-dev wireshark-dev tshark python3 util-linux gdb file"
missing=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "kasme: installing$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
# noninteractive: skips tshark's question about capturing as a non-superuser
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
