#!/bin/sh
# Makes a Debian chroot with another Wireshark to build and test kasme against:
#   tools/make-chroot.sh trixie   (Debian 13, Wireshark 4.4)
#   tools/make-chroot.sh forky    (Debian testing, Wireshark 4.6)
# The chroot lives in ${KASME_CHROOTS:-/var/tmp/kasme-chroots}/<suite>; needs root.
set -e
suite="${1:?usage: tools/make-chroot.sh trixie|forky}"
root="${KASME_CHROOTS:-/var/tmp/kasme-chroots}/$suite"
mirror="${KASME_MIRROR:-http://deb.debian.org/debian}"
pkgs="build-essential cmake pkg-config libglib2.0-dev libgcrypt20-dev libjson-glib-dev libwireshark-dev wireshark-dev tshark python3 util-linux gdb file"
if [ -x "$root/usr/bin/tshark" ] && [ -f "$root/.kasme-ready" ]; then
    echo "$root: ready"
    exit 0
fi
command -v debootstrap >/dev/null || {
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap
}
mkdir -p "$root"
# debootstrap of a newer suite than the host's needs its script: sid's serves for forky
script="$suite"
[ -e "/usr/share/debootstrap/scripts/$suite" ] || script=sid
[ -x "$root/usr/bin/apt-get" ] || DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase \
    "$suite" "$root" "$mirror" "/usr/share/debootstrap/scripts/$script"
# a mirror snapshot of testing may carry an expired Release file
echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99kasme"
# apt inside the chroot resolves the build dependencies (debootstrap's --include cannot)
chroot "$root" sh -c "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
    --no-install-recommends $pkgs"
touch "$root/.kasme-ready"
chroot "$root" sh -c 'tshark --version | head -1'
