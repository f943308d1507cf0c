#!/usr/bin/env python3
"""What kasme does when the keys are wrong, when a PDU was tampered with, and when it is given
only K_ASME. Checked on the real s01 capture (EEA2/EIA2) against its ground truth.

usage: check_negative.py PLUGIN_SO WS_VERSION SCENARIO_DIR MODE
  MODE wrong_k      a key file with another K: AKA mismatch reported, nothing deciphered
  MODE flipped      one octet of one ciphered PDU flipped: MAC FAILED for that PDU only
  MODE kasme_only   K_ASME from truth instead of K/OPc (by IMSI, and as "any"): all verified
  MODE bad_line     a key file with bad lines: file:line and why on stderr, good lines load
  MODE uat          the subscriber from the key table (UAT) instead of a file: all verified
  MODE two_pass     tshark -2 (two passes, as the GUI) gives the same tree as one pass
  MODE short_srb    an SRB1 PDU cut to 1, 2 and 3 octets (enb_mac.pcap): malformed, no MAC-I
"""
import json
import re
import os
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker, run_kasme, check_pdus  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

PCAP = "epc_s1ap.pcap"
IMSI = "001010123456780"


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def protected_frames(truth):
    return sorted(f["frame"] for ue in truth["ue"] for m in ue["nas_messages"]
                  if m["sec_hdr_type"] in (2, 4) for f in m.get("frames", []) if f["pcap"] == PCAP)


