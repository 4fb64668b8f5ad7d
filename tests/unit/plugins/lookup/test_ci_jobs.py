# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ci_jobs lookup with scripted HTTP: terms, options and their precedence, errors, on_missing."""

from __future__ import annotations

import pytest

pytest.importorskip('requests')
pytest.importorskip('xmltodict')

from ansible.errors import AnsibleLookupError  # noqa: E402 pylint: disable=wrong-import-position
from ansible.parsing.dataloader import DataLoader  # noqa: E402 pylint: disable=wrong-import-position
from ansible.plugins.loader import lookup_loader  # noqa: E402 pylint: disable=wrong-import-position
from ansible.template import Templar  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIError  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._execute import execute  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._job_lists import ALL_TAGS  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.tests.unit.compat import names_option, trust_as_template  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.plugin_utils import _lookup  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import (  # noqa: E402 pylint: disable=wrong-import-position
    BUCKET, CONNECTION, ENDPOINT, SECRET_ID, SECRET_KEY, TOKEN, xml_error, xml_jobs,
)


@pytest.fixture
def warnings(monkeypatch):
    seen = []

    class Display(object):
        def warning(self, msg):
            seen.append(msg)

    monkeypatch.setattr(_lookup, 'display', Display())
    return seen


def run(terms, variables=None, templar=None, **kwargs):
    lookup = lookup_loader.get('qcloud.ci.ci_jobs', templar=templar)
    return lookup.run(terms, variables=variables if variables is not None else {}, **kwargs)


def ak(request):
    """The SecretId a request was signed with."""
    auth = dict(part.split('=', 1) for part in request.headers['Authorization'].split('&'))
    return auth['q-ak']


def page(*jobs, **extra):
    return (200, xml_jobs(*jobs, **extra))


def module_result(options, script, scripted_http):
    """What the module's shared runner returns for the same options and the same answers."""
    scripted_http(script)
    values = dict(CONNECTION)
    values.update(options)
    return execute(values)


# --- terms, listing, result ------------------------------------------------------------------

def test_terms_are_job_ids_and_the_jobs_equal_the_modules(scripted_http):
    script = [page(('a1', 'Success'), ('b2', 'Failed'), NonExistJobIds='')]
    adapter = scripted_http(list(script))
    jobs = run(['a1', 'b2'], **CONNECTION)
    assert adapter.requests[0][0].url == ENDPOINT + '/jobs/a1%2Cb2'
    assert jobs == module_result({'job_ids': ['a1', 'b2']}, script, scripted_http)['jobs']
    assert [j['job_id'] for j in jobs] == ['a1', 'b2']
    assert jobs[0]['input'] == {'object': 'in/a1.txt'}


def test_a_list_term_is_flattened_like_other_lookups(scripted_http):
    adapter = scripted_http([page(('a1', 'Success'), ('b2', 'Success'), ('c3', 'Success'))])
    jobs = run([['a1', 'b2'], 'c3'], **CONNECTION)
    assert adapter.requests[0][0].url == ENDPOINT + '/jobs/a1%2Cb2%2Cc3'
    assert len(jobs) == 3


def test_without_terms_it_lists_every_page_with_the_filters(scripted_http):
    script = [page(('a1', 'Success'), NextToken='t1'), page(('b2', 'Running'), NextToken='')]
    adapter = scripted_http(list(script))
    options = dict(queue_id='q1', tag='SpeechRecognition', states=['Running', 'Success'], workflow_id='w1',
                   inventory_trigger_job_id='t9', input_object='a b.mp3', order_by_time='Asc',
                   start_creation_time='2024-05-01T00:00:00Z', end_creation_time='2024-05-02T00:00:00+08:00',
                   page_size=1)
    jobs = run([], **dict(CONNECTION, **options))
    urls = [request.url for request, dummy in adapter.requests]
    assert urls[0] == (ENDPOINT + '/jobs?queueId=q1&tag=SpeechRecognition&states=Running%2CSuccess&workflowId=w1'
                       '&inventoryTriggerJobId=t9&inputObject=a%20b.mp3&orderByTime=Asc'
                       '&startCreationTime=2024-05-01T00%3A00%3A00%2B0000'
                       '&endCreationTime=2024-05-02T00%3A00%3A00%2B0800&size=1')
    assert urls[1] == urls[0] + '&nextToken=t1'
    assert jobs == module_result(options, script, scripted_http)['jobs']


def test_output_summary_is_the_modules_summary_in_a_list(scripted_http):
    script = [page(('a1', 'Success'), ('b2', 'Failed'), ('c3', 'Running'))]
    scripted_http(list(script))
    result = run([], output='summary', queue_id='q1', tag='Translation', **CONNECTION)
    summary = module_result({'queue_id': 'q1', 'tag': 'Translation'}, script, scripted_http)['summary']
    assert result == [summary]
    assert summary['failed_job_ids'] == ['b2'] and summary['finished'] is False


