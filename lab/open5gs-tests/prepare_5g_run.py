#!/usr/bin/python3
"""Gives a 5G run of run_test.sh the conf/ files lab/5g/make_capture.sh reads:
conf/subscribers.json (the subscribers the test program inserted, from the
MongoDB stand-in's log), conf/udm.yaml (the UDM section of the run's config:
the SUCI home network keys) and conf/sample.yaml (the whole config); and
removes the colour codes from the NF logs.

Usage: prepare_5g_run.py <run dir>
"""
import json
import os
import re
import shutil
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extract_truth_lte import subscribers_of  # noqa: E402

COLOUR = re.compile(r'\x1b\[[0-9;]*m')


def main():
    run = sys.argv[1]
    conf = os.path.join(run, 'conf')
    os.makedirs(conf, exist_ok=True)
    subs = subscribers_of(run)
    if not subs:
        sys.exit('no subscriber inserted in %s/logs/mongo.out' % run)
    with open(os.path.join(conf, 'subscribers.json'), 'w') as f:
        json.dump(subs, f, indent=1)
    shutil.copy(os.path.join(run, 'sample.yaml'), os.path.join(conf, 'sample.yaml'))
    with open(os.path.join(run, 'sample.yaml')) as f:
        udm = yaml.safe_load(f)['udm']
    with open(os.path.join(conf, 'udm.yaml'), 'w') as f:
        yaml.safe_dump({'udm': udm}, f, sort_keys=False)
    logs = os.path.join(run, 'logs')
    for name in os.listdir(logs):
        if name.endswith('.log') or name.endswith('.out'):
            path = os.path.join(logs, name)
            with open(path, errors='replace') as f:
                text = COLOUR.sub('', f.read())
            with open(path, 'w') as f:
                f.write(text)
    print('%d subscriber(s): %s' % (len(subs), ' '.join(s['imsi'] for s in subs)))


if __name__ == '__main__':
    main()
