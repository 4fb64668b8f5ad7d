# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ci_queue_info through main(): argument spec against the docs, results, check mode, and every error as fail_json."""

from __future__ import annotations

import pytest

pytest.importorskip('requests')
pytest.importorskip('xmltodict')

import yaml  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.qcloud.ci.plugins.doc_fragments import connection  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils import _client  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._options import CONNECTION_ARGSPEC  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._queues import QUEUE_INFO_ARGSPEC  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.modules import ci_queue_info  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import (  # noqa: E402 pylint: disable=wrong-import-position
    BUCKET, CONNECTION, DROP, ENDPOINT, SECRET_KEY, TOKEN, failed_main, run_main, xml_error,
)


def run_module(capsys, args):
    return run_main(capsys, ci_queue_info.main, args)


def failed(capsys, args):
    return failed_main(capsys, ci_queue_info.main, args)


def xml_queue(queue_id, state='Active'):
    return ('<QueueList><QueueId>%s</QueueId><Name>q-%s</Name><State>%s</State><NotifyConfig><Url/><State>Off</State>'
            '</NotifyConfig><MaxSize>10000</MaxSize><MaxConcurrent>10</MaxConcurrent>'
            '<UpdateTime>2024-05-01T10:00:00+0800</UpdateTime><CreateTime>2024-05-01T10:00:00+0800</CreateTime>'
            '</QueueList>' % (queue_id, queue_id, state))


def page(*queues, **extra):
    """(200, body): queues are (queue_id, state) pairs; extra elements such as TotalCount follow."""
    parts = ['<Response><RequestId>req-1</RequestId>']
    parts.extend('<%s>%s</%s>' % (key, value, key) for key, value in extra.items())
    parts.extend(xml_queue(*item) for item in queues)
    parts.append('</Response>')
    return (200, ''.join(parts).encode('utf-8'))


# --- argument spec against the documentation -------------------------------------------------

def test_every_option_is_documented_as_the_spec_says():
    spec = dict(CONNECTION_ARGSPEC, **QUEUE_INFO_ARGSPEC)
    docs = dict(yaml.safe_load(connection.ModuleDocFragment.DOCUMENTATION)['options'])
    docs.update(yaml.safe_load(ci_queue_info.DOCUMENTATION)['options'])
    assert sorted(spec) == sorted(docs)
    for name, entry in spec.items():
        doc = docs[name]
        for key, default in (('type', 'str'), ('default', None), ('choices', None), ('elements', None)):
            assert doc.get(key, default) == entry.get(key, default), (name, key)
        assert bool(doc.get('required')) == bool(entry.get('required')), name


