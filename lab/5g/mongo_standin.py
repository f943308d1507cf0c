#!/usr/bin/python3
"""A MongoDB stand-in for Open5GS's UDR and PCF (Debian ships no MongoDB).

Speaks just enough of the MongoDB wire protocol (OP_QUERY handshake, OP_MSG
commands) for libmongoc 1.23: hello/isMaster, ping, find on
open5gs.subscribers by IMSI, and update with $set / $inc / $bit on dotted
paths (Open5GS keeps the AKA SQN in security.sqn and bumps it after each
authentication vector).  Open5GS's own test programs (lab/open5gs-tests) also
insert, count and delete their subscribers.  Every update is logged with the resulting SQN, and the
subscriber table is written back to --state after each one, so a run leaves
the SQN it ended at.

Subscribers come from a JSON file: [{"imsi", "k", "opc", "amf", "sqn"}].
Usage: mongo_standin.py [--subscribers subs.json] [--port 27017] [--state out.json]
"""
import argparse
import json
import socket
import socketserver
import struct
import sys
import threading
import time

import bson
from bson import Int64, ObjectId

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
MAX_WIRE_VERSION = 13  # MongoDB 5.0: OP_MSG, no streaming monitor unless asked

db_lock = threading.Lock()
subscribers = {}  # imsi -> document
state_path = None


def log(msg):
    print(time.strftime('%H:%M:%S'), msg, flush=True)


def subscriber_document(entry):
    """The document open5gs-dbctl inserts, with the lab's keys and SQN."""
    session = {
        'name': entry.get('apn', 'internet'), 'type': 3,
        'qos': {'index': 9, 'arp': {'priority_level': 8, 'pre_emption_capability': 1,
                                    'pre_emption_vulnerability': 2}},
        'ambr': {'downlink': {'value': 1000000000, 'unit': 0},
                 'uplink': {'value': 1000000000, 'unit': 0}},
        'pcc_rule': [], '_id': ObjectId(),
    }
    return {
        '_id': ObjectId(), 'schema_version': 1, 'imsi': entry['imsi'],
        'msisdn': [], 'imeisv': [], 'mme_host': [], 'mm_realm': [], 'purge_flag': [],
        'slice': [{'sst': 1, 'default_indicator': True, 'session': [session], '_id': ObjectId()}],
        'security': {'k': entry['k'], 'op': None, 'opc': entry['opc'],
                     'amf': entry.get('amf', '8000'), 'sqn': Int64(int(entry.get('sqn', 0)))},
        'ambr': {'downlink': {'value': 1000000000, 'unit': 0},
                 'uplink': {'value': 1000000000, 'unit': 0}},
        'access_restriction_data': 32, 'network_access_mode': 0, 'subscriber_status': 0,
        'operator_determined_barring': 0, 'subscribed_rau_tau_timer': 12, '__v': 0,
    }


def save_state():
    if not state_path:
        return
    table = [{'imsi': d['imsi'], 'k': d['security'].get('k'), 'opc': d['security'].get('opc'),
              'amf': d['security'].get('amf'), 'sqn': int(d['security'].get('sqn', 0))}
             for d in subscribers.values()]
    with open(state_path, 'w') as f:
        json.dump(table, f, indent=1)


def matches(doc, query):
    return all(doc.get(k) == v for k, v in query.items())


def dotted_parent(doc, path):
    keys = path.split('.')
    for k in keys[:-1]:
        doc = doc.setdefault(k, {})
    return doc, keys[-1]


def apply_update(doc, update):
    """$set, $inc and $bit {and|or|xor} on dotted paths: what Open5GS sends."""
    for op, fields in update.items():
        for path, value in fields.items():
            parent, key = dotted_parent(doc, path)
            if op == '$set':
                parent[key] = value
            elif op == '$inc':
                parent[key] = Int64(int(parent.get(key, 0)) + int(value))
            elif op == '$bit':
                cur = int(parent.get(key, 0))
                for bitop, operand in value.items():
                    cur = {'and': cur & operand, 'or': cur | operand, 'xor': cur ^ operand}[bitop]
                parent[key] = Int64(cur)
            else:
                raise ValueError('update operator %s not supported' % op)


def cmd_hello(cmd):
    return {'ismaster': True, 'isWritablePrimary': True, 'helloOk': True,
            'maxBsonObjectSize': 16777216, 'maxMessageSizeBytes': 48000000,
            'maxWriteBatchSize': 100000, 'localTime': bson.datetime.datetime.utcnow(),
            'logicalSessionTimeoutMinutes': 30, 'connectionId': 1,
            'minWireVersion': 0, 'maxWireVersion': MAX_WIRE_VERSION, 'readOnly': False, 'ok': 1.0}


def cmd_find(cmd):
    query = cmd.get('filter', {})
    with db_lock:
        docs = [d for d in subscribers.values() if matches(d, query)]
    log('find %s -> %d document(s)' % (dict(query), len(docs)))
    ns = '%s.%s' % (cmd.get('$db', 'open5gs'), cmd['find'])
    return {'cursor': {'id': Int64(0), 'ns': ns, 'firstBatch': docs}, 'ok': 1.0}


