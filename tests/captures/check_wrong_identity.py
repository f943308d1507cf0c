#!/usr/bin/env python3
"""An identity that names another subscriber's context, or none, in one real capture
(lab/open5gs-tests wrong-identity-test, LTE captures/s24-..., 5G captures/5g-s14-...). LTE: UE B protects initial messages
with its own context but sends them under UE A's identity: (a) a Service Request under A's
S-TMSI while A holds it, (b) another after A's detach unassigned it, (c) a TAU Request whose
old GUTI is A's unassigned one, (d) a Service Request under an S-TMSI no UE was given. Truth
(truth.json nas_pdus with "via"): who protected each (imsi, count) from the simulated UE's
log; the MME's verdict under the named context (imsi_core; null where it knew none).

Checked: every protected NAS PDU deciphered and verified (check_nas), every SecurityKey
confirmed; each "via" PDU verified under the sender's context (kasme.imsi = truth imsi,
kasme.count = truth count), "found by MAC, not by identity", kasme.named_ue the UE kasme
knows by named_imsi (absent where the identity was never assigned); no other frame needed
the search; no MAC failed. 5G: B's Registration Request with A's 5G-GUTI, the same checks on
lab/5g's truth (check_lab5g: every PDU at the AMF's COUNT, plaintext the AMF's) with the
sender's SUPI and COUNT (supi, named_supi). Disabling the search in the tracker turns it red.
An Authentication Request after such a PDU whose MAC the core found bad (5G: frame 30) is the
core authenticating the subscriber it took the sender for (supi_core, imsi_core: the core's
log) on the sender's connection: its RAND and AUTN are that AKA's vector (udm/hss truth), and
kasme finds that subscriber by MAC-A (not the connection's), under the UE kasme knows by that
IMSI; an Authentication Response that follows, if any, verified (RES, RES*).

usage: check_wrong_identity.py PLUGIN_SO WS_VERSION CAPTURE_DIR PCAP KEYFILE
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_lab5g  # noqa: E402
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


def ids(pdu):
    """(sender, named UE or None) as kasme.imsi shows them: the IMSI, 5G's SUPI without imsi-."""
    strip = lambda v: v[5:] if v and v.startswith("imsi-") else v
    if "supi" in pdu:
        return strip(pdu["supi"]), strip(pdu["named_supi"])
    return pdu["imsi"], pdu["named_imsi"]


def check_sent_under_other_identity(ck, pdu, rows, numbers):
    frame = pdu["frame"]
    row = rows.get(frame, {})
    sender, named_id = ids(pdu)
    what = "frame %d (%s's %s under the %s of %s)" % (
        frame, sender, pdu["message"], pdu["via"].replace("_", "-").upper(), named_id or "no UE")
    ck.check(FOUND_BY_MAC in row.get("kasme.event", []),
             what + ": found by MAC, not by identity (%s)" % row.get("kasme.event"))
    ck.check(row.get("kasme.mac.status") == ["1"], what + ": MAC verified")
    ck.check(row.get("kasme.imsi") == [sender],
             what + ": verified under the sender's context (%s)" % row.get("kasme.imsi"))
    ck.check(row.get("kasme.count") == [str(pdu["count"])],
             what + ": at the sender's COUNT %d (%s)" % (pdu["count"], row.get("kasme.count")))
    named = row.get("kasme.named_ue", [])
    if named_id is None:
        ck.check(not named, what + ": no UE named (%s)" % named)
        return
    ck.check(len(named) == 1 and named[0] in numbers.get(named_id, set()),
             what + ": the UE its identity named is %s's (%s)" % (named_id, named))


AKA_MATCH = "aka subscriber found by mac-a"  # kasme_fields drops colons


def core_subscriber(pdu):
    """The subscriber the core verified a PDU under (None where it knew none)."""
    who = pdu.get("supi_core") or pdu.get("imsi_core")
    return who[5:] if who and who.startswith("imsi-") else who


def core_vector(truth, req):
    """The core's authentication vector with this request's RAND (UDM's or HSS's)."""
    vectors = truth.get("udm_auth_vectors", []) + truth.get("hss_auth_vectors", [])
    return [v for v in vectors if v["RAND"].lower() == req["RAND"].lower()]


