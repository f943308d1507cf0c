#!/usr/bin/python3
"""Second implementation for the LTE runs: re-derives the truth of
extract_truth_lte.py from the subscriber's K and OPc and checks every key,
every value the capture carries and every NAS MAC.

It reuses lab/5g/derive_check.py's primitives (MILENAGE, the TS 33.220 KDF,
128-EIA2/EEA2 in Python, EIA1/EEA1/EIA3/EEA3 from kasme's plugin/crypto via
ctypes) and its self-test against the official vectors; the LTE parts are
TS 33.401 Annex A: K_ASME (A.2, FC 0x10), K_eNB (A.3, 0x11), NH (A.4, 0x12),
K_NASenc/K_NASint (A.7, 0x15); NAS BEARER 0 (TS 33.401 8.1.1).

Usage: derive_check_lte.py <truth.json> [--report check.txt]
Exit 0 only if everything agreed.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '5g'))
from derive_check import check_protected_pdu, kdf, milenage, nia2, run, xor  # noqa: E402


def plmn_octets(imsi, mnc_digits=2):
    """The serving network's PLMN identity as TS 24.008 10.5.1.3 codes it (MCC 999,
    MNC 70 -> 99 f9 07): what K_ASME takes as SN id."""
    mcc, mnc = imsi[:3], imsi[3:3 + mnc_digits]
    mnc3 = mnc[2] if len(mnc) == 3 else 'f'
    nib = lambda hi, lo: int(hi, 16) << 4 | int(lo, 16)
    return bytes([nib(mcc[1], mcc[0]), nib(mnc3, mcc[2]), nib(mnc[1], mnc[0])])


def check_vectors(ck, truth):
    """Each HSS vector with its subscriber's K and OPc: MILENAGE, AUTN, XRES, CK/IK, K_ASME
    (A.2); then the S6a AIA and the NAS Authentication Request/Response as captured.
    Returns the verified K_ASMEs."""
    kasmes = []
    for i, v in enumerate(truth['hss_auth_vectors']):
        tag = 'HSS vector %d' % (i + 1)
        h = lambda name: bytes.fromhex(v[name])
        owners = [s for s in truth['subscribers']
                  if milenage(bytes.fromhex(s['k']), bytes.fromhex(s['opc']), h('RAND'), h('SQN'),
                              h('AMF'))['MAC_A'] == h('AUTN')[8:]]
        # the test programs give all their subscribers one K and OPc: the vector is then
        # checked for each of them
        if not ck.check(tag + ' made from a subscriber\'s K and OPc (MILENAGE f1)',
                        len({(s['k'].lower(), s['opc'].lower()) for s in owners}), 1):
            continue
        sub = owners[0]
        tag += ' (IMSI %s)' % ', '.join(s['imsi'] for s in owners)
        m = milenage(bytes.fromhex(sub['k']), bytes.fromhex(sub['opc']), h('RAND'), h('SQN'), h('AMF'))
        ck.check('%s SQN %s >= start SQN %d' % (tag, v['SQN'], sub['sqn']), int(v['SQN'], 16) >= sub['sqn'], True)
        ck.check(tag + ' AK (f5)', m['AK'], h('AK'))
        autn = xor(h('SQN'), m['AK']) + h('AMF') + m['MAC_A']
        ck.check(tag + ' AUTN', autn, h('AUTN'))
        ck.check(tag + ' XRES (f2)', m['RES'], h('XRES'))
        ck.check(tag + ' CK, IK (f3, f4)', m['CK'] + m['IK'], h('CK') + h('IK'))
        plmn = plmn_octets(sub['imsi'])
        ck.check(tag + ' SN id for K_ASME', plmn, h('KASME_PLMN'))
        kasme = kdf(m['CK'] + m['IK'], 0x10, plmn, autn[:6])
        if ck.check(tag + ' K_ASME (A.2)', kasme, h('KASME')):
            kasmes += [{'imsi': s['imsi'], 'RAND': v['RAND'], 'AUTN': autn.hex(), 'XRES': m['RES'].hex(),
                        'K_ASME': kasme} for s in owners]
    for a in truth['capture_s6a_aia']:
        if not a['RAND']:
            ck.check('capture frame %d S6a AIA without a vector has an error result' % a['frame'],
                     a.get('Experimental_Result_Code', '') not in ('', '2001') or
                     a.get('Result_Code', '') not in ('', '2001'), True)
            continue
        ck.check('capture frame %d S6a AIA RAND/XRES/AUTN/K_ASME = a derived vector' % a['frame'],
                 any((k['RAND'], k['XRES'], k['AUTN'], k['K_ASME'].hex()) ==
                     (a['RAND'], a['XRES'], a['AUTN'], a['KASME']) for k in kasmes), True)
    for r in truth['capture_authentication_request']:
        ck.check('capture frame %d NAS RAND/AUTN sent = a derived vector' % r['frame'],
                 any(k['RAND'] == r['RAND'] and k['AUTN'] == r['AUTN'] for k in kasmes), True)
    for r in truth['capture_authentication_response']:
        ck.check('capture frame %d RES from the UE = XRES' % r['frame'],
                 any(k['XRES'] == r['RES'] for k in kasmes), True)
    return kasmes


def check_nas_keys(ck, truth, kasmes):
    """K_NASint/K_NASenc (A.7) from a verified K_ASME; K_eNB (A.3) from the logged UL NAS
    COUNT and equal to the S1AP SecurityKey; the NH chain (A.4) and the S1AP
    SecurityContexts. Returns the NAS key sets with their IMSI."""
    sets = []
    for s in truth['mme_nas_keys']:
        owner = [k for k in kasmes
                 if kdf(k['K_ASME'], 0x15, b'\x02', bytes([s['EIA']]))[16:].hex() == s['K_NASint']]
        ck.check('K_NASint (A.7, EIA%d) from a K_ASME' % s['EIA'], bool(owner), True)
        enc = [kdf(k['K_ASME'], 0x15, b'\x01', bytes([s['EEA']]))[16:].hex() for k in owner]
        ck.check('K_NASenc (A.7, EEA%d) from the same K_ASME' % s['EEA'], s['K_NASenc'] in enc, True)
        sets.append(dict(s, imsi=owner[0]['imsi'] if owner else None))
    chains = []
    for g in truth['mme_kenb']:
        derived = [kdf(k['K_ASME'], 0x11, g['ul_count'].to_bytes(4, 'big')) for k in kasmes]
        if ck.check('K_eNB (A.3) from UL NAS COUNT %d' % g['ul_count'], bytes.fromhex(g['K_eNB']) in derived, True):
            chains.append((kasmes[derived.index(bytes.fromhex(g['K_eNB']))]['K_ASME'], bytes.fromhex(g['K_eNB'])))
    for c in truth['capture_s1ap_security_key']:
        ck.check('capture frame %d S1AP SecurityKey = a K_eNB of the MME log' % c['frame'],
                 c['K_eNB'] in [g['K_eNB'] for g in truth['mme_kenb']], True)
    check_nh(ck, truth, chains)
    return sets


def nh_chain(kasme, kenb, n):
    """NH_1..NH_n of TS 33.401 A.4: NH_1 from K_eNB, NH_i from NH_(i-1)."""
    out, sync = [], kenb
    for _ in range(n):
        sync = kdf(kasme, 0x12, sync)
        out.append(sync)
    return out


def check_nh(ck, truth, chains):
    """Every NH the MME logged is NH_NCC of the chain from a verified K_eNB, and every S1AP
    SecurityContext carries one with its NCC."""
    known = {}
    for kasme, kenb in chains:
        for ncc, nh in enumerate(nh_chain(kasme, kenb, 7), 1):
            known[nh.hex()] = ncc
    for h in truth['mme_nh']:
        ck.check('NH (A.4) with NCC %s in a chain from K_eNB' % h['ncc'], known.get(h['NH']), h['ncc'])
    for c in truth['capture_s1ap_security_context']:
        ck.check('capture frame %d S1AP SecurityContext NH = NH_%d of the chain' % (c['frame'], c['NCC']),
                 known.get(c['NH']), c['NCC'])


def key_set_for(sets, pdu):
    """The NAS keys in force for a PDU: the last set of its IMSI with its algorithms before it."""
    cands = [s for s in sets if s['imsi'] == pdu['imsi'] and s['EIA'] == pdu['eia'] and s['EEA'] == pdu['eea']
             and s['time'] <= pdu['time']]
    return cands[-1] if cands else None


def check_service_request(ck, tag, crypto, p, k_int):
    """A Service Request (TS 24.301 9.9.3.28, security header 12): KSI and the COUNT's 5 low
    bits in octet 2, the short MAC = the last 2 octets of the NAS-MAC over octets 1-2."""
    pdu = bytes.fromhex(p['pdu'])
    ck.check(tag + ' sequence number (5 bits) = COUNT & 0x1f', pdu[1] & 0x1f, p['count'] & 0x1f)
    mac = uplink_mac(crypto, p['eia'], k_int, p['count'], p['bearer'], pdu[:2])
    ck.check(tag + ' short MAC (EIA%d, BEARER %d)' % (p['eia'], p['bearer']), mac[2:], pdu[2:4])


def uplink_mac(crypto, eia, k_int, count, bearer, msg):
    return nia2(k_int, count, bearer, 0, msg) if eia == 2 else crypto.mac(eia, k_int, count, bearer, 0, msg)


def check_named_context_fails(ck, tag, crypto, p, key_sets):
    """A PDU sent under another UE's S-TMSI or GUTI (imsi_core): its MAC under the context
    the identity named, at the MME's COUNT, is not the PDU's, as the MME found."""
    if p.get('imsi_core') is None:  # not sent under another identity, or unknown to the MME
        return
    named = key_set_for(key_sets, dict(p, imsi=p['imsi_core']))
    if not ck.check(tag + ' named context (IMSI %s) has NAS keys' % p['imsi_core'], named is not None, True):
        return
    pdu = bytes.fromhex(p['pdu'])
    k_int = bytes.fromhex(named['K_NASint'])
    if pdu[0] >> 4 == 12:  # Service Request: short MAC over octets 1-2
        mac, sent = uplink_mac(crypto, p['eia'], k_int, p['count_core'], p['bearer'], pdu[:2])[2:], pdu[2:4]
    else:  # TS 24.301 9.1: MAC over SQN || message
        mac, sent = uplink_mac(crypto, p['eia'], k_int, p['count_core'], p['bearer'], pdu[5:]), pdu[1:5]
    ck.check(tag + ' MAC under the named context at COUNT %d fails' % p['count_core'], mac != sent, True)


def check_pdus(ck, truth, key_sets, crypto):
    """Every protected NAS PDU (TS 24.301 9.1: header, MAC, SQN, message): MAC over SQN ||
    message with the PDU's COUNT, BEARER 0; ciphered ones deciphered and compared."""
    for p in truth['nas_pdus']:
        sht = bytes.fromhex(p['pdu'])[0] >> 4
        tag = 'NAS %s %s COUNT %d frame %s (security header %d, %s)' % (p['imsi'], p['dir'], p['count'],
                                                                        p['frame'], sht, p['message'])
        ks = key_set_for(key_sets, p)
        if not ck.check(tag + ' has NAS keys (EIA%d, EEA%d)' % (p['eia'], p['eea']),
                        ks is not None and p['eia'] != 0, True):
            continue
        ck.check(tag + ' frame found', p['frame'] is not None, True)
        if sht == 12:
            check_service_request(ck, tag, crypto, p, bytes.fromhex(ks['K_NASint']))
            check_named_context_fails(ck, tag, crypto, p, key_sets)
            continue
        check_named_context_fails(ck, tag, crypto, p, key_sets)
        # sent under another identity (via): the MME's failed verdict was the named context's
        own = dict(p, mac_ok_core=True) if 'via' in p else p
        check_protected_pdu(ck, tag, crypto, own, (bytes.fromhex(ks['K_NASint']), bytes.fromhex(ks['K_NASenc'])),
                            ('E', p['eia'], p['eea']), 1)


def check_lte_run(ck, truth, crypto):
    ck.check('truth has subscribers, HSS vectors and NAS PDUs',
             bool(truth['subscribers'] and truth['hss_auth_vectors'] and truth['nas_pdus']), True)
    kasmes = check_vectors(ck, truth)
    sets = check_nas_keys(ck, truth, kasmes)
    check_pdus(ck, truth, sets, crypto)


if __name__ == '__main__':
    sys.exit(run(check_lte_run))
