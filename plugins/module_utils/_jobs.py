# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job model of qcloud.ci: queries, times, jobs, summary. Pure: it sends no request.

Internal to this collection: the names may change in any release.

* ``JobQuery.from_options`` validates every option of a selection (the job list, ``GET /<job_list>``
  filters or job ids) and names the option and what is allowed when a value is wrong; ``LIST_FILTERS``,
  one table of option -> API parameter -> converter, drives the listing parameters;
* ``parse_time`` accepts the API's time format, ISO 8601 with an offset, and relative ages;
* jobs arrive already normalized by ``_xml`` (snake_case keys, repeated elements as lists);
* ``summarize`` builds the summary a playbook gates on, ``build_result`` the result the module
  and the lookup hand out.

The calls to the service (listing, jobs by id, waiting) are in ``_job_api``.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIValueError
from ansible_collections.qcloud.ci.plugins.module_utils._job_lists import (
    ALL_TAGS,
    DEFAULT_JOB_LIST,
    JOB_LISTS,
    TAGS_BY_LIST,
    job_list_for,
)

STATES = ('Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel')
UNFINISHED_STATES = frozenset(('Submitted', 'Running', 'Pause'))
FAILED_STATES = frozenset(('Failed', 'Cancel'))
ORDERS = ('Desc', 'Asc')
OUTPUTS = ('all', 'failed', 'none')  # which jobs the module returns in ``jobs``
MAX_PAGE_SIZE = 100
# The defaults of the selection and wait options: the argument spec (``_options``) and the code read
# them here; the doc fragments and the module documentation state the same (a unit test compares them).
DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE
DEFAULT_OUTPUT = 'all'
DEFAULT_WAIT_TIMEOUT = 600
DEFAULT_WAIT_SLEEP = 5
JOB_ID_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.~-]{0,127}\Z')
TEXT_FILTER_RE = re.compile(r'^[^\x00-\x1f\x7f]{1,1024}\Z')

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
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            _fail(option, '%s must carry a time zone offset; accepted forms are %s' % (option, TIME_FORMS))
        return _api_time(value)
    text = value.strip() if isinstance(value, str) else None
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
    try:
        moment = _absolute_time(match.groups())
    except ValueError as exc:
        _fail(option, '%s is not a valid time (%s); accepted forms are %s; got %r' % (option, exc, TIME_FORMS, value))
    return _api_time(moment)


def _absolute_time(groups):
    """The aware ``datetime`` of ``_ABSOLUTE_TIME_RE``'s groups; ValueError names what is out of range."""
    year, month, day, hour, minute, second, zulu, sign, off_h, off_m = groups
    if zulu:
        tz = datetime.timezone.utc
    else:
        if int(off_h) > 23 or int(off_m) > 59:
            raise ValueError('the offset must be from -23:59 to +23:59, with minutes from 00 to 59')
        delta = datetime.timedelta(hours=int(off_h), minutes=int(off_m))
        tz = datetime.timezone(delta if sign == '+' else -delta)
    return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz)


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


def validate_job_ids(value, ids_name='job_ids'):
    """The ids, stripped and deduplicated in order. ``ids_name`` names them in errors (the lookup's terms).

    Surrounding spaces are dropped: Ansible splits ``job_ids: "a, b"`` into ``a`` and `` b``.
    """
    ids = _as_list('job_ids', value)
    if ids is None:
        _fail('job_ids', '%s must be a list of job ids' % ids_name)
    unique = []
    seen = set()
    for job_id in ids:
        job_id = job_id.strip() if isinstance(job_id, str) else job_id
        if not isinstance(job_id, str) or not JOB_ID_RE.match(job_id):
            _fail('job_ids', 'each of %s must be a job id of letters, digits, "-", "_", "." or "~" '
                             '(at most 128 characters, such as a8d121820f5e411ec926ef19d53ba9c6f); got %r' % (ids_name, job_id))
        if job_id not in seen:
            seen.add(job_id)
            unique.append(job_id)
    return unique


def _states_param(option, value, now):
    states = validate_states(value)
    return ','.join(states) if states else None


def _time_param(option, value, now):
    return parse_time(option, value, now)


def _text_param(option, value, now):
    return _text(option, value)


