# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared fakes of the unit tests, in one place: import them from here.

* ``SECRET_ID`` ... ``NOW``: the credentials, bucket and time every unit test uses;
* ``xml_jobs`` / ``xml_error``: CI response bodies;
* ``ScriptedAdapter``: a requests adapter that records every request and answers from a script;
* ``FakeTime``: simulated wall clock, monotonic clock and sleep (sleeping advances both clocks);
* ``Harness``: a ``CIClient`` wired to a ``ScriptedAdapter`` and a ``FakeTime``;
* ``patch_sessions``: makes every ``CIClient`` created afterwards answer from a script (for the
  module and the lookup, which build their own client);
* ``run_main`` / ``failed_main``: a module's ``main()`` run with arguments, its result read back,
  and checked to carry no secret (``ENDPOINT``, ``CONNECTION`` and ``DROP`` build the arguments).

The fixtures that hand these out are in ``tests/unit/plugins/conftest.py``.
"""

from __future__ import annotations

import json

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ansible_collections.qcloud.ci.plugins.module_utils import _client
from ansible_collections.qcloud.ci.tests.unit.compat import patch_module_args

SECRET_ID = 'AKIDUNITTEST0000000000000000000000'
SECRET_KEY = 'unit-test-secret-key-do-not-print'
TOKEN = 'unit-test-session-token-do-not-print'
BUCKET = 'examplebucket-1250000000'
REGION = 'ap-beijing'
HOST = BUCKET + '.ci.' + REGION + '.myqcloud.com'
NOW = 1700000000.0          # the simulated wall clock (2023-11-14T22:13:20Z)
MONOTONIC = 5000.0          # the simulated monotonic clock
ENDPOINT = 'http://127.0.0.1:8765'  # an endpoint_url for clients whose HTTP is scripted (nothing listens)
CONNECTION = dict(bucket=BUCKET, endpoint_url=ENDPOINT, secret_id=SECRET_ID, secret_key=SECRET_KEY)
DROP = object()             # as a module argument's value: leave the option out


def xml_jobs(*jobs, **extra):
    """A <Response> page: jobs are (job_id, state) pairs; extra elements such as NextToken follow."""
    parts = ['<Response>']
    for job_id, state in jobs:
        parts.append('<JobsDetail><Code>Success</Code><Message/><JobId>%s</JobId><Tag>Translation</Tag>'
                     '<State>%s</State><CreationTime>2024-05-01T10:00:00+0800</CreationTime><StartTime>-</StartTime>'
                     '<EndTime>-</EndTime><QueueId>p1</QueueId><Input><Object>in/%s.txt</Object></Input>'
                     '</JobsDetail>' % (job_id, state, job_id))
    for key, value in extra.items():
        parts.append('<%s>%s</%s>' % (key, value, key))
    parts.append('</Response>')
    return ''.join(parts).encode('utf-8')


def xml_error(code, message, request_id='NjU0ZTZhYjJfYTM2MjBiMDlfMWNiNV8x'):
    return ('<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId><TraceId>trace-1</TraceId></Error>'
            % (code, message, request_id)).encode('utf-8')


class FakeTime(object):
    """Simulated time: ``time()``, ``monotonic()`` and ``sleep()``, which records and advances both clocks."""

    def __init__(self, now=NOW, monotonic=MONOTONIC):
        self.now = now
        self.mono = monotonic
        self.sleeps = []

    def time(self):
        return self.now

    def monotonic(self):
        return self.mono

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds):
        self.now += seconds
        self.mono += seconds


class ScriptedAdapter(BaseAdapter):
    """Answers each request with the next scripted item: an exception, or (status, body[, headers]).

    ``on_send(request, kwargs)``, when given, runs first for every request (e.g. to let simulated
    time pass while the request is on the wire).
    """

    def __init__(self, script, on_send=None):
        super().__init__()
        self.script = list(script)
        self.requests = []
        self.on_send = on_send

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.requests.append((request, kwargs))
        if self.on_send is not None:
            self.on_send(request, kwargs)
        if not self.script:
            raise AssertionError('unexpected request %s %s' % (request.method, request.url))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        status, body, headers = (item + ({},))[:3] if len(item) == 2 else item
        response = requests.Response()
        response.status_code = status
        response._content = body  # pylint: disable=protected-access
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class Harness(object):
    """A ``CIClient`` answering from ``script`` on simulated time.

    ``request_seconds`` is how long each request takes in simulated time. ``sleeps`` are the
    client's sleeps; ``now`` is the wall clock (settable); ``time`` is the ``FakeTime``.
    """

    def __init__(self, script, request_seconds=0.0, **kwargs):
        self.warnings = []
        self.time = FakeTime()
        options = dict(secret_id=SECRET_ID, secret_key=SECRET_KEY, bucket=BUCKET, region=REGION,
                       warn=self.warnings.append, clock=self.time.time, monotonic=self.time.monotonic,
                       sleep=self.time.sleep, rand=lambda: 0.5)
        options.update(kwargs)
        self.client = _client.CIClient(**options)
        self.adapter = ScriptedAdapter(script, on_send=lambda request, kwargs: self.time.advance(request_seconds))
        self.client._session.mount('https://', self.adapter)  # pylint: disable=protected-access
        self.client._session.mount('http://', self.adapter)  # pylint: disable=protected-access

    @property
    def sleeps(self):
        return self.time.sleeps

    @property
    def now(self):
        return self.time.now

    @now.setter
    def now(self, value):
        self.time.now = value

    @property
    def urls(self):
        return [request.url for request, dummy in self.adapter.requests]

    def headers(self, index=-1):
        return self.adapter.requests[index][0].headers

    def timeouts(self):
        return [kwargs['timeout'] for dummy, kwargs in self.adapter.requests]


def patch_sessions(monkeypatch, script):
    """Make every ``CIClient`` created afterwards answer from ``script``.

    Returns the ``ScriptedAdapter``: ``.requests`` lists what was sent, in order; ``.sessions``
    counts the HTTP sessions (one per client) opened.
    """
    adapter = ScriptedAdapter(script)
    adapter.sessions = 0

    class Session(requests.Session):
        def __init__(self):
            super().__init__()
            adapter.sessions += 1
            self.mount('https://', adapter)
            self.mount('http://', adapter)

    monkeypatch.setattr(_client.requests, 'Session', Session)
    return adapter


def run_main(capsys, main, args):
    """Run a module's ``main()`` with ``args`` (``DROP`` values left out); return (exit code, result).

    Fails the test if the secret key or the session token appears anywhere in the output.
    """
    args = dict((name, value) for name, value in args.items() if value is not DROP)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as caught:
            main()
    out = capsys.readouterr().out
    assert SECRET_KEY not in out and TOKEN not in out
    return caught.value.code, json.loads(out)


def failed_main(capsys, main, args):
    """``run_main`` for a run that must fail cleanly: exit code 1, ``failed``, no traceback; returns the result."""
    code, result = run_main(capsys, main, args)
    assert code == 1 and result['failed'] is True
    assert 'exception' not in result and 'Traceback' not in result['msg']
    return result
