#!/usr/bin/env python3
"""tshark wall time and peak RSS with and without kasme on synthetic S1AP or NGAP captures.

For each UE count N, tools/gen_s1ap writes a capture of N UEs (attach with MILENAGE AKA, NAS
SMC, InitialContextSetup with K_eNB, then M protected NAS messages each way) and its key file.
With --rat 5g, tools/gen_ngap writes the 5G SA twin (registration with 5G AKA, NAS-5GS SMC,
InitialContextSetup with K_gNB, the same M messages each way), and the same sides run on it.
tshark reads it twice in one run of this script, one after the other: without kasme (an empty
plugin folder) and with kasme and the key file. Both print the same summary lines (or -V trees
with --verbose); in summary mode the lines are counted and with kasme none may still say
"Ciphered message" (LTE) or end with the NGAP procedure's name alone (5G: stock nas-5gs adds
no message name to a ciphered PDU's line).

Stock tshark never dissects the ciphered messages' contents, which kasme makes it do. So a third
run shows what that alone costs: stock tshark on the same capture generated with EEA0 (null
ciphering: nas-eps dissects the plaintext itself). "ratio" compares kasme with stock on the
ciphered capture (the issue's target); "vs plain" with stock on the EEA0 twin. For 5G the
twin is NEA0, and stock tshark reads it with nas-5gs.null_decipher on (see RATS).

A post-dissector reads other dissectors' fields from the protocol tree, so with kasme Wireshark
builds a tree for every frame, with the fields kasme reads filled in. A fourth run shows what
that alone costs: stock tshark with a display filter on those fields (read from
plugin/ws/kasme_carrier.c; every frame passes it). "floor" adds both costs to stock's time:
what any post-dissector that shows Wireshark's dissection of the plaintext pays before it does
any work of its own; "vs floor" compares kasme with it.

Time is wall time of the tshark process; memory is its peak RSS (ru_maxrss from wait4). The
figure per UE is (RSS with - RSS without) / N. Not a test: prints a table; --check exits 1 if a
target of issue 16 is missed: kasme at most 1.10 times the floor from 10 000 UEs on (summary and
-V: run it once each way; with -V the floor is the lower of the floor and the EEA0 twin), at
most 900 B added per UE at 10 000 UEs, every PDU deciphered; and
exits 2 when no row was measured at 10 000 UEs or more (nothing checked).

--lower-bound (LTE) adds two sides that run bench/floor_stub (built with kasme into
build/bench/plugins), a plugin that does only the least any post-dissector must do to show a
deciphered NAS message, on the EEA0 twin with nas-eps.null_decipher off (so nas-eps leaves the
messages as "Ciphered message", as it does for EEA2): read the PDU's fields, find the UE's keys
in a hash table, EIA2 and EEA2 with a rekey a PDU (the "stub" side), and the plaintext's tvb,
data source, dissection and Info column (the only work of the "stub0" side). No AKA, key
derivation, SMC, results kept for a second pass or tree items of its own. "stub / floor" is
then how much of the 1.10 the least leaves for everything else kasme does.

--instructions counts instructions instead (valgrind's callgrind, one run a side, about 50
times slower: keep N small). The count does not depend on what else the machine runs, so it
shows a change of a few per cent that wall time on a shared machine hides; it leaves out cache
misses, which grow with N, and the kernel's work (system calls, page faults). "startup" is the count for a capture of no frames (with kasme: the
key file loaded), "i/frame" the rest divided by the frames, "own/PDU" what kasme executes beyond
the floor per protected PDU (per-UE work such as AKA and key derivation included).

The environment is passed on: with TZ unset glibc reads /etc/localtime's status on every
localtime() call, which nas-eps makes for every EMM Information it dissects; TZ=:/etc/localtime
saves that for stock Wireshark and kasme alike.

Usage: bench/bench_scale.py [--ues 1000,10000,100000] [--msgs 3] [--runs 1] [--verbose]
                            [--alg 2/2] [--rat lte|5g] [--check] [--keep DIR] [--instructions]
                            [--lower-bound]
(after tools/build.sh; as root, tshark runs as nobody like every kasme test)
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import struct
import tempfile
import time

# Targets of issue 16, checked by --check (targets_missed).
FLOOR_TARGET = 1.10            # kasme's wall time / the floor's ...
FLOOR_TARGET_FROM_UES = 10000  # ... from this many UEs on (fixed costs dominate below)
MEMORY_TARGET = 900            # B of peak RSS added per UE ...
MEMORY_TARGET_AT_UES = 10000   # ... at this many UEs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# What each radio access technology's captures need: the generator, the dissector of link type
# 150 (bare S1AP or NGAP PDUs), and for stock Wireshark on the null-ciphered twin the preference
# that makes it dissect a NAS body behind a security header type 2 or 4 as plain. nas-eps does
# by default (null_decipher TRUE in 4.0); nas-5gs shows "Encrypted data" unless told.
# "ciphered": a summary line of a PDU whose NAS message is still ciphered.
RATS = {
    "lte": {"gen": "gen_s1ap", "dlt": "s1ap", "plain": [],
            "ciphered": re.compile(rb"Ciphered message")},
    "5g": {"gen": "gen_ngap", "dlt": "ngap", "plain": ["-o", "nas-5gs.null_decipher:TRUE"],
           "ciphered": re.compile(rb"(NASTransport|InitialContextSetupRequest)\s*$")},
}


def dlt_prefs(rat):
    return ["-o", 'uat:user_dlts:"User 3 (DLT=150)","%s","0","","0",""' % RATS[rat]["dlt"]]


def plugin_tree():
    tree = os.path.join(ROOT, "build", "plugins")
    if not os.path.isdir(tree):
        sys.exit("bench_scale: no build/plugins: run tools/build.sh first")
    return tree


def generate(tmp, n, msgs, alg, rat="lte"):
    name = RATS[rat]["gen"]
    gen = os.path.join(ROOT, "build", "tools", name, name)
    pcap, keys = os.path.join(tmp, "g%d.pcap" % n), os.path.join(tmp, "g%d.keys" % n)
    out = subprocess.run([gen, "-n", str(n), "-m", str(msgs), "-o", pcap, "-k", keys,
                          "--alg", alg], capture_output=True, text=True, check=True)
    # "gen_s1ap: N UEs, P PDUs, Q protected, ..." (gen_ngap's summary has the same words)
    summary = next(line for line in out.stderr.splitlines() if " UEs, " in line)
    words = summary.replace(",", "").split()
    pdus, protected = int(words[3]), int(words[5])
    for f in (pcap, keys):
        os.chmod(f, 0o644)
    return pcap, keys, pdus, protected


def generate_pair(tmp, n, a):
    """The capture of n UEs and its null-ciphered (EEA0/NEA0) twin, in the folder eea0."""
    pcap, keys, pdus, protected = generate(tmp, n, a.msgs, a.alg, a.rat)
    plain_dir = os.path.join(tmp, "eea0")
    os.makedirs(plain_dir, exist_ok=True)
    plain_pcap = generate(plain_dir, n, a.msgs, "0/" + a.alg.split("/")[1], a.rat)[0]
    return pcap, keys, pdus, protected, plain_pcap


def tshark_command(plugins, config, args, wrapper=()):
    """tshark (under wrapper, e.g. valgrind) with these plugins and this private profile, as
    nobody when run as root; returns (command, environment)."""
    env = dict(os.environ, WIRESHARK_PLUGIN_DIR=plugins, WIRESHARK_CONFIG_DIR=config,
               HOME=config)
    cmd = list(wrapper) + ["tshark"] + args
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    return cmd, env


def run_tshark(plugins, config, args, ciphered_line=RATS["lte"]["ciphered"]):
    """Runs tshark; returns (seconds, peak RSS in KiB, output lines, lines still ciphered)."""
    cmd, env = tshark_command(plugins, config, args)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = ciphered = 0
    for line in proc.stdout:
        lines += 1
        ciphered += ciphered_line.search(line) is not None
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench_scale: tshark failed: %s" % " ".join(cmd))
    return seconds, usage.ru_maxrss, lines, ciphered


def run_callgrind(plugins, config, args):
    """Runs tshark under callgrind; returns the instructions it executed."""
    fd, out = tempfile.mkstemp(prefix="kasme-cg-", dir="/tmp")
    os.close(fd)
    os.chmod(out, 0o666)
    cmd, env = tshark_command(plugins, config, args,
                              ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out])
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if proc.returncode != 0:
            sys.exit("bench_scale: tshark under callgrind failed: %s" % " ".join(cmd))
        with open(out) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
    finally:
        os.remove(out)
    sys.exit("bench_scale: no instruction count from callgrind")


def empty_pcap(tmp):
    """A pcap of link type 150 (User 3) with no frames: what startup alone costs."""
    path = os.path.join(tmp, "empty.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 150))
    os.chmod(path, 0o644)
    return path


def fields_filter():
    """A display filter that every frame with S1AP passes and that primes the fields kasme reads."""
    with open(os.path.join(ROOT, "plugin", "ws", "kasme_carrier.c")) as f:
        names = re.findall(r'static kasme_field f_\w+ = \{"([^"]+)"', f.read())
    if "s1ap" not in names:
        sys.exit("bench_scale: no field list in plugin/ws/kasme_carrier.c")
    return " || ".join(names)


def fresh_copy(tree, dest):
    """A fresh copy each run: a kept folder must not measure the build before the last one."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(tree, dest)
    return dest


