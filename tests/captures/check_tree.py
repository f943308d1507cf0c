#!/usr/bin/env python3
"""kasme's compact tree (kasme.tree_detail, the default) against the full one, on the real s01
capture (EEA2/EIA2) and its ground truth.

usage: check_tree.py PLUGIN_SO WS_VERSION SCENARIO_DIR KEYFILE
  - tshark -V, compact: every protected NAS PDU's subtree has at most 4 lines below kasme's top
    line (UE and IMSI, key source with the AKA and SMC frames, algorithms with KSI, direction
    and COUNT, the MAC verdict), besides events and expert info; the full tree has each field
    on a line of its own (at least 12). Each compact line is checked against the truth.
  - The fields are all still there with the compact tree printed: -T json (a printed tree)
    gives kasme the same fields and values in both forms, and a display filter on fields that
    the compact tree hides (-Y with -V) picks the same frames in both forms.
  - One octet of a ciphered PDU flipped: the compact tree shows the failed MAC on lines of its
    own (calculated MAC, MAC status: Bad) and as expert info.
  - Summary output that references nothing of kasme's, where kasme makes its top item only when
    needed: the failed MAC's expert info is still in the tree (a filter on _ws.expert.message
    picks the flipped frame), and -z io,phs still counts kasme in every frame a filter on kasme
    picks.
"""
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from check_negative import flip_last_octet, protected_frames  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark  # noqa: E402

PCAP = "epc_s1ap.pcap"
COMPACT_LINES = 4  # UE, key source, algorithms, MAC
FULL = ["-o", "kasme.tree_detail:full"]


def tshark(plugin, version, pcap, keyfile, args):
    ts = Tshark(plugin, version)
    try:
        return ts.run(["-r", ts.stage(pcap), "-o", "kasme.key_file:" + ts.stage(keyfile)] +
                      args + DLT_PREFS["s1ap"]).stdout
    finally:
        ts.close()


def subtrees(text):
    """{frame: [(top line, [lines below it])]} of kasme's subtrees in -V output."""
    out, frame, current = {}, 0, None
    for line in text.splitlines():
        m = re.match(r"^Frame (\d+):", line)
        if m:
            frame, current = int(m.group(1)), None
        elif line.startswith("NAS/RRC security (kasme)"):
            current = (line, [])
            out.setdefault(frame, []).append(current)
        elif current and line.startswith(" "):
            current[1].append(line)
        else:
            current = None
    return out


def own_lines(lines):
    """A subtree's own lines (one level down), without events and expert info."""
    return [x for x in top_level(lines) if not x.startswith(("[Event:", "[Expert Info"))]


def top_level(lines):
    return [x.strip() for x in lines if x.startswith("    ") and not x.startswith("     ")]


def truth_by_frame(truth):
    """{frame: (IMSI, NAS COUNT, direction)} of the protected NAS PDUs in the S1AP capture
    (COUNT is the sequence number here: no overflow in so short a capture)."""
    imsi = truth["subscriber"]["IMSI"]
    return {f["frame"]: (imsi, m["nas_seq"], m["dir"])
            for ue in truth["ue"] for m in ue["nas_messages"] if m["sec_hdr_type"] in (2, 4)
            for f in m.get("frames", []) if f["pcap"] == PCAP}


def compact_against_full(ck, plugin, version, scenario, keyfile, truth):
    pcap = os.path.join(scenario, PCAP)
    compact = subtrees(tshark(plugin, version, pcap, keyfile, ["-V"]))
    full = subtrees(tshark(plugin, version, pcap, keyfile, ["-V"] + FULL))
    want = truth_by_frame(truth)
    smc_frame = [f["frame"] for ue in truth["ue"] for m in ue["nas_messages"]
                 if m["sec_hdr_type"] == 3 and m["dir"] == "DL"
                 for f in m.get("frames", []) if f["pcap"] == PCAP][0]
    ck.check(len(want) > 0 and sorted(compact) == sorted(full),
             "the same frames have kasme subtrees in both forms (%d protected in truth)"
             % len(want))
    most_compact = fewest_full = None
    for frame, (imsi, count, direction) in sorted(want.items()):
        trees = [t for t in compact.get(frame, []) if "MAC verified" in t[0]]
        fulls = [t for t in full.get(frame, []) if "MAC verified" in t[0]]
        if not ck.check(len(trees) == 1 and len(fulls) == 1,
                        "frame %d: one verified NAS subtree in each form" % frame):
            continue
        lines, full_lines = own_lines(trees[0][1]), top_level(fulls[0][1])
        most_compact = max(most_compact or 0, len(lines))
        fewest_full = min(fewest_full or 99, len(full_lines))
        ck.check(len(lines) <= COMPACT_LINES and len(full_lines) >= 12,
                 "frame %d: %d compact lines (at most %d), %d full ones (at least 12): %s"
                 % (frame, len(lines), COMPACT_LINES, len(full_lines), lines))
        text = "\n".join(lines)
        ck.check(re.search(r"^\[UE: \d+, IMSI %s\]$" % imsi, text, re.M) is not None,
                 "frame %d: UE line with IMSI %s" % (frame, imsi))
        ck.check(re.search(r"^\[Key source: AKA with subscriber .+ \(\S+\.keys:\d+\), AKA in "
                           r"frame \d+, SMC in frame %d\]$" % smc_frame, text, re.M) is not None,
                 "frame %d: key source line with the AKA frame and the SMC's, %d"
                 % (frame, smc_frame))
        ck.check(re.search(r"^\[Algorithms: 128-EEA2 \(AES\), 128-EIA2 \(AES\), KSI \d+, %s, "
                           r"NAS COUNT %d\]$" % ("Uplink" if direction == "UL" else "Downlink",
                                                 count), text, re.M) is not None,
                 "frame %d: algorithms line, %s COUNT %d" % (frame, direction, count))
        ck.check(re.search(r"^MAC: 0x[0-9a-f]{8} \[Good\]$", text, re.M) is not None,
                 "frame %d: MAC line with its verdict Good" % frame)
    print("-V: protected NAS PDUs have at most %s kasme lines compact, at least %s full"
          % (most_compact, fewest_full))


