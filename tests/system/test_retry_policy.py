# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's retry policy, in this process, over real sockets to the emulator.

* backoff is exponential with FULL jitter: the sleeps drawn with two seeds differ, every sleep
  lies in [0, min(10, 0.5 x 2^(n-1))], and no two runs sleep the same;
* ``Retry-After`` is honoured (the one sleep between the two requests is the header's value)
  and clamped to 30 s; a request gives up before its sleeps would pass 120 s;
* the count is bounded: the emulator sees exactly retries + 1 requests.

The client's ``sleep`` is injected and records what it was asked to sleep: the assertions are
on those simulated seconds and on the emulator's counters, never on the wall clock.
"""

from __future__ import annotations

import random

import pytest

from harness import GOOD_QUEUE

from ansible_collections.qcloud.ci.plugins.module_utils import _client
from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIRequestError

SECRET_ID = 'AKIDSYSTEMRETRYPOLICY000000000000000'
SECRET_KEY = 'system-retry-policy-key-0000000000000'
LIST = {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '100'}


@pytest.fixture(scope='module')
def emu(emulators):
    return emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY)


def client(emu, **kwargs):
    options = dict(secret_id=SECRET_ID, secret_key=SECRET_KEY, bucket='examplebucket-1250000000',
                   endpoint_url=emu.url, timeout=5)
    options.update(kwargs)
    return _client.CIClient(**options)


def failing_sleeps(emu, seed, retries):
    """The sleeps of one request that fails every try (503), with a seeded jitter source."""
    emu.reset()
    emu.set_faults(['503'])
    sleeps = []
    with client(emu, retries=retries, sleep=sleeps.append, rand=random.Random(seed).random) as cli:
        with pytest.raises(CIRequestError) as caught:
            cli.get('/jobs', LIST)
    assert caught.value.status == 503 and caught.value.tries == retries + 1
    assert emu.stats()['requests']['total'] == retries + 1
    return sleeps


def test_backoff_is_exponential_with_full_jitter(emu):
    first = failing_sleeps(emu, 1, 12)
    second = failing_sleeps(emu, 2, 12)
    assert len(first) == len(second) == 12
    assert first != second
    for sleeps in (first, second):
        for number, seconds in enumerate(sleeps, 1):
            assert 0 <= seconds <= min(_client.BACKOFF_CAP, _client.BACKOFF_BASE * 2 ** (number - 1))
        # jitter: every sleep differs (a fixed backoff would repeat the cap from the 6th retry on)
        assert len(set(sleeps)) == len(sleeps)
    # the same seed draws the same sleeps: the randomness is the client's rand, nothing else
    assert failing_sleeps(emu, 1, 12) == first


def test_retry_after_is_honoured_between_the_two_requests(emu):
    emu.reset()
    emu.set_faults(['429,count=1,retry_after=2'])
    sleeps = []
    with client(emu, sleep=sleeps.append) as cli:
        page = cli.get('/jobs', LIST)
    assert len(page['jobs_detail']) == 12
    # one sleep, between the 429 and the retry, of exactly the header's value (no jitter added)
    assert sleeps == [2.0]
    assert emu.stats()['requests']['by_status'] == {'429': 1, '200': 1}


def test_without_retry_after_the_first_backoff_is_short(emu):
    emu.reset()
    emu.set_faults(['429,count=1'])
    sleeps = []
    with client(emu, sleep=sleeps.append, rand=lambda: 0.999999) as cli:
        cli.get('/jobs', LIST)
    # the first backoff is drawn from [0, BACKOFF_BASE = 0.5 s]: even the largest draw is short
    assert len(sleeps) == 1 and 0 < sleeps[0] <= _client.BACKOFF_BASE == 0.5
    assert emu.stats()['requests']['by_status'] == {'429': 1, '200': 1}


def test_retry_after_is_clamped(emu):
    emu.reset()
    emu.set_faults(['503,count=1,retry_after=3600'])
    sleeps = []
    with client(emu, sleep=sleeps.append) as cli:
        cli.get('/jobs', LIST)
    assert sleeps == [_client.RETRY_AFTER_CAP] == [30.0]


def test_total_sleep_per_request_is_budgeted(emu):
    emu.reset()
    emu.set_faults(['503,retry_after=30'])
    sleeps = []
    with client(emu, retries=20, sleep=sleeps.append) as cli:
        with pytest.raises(CIRequestError) as caught:
            cli.get('/jobs', LIST)
    assert sleeps == [30.0] * 4 and sum(sleeps) <= _client.RETRY_TIME_BUDGET
    assert caught.value.tries == 5
    assert 'gave up: the next retry would exceed 120 s of waiting' in str(caught.value)
    assert emu.stats()['requests']['total'] == 5


def test_non_retryable_status_is_tried_once(emu):
    emu.reset()
    sleeps = []
    with client(emu, secret_key='a-wrong-key-for-this-secret-id', sleep=sleeps.append) as cli:
        with pytest.raises(CIRequestError) as caught:
            cli.get('/jobs', LIST)
    assert (caught.value.status, caught.value.code, caught.value.tries) == (403, 'SignatureDoesNotMatch', 1)
    assert sleeps == [] and emu.stats()['requests']['total'] == 1
