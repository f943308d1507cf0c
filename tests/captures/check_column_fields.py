#!/usr/bin/env python3
"""The columns as fields show what kasme deciphered, as the printed columns do.

Wireshark 4.2 and later add the columns as fields (_ws.col.info, ...) before they call the
post-dissectors, so without kasme's help "-T fields -e _ws.col.info" and a filter on it keep
saying "Ciphered message" although the summary line names the message. On s01 with its key
file, for every ciphered protected PDU that truth.json places in epc_s1ap.pcap (NAS, security
header type 2 or 4) and in enb_mac.pcap (RRC), the Info column as a field must name the message
the UE logged; a display filter on it must pick those frames (4.2 on: 4.0 cannot filter on
columns, and its tshark prints _ws.col.Info from the column itself).

usage: check_column_fields.py PLUGIN_SO WS_VERSION SCENARIO_DIR KEYFILE
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kasme_tshark import DLT_PREFS, Tshark  # noqa: E402

# Wireshark's names (nas-eps) of the NAS messages s01's UE logs, as the UE log words them
NAS_NAMES = ["Security mode complete", "ESM information request", "ESM information response",
             "Attach accept", "Attach complete", "EMM information"]


def nas_name(logged):
    names = [n for n in NAS_NAMES if n.lower() in logged.lower()]
    return names[0] if len(names) == 1 else None


def squeeze(text):
    return text.lower().replace(" ", "")


def info_by_frame(ts, pcap, link, keys, field, extra=()):
    proc = ts.run(["-r", pcap] + DLT_PREFS[link] + ["-o", "kasme.key_file:" + keys] +
                  list(extra) + ["-T", "fields", "-e", "frame.number", "-e", field])
    rows = {}
    for line in proc.stdout.splitlines():
        number, _, info = line.partition("\t")
        rows[int(number)] = info
    return rows


def frames_picked(ts, pcap, link, keys, display_filter):
    proc = ts.run(["-r", pcap] + DLT_PREFS[link] + ["-o", "kasme.key_file:" + keys,
                   "-Y", display_filter, "-T", "fields", "-e", "frame.number"])
    return [int(n) for n in proc.stdout.split()]


def main():
    plugin, version, scenario, keyfile = sys.argv[1:5]
    major, minor = (int(x) for x in version.split(".")[:2])
    filterable = (major, minor) >= (4, 2)
    field = "_ws.col.info" if filterable else "_ws.col.Info"
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    ts = Tshark(plugin, version)
    failed = checked = 0
    try:
        keys = ts.stage(keyfile)
        for pcap_name, link in (("epc_s1ap.pcap", "s1ap"), ("enb_mac.pcap", "mac")):
            pcap = ts.stage(os.path.join(scenario, pcap_name))
            infos = info_by_frame(ts, pcap, link, keys, field)
            for ex in truth["protected_examples"]:
                if ex["pcap"] != pcap_name or (ex["layer"] == "NAS" and
                                               ex["sec_hdr_type"] not in (2, 4)):
                    continue
                logged = ex["plaintext_msg_in_ue_log"]
                want = nas_name(logged) if ex["layer"] == "NAS" else logged
                got = infos.get(ex["frame"], "")
                checked += 1
                if not want or squeeze(want) not in squeeze(got):
                    failed += 1
                    print("FAIL %s frame %d: %s is %r, the UE logged %r" % (
                        pcap_name, ex["frame"], field, got, logged))
                if "Ciphered message" in got:
                    failed += 1
                    print("FAIL %s frame %d: %s still says Ciphered message" % (
                        pcap_name, ex["frame"], field))
                if not filterable or ex["layer"] != "NAS":
                    continue
                picked = frames_picked(ts, pcap, link, keys, '%s contains "%s"' % (field, want))
                if ex["frame"] not in picked:
                    failed += 1
                    print("FAIL %s: -Y '%s contains \"%s\"' leaves out frame %d (picks %s)" % (
                        pcap_name, field, want, ex["frame"], sorted(picked)))
    finally:
        ts.close()
    if checked < 10:
        failed += 1
        print("FAIL only %d protected PDUs of truth.json checked" % checked)
    print("%d PDUs checked, %d failed (%s%s)" % (checked, failed, field,
                                                  ", filters too" if filterable else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
