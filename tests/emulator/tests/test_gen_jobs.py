# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gen_jobs.py: deterministic, realistic, loadable."""

import collections
import json
import os
import re
import subprocess
import sys
import time

import pytest

from emu_client import Client
from harness import HERE, DEMO_SECRET_ID, DEMO_SECRET_KEY

GEN = os.path.join(HERE, 'gen_jobs.py')
QUEUE = 'p1234567890abcdef1234567890abcdef'


def gen(*argv):
    result = subprocess.run([sys.executable, GEN] + [str(a) for a in argv], capture_output=True, text=True, timeout=60, check=False)
    return result


def jobs_of(*argv):
    result = gen(*argv)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_help_documents_every_option():
    result = gen('--help')
    assert result.returncode == 0
    for option in ('--count', '--queue', '--tag', '--failed-ratio', '--cancel-ratio', '--running-ratio', '--finish-over',
                   '--start-time', '--seed', '--out'):
        assert option in result.stdout


def test_deterministic_per_seed(tmp_path):
    argv = ['--count', 300, '--queue', QUEUE, '--tag', 'Translation', '--failed-ratio', 0.1, '--running-ratio', 0.2,
            '--finish-over', 10]
    one, two, other = gen(*argv, '--seed', 4), gen(*argv, '--seed', 4), gen(*argv, '--seed', 5)
    assert one.stdout == two.stdout
    assert one.stdout != other.stdout
    assert gen(*argv, '--seed', 4, '--out', tmp_path / 'out.jsonl').stdout == ''
    assert (tmp_path / 'out.jsonl').read_text(encoding='utf-8') == one.stdout


def test_ids_times_and_ties():
    jobs = jobs_of('--count', 3000, '--queue', QUEUE, '--tag', 'WordsGeneralize', '--start-time', '2025-01-02T03:04:05+0800')
    ids = [j['JobId'] for j in jobs]
    assert len(set(ids)) == len(ids)
    assert all(re.match(r'^a[0-9a-f]{32}$', i) for i in ids)
    times = [j['CreationTime'] for j in jobs]
    assert times[0] >= '2025-01-02T03:04:05+0800'
    assert all(re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0800$', t) for t in times)
    assert times == sorted(times) and len(set(times)) < len(times)
    assert set(j['QueueId'] for j in jobs) == {QUEUE}


def test_ratios():
    jobs = jobs_of('--count', 4000, '--queue', QUEUE, '--tag', 'Translation', '--failed-ratio', 0.1, '--cancel-ratio', 0.05,
                   '--running-ratio', 0.2, '--seed', 9)
    count = collections.Counter(j['State'] for j in jobs)
    assert 320 < count['Failed'] < 480
    assert 140 < count['Cancel'] < 260
    assert 700 < count['Running'] + count['Submitted'] < 900 and count['Submitted'] > 150
    assert all(j['Code'] and j['Message'] for j in jobs if j['State'] == 'Failed')
    assert not any('_Transitions' in j for j in jobs)


@pytest.mark.parametrize('tag, result_key', [('Translation', 'AITranslateResult'), ('SpeechRecognition', 'SpeechRecognitionResult'),
                                             ('WordsGeneralize', 'WordsGeneralizeResult')])
def test_realistic_operation_per_tag(tag, result_key):
    jobs = jobs_of('--count', 50, '--queue', QUEUE, '--tag', tag, '--failed-ratio', 0.3)
    for job in jobs:
        assert (result_key in job['Operation']) == (job['State'] == 'Success')
        assert job['Input']['Object']
    done = [j['Operation'][result_key] for j in jobs if j['State'] == 'Success']
    if tag == 'SpeechRecognition':
        assert all(d['ResultDetail'] and d['ResultDetail'][0]['Words'] and d['AudioTime'] for d in done)
    if tag == 'WordsGeneralize':
        assert all(len(d['WordsGeneralizeLable']) >= 2 and len(d['WordsGeneralizeToken']) >= 2 for d in done)


def test_finish_over_transitions_end_every_unfinished_job():
    jobs = jobs_of('--count', 400, '--queue', QUEUE, '--tag', 'SpeechRecognition', '--running-ratio', 0.5, '--failed-ratio', 0.1,
                   '--finish-over', 20, '--seed', 2)
    for job in jobs:
        steps = job.get('_Transitions')
        if job['State'] not in ('Submitted', 'Running'):
            assert steps is None
            continue
        assert steps[-1]['State'] in ('Success', 'Failed') and 0 < steps[-1]['after'] <= 20
        if job['State'] == 'Submitted':
            assert steps[0]['State'] == 'Running' and steps[0]['after'] < steps[-1]['after']
        if steps[-1]['State'] == 'Success':
            assert 'SpeechRecognitionResult' in steps[-1]['Operation']


def test_emulator_runs_the_generated_transitions(emu, tmp_path):
    path = tmp_path / 'jobs.jsonl'
    result = gen('--count', 40, '--queue', QUEUE, '--tag', 'Translation', '--running-ratio', 1, '--finish-over', 1.5, '--out', path)
    assert result.returncode == 0
    emu.load_jobs(str(path))
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    params = {'queueId': QUEUE, 'tag': 'Translation', 'size': '100'}
    before = collections.Counter(d.findtext('State') for d in cli.call('/jobs', params).root.findall('JobsDetail'))
    assert set(before) <= {'Submitted', 'Running', 'Success', 'Failed'} and before['Submitted'] + before['Running'] > 0
    while emu.stats()['transition_clock'] < 1.55:
        time.sleep(0.05)
    after = collections.Counter(d.findtext('State') for d in cli.call('/jobs', params).root.findall('JobsDetail'))
    assert sum(after.values()) == 40 and set(after) <= {'Success', 'Failed'}
    cli.close()


@pytest.mark.parametrize('argv, message', [
    (['--count', 1, '--queue', QUEUE, '--tag', 'Translation', '--failed-ratio', 0.6, '--running-ratio', 0.6], 'more than 1'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'Translation', '--failed-ratio', 2], 'ratio'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'Transcode'], 'invalid choice'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'Translation', '--start-time', '2024-05-01'], '--start-time'),
    (['--queue', QUEUE, '--tag', 'Translation'], '--count'),
])
def test_bad_arguments(argv, message):
    result = gen(*argv)
    assert result.returncode == 2 and message in result.stderr