def fields_kept(ck, plugin, version, scenario, keyfile):
    pcap = os.path.join(scenario, PCAP)
    layers = []
    for extra in ([], FULL):
        pkts = json.loads(tshark(plugin, version, pcap, keyfile, ["-T", "json"] + extra))
        layers.append([p["_source"]["layers"].get("kasme") for p in pkts])
    names = set(k for layer in layers[0] if isinstance(layer, dict) for k in layer)
    hidden = {"kasme.imsi", "kasme.count", "kasme.smc_frame", "kasme.aka_frame", "kasme.ksi",
              "kasme.eia", "kasme.direction", "kasme.msg", "kasme.deciphered",
              "kasme.plaintext", "kasme.mac.calculated", "kasme.mac.status", "kasme.layer"}
    ck.check(layers[0] == layers[1] and hidden <= names,
             "-T json: kasme's fields identical compact and full (%d names), the hidden ones "
             "among them" % len(names))
    print("-T json: %d packets, kasme fields %s in both forms" % (
        len(layers[0]), "identical" if layers[0] == layers[1] else "DIFFERENT"))
    flt = "kasme.mac.status == 1 && kasme.count == 2 && kasme.deciphered && kasme.imsi"
    frames = []
    for extra in ([], FULL):
        text = tshark(plugin, version, pcap, keyfile, ["-V", "-Y", flt] + extra)
        frames.append(re.findall(r"^Frame (\d+):", text, re.M))
    ck.check(frames[0] == frames[1] and len(frames[0]) > 0,
             "-V -Y on hidden fields: frames %s compact, %s full" % (frames[0], frames[1]))
    print("-V -Y '%s': %d frames in both forms" % (flt, len(frames[0])))


def failed_mac(ck, plugin, version, scenario, keyfile, truth, tmp):
    victim = protected_frames(truth)[1]
    pcap = os.path.join(tmp, PCAP)
    flip_last_octet(os.path.join(scenario, PCAP), pcap, victim)
    trees = subtrees(tshark(plugin, version, pcap, keyfile, ["-V"]))
    bad = [t for t in trees.get(victim, []) if "MAC FAILED" in t[0]]
    lines = top_level(bad[0][1]) if bad else []
    text = "\n".join(lines)
    ck.check(re.search(r"^MAC: 0x[0-9a-f]{8} \[Bad\]$", text, re.M) and
             re.search(r"^\[Calculated MAC: 0x[0-9a-f]{8}\]$", text, re.M) and
             "[MAC status: Bad]" in lines and
             any(x.startswith("[Expert Info (Error/Checksum): MAC verification failed: received 0x")
                 for x in lines),
             "frame %d (flipped): the failed MAC on its own lines and as expert info: %s"
             % (victim, lines))
    others = sum(1 for f, ts in trees.items() for t in ts if f != victim and "MAC FAILED" in t[0])
    ck.check(others == 0, "no other frame's MAC failed (%d did)" % others)
    print("flipped octet in frame %d: compact tree shows %d lines, the failure on its own"
          % (victim, len(lines)))


def unreferenced(ck, plugin, version, keyfile, truth, tmp):
    """On failed_mac's capture: kasme's items when no filter, column or field names kasme."""
    victim = protected_frames(truth)[1]
    pcap = os.path.join(tmp, PCAP)
    # summary lines: -T fields would make Wireshark keep every protocol's items anyway
    flt = '_ws.expert.message contains "MAC verification failed"'
    lines = tshark(plugin, version, pcap, keyfile, ["-Y", flt]).splitlines()
    expert = [int(line.split()[0]) for line in lines if line.strip()]
    ck.check(expert == [victim], "-Y '%s' without a kasme field: frames %s (the flipped one: %d)"
             % (flt, expert, victim))
    phs = tshark(plugin, version, pcap, keyfile, ["-q", "-z", "io,phs"])
    counted = re.search(r"^\s+kasme\s+frames:(\d+)", phs, re.M)
    picked = tshark(plugin, version, pcap, keyfile,
                    ["-Y", "kasme", "-T", "fields", "-e", "frame.number"]).split()
    ck.check(counted and int(counted.group(1)) == len(picked) > 0,
             "-z io,phs counts kasme in %s frames, -Y kasme picks %d"
             % (counted.group(1) if counted else "no", len(picked)))
    print("nothing of kasme's referenced: the failed MAC's expert info in frame %d, kasme in "
          "-z io,phs (%d frames)" % (victim, len(picked)))


def main():
    plugin, version, scenario, keyfile = sys.argv[1:5]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    ck = Checker("tree")
    tmp = tempfile.mkdtemp(prefix="kasme-tree-")
    try:
        compact_against_full(ck, plugin, version, scenario, keyfile, truth)
        fields_kept(ck, plugin, version, scenario, keyfile)
        failed_mac(ck, plugin, version, scenario, keyfile, truth, tmp)
        unreferenced(ck, plugin, version, keyfile, truth, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ck.report()


if __name__ == "__main__":
    sys.exit(main())
