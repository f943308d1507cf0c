#!/bin/sh
# Installs kasme's .deb into a Debian chroot with apt (its dependencies come from the chroot's
# own Debian) and checks that it runs there: tshark run as nobody lists kasme (the plugin loads
# from Wireshark's global plugin folder, no WIRESHARK_PLUGIN_DIR), and kasme-verify passes a
# bundled capture. Needs root.
#   tools/test-deb.sh CHROOT_DIR build/kasme_*.deb
# A fresh Debian 12 to try it on: debootstrap --variant=minbase bookworm DIR
set -e
root="${1:?usage: tools/test-deb.sh CHROOT_DIR PACKAGE.deb}"
deb="${2:?usage: tools/test-deb.sh CHROOT_DIR PACKAGE.deb}"
here="$(cd "$(dirname "$0")/.." && pwd)"
rm -rf "$root/kasme-test"
mkdir -p "$root/kasme-test"
cp "$deb" "$root/kasme-test/"
cp "$here/captures/s03-eea3-eia3/epc_s1ap.pcap" "$here/keyfiles/srsran-milenage.keys" \
    "$root/kasme-test/"
chmod -R a+rX "$root/kasme-test"
mounted=""
if ! [ -e "$root/proc/self" ]; then
    mount -t proc proc "$root/proc" && mounted=1
fi
status=0
chroot "$root" sh -c 'set -e; cd /kasme-test
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ./*.deb >/dev/null
    dpkg -s kasme | grep -E "^(Version|Depends):"
    dpkg -L kasme | grep -E "kasme.so|kasme-verify"
    tshark --version | head -1
    nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
    $nobody env HOME=/tmp tshark -G protocols | grep -w kasme
    $nobody env HOME=/tmp kasme-verify -k srsran-milenage.keys epc_s1ap.pcap
    kasme-verify -k srsran-milenage.keys epc_s1ap.pcap' || status=$?
[ -n "$mounted" ] && umount "$root/proc"
[ $status -eq 0 ] && echo "test-deb: $(basename "$deb") installs and runs in $root" ||
    echo "test-deb: FAILED in $root" >&2
exit $status
