# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication, Host and routing errors: status, CI error body, headers; never a secret in a message."""

import email.utils
import time

import pytest

from conftest import TEMP_KEY, TEMP_TOKEN, read_jobs
from emu_client import Client
from harness import DEMO_BUCKET, DEMO_REGION, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE

LIST = {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '3'}
FIRST_ID = read_jobs()[0]['JobId']
SECRETS = [DEMO_SECRET_KEY, TEMP_KEY, TEMP_TOKEN]


def assert_error(reply, status, code):
    assert reply.status == status, reply
    assert reply.headers['content-type'] == 'application/xml'
    assert int(reply.headers['content-length']) == len(reply.body)
    root = reply.root
    assert root.tag == 'Error'
    assert [c.tag for c in root] == ['Code', 'Message', 'RequestId', 'TraceId']
    assert root.findtext('Code') == code
    assert root.findtext('Message')
    assert root.findtext('RequestId') == reply.headers['x-ci-request-id']
    assert root.findtext('TraceId') == reply.headers['x-ci-trace-id']
    text = reply.body.decode('utf-8') + repr(reply.headers)
    for secret in SECRETS:
        assert secret not in text
    return root.findtext('Message')


def test_success_headers(client):
    before = time.time()
    reply = client.call('/jobs', LIST)
    after = time.time()
    assert reply.status == 200
    assert reply.headers['server'] == 'tencent-ci'
    assert reply.headers['x-ci-request-id']
    assert 'x-ci-trace-id' not in reply.headers
    served = email.utils.parsedate_to_datetime(reply.headers['date']).timestamp()
    assert before - 1 <= served <= after  # written between our two readings of the clock (whole seconds)
    assert int(reply.headers['content-length']) == len(reply.body)


def test_request_ids_are_unique(client):
    ids = set(client.call('/jobs', LIST).headers['x-ci-request-id'] for _round in range(20))
    assert len(ids) == 20


def test_missing_authorization(client):
    assert_error(client.call('/jobs', LIST, authorization=''), 401, 'MissingAuthorization')


@pytest.mark.parametrize('mutate', [
    lambda a: 'garbage',
    lambda a: a.split('&q-signature=')[0],
    lambda a: a + '&q-ak=other',
    lambda a: a.replace('q-sign-algorithm=sha1', 'q-sign-algorithm=sha256'),
    lambda a: a.replace('q-sign-time=', 'q-sign-time=x'),
    lambda a: a.replace('q-key-time=', 'q-key-time=99999999999;'),
    lambda a: a.replace('q-ak=%s' % DEMO_SECRET_ID, 'q-ak='),
    lambda a: a.replace('&q-header-list=', '&q-header-list'),
], ids=['garbage', 'no-signature', 'duplicate-key', 'sha256', 'bad-time', 'start-after-end', 'empty-ak', 'no-equals'])
def test_invalid_authorization(client, mutate):
    assert_error(client.call('/jobs', LIST, mutate=mutate), 401, 'InvalidAuthorization')


def test_unknown_secret_id(emu):
    cli = Client('127.0.0.1', emu.port, 'AKIDUNKNOWN', DEMO_SECRET_KEY)
    assert_error(cli.call('/jobs', LIST), 403, 'InvalidAccessKeyId')
    cli.close()


def test_wrong_secret_key(emu):
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY + 'x')
    assert_error(cli.call('/jobs', LIST), 403, 'SignatureDoesNotMatch')
    cli.close()


@pytest.mark.parametrize('position', [-1, -20, -40])
def test_one_character_of_the_signature_changed(client, position):
    def mutate(authorization):
        char = authorization[position]
        return authorization[:position] + ('a' if char != 'a' else 'b') + (authorization[position + 1:] if position != -1 else '')
    assert client.call('/jobs', LIST).status == 200
    assert_error(client.call('/jobs', LIST, mutate=mutate), 403, 'SignatureDoesNotMatch')


def test_every_cos_and_ci_header_must_be_signed(client):
    assert client.call('/jobs', LIST, headers={'x-cos-meta-a': '1'}).status == 200
    for name in ('x-cos-meta-a', 'x-ci-something', 'X-Cos-Sdk-Retry'):
        message = assert_error(client.call('/jobs', LIST, unsigned={name: 'true'}), 403, 'SignatureDoesNotMatch')
        assert name.lower() in message
    assert client.call('/jobs', LIST, unsigned={'User-Agent': 'x', 'Accept': '*/*'}).status == 200


def test_signed_header_must_be_present(client):
    def mutate(authorization):
        return authorization.replace('q-header-list=host', 'q-header-list=content-type;host')
    message = assert_error(client.call('/jobs', LIST, mutate=mutate), 403, 'SignatureDoesNotMatch')
    assert 'content-type' in message


def test_signed_parameter_must_be_present(client):
    params = dict(LIST, states='All')
    raw = 'queueId=%s&tag=Translation&size=3' % GOOD_QUEUE  # states signed but not sent
    message = assert_error(client.call('/jobs', params, query=raw), 403, 'SignatureDoesNotMatch')
    assert 'states' in message