def _choice_param(allowed):
    return lambda option, value, now: _choice(option, value, allowed)


# The filters of GET /<job_list>, in one table that builds the request: option, API parameter, and the
# converter ``(option, value, now) -> text or None`` that validates the value and gives the API's form.
# A value of None, '' or [] is "not set".
LIST_FILTERS = (
    ('queue_id', 'queueId', _text_param),
    ('tag', 'tag', _choice_param(ALL_TAGS)),
    ('states', 'states', _states_param),
    ('workflow_id', 'workflowId', _text_param),
    ('inventory_trigger_job_id', 'inventoryTriggerJobId', _text_param),
    ('input_object', 'inputObject', _text_param),
    ('order_by_time', 'orderByTime', _choice_param(ORDERS)),
    ('start_creation_time', 'startCreationTime', _time_param),
    ('end_creation_time', 'endCreationTime', _time_param),
    ('next_token', 'nextToken', _text_param),
)
LIST_REQUIRED = ('queue_id', 'tag')
LIST_ONLY_OPTIONS = tuple(name for name, dummy, dummy2 in LIST_FILTERS) + ('max_jobs',)


def _is_set(value):
    return value not in (None, '', [])


def build_list_params(options, now):
    """The parameters of ``GET /<job_list>`` (without ``size``) from option values, as ``LIST_FILTERS`` says."""
    missing = [name for name in LIST_REQUIRED if not options.get(name)]
    if missing:
        _fail(missing[0], 'select jobs with job_ids, or list them with queue_id and tag (both required for a '
                          'listing); %s is missing' % ' and '.join(missing))
    params = {}
    for option, api, convert in LIST_FILTERS:
        if _is_set(options.get(option)):
            value = convert(option, options.get(option), now)
            if value is not None:
                params[api] = value
    _check_time_range(params)
    return params


def _check_time_range(params):
    if 'startCreationTime' in params and 'endCreationTime' in params:
        start = datetime.datetime.strptime(params['startCreationTime'], API_TIME_FORMAT)
        end = datetime.datetime.strptime(params['endCreationTime'], API_TIME_FORMAT)
        if start > end:
            _fail('start_creation_time', 'start_creation_time (%s) is after end_creation_time (%s)'
                  % (params['startCreationTime'], params['endCreationTime']))


def _default(value, default):
    return default if value is None else value


def _bool(option, value):
    """A true/false option; not set is false."""
    value = value or False
    if not isinstance(value, bool):
        _fail(option, '%s must be true or false; got %r' % (option, value))
    return value


def validate_job_list(job_list, tag=None):
    """The job list to read: ``job_list``, or the list that serves ``tag``; ``tag`` must be one of its tags."""
    given = _choice('job_list', job_list or None, JOB_LISTS)
    if not isinstance(tag, str) or tag not in ALL_TAGS:  # a wrong tag is refused with the listing filters
        return job_list_for(given, None)
    chosen = job_list_for(given, tag)
    allowed = TAGS_BY_LIST[chosen]
    if tag not in allowed:
        _fail('tag', 'tag %s is not a tag of job_list %s, which serves only %s' % (tag, chosen, ', '.join(allowed)))
    return chosen


def _common_options(get):
    """The page size, output and wait options, validated, for ``JobQuery``."""
    page_size = _int('page_size', _default(get('page_size'), DEFAULT_PAGE_SIZE), 1, MAX_PAGE_SIZE,
                     'a whole number from 1 to %d' % MAX_PAGE_SIZE)
    return dict(
        page_size=page_size,
        output=_choice('output', get('output') or DEFAULT_OUTPUT, OUTPUTS),
        wait=_bool('wait', get('wait')),
        stop_on_pause=_bool('stop_on_pause', get('stop_on_pause')),
        wait_timeout=_number('wait_timeout', _default(get('wait_timeout'), DEFAULT_WAIT_TIMEOUT), 0, 86400,
                             'a number of seconds from 0 to 86400'),
        wait_sleep=_number('wait_sleep', _default(get('wait_sleep'), DEFAULT_WAIT_SLEEP), 0.1, 3600,
                           'a number of seconds from 0.1 to 3600'),
    )


