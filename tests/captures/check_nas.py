#!/usr/bin/env python3
"""Checks kasme's NAS results on a bundled real capture against the capture's ground truth.

For every protected NAS PDU that truth.json places in the capture: kasme deciphered it, its MAC
verified, and the plaintext equals the UE's own plaintext (ue_nas*.pcap, the UE's NAS log, and
truth's plain_hex_ue_log). Every key the stack logged (K_ASME, K_NASenc, K_NASint, K_eNB) is
among the keys kasme derived, and every S1AP SecurityKey is confirmed. No MAC may fail.
Every S1AP SecurityContext (handover) carries the NH and NCC the MME logged; kasme confirms the
NH against the UE's NH chain when the capture holds the UE's attach (K_ASME), and says "not
checked" on a target eNB's capture that never saw it. A capture with handovers only (no NAS)
must hold such a SecurityContext instead.

KEYFILE "none": no key file, the keys are the ones the capture carries (an S6a AIA): then every
key source must name the AIA's frame and the IMSI of its request, as truth.json places them.

usage: check_nas.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP KEYFILE|none [--expect-fail]
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kasme_tshark import DLT_PREFS, kasme_fields, link_of  # noqa: E402

FIELDS = ["frame.number", "kasme.status", "kasme.mac.status", "kasme.count", "kasme.msg",
          "kasme.plaintext", "kasme.key.kasme", "kasme.key.nas_enc", "kasme.key.nas_int",
          "kasme.key.kenb", "kasme.kenb", "s1ap.SecurityKey", "kasme", "kasme.nh",
          "kasme.nh.ncc", "kasme.nh.index", "kasme.nh.root_ul_count", "s1ap.nextHopParameter",
          "s1ap.nextHopChainingCount"]


def pcap_records(path):
    data = open(path, "rb").read()
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def ue_nas_file(instance):
    """truth.json's UE log instance -> the UE's NAS log capture of that run."""
    return "ue_nas_run1.pcap" if "run1" in instance else "ue_nas.pcap"


def expected_plaintexts(scenario, ue):
    """The plaintext inner message of each of this UE's NAS messages, from the UE's own log."""
    path = os.path.join(scenario, ue_nas_file(ue["instance"]))
    records = pcap_records(path) if os.path.exists(path) else []
    plains = []
    for i, msg in enumerate(ue["nas_messages"]):
        plain = None
        if msg.get("plain_hex_ue_log") and msg["sec_hdr_type"] in (1, 2, 3, 4):
            # the whole PDU as the UE logged it: header, MAC and SN, then the plaintext
            plain = msg["plain_hex_ue_log"].lower()[12:]
        elif i < len(records) and msg["sec_hdr_type"] in (1, 2, 3, 4):
            rec = records[i]
            if rec[0] >> 4 == msg["sec_hdr_type"] and rec[5] == msg.get("nas_seq"):
                plain = rec[6:].hex()
        plains.append(plain)
    return plains


def run_kasme(plugin, version, scenario, pcap, keyfile):
    if keyfile == "none":
        return kasme_fields(plugin, version, os.path.join(scenario, pcap), None,
                            FIELDS + ["kasme.key_source"], DLT_PREFS[link_of(pcap)])
    return kasme_fields(plugin, version, os.path.join(scenario, pcap), keyfile, FIELDS,
                        DLT_PREFS[link_of(pcap)])


def check_s6a_key_sources(ck, truth, rows):
    """With no key file: every context's keys came from an S6a AIA of the capture, named by
    its frame and its request's User-Name (values as kasme_fields gives them: no colons)."""
    users = [r["User_Name"] for r in truth.get("capture_s6a_air", [])]
    want = {"s6a aia in frame %d, imsi %s" % (a["frame"], u)
            for a in truth.get("capture_s6a_aia", []) for u in users}
    sources = {v for r in rows.values() for v in r.get("kasme.key_source", [])}
    ck.check(sources and sources <= want,
             "key sources %s name an S6a AIA of the capture (%s)" % (sources, want))


