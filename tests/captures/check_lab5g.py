#!/usr/bin/env python3
"""5G NAS on NGAP: a 5G lab capture (lab/5g: Open5GS + UERANSIM, ciphered with NEA1/2/3) against
the truth the core logged (captures/5g-*/truth.json, re-derived by lab/5g/derive_check.py).

Checked: a concealed SUCI (Profile A or B) de-concealed with the core's home network key to the
subscriber's SUPI with its MAC tag verified, and with a wrong key (or a flipped tag bit) no SUPI
and a failed tag; RES* verified at the Authentication Response; K_AMF, K_NASenc and K_NASint equal to the
AMF's; every protected NAS PDU the AMF logged deciphered, its MAC verified, at the AMF's NAS COUNT,
and the plaintext of every ciphered one equal to the AMF's; a PDU whose MAC the AMF found wrong
(a test UE's deliberate error) failed as well; every NGAP SecurityKey confirmed as K_gNB and
equal to the AMF's K_gNB; no other MAC failed. For EAP-AKA' (the synthetic
capture, truth["eap_aka_prime"]): AT_MAC verified in request and response, and refused with a
flipped bit. For handovers (truth["capture_ngap_security_context"]): every NGAP SecurityContext's
NH and NCC equal to the AMF's and confirmed by kasme, a flipped NH bit a mismatch.

Usage: check_lab5g.py PLUGIN WS_VERSION CAPTURE_DIR [KEYFILE]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas5g import Checker, run_kasme  # noqa: E402
from check_negative5g import as_pcap, patch_frames  # noqa: E402

PROFILES = {1: "A", 2: "B"}


def hnet_lines(truth, flip=False):
    """The core's home network private keys as key-file lines (one bit flipped with flip)."""
    lines = []
    for k in truth.get("home_network_keys", []):
        key = bytearray.fromhex(k["private"])
        key[-1] ^= 1 if flip else 0
        lines.append("hnet id=%d scheme=%s key=%s" % (k["id"], PROFILES[k["scheme"]], key.hex()))
    return lines


def keyfile_with(tmp, base, lines, name):
    """base's subscriber lines (not its hnet lines) and the given lines."""
    path = os.path.join(tmp, name)
    kept = [l for l in open(base).read().splitlines() if not l.startswith("hnet")]
    with open(path, "w") as out:
        out.write("\n".join(kept + lines) + "\n")
    return path


def concealed(truth):
    return [r for r in truth.get("capture_registration_request", [])
            if r["scheme_id"] not in ("", "0")]  # "": a 5G-GUTI, not a SUCI


def check_suci(ck, plugin, version, capdir, keyfile, truth, tmp):
    regs = concealed(truth)
    if not regs:
        return
    pcap = os.path.join(capdir, "ngap.pcapng")
    supis = {s["imsi"] for s in truth["subscribers"]}
    good = keyfile_with(tmp, keyfile, hnet_lines(truth), "hnet.keys")
    rows, _ = run_kasme(plugin, version, pcap, good,
                        extra_fields=["kasme.supi", "kasme.suci.mac.status"])
    for r in regs:
        row = rows.get(r["frame"], {})
        ck.check(set(row.get("kasme.supi", [])) <= supis and row.get("kasme.supi"),
                 "frame %d: SUCI (scheme %s) gives the subscriber's SUPI (%s)"
                 % (r["frame"], r["scheme_id"], row.get("kasme.supi")))
        ck.check(row.get("kasme.suci.mac.status") == ["1"], "frame %d: SUCI tag verified" % r["frame"])
    wrong = keyfile_with(tmp, keyfile, hnet_lines(truth, flip=True), "wrong.keys")
    rows, _ = run_kasme(plugin, version, pcap, wrong,
                        extra_fields=["kasme.supi", "kasme.suci.mac.status"])
    for r in regs:
        row = rows.get(r["frame"], {})
        ck.check(not row.get("kasme.supi") and row.get("kasme.suci.mac.status") == ["0"],
                 "frame %d: a wrong home network key gives no SUPI and a failed tag" % r["frame"])
    verify = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                          "kasme-verify")
    tree = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(plugin))))
    for keys, rc_want, text in ((good, 0, "SUCI: %d de-concealed, 0 not" % len(regs)),
                                (wrong, 1, "SUCI tag failed")):
        p = subprocess.run([sys.executable, verify, "--plugin-dir", tree, "-k", keys, pcap],
                           capture_output=True, text=True, timeout=600)
        ck.check(p.returncode == rc_want and text in p.stdout,
                 "kasme-verify exit %d with %r (got %d: %s)" % (rc_want, text, p.returncode,
                                                                p.stdout + p.stderr))
    flipped = as_pcap(pcap, tmp)
    out = bytes.fromhex(regs[0]["scheme_output"])
    patch_frames(flipped, {regs[0]["frame"]}, lambda b: b.replace(out, out[:-1] + bytes([out[-1] ^ 1])))
    rows, _ = run_kasme(plugin, version, flipped, good,
                        extra_fields=["kasme.supi", "kasme.suci.mac.status"])
    row = rows.get(regs[0]["frame"], {})
    ck.check(not row.get("kasme.supi") and row.get("kasme.suci.mac.status") == ["0"],
             "frame %d: a flipped tag bit gives no SUPI and a failed tag" % regs[0]["frame"])


