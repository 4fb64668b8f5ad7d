# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the Event-Driven Ansible tests (issue 16): the emulator, job data, the source loaded by path.

The collections root of this tree comes from the system tests' ``sysutil`` (one definition).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import runpy
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM = os.path.join(os.path.dirname(HERE), 'system')
if SYSTEM not in sys.path:
    sys.path.insert(0, SYSTEM)

import sysutil  # noqa: E402 pylint: disable=wrong-import-position

for _path in (sysutil.EMULATOR_DIR, sysutil.COLLECTIONS_ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from harness import DEMO_BUCKET, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE, Emulator  # noqa: E402 pylint: disable=wrong-import-position

EDA = os.path.join(sysutil.COLLECTIONS_ROOT, 'ansible_collections', 'qcloud', 'ci', 'extensions', 'eda', 'plugins')
SOURCE_PATH = os.path.join(EDA, 'event_source', 'ci_jobs.py')
FILTER_PATH = os.path.join(EDA, 'event_filter', 'ci_callback.py')
TAG = 'Translation'


def load_plugin(path):
    """The plugin's globals, loaded the way ansible-rulebook loads it (runpy.run_path)."""
    return runpy.run_path(path)


def job_line(job_id, state, age=600, queue=GOOD_QUEUE, tag=TAG):
    """One emulator job created ``age`` seconds ago (UTC)."""
    created = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=age)
    return json.dumps({'JobId': job_id, 'Tag': tag, 'QueueId': queue, 'State': state, 'Code': 'Success', 'Message': '',
                       'CreationTime': created.strftime('%Y-%m-%dT%H:%M:%S+0000'),
                       'Input': {'Object': 'in/%s.txt' % job_id}})


@pytest.fixture(scope='module')
def emulator():
    with Emulator(lifetime=900) as emu:
        yield emu


@pytest.fixture()
def emu(emulator):
    emulator.reset()
    yield emulator
    emulator.set_faults([])


def source_args(emu, **extra):
    args = dict(bucket=DEMO_BUCKET, endpoint_url=emu.url, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY,
                retries=0, interval=5, selections=[{'label': 'q', 'queue_id': GOOD_QUEUE, 'tag': TAG}])
    args.update(extra)
    return args


class Driver(object):
    """Runs the source for ``len(steps)`` polls; before poll N+1 the emulator gets ``steps[N]``."""

    def __init__(self, emu, steps, before_sleep=None):
        self.emu = emu
        self.steps = list(steps)
        self.before_sleep = before_sleep
        self.slept = []
        self.stats = []
        self.emu.load_jobs(self.steps.pop(0))

    async def sleep(self, seconds):
        self.slept.append(seconds)
        self.stats.append(self.emu.stats()['requests'])
        if self.before_sleep:
            self.before_sleep(len(self.slept))
        if self.steps:
            self.emu.load_jobs(self.steps.pop(0))

    def run(self, module, args):
        """Run the source's ``run`` with this driver's sleep; returns the events, in order."""
        polls = len(self.steps) + 1
        settings = module['Settings'](dict(args, max_polls=polls))
        client = module['CIClient'](**settings.connection)
        source = module['JobsSource'](settings, client)
        queue = asyncio.Queue()
        try:
            asyncio.run(module['run'](queue, source, sleep=self.sleep))
        finally:
            client.close()
        self.stats.append(self.emu.stats()['requests'])
        events = []
        while not queue.empty():
            events.append(queue.get_nowait())
        return events


def brief(events):
    """``(selection, job id, state)`` of job events; error events as ``('error', selection, status)``."""
    out = []
    for event in events:
        if 'job' in event:
            out.append((event['selection'], event['job']['job_id'], event['job']['state']))
        else:
            key = list(event)[0]
            out.append((key, event[key]['selection'], event[key]['error'].get('status')))
    return out