class Checker:
    def __init__(self, label):
        self.label, self.passed, self.failed = label, 0, 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s" % (self.label, what))
        return ok

    def report(self):
        """Prints the tally; returns the exit status, 0 only with no failure and a check."""
        print("%s: %d checks passed, %d failed" % (self.label, self.passed, self.failed))
        return 1 if self.failed or not self.passed else 0


def check_pdus(ck, truth, scenario, pcap, rows):
    counts = {"protected": 0, "deciphered": 0, "mac_ok": 0, "plain_equal": 0}
    for ue in truth["ue"]:
        plains = expected_plaintexts(scenario, ue)
        for msg, plain in zip(ue["nas_messages"], plains):
            if msg["sec_hdr_type"] == 0:
                continue
            frames = [f["frame"] for f in msg.get("frames", []) if f["pcap"] == pcap]
            for frame in frames:
                counts["protected"] += 1
                row = rows.get(frame, {})
                what = "frame %d (%s seq %s type %d)" % (frame, msg["dir"], msg.get("nas_seq"),
                                                          msg["sec_hdr_type"])
                if ck.check("1" in row.get("kasme.status", []), what + " deciphered"):
                    counts["deciphered"] += 1
                if ck.check(row.get("kasme.mac.status") and
                            set(row["kasme.mac.status"]) == {"1"}, what + " MAC verified"):
                    counts["mac_ok"] += 1
                # -e kasme is the item's label, kept when a column or -e asks for kasme
                ck.check(any("mac verified" in v for v in row.get("kasme", [])),
                         what + " label says MAC verified")
                if msg["sec_hdr_type"] in (2, 4) and plain:
                    if ck.check(plain in row.get("kasme.plaintext", []),
                                what + " plaintext equals the UE's"):
                        counts["plain_equal"] += 1
    return counts


def check_keys(ck, truth, pcap, rows):
    # only the runs (UE log instances) this capture holds
    present = {ue["instance"] for ue in truth["ue"]
               if any(f["pcap"] == pcap for m in ue["nas_messages"] for f in m.get("frames", []))}
    derived = {f: set() for f in FIELDS}
    for row in rows.values():
        for f, vals in row.items():
            derived.setdefault(f, set()).update(vals)
    n = 0
    for entry in truth["summary"]:
        if entry.get("instance") not in present:
            continue
        if entry["what"] == "AKA":
            n += ck.check(entry["K_ASME"].lower() in derived["kasme.key.kasme"], "K_ASME derived")
        elif entry["what"] == "NAS SMC":
            n += ck.check(entry["K_NASenc"].lower() in derived["kasme.key.nas_enc"], "K_NASenc")
            n += ck.check(entry["K_NASint"].lower() in derived["kasme.key.nas_int"], "K_NASint")
        elif entry["what"] == "AS keys" and entry.get("nas_ul_count_for_K_eNB") is not None:
            n += ck.check(entry["K_eNB"].lower() in derived["kasme.key.kenb"],
                          "K_eNB from UL NAS COUNT %s" % entry["nas_ul_count_for_K_eNB"])
    return n


def check_security_keys(ck, rows, carrier="s1ap", verdict="kasme.kenb", key="K_eNB"):
    """Every SecurityKey of the carrier (S1AP; NGAP with kasme.kgnb, K_gNB) confirmed."""
    n = 0
    for frame, row in sorted(rows.items()):
        if row.get(carrier + ".SecurityKey"):
            n += ck.check(row.get(verdict) == ["1"],
                          "frame %d %s SecurityKey confirmed as %s" % (frame, carrier.upper(),
                                                                       key))
    return n


