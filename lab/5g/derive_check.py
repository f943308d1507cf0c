#!/usr/bin/python3
"""Second implementation: re-derives a 5G run's truth from the subscriber's
K and OPc and checks every key and every NAS MAC in truth.json.

Written for the lab from the specifications, with Debian's python3-cryptography:
  MILENAGE (TS 35.206), the TS 33.501 Annex A KDFs (HMAC-SHA-256 per TS 33.220
  B.2), 128-NIA2 (AES-CMAC) and 128-NEA2 (AES-CTR) per TS 33.401 B.1.3/B.2.3.
  128-NEA1/NIA1 (SNOW 3G) and 128-NEA3/NIA3 (ZUC) are not rewritten in Python:
  they are kasme's own plugin/crypto C code, vector-tested by ctest, loaded
  here with ctypes (built into a temporary shared library).
Before checking a run it checks itself against official vectors: MILENAGE and
EIA2/EEA2 from tests/vectors/vectors.json and the 5G KDF vectors copied into
lab/5g/vectors5g.json.

Usage: derive_check.py <truth.json> [--report check.txt]
Exit 0 only if everything agreed.
"""
import argparse
import ctypes
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LAB = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(LAB))


def aes_ecb(key, block):
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def rot(block, bits):
    """Cyclic left rotation of a 128-bit block (TS 35.206 4.1)."""
    n = int.from_bytes(block, 'big')
    n = ((n << bits) | (n >> (128 - bits))) & ((1 << 128) - 1) if bits else n
    return n.to_bytes(16, 'big')


def milenage(k, opc, rand, sqn, amf):
    """f1..f5 of TS 35.206 with r1..r5 = 64, 0, 32, 64, 96 and c1..c5 = 0, 1, 2, 4, 8."""
    c = lambda i: bytes(15) + bytes([i])
    temp = aes_ecb(k, xor(rand, opc))
    in1 = sqn + amf + sqn + amf
    out1 = xor(aes_ecb(k, xor(xor(temp, rot(xor(in1, opc), 64)), c(0))), opc)
    outs = [xor(aes_ecb(k, xor(rot(xor(temp, opc), r), c(ci))), opc)
            for r, ci in ((0, 1), (32, 2), (64, 4), (96, 8))]
    return {'MAC_A': out1[:8], 'RES': outs[0][8:], 'AK': outs[0][:6], 'CK': outs[1], 'IK': outs[2],
            'AK_S': outs[3][:6]}


def kdf(key, fc, *params):
    """TS 33.220 B.2: HMAC-SHA-256(key, FC || P0 || L0 || P1 || L1 ...)."""
    s = bytes([fc])
    for p in params:
        s += p + len(p).to_bytes(2, 'big')
    return hmac.new(key, s, hashlib.sha256).digest()


def snn(mcc, mnc):
    return ('5G:mnc%03d.mcc%s.3gppnetwork.org' % (int(mnc), mcc)).encode()


def nia2(key, count, bearer, direction, msg):
    c = cmac.CMAC(algorithms.AES(key))
    c.update(count.to_bytes(4, 'big') + bytes([(bearer << 3) | (direction << 2), 0, 0, 0]) + msg)
    return c.finalize()[:4]


def nea2(key, count, bearer, direction, data):
    iv = count.to_bytes(4, 'big') + bytes([(bearer << 3) | (direction << 2)]) + bytes(11)
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def first_bits(data, nbits):
    """The first nbits of data, the rest of the last octet zeroed (the test sets
    have bit lengths; NAS PDUs are whole octets)."""
    n = (nbits + 7) // 8
    out = bytearray(data[:n])
    if nbits % 8:
        out[-1] &= (0xff << (8 - nbits % 8)) & 0xff
    return bytes(out)


def x963_kdf(z, shared_info, length=64):
    """ANSI X9.63 KDF with SHA-256 (TS 33.501 C.3.2)."""
    out, counter = b'', 1
    while len(out) < length:
        out += hashlib.sha256(z + counter.to_bytes(4, 'big') + shared_info).digest()
        counter += 1
    return out[:length]


