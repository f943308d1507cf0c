#!/usr/bin/env python3
"""kasme-verify on a public 5G capture (Open5GS's own test run): exit 0 and --json counts equal
to the independent truth (every SMC and protected NAS PDU verified, NGAP SecurityKeys confirmed
as K_gNB); with one PDU tampered with, exit 1 naming that frame.

usage: check_verify5g.py PLUGIN_TREE SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas5g import Checker  # noqa: E402
from check_negative5g import as_pcap, nas_pdu_of, patch_frames  # noqa: E402


def main():
    plugin_tree, src = sys.argv[1:3]
    verify = os.path.join(src, "tools", "kasme-verify")
    capdir = os.path.join(src, "captures", "public5g", "open5gs-testregistration")
    cap = os.path.join(capdir, "testregistration.pcapng")
    keys = os.path.join(src, "keyfiles", "public5g.keys")
    truth = json.load(open(os.path.join(capdir, "truth.json")))
    env = dict(os.environ, KASME_PLUGIN_DIR=plugin_tree)
    ck = Checker("kasme-verify 5G")
    tmp = tempfile.mkdtemp(prefix="kasme-verify5g-")

    def run(*args):
        p = subprocess.run([sys.executable, verify] + list(args), env=env, capture_output=True,
                           text=True, timeout=600)
        return p.returncode, p.stdout

    try:
        rc, out = run("-k", keys, "--json", cap)
        s = json.loads(out)["captures"][cap]["summary"]
        nas = len(truth["smc"]) + len(truth["protected"])
        ck.check(rc == 0 and s["protected"] == s["verified"] == nas and s["mac_failed"] == 0 and
                 s["kenb_confirmed"] > 0 and s["kenb_mismatch"] == 0,
                 "exit 0, %d NAS PDUs verified and every K_gNB confirmed: rc %d %s" % (nas, rc, s))

        target = truth["protected"][100]["frame"]
        bad = as_pcap(cap, tmp)
        pdu = nas_pdu_of(bad, target)
        patch_frames(bad, {target}, lambda b: b.replace(pdu, pdu[:-1] + bytes([pdu[-1] ^ 1])))
        rc, out = run("-k", keys, bad)
        ck.check(rc == 1 and "FAIL" in out and ("frame %d" % target) in out,
                 "tampered frame %d: exit 1 and the frame named (rc %d)" % (target, rc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ck.report()


if __name__ == "__main__":
    sys.exit(main())
