#!/usr/bin/env python3
"""Smoke tests of the plugin in tshark.

  check_plugin.py listed PLUGIN_SO WS_VERSION
      `tshark -G protocols` lists kasme from the build tree.
  check_plugin.py unchanged PLUGIN_SO WS_VERSION CAPTURES_DIR
      With no key file, tshark's full output (-V) on the bundled captures is byte for byte
      what it is without the plugin.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

SAMPLES = [("s01-eea2-eia2", "epc_s1ap.pcap"), ("s01-eea2-eia2", "ue_nas.pcap"),
           ("s02-eea1-eia1", "enb_mac.pcap"), ("s07-reattach", "epc_s1ap.pcap")]


def listed(plugin, version):
    ts = Tshark(plugin, version)
    try:
        out = ts.run(["-G", "protocols"]).stdout
    finally:
        ts.close()
    # the first three columns; Wireshark 4.4 added more after them
    ok = any(line.startswith("NAS/RRC security (kasme)\tkasme\tkasme")
             for line in out.splitlines())
    print("kasme %s in tshark -G protocols" % ("listed" if ok else "NOT listed"))
    return ok


def dissect(plugin, version, use_plugin, capture):
    ts = Tshark(plugin, version, use_plugin=use_plugin)
    try:
        cap = ts.stage(capture)
        return ts.run(["-r", cap, "-V"] + DLT_PREFS[link_of(os.path.basename(capture))]).stdout
    finally:
        ts.close()


def unchanged(plugin, version, captures):
    passed = failed = 0
    for scenario, pcap in SAMPLES:
        path = os.path.join(captures, scenario, pcap)
        with_plugin = dissect(plugin, version, True, path)
        without = dissect(plugin, version, False, path)
        same = with_plugin == without and len(without) > 1000
        print("%s/%s: %d bytes of -V output, %s" % (scenario, pcap, len(without),
                                                   "identical" if same else "DIFFERENT"))
        passed, failed = passed + same, failed + (not same)
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


def main():
    mode, plugin, version = sys.argv[1:4]
    if mode == "listed":
        return 0 if listed(plugin, version) else 1
    return 0 if unchanged(plugin, version, sys.argv[4]) else 1


if __name__ == "__main__":
    sys.exit(main())
