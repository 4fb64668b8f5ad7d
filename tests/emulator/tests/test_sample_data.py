# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sample data set keeps the promises of data/README.md (the demo relies on them)."""

import collections
import os
import re
import subprocess
import sys

from conftest import read_jobs
from harness import HERE, BAD_QUEUE, GOOD_QUEUE, MIXED_QUEUE, SLOW_QUEUE

import job_kinds

JOBS = read_jobs()
TAGS = ('Translation', 'SpeechRecognition', 'WordsGeneralize')


def states(queue, tag=None):
    return collections.Counter(j['State'] for j in JOBS if j['QueueId'] == queue and (tag is None or j['Tag'] == tag))


def test_ids_and_queues_look_real():
    ids = [j['JobId'] for j in JOBS]
    assert len(ids) == len(set(ids)) == 44
    assert all(re.match(r'^a[0-9a-f]{32}$', i) for i in ids)
    for queue in (GOOD_QUEUE, MIXED_QUEUE, SLOW_QUEUE, BAD_QUEUE):
        assert re.match(r'^p[0-9a-f]{32}$', queue)
    assert set(j['QueueId'] for j in JOBS) == {GOOD_QUEUE, MIXED_QUEUE, SLOW_QUEUE, BAD_QUEUE}


def test_good_queue_all_success_every_tag():
    assert set(states(GOOD_QUEUE)) == {'Success'}
    for tag in TAGS:
        assert states(GOOD_QUEUE, tag)['Success'] >= 2
    assert states(GOOD_QUEUE, 'Translation')['Success'] > 10  # two pages at the default size


def test_mixed_queue():
    assert states(MIXED_QUEUE, 'Translation') == {'Success': 5, 'Failed': 2, 'Cancel': 1}
    assert states(MIXED_QUEUE, 'SpeechRecognition') and states(MIXED_QUEUE, 'WordsGeneralize')
    mixed = [j for j in JOBS if j['QueueId'] == MIXED_QUEUE]
    workflow = [j for j in mixed if 'Workflow' in j]
    assert len(workflow) == 2 and all(j['Input']['CosHeaders'] and j['Workflow']['WorkflowId'] for j in workflow)
    assert len([j for j in mixed if 'InventoryTriggerJobId' in j]) == 2


def test_slow_queue_finishes_three_to_eight_seconds_after_start():
    slow = [j for j in JOBS if j['QueueId'] == SLOW_QUEUE]
    assert 3 <= len(slow) <= 4
    assert all(j['State'] in ('Submitted', 'Running') for j in slow)
    finals = sorted(j['_Transitions'][-1]['after'] for j in slow)
    assert finals[0] >= 3 and finals[-1] <= 8
    for job in slow:
        assert job['_Transitions'][-1]['State'] == 'Success'
        assert [s['after'] for s in job['_Transitions']] == sorted(s['after'] for s in job['_Transitions'])


def test_bad_queue_exactly_one_failure():
    counts = states(BAD_QUEUE)
    assert counts['Failed'] == 1 and counts['Success'] == sum(counts.values()) - 1


def test_failed_and_cancelled_jobs_carry_code_and_message():
    for job in JOBS:
        if job['State'] in ('Failed', 'Cancel'):
            assert job['Code'] not in ('', 'Success') and job['Message']
            assert not any(k.endswith('Result') for k in job['Operation'])
    assert any(j['Code'] == 'InvalidInput' and j['Message'] == 'the input file format is not supported' for j in JOBS)


def test_results_per_tag():
    done = [j for j in JOBS if j['State'] == 'Success']
    translation = [j['Operation'] for j in done if j['Tag'] == 'Translation']
    assert all(op['AITranslateResult']['Result'] and op['Output']['Object'] for op in translation)
    speech = [j['Operation']['SpeechRecognitionResult'] for j in done if j['Tag'] == 'SpeechRecognition']
    assert all(r['AudioTime'] and r['Result'] for r in speech)
    detailed = [r for r in speech if 'ResultDetail' in r]
    assert detailed and all(len(r['ResultDetail']) >= 2 and len(r['ResultDetail'][0]['Words']) >= 3 for r in detailed)
    flash = [r for r in speech if 'FlashResult' in r]
    assert flash and flash[0]['FlashResult'][0]['sentence_list'][0]['word_list']
    words = [j['Operation']['WordsGeneralizeResult'] for j in done if j['Tag'] == 'WordsGeneralize']
    assert words and all(len(w['WordsGeneralizeLable']) >= 2 and len(w['WordsGeneralizeToken']) >= 2 for w in words)


