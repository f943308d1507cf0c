#!/usr/bin/env python3
"""Check a 5G SA NGAP capture against published subscriber keys (research aid).

For every UE (SCTP association + RAN-UE-NGAP-ID) it follows SUCI (null scheme) ->
Authentication Request/Response -> Security Mode Command, derives the TS 33.501
key hierarchy with the given K/OPc, compares RES* with the one the UE sent, and
checks the NAS MAC of the SMC and of every later protected NAS message (NIA1/NIA2);
ciphered ones are deciphered (NEA0/NEA1/NEA2) and must start with EPD 0x7e.
Usage: verify_capture.py [--json truth.json] capture K OPc|op:OP [K OPc|op:OP ...]
"""
import subprocess, sys, xml.etree.ElementTree as ET
from collections import Counter
import crypto5g as c

UPLINK_NGAP = ("InitialUEMessage", "UplinkNASTransport")


def plmn_decode(b):
    d = "%02x%02x%02x" % (b[0], b[1], b[2])
    mcc = d[1] + d[0] + d[3]
    mnc = d[5] + d[4] + ("" if d[2] == "f" else d[2])
    return mcc, mnc


def bcd_digits(b):
    out = ""
    for x in b:
        for n in (x & 0xF, x >> 4):
            if n < 10:
                out += str(n)
    return out


def supi_from_identity(ident):
    """5GS mobile identity: SUCI with SUPI format IMSI and null scheme only."""
    if not ident or ident[0] & 7 != 1 or (ident[0] >> 4) & 7 != 0:
        return None
    mcc, mnc = plmn_decode(ident[1:4])
    if ident[6] != 0:  # protection scheme: only the null scheme can be read
        return None
    return mcc + mnc + bcd_digits(ident[8:])


def ngap_messages(path):
    """Yield (frame, direction, ue_key, nas_pdu, plmns) for each NAS PDU in NGAP."""
    pdml = subprocess.run(["tshark", "-r", path, "-Y", "ngap", "-T", "pdml"],
                          capture_output=True, check=True).stdout
    root = ET.fromstring(pdml)
    for pkt in root.iter("packet"):
        frame = ips = None
        fields = {}
        for proto in pkt.findall("proto"):
            name = proto.get("name")
            if name == "geninfo":
                frame = int(proto.find("field[@name='num']").get("show"))
            if name in ("ip", "ipv6"):
                for f in proto.iter("field"):
                    fields[f.get("name")] = f.get("show")
            if name == "sctp":
                for f in proto.iter("field"):
                    if f.get("name") in ("sctp.srcport", "sctp.dstport"):
                        fields[f.get("name")] = f.get("show")
            if name != "ngap":
                continue
            ends = sorted([(fields.get("ip.src", fields.get("ipv6.src")), fields.get("sctp.srcport")),
                           (fields.get("ip.dst", fields.get("ipv6.dst")), fields.get("sctp.dstport"))])
            kind = proto.get("showname").split("(")[-1].rstrip(")")
            direction = 0 if kind in UPLINK_NGAP else 1
            ran_id = None
            pdus, plmns = [], []
            for f in proto.iter("field"):
                n = f.get("name")
                if n == "ngap.RAN_UE_NGAP_ID" and ran_id is None:
                    ran_id = f.get("show")
                elif n in ("ngap.NAS_PDU", "ngap.pDUSessionNAS_PDU"):
                    pdus.append(bytes.fromhex(f.get("value")))
                elif n == "ngap.pLMNIdentity":
                    plmns.append(bytes.fromhex(f.get("value")))
            for pdu in pdus:
                yield frame, kind, direction, (tuple(ends), ran_id), pdu, plmns


class Ue:
    def __init__(self):
        self.supi = None
        self.plmns = []
        self.auth = None      # derived 5G-AKA output for the pending challenge
        self.ctx = None       # (alg_int, k_int, alg_enc, k_enc)
        self.counts = {}      # direction -> last NAS COUNT seen


def try_auth(ue, rand, autn, abba, subscribers, report):
    if not ue.supi:
        report("  auth request but SUPI unknown (no null-scheme SUCI seen)")
        return
    for k, opc in subscribers:
        for plmn in dict.fromkeys(ue.plmns):
            mcc, mnc = plmn_decode(plmn)
            snn = c.serving_network_name(mcc, mnc)
            der = c.derive_5g(k, opc, rand, autn, ue.supi, snn, abba)
            if der["mac_a"] == der["autn_mac"]:
                der["snn"] = snn
                der["k"] = k
                ue.auth = der
                report("  AUTN MAC-A ok (K=%s.., SQN=%s), SNN %s" % (k.hex()[:4], der["sqn"].hex(), snn.decode()))
                return
    report("  AUTN MAC-A matches no given K/OPc")