def cmd_update(cmd):
    n = 0
    with db_lock:
        for u in cmd.get('updates', []):
            for doc in subscribers.values():
                if matches(doc, u['q']):
                    apply_update(doc, u['u'])
                    n += 1
                    log('update %s %s -> sqn %d' % (dict(u['q']), dict(u['u']),
                                                    int(doc['security']['sqn'])))
        save_state()
    return {'n': n, 'nModified': n, 'ok': 1.0}


def cmd_insert(cmd):
    with db_lock:
        for doc in cmd.get('documents', []):
            subscribers[doc['imsi']] = doc
            sec = doc['security']
            log('insert imsi %s k %s opc %s amf %s sqn %d' % (doc['imsi'], sec.get('k'), sec.get('opc'),
                                                               sec.get('amf'), int(sec.get('sqn', 0))))
        save_state()
    return {'n': len(cmd.get('documents', [])), 'ok': 1.0}


def cmd_delete(cmd):
    n = 0
    with db_lock:
        for d in cmd.get('deletes', []):
            for imsi in [i for i, doc in subscribers.items() if matches(doc, d['q'])]:
                del subscribers[imsi]
                n += 1
                log('delete imsi %s' % imsi)
        save_state()
    return {'n': n, 'ok': 1.0}


def cmd_count(cmd):
    query = cmd.get('query') or {}
    with db_lock:
        n = sum(1 for d in subscribers.values() if matches(d, query))
    return {'n': n, 'ok': 1.0}


def cmd_ok(cmd):
    return {'ok': 1.0}


COMMANDS = {'hello': cmd_hello, 'ismaster': cmd_hello, 'isMaster': cmd_hello,
            'ping': cmd_ok, 'endSessions': cmd_ok, 'killCursors': cmd_ok,
            'find': cmd_find, 'update': cmd_update, 'insert': cmd_insert,
            'delete': cmd_delete, 'count': cmd_count, 'buildInfo': lambda c: {'version': '5.0.0', 'ok': 1.0}}


def run_command(cmd):
    name = next(iter(cmd))
    handler = COMMANDS.get(name)
    if not handler:
        log('unsupported command %s' % name)
        return {'ok': 0.0, 'errmsg': 'command %s not supported by the stand-in' % name, 'code': 59}
    return handler(cmd)


def parse_op_msg(body):
    """OP_MSG: flagBits, then sections (kind 0: the command; kind 1: a sequence)."""
    flags = struct.unpack_from('<I', body)[0]
    pos, end = 4, len(body) - (4 if flags & 1 else 0)
    cmd = None
    while pos < end:
        kind = body[pos]
        pos += 1
        if kind == 0:
            size = struct.unpack_from('<i', body, pos)[0]
            cmd = bson.decode(body[pos:pos + size])
            pos += size
        else:
            size = struct.unpack_from('<i', body, pos)[0]
            section = body[pos + 4:pos + size]
            ident, rest = section.split(b'\0', 1)
            docs = []
            while rest:
                dsize = struct.unpack_from('<i', rest)[0]
                docs.append(bson.decode(rest[:dsize]))
                rest = rest[dsize:]
            pos += size
            cmd.setdefault(ident.decode(), []).extend(docs)
    return cmd


class Handler(socketserver.BaseRequestHandler):
    def recv_exact(self, n):
        buf = b''
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def reply(self, request_id, opcode, payload):
        header = struct.pack('<iiii', 16 + len(payload), request_id + 1000000, request_id, opcode)
        self.request.sendall(header + payload)

    def handle(self):
        try:
            while True:
                length, request_id, _, opcode = struct.unpack('<iiii', self.recv_exact(16))
                body = self.recv_exact(length - 16)
                if opcode == OP_QUERY:
                    pos = body.index(b'\0', 4) + 1 + 8  # after flags and the cstring name: skip, return
                    size = struct.unpack_from('<i', body, pos)[0]
                    doc = run_command(bson.decode(body[pos:pos + size]))
                    self.reply(request_id, OP_REPLY,
                               struct.pack('<iqii', 8, 0, 0, 1) + bson.encode(doc))
                elif opcode == OP_MSG:
                    doc = run_command(parse_op_msg(body))
                    self.reply(request_id, OP_MSG, struct.pack('<IB', 0, 0) + bson.encode(doc))
                else:
                    log('opcode %d not supported' % opcode)
                    return
        except (EOFError, ConnectionResetError):
            return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global state_path
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--subscribers')
    ap.add_argument('--port', type=int, default=27017)
    ap.add_argument('--bind', default='127.0.0.1')
    ap.add_argument('--state')
    args = ap.parse_args()
    state_path = args.state
    if args.subscribers:
        with open(args.subscribers) as f:
            for entry in json.load(f):
                subscribers[entry['imsi']] = subscriber_document(entry)
    save_state()
    server = Server((args.bind, args.port), Handler)
    log('MongoDB stand-in on %s:%d with %d subscriber(s)' % (args.bind, args.port, len(subscribers)))
    server.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
