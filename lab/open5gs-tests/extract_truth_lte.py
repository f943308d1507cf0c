#!/usr/bin/python3
"""LTE ground truth of a run of an Open5GS test program, from the NFs' logs,
tied to the frames of the capture.

open5gs-o5lab.patch (with lab/5g/open5gs-truth-log.patch under it) makes the
NFs log "[truth] name=hex" lines:
  HSS (MILENAGE, TS 33.401 A.2): rand, sqn, amf, ak, autn, xres, ck, ik,
      kasme_plmn, kasme_sqn_xor_ak, kasme
  MME (A.3, A.4, A.7): knas_type/alg, knas_int, knas_enc; kenb_ul_count, kenb;
      nh_sync_input, nh (with nh_ncc after a handover's NH); one "nas" line
      per protected NAS PDU (direction, IMSI, COUNT, BEARER, EEA, EIA, MAC,
      MAC verdict, plaintext, PDU).
The capture adds what travelled: the S6a Authentication-Information-Answer's
RAND/XRES/AUTN/K_ASME, the NAS Authentication Request/Response, and the S1AP
SecurityKey and SecurityContext (NCC, NH).

truth.json also carries the entries tests/captures/check_nas.py reads ("ue",
"summary", "handovers"), so the capture runs in the nas_* ctests.

Usage: extract_truth_lte.py <run dir> <pcap> <out truth.json> [--name N]
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '5g'))
from extract_truth import (core_events, locate_pdus, pair_nas_keys, pcap_frames,  # noqa: E402
                           truth_lines, tshark_fields)
from extract_truth import udm_vectors as hss_vectors  # noqa: E402  (one vector per MILENAGE rand line)
from ue_truth import apply_ue_side, ue_sent  # noqa: E402

INSERT = re.compile(r'insert imsi (\d+) k (\w+) opc (\w+) amf (\w+) sqn (\d+)')

# TS 24.301 9.8: EMM (PD 7) and ESM (PD 2) message types
EMM_TYPES = {0x41: 'Attach request', 0x42: 'Attach accept', 0x43: 'Attach complete',
             0x44: 'Attach reject', 0x45: 'Detach request', 0x46: 'Detach accept',
             0x48: 'Tracking area update request', 0x49: 'Tracking area update accept',
             0x4a: 'Tracking area update complete', 0x4b: 'Tracking area update reject',
             0x4c: 'Extended service request', 0x4e: 'Service reject',
             0x50: 'GUTI reallocation command', 0x51: 'GUTI reallocation complete',
             0x52: 'Authentication request', 0x53: 'Authentication response',
             0x55: 'Identity request', 0x56: 'Identity response', 0x5d: 'Security mode command',
             0x5e: 'Security mode complete', 0x5f: 'Security mode reject', 0x60: 'EMM status',
             0x61: 'EMM information', 0x62: 'Downlink NAS transport', 0x63: 'Uplink NAS transport'}
ESM_TYPES = {0xc1: 'Activate default EPS bearer context request',
             0xc2: 'Activate default EPS bearer context accept',
             0xc5: 'Activate dedicated EPS bearer context request',
             0xc6: 'Activate dedicated EPS bearer context accept',
             0xcd: 'Deactivate EPS bearer context request', 0xce: 'Deactivate EPS bearer context accept',
             0xd0: 'PDN connectivity request', 0xd2: 'PDN disconnect request',
             0xd9: 'ESM information request', 0xda: 'ESM information response', 0xe8: 'ESM status'}


def esm_container_at(m):
    """Offset of the ESM message container (LV-E) in an Attach request/accept/complete
    (TS 24.301 8.2.4, 8.2.1, 8.2.2: the mandatory IEs before it), else None."""
    try:
        if m[1] == 0x41:  # attach type + KSI, EPS mobile identity (LV), UE network capability (LV)
            at = 3 + 1 + m[3]
            return at + 1 + m[at]
        if m[1] == 0x42:  # attach result, T3412, TAI list (LV)
            return 4 + 1 + m[4]
        if m[1] == 0x43:
            return 2
    except IndexError:
        return None
    return None


def message_name(plain_hex):
    """The plain NAS message's name; for an attach, the ESM message in its container too."""
    m = bytes.fromhex(plain_hex)
    if len(m) < 2:
        return 'unknown'
    if m[0] == 0xc7:  # security header 12: the short Service Request (TS 24.301 8.2.25)
        return 'Service request'
    if m[0] & 0x0f == 7:
        name = EMM_TYPES.get(m[1], 'EMM type 0x%02x' % m[1])
        at = esm_container_at(m)
        if at is not None and len(m) >= at + 5 and m[at + 2] & 0x0f == 2:
            name += ' (%s)' % ESM_TYPES.get(m[at + 4], 'ESM type 0x%02x' % m[at + 4])
        return name
    if m[0] & 0x0f == 2 and len(m) >= 3:
        return ESM_TYPES.get(m[2], 'ESM type 0x%02x' % m[2])
    return 'unknown'


