#!/usr/bin/env python3
"""What kasme does on 5G NAS when the keys are wrong, when a PDU was tampered with, and when the
serving network the capture names is not the one the keys were made for. Checked on the public
Open5GS roaming capture (home-routed: a 999/70 subscriber served by 001/01), whose truth says
which serving network name is right.

usage: check_negative5g.py PLUGIN_SO WS_VERSION CAPTURE_DIR KEYFILE MODE
  MODE wrong_k      a key file with another K: AKA mismatch reported, no MAC verified
  MODE flipped      the last octet of one protected PDU flipped: its MAC fails, the others verify
  MODE flipped_epd the first ciphered octets of one PDU flipped so that its plaintext starts
                    07 45, an EPS Detach request: its MAC fails, and the plaintext is
                    neither named nor dissected as an EPS NAS message
  MODE wrong_snn    the NGAP PLMN (TAI, cell, in every frame) rewritten to 123/45: the serving
                    network name is wrong, RES* is reported as differing and the SMC's
                    MAC as failed; nothing is verified with a wrong K_AMF
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_nas5g import Checker, run_kasme  # noqa: E402

PCAPNG = "5g-roaming-hr.pcapng"
TRUTH = "truth-5g-roaming-hr.json"
IMSI = "999700000021309"
SERVING_PLMN = bytes.fromhex("00f110")  # 001/01 as NGAP encodes it
OTHER_PLMN = bytes.fromhex("21f354")    # 123/45


def as_pcap(src, tmp):
    """The pcapng as a classic pcap, so records can be patched in place."""
    dst = os.path.join(tmp, "in.pcap")
    subprocess.run(["editcap", "-F", "pcap", src, dst], check=True, capture_output=True)
    return dst


def patch_frames(path, frames, patch):
    """Applies patch to the bytes of the given frames (None: every frame), sizes unchanged."""
    data = bytearray(open(path, "rb").read())
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        n += 1
        if frames is None or n in frames:
            data[off + 16:off + 16 + incl] = patch(bytes(data[off + 16:off + 16 + incl]))
        off += 16 + incl
    open(path, "wb").write(data)


def nas_pdu_of(path, frame):
    out = subprocess.run(["tshark", "-r", path, "-Y", "frame.number == %d" % frame, "-T", "fields",
                          "-e", "ngap.NAS_PDU"], check=True, capture_output=True, text=True).stdout
    return bytes.fromhex(out.strip().split(",")[0].replace(":", ""))


def no_mac_verified(rows):
    return not any("1" in r.get("kasme.mac.status", []) for r in rows.values())


def wrong_k(ck, plugin, version, pcap, keyfile, truth, tmp):
    keys = os.path.join(tmp, "wrong.keys")
    with open(keys, "w") as f:
        f.write("imsi=%s k=%s opc=e8ed289deba952e4283b54e88e6183ca\n" % (IMSI, "ff" * 16))
    rows, _ = run_kasme(plugin, version, pcap, keys)
    events = [e for r in rows.values() for e in r.get("kasme.event", [])]
    ck.check(any("no subscriber's mac-a matches autn" in e for e in events), "AKA mismatch reported")
    ck.check(no_mac_verified(rows), "no MAC reported verified")


def flipped(ck, plugin, version, pcap, keyfile, truth, tmp):
    target = truth["protected"][2]["frame"]
    path = as_pcap(pcap, tmp)
    pdu = nas_pdu_of(path, target)
    tampered = pdu[:-1] + bytes([pdu[-1] ^ 0x01])
    patch_frames(path, {target}, lambda b: b.replace(pdu, tampered))
    rows, _ = run_kasme(plugin, version, path, keyfile)
    ck.check(rows.get(target, {}).get("kasme.mac.status") == ["0"],
             "frame %d: MAC failed after the flip" % target)
    for p in truth["protected"]:
        if p["frame"] != target:
            ck.check(rows.get(p["frame"], {}).get("kasme.mac.status") == ["1"],
                     "frame %d still verified" % p["frame"])


def flipped_epd(ck, plugin, version, pcap, keyfile, truth, tmp):
    target = [p for p in truth["protected"] if p["sht"] in (2, 4)][1]["frame"]
    path = as_pcap(pcap, tmp)
    pdu = nas_pdu_of(path, target)
    # NEA0 here, and in CTR a flipped ciphertext bit flips the plaintext's: the 5GMM message's
    # EPD 0x7E and security header 0x00 become 0x07 0x45, an EPS Detach request's first octets
    flip = bytes([0x7E ^ 0x07, 0x00 ^ 0x45])
    tampered = pdu[:7] + bytes(a ^ b for a, b in zip(pdu[7:9], flip)) + pdu[9:]
    patch_frames(path, {target}, lambda b: b.replace(pdu, tampered))
    rows, _ = run_kasme(plugin, version, path, keyfile, ["nas_eps.nas_msg_emm_type"])
    row = rows.get(target, {})
    ck.check(row.get("kasme.mac.status") == ["0"], "frame %d: MAC failed" % target)
    ck.check(not row.get("kasme.msg"), "frame %d: a 5GS plaintext starting 07 45 gets no "
             "(EPS) message name: %s" % (target, row.get("kasme.msg")))
    ck.check(not row.get("nas_eps.nas_msg_emm_type"), "frame %d: not dissected as an EPS "
             "message (%s)" % (target, row.get("nas_eps.nas_msg_emm_type")))


def wrong_snn(ck, plugin, version, pcap, keyfile, truth, tmp):
    path = as_pcap(pcap, tmp)
    patch_frames(path, None, lambda b: b.replace(SERVING_PLMN, OTHER_PLMN))
    rows, _ = run_kasme(plugin, version, path, keyfile)
    res_frame = truth["auth"][0]["frame"]
    smc_frame = truth["smc"][0]["frame"]
    ck.check("aka res differs from xres" in rows.get(res_frame, {}).get("kasme.event", []),
             "frame %d: RES* reported as differing" % res_frame)
    ck.check(rows.get(smc_frame, {}).get("kasme.mac.status") == ["0"],
             "frame %d: SMC MAC failed, not hidden" % smc_frame)
    ck.check(no_mac_verified(rows), "nothing verified with a wrong K_AMF")


def main():
    plugin, version, capdir, keyfile, mode = sys.argv[1:6]
    truth = json.load(open(os.path.join(capdir, TRUTH)))
    ck = Checker("5g negative %s" % mode)
    tmp = tempfile.mkdtemp(prefix="kasme-neg5g-")
    try:
        {"wrong_k": wrong_k, "flipped": flipped, "flipped_epd": flipped_epd,
         "wrong_snn": wrong_snn}[mode](
            ck, plugin, version, os.path.join(capdir, PCAPNG), keyfile, truth, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ck.report()


if __name__ == "__main__":
    sys.exit(main())
