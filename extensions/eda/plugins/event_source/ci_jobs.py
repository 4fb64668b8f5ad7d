# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""qcloud.ci.ci_jobs: an Event-Driven Ansible source that announces CI jobs reaching a state."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import os
import re
import sys
import tempfile
import time

DOCUMENTATION = r"""
---
short_description: Announce Tencent Cloud CI jobs when they reach a state
description:
  - Polls one or more selections of Cloud Infinite (CI) jobs (a queue and tag with filters, or job ids)
    and puts one event on the queue for each job that reaches one of O(states), once per selection,
    job and state. An event is C({"job": {...}, "selection": LABEL}); C(job) holds the same normalized
    job facts as the C(jobs) of M(qcloud.ci.ci_jobs_info).
  - A listing reads the jobs created since the start of the previous good listing minus O(overlap);
    jobs seen in a state that is not final (Submitted, Running, Pause) are asked for again by id, in
    batches of up to 200, so a job that finishes between two polls is announced at the next one.
  - On a start without O(state_file) (or with a state older than O(look_back)), jobs created in the
    last O(look_back) that are already in one of O(states) are announced.
  - "Delivery: at most once per selection, job and state within a run; at least once across restarts
    with O(state_file) (the file is written after the events of a poll are queued, so a crash between
    the two repeats them). A state the job passes through between two polls without staying is not seen."
  - A request that still fails after the client's retries becomes an event C({ERROR_KEY: {...}}) (see
    O(error_key)) and the next poll tries again; the listing window is not advanced past a failed poll.
  - Bad options stop the source with a message naming the option. Secrets never appear in events or logs.
  - Requests run in a thread, so the event loop is never blocked.
  - The collection must be installed (ansible-galaxy collection install) with its Python requirements
    (requests, xmltodict) in the Python of ansible-rulebook.
options:
  selections:
    description:
      - The selections to watch. Each is a dict with a C(label) (default C(selection-N)), and either
        C(job_ids), or C(queue_id) and C(tag) with optional C(workflow_id), C(inventory_trigger_job_id),
        C(input_object) and C(page_size) (the options of M(qcloud.ci.ci_jobs_info) of the same names), and
        C(job_list) (V(jobs), V(pic_jobs), V(doc_jobs) or V(asr_jobs); by default the list of C(tag), else V(jobs)):
        the list read and where its jobs are asked for by id. Unlike the module, ids unknown at C(/jobs) are
        not asked for again at C(/ai_jobs).
      - Instead of O(selections), those keys may be given at the top level for a single selection
        labelled C(default).
    type: list
    elements: dict
  states:
    description: The job states to announce.
    type: list
    elements: str
    default: [Success, Failed, Cancel]
  interval:
    description: Seconds between two polls (from 1 to 86400).
    type: float
    default: 60
  look_back:
    description:
      - How far back (an age such as C(30m), C(2h), C(1d)) the first listing after a start reads;
        also the most a restart with an old O(state_file) reads back.
    type: str
    default: 1h
  overlap:
    description: Seconds each listing reads before the start of the previous one (from 0 to 86400).
    type: float
    default: 300
  state_file:
    description:
      - A file where the source keeps the states it announced and the jobs it waits for (written
        atomically, mode 0600, after every poll). Without it, a restart announces again what is in O(look_back).
    type: str
  error_key:
    description: The key of the event that reports a failed poll. An empty string reports nothing.
    type: str
    default: ci_error
  max_polls:
    description: Stop after this many polls (0, the default, polls until the rulebook ends). For tests.
    type: int
    default: 0
  secret_id:
    description: SecretId; default the environment variable E(TENCENTCLOUD_SECRET_ID).
    type: str
  secret_key:
    description: SecretKey; default the environment variable E(TENCENTCLOUD_SECRET_KEY).
    type: str
  security_token:
    description: Token of temporary credentials; default E(TENCENTCLOUD_SECURITY_TOKEN).
    type: str
  region:
    description: The bucket's region; default E(TENCENTCLOUD_REGION).
    type: str
  bucket:
    description: The bucket, C(name-appid).
    type: str
    required: true
  endpoint_url:
    description: Another endpoint (a proxy, the emulator).
    type: str
  validate_certs:
    description: Verify the TLS certificate.
    type: bool
    default: true
  ca_path:
    description: A CA bundle.
    type: str
  timeout:
    description: Seconds for one try of a request.
    type: float
    default: 30
  retries:
    description: Retries of a failed request.
    type: int
    default: 5
"""

