# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client against scripted HTTP: URLs, signatures, pagination, retries, errors."""

from __future__ import annotations

import pytest

pytest.importorskip('requests')
pytest.importorskip('xmltodict')

import requests  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.qcloud.ci.plugins.module_utils import _client  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils import _job_api  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils import _signer  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._errors import (  # noqa: E402 pylint: disable=wrong-import-position
    CIRequestError,
    CIValueError,
)

from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import (  # noqa: E402 pylint: disable=wrong-import-position
    BUCKET, HOST, NOW, SECRET_ID, SECRET_KEY, TOKEN, xml_error, xml_jobs,
)

LIST = {'queueId': 'p1', 'tag': 'Translation', 'size': '2'}
FILTERS = {'queueId': 'p1', 'tag': 'Translation'}


def all_jobs(harness, params=None):
    jobs = []
    for page in harness.client.iter_pages('/jobs', params or FILTERS, 2):
        jobs.extend(job['job_id'] for job in page.get('jobs_detail', []))
    return jobs


def test_request_is_signed_as_sent(scripted):
    harness = scripted([(200, xml_jobs(('j1', 'Success'), NextToken=''))])
    params = {'queueId': 'p1', 'tag': 'Translation', 'startCreationTime': '2024-05-01T00:00:00+0800',
              'inputObject': 'dir/a b.txt'}
    harness.client.get('/jobs', params)
    request = harness.adapter.requests[0][0]
    assert request.url == ('https://%s/jobs?queueId=p1&tag=Translation&startCreationTime=2024-05-01T00%%3A00%%3A00%%2B0800'
                           '&inputObject=dir%%2Fa%%20b.txt' % HOST)
    assert request.headers['Host'] == HOST
    expected = _signer.sign(SECRET_ID, SECRET_KEY, 'GET', '/jobs', params, {'host': HOST}, _signer.key_time(NOW))
    assert request.headers['Authorization'] == expected.authorization
    assert 'x-ci-security-token' not in request.headers


def test_path_is_signed_decoded_and_sent_encoded_with_token(scripted):
    harness = scripted([(200, xml_jobs(('a', 'Success'), ('b', 'Failed')))], security_token=TOKEN)
    harness.client.get('/jobs/a,b')
    request = harness.adapter.requests[0][0]
    assert request.url == 'https://%s/jobs/a%%2Cb' % HOST
    assert request.headers['x-ci-security-token'] == TOKEN
    expected = _signer.sign(SECRET_ID, SECRET_KEY, 'GET', '/jobs/a,b', {},
                            {'host': HOST, 'x-ci-security-token': TOKEN}, _signer.key_time(NOW))
    assert request.headers['Authorization'] == expected.authorization
    assert 'q-header-list=host;x-ci-security-token&' in expected.authorization


def test_multi_page_listing_follows_next_token(scripted):
    harness = scripted([
        (200, xml_jobs(('j1', 'Success'), ('j2', 'Failed'), NextToken='t1')),
        (200, xml_jobs(('j3', 'Running'), ('j4', 'Success'), NextToken='t2')),
        (200, xml_jobs(('j5', 'Cancel'), NextToken='')),
    ])
    assert all_jobs(harness) == ['j1', 'j2', 'j3', 'j4', 'j5']
    assert [url.split('?')[1] for url in harness.urls] == [
        'queueId=p1&tag=Translation&size=2',
        'queueId=p1&tag=Translation&size=2&nextToken=t1',
        'queueId=p1&tag=Translation&size=2&nextToken=t2',
    ]


def test_missing_next_token_ends_the_listing(scripted):
    harness = scripted([(200, xml_jobs(('j1', 'Success'), NextToken='t1')), (200, xml_jobs(('j2', 'Success')))])
    assert all_jobs(harness) == ['j1', 'j2']


def test_empty_page_without_jobs_detail(scripted):
    harness = scripted([(200, b'<Response><NextToken></NextToken></Response>')])
    pages = list(harness.client.iter_pages('/jobs', FILTERS, 2))
    assert pages == [{'next_token': None}]
    assert all_jobs(scripted([(200, b'<Response><NextToken/></Response>')])) == []