def events(plugin, version, scenario, keyfile):
    ts = Tshark(plugin, version)
    try:
        args = ["-r", ts.stage(os.path.join(scenario, PCAP)), "-o", "kasme.key_file:" +
                ts.stage(keyfile), "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                "-e", "kasme.event", "-e", "_ws.expert.message"] + DLT_PREFS[link_of(PCAP)]
        return ts.run(args).stdout
    finally:
        ts.close()


def wrong_k(ck, plugin, version, scenario, truth, tmp):
    keys = write(tmp, "wrong.keys", "imsi=%s k=%s opc=63bfa50ee6523365ff14c1f45f88737d\n"
                 % (IMSI, "ff" * 16))
    rows, stderr = run_kasme(plugin, version, scenario, PCAP, keys)
    out = events(plugin, version, scenario, keys)
    ck.check("no subscriber's MAC-A matches AUTN" in out, "AKA mismatch reported")
    ck.check(not any(r.get("kasme.plaintext") for r in rows.values()), "nothing deciphered")
    ck.check(not any("1" in r.get("kasme.mac.status", []) for r in rows.values()),
             "no MAC reported verified")
    ck.check(all("2" in rows[f].get("kasme.status", []) for f in protected_frames(truth)),
             "every protected PDU reported as without a security context")
    print("wrong K: AKA mismatch reported, 0 PDUs deciphered")


def patch_frame(src, dst, frame_no, patch):
    """Copies a pcap, calling patch(data, start, end) on the record of frame frame_no."""
    data = bytearray(open(src, "rb").read())
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        n += 1
        if n == frame_no:
            patch(data, off + 16, off + 16 + incl)
        off += 16 + incl
    open(dst, "wb").write(bytes(data))


def flip_last_octet(src, dst, frame_no):
    def flip(data, start, end):
        data[end - 1] ^= 0x01  # the NAS-PDU is the last IE of the message
    patch_frame(src, dst, frame_no, flip)


def flipped(ck, plugin, version, scenario, truth, tmp):
    victim = protected_frames(truth)[1]
    work = os.path.join(tmp, os.path.basename(scenario))
    shutil.copytree(scenario, work)
    flip_last_octet(os.path.join(scenario, PCAP), os.path.join(work, PCAP), victim)
    rows, _ = run_kasme(plugin, version, work, PCAP, write(tmp, "k.keys", open(
        os.path.join(os.path.dirname(__file__), "..", "..", "keyfiles",
                     "srsran-milenage.keys")).read()))
    for frame, row in sorted(rows.items()):
        st = row.get("kasme.mac.status", [])
        if not st:
            continue
        want = "0" if frame == victim else "1"
        ck.check(st == [want], "frame %d MAC status %s, want %s" % (frame, st, want))
    print("flipped octet in frame %d: MAC FAILED there, every other PDU verified" % victim)
    # A failed MAC's result is kept whole between passes (its calculated MAC does not pack):
    # a second pass shows the same tree, calculated MAC included.
    outs = []
    for extra in ([], ["-2"]):
        ts = Tshark(plugin, version)
        try:
            args = ["-r", ts.stage(os.path.join(work, PCAP)), "-o", "kasme.key_file:" +
                    ts.stage(os.path.join(os.path.dirname(__file__), "..", "..", "keyfiles",
                                          "srsran-milenage.keys"))] + extra + ["-V"] + \
                DLT_PREFS[link_of(PCAP)]
            outs.append(ts.run(args).stdout)
        finally:
            ts.close()
    ck.check(outs[0] == outs[1] and outs[0].count("MAC status: Bad") == 1,
             "tampered capture: one MAC failed, the same tree with one and two passes")
    print("tampered capture -V: one pass and two passes %s" % (
        "identical" if outs[0] == outs[1] else "DIFFERENT"))


def kasme_only(ck, plugin, version, scenario, truth, tmp):
    kasme = [e["K_ASME"] for e in truth["summary"] if e["what"] == "AKA"][0]
    for ident in ("imsi=%s ksi=0" % IMSI, "any"):
        keys = write(tmp, "kasme.keys", "kasme=%s %s\n" % (kasme, ident))
        rows, stderr = run_kasme(plugin, version, scenario, PCAP, keys)
        counts = check_pdus(ck, truth, scenario, PCAP, rows)
        ck.check(counts["protected"] > 0 and counts["mac_ok"] == counts["protected"],
                 "K_ASME (%s): all MACs verified" % ident)
        print("K_ASME only (%s): %d protected PDUs, %d deciphered, %d MACs verified, %d "
              "plaintexts equal the UE's" % (ident, counts["protected"], counts["deciphered"],
                                             counts["mac_ok"], counts["plain_equal"]))
        ck.check("kasme:" not in stderr, "no errors: " + stderr)


def bad_line(ck, plugin, version, scenario, truth, tmp):
    keys = write(tmp, "mixed.keys",
                 "# a comment\n"
                 "imsi=001010123456789 k=0011 opc=63bfa50ee6523365ff14c1f45f88737d\n"
                 "imsi=%s k=00112233445566778899aabbccddeeff opc=63bfa50ee6523365ff14c1f45f88737d\n"
                 "imsi=001010123456781 kk=00112233445566778899aabbccddeeff\n" % IMSI)
    rows, stderr = run_kasme(plugin, version, scenario, PCAP, keys)
    ck.check("mixed.keys:2:" in stderr and "mixed.keys:4:" in stderr,
             "bad lines 2 and 4 reported with file:line: " + stderr.strip())
    ck.check("00112233445566778899aabbccddeeff" not in stderr, "no secret on stderr")
    counts = check_pdus(ck, truth, scenario, PCAP, rows)
    ck.check(counts["mac_ok"] == counts["protected"] > 0, "the good line still deciphers")
    print("bad key-file lines reported as: %s" % stderr.strip().replace("\n", " | "))


def uat(ck, plugin, version, scenario, truth, tmp):
    ts = Tshark(plugin, version)
    try:
        row = '"%s","milenage-opc","00112233445566778899aabbccddeeff",' \
              '"63bfa50ee6523365ff14c1f45f88737d","8000","","srsue"' % IMSI
        args = ["-r", ts.stage(os.path.join(scenario, PCAP)), "-o", "uat:kasme_keys:" + row,
                "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                "-e", "frame.number", "-e", "kasme.mac.status"] + DLT_PREFS[link_of(PCAP)]
        out = ts.run(args).stdout
    finally:
        ts.close()
    statuses = [line.split("\t")[1] for line in out.splitlines() if "\t" in line and
                line.split("\t")[1]]
    ck.check(len(statuses) == 8 and all(v == "1" for v in statuses),
             "8 MACs verified with the key table: %s" % statuses)
    print("key table (UAT) row: %d protected PDUs verified" % statuses.count("1"))


def kasme_lines(text):
    """The summary lines of -P -V output and the kasme subtrees, in order."""
    kept, inside = [], False
    for line in text.splitlines():
        if re.match(r"^\s*\d+\s+\d+\.\d+", line):
            kept.append(line)
            inside = False
        elif line.startswith("NAS/RRC security (kasme)"):
            kept.append(line)
            inside = True
        elif inside and line.startswith(" "):
            kept.append(line)
        else:
            inside = False
    return "\n".join(kept)


def two_pass(ck, plugin, version, scenario, truth, tmp):
    """Both the S1AP capture and the eNB's MAC-LTE capture (RRC, NAS inside deciphered RRC,
    user plane), with the derived keys shown: a later pass rebuilds them from stored results."""
    keys = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "keyfiles",
                        "srsran-milenage.keys")
    # On MAC-LTE, Wireshark's own mac-lte/pdcp-lte trees differ between one and two passes
    # ("Next frame for channel", PDCP security): there the summary lines and kasme's subtrees
    # of -P -V are compared instead of the whole output.
    for pcap in (PCAP, "enb_mac.pcap"):
        if not os.path.exists(os.path.join(scenario, pcap)):
            continue
        outs = []
        for extra in ([], ["-2"]):
            ts = Tshark(plugin, version)
            try:
                args = ["-r", ts.stage(os.path.join(scenario, pcap)), "-o",
                        "kasme.key_file:" + ts.stage(keys), "-o", "kasme.show_keys:TRUE",
                        "-o", "kasme.decipher_user_plane:TRUE"] + extra + \
                       (["-V"] if pcap == PCAP else ["-P", "-V"]) + DLT_PREFS[link_of(pcap)]
                out = ts.run(args).stdout
                outs.append(out if pcap == PCAP else kasme_lines(out))
            finally:
                ts.close()
        # the compact tree (the default) puts the verdict on the MAC's line
        good = re.search(r"MAC(-I)?: 0x[0-9a-f]{8}( \(deciphered\))? \[Good\]", outs[0]) and \
            "K_NASenc" in outs[0] and \
            (pcap == PCAP or "K_RRCenc" in outs[0])
        ck.check(outs[0] == outs[1] and good,
                 "%s: kasme's output identical with one and two passes" % pcap)
        print("%s: one pass and two passes: %d and %d bytes of output, %s" % (
            pcap, len(outs[0]), len(outs[1]), "identical" if outs[0] == outs[1] else "DIFFERENT"))
    # A tree that is not printed (-T fields): from Wireshark 4.4 on, the second pass does not
    # prime the carriers' fields and kasme shows its results from the store.
    fields = ["-T", "fields", "-E", "occurrence=a"]
    for f in ("frame.number", "kasme.ue", "kasme.status", "kasme.count", "kasme.mac.status",
              "kasme.msg", "kasme.kenb", "kasme.event"):
        fields += ["-e", f]
    outs = one_and_two_passes(plugin, version, scenario, keys, fields)
    ck.check(outs[0] == outs[1] and "Security mode complete" in outs[0],
             "%s: -T fields identical with one and two passes" % PCAP)
    print("%s -T fields: one pass and two passes: %d and %d bytes, %s" % (
        PCAP, len(outs[0]), len(outs[1]), "identical" if outs[0] == outs[1] else "DIFFERENT"))
    # Summary lines only: the second pass builds no tree, and kasme's Info column comes from
    # the stored records, whose PDUs are found again in the frame's bytes.
    outs = one_and_two_passes(plugin, version, scenario, keys, [])
    ck.check(outs[0] == outs[1] and "Security mode complete" in outs[0],
             "%s: summary lines identical with one and two passes" % PCAP)
    print("%s summary: one pass and two passes: %d and %d bytes, %s" % (
        PCAP, len(outs[0]), len(outs[1]), "identical" if outs[0] == outs[1] else "DIFFERENT"))


def one_and_two_passes(plugin, version, scenario, keys, options):
    """tshark's output on the S1AP capture with one pass and with -2."""
    outs = []
    for extra in ([], ["-2"]):
        ts = Tshark(plugin, version)
        try:
            args = ["-r", ts.stage(os.path.join(scenario, PCAP)), "-o",
                    "kasme.key_file:" + ts.stage(keys)] + extra + options + DLT_PREFS[link_of(PCAP)]
            outs.append(ts.run(args).stdout)
        finally:
            ts.close()
    return outs


MAC_PCAP = "enb_mac.pcap"
SHORT_FRAME = 18  # s01 enb_mac: DL SRB1, UECapabilityEnquiry, the MAC SDU's L field 10


def cut_srb_pdu(src, dst, pdcp_len):
    """Frame 18's MAC SDU (RLC AM header, 2 octets, and the PDCP PDU) cut to pdcp_len PDCP
    octets by its MAC subheader's L field; the octets after it become padding."""
    def cut(data, start, end):
        mac = data.index(b"\x21\x0a", start, end)  # LCID 1, L = 10
        data[mac + 1] = 2 + pdcp_len
    patch_frame(src, dst, SHORT_FRAME, cut)


def short_srb(ck, plugin, version, scenario, truth, tmp):
    keys = os.path.join(os.path.dirname(__file__), "..", "..", "keyfiles", "srsran-milenage.keys")
    for pdcp_len in (1, 2, 3):
        cut = os.path.join(tmp, "short%d_%s" % (pdcp_len, MAC_PCAP))
        cut_srb_pdu(os.path.join(scenario, MAC_PCAP), cut, pdcp_len)
        ts = Tshark(plugin, version)
        try:
            args = ["-r", ts.stage(cut), "-o", "kasme.key_file:" + ts.stage(keys),
                    "-Y", "frame.number == %d" % SHORT_FRAME, "-T", "fields", "-E", "separator=;",
                    "-e", "kasme.rb", "-e", "kasme.status", "-e", "kasme.mac",
                    "-e", "kasme.mac.status"] + DLT_PREFS["mac"]
            out = ts.run(args).stdout.strip()
        finally:
            ts.close()
        rb, status, mac, mac_status = (out.split(";") + ["", "", "", ""])[:4]
        # a PDU shorter than header + MAC-I holds no MAC-I: none may be shown, least of all
        # one read from the octets before the PDU
        ck.check(rb == "SRB1" and status == "3" and mac == "" and mac_status in ("", "3"),
                 "SRB1 PDU of %d octets: kasme.rb %r status %r (want 3, malformed), MAC-I %r "
                 "(want none), MAC status %r" % (pdcp_len, rb, status, mac, mac_status))
    print("SRB1 PDU cut to 1, 2 and 3 octets: malformed, no MAC-I shown")


def main():
    plugin, version, scenario, mode = sys.argv[1:5]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    ck = Checker("%s %s" % (os.path.basename(scenario), mode))
    tmp = tempfile.mkdtemp(prefix="kasme-neg-")
    try:
        {"wrong_k": wrong_k, "flipped": flipped, "kasme_only": kasme_only, "bad_line": bad_line,
         "uat": uat, "two_pass": two_pass, "short_srb": short_srb}[mode](
            ck, plugin, version, scenario, truth, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
