#!/usr/bin/env python3
"""An identity that names another subscriber's context, in one real capture
(lab/open5gs-tests wrong-identity-test, captures/s24-...): UE B protects a Service Request
with its own context but sends it under UE A's S-TMSI, once while A holds it and once after
A's detach unassigned it. Truth (truth.json nas_pdus with imsi_core): the MME verified the
PDU under A's context and failed; the simulated UE logged who protected it (imsi, count).

Checked: every protected NAS PDU deciphered and verified (check_nas), every SecurityKey
confirmed; each PDU of the truth's imsi_core entries verified under the sender's context
(kasme.imsi = truth imsi, kasme.count = truth count), "found by MAC, not by identity", with
kasme.named_ue the UE kasme knows by imsi_core; no other frame needed the search; no MAC
failed. Disabling the search in the tracker turns it red.

usage: check_wrong_identity.py PLUGIN_SO WS_VERSION CAPTURE_DIR PCAP KEYFILE
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_nas  # noqa: E402
from check_found_by_mac import FIELDS as FOUND_BY_MAC_FIELDS  # noqa: E402
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, kasme_fields, link_of  # noqa: E402

FIELDS = FOUND_BY_MAC_FIELDS + ["kasme.imsi"]
FOUND_BY_MAC = "security context found by mac, not by identity"


def ue_numbers(rows):
    """kasme's UE number for each IMSI, from the frames that show both."""
    numbers = {}
    for row in rows.values():
        for imsi, ue in zip(row.get("kasme.imsi", []), row.get("kasme.ue", [])):
            numbers.setdefault(imsi, set()).add(ue)
    return numbers


def check_sent_under_other_identity(ck, pdu, rows, numbers):
    frame = pdu["frame"]
    row = rows.get(frame, {})
    what = "frame %d (%s's Service Request under %s's S-TMSI %s)" % (
        frame, pdu["imsi"], pdu["imsi_core"], pdu["named_m_tmsi"])
    ck.check(FOUND_BY_MAC in row.get("kasme.event", []),
             what + ": found by MAC, not by identity (%s)" % row.get("kasme.event"))
    ck.check(row.get("kasme.mac.status") == ["1"], what + ": MAC verified")
    ck.check(row.get("kasme.imsi") == [pdu["imsi"]],
             what + ": verified under the sender's context (%s)" % row.get("kasme.imsi"))
    ck.check(row.get("kasme.count") == [str(pdu["count"])],
             what + ": at the sender's COUNT %d (%s)" % (pdu["count"], row.get("kasme.count")))
    named = row.get("kasme.named_ue", [])
    ck.check(len(named) == 1 and named[0] in numbers.get(pdu["imsi_core"], set()),
             what + ": the UE its identity named is %s's (%s)" % (pdu["imsi_core"], named))


def main():
    plugin, version, capture_dir, pcap, keyfile = sys.argv[1:6]
    truth = json.load(open(os.path.join(capture_dir, "truth.json")))
    path = os.path.join(capture_dir, pcap)
    rows, stderr = kasme_fields(plugin, version, path, keyfile, FIELDS, DLT_PREFS[link_of(pcap)])
    ck = Checker("%s %s" % (os.path.basename(capture_dir), pcap))
    ck.check("kasme:" not in stderr, "no key-file or plugin errors: " + stderr.strip())
    n = check_nas.check_pdus(ck, truth, capture_dir, pcap, rows)["protected"]
    check_nas.check_security_keys(ck, rows)
    sent = [p for p in truth["nas_pdus"] if "imsi_core" in p]
    ck.check(len(sent) >= 2 and all(p["imsi"] != p["imsi_core"] for p in sent),
             "truth has PDUs sent under another subscriber's identity (%d)" % len(sent))
    numbers = ue_numbers(rows)
    for pdu in sent:
        check_sent_under_other_identity(ck, pdu, rows, numbers)
    found = sorted(f for f, r in rows.items() if FOUND_BY_MAC in r.get("kasme.event", []))
    ck.check(found == sorted(p["frame"] for p in sent),
             "only those frames needed the search (%s)" % found)
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", [])]
    ck.check(not failed, "no MAC failed (frames %s)" % failed)
    print("%d protected NAS PDUs, %d sent under another subscriber's S-TMSI" % (n, len(sent)))
    return ck.report()


if __name__ == "__main__":
    sys.exit(main())
