#!/usr/bin/env python3
"""The Debian package (CPack): built from the build tree into a temporary folder, it must hold
kasme.so in the global plugin folder of the Wireshark kasme was built against (pkg-config's
plugindir of wireshark, + /epan) and kasme-verify in /usr/bin, nothing else, and depend on the
package that holds that Wireshark's libwireshark (found with dpkg -S), on tshark and python3.

usage: check_deb.py BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def out(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def libwireshark_package():
    """The Debian package of the libwireshark shared object the build linked against."""
    libdir = out("pkg-config", "--variable=libdir", "wireshark").strip()
    real = os.path.realpath(os.path.join(libdir, "libwireshark.so"))
    return out("dpkg", "-S", real).split(":")[0]


def main():
    build = sys.argv[1]
    failed = 0

    def check(ok, what):
        nonlocal failed
        print("%s %s" % ("ok  " if ok else "FAIL", what))
        failed += not ok

    tmp = tempfile.mkdtemp(prefix="kasme-deb-")
    try:
        subprocess.run(["cpack", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", tmp],
                       check=True, capture_output=True, text=True, cwd=build)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        check(len(debs) == 1, "one .deb written: %s" % debs)
        if len(debs) != 1:
            return 1
        deb = os.path.join(tmp, debs[0])
        files = {}
        for line in out("dpkg-deb", "-c", deb).splitlines():
            mode, _, _, _, _, path = line.split(None, 5)
            if not mode.startswith("d"):
                files[path.lstrip(".")] = mode
        plugindir = out("pkg-config", "--variable=plugindir", "wireshark").strip()
        want = {os.path.join(plugindir, "epan", "kasme.so"), "/usr/bin/kasme-verify"}
        check(set(files) == want, "files %s, want %s" % (sorted(files), sorted(want)))
        check(files.get("/usr/bin/kasme-verify", "").startswith("-rwx"),
              "kasme-verify executable: %s" % files.get("/usr/bin/kasme-verify"))
        depends = re.search(r"^ Depends: (.*)$", out("dpkg-deb", "-I", deb), re.M)
        names = {d.split()[0] for d in depends.group(1).split(", ")} if depends else set()
        lib = libwireshark_package()
        check({lib, "tshark", "python3"} <= names,
              "Depends %s names %s, tshark and python3" % (sorted(names), lib))
        print("%s: %s; Depends: %s" % (debs[0], ", ".join(sorted(files)),
                                       depends.group(1) if depends else "-"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
