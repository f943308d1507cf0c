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
  With --kenb-from-truth --from-rrc-smc the capture is cut (editcap -r) just after the RRC
  Security Mode Complete: no RRC SMC in it, kasme finds the algorithms and the PDCP COUNT by
  the MAC-I (a capture that starts mid-session); the SRB PDUs after the cut are checked;
  with --wrong-key (one bit of K_eNB flipped) nothing may be deciphered or verified.
  PCAP may be S1AP_PCAP+MAC_PCAP (an eNB's two captures): they are merged by time (mergecap)
  and read as one, so the S1AP HandoverRequest's NH reaches the radio side.

Handovers (truth "handovers"): each key set is expected only in the captures that hold the
first PDU protected with it (the attach's RRC SMC, or the RRCConnectionReconfigurationComplete
on the target cell), found by the MAC-I of that PDU; the SRBs' PDCP COUNT restarts at 0 at every
key change (TS 36.323 5.2.1.2: SRBs are re-established), so the exact COUNT is checked there.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas import Checker  # noqa: E402
from kasme_tshark import DLT_PREFS, Tshark, link_of, merged_input  # noqa: E402


def kasme_items(plugin, version, scenario, pcap, keyfile, cut=0):
    """kasme's items per frame of SCENARIO/PCAP (S1AP+MAC-LTE merged when PCAP says so;
    from frame cut + 1 on when cut, numbered as in the whole capture)."""
    tmp = tempfile.mkdtemp(prefix="check-rrc-")
    try:
        capture, numbering = merged_input(scenario, pcap, tmp)
        if cut:
            part = os.path.join(tmp, "cut.pcap")
            subprocess.run(["editcap", "-r", capture, part, "%d-%d" % (cut + 1, 1 << 30)],
                           check=True)
            capture = part
        links = sorted({link_of(p) for p in pcap.split("+")})
        frames, stderr = items_of_capture(plugin, version, capture, keyfile, links)
        if cut:
            frames = {n + cut: items for n, items in frames.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return frames, stderr, numbering


def items_of_capture(plugin, version, capture, keyfile, links):
    ts = Tshark(plugin, version)
    try:
        args = ["-r", ts.stage(capture), "-o",
                "kasme.key_file:" + ts.stage(keyfile), "-o", "kasme.show_keys:TRUE",
                "-T", "json", "--no-duplicate-keys", "-J", "kasme frame"]
        for link in links:
            args += DLT_PREFS[link]
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


def key_set_frames(truth, ue, pcap):
    """Per key set of the UE (as_security order): the frames of this capture that hold the
    first PDU protected with it, empty when the capture does not."""
    hos = [h for h in truth.get("handovers", []) if h["instance"] == ue["instance"]]
    smc = [f["frame"] for m in ue["rrc_messages"] if "securityModeCommand" in m["rrc_msg"]
           for f in m.get("frames", []) if f["pcap"] == pcap]
    out = [smc]
    for i in range(1, len(ue["as_security"])):
        first = hos[i - 1]["rrc_reconfiguration_complete_on_target"] if i - 1 < len(hos) else {}
        out.append([f["frame"] for f in first.get("frames", []) if f["pcap"] == pcap])
    return out


def expected_counts(truth, ue, pcap):
    """The PDCP COUNT of each SRB PDU (by truth frame of this capture) when the UE hands over:
    HFN || SN per bearer and direction, back to 0 at each key change."""
    if not truth.get("handovers"):
        return {}
    changes = {(f["pcap"], f["frame"]) for h in truth["handovers"]
               if h["instance"] == ue["instance"]
               for f in h["rrc_reconfiguration_complete_on_target"].get("frames", [])}
    hfn, last, out = {}, {}, {}
    for msg in ue["rrc_messages"]:
        frames = [f["frame"] for f in msg.get("frames", []) if f["pcap"] == pcap]
        if any((f["pcap"], f["frame"]) in changes for f in msg.get("frames", [])):
            hfn, last = {}, {}
        key = (msg["bearer"], msg["dir"])
        if key in last and msg["pdcp_sn"] < last[key]:
            hfn[key] = hfn.get(key, 0) + 1
        last[key] = msg["pdcp_sn"]
        for f in frames:  # a frame can hold several PDUs
            out[(f, key, msg["pdcp_sn"])] = hfn.get(key, 0) * 32 + msg["pdcp_sn"]
    return out


def flat(v):
    return (v if isinstance(v, str) else "").replace(":", "").lower()


def collect_keys(items, out):
    for it in items:
        for k, v in it.items():
            if isinstance(v, dict):
                collect_keys([v], out)
            elif k.startswith("kasme.key."):
                out.setdefault(k, set()).add(flat(v))


def check_new_key_set(ck, truth, ue, i, a, first_frames, frames, at, parts):
    """A handover's key set: confirmed by the MAC-I of the first PDU on the target cell, with
    the target PCI and EARFCN-DL; from NH, the S1AP frame that carried it when the capture has
    the S1AP side."""
    pcap = parts[-1]
    what = "key set %d (K_eNB* PCI %d, EARFCN-DL %d, NCC %d)" % (i, a["pci"], a["earfcn_dl"],
                                                                 a["ncc"])
    first = [it for f in first_frames for it in frames.get(at(pcap, f), [])
             if "kasme.pci" in it]
    if not ck.check(len(first) == 1, what + ": named at its first PDU on the target cell"):
        return 0
    it = first[0]
    n = ck.check(int(it["kasme.pci"]) == a["pci"] and int(it["kasme.earfcn_dl"]) == a["earfcn_dl"],
                 what + ": PCI and EARFCN-DL")
    n += ck.check(it.get("kasme.mac.status") == "1" and "kasme.kenb.confirmed_by" in it,
                  what + ": confirmed by that PDU's MAC-I")
    ho = [h for h in truth["handovers"] if h["instance"] == ue["instance"]][i - 1]
    nh_frames = [f["frame"] for f in ho.get("s1ap_frames_containing_NH") or []
                 if len(parts) > 1 and f["pcap"] == parts[0]]
    if nh_frames:
        n += ck.check(it.get("kasme.nh.frame") == str(at(parts[0], nh_frames[0])),
                      what + ": K_eNB* from the NH of S1AP frame %d" % nh_frames[0])
    return n


def rrc_smc_complete_frame(truth, pcap):
    return min(f["frame"] for ue in truth["ue"] for m in ue["rrc_messages"]
               if "securityModeComplete" in m.get("rrc_msg", "")
               for f in m.get("frames", []) if f["pcap"] == pcap)


def check_nothing_verified(ck, frames):
    """A wrong K_eNB: every protected SRB PDU without a context, none deciphered or verified."""
    rrc = [(n, it) for n, items in sorted(frames.items()) for it in items
           if it.get("kasme.layer") == "RRC"]
    ck.check(rrc, "kasme results on the SRBs")
    for n, it in rrc:
        ck.check(it.get("kasme.status") == "2" and it.get("kasme.mac.status") != "1",
                 "frame %d: a wrong K_eNB deciphers and verifies nothing" % n)
    print("%d SRB PDUs, none deciphered with a wrong K_eNB" % len(rrc))
    return ck.report()


def main():
    plugin, version, scenario, pcap, keyfile = sys.argv[1:6]
    truth = json.load(open(os.path.join(scenario, "truth.json")))
    cut = rrc_smc_complete_frame(truth, pcap) if "--from-rrc-smc" in sys.argv[6:] else 0
    kenb_only = keyfile in ("--kenb-from-truth", "--as-keys-from-truth")
    if kenb_only:
        present = [ue for ue in truth["ue"] if any(f["pcap"] == pcap for m in ue["rrc_messages"]
                                                   for f in m.get("frames", []))]
        a = dict(present[0]["as_security"][0])
        if "--wrong-key" in sys.argv[6:]:  # one bit of K_eNB flipped
            a["K_eNB"] = "%s%02x" % (a["K_eNB"][:-2], int(a["K_eNB"][-2:], 16) ^ 1)
        line = ("kenb=%s any" % a["K_eNB"] if keyfile == "--kenb-from-truth" else
                "krrcenc=%s krrcint=%s kupenc=%s any" % (a["K_RRCenc"], a["K_RRCint"], a["K_UPenc"]))
        fd, keyfile = tempfile.mkstemp(suffix=".keys")
        with os.fdopen(fd, "w") as f:
            f.write(line + "\n")
    frames, stderr, numbering = kasme_items(plugin, version, scenario, pcap, keyfile, cut)
    if kenb_only:
        os.unlink(keyfile)
    parts = pcap.split("+")
    pcap = parts[-1]  # the radio side: truth's frames are numbered in it
    at = (lambda part, n: numbering[part][n]) if numbering else (lambda part, n: n)
    ck = Checker("%s/%s" % (os.path.basename(scenario), pcap))
    ck.check("kasme:" not in stderr, "no errors on stderr: " + stderr.strip())
    if "--wrong-key" in sys.argv[6:]:
        return check_nothing_verified(ck, frames)
    protected = verified = ciphered = equal = exact_counts = 0
    for ue in truth["ue"]:
        counts = expected_counts(truth, ue, pcap)
        for msg in ue["rrc_messages"]:
            for f in (f for f in msg.get("frames", []) if f["pcap"] == pcap and f["frame"] > cut):
                if msg["integrity"] == "none":
                    continue
                protected += 1
                what = "frame %d %s %s SN %d" % (f["frame"], msg["dir"], msg["bearer"],
                                                msg["pdcp_sn"])
                rrc = [it for it in frames.get(at(pcap, f["frame"]), [])
                       if it.get("kasme.layer") == "RRC" and it.get("kasme.rb") == msg["bearer"]
                       and int(it.get("kasme.count", -1)) % 32 == msg["pdcp_sn"]]
                if not ck.check(len(rrc) == 1, what + ": one kasme RRC result"):
                    continue
                want = counts.get((f["frame"], (msg["bearer"], msg["dir"]), msg["pdcp_sn"]))
                if want is not None:
                    exact_counts += ck.check(int(rrc[0]["kasme.count"]) == want,
                                             what + " PDCP COUNT %d" % want)
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
    n_sets = 0
    for ue in truth["ue"]:
        if ue["instance"] not in present:
            continue
        firsts = key_set_frames(truth, ue, pcap) if truth.get("handovers") else None
        for i, a in enumerate(ue["as_security"][:1] if kenb_only else ue["as_security"]):
            if firsts is not None and not firsts[i]:
                continue  # this key set's PDUs are on another eNB's capture
            n_sets += 1
            if firsts is not None and i > 0:
                n_keys += check_new_key_set(ck, truth, ue, i, a, firsts[i], frames, at, parts)
            elif "earfcn_dl" in a:  # K_eNB* of a re-establishment: PCI and EARFCN-DL found too
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
          "logged RRC (%d at the exact COUNT after handovers); %d NAS PDUs inside RRC verified; "
          "%d AS key sets, %d AS keys/checks equal truth"
          % (os.path.basename(scenario), "+".join(parts), protected, verified, equal, ciphered,
             exact_counts, nas_ok, n_sets, n_keys))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
