"""Runs tshark with the freshly built kasme plugin, isolated from the user's profile.

Wireshark ignores WIRESHARK_PLUGIN_DIR and the personal plugin folder when it runs as root, so
as root tshark runs as nobody (uid 65534) through setpriv. Everything it reads (the plugin, the
capture, the key file) is copied into a private temporary folder that nobody can read, so the
checkout itself may live anywhere.
"""
import os
import shutil
import subprocess
import tempfile

DLT_PREFS = {
    # S1AP PDUs without SCTP/IP (DLT 150, "User 3")
    "s1ap": ["-o", 'uat:user_dlts:"User 3 (DLT=150)","s1ap","0","","0",""'],
    # NGAP PDUs without SCTP/IP (DLT 150, "User 3"), as tools/gen_ngap writes them
    "ngap": ["-o", 'uat:user_dlts:"User 3 (DLT=150)","ngap","0","","0",""'],
    # A UE's NAS log (DLT 148, "User 1")
    "nas": ["-o", 'uat:user_dlts:"User 1 (DLT=148)","nas-eps","0","","0",""'],
    # MAC-LTE with UDP framing (DLT 149, "User 2")
    "mac": ["-o", 'uat:user_dlts:"User 2 (DLT=149)","udp","0","","0",""',
            "--enable-heuristic", "mac_lte_udp",
            "-o", "mac-lte.attempt_rrc_decode:TRUE",
            "-o", "mac-lte.attempt_to_dissect_srb_sdus:TRUE",
            "-o", "rlc-lte.call_pdcp_for_srb:TRUE",
            "-o", "pdcp-lte.show_signalling_plane_as_rrc:TRUE"],
}


def link_of(pcap_name):
    if "s1ap" in pcap_name:
        return "s1ap"
    if "mac" in pcap_name:
        return "mac"
    return "nas"


class Tshark:
    def __init__(self, plugin_so, ws_version, use_plugin=True):
        self.tmp = tempfile.mkdtemp(prefix="kasme-tshark-")
        os.chmod(self.tmp, 0o755)
        self.plugin_dir = os.path.join(self.tmp, "plugins")
        if use_plugin:
            epan = os.path.join(self.plugin_dir, ws_version, "epan")
            os.makedirs(epan)
            shutil.copy(plugin_so, epan)
            for d in (self.plugin_dir, os.path.join(self.plugin_dir, ws_version), epan):
                os.chmod(d, 0o755)
            os.chmod(os.path.join(epan, os.path.basename(plugin_so)), 0o755)
        self.config = os.path.join(self.tmp, "config")
        os.makedirs(self.config)
        os.chmod(self.config, 0o777)

    def stage(self, path):
        """Copies an input file where tshark can read it; returns the new path."""
        dest = os.path.join(self.tmp, os.path.basename(path))
        shutil.copy(path, dest)
        os.chmod(dest, 0o644)
        return dest

    def run(self, args, check=True, wrapper=(), extra_env=None):
        """wrapper: a command tshark runs under (gdb ... --args), as tshark's own user;
        extra_env: more environment variables (LD_PRELOAD=...)."""
        cmd = list(wrapper) + ["tshark"] + list(args)
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "WIRESHARK_PLUGIN_DIR": self.plugin_dir,
            "WIRESHARK_CONFIG_DIR": self.config,
            "HOME": self.config,
            "LC_ALL": "C.UTF-8",
        }
        env.update(extra_env or {})
        proc = subprocess.run(cmd, env=env, cwd=self.tmp, capture_output=True, text=True,
                              timeout=600)
        if check and proc.returncode != 0:
            raise RuntimeError("tshark failed (%d): %s" % (proc.returncode, proc.stderr))
        return proc

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def merged_input(scenario, spec, tmp):
    """SPEC is a capture of SCENARIO, or captures joined by "+" (an eNB's S1AP and MAC-LTE):
    those are merged by time into TMP. Returns the capture to read and, when merged, per part
    the merged frame number of each of its frames (mergecap keeps each input's order)."""
    parts = spec.split("+")
    if len(parts) == 1:
        return os.path.join(scenario, spec), None
    out = os.path.join(tmp, "merged.pcapng")
    subprocess.run(["mergecap", "-w", out] + [os.path.join(scenario, p) for p in parts],
                   check=True)
    ids = subprocess.run(["tshark", "-r", out, "-T", "fields", "-e", "frame.interface_id"],
                         capture_output=True, text=True, check=True).stdout.split()
    numbering = {p: {} for p in parts}
    for merged, iface in enumerate(ids, 1):
        table = numbering[parts[int(iface)]]
        table[len(table) + 1] = merged
    return out, numbering


def kasme_fields(plugin_so, ws_version, pcap, keyfile, fields, extra_args=()):
    """Runs tshark with kasme (keys shown) over pcap and returns (rows, stderr): rows maps a
    frame number to {field: [values]} for fields (frame.number first), values lowercased and
    stripped of colons, several occurrences of a field all listed."""
    ts = Tshark(plugin_so, ws_version)
    try:
        keys = ["-o", "kasme.key_file:" + ts.stage(keyfile)] if keyfile else []  # None: no key file
        args = ["-r", ts.stage(pcap)] + list(extra_args) + keys + [
            "-o", "kasme.show_keys:TRUE",
            "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|"]
        for f in fields:
            args += ["-e", f]
        proc = ts.run(args)
    finally:
        ts.close()
    rows = {}
    for line in proc.stdout.splitlines():
        cols = line.split("\t") + [""] * len(fields)
        rows[int(cols[0])] = {f: [v.replace(":", "").lower() for v in c.split("|") if v]
                              for f, c in zip(fields, cols)}
    return rows, proc.stderr
