#!/usr/bin/env python3
"""A capture that starts after the NAS Security Mode Command: a bundled real capture cut at
test time (editcap -r) just after its Security Mode Complete, deciphered from the root key
alone, a `kasme=... any` (LTE) or `kamf=... any` (5G) key-file line written from truth.json.

Checked with the project's own checkers (check_nas.check_pdus for LTE, check_lab5g.check_pdus
for 5G) on the truth's PDUs after the cut, at their frame numbers in the whole capture: every
protected NAS PDU deciphered, its MAC verified, its plaintext the UE's (LTE) or the AMF's at
the AMF's COUNT (5G); every S1AP/NGAP SecurityKey after the cut confirmed (its UL NAS COUNT is
the SMC Complete's, before the cut); the tree says "algorithms found by MAC search"; no MAC
failed. With --wrong-key (one bit of the root key flipped): nothing deciphered, no MAC
verified, every protected PDU without a context: never a guess.

usage: check_midsession.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP [--wrong-key]
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_lab5g  # noqa: E402
import check_nas  # noqa: E402
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, kasme_fields, link_of  # noqa: E402

FIELDS = ["frame.number", "kasme.status", "kasme.mac.status", "kasme.count", "kasme.msg",
          "kasme.plaintext", "kasme", "kasme.event", "kasme.algs_searched", "kasme.kenb",
          "kasme.kgnb", "s1ap.SecurityKey", "ngap.SecurityKey"]


def is_5g(truth):
    return "nas_pdus" in truth


def smc_complete_frame(truth, pcap):
    """The frame of the first Security Mode Complete in pcap (LTE: security header type 4)."""
    if is_5g(truth):
        frames = [p["frame"] for p in truth["nas_pdus"]
                  if p.get("message") == "Security mode complete" and "frame" in p]
    else:
        frames = [f["frame"] for ue in truth["ue"] for m in ue["nas_messages"]
                  if m["sec_hdr_type"] == 4 for f in m.get("frames", []) if f["pcap"] == pcap]
    return min(frames)


def root_key_line(truth, flip):
    """kasme= (the AKA's K_ASME) or kamf= (the AMF's K_AMF), `any`; one bit flipped on ask."""
    if is_5g(truth):
        kind, keys = "kamf", [k["K_AMF"] for k in truth["amf_kamf"]]
    else:
        kind, keys = "kasme", [e["K_ASME"] for e in truth["summary"] if e["what"] == "AKA"]
    lines = []
    for key in keys:
        raw = bytearray.fromhex(key)
        raw[-1] ^= 1 if flip else 0
        lines.append("%s=%s any" % (kind, raw.hex()))
    return "\n".join(lines) + "\n"


def truth_after(truth, pcap, cut):
    """truth.json with only the frames of pcap after the cut."""
    after = copy.deepcopy(truth)
    if is_5g(after):
        after["nas_pdus"] = [p for p in after["nas_pdus"] if p.get("frame", 0) > cut]
        return after
    for ue in after["ue"]:
        for m in ue["nas_messages"]:
            m["frames"] = [f for f in m.get("frames", []) if f["pcap"] != pcap or f["frame"] > cut]
    return after


def run_cut(plugin, version, scenario, pcap, keys, cut, tmp):
    """kasme over the capture from frame cut + 1 on; rows keyed by the whole capture's frames."""
    part = os.path.join(tmp, "cut" + os.path.splitext(pcap)[1])
    subprocess.run(["editcap", "-r", os.path.join(scenario, pcap), part,
                    "%d-%d" % (cut + 1, 1 << 30)], check=True)
    keyfile = os.path.join(tmp, "midsession.keys")
    with open(keyfile, "w") as f:
        f.write(keys)
    prefs = [] if pcap.endswith(".pcapng") else DLT_PREFS[link_of(pcap)]
    rows, stderr = kasme_fields(plugin, version, part, keyfile, FIELDS, prefs)
    return {frame + cut: row for frame, row in rows.items()}, stderr


def protected_rows(rows):
    return {f: r for f, r in rows.items() if r.get("kasme.status")}


def check_found(ck, truth, pcap, cut, rows):
    after = truth_after(truth, os.path.basename(pcap), cut)
    if is_5g(truth):
        n = check_lab5g.check_pdus(ck, after, rows)
        keys = [k for k in truth.get("capture_ngap_security_key", []) if k["frame"] > cut]
        for k in keys:
            ck.check(rows.get(k["frame"], {}).get("kasme.kgnb") == ["1"],
                     "frame %d: NGAP SecurityKey confirmed as K_gNB" % k["frame"])
        n_keys = len(keys)
    else:
        n = check_nas.check_pdus(ck, after, os.path.dirname(pcap), os.path.basename(pcap),
                                 rows)["protected"]
        n_keys = check_nas.check_security_keys(ck, rows)
        ck.check(n_keys > 0 or not any(r.get("s1ap.SecurityKey") for r in rows.values()),
                 "S1AP SecurityKeys after the cut checked")
    verified = [f for f, r in protected_rows(rows).items() if r.get("kasme.mac.status") == ["1"]]
    # a boolean field prints as 1 up to Wireshark 4.0 and as True from 4.2 on (lowercased here)
    ck.check(all(rows[f].get("kasme.algs_searched") in (["1"], ["true"]) for f in verified),
             "every verified PDU's context says: algorithms found by MAC search")
    searched = [f for f, r in rows.items()
                if "no smc in the capture algorithms found by mac search" in r.get("kasme.event", [])]
    ck.check(len(searched) == 1, "one PDU found the algorithms (frames %s)" % searched)
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", [])]
    ck.check(not failed, "no MAC failed (frames %s)" % failed)
    ck.check(n > 0, "the truth has protected NAS PDUs after the cut")
    return "%d protected NAS PDUs after frame %d, %d SecurityKeys" % (n, cut, n_keys)


def check_wrong(ck, rows):
    prot = protected_rows(rows)
    ck.check(prot, "protected PDUs after the cut")
    for f, r in sorted(prot.items()):
        ck.check("1" not in r.get("kasme.status", []) and "1" not in r.get("kasme.mac.status", []),
                 "frame %d: a wrong root key deciphers and verifies nothing" % f)
        ck.check(r.get("kasme.status") == ["2"], "frame %d: no security context" % f)
    return "%d protected NAS PDUs without a context" % len(prot)


def main():
    plugin, version, scenario, pcap = sys.argv[1:5]
    wrong = "--wrong-key" in sys.argv[5:]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    cut = smc_complete_frame(truth, pcap)
    label = "%s/%s from frame %d%s" % (os.path.basename(scenario), pcap, cut + 1,
                                       " (wrong key)" if wrong else "")
    ck = Checker(label)
    tmp = tempfile.mkdtemp(prefix="kasme-midsession-")
    try:
        rows, stderr = run_cut(plugin, version, scenario, pcap, root_key_line(truth, wrong),
                               cut, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ck.check("kasme:" not in stderr, "no key-file or plugin errors: " + stderr.strip())
    what = check_wrong(ck, rows) if wrong else \
        check_found(ck, truth, os.path.join(scenario, pcap), cut, rows)
    print("%s: %s" % (label, what))
    return ck.report()


if __name__ == "__main__":
    sys.exit(main())