def test_single_jobs_detail_is_still_a_list(scripted):
    harness = scripted([(200, xml_jobs(('only', 'Success'), NextToken=''))])
    page = harness.client.get('/jobs', LIST)
    assert isinstance(page['jobs_detail'], list)
    assert page['jobs_detail'][0]['job_id'] == 'only'
    assert page['jobs_detail'][0]['start_time'] is None
    assert page['jobs_detail'][0]['message'] is None


def test_retry_on_503_then_success(scripted):
    harness = scripted([
        (503, xml_error('ServiceUnavailable', 'try later'), {'x-ci-request-id': 'r1'}),
        (503, b'', {}),
        (200, xml_jobs(('j1', 'Success'), NextToken='')),
    ])
    assert all_jobs(harness) == ['j1']
    assert len(harness.adapter.requests) == 3
    # full jitter: a random fraction (0.5 here) of 0.5 s, then of 1 s
    assert harness.sleeps == [0.25, 0.5]


def test_each_try_is_signed_anew(scripted):
    harness = scripted([(500, b'', {}), (200, xml_jobs(NextToken=''))])
    harness.client.get('/jobs', LIST)
    first, second = (harness.headers(0)['Authorization'], harness.headers(1)['Authorization'])
    assert first == second  # same clock, same request: same signature ...
    harness = scripted([(500, b'', {}), (200, xml_jobs(NextToken=''))])
    harness.client._sleep = lambda seconds: setattr(harness, 'now', harness.now + 120)  # pylint: disable=protected-access
    harness.client.get('/jobs', LIST)
    assert harness.headers(0)['Authorization'] != harness.headers(1)['Authorization']  # ... a later try: a new one


def test_429_honours_retry_after_and_clamps_it(scripted):
    harness = scripted([
        (429, xml_error('SlowDown', 'Please reduce your request rate.'), {'Retry-After': '3'}),
        (429, xml_error('SlowDown', 'Please reduce your request rate.'), {'Retry-After': '3600'}),
        (200, xml_jobs(NextToken='')),
    ])
    harness.client.get('/jobs', LIST)
    assert harness.sleeps == [3.0, _client.RETRY_AFTER_CAP]


def test_no_retry_on_403_and_the_message_names_code_and_request_id(scripted):
    harness = scripted([(403, xml_error('SignatureDoesNotMatch', 'The signature you specified is invalid.', 'body-id'),
                         {'x-ci-request-id': 'NjU0ZTZhYjJf', 'Content-Type': 'application/xml'})])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    err = caught.value
    assert (err.status, err.code, err.request_id, err.tries) == (403, 'SignatureDoesNotMatch', 'NjU0ZTZhYjJf', 1)
    assert str(err) == ('CI request GET /jobs failed: HTTP 403 SignatureDoesNotMatch: The signature you specified is '
                        'invalid. [request id NjU0ZTZhYjJf, trace id trace-1, 1 try]')
    assert harness.sleeps == []


def test_retries_are_bounded_and_the_message_counts_tries(scripted):
    harness = scripted([(503, xml_error('ServiceUnavailable', 'busy'), {'x-ci-request-id': 'r%d' % i}) for i in range(3)],
                       retries=2)
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert caught.value.tries == 3
    assert str(caught.value) == 'CI request GET /jobs failed: HTTP 503 ServiceUnavailable: busy [request id r2, trace id trace-1, 3 tries]'
    assert len(harness.sleeps) == 2


def test_total_retry_time_is_bounded(scripted):
    harness = scripted([(429, b'', {'Retry-After': '30'}) for dummy in range(6)], retries=20)
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert sum(harness.sleeps) <= _client.RETRY_TIME_BUDGET
    assert 'gave up' in str(caught.value)


def test_html_error_page_is_a_clear_error(scripted):
    harness = scripted([(404, b'<html><body><h1>Not Found</h1></body></html>', {'Content-Type': 'text/html'})])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert str(caught.value) == ('CI request GET /jobs failed: HTTP 404: the service answered with a body that is not a CI '
                                 'error document (text/html, 44 bytes) [request id none, 1 try]')


def test_html_body_with_200_is_retried_then_reported(scripted):
    harness = scripted([(200, b'<html>gateway</html>', {})] * 2, retries=1)
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert 'root element is not <Response>' in str(caught.value)
    assert caught.value.tries == 2


