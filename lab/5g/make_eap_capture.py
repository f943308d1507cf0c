#!/usr/bin/python3
"""SYNTHETIC capture: EAP-AKA' (TS 33.501 6.1.3.1, RFC 9048) made from a real lab capture.

No public 5G capture with EAP-AKA' and known keys could be found, and the lab's Open5GS does 5G
AKA only. This takes the real NEA0/NIA2 run 5g-s04-nea0-nia2 (Open5GS + UERANSIM) and replaces
its 5G AKA with EAP-AKA' as an AUSF and the UE would have run it on the same authentication
vector (RAND, AUTN from the core's UDM, K and OPc of the subscriber):
  - Authentication Request (frame 4): ngKSI and ABBA as captured, the EAP message IE with an
    EAP-Request/AKA'-Challenge (AT_RAND, AT_AUTN, AT_KDF 1, AT_KDF_INPUT = the serving network
    name, AT_MAC under K_aut); Authentication Response (frame 5): EAP-Response/AKA'-Challenge
    (AT_RES = RES, AT_MAC). The NGAP lengths, IP length and checksum, SCTP chunk length and
    CRC32c are rewritten for these two frames.
  - K_AUSF = EMSK[0..31] -> K_SEAF -> K_AMF -> K_NASint (NIA2): every protected NAS PDU gets the
    NAS-MAC of the new K_NASint (NEA0: the messages stay as captured), the NGAP SecurityKey
    (frame 8) the new K_gNB.
Every value is computed here, in Python, from the specifications (hmac/hashlib, and
derive_check.py's MILENAGE, KDF and NIA2, which check themselves against official vectors); no
kasme code is used. The EAP-AKA' functions check themselves against RFC 5448 Appendix C first.
The EAP identity in MK is the SUPI's IMSI digits (TS 33.501 from v15.9.0 on).

Usage: make_eap_capture.py SOURCE_DIR OUT_DIR   (SOURCE_DIR: captures/5g-s04-nea0-nia2)
"""
import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derive_check as dc  # noqa: E402

TREE = dc.TREE
sys.path.insert(0, os.path.join(TREE, 'tests', 'vectors'))
from gen_vectors5g_extra import prf_prime  # noqa: E402  PRF' of RFC 9048 3.4.1, in Python
NIA2 = 2


# ---- EAP-AKA' (RFC 9048 3.3, 3.4; TS 33.402 A.2) ----

def ck_ik_prime(ck, ik, network_name, sqn_xor_ak):
    out = dc.kdf(ck + ik, 0x20, network_name, sqn_xor_ak)
    return out[:16], out[16:]


def mk_keys(ck_p, ik_p, identity):
    mk = prf_prime(ik_p + ck_p, b"EAP-AKA'" + identity, 208)
    return {'k_encr': mk[:16], 'k_aut': mk[16:48], 'k_re': mk[48:80], 'msk': mk[80:144],
            'emsk': mk[144:208]}


def self_test():
    """RFC 5448 Appendix C (tests/vectors/vectors5g_extra.json) before anything is built."""
    path = os.path.join(TREE, 'tests', 'vectors', 'vectors5g_extra.json')
    cases = json.load(open(path))['eap_aka_prime']
    for c in cases:
        h = lambda k: bytes.fromhex(c[k])
        ck_p, ik_p = ck_ik_prime(h('ck'), h('ik'), c['network_name'].encode(), h('sqn_xor_ak'))
        keys = mk_keys(ck_p, ik_p, c['identity'].encode())
        ok = ck_p == h('ck_prime') and ik_p == h('ik_prime') and \
            all(keys[k] == h(k) for k in ('k_encr', 'k_aut', 'k_re', 'msk', 'emsk'))
        if not ok:
            sys.exit('EAP-AKA\' self-test failed on %s' % c['name'])
    return len(cases)


# ---- EAP packets (RFC 4187 8, 10; RFC 9048 3.1) ----

def attr16(atype, value):
    return bytes([atype, 5, 0, 0]) + value