def suci_deconceal(scheme, hn_private, scheme_output):
    """ECIES Profile A (X25519) or B (secp256r1, compressed ephemeral key) of
    TS 33.501 C.3.3/C.3.4: returns (plaintext MSIN octets, MAC tag ok)."""
    from cryptography.hazmat.primitives.asymmetric import ec, x25519
    if scheme == 1:
        eph, rest = scheme_output[:32], scheme_output[32:]
        z = x25519.X25519PrivateKey.from_private_bytes(hn_private).exchange(
            x25519.X25519PublicKey.from_public_bytes(eph))
    else:
        eph, rest = scheme_output[:33], scheme_output[33:]
        priv = ec.derive_private_key(int.from_bytes(hn_private, 'big'), ec.SECP256R1())
        z = priv.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), eph))
    ciphertext, tag = rest[:-8], rest[-8:]
    k = x963_kdf(z, eph)
    enc_key, icb, mac_key = k[:16], k[16:32], k[32:]
    dec = Cipher(algorithms.AES(enc_key), modes.CTR(icb)).decryptor()
    plain = dec.update(ciphertext) + dec.finalize()
    return plain, hmac.new(mac_key, ciphertext, hashlib.sha256).digest()[:8] == tag


def msin_bcd(msin):
    """MSIN digits as the SUCI carries them: two a octet, low nibble first, F filler."""
    digits = msin + ('f' if len(msin) % 2 else '')
    return bytes(int(digits[i + 1], 16) << 4 | int(digits[i], 16) for i in range(0, len(digits), 2))


class KasmeCrypto:
    """SNOW 3G and ZUC algorithms from kasme's plugin/crypto, through ctypes."""

    def __init__(self):
        src = os.path.join(TREE, 'plugin', 'crypto')
        self.tmp = tempfile.mkdtemp(prefix='kasme5g')
        so = os.path.join(self.tmp, 'libkasmecrypto.so')
        files = [os.path.join(src, f) for f in ('snow3g.c', 'eia1.c', 'eea1.c', 'zuc.c', 'eia3.c',
                                                 'eea3.c', 'secure_zero.c')]
        subprocess.run(['gcc', '-O2', '-shared', '-fPIC', '-I', src, '-I', os.path.join(TREE, 'plugin'),
                        '-o', so] + files, check=True)
        self.lib = ctypes.CDLL(so)
        for name in ('eia1_mac', 'eia3_mac'):
            getattr(self.lib, name).restype = ctypes.c_uint32

    def mac(self, alg, key, count, bearer, direction, msg):
        fn = {1: self.lib.eia1_mac, 3: self.lib.eia3_mac}[alg]
        m = fn(key, ctypes.c_uint32(count), ctypes.c_uint(bearer), ctypes.c_uint(direction),
               msg, ctypes.c_size_t(len(msg) * 8))
        return m.to_bytes(4, 'big')

    def crypt(self, alg, key, count, bearer, direction, data):
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        fn = {1: self.lib.eea1_crypt, 3: self.lib.eea3_crypt}[alg]
        fn(key, ctypes.c_uint32(count), ctypes.c_uint(bearer), ctypes.c_uint(direction),
           buf, ctypes.c_size_t(len(data) * 8))
        return buf.raw


class Checker:
    def __init__(self):
        self.lines, self.failed, self.passed = [], 0, 0

    def check(self, what, got, want):
        ok = got == want
        self.passed += ok
        self.failed += not ok
        g = got.hex() if isinstance(got, bytes) else got
        w = want.hex() if isinstance(want, bytes) else want
        self.lines.append('%s %s%s' % ('ok  ' if ok else 'FAIL', what, '' if ok else ': derived %s, truth %s' % (g, w)))
        return ok