def ciphered(pdu_hex):
    """Security header type 2 or 4 (TS 24.501 9.3): the message inside is ciphered."""
    return int(pdu_hex[2:4], 16) & 0x0F in (2, 4)


def check_keys(ck, truth, keys_seen):
    for k in truth.get("amf_kamf", []):
        ck.check(k["K_AMF"].lower() in keys_seen["kasme.key.kamf"], "K_AMF %s..." % k["K_AMF"][:8])
    for k in truth.get("amf_nas_keys", []):
        ck.check(k["K_NASint"].lower() in keys_seen["kasme.key.nas_int"], "K_NASint")
        ck.check(k["K_NASenc"].lower() in keys_seen["kasme.key.nas_enc"], "K_NASenc")


def wrong_at_amf(p):
    """The AMF found the MAC wrong, and it is: not a PDU a test UE sent under another UE's
    5G-GUTI (via, lab/open5gs-tests/ue_truth.py), which its sender's context verifies."""
    return p.get("mac_ok_core") is False and "via" not in p


def check_pdus(ck, truth, rows):
    n = 0
    for p in truth["nas_pdus"]:
        if "frame" not in p:
            continue
        n += 1
        row = rows.get(p["frame"], {})
        what = "frame %d (%s COUNT %d)" % (p["frame"], p["dir"], p["count"])
        if wrong_at_amf(p):  # the AMF found the MAC wrong: kasme must too
            ck.check(set(row.get("kasme.mac.status", [])) == {"0"}, what + " MAC failed, as at the AMF")
            continue
        ck.check("1" in row.get("kasme.status", []), what + " deciphered")
        ck.check(set(row.get("kasme.mac.status", [])) == {"1"}, what + " MAC verified")
        ck.check(str(p["count"]) in row.get("kasme.count", []), what + " at the AMF's COUNT")
        if ciphered(p["pdu"]):
            ck.check(p["plaintext"].lower() in row.get("kasme.plaintext", []),
                     what + " plaintext equals the AMF's")
        elif container_ciphered(p):
            check_container(ck, what, p, row)
    return n


def container_ciphered(p):
    """An integrity-protected (type 1) UL initial message with a NAS message container (IEI
    0x71), whose value the UE ciphered (TS 24.501 4.4.6); the AMF logs it still ciphered."""
    plain = bytes.fromhex(p["plaintext"])
    return (int(p["pdu"][2:4], 16) & 0x0F) == 1 and p["dir"] == "UL" and \
        len(plain) > 3 and plain[2] in (0x41, 0x4C) and b"\x71" in plain[3:]


def check_container(ck, what, p, row):
    """kasme's plaintext differs from the AMF's only in the container's value, which now holds
    the whole initial message in clear: EPD, plain header, the outer message's type."""
    amf = bytes.fromhex(p["plaintext"])
    ours = [bytes.fromhex(v) for v in row.get("kasme.plaintext", []) if len(v) == 2 * len(amf)]
    ok = False
    for k in ours:
        at = next((i for i in range(len(amf)) if amf[i] != k[i]), len(amf))
        ok |= at >= 3 and k[at - 3] == 0x71 and k[at:at + 3] == bytes([0x7E, 0x00, amf[2]])
    ck.check(ok, what + " NAS message container deciphered to the plain message")


