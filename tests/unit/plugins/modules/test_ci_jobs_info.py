# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ci_jobs_info through main(): argument spec, results, and how every error becomes fail_json."""

from __future__ import annotations

import pytest

pytest.importorskip('requests')
pytest.importorskip('xmltodict')

import yaml  # noqa: E402 pylint: disable=wrong-import-position

from ansible.module_utils import basic  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.qcloud.ci.plugins.doc_fragments import connection, selection  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils import _execute  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._job_lists import ALL_TAGS  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._options import (  # noqa: E402 pylint: disable=wrong-import-position
    INFO_MODULE_ARGSPEC, argument_spec,
)
from ansible_collections.qcloud.ci.plugins.modules import ci_jobs_info  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import (  # noqa: E402 pylint: disable=wrong-import-position
    BUCKET, CONNECTION, DROP, ENDPOINT, MONOTONIC, SECRET_ID, SECRET_KEY, TOKEN, FakeTime, failed_main, run_main,
    xml_error, xml_jobs,
)

LISTING = dict(CONNECTION, queue_id='p893bcda225bf4945a378da6662e81a89', tag='Translation')


def run_module(capsys, args):
    return run_main(capsys, ci_jobs_info.main, args)


def failed(capsys, args):
    return failed_main(capsys, ci_jobs_info.main, args)


def page(*jobs, **extra):
    return (200, xml_jobs(*jobs, **extra))


# --- argument spec against the documentation -------------------------------------------------

def documented_options():
    options = {}
    for doc in (connection.ModuleDocFragment.DOCUMENTATION, selection.ModuleDocFragment.DOCUMENTATION,
                ci_jobs_info.DOCUMENTATION):
        options.update(yaml.safe_load(doc)['options'])
    return options


def test_every_option_is_documented_as_the_spec_says():
    spec = argument_spec(INFO_MODULE_ARGSPEC)
    docs = documented_options()
    assert sorted(spec) == sorted(docs)
    for name, entry in spec.items():
        doc = docs[name]
        assert doc.get('type', 'str') == entry.get('type', 'str'), name
        assert doc.get('default') == entry.get('default'), name
        assert doc.get('choices') == entry.get('choices'), name
        assert doc.get('elements') == entry.get('elements'), name
        assert bool(doc.get('required')) == bool(entry.get('required')), name
        assert doc.get('aliases') == entry.get('aliases'), name


def test_secrets_are_no_log():
    spec = argument_spec(INFO_MODULE_ARGSPEC)
    assert spec['secret_key']['no_log'] is True and spec['security_token']['no_log'] is True


# --- results ---------------------------------------------------------------------------------

def test_listing_result(capsys, scripted_http):
    adapter = scripted_http([page(('a1', 'Success'), ('b2', 'Failed'), NextToken='t'), page(('c3', 'Running'))])
    code, result = run_module(capsys, dict(LISTING, page_size=2))
    assert code == 0
    assert result['changed'] is False
    assert [j['job_id'] for j in result['jobs']] == ['a1', 'b2', 'c3']
    assert result['jobs'][0]['input'] == {'object': 'in/a1.txt'}
    by_state = {'Submitted': 0, 'Running': 1, 'Success': 1, 'Failed': 1, 'Pause': 0, 'Cancel': 0}
    assert result['summary'] == {'total': 3, 'by_state': by_state, 'finished': False, 'all_succeeded': False,
                                 'failed_job_ids': ['b2']}
    assert (result['next_token'], result['truncated'], result['missing_job_ids']) == ('', False, [])
    assert len(adapter.requests) == 2


def test_check_mode_gives_the_same_result(capsys, scripted_http):
    script = [page(('a1', 'Success'), ('b2', 'Failed'))]
    scripted_http(list(script))
    dummy, normal = run_module(capsys, dict(LISTING))
    scripted_http(list(script))
    code, checked = run_module(capsys, dict(LISTING, _ansible_check_mode=True))
    assert code == 0 and checked['changed'] is False
    assert checked['jobs'] == normal['jobs'] and checked['summary'] == normal['summary']


