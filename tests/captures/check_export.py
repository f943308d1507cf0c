#!/usr/bin/env python3
"""Export: tshark with kasme writes the plaintext of every NAS and RRC PDU as exported-PDU
records (tshark -U "kasme plaintext"); stock tshark, without kasme and without keys, must show
the same NAS message types and the same RRC messages in that file as kasme shows in the
original capture.

usage: check_export.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP KEYFILE
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_builtin import rrc_messages  # noqa: E402
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402

# Wireshark 4.4 renamed the NAS-EPS fields from nas_eps.* to nas-eps.*
NAS_TYPES = ("nas_eps.nas_msg_emm_type", "nas_eps.nas_msg_esm_type",
             "nas-eps.nas_msg_emm_type", "nas-eps.nas_msg_esm_type")


def values(node, keys, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in keys:
                out.extend(v if isinstance(v, list) else [v])
            else:
                values(v, keys, out)
    elif isinstance(node, list):
        for v in node:
            values(v, keys, out)
    return out


def seen(ts, args):
    out = ts.run(args + ["-T", "json", "--no-duplicate-keys", "-x"]).stdout
    nas, rrc = [], []
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        values(layers, NAS_TYPES, nas)
        rrc_messages(layers, rrc)
    return sorted(nas), sorted(rrc)


def main():
    plugin, version, scenario, pcap, keyfile = sys.argv[1:6]
    mine, stock = Tshark(plugin, version), Tshark(plugin, version, use_plugin=False)
    ck = Checker("%s/%s export" % (os.path.basename(scenario), pcap))
    try:
        args = ["-r", mine.stage(os.path.join(scenario, pcap)), "-o",
                "kasme.key_file:" + mine.stage(keyfile)] + DLT_PREFS[link_of(pcap)]
        nas_kasme, rrc_kasme = seen(mine, args)
        out_dir = os.path.join(mine.tmp, "out")
        os.makedirs(out_dir)
        os.chmod(out_dir, 0o777)  # tshark may run as nobody
        exported = os.path.join(out_dir, "plaintext.pcapng")
        mine.run(args + ["-U", "kasme plaintext", "-w", exported])
        shutil.copy(exported, stock.tmp)
        nas_stock, rrc_stock = seen(stock, ["-r", os.path.join(stock.tmp, "plaintext.pcapng")])
    finally:
        mine.close()
        stock.close()
    ck.check(len(nas_kasme) > 5, "kasme shows NAS messages in the original (%d)" % len(nas_kasme))
    ck.check(nas_stock == nas_kasme, "stock tshark on the export shows the same NAS message "
             "types: %s vs %s" % (nas_stock, nas_kasme))
    ck.check(rrc_stock == rrc_kasme, "the same RRC messages (%d vs %d): only exported %s, "
             "only in the original %s" % (len(rrc_stock), len(rrc_kasme),
                                          sorted(set(rrc_stock) - set(rrc_kasme)),
                                          sorted(set(rrc_kasme) - set(rrc_stock))))
    print("%s/%s: exported plaintext read by stock tshark: %d NAS messages, %d RRC messages, "
          "the same as kasme shows in the original" % (os.path.basename(scenario), pcap,
                                                     len(nas_stock), len(rrc_stock)))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
