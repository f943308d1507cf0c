#!/usr/bin/python3
"""Writes a capture's kasme key file from its truth.json: one line per
subscriber (keyfiles/README.md format), and the core's SUCI home network key
pairs as comments (kasme has no line format for them yet).

Usage: keys_file.py <truth.json> > subscriber.keys
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        truth = json.load(f)
    print('# kasme key file: the subscribers of this capture (lab keys, not secret)')
    for i, s in enumerate(truth['subscribers']):
        print('imsi=%s k=%s opc=%s amf=%s name=lab5g-ue%d'
              % (s['imsi'], s['k'].lower(), s['opc'].lower(), s['amf'], i + 1))
    print('# SUCI home network key pairs of the core (Open5GS sample keys, configs/open5gs/hnet),')
    print('# as comments until kasme has a line format for them:')
    for k in truth['home_network_keys']:
        profile = 'Profile A, X25519' if k['scheme'] == 1 else 'Profile B, secp256r1'
        print('# hnet id=%d scheme=%d (%s) private=%s public=%s'
              % (k['id'], k['scheme'], profile, k['private'], k['public']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
