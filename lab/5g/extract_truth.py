#!/usr/bin/python3
"""Takes a run's ground truth from Open5GS's own logs and ties it to the
rebuilt NGAP capture.

open5gs-truth-log.patch makes Open5GS log, as "[truth] name=hex" lines:
  UDM (MILENAGE and Annex A.2/A.4): rand, sqn, amf, ak, autn, snn, ck, ik,
      kausf, xres, xres_star
  AUSF (A.6): kseaf
  AMF (A.7-A.9): kamf_supi, abba, kamf, knas_type/alg, knas_enc, knas_int,
      kgnb_ul_count/access, kgnb; and one "nas" line per protected NAS PDU
      (direction, COUNT, BEARER, NEA, NIA, MAC, MAC verdict, plaintext, PDU).
The capture supplies what the core does not log: ngKSI and ABBA as sent in
the Authentication Request, and the UE's RES* (read with tshark).  Each NAS
PDU is found in the NGAP frame that carries its bytes.

Usage: extract_truth.py <run dir> <ngap.pcap> <out truth.json> [--name N]
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys

LINE = re.compile(r'^(\d\d/\d\d \d\d:\d\d:\d\d\.\d+): \[\w+\] INFO: \[truth\] (.*?)(?: \(\.\./\S+:\d+\))?$')
NAS = re.compile(r'nas dir=(\w+) supi=(\S+) count=(\d+) bearer=(\d+) nea=(\d+) nia=(\d+) '
                 r'mac=([0-9a-f]{8}) mac_ok=(\d) plain,pdu=([0-9a-f]*) ([0-9a-f]*)')
# the MME's line (lab/open5gs-tests/open5gs-o5lab.patch): IMSI, EEA, EIA
NAS_EPS = re.compile(r'nas dir=(\w+) imsi=(\S+) count=(\d+) bearer=(\d+) eea=(\d+) eia=(\d+) '
                     r'mac=([0-9a-f]{8}) mac_ok=(\d) plain,pdu=([0-9a-f]*) ([0-9a-f]*)')


# TS 24.501 9.7: 5GMM (EPD 0x7e) and 5GSM (EPD 0x2e) message types
MM_TYPES = {0x41: 'Registration request', 0x42: 'Registration accept', 0x43: 'Registration complete',
            0x44: 'Registration reject', 0x45: 'Deregistration request (UE originating)',
            0x46: 'Deregistration accept (UE originating)', 0x47: 'Deregistration request (UE terminated)',
            0x48: 'Deregistration accept (UE terminated)', 0x4c: 'Service request', 0x4d: 'Service reject',
            0x4e: 'Service accept', 0x54: 'Configuration update command',
            0x55: 'Configuration update complete', 0x56: 'Authentication request',
            0x57: 'Authentication response', 0x5b: 'Identity request', 0x5c: 'Identity response',
            0x5d: 'Security mode command', 0x5e: 'Security mode complete', 0x5f: 'Security mode reject',
            0x64: '5GMM status', 0x65: 'Notification', 0x66: 'Notification response',
            0x67: 'UL NAS transport', 0x68: 'DL NAS transport'}
SM_TYPES = {0xc1: 'PDU session establishment request', 0xc2: 'PDU session establishment accept',
            0xc3: 'PDU session establishment reject', 0xd1: 'PDU session release request',
            0xd2: 'PDU session release reject', 0xd3: 'PDU session release command',
            0xd4: 'PDU session release complete', 0xd6: '5GSM status'}


def message_name(plain_hex):
    """The plain NAS message's name; a NAS transport's N1 SM container is named too."""
    m = bytes.fromhex(plain_hex)
    if len(m) < 3 or m[0] != 0x7e:
        return 'unknown'
    name = MM_TYPES.get(m[2], '5GMM type 0x%02x' % m[2])
    # octet 3: payload container type (1: N1 SM), 4-5: length, 6..: EPD, PSI, PTI, type
    if m[2] in (0x67, 0x68) and len(m) >= 10 and m[3] & 0x0f == 1:
        name += ' (%s)' % SM_TYPES.get(m[9], '5GSM type 0x%02x' % m[9])
    return name


def truth_lines(path):
    """(time, text) of every [truth] line of one NF log."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.match(line.rstrip('\n'))
            if m:
                out.append((m.group(1), m.group(2)))
    return out