EXAMPLES = r"""
- name: React to failed CI jobs
  hosts: all
  sources:
    - qcloud.ci.ci_jobs:
        bucket: examplebucket-1250000000
        region: ap-guangzhou
        states: [Failed]
        interval: 60
        state_file: /var/lib/eda/qcloud-ci-jobs.json
        selections:
          - label: translations
            queue_id: p893bcda225bf4945a378da6662e81a89
            tag: Translation
  rules:
    - name: Re-run a failed translation
      condition: event.job.state == "Failed"
      action:
        run_playbook:
          name: rerun.yml
    - name: Tell someone the CI API cannot be read
      condition: event.ci_error is defined
      action:
        print_event:
"""


def _collections_root():
    """Put the collections root above this file on sys.path (ansible-rulebook runs sources by path)."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, *(['..'] * 7)))  # <root>/ansible_collections/qcloud/ci/extensions/eda/plugins/X
    if os.path.isdir(os.path.join(root, 'ansible_collections')) and root not in sys.path:
        sys.path.append(root)


try:
    import ansible_collections.qcloud.ci.plugins.module_utils._job_events  # noqa: F401 pylint: disable=unused-import
except ImportError:
    _collections_root()

# pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils import _job_api  # noqa: E402
from ansible_collections.qcloud.ci.plugins.module_utils._client import CIClient, DEFAULT_RETRIES, DEFAULT_TIMEOUT  # noqa: E402
from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIError, CIRequestError, CIValueError  # noqa: E402
from ansible_collections.qcloud.ci.plugins.module_utils._job_events import DEFAULT_ANNOUNCE, JobTracker  # noqa: E402
from ansible_collections.qcloud.ci.plugins.module_utils._jobs import (  # noqa: E402
    API_TIME_FORMAT,
    JobQuery,
    job_id_of,
    parse_time,
    validate_states,
)

LOGGER = logging.getLogger('qcloud.ci.ci_jobs')
SOURCE = 'qcloud.ci.ci_jobs'
SELECTION_KEYS = ('label', 'job_ids', 'job_list', 'queue_id', 'tag', 'workflow_id', 'inventory_trigger_job_id',
                  'input_object', 'page_size')
CONNECTION_ENV = (('secret_id', 'TENCENTCLOUD_SECRET_ID'), ('secret_key', 'TENCENTCLOUD_SECRET_KEY'),
                  ('security_token', 'TENCENTCLOUD_SECURITY_TOKEN'), ('region', 'TENCENTCLOUD_REGION'))
SOURCE_KEYS = ('selections', 'states', 'interval', 'look_back', 'overlap', 'state_file', 'error_key', 'max_polls',
               'secret_id', 'secret_key', 'security_token', 'region', 'bucket', 'endpoint_url', 'validate_certs',
               'ca_path', 'timeout', 'retries', 'eda_feedback_queue')


class OptionError(ValueError):
    """A bad option of the source: the message names it and what is allowed."""


def _number(args, name, default, low, high):
    value = args.get(name, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise OptionError('%s: %s must be a number from %s to %s; got %r' % (SOURCE, name, low, high, value))
    return value


def _selections(args):
    given = args.get('selections')
    top = dict((key, args[key]) for key in SELECTION_KEYS if args.get(key) is not None)
    if given is not None and top:
        raise OptionError('%s: give the selection keys (%s) inside selections, or give no selections; got selections '
                          'and %s' % (SOURCE, ', '.join(SELECTION_KEYS), ', '.join(top)))
    if given is None:
        if not top:
            raise OptionError('%s: selections is required (a list of dicts with job_ids, or queue_id and tag)' % SOURCE)
        given = [dict(top, label=top.get('label', 'default'))]
    if not isinstance(given, list) or not given or not all(isinstance(item, dict) for item in given):
        raise OptionError('%s: selections must be a non-empty list of dicts; got %r' % (SOURCE, given))
    result = []
    for number, item in enumerate(given, 1):
        label = item.get('label', 'selection-%d' % number)
        where = 'selections[%d]' % number
        unknown = sorted(key for key in item if key not in SELECTION_KEYS)
        if unknown:
            raise OptionError('%s: %s: unknown key %s; allowed keys are %s (the listing window and states are set by '
                              'the source)' % (SOURCE, where, unknown[0], ', '.join(SELECTION_KEYS)))
        if not isinstance(label, str) or not label:
            raise OptionError('%s: %s: label must be a non-empty text; got %r' % (SOURCE, where, label))
        if label in [chosen[0] for chosen in result]:
            raise OptionError('%s: %s: label %r is used twice; each selection needs its own' % (SOURCE, where, label))
        options = dict((key, value) for key, value in item.items() if key != 'label')
        try:
            query = JobQuery.from_options(options)
        except CIValueError as exc:
            raise OptionError('%s: %s: %s' % (SOURCE, where, exc.msg))
        result.append((label, query))
    return result


def _connection(args):
    options = dict((name, args.get(name)) for name in ('bucket', 'endpoint_url', 'ca_path'))
    for name, variable in CONNECTION_ENV:
        options[name] = args.get(name) if args.get(name) is not None else os.environ.get(variable)
    options['validate_certs'] = args.get('validate_certs', True) is not False
    options['timeout'] = DEFAULT_TIMEOUT if args.get('timeout') is None else args.get('timeout')
    options['retries'] = DEFAULT_RETRIES if args.get('retries') is None else args.get('retries')
    return options


class Settings(object):
    """The validated options of the source."""

    def __init__(self, args):
        if not isinstance(args, dict):
            raise OptionError('%s: the source arguments must be a dict' % SOURCE)
        unknown = sorted(key for key in args if key not in SOURCE_KEYS + SELECTION_KEYS)
        if unknown:
            raise OptionError('%s: unknown option %s; allowed options are %s' % (SOURCE, unknown[0],
                                                                                 ', '.join(SOURCE_KEYS[:-1])))
        self.selections = _selections(args)
        try:
            self.states = validate_states(args.get('states', list(DEFAULT_ANNOUNCE)))
        except CIValueError as exc:
            raise OptionError('%s: %s' % (SOURCE, exc.msg))
        if not self.states:
            raise OptionError('%s: states must list the states to announce (not All, not empty)' % SOURCE)
        self.interval = _number(args, 'interval', 60, 1, 86400)
        self.overlap = _number(args, 'overlap', 300, 0, 86400)
        self.max_polls = _number(args, 'max_polls', 0, 0, 10 ** 9)
        self.look_back = self._look_back(args.get('look_back', '1h'))
        self.state_file = args.get('state_file')
        if self.state_file is not None and (not isinstance(self.state_file, str) or not self.state_file):
            raise OptionError('%s: state_file must be a file path; got %r' % (SOURCE, self.state_file))
        self.error_key = args.get('error_key', 'ci_error')
        if not isinstance(self.error_key, str):
            raise OptionError('%s: error_key must be a text (empty: report nothing); got %r' % (SOURCE, self.error_key))
        self.connection = _connection(args)

    @staticmethod
    def _look_back(value):
        """Seconds of an age such as ``2h`` (``parse_time`` reads the ages; absolute times are refused)."""
        now = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        seconds = 0
        if isinstance(value, str) and re.match(r'^\s*\d+\s*[a-z]\s*$', value):
            try:
                seconds = (now - datetime.datetime.strptime(parse_time('look_back', value, now), API_TIME_FORMAT)).total_seconds()
            except CIValueError:
                seconds = 0
        if seconds <= 0:
            raise OptionError('%s: look_back must be an age such as 30m, 2h, 1d or 1w; got %r' % (SOURCE, value))
        return seconds


def _api_time(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(API_TIME_FORMAT)


class JobsSource(object):
    """One running source: its settings, one client, the tracker. ``poll`` is blocking (run it in a thread)."""

    def __init__(self, settings, client, clock=time.time):
        self.settings = settings
        self.client = client
        self.clock = clock
        self.tracker = JobTracker(settings.states, settings.overlap)
        self.batches = _job_api.IdBatches()
        self.polls = 0

    # --- the state file ----------------------------------------------------------------------
    def load_state(self):
        path = self.settings.state_file
        if not path or not os.path.exists(path):
            return False
        try:
            with open(path, encoding='utf-8') as handle:
                data = json.load(handle)
            self.tracker.load(data, [label for label, dummy in self.settings.selections])
        except (OSError, ValueError) as exc:
            raise OptionError('%s: state_file %s cannot be used (%s); remove it to start afresh' % (SOURCE, path, exc))
        return True

    def save_state(self):
        path = self.settings.state_file
        if not path:
            return
        directory = os.path.dirname(os.path.abspath(path))
        handle, temporary = tempfile.mkstemp(prefix='.ci_jobs-', dir=directory)
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as out:
                json.dump(self.tracker.to_dict(), out, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    # --- one poll (blocking) -----------------------------------------------------------------
    def poll(self):
        """Poll every selection once. Returns ``(news, errors)``: ``[(label, job, state)]`` and error events."""
        news, errors = [], []
        listed = {}
        for label, query in self.settings.selections:
            if query.job_ids is not None:
                continue
            started = self.clock()
            start = self.tracker.listing_start(label, started, self.settings.look_back)
            params = dict(query.params, startCreationTime=_api_time(start))
            listing = JobQuery(params=params, page_size=query.page_size, job_list=query.job_list)
            try:
                jobs, dummy, dummy2 = _job_api.list_jobs(self.client, listing, LOGGER.warning)
            except CIRequestError as exc:
                errors.append(self._error(label, exc))
                continue
            news.extend((label, job, state) for job, state in self.tracker.observe(label, jobs, started))
            self.tracker.listed(label, started)
            listed[label] = set(job_id_of(job) for job in jobs)
        wanted = {}
        for label, query in self.settings.selections:
            if query.job_ids is not None:
                ids = [job_id for job_id in query.job_ids if job_id not in self.tracker.selections.get(label, {}).get(
                    'jobs', {})] + self.tracker.pending_ids(label)
            elif label in listed:
                ids = [job_id for job_id in self.tracker.pending_ids(label) if job_id not in listed[label]]
            else:
                continue
            for job_id in ids:
                wanted.setdefault((query.job_list, job_id), []).append(label)
        if wanted:
            news.extend(self._fetch(wanted, errors))
        for label, dummy in self.settings.selections:
            self.tracker.prune(label)
        self.polls += 1
        return news, errors

    def _fetch(self, wanted, errors):
        """Ask for the ``{(job list, job id): [labels]}`` by id, list by list; the news of what came back."""
        news = []
        for job_list in sorted(set(job_list for job_list, dummy in wanted)):
            labels = dict((job_id, found) for (in_list, job_id), found in wanted.items() if in_list == job_list)
            try:
                jobs, missing = _job_api.fetch_by_ids(self.client, list(labels), self.batches, '/' + job_list)
            except CIRequestError as exc:
                errors.append(self._error(', '.join(sorted(set(sum(labels.values(), [])))), exc))
                continue
            news.extend(self._fetched(labels, jobs, missing))
        return news

    def _fetched(self, wanted, jobs, missing):
        """The news of the jobs read by id for ``{job id: [labels]}``; ids no longer known are forgotten."""
        now = self.clock()
        news = []
        for job in jobs:
            for label in wanted.get(job_id_of(job), ()):
                news.extend((label, found, state) for found, state in self.tracker.observe(label, [job], now))
        if missing:
            LOGGER.warning('%s: the service does not know %d job id(s): %s', SOURCE, len(missing), ', '.join(missing[:20]))
            for job_id in missing:
                for label in wanted.get(job_id, ()):
                    if not self._is_id_selection(label):
                        self.tracker.forget(label, [job_id])
        return news

    def _is_id_selection(self, label):
        return any(chosen == label and query.job_ids is not None for chosen, query in self.settings.selections)

    def _error(self, label, exc):
        LOGGER.error('%s: polling %s failed: %s', SOURCE, label, exc.msg)
        return {'selection': label, 'message': exc.msg, 'error': exc.to_dict()}


async def run(queue, source, sleep=asyncio.sleep):
    """Poll until ``max_polls`` (forever when 0): put the events on ``queue``; write the state after each poll."""
    loop = asyncio.get_running_loop()
    settings = source.settings
    source.load_state()
    while True:
        news, errors = await loop.run_in_executor(None, source.poll)
        for label, job, state in news:
            await queue.put({'job': job, 'selection': label})
            source.tracker.mark_announced(label, job_id_of(job), state)
        if settings.error_key:
            for error in errors:
                await queue.put({settings.error_key: error})
        await loop.run_in_executor(None, source.save_state)
        if settings.max_polls and source.polls >= settings.max_polls:
            return
        await sleep(settings.interval)


async def main(queue, args):
    """The entry point ansible-rulebook calls."""
    try:
        settings = Settings(args)
        client = CIClient(warn=LOGGER.warning, **settings.connection)
    except CIError as exc:
        raise OptionError('%s: %s' % (SOURCE, exc.msg))
    try:
        await run(queue, JobsSource(settings, client))
    finally:
        client.close()