@pytest.mark.parametrize('body, reason', [
    (xml_jobs(('j1', 'Success'))[:40], 'not well-formed XML'),
    (b'', 'body is empty'),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Response>&b;</Response>',
     'declares XML entities'),
])
def test_unusable_200_bodies_are_retried(scripted, body, reason):
    harness = scripted([(200, body, {}), (200, xml_jobs(('j1', 'Success'), NextToken=''))])
    assert all_jobs(harness) == ['j1']
    harness = scripted([(200, body, {})] * 3, retries=2)
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert reason in str(caught.value)


def test_truncated_body_and_connection_errors_are_retried(scripted):
    harness = scripted([
        requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead(10 bytes read, 90 more expected)'),
        requests.exceptions.ConnectionError('Connection reset by peer'),
        requests.exceptions.ReadTimeout('read timed out'),
        (200, xml_jobs(('j1', 'Success'), NextToken='')),
    ])
    assert all_jobs(harness) == ['j1']
    assert len(harness.sleeps) == 3


def test_connection_failure_after_retries_says_what_failed(scripted):
    harness = scripted([requests.exceptions.ConnectionError('[Errno 111] Connection refused')] * 2, retries=1)
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert str(caught.value) == ('CI request GET /jobs failed: connection error (connection refused) '
                                 '[request id none, 2 tries]')


def test_tls_failure_is_not_retried_and_says_what_to_do(scripted):
    harness = scripted([requests.exceptions.SSLError(
        '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1000)')])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert 'Set ca_path' in str(caught.value)
    assert harness.sleeps == []


def test_repeated_token_is_asked_again_then_refused(scripted):
    harness = scripted([
        (200, xml_jobs(('j1', 'Success'), NextToken='t1')),
        (200, xml_jobs(('j2', 'Success'), NextToken='t1')),   # would loop: asked again
        (200, xml_jobs(('j2', 'Success'), NextToken='t2')),
        (200, xml_jobs(('j3', 'Success'), NextToken='')),
    ])
    assert all_jobs(harness) == ['j1', 'j2', 'j3']
    harness = scripted([(200, xml_jobs(('j1', 'Success'), NextToken='t1'))]
                       + [(200, xml_jobs(('j2', 'Success'), NextToken='t1'))] * 3, retries=2)
    with pytest.raises(CIRequestError) as caught:
        all_jobs(harness)
    assert "returned NextToken 't1' a second time" in str(caught.value)


def test_clock_skew_is_corrected_once_with_a_warning(scripted):
    harness = scripted([
        (403, xml_error('RequestTimeTooSkewed', 'The difference between the request time and the server time is too large.'),
         {'Date': 'Wed, 15 Nov 2023 00:13:20 GMT'}),  # NOW + 7200 s
        (200, xml_jobs(NextToken='')),
        (200, xml_jobs(NextToken='')),
    ])
    harness.client.get('/jobs', LIST)
    assert harness.client.clock_offset == 7200
    assert harness.warnings and '+7200 seconds' in harness.warnings[0]
    assert 'q-sign-time=%d;' % (NOW + 7200 - 60) in harness.headers(1)['Authorization']
    harness.client.get('/jobs', LIST)
    assert 'q-sign-time=%d;' % (NOW + 7200 - 60) in harness.headers(2)['Authorization']
    assert harness.sleeps == []


def test_clock_skew_without_date_is_reported(scripted):
    harness = scripted([(403, xml_error('RequestTimeTooSkewed', 'too skewed'), {})])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert caught.value.code == 'RequestTimeTooSkewed'


def test_redirects_are_not_followed(scripted):
    harness = scripted([(302, b'', {'Location': 'http://elsewhere.example/'})])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', LIST)
    assert 'redirect' in str(caught.value)
    assert len(harness.adapter.requests) == 1


def test_no_secret_or_signature_in_any_error(scripted):
    failures = [(403, xml_error('AccessDenied', 'denied'), {}), (500, b'<html>' + SECRET_KEY.encode() + b'</html>', {})]
    for failure in failures:
        harness = scripted([failure], retries=0, security_token=TOKEN)
        with pytest.raises(CIRequestError) as caught:
            harness.client.get('/jobs', LIST)
        text = str(caught.value) + repr(caught.value.to_dict())
        signature = harness.headers(0)['Authorization'].split('q-signature=')[1]
        for secret in (SECRET_KEY, TOKEN, signature):
            assert secret not in text