def self_test(ck, crypto):
    with open(os.path.join(TREE, 'tests', 'vectors', 'vectors.json')) as f:
        vec = json.load(f)
    for v in vec['milenage']:
        h = lambda name: bytes.fromhex(v[name])
        m = milenage(h('k'), h('opc'), h('rand'), h('sqn'), h('amf'))
        ck.check('self-test MILENAGE set %s f1' % v['test_set'], m['MAC_A'], h('f1_mac_a'))
        ck.check('self-test MILENAGE set %s f2..f5' % v['test_set'], m['RES'] + m['CK'] + m['IK'] + m['AK'],
                 h('f2_res') + h('f3_ck') + h('f4_ik') + h('f5_ak'))
    for v in vec['eia2']:
        if v['length_bits'] % 8:
            continue
        ck.check('self-test NIA2 set %s' % v['test_set'],
                 nia2(bytes.fromhex(v['key']), int(v['count'], 16), v['bearer'], v['direction'],
                      bytes.fromhex(v['message'])), bytes.fromhex(v['mac']))
    for v in vec['eea2']:
        ck.check('self-test NEA2 set %s' % v['test_set'],
                 first_bits(nea2(bytes.fromhex(v['key']), int(v['count'], 16), v['bearer'], v['direction'],
                                 bytes.fromhex(v['plaintext'])), v['length_bits']),
                 first_bits(bytes.fromhex(v['ciphertext']), v['length_bits']))
    for name, alg in (('eea1', 1), ('eea3', 3)):
        for v in vec[name]:
            ck.check('self-test kasme %s set %s' % (name.upper(), v['test_set']),
                     first_bits(crypto.crypt(alg, bytes.fromhex(v['key']), int(v['count'], 16), v['bearer'],
                                             v['direction'], bytes.fromhex(v['plaintext'])), v['length_bits']),
                     first_bits(bytes.fromhex(v['ciphertext']), v['length_bits']))
    for name, alg in (('eia1', 1), ('eia3', 3)):
        for i, v in enumerate(vec[name]):
            if v['length_bits'] % 8:
                continue
            ck.check('self-test kasme %s set %s' % (name.upper(), v.get('test_set') or i + 1),
                     crypto.mac(alg, bytes.fromhex(v['key']), int(v['count'], 16), v['bearer'], v['direction'],
                                bytes.fromhex(v['message'])), bytes.fromhex(v['mac']))
    with open(os.path.join(LAB, 'vectors5g.json')) as f:
        v5 = json.load(f)
    for v in v5['suci_ecies']:
        eph = v.get('eph_public_key') or v['eph_public_key_compressed']
        plain, tag_ok = suci_deconceal(v['scheme_id'], bytes.fromhex(v['hn_private_key']),
                                       bytes.fromhex(eph + v['ciphertext'] + v['mac_tag']))
        ck.check('self-test SUCI de-concealment %s' % v['name'], (plain.hex(), tag_ok),
                 (v['plaintext_msin_bcd'], True))
    for v in v5['kdf5g']:
        out = kdf(bytes.fromhex(v['key']), int(v['fc'], 16), *[bytes.fromhex(p['value']) for p in v['params']])
        ck.check('self-test KDF %s' % v['name'], out, bytes.fromhex(v['output_256']))


def check_vectors(ck, truth, mcc, mnc):
    """Each UDM vector with its subscriber's K and OPc: MILENAGE, AUTN,
    XRES* (A.4), K_AUSF (A.2), K_SEAF (A.6).  Returns the chains."""
    sn = snn(mcc, mnc)
    chains = []
    for i, v in enumerate(truth['udm_auth_vectors']):
        tag = 'vector %d' % (i + 1)
        owners = [sub for sub in truth['subscribers'] if own_vector(v, sub)]
        # Open5GS's test programs give all their subscribers one K and OPc: then the
        # vector is checked for each of them (the K_AMF check picks the SUPI)
        if not ck.check(tag + ' made from a subscriber\'s K and OPc (MILENAGE f1, f5)',
                        len({(s['k'].lower(), s['opc'].lower()) for s in owners}), 1):
            continue
        sub = owners[0]
        k, opc = bytes.fromhex(sub['k']), bytes.fromhex(sub['opc'])
        rand, sqn, amf = bytes.fromhex(v['RAND']), bytes.fromhex(v['SQN']), bytes.fromhex(v['AMF'])
        m = milenage(k, opc, rand, sqn, amf)
        tag += ' (IMSI %s)' % ', '.join(s['imsi'] for s in owners)
        ck.check('%s SQN %s >= start SQN %d' % (tag, v['SQN'], sub['sqn']), int(v['SQN'], 16) >= sub['sqn'], True)
        autn = xor(sqn, m['AK']) + amf + m['MAC_A']
        ck.check('%s AUTN' % tag, autn, bytes.fromhex(v['AUTN']))
        ck.check('%s CK, IK' % tag, m['CK'] + m['IK'], bytes.fromhex(v['CK'] + v['IK']))
        ck.check('%s serving network name' % tag, sn, v['SNN'].encode())
        xres_star = kdf(m['CK'] + m['IK'], 0x6B, sn, rand, m['RES'])[16:]
        ck.check('%s XRES* (A.4)' % tag, xres_star, bytes.fromhex(v['XRES_STAR']))
        kausf = kdf(m['CK'] + m['IK'], 0x6A, sn, autn[:6])
        ck.check('%s K_AUSF (A.2)' % tag, kausf, bytes.fromhex(v['KAUSF']))
        chains += [{'SUPI': s['imsi'], 'RAND': v['RAND'], 'AUTN': autn.hex(),
                    'XRES_star': xres_star, 'K_SEAF': kdf(kausf, 0x6C, sn)} for s in owners]
    seafs = [bytes.fromhex(x['KSEAF']) for x in truth['ausf_kseaf']]
    answered = {r['RES_star'] for r in truth.get('capture_authentication_response', [])}
    for c in chains:
        if c['XRES_star'].hex() not in answered:
            continue  # the AUSF derives K_SEAF only once the UE's RES* confirmed the vector
        ck.check('K_SEAF (A.6) of RAND %s... in the AUSF log' % c['RAND'][:8], c['K_SEAF'] in seafs, True)
    return chains


