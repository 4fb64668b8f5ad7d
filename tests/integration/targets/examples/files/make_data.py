# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the jobs the EXAMPLES of ci_jobs_info and the ci_jobs lookup use, and the examples themselves.

Usage: make_data.py DIR. Writes DIR/jobs.jsonl: queue p893bcda225bf4945a378da6662e81a89 with
Translation jobs (a8d121820f5e411ec926ef19d53ba9c6f succeeded, a632d4d3429a811ed8a5fa3d8277c400f
running until the emulator fails it 2 s after its start or reset, failures inside and outside the
last day), SpeechRecognition jobs that all succeeded, and 600 WordsGeneralize jobs (more than the
example's max_jobs of 500). Reads each plugin's EXAMPLES through `ansible-doc --json` (the collection
as Ansible finds it) and writes them to DIR/module_examples.yml and DIR/lookup_examples.yml.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_JOBS = os.path.join(HERE, '..', '..', '..', '..', 'emulator', 'gen_jobs.py')  # needs/file copies it there
QUEUE = 'p893bcda225bf4945a378da6662e81a89'
NOW = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))


def ago(**delta):
    return (NOW - datetime.timedelta(**delta)).strftime('%Y-%m-%dT%H:%M:%S%z')


def job_id(name):
    return 'a' + hashlib.sha256(name.encode('utf-8')).hexdigest()[:32]


def job(jid, tag, state, created, **extra):
    data = {'Code': {'Success': 'Success', 'Failed': 'InvalidInput'}.get(state, ''),
            'Message': 'the input file format is not supported' if state == 'Failed' else '',
            'JobId': jid, 'Tag': tag, 'State': state, 'CreationTime': created,
            'StartTime': created, 'EndTime': created if state in ('Success', 'Failed', 'Cancel') else '-',
            'QueueId': QUEUE, 'Input': {'Object': 'docs/%s.txt' % jid, 'Lang': 'zh', 'Type': 'txt'}}
    data.update(extra)
    return data


def jobs():
    translation = [
        job('a8d121820f5e411ec926ef19d53ba9c6f', 'Translation', 'Success', ago(hours=2)),
        job('a632d4d3429a811ed8a5fa3d8277c400f', 'Translation', 'Running', ago(hours=1),
            _Transitions=[{'after': 2, 'State': 'Failed', 'Code': 'InvalidInput',
                           'Message': 'the input file format is not supported'}]),
        job(job_id('recent-failed'), 'Translation', 'Failed', ago(hours=3)),
        job(job_id('recent-cancel'), 'Translation', 'Cancel', ago(hours=5)),
        job(job_id('old-failed'), 'Translation', 'Failed', ago(days=3)),
        job(job_id('recent-success'), 'Translation', 'Success', ago(hours=4)),
    ]
    speech = [job(job_id('speech-%d' % n), 'SpeechRecognition', 'Success', ago(hours=n + 1)) for n in range(3)]
    words = subprocess.check_output([sys.executable, GEN_JOBS, '--count', '600', '--queue', QUEUE,
                                     '--tag', 'WordsGeneralize', '--seed', '5'])
    return translation + speech + [json.loads(line) for line in words.decode('utf-8').splitlines() if line.strip()]


def examples(plugin_type, name):
    """The EXAMPLES of a plugin as ansible-doc reads them; fails when there are none."""
    doc = json.loads(subprocess.check_output(['ansible-doc', '-t', plugin_type, '--json', name]))
    text = doc[name]['examples']
    tasks = yaml.safe_load(text)
    if not isinstance(tasks, list) or not tasks:
        raise SystemExit('%s %s has no EXAMPLES tasks' % (plugin_type, name))
    return text


def main():
    out = sys.argv[1]
    with open(os.path.join(out, 'jobs.jsonl'), 'w') as handle:
        for data in jobs():
            handle.write(json.dumps(data) + '\n')
    for plugin_type, name, file_name in (('module', 'qcloud.ci.ci_jobs_info', 'module_examples.yml'),
                                         ('lookup', 'qcloud.ci.ci_jobs', 'lookup_examples.yml')):
        with open(os.path.join(out, file_name), 'w') as handle:
            handle.write(examples(plugin_type, name))
    with open(os.path.join(out, 'ids.json'), 'w') as handle:
        json.dump({'recent_failed': job_id('recent-failed'), 'recent_cancel': job_id('recent-cancel'),
                   'old_failed': job_id('old-failed')}, handle)


if __name__ == '__main__':
    main()
