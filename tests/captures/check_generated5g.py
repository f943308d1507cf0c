#!/usr/bin/env python3
"""Checks kasme on synthetic NGAP (5G SA) captures from tools/gen_ngap.

For each run (NAS algorithms, first RAN-/AMF-UE-NGAP-IDs), 20 UEs with 300 protected NAS-5GS
messages in each direction after the registration (so the NAS COUNTs pass 256):

- the generator's frames are the real ones of captures/5g-s01-nea2-nia2 re-encoded: UE 0's
  InitialUEMessage is the capture's frame 3 byte for byte, and its InitialContextSetupRequest
  differs from frame 8 only inside the SecurityKey and the NAS-PDU;
- stock tshark (no kasme) dissects every PDU without [Malformed Packet] or an error, and shows
  the NGAP IDs, procedures and NAS security header types the generator wrote;
- tshark with kasme and the generated key file finds each UE's SUPI in its SUCI, deciphers and
  verifies the MAC of every protected NAS-5GS PDU (counted against what the generator says it
  protected, none failed), names the messages the generator sent, and confirms every
  InitialContextSetupRequest SecurityKey as the K_gNB it derives from the key file's K through
  5G AKA (kasme.kgnb = 1), with no AKA warning (RES*, MAC-A).

usage: check_generated5g.py GEN_BINARY PLUGIN_SO WS_VERSION CAPTURES_DIR
"""
import json
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# the same numbers of UEs and messages as the LTE twin's test, whose checks are shared
from check_generated import (M_MSGS, N_UES, check_keyfile, fields, generate,  # noqa: E402
                             generated_counts, run_checks)
from kasme_tshark import Tshark  # noqa: E402

SEED = 20261204
# (NAS algorithms NEA/NIA, first RAN-UE-NGAP-ID, first AMF-UE-NGAP-ID). The second run puts the
# IDs at the top of their ranges: 4 octets for the RAN's, 5 for the AMF's (40 bits).
RUNS = [("2/2", 1, 1), ("1/3", 4294967295 - N_UES + 1, 1099511627775 - N_UES + 1)]
TEMPLATE = "5g-s01-nea2-nia2"

# NGAP procedure codes and what each UE sends with them
PROC_DL, PROC_ICS, PROC_INITIAL_UE, PROC_UL = 4, 14, 15, 46
# kasme's names of the protected messages, and how many of each the run sends
EXPECTED_MSGS = {"Security mode command": N_UES, "Security mode complete": N_UES,
                 "Registration accept": N_UES, "Registration complete": N_UES,
                 "Configuration update command": N_UES * M_MSGS,
                 "UL NAS transport": N_UES * M_MSGS}
KEY_LINE = re.compile(r"^supi=imsi-(\d{15}) k=([0-9a-f]{32}) opc=([0-9a-f]{32}) amf=8000$")


def supi_of(i):
    return "99970%010d" % (i + 1)


def pcap_records(path):
    """The records of a classic pcap (the generator's)."""
    data = open(path, "rb").read()
    off, out = 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


def pcapng_ngap(path):
    """The NGAP PDUs of the lab's pcapng (Ethernet, IPv4, SCTP, one DATA chunk a frame)."""
    data = open(path, "rb").read()
    off, out = 0, []
    while off + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        if btype == 6:  # Enhanced Packet Block: caplen at 20, data at 28
            caplen = struct.unpack("<I", data[off + 20:off + 24])[0]
            frame = data[off + 28:off + 28 + caplen]
            ihl = (frame[14] & 0x0f) * 4
            chunk = 14 + ihl + 12
            chunk_len = struct.unpack(">H", frame[chunk + 2:chunk + 4])[0]
            out.append(frame[chunk + 16:chunk + chunk_len])
        off += blen
    return out


