#!/usr/bin/env python3
"""No key kasme derived is left in tshark's memory once kasme's cleanup routine has run: the
results of each frame (pinfo->pool) and the results kept whole for later passes
(wmem_file_scope) are wiped, not only the tracker. tshark runs under gdb, stopped right after
kasme_keys_cleanup returns, and its memory (gcore) is searched for every key of the s01
capture's ground truth (K_ASME, K_NASenc, K_NASint; on the radio side K_eNB, K_RRCenc,
K_RRCint, K_UPenc; S1AP carries K_eNB itself, so it is not looked for there).

usage: check_wiped.py PLUGIN_SO WS_VERSION SCENARIO_DIR KEYFILE
exit 77 (skipped) without gdb, or where gdb may not trace (ptrace not permitted).
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

GDB_SCRIPT = """set pagination off
set breakpoint pending on
break kasme_keys_cleanup
run
finish
gcore %s
kill
quit
"""


def truth_keys(truth, pcap):
    ue = truth["ue"][0]
    keys = {"K_ASME": ue["aka"][0]["K_ASME"]}
    keys.update({k: ue["nas_security"][0][k] for k in ("K_NASenc", "K_NASint")})
    if link_of(pcap) == "mac":
        keys.update({k: ue["as_security"][0][k]
                     for k in ("K_eNB", "K_RRCenc", "K_RRCint", "K_UPenc")})
    return keys


def memory_after_cleanup(plugin, version, scenario, pcap, keyfile, extra):
    ts = Tshark(plugin, version)
    try:
        core = os.path.join(ts.tmp, "core")
        script = os.path.join(ts.tmp, "gdb.cmds")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT % core)
        os.chmod(script, 0o644)
        os.chmod(ts.tmp, 0o777)  # gcore writes as tshark's user
        args = ["-r", ts.stage(os.path.join(scenario, pcap)), "-o",
                "kasme.key_file:" + ts.stage(keyfile), "-l"] + extra + DLT_PREFS[link_of(pcap)]
        proc = ts.run(args, check=False, wrapper=["gdb", "-batch", "-x", script, "--args"])
        if "ptrace: Operation not permitted" in proc.stdout + proc.stderr:
            print("gdb may not trace here (ptrace not permitted): skipped")
            sys.exit(77)
        stopped = "Breakpoint 1," in proc.stdout and os.path.exists(core)
        return stopped, proc.stdout, open(core, "rb").read() if stopped else b""
    finally:
        ts.close()


def main():
    plugin, version, scenario, keyfile = sys.argv[1:5]
    if not shutil.which("gdb"):
        print("gdb not installed: skipped")
        return 77
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    ck = Checker("wiped")
    runs = [("epc_s1ap.pcap", [], "Attach accept"),
            ("enb_mac.pcap", [], "UECapabilityEnquiry"),
            ("enb_mac.pcap", ["-2", "-V", "-o", "kasme.show_keys:TRUE"], "UECapabilityEnquiry")]
    for pcap, extra, deciphered in runs:
        label = "%s %s" % (pcap, " ".join(extra))
        stopped, out, memory = memory_after_cleanup(plugin, version, scenario, pcap, keyfile,
                                                    extra)
        ck.check(stopped and deciphered.lower() in out.lower(),
                 "%s: tshark stopped after kasme's cleanup, having deciphered %s" % (label,
                                                                                   deciphered))
        for name, hex_key in truth_keys(truth, pcap).items():
            n = memory.count(bytes.fromhex(hex_key))
            ck.check(stopped and n == 0, "%s: %s in memory after cleanup %d times (want 0)"
                     % (label, name, n))
        print("%s: %d octets of memory searched for %d keys" % (label, len(memory),
                                                                len(truth_keys(truth, pcap))))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
