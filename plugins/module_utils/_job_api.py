# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every call qcloud.ci makes to the CI job API: listing, jobs by id, waiting.

Internal to this collection: the names may change in any release.

* ``list_jobs`` reads every page of ``GET /<job_list>`` (or up to ``max_jobs``) through the client's pager;
* ``IdBatches`` asks ``GET /<job_list>/<id,id,...>`` for up to ``IDS_PER_REQUEST`` ids at a time; when the
  service refuses a batch as too long it halves the batch and keeps the smaller size for the run;
* ``read_by_ids`` reads jobs by id from their list; from ``/jobs``, the ids it does not know are asked once
  more at ``/ai_jobs`` (``AI_BY_ID_PATH``, see there why);
* ``wait_for_jobs`` polls only the unfinished jobs by id, each at the route it was read from. The wait budget
  starts when the jobs were first read and is a deadline handed to every request, so retries and sleeps fit
  inside it. With ``stop_on_pause`` it stops at once when a job is in ``Pause`` or its queue is ``Paused``
  (one queue request per queue type and round);
* ``run`` executes a ``_jobs.JobQuery`` and returns the result, or raises ``CIWaitIncomplete``
  carrying it when the wait did not end with every job finished.

The model these calls feed (validation, normalized jobs, summary) is ``_jobs``, which sends nothing.
"""

from __future__ import annotations

import re
import time

from ansible_collections.qcloud.ci.plugins.module_utils._errors import (
    CIDeadlineExceeded,
    CIRequestError,
    CIWaitIncomplete,
)
from ansible_collections.qcloud.ci.plugins.module_utils._job_lists import DEFAULT_JOB_LIST, queue_type_for
from ansible_collections.qcloud.ci.plugins.module_utils._jobs import (
    build_result,
    describe_ids,
    describe_jobs,
    job_id_of,
    missing_ids,
    page_jobs,
    seconds_text,
    unfinished,
)
from ansible_collections.qcloud.ci.plugins.module_utils._queues import queue_states as read_queue_states

# Tencent documents no maximum (the official SDKs join any number of ids with ","); what bounds the
# request is the URL length an HTTP front end accepts, typically 8 KB before it answers 414. 200 ids of
# the usual 33 characters make a path of 6.8 KB, 7.2 KB with the commas sent as %2C. A batch refused
# as too long is halved (``IdBatches``).
IDS_PER_REQUEST = 200
# A refusal that says the request is too long: HTTP 414, or a 400/404 whose CI code or message says so.
_TOO_LONG_STATUSES = (400, 404)
_TOO_LONG_TEXT = re.compile(r'too ?long|too many|at most \d+|exceed|length', re.IGNORECASE)

RESUME_HINT = 'Use next_token to resume, or raise max_jobs.'

# Where AI jobs are read by id besides /jobs/<ids>. Tencent documents both routes and says neither is the other:
# "Querying Content Recognition Job" (DescribeAIJob, https://www.tencentcloud.com/document/product/1045/50304)
# and the Go SDK (cos-go-sdk-v5 cc9846d, ci_media.go DescribeAIJob) read AI jobs at /ai_jobs/<id>, the route of
# jobs submitted at POST /ai_jobs (CreateAIJobs); DescribeMediaJob (1045/50355), the Python SDK
# (cos-python-sdk-v5 cc3bdf0, ci_get_media_jobs) and the Go SDK's DescribeJob read any job submitted at
# POST /jobs, AI tags included (the SDK examples submit Translation and WordsGeneralize there), at /jobs/<ids>.
# So /jobs/<ids> is asked first, as in 1.0.0, and only the ids it does not know are asked once more here.
AI_BY_ID_PATH = '/ai_jobs'
PAUSED_JOB_STATE = 'Pause'
PAUSED_QUEUE_STATE = 'Paused'


def _too_long(error):
    if error.status == 414:
        return True
    if error.status not in _TOO_LONG_STATUSES:
        return False
    return bool(_TOO_LONG_TEXT.search(error.code or '') or _TOO_LONG_TEXT.search(error.message or ''))


class IdBatches(object):
    """How many ids one ``GET /<job_list>/<ids>`` asks for, learnt over one run (the URL length bounds it)."""

    def __init__(self, size=IDS_PER_REQUEST):
        self.size = size

    def fetch(self, client, job_ids, deadline=None, path='/jobs'):
        """Yield ``(batch, jobs, ids the page reports missing)`` for each batch of ``GET <path>/<ids>``, in order.

        A batch the service refuses as too long is halved and asked again; the smaller size is
        kept for the rest of the run. A single id refused is a failure like any other.
        """
        start = 0
        while start < len(job_ids):
            batch = job_ids[start:start + self.size]
            try:
                page = client.get(path + '/' + ','.join(batch), deadline=deadline)
            except CIRequestError as exc:
                if len(batch) == 1 or not _too_long(exc):
                    raise
                self.size = len(batch) // 2
                continue
            start += len(batch)
            yield batch, page_jobs(page), missing_ids(page)


def fetch_by_ids(client, job_ids, batches=None, path='/jobs'):
    """The jobs of ``job_ids`` at ``GET <path>/<ids>`` in the order asked, and the ids the service does not know."""
    found = {}
    missing = []
    for dummy, jobs, gone in (batches or IdBatches()).fetch(client, job_ids, path=path):
        for job in jobs:
            if job_id_of(job) is not None:
                found[job['job_id']] = job
        missing.extend(job_id for job_id in gone if job_id not in found)
    unanswered = [job_id for job_id in job_ids if job_id not in found and job_id not in missing]
    return [found[job_id] for job_id in job_ids if job_id in found], missing + unanswered


def _collect(pages):
    """Jobs of every page, each once; the number of repeats; the last page's NextToken."""
    jobs = []
    seen = set()
    duplicates = 0
    next_token = ''
    for page in pages:
        for job in page_jobs(page):
            job_id = job_id_of(job)
            if job_id is not None and job_id in seen:
                duplicates += 1
                continue
            seen.add(job_id)
            jobs.append(job)
        next_token = page.get('next_token') or ''
    return jobs, duplicates, next_token if isinstance(next_token, str) else ''