def check_template(ck, gen, workdir, caps):
    """UE 0's frames against the real ones they are re-encoded from."""
    scen = os.path.join(caps, TEMPLATE)
    real = pcapng_ngap(os.path.join(scen, "ngap.pcapng"))
    truth = json.load(open(os.path.join(scen, "truth.json")))
    proc, pcap, _ = generate(gen, workdir, "2/2", [], SEED, tag="_template")
    if not ck.check(proc.returncode == 0 and len(real) >= 8, "template run: exit %d, %d real "
                    "frames" % (proc.returncode, len(real))):
        return
    ours = pcap_records(pcap)
    ck.check(ours[0] == real[2], "InitialUEMessage of UE 0 differs from frame 3 of %s:\n%s\n%s"
             % (TEMPLATE, ours[0].hex(), real[2].hex()))
    ics_ours, ics_real = ours[5 * N_UES], real[7]
    key = bytes.fromhex(truth["capture_ngap_security_key"][0]["K_gNB"])
    nas = bytes.fromhex([p for p in truth["nas_pdus"] if p["frame"] == 8][0]["pdu"])
    variable = set()
    for part in (key, nas):
        start = ics_real.find(part)
        variable |= set(range(start, start + len(part))) if start >= 0 else set()
    differ = {i for i in range(min(len(ics_ours), len(ics_real)))
              if ics_ours[i] != ics_real[i]}
    ck.check(len(ics_ours) == len(ics_real) and len(variable) == 32 + len(nas) and
             differ <= variable and differ,
             "InitialContextSetupRequest of UE 0 differs from frame 8 outside the SecurityKey "
             "and NAS-PDU at %s" % sorted(differ - variable)[:10])
    print("template: frame 1 = real frame 3; InitialContextSetupRequest differs from frame 8 in "
          "%d octets, all in the SecurityKey and NAS-PDU" % len(differ))


def check_stock(ck, label, plugin, version, pcap, n_pdus, n_protected, ran_base, amf_base):
    """Stock tshark: no malformed PDU, the IDs and procedures the generator wrote."""
    ts = Tshark(plugin, version, use_plugin=False)
    try:
        cap = ts.stage(pcap)
        bad = ts.run(["-r", cap, "-o", 'uat:user_dlts:"User 3 (DLT=150)","ngap","0","","0",""',
                      "-Y", "_ws.malformed || _ws.expert.severity >= error"]).stdout.strip()
        ck.check(bad == "", "%s: stock tshark finds malformed PDUs or errors:\n%s"
                 % (label, "\n".join(bad.splitlines()[:10])))
        rows, _ = fields(ts, cap, ["frame.number", "ngap.procedureCode", "ngap.RAN_UE_NGAP_ID",
                                   "ngap.AMF_UE_NGAP_ID", "ngap.NAS_PDU"], dlt="ngap")
    finally:
        ts.close()
    ck.check(len(rows) == n_pdus, "%s: %d frames, the generator wrote %d" % (label, len(rows), n_pdus))
    amf_of = {ran_base + i: amf_base + i for i in range(N_UES)}
    per_proc, wrong_ids, protected = {}, 0, 0
    for row in rows:
        proc = int(row["ngap.procedureCode"][0]) if row["ngap.procedureCode"] else -1
        per_proc[proc] = per_proc.get(proc, 0) + 1
        ran = [int(v) for v in row["ngap.RAN_UE_NGAP_ID"]]
        amf = [int(v) for v in row["ngap.AMF_UE_NGAP_ID"]]
        if len(ran) != 1 or ran[0] not in amf_of:
            wrong_ids += 1
        elif amf != ([] if proc == PROC_INITIAL_UE else [amf_of[ran[0]]]):
            wrong_ids += 1
        # NAS-5GS: EPD 7e, then the security header type (TS 24.501 9.3)
        nas = bytes.fromhex(row["ngap.NAS_PDU"][0].replace(":", "")) if row["ngap.NAS_PDU"] else b""
        protected += len(nas) > 1 and nas[0] == 0x7e and 1 <= nas[1] <= 4
    ck.check(wrong_ids == 0, "%s: %d frames whose RAN-/AMF-UE-NGAP-ID are not the UE's"
             % (label, wrong_ids))
    want = {PROC_INITIAL_UE: N_UES, PROC_ICS: N_UES, PROC_DL: N_UES * (2 + M_MSGS),
            PROC_UL: N_UES * (3 + M_MSGS)}
    ck.check(per_proc == want, "%s: procedures %s, expected %s" % (label, per_proc, want))
    ck.check(protected == n_protected, "%s: stock tshark sees %d protected NAS PDUs, the "
             "generator wrote %d" % (label, protected, n_protected))
    print("%s: stock tshark: %d frames, no malformed; procedures %s; %d protected NAS PDUs"
          % (label, len(rows), per_proc, protected))


def count_values(rows, name):
    out = {}
    for r in rows:
        for v in r[name]:
            out[v] = out.get(v, 0) + 1
    return out


