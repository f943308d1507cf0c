#!/bin/sh
# Takes a screenshot of Wireshark (Qt) under Xvfb with the build tree's kasme: a capture, one
# frame selected, kasme's subtree (the line at CLICK_Y of the 1600x1000 window) expanded.
# Usage: tools/gui-screenshot.sh [CAPTURE KEYFILE FRAME OUT CLICK_Y]
# Default: docs/gui-s01-attach-accept.png (s01's S1AP capture, frame 10, the Attach accept).
#   tools/gui-screenshot.sh captures/5g-s06-suci-profile-b/ngap.pcapng \
#       captures/5g-s06-suci-profile-b/subscriber.keys 3 docs/gui-5g-s06-suci-profile-b.png 630
# Needs: apt-get install wireshark-qt xvfb imagemagick xdotool
set -e
cd "$(dirname "$0")/.."
cap="${1:-captures/s01-eea2-eia2/epc_s1ap.pcap}"
keys="${2:-keyfiles/srsran-milenage.keys}"
frame="${3:-10}"
out="${4:-docs/gui-s01-attach-accept.png}"
click_y="${5:-596}"
tmp="$(mktemp -d)"
trap 'kill $ws $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp -r build/plugins "$tmp/plugins" && chmod -R a+rX "$tmp/plugins"
mkdir -m 777 "$tmp/cfg"
# S1AP captures without SCTP/IP use DLT 150; harmless for the others
printf '"User 3 (DLT=150)","s1ap","0","","0",""\n' > "$tmp/cfg/user_dlts"
cp "$cap" "$keys" "$tmp/"
chmod a+r "$tmp"/* "$tmp/cfg/user_dlts"
name="$(basename "$cap")"
Xvfb :77 -screen 0 1600x1000x24 >/dev/null 2>&1 & xvfb=$!
sleep 2
run=""
[ "$(id -u)" -eq 0 ] && run="setpriv --reuid=65534 --regid=65534 --clear-groups"
$run env DISPLAY=:77 WIRESHARK_PLUGIN_DIR="$tmp/plugins" WIRESHARK_CONFIG_DIR="$tmp/cfg" \
    HOME="$tmp/cfg" wireshark -r "$tmp/$name" -o "kasme.key_file:$tmp/$(basename "$keys")" \
    -o gui.packet_list_show_minimap:FALSE -g "$frame" >/dev/null 2>&1 & ws=$!
sleep 10
w=$(DISPLAY=:77 xdotool search --name "${name%.*}" | head -1)
DISPLAY=:77 xdotool windowmove "$w" 0 0 windowsize "$w" 1600 1000
sleep 2
# collapse every subtree (the details pane's first line, then Collapse All), so that the lines
# stand where CLICK_Y expects them, then expand kasme's
DISPLAY=:77 xdotool mousemove 230 545 click 1 key ctrl+Left
sleep 1
DISPLAY=:77 xdotool mousemove 230 "$click_y" click 1 key Right
sleep 1
DISPLAY=:77 import -window root "$out"
echo "$out"