def hidden_chain_root(truth, nh):
    """The UL NAS COUNT of the K_eNB the MME's NH chain of nh started from, when no S1AP
    SecurityKey carried that K_eNB (the MME derived it, e.g. at a TAU while connected, and never
    sent it); None when it was sent or the truth has no MME NH log (srsRAN captures)."""
    by_nh = {e["NH"].lower(): e["sync_input"].lower() for e in truth.get("mme_nh", [])}
    if nh.lower() not in by_nh:
        return None
    sync = by_nh[nh.lower()]
    for _ in range(len(by_nh)):  # back along the chain to the K_eNB it started from
        if sync not in by_nh:
            break
        sync = by_nh[sync]
    sent = {k["K_eNB"].lower() for k in truth.get("capture_s1ap_security_key", [])}
    counts = [k["ul_count"] for k in truth.get("mme_kenb", []) if k["K_eNB"].lower() == sync]
    return counts[0] if counts and sync not in sent else None


def check_nh(ck, truth, pcap, rows, has_attach):
    """Every SecurityContext the truth places here: its NH and NCC as the MME logged them, and
    kasme's verdict: confirmed at the NCC's place in the chain with the attach, else not
    checked. Returns how many were checked."""
    n = 0
    for ho in truth.get("handovers", []):
        for f in (f for f in ho.get("s1ap_frames_containing_NH") or [] if f["pcap"] == pcap):
            row = rows.get(f["frame"], {})
            what = "frame %d SecurityContext of handover %d" % (f["frame"], ho["n"])
            ck.check(row.get("s1ap.nextHopParameter") == [ho["NH_from_mme_log"].lower()],
                     what + ": NH equals the MME's")
            ck.check(row.get("s1ap.nextHopChainingCount") == [str(ho["ncc"])], what + ": NCC")
            ck.check(row.get("kasme.nh.ncc") == [str(ho["ncc"])], what + ": kasme's NCC")
            if has_attach:
                n += ck.check(row.get("kasme.nh") == ["1"], what + ": NH confirmed")
                ck.check(row.get("kasme.nh.index") == [str(ho["ncc"])],
                         what + ": NH_%d of the chain" % ho["ncc"])
                root = hidden_chain_root(truth, ho["NH_from_mme_log"])
                ck.check(row.get("kasme.nh.root_ul_count", []) ==
                         ([] if root is None else [str(root)]),
                         what + (": chain from the SecurityKey" if root is None else
                                 ": chain from the unsent K_eNB of UL NAS COUNT %d" % root))
            else:
                n += ck.check(row.get("kasme.nh") == ["0"], what + ": NH not checked (no K_ASME)")
    unchecked = [fr for fr, row in rows.items() if row.get("s1ap.nextHopParameter") and
                 not row.get("kasme.nh")]
    ck.check(not unchecked, "every SecurityContext has a kasme NH result (frames %s)" % unchecked)
    return n


def main():
    plugin, version, scenario, pcap, keyfile = sys.argv[1:6]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    rows, stderr = run_kasme(plugin, version, scenario, pcap, keyfile)
    label = "%s/%s" % (os.path.basename(scenario), pcap)
    ck = Checker(label)
    ck.check("kasme:" not in stderr, "no key-file or plugin errors on stderr: " + stderr.strip())
    counts = check_pdus(ck, truth, scenario, pcap, rows)
    keys = check_keys(ck, truth, pcap, rows)
    kenb = check_security_keys(ck, rows)
    nh = check_nh(ck, truth, pcap, rows, counts["protected"] > 0)
    if keyfile == "none":
        check_s6a_key_sources(ck, truth, rows)
    failed_macs = sum(v.count("0") for r in rows.values() for v in [r.get("kasme.mac.status", [])])
    ck.check(failed_macs == 0, "%d MACs reported failed" % failed_macs)
    ck.check(counts["protected"] > 0 or nh > 0,
             "truth places protected PDUs or handover SecurityContexts in this capture")
    print("%s: %d protected NAS PDUs, %d deciphered, %d MACs verified, %d plaintexts equal "
          "the UE's; %d keys equal truth; %d SecurityKeys confirmed; %d SecurityContext NHs "
          "checked" % (label, counts["protected"], counts["deciphered"], counts["mac_ok"],
                       counts["plain_equal"], keys, kenb, nh))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
