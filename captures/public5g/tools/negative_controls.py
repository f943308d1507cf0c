#!/usr/bin/env python3
"""Show that verify_capture.py's checks fail when an input is wrong (run from /work/public5g)."""
import io, contextlib
import crypto5g as c, verify_capture as v

CAP = "open5gs-roaming/5g-roaming-hr.pcapng"
h = bytes.fromhex
GOOD = [(h("465b5ce8b199b49faa5f0a2ee238a6bc"), h("e8ed289deba952e4283b54e88e6183ca"))]


def run(subs):
    with contextlib.redirect_stdout(io.StringIO()):
        return dict(v.main(CAP, subs))


print("good keys      ", run(GOOD))
print("OPc bit flipped", run([(GOOD[0][0], h("e8ed289deba952e4283b54e88e6183cb"))]))
orig_nia2 = c.nia2
c.nia2 = lambda k, cnt, b, d, m: orig_nia2(k, cnt, 0, d, m)
print("BEARER 0       ", run(GOOD))
c.nia2 = orig_nia2
orig_snn = c.serving_network_name
c.serving_network_name = lambda mcc, mnc: orig_snn("999", "70")
print("home-PLMN SNN  ", run(GOOD))
