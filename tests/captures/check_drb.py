#!/usr/bin/env python3
"""User plane: with the preference kasme.decipher_user_plane, every DRB PDU of a bundled MAC-LTE
capture is deciphered with K_UPenc into an IP packet of the UE (its address is in the Attach
Accept, 172.16.0.2 in every bundled run), and the pings the run log reports are all there.

usage: check_drb.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP KEYFILE MIN_ECHO_REPLIES
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

UE_IP = "172.16.0.2"
FIELDS = ["frame.number", "kasme.layer", "kasme.count", "ip.src", "ip.dst", "icmp.type"]


def main():
    plugin, version, scenario, pcap, keyfile, min_replies = sys.argv[1:7]
    ts = Tshark(plugin, version)
    try:
        args = ["-r", ts.stage(os.path.join(scenario, pcap)), "-o",
                "kasme.key_file:" + ts.stage(keyfile), "-o", "kasme.decipher_user_plane:TRUE",
                "-o", "mac-lte.lcid_to_drb_mapping_source:From configuration protocol",
                "-T", "fields", "-E", "occurrence=f"] + DLT_PREFS[link_of(pcap)]
        for f in FIELDS:
            args += ["-e", f]
        out = ts.run(args).stdout
    finally:
        ts.close()
    ck = Checker("%s/%s user plane" % (os.path.basename(scenario), pcap))
    drb = requests = replies = 0
    for line in out.splitlines():
        cols = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        row = dict(zip(FIELDS, cols))
        if row["kasme.layer"] != "UP":
            continue
        drb += 1
        ck.check(UE_IP in (row["ip.src"], row["ip.dst"]),
                 "frame %s: an IP packet of the UE (%s -> %s)" % (row["frame.number"],
                                                                  row["ip.src"], row["ip.dst"]))
        requests += row["icmp.type"] == "8"
        replies += row["icmp.type"] == "0"
    ck.check(replies >= int(min_replies), "%d echo replies, the run log reports %s" %
             (replies, min_replies))
    print("%s/%s: %d DRB PDUs deciphered to IP, %d echo requests, %d echo replies" %
          (os.path.basename(scenario), pcap, drb, requests, replies))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
