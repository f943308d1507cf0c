#!/usr/bin/env python3
"""5G NAS on NGAP: a public capture that no one in the project made, against its truth.

The truth (captures/public5g/*/truth*.json) was written by an independent Python implementation
(captures/public5g/tools/verify_capture.py: its own MILENAGE, TS 33.501 KDFs, NIA1/NIA2), and
K_AUSF/K_SEAF of the Open5GS captures also appear in the captures' own SBI traffic. Checked for
every frame the truth names:
- Authentication Response: RES* verified (5G AKA, with the serving network the truth found);
- Security Mode Command: MAC verified at DL COUNT 0, the truth's NEA/NIA, K_NASint and K_NASenc
  equal to the truth's (kasme's keys shown);
- every protected NAS PDU: deciphered, MAC verified, at the truth's NAS COUNT and direction, and
  the plaintext names a 5GS message;
and for every NGAP SecurityKey: K_gNB confirmed (the AMF's own key is the check). No kasme MAC
may fail anywhere in the capture.

KEYFILE "none": no key file; the keys are the ones the capture's own SBI carries (Open5GS: the
UDM's K_AUSF, HTTP/2 on port 7777), and every key source must name such a frame.

Usage: check_nas5g.py PLUGIN WS_VERSION CAPTURE_DIR PCAP TRUTH_JSON KEYFILE|none
"""
import json
import os
import subprocess
import sys

from check_nas import Checker, check_security_keys
from kasme_tshark import kasme_fields

FIELDS = ["frame.number", "kasme.status", "kasme.mac.status", "kasme.count", "kasme.direction",
          "kasme.event", "kasme.nia", "kasme.nea", "kasme.key.nas_int", "kasme.key.nas_enc",
          "kasme.key.kamf", "kasme.msg", "kasme.kgnb", "ngap.SecurityKey"]


def run_kasme(plugin, version, pcap, keyfile, extra_fields=()):
    if keyfile == "none":  # keys from the capture's SBI
        return kasme_fields(plugin, version, pcap, None,
                            FIELDS + list(extra_fields) + ["kasme.key_source"],
                            ["-d", "tcp.port==7777,http2"])
    return kasme_fields(plugin, version, pcap, keyfile, FIELDS + list(extra_fields))


def check_sbi_key_sources(ck, pcap, rows):
    """Every key source names a frame of this capture whose SBI body carries the key."""
    out = subprocess.run(["tshark", "-r", pcap, "-d", "tcp.port==7777,http2", "-Y",
                          'json.member_with_value contains "kausf:" or '
                          'json.member_with_value contains "kseaf:"',
                          "-T", "fields", "-e", "frame.number"],
                         check=True, capture_output=True, text=True).stdout
    frames = {int(n) for n in out.split()}
    sources = {v for r in rows.values() for v in r.get("kasme.key_source", [])}
    ok = bool(sources) and all(any(("in frame %d," % f) in s for f in frames) for s in sources)
    ck.check(ok, "key sources %s name SBI frames with a key (%s)" % (sources, sorted(frames)))


def check_auth(ck, truth, rows):
    for a in truth["auth"]:
        if a.get("res_star_ok"):
            # values are lowercased and stripped of colons (hex keys): "AKA: RES verified"
            ck.check("aka res verified" in rows.get(a["frame"], {}).get("kasme.event", []),
                     "frame %d: RES* verified" % a["frame"])


def check_smc(ck, truth, rows):
    for s in truth["smc"]:
        row = rows.get(s["frame"], {})
        what = "SMC frame %d" % s["frame"]
        ck.check(row.get("kasme.mac.status") == ["1"], what + " MAC verified")
        ck.check(row.get("kasme.count") == ["0"], what + " at DL COUNT 0")
        ck.check(row.get("kasme.nia") == [str(s["nia"])] and row.get("kasme.nea") == [str(s["nea"])],
                 what + " NEA%d/NIA%d" % (s["nea"], s["nia"]))
        ck.check(s["k_nas_int"] in row.get("kasme.key.nas_int", []), what + " K_NASint")
        ck.check(s["k_nas_enc"] in row.get("kasme.key.nas_enc", []), what + " K_NASenc")
        ck.check(s["k_amf"] in row.get("kasme.key.kamf", []), what + " K_AMF")


def check_protected(ck, truth, rows):
    for p in truth["protected"]:
        row = rows.get(p["frame"], {})
        what = "frame %d (%s, type %d)" % (p["frame"], p["ngap"], p["sht"])
        ck.check("1" in row.get("kasme.status", []), what + " deciphered")
        # a frame may hold more than one NAS PDU (UERANSIM bundles them): all must verify
        ck.check(set(row.get("kasme.mac.status", [])) == {"1"}, what + " MAC verified")
        ck.check(str(p["nas_count"]) in row.get("kasme.count", []),
                 what + " NAS COUNT %d (kasme: %s)" % (p["nas_count"], row.get("kasme.count")))
        ck.check(str(p["direction"]) in row.get("kasme.direction", []), what + " direction")
        ck.check(bool(row.get("kasme.msg")), what + " plaintext names a message")


def main():
    plugin, version, capdir, pcap, truth_name, keyfile = sys.argv[1:7]
    truth = json.load(open(os.path.join(capdir, truth_name)))
    rows, stderr = run_kasme(plugin, version, os.path.join(capdir, pcap), keyfile)
    ck = Checker("%s/%s" % (os.path.basename(capdir), pcap))
    ck.check("kasme:" not in stderr, "no key-file or plugin errors: " + stderr.strip())
    check_auth(ck, truth, rows)
    check_smc(ck, truth, rows)
    check_protected(ck, truth, rows)
    n_kgnb = check_security_keys(ck, rows, "ngap", "kasme.kgnb", "K_gNB")
    if keyfile == "none":
        check_sbi_key_sources(ck, os.path.join(capdir, pcap), rows)
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", [])]
    ck.check(not failed, "no MAC failed (failed in frames %s)" % failed)
    ck.check(len(truth["protected"]) > 0 and len(truth["smc"]) > 0, "the truth has PDUs to check")
    print("%s: %d RES*, %d SMCs, %d protected PDUs, %d K_gNB confirmed; %d checks passed, "
          "%d failed" % (ck.label, len(truth["auth"]), len(truth["smc"]), len(truth["protected"]),
                         n_kgnb, ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
