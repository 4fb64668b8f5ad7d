# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job model of qcloud.ci: queries, times, jobs, summary, waiting.

Internal to this collection: the names may change in any release.

* ``JobQuery.from_options`` validates every option of a selection (``GET /jobs`` filters or
  job ids) and names the option and what is allowed when a value is wrong;
* ``parse_time`` accepts the API's time format, ISO 8601 with an offset, and relative ages;
* jobs arrive already normalized by ``_xml`` (snake_case keys, repeated elements as lists);
* ``summarize`` builds the summary a playbook gates on;
* ``run`` executes a query through a ``_client.CIClient``: every page, jobs by id in
  batches, optional waiting that polls only the unfinished jobs by id.

Everything but ``run`` is pure.
"""

from __future__ import annotations

import datetime
import re
import time

from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIValueError, CIWaitTimeout

TAGS = ('Translation', 'SpeechRecognition', 'WordsGeneralize')
STATES = ('Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel')
UNFINISHED_STATES = frozenset(('Submitted', 'Running', 'Pause'))
FAILED_STATES = frozenset(('Failed', 'Cancel'))
ORDERS = ('Desc', 'Asc')
RETURN_JOBS = ('all', 'failed', 'none')
MAX_PAGE_SIZE = 100
IDS_PER_REQUEST = 50  # not documented by Tencent; the official SDKs join any number with ","
JOB_ID_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.~-]{0,127}\Z')
TEXT_FILTER_RE = re.compile(r'^[^\x00-\x1f\x7f]{1,1024}\Z')

# Filters of GET /jobs: option name -> API parameter name.
LIST_FILTERS = (
    ('queue_id', 'queueId'),
    ('tag', 'tag'),
    ('states', 'states'),
    ('workflow_id', 'workflowId'),
    ('inventory_trigger_job_id', 'inventoryTriggerJobId'),
    ('input_object', 'inputObject'),
    ('order_by_time', 'orderByTime'),
    ('start_creation_time', 'startCreationTime'),
    ('end_creation_time', 'endCreationTime'),
    ('next_token', 'nextToken'),
)
LIST_ONLY_OPTIONS = tuple(name for name, dummy in LIST_FILTERS) + ('max_jobs',)

TIME_FORMS = ('the API format 2024-05-01T00:00:00+0800, ISO 8601 with an offset such as 2024-05-01T00:00:00Z or '
              '2024-05-01T00:00:00+08:00, or an age such as 30m, 2h, 7d or 1w (that long before now)')
_ABSOLUTE_TIME_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?\s*(?:(Z|z)|([+-])(\d{2}):?(\d{2}))\Z')
_AGE_RE = re.compile(r'^(\d{1,9})\s*([smhdw])\Z')
_AGE_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
API_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S%z'


def _fail(option, msg):
    raise CIValueError(option, msg)


def _api_time(moment):
    """``moment`` in the API format, with a four-digit year (``strftime('%Y')`` does not pad years before 1000)."""
    return '%04d%s' % (moment.year, moment.strftime('-%m-%dT%H:%M:%S%z'))


def parse_time(option, value, now):
    """Turn a time option into the API's ``YYYY-MM-DDTHH:MM:SS+hhmm``.

    ``now`` is a timezone-aware ``datetime`` (relative ages count back from it).
    """
    text = str(value).strip() if isinstance(value, (str, datetime.datetime)) else None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            _fail(option, '%s must carry a time zone offset; accepted forms are %s' % (option, TIME_FORMS))
        return _api_time(value)
    if not text:
        _fail(option, '%s must be a time; accepted forms are %s; got %r' % (option, TIME_FORMS, value))
    age = _AGE_RE.match(text)
    if age:
        try:
            moment = now - datetime.timedelta(seconds=int(age.group(1)) * _AGE_SECONDS[age.group(2)])
        except (OverflowError, ValueError):
            _fail(option, '%s reaches back before the year 1; accepted forms are %s; got %r' % (option, TIME_FORMS, value))
        return _api_time(moment)
    match = _ABSOLUTE_TIME_RE.match(text)
    if not match:
        _fail(option, '%s must be a time with an offset; accepted forms are %s; got %r' % (option, TIME_FORMS, value))
    year, month, day, hour, minute, second, zulu, sign, off_h, off_m = match.groups()
    try:
        if zulu:
            tz = datetime.timezone.utc
        else:
            delta = datetime.timedelta(hours=int(off_h), minutes=int(off_m))
            if delta >= datetime.timedelta(hours=24):
                raise ValueError('offset out of range')
            tz = datetime.timezone(delta if sign == '+' else -delta)
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz)
    except ValueError as exc:
        _fail(option, '%s is not a valid time (%s); accepted forms are %s; got %r' % (option, exc, TIME_FORMS, value))
    return _api_time(moment)


def _text(option, value):
    if value is None:
        return None
    if not isinstance(value, str) or not TEXT_FILTER_RE.match(value):
        _fail(option, '%s must be a non-empty text of at most 1024 characters without control characters; got %r'
              % (option, value))
    return value


def _choice(option, value, allowed):
    if value is None:
        return None
    if value not in allowed:
        _fail(option, '%s must be one of %s; got %r' % (option, ', '.join(allowed), value))
    return value


def _int(option, value, low, high, what):
    if value is None:
        return None
    if isinstance(value, bool):
        _fail(option, '%s must be %s; got %r' % (option, what, value))
    try:
        number = int(value)
        if isinstance(value, float) and number != value:
            raise ValueError(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        _fail(option, '%s must be %s; got %r' % (option, what, value))
    if number < low or (high is not None and number > high):
        _fail(option, '%s must be %s; got %r' % (option, what, value))
    return number


def _number(option, value, low, high, what):
    if isinstance(value, bool):
        _fail(option, '%s must be %s; got %r' % (option, what, value))
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: float(10 ** 400)
        _fail(option, '%s must be %s; got %r' % (option, what, value))
    if not low <= number <= high:  # also refuses NaN
        _fail(option, '%s must be %s; got %r' % (option, what, value))
    return number


def _as_list(option, value):
    if value is None:
        return None
    if isinstance(value, str):
        value = [item.strip() for item in value.split(',')]
    if not isinstance(value, (list, tuple)):
        _fail(option, '%s must be a list; got %r' % (option, value))
    return list(value)


def validate_states(value):
    states = _as_list('states', value)
    if states is None or states == []:
        return None
    allowed = ('All',) + STATES
    for state in states:
        if state not in allowed:
            _fail('states', 'states must be a list of %s; got %r' % (', '.join(allowed), state))
    if 'All' in states:
        return None
    unique = []
    for state in states:
        if state not in unique:
            unique.append(state)
    return unique


def validate_job_ids(value):
    ids = _as_list('job_ids', value)
    if ids is None:
        _fail('job_ids', 'job_ids must be a list of job ids')
    unique = []
    seen = set()
    for job_id in ids:
        if not isinstance(job_id, str) or not JOB_ID_RE.match(job_id):
            _fail('job_ids', 'each of job_ids must be a job id of letters, digits, "-", "_", "." or "~" '
                             '(at most 128 characters, such as a8d121820f5e411ec926ef19d53ba9c6f); got %r' % (job_id,))
        if job_id not in seen:
            seen.add(job_id)
            unique.append(job_id)
    return unique


class JobQuery(object):
    """A validated selection: job ids, or the filters of ``GET /jobs``; and what to do with it."""

    def __init__(self, job_ids=None, params=None, page_size=MAX_PAGE_SIZE, max_jobs=None, return_jobs='all',
                 wait=False, wait_timeout=600.0, wait_sleep=5.0):
        self.job_ids = job_ids
        self.params = params or {}
        self.page_size = page_size
        self.max_jobs = max_jobs
        self.return_jobs = return_jobs
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.wait_sleep = wait_sleep

    @classmethod
    def from_options(cls, options, now=None, ids_name='job_ids'):
        """Build a query from option values (a dict; absent and None mean "not set").

        ``ids_name`` is what the job ids are called where they came from (the lookup's terms).
        """
        get = options.get
        now = now or datetime.datetime.now(datetime.timezone.utc)
        page_size = _int('page_size', get('page_size', MAX_PAGE_SIZE), 1, MAX_PAGE_SIZE,
                         'a whole number from 1 to %d' % MAX_PAGE_SIZE)
        if page_size is None:
            page_size = MAX_PAGE_SIZE
        return_jobs = _choice('return_jobs', get('return_jobs') or 'all', RETURN_JOBS)
        wait = get('wait') or False
        if not isinstance(wait, bool):
            _fail('wait', 'wait must be true or false; got %r' % (wait,))
        wait_timeout = _number('wait_timeout', 600 if get('wait_timeout') is None else get('wait_timeout'),
                               0, 86400, 'a number of seconds from 0 to 86400')
        wait_sleep = _number('wait_sleep', 5 if get('wait_sleep') is None else get('wait_sleep'),
                             0.1, 3600, 'a number of seconds from 0.1 to 3600')
        common = dict(page_size=page_size, return_jobs=return_jobs, wait=wait, wait_timeout=wait_timeout,
                      wait_sleep=wait_sleep)
        if get('job_ids') is not None:  # an empty list selects no job (a gate then sees total 0)
            given = [name for name in LIST_ONLY_OPTIONS if get(name) not in (None, '', [])]
            if given:
                _fail(given[0], '%s cannot be combined with the listing options (%s); got %s and %s'
                      % (ids_name, ', '.join(LIST_ONLY_OPTIONS), ids_name, ', '.join(given)))
            return cls(job_ids=validate_job_ids(get('job_ids')), **common)
        missing = [name for name in ('queue_id', 'tag') if not get(name)]
        if missing:
            _fail(missing[0], 'select jobs with job_ids, or list them with queue_id and tag (both required for a '
                              'listing); %s is missing' % ' and '.join(missing))
        params = {
            'queueId': _text('queue_id', get('queue_id')),
            'tag': _choice('tag', get('tag'), TAGS),
        }
        states = validate_states(get('states'))
        if states:
            params['states'] = ','.join(states)
        for option, api in (('workflow_id', 'workflowId'), ('inventory_trigger_job_id', 'inventoryTriggerJobId'),
                            ('input_object', 'inputObject'), ('next_token', 'nextToken')):
            value = _text(option, get(option) or None)
            if value is not None:
                params[api] = value
        order = _choice('order_by_time', get('order_by_time'), ORDERS)
        if order:
            params['orderByTime'] = order
        for option, api in (('start_creation_time', 'startCreationTime'), ('end_creation_time', 'endCreationTime')):
            if get(option) not in (None, ''):
                params[api] = parse_time(option, get(option), now)
        if 'startCreationTime' in params and 'endCreationTime' in params:
            start = datetime.datetime.strptime(params['startCreationTime'], API_TIME_FORMAT)
            end = datetime.datetime.strptime(params['endCreationTime'], API_TIME_FORMAT)
            if start > end:
                _fail('start_creation_time', 'start_creation_time (%s) is after end_creation_time (%s)'
                      % (params['startCreationTime'], params['endCreationTime']))
        max_jobs = _int('max_jobs', get('max_jobs'), 1, None, 'a whole number of at least 1')
        return cls(params=params, max_jobs=max_jobs, **common)


def _text_of(job, key):
    """``job[key]`` when it is a text, else None: an element with child elements is no id and no state."""
    value = job.get(key)
    return value if isinstance(value, str) else None


def summarize(jobs):
    """The summary a playbook gates on."""
    by_state = dict((state, 0) for state in STATES)
    failed = []
    unfinished = 0
    for job in jobs:
        state = _text_of(job, 'state')
        by_state[state] = by_state.get(state, 0) + 1
        if state in FAILED_STATES:
            failed.append(job.get('job_id'))
        elif state in UNFINISHED_STATES:
            unfinished += 1
    total = len(jobs)
    return {
        'total': total,
        'by_state': by_state,
        'finished': unfinished == 0,
        'all_succeeded': total > 0 and by_state['Success'] == total,
        'failed_job_ids': failed,
    }


def _page_jobs(page):
    jobs = page.get('jobs_detail') or []
    return [job for job in jobs if isinstance(job, dict)]


def _missing_ids(page):
    missing = []
    for item in page.get('non_exist_job_ids') or []:
        if isinstance(item, str):
            missing.extend(part.strip() for part in item.split(',') if part.strip())
    return missing


def fetch_by_ids(client, job_ids):
    """``GET /jobs/<ids>`` in batches. Returns ``(jobs in the order asked, missing ids)``."""
    found = {}
    missing = []
    for start in range(0, len(job_ids), IDS_PER_REQUEST):
        batch = job_ids[start:start + IDS_PER_REQUEST]
        page = client.get('/jobs/' + ','.join(batch))
        for job in _page_jobs(page):
            if _text_of(job, 'job_id') is not None:
                found[job['job_id']] = job
        missing.extend(job_id for job_id in _missing_ids(page) if job_id not in found)
    jobs = [found[job_id] for job_id in job_ids if job_id in found]
    unanswered = [job_id for job_id in job_ids if job_id not in found and job_id not in missing]
    return jobs, missing + unanswered


def list_jobs(client, query, warn):
    """Every page of ``GET /jobs`` (or up to ``max_jobs``). Returns ``(jobs, next_token, truncated)``."""
    jobs = []
    seen = set()
    duplicates = 0
    next_token = ''
    for page in client.iter_pages('/jobs', query.params, query.page_size, limit=query.max_jobs):
        for job in _page_jobs(page):
            job_id = _text_of(job, 'job_id')
            if job_id is not None and job_id in seen:
                duplicates += 1
                continue
            seen.add(job_id)
            jobs.append(job)
        next_token = page.get('next_token') or ''
    truncated = False
    if query.max_jobs is not None and len(jobs) > query.max_jobs:  # a service that sent more than asked for
        del jobs[query.max_jobs:]
        truncated = True
    if duplicates:
        warn('The service returned %d job(s) twice across pages; each job is returned once.' % duplicates)
    truncated = truncated or bool(query.max_jobs is not None and next_token and len(jobs) >= query.max_jobs)
    if truncated:
        warn('Stopped after max_jobs=%d jobs; more jobs match. Use next_token to resume, or raise max_jobs.'
             % query.max_jobs)
    return jobs, next_token if isinstance(next_token, str) else '', truncated


def _unfinished(jobs):
    return [job for job in jobs if _text_of(job, 'state') in UNFINISHED_STATES]


def _describe_unfinished(jobs, limit=20):
    names = ['%s (%s)' % (job.get('job_id'), job.get('state')) for job in jobs[:limit]]
    if len(jobs) > limit:
        names.append('and %d more' % (len(jobs) - limit))
    return ', '.join(names)


def wait_for_jobs(client, jobs, missing, timeout, sleep_seconds, clock, sleep):
    """Poll the unfinished jobs by id until none is left, in place. Returns the number of polls."""
    deadline = clock() + timeout
    index = dict((_text_of(job, 'job_id'), position) for position, job in enumerate(jobs))
    polls = 0
    while True:
        # a job the service no longer knows is in ``missing`` and is not asked for again
        pending = [job for job in _unfinished(jobs) if _text_of(job, 'job_id') not in missing]
        if not pending:
            return polls
        remaining = deadline - clock()
        if remaining <= 0:
            return None
        sleep(min(sleep_seconds, remaining))
        polls += 1
        fresh, gone = fetch_by_ids(client, [job['job_id'] for job in pending if _text_of(job, 'job_id') is not None])
        for job in fresh:
            jobs[index[job.get('job_id')]] = job
        for job_id in gone:
            if job_id not in missing:
                missing.append(job_id)


def run(client, query, warn=None, clock=None, sleep=None):
    """Execute ``query`` and return the result both the module and the lookup hand out.

    Raises ``CIWaitTimeout`` (carrying the result) when waiting ran out of time.
    """
    warn = warn or (lambda msg: None)
    clock = clock or time.monotonic
    sleep = sleep or time.sleep
    if query.job_ids is not None:
        jobs, missing = fetch_by_ids(client, query.job_ids)
        next_token, truncated = '', False
    else:
        jobs, next_token, truncated = list_jobs(client, query, warn)
        missing = []
    timed_out = False
    if query.wait:
        timed_out = wait_for_jobs(client, jobs, missing, query.wait_timeout, query.wait_sleep, clock, sleep) is None
    summary = summarize(jobs)
    if query.return_jobs == 'failed':
        returned = [job for job in jobs if _text_of(job, 'state') in FAILED_STATES]
    elif query.return_jobs == 'none':
        returned = []
    else:
        returned = jobs
    result = {
        'jobs': returned,
        'summary': summary,
        'next_token': next_token,
        'truncated': truncated,
        'missing_job_ids': missing,
    }
    if timed_out:
        pending = _unfinished(jobs)
        raise CIWaitTimeout('Timed out after %s seconds waiting for %d job(s) to finish: %s'
                            % (_seconds(query.wait_timeout), len(pending), _describe_unfinished(pending)), result)
    return result


def _seconds(value):
    return ('%d' % value) if float(value).is_integer() else ('%s' % value)
