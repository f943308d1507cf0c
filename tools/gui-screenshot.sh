#!/bin/sh
# Takes docs/gui-s01-attach-accept.png: Wireshark (Qt) under Xvfb with the build tree's kasme,
# s01's S1AP capture, frame 10 (Attach accept) selected and the kasme subtree expanded.
# Needs: apt-get install wireshark-qt xvfb imagemagick xdotool
set -e
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'kill $ws $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp -r build/plugins "$tmp/plugins" && chmod -R a+rX "$tmp/plugins"
mkdir -m 777 "$tmp/cfg"
printf '"User 3 (DLT=150)","s1ap","0","","0",""\n' > "$tmp/cfg/user_dlts"
cp captures/s01-eea2-eia2/epc_s1ap.pcap keyfiles/srsran-milenage.keys "$tmp/"
chmod a+r "$tmp"/* "$tmp/cfg/user_dlts"
Xvfb :77 -screen 0 1600x1000x24 >/dev/null 2>&1 & xvfb=$!
sleep 2
run=""
[ "$(id -u)" -eq 0 ] && run="setpriv --reuid=65534 --regid=65534 --clear-groups"
$run env DISPLAY=:77 WIRESHARK_PLUGIN_DIR="$tmp/plugins" WIRESHARK_CONFIG_DIR="$tmp/cfg" \
    HOME="$tmp/cfg" wireshark -r "$tmp/epc_s1ap.pcap" -o "kasme.key_file:$tmp/srsran-milenage.keys" \
    -o gui.packet_list_show_minimap:FALSE -g 10 >/dev/null 2>&1 & ws=$!
sleep 10
w=$(DISPLAY=:77 xdotool search --name epc_s1ap | head -1)
DISPLAY=:77 xdotool windowmove "$w" 0 0 windowsize "$w" 1600 1000
sleep 2
DISPLAY=:77 xdotool mousemove 230 596 click 1 key Right   # the kasme line of frame 10
sleep 1
DISPLAY=:77 import -window root docs/gui-s01-attach-accept.png
echo docs/gui-s01-attach-accept.png