def test_the_old_name_result_still_works_and_is_deprecated(scripted_http, monkeypatch):
    deprecations = []
    monkeypatch.setattr(_lookup.display, 'deprecated', lambda msg, **kwargs: deprecations.append((msg, kwargs)))
    scripted_http([page(('a1', 'Success'), ('b2', 'Failed'))])
    result = run([], result='summary', queue_id='q1', tag='Translation', **CONNECTION)
    assert result[0]['total'] == 2 and result[0]['failed_job_ids'] == ['b2']
    assert deprecations == [('The option result of this lookup is deprecated; use output, which takes the same values.',
                             {'version': '3.0.0', 'collection_name': 'qcloud.ci'})]


def test_max_jobs_warns_with_what_a_lookup_user_can_do(scripted_http, warnings):
    scripted_http([page(('a1', 'Success'), ('b2', 'Success'), NextToken='t2')])
    jobs = run([], queue_id='q1', tag='Translation', max_jobs=2, **CONNECTION)
    assert len(jobs) == 2
    assert warnings == ['Stopped after max_jobs=2 jobs; more jobs match. Raise max_jobs to get more, or narrow the '
                        'listing (for example with start_creation_time and end_creation_time) and look up the rest '
                        'separately.']
    assert 'next_token' not in warnings[0]  # the lookup has no such option


def test_a_bad_term_is_named_as_a_term(scripted_http):
    adapter = scripted_http([])
    with pytest.raises(AnsibleLookupError) as caught:
        run(['a1', 'no/such'], **CONNECTION)
    assert caught.value.message.startswith('each of job ids (the terms) must be a job id')
    assert "got 'no/such'" in caught.value.message
    assert adapter.requests == []


def test_retries_a_503_and_a_429(scripted_http):
    adapter = scripted_http([(503, xml_error('ServiceUnavailable', 'busy'), {'Retry-After': '0'}),
                             (429, xml_error('SlowDown', 'slow'), {'Retry-After': '0'}),
                             page(('a1', 'Success'))])
    assert [j['job_id'] for j in run(['a1'], **CONNECTION)] == ['a1']
    assert len(adapter.requests) == 3


def test_a_security_token_is_sent(scripted_http):
    adapter = scripted_http([page(('a1', 'Success'))])
    run(['a1'], security_token=TOKEN, **CONNECTION)
    assert adapter.requests[0][0].headers['x-ci-security-token'] == TOKEN


# --- on_missing ------------------------------------------------------------------------------

def test_on_missing_error_is_the_default(scripted_http):
    scripted_http([page(('a1', 'Success'), NonExistJobIds='x1,x2'), page(NonExistJobIds='x1,x2')])  # /jobs, /ai_jobs
    with pytest.raises(AnsibleLookupError) as caught:
        run(['a1', 'x1', 'x2'], **CONNECTION)
    assert caught.value.message == ('The CI service does not know 2 job id(s): x1, x2 '
                                    '(set on_missing=warn or skip to go on without them)')


def test_on_missing_warn_leaves_them_out_with_a_warning(scripted_http, warnings):
    scripted_http([page(('a1', 'Success'), NonExistJobIds='x1'), page(NonExistJobIds='x1')])
    jobs = run(['a1', 'x1'], on_missing='warn', **CONNECTION)
    assert [j['job_id'] for j in jobs] == ['a1']
    assert warnings == ['The CI service does not know 1 job id(s): x1']


def test_on_missing_skip_is_silent(scripted_http, warnings):
    scripted_http([page(NonExistJobIds='x1'), page(NonExistJobIds='x1')])
    assert run(['x1'], on_missing='skip', **CONNECTION) == []
    assert warnings == []


def test_on_missing_with_a_summary(scripted_http, warnings):
    scripted_http([page(('a1', 'Failed'), NonExistJobIds='x1'), page(NonExistJobIds='x1')])
    result = run(['a1', 'x1'], on_missing='warn', output='summary', **CONNECTION)
    assert result[0]['total'] == 1 and result[0]['failed_job_ids'] == ['a1']
    assert len(warnings) == 1


# --- where options come from -----------------------------------------------------------------