def list_jobs(client, query, warn, resume_hint=RESUME_HINT):
    """Every page of ``GET /<job_list>``, or up to ``max_jobs``. Returns ``(jobs, next_token, truncated)``."""
    pages = client.iter_pages(_path(query), query.params, query.page_size, limit=query.max_jobs)
    jobs, duplicates, next_token = _collect(pages)
    if duplicates:
        warn('The service returned %d job(s) twice across pages; each job is returned once.' % duplicates)
    truncated = False
    if query.max_jobs is not None:
        truncated = len(jobs) > query.max_jobs or bool(next_token and len(jobs) >= query.max_jobs)
        del jobs[query.max_jobs:]  # a service that sent more than it was asked for
    if truncated:
        warn('Stopped after max_jobs=%d jobs; more jobs match. %s' % (query.max_jobs, resume_hint))
    return jobs, next_token, truncated


def _path(query):
    return '/' + query.job_list


def read_by_ids(client, query, batches, warn):
    """The jobs of ``query.job_ids`` in the order asked, the ids no route knows, and ``{job id: path read at}``.

    From ``/jobs``, the ids it does not know are asked once more at ``AI_BY_ID_PATH``; when that request
    fails, they stay missing and ``warn`` says why (the selection is answered as ``/jobs`` answered it).
    """
    path = _path(query)
    jobs, missing = fetch_by_ids(client, query.job_ids, batches, path)
    routes = dict((job_id_of(job), path) for job in jobs)
    if query.job_list != DEFAULT_JOB_LIST or not missing:
        return jobs, missing, routes
    try:
        more, missing_too = fetch_by_ids(client, missing, batches, AI_BY_ID_PATH)
    except CIRequestError as exc:
        warn('%d job id(s) unknown at /jobs could not be asked at %s, so they are reported missing: %s'
             % (len(missing), AI_BY_ID_PATH, exc.msg))
        return jobs, missing, routes
    routes.update((job_id_of(job), AI_BY_ID_PATH) for job in more)
    found = dict((job_id_of(job), job) for job in jobs + more)
    return [found[job_id] for job_id in query.job_ids if job_id in found], missing_too, routes


def _poll(client, jobs, ids, batches, deadline, vanished, path):
    """Ask ``GET <path>/<ids>`` again; replace the jobs in place; ids no longer known go to ``vanished``."""
    index = dict((job_id_of(job), position) for position, job in enumerate(jobs))
    for batch, fresh, dummy in batches.fetch(client, ids, deadline, path):
        answered = set()
        for job in fresh:
            job_id = job_id_of(job)
            if job_id in index:
                jobs[index[job_id]] = job
                answered.add(job_id)
        vanished.extend(job_id for job_id in batch if job_id not in answered and job_id not in vanished)


def _poll_routes(client, jobs, pending, batches, deadline, vanished, routes, path):
    """Poll the ``pending`` jobs, each at the route it was first read from (``routes``, else ``path``)."""
    by_path = {}
    for job in pending:
        job_id = job_id_of(job)
        by_path.setdefault(routes.get(job_id, path), []).append(job_id)
    for path in sorted(by_path):
        _poll(client, jobs, by_path[path], batches, deadline, vanished, path)


