#!/usr/bin/env python3
"""User plane: with the preference kasme.decipher_user_plane, every DRB PDU of a bundled MAC-LTE
capture is deciphered with K_UPenc into an IP packet of the UE (its address is in the Attach
Accept, 172.16.0.2 in every bundled run), and the pings the run log reports are all there.

usage: check_drb.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP KEYFILE MIN_ECHO_REPLIES
                    [--handovers um|am MIN_COUNT_CHECKS]

With --handovers (truth "handovers"; PCAP may be S1AP+MAC as for check_rrc.py): at every
handover this capture sees the UE arrive by, the DRB's PDCP COUNT restarts (RLC UM) or goes on
(RLC AM) in each direction (TS 36.323 5.2.1.2, 5.2.2.2). The DRB's logical channel (LCID 3) is
then given to Wireshark as a static table: its per-UE mapping from RRC does not follow srsUE's
capture to the target cell (another UEId).
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of, merged_input  # noqa: E402

UE_IP = "172.16.0.2"
FIELDS = ["frame.number", "kasme.layer", "kasme.count", "ip.src", "ip.dst", "icmp.type",
          "ipv6.src"]


RLC_MODES = {"um": "UM, SN Len=10", "am": "AM"}


def tshark_rows(plugin, version, scenario, pcap, keyfile, rlc_mode):
    ts = Tshark(plugin, version)
    tmp = tempfile.mkdtemp(prefix="check-drb-")
    try:
        capture, numbering = merged_input(scenario, pcap, tmp)
        args = ["-r", ts.stage(capture), "-o", "kasme.key_file:" + ts.stage(keyfile),
                "-o", "kasme.decipher_user_plane:TRUE", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
                # only kasme's plaintext is IP: pdcp-lte would dissect ciphertext as IP where
                # it does not know the bearer is ciphered (the static table)
                "-o", "pdcp-lte.show_user_plane_as_ip:FALSE"]
        if rlc_mode:
            args += ["-o", "mac-lte.lcid_to_drb_mapping_source:From static table",
                     "-o", 'uat:drb_logchans:"LCID 3","1","%s"' % RLC_MODES[rlc_mode]]
        else:
            args += ["-o", "mac-lte.lcid_to_drb_mapping_source:From configuration protocol"]
        for link in sorted({link_of(p) for p in pcap.split("+")}):
            args += DLT_PREFS[link]
        for f in FIELDS + ["mac-lte.direction"]:
            args += ["-e", f]
        out = ts.run(args).stdout
    finally:
        ts.close()
        shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    for line in out.splitlines():
        cols = (line.split("\t") + [""] * (len(FIELDS) + 1))[:len(FIELDS) + 1]
        rows.append(dict(zip(FIELDS + ["mac-lte.direction"], cols)))
    mac_pcap = pcap.split("+")[-1]
    at = (lambda n: numbering[mac_pcap][n]) if numbering else (lambda n: n)
    return rows, at


def check_handovers(ck, truth, pcap, rows, at, mode):
    """The first DRB COUNT after each handover onto this capture's cell, per direction, against
    the last one before it: lower for RLC UM (PDCP re-established: COUNT 0), higher for RLC AM."""
    n = 0
    for ho in truth.get("handovers", []):
        arrivals = [at(f["frame"]) for f in ho["rrc_reconfiguration_complete_on_target"]["frames"]
                    if f["pcap"] == pcap.split("+")[-1]]
        if not arrivals:
            continue
        for d in ("0", "1"):
            drb = [(int(r["frame.number"]), int(c)) for r in rows if r["mac-lte.direction"] == d
                   for layer, c in zip(r["kasme.layer"].split(","), r["kasme.count"].split(","))
                   if layer == "UP"]
            before = [c for f, c in drb if f < arrivals[0]]
            after = [c for f, c in drb if f > arrivals[0]]
            if not before or not after:
                continue  # the UE arrived at this eNB by handover: nothing before
            what = "handover %d, %s DRB COUNT %d before, %d after" % (
                ho["n"], "DL" if d == "1" else "UL", before[-1], after[0])
            n += ck.check(after[0] < before[-1] if mode == "um" else after[0] > before[-1],
                          what + (": restarts (RLC UM)" if mode == "um" else ": goes on (RLC AM)"))
    return n


def main():
    plugin, version, scenario, pcap, keyfile, min_replies = sys.argv[1:7]
    mode = sys.argv[8] if len(sys.argv) > 9 and sys.argv[7] == "--handovers" else None
    rows, at = tshark_rows(plugin, version, scenario, pcap, keyfile, mode)
    ck = Checker("%s/%s user plane" % (os.path.basename(scenario), pcap))
    if not rows:
        ck.check(False, "tshark gave no rows")
    drb = requests = replies = 0
    for row in rows:
        values = {f: [v for v in row[f].split(",") if v] for f in FIELDS}
        if "UP" not in values["kasme.layer"]:
            continue
        drb += values["kasme.layer"].count("UP")
        pairs = list(zip(values["ip.src"], values["ip.dst"]))
        ck.check(all(UE_IP in p for p in pairs) and len(pairs) + len(values["ipv6.src"]) ==
                 values["kasme.layer"].count("UP"),
                 "frame %s: each DRB PDU an IP packet of the UE (%s) or IPv6 (the UE's router "
                 "solicitation)" % (row["frame.number"], pairs))
        requests += values["icmp.type"].count("8")
        replies += values["icmp.type"].count("0")
    ck.check(replies >= int(min_replies), "%d echo replies, the run log reports %s" %
             (replies, min_replies))
    moves = 0
    if mode:
        truth = json.load(open(os.path.join(scenario, "truth.json")))
        moves = check_handovers(ck, truth, pcap, rows, at, mode)
        ck.check(moves >= int(sys.argv[9]), "%d DRB COUNT checks at handovers, want %s at least"
                 % (moves, sys.argv[9]))
    print("%s/%s: %d DRB PDUs deciphered to IP, %d echo requests, %d echo replies; %d DRB COUNT "
          "checks at handovers" % (os.path.basename(scenario), pcap, drb, requests, replies, moves))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
