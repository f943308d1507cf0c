#!/usr/bin/env python3
"""An identity that names the wrong context, from two real captures of one subscriber: run A
up to its first Service Request, all of run B (a new AKA and SMC: now the UE's current
context), then the rest of run A (mergecap -a). A's Service Request names the UE by S-TMSI
(LTE) or 5G-S-TMSI (5G), whose current context is B's and fails the MAC; kasme must find A's
stored context by the MAC and say so ("found by MAC, not by identity", kasme.named_ue).

Checked with the project's checkers on both runs' truth, frames renumbered to the merged
capture: every protected NAS PDU deciphered, its MAC verified, its plaintext the UE's (LTE)
or the AMF's at its COUNT (5G); every SecurityKey confirmed; no MAC failed; the Service
Request found by MAC.

usage: check_found_by_mac.py PLUGIN_SO WS_VERSION KEYFILE A_DIR B_DIR PCAP
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
          "kasme.plaintext", "kasme", "kasme.event", "kasme.named_ue", "kasme.ue",
          "kasme.kenb", "kasme.kgnb", "s1ap.SecurityKey", "ngap.SecurityKey"]
MERGED = "merged"


def is_5g(truth):
    return "nas_pdus" in truth


def first_service_request(truth, pcap):
    if is_5g(truth):
        return min(p["frame"] for p in truth["nas_pdus"]
                   if p.get("message") == "Service request" and "frame" in p)
    return min(f["frame"] for ue in truth["ue"] for m in ue["nas_messages"]
               if m["sec_hdr_type"] == 12 for f in m.get("frames", []) if f["pcap"] == pcap)


def frame_count(path):
    out = subprocess.run(["capinfos", "-c", "-M", path], capture_output=True, text=True,
                         check=True).stdout
    return int(out.split(":")[-1].strip())


def renumbered(truth, pcap, new_number):
    """truth with this pcap's frames as new_number gives them, named MERGED."""
    t = copy.deepcopy(truth)
    if is_5g(t):
        for p in t["nas_pdus"]:
            if "frame" in p:
                p["frame"] = new_number(p["frame"])
        for k in t.get("capture_ngap_security_key", []):
            k["frame"] = new_number(k["frame"])
        return t
    for ue in t["ue"]:
        for m in ue["nas_messages"]:
            m["frames"] = [{"pcap": MERGED, "frame": new_number(f["frame"])}
                           for f in m.get("frames", []) if f["pcap"] == pcap]
    return t


def merge(a_path, b_path, split, tmp):
    """A's frames before split, all of B, A's from split on."""
    ext = os.path.splitext(a_path)[1]
    head, tail = os.path.join(tmp, "a1" + ext), os.path.join(tmp, "a2" + ext)
    subprocess.run(["editcap", "-r", a_path, head, "1-%d" % (split - 1)], check=True)
    subprocess.run(["editcap", "-r", a_path, tail, "%d-%d" % (split, 1 << 30)], check=True)
    out = os.path.join(tmp, "merged" + ext)
    subprocess.run(["mergecap", "-a", "-F", "pcapng" if ext == ".pcapng" else "pcap", "-w", out,
                    head, b_path, tail], check=True)
    return out


def check_run(ck, truth, scenario, pcap, rows):
    if is_5g(truth):
        n = check_lab5g.check_pdus(ck, truth, rows)
        for k in truth.get("capture_ngap_security_key", []):
            ck.check(rows.get(k["frame"], {}).get("kasme.kgnb") == ["1"],
                     "frame %d: K_gNB confirmed" % k["frame"])
        return n
    return check_nas.check_pdus(ck, truth, scenario, MERGED, rows)["protected"]


def main():
    plugin, version, keyfile, a_dir, b_dir, pcap = sys.argv[1:7]
    truth_a = json.load(open(os.path.join(a_dir, "truth.json")))
    truth_b = json.load(open(os.path.join(b_dir, "truth.json")))
    split = first_service_request(truth_a, pcap)
    n_b = frame_count(os.path.join(b_dir, pcap))
    label = "%s up to frame %d + %s + the rest" % (os.path.basename(a_dir), split - 1,
                                                   os.path.basename(b_dir))
    ck = Checker(label)
    tmp = tempfile.mkdtemp(prefix="kasme-foundbymac-")
    try:
        merged = merge(os.path.join(a_dir, pcap), os.path.join(b_dir, pcap), split, tmp)
        prefs = [] if pcap.endswith(".pcapng") else DLT_PREFS[link_of(pcap)]
        rows, stderr = kasme_fields(plugin, version, merged, keyfile, FIELDS, prefs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ck.check("kasme:" not in stderr, "no key-file or plugin errors: " + stderr.strip())
    a = renumbered(truth_a, pcap, lambda f: f if f < split else f + n_b)
    b = renumbered(truth_b, pcap, lambda f: f + split - 1)
    n = check_run(ck, a, a_dir, pcap, rows) + check_run(ck, b, b_dir, pcap, rows)
    if not is_5g(truth_a):
        check_nas.check_security_keys(ck, rows)
    sr = split + n_b
    row = rows.get(sr, {})
    ck.check("security context found by mac, not by identity" in row.get("kasme.event", []),
             "frame %d: A's Service Request found by MAC, not by identity (%s)"
             % (sr, row.get("kasme.event")))
    ck.check(bool(row.get("kasme.named_ue")), "frame %d: the UE its identity named is shown" % sr)
    found = [f for f, r in rows.items()
             if "security context found by mac, not by identity" in r.get("kasme.event", [])]
    ck.check(found == [sr], "only A's first Service Request needed the search (%s)" % found)
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", [])]
    ck.check(not failed, "no MAC failed (frames %s)" % failed)
    print("%s: %d protected NAS PDUs of both runs; Service Request in frame %d" % (label, n, sr))
    return ck.report()


if __name__ == "__main__":
    sys.exit(main())
