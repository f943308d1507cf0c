#!/usr/bin/env python3
"""Side by side with Wireshark's own PDCP-LTE deciphering (EEA2/EIA2 only in Debian's build):
stock tshark, given the AS keys from the ground truth in its pdcp_lte_ue_keys table, and tshark
with kasme, given only the subscriber's K/OPc, must show the same RRC plaintext in every frame.

usage: check_builtin.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP KEYFILE [--time N]
  --time N: also run each N times and print the mean wall times and their ratio (benchmark).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

RRC = ("lte-rrc.DL_DCCH_Message_element_raw", "lte-rrc.UL_DCCH_Message_element_raw")


def rrc_messages(node, out):
    """Every DL/UL-DCCH message in a tshark -T json -x packet, as hex."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in RRC:
                for raw in (v if isinstance(v[0], list) else [v]):
                    out.append(raw[0])
            else:
                rrc_messages(v, out)
    elif isinstance(node, list):
        for v in node:
            rrc_messages(v, out)
    return out


def run(ts, args):
    out = ts.run(args + ["-T", "json", "--no-duplicate-keys", "-x"]).stdout
    frames = {}
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        frames[int(layers["frame"]["frame.number"])] = sorted(rrc_messages(layers, []))
    return frames


def main():
    plugin, version, scenario, pcap, keyfile = sys.argv[1:6]
    repeat = int(sys.argv[7]) if len(sys.argv) > 7 and sys.argv[6] == "--time" else 0
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    as_keys = truth["ue"][0]["as_security"][0]
    builtin_prefs = ["-o", 'uat:pdcp_lte_ue_keys:"0","%s","%s","%s"' % (
        as_keys["K_RRCenc"], as_keys["K_UPenc"], as_keys["K_RRCint"]),
        "-o", "pdcp-lte.decipher_signalling:TRUE", "-o", "pdcp-lte.verify_integrity:TRUE"]
    stock, with_kasme = Tshark(plugin, version, use_plugin=False), Tshark(plugin, version)
    try:
        base = DLT_PREFS[link_of(pcap)]
        stock_args = ["-r", stock.stage(os.path.join(scenario, pcap))] + base + builtin_prefs
        kasme_args = ["-r", with_kasme.stage(os.path.join(scenario, pcap)), "-o",
                      "kasme.key_file:" + with_kasme.stage(keyfile)] + base
        builtin = run(stock, stock_args)
        mine = run(with_kasme, kasme_args)
        ck = Checker("%s/%s vs built-in PDCP-LTE" % (os.path.basename(scenario), pcap))
        compared = 0
        for frame, msgs in sorted(builtin.items()):
            if msgs:
                compared += len(msgs)
                ck.check(mine.get(frame) == msgs, "frame %d: RRC %s (built-in) vs %s (kasme)" %
                         (frame, msgs, mine.get(frame)))
        ck.check(compared > 10, "the built-in deciphering showed RRC messages to compare")
        print("%d RRC messages in %d frames: kasme's plaintext equals Wireshark's built-in "
              "PDCP-LTE deciphering" % (compared, len([f for f in builtin if builtin[f]])))
        if repeat:
            timings = []
            for ts, args in ((stock, stock_args), (with_kasme, kasme_args)):
                start = time.monotonic()
                for _ in range(repeat):
                    ts.run(args)
                timings.append((time.monotonic() - start) / repeat)
            print("BENCH builtin_pdcp_s=%.3f kasme_s=%.3f ratio=%.2f" %
                  (timings[0], timings[1], timings[1] / timings[0]))
    finally:
        stock.close()
        with_kasme.close()
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
