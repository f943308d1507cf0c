#!/usr/bin/env python3
"""kasme-verify as a CI gate, on the bundled captures: exit 0 when all verifies (with counts
equal to the ground truth's), 1 naming the frames when keys are wrong or a PDU was tampered
with, 2 for a bad key file or bad usage; --json; --write-expect then --expect shows no
differences on the same capture and names the changed frame on a tampered one.

usage: check_verify.py PLUGIN_TREE SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from check_negative import flip_last_octet  # noqa: E402


def main():
    plugin_tree, src = sys.argv[1:3]
    verify = os.path.join(src, "tools", "kasme-verify")
    caps = os.path.join(src, "captures")
    keys = os.path.join(src, "keyfiles", "srsran-milenage.keys")
    env = dict(os.environ, KASME_PLUGIN_DIR=plugin_tree)
    ck = Checker("kasme-verify")
    tmp = tempfile.mkdtemp(prefix="kasme-verify-test-")

    def run(*args):
        p = subprocess.run([sys.executable, verify] + list(args), env=env, capture_output=True,
                           text=True, timeout=600)
        return p.returncode, p.stdout, p.stderr

    try:
        s1ap = os.path.join(caps, "s07-reattach", "epc_s1ap.pcap")
        mac = os.path.join(caps, "s12-paging", "enb_mac.pcap")
        rc, out, err = run("-k", keys, s1ap, mac)
        ck.check(rc == 0 and out.count("PASS") == 2, "good keys: exit 0, two PASS (%d) %s" % (rc, out + err))

        rc, out, _ = run("-k", keys, "--json", s1ap)
        result = json.loads(out)["captures"][s1ap]["summary"]
        truth = json.load(open(os.path.join(caps, "s07-reattach", "truth.json")))
        protected = sum(1 for ue in truth["ue"] for m in ue["nas_messages"] if m["sec_hdr_type"]
                        and any(f["pcap"] == "epc_s1ap.pcap" for f in m.get("frames", [])))
        ck.check(rc == 0 and result["protected"] == protected == result["verified"] and
                 result["kenb_confirmed"] == 3, "--json counts equal truth: %s" % result)

        rc, out, _ = run("-k", os.path.join(src, "keyfiles", "srsran-xor.keys"), s1ap)
        ck.check(rc == 1 and "FAIL" in out and "no subscriber's MAC-A matches" in out,
                 "wrong keys: exit 1, AKA mismatch named (%d)" % rc)

        bad = os.path.join(tmp, "bad.keys")
        open(bad, "w").write("imsi=001010123456780 k=0011\n")
        rc, _, err = run("-k", bad, s1ap)
        ck.check(rc == 2 and "bad.keys:1:" in err, "bad key file: exit 2 with file:line (%d)" % rc)
        rc, _, _ = run(s1ap)
        ck.check(rc == 2, "no -k: exit 2 (%d)" % rc)

        expect = os.path.join(tmp, "approved.json")
        rc, _, _ = run("-k", keys, "--write-expect", expect, s1ap)
        rc, out, _ = run("-k", keys, "--expect", expect, s1ap)
        ck.check(rc == 0 and "no differences" in out, "--expect on the same capture: no differences")

        tampered_dir = os.path.join(tmp, "t")
        os.makedirs(tampered_dir)
        tampered = os.path.join(tampered_dir, "epc_s1ap.pcap")
        flip_last_octet(s1ap, tampered, 8)
        shutil.copy(expect, expect + ".orig")
        data = json.load(open(expect))
        data["captures"] = {tampered: data["captures"][s1ap]}
        json.dump(data, open(expect, "w"))
        rc, out, _ = run("-k", keys, "--expect", expect, tampered)
        ck.check(rc == 1 and "frame 8 NAS" in out and "MAC failed" in out,
                 "--expect on a tampered capture names frame 8 (%d) %s" % (rc, out))
        rc, out, _ = run("-k", keys, tampered)
        ck.check(rc == 1 and "frame 8 NAS" in out, "tampered capture: exit 1 naming frame 8")
        print(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
