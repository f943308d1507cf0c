#!/usr/bin/python3
"""Adds the simulated UE's side (ue_truth.py) to a 5G capture's truth.json: a PDU the UE
protected with its own context but sent under another UE's 5G-GUTI gets the sender's SUPI
and COUNT (the AMF's kept as supi_core, count_core). The frames stay lab/5g's.

Usage: apply_ue_truth_5g.py <run dir> <truth.json>"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '5g'))
from extract_truth import message_name  # noqa: E402
from ue_truth import apply_ue_side, ue_sent  # noqa: E402


def main():
    run, path = sys.argv[1:3]
    truth = json.load(open(path))
    sent = ue_sent(os.path.join(run, 'logs', 'test.out'), '5g')
    if not sent:
        return 0
    n = apply_ue_side(truth['nas_pdus'], sent, '5g', message_name)
    if any('frame' not in p for p in truth['nas_pdus'] if 'via' in p):
        sys.exit('a PDU sent under another identity that the AMF did not log has no frame')
    truth['notes'].append(
        'nas_pdus with via: sent under another UE\'s 5G-GUTI (named_tmsi, of named_supi); supi '
        'and count are the sender\'s, from the simulated UE\'s "[truth] ue_nas" line '
        '(test.out); the AMF verified it under the context of supi_core at count_core and the '
        'MAC failed (mac_ok_core false).')
    with open(path, 'w') as f:
        json.dump(truth, f, indent=1)
    print('%d protected NAS PDUs sent under another UE\'s identity' % n)
    return 0


if __name__ == '__main__':
    sys.exit(main())
