#!/usr/bin/env python3
"""bench/floor_stub, the lower bound that bench_scale.py --lower-bound times, shows what kasme
shows: on a gen_s1ap capture with EEA0 and nas-eps.null_decipher off, stock tshark leaves every
ciphered NAS PDU as "Ciphered message" (all the generator protected but each UE's Security Mode
Command, which is integrity protected only: security header type 3), and with the stub
(crypto on and off) every frame's Info column is the one stock tshark writes when nas-eps
dissects the null-ciphered messages itself. So the stub's time is the time of the same output.

usage: check_floor_stub.py GEN_S1AP FLOOR_STUB_SO WS_VERSION
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kasme_tshark import DLT_PREFS, Tshark  # noqa: E402

N_UES, M_MSGS = 50, 3
SUMMARY = re.compile(r"gen_\w+: (\d+) UEs, (\d+) PDUs, (\d+) protected")


def info_lines(ts, pcap, extra):
    """Frame number and Info column of each summary line (what bench_scale.py reads; not
    -e _ws.col.Info, which Wireshark 4.2 on fills in before the post-dissectors run)."""
    proc = ts.run(["-r", pcap] + DLT_PREFS["s1ap"] + extra +
                  ["-o", 'gui.column.format:"No.","%m","Info","%i"'])
    return [" ".join(line.split()) for line in proc.stdout.splitlines()]


def main():
    gen, stub_so, version = sys.argv[1:4]
    stock = Tshark(stub_so, version, use_plugin=False)
    stub = Tshark(stub_so, version)
    try:
        return check(gen, stock, stub)
    finally:
        stock.close()
        stub.close()


def check(gen, stock, stub):
    pcap = os.path.join(stock.tmp, "eea0.pcap")
    keys = os.path.join(stock.tmp, "eea0.keys")
    out = subprocess.run([gen, "-n", str(N_UES), "-m", str(M_MSGS), "-o", pcap, "-k", keys,
                          "--alg", "0/2"], capture_output=True, text=True, check=True)
    protected = int(next(m for m in map(SUMMARY.search, out.stderr.splitlines()) if m).group(3))
    pcap_for_stub = stub.stage(pcap)
    os.chmod(pcap, 0o644)
    failed = 0
    off = ["-o", "nas-eps.null_decipher:FALSE"]
    left = info_lines(stock, pcap, off)
    n_ciphered = sum("Ciphered message" in line for line in left)
    if n_ciphered != protected - N_UES:
        print("FAIL stock tshark with null_decipher off: %d ciphered lines, %d protected PDUs "
              "of %d UEs" % (n_ciphered, protected, N_UES))
        failed += 1
    want = info_lines(stock, pcap, [])
    for label, extra in (("crypto on", []), ("crypto off", ["-o", "floor_stub.crypto:FALSE"])):
        got = info_lines(stub, pcap_for_stub, off + extra)
        diff = [(w, g) for w, g in zip(want, got) if w != g]
        if len(got) != len(want) or diff:
            print("FAIL stub (%s): %d of %d lines differ from stock's dissection of the "
                  "plaintext, first %s" % (label, len(diff), len(want), diff[:1]))
            failed += 1
        else:
            print("ok   stub (%s): %d lines, as stock tshark dissects the plaintext (%d "
                  "protected PDUs)" % (label, len(got), protected))
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
