# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every fault mode, the options count/after/paths, seeded rates, the skew state and spec errors."""

import email.utils
import http.client
import socket
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import read_jobs
from emu_client import Client, sign
from harness import Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE

LIST = {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '3'}
FIRST_ID = read_jobs()[0]['JobId']


def raw_request(port, path='/jobs/' + FIRST_ID):
    """Send one signed GET on a fresh socket; return the socket (caller reads)."""
    now = int(time.time())
    host = '127.0.0.1:%d' % port
    auth = sign('get', path, {}, {'host': host}, DEMO_SECRET_ID, DEMO_SECRET_KEY, now - 60, now + 600)['authorization']
    sock = socket.create_connection(('127.0.0.1', port), timeout=10)
    sock.sendall(('GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n\r\n' % (path, host, auth)).encode('ascii'))
    return sock


@pytest.mark.parametrize('kind, code', [('500', 'InternalError'), ('502', 'BadGateway'), ('503', 'ServiceUnavailable'),
                                        ('504', 'GatewayTimeout'), ('429', 'SlowDown')])
def test_status_faults(emu, client, kind, code):
    emu.set_faults(['%s,count=1,retry_after=7' % kind])
    reply = client.call('/jobs', LIST)
    assert reply.status == int(kind)
    assert reply.code == code
    assert reply.root.findtext('RequestId') == reply.headers['x-ci-request-id']
    assert reply.headers['retry-after'] == '7'
    assert client.call('/jobs', LIST).status == 200
    stats = emu.stats()
    assert stats['faults_injected'] == {'total': 1, 'by_kind': {kind: 1}, 'by_access_key': {DEMO_SECRET_ID: 1}}
    assert stats['requests']['by_status'] == {kind: 1, '200': 1}


def test_status_fault_without_retry_after(emu, client):
    emu.set_faults(['503'])
    reply = client.call('/jobs', LIST)
    assert reply.status == 503 and 'retry-after' not in reply.headers


def test_reset_sends_rst_and_no_response(emu, client):
    emu.set_faults(['reset,count=1'])
    sock = raw_request(emu.port)
    with pytest.raises(ConnectionResetError):
        data = sock.recv(65536)
        assert data == b'', 'a response arrived'
        raise AssertionError('orderly close (FIN) instead of a reset')
    sock.close()
    assert client.call('/jobs', LIST).status == 200
    assert emu.stats()['requests']['by_status'] == {'reset': 1, '200': 1}


def test_reset_seen_by_http_client(emu, client):
    emu.set_faults(['reset,count=1'])
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        client.call('/jobs', LIST)
    assert client.call('/jobs', LIST).status == 200


def test_delay(emu, client):
    emu.set_faults(['delay,seconds=0.6,count=1'])
    # the delay holds the request (test_a_held_request_is_in_flight_until_answered_and_settle_counts_it
    # proves that without a clock); here: it is answered normally and counted once
    assert client.call('/jobs', LIST).status == 200
    assert client.call('/jobs', LIST).status == 200
    assert emu.stats()['faults_injected'] == {'total': 1, 'by_kind': {'delay': 1}, 'by_access_key': {DEMO_SECRET_ID: 1}}


