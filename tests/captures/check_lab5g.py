#!/usr/bin/env python3
"""5G NAS on NGAP: a 5G lab capture (lab/5g: Open5GS + UERANSIM, ciphered with NEA1/2/3) against
the truth the core logged (captures/5g-*/truth.json, re-derived by lab/5g/derive_check.py).

Checked: RES* verified at the Authentication Response; K_AMF, K_NASenc and K_NASint equal to the
AMF's; every protected NAS PDU the AMF logged deciphered, its MAC verified, at the AMF's NAS COUNT,
and the plaintext of every ciphered one equal to the AMF's; every NGAP SecurityKey confirmed as
K_gNB and equal to the AMF's K_gNB; no MAC failed anywhere.

Usage: check_lab5g.py PLUGIN WS_VERSION CAPTURE_DIR [KEYFILE]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas5g import Checker, run_kasme  # noqa: E402


def ciphered(pdu_hex):
    """Security header type 2 or 4 (TS 24.501 9.3): the message inside is ciphered."""
    return int(pdu_hex[2:4], 16) & 0x0F in (2, 4)


def check_keys(ck, truth, keys_seen):
    for k in truth.get("amf_kamf", []):
        ck.check(k["K_AMF"].lower() in keys_seen["kasme.key.kamf"], "K_AMF %s..." % k["K_AMF"][:8])
    for k in truth.get("amf_nas_keys", []):
        ck.check(k["K_NASint"].lower() in keys_seen["kasme.key.nas_int"], "K_NASint")
        ck.check(k["K_NASenc"].lower() in keys_seen["kasme.key.nas_enc"], "K_NASenc")


def check_pdus(ck, truth, rows):
    n = 0
    for p in truth["nas_pdus"]:
        if "frame" not in p:
            continue
        n += 1
        row = rows.get(p["frame"], {})
        what = "frame %d (%s COUNT %d)" % (p["frame"], p["dir"], p["count"])
        ck.check("1" in row.get("kasme.status", []), what + " deciphered")
        ck.check(set(row.get("kasme.mac.status", [])) == {"1"}, what + " MAC verified")
        ck.check(str(p["count"]) in row.get("kasme.count", []), what + " at the AMF's COUNT")
        if ciphered(p["pdu"]):
            ck.check(p["plaintext"].lower() in row.get("kasme.plaintext", []),
                     what + " plaintext equals the AMF's")
    return n


def main():
    plugin, version, capdir = sys.argv[1:4]
    keyfile = sys.argv[4] if len(sys.argv) > 4 else os.path.join(capdir, "subscriber.keys")
    truth = json.load(open(os.path.join(capdir, "truth.json")))
    rows, stderr = run_kasme(plugin, version, os.path.join(capdir, "ngap.pcapng"), keyfile,
                             extra_fields=["kasme.plaintext", "kasme.key.kgnb"])
    ck = Checker(os.path.basename(capdir))
    ck.check("kasme:" not in stderr, "no key-file or plugin errors: " + stderr.strip())
    keys_seen = {f: set() for f in ("kasme.key.kamf", "kasme.key.nas_int", "kasme.key.nas_enc",
                                    "kasme.key.kgnb")}
    for row in rows.values():
        for f in keys_seen:
            keys_seen[f].update(row.get(f, []))
    for r in truth.get("capture_authentication_response", []):
        ck.check("aka res verified" in rows.get(r["frame"], {}).get("kasme.event", []),
                 "frame %d: RES* verified" % r["frame"])
    check_keys(ck, truth, keys_seen)
    n = check_pdus(ck, truth, rows)
    for k in truth.get("capture_ngap_security_key", []):
        row = rows.get(k["frame"], {})
        ck.check(row.get("kasme.kgnb") == ["1"], "frame %d: K_gNB confirmed" % k["frame"])
        ck.check(k["K_gNB"].lower() in keys_seen["kasme.key.kgnb"], "K_gNB equals the AMF's")
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", [])]
    ck.check(not failed, "no MAC failed (failed in frames %s)" % failed)
    ck.check(n > 0, "the truth has NAS PDUs in the capture")
    print("%s: %d protected NAS PDUs, %d K_gNB; %d checks passed, %d failed"
          % (ck.label, n, len(truth.get("capture_ngap_security_key", [])), ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