def check_capture_aka(ck, truth, chains):
    """RAND/AUTN sent, RES* returned and ABBA sent, as the capture has them."""
    for r in truth['capture_authentication_request']:
        ck.check('capture frame %d RAND/AUTN sent = a UDM vector' % r['frame'],
                 any(c['RAND'] == r['RAND'] and c['AUTN'] == r['AUTN'] for c in chains), True)
        ck.check('capture frame %d ABBA sent = ABBA used for K_AMF' % r['frame'],
                 any(e['ABBA'] == r['ABBA'] for e in truth['amf_kamf']), True)
    for r in truth['capture_authentication_response']:
        ck.check('capture frame %d RES* from the UE = XRES* (A.4)' % r['frame'],
                 any(c['XRES_star'].hex() == r['RES_star'] for c in chains), True)


def check_kamf(ck, truth, chains):
    """K_AMF (A.7) from the K_SEAF of the same subscriber; returns the
    (SUPI, K_AMF) pairs that agreed."""
    good = []
    for e in truth['amf_kamf']:
        abba = bytes.fromhex(e['ABBA'])
        hits = [kdf(c['K_SEAF'], 0x6D, e['SUPI'].encode(), abba) for c in chains if c['SUPI'] == e['SUPI']]
        if ck.check('K_AMF (A.7) for SUPI %s, ABBA %s' % (e['SUPI'], e['ABBA']),
                    bytes.fromhex(e['K_AMF']) in hits, True):
            good.append((e['SUPI'], bytes.fromhex(e['K_AMF'])))
    return good


def check_suci(ck, truth):
    """Each Registration Request's SUCI: null scheme carries the MSIN in clear;
    Profile A/B de-conceal with the home network private key to a
    subscriber's MSIN (the IMSI less MCC 999 and MNC 70)."""
    msins = {s['imsi'][5:]: s['imsi'] for s in truth['subscribers']}
    keys = {k['id']: k for k in truth.get('home_network_keys', [])}
    for r in truth['capture_registration_request']:
        if not r['scheme_id']:
            continue  # a 5G-GUTI, not a SUCI
        scheme = int(r['scheme_id'])
        tag = 'capture frame %d SUCI (protection scheme %d)' % (r['frame'], scheme)
        if scheme == 0:
            ck.check(tag + ' MSIN in clear is a subscriber\'s', r['msin'] in msins, True)
            continue
        key = keys.get(int(r['pki']))
        if not ck.check(tag + ' home network key %s known' % r['pki'], key is not None, True):
            continue
        plain, tag_ok = suci_deconceal(scheme, bytes.fromhex(key['private']), bytes.fromhex(r['scheme_output']))
        ck.check(tag + ' MAC tag', tag_ok, True)
        ck.check(tag + ' de-concealed MSIN is a subscriber\'s', plain in [msin_bcd(m) for m in msins], True)


