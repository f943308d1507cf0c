#!/usr/bin/python3
"""Writes a capture's kasme key file from its truth.json: one line per
subscriber and one per home network private key of the core, for SUCI
de-concealment (keyfiles/README.md format).

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
    print('# SUCI home network private keys of the core (Open5GS sample keys, configs/open5gs/hnet)')
    for k in truth['home_network_keys']:
        profile = 'A' if k['scheme'] == 1 else 'B'
        print('hnet id=%d scheme=%s key=%s  # public %s'
              % (k['id'], profile, k['private'], k['public']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