def key_values(text):
    return dict(kv.split('=', 1) for kv in text.split() if '=' in kv)


def udm_vectors(lines):
    """One entry per authentication vector: starts at MILENAGE's rand line."""
    vectors = []
    for t, text in lines:
        kv = key_values(text)
        if 'rand' in kv:
            vectors.append({'time': t})
        if vectors:
            for k, v in kv.items():
                vectors[-1].setdefault(k.upper(), v)
    return vectors


def nas_pdu_entry(t, groups, id_key, alg_keys, name_of):
    """A "[truth] nas" line's fields as a nas_pdus entry: id_key names the identity (supi,
    imsi), alg_keys the ciphering and integrity algorithm (nea, nia / eea, eia)."""
    d, ident, count, bearer, ea, ia, mac, ok, plain, pdu = groups
    return {'time': t, 'dir': d, id_key: ident, 'count': int(count), 'bearer': int(bearer),
            alg_keys[0]: int(ea), alg_keys[1]: int(ia), 'mac_core': mac, 'mac_ok_core': ok == '1',
            'message': name_of(plain), 'plaintext': plain, 'pdu': pdu}


def core_events(lines, nas_id, nas_algs, name_of):
    """Every keyed [truth] line of an AMF or MME log, in log order: K_AMF (SUPI, ABBA),
    NAS keys, K_gNB or K_eNB with their UL NAS COUNT, NH (sync input, NH, and the NCC:
    1 for the NH made from the access key, else the nh_ncc line after a handover's NH),
    protected NAS PDUs (nas_id, nas_algs: see nas_pdu_entry)."""
    ev = {'kamf': [], 'nas_keys': [], 'kgnb': [], 'kenb': [], 'nh': [], 'pdus': []}
    for t, text in lines:
        m = NAS.match(text) or NAS_EPS.match(text)
        if m:
            ev['pdus'].append(nas_pdu_entry(t, m.groups(), nas_id, nas_algs, name_of))
            continue
        kv = key_values(text)
        if 'kamf_supi' in kv:
            ev['kamf'].append({'time': t, 'SUPI': kv['kamf_supi']})
        elif 'abba' in kv and ev['kamf']:
            ev['kamf'][-1]['ABBA'] = kv['abba']
        elif 'kamf' in kv and ev['kamf']:
            ev['kamf'][-1]['K_AMF'] = kv['kamf']
        elif 'knas_type' in kv:
            ev['nas_keys'].append({'time': t, 'type': int(kv['knas_type']), 'alg': int(kv['alg'])})
        elif ('knas_enc' in kv or 'knas_int' in kv) and ev['nas_keys']:
            ev['nas_keys'][-1]['key'] = kv.get('knas_enc', kv.get('knas_int'))
        elif 'kgnb_ul_count' in kv:
            ev['kgnb'].append({'time': t, 'ul_count': int(kv['kgnb_ul_count']), 'access_type': int(kv['access'])})
        elif 'kgnb' in kv and ev['kgnb']:
            ev['kgnb'][-1]['K_gNB'] = kv['kgnb']
        elif 'kenb_ul_count' in kv:
            ev['kenb'].append({'time': t, 'ul_count': int(kv['kenb_ul_count'])})
        elif 'kenb' in kv and ev['kenb']:
            ev['kenb'][-1]['K_eNB'] = kv['kenb']
        elif 'nh_sync_input' in kv:
            # TS 33.401 A.4 / TS 33.501 A.10: NH_1 from K_eNB / K_gNB (NCC 1), later ones
            # from the NH before
            access = [k.get('K_eNB') for k in ev['kenb']] + [k.get('K_gNB') for k in ev['kgnb']]
            ev['nh'].append({'time': t, 'sync_input': kv['nh_sync_input'],
                             'ncc': 1 if kv['nh_sync_input'] in access else None})
        elif 'nh' in kv and ev['nh']:
            ev['nh'][-1]['NH'] = kv['nh']
        elif 'nh_ncc' in kv and ev['nh']:
            ev['nh'][-1]['ncc'] = int(kv['nh_ncc'])
    return ev


def pair_nas_keys(nas_keys, names=('NIA', 'NEA')):
    """The core derives K_NASint then K_NASenc for each Security Mode Command;
    names: the integrity and ciphering algorithm keys of the result."""
    out = []
    for k in nas_keys:
        if k['type'] == 2:
            out.append({'time': k['time'], names[0]: k['alg'], 'K_NASint': k['key']})
        elif out and 'K_NASenc' not in out[-1]:
            out[-1].update({names[1]: k['alg'], 'K_NASenc': k['key']})
    return out