def test_by_id_with_unknown_ids(capsys, scripted_http):
    adapter = scripted_http([page(('a1', 'Success'), NonExistJobIds='x1'), page(NonExistJobIds='x1')])
    code, result = run_module(capsys, dict(CONNECTION, job_ids=['x1', 'a1']))
    assert code == 0
    assert [r[0].url for r in adapter.requests] == [ENDPOINT + '/jobs/x1%2Ca1', ENDPOINT + '/ai_jobs/x1']
    assert [j['job_id'] for j in result['jobs']] == ['a1']
    assert result['missing_job_ids'] == ['x1']


@pytest.mark.parametrize('name', ['output', 'return_jobs'])
@pytest.mark.parametrize('output, expected', [('all', ['a1', 'b2', 'c3']), ('failed', ['b2', 'c3']), ('none', [])])
def test_output_and_its_deprecated_alias_return_jobs(capsys, scripted_http, name, output, expected):
    scripted_http([page(('a1', 'Success'), ('b2', 'Failed'), ('c3', 'Cancel'))])
    dummy, result = run_module(capsys, dict(LISTING, **{name: output}))
    assert [j['job_id'] for j in result['jobs']] == expected
    assert result['summary']['total'] == 3 and result['summary']['failed_job_ids'] == ['b2', 'c3']
    deprecations = [str(d) for d in result.get('deprecations', [])]
    assert [text for text in deprecations if "'return_jobs'" in text and '3.0.0' in text] == (
        deprecations if name == 'return_jobs' else [])
    assert len(deprecations) == (1 if name == 'return_jobs' else 0)


def test_job_ids_as_a_text_with_spaces_are_two_ids(capsys, scripted_http):
    adapter = scripted_http([page(('a1', 'Success'), ('b2', 'Success'))])
    code, result = run_module(capsys, dict(CONNECTION, job_ids='a1, b2'))
    assert code == 0
    assert adapter.requests[0][0].url == ENDPOINT + '/jobs/a1%2Cb2'
    assert [j['job_id'] for j in result['jobs']] == ['a1', 'b2']


def test_max_jobs_truncates_with_a_warning(capsys, scripted_http, monkeypatch):
    warnings = []
    # AnsibleModule.warn sends warnings to the display instead once controller code is loaded in this process
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    scripted_http([page(('a1', 'Success'), NextToken='t1')])
    dummy, result = run_module(capsys, dict(LISTING, max_jobs=1))
    assert (result['truncated'], result['next_token']) == (True, 't1')
    assert warnings == ['Stopped after max_jobs=1 jobs; more jobs match. Use next_token to resume, or raise max_jobs.']


def test_credentials_from_the_environment(capsys, scripted_http, monkeypatch):
    monkeypatch.setenv('TENCENTCLOUD_SECRET_ID', 'AKIDFROMENVIRONMENT')
    monkeypatch.setenv('TENCENTCLOUD_SECRET_KEY', SECRET_KEY)
    monkeypatch.setenv('TENCENTCLOUD_SECURITY_TOKEN', TOKEN)
    monkeypatch.setenv('TENCENTCLOUD_REGION', 'ap-beijing')
    adapter = scripted_http([page(('a1', 'Success'))])
    code, dummy = run_module(capsys, dict(bucket=BUCKET, job_ids=['a1']))
    request = adapter.requests[0][0]
    assert code == 0
    assert request.url == 'https://%s.ci.ap-beijing.myqcloud.com/jobs/a1' % BUCKET
    assert 'q-ak=AKIDFROMENVIRONMENT&' in request.headers['Authorization']
    assert request.headers['x-ci-security-token'] == TOKEN


def test_options_win_over_the_environment(capsys, scripted_http, monkeypatch):
    monkeypatch.setenv('TENCENTCLOUD_SECRET_ID', 'AKIDFROMENVIRONMENT')
    adapter = scripted_http([page(('a1', 'Success'))])
    run_module(capsys, dict(CONNECTION, job_ids=['a1']))
    assert 'q-ak=%s&' % SECRET_ID in adapter.requests[0][0].headers['Authorization']


def test_temporary_credentials_send_the_token(capsys, scripted_http):
    adapter = scripted_http([page(('a1', 'Success'))])
    code, dummy = run_module(capsys, dict(CONNECTION, job_ids=['a1'], security_token=TOKEN))
    assert code == 0
    assert adapter.requests[0][0].headers['x-ci-security-token'] == TOKEN


# --- every refusal is fail_json with the option and what is allowed --------------------------

