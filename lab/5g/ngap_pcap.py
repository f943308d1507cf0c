#!/usr/bin/python3
"""Rebuilds an SCTP-framed NGAP pcap from a loopback capture of the lab.

The kernel here has no SCTP, so sctp_shim.c carries each SCTP association of
the AMF (port 38412) and the gNB over TCP, one record per SCTP message:
  u8 kind (0 DATA, 1 HELLO), u8 0, u16 stream, u32 ppid, u32 length, payload.
This reads the TCP payloads with tshark, reassembles each direction by TCP
sequence number, cuts the records, and has text2pcap write every DATA record
as an SCTP DATA chunk (IPv4, the captured addresses and ports, the record's
PPID) stamped with the capture time of the TCP segment that completed it.
One text2pcap run per association and direction order, merged by time with
mergecap.  text2pcap's dummy headers carry TSN 0, stream 0 and no SCTP
handshake: Wireshark dissects NGAP from the PPID (60) without them.

Usage: ngap_pcap.py <lo.pcap> <out.pcap> [--port 38412] [--json records.json]
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

REC_HDR = 12


def tcp_segments(pcap, port):
    """(time, src, sport, dst, dport, seq, payload) of every TCP segment with data."""
    fields = ['frame.time_epoch', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport',
              'tcp.seq_raw', 'tcp.payload']
    cmd = ['tshark', '-r', pcap, '-Y', 'tcp.port==%d && tcp.len>0' % port, '-T', 'fields']
    for f in fields:
        cmd += ['-e', f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    segs = []
    for line in out.splitlines():
        t, src, sport, dst, dport, seq, payload = line.split('\t')
        segs.append((t, src, int(sport), dst, int(dport), int(seq),
                     bytes.fromhex(payload.replace(':', ''))))
    return segs


def records(segs):
    """Cuts each direction's byte stream into records; a record is stamped with
    the time of the segment that brought its last byte."""
    streams = {}
    for t, src, sport, dst, dport, seq, data in segs:
        streams.setdefault((src, sport, dst, dport), []).append((seq, t, data))
    out = []
    for key, parts in streams.items():
        parts.sort(key=lambda p: p[0])
        buf, stamps, next_seq = b'', [], None
        for seq, t, data in parts:
            if next_seq is not None and seq < next_seq:  # retransmission
                data = data[next_seq - seq:]
                if not data:
                    continue
            buf += data
            stamps.append((len(buf), t))
            next_seq = seq + len(data) if next_seq is None or seq >= next_seq else next_seq + len(data)
        pos = 0
        while pos + REC_HDR <= len(buf):
            kind, _, stream, ppid, length = struct.unpack_from('>BBHII', buf, pos)
            end = pos + REC_HDR + length
            if end > len(buf):
                break
            t = next(ts for upto, ts in stamps if upto >= end)
            out.append({'time': t, 'src': key[0], 'sport': key[1], 'dst': key[2], 'dport': key[3],
                        'kind': 'DATA' if kind == 0 else 'HELLO', 'stream': stream, 'ppid': ppid,
                        'payload': buf[pos + REC_HDR:end].hex()})
            pos = end
        if pos != len(buf):
            print('warning: %d trailing bytes in %s' % (len(buf) - pos, key), file=sys.stderr)
    out.sort(key=lambda r: float(r['time']))
    return out


def hexdump(payload):
    lines = []
    for off in range(0, len(payload), 16):
        chunk = payload[off:off + 16]
        lines.append('%06x  %s' % (off, ' '.join('%02x' % b for b in chunk)))
    return '\n'.join(lines) + '\n'


def write_pcap(recs, out, port, tmpdir):
    """One text2pcap run per (association, PPID); 'I' keeps -4's order (the
    gNB as source), 'O' swaps it (the AMF as source)."""
    groups = {}
    for r in recs:
        if r['kind'] != 'DATA':
            continue
        gnb = (r['src'], r['sport']) if r['dport'] == port else (r['dst'], r['dport'])
        amf = (r['dst'], r['dport']) if r['dport'] == port else (r['src'], r['sport'])
        groups.setdefault((gnb, amf, r['ppid']), []).append(r)
    parts = []
    for i, ((gnb, amf, ppid), rs) in enumerate(sorted(groups.items())):
        txt = os.path.join(tmpdir, 'a%d.txt' % i)
        with open(txt, 'w') as f:
            for r in rs:
                f.write('%s %s\n' % ('I' if r['dport'] == port else 'O', r['time']))
                f.write(hexdump(bytes.fromhex(r['payload'])))
        part = os.path.join(tmpdir, 'a%d.pcap' % i)
        subprocess.run(['text2pcap', '-q', '-F', 'pcap', '-D', '-t', '%s.%f',
                        '-4', '%s,%s' % (gnb[0], amf[0]), '-S', '%d,%d,%d' % (gnb[1], amf[1], ppid),
                        txt, part], check=True, stdout=subprocess.DEVNULL)
        parts.append(part)
    if not parts:
        sys.exit('no NGAP records found')
    subprocess.run(['mergecap', '-F', 'pcap', '-w', out] + parts, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('lo_pcap')
    ap.add_argument('out_pcap')
    ap.add_argument('--port', type=int, default=38412)
    ap.add_argument('--json', help='also write the records (time, addresses, PPID, payload)')
    args = ap.parse_args()
    recs = records(tcp_segments(args.lo_pcap, args.port))
    with tempfile.TemporaryDirectory() as tmp:
        write_pcap(recs, args.out_pcap, args.port, tmp)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(recs, f, indent=1)
    print('%d NGAP messages -> %s' % (sum(r['kind'] == 'DATA' for r in recs), args.out_pcap))
    return 0


if __name__ == '__main__':
    sys.exit(main())
