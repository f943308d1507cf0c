#!/usr/bin/env python3
"""A dissector exception thrown while kasme reads the carriers' fields must not leak the field
arrays kasme made itself (proto_find_finfo's, on passes whose fields Wireshark did not prime:
tshark -2 -V). tests/shim/throw_shim.c, preloaded into tshark, throws ReportedBoundsError from
the first tvb_memcpy kasme calls while it holds such arrays, and reports at exit how many it
made and how many were never freed. A run without the throw shows the shim sees the arrays.

usage: check_exception.py PLUGIN_SO WS_VERSION SCENARIO_DIR KEYFILE SHIM_SO
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark  # noqa: E402

PCAP = "epc_s1ap.pcap"


def shim_report(plugin, version, scenario, keyfile, shim, throw):
    ts = Tshark(plugin, version)
    try:
        env = {"LD_PRELOAD": ts.stage(shim)}
        if throw:
            env["KASME_SHIM_THROW"] = "1"
        args = ["-r", ts.stage(os.path.join(scenario, PCAP)), "-o",
                "kasme.key_file:" + ts.stage(keyfile), "-2", "-V"] + DLT_PREFS["s1ap"]
        proc = ts.run(args, check=False, extra_env=env)
        m = re.search(r"shim: owned (\d+), thrown (\d+), not freed (\d+)", proc.stderr)
        return [int(x) for x in m.groups()] if m else None, proc
    finally:
        ts.close()


def main():
    plugin, version, scenario, keyfile, shim = sys.argv[1:6]
    ck = Checker("exception")
    for throw in (False, True):
        report, proc = shim_report(plugin, version, scenario, keyfile, shim, throw)
        label = "with an exception thrown" if throw else "without an exception"
        ck.check(report is not None and proc.returncode == 0,
                 "%s: tshark ran with the shim (exit %d)%s" % (label, proc.returncode,
                                                               "" if report else proc.stderr))
        if not report:
            continue
        owned, thrown, not_freed = report
        ck.check(owned > 0 and thrown == (1 if throw else 0) and not_freed == 0,
                 "%s: kasme made %d field arrays, %d exception thrown, %d never freed (want 0)"
                 % (label, owned, thrown, not_freed))
        print("%s %s -2 -V: %d field arrays of kasme's own, %d exception, %d never freed" % (
            label, PCAP, owned, thrown, not_freed))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