def pcap_frames(path):
    """(frame number, epoch, bytes) of a classic pcap file."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack_from('<I', data)[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
    pos, n, frames = 24, 0, []
    while pos + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from(endian + 'IIII', data, pos)
        n += 1
        frames.append((n, sec + frac / (1e9 if nano else 1e6), data[pos + 16:pos + 16 + incl]))
        pos += 16 + incl
    return frames


def locate_pdus(pdus, frames):
    """Each PDU goes to the first frame, not yet used by an equal PDU, that
    carries its bytes; PDUs and frames are both in time order."""
    used = set()
    for p in pdus:
        needle = bytes.fromhex(p['pdu'])
        p['frame'] = None
        for n, _, raw in frames:
            if (n, p['pdu']) not in used and needle in raw:
                p['frame'] = n
                used.add((n, p['pdu']))
                break


def tshark_fields(pcap, fields, filt):
    cmd = ['tshark', '-r', pcap, '-Y', filt, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,']
    for f in fields:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    return [dict(zip(fields, line.split('\t'))) for line in out.splitlines()]


def from_capture(pcap):
    """What only the capture holds: ngKSI/ABBA/RAND/AUTN sent, RES* returned,
    the SUCI as sent; and the K_gNB the AMF gave the gNB (NGAP Security Key)."""
    auth_req = tshark_fields(pcap, ['frame.number', 'nas_5gs.mm.nas_key_set_id', 'nas_5gs.mm.tsc',
                                    'nas_5gs.mm.abba_contents', 'gsm_a.dtap.rand', 'gsm_a.dtap.autn'],
                             'nas_5gs.mm.message_type == 0x56')
    auth_resp = tshark_fields(pcap, ['frame.number', 'nas_eps.emm.res'], 'nas_5gs.mm.message_type == 0x57')
    reg_req = tshark_fields(pcap, ['frame.number', 'nas_5gs.mm.suci.scheme_id', 'nas_5gs.mm.suci.pki',
                                   'nas_5gs.mm.suci.msin', 'nas_5gs.mm.suci.scheme_output'],
                            'nas_5gs.mm.message_type == 0x41')
    ics = tshark_fields(pcap, ['frame.number', 'ngap.SecurityKey'], 'ngap.SecurityKey')
    ctx = tshark_fields(pcap, ['frame.number', 'ngap.procedureCode', 'ngap.nextHopChainingCount',
                               'ngap.nextHopNH'], 'ngap.nextHopNH')
    clean = lambda s: s.replace(':', '').lower()
    return ([{'frame': int(a['frame.number']), 'ngKSI': int(a['nas_5gs.mm.nas_key_set_id'].split(',')[0]),
              'ABBA': clean(a['nas_5gs.mm.abba_contents']), 'RAND': clean(a['gsm_a.dtap.rand']),
              'AUTN': clean(a['gsm_a.dtap.autn'])} for a in auth_req],
            [{'frame': int(a['frame.number']), 'RES_star': clean(a['nas_eps.emm.res'])} for a in auth_resp],
            [{'frame': int(a['frame.number']), 'scheme_id': a['nas_5gs.mm.suci.scheme_id'],
              'pki': a['nas_5gs.mm.suci.pki'], 'msin': a['nas_5gs.mm.suci.msin'],
              'scheme_output': clean(a['nas_5gs.mm.suci.scheme_output'])} for a in reg_req],
            [{'frame': int(a['frame.number']), 'K_gNB': clean(a['ngap.SecurityKey'])} for a in ics],
            [{'frame': int(a['frame.number']), 'procedure_code': int(a['ngap.procedureCode'].split(',')[0]),
              'NCC': int(a['ngap.nextHopChainingCount']), 'NH': clean(a['ngap.nextHopNH'])} for a in ctx])


def home_network_keys(run):
    """The UDM's SUCI key pairs (hnet entries of udm.yaml, PEM files) in hex:
    private key, public key as the UE is configured with it (X25519: 32
    octets; secp256r1: compressed point)."""
    import yaml
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import x25519
    with open(os.path.join(run, 'conf', 'udm.yaml')) as f:
        udm = yaml.safe_load(f)['udm']
    out = []
    for e in udm.get('hnet', []):
        with open(e['key'], 'rb') as f:
            key = serialization.load_pem_private_key(f.read(), None)
        if isinstance(key, x25519.X25519PrivateKey):
            priv = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
            pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            priv = key.private_numbers().private_value.to_bytes(32, 'big')
            pub = key.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.CompressedPoint)
        out.append({'id': e['id'], 'scheme': e['scheme'], 'file': os.path.basename(e['key']),
                    'private': priv.hex(), 'public': pub.hex()})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('run')
    ap.add_argument('pcap')
    ap.add_argument('out')
    ap.add_argument('--name')
    args = ap.parse_args()
    logs = os.path.join(args.run, 'logs')
    vectors = udm_vectors(truth_lines(os.path.join(logs, 'udm.log')))
    kseaf = [dict(time=t, **{k.upper(): v for k, v in key_values(x).items()})
             for t, x in truth_lines(os.path.join(logs, 'ausf.log')) if x.startswith('kseaf=')]
    ev = core_events(truth_lines(os.path.join(logs, 'amf.log')), 'supi', ('nea', 'nia'), message_name)
    kamf, nas_keys, kgnb, pdus = ev['kamf'], ev['nas_keys'], ev['kgnb'], ev['pdus']
    frames = pcap_frames(args.pcap)
    locate_pdus(pdus, frames)
    auth_req, auth_resp, reg_req, sec_keys, sec_ctx = from_capture(args.pcap)
    with open(os.path.join(args.run, 'conf', 'subscribers.json')) as f:
        subscribers = json.load(f)
    run_txt = open(os.path.join(args.run, 'run.txt')).read().strip()
    truth = {
        'scenario': args.name or os.path.basename(os.path.normpath(args.run)),
        'run': run_txt,
        'notes': [
            'Core side truth from Open5GS logs with lab/5g/open5gs-truth-log.patch; '
            'udm = authentication vectors (MILENAGE, K_AUSF, XRES*), ausf = K_SEAF, amf = K_AMF, '
            'NAS keys, K_gNB and every protected NAS PDU.',
            'K_AUSF, K_SEAF, K_AMF and K_gNB are 256 bits; K_NASenc/K_NASint are the last 128 bits '
            'of the KDF output (TS 33.501 A.8).',
            'nas_pdus: count = NAS COUNT (overflow<<8 | SQN), bearer as passed to NEA/NIA '
            '(Open5GS: the access type, 1 = 3GPP), mac_core = MAC the AMF computed (DL: sent; '
            'UL: expected), plaintext = the NAS message inside the security header, '
            'pdu = the whole security protected NAS message, frame = number of the frame carrying it in ngap.pcapng (same numbering as the classic pcap it was made from).',
            'capture_*: read from ngap.pcap with tshark (what the core does not log).',
            'amf_nh: each NH the AMF derived (TS 33.501 A.10): sync input, NH, NCC (1: the NH made '
            'from K_gNB at the Initial Context Setup; handovers (Path Switch, Handover Required) '
            'log their NCC); capture_ngap_security_context: NCC and NH of each NGAP '
            'SecurityContext (PathSwitchRequestAcknowledge, HandoverRequest).',
        ],
        'subscribers': subscribers,
        'home_network_keys': home_network_keys(args.run),
        'udm_auth_vectors': vectors,
        'ausf_kseaf': kseaf,
        'amf_kamf': kamf,
        'amf_nas_keys': pair_nas_keys(nas_keys),
        'amf_kgnb': kgnb,
        'capture_authentication_request': auth_req,
        'capture_authentication_response': auth_resp,
        'capture_registration_request': reg_req,
        'capture_ngap_security_key': sec_keys,
        'nas_pdus': pdus,
        'amf_nh': ev['nh'],
        'capture_ngap_security_context': sec_ctx,
    }
    with open(args.out, 'w') as f:
        json.dump(truth, f, indent=1)
    missing = sum(p['frame'] is None for p in pdus)
    print('%d vectors, %d K_AMF, %d NAS key sets, %d K_gNB, %d protected NAS PDUs (%d not found in %s)'
          % (len(vectors), len(kamf), len(truth['amf_nas_keys']), len(kgnb), len(pdus), missing, args.pcap))
    return 1 if missing or not pdus else 0


if __name__ == '__main__':
    sys.exit(main())
