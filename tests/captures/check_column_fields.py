#!/usr/bin/env python3
"""The columns as fields show what kasme deciphered, as the printed columns do.

Wireshark 4.2 and later add the columns as fields (_ws.col.info, ...) before they call the
post-dissectors, so without kasme's help "-T fields -e _ws.col.info" and a filter on it keep
saying "Ciphered message" although the summary line names the message. On s01 with its key
file, for every ciphered protected PDU that truth.json places in epc_s1ap.pcap (NAS, security
header type 2 or 4) and in enb_mac.pcap (RRC), the Info column as a field must name the message
the UE logged; a display filter on it must pick those frames (4.2 on: 4.0 cannot filter on
columns, and its tshark prints _ws.col.Info from the column itself). The Protocol column as
a field must be the Protocol column the summary line prints. With a 5G scenario too,
the same for every ciphered NAS-5GS PDU of its ngap.pcapng (security header type 2 or 4), named
as the AMF logged it (truth.json nas_pdus), with the scenario's subscriber.keys.

usage: check_column_fields.py PLUGIN_SO WS_VERSION SCENARIO_DIR KEYFILE [SCENARIO_5G_DIR]
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


def link_prefs(link):
    return DLT_PREFS[link] if link else []  # pcapng of SCTP/IP: no user DLT


def column_fields_by_frame(ts, pcap, keys, link, fields):
    """Each frame's values of these fields, in one tshark run: {frame: [value, ...]}."""
    args = ["-r", pcap] + link_prefs(link) + ["-o", "kasme.key_file:" + keys, "-T", "fields",
                                              "-e", "frame.number"]
    for f in fields:
        args += ["-e", f]
    rows = {}
    for line in ts.run(args).stdout.splitlines():
        number, *values = line.split("\t")
        rows[int(number)] = values + [""] * (len(fields) - len(values))
    return rows


def protocols_printed(ts, pcap, keys, link):
    """The Protocol column of each summary line (the column itself, not its field)."""
    proc = ts.run(["-r", pcap] + link_prefs(link) + ["-o", "kasme.key_file:" + keys,
                   "-o", 'gui.column.format:"No.","%m","Protocol","%p"'])
    rows = {}
    for line in proc.stdout.splitlines():
        number, _, protocol = line.strip().partition(" ")
        rows[int(number)] = protocol.strip()  # "LTE RRC UL_DCCH/NAS-EPS" has spaces
    return rows


def frames_picked(ts, pcap, keys, link, display_filter):
    proc = ts.run(["-r", pcap] + link_prefs(link) + ["-o", "kasme.key_file:" + keys,
                   "-Y", display_filter, "-T", "fields", "-e", "frame.number"])
    return [int(n) for n in proc.stdout.split()]


def expectations_4g(scenario, keyfile):
    """(capture, link, key file, frame, message names, as logged, filter too) of s01's ciphered
    protected PDUs."""
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    links = {"epc_s1ap.pcap": "s1ap", "enb_mac.pcap": "mac"}
    out = []
    for ex in truth["protected_examples"]:
        if ex["pcap"] not in links or (ex["layer"] == "NAS" and ex["sec_hdr_type"] not in (2, 4)):
            continue
        logged = ex["plaintext_msg_in_ue_log"]
        name = nas_name(logged) if ex["layer"] == "NAS" else logged
        out.append((os.path.join(scenario, ex["pcap"]), links[ex["pcap"]], keyfile, ex["frame"],
                    [name] if name else [], logged, ex["layer"] == "NAS"))
    return out


def expectations_5g(scenario):
    """The same for a 5G lab run's ciphered NAS-5GS PDUs: "UL NAS transport (PDU session
    establishment request)" must name both messages."""
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    out = []
    for p in truth["nas_pdus"]:
        if bytes.fromhex(p["pdu"])[1] not in (2, 4):
            continue
        names = [n.strip() for n in p["message"].replace(")", "").split("(")]
        out.append((os.path.join(scenario, "ngap.pcapng"), None,
                    os.path.join(scenario, "subscriber.keys"), p["frame"], names, p["message"],
                    True))
    return out


def main():
    plugin, version, scenario, keyfile = sys.argv[1:5]
    major, minor = (int(x) for x in version.split(".")[:2])
    filterable = (major, minor) >= (4, 2)
    field = "_ws.col.info" if filterable else "_ws.col.Info"
    protocol_field = "_ws.col.protocol" if filterable else "_ws.col.Protocol"
    wanted = expectations_4g(scenario, keyfile)
    if len(sys.argv) > 5:
        wanted += expectations_5g(sys.argv[5])
    ts = Tshark(plugin, version)
    failed = 0
    staged, columns, printed = {}, {}, {}
    try:
        for pcap, link, keys, frame, names, logged, filter_too in wanted:
            if (pcap, keys) not in staged:
                staged[pcap, keys] = (ts.stage(pcap), ts.stage(keys))
                columns[pcap, keys] = column_fields_by_frame(ts, *staged[pcap, keys], link,
                                                             [field, protocol_field])
                printed[pcap, keys] = protocols_printed(ts, *staged[pcap, keys], link)
            got, protocol = columns[pcap, keys].get(frame, ["", None])
            where = "%s frame %d" % (os.path.basename(pcap), frame)
            shown = printed[pcap, keys].get(frame)
            if not shown or protocol != shown:
                failed += 1
                print("FAIL %s: %s is %r, the Protocol column %r" % (
                    where, protocol_field, protocol, shown))
            if not names or any(squeeze(n) not in squeeze(got) for n in names):
                failed += 1
                print("FAIL %s: %s is %r, the log says %r" % (where, field, got, logged))
            if "Ciphered message" in got:
                failed += 1
                print("FAIL %s: %s still says Ciphered message" % (where, field))
            if not filterable or not filter_too:
                continue
            picked = frames_picked(ts, *staged[pcap, keys], link,
                                   '%s contains "%s"' % (field, names[-1]))
            if frame not in picked:
                failed += 1
                print("FAIL %s: -Y '%s contains \"%s\"' leaves it out (picks %s)" % (
                    where, field, names[-1], picked))
    finally:
        ts.close()
    if len(wanted) < (24 if len(sys.argv) > 5 else 16):
        failed += 1
        print("FAIL only %d protected PDUs of the truth files to check" % len(wanted))
    print("%d PDUs checked, %d failed (%s%s)" % (len(wanted), failed, field,
                                                  ", filters too" if filterable else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