def test_unsigned_parameters_are_allowed(client):
    """Only the params in q-url-param-list are signed (the SDK does not sign ?cancel and the like)."""
    params = dict(LIST, states='Success', orderByTime='Asc')
    assert client.call('/jobs', params, sign_params={'queueId', 'tag'}).status == 200
    assert client.call('/jobs', params, sign_params=set()).status == 200


def test_plus_in_query_is_a_space(client):
    """Form decoding: a value sent with + is signed with %20 (what the SDK does for spaces)."""
    params = dict(LIST, inputObject='docs/a b.txt')
    raw = 'queueId=%s&tag=Translation&size=3&inputObject=docs/a+b.txt' % GOOD_QUEUE
    assert client.call('/jobs', params, query=raw).status == 200
    assert client.call('/jobs', params).status == 200  # %20 on the wire
    # a literal + in a time offset becomes a space: the value is then not a valid time
    params = dict(LIST, startCreationTime='2024-05-01T00:00:00 0800')
    raw = 'queueId=%s&tag=Translation&size=3&startCreationTime=2024-05-01T00:00:00+0800' % GOOD_QUEUE
    assert_error(client.call('/jobs', params, query=raw), 400, 'InvalidArgument')


def test_host_signed_with_or_without_port(client):
    host = '127.0.0.1:%d' % client.port
    assert client.call('/jobs', LIST, host=host, signed_host=host).status == 200
    assert client.call('/jobs', LIST, host=host, signed_host='127.0.0.1').status == 200
    assert_error(client.call('/jobs', LIST, host=host, signed_host='127.0.0.2'), 403, 'SignatureDoesNotMatch')


@pytest.mark.parametrize('host', ['127.0.0.1', 'localhost', 'localhost:{port}', 'LOCALHOST:{port}',
                                  DEMO_BUCKET + '.ci.' + DEMO_REGION + '.myqcloud.com',
                                  DEMO_BUCKET + '.ci.' + DEMO_REGION + '.myqcloud.com:{port}',
                                  DEMO_BUCKET + '.ci.' + DEMO_REGION + '.myqcloud.com:443'])
def test_accepted_hosts(client, host):
    assert client.call('/jobs', LIST, host=host.format(port=client.port)).status == 200


@pytest.mark.parametrize('host, status, code', [
    ('otherbucket-1250000000.ci.%s.myqcloud.com' % DEMO_REGION, 404, 'NoSuchBucket'),
    ('%s.ci.ap-beijing.myqcloud.com' % DEMO_BUCKET, 404, 'NoSuchBucket'),
    ('%s.cos.%s.myqcloud.com' % (DEMO_BUCKET, DEMO_REGION), 400, 'InvalidHost'),
    ('example.com', 400, 'InvalidHost'),
    ('127.0.0.1:1', 400, 'InvalidHost'),
    ('localhost:port', 400, 'InvalidHost'),
])
def test_refused_hosts(client, host, status, code):
    assert_error(client.call('/jobs', LIST, host=host), status, code)


def test_missing_host_header(emu):
    import http.client
    conn = http.client.HTTPConnection('127.0.0.1', emu.port, timeout=10)
    conn.putrequest('GET', '/jobs', skip_host=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 400 and b'<Code>InvalidHost</Code>' in body


def test_time_window(client):
    now = int(time.time())
    assert client.call('/jobs', LIST, window=(now - 60, now + 60)).status == 200
    # a start up to 15 minutes ahead of the server is tolerated as clock skew
    assert client.call('/jobs', LIST, window=(now + 600, now + 1200)).status == 200
    message = assert_error(client.call('/jobs', LIST, window=(now - 600, now - 300)), 403, 'AccessDenied')
    assert message == 'Request has expired'
    assert_error(client.call('/jobs', LIST, window=(now - 7200, now - 3600)), 403, 'RequestTimeTooSkewed')
    assert_error(client.call('/jobs', LIST, window=(now + 1000, now + 3600)), 403, 'RequestTimeTooSkewed')


def test_temporary_credentials(temp_client):
    assert temp_client.call('/jobs', LIST).status == 200
    assert temp_client.call('/jobs/' + FIRST_ID).job_ids == [FIRST_ID]
    assert temp_client.call('/jobs', LIST, token_header='x-cos-security-token').status == 200
    assert_error(temp_client.call('/jobs', LIST, token_header=None), 403, 'InvalidAccessKeyId')
    assert_error(temp_client.call('/jobs', LIST, token_header=None, unsigned={'x-ci-security-token': TEMP_TOKEN}), 403,
                 'SignatureDoesNotMatch')
    temp_client.token = TEMP_TOKEN + 'x'
    assert_error(temp_client.call('/jobs', LIST), 403, 'AccessDenied')


@pytest.mark.parametrize('path', ['/', '/nope', '/jobs/a/b', '/jobsx', '/_emulatorx'])
def test_invalid_url(client, path):
    assert_error(client.call(path, wire_path=path), 404, 'InvalidUrl')


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE'])
def test_method_not_allowed(client, method):
    assert_error(client.call('/jobs', LIST, method=method), 405, 'MethodNotAllowed')


def test_checks_come_before_routing(client):
    """An unknown path without a signature is refused as unauthenticated, not as unknown."""
    assert_error(client.call('/nope', authorization=''), 401, 'MissingAuthorization')
    assert_error(client.call('/jobs', {'tag': 'Translation'}, authorization=''), 401, 'MissingAuthorization')
