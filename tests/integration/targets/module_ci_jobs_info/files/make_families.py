# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the jobs of every job family (one queue per list and tag) and what a listing must answer for them.

Usage: make_families.py DIR. Writes
* DIR/families.jsonl: the jobs, for the emulator (API casing; ``_JobList`` where a tag is served by two lists);
* DIR/families_queues.jsonl: queue seeds (``POST /_emulator/queues``), two of them Paused;
* DIR/families.json: ``{"cases": [...], "pause": {...}}``, the oracle, computed here from the data alone
  (the emulator orders by CreationTime then JobId).

Each case (a job list and a tag) has a listing queue of static jobs in every state, with a workflow, a batch
job and distinct input objects so that every filter keeps some jobs out, and a wait queue whose jobs the
emulator finishes 1 to 2 s after a reset. The pause queues: a queue with a job in state Pause, and for two
lists a Paused queue whose running job would finish after 1 s if the queue were not paused.
"""

from __future__ import annotations

import datetime
import json
import os
import sys

API_TIME = '%Y-%m-%dT%H:%M:%S%z'
BASE = datetime.datetime(2024, 6, 1, 10, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
# (job list, tag, queue id prefix, the Operation element of the tag)
CASES = (
    ('jobs', 'Transcode', 'pfmtranscode', {'TemplateId': 't1460606b9752148c4ab182f55163ba7cd', 'JobLevel': '0',
                                           'Output': {'Region': 'ap-chongqing', 'Bucket': 'out-1250000000',
                                                      'Object': 'hls/out.m3u8'}}),
    ('jobs', 'Translation', 'pfmtranslation', {'Translation': {'Lang': 'en', 'Type': 'txt'}, 'JobLevel': '0'}),
    ('pic_jobs', 'PicProcess', 'pfmpicprocess', {'TemplateId': 't1648745f76c7a4d8a9c5c3c1b9c5b2a1b',
                                                 'Output': {'Region': 'ap-chongqing', 'Bucket': 'out-1250000000',
                                                            'Object': 'img/out.webp'}}),
    ('doc_jobs', 'DocProcess', 'pfmdocprocess', {'DocProcess': {'SrcType': 'docx', 'TgtType': 'pdf'},
                                                 'Output': {'Region': 'ap-chongqing', 'Bucket': 'out-1250000000',
                                                            'Object': 'doc/out.pdf'}}),
    ('asr_jobs', 'SpeechRecognition', 'pfmasr', {'SpeechRecognition': {'EngineModelType': '16k_zh',
                                                                       'ChannelNum': '1'}}),
)
# (suffix, state, minutes after BASE, workflow?, batch job?) of each listing job
LISTING = (
    ('01', 'Success', 0, True, False),
    ('02', 'Failed', 1, False, True),
    ('03', 'Success', 2, True, False),
    ('04', 'Cancel', 3, False, False),
    ('05', 'Running', 4, False, True),
    ('06', 'Submitted', 5, False, False),
    ('07', 'Pause', 6, False, False),
    ('08', 'Success', 7, False, False),
)
STATES = ('Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel')


def stamp(minutes):
    return (BASE + datetime.timedelta(minutes=minutes)).strftime(API_TIME)


def job(job_list, tag, queue_id, job_id, state, minutes, operation, **extra):
    finished = state in ('Success', 'Failed', 'Cancel')
    data = {
        'JobId': job_id, 'Tag': tag, 'QueueId': queue_id, 'State': state, 'CreationTime': stamp(minutes),
        'StartTime': '-' if state == 'Submitted' else stamp(minutes), 'EndTime': stamp(minutes) if finished else '-',
        'Code': {'Success': 'Success', 'Failed': 'InternalError'}.get(state, ''),
        'Message': 'the input could not be decoded' if state == 'Failed' else '',
        'Input': {'Object': 'in/%s.bin' % job_id, 'Region': 'ap-chongqing', 'BucketId': 'in-1250000000'},
        'Operation': operation,
    }
    if tag == 'SpeechRecognition':
        data['_JobList'] = '/' + job_list
    data.update(extra)
    return data


def listing_case(job_list, tag, prefix, operation):
    """The static jobs of one listing queue and what each filter must return."""
    queue_id = prefix + 'list'
    jobs = []
    for suffix, state, minutes, workflow, batch in LISTING:
        extra = {}
        if workflow:
            extra['Workflow'] = {'WorkflowId': 'w' + prefix, 'WorkflowName': 'nightly', 'RunId': 'run-' + suffix,
                                 'Name': tag + '_1'}
        if batch:
            extra['InventoryTriggerJobId'] = 'b' + prefix
        jobs.append(job(job_list, tag, queue_id, 'j%s%s' % (prefix, suffix), state, minutes, operation, **extra))
    asc = [j['JobId'] for j in sorted(jobs, key=lambda j: (j['CreationTime'], j['JobId']))]
    by_state = dict((state, sum(1 for j in jobs if j['State'] == state)) for state in STATES)
    expected = {
        'job_list': job_list, 'tag': tag, 'queue_id': queue_id, 'desc': asc[::-1], 'asc': asc,
        'by_state': by_state, 'total': len(jobs),
        'failed': [i for i in asc[::-1] if by_id(jobs, i)['State'] in ('Failed', 'Cancel')],
        'workflow_id': 'w' + prefix, 'with_workflow': [j['JobId'] for j in jobs if 'Workflow' in j][::-1],
        'batch_id': 'b' + prefix, 'with_batch': [j['JobId'] for j in jobs if 'InventoryTriggerJobId' in j][::-1],
        'input_object': jobs[2]['Input']['Object'], 'with_input': [jobs[2]['JobId']],
        # created from minute 2 to minute 5 (bounds between the jobs: inclusive or not, the same jobs)
        'start': stamp(1.5), 'end': stamp(5.5),
        'in_window': ['j%s%s' % (prefix, row[0]) for row in LISTING if 2 <= row[2] <= 5][::-1],
        'by_id': [jobs[4]['JobId'], jobs[0]['JobId']], 'unknown_id': 'j%smissing' % prefix,
    }
    return jobs, expected


def by_id(jobs, job_id):
    return [j for j in jobs if j['JobId'] == job_id][0]


def wait_case(job_list, tag, prefix, operation, expected):
    """Jobs the emulator finishes after a reset: Submitted -> Running (1 s) -> Success (2 s); Running -> Failed."""
    queue_id = prefix + 'wait'
    jobs = [
        job(job_list, tag, queue_id, 'w%s1' % prefix, 'Submitted', 10, operation,
            _Transitions=[{'after': 1, 'State': 'Running'}, {'after': 2, 'State': 'Success', 'Code': 'Success'}]),
        job(job_list, tag, queue_id, 'w%s2' % prefix, 'Running', 11, operation,
            _Transitions=[{'after': 1.5, 'State': 'Failed', 'Code': 'InternalError'}]),
        job(job_list, tag, queue_id, 'w%s3' % prefix, 'Success', 12, operation),
    ]
    expected.update(wait_queue=queue_id, wait_final=[['w%s3' % prefix, 'Success'], ['w%s2' % prefix, 'Failed'],
                                                     ['w%s1' % prefix, 'Success']])
    return jobs


def pause_data(jobs, queues):
    """A job in Pause (media queue), and two Paused queues (media, picture) with a running job each."""
    transcode, picture = CASES[0], CASES[2]
    jobs.append(job('jobs', 'Transcode', 'pfmpausejob', 'jfmpaused', 'Pause', 20, transcode[3]))
    jobs.append(job('jobs', 'Transcode', 'pfmpausejob', 'jfmrunning', 'Running', 21, transcode[3]))
    cases = [{'job_list': 'jobs', 'tag': 'Transcode', 'queue_id': 'pfmpausejob', 'paused_job_ids': ['jfmpaused'],
              'paused_queue_ids': []}]
    for (job_list, tag, dummy, operation), queue_id, queue_type in ((transcode, 'pfmpausedmedia', 'media'),
                                                                    (picture, 'pfmpausedpic', 'picture')):
        jobs.append(job(job_list, tag, queue_id, 'j' + queue_id[1:], 'Running', 22, operation,
                        _Transitions=[{'after': 1, 'State': 'Success', 'Code': 'Success'}]))
        queues.append({'QueueId': queue_id, 'QueueType': queue_type, 'Name': 'paused-' + queue_type,
                       'State': 'Paused', 'CreateTime': stamp(-60), 'UpdateTime': stamp(-30)})
        cases.append({'job_list': job_list, 'tag': tag, 'queue_id': queue_id, 'paused_job_ids': [],
                      'paused_queue_ids': [queue_id]})
    return cases


def main(out):
    jobs, queues, cases = [], [], []
    for job_list, tag, prefix, operation in CASES:
        listed, expected = listing_case(job_list, tag, prefix, operation)
        jobs.extend(listed)
        jobs.extend(wait_case(job_list, tag, prefix, operation, expected))
        cases.append(expected)
    pause = pause_data(jobs, queues)
    with open(os.path.join(out, 'families.jsonl'), 'w') as handle:
        handle.writelines(json.dumps(j, sort_keys=True) + '\n' for j in jobs)
    with open(os.path.join(out, 'families_queues.jsonl'), 'w') as handle:
        handle.writelines(json.dumps(q, sort_keys=True) + '\n' for q in queues)
    with open(os.path.join(out, 'families.json'), 'w') as handle:
        json.dump({'cases': cases, 'pause': pause}, handle, indent=1, sort_keys=True)


if __name__ == '__main__':
    main(sys.argv[1])
