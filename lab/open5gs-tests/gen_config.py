#!/usr/bin/python3
"""One run's config for an Open5GS test program, from the build's sample.yaml.

Changes against build/configs/sample.yaml (what `meson` generated for the tests):
  - freeDiameter over TCP: `no_sctp: true` next to each `no_fwd: true`
    (the kernel here has no SCTP; open5gs-o5lab.patch adds the key), so S6a,
    Gx and Gy travel as plain Diameter on TCP port 3868;
  - the MME's and AMF's algorithm order: the scenario's EEA/EIA (NEA/NIA)
    first (the sample prefers EEA0/NEA0, which leaves NAS unciphered).

Usage: gen_config.py <sample.yaml> <out.yaml> [--eea EEA2] [--eia EIA2]
"""
import argparse
import re
import sys


def algorithm_order(first, family):
    """e.g. ('EEA2', 'EEA') -> '[ EEA2, EEA1, EEA0, EEA3 ]' minus duplicates."""
    rest = ['%s%d' % (family, i) for i in (2, 1, 0, 3)]
    return '[ ' + ', '.join([first] + [a for a in rest if a != first]) + ' ]'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('sample')
    ap.add_argument('out')
    ap.add_argument('--eea', default='EEA2')
    ap.add_argument('--eia', default='EIA2')
    args = ap.parse_args()
    text = open(args.sample).read()
    text, n = re.subn(r'^(\s*)no_fwd: true\n', r'\1no_fwd: true\n\1no_sctp: true\n', text, flags=re.M)
    if n < 4:
        sys.exit('expected 4 freeDiameter sections (mme, hss, smf, pcrf), found %d' % n)
    nea, nia = args.eea.replace('EEA', 'NEA'), args.eia.replace('EIA', 'NIA')
    orders = {'ciphering_order': [(args.eea, 'EEA'), (nea, 'NEA')],
              'integrity_order': [(args.eia, 'EIA'), (nia, 'NIA')]}
    for key, choices in orders.items():
        def repl(m):
            family = 'NEA' if 'NEA' in m.group(2) or 'NIA' in m.group(2) else 'EEA'
            alg, fam = choices[1] if family == 'NEA' else choices[0]
            if key == 'integrity_order':
                fam = fam.replace('EA', 'IA')
            return m.group(1) + algorithm_order(alg, fam)
        text, n = re.subn(r'^(\s*%s\s*:\s*)(\[[^\]]*\])' % key, repl, text, flags=re.M)
        if n < 2:
            sys.exit('expected %s for the MME and the AMF, found %d' % (key, n))
    open(args.out, 'w').write(text)


if __name__ == '__main__':
    main()