def at_kdf_input(name):
    padded = name + bytes(-len(name) % 4)
    return bytes([23, (len(padded) + 4) // 4]) + len(name).to_bytes(2, 'big') + padded


def sealed(k_aut, code, identifier, attrs):
    """The packet with AT_MAC last: HMAC-SHA-256-128 under K_aut over the packet, MAC zeroed."""
    body = b''.join(attrs) + attr16(11, bytes(16))
    pkt = bytes([code, identifier]) + (8 + len(body)).to_bytes(2, 'big') + bytes([50, 1, 0, 0]) + body
    mac = hmac.new(k_aut, pkt, hashlib.sha256).digest()[:16]
    return pkt[:-16] + mac


def eap_ie(pkt):
    return b'\x78' + len(pkt).to_bytes(2, 'big') + pkt


# ---- NGAP (aligned PER) ----

def per_len(n):
    return bytes([n]) if n < 128 else bytes([0x80 | n >> 8, n & 0xFF])


def read_len(b, i):
    if b[i] & 0x80 == 0:
        return b[i], i + 1
    return (b[i] & 0x3F) << 8 | b[i + 1], i + 2


def with_nas_pdu(ngap, new_nas):
    """The NGAP PDU with its NAS-PDU IE (id 38) holding new_nas, every length re-encoded."""
    vlen, i = read_len(ngap, 3)
    value = ngap[i:i + vlen]
    ies, j = value[:3], 3
    for _ in range(int.from_bytes(value[1:3], 'big')):
        ie_id, crit = value[j:j + 2], value[j + 2:j + 3]
        ilen, k = read_len(value, j + 3)
        content = value[k:k + ilen]
        j = k + ilen
        if ie_id == b'\x00\x26':
            content = per_len(len(new_nas)) + new_nas
        ies += ie_id + crit + per_len(len(content)) + content
    return ngap[:3] + per_len(len(ies)) + ies


# ---- packets: Ethernet, IPv4, SCTP with one DATA chunk (text2pcap's framing) ----

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def ip_checksum(hdr):
    s = sum(struct.unpack('>%dH' % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def split_frame(pkt):
    ihl = (pkt[14] & 0x0F) * 4
    sctp_at = 14 + ihl
    chunk_at = sctp_at + 12
    chunk_len = int.from_bytes(pkt[chunk_at + 2:chunk_at + 4], 'big')
    if pkt[chunk_at] != 0 or pkt[23] != 132:
        raise ValueError('not an SCTP DATA chunk')
    return ihl, sctp_at, chunk_at, pkt[chunk_at + 16:chunk_at + chunk_len]


def rebuild_frame(pkt, payload):
    ihl, sctp_at, chunk_at, _ = split_frame(pkt)
    chunk = bytearray(pkt[chunk_at:chunk_at + 16]) + payload + bytes(-len(payload) % 4)
    chunk[2:4] = (16 + len(payload)).to_bytes(2, 'big')
    sctp = bytearray(pkt[sctp_at:sctp_at + 12]) + chunk
    sctp[8:12] = bytes(4)
    sctp[8:12] = crc32c(bytes(sctp)).to_bytes(4, 'little')  # RFC 4960 B: the CRC's bytes as computed
    ip = bytearray(pkt[14:14 + ihl])
    ip[2:4] = (ihl + len(sctp)).to_bytes(2, 'big')
    ip[10:12] = bytes(2)
    ip[10:12] = ip_checksum(bytes(ip)).to_bytes(2, 'big')
    return pkt[:14] + bytes(ip) + bytes(sctp)


def read_pcap(path):
    data = open(path, 'rb').read()
    if data[:4] != b'\xd4\xc3\xb2\xa1':
        raise ValueError('expected a little-endian microsecond pcap')
    recs, off = [], 24
    while off + 16 <= len(data):
        ts, us, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        recs.append([ts, us, data[off + 16:off + 16 + incl]])
        off += 16 + incl
    return data[:24], recs


def write_pcap(path, header, recs):
    with open(path, 'wb') as f:
        f.write(header)
        for ts, us, pkt in recs:
            f.write(struct.pack('<IIII', ts, us, len(pkt), len(pkt)) + pkt)


# ---- the run ----

def derive(truth):
    sub, v = truth['subscribers'][0], truth['udm_auth_vectors'][0]
    h = lambda x: bytes.fromhex(x)
    m = dc.milenage(h(sub['k']), h(sub['opc']), h(v['RAND']), h(v['SQN']), h(v['AMF']))
    autn = h(v['AUTN'])
    assert dc.xor(h(v['SQN']), m['AK']) + h(v['AMF']) + m['MAC_A'] == autn, 'vector not the subscriber\'s'
    name = v['SNN'].encode()
    supi = truth['amf_kamf'][0]['SUPI'].encode()
    abba = h(truth['capture_authentication_request'][0]['ABBA'])
    ck_p, ik_p = ck_ik_prime(m['CK'], m['IK'], name, autn[:6])
    keys = mk_keys(ck_p, ik_p, supi)
    kausf = keys['emsk'][:32]
    kseaf = dc.kdf(kausf, 0x6C, name)
    kamf = dc.kdf(kseaf, 0x6D, supi, abba)
    nas = truth['amf_nas_keys'][0]
    k_int = dc.kdf(kamf, 0x69, b'\x02', bytes([nas['NIA']]))[16:]
    k_enc = dc.kdf(kamf, 0x69, b'\x01', bytes([nas['NEA']]))[16:]
    g = truth['amf_kgnb'][0]
    kgnb = dc.kdf(kamf, 0x6E, g['ul_count'].to_bytes(4, 'big'), bytes([g['access_type']]))
    return {'rand': h(v['RAND']), 'autn': autn, 'res': m['RES'], 'name': name, 'identity': supi,
            'ck_prime': ck_p, 'ik_prime': ik_p, 'k_aut': keys['k_aut'], 'emsk': keys['emsk'],
            'kausf': kausf, 'kseaf': kseaf, 'kamf': kamf, 'k_nas_int': k_int,
            'k_nas_enc': k_enc, 'kgnb': kgnb, 'nia': nas['NIA'], 'nea': nas['NEA']}


def eap_messages(d, old_request):
    """The new Authentication Request and Response (5GMM, TS 24.501 8.2.1, 8.2.2)."""
    request_eap = sealed(d['k_aut'], 1, 0x2A, [attr16(1, d['rand']), attr16(2, d['autn']),
                                               bytes([24, 1, 0, 1]), at_kdf_input(d['name'])])
    res_attr = bytes([3, 3]) + (8 * len(d['res'])).to_bytes(2, 'big') + d['res']
    response_eap = sealed(d['k_aut'], 2, 0x2A, [res_attr])
    # header, spare|ngKSI and the ABBA LV as captured (octets 0..3 + ABBA)
    abba_len = old_request[4]
    request = old_request[:5 + abba_len] + eap_ie(request_eap)
    response = b'\x7e\x00\x57' + eap_ie(response_eap)
    return request, response, request_eap, response_eap


def remac(d, p):
    """A protected PDU with the NAS-MAC of the new K_NASint (NIA2; NEA0 leaves the message)."""
    pdu = bytes.fromhex(p['pdu'])
    assert p['nia'] == NIA2 and p['nea'] == 0, 'only NEA0/NIA2 runs can be re-keyed here'
    mac = dc.nia2(d['k_nas_int'], p['count'], p['bearer'], 0 if p['dir'] == 'UL' else 1, pdu[6:])
    return pdu[:2] + mac + pdu[6:]


def main():
    src, out = sys.argv[1:3]
    n_vectors = self_test()
    truth = json.load(open(os.path.join(src, 'truth.json')))
    d = derive(truth)
    tmp = tempfile.mkdtemp(prefix='eap-capture-')
    try:
        classic = os.path.join(tmp, 'in.pcap')
        subprocess.run(['editcap', '-F', 'pcap', os.path.join(src, 'ngap.pcapng'), classic],
                       check=True)
        header, recs = read_pcap(classic)
        for ts, us, pkt in recs:  # the framing is understood: rebuilding changes nothing
            assert rebuild_frame(pkt, split_frame(pkt)[3]) == pkt, 'frame rebuild differs'
        req_frame = truth['capture_authentication_request'][0]['frame']
        resp_frame = truth['capture_authentication_response'][0]['frame']
        old_ngap = split_frame(recs[req_frame - 1][2])[3]
        old_nas = bytes.fromhex(subprocess.run(
            ['tshark', '-r', classic, '-Y', 'frame.number == %d' % req_frame, '-T', 'fields',
             '-e', 'ngap.NAS_PDU'], check=True, capture_output=True, text=True).stdout.strip().replace(':', ''))
        assert with_nas_pdu(old_ngap, old_nas) == old_ngap, 'NGAP re-encoding differs'
        request, response, request_eap, response_eap = eap_messages(d, old_nas)
        for frame, nas in ((req_frame, request), (resp_frame, response)):
            pkt = recs[frame - 1][2]
            recs[frame - 1][2] = rebuild_frame(pkt, with_nas_pdu(split_frame(pkt)[3], nas))
        pdus = []
        for p in truth['nas_pdus']:
            q = dict(p)
            new = remac(d, p)
            q['pdu'], q['mac_core'] = new.hex(), new[2:6].hex()
            if 'frame' in p:
                pkt = recs[p['frame'] - 1][2]
                payload = split_frame(pkt)[3]
                assert bytes.fromhex(p['pdu']) in payload, 'frame %d lacks its PDU' % p['frame']
                recs[p['frame'] - 1][2] = rebuild_frame(
                    pkt, payload.replace(bytes.fromhex(p['pdu']), new))
            pdus.append(q)
        for k in truth['capture_ngap_security_key']:
            pkt = recs[k['frame'] - 1][2]
            payload = split_frame(pkt)[3]
            assert bytes.fromhex(k['K_gNB']) in payload
            recs[k['frame'] - 1][2] = rebuild_frame(
                pkt, payload.replace(bytes.fromhex(k['K_gNB']), d['kgnb']))
        os.makedirs(out, exist_ok=True)
        write_pcap(os.path.join(tmp, 'out.pcap'), header, recs)
        subprocess.run(['editcap', '-F', 'pcapng', os.path.join(tmp, 'out.pcap'),
                        os.path.join(out, 'ngap.pcapng')], check=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_truth(out, src, truth, d, pdus, request_eap, response_eap, req_frame, resp_frame,
                n_vectors)
    shutil.copy(os.path.join(src, 'subscriber.keys'), os.path.join(out, 'subscriber.keys'))
    print('%s: EAP-AKA\' in frames %d/%d, %d NAS PDUs re-MACed, K_gNB replaced'
          % (out, req_frame, resp_frame, sum('frame' in p for p in pdus)))
    return 0


def write_truth(out, src, truth, d, pdus, request_eap, response_eap, req_frame, resp_frame,
                n_vectors):
    x = lambda b: b.hex()
    new = {
        'scenario': os.path.basename(os.path.normpath(out)),
        'synthetic': True,
        'made_from': os.path.basename(os.path.normpath(src)),
        'notes': ["SYNTHETIC: made by lab/5g/make_eap_capture.py from the real capture %s; "
                  "every changed value computed by that script in Python (RFC 5448 Appendix C "
                  "self-test: %d cases), none by kasme." % (os.path.basename(os.path.normpath(src)),
                                                           n_vectors)],
        'subscribers': truth['subscribers'],
        'eap_aka_prime': [{
            'request_frame': req_frame, 'response_frame': resp_frame,
            'identity': d['identity'].decode(), 'network_name': d['name'].decode(),
            'RAND': x(d['rand']), 'AUTN': x(d['autn']), 'RES': x(d['res']),
            'CK_prime': x(d['ck_prime']), 'IK_prime': x(d['ik_prime']), 'K_aut': x(d['k_aut']),
            'EMSK': x(d['emsk']), 'K_AUSF': x(d['kausf']), 'K_SEAF': x(d['kseaf']),
            'request_eap': x(request_eap), 'response_eap': x(response_eap)}],
        'amf_kamf': [dict(truth['amf_kamf'][0], K_AMF=x(d['kamf']))],
        'amf_nas_keys': [dict(truth['amf_nas_keys'][0], K_NASint=x(d['k_nas_int']),
                              K_NASenc=x(d['k_nas_enc']))],
        'amf_kgnb': [dict(truth['amf_kgnb'][0], K_gNB=x(d['kgnb']))],
        'capture_authentication_response': [{'frame': resp_frame}],
        'capture_registration_request': truth['capture_registration_request'],
        'capture_ngap_security_key': [dict(k, K_gNB=x(d['kgnb']))
                                      for k in truth['capture_ngap_security_key']],
        'nas_pdus': pdus,
    }
    with open(os.path.join(out, 'truth.json'), 'w') as f:
        json.dump(new, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    sys.exit(main())
