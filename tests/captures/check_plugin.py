#!/usr/bin/env python3
"""Smoke tests of the plugin in tshark.

  check_plugin.py listed PLUGIN_SO WS_VERSION
      `tshark -G protocols` lists kasme from the build tree.
  check_plugin.py unchanged PLUGIN_SO WS_VERSION CAPTURES_DIR
      With no key file, tshark's output (-V and summary lines) on the bundled captures is byte
      for byte what it is without the plugin, with kasme.keys_from_capture on (the default) on
      captures that carry no keys, and with it off on a 5G core capture that does carry them
      (SBI). As a control, the same 5G capture with the preference on is not unchanged.
"""
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

SAMPLES = [("s01-eea2-eia2", "epc_s1ap.pcap"), ("s01-eea2-eia2", "ue_nas.pcap"),
           ("s02-eea1-eia1", "enb_mac.pcap"), ("s07-reattach", "epc_s1ap.pcap"),
           ("5g-s01-nea2-nia2", "ngap.pcapng")]  # NGAP only: no keys in the capture


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


SBI = ["-d", "tcp.port==7777,http2"]  # the lab's SBI: cleartext HTTP/2 on port 7777


def dissect(plugin, version, use_plugin, capture, args, kasme_args=()):
    ts = Tshark(plugin, version, use_plugin=use_plugin)
    try:
        cap = ts.stage(capture)
        extra = list(kasme_args) if use_plugin else []
        return ts.run(["-r", cap] + args + extra).stdout
    finally:
        ts.close()


def link_args(pcap):
    if pcap.endswith(".pcapng"):
        return SBI
    return DLT_PREFS[link_of(os.path.basename(pcap))]


def lab5g_core_capture(captures, tmp):
    """A 5G lab run's SBI (core.pcapng, with K_AUSF and K_SEAF in clear) and NGAP merged."""
    lab = os.path.join(captures, "5g-s01-nea2-nia2")
    merged = os.path.join(tmp, "5g-s01-core-ngap.pcapng")
    subprocess.run(["mergecap", "-w", merged, os.path.join(lab, "core.pcapng"),
                    os.path.join(lab, "ngap.pcapng")], check=True)
    return merged


def unchanged(plugin, version, captures):
    passed = failed = 0
    tmp = tempfile.mkdtemp(prefix="kasme-unchanged-")
    merged = lab5g_core_capture(captures, tmp)
    on = ["-o", "kasme.keys_from_capture:TRUE"]
    off = ["-o", "kasme.keys_from_capture:FALSE"]
    runs = [(os.path.join(captures, scenario, pcap), mode, on, True)
            for scenario, pcap in SAMPLES for mode in (["-V"], [])]
    runs += [(merged, ["-V"], off, True), (merged, [], off, True), (merged, [], on, False)]
    for path, mode, kasme_args, want_same in runs:
        args = mode + link_args(path)
        with_plugin = dissect(plugin, version, True, path, args, kasme_args)
        without = dissect(plugin, version, False, path, args)
        same = with_plugin == without and len(without) > 500
        ok = same == want_same
        print("%s %s %s: %d bytes of %s output, %s (%s)"
              % ("ok  " if ok else "FAIL", "/".join(path.split("/")[-2:]),
                 " ".join(kasme_args), len(without), "-V" if mode else "summary",
                 "identical" if same else "different", "expected" if ok else "NOT expected"))
        if not ok and want_same:
            sys.stdout.writelines(list(difflib.unified_diff(without.splitlines(True),
                                                            with_plugin.splitlines(True)))[:40])
        passed, failed = passed + ok, failed + (not ok)
    shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


def main():
    mode, plugin, version = sys.argv[1:4]
    if mode == "listed":
        return 0 if listed(plugin, version) else 1
    return 0 if unchanged(plugin, version, sys.argv[4]) else 1


if __name__ == "__main__":
    sys.exit(main())
