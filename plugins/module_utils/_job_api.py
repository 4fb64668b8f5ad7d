# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every call qcloud.ci makes to the CI job API: listing, jobs by id, waiting.

Internal to this collection: the names may change in any release.

* ``list_jobs`` reads every page of ``GET /jobs`` (or up to ``max_jobs``) through the client's pager;
* ``IdBatches`` asks ``GET /jobs/<id,id,...>`` for up to ``IDS_PER_REQUEST`` ids at a time; when the
  service refuses a batch as too long it halves the batch and keeps the smaller size for the run;
* ``wait_for_jobs`` polls only the unfinished jobs by id. The wait budget starts when the jobs
  were first read and is a deadline handed to every request, so retries and sleeps fit inside it;
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

# Tencent documents no maximum (the official SDKs join any number of ids with ","); what bounds the
# request is the URL length an HTTP front end accepts, typically 8 KB before it answers 414. 200 ids of
# the usual 33 characters make a path of 6.8 KB, 7.2 KB with the commas sent as %2C. A batch refused
# as too long is halved (``IdBatches``).
IDS_PER_REQUEST = 200
# A refusal that says the request is too long: HTTP 414, or a 400/404 whose CI code or message says so.
_TOO_LONG_STATUSES = (400, 404)
_TOO_LONG_TEXT = re.compile(r'too ?long|too many|at most \d+|exceed|length', re.IGNORECASE)

RESUME_HINT = 'Use next_token to resume, or raise max_jobs.'


def _too_long(error):
    if error.status == 414:
        return True
    if error.status not in _TOO_LONG_STATUSES:
        return False
    return bool(_TOO_LONG_TEXT.search(error.code or '') or _TOO_LONG_TEXT.search(error.message or ''))


class IdBatches(object):
    """How many ids one ``GET /jobs/<ids>`` asks for, learnt over one run."""

    def __init__(self, size=IDS_PER_REQUEST):
        self.size = size

    def fetch(self, client, job_ids, deadline=None):
        """Yield ``(batch, jobs, ids the page reports missing)`` for each batch, in order.

        A batch the service refuses as too long is halved and asked again; the smaller size is
        kept for the rest of the run. A single id refused is a failure like any other.
        """
        start = 0
        while start < len(job_ids):
            batch = job_ids[start:start + self.size]
            try:
                page = client.get('/jobs/' + ','.join(batch), deadline=deadline)
            except CIRequestError as exc:
                if len(batch) == 1 or not _too_long(exc):
                    raise
                self.size = len(batch) // 2
                continue
            start += len(batch)
            yield batch, page_jobs(page), missing_ids(page)


def fetch_by_ids(client, job_ids, batches=None):
    """The jobs of ``job_ids`` in the order asked, and the ids the service does not know."""
    found = {}
    missing = []
    for dummy, jobs, gone in (batches or IdBatches()).fetch(client, job_ids):
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
    """Every page of ``GET /jobs``, or up to ``max_jobs``. Returns ``(jobs, next_token, truncated)``."""
    pages = client.iter_pages('/jobs', query.params, query.page_size, limit=query.max_jobs)
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


def _poll(client, jobs, ids, batches, deadline, vanished):
    """Ask for ``ids`` again; replace the jobs in place; ids the service no longer knows go to ``vanished``."""
    index = dict((job_id_of(job), position) for position, job in enumerate(jobs))
    for batch, fresh, dummy in batches.fetch(client, ids, deadline):
        answered = set()
        for job in fresh:
            job_id = job_id_of(job)
            if job_id in index:
                jobs[index[job_id]] = job
                answered.add(job_id)
        vanished.extend(job_id for job_id in batch if job_id not in answered and job_id not in vanished)


def wait_for_jobs(client, jobs, query, batches, clock, sleep):
    """Poll the unfinished jobs by id until none is left (in place).

    Returns ``(vanished ids, why the wait is incomplete or None)``. The budget of ``wait_timeout``
    seconds starts now, when the jobs have been read once.
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
        sleep(min(query.wait_sleep, deadline - clock()))
        if deadline - clock() <= 0:  # a poll at the deadline has no time left to run
            continue
        try:
            _poll(client, jobs, [job_id_of(job) for job in pending], batches, deadline, vanished)
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


def run(client, query, warn=None, clock=None, sleep=None, resume_hint=RESUME_HINT):
    """Execute ``query`` and return the result both the module and the lookup hand out.

    Raises ``CIWaitIncomplete`` (carrying the result) when waiting ran out of time, a job vanished
    while waiting, or an unfinished job cannot be waited for.
    """
    warn = warn or (lambda msg: None)
    batches = IdBatches()
    next_token, truncated, missing = '', False, []
    if query.job_ids is not None:
        jobs, missing = fetch_by_ids(client, query.job_ids, batches)
    else:
        jobs, next_token, truncated = list_jobs(client, query, warn, resume_hint)
    vanished, problem = [], None
    if query.wait:
        vanished, problem = wait_for_jobs(client, jobs, query, batches, clock or time.monotonic, sleep or time.sleep)
    result = build_result(jobs, query.output, next_token, truncated, missing, vanished)
    if problem:
        raise CIWaitIncomplete(problem, result)
    return result