def mme_events(lines):
    """NAS key sets, K_eNBs, NHs (with their NCC) and protected NAS PDUs in log order."""
    ev = core_events(lines, 'imsi', ('eea', 'eia'), message_name)
    return pair_nas_keys(ev['nas_keys'], ('EIA', 'EEA')), ev['kenb'], ev['nh'], ev['pdus']


def from_capture(pcap):
    """What travelled: S6a AIR/AIA, NAS Authentication Request/Response, S1AP keys."""
    clean = lambda s: s.replace(':', '').lower()
    air = tshark_fields(pcap, ['frame.number', 'diameter.User-Name', 'diameter.Visited-PLMN-Id'],
                        'diameter.cmd.code == 318 && diameter.flags.request == 1')
    aia = tshark_fields(pcap, ['frame.number', 'diameter.RAND', 'diameter.XRES', 'diameter.AUTN',
                               'diameter.KASME', 'diameter.Result-Code', 'diameter.Experimental-Result-Code'],
                        'diameter.cmd.code == 318 && diameter.flags.request == 0')
    auth_req = tshark_fields(pcap, ['frame.number', 'nas_eps.emm.nas_key_set_id', 'gsm_a.dtap.rand',
                                    'gsm_a.dtap.autn'], 'nas_eps.nas_msg_emm_type == 0x52')
    auth_resp = tshark_fields(pcap, ['frame.number', 'nas_eps.emm.res'], 'nas_eps.nas_msg_emm_type == 0x53')
    keys = tshark_fields(pcap, ['frame.number', 's1ap.SecurityKey'], 's1ap.SecurityKey')
    ctx = tshark_fields(pcap, ['frame.number', 's1ap.procedureCode', 's1ap.nextHopChainingCount',
                               's1ap.nextHopParameter'], 's1ap.nextHopParameter')
    return {
        'capture_s6a_air': [{'frame': int(a['frame.number']), 'User_Name': a['diameter.User-Name'],
                             'Visited_PLMN_Id': clean(a['diameter.Visited-PLMN-Id'])} for a in air],
        'capture_s6a_aia': [{'frame': int(a['frame.number']), 'RAND': clean(a['diameter.RAND']),
                             'XRES': clean(a['diameter.XRES']), 'AUTN': clean(a['diameter.AUTN']),
                             'KASME': clean(a['diameter.KASME']), 'Result_Code': a['diameter.Result-Code'],
                             'Experimental_Result_Code': a['diameter.Experimental-Result-Code']}
                            for a in aia],
        'capture_authentication_request': [{'frame': int(a['frame.number']),
                                            'KSI': int(a['nas_eps.emm.nas_key_set_id'].split(',')[0]),
                                            'RAND': clean(a['gsm_a.dtap.rand']),
                                            'AUTN': clean(a['gsm_a.dtap.autn'])} for a in auth_req],
        'capture_authentication_response': [{'frame': int(a['frame.number']), 'RES': clean(a['nas_eps.emm.res'])}
                                            for a in auth_resp],
        'capture_s1ap_security_key': [{'frame': int(a['frame.number']), 'K_eNB': clean(a['s1ap.SecurityKey'])}
                                      for a in keys],
        'capture_s1ap_security_context': [{'frame': int(a['frame.number']),
                                           'procedure_code': int(a['s1ap.procedureCode'].split(',')[0]),
                                           'NCC': int(a['s1ap.nextHopChainingCount']),
                                           'NH': clean(a['s1ap.nextHopParameter'])} for a in ctx],
    }