def check_nas_keys(ck, truth, kamfs):
    """K_NASint/K_NASenc (A.8) and K_gNB (A.9) from a verified K_AMF; each
    NAS key set gets the SUPI of the K_AMF it came from."""
    sets = []
    for s in truth['amf_nas_keys']:
        owner = [supi for supi, k in kamfs
                 if kdf(k, 0x69, b'\x02', bytes([s['NIA']]))[16:].hex() == s['K_NASint']]
        ck.check('K_NASint (A.8, NIA%d) from a K_AMF' % s['NIA'], bool(owner), True)
        k_enc = [kdf(k, 0x69, b'\x01', bytes([s['NEA']]))[16:].hex() for supi, k in kamfs if supi in owner]
        ck.check('K_NASenc (A.8, NEA%d) from the same K_AMF' % s['NEA'], s['K_NASenc'] in k_enc, True)
        sets.append(dict(s, SUPI=owner[0] if owner else None))
    for g in truth['amf_kgnb']:
        derived = [kdf(k, 0x6E, g['ul_count'].to_bytes(4, 'big'), bytes([g['access_type']])) for _, k in kamfs]
        ck.check('K_gNB (A.9) from UL NAS COUNT %d' % g['ul_count'], bytes.fromhex(g['K_gNB']) in derived, True)
    logged = [g['K_gNB'] for g in truth['amf_kgnb']]
    for c in truth.get('capture_ngap_security_key', []):
        ck.check('capture frame %d NGAP Security Key = a K_gNB of the AMF log' % c['frame'], c['K_gNB'] in logged, True)
    return sets


def check_nh(ck, truth, kamfs):
    """Every NH the AMF logged is NH_NCC of a chain from a logged K_gNB (TS 33.501 A.10:
    NH_1 = KDF(K_AMF, 0x6F, K_gNB), NH_i = KDF(K_AMF, 0x6F, NH_(i-1))), and every NGAP
    SecurityContext carries one with its NCC."""
    known = {}
    for g in truth['amf_kgnb']:
        for _, kamf in kamfs:
            if kdf(kamf, 0x6E, g['ul_count'].to_bytes(4, 'big'), bytes([g['access_type']])).hex() != g['K_gNB']:
                continue
            sync = bytes.fromhex(g['K_gNB'])
            for ncc in range(1, 8):
                sync = kdf(kamf, 0x6F, sync)
                known[sync.hex()] = ncc
    for h in truth.get('amf_nh', []):
        ck.check('NH (A.10) with NCC %s in a chain from K_gNB' % h['ncc'], known.get(h['NH']), h['ncc'])
    for c in truth.get('capture_ngap_security_context', []):
        ck.check('capture frame %d NGAP SecurityContext NH = NH_%d of the chain' % (c['frame'], c['NCC']),
                 known.get(c['NH']), c['NCC'])


def key_set_for(sets, pdu):
    """The NAS keys in force for a PDU: the last set derived for its SUPI with
    its algorithms, before it."""
    supi = pdu['supi'].split('-')[-1]
    cands = [s for s in sets if s['SUPI'] == supi and s['NIA'] == pdu['nia'] and s['NEA'] == pdu['nea']
             and s['time'] <= pdu['time']]
    return cands[-1] if cands else None


