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


def no_plugin(ck, run, keys, capture, tmp):
    """No kasme for tshark to load: exit 2 saying so and how to install it, not tshark's
    "unknown preference"."""
    empty = os.path.join(tmp, "no-plugins")
    os.makedirs(empty)
    rc, out, err = run("--plugin-dir", empty, "-k", keys, capture)
    ck.check(rc == 2 and "no kasme plugin" in err and "cmake --install build" in err and
             "--plugin-dir build/plugins" in err and "unknown preference" not in err,
             "no plugin: exit 2 naming the fix (%d) %s" % (rc, err.strip()))


def parallel(ck, run, keys, captures):
    """-j N: the same output, in the order given, and the same exit status as one at a time
    (a failing capture among them)."""
    text = None
    for fmt in ([], ["--json"]):
        rc1, out1, _ = run("-j", "1", "-k", keys, *(fmt + captures))
        text = text or out1
        for jobs in ("3", None):  # None: the default, one per core
            rc, out, _ = run(*((["-j", jobs] if jobs else []) + ["-k", keys] + fmt + captures))
            ck.check(rc == rc1 == 1 and out == out1 and out1,
                     "-j %s%s: exit %d and %d bytes, -j 1: exit %d and %d bytes, %s" % (
                         jobs or "default", " --json" if fmt else "", rc, len(out), rc1,
                         len(out1), "identical" if out == out1 else "DIFFERENT"))
    order = [text.find(c + ":") for c in captures]
    ck.check(all(p >= 0 for p in order) and order == sorted(order),
             "results in the order the captures were given: %s" % order)
    rc, _, err = run("-j", "0", "-k", keys, captures[0])
    ck.check(rc == 2, "-j 0: exit 2 (%d) %s" % (rc, err.strip()))


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
        rc, out, _ = run(s1ap)
        ck.check(rc == 1 and "no protected PDU found" in out,
                 "no -k, no keys in the capture: exit 1, nothing verified (%d) %s" % (rc, out))
        s6a = os.path.join(caps, "s16-open5gs-s6a", "epc_s1ap_s6a.pcap")
        rc, out, _ = run("--json", s6a)
        result = json.loads(out)["captures"][s6a]["summary"]
        pdus = json.load(open(os.path.join(caps, "s16-open5gs-s6a", "truth.json")))["nas_pdus"]
        ck.check(rc == 0 and result["protected"] == result["verified"] ==
                 sum(1 for p in pdus if "frame" in p) and result["kenb_confirmed"] == 1,
                 "no -k, K_ASME from the capture's S6a AIA: exit 0, every PDU of the truth "
                 "verified: %s" % result)

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

        no_plugin(ck, run, keys, s1ap, tmp)
        parallel(ck, run, keys, [s1ap, mac, tampered, os.path.join(caps, "s01-eea2-eia2",
                                                                   "enb_mac.pcap")])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