class JobQuery(object):
    """A validated selection: a job list and job ids, or the filters of ``GET /<job_list>``; and what to do with it.

    ``job_list_given`` says whether the user named the job list (the by-id fallback of ``_job_api`` depends on it).
    """

    def __init__(self, job_ids=None, params=None, page_size=DEFAULT_PAGE_SIZE, max_jobs=None, output=DEFAULT_OUTPUT,
                 wait=False, wait_timeout=DEFAULT_WAIT_TIMEOUT, wait_sleep=DEFAULT_WAIT_SLEEP,
                 job_list=DEFAULT_JOB_LIST, job_list_given=False, stop_on_pause=False):
        self.job_list = job_list
        self.job_list_given = job_list_given
        self.stop_on_pause = stop_on_pause
        self.job_ids = job_ids
        self.params = params or {}
        self.page_size = page_size
        self.max_jobs = max_jobs
        self.output = output
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.wait_sleep = wait_sleep

    @classmethod
    def from_options(cls, options, now=None, ids_name='job_ids'):
        """Build a query from option values (a dict; absent and None mean "not set").

        ``ids_name`` is what the job ids are called where they came from (the lookup's terms).
        """
        common = _common_options(options.get)
        common['job_list_given'] = _is_set(options.get('job_list'))
        if options.get('job_ids') is not None:  # an empty list selects no job (a gate then sees total 0)
            given = [name for name in LIST_ONLY_OPTIONS if _is_set(options.get(name))]
            if given:
                _fail(given[0], '%s cannot be combined with the listing options (%s); got %s and %s'
                      % (ids_name, ', '.join(LIST_ONLY_OPTIONS), ids_name, ', '.join(given)))
            common['job_list'] = validate_job_list(options.get('job_list'))
            return cls(job_ids=validate_job_ids(options.get('job_ids'), ids_name), **common)
        common['job_list'] = validate_job_list(options.get('job_list'), options.get('tag'))
        params = build_list_params(options, now or datetime.datetime.now(datetime.timezone.utc))
        max_jobs = _int('max_jobs', options.get('max_jobs'), 1, None, 'a whole number of at least 1')
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


def page_jobs(page):
    """The jobs of a normalized page (anything that is not an element with children is dropped)."""
    jobs = page.get('jobs_detail') or []
    return [job for job in jobs if isinstance(job, dict)]


def missing_ids(page):
    """The ids of a page's ``NonExistJobIds``, repeated elements or one comma-joined text."""
    missing = []
    for item in page.get('non_exist_job_ids') or []:
        if isinstance(item, str):
            missing.extend(part.strip() for part in item.split(',') if part.strip())
    return missing


def job_id_of(job):
    return _text_of(job, 'job_id')


def unfinished(jobs):
    return [job for job in jobs if _text_of(job, 'state') in UNFINISHED_STATES]


def describe_jobs(jobs, limit=20):
    """``a (Running), b (Pause), and 3 more``."""
    names = ['%s (%s)' % (job.get('job_id'), job.get('state')) for job in jobs[:limit]]
    if len(jobs) > limit:
        names.append('and %d more' % (len(jobs) - limit))
    return ', '.join(names)


def describe_ids(ids, limit=20):
    names = list(ids[:limit])
    if len(ids) > limit:
        names.append('and %d more' % (len(ids) - limit))
    return ', '.join(names)


def seconds_text(value):
    return ('%d' % value) if float(value).is_integer() else ('%s' % value)


def build_result(jobs, output=DEFAULT_OUTPUT, next_token='', truncated=False, missing=(), vanished=(),
                 paused_jobs=(), paused_queues=()):
    """The result the module and the lookup hand out; ``output`` picks the jobs in ``jobs``."""
    if output == 'failed':
        returned = [job for job in jobs if _text_of(job, 'state') in FAILED_STATES]
    elif output == 'none':
        returned = []
    else:
        returned = jobs
    return {
        'jobs': returned,
        'summary': summarize(jobs),
        'next_token': next_token,
        'truncated': truncated,
        'missing_job_ids': list(missing),
        'vanished_job_ids': list(vanished),
        'paused_job_ids': list(paused_jobs),
        'paused_queue_ids': list(paused_queues),
    }
