#!/usr/bin/env python3
"""Checks kasme on synthetic S1AP captures from tools/gen_s1ap.

For each run (NAS algorithms, first eNB-/MME-UE-S1AP-IDs), 20 UEs with 300 protected NAS
messages in each direction after the attach (so the NAS COUNTs pass 256 and the SN wraps):

- stock tshark (no kasme) dissects every PDU without [Malformed Packet] or an error, and shows
  the S1AP IDs, procedures and security header types the generator wrote;
- tshark with kasme and the generated key file verifies the MAC of every protected NAS PDU
  (as many kasme.mac.status = 1 as the generator says it protected, none anything else) and
  confirms every InitialContextSetupRequest SecurityKey as K_eNB (kasme.kenb = 1).

usage: check_generated.py GEN_BINARY PLUGIN_SO WS_VERSION
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kasme_tshark import DLT_PREFS, Tshark  # noqa: E402

N_UES = 20
M_MSGS = 300
SEED = 20240611
# (NAS algorithms EEA/EIA, first eNB-UE-S1AP-ID, first MME-UE-S1AP-ID). The second run puts
# the IDs at the top of their ranges: 3 octets for the eNB's, 3 and 4 octets for the MME's.
RUNS = [("2/2", 1, 1), ("1/3", 16777215 - N_UES + 1, 4294967295 - N_UES + 1)]

# S1AP procedure codes and what each UE sends with them
PROC_ICS, PROC_DL, PROC_INITIAL_UE, PROC_UL = 9, 11, 12, 13
# kasme's names of the protected messages the generator may send
EXPECTED_MSGS = {"Security mode command", "Security mode complete", "Attach accept",
                 "Attach complete", "EMM information", "ESM information request",
                 "Modify EPS bearer context request", "Identity request", "ESM status",
                 "ESM information response", "Modify EPS bearer context accept",
                 "Uplink NAS transport", "GUTI reallocation complete"}
SUMMARY = re.compile(r"gen_\w+: (\d+) UEs, (\d+) PDUs, (\d+) protected, (\d+) SecurityKeys")
KEY_LINE = re.compile(r"^imsi=(\d{15}) k=([0-9a-f]{32}) opc=([0-9a-f]{32}) amf=8000$")
UNGUARDED = re.compile(r"(\d+) unguarded")


class Checker:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL " + what)
        return ok


def generate(gen, workdir, alg, id_args, seed=SEED, tag=""):
    """Runs the generator (gen_s1ap, gen_ngap) for N_UES UEs and M_MSGS messages with these
    algorithms and id options; returns the process, the pcap and the key file."""
    name = "%s_%s%s" % (os.path.basename(gen), alg.replace("/", ""), tag)
    pcap = os.path.join(workdir, name + ".pcap")
    keys = os.path.join(workdir, name + ".keys")
    cmd = [gen, "-n", str(N_UES), "-m", str(M_MSGS), "-o", pcap, "-k", keys,
           "--seed", str(seed), "--alg", alg] + [str(a) for a in id_args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return proc, pcap, keys


def fields(ts, pcap, names, extra=(), dlt="s1ap"):
    args = ["-r", pcap] + DLT_PREFS[dlt] + list(extra) + [
        "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in names:
        args += ["-e", f]
    proc = ts.run(args)
    rows = []
    for line in proc.stdout.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(names) - len(cols))
        rows.append({f: [v for v in c.split(",") if v] for f, c in zip(names, cols)})
    return rows, proc.stderr


def sht_field(version):
    """Wireshark 4.4 renamed the NAS-EPS fields from nas_eps.* to nas-eps.*."""
    major, minor = (int(x) for x in version.split(".")[:2])
    prefix = "nas-eps" if (major, minor) >= (4, 4) else "nas_eps"
    return prefix + ".security_header_type"


def check_stock(ck, label, plugin, version, pcap, n_pdus, n_protected, enb_base, mme_base):
    """Stock tshark: no malformed PDU, the IDs and procedures the generator wrote."""
    ts = Tshark(plugin, version, use_plugin=False)
    try:
        cap = ts.stage(pcap)
        # the S1AP encoding is what is checked: nas-eps's guess at ciphered bodies as if they
        # were plaintext (null_decipher) differs between Wireshark versions, so it is off
        bad = ts.run(["-r", cap] + DLT_PREFS["s1ap"] +
                     ["-o", "nas-eps.null_decipher:FALSE",
                      "-Y", "_ws.malformed || _ws.expert.severity >= error"]).stdout.strip()
        ck.check(bad == "", "%s: stock tshark finds malformed PDUs or errors:\n%s"
                 % (label, "\n".join(bad.splitlines()[:10])))
        rows, _ = fields(ts, cap, ["frame.number", "s1ap.procedureCode", "s1ap.ENB_UE_S1AP_ID",
                                   "s1ap.MME_UE_S1AP_ID", sht_field(version)])
    finally:
        ts.close()
    ck.check(len(rows) == n_pdus, "%s: %d frames, the generator wrote %d" % (label, len(rows), n_pdus))
    enb_ids = {enb_base + i for i in range(N_UES)}
    mme_of = {enb_base + i: mme_base + i for i in range(N_UES)}
    per_proc = {}
    wrong_ids = protected = 0
    for row in rows:
        proc = int(row["s1ap.procedureCode"][0]) if row["s1ap.procedureCode"] else -1
        per_proc[proc] = per_proc.get(proc, 0) + 1
        enb = [int(v) for v in row["s1ap.ENB_UE_S1AP_ID"]]
        mme = [int(v) for v in row["s1ap.MME_UE_S1AP_ID"]]
        if len(enb) != 1 or enb[0] not in enb_ids:
            wrong_ids += 1
        elif proc == PROC_INITIAL_UE:
            wrong_ids += bool(mme)
        elif mme != [mme_of[enb[0]]]:
            wrong_ids += 1
        # the outer security header type of the NAS PDU (a PDU dissected as plain adds more)
        sht = row[sht_field(version)]
        protected += bool(sht) and sht[0] in ("1", "2", "3", "4")
    ck.check(wrong_ids == 0, "%s: %d frames whose ENB-/MME-UE-S1AP-ID are not the UE's"
             % (label, wrong_ids))
    steps = 7 + 2 * M_MSGS
    want = {PROC_INITIAL_UE: N_UES, PROC_ICS: N_UES, PROC_DL: N_UES * (2 + M_MSGS),
            PROC_UL: N_UES * (3 + M_MSGS)}
    ck.check(per_proc == want and sum(want.values()) == N_UES * steps,
             "%s: procedures %s, expected %s" % (label, per_proc, want))
    ck.check(protected == n_protected, "%s: stock tshark sees %d protected NAS PDUs, the "
             "generator wrote %d" % (label, protected, n_protected))
    print("%s: stock tshark: %d frames, no malformed; procedures %s; %d protected NAS PDUs"
          % (label, len(rows), per_proc, protected))


def check_kasme(ck, label, plugin, version, pcap, keys, n_protected, n_keys):
    ts = Tshark(plugin, version)
    try:
        cap = ts.stage(pcap)
        keyfile = ts.stage(keys)
        rows, stderr = fields(ts, cap, ["frame.number", "kasme.status", "kasme.mac.status",
                                        "kasme.kenb", "kasme.msg", "s1ap.SecurityKey"],
                              extra=["-o", "kasme.key_file:" + keyfile])
    finally:
        ts.close()
    ck.check("kasme:" not in stderr, "%s: kasme errors on stderr: %s" % (label, stderr.strip()))
    statuses = [v for r in rows for v in r["kasme.mac.status"]]
    kenb = [v for r in rows for v in r["kasme.kenb"]]
    mac_ok = statuses.count("1")
    ck.check(mac_ok == n_protected, "%s: %d NAS MACs verified, the generator protected %d PDUs"
             % (label, mac_ok, n_protected))
    ck.check(len(statuses) == mac_ok, "%s: MAC statuses other than verified: %s"
             % (label, sorted({s for s in statuses if s != "1"})))
    ck.check(statuses.count("0") == 0, "%s: %d MACs failed" % (label, statuses.count("0")))
    deciphered = sum(r["kasme.status"].count("1") for r in rows)
    ck.check(deciphered == n_protected, "%s: %d NAS PDUs deciphered, the generator protected %d"
             % (label, deciphered, n_protected))
    # what the deciphered PDUs are: the attach, then mostly the first message of each list
    msgs = {}
    for r in rows:
        for name in r["kasme.msg"]:
            msgs[name] = msgs.get(name, 0) + 1
    ck.check(set(msgs) <= EXPECTED_MSGS, "%s: unexpected messages %s"
             % (label, sorted(set(msgs) - EXPECTED_MSGS)))
    ck.check(all(msgs.get(m) == N_UES for m in ("Security mode command", "Security mode complete",
                                                "Attach accept", "Attach complete")) and
             msgs.get("EMM information", 0) > N_UES * M_MSGS * 0.8 and
             msgs.get("ESM information response", 0) > N_UES * M_MSGS * 0.8,
             "%s: deciphered messages %s" % (label, msgs))
    with_key = [r for r in rows if r["s1ap.SecurityKey"]]
    ck.check(len(with_key) == n_keys, "%s: %d frames with a SecurityKey, expected %d"
             % (label, len(with_key), n_keys))
    unconfirmed = [r["frame.number"][0] for r in with_key if r["kasme.kenb"] != ["1"]]
    ck.check(not unconfirmed, "%s: SecurityKey not confirmed as K_eNB in frames %s"
             % (label, unconfirmed[:10]))
    ck.check(kenb.count("1") == n_keys and len(kenb) == n_keys,
             "%s: kasme.kenb values %s, expected %d times 1" % (label, kenb[:10], n_keys))
    print("%s: kasme: %d of %d protected NAS PDUs deciphered and MAC-verified, %d of %d "
          "SecurityKeys confirmed as K_eNB" % (label, min(mac_ok, deciphered), n_protected,
                                               kenb.count("1"), n_keys))


def check_keyfile(ck, label, keys, entry, identities):
    """One line a UE, matching entry (groups: identity, K, OPc), with these identities in
    order and no K or OPc twice."""
    lines = open(keys).read().splitlines()
    parsed = [entry.match(line) for line in lines]
    ck.check(len(lines) == N_UES and all(parsed),
             "%s: key file has %d lines, not %d of %s" % (label, len(lines), N_UES, entry.pattern))
    parsed = [m for m in parsed if m]
    ck.check([m.group(1) for m in parsed] == identities,
             "%s: identities are not %s.." % (label, identities[0]))
    ck.check(len({m.group(2) for m in parsed}) == len(parsed) and
             len({m.group(3) for m in parsed}) == len(parsed),
             "%s: K or OPc repeats between UEs" % label)


def generated_counts(ck, label, proc, regenerate, pcap, keys):
    """The generator's run: exit status, summary (N_UES UEs, 7 + 2M PDUs and 4 + 2M protected
    a UE), and the same bytes from a second run (regenerate() makes it). Returns (PDUs,
    protected, SecurityKeys), or None when there is nothing to check further."""
    if proc.returncode == 2 and "not in this build" in proc.stderr:
        print("%s: skipped, %s" % (label, proc.stderr.strip()))  # SNOW 3G/ZUC off
        return None
    if not ck.check(proc.returncode == 0, "%s: exit %d: %s"
                    % (label, proc.returncode, proc.stderr.strip())):
        return None
    print(proc.stderr.strip())
    m = SUMMARY.search(proc.stderr)
    if not ck.check(m is not None, "%s: no summary line on stderr" % label):
        return None
    n_ues, n_pdus, n_protected, n_keys = (int(x) for x in m.groups())
    ck.check(n_ues == N_UES and n_keys == N_UES and n_pdus == N_UES * (7 + 2 * M_MSGS)
             and n_protected == N_UES * (4 + 2 * M_MSGS),
             "%s: summary %s" % (label, m.group(0)))
    pcap2, keys2 = regenerate()
    ck.check(open(pcap, "rb").read() == open(pcap2, "rb").read() and
             open(keys, "rb").read() == open(keys2, "rb").read(),
             "%s: a second run with the same seed wrote different files" % label)
    return n_pdus, n_protected, n_keys


def run_checks(doc, n_args, body):
    """main() of a generator check: n_args arguments (else the usage), a Checker and a work
    folder for body(ck, workdir, args), the count, exit 1 if any check failed."""
    if len(sys.argv) != n_args + 1:
        print(doc)
        return 2
    ck = Checker()
    workdir = tempfile.mkdtemp(prefix="kasme-gen-")
    try:
        body(ck, workdir, sys.argv[1:])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


def check_runs(ck, workdir, args):
    gen, plugin, version = args
    for alg, enb_base, mme_base in RUNS:
        label = "gen_s1ap -n %d -m %d --alg %s" % (N_UES, M_MSGS, alg)
        ids = ["--enb-id-base", enb_base, "--mme-id-base", mme_base]
        proc, pcap, keys = generate(gen, workdir, alg, ids)
        counts = generated_counts(ck, label, proc, lambda: generate(
            gen, workdir, alg, ids, tag="_again")[1:], pcap, keys)
        if counts is None:
            continue
        n_pdus, n_protected, n_keys = counts
        u = UNGUARDED.search(proc.stderr)
        ck.check(u is not None and u.group(1) == "0",
                 "%s: ciphertexts stock tshark may take for plain" % label)
        check_keyfile(ck, label, keys, KEY_LINE, ["00101%010d" % (i + 1) for i in range(N_UES)])
        check_stock(ck, label, plugin, version, pcap, n_pdus, n_protected, enb_base, mme_base)
        check_kasme(ck, label, plugin, version, pcap, keys, n_protected, n_keys)


def main():
    return run_checks(__doc__, 3, check_runs)


if __name__ == "__main__":
    sys.exit(main())