def subscribers_of(run):
    """The subscribers the test program inserted (the stand-in's log)."""
    subs = []
    with open(os.path.join(run, 'logs', 'mongo.out')) as f:
        for line in f:
            m = INSERT.search(line)
            if m:
                imsi, k, opc, amf, sqn = m.groups()
                sub = {'imsi': imsi, 'k': k, 'opc': opc, 'amf': amf, 'sqn': int(sqn)}
                if sub not in subs:  # a test case may insert the same subscriber again
                    subs.append(sub)
    return subs


def check_nas_view(pdus, vectors, nas_keys, kenb, cap, pcap_name):
    """The entries tests/captures/check_nas.py reads: per UE (the MME log is the
    one instance) its NAS messages with frames, and the key summary of what the capture
    lets a reader derive: K_ASMEs of the AKAs the UE answered with RES = XRES, and the
    K_eNBs that travel in an S1AP SecurityKey (the MME also derives K_eNBs it never
    sends, e.g. at a TAU with the UE connected; mme_kenb has them all)."""
    msgs = []
    for p in pdus:
        pdu = bytes.fromhex(p['pdu'])
        sht = pdu[0] >> 4
        msg = {'dir': p['dir'], 'sec_hdr_type': sht, 'message': p['message'],
               'frames': [{'pcap': pcap_name, 'frame': p['frame']}] if p['frame'] else []}
        if sht in (1, 2, 3, 4):
            msg['nas_seq'] = pdu[5]
            # header, MAC and SN as sent, then the plaintext the MME had (DL) or deciphered (UL)
            msg['plain_hex_ue_log'] = pdu[:6].hex() + p['plaintext']
        msgs.append(msg)
    answered = {r['RES'] for r in cap['capture_authentication_response']}
    sent = {a['K_eNB'] for a in cap['capture_s1ap_security_key']}
    summary = [{'instance': 'mme.log', 'what': 'AKA', 'K_ASME': v['KASME']} for v in vectors
               if v['XRES'] in answered]
    summary += [{'instance': 'mme.log', 'what': 'NAS SMC', 'K_NASenc': k['K_NASenc'],
                 'K_NASint': k['K_NASint']} for k in nas_keys]
    summary += [{'instance': 'mme.log', 'what': 'AS keys', 'nas_ul_count_for_K_eNB': k['ul_count'],
                 'K_eNB': k['K_eNB']} for k in kenb if k['K_eNB'] in sent]
    return [{'instance': 'mme.log', 'nas_messages': msgs}], summary