@pytest.mark.parametrize('bucket', ['Example-1250000000', 'examplebucket', 'evil.com/x#-1', 'a.b@c-1', '..', 'a-1\n',
                                    '-bucket-1', u'examp\u0142ebucket-1250000000', 'bucket-', ''])
def test_bad_bucket_is_refused(bucket):
    with pytest.raises(CIValueError) as caught:
        _client.CIClient(secret_id='id', secret_key='key', bucket=bucket, region='ap-beijing')
    assert caught.value.option == 'bucket'
    assert 'bucket must be <BucketName>-<APPID>' in str(caught.value)


@pytest.mark.parametrize('region', ['ap beijing', 'evil.com', 'ap-beijing/x', 'AP-BEIJING', '..', 'ap-beijing#', 'x'])
def test_bad_region_is_refused(region):
    with pytest.raises(CIValueError) as caught:
        _client.CIClient(secret_id='id', secret_key='key', bucket=BUCKET, region=region)
    assert caught.value.option == 'region'


@pytest.mark.parametrize('url', ['evil.com', 'ftp://host', 'http://user:pass@host', 'https://a.b@c', 'http://host/path',
                                 'http://host?x=1', 'http://host#frag', 'http://ho st', 'http://host\n.evil', 'http://',
                                 u'http://\u0435xample.com', 'http://host:0', 'http://host:99999', 'http://-bad-.com',
                                 'http://evil.com/x#'])
def test_bad_endpoint_url_is_refused(url):
    with pytest.raises(CIValueError) as caught:
        _client.CIClient(secret_id='id', secret_key='key', bucket=BUCKET, endpoint_url=url)
    assert caught.value.option == 'endpoint_url'


@pytest.mark.parametrize('url, base, host', [
    ('http://127.0.0.1:8765', 'http://127.0.0.1:8765', '127.0.0.1:8765'),
    ('https://CI.Example.com/', 'https://ci.example.com', 'ci.example.com'),
    ('http://[::1]:80', 'http://[::1]:80', '[::1]:80'),
])
def test_good_endpoint_url(url, base, host):
    client = _client.CIClient(secret_id='id', secret_key='key', bucket=BUCKET, endpoint_url=url)
    assert (client.base_url, client.host) == (base, host)


def test_default_endpoint_and_required_values():
    client = _client.CIClient(secret_id='id', secret_key='key', bucket=BUCKET, region='ap-guangzhou')
    assert client.base_url == 'https://examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com'
    for missing, option in (({'secret_id': None}, 'secret_id'), ({'secret_key': ''}, 'secret_key'),
                            ({'region': None}, 'region'), ({'timeout': 0}, 'timeout'), ({'retries': -1}, 'retries')):
        kwargs = dict(secret_id='id', secret_key='key', bucket=BUCKET, region='ap-guangzhou')
        kwargs.update(missing)
        with pytest.raises(CIValueError) as caught:
            _client.CIClient(**kwargs)
        assert caught.value.option == option


def test_validate_certs_false_warns():
    warnings = []
    _client.CIClient(secret_id='id', secret_key='key', bucket=BUCKET, region='ap-beijing', validate_certs=False,
                     warn=warnings.append)
    assert warnings == ['TLS certificate verification is disabled (validate_certs=false): the identity of '
                        'examplebucket-1250000000.ci.ap-beijing.myqcloud.com is not checked.']


def test_a_front_end_414_with_an_html_body_halves_an_id_batch(scripted):
    """No CI error document, no code: the status alone says the batch was too long."""
    page = b'<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>stgw</body>\r\n</html>\r\n'
    wanted = ['j%04d' % n for n in range(300)]
    harness = scripted([
        (414, page, {'Content-Type': 'text/html'}),
        (200, xml_jobs(*[(job_id, 'Success') for job_id in wanted[:100]]), {}),
        (200, xml_jobs(*[(job_id, 'Success') for job_id in wanted[100:200]]), {}),
        (200, xml_jobs(*[(job_id, 'Success') for job_id in wanted[200:]]), {}),
    ])
    batches = _job_api.IdBatches()
    jobs, missing = _job_api.fetch_by_ids(harness.client, wanted, batches)
    assert [job['job_id'] for job in jobs] == wanted and missing == []
    assert [url.count('%2C') + 1 for url in harness.urls] == [200, 100, 100, 100]
    assert batches.size == 100