@pytest.mark.parametrize('env, variables, direct, expected', [
    ('env-id', None, None, 'env-id'),
    ('env-id', 'vars-id', None, 'vars-id'),
    (None, 'vars-id', None, 'vars-id'),
    ('env-id', 'vars-id', 'direct-id', 'direct-id'),
    ('env-id', None, 'direct-id', 'direct-id'),
    (None, 'vars-id', 'direct-id', 'direct-id'),
])
def test_precedence_direct_over_vars_over_env(scripted_http, monkeypatch, env, variables, direct, expected):
    adapter = scripted_http([page(('a1', 'Success'))])
    kwargs = dict(bucket=BUCKET, endpoint_url=ENDPOINT, secret_key=SECRET_KEY)
    if env:
        monkeypatch.setenv('TENCENTCLOUD_SECRET_ID', env)
    if direct:
        kwargs['secret_id'] = direct
    run(['a1'], variables={'qcloud_ci_secret_id': variables} if variables else {}, **kwargs)
    assert ak(adapter.requests[0][0]) == expected


@pytest.mark.parametrize('env, var_region, direct, host', [
    ('ap-beijing', None, None, 'ap-beijing'),
    ('ap-beijing', 'ap-shanghai', None, 'ap-shanghai'),
    ('ap-beijing', 'ap-shanghai', 'ap-chengdu', 'ap-chengdu'),
])
def test_region_precedence_picks_the_host(scripted_http, monkeypatch, env, var_region, direct, host):
    adapter = scripted_http([page(('a1', 'Success'))])
    monkeypatch.setenv('TENCENTCLOUD_REGION', env)
    kwargs = dict(secret_id=SECRET_ID, secret_key=SECRET_KEY)
    if direct:
        kwargs['region'] = direct
    variables = {'qcloud_ci_bucket': BUCKET}
    if var_region:
        variables['qcloud_ci_region'] = var_region
    run(['a1'], variables=variables, **kwargs)
    assert adapter.requests[0][0].url == 'https://%s.ci.%s.myqcloud.com/jobs/a1' % (BUCKET, host)


def test_everything_from_variables_and_the_secret_from_env(scripted_http, monkeypatch):
    adapter = scripted_http([page(('a1', 'Success'))])
    monkeypatch.setenv('TENCENTCLOUD_SECRET_KEY', SECRET_KEY)
    monkeypatch.setenv('TENCENTCLOUD_SECURITY_TOKEN', TOKEN)
    variables = {'qcloud_ci_bucket': BUCKET, 'qcloud_ci_endpoint_url': ENDPOINT, 'qcloud_ci_secret_id': SECRET_ID,
                 'qcloud_ci_timeout': 5, 'qcloud_ci_retries': 0, 'unrelated': '{{ not templated }}'}
    run(['a1'], variables=variables)
    request, kwargs = adapter.requests[0]
    assert request.url == ENDPOINT + '/jobs/a1'
    assert ak(request) == SECRET_ID
    assert request.headers['x-ci-security-token'] == TOKEN
    assert kwargs['timeout'] == 5


def test_variables_that_are_templates_are_templated(scripted_http):
    adapter = scripted_http([page(('a1', 'Success'))])
    variables = {
        'emulator': ENDPOINT,
        'vault_secret_key': SECRET_KEY,
        'qcloud_ci_endpoint_url': trust_as_template('{{ emulator }}'),
        'qcloud_ci_secret_key': trust_as_template('{{ vault_secret_key }}'),
        'qcloud_ci_bucket': BUCKET,
        'qcloud_ci_secret_id': SECRET_ID,
    }
    run(['a1'], variables=variables, templar=Templar(loader=DataLoader(), variables=variables))
    assert adapter.requests[0][0].url == ENDPOINT + '/jobs/a1'
    assert ak(adapter.requests[0][0]) == SECRET_ID


# --- errors: AnsibleLookupError, in the module's words ---------------------------------------

@pytest.mark.parametrize('options, option', [
    (dict(queue_id='q1', tag='Translation', page_size=0), 'page_size'),
    (dict(queue_id='q1', tag='Translation', page_size=101), 'page_size'),
    (dict(queue_id='q1', tag='Translation', max_jobs=0), 'max_jobs'),
    (dict(queue_id='q1', tag='Translation', start_creation_time='2024-05-01T00:00:00'), 'start_creation_time'),
    (dict(queue_id='q1', tag='Translation', end_creation_time='yesterday'), 'end_creation_time'),
    (dict(queue_id='q1', tag='Translation', start_creation_time='999999d'), 'start_creation_time'),
    (dict(queue_id='q1', tag='Translation', bucket='Example_Bucket'), 'bucket'),
    (dict(queue_id='q1', tag='Translation', region='Guangzhou'), 'region'),
    (dict(queue_id='q1', tag='Translation', endpoint_url='ftp://127.0.0.1'), 'endpoint_url'),
    (dict(queue_id='q1', tag='Translation', endpoint_url='http://127.0.0.1:8765/jobs'), 'endpoint_url'),
    (dict(queue_id='q1', tag='Translation', secret_id=''), 'secret_id'),
    (dict(queue_id='q1', tag='Translation', retries=99), 'retries'),
    (dict(tag='Translation'), 'queue_id'),
    (dict(queue_id='q1'), 'tag'),
])
def test_bad_values_fail_in_the_modules_words_before_any_request(scripted_http, options, option):
    adapter = scripted_http([])
    values = dict(CONNECTION)
    values.update(options)
    with pytest.raises(CIError) as module_error:
        execute(values)
    with pytest.raises(AnsibleLookupError) as caught:
        run([], **values)
    assert caught.value.message == module_error.value.msg
    assert module_error.value.option == option
    assert option in caught.value.message
    assert adapter.requests == []