def check_kamf_only(ck, plugin, version, capdir, truth, tmp):
    """No K: the AMF's K_AMF given as a key-file line, by SUPI and as "any" (by SUPI with the
    home network keys, for a UE that conceals its SUPI)."""
    kamfs = truth.get("amf_kamf", [])
    if len(kamfs) != 1:
        return
    pdus = [p for p in truth["nas_pdus"] if "frame" in p]
    for ident in ("supi=imsi-" + kamfs[0]["SUPI"], "any"):
        keys = os.path.join(tmp, "kamf.keys")
        with open(keys, "w") as f:
            f.write("kamf=%s %s\n" % (kamfs[0]["K_AMF"], ident))
            f.write("".join(line + "\n" for line in hnet_lines(truth)))
        rows, _ = run_kasme(plugin, version, os.path.join(capdir, "ngap.pcapng"), keys,
                            extra_fields=["kasme.plaintext", "kasme.key_source"])
        ok = all(set(rows.get(p["frame"], {}).get("kasme.mac.status", [])) == {"1"} and
                 (not ciphered(p["pdu"]) or
                  p["plaintext"].lower() in rows.get(p["frame"], {}).get("kasme.plaintext", []))
                 for p in pdus)
        ck.check(ok, "K_AMF line (%s) alone: every NAS PDU verified, plaintext the AMF's" % ident)
        if ident != "any":
            ck.check(not any("subscriber not in the key file" in e for r in rows.values()
                             for e in r.get("kasme.event", [])),
                     "the SUPI's K_AMF line makes the subscriber known")
        sources = {v for r in rows.values() for v in r.get("kasme.key_source", [])}
        ck.check(any("kamf.keys1" in v for v in sources),  # file:line, colons stripped
                 "key source names the K_AMF line (%s)" % sources)


NH_FIELDS = ["ngap.nextHopNH", "ngap.nextHopChainingCount", "kasme.nh", "kasme.nh.ncc",
             "kasme.nh.index"]


def check_nh(ck, plugin, version, capdir, keyfile, truth, rows, tmp):
    """Every NGAP SecurityContext the AMF logged (Xn: PathSwitchRequestAcknowledge, N2:
    HandoverRequest): NH and NCC as the AMF's, kasme's NH confirmed at a chain position with
    that NCC; one NH bit flipped: a mismatch."""
    contexts = truth.get("capture_ngap_security_context", [])
    for c in contexts:
        row = rows.get(c["frame"], {})
        what = "frame %d SecurityContext (procedure %d)" % (c["frame"], c["procedure_code"])
        ck.check(row.get("ngap.nextHopNH") == [c["NH"].lower()], what + ": NH equals the AMF's")
        ck.check(row.get("ngap.nextHopChainingCount") == [str(c["NCC"])], what + ": NCC")
        ck.check(row.get("kasme.nh") == ["1"] and row.get("kasme.nh.ncc") == [str(c["NCC"])],
                 what + ": NH confirmed by kasme (%s)" % row.get("kasme.nh"))
        index = row.get("kasme.nh.index", ["0"])[0]
        ck.check(int(index) % 8 == c["NCC"], what + ": chain position %s has the NCC" % index)
    unchecked = [f for f, r in rows.items() if r.get("ngap.nextHopNH") and r.get("kasme.nh") != ["1"]]
    ck.check(not unchecked, "every NGAP SecurityContext confirmed (not: frames %s)" % unchecked)
    if not contexts:
        return
    # a flipped NH: a mismatch where the connection names the UE; on a target's connection no
    # chain holds it, so no UE is found and it is not checked; confirmed never
    pcap = as_pcap(os.path.join(capdir, "ngap.pcapng"), tmp)
    for c in contexts:
        nh = bytes.fromhex(c["NH"])
        patch_frames(pcap, {c["frame"]}, lambda b: b.replace(nh, nh[:-1] + bytes([nh[-1] ^ 1])))
    bad, _ = run_kasme(plugin, version, pcap, keyfile, extra_fields=NH_FIELDS + ["kasme.ue"])
    verdicts = [bad.get(c["frame"], {}).get("kasme.nh", ["?"])[0] for c in contexts]
    ck.check(set(verdicts) <= {"0", "2"} and all(
        v == "2" for c, v in zip(contexts, verdicts) if rows.get(c["frame"], {}).get("kasme.ue")
        and bad.get(c["frame"], {}).get("kasme.ue")),
        "every NH with a flipped bit: not confirmed, a mismatch where the UE is known (%s)"
        % verdicts)