def check_protected_pdu(ck, tag, crypto, p, keys, algs, mac_at):
    """One protected NAS PDU, EPS or 5GS: SQN octet = COUNT & 0xff, the MAC over SQN ||
    message recomputed, the body deciphered (or, not ciphered, as it is) and compared with
    the core's plaintext.  keys: (K_NASint, K_NASenc); algs: ('N' or 'E', IA, EA);
    mac_at: the MAC's offset (5GS: 2, after EPD and header type; EPS: 1)."""
    pdu = bytes.fromhex(p['pdu'])
    direction = 1 if p['dir'] == 'DL' else 0
    k_int, k_enc = keys
    family, ia, ea = algs
    sqn_at = mac_at + 4
    ck.check(tag + ' SQN octet = COUNT & 0xff', pdu[sqn_at], p['count'] & 0xff)
    msg = pdu[sqn_at:]
    if ia == 2:
        mac = nia2(k_int, p['count'], p['bearer'], direction, msg)
    else:
        mac = crypto.mac(ia, k_int, p['count'], p['bearer'], direction, msg)
    if p.get('mac_ok_core', True):
        ck.check(tag + ' MAC (%sIA%d, BEARER %d)' % (family, ia, p['bearer']), mac, pdu[mac_at:sqn_at])
    else:  # the core found this MAC wrong (a test UE's deliberate error): so must we
        ck.check(tag + ' MAC wrong as the core found (%sIA%d expects %s)' % (family, ia, mac.hex()),
                 mac != pdu[mac_at:sqn_at] and mac.hex() == p['mac_core'], True)
    body = pdu[sqn_at + 1:]
    header_type = pdu[mac_at - 1] & 0x0f if family == 'N' else pdu[0] >> 4
    if header_type in (2, 4) and ea != 0:
        if ea == 2:
            plain = nea2(k_enc, p['count'], p['bearer'], direction, body)
        else:
            plain = crypto.crypt(ea, k_enc, p['count'], p['bearer'], direction, body)
        ck.check(tag + ' deciphered (%sEA%d) = plaintext' % (family, ea), plain.hex(), p['plaintext'])
    else:
        ck.check(tag + ' not ciphered: body = plaintext', body.hex(), p['plaintext'])


def check_pdus(ck, truth, key_sets, crypto):
    """Every protected NAS PDU: MAC recomputed over SQN || message with the
    PDU's COUNT; ciphered ones deciphered and compared with the plaintext."""
    for p in truth['nas_pdus']:
        sht = bytes.fromhex(p['pdu'])[1] & 0x0f
        tag = 'NAS %s %s COUNT %d frame %s (security header %d)' % (p['supi'], p['dir'], p['count'], p['frame'], sht)
        ks = key_set_for(key_sets, p)
        if not ck.check(tag + ' has NAS keys (NIA%d, NEA%d)' % (p['nia'], p['nea']), ks is not None and p['nia'] != 0, True):
            continue
        # sent under another UE's identity (via, lab/open5gs-tests/ue_truth.py): the AMF's failed
        # verdict was the named context's; the sender's keys must verify it
        own = dict(p, mac_ok_core=True) if 'via' in p else p
        check_protected_pdu(ck, tag, crypto, own, (bytes.fromhex(ks['K_NASint']), bytes.fromhex(ks['K_NASenc'])),
                            ('N', p['nia'], p['nea']), 2)


def run(check_run):
    """The command line of the derive checks (this one and lab/open5gs-tests' LTE one):
    <truth.json> [--report check.txt]; the self-test, then check_run(ck, truth, crypto).
    Returns the exit status: 0 only if everything agreed."""
    ap = argparse.ArgumentParser()
    ap.add_argument('truth')
    ap.add_argument('--report')
    args = ap.parse_args()
    with open(args.truth) as f:
        truth = json.load(f)
    ck = Checker()
    crypto = KasmeCrypto()
    self_test(ck, crypto)
    check_run(ck, truth, crypto)
    report = '\n'.join(ck.lines) + '\n%d passed, %d failed\n' % (ck.passed, ck.failed)
    if args.report:
        with open(args.report, 'w') as f:
            f.write(report)
    print(report, end='')
    return 1 if ck.failed else 0


def check_5g_run(ck, truth, crypto):
    chains = check_vectors(ck, truth, '999', '70')
    check_capture_aka(ck, truth, chains)
    kamfs = check_kamf(ck, truth, chains)
    check_suci(ck, truth)
    sets = check_nas_keys(ck, truth, kamfs)
    check_nh(ck, truth, kamfs)
    check_pdus(ck, truth, sets, crypto)


def own_vector(v, sub):
    """A vector belongs to the subscriber whose K and OPc give its MAC-A."""
    m = milenage(bytes.fromhex(sub['k']), bytes.fromhex(sub['opc']), bytes.fromhex(v['RAND']),
                 bytes.fromhex(v['SQN']), bytes.fromhex(v['AMF']))
    return xor(bytes.fromhex(v['SQN']), m['AK']) + bytes.fromhex(v['AMF']) + m['MAC_A'] == bytes.fromhex(v['AUTN'])


if __name__ == '__main__':
    sys.exit(run(check_5g_run))