def test_the_module_is_in_the_action_group():
    with open(_client.__file__.replace('plugins/module_utils/_client.py', 'meta/runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    assert 'ci_queue_info' in runtime['action_groups']['ci']


# --- results ---------------------------------------------------------------------------------

def test_listing_every_page(capsys, scripted_http):
    adapter = scripted_http([page(('a', 'Active'), ('b', 'Paused'), TotalCount=3),
                             page(('c', 'Paused'), TotalCount=3)])
    code, result = run_module(capsys, dict(CONNECTION, page_size=2))
    assert code == 0 and result['changed'] is False
    assert [request.url for request, dummy in adapter.requests] == [
        ENDPOINT + '/queue?pageNumber=1&pageSize=2', ENDPOINT + '/queue?pageNumber=2&pageSize=2']
    assert [queue['queue_id'] for queue in result['queues']] == ['a', 'b', 'c']
    assert result['queues'][0] == {'queue_id': 'a', 'name': 'q-a', 'state': 'Active', 'max_size': 10000,
                                   'max_concurrent': 10, 'notify_config': {'url': None, 'state': 'Off'},
                                   'update_time': '2024-05-01T10:00:00+0800',
                                   'create_time': '2024-05-01T10:00:00+0800'}
    assert result['summary'] == {'total': 3, 'by_state': {'Active': 1, 'Paused': 2}, 'paused_queue_ids': ['b', 'c']}
    assert result['missing_queue_ids'] == [] and result['queue_type'] == 'media'


@pytest.mark.parametrize('queue_type, path', [('ai', '/ai_queue'), ('speech', '/asrqueue'),
                                              ('document', '/docqueue'), ('picture', '/picqueue')])
def test_by_ids_and_state_of_each_queue_type(capsys, scripted_http, queue_type, path):
    adapter = scripted_http([page(('b', 'Paused'), NonExistPIDs='x')])
    code, result = run_module(capsys, dict(CONNECTION, queue_type=queue_type, queue_ids='x, b, y', state='Paused'))
    assert code == 0
    assert adapter.requests[0][0].url == ENDPOINT + path + '?state=Paused&queueIds=x%2Cb%2Cy&pageNumber=1&pageSize=100'
    assert [queue['queue_id'] for queue in result['queues']] == ['b']
    assert result['missing_queue_ids'] == ['x']


def test_check_mode_gives_the_same_result(capsys, scripted_http):
    script = [page(('a', 'Active'), TotalCount=1)]
    scripted_http(list(script))
    dummy, normal = run_module(capsys, CONNECTION)
    scripted_http(list(script))
    code, checked = run_module(capsys, dict(CONNECTION, _ansible_check_mode=True))
    assert code == 0 and checked['changed'] is False
    assert checked['queues'] == normal['queues'] and checked['summary'] == normal['summary']


def test_credentials_from_the_environment(capsys, scripted_http, monkeypatch):
    monkeypatch.setenv('TENCENTCLOUD_SECRET_ID', 'AKIDFROMENVIRONMENT')
    monkeypatch.setenv('TENCENTCLOUD_SECRET_KEY', SECRET_KEY)
    monkeypatch.setenv('TENCENTCLOUD_SECURITY_TOKEN', TOKEN)
    monkeypatch.setenv('TENCENTCLOUD_REGION', 'ap-beijing')
    adapter = scripted_http([page(TotalCount=0)])
    code, result = run_module(capsys, dict(bucket=BUCKET, queue_type='ai'))
    request = adapter.requests[0][0]
    assert code == 0 and result['queues'] == []
    assert request.url == 'https://%s.ci.ap-beijing.myqcloud.com/ai_queue?pageNumber=1&pageSize=100' % BUCKET
    assert 'q-ak=AKIDFROMENVIRONMENT&' in request.headers['Authorization']
    assert request.headers['x-ci-security-token'] == TOKEN


# --- every refusal is fail_json with the option and what is allowed --------------------------

@pytest.mark.parametrize('args, option, words', [
    (dict(page_size=0), 'page_size', 'page_size must be a whole number from 1 to 100; got 0'),
    (dict(page_size=101), 'page_size', 'page_size must be a whole number from 1 to 100; got 101'),
    (dict(queue_ids=['a', '']), 'queue_ids', 'none empty'),
    (dict(queue_ids=['a b']), 'queue_ids', 'without spaces'),
    (dict(bucket='Bad_Bucket'), 'bucket', 'bucket must be <BucketName>-<APPID>'),
    (dict(endpoint_url=DROP), 'region', 'region is required'),
    (dict(secret_key=DROP), 'secret_key', 'secret_key is required'),
])
def test_bad_values_fail_naming_the_option_before_any_request(capsys, scripted_http, args, option, words):
    adapter = scripted_http([])
    result = failed(capsys, dict(CONNECTION, **args))
    assert result['option'] == option and words in result['msg']
    assert adapter.requests == []


@pytest.mark.parametrize('args, words', [
    (dict(queue_type='video'), 'queue_type'),
    (dict(state='All'), 'state'),
    (dict(bucket=DROP), 'missing required arguments: bucket'),
])
def test_spec_refusals_name_the_option(capsys, scripted_http, args, words):
    adapter = scripted_http([])
    result = failed(capsys, dict(CONNECTION, **args))
    assert words in result['msg']
    assert adapter.requests == []


def test_a_failed_request_returns_the_error_facts(capsys, scripted_http):
    scripted_http([(403, xml_error('AccessDenied', 'Access Denied.'), {'x-ci-request-id': 'req-9'})])
    result = failed(capsys, dict(CONNECTION, queue_type='picture', security_token=TOKEN))
    assert result['msg'] == ('CI request GET /picqueue failed: HTTP 403 AccessDenied: Access Denied. '
                             '[request id req-9, trace id trace-1, 1 try]')
    assert result['error'] == {'status': 403, 'code': 'AccessDenied', 'message': 'Access Denied.',
                               'request_id': 'req-9', 'trace_id': 'trace-1', 'method': 'GET', 'path': '/picqueue',
                               'tries': 1}


def test_a_missing_library_fails_with_the_install_hint(capsys, monkeypatch):
    monkeypatch.setattr(_client, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_client, 'REQUESTS_IMPORT_ERROR', 'Traceback: no requests')
    code, result = run_module(capsys, CONNECTION)
    assert code == 1 and 'Failed to import the required Python library (requests)' in result['msg']