def prepare(tmp):
    """The plugin folders (none, kasme's) and a private profile, readable by nobody."""
    empty = os.path.join(tmp, "no-plugins")
    os.makedirs(empty, exist_ok=True)
    plugins = fresh_copy(plugin_tree(), os.path.join(tmp, "plugins"))
    config = os.path.join(tmp, "config")
    os.makedirs(config, exist_ok=True)
    for d, _, files in os.walk(tmp):
        os.chmod(d, 0o777 if d == config else 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    return empty, plugins, config


def stub_plugins(tmp):
    """A copy of build/bench/plugins (floor_stub alone); prepare() makes it readable by nobody."""
    tree = os.path.join(ROOT, "build", "bench", "plugins")
    if not os.path.isdir(tree):
        sys.exit("bench_scale: no build/bench/plugins (floor_stub): run tools/build.sh first")
    return fresh_copy(tree, os.path.join(tmp, "stub-plugins"))


def sides(pcap, keys, plain_pcap, empty, plugins, rat="lte", stub=None):
    both = (("without", empty, ["-r", pcap]),
            ("with", plugins, ["-r", pcap, "-o", "kasme.key_file:" + keys]),
            ("plain", empty, ["-r", plain_pcap] + RATS[rat]["plain"]),
            ("fields", empty, ["-r", pcap, "-Y", fields_filter()]))
    if not stub:
        return both
    twin = ["-r", plain_pcap, "-o", "nas-eps.null_decipher:FALSE"]
    return both + (("stub", stub, twin), ("stub0", stub, twin + ["-o", "floor_stub.crypto:FALSE"]))


def measure(tmp, pcap, keys, plain_pcap, runs, verbose, rat, lower_bound=False):
    """Best of `runs` for each side; sides alternate so that load from elsewhere hits both."""
    stub = stub_plugins(tmp) if lower_bound else None
    empty, plugins, config = prepare(tmp)
    opts = dlt_prefs(rat) + (["-V"] if verbose else [])
    best = {}
    for _ in range(runs):
        for side, plug, args in sides(pcap, keys, plain_pcap, empty, plugins, rat, stub):
            r = run_tshark(plug, config, args + opts, RATS[rat]["ciphered"])
            if side not in best or r[0] < best[side][0]:
                best[side] = r
    return best


def instructions(tmp, n, pcap, keys, plain_pcap, pdus, protected, verbose, rat):
    """Prints one row of instruction counts (millions) and their ratios."""
    empty, plugins, config = prepare(tmp)
    opts = dlt_prefs(rat) + (["-V"] if verbose else [])
    ir = {side: run_callgrind(plug, config, args + opts)
          for side, plug, args in sides(pcap, keys, plain_pcap, empty, plugins, rat)}
    nothing = empty_pcap(tmp)
    start_stock = run_callgrind(empty, config, ["-r", nothing] + opts)
    start_kasme = run_callgrind(plugins, config, ["-r", nothing, "-o", "kasme.key_file:" + keys]
                                + opts)
    floor = ir["fields"] + ir["plain"] - ir["without"]
    frame = {side: (ir[side] - (start_kasme if side == "with" else start_stock)) / pdus
             for side in ir}
    print("%8d %9d %9d | %8.0f %8.0f %6.2f | %8.0f %8.0f %8.2f | %7.0f %7.0f | %8.0f %8.0f %6.2f "
          "%8.0f" % (n, pdus, protected, ir["without"] / 1e6, ir["with"] / 1e6,
                     ir["with"] / ir["without"], ir["plain"] / 1e6, floor / 1e6,
                     ir["with"] / floor, start_stock / 1e6, start_kasme / 1e6, frame["without"],
                     frame["with"], frame["with"] / frame["without"],
                     (ir["with"] - start_kasme - floor + start_stock) / protected))


def instructions_header(a):
    print("instructions (callgrind), tshark %s output, %s NAS %s, %d protected messages each way "
          "per UE" % ("-V" if a.verbose else "summary", a.rat.upper(), a.alg, a.msgs))
    print("%8s %9s %9s | %8s %8s %6s | %8s %8s %8s | %7s %7s | %8s %8s %6s %8s" % (
        "UEs", "PDUs", "protected", "M stock", "M kasme", "ratio", "M plain", "M floor",
        "vs floor", "M start", "M startK", "i/frame", "i/frameK", "ratio", "own/PDU"))


def targets_missed(n, vs_floor, per_ue):
    """The targets a row of n UEs misses (texts), and whether any target applied to it."""
    missed, applies = [], False
    if n >= FLOOR_TARGET_FROM_UES:
        applies = True
        if vs_floor > FLOOR_TARGET:
            missed.append("kasme %.2f x the floor > %.2f" % (vs_floor, FLOOR_TARGET))
    if n == MEMORY_TARGET_AT_UES:
        applies = True
        if per_ue > MEMORY_TARGET:
            missed.append("%.0f B added per UE > %d B" % (per_ue, MEMORY_TARGET))
    return missed, applies


def verdict(missed, checked):
    """The last line of a timed run and --check's exit status."""
    targets = ("kasme <= %.2f x the floor from %d UEs on, <= %d B added per UE at %d UEs" %
               (FLOOR_TARGET, FLOOR_TARGET_FROM_UES, MEMORY_TARGET, MEMORY_TARGET_AT_UES))
    if missed:
        return "targets (%s): missed" % targets, 1
    if not checked:
        return "targets (%s): not measured (no row of %d UEs or more)" % (
            targets, FLOOR_TARGET_FROM_UES), 2
    return "targets (%s): met" % targets, 0


def print_lower_bound(best, floor, without, pdus, verbose):
    """The stub's sides against the floor (with -V the floor the target checks), and what the
    least leaves of the target."""
    for side, what in (("stub0", "tvb, data source, dissection, Info"),
                       ("stub", "+ UE lookup, EIA2, EEA2")):
        t, _, lines, ciphered = best[side]
        print("   lower bound (%s): %.2f s, %.2f x floor, %.2f us/PDU over stock%s" % (
            what, t, t / floor, (t - without[0]) * 1e6 / pdus,
            "" if verbose or (not ciphered and lines == without[2])
            else "; %d lines ciphered, %d vs %d" % (ciphered, lines, without[2])))
    left = FLOOR_TARGET * floor - best["stub"][0]
    print("   the target leaves %.2f s (%.2f us a frame) for all the rest kasme does" % (
        left, left * 1e6 / pdus))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ues", default="1000,10000,100000")
    ap.add_argument("--msgs", type=int, default=3,
                    help="protected NAS messages per UE each way after the attach (default 3: "
                         "10 protected PDUs a UE, 1M at 100k UEs)")
    ap.add_argument("--runs", type=int, default=1, help="runs per side, the best counts")
    ap.add_argument("--alg", default="2/2",
                    help="NAS EEA/EIA (NEA/NIA with --rat 5g) for the generator (default 2/2)")
    ap.add_argument("--rat", choices=sorted(RATS), default="lte",
                    help="lte: S1AP captures from tools/gen_s1ap (default); 5g: NGAP captures "
                         "from tools/gen_ngap (5G AKA, NAS-5GS, K_gNB)")
    ap.add_argument("--verbose", action="store_true", help="tshark -V instead of summary lines")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--keep", help="keep the generated captures in this folder")
    ap.add_argument("--lower-bound", action="store_true",
                    help="also time bench/floor_stub, the least a deciphering post-dissector "
                         "does (LTE only)")
    ap.add_argument("--instructions", action="store_true",
                    help="count instructions under callgrind instead of timing (small N)")
    a = ap.parse_args()
    if a.lower_bound and (a.rat != "lte" or a.instructions):
        ap.error("--lower-bound times LTE captures only")
    tmp = a.keep or tempfile.mkdtemp(prefix="kasme-bench-")
    os.makedirs(tmp, exist_ok=True)
    missed, checked = False, False
    try:
        if a.instructions:
            instructions_header(a)
            for n in (int(x) for x in a.ues.split(",")):
                pcap, keys, pdus, protected, plain_pcap = generate_pair(tmp, n, a)
                instructions(tmp, n, pcap, keys, plain_pcap, pdus, protected, a.verbose, a.rat)
            return 0
        print("tshark %s output, %s NAS %s, %d protected messages each way per UE, best of %d"
              % ("-V" if a.verbose else "summary", a.rat.upper(), a.alg, a.msgs, a.runs))
        print("%8s %9s %9s | %8s %8s %6s | %8s %8s | %8s %8s %8s | %9s %9s %9s | %8s" % (
            "UEs", "PDUs", "protected", "t stock", "t kasme", "ratio", "t plain", "vs plain",
            "t fields", "floor", "vs floor", "RSS stock", "RSS kasme", "added/UE", "us/PDU"))
        for n in (int(x) for x in a.ues.split(",")):
            pcap, keys, pdus, protected, plain_pcap = generate_pair(tmp, n, a)
            best = measure(tmp, pcap, keys, plain_pcap, a.runs, a.verbose, a.rat,
                           a.lower_bound)
            without, with_, plain, fields = (best[s] for s in ("without", "with", "plain",
                                                               "fields"))
            ratio = with_[0] / without[0]
            floor = fields[0] + plain[0] - without[0]
            per_ue = (with_[1] - without[1]) * 1024 / n
            per_pdu = (with_[0] - without[0]) * 1e6 / pdus
            print("%8d %9d %9d | %7.2fs %7.2fs %6.2f | %7.2fs %8.2f | %7.2fs %7.2fs %8.2f | "
                  "%6.0f MB %6.0f MB %7.0f B | %8.2f" % (
                      n, pdus, protected, without[0], with_[0], ratio, plain[0],
                      with_[0] / plain[0], fields[0], floor, with_[0] / floor,
                      without[1] / 1024, with_[1] / 1024, per_ue, per_pdu))
            # -V builds the tree anyway, so its floor is the EEA0 twin (bench/README.md)
            checked_floor = min(floor, plain[0]) if a.verbose else floor
            if a.lower_bound:
                print_lower_bound(best, checked_floor, without, pdus, a.verbose)
            # summary lines only: a -V tree still shows the ciphered outer message
            if not a.verbose and (with_[3] or with_[2] != without[2]):
                print("   kasme left %d lines ciphered; %d lines vs %d without" % (
                    with_[3], with_[2], without[2]))
                missed = True
            row_missed, applies = targets_missed(n, with_[0] / checked_floor, per_ue)
            for m in row_missed:
                print("   target missed: %s" % m)
            missed |= bool(row_missed)
            checked |= applies
            if not a.keep:
                os.remove(pcap)
                os.remove(plain_pcap)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    line, status = verdict(missed, checked)
    print(line)
    return status if a.check else 0


if __name__ == "__main__":
    sys.exit(main())
