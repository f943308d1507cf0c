"""The simulated UE's side of the truth for PDUs it sent under another UE's identity
(wrong-identity-test in open5gs-wrong-identity.patch, tests/attach and tests/registration):
one "[truth] ue_nas" line in test.out per such PDU (the sender's IMSI/SUPI, UL COUNT, `via`
s_tmsi or guti, the named M-TMSI/5G-TMSI and whose it was, the PDU). The core cannot log
this: it verifies under the context the identity names. Used by extract_truth_lte.py (LTE)
and apply_ue_truth_5g.py (5G).

Field names per domain: LTE imsi/named_m_tmsi/named_imsi/own_m_tmsi, EEA/EIA eea/eia;
5G supi/named_tmsi/named_supi/own_tmsi, NEA/NIA nea/nia."""
import os
import re
import sys

from extract_truth import key_values

UE_NAS = re.compile(r'(\d\d/\d\d \d\d:\d\d:\d\d\.\d+): \[\w+\] INFO: \[truth\] ue_nas (.*?)'
                    r'(?: \(\.\./\S+:\d+\))?$')
ANSI = re.compile(r'\x1b\[[0-9;]*m')
FIELDS = {'lte': ('imsi', 'named_m_tmsi', 'named_imsi', 'own_m_tmsi', ('eea', 'eia')),
          '5g': ('supi', 'named_tmsi', 'named_supi', 'own_tmsi', ('nea', 'nia'))}


def ue_sent(path, domain):
    """The ue_nas lines of test.out (colour codes and the test runner's progress marks
    stripped), as dicts with time, the domain's fields, count, via and pdu."""
    ident, named, named_id, own, _ = FIELDS[domain]
    out = []
    if not os.path.exists(path):
        return out
    with open(path, errors='replace') as f:
        for line in f:
            m = UE_NAS.search(ANSI.sub('', line))
            if not m:
                continue
            kv = key_values(m.group(2))
            out.append({'time': m.group(1), ident: kv[ident], 'count': int(kv['count']),
                        'pdu': kv['pdu'], 'via': kv['via'], named: kv[named],
                        named_id: None if kv[named_id] == 'none' else kv[named_id], own: kv[own]})
    return out


def apply_ue_side(pdus, sent, domain, name_of):
    """A PDU the core failed under the named context is the sender's: its IMSI/SUPI and
    COUNT from the UE's line (the core's kept as <id>_core, count_core). A PDU under an
    identity the core did not know (no core line: it verified nothing) is added from the
    UE's line, with the algorithms of the sender's last PDU at the core and <id>_core None.
    name_of(plaintext hex) names the message. Returns how many lines were applied."""
    ident, named, named_id, own, algs = FIELDS[domain]
    failed = [p for p in pdus if p.get('mac_ok_core') is False]
    for s in sent:
        side = {k: s[k] for k in (ident, 'count', 'via', named, named_id, own)}
        match = next((p for p in failed if p['pdu'] == s['pdu'] and ident + '_core' not in p), None)
        if match is not None:
            match.update(side, **{ident + '_core': match[ident], 'count_core': match['count']})
            continue
        pdus.append(unseen_by_core(pdus, s, side, ident, algs, name_of))
    pdus.sort(key=lambda p: p['time'])
    return len(sent)


def unseen_by_core(pdus, s, side, ident, algs, name_of):
    own = [p for p in pdus if p[ident] == s[ident] and p['time'] <= s['time']]
    if not own:
        sys.exit('ue_nas line of a UE without protected PDUs at the core: %s' % s)
    pdu = bytes.fromhex(s['pdu'])
    if ident == 'supi':  # TS 24.501 9.1.1: EPD, security header type, MAC, SQN
        plain = pdu[7:].hex()
    else:  # TS 24.301 9.1: 6-octet header; a Service Request is its own plaintext
        plain = s['pdu'] if pdu[0] >> 4 == 12 else pdu[6:].hex()
    return dict(side, time=s['time'], dir='UL', bearer=0, mac_core=None, mac_ok_core=None,
                message=name_of(plain), plaintext=plain, pdu=s['pdu'], count_core=None,
                **{algs[0]: own[-1][algs[0]], algs[1]: own[-1][algs[1]], ident + '_core': None})
