#!/usr/bin/env python3
"""NAS arriving other ways than S1AP, checked against the capture's ground truth.

usage: check_carriers.py PLUGIN_SO WS_VERSION SCENARIO_DIR KEYFILE MODE
  MODE gsmtap   the UE's NAS PDUs as they went over the air (truth's pdu_hex), each in a
                GSMTAP LTE-NAS packet (UDP 4729) with its direction: every protected PDU
                deciphered, MAC verified, plaintext equal to the UE's
  MODE mac_lte  enb_mac.pcap and ue_mac.pcap (RRC over PDCP over MAC-LTE): every NAS PDU,
                in plaintext RRC or in RRC that kasme deciphered, is deciphered, its MAC
                verified and its plaintext equal to the UE's
"""
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker, expected_plaintexts  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

FIELDS = ["frame.number", "kasme.status", "kasme.mac.status", "kasme.direction", "kasme.count",
          "kasme.plaintext"]


def checksum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def gsmtap_frame(nas, uplink):
    # GSMTAP v2 (Wireshark's packet-gsmtap.h): type 0x12 LTE NAS, subtype 1 = with a security
    # header; the uplink flag is bit 0x4000 of the ARFCN field.
    gsmtap = struct.pack("!BBBBHbbIBBBB", 2, 4, 0x12, 0, 0x4000 if uplink else 0, 0, 0, 0,
                         1, 0, 0, 0) + nas
    udp = struct.pack("!HHHH", 4729, 4729, 8 + len(gsmtap), 0) + gsmtap
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2]))
    ip = ip[:10] + struct.pack("!H", checksum16(ip)) + ip[12:]
    return b"\0" * 12 + b"\x08\x00" + ip + udp  # Ethernet


def write_gsmtap_pcap(path, messages):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, msg in enumerate(messages):
            frame = gsmtap_frame(bytes.fromhex(msg["pdu_hex"]), msg["dir"] == "UL")
            f.write(struct.pack("<IIII", i, 0, len(frame), len(frame)) + frame)


def run(plugin, version, pcap, keyfile, prefs):
    ts = Tshark(plugin, version)
    try:
        args = ["-r", ts.stage(pcap), "-o", "kasme.key_file:" + ts.stage(keyfile), "-T", "fields",
                "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|"] + prefs
        for f in FIELDS:
            args += ["-e", f]
        out = ts.run(args)
    finally:
        ts.close()
    rows = []
    for line in out.stdout.splitlines():
        cols = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        rows.append({f: [v.replace(":", "") for v in c.split("|") if v]
                     for f, c in zip(FIELDS, cols)})
    return rows


def gsmtap(ck, plugin, version, scenario, keyfile, truth):
    ue = truth["ue"][0]
    tmp = tempfile.mkdtemp(prefix="kasme-gsmtap-")
    pcap = os.path.join(tmp, "gsmtap_nas.pcap")
    write_gsmtap_pcap(pcap, ue["nas_messages"])
    rows = run(plugin, version, pcap, keyfile, [])
    plains = expected_plaintexts(scenario, ue)
    verified = equal = protected = 0
    for i, (msg, plain) in enumerate(zip(ue["nas_messages"], plains)):
        if msg["sec_hdr_type"] == 0:
            continue
        protected += 1
        row = rows[i] if i < len(rows) else {}
        what = "GSMTAP frame %d (%s seq %s)" % (i + 1, msg["dir"], msg.get("nas_seq"))
        verified += ck.check(row.get("kasme.mac.status") == ["1"], what + " MAC verified")
        want_dir = "0" if msg["dir"] == "UL" else "1"
        ck.check(row.get("kasme.direction") == [want_dir], what + " direction from GSMTAP")
        if msg["sec_hdr_type"] in (2, 4) and plain:
            equal += ck.check(row.get("kasme.plaintext") == [plain], what + " plaintext")
    print("%s over GSMTAP: %d protected NAS PDUs, %d MACs verified, %d plaintexts equal the "
          "UE's" % (os.path.basename(scenario), protected, verified, equal))
    os.unlink(pcap)
    os.rmdir(tmp)


def mac_lte(ck, plugin, version, scenario, keyfile, truth):
    from check_rrc import kasme_items, flat
    ue = truth["ue"][0]
    plains = expected_plaintexts(scenario, ue)
    by_seq = {}
    for msg, plain in zip(ue["nas_messages"], plains):
        if msg["sec_hdr_type"] in (1, 2, 3, 4):
            by_seq[("0" if msg["dir"] == "UL" else "1", msg["nas_seq"])] = (msg, plain)
        if msg["sec_hdr_type"] == 12:
            by_seq[("0", "service request")] = (msg, None)
    for pcap in ("enb_mac.pcap", "ue_mac.pcap"):
        frames, _, _ = kasme_items(plugin, version, scenario, pcap, keyfile)
        seen = verified = equal = 0
        for number, items in sorted(frames.items()):
            for it in (i for i in items if i.get("kasme.layer") == "NAS" and "kasme.count" in i):
                seen += 1
                d, c = it.get("kasme.direction"), int(it["kasme.count"])
                what = "%s frame %d dir %s COUNT %d" % (pcap, number, d, c)
                verified += ck.check(it.get("kasme.mac.status") == "1", what + " MAC verified")
                key = (d, "service request") if it.get("kasme.msg") == "Service request" else (d, c % 256)
                msg, plain = by_seq.get(key, (None, None))
                ck.check(msg is not None, what + " is a NAS PDU of the truth")
                if msg and msg["sec_hdr_type"] in (2, 4) and plain:
                    equal += ck.check(flat(it.get("kasme.plaintext")) == plain, what + " plaintext")
        # the whole attach: NAS in plaintext RRC, then inside RRC that kasme deciphered
        ck.check(seen >= 8, "%s: at least 8 protected NAS PDUs" % pcap)
        print("%s/%s: %d protected NAS PDUs (in plaintext and in deciphered RRC), %d MACs "
              "verified, %d plaintexts equal the UE's" % (os.path.basename(scenario), pcap, seen,
                                                         verified, equal))


def main():
    plugin, version, scenario, keyfile, mode = sys.argv[1:6]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    ck = Checker("%s %s" % (os.path.basename(scenario), mode))
    {"gsmtap": gsmtap, "mac_lte": mac_lte}[mode](ck, plugin, version, scenario, keyfile, truth)
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
