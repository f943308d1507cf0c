#!/usr/bin/env python3
"""Keys the capture carries, 5G: a lab run's SBI (core.pcapng: Nudm_UEAU generate-auth-data with
K_AUSF, Nausf 5g-aka-confirmation with K_SEAF, cleartext HTTP/2 on port 7777) merged with its
NGAP (ngap.pcapng), read with NO key file (kasme.keys_from_capture on, its default).

Checked against the AMF's truth (check_lab5g.check_against_truth): RES* verified, K_AMF and the
NAS keys, every protected NAS PDU deciphered and verified at the AMF's COUNT with its plaintext,
every K_gNB confirmed, no MAC failed; and the key source names the SBI frame the key came from:
- as captured: K_AUSF of the Nudm answer (matched to the Authentication Request by RAND);
- without the Nudm answers: K_SEAF of the Nausf confirmation (by SUPI; RES* is then not checked,
  the capture giving no XRES*);
- a K_AUSF with one bit flipped and no K_SEAF: nothing verifies, the SMC's MAC fails and shows so;
- keys_from_capture off: kasme shows nothing.

Usage: check_capkeys5g.py PLUGIN WS_VERSION CAPTURE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_lab5g import check_against_truth  # noqa: E402
from check_nas5g import FIELDS as NAS5G_FIELDS, Checker  # noqa: E402
from check_negative5g import as_pcap, patch_frames  # noqa: E402
from kasme_tshark import kasme_fields  # noqa: E402

SBI = ["-d", "tcp.port==7777,http2"]
FIELDS = ["kasme.plaintext", "kasme.key.kgnb", "kasme.key_source", "frame.interface_id"]


def merge(capdir, tmp, name="merged.pcapng"):
    """core.pcapng and ngap.pcapng in time order, each keeping its own interface (ngap's is 1),
    so that ngap.pcapng's frame numbers can be found again."""
    out = os.path.join(tmp, name)
    subprocess.run(["mergecap", "-I", "none", "-w", out, os.path.join(capdir, "core.pcapng"),
                    os.path.join(capdir, "ngap.pcapng")], check=True)
    return out


def tshark_frames(pcap, dfilter):
    out = subprocess.run(["tshark", "-r", pcap] + SBI + ["-Y", dfilter, "-T", "fields", "-e",
                                                         "frame.number"],
                         check=True, capture_output=True, text=True).stdout
    return [int(n) for n in out.split()]


def without_frames(pcap, dfilter, tmp, name):
    out = os.path.join(tmp, name)
    subprocess.run(["tshark", "-r", pcap] + SBI + ["-Y", "!(%s)" % dfilter, "-w", out],
                   check=True, capture_output=True)
    return out


def run(plugin, version, pcap, extra=()):
    """kasme's rows with no key file, keyed by merged frame and by ngap.pcapng's frame."""
    rows, stderr = kasme_fields(plugin, version, pcap, None, NAS5G_FIELDS + FIELDS,
                                extra_args=SBI + list(extra))
    ngap_rows = {}
    for frame in sorted(rows):
        if rows[frame].get("frame.interface_id") == ["1"]:
            ngap_rows[len(ngap_rows) + 1] = rows[frame]
    return rows, ngap_rows, stderr


def key_sources(rows):
    return {v for r in rows.values() for v in r.get("kasme.key_source", [])}


def names_frame(sources, what, frames):
    """Every key source (the field's value: message, frame, SUPI) names the message and one of
    the frames that carry the key."""
    return bool(sources) and all(s.startswith(what.lower()) and
                                 any(("in frame %d," % f) in s for f in frames) for s in sources)


def main():
    plugin, version, capdir = sys.argv[1:4]
    truth = json.load(open(os.path.join(capdir, "truth.json")))
    ck = Checker("capkeys " + os.path.basename(capdir))
    tmp = tempfile.mkdtemp(prefix="kasme-capkeys5g-")
    try:
        merged = merge(capdir, tmp)
        kausf_frames = tshark_frames(merged, 'json.member_with_value contains "kausf:"')
        kseaf_frames = tshark_frames(merged, 'json.member_with_value contains "kseaf:"')
        ck.check(kausf_frames and kseaf_frames, "the SBI carries K_AUSF (frames %s) and K_SEAF "
                 "(frames %s)" % (kausf_frames, kseaf_frames))

        rows, ngap_rows, stderr = run(plugin, version, merged)
        ck.check("kasme:" not in stderr, "no plugin errors: " + stderr.strip())
        n = check_against_truth(ck, truth, ngap_rows)
        sources = key_sources(rows)
        ck.check(names_frame(sources, "Nudm_UEAU generate-auth-data (K_AUSF)",
                             kausf_frames),
                 "K_AUSF: the key source names the Nudm answer's frame (%s)" % sources)

        no_kausf = without_frames(merged, 'json.member_with_value contains "kausf:"', tmp,
                                  "no-kausf.pcapng")
        rows, ngap_rows, _ = run(plugin, version, no_kausf)
        check_against_truth(ck, truth, ngap_rows, res_star=False)
        frames = tshark_frames(no_kausf, 'json.member_with_value contains "kseaf:"')
        sources = key_sources(rows)
        ck.check(names_frame(sources, "Nausf 5g-aka-confirmation (K_SEAF)", frames),
                 "K_SEAF: the key source names the Nausf answer's frame (%s)" % sources)

        check_wrong_kausf(ck, plugin, version, merged, tmp)
        rows, _, _ = run(plugin, version, merged, ["-o", "kasme.keys_from_capture:FALSE"])
        ck.check(not any(r.get("kasme.status") for r in rows.values()),
                 "keys_from_capture off: kasme shows nothing")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s: %d protected NAS PDUs; %d checks passed, %d failed"
          % (ck.label, n, ck.passed, ck.failed))
    return 1 if ck.failed else 0


def check_wrong_kausf(ck, plugin, version, merged, tmp):
    """One bit of every K_AUSF flipped (its hex text), the K_SEAF answers left out."""
    only_kausf = without_frames(merged, 'json.member_with_value contains "kseaf:"', tmp,
                                "only-kausf.pcapng")
    flipped = as_pcap(only_kausf, tmp)

    def flip(data):
        at = data.find(b'"kausf":"')
        if at < 0:
            return data
        digit = at + len(b'"kausf":"') + 63  # the last hex digit of the key
        return data[:digit] + (b"1" if data[digit:digit + 1] != b"1" else b"2") + data[digit + 1:]
    patch_frames(flipped, None, flip)
    rows, _, _ = run(plugin, version, flipped)
    verified = [f for f, r in rows.items() if "1" in r.get("kasme.mac.status", [])]
    failed = [f for f, r in rows.items() if "0" in r.get("kasme.mac.status", [])]
    ck.check(not verified and failed,
             "a flipped K_AUSF bit: no MAC verified (%s), the SMC's MAC shown failed (%s)"
             % (verified, failed))


if __name__ == "__main__":
    sys.exit(main())
