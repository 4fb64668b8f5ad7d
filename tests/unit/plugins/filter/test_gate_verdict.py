# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The gate's verdict (filter ``qcloud.ci.gate_verdict``): every outcome of the role, from module results.

The results are shaped like what ``ci_jobs_info`` returns (registered) or fails with
(``ansible_failed_result``): the job set is the one of the ``role_job_gate`` integration target,
whose assertions on the same messages run the filter through the role.
"""

from __future__ import annotations

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.qcloud.ci.plugins.filter import gate_verdict as plugin
from ansible_collections.qcloud.ci.plugins.filter.gate_verdict import gate_verdict
from ansible_collections.qcloud.ci.plugins.module_utils._jobs import summarize

QBAD = 'Translation jobs of queue qbad'
RESULT_KEYS = {'passed', 'msg', 'selection', 'summary', 'jobs', 'failed_job_ids', 'missing_job_ids', 'vanished_job_ids',
               'paused_job_ids', 'paused_queue_ids'}


def job(job_id, state='Success', code=None, message='', obj=None, tag='Translation'):
    return {'job_id': job_id, 'tag': tag, 'state': state, 'code': code or state, 'message': message,
            'input': {'object': obj or 'docs/%s.txt' % job_id, 'lang': 'zh'}}


def result(jobs, returned='failed', missing=(), vanished=None, failed=False, msg=None):
    """A result of ci_jobs_info for ``jobs``; ``returned`` as its output option."""
    out = {'changed': False, 'summary': summarize(jobs), 'next_token': '', 'truncated': False,
           'missing_job_ids': list(missing),
           'jobs': [j for j in jobs if returned == 'all' or j['state'] in ('Failed', 'Cancel')]}
    if vanished is not None:
        out['vanished_job_ids'] = list(vanished)
    if failed:
        out.update(failed=True, msg=msg)
    return out


BAD_QUEUE = [
    job('ab0001000000000000000000000000000', obj='docs/bad-ok-1.txt'),
    job('ab0002000000000000000000000000000', 'Failed', 'InvalidInput', obj='docs/bad-long.docx',
        message='the input file format is not supported:\nonly txt, html, docx, pdf and markdown files can be '
                'translated by this queue'),
    job('ab0003000000000000000000000000000', 'Failed', 'InternalError', obj='docs/bad-nomsg.pdf'),
    job('ab0004000000000000000000000000000', 'Cancel', message='the job was canceled', obj='docs/bad-cancel.html'),
    job('ab0005000000000000000000000000000', obj='docs/bad-ok-2.txt'),
]

BAD_QUEUE_TABLE = [
    'JOB ID                             TAG          STATE   CODE           MESSAGE'
    '                                                       INPUT OBJECT',
    '---------------------------------  -----------  ------  -------------  ------------------------------------------------------------'
    '  --------------------',
    'ab0002000000000000000000000000000  Translation  Failed  InvalidInput   the input file format is not supported: only txt, html, d...'
    '  docs/bad-long.docx',
    'ab0003000000000000000000000000000  Translation  Failed  InternalError  -                                                           '
    '  docs/bad-nomsg.pdf',
    'ab0004000000000000000000000000000  Translation  Cancel  Cancel         the job was canceled                                        '
    '  docs/bad-cancel.html',
]


def test_all_succeeded_passes_with_one_line():
    good = [job('ag000%d' % n) for n in range(3)]
    verdict = gate_verdict(result(good), selection='Translation jobs of queue qgood')
    assert verdict['passed'] is True
    assert verdict['msg'] == 'job gate passed: 3 jobs, all Success - Translation jobs of queue qgood'
    assert verdict['summary']['total'] == 3
    assert verdict['jobs'] == [] and verdict['failed_job_ids'] == []
    assert verdict['missing_job_ids'] == [] and verdict['vanished_job_ids'] == []
    assert set(verdict) == RESULT_KEYS


def test_one_job_is_singular():
    verdict = gate_verdict(result([job('a1')]), selection='1 job id(s) a1', job_ids=['a1'])
    assert verdict['msg'] == 'job gate passed: 1 job, all Success - 1 job id(s) a1'


def test_empty_selection_passes_only_with_min_jobs_0():
    allowed = gate_verdict(result([]), selection='Translation jobs of queue qempty', min_jobs=0)
    assert allowed['passed'] is True
    assert allowed['msg'] == ('job gate passed: 0 jobs, none selected (job_gate_min_jobs is 0) - '
                              'Translation jobs of queue qempty')
    refused = gate_verdict(result([]), selection='Translation jobs of queue qempty')
    assert refused['passed'] is False
    assert refused['msg'] == ('job gate FAILED: the selection (Translation jobs of queue qempty) matched 0 jobs, fewer '
                              'than job_gate_min_jobs=1; check the queue, tag and filters (set job_gate_min_jobs to 0 '
                              'to let an empty selection pass)')


def test_too_few_jobs_fail():
    verdict = gate_verdict(result([job('a1'), job('a2'), job('a3')]), selection='s', min_jobs='4')
    assert verdict['passed'] is False
    assert 'matched 3 jobs, fewer than job_gate_min_jobs=4;' in verdict['msg']


def test_failed_jobs_fail_with_a_table_of_every_one():
    verdict = gate_verdict(result(BAD_QUEUE), selection=QBAD)
    assert verdict['passed'] is False
    assert verdict['msg'].split('\n') == [
        'job gate FAILED: 3 of 5 jobs did not succeed (2 Failed, 1 Cancel) - ' + QBAD, ''] + BAD_QUEUE_TABLE
    assert verdict['failed_job_ids'] == ['ab0002000000000000000000000000000', 'ab0003000000000000000000000000000',
                                         'ab0004000000000000000000000000000']
    assert len(verdict['jobs']) == 3


def test_the_table_lists_only_failed_and_cancelled_jobs_when_every_job_is_returned():
    verdict = gate_verdict(result(BAD_QUEUE, returned='all'), selection=QBAD)
    assert verdict['msg'].split('\n')[2:] == BAD_QUEUE_TABLE
    assert len(verdict['jobs']) == 5


def test_columns_line_up_with_the_header():
    lines = gate_verdict(result(BAD_QUEUE), selection=QBAD)['msg'].split('\n')
    header = lines[2]
    for row in lines[4:]:
        for column in ('TAG', 'STATE', 'CODE', 'MESSAGE', 'INPUT OBJECT'):
            start = header.index(column)
            assert row[start - 2:start] == '  ' and row[start] != ' ', (column, row)
        assert not row.endswith(' ')


@pytest.mark.parametrize('width, shown', [
    (20, 'the input file fo...'),
    (10, 'the inp...'),
    (3, 'the inp...'),  # never narrower than 10
    ('200', 'the input file format is not supported: only txt, html, docx, pdf and markdown files can be translated by '
            'this queue'),
])
def test_long_messages_are_cut_to_the_width(width, shown):
    lines = gate_verdict(result(BAD_QUEUE), selection=QBAD, message_width=width)['msg'].split('\n')
    row = [line for line in lines if line.startswith('ab0002')][0]
    start, end = lines[2].index('MESSAGE'), lines[2].index('INPUT OBJECT')
    assert row[start:end].rstrip() == shown


def test_empty_fields_show_a_dash():
    bare = {'job_id': 'a1', 'state': 'Failed', 'input': 'not a dictionary'}
    lines = gate_verdict(result([bare]), selection='s')['msg'].split('\n')
    assert lines[0] == 'job gate FAILED: 1 of 1 job did not succeed (1 Failed) - s'
    assert lines[4].split() == ['a1', '-', 'Failed', '-', '-', '-']


def test_unknown_job_ids_fail_naming_them():
    asked = ['ag0001', 'anothere0', 'anothere1']
    verdict = gate_verdict(result([job('ag0001')], missing=asked[1:]), selection='3 job id(s) ...', job_ids=asked)
    assert verdict['passed'] is False
    assert verdict['msg'] == 'job gate FAILED: the CI service does not know 2 of the 3 job ids: anothere0, anothere1'
    assert verdict['missing_job_ids'] == ['anothere0', 'anothere1'] and verdict['vanished_job_ids'] == []


def test_unknown_job_ids_come_before_failed_jobs_which_are_still_listed():
    jobs = [job('a1', 'Failed', 'InternalError')]
    lines = gate_verdict(result(jobs, missing=['a2']), selection='s', job_ids=['a1', 'a2'])['msg'].split('\n')
    assert lines[0] == 'job gate FAILED: the CI service does not know 1 of the 2 job ids: a2'
    assert lines[4].split()[:4] == ['a1', 'Translation', 'Failed', 'InternalError']


def test_a_job_that_vanished_from_a_listing_while_waiting_fails_the_gate_naming_it():
    # ci_jobs_info before vanished_job_ids: the vanished job keeps its last state and its id is in
    # missing_job_ids, though the gate listed a queue (the role used to crash on this)
    jobs = [job('av0001'), job('av0002', 'Running')]
    verdict = gate_verdict(result(jobs, missing=['av0002']), selection='Translation jobs of queue qvanish')
    assert verdict['passed'] is False
    assert verdict['msg'] == ('job gate FAILED: 1 job vanished while the gate waited (the CI service no longer knows it): '
                              'av0002 - Translation jobs of queue qvanish')
    assert verdict['vanished_job_ids'] == ['av0002'] and verdict['missing_job_ids'] == []


def test_the_module_failing_on_vanished_jobs_gives_the_same_verdict():
    # ci_jobs_info with vanished_job_ids: wait=true fails when a job vanished, with the whole result; the
    # vanished jobs keep their last (unfinished) state
    jobs = [job('av0001'), job('av0002', 'Running'), job('av0003', 'Pause'), job('av0004', 'Failed')]
    failure = result(jobs, vanished=['av0002', 'av0003'], failed=True,
                     msg='2 job(s) vanished while waiting (the service no longer knows them; their last known state '
                         'is kept in jobs): av0002, av0003')
    verdict = gate_verdict(failure, selection='Translation jobs of queue qvanish')
    lines = verdict['msg'].split('\n')
    assert lines[0] == ('job gate FAILED: 2 jobs vanished while the gate waited (the CI service no longer knows them): '
                        'av0002, av0003 - Translation jobs of queue qvanish')
    assert lines[4].startswith('av0004  Translation  Failed')  # the failed jobs are still listed
    assert verdict['passed'] is False
    assert verdict['vanished_job_ids'] == ['av0002', 'av0003']
    assert verdict['failed_job_ids'] == ['av0004']
    assert verdict['summary']['total'] == 4


def test_a_timeout_with_vanished_jobs_stops_with_the_modules_message_naming_both():
    jobs = [job('av0001', 'Running'), job('av0002', 'Running')]
    msg = ('Timed out after 2 seconds waiting for 1 job(s) to finish: av0001 (Running); 1 job(s) vanished while '
           'waiting (the service no longer knows them; their last known state is kept in jobs): av0002')
    verdict = gate_verdict(result(jobs, vanished=['av0002'], failed=True, msg=msg), selection='s')
    assert verdict['msg'] == 'job gate stopped (s): ' + msg
    assert verdict['passed'] is False and verdict['vanished_job_ids'] == ['av0002']


def test_vanished_and_unknown_ids_are_kept_apart_when_selecting_by_id():
    failure = result([job('a1')], missing=['a9'], vanished=['a2'], failed=True, msg='vanished: a2')
    verdict = gate_verdict(failure, selection='s', job_ids=['a1', 'a2', 'a9'])
    assert verdict['vanished_job_ids'] == ['a2'] and verdict['missing_job_ids'] == ['a9']
    assert verdict['msg'].startswith('job gate FAILED: 1 job vanished while the gate waited')


def test_a_wait_timeout_stops_the_gate_with_the_modules_message_and_the_failed_jobs():
    jobs = [job('an0001', 'Running'), job('an0002', 'Failed', 'InternalError')]
    failure = result(jobs, failed=True, msg='Timed out after 2 seconds waiting for 1 job(s) to finish: an0001 (Running)')
    verdict = gate_verdict(failure, selection='Translation jobs of queue qnever', job_ids=None)
    lines = verdict['msg'].split('\n')
    assert lines[0] == ('job gate stopped (Translation jobs of queue qnever): Timed out after 2 seconds waiting for 1 '
                        'job(s) to finish: an0001 (Running)')
    assert lines[4].startswith('an0002  Translation  Failed  InternalError')
    assert verdict['passed'] is False
    assert verdict['summary']['finished'] is False
    assert verdict['failed_job_ids'] == ['an0002'] and verdict['vanished_job_ids'] == []


def test_a_request_error_stops_the_gate_and_the_result_is_still_complete():
    failure = {'failed': True, 'changed': False, 'error': {'status': 403, 'code': 'SignatureDoesNotMatch'},
               'msg': 'CI request GET /jobs failed: HTTP 403 SignatureDoesNotMatch'}
    verdict = gate_verdict(failure, selection='Translation jobs of queue qgood')
    assert verdict == {
        'passed': False,
        'msg': 'job gate stopped (Translation jobs of queue qgood): CI request GET /jobs failed: HTTP 403 '
               'SignatureDoesNotMatch',
        'selection': 'Translation jobs of queue qgood', 'summary': None, 'jobs': [], 'failed_job_ids': [],
        'missing_job_ids': [], 'vanished_job_ids': [], 'paused_job_ids': [], 'paused_queue_ids': []}


def test_a_failure_without_a_message_still_says_the_query_failed():
    assert gate_verdict({'failed': True}, selection='s')['msg'] == 'job gate stopped (s): the query failed'


def test_unfinished_jobs_in_a_successful_result_do_not_pass():
    verdict = gate_verdict(result([job('a1'), job('a2', 'Running'), job('a3', 'Pause')]), selection='s')
    assert verdict['passed'] is False
    assert verdict['msg'] == 'job gate FAILED: 2 of 3 jobs did not succeed (1 Running, 1 Pause) - s'


@pytest.mark.parametrize('bad, args, says', [
    ('not a result', {}, 'the input must be the result of qcloud.ci.ci_jobs_info (a dictionary); got str'),
    ({'changed': False}, {}, 'the input has no summary'),
    ({'summary': [1]}, {}, 'the summary of the input must be a dictionary; got list'),
    (result([]), {'min_jobs': 'many'}, "min_jobs must be a whole number; got 'many'"),
    (result([]), {'min_jobs': -1}, 'min_jobs must be 0 or more; got -1'),
    (result([]), {'min_jobs': True}, 'min_jobs must be a whole number; got True'),
    (result([]), {'message_width': None}, 'message_width must be a whole number; got None'),
    (result([]), {'job_ids': 5}, 'job_ids must be a list of job ids; got int'),
    (result([]), {'stop_on_pause': 'maybe'}, "stop_on_pause must be a boolean; got 'maybe'"),
    (dict(result([]), paused_queue_ids=7), {}, 'paused_queue_ids of the input must be a list of job ids; got int'),
])
def test_bad_input_is_a_clear_error(bad, args, says):
    with pytest.raises(AnsibleFilterError) as caught:
        gate_verdict(bad, **args)
    assert 'gate_verdict: ' + says in str(caught.value)


def test_the_filter_is_exported_under_its_documented_name():
    assert plugin.FilterModule().filters() == {'gate_verdict': gate_verdict}
    assert yaml.safe_load(plugin.DOCUMENTATION)['name'] == 'gate_verdict'


def test_the_documented_return_keys_are_the_returned_keys():
    documented = yaml.safe_load(plugin.RETURN)['_value']['contains']
    assert set(documented) == RESULT_KEYS
    options = set(yaml.safe_load(plugin.DOCUMENTATION)['options']) - {'_input'}
    assert options == {'selection', 'job_ids', 'min_jobs', 'message_width', 'stop_on_pause'}


# --- several selections (the role's loop over job_gate_selections registers {'results': [...]})

GOOD_QUEUE = [job('ag000%d000000000000000000000000000' % n) for n in (1, 2, 3)]


def looped(*parts):
    """What a loop of ci_jobs_info registers: one result per selection, each with its ``item``."""
    return {'changed': False, 'msg': 'All items completed', 'results': [dict(res, item=item) for item, res in parts]}


def test_one_selection_in_a_loop_is_the_single_verdict():
    single = gate_verdict(result(BAD_QUEUE), selection=QBAD)
    assert gate_verdict(looped(({'label': QBAD, 'queue_id': 'qbad', 'tag': 'Translation'}, result(BAD_QUEUE)))) == single


def test_two_selections_pass_in_one_line_with_generated_labels():
    verdict = gate_verdict(looped(({'queue_id': 'qgood', 'tag': 'Translation'}, result(GOOD_QUEUE)),
                                  ({'job_ids': 'ab0001000000000000000000000000000'}, result(BAD_QUEUE[:1]))))
    assert verdict['passed'] is True
    assert verdict['msg'] == ('job gate passed: 2 selections, 4 jobs, all Success - Translation jobs of queue qgood; '
                              '1 job id(s) ab0001000000000000000000000000000')
    assert verdict['summary']['total'] == 4 and verdict['summary']['by_state']['Success'] == 4
    assert verdict['summary']['all_succeeded'] is True


def test_two_selections_fail_with_one_table_naming_each_selection():
    failed_other = job('ao0001000000000000000000000000000', 'Failed', 'InvalidInput', message='bad', tag='Other')
    verdict = gate_verdict(looped(({'label': 'good'}, result(GOOD_QUEUE)), ({'label': 'bad'}, result(BAD_QUEUE)),
                                  ({'label': 'other'}, result([failed_other]))), message_width=20)
    lines = verdict['msg'].splitlines()
    assert lines[:3] == ['job gate FAILED: 2 of 3 selections did not pass - good; bad; other',
                         '  job gate FAILED: 3 of 5 jobs did not succeed (2 Failed, 1 Cancel) - bad',
                         '  job gate FAILED: 1 of 1 job did not succeed (1 Failed) - other']
    header = ['SELECTION', 'JOB', 'ID', 'TAG', 'STATE', 'CODE', 'MESSAGE', 'INPUT', 'OBJECT']
    assert lines[3] == '' and lines[4].split() == header
    rows = [line.split()[:2] for line in lines[6:]]
    assert rows == [['bad', 'ab0002000000000000000000000000000'], ['bad', 'ab0003000000000000000000000000000'],
                    ['bad', 'ab0004000000000000000000000000000'], ['other', 'ao0001000000000000000000000000000']]
    assert verdict['passed'] is False
    assert verdict['failed_job_ids'] == ['ab0002000000000000000000000000000', 'ab0003000000000000000000000000000',
                                         'ab0004000000000000000000000000000', 'ao0001000000000000000000000000000']
    counts = dict((state, count) for state, count in verdict['summary']['by_state'].items() if count)
    assert verdict['summary']['total'] == 9 and counts == {'Success': 5, 'Failed': 3, 'Cancel': 1}
    assert [part['passed'] for part in verdict['selections']] == [True, False, False]


def test_a_selection_that_could_not_be_queried_leaves_no_summary():
    error = {'failed': True, 'msg': 'CI request GET /jobs failed: HTTP 403 AccessDenied'}
    verdict = gate_verdict(looped(({'label': 'good'}, result(GOOD_QUEUE)), ({'label': 'denied'}, error)))
    assert verdict['passed'] is False and verdict['summary'] is None
    assert verdict['msg'].splitlines()[1] == '  job gate stopped (denied): CI request GET /jobs failed: HTTP 403 AccessDenied'


def test_the_missing_ids_of_a_selection_by_id_are_unknown_ids():
    verdict = gate_verdict(looped(({'label': 'good'}, result(GOOD_QUEUE)),
                                  ({'job_ids': ['ab0001000000000000000000000000000', 'ax9'], 'label': 'ids'},
                                   result(BAD_QUEUE[:1], missing=['ax9']))))
    assert verdict['missing_job_ids'] == ['ax9'] and verdict['vanished_job_ids'] == []
    assert verdict['msg'].splitlines()[1] == '  job gate FAILED: the CI service does not know 1 of the 2 job ids: ax9'


@pytest.mark.parametrize('results', [[], 'x', [1]])
def test_bad_loop_results_are_a_clear_error(results):
    with pytest.raises(AnsibleFilterError, match='results must be a non-empty list of results'):
        gate_verdict({'results': results})


def test_job_ids_as_a_text_are_split_at_the_commas():
    verdict = gate_verdict(result(BAD_QUEUE[:1], missing=['ax9']), job_ids='ab0001000000000000000000000000000, ax9')
    assert verdict['msg'] == 'job gate FAILED: the CI service does not know 1 of the 2 job ids: ax9'


# --- stop_on_pause: the module stopped waiting because a job is in state Pause or its queue is paused

PAUSED = [job('ap0001000000000000000000000000000', 'Submitted', tag='Transcode'),
          job('ap0002000000000000000000000000000', 'Pause', tag='Transcode'),
          job('ap0003000000000000000000000000000', 'Failed', 'InvalidInput', message='no audio', tag='Transcode')]
PAUSED_JOB = 'ap0002000000000000000000000000000'
STOPPED_MSG = 'Stopped waiting (stop_on_pause): 1 job(s) in state Pause: %s; 1 queue(s) Paused: qpaused' % PAUSED_JOB
AT_ONCE = '; stopped at once instead of waiting for the timeout (stop_on_pause)'


def paused_result(job_ids=(PAUSED_JOB,), queue_ids=('qpaused',), msg=STOPPED_MSG):
    return dict(result(PAUSED, failed=True, msg=msg), paused_job_ids=list(job_ids), paused_queue_ids=list(queue_ids))


@pytest.mark.parametrize('flag', [True, 'true', 'yes', 1])
def test_a_stop_on_a_pause_names_the_queue_and_the_paused_jobs_then_the_failed_ones(flag):
    verdict = gate_verdict(paused_result(), selection='Transcode jobs of queue qpaused', stop_on_pause=flag)
    lines = verdict['msg'].splitlines()
    assert lines[0] == ('job gate stopped (Transcode jobs of queue qpaused): queue qpaused is paused; 1 job is paused: '
                        '%s; 2 jobs unfinished' % PAUSED_JOB + AT_ONCE)
    assert lines[1] == '' and lines[4].split()[0] == 'ap0003000000000000000000000000000'
    assert verdict['passed'] is False
    assert verdict['paused_job_ids'] == [PAUSED_JOB] and verdict['paused_queue_ids'] == ['qpaused']
    assert verdict['failed_job_ids'] == ['ap0003000000000000000000000000000']


def test_paused_jobs_in_active_queues_and_several_paused_queues_are_named():
    jobs_only = gate_verdict(paused_result(job_ids=('a1', 'a2'), queue_ids=()), selection='s', stop_on_pause=True)
    assert jobs_only['msg'].splitlines()[0] == 'job gate stopped (s): 2 jobs are paused: a1, a2; 2 jobs unfinished' + AT_ONCE
    queues_only = gate_verdict(paused_result(job_ids=(), queue_ids=('q1', 'q2')), selection='s', stop_on_pause=True)
    assert queues_only['msg'].splitlines()[0] == 'job gate stopped (s): queues q1, q2 are paused; 2 jobs unfinished' + AT_ONCE


def test_a_stop_without_a_summary_counts_no_unfinished_job():
    failure = {'failed': True, 'msg': STOPPED_MSG, 'paused_job_ids': [], 'paused_queue_ids': ['q1']}
    verdict = gate_verdict(failure, selection='s', stop_on_pause=True)
    assert verdict['msg'] == 'job gate stopped (s): queue q1 is paused; 0 jobs unfinished' + AT_ONCE


def test_a_job_without_a_state_counts_as_unfinished():
    # the summary counts it under by_state.Unknown (_jobs.UNKNOWN_STATE), never as finished
    stateless = dict(job('ap0004000000000000000000000000000', tag='Transcode'), state=None)
    failure = dict(result(PAUSED, failed=True, msg=STOPPED_MSG), paused_job_ids=[PAUSED_JOB], paused_queue_ids=['qpaused'])
    failure['summary'] = summarize(PAUSED + [{k: v for k, v in stateless.items() if k != 'state'}])
    assert failure['summary']['by_state']['Unknown'] == 1
    verdict = gate_verdict(failure, selection='s', stop_on_pause=True)
    assert verdict['msg'].splitlines()[0].endswith('; 3 jobs unfinished' + AT_ONCE)


@pytest.mark.parametrize('flag', [False, 'false', 'no', 0])
def test_without_stop_on_pause_a_failure_is_reported_with_the_modules_message(flag):
    timeout = 'Timed out after 2 seconds waiting for 2 job(s) to finish'
    verdict = gate_verdict(paused_result(msg=timeout), selection='s', stop_on_pause=flag)
    assert verdict['msg'].splitlines()[0] == 'job gate stopped (s): ' + timeout
    assert verdict['paused_job_ids'] == [PAUSED_JOB] and verdict['paused_queue_ids'] == ['qpaused']


def test_a_successful_result_with_paused_ids_is_judged_on_its_jobs():
    done = dict(result(GOOD_QUEUE), paused_job_ids=[], paused_queue_ids=['qidle'])
    verdict = gate_verdict(done, selection='s', stop_on_pause=True)
    assert verdict['passed'] is True and verdict['paused_queue_ids'] == ['qidle']


def test_a_result_without_the_pause_keys_gives_empty_lists():
    verdict = gate_verdict(result(GOOD_QUEUE), selection='s', stop_on_pause=True)
    assert verdict['paused_job_ids'] == [] and verdict['paused_queue_ids'] == []


def test_selections_stopped_by_one_paused_queue_name_it_once():
    verdict = gate_verdict(looped(({'label': 'good'}, result(GOOD_QUEUE)),
                                  ({'label': 'videos'}, paused_result()),
                                  ({'label': 'more videos'}, paused_result(job_ids=['ap0009']))), stop_on_pause=True)
    lines = verdict['msg'].splitlines()
    assert lines[0] == 'job gate FAILED: 2 of 3 selections did not pass - good; videos; more videos'
    assert lines[1] == '  job gate stopped (videos): queue qpaused is paused; 1 job is paused: %s; 2 jobs unfinished%s' % (
        PAUSED_JOB, AT_ONCE)
    assert lines[2].startswith('  job gate stopped (more videos): queue qpaused is paused; 1 job is paused: ap0009;')
    assert verdict['paused_job_ids'] == [PAUSED_JOB, 'ap0009'] and verdict['paused_queue_ids'] == ['qpaused']