class PauseWatch(object):
    """With ``stop_on_pause``: which unfinished jobs are in ``Pause`` and which of their queues are ``Paused``.

    ``queue_states(client, queue_type, queue_ids, deadline) -> {queue_id: state}`` is ``_queues.queue_states``
    unless injected. One request per queue type and round; a queue type whose request fails is warned about
    once and not asked again (jobs in ``Pause`` are still seen).
    """

    def __init__(self, client, job_list, queue_states, warn):
        self.client = client
        self.job_list = job_list
        self.queue_states = queue_states
        self.warn = warn
        self.unavailable = set()
        self.job_ids = []
        self.queue_ids = []

    def check(self, pending, deadline):
        """Look at ``pending`` once; True when something is paused (``job_ids``, ``queue_ids`` then say what)."""
        self.job_ids = [job_id_of(job) for job in pending if job.get('state') == PAUSED_JOB_STATE]
        self.queue_ids = []
        for queue_type, queue_ids in sorted(_queues_by_type(pending, self.job_list).items()):
            if queue_type in self.unavailable:
                continue
            try:
                states = self.queue_states(self.client, queue_type, queue_ids, deadline)
            except CIDeadlineExceeded:
                raise
            except CIRequestError as exc:
                self.unavailable.add(queue_type)
                self.warn('stop_on_pause cannot see the state of the %s queues, so only jobs in Pause stop the '
                          'wait: %s' % (queue_type, exc.msg))
                continue
            self.queue_ids.extend(queue_id for queue_id in queue_ids if states.get(queue_id) == PAUSED_QUEUE_STATE)
        return bool(self.job_ids or self.queue_ids)

    def message(self):
        parts = []
        if self.job_ids:
            parts.append('%d job(s) in state Pause: %s' % (len(self.job_ids), describe_ids(self.job_ids)))
        if self.queue_ids:
            parts.append('%d queue(s) Paused: %s' % (len(self.queue_ids), describe_ids(self.queue_ids)))
        return 'Stopped waiting (stop_on_pause): %s' % '; '.join(parts)


def _queues_by_type(jobs, job_list):
    """``{queue type: [queue ids]}`` of ``jobs`` (ids once each, in order; jobs without a queue id are left out)."""
    by_type = {}
    for job in jobs:
        queue_id, tag = job.get('queue_id'), job.get('tag')
        if not isinstance(queue_id, str) or not queue_id:
            continue
        ids = by_type.setdefault(queue_type_for(job_list, tag if isinstance(tag, str) else None), [])
        if queue_id not in ids:
            ids.append(queue_id)
    return by_type


def wait_for_jobs(client, jobs, query, batches, clock, sleep, routes=None, pauses=None):
    """Poll the unfinished jobs by id until none is left (in place).

    Returns ``(vanished ids, why the wait is incomplete or None)``. The budget of ``wait_timeout``
    seconds starts now, when the jobs have been read once. ``pauses`` (a ``PauseWatch``) stops the wait
    at once, before a sleep, when a pending job or its queue is paused.
    """
    blind = [job for job in unfinished(jobs) if job_id_of(job) is None]
    if blind:
        return [], ('Cannot wait for %d unfinished job(s) that the service returned without a JobId (states: %s)'
                    % (len(blind), ', '.join(sorted(set(str(job.get('state')) for job in blind)))))
    deadline = clock() + query.wait_timeout
    vanished = []
    while True:
        pending = [job for job in unfinished(jobs) if job_id_of(job) not in vanished]
        if not pending or deadline - clock() <= 0:
            return vanished, _incomplete(pending, vanished, query.wait_timeout)
        try:
            if pauses is not None and pauses.check(pending, deadline):
                return vanished, pauses.message()
            sleep(min(query.wait_sleep, deadline - clock()))
            if deadline - clock() <= 0:  # a poll at the deadline has no time left to run
                continue
            _poll_routes(client, jobs, pending, batches, deadline, vanished, routes or {}, _path(query))
        except CIDeadlineExceeded:  # the poll (its retries and their waits) did not fit in the budget
            deadline = clock()


def _incomplete(pending, vanished, timeout):
    """The message of a wait that did not end with every job finished, or None."""
    parts = []
    if pending:
        parts.append('Timed out after %s seconds waiting for %d job(s) to finish: %s'
                     % (seconds_text(timeout), len(pending), describe_jobs(pending)))
    if vanished:
        parts.append('%d job(s) vanished while waiting (the service no longer knows them; their last known state '
                     'is kept in jobs): %s' % (len(vanished), describe_ids(vanished)))
    return '; '.join(parts) or None


def run(client, query, warn=None, clock=None, sleep=None, resume_hint=RESUME_HINT, queue_states=None):
    """Execute ``query`` and return the result both the module and the lookup hand out.

    Raises ``CIWaitIncomplete`` (carrying the result) when waiting ran out of time, a job vanished
    while waiting, an unfinished job cannot be waited for, or (``stop_on_pause``) a job or its queue is paused.
    ``queue_states`` replaces ``_queues.queue_states`` (tests).
    """
    warn = warn or (lambda msg: None)
    batches = IdBatches()
    next_token, truncated, missing, routes = '', False, [], {}
    if query.job_ids is not None:
        jobs, missing, routes = read_by_ids(client, query, batches, warn)
    else:
        jobs, next_token, truncated = list_jobs(client, query, warn, resume_hint)
    vanished, problem, pauses = [], None, None
    if query.wait:
        if query.stop_on_pause:
            pauses = PauseWatch(client, query.job_list, queue_states or read_queue_states, warn)
        vanished, problem = wait_for_jobs(client, jobs, query, batches, clock or time.monotonic,
                                          sleep or time.sleep, routes, pauses)
    paused_jobs, paused_queues = (pauses.job_ids, pauses.queue_ids) if pauses else ([], [])
    result = build_result(jobs, query.output, next_token, truncated, missing, vanished, paused_jobs, paused_queues)
    if problem:
        raise CIWaitIncomplete(problem, result)
    return result