def check_eap(ck, plugin, version, capdir, keyfile, truth, rows, tmp):
    """EAP-AKA' (the synthetic capture): AT_MAC verified in the request and the response; with
    one bit of the request's AT_MAC flipped, AT_MAC fails, no context is made, no NAS MAC
    verifies and kasme-verify fails the capture."""
    for e in truth.get("eap_aka_prime", []):
        for frame, what in ((e["request_frame"], "request"), (e["response_frame"], "response")):
            ck.check(rows.get(frame, {}).get("kasme.eap.mac") == ["1"],
                     "frame %d: EAP-AKA' %s AT_MAC verified" % (frame, what))
        pcap = as_pcap(os.path.join(capdir, "ngap.pcapng"), tmp)
        request = bytes.fromhex(e["request_eap"])
        flipped = request[:-1] + bytes([request[-1] ^ 1])  # AT_MAC is the last attribute
        patch_frames(pcap, {e["request_frame"]}, lambda b: b.replace(request, flipped))
        bad, _ = run_kasme(plugin, version, pcap, keyfile, extra_fields=["kasme.eap.mac"])
        ck.check(bad.get(e["request_frame"], {}).get("kasme.eap.mac") == ["0"],
                 "flipped AT_MAC bit: AT_MAC failed")
        ck.check(not any("1" in r.get("kasme.mac.status", []) for r in bad.values()),
                 "flipped AT_MAC bit: no context, no NAS MAC verified")
        verify = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                              "kasme-verify")
        tree = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(plugin))))
        p = subprocess.run([sys.executable, verify, "--plugin-dir", tree, "-k", keyfile, pcap],
                           capture_output=True, text=True, timeout=600)
        ck.check(p.returncode == 1 and "EAP AT_MAC failed" in p.stdout,
                 "kasme-verify fails it: rc %d, %s" % (p.returncode, p.stdout.strip()[-200:]))


def check_against_truth(ck, truth, rows, res_star=True):
    """The truth's checks on one run's rows (keyed by the frame numbers of ngap.pcapng): RES*
    verified (res_star), K_AMF and the NAS keys, every protected NAS PDU, every K_gNB, no MAC
    failed. Returns the number of protected NAS PDUs checked."""
    keys_seen = {f: set() for f in ("kasme.key.kamf", "kasme.key.nas_int", "kasme.key.nas_enc",
                                    "kasme.key.kgnb")}
    for row in rows.values():
        for f in keys_seen:
            keys_seen[f].update(row.get(f, []))
    for r in truth.get("capture_authentication_response", []) if res_star else []:
        ck.check("aka res verified" in rows.get(r["frame"], {}).get("kasme.event", []),
                 "frame %d: RES* verified" % r["frame"])
    check_keys(ck, truth, keys_seen)
    supis_of = {}
    for row in rows.values():
        if len(row.get("kasme.ue", [])) == 1:
            supis_of.setdefault(row["kasme.ue"][0], set()).update(row.get("kasme.supi", []))
    ck.check(all(len(v) <= 1 for v in supis_of.values()),
             "no kasme UE holds two SUPIs (%s)" % supis_of)
    n = check_pdus(ck, truth, rows)
    for k in truth.get("capture_ngap_security_key", []):
        row = rows.get(k["frame"], {})
        ck.check(row.get("kasme.kgnb") == ["1"], "frame %d: K_gNB confirmed" % k["frame"])
        ck.check(k["K_gNB"].lower() in keys_seen["kasme.key.kgnb"], "K_gNB equals the AMF's")
    wrong = {p.get("frame") for p in truth["nas_pdus"] if wrong_at_amf(p)}
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", []) and f not in wrong]
    ck.check(not failed, "no MAC failed but those the AMF found wrong (failed in frames %s)" % failed)
    ck.check(n > 0, "the truth has NAS PDUs in the capture")
    return n


def main():
    plugin, version, capdir = sys.argv[1:4]
    keyfile = sys.argv[4] if len(sys.argv) > 4 else os.path.join(capdir, "subscriber.keys")
    truth = json.load(open(os.path.join(capdir, "truth.json")))
    rows, stderr = run_kasme(plugin, version, os.path.join(capdir, "ngap.pcapng"), keyfile,
                             extra_fields=["kasme.plaintext", "kasme.key.kgnb", "kasme.eap.mac",
                                           "kasme.ue", "kasme.supi"] + NH_FIELDS)
    ck = Checker(os.path.basename(capdir))
    ck.check("kasme:" not in stderr, "no key-file or plugin errors: " + stderr.strip())
    n = check_against_truth(ck, truth, rows)
    tmp = tempfile.mkdtemp(prefix="kasme-lab5g-")
    try:
        check_suci(ck, plugin, version, capdir, keyfile, truth, tmp)
        check_kamf_only(ck, plugin, version, capdir, truth, tmp)
        check_eap(ck, plugin, version, capdir, keyfile, truth, rows, tmp)
        check_nh(ck, plugin, version, capdir, keyfile, truth, rows, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s: %d protected NAS PDUs, %d K_gNB, %d NH; %d checks passed, %d failed"
          % (ck.label, n, len(truth.get("capture_ngap_security_key", [])),
             len(truth.get("capture_ngap_security_context", [])), ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
