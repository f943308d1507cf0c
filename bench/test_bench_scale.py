#!/usr/bin/env python3
"""bench_scale.py --check against the targets of issue 16, on made-up rows (no tshark run):
kasme at most 1.10 times the floor at 10 000 and 100 000 UEs, at most 900 B added per UE at
10 000 UEs; below 10 000 UEs nothing is checked, and a run that checked nothing does not pass."""
import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location(
    "bench_scale", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_scale.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

CASES = [  # UEs, kasme / floor, B per UE -> targets missed, a target applied
    (10000, 1.09, 899, 0, True),
    (10000, 1.11, 899, 1, True),
    (10000, 1.09, 901, 1, True),
    (10000, 1.20, 990, 2, True),
    (100000, 1.10, 927, 0, True),   # memory is a target at 10 000 UEs only
    (100000, 1.29, 927, 1, True),
    (1000, 1.50, 1720, 0, False),   # fixed costs dominate: no target
]


def main():
    failed = 0
    for n, vs_floor, per_ue, want_missed, want_applies in CASES:
        missed, applies = bench.targets_missed(n, vs_floor, per_ue)
        ok = len(missed) == want_missed and applies == want_applies
        failed += not ok
        print("%s %d UEs, %.2f x floor, %d B/UE: missed %s, applies %s" % (
            "ok  " if ok else "FAIL", n, vs_floor, per_ue, missed, applies))
    for missed, checked, want in (([], True, 0), (["x"], True, 1), ([], False, 2)):
        line, status = bench.verdict(missed, checked)
        ok = status == want
        failed += not ok
        print("%s verdict(%s, checked %s): exit %d, %s" % ("ok  " if ok else "FAIL", missed,
                                                           checked, status, line))
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