@pytest.mark.parametrize('args, option, words', [
    (dict(page_size=0), 'page_size', 'page_size must be a whole number from 1 to 100; got 0'),
    (dict(page_size=101), 'page_size', 'page_size must be a whole number from 1 to 100; got 101'),
    (dict(max_jobs=0), 'max_jobs', 'max_jobs must be a whole number of at least 1'),
    (dict(start_creation_time='2024-05-01T00:00:00'), 'start_creation_time',
     'start_creation_time must be a time with an offset; accepted forms are the API format 2024-05-01T00:00:00+0800'),
    (dict(end_creation_time='last week'), 'end_creation_time', 'or an age such as 30m, 2h, 7d or 1w'),
    (dict(start_creation_time='999999d'), 'start_creation_time', 'start_creation_time reaches back before the year 1'),
    (dict(start_creation_time='2024-05-02T00:00:00Z', end_creation_time='2024-05-01T00:00:00Z'),
     'start_creation_time', 'is after end_creation_time'),
    (dict(bucket='examplebucket'), 'bucket', 'bucket must be <BucketName>-<APPID>'),
    (dict(endpoint_url=DROP, region='Guangzhou'), 'region', 'region must be a Tencent Cloud region id'),
    (dict(endpoint_url=DROP), 'region', 'region is required'),
    (dict(region='ap_guangzhou'), 'region', 'region must be a Tencent Cloud region id'),
    (dict(endpoint_url='http://127.0.0.1:8765/ci'), 'endpoint_url', 'endpoint_url must be http:// or https://'),
    (dict(endpoint_url='http://user@127.0.0.1'), 'endpoint_url', 'endpoint_url must be http:// or https://'),
    (dict(secret_id=DROP), 'secret_id', 'secret_id is required'),
    (dict(secret_key=DROP), 'secret_key', 'secret_key is required'),
    (dict(job_ids=['a1']), 'queue_id', 'job_ids cannot be combined with the listing options'),
    (dict(queue_id=DROP), 'queue_id', 'list them with queue_id and tag'),
    (dict(tag=DROP), 'tag', 'tag is missing'),
    (dict(wait_sleep=0), 'wait_sleep', 'wait_sleep must be a number of seconds from 0.1 to 3600'),
    (dict(timeout=0), 'timeout', 'timeout must be a number of seconds above 0'),
    (dict(retries=21), 'retries', 'retries must be a whole number from 0 to 20'),
])
def test_bad_values_fail_naming_the_option_before_any_request(capsys, scripted_http, args, option, words):
    adapter = scripted_http([])
    result = failed(capsys, dict(LISTING, **args))
    assert result['option'] == option
    assert words in result['msg']
    assert adapter.requests == []


@pytest.mark.parametrize('args, words', [
    (dict(tag='Translate'), 'value of tag must be one of: %s, got: Translate' % ', '.join(ALL_TAGS)),
    (dict(states=['Done']), 'value of states must be one or more of: All, Submitted, Running, Success, Failed, Pause, '
                            'Cancel. Got no match for: Done'),
    (dict(order_by_time='newest'), 'value of order_by_time must be one of: Desc, Asc, got: newest'),
    (dict(output='some'), 'value of output must be one of: all, failed, none, got: some'),
    (dict(page_size='ten'), 'page_size'),
    (dict(bucket=DROP), 'missing required arguments: bucket'),
])
def test_spec_refusals_name_the_option(capsys, scripted_http, args, words):
    adapter = scripted_http([])
    result = failed(capsys, dict(LISTING, **args))
    assert words in result['msg']
    assert adapter.requests == []


def test_a_failed_request_returns_the_error_facts(capsys, scripted_http):
    scripted_http([(403, xml_error('AccessDenied', 'Access Denied.'), {'x-ci-request-id': 'req-9'})])
    result = failed(capsys, dict(LISTING, security_token=TOKEN))
    assert result['msg'] == ('CI request GET /jobs failed: HTTP 403 AccessDenied: Access Denied. '
                             '[request id req-9, trace id trace-1, 1 try]')
    assert result['error'] == {'status': 403, 'code': 'AccessDenied', 'message': 'Access Denied.',
                               'request_id': 'req-9', 'trace_id': 'trace-1', 'method': 'GET', 'path': '/jobs',
                               'tries': 1}