def test_terms_with_listing_options_fail_naming_the_option(scripted_http):
    scripted_http([])
    with pytest.raises(AnsibleLookupError) as caught:
        run(['a1'], queue_id='q1', **CONNECTION)
    assert caught.value.message.startswith('job ids (the terms) cannot be combined with the listing options')
    assert caught.value.message.endswith('got job ids (the terms) and queue_id')


@pytest.mark.parametrize('option, value, allowed', [
    ('tag', 'Translate', ', '.join(ALL_TAGS)),
    ('states', ['Done'], 'All, Submitted, Running, Success, Failed, Pause, Cancel'),
    ('order_by_time', 'newest', 'Desc, Asc'),
    ('output', 'count', 'jobs, summary'),
    ('on_missing', 'ignore', 'error, warn, skip'),
])
def test_bad_choices_are_lookup_errors_naming_the_option_and_the_allowed_values(scripted_http, option, value, allowed):
    adapter = scripted_http([])
    kwargs = dict(CONNECTION, queue_id='q1', tag='Translation')
    kwargs[option] = value
    with pytest.raises(AnsibleLookupError) as caught:
        run([], **kwargs)
    assert names_option(caught.value.message, option)
    assert allowed in caught.value.message
    assert adapter.requests == []


def test_a_failed_request_says_what_failed_and_no_secret(scripted_http):
    scripted_http([(403, xml_error('SignatureDoesNotMatch', 'The signature does not match'),
                    {'x-ci-request-id': 'req-1'})])
    with pytest.raises(AnsibleLookupError) as caught:
        run([], queue_id='q1', tag='Translation', security_token=TOKEN, **CONNECTION)
    assert caught.value.message == ('CI request GET /jobs failed: HTTP 403 SignatureDoesNotMatch: The signature does '
                                    'not match [request id req-1, trace id trace-1, 1 try]')
    assert SECRET_KEY not in caught.value.message and TOKEN not in caught.value.message


def test_one_client_serves_every_term(scripted_http):
    adapter = scripted_http([page(*[('j%03d' % n, 'Success') for n in range(200)]),
                             page(*[('j%03d' % n, 'Success') for n in range(200, 260)])])
    jobs = run(['j%03d' % n for n in range(260)], **CONNECTION)
    assert len(jobs) == 260
    assert [len(r.url.split('/jobs/')[1].split('%2C')) for r, dummy in adapter.requests] == [200, 60]
    assert adapter.sessions == 1


def test_terms_unknown_at_jobs_are_found_at_ai_jobs(scripted_http):
    adapter = scripted_http([page(('a1', 'Success'), NonExistJobIds='b2'), page(('b2', 'Running'))])
    jobs = run(['b2', 'a1'], **CONNECTION)
    assert [j['job_id'] for j in jobs] == ['b2', 'a1']
    assert [r[0].url for r in adapter.requests] == [ENDPOINT + '/jobs/b2%2Ca1', ENDPOINT + '/ai_jobs/b2']


@pytest.mark.parametrize('options, path', [
    (dict(tag='PicProcess'), '/pic_jobs'),
    (dict(tag='DocProcess'), '/doc_jobs'),
    (dict(tag='SpeechRecognition', job_list='asr_jobs'), '/asr_jobs'),
    (dict(tag='Transcode'), '/jobs'),
])
def test_the_listing_reads_the_list_of_the_tag_or_of_job_list(scripted_http, options, path):
    adapter = scripted_http([page(('a1', 'Success'))])
    jobs = run([], queue_id='q1', **dict(CONNECTION, **options))
    assert [j['job_id'] for j in jobs] == ['a1']
    assert adapter.requests[0][0].url.split('?')[0] == ENDPOINT + path


def test_a_tag_the_job_list_does_not_serve_is_a_lookup_error_naming_the_allowed_tags(scripted_http):
    adapter = scripted_http([])
    with pytest.raises(AnsibleLookupError) as caught:
        run([], queue_id='q1', tag='Transcode', job_list='pic_jobs', **CONNECTION)
    assert caught.value.message == 'tag Transcode is not a tag of job_list pic_jobs, which serves only PicProcess'
    assert adapter.requests == []
