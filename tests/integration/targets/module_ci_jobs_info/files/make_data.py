# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the jobs the module_ci_jobs_info target serves, and what the module must answer for them.

Usage: make_data.py DIR. Writes DIR/jobs.jsonl (every job, for the emulator) and DIR/expected.json:
``{"QUEUE|TAG": {"desc": [job ids, newest first], "by_state": {...}, "failed": [ids], "total": N}}``,
computed here from the data alone (sort by CreationTime then JobId, as the emulator documents), so
the playbook compares the module's answers with an independent oracle.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_JOBS = os.path.join(HERE, '..', '..', '..', '..', 'emulator', 'gen_jobs.py')  # needs/file copies it there
STATES = ('Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel')
API_TIME = '%Y-%m-%dT%H:%M:%S%z'


def job(job_id, state, created, queue='pfilters', tag='Translation', obj='docs/x.txt', workflow=None, trigger=None,
        transitions=None):
    data = {
        'Code': 'Success' if state == 'Success' else ('InvalidInput' if state == 'Failed' else ''),
        'Message': 'the input file format is not supported' if state == 'Failed' else '',
        'JobId': job_id, 'Tag': tag, 'State': state, 'CreationTime': created,
        'StartTime': '-' if state == 'Submitted' else created, 'EndTime': created if state in ('Success', 'Failed',
                                                                                               'Cancel') else '-',
        'QueueId': queue, 'Input': {'Object': obj, 'Lang': 'zh', 'Type': 'txt'},
        'Operation': {'Translation': {'Lang': 'en', 'Type': 'txt'}, 'UserData': '', 'JobLevel': '0'},
    }
    if workflow:
        data['Workflow'] = {'RunId': 'run-' + job_id, 'WorkflowId': workflow, 'WorkflowName': 'nightly',
                            'Name': 'Translation_1'}
    if trigger:
        data['InventoryTriggerJobId'] = trigger
    if transitions:
        data['_Transitions'] = transitions
    return data


def filter_jobs():
    """One queue with a job for every filter, plus neighbours that a filter must keep out."""
    recent = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)).strftime(API_TIME)
    return [
        job('f01', 'Success', '2024-05-01T00:00:00+0800', obj='docs/a.txt', workflow='wA'),
        job('f02', 'Failed', '2024-05-01T01:00:00+0800', obj='docs/b.txt', workflow='wA', trigger='tA'),
        job('f03', 'Running', '2024-05-01T02:00:00+0800', obj='docs/a.txt', trigger='tA'),
        job('f04', 'Submitted', '2024-05-01T03:00:00+0800', obj='docs/c.txt'),
        job('f05', 'Cancel', '2024-05-01T04:00:00+0800', obj='docs/a.txt', workflow='wB'),
        job('f06', 'Pause', '2024-05-01T05:00:00+0800', obj='docs/d.txt', trigger='tB'),
        job('f07', 'Success', '2024-05-01T06:00:00+0800', obj='docs/a.txt', workflow='wA', trigger='tA'),
        job('f08', 'Success', '2024-05-01T07:00:00+0800', obj='docs/e.txt'),
        job('f09', 'Success', recent, obj='docs/recent.txt'),
        # the same queue, another tag; another queue, the same tag: the listing must keep them out
        job('s01', 'Success', '2024-05-01T02:30:00+0800', tag='SpeechRecognition', obj='docs/a.txt'),
        job('o01', 'Success', '2024-05-01T02:30:00+0800', queue='pother', obj='docs/a.txt', workflow='wA'),
    ]


def wait_jobs():
    """pwait finishes through transitions (after POST /_emulator/reset); pstuck never does."""
    return [
        job('w01', 'Running', '2024-05-01T00:00:00+0800', queue='pwait',
            transitions=[{'after': 2, 'State': 'Success', 'Code': 'Success'}]),
        job('w02', 'Submitted', '2024-05-01T00:01:00+0800', queue='pwait',
            transitions=[{'after': 1, 'State': 'Running'},
                         {'after': 3, 'State': 'Failed', 'Code': 'InternalError', 'Message': 'internal error'}]),
        job('w03', 'Success', '2024-05-01T00:02:00+0800', queue='pwait'),
        job('x01', 'Running', '2024-05-01T00:00:00+0800', queue='pstuck'),
        job('x02', 'Pause', '2024-05-01T00:01:00+0800', queue='pstuck'),
        job('x03', 'Success', '2024-05-01T00:02:00+0800', queue='pstuck'),
    ]


# generated queues: (queue, count, gen_jobs options)
GENERATED = [
    ('pg1', 1, []),
    ('pg99', 99, []),
    ('pg100', 100, []),
    ('pg101', 101, []),
    ('pg2500', 2500, ['--failed-ratio', '0.05']),
    ('psuccess', 30, []),
    ('pfailed', 40, ['--failed-ratio', '0.2', '--cancel-ratio', '0.1']),
    ('prunning', 40, ['--failed-ratio', '0.1', '--running-ratio', '0.3']),
]


def generated_jobs():
    jobs = []
    for seed, (queue, count, options) in enumerate(GENERATED, 1):
        text = subprocess.check_output([sys.executable, GEN_JOBS, '--count', str(count), '--queue', queue,
                                        '--tag', 'Translation', '--seed', str(seed)] + options)
        jobs.extend(json.loads(line) for line in text.decode('utf-8').splitlines() if line.strip())
    return jobs


def expected(jobs):
    groups = {}
    for data in jobs:
        groups.setdefault('%s|%s' % (data['QueueId'], data['Tag']), []).append(data)
    answer = {}
    for name, members in groups.items():
        members.sort(key=lambda d: (datetime.datetime.strptime(d['CreationTime'], API_TIME).timestamp(), d['JobId']),
                     reverse=True)
        by_state = dict.fromkeys(STATES, 0)
        for data in members:
            by_state[data['State']] += 1
        answer[name] = {
            'desc': [d['JobId'] for d in members],
            'failed': [d['JobId'] for d in members if d['State'] in ('Failed', 'Cancel')],
            'by_state': by_state,
            'total': len(members),
        }
    return answer


def main():
    out = sys.argv[1]
    jobs = filter_jobs() + wait_jobs() + generated_jobs()
    with open(os.path.join(out, 'jobs.jsonl'), 'w') as handle:
        for data in jobs:
            handle.write(json.dumps(data) + '\n')
    with open(os.path.join(out, 'expected.json'), 'w') as handle:
        json.dump(expected(jobs), handle)


if __name__ == '__main__':
    main()
