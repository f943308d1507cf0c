#!/bin/sh
# Builds kasme and runs its whole suite inside a chroot made by tools/make-chroot.sh, against
# that Debian's Wireshark: tools/test-chroot.sh trixie|forky. Needs root.
set -e
suite="${1:?usage: tools/test-chroot.sh trixie|forky}"
root="${KASME_CHROOTS:-/var/tmp/kasme-chroots}/$suite"
here="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$root/.kasme-ready" ] || "$here/tools/make-chroot.sh" "$suite"
rm -rf "$root/kasme"
mkdir -p "$root/kasme"
# the checkout without its build trees
(cd "$here" && tar cf - --exclude=./build --exclude='./build-*' .) | tar xf - -C "$root/kasme"
mounted=""
if ! [ -e "$root/proc/self" ]; then
    mount -t proc proc "$root/proc" && mounted=1
fi
status=0
chroot "$root" sh -c 'cd /kasme && tshark --version | head -1 &&
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build build -j"$(nproc)" && cd build && ctest --output-on-failure -j"$(nproc)"' || status=$?
[ -n "$mounted" ] && umount "$root/proc"
exit $status