def check_kasme(ck, label, plugin, version, pcap, keys, n_protected, n_keys):
    ts = Tshark(plugin, version)
    try:
        cap = ts.stage(pcap)
        keyfile = ts.stage(keys)
        opts = ["-o", "kasme.key_file:" + keyfile]
        rows, stderr = fields(ts, cap, ["frame.number", "kasme.status", "kasme.mac.status",
                                        "kasme.kgnb", "kasme.msg", "kasme.supi",
                                        "ngap.SecurityKey"], extra=opts, dlt="ngap")
        warned = ts.run(["-r", cap, "-o", 'uat:user_dlts:"User 3 (DLT=150)","ngap","0","","0",""']
                        + opts + ["-Y", "kasme.aka.no_match || kasme.aka.res_bad || "
                                  "kasme.mac.bad || kasme.mac.unverified"]).stdout.strip()
    finally:
        ts.close()
    ck.check("kasme:" not in stderr, "%s: kasme errors on stderr: %s" % (label, stderr.strip()))
    ck.check(warned == "", "%s: AKA or MAC warnings in frames:\n%s"
             % (label, "\n".join(warned.splitlines()[:5])))
    statuses = count_values(rows, "kasme.mac.status")
    ck.check(statuses == {"1": n_protected}, "%s: MAC statuses %s, the generator protected %d "
             "PDUs" % (label, statuses, n_protected))
    deciphered = count_values(rows, "kasme.status")
    ck.check(deciphered.get("1") == n_protected,
             "%s: kasme.status %s, the generator protected %d PDUs" % (label, deciphered, n_protected))
    msgs = count_values(rows, "kasme.msg")
    ck.check(msgs == EXPECTED_MSGS, "%s: deciphered messages %s, expected %s"
             % (label, msgs, EXPECTED_MSGS))
    supis = count_values(rows, "kasme.supi")
    ck.check(set(supis) == {supi_of(i) for i in range(N_UES)},
             "%s: SUPIs from the SUCIs %s" % (label, sorted(supis)[:5]))
    with_key = [r for r in rows if r["ngap.SecurityKey"]]
    ck.check(len(with_key) == n_keys, "%s: %d frames with a SecurityKey, expected %d"
             % (label, len(with_key), n_keys))
    unconfirmed = [r["frame.number"][0] for r in with_key if r["kasme.kgnb"] != ["1"]]
    ck.check(not unconfirmed, "%s: SecurityKey not confirmed as K_gNB in frames %s"
             % (label, unconfirmed[:10]))
    kgnb = count_values(rows, "kasme.kgnb")
    ck.check(kgnb == {"1": n_keys}, "%s: kasme.kgnb values %s, expected %d times 1"
             % (label, kgnb, n_keys))
    print("%s: kasme: %d of %d protected NAS-5GS PDUs deciphered and MAC-verified, %d of %d "
          "SecurityKeys confirmed as K_gNB, %d SUPIs" % (
              label, min(statuses.get("1", 0), deciphered.get("1", 0)), n_protected,
              kgnb.get("1", 0), n_keys, len(supis)))


def run(ck, gen, plugin, version, workdir, alg, ran_base, amf_base):
    label = "gen_ngap -n %d -m %d --alg %s" % (N_UES, M_MSGS, alg)
    ids = ["--ran-id-base", ran_base, "--amf-id-base", amf_base]
    proc, pcap, keys = generate(gen, workdir, alg, ids, SEED)
    counts = generated_counts(ck, label, proc, lambda: generate(
        gen, workdir, alg, ids, SEED, tag="_again")[1:], pcap, keys)
    if counts is None:
        return
    n_pdus, n_protected, n_keys = counts
    check_keyfile(ck, label, keys, KEY_LINE, [supi_of(i) for i in range(N_UES)])
    check_stock(ck, label, plugin, version, pcap, n_pdus, n_protected, ran_base, amf_base)
    check_kasme(ck, label, plugin, version, pcap, keys, n_protected, n_keys)


def check_runs(ck, workdir, args):
    gen, plugin, version, caps = args
    check_template(ck, gen, workdir, caps)
    for alg, ran_base, amf_base in RUNS:
        run(ck, gen, plugin, version, workdir, alg, ran_base, amf_base)


def main():
    return run_checks(__doc__, 4, check_runs)


if __name__ == "__main__":
    sys.exit(main())