def test_a_held_request_is_in_flight_until_answered_and_settle_counts_it():
    """``in_flight``/``peak_in_flight`` and ``stats?settle``: what a test reads after a client gave up on a delay."""
    with Emulator(faults=['delay,seconds=8,count=1']) as own:
        held = Client('127.0.0.1', own.port, DEMO_SECRET_ID, DEMO_SECRET_KEY, timeout=0.5)
        with pytest.raises(OSError):  # socket.timeout: the client gives up, the emulator still holds it
            held.call('/jobs', LIST)
        quick = Client('127.0.0.1', own.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        assert quick.call('/jobs', LIST).status == 200  # answered while the first one is held
        quick.close()
        now = own.stats(settle=0)
        # the held request is in flight and not yet counted; the quick one is counted before its answer
        # is sent, but may still be leaving the server (its in_flight decrement races with this read)
        assert now['in_flight'] in (1, 2) and now['peak_in_flight'] == 2 and now['requests']['total'] == 1, now
        settled = own.stats()  # waits until the held request is answered, and counted
        assert (settled['in_flight'], settled['peak_in_flight']) == (0, 2), settled
        assert settled['requests']['by_status'] == {'200': 2} and settled['faults_injected']['by_kind'] == {'delay': 1}
        own.reset()  # the peak starts again from what is in flight
        assert own.stats()['peak_in_flight'] == 0


def test_truncate(emu, client):
    emu.set_faults(['truncate,count=1'])
    sock = raw_request(emu.port)
    data = b''
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    head, body = data.split(b'\r\n\r\n', 1)
    length = int([line.split(b':')[1] for line in head.split(b'\r\n') if line.lower().startswith(b'content-length')][0])
    assert head.startswith(b'HTTP/1.1 200')
    assert 0 < len(body) < length
    emu.set_faults(['truncate,count=1'])
    with pytest.raises(http.client.IncompleteRead):
        client.call('/jobs', LIST)


def test_malformed(emu, client):
    emu.set_faults(['malformed,count=1'])
    reply = client.call('/jobs', LIST)
    assert reply.status == 200 and reply.headers['content-type'] == 'application/xml'
    with pytest.raises(ET.ParseError):
        ET.fromstring(reply.body)


def test_html(emu, client):
    emu.set_faults(['html,count=1', 'html,status=200,count=1'])
    first = client.call('/jobs', LIST)
    assert first.status == 502 and first.headers['content-type'] == 'text/html' and b'<html>' in first.body
    second = client.call('/jobs', LIST)
    assert second.status == 200 and second.headers['content-type'] == 'text/html'


def test_empty(emu, client):
    emu.set_faults(['empty'])
    reply = client.call('/jobs', LIST)
    assert reply.status == 200 and reply.body == b'' and reply.headers['content-length'] == '0'


def test_repeat_token(emu, client):
    emu.set_faults(['repeat-token,count=1'])
    first = client.call('/jobs', LIST)
    assert first.next_token  # first pages (no nextToken) are never affected
    second = client.call('/jobs', dict(LIST, nextToken=first.next_token))
    assert second.status == 200 and second.job_ids
    assert second.next_token == first.next_token
    third = client.call('/jobs', dict(LIST, nextToken=first.next_token))
    assert third.next_token != first.next_token
    assert emu.stats()['faults_injected']['by_kind'] == {'repeat-token': 1}


def test_skew_moves_the_server_clock(emu, client):
    emu.set_faults(['skew,seconds=3600'])
    before = time.time()
    reply = client.call('/jobs', LIST)
    after = time.time()
    assert reply.status == 403 and reply.code == 'RequestTimeTooSkewed'
    served = email.utils.parsedate_to_datetime(reply.headers['date']).timestamp()
    # the Date was written between our two readings of the clock, 3600 s ahead (whole seconds)
    assert before + 3600 - 1 <= served <= after + 3600
    now = int(time.time()) + 3600
    assert client.call('/jobs', LIST, window=(now - 60, now + 600)).status == 200
    stats = emu.stats()
    assert stats['clock_skew'] == 3600 and stats['faults'] == ['skew,seconds=3600.0']
    emu.set_faults(['skew,seconds=-120'])
    assert client.call('/jobs', LIST).status == 200  # a start 60 s ahead of the server is tolerated


def test_after_and_count(emu, client):
    emu.set_faults(['503,after=2,count=2'])
    statuses = [client.call('/jobs', LIST).status for _round in range(6)]
    assert statuses == [200, 200, 503, 503, 200, 200]


@pytest.mark.parametrize('paths, expect', [('get', [200, 503, 404]), ('list', [503, 200, 404]), ('other', [200, 200, 503]),
                                           ('list+get', [503, 503, 404])])
def test_paths_scope(emu, client, paths, expect):
    emu.set_faults(['503,paths=%s' % paths])
    statuses = [client.call('/jobs', LIST).status, client.call('/jobs/' + FIRST_ID).status, client.call('/nope').status]
    assert statuses == expect


def test_first_fault_that_fires_answers(emu, client):
    emu.set_faults(['503,count=1', '500,count=1'])
    assert [client.call('/jobs', LIST).status for _round in range(3)] == [503, 500, 200]


def _sequence(emu, client, seed):
    emu.reset()
    emu.set_faults(['503@0.5'], seed=seed)
    return [client.call('/jobs', LIST).status for _round in range(40)]


def test_rate_is_seeded_and_reproducible(emu, client):
    one = _sequence(emu, client, 1)
    assert one == _sequence(emu, client, 1)
    assert one != _sequence(emu, client, 2)
    assert 8 <= one.count(503) <= 32
    emu.set_faults(['503@0'])
    assert all(client.call('/jobs', LIST).status == 200 for _round in range(10))


def test_faults_leave_the_control_endpoint_alone(emu, client):
    emu.set_faults(['reset', '503'])
    assert emu.stats()['faults'] == ['reset', '503']
    emu.set_faults([])
    assert client.call('/jobs', LIST).status == 200


def test_reset_clears_faults(emu, client):
    emu.set_faults(['503'])
    emu.reset()
    assert emu.stats()['faults'] == []
    assert client.call('/jobs', LIST).status == 200


@pytest.mark.parametrize('spec', ['boom', '503@2', '503@x', '503@-0.1', '503,count=-1', '503,count', '503,seconds=1',
                                  'delay,seconds=-1', 'delay,seconds=x', 'html,status=99', 'reset,retry_after=1', 'skew',
                                  'skew@0.5,seconds=1', 'skew,seconds=1,count=1', '503,paths=nowhere', '', 5])
def test_bad_specs_are_refused_and_keep_the_old_plan(emu, spec):
    emu.set_faults(['500,count=1'])
    with pytest.raises(RuntimeError) as info:
        emu.set_faults([spec])
    assert '(400)' in str(info.value)
    assert emu.stats()['faults'] == ['500,count=1']


def test_bad_seed_is_refused(emu):
    with pytest.raises(RuntimeError):
        emu.set_faults(['503'], seed='one')


def test_faults_from_the_command_line():
    with Emulator(faults=['429,count=1,retry_after=3', 'delay,seconds=0.01'], fault_seed=5) as emu:
        cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        first = cli.call('/jobs', LIST)
        assert first.status == 429 and first.code == 'SlowDown' and first.headers['retry-after'] == '3'
        assert cli.call('/jobs', LIST).status == 200
        stats = emu.stats()
        assert stats['fault_seed'] == 5
        assert stats['faults_injected']['by_kind'] == {'429': 1, 'delay': 1}
        cli.close()
