#!/usr/bin/env python3
"""`tshark -z kasme,stat` against the ground truth: one UE with the subscriber's IMSI, as many
NAS and RRC PDUs deciphered and MACs verified as truth.json has protected PDUs in the capture,
none failed, and every S1AP SecurityKey confirmed.

usage: check_stat.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP KEYFILE
"""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402


def truth_counts(truth, pcap):
    nas = rrc = 0
    for ue in truth["ue"]:
        # on the radio side truth lists no NAS frames: every NAS PDU of a UE present counts
        present = any(f["pcap"] == pcap for m in ue["nas_messages"] + ue["rrc_messages"]
                      for f in m.get("frames", []))
        for m in ue["nas_messages"]:
            in_pcap = any(f["pcap"] == pcap for f in m.get("frames", [])) or (
                "mac" in pcap and present)
            if m["sec_hdr_type"] != 0 and in_pcap:
                nas += 1
        for m in ue["rrc_messages"]:
            in_pcap = any(f["pcap"] == pcap for f in m.get("frames", []))
            # the RRC SMC is protected too, though the UE logs it before security starts
            if in_pcap and (m["integrity"] != "none" or "securityModeCommand" in m["rrc_msg"]):
                rrc += 1
    return nas, rrc


def check_columns(ck, out):
    """Every row's counts end where the header's column names end, however long its key source."""
    lines = out.splitlines()
    header = [line for line in lines if line.startswith("UE ")]
    if not ck.check(len(header) == 1, "one header line"):
        return
    ends = [header[0].index(" %s " % name) + 1 + len(name)
            for name in ("NAS", "RRC", "UP", "MAC ok", "MAC bad", "unchecked")]
    rows = [line for line in lines if re.match(r"^(\d+|Total)\s", line)]
    long_rows = [line for line in rows if "a-key-file-whose-name" in line]
    ck.check(long_rows, "a row names the long key file: %s" % rows)
    for line in rows:
        ck.check(all(line[e - 1].isdigit() and line[e:e + 1] in (" ", "") for e in ends),
                 "counts under their column names: %r" % line)


def main():
    plugin, version, scenario, pcap, keyfile = sys.argv[1:6]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    ts = Tshark(plugin, version)
    try:
        # a long key-file name makes the "Keys from" text longer than its column's 32 characters
        long_name = os.path.join(ts.tmp, "a-key-file-whose-name-is-longer-than-the-column.keys")
        shutil.copy(keyfile, long_name)
        os.chmod(long_name, 0o644)
        out = ts.run(["-r", ts.stage(os.path.join(scenario, pcap)), "-o", "kasme.key_file:" +
                      long_name, "-q", "-z", "kasme,stat"] + DLT_PREFS[link_of(pcap)]).stdout
    finally:
        ts.close()
    print(out)
    ck = Checker("%s/%s -z kasme,stat" % (os.path.basename(scenario), pcap))
    rows = [line.split() for line in out.splitlines() if re.match(r"^(\d+|Total)\s", line)]
    ues = [r for r in rows if r[0] != "Total"]
    total = [r for r in rows if r[0] == "Total"]
    ck.check(len(ues) == 1 and ues[0][1] == truth["subscriber"]["IMSI"],
             "one UE row, with the subscriber's IMSI")
    check_columns(ck, out)
    if not ck.check(len(total) == 1, "a Total row"):
        print("%d passed, %d failed" % (ck.passed, ck.failed))
        return 1
    nas, rrc, up, ok, bad, unchecked = (int(x) for x in total[0][-7:-1])
    kenb_ok, kenb_bad = (int(x) for x in total[0][-1].split("/"))
    want_nas, want_rrc = truth_counts(truth, pcap)
    ck.check(nas == want_nas, "NAS deciphered %d, truth has %d protected" % (nas, want_nas))
    ck.check(rrc == want_rrc, "RRC deciphered %d, truth has %d protected" % (rrc, want_rrc))
    ck.check(ok == want_nas + want_rrc and bad == 0 and unchecked == 0,
             "MACs verified %d, failed %d, unchecked %d" % (ok, bad, unchecked))
    if "s1ap" in pcap:
        want_kenb = 0
        for ue in truth["ue"]:
            want_kenb += sum(1 for a in ue["as_security"] if a.get("nas_ul_count_for_K_eNB") is not None)
        ck.check(kenb_ok == want_kenb and kenb_bad == 0,
                 "K_eNB confirmed %d/%d, truth has %d" % (kenb_ok, kenb_bad, want_kenb))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
