#!/usr/bin/env python3
"""Checks kasme's RRC (PDCP SRB) results on a bundled MAC-LTE capture against its ground truth.

For every SRB PDU that truth.json places in the capture: after the RRC Security Mode Command
its MAC-I is verified at the right PDCP COUNT, and when it was ciphered its plaintext equals the
RRC message the stack logged; the AS keys equal the logged ones; the NAS inside deciphered RRC
is deciphered and verified too; no MAC or MAC-I fails.

usage: check_rrc.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP KEYFILE
       check_rrc.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP --kenb-from-truth
       check_rrc.py PLUGIN_SO WS_VERSION SCENARIO_DIR PCAP --as-keys-from-truth
  The second form gives kasme only the K_eNB the eNB logged ("kenb=... any"), the third only
  K_RRCenc/K_RRCint/K_UPenc, no subscriber: the SRBs must still verify; the NAS inside cannot
  be checked then (no NAS keys).
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of  # noqa: E402


def kasme_items(plugin, version, scenario, pcap, keyfile):
    ts = Tshark(plugin, version)
    try:
        args = ["-r", ts.stage(os.path.join(scenario, pcap)), "-o",
                "kasme.key_file:" + ts.stage(keyfile), "-o", "kasme.show_keys:TRUE",
                "-T", "json", "--no-duplicate-keys", "-J", "kasme frame"] + DLT_PREFS[link_of(pcap)]
        proc = ts.run(args)
    finally:
        ts.close()
    frames = {}
    for pkt in json.loads(proc.stdout or "[]"):
        layers = pkt["_source"]["layers"]
        number = int(layers["frame"]["frame.number"])
        items = layers.get("kasme", [])
        frames[number] = items if isinstance(items, list) else [items]
    return frames, proc.stderr


def flat(v):
    return (v if isinstance(v, str) else "").replace(":", "").lower()


def collect_keys(items, out):
    for it in items:
        for k, v in it.items():
            if isinstance(v, dict):
                collect_keys([v], out)
            elif k.startswith("kasme.key."):
                out.setdefault(k, set()).add(flat(v))


def main():
    plugin, version, scenario, pcap, keyfile = sys.argv[1:6]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    kenb_only = keyfile in ("--kenb-from-truth", "--as-keys-from-truth")
    if kenb_only:
        present = [ue for ue in truth["ue"] if any(f["pcap"] == pcap for m in ue["rrc_messages"]
                                                   for f in m.get("frames", []))]
        a = present[0]["as_security"][0]
        line = ("kenb=%s any" % a["K_eNB"] if keyfile == "--kenb-from-truth" else
                "krrcenc=%s krrcint=%s kupenc=%s any" % (a["K_RRCenc"], a["K_RRCint"], a["K_UPenc"]))
        fd, keyfile = tempfile.mkstemp(suffix=".keys")
        with os.fdopen(fd, "w") as f:
            f.write(line + "\n")
    frames, stderr = kasme_items(plugin, version, scenario, pcap, keyfile)
    if kenb_only:
        os.unlink(keyfile)
    ck = Checker("%s/%s" % (os.path.basename(scenario), pcap))
    ck.check("kasme:" not in stderr, "no errors on stderr: " + stderr.strip())
    protected = verified = ciphered = equal = 0
    for ue in truth["ue"]:
        for msg in ue["rrc_messages"]:
            for f in (f for f in msg.get("frames", []) if f["pcap"] == pcap):
                if msg["integrity"] == "none":
                    continue
                protected += 1
                what = "frame %d %s %s SN %d" % (f["frame"], msg["dir"], msg["bearer"],
                                                msg["pdcp_sn"])
                rrc = [it for it in frames.get(f["frame"], []) if it.get("kasme.layer") == "RRC"
                       and it.get("kasme.rb") == msg["bearer"]
                       and int(it.get("kasme.count", -1)) % 32 == msg["pdcp_sn"]]
                if not ck.check(len(rrc) == 1, what + ": one kasme RRC result"):
                    continue
                verified += ck.check(rrc[0].get("kasme.mac.status") == "1", what + " MAC-I verified")
                if msg["encryption"] != "none":
                    ciphered += 1
                    equal += ck.check(flat(rrc[0].get("kasme.plaintext")) ==
                                      msg["rrc_plain_hex"].lower(), what + " plaintext")
    nas = [it for items in frames.values() for it in items if it.get("kasme.layer") == "NAS"
           and it.get("kasme.mac.status")]
    nas_ok = sum(1 for it in nas if it["kasme.mac.status"] == "1")
    if not kenb_only:
        ck.check(nas_ok == len(nas), "every NAS MAC verified (%d of %d)" % (nas_ok, len(nas)))
    bad = [n for n, items in frames.items() for it in items if it.get("kasme.mac.status") == "0"]
    ck.check(not bad, "no MAC or MAC-I failed (frames %s)" % bad)
    keys = {}
    collect_keys([it for items in frames.values() for it in items], keys)
    n_keys = 0
    present = {ue["instance"] for ue in truth["ue"]
               if any(f["pcap"] == pcap for m in ue["rrc_messages"] for f in m.get("frames", []))}
    for ue in truth["ue"]:
        if ue["instance"] not in present:
            continue
        for a in ue["as_security"][:1] if kenb_only else ue["as_security"]:
            if "earfcn_dl" in a:  # K_eNB* of a re-establishment: PCI and EARFCN-DL found too
                found = [it for items in frames.values() for it in items if "kasme.earfcn_dl" in it]
                n_keys += ck.check(any(int(it["kasme.earfcn_dl"]) == a["earfcn_dl"] and
                                       int(it["kasme.pci"]) == a["pci"] for it in found),
                                   "K_eNB* with PCI %d, EARFCN-DL %d" % (a["pci"], a["earfcn_dl"]))
            for field, name in (("kasme.key.kenb", "K_eNB"), ("kasme.key.rrc_enc", "K_RRCenc"),
                                ("kasme.key.rrc_int", "K_RRCint"), ("kasme.key.up_enc", "K_UPenc")):
                as_keys_only = sys.argv[5] == "--as-keys-from-truth"  # no K_eNB given then
                if name in a and not (name == "K_eNB" and as_keys_only):
                    n_keys += ck.check(a[name].lower() in keys.get(field, set()), name + " equals truth")
    ck.check(protected > 0, "truth places protected SRB PDUs in this capture")
    print("%s/%s: %d integrity-protected SRB PDUs, %d MAC-I verified, %d of %d ciphered equal the "
          "logged RRC; %d NAS PDUs inside RRC verified; %d AS keys equal truth"
          % (os.path.basename(scenario), pcap, protected, verified, equal, ciphered, nas_ok, n_keys))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