def check_aka_for_core_subscriber(ck, truth, sent, rows):
    """The AKAs the core ran, after a PDU it verified under another subscriber's context and
    failed, for that subscriber on the sender's connection; returns how many."""
    failed = [p for p in sent if p.get("mac_ok_core") is False and core_subscriber(p)]
    requests = truth.get("capture_authentication_request", [])
    n = 0
    for i, req in enumerate(requests):
        before = [p for p in failed if p["frame"] < req["frame"]]
        if not before:
            continue
        who, frame = core_subscriber(before[-1]), req["frame"]
        known = ue_numbers({f: r for f, r in rows.items() if f < before[-1]["frame"]})
        vec = core_vector(truth, req)
        ck.check(len(vec) == 1 and vec[0]["AUTN"].lower() == req["AUTN"].lower(),
                 "frame %d: RAND and AUTN of one core vector (%d)" % (frame, len(vec)))
        row = rows.get(frame, {})
        what = "frame %d (the core's AKA for %s on %s's connection)" % (
            frame, who, ids(before[-1])[0])
        ck.check(AKA_MATCH in row.get("kasme.event", []),
                 what + ": subscriber found by MAC-A (%s)" % row.get("kasme.event"))
        ck.check(row.get("kasme.imsi") == [who], what + ": IMSI %s (%s)" % (who, row.get("kasme.imsi")))
        ck.check(len(row.get("kasme.ue", [])) == 1 and row["kasme.ue"][0] in known.get(who, set()),
                 what + ": the UE kasme knew as %s %s (%s)" % (who, sorted(known.get(who, set())),
                                                              row.get("kasme.ue")))
        end = requests[i + 1]["frame"] if i + 1 < len(requests) else float("inf")
        for resp in truth.get("capture_authentication_response", []):
            if frame < resp["frame"] < end:
                ck.check("aka res verified" in rows.get(resp["frame"], {}).get("kasme.event", []),
                         "frame %d: its Authentication Response verified" % resp["frame"])
        n += 1
    return n


def check_all_pdus(ck, truth, capture_dir, pcap, rows):
    """Every protected NAS PDU by the project's checkers: check_nas (LTE truth's "ue"
    layout) or check_lab5g (5G); returns how many."""
    if "ue" in truth:
        n = check_nas.check_pdus(ck, truth, capture_dir, pcap, rows)["protected"]
        check_nas.check_security_keys(ck, rows)
        return n
    n = check_lab5g.check_pdus(ck, truth, rows)
    for k in truth.get("capture_ngap_security_key", []):
        ck.check(rows.get(k["frame"], {}).get("kasme.kgnb") == ["1"],
                 "frame %d: K_gNB confirmed" % k["frame"])
    return n


def main():
    plugin, version, capture_dir, pcap, keyfile = sys.argv[1:6]
    truth = json.load(open(os.path.join(capture_dir, "truth.json")))
    path = os.path.join(capture_dir, pcap)
    prefs = [] if pcap.endswith(".pcapng") else DLT_PREFS[link_of(pcap)]
    rows, stderr = kasme_fields(plugin, version, path, keyfile, FIELDS, prefs)
    ck = Checker("%s %s" % (os.path.basename(capture_dir), pcap))
    ck.check("kasme:" not in stderr, "no key-file or plugin errors: " + stderr.strip())
    n = check_all_pdus(ck, truth, capture_dir, pcap, rows)
    sent = [p for p in truth["nas_pdus"] if "via" in p]
    ck.check(len(sent) >= 1 and all(ids(p)[0] != ids(p)[1] for p in sent),
             "truth has PDUs sent under another subscriber's identity or none (%d)" % len(sent))
    numbers = ue_numbers(rows)
    for pdu in sent:
        check_sent_under_other_identity(ck, pdu, rows, numbers)
    n_aka = check_aka_for_core_subscriber(ck, truth, sent, rows)
    found = sorted(f for f, r in rows.items() if FOUND_BY_MAC in r.get("kasme.event", []))
    ck.check(found == sorted(p["frame"] for p in sent),
             "only those frames needed the search (%s)" % found)
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", [])]
    ck.check(not failed, "no MAC failed (frames %s)" % failed)
    print("%d protected NAS PDUs, %d sent under another subscriber's identity or none, %d AKA "
          "the core then ran for the subscriber it took the sender for" % (n, len(sent), n_aka))
    return ck.report()


if __name__ == "__main__":
    sys.exit(main())