def estimate_count(ue, direction, sqn):
    """TS 24.501 4.4.3.1: the overflow counter grows when the 8-bit SQN wraps."""
    last = ue.counts.get(direction)
    overflow = 0 if last is None else last >> 8
    if last is not None and sqn < (last & 0xFF):
        overflow += 1
    ue.counts[direction] = (overflow << 8) | sqn
    return ue.counts[direction]


def check_mac(ctx, direction, count, pdu):
    alg_int, k_int = ctx[0], ctx[1]
    data = pdu[6:]
    if alg_int == 1:
        return c.nia1(k_int, count, 1, direction, data) == pdu[2:6]
    if alg_int == 2:
        return c.nia2(k_int, count, 1, direction, data) == pdu[2:6]
    return None


def decipher(ctx, direction, count, body):
    alg_enc, k_enc = ctx[2], ctx[3]
    if alg_enc == 0:
        return body
    if alg_enc == 2:
        iv = count.to_bytes(4, "big") + bytes([(1 << 3) | (direction << 2)]) + bytes(11)
        enc = c.Cipher(c.algorithms.AES(k_enc), c.modes.CTR(iv)).encryptor()
        return enc.update(body) + enc.finalize()
    if alg_enc == 1:
        kw = [int.from_bytes(k_enc[i:i + 4], "big") for i in range(0, 16, 4)]
        b = (1 << 27) | (direction << 26)
        ks = c.snow3g_keystream([kw[3], kw[2], kw[1], kw[0]], [b, count, b, count], (len(body) + 3) // 4)
        stream = b"".join(w.to_bytes(4, "big") for w in ks)
        return c.xor(body, stream)
    return None


TRUTH = {"auth": [], "smc": [], "protected": []}


def main(path, subscribers):
    ues, contexts, tally = {}, [], Counter()
    log = []
    report = log.append
    for frame, kind, direction, key, pdu, plmns in ngap_messages(path):
        ue = ues.setdefault(key, Ue())
        ue.plmns += plmns
        if len(pdu) < 3 or pdu[0] != 0x7E:
            continue
        sht = pdu[1] & 0x0F
        if sht == 0:
            handle_plain(frame, ue, pdu, subscribers, report, tally)
            continue
        sqn = pdu[6]
        if sht == 3 and len(pdu) > 9 and pdu[9] == 0x5D:
            handle_smc(frame, ue, pdu, contexts, report, tally)
            continue
        if ue.ctx is None:
            for ctx in contexts:   # a new NGAP connection of a UE seen before
                if check_mac(ctx, direction, sqn, pdu):
                    ue.ctx = ctx
                    report("frame %d: adopted an earlier security context" % frame)
                    break
        if ue.ctx is None:
            tally["protected, no context"] += 1
            continue
        count = estimate_count(ue, direction, sqn)
        ok = check_mac(ue.ctx, direction, count, pdu)
        label = "MAC ok" if ok else ("MAC unchecked (NIA0)" if ok is None else "MAC FAILED")
        if ok is False:
            for overflow in range(count >> 8, -1, -1):   # a sender that reused or reset its COUNT
                other = (overflow << 8) | sqn
                if other != count and check_mac(ue.ctx, direction, other, pdu):
                    ok, label, count = True, "MAC ok only at NAS COUNT %d (not monotonic)" % other, other
                    ue.counts[direction] = other
                    break
        tally["sht%d %s %s" % (sht, "UL" if direction == 0 else "DL", label)] += 1
        if sht in (2, 4):
            plain = decipher(ue.ctx, direction, count, pdu[7:])
            tally["deciphered EPD ok" if plain and plain[0] == 0x7E else "deciphered EPD BAD"] += 1
        TRUTH["protected"].append({"frame": frame, "ngap": kind, "sht": sht, "direction": direction,
                                   "nas_count": count, "mac_ok": ok,
                                   "plain_epd_ok": None if sht not in (2, 4) else bool(plain and plain[0] == 0x7E)})
        if not ok:
            report("frame %d: %s sht %d count %d %s" % (frame, kind, sht, count, label))
        if count >= 256 and "overflow" not in tally:
            tally["overflow"] = 1
            report("frame %d: NAS COUNT passed 255 (overflow counter now %d)" % (frame, count >> 8))
    print("\n".join(log))
    for k, v in sorted(tally.items()):
        print("%-40s %d" % (k, v))
    return tally


def handle_plain(frame, ue, pdu, subscribers, report, tally):
    mt = pdu[2]
    if mt in (0x41, 0x5C):   # registration request / identity response
        off = 4 if mt == 0x41 else 3
        ln = int.from_bytes(pdu[off:off + 2], "big")
        supi = supi_from_identity(pdu[off + 2:off + 2 + ln])
        if supi:
            ue.supi = supi
            report("frame %d: SUPI imsi-%s from null-scheme SUCI" % (frame, supi))
    elif mt == 0x56:         # authentication request
        abba_len = pdu[4]
        abba = pdu[5:5 + abba_len]
        i = 5 + abba_len
        rand = autn = None
        while i < len(pdu):
            if pdu[i] == 0x21:
                rand = pdu[i + 1:i + 17]; i += 17
            elif pdu[i] == 0x20:
                autn = pdu[i + 2:i + 2 + pdu[i + 1]]; i += 2 + pdu[i + 1]
            else:
                break
        report("frame %d: Authentication Request RAND %s" % (frame, rand.hex() if rand else None))
        if rand and autn:
            try_auth(ue, rand, autn, abba, subscribers, report)
    elif mt == 0x57 and ue.auth:  # authentication response with RES*
        if len(pdu) >= 21 and pdu[3] == 0x2D:
            ok = pdu[5:21] == ue.auth["res_star"]
            a = ue.auth
            TRUTH["auth"].append({"frame": frame, "supi": ue.supi, "snn": a["snn"].decode(),
                                  "k": a["k"].hex(), "sqn": a["sqn"].hex(), "res_star": a["res_star"].hex(),
                                  "res_star_ok": ok, "k_ausf": a["k_ausf"].hex(), "k_seaf": a["k_seaf"].hex(),
                                  "k_amf": a["k_amf"].hex()})
            tally["RES* " + ("ok" if ok else "MISMATCH")] += 1
            report("frame %d: RES* %s" % (frame, "matches derivation" if ok else "MISMATCH"))


def handle_smc(frame, ue, pdu, contexts, report, tally):
    algs = pdu[10]
    alg_enc, alg_int = algs >> 4 & 7, algs & 7
    if not ue.auth:
        report("frame %d: SMC without a verified authentication" % frame)
        tally["SMC no auth"] += 1
        return
    k_amf = ue.auth["k_amf"]
    ctx = (alg_int, c.k_nas(k_amf, 2, alg_int), alg_enc, c.k_nas(k_amf, 1, alg_enc))
    ok = check_mac(ctx, 1, pdu[6], pdu)
    tally["SMC NEA%d/NIA%d %s" % (alg_enc, alg_int, "MAC ok" if ok else "MAC FAILED")] += 1
    TRUTH["smc"].append({"frame": frame, "supi": ue.supi, "nea": alg_enc, "nia": alg_int, "mac_ok": bool(ok),
                         "k_amf": k_amf.hex(), "k_nas_int": ctx[1].hex(), "k_nas_enc": ctx[3].hex()})
    report("frame %d: SMC NEA%d NIA%d MAC %s (K_AMF %s..)" % (frame, alg_enc, alg_int,
           "ok" if ok else "FAILED", k_amf.hex()[:8]))
    if ok:
        ue.ctx = ctx
        ue.counts = {1: pdu[6]}
        contexts.append(ctx)


if __name__ == "__main__":
    import json
    json_out = None
    if len(sys.argv) > 2 and sys.argv[1] == "--json":
        json_out = sys.argv[2]
        del sys.argv[1:3]
    args = sys.argv[2:]
    subs = []
    for i in range(0, len(args), 2):
        k = bytes.fromhex(args[i])
        second = args[i + 1]
        if second.lower().startswith("op:"):   # OP given: OPc = E_K(OP) xor OP (TS 35.206)
            op = bytes.fromhex(second[3:])
            subs.append((k, c.xor(c.aes_block(k, op), op)))
        else:
            subs.append((k, bytes.fromhex(second)))
    tally = main(sys.argv[1], subs)
    if json_out:
        TRUTH["summary"] = dict(tally)
        with open(json_out, "w") as f:
            json.dump(TRUTH, f, indent=1)