def handovers_of(nh, contexts, pcap_name):
    """Each NH the MME made for a handover (NCC > 1), with the S1AP frames that carry it."""
    out = []
    for i, h in enumerate(x for x in nh if x['ncc'] and x['ncc'] > 1):
        frames = [{'pcap': pcap_name, 'frame': c['frame']} for c in contexts if c['NH'] == h['NH']]
        out.append({'n': i + 1, 'ncc': h['ncc'], 'NH_from_mme_log': h['NH'],
                    's1ap_frames_containing_NH': frames})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('run')
    ap.add_argument('pcap')
    ap.add_argument('out')
    ap.add_argument('--name')
    args = ap.parse_args()
    logs = os.path.join(args.run, 'logs')
    pcap_name = os.path.basename(args.pcap)
    vectors = hss_vectors(truth_lines(os.path.join(logs, 'hss.log')))
    nas_keys, kenb, nh, pdus = mme_events(truth_lines(os.path.join(logs, 'mme.log')))
    n_ue_side = apply_ue_side(pdus, ue_sent(os.path.join(logs, 'test.out'), 'lte'), 'lte', message_name)
    locate_pdus(pdus, pcap_frames(args.pcap), in_order=True)
    cap = from_capture(args.pcap)
    handovers = handovers_of(nh, cap['capture_s1ap_security_context'], pcap_name)
    ue, summary = check_nas_view(pdus, vectors, nas_keys, kenb, cap, pcap_name)
    truth = {
        'scenario': args.name or os.path.basename(os.path.normpath(args.run)),
        'run': open(os.path.join(args.run, 'run.txt')).read().strip(),
        'notes': [
            'Core side truth from Open5GS logs (lab/5g/open5gs-truth-log.patch and '
            'lab/open5gs-tests/open5gs-o5lab.patch): hss = authentication vectors (MILENAGE, '
            'K_ASME of TS 33.401 A.2), mme = NAS keys (A.7), K_eNB (A.3), NH (A.4) and every '
            'protected NAS PDU. The UE is Open5GS\'s simulated UE (tests/common).',
            'K_ASME, K_eNB and NH are 256 bits; K_NASenc/K_NASint are the last 128 bits of the KDF output.',
            'nas_pdus: count = NAS COUNT (overflow<<8 | SQN), bearer as passed to EEA/EIA (0), '
            'mac_core = MAC the MME computed (DL: sent; UL: expected), plaintext = the NAS '
            'message inside the security header, pdu = the whole security protected NAS message, '
            'frame = number of the frame carrying it in %s.' % pcap_name,
            'nas_pdus with imsi_core: sent under another UE\'s identity (via its S-TMSI or GUTI, '
            'named_m_tmsi); imsi and count are the sender\'s, from the simulated UE\'s "[truth] '
            'ue_nas" line (test.out). The MME verified it under the context of imsi_core at '
            'count_core and the MAC failed (mac_ok_core false); imsi_core null: the MME knew no '
            'UE by that identity and verified nothing (no MME line; mac_core null). named_imsi: '
            'the UE that identity was assigned to in this run (null: never assigned).',
            'capture_*: read from %s with tshark: the S6a AIR/AIA (Diameter on TCP 3868), NAS '
            'Authentication Request/Response, S1AP SecurityKey and SecurityContext.' % pcap_name,
            'ue/summary/handovers: the same facts in the layout tests/captures/check_nas.py reads '
            '(plain_hex_ue_log is the MME\'s plaintext behind the PDU\'s 6-octet header: the '
            'simulated UE logs none); summary lists the K_ASMEs of AKAs answered with RES = XRES '
            'and the K_eNBs sent in an S1AP SecurityKey (mme_kenb has every K_eNB the MME derived).',
        ],
        'subscribers': subscribers_of(args.run),
        'hss_auth_vectors': vectors,
        'mme_nas_keys': nas_keys,
        'mme_kenb': kenb,
        'mme_nh': nh,
        **cap,
        'nas_pdus': pdus,
        'ue': ue,
        'summary': summary,
        'handovers': handovers,
    }
    with open(args.out, 'w') as f:
        json.dump(truth, f, indent=1)
    missing = sum(p['frame'] is None for p in pdus)
    print('%d vectors, %d AIA in the capture, %d NAS key sets, %d K_eNB, %d NH, %d protected NAS PDUs '
          '(%d not found in %s, %d sent under another UE\'s identity)'
          % (len(vectors), len(cap['capture_s6a_aia']), len(nas_keys), len(kenb), len(nh), len(pdus),
             missing, pcap_name, n_ue_side))
    return 1 if missing or not pdus else 0


if __name__ == '__main__':
    sys.exit(main())