def test_retries_then_gives_up_with_the_number_of_tries(capsys, scripted_http):
    busy = (503, xml_error('ServiceUnavailable', 'busy'), {'Retry-After': '0'})
    adapter = scripted_http([busy, busy, busy])
    result = failed(capsys, dict(LISTING, retries=2))
    assert result['error']['tries'] == 3 and result['error']['status'] == 503
    assert len(adapter.requests) == 3


def test_wait_polls_until_finished(capsys, scripted_http, monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(_execute, 'time', clock)
    adapter = scripted_http([page(('a1', 'Running'), ('b2', 'Success')), page(('a1', 'Running')),
                             page(('a1', 'Success'))])
    code, result = run_module(capsys, dict(CONNECTION, job_ids=['a1', 'b2'], wait=True, wait_sleep=2))
    assert code == 0
    assert [r.url for r, dummy in adapter.requests] == [ENDPOINT + '/jobs/a1%2Cb2', ENDPOINT + '/jobs/a1',
                                                        ENDPOINT + '/jobs/a1']
    assert clock.sleeps == [2.0, 2.0]
    assert result['summary']['all_succeeded'] is True


def test_wait_timeout_fails_naming_the_jobs_and_still_returns_them(capsys, scripted_http, monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(_execute, 'time', clock)
    scripted_http([page(('a1', 'Running'), ('b2', 'Success'), ('c3', 'Submitted')),
                   page(('a1', 'Running'), ('c3', 'Running'))])
    result = failed(capsys, dict(LISTING, wait=True, wait_timeout=4, wait_sleep=3))
    assert result['msg'] == 'Timed out after 4 seconds waiting for 2 job(s) to finish: a1 (Running), c3 (Running)'
    assert clock.sleeps == [3, 1]  # a poll at 3 s; none at the deadline, 4 s, where it has no time left
    assert [j['job_id'] for j in result['jobs']] == ['a1', 'b2', 'c3']
    assert result['summary']['finished'] is False
    assert 'option' not in result


def test_a_job_that_vanishes_while_waiting_fails_the_task_with_the_whole_result(capsys, scripted_http, monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(_execute, 'time', clock)
    scripted_http([page(('a1', 'Running'), ('b2', 'Running')), page(NonExistJobIds='x9'),
                   page(('a1', 'Running'), NonExistJobIds='b2'), page(('a1', 'Success'))])
    result = failed(capsys, dict(CONNECTION, job_ids=['a1', 'b2', 'x9'], wait=True, wait_sleep=1))
    assert result['msg'] == ('1 job(s) vanished while waiting (the service no longer knows them; their last known '
                             'state is kept in jobs): b2')
    assert result['vanished_job_ids'] == ['b2'] and result['missing_job_ids'] == ['x9']
    assert [(j['job_id'], j['state']) for j in result['jobs']] == [('a1', 'Success'), ('b2', 'Running')]
    assert result['summary']['finished'] is False
    assert (result['next_token'], result['truncated']) == ('', False)
    assert clock.sleeps == [1.0, 1.0]


def test_the_result_always_has_vanished_job_ids(capsys, scripted_http):
    scripted_http([page(('a1', 'Success'))])
    code, result = run_module(capsys, dict(LISTING))
    assert code == 0 and result['vanished_job_ids'] == []


def test_a_busy_service_cannot_hold_the_wait_past_wait_timeout(capsys, scripted_http, monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(_execute, 'time', clock)
    busy = (503, xml_error('ServiceUnavailable', 'busy'), {'Retry-After': '30'})
    adapter = scripted_http([page(('a1', 'Running'), ('b2', 'Success'))] + [busy] * 10)
    result = failed(capsys, dict(LISTING, wait=True, wait_timeout=10, wait_sleep=2, retries=5))
    assert result['msg'] == 'Timed out after 10 seconds waiting for 1 job(s) to finish: a1 (Running)'
    assert [j['job_id'] for j in result['jobs']] == ['a1', 'b2']
    assert result['vanished_job_ids'] == [] and 'error' not in result
    assert clock.mono - MONOTONIC <= 10  # every sleep, retry and Retry-After fitted in the budget
    assert len(adapter.requests) == 2  # the listing, and one poll whose Retry-After would pass the deadline