def test_readme_names_every_queue_and_the_credentials():
    with open(os.path.join(HERE, 'data', 'README.md'), encoding='utf-8') as handle:
        text = handle.read()
    for value in (GOOD_QUEUE, MIXED_QUEUE, SLOW_QUEUE, BAD_QUEUE, 'examplebucket-1250000000', 'ap-guangzhou',
                  'AKIDEMULATOREXAMPLE0000000000000000', 'emulator-secret-key-0000000000000000'):
        assert value in text
    workflow = next(j for j in JOBS if 'Workflow' in j)['Workflow']['WorkflowId']
    trigger = next(j for j in JOBS if 'InventoryTriggerJobId' in j)['InventoryTriggerJobId']
    assert workflow in text and trigger in text


# --- families_jobs.jsonl (data/FAMILIES.md) --------------------------------------------------------

FAMILIES = os.path.join(HERE, 'data', 'families_jobs.jsonl')
FAMILY_QUEUES = {'media': 'pc15521b1b3dca50a9daa37e51b591d75', 'ai': 'p3f372617f0baef3a86f0ce2ea6ec39c1',
                 'speech': 'p4a800646417a8105bc3199944567ceb1', 'document': 'p732242fda8902e3212979bfcbbeb508f',
                 'picture': 'pdf7142dcaf29e6f877744cca4d909eb2'}
FAMILY_JOBS = read_jobs(FAMILIES)


def _family_md():
    with open(os.path.join(HERE, 'data', 'FAMILIES.md'), encoding='utf-8') as handle:
        return handle.read()


def test_families_file_is_what_the_documented_command_writes(tmp_path):
    command = re.search(r'```\n(python3 tests/emulator/gen_jobs\.py .*?)\n```', _family_md(), re.S).group(1)
    argv = command.replace('\\\n', ' ').split()[2:]
    out = tmp_path / 'families.jsonl'
    argv[argv.index('--out') + 1] = str(out)
    subprocess.run([sys.executable, os.path.join(HERE, 'gen_jobs.py')] + argv, check=True, timeout=60)
    with open(FAMILIES, encoding='utf-8') as handle:
        assert out.read_text(encoding='utf-8') == handle.read()


def test_families_four_jobs_of_every_kind_each_with_a_success():
    kinds = collections.defaultdict(list)
    for job in FAMILY_JOBS:
        kinds[(job_kinds.job_list_of(job), job['Tag'])].append(job['State'])
    assert set(kinds) == set(job_kinds.KINDS)
    assert all(len(states_) == 4 and 'Success' in states_ for states_ in kinds.values())
    assert len({j['JobId'] for j in FAMILY_JOBS}) == len(FAMILY_JOBS) == 156


def test_families_one_queue_per_queue_type_each_with_a_paused_job():
    for job in FAMILY_JOBS:
        queue_type = job_kinds.queue_type_for(job['Tag'], job_kinds.job_list_of(job))
        assert job['QueueId'] == FAMILY_QUEUES[queue_type]
    for queue in FAMILY_QUEUES.values():
        counts = collections.Counter(j['State'] for j in FAMILY_JOBS if j['QueueId'] == queue)
        assert counts['Pause'] >= 1 and counts['Success'] >= 2
        assert queue in _family_md()
    assert {j['State'] for j in FAMILY_JOBS} == {'Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel'}


def test_families_transitions_end_every_waiting_job_within_eight_seconds():
    waiting = [j for j in FAMILY_JOBS if j['State'] in ('Submitted', 'Running')]
    assert waiting and all(j['_Transitions'][-1]['State'] in ('Success', 'Failed') for j in waiting)
    assert max(j['_Transitions'][-1]['after'] for j in waiting) <= 8
    assert not any('_Transitions' in j for j in FAMILY_JOBS if j['State'] not in ('Submitted', 'Running'))
    assert len({j['QueueId'] for j in waiting}) >= 3


def test_families_real_service_habits():
    with open(FAMILIES, encoding='utf-8') as handle:
        text = handle.read()
    for empty in ('UserData', 'Subtitle', 'ObjectPrefix', 'TaskId', 'TgtType', 'SrcType', 'ResultDetail',
                  'WatermarkTemplateId', 'SoundHoundResult'):
        assert '"%s":""' % empty in text, empty
    for job in FAMILY_JOBS:
        if job['Tag'] not in TAGS or job_kinds.job_list_of(job) != '/jobs':
            assert job['Code'] not in ('', None) and 'Message' in job
        assert ('Progress' in job) == (job['Tag'] in job_kinds.MEDIA_TAGS)
    marks = [j['Operation'].get('WatermarkTemplateId') for j in FAMILY_JOBS if j['Tag'] == 'Transcode']
    assert sorted(str(len(m)) if isinstance(m, list) else repr(m) for m in marks) == ["''", '1', '3', 'None']
    pages = [len(j['Operation']['DocProcessResult']['PageInfo']) for j in FAMILY_JOBS if 'DocProcessResult' in j['Operation']]
    assert 1 in pages and max(pages) > 1
