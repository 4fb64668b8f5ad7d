# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gen_jobs.py: deterministic, realistic, loadable."""

import collections
import hashlib
import json
import os
import re
import subprocess
import sys
import time

import pytest

from emu_client import Client
from harness import HERE, DEMO_SECRET_ID, DEMO_SECRET_KEY

import job_kinds

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
                   '--start-time', '--seed', '--out', '--pause-ratio', '--job-list', '--family-queue'):
        assert option in result.stdout
    text = ' '.join(result.stdout.split())
    assert all(tag in text for tag in job_kinds.ALL_TAGS) and '"all"' in text


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
    (['--count', 1, '--queue', QUEUE, '--tag', 'Transcodes'], 'invalid choice'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'TranscodePro'], 'invalid choice'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'PicProcess', '--job-list', 'jobs'], 'not served by --job-list jobs; allowed: Transcode'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'Transcode', '--job-list', 'asr_jobs'], 'allowed: SpeechRecognition'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'all', '--family-queue', 'video=p1'], 'TYPE one of media, ai, speech'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'all', '--family-queue', 'media'], 'TYPE=QUEUEID'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'Transcode', '--pause-ratio', 0.5, '--running-ratio', 0.6], 'more than 1'),
    (['--count', 1, '--queue', QUEUE, '--tag', 'Translation', '--start-time', '2024-05-01'], '--start-time'),
    (['--queue', QUEUE, '--tag', 'Translation'], '--count'),
])
def test_bad_arguments(argv, message):
    result = gen(*argv)
    assert result.returncode == 2 and message in result.stderr


# Sha-256 of the output of the three tags the 1.0 generator knew, with every option that shapes it: the shape and
# the random draws of these jobs must not change (benchmarks and integration data depend on them).
LEGACY_ARGV = ['--count', 300, '--queue', QUEUE, '--failed-ratio', 0.1, '--cancel-ratio', 0.05, '--running-ratio', 0.2,
               '--finish-over', 10, '--seed', 3]
LEGACY_SHA = {  # computed with the gen_jobs.py of 1.0 (commit 59af302)
    'Translation': '4d9c7e0acd8202c79af998766c5b029da825681ae1adc60df6b2f3aebf456098',
    'SpeechRecognition': '239523bba4ba4a8e5975eb5011073c56cb18a84c58199cb1bc48883e9ca692ba',
    'WordsGeneralize': '6378ae127fa49610477e973e5cc87018afff67cd077bb9c2f3d10c3211f8c5f6',
}


@pytest.mark.parametrize('tag', sorted(LEGACY_SHA))
def test_the_older_ai_tags_generate_what_they_did(tag):
    result = gen(*(LEGACY_ARGV + ['--tag', tag]))
    assert result.returncode == 0
    assert hashlib.sha256(result.stdout.encode('utf-8')).hexdigest() == LEGACY_SHA[tag]
    jobs = [json.loads(line) for line in result.stdout.splitlines()]
    assert not any('Progress' in j or '_JobList' in j for j in jobs)
    assert all(j['Code'] == '' for j in jobs if j['State'] in ('Submitted', 'Running'))


@pytest.mark.parametrize('path, tag', job_kinds.KINDS)
def test_every_tag_generates_its_family(path, tag):
    argv = ['--count', 24, '--queue', QUEUE, '--tag', tag, '--failed-ratio', 0.2, '--running-ratio', 0.3, '--pause-ratio', 0.2,
            '--finish-over', 5, '--seed', 11]
    if path != job_kinds.list_for(tag):
        argv += ['--job-list', path[1:]]
    jobs = jobs_of(*argv)
    queue_type = job_kinds.queue_type_for(tag, path)
    legacy = path == '/jobs' and tag in ('Translation', 'SpeechRecognition', 'WordsGeneralize')
    prefix = 'a' if legacy else job_kinds.ID_PREFIX[queue_type]
    assert all(j['Tag'] == tag and re.match('^%s[0-9a-f]{32}$' % prefix, j['JobId']) for j in jobs)
    assert all(job_kinds.job_list_of(j) == path for j in jobs)
    assert all(('Progress' in j) == (queue_type == 'media') for j in jobs)
    assert {j['State'] for j in jobs} >= {'Success', 'Pause', 'Failed'}
    for job in jobs:
        finished = job['State'] in ('Success', 'Failed', 'Cancel')
        assert (job['EndTime'] == '-') != finished and (job['StartTime'] == '-') == (job['State'] == 'Submitted')
        if job['State'] == 'Pause':
            assert '_Transitions' not in job and (legacy or job['Code'] == 'Success')
        if not legacy and job['State'] in ('Submitted', 'Running', 'Pause'):
            assert job['Code'] == 'Success' and job['Message'] == ''
        if job.get('Progress') is not None:
            assert job['Progress'] == '100' if job['State'] == 'Success' else 0 <= int(job['Progress']) < 100


def test_tag_all_cycles_through_every_kind_with_a_queue_per_family():
    queues = {'ai': 'p' + 'a' * 32, 'picture': 'p' + 'c' * 32, 'document': 'p' + 'd' * 32, 'speech': 'p' + 'e' * 32}
    argv = ['--count', 2 * len(job_kinds.KINDS), '--queue', QUEUE, '--tag', 'all', '--seed', 5]
    for queue_type, queue in sorted(queues.items()):
        argv += ['--family-queue', '%s=%s' % (queue_type, queue)]
    jobs = jobs_of(*argv)
    kinds = collections.Counter((job_kinds.job_list_of(j), j['Tag']) for j in jobs)
    assert kinds == collections.Counter({kind: 2 for kind in job_kinds.KINDS})
    for job in jobs:
        queue_type = job_kinds.queue_type_for(job['Tag'], job_kinds.job_list_of(job))
        assert job['QueueId'] == queues.get(queue_type, QUEUE)
    only = jobs_of('--count', 6, '--queue', QUEUE, '--tag', 'all', '--job-list', 'doc_jobs')
    assert {j['Tag'] for j in only} == {'DocProcess'}


def test_emulator_serves_every_generated_family(emu, tmp_path):
    path = tmp_path / 'all.jsonl'
    count = 3 * len(job_kinds.KINDS)
    assert gen('--count', count, '--queue', QUEUE, '--tag', 'all', '--running-ratio', 0.3, '--pause-ratio', 0.1, '--failed-ratio', 0.1,
               '--seed', 8, '--out', path).returncode == 0
    emu.load_jobs(str(path))
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    jobs = [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines()]
    for tag in ('Transcode', 'Concat', 'VideoTargetRec', 'SpeechRecognition'):
        want = [j['JobId'] for j in jobs if j['Tag'] == tag and job_kinds.job_list_of(j) == '/jobs']
        root = cli.call('/jobs/' + ','.join(want)).root
        assert sorted(d.findtext('JobId') for d in root.findall('JobsDetail')) == sorted(want)
        assert all(d.find('Operation') is not None for d in root.findall('JobsDetail'))
    cli.close()
