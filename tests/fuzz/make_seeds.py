#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer harnesses in tests/fuzz/ (see README.md there).

  tests/fuzz/make_seeds.py [OUT_DIR]        (default: build-fuzz/seeds)

OUT_DIR/keyfile/  every key file of keyfiles/, tests/data/keyfile/ and captures/*/user_db.csv,
                  whole and one line each; OUT_DIR/keyfile.dict, a libFuzzer dictionary
OUT_DIR/nas/      per capture and UE instance (captures/*/truth.json ue[]), its NAS PDUs in
                  order in fuzz_nas's record format, with the S1AP K_eNB after the NAS SMC,
                  a new S1AP connection (S-TMSI from the GUTI) for each new RRC connection,
                  and variants (direction unknown, MAC-LTE carrier, no AKA, s07's two runs)
OUT_DIR/pdcp/     per capture and UE instance, its NAS PDUs and PDCP PDUs interleaved in time
                  order in fuzz_pdcp's record format: RRC setup / S-TMSI events before each
                  connection, the RRC SMC flagged with its algorithms, s10's re-establishment
                  (PCI and EARFCN-DL from the truth) as a re-establishment and as a handover
                  with the EARFCN hint; variants with the SMC left for kasme to parse.

The record formats are documented at the top of fuzz_nas.c and fuzz_pdcp.c. The seeds hold
real PDUs of the bundled captures: with the srsRAN subscriber in the harnesses' key files
their AKA, SMC and MACs verify, so the fuzzer starts inside deciphering code.
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ALG = {"EEA0": 0, "EIA0": 0, "128-EEA1": 1, "128-EEA2": 2, "128-EEA3": 3,
       "128-EIA1": 1, "128-EIA2": 2, "128-EIA3": 3}

written = {"keyfile": 0, "nas": 0, "pdcp": 0, "dia": 0}


def write(out, kind, name, data):
    d = os.path.join(out, kind)
    os.makedirs(d, exist_ok=True)
    if not data:
        return
    # the content hash keeps identical variants from piling up
    tag = hashlib.sha1(data).hexdigest()[:8]
    with open(os.path.join(d, "%s-%s" % (name, tag)), "wb") as f:
        f.write(data)
    written[kind] += 1


# ---------------------------------------------------------------- key files

KEYFILE_DICT = [
    "imsi=", "tmsi=", "guti=", "rnti=", "any", "k=", "op=", "opc=", "amf=", "alg=", "kasme=",
    "ksi=", "kenb=", "krrcenc=", "krrcint=", "kupenc=", "name=", "milenage", "mil", "xor",
    "opc", "op", "#", "\\x0d\\x0a", "\\xef\\xbb\\xbf", ",mil,", ",xor,", ",opc,", ",op,",
    "001010123456780", "00112233445566778899aabbccddeeff", "0x", "001-01-8001-1a-c0ffee01",
    "65535", "dynamic", "supi=", "imsi-", "nai-", "kamf=", "hnet", "id=", "scheme=", "key=",
    "file=", "x25519", "secp256r1", "901-70-ca-3fe-3d-12345678",
]


def keyfile_seeds(out):
    files = sorted(glob.glob(os.path.join(ROOT, "keyfiles", "*.keys")) +
                   glob.glob(os.path.join(ROOT, "tests", "data", "keyfile", "*")) +
                   glob.glob(os.path.join(ROOT, "captures", "*", "user_db.csv")))
    lines = set()
    for path in files:
        if not os.path.isfile(path):
            continue
        data = open(path, "rb").read()
        base = os.path.basename(path).replace(".", "_")
        write(out, "keyfile", "file-" + base, data)
        for line in data.split(b"\n"):
            if line.strip() and not line.lstrip().startswith(b"#"):
                lines.add(line)
    for line in sorted(lines):
        write(out, "keyfile", "line", line + b"\n")
    with open(os.path.join(out, "keyfile.dict"), "w") as f:
        for word in KEYFILE_DICT:
            f.write('"%s"\n' % word)


# ---------------------------------------------------------------- truth helpers

def guti_m_tmsi(ue):
    """The M-TMSI of the GUTI the network gave (Attach accept's EPS mobile identity IE 0x50,
    length 11, type GUTI), from the UE log's plaintext; None if absent."""
    for m in ue["nas_messages"]:
        plain = m.get("plain_hex_ue_log", "")
        hit = re.search(r"500b(?:f6|f2)([0-9a-f]{12})([0-9a-f]{8})", plain)
        if hit:
            return int(hit.group(2), 16)
    return None


def timeline(ue):
    """NAS and RRC messages of one UE instance in time order (stable: NAS before RRC on a
    tie, as the UE logs NAS before it sends the RRC message carrying it)."""
    items = [(m["time"], 0, "nas", m) for m in ue["nas_messages"]]
    items += [(m["time"], 1, "rrc", m) for m in ue["rrc_messages"]]
    items += [(a["time"], 2, "as", a) for a in ue["as_security"]]
    items.sort(key=lambda x: (x[0], x[1]))
    return [(kind, m) for _, _, kind, m in items]


def new_connection_starts(tl):
    """Indices in tl where a new RRC connection begins after the first one: before the UL NAS
    message carried in the rrcConnectionSetupComplete, or before the SetupComplete itself."""
    starts = []
    seen_first = False
    for i, (kind, m) in enumerate(tl):
        if kind == "rrc" and "rrcConnectionSetupComplete" in m["rrc_msg"]:
            if seen_first:
                j = i
                if i > 0 and tl[i - 1][0] == "nas" and tl[i - 1][1]["dir"] == "UL":
                    j = i - 1
                starts.append(j)
            seen_first = True
    return starts


# ---------------------------------------------------------------- fuzz_nas records

def nas_rec(pdu, dir_code, carrier, which, op=0, m_tmsi=None):
    flags = (dir_code & 3) | (carrier & 3) << 2 | (which & 1) << 4 | (op & 3) << 6
    out = bytearray()
    if m_tmsi is not None:
        flags |= 0x20
        out += bytes([flags]) + m_tmsi.to_bytes(4, "big")
    else:
        out += bytes([flags])
    out += bytes([len(pdu)]) + pdu
    return bytes(out)


def nas_seed(ue, carrier=0, unknown_dir=False, skip_aka=False, with_kenb=True, which0=0):
    tl = timeline(ue)
    starts = set(new_connection_starts(tl))
    tmsi = guti_m_tmsi(ue)
    which = which0
    out = bytearray()
    started = not skip_aka
    for i, (kind, m) in enumerate(tl):
        if i in starts:
            # the old connection is released, the UE comes back on a new one (S-TMSI known)
            out += nas_rec(b"", 0, carrier, which, op=3)
            which ^= 1
        if kind == "as" and with_kenb and started and "K_eNB" in m and "pci" not in m:
            out += nas_rec(bytes.fromhex(m["K_eNB"]), 1, carrier, which, op=2)
        if kind != "nas":
            continue
        if not started:
            # keep the plain messages that name the UE, drop the AKA: the SMC then has only
            # the key file's K_ASME lines to verify with
            if m["sec_hdr_type"] == 3:
                started = True
            elif m["sec_hdr_type"] != 0 or m["pdu_hex"][2:4] in ("52", "53"):
                continue
        d = 2 if unknown_dir else (0 if m["dir"] == "UL" else 1)
        pdu = bytes.fromhex(m["pdu_hex"])
        mt = tmsi if (i in starts and tmsi is not None and carrier == 0) else None
        out += nas_rec(pdu, d, carrier, which, m_tmsi=mt)
    return bytes(out)


def nas_seeds(out, name, ue):
    write(out, "nas", name, nas_seed(ue))
    write(out, "nas", name + "-dir-unknown", nas_seed(ue, unknown_dir=True))
    write(out, "nas", name + "-rnti", nas_seed(ue, carrier=1))
    write(out, "nas", name + "-no-conn", nas_seed(ue, carrier=3))
    write(out, "nas", name + "-no-aka", nas_seed(ue, skip_aka=True))


def forged_smcs_seed(n=60):
    """A UE named by a plain Attach request, then Security Mode Commands whose MAC nothing
    gives: each may keep one context of the candidates it tries (the harness checks)."""
    out = bytearray(nas_rec(bytes.fromhex("0741"), 0, 0, 0))
    smc_inner = bytes.fromhex("075d220002f070")  # EEA2/EIA2, KSI 0
    for i in range(n):
        out += nas_rec(bytes([0x37, 0x11, 0x22, 0x33, i & 0xFF, i & 0xFF]) + smc_inner, 1, 0, 0)
    return bytes(out)


# ---------------------------------------------------------------- fuzz_pdcp records

def pdcp_rec(kind, conn, dl, b1, b2, data, nas_unknown_dir=False):
    b0 = (kind & 7) | (conn & 3) << 3 | (0x20 if dl else 0) | (0x40 if nas_unknown_dir else 0)
    return bytes([b0, b1 & 0xFF, b2 & 0xFF, len(data)]) + data


def pdcp_seed(ue, move="reest", smc_flagged=True, opaque=True):
    tl = timeline(ue)
    starts = set(new_connection_starts(tl))
    tmsi = guti_m_tmsi(ue)
    conn = 0
    pending_move = None
    out = bytearray()
    out += pdcp_rec(5, conn, False, 0, 0, b"")  # RRCConnectionSetup
    for i, (kind, m) in enumerate(tl):
        if i in starts:
            conn = (conn + 1) & 3
            out += pdcp_rec(5, conn, False, 0, 0, b"")  # RRCConnectionSetup
            if tmsi is not None:
                out += pdcp_rec(5, conn, False, 1, 0, tmsi.to_bytes(4, "big"))  # S-TMSI
        if kind == "as":
            if "pci" in m:
                pending_move = m
            continue
        if kind == "nas":
            dl = m["dir"] == "DL"
            out += pdcp_rec(4, conn, dl, 0, 0, bytes.fromhex(m["pdu_hex"]))
            continue
        dl = m["dir"] == "DL"
        if pending_move is not None and move:
            new = (conn + 1) & 3
            pci = int(pending_move["pci"])
            ncc = int(pending_move.get("ncc", 0))
            b1 = new | (ncc & 7) << 2 | (pci >> 8) << 5
            if move == "reest":
                out += pdcp_rec(7, conn, False, b1, pci & 0xFF, b"")
            else:
                earfcn = int(pending_move["earfcn_dl"])
                out += pdcp_rec(6, conn, True, b1, pci & 0xFF, earfcn.to_bytes(3, "big"))
            conn = new
            pending_move = None
        bearer = m["bearer"]
        srb = bearer.startswith("SRB")
        rb = int(bearer[3:])
        b1 = 1 | ((rb - 1) & 1) << 1 if srb else ((rb - 1) & 31) << 1 | 1 << 6
        b2 = 0
        smc_algs = None
        if "securityModeCommand" in m["rrc_msg"] and dl:
            # the UE logs the AS keys just after the SMC arrives: the next such entry
            for k2, a in tl[i + 1:]:
                if k2 == "as" and "pci" not in a:
                    smc_algs = (ALG.get(a["eea"], 0), ALG.get(a["eia"], 0))
                    break
        if smc_algs is not None:
            if smc_flagged:
                b2 = 1 | (smc_algs[0] & 7) << 1 | (smc_algs[1] & 7) << 4
            else:
                b2 = 0x80  # left for kasme_rrc_parse_smc()
        elif opaque and dl and m.get("encryption", "none") != "none":
            b2 = 0x80
        out += pdcp_rec(0, conn, dl, b1, b2, bytes.fromhex(m["pdcp_pdu_hex"]))
    return bytes(out)


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def pass_move_gate(data):
    """fuzz_pdcp honours moves only in inputs whose FNV-1a hash has its low bits zero (1 in
    FUZZ_PDCP_MOVE_ONE_IN): a tail of 1-3 octets, shorter than a record header and so
    ignored, makes the low 10 bits zero, which passes every gate up to 1024."""
    for n in (1, 2, 3):
        for v in range(256 ** n):
            padded = data + v.to_bytes(n, "big")
            if fnv1a(padded) & 1023 == 0:
                return padded
    raise RuntimeError("no tail passes the move gate")


def pdcp_seeds(out, name, ue):
    has_move = any("pci" in a for a in ue["as_security"])
    gate = pass_move_gate if has_move else (lambda d: d)
    write(out, "pdcp", name, gate(pdcp_seed(ue, move="reest")))
    if has_move:
        write(out, "pdcp", name + "-handover-hint", gate(pdcp_seed(ue, move="handover")))
    write(out, "pdcp", name + "-smc-parsed", gate(pdcp_seed(ue, smc_flagged=False)))
    write(out, "pdcp", name + "-not-opaque", gate(pdcp_seed(ue, opaque=False, move="handover")))


# ---------------------------------------------------------------- main

# NGAP procedure codes (TS 38.413 9.4.7) whose NAS-PDU goes uplink
NGAP_UPLINK = {"15", "36", "46"}


def ngap_nas_seed(pcap, carrier=0):
    """The NAS-5GS PDUs of a 5G capture's NGAP, in order, as fuzz_nas records (tshark reads
    them; no seed when it cannot)."""
    try:
        out = subprocess.run(["tshark", "-r", pcap, "-Y", "ngap.NAS_PDU", "-T", "fields",
                              "-E", "occurrence=a", "-E", "aggregator=|", "-e", "ngap.procedureCode",
                              "-e", "ngap.NAS_PDU"], capture_output=True, text=True,
                             timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return b""
    seed = bytearray()
    for line in out.splitlines():
        codes, _, pdus = line.partition("\t")
        d = 0 if codes.split("|")[0] in NGAP_UPLINK else 1
        for pdu in pdus.split("|"):
            data = bytes.fromhex(pdu.replace(":", ""))
            if 0 < len(data) < 256:
                seed += nas_rec(data, d, carrier, 0)
    return bytes(seed)


def dia_seeds(out):
    """Every Diameter message of the Open5GS core captures (S6a, and Gx/S6a others), one a
    seed, as tshark gives their TCP payloads (none when it cannot); and tests/data/s6a."""
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "s6a", "*.hex"))):
        with open(path) as f:
            write(out, "dia", os.path.basename(path)[:-4], bytes.fromhex(f.read().strip()))
    for pcap in sorted(glob.glob(os.path.join(ROOT, "captures", "s*-open5gs-*", "*.pcap"))):
        name = os.path.basename(os.path.dirname(pcap))
        try:
            lines = subprocess.run(["tshark", "-r", pcap, "-Y", "diameter", "-T", "fields",
                                    "-e", "tcp.payload"], capture_output=True, text=True,
                                   timeout=120).stdout.split()
        except (OSError, subprocess.SubprocessError):
            continue
        for i, payload in enumerate(lines):
            write(out, "dia", "%s-%d" % (name, i), bytes.fromhex(payload.replace(":", "")))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-fuzz", "seeds")
    os.makedirs(out, exist_ok=True)
    for kind in written:  # seeds of an earlier version must not linger
        d = os.path.join(out, kind)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if os.path.isfile(os.path.join(d, f)):
                    os.remove(os.path.join(d, f))
    keyfile_seeds(out)
    for truth in sorted(glob.glob(os.path.join(ROOT, "captures", "*", "truth.json"))):
        scenario = os.path.basename(os.path.dirname(truth))
        with open(truth) as f:
            t = json.load(f)
        ues = t.get("ue", [])
        # the Open5GS test-suite captures' truth has the MME's PDUs, no UE log with times
        ues = [ue for ue in ues if all("time" in m for m in ue.get("nas_messages", []))
               and "rrc_messages" in ue and "as_security" in ue]
        for ue in ues:
            inst = re.sub(r"[^A-Za-z0-9_]+", "_", ue.get("instance", "ue")).strip("_")
            name = "%s-%s" % (scenario, inst)
            nas_seeds(out, name, ue)
            pdcp_seeds(out, name, ue)
        if len(ues) > 1:
            # the UE instances one after the other (s07: attach, detach, re-attach)
            write(out, "nas", scenario + "-all",
                  b"".join(nas_seed(ue, which0=i & 1) for i, ue in enumerate(ues)))
            write(out, "pdcp", scenario + "-all", b"".join(pdcp_seed(ue) for ue in ues))
    write(out, "nas", "forged-smcs", forged_smcs_seed())
    for pcap in sorted(glob.glob(os.path.join(ROOT, "captures", "5g-*", "ngap.pcapng"))):
        name = os.path.basename(os.path.dirname(pcap))
        write(out, "nas", name, ngap_nas_seed(pcap))
        write(out, "nas", name + "-no-conn", ngap_nas_seed(pcap, carrier=3))
    dia_seeds(out)
    print("make_seeds: %d keyfile, %d nas, %d pdcp, %d dia seeds in %s" %
          (written["keyfile"], written["nas"], written["pdcp"], written["dia"], out))


if __name__ == "__main__":
    main()
