# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The event filter qcloud.ci.ci_callback, and the emulator pushing CI's callback to it (issue 16)."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time

import pytest

from conftest import FILTER_PATH, GOOD_QUEUE, job_line, load_plugin

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'unit', 'plugins', 'module_utils',
                       'fixtures', 'ci_callback')


@pytest.fixture(scope='module')
def ci_filter():
    return load_plugin(FILTER_PATH)['main']


def sample(name):
    with open(os.path.join(SAMPLES, name), encoding='utf-8') as handle:
        return handle.read()


def test_a_webhook_event_with_the_published_xml_callback_gets_job_facts(ci_filter):
    event = ci_filter({'payload': sample('speech_recognition.xml'), 'meta': {'endpoint': 'ci'}})
    assert event['job']['state'] == 'Success' and event['job']['job_id'] == 's886c0a7c2a6611ed847a618901112dcf'
    assert event['ci_event_name'] == 'TaskFinish' and len(event['jobs']) == 1
    assert event['meta'] == {'endpoint': 'ci'} and 'ci_callback_error' not in event


def test_a_parsed_json_callback_and_another_key_are_read(ci_filter):
    body = json.loads(sample('words_generalize.repaired.json'))
    event = ci_filter({'body': {'ci': body}}, key='body.ci')
    assert event['job']['job_id'] == 'ac34be3aa0bf411ed9ce39d7cc972e427'


def test_an_event_that_is_no_callback_passes_with_the_reason(ci_filter):
    assert ci_filter({'payload': {'hello': 1}}) == {'payload': {'hello': 1},
                                                    'ci_callback_error': 'the callback carries no JobsDetail element'}
    assert ci_filter({'other': 1}) == {'other': 1, 'ci_callback_error': 'the event has no payload'}
    assert ci_filter({'payload': sample('words_generalize.json')}, strict=True) == {'payload': sample('words_generalize.json')}


class Receiver(object):
    """A webhook stand-in on 127.0.0.1: keeps every POST (content type, body)."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers['Content-Length']))
                received.append((self.headers['Content-Type'], body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d/ci' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count, guard=30.0):
        """Wait (a hang guard, not a measure) until ``count`` callbacks arrived."""
        end = time.monotonic() + guard
        while len(self.received) < count and time.monotonic() < end:
            time.sleep(0.05)
        return self.received

    def close(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture()
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


def moving_job(job_id, final, after=0.3):
    line = json.loads(job_line(job_id, 'Running'))
    line['_Transitions'] = [{'after': after, 'State': final}]
    return json.dumps(line)


@pytest.mark.parametrize('fmt, content_type', [('xml', 'application/xml'), ('json', 'application/json')])
def test_the_emulator_pushes_the_callback_of_a_job_that_finishes(emu, receiver, ci_filter, fmt, content_type):
    emu.load_jobs([moving_job('moves', 'Failed'), job_line('done', 'Success'), job_line('stays', 'Running')])
    assert emu.control('POST', 'callback', {'url': receiver.url, 'format': fmt})['sent'] == 0
    received = receiver.wait_for(1)
    try:
        assert len(received) == 1
        ctype, body = received[0]
        assert ctype == content_type
        payload = body.decode('utf-8') if fmt == 'xml' else json.loads(body.decode('utf-8'))
        event = ci_filter({'payload': payload})
        assert event['job']['job_id'] == 'moves' and event['job']['state'] == 'Failed'
        assert event['job']['queue_id'] == GOOD_QUEUE and event['job']['end_time']
        assert event['ci_event_name'] == 'TaskFinish'
        status = emu.control('GET', 'callback')
        assert status['sent'] == 1 and status['failed'] == 0
    finally:
        emu.control('POST', 'callback', {'url': ''})


def test_a_callback_that_cannot_be_delivered_is_counted(emu, receiver):
    url = receiver.url
    receiver.close()
    emu.control('POST', 'callback', {'url': url})
    emu.load_jobs([moving_job('moves', 'Cancel', after=0.2)])
    try:
        end = time.monotonic() + 30
        while emu.control('GET', 'callback')['failed'] < 1 and time.monotonic() < end:
            time.sleep(0.05)
        status = emu.control('GET', 'callback')
        assert status['failed'] == 1 and status['sent'] == 0 and status['last_error'].startswith('moves: ')
    finally:
        emu.control('POST', 'callback', {'url': ''})


@pytest.mark.parametrize('payload, message', [
    ({'url': 'ftp://x'}, 'callback url must be an http'),
    ({'url': 'http://127.0.0.1:1/', 'format': 'yaml'}, 'callback format must be one of xml, json'),
])
def test_a_bad_callback_setting_is_refused(emu, payload, message):
    with pytest.raises(RuntimeError, match=message):
        emu.control('POST', 'callback', payload)
