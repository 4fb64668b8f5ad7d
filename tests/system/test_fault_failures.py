# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A fault that never stops ends in ONE clean failure, through the module and the lookup.

Each fault fires on every request (rate 1) while the module and the lookup list 2,000 jobs
with ``retries: 2``. The run must fail without a traceback, with a message that carries the
HTTP status, CI's error code and the request id whenever the service answered, and the number
of tries; the emulator must have seen exactly that many requests (retries bounded in count).
A non-retryable answer (a bad signature, a 403 HTML page) is tried once. How long the client
sleeps between tries (backoff, Retry-After, the time budget) is proved with an injected sleep
in ``test_retry_policy.py`` and the unit tests, not here: nothing here measures time.
"""

from __future__ import annotations

import re

import pytest

import matrix
import sysutil

SECRET_ID = 'AKIDSYSTEMFAULTFAILURE00000000000000'
SECRET_KEY = 'system-fault-failure-key-000000000000'
RETRIES = {'retries': 2}
GROUPS = 4
RID_RE = re.compile(r'request id ([A-Za-z0-9+/=_-]{8,})[,\]]')


def case_is_held(fault_case):
    """Does the case hold answers past the client's timeout (a delay fault)?"""
    return any(spec.startswith('delay') for spec in fault_case.faults)


def case(name, faults, seed, status, code, reason, tries=3, requests=None, options=None):
    expect = dict(status=status, code=code, reason=reason, tries=tries, requests=requests or tries)
    return matrix.Case(name, faults, seed, dict(RETRIES, **(options or {})), expect)


CASES = [
    case('500', ['500'], 1, 500, 'InternalError', 'internal error'),
    case('502', ['502'], 2, 502, 'BadGateway', 'invalid response'),
    case('503', ['503'], 3, 503, 'ServiceUnavailable', 'temporarily unavailable'),
    case('504', ['504'], 4, 504, 'GatewayTimeout', 'timed out'),
    case('429 without Retry-After', ['429'], 5, 429, 'SlowDown', 'reduce your request rate'),
    case('429 with Retry-After', ['429,retry_after=1'], 6, 429, 'SlowDown', 'reduce your request rate'),
    case('connection reset', ['reset'], 7, None, None, 'connection error'),
    case('response slower than timeout', ['delay,seconds=10'], 8, None, None, 'timed out waiting for the response',
         options={'timeout': 3}),
    case('truncated body', ['truncate'], 9, 200, None, 'the response body was cut short'),
    case('malformed XML', ['malformed'], 10, 200, None, 'not well-formed XML'),
    case('HTML error page 502', ['html'], 11, 502, None, 'not a CI error document (text/html'),
    case('HTML page with 403 (not retried)', ['html,status=403'], 12, 403, None, 'not a CI error document (text/html',
         tries=1),
    case('empty 200', ['empty'], 13, 200, None, 'the response body is empty'),
    case('repeated NextToken', ['repeat-token'], 14, 200, None, 'a second time, so the listing would loop',
         requests=4),
    case('bad signature (not retried)', [], 15, 403, 'SignatureDoesNotMatch', 'does not match', tries=1,
         options={'secret_key': 'not-the-key-of-this-secret-id-00000'}),
]


@pytest.fixture(scope='module')
def failure_runs(emulators, jobs2000, tmp_path_factory):
    path, dummy = jobs2000
    return matrix.run_groups(CASES, GROUPS, emulators, path, SECRET_ID, SECRET_KEY,
                             str(tmp_path_factory.mktemp('failures')))


def test_failure_runs_are_clean(failure_runs):
    for run in set(failure_runs.values()):
        sysutil.assert_no_traceback(run)
        # every case failed (ignore_errors), nothing else did
        failed = [r['task'] for r in run.records if r['status'] == 'failed']
        assert len(failed) == 2 * len(set(r['task'].rsplit(' ', 1)[0] for r in run.records if r['status'] == 'failed'))
        assert not any(r['status'] == 'failed' and 'stats' in r['task'] for r in run.records)


@pytest.mark.parametrize('side', ['module', 'lookup'])
@pytest.mark.parametrize('fault', CASES, ids=[c.name for c in CASES])
def test_clean_failure(failure_runs, fault, side):
    run = failure_runs[fault.name]
    record, stats, ids, message = matrix.outcome(run, fault, side)
    expect = fault.expect
    assert ids is None and message, 'expected a failure under %s, got %s jobs' % (fault.faults, len(ids or ()))
    # one line, our words, no header
    assert 'CI request GET /jobs failed: ' in message
    for header in ('Authorization', 'q-signature', 'x-ci-security-token', 'User-Agent', SECRET_KEY):
        assert header not in message
    # status, code, request id, tries
    if expect['status'] is not None:
        assert 'HTTP %d' % expect['status'] in message
    else:
        assert 'HTTP ' not in message
    if expect['code']:
        assert 'HTTP %d %s' % (expect['status'], expect['code']) in message
    assert expect['reason'] in message
    tries = '%d %s]' % (expect['tries'], 'try' if expect['tries'] == 1 else 'tries')
    assert tries in message, message
    rid = RID_RE.search(message)
    if expect['status'] is not None:
        assert rid, 'no request id in %r' % message
    else:
        assert 'request id none' in message
    if side == 'module':
        error = record['result']['error']
        assert error['status'] == expect['status'] and error['code'] == expect['code']
        assert error['tries'] == expect['tries'] and error['method'] == 'GET' and error['path'] == '/jobs'
        assert (error['request_id'] == rid.group(1)) if rid else error['request_id'] is None
    # bounded in count: exactly the tries (after the pages that succeeded), each one answered with the fault.
    # A held answer the client gave up on (a delay fault longer than its timeout) is the one exception: on a
    # loaded machine the emulator may count one request more than the client's tries (seen once: 4 for 3),
    # so there the client's own count above (tries in the message and in error.tries) is exact and the
    # server's is bounded.
    # Counted per access key (matrix.own_counts): only the requests this case's clients signed.
    requests, injected = matrix.own_counts(stats, SECRET_ID)
    if case_is_held(fault):
        assert expect['requests'] <= requests <= expect['requests'] + 1, stats
    else:
        assert requests == expect['requests'], stats
    if fault.faults and expect['requests'] == expect['tries']:
        assert expect['tries'] <= injected <= expect['tries'] + (1 if case_is_held(fault) else 0), stats
