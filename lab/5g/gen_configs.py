#!/usr/bin/python3
"""Writes one run's configs: Open5GS's NFs from its sample configs, and
UERANSIM's gNB and UE(s).

The scenario sets the AMF's algorithm preference (NEA/NIA), the subscribers
(IMSI, K, OPc, SQN), the SUCI protection scheme, and the number of UEs.
Everything runs on loopback 127.0.0.x as in Open5GS's samples; the UE's TUN
lives in a network namespace of UERANSIM's own (useNamespace), so a ping to the
UPF's 10.45.0.1 really crosses gNB, GTP-U and UPF.

Usage: gen_configs.py --samples <open5gs build>/configs/open5gs --out <dir>
         --logs <dir> [--nea NEA2] [--nia NIA2] [--ues 1] [--scheme 0|1|2]
         [--t3512 seconds]
"""
import argparse
import json
import os
import sys

import yaml

NFS = ['nrf', 'scp', 'ausf', 'udm', 'udr', 'pcf', 'nssf', 'bsf', 'smf', 'upf', 'amf']
MCC, MNC = '999', '70'
MONGO_PORT = 27017

# Subscribers: K and OPc drawn at random for the lab (not the TS 35.208 sets,
# not UERANSIM's or the LTE lab's defaults), so a key file mix-up shows.
SUBSCRIBERS = [
    {'imsi': '999700000000001', 'k': 'e65eef3bc67706d3bb66ef53caa96007',
     'opc': '940e7dcb739d0da8d8b7e74cd3892cdd', 'amf': '8000', 'sqn': 0x21,
     'imei': '356938035643803', 'imeisv': '4370816125816151'},
    {'imsi': '999700000000002', 'k': '598b0f650789e95856c119dced0f4e9f',
     'opc': '2e0c148edc6710a0df741e9b6a04eb07', 'amf': '8000', 'sqn': 0x41,
     'imei': '356938035643811', 'imeisv': '4370816125816152'},
]

# SUCI home network public keys that go with Open5GS's sample private keys
# configs/open5gs/hnet/curve25519-1.key (Profile A, id 1) and
# secp256r1-2.key (Profile B, id 2, compressed point).
HN_KEYS = {
    1: {'id': 1, 'public': 'e421686f6fb2d70e3fa28d940494095686c3179fef53514667a6ed106b8a7d3d'},
    2: {'id': 2, 'public': '03adefcd1317d1ce8562ec25b91b4800120e1236d6e2661ea4235a84e3c85da244'},
}


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def dump(doc, path):
    with open(path, 'w') as f:
        yaml.safe_dump(doc, f, default_flow_style=False, sort_keys=False)


def nf_config(samples, nf, logs, args):
    doc = load(os.path.join(samples, nf + '.yaml'))
    doc['logger'] = {'file': {'path': os.path.join(logs, nf + '.log')}, 'level': 'info'}
    if 'db_uri' in doc:
        doc['db_uri'] = 'mongodb://127.0.0.1:%d/open5gs' % MONGO_PORT
    if nf == 'smf':
        # Diameter (Gx/Gy/S6b) is for EPC interworking; a 5G-only SMF runs
        # without it, and the sample's freeDiameter config is not installed.
        doc['smf'].pop('freeDiameter', None)
    if nf == 'amf':
        doc['amf']['security'] = {'integrity_order': [args.nia], 'ciphering_order': [args.nea]}
        if args.t3512:
            # Periodic registration update timer given to the UE (TS 24.501 10.2)
            doc['amf'].setdefault('time', {})['t3512'] = {'value': args.t3512}
    if nf == 'udm':
        # The UDM de-conceals SUCIs with the home network keys of Open5GS's
        # samples (configs/open5gs/hnet, next to the sample configs).
        for entry in doc['udm'].get('hnet', []):
            entry['key'] = os.path.join(samples, 'hnet', os.path.basename(entry['key']))
    return doc


def gnb_config():
    return {'mcc': MCC, 'mnc': MNC, 'nci': '0x000000010', 'idLength': 32, 'tac': 1,
            'linkIp': '127.0.0.1', 'ngapIp': '127.0.0.1', 'gtpIp': '127.0.0.1',
            'amfConfigs': [{'address': '127.0.0.5', 'port': 38412}],
            'slices': [{'sst': 1}], 'ignoreStreamIds': True, 'cellAccessType': 'nr'}


def ue_config(sub, args, index):
    algs = {'IA1': False, 'IA2': False, 'IA3': False}
    ciph = {'EA1': False, 'EA2': False, 'EA3': False}
    # The UE offers all algorithms; the AMF's order picks one.
    for k in algs:
        algs[k] = True
    for k in ciph:
        ciph[k] = True
    scheme = args.scheme
    key = HN_KEYS.get(scheme, HN_KEYS[1])
    return {'supi': 'imsi-' + sub['imsi'], 'mcc': MCC, 'mnc': MNC,
            'protectionScheme': scheme, 'homeNetworkPublicKey': key['public'],
            'homeNetworkPublicKeyId': key['id'], 'routingIndicator': '0000',
            'key': sub['k'], 'op': sub['opc'], 'opType': 'OPC', 'amf': sub['amf'],
            'imei': sub['imei'], 'imeiSv': sub['imeisv'], 'tunNetmask': '255.255.255.0',
            'useNamespace': True, 'nsNamePrefix': 'ue5g%d' % index,
            'gnbSearchList': ['127.0.0.1'],
            'uacAic': {'mps': False, 'mcs': False},
            'uacAcc': {'normalClass': 0, 'class11': False, 'class12': False, 'class13': False,
                       'class14': False, 'class15': False},
            'sessions': [{'type': 'IPv4', 'apn': 'internet', 'slice': {'sst': 1}}],
            'configured-nssai': [{'sst': 1}], 'default-nssai': [{'sst': 1}],
            'integrity': algs, 'ciphering': ciph,
            'integrityMaxRate': {'uplink': 'full', 'downlink': 'full'}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--samples', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--logs', required=True)
    ap.add_argument('--nea', default='NEA2')
    ap.add_argument('--nia', default='NIA2')
    ap.add_argument('--ues', type=int, default=1)
    ap.add_argument('--scheme', type=int, default=0, choices=[0, 1, 2])
    ap.add_argument('--t3512', type=int, default=0, help='seconds; 0 keeps the sample value')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.logs, exist_ok=True)
    for nf in NFS:
        dump(nf_config(args.samples, nf, args.logs, args), os.path.join(args.out, nf + '.yaml'))
    dump(gnb_config(), os.path.join(args.out, 'gnb.yaml'))
    subs = SUBSCRIBERS[:args.ues]
    for i, sub in enumerate(subs):
        dump(ue_config(sub, args, i + 1), os.path.join(args.out, 'ue%d.yaml' % (i + 1)))
    with open(os.path.join(args.out, 'subscribers.json'), 'w') as f:
        json.dump([{k: s[k] for k in ('imsi', 'k', 'opc', 'amf', 'sqn')} for s in subs], f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
