# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job model: option validation, time parsing, summary, paging, batching and waiting.

The service is a small in-memory fake (``FakeService``) that pages by position and answers
``GET /jobs/<ids>``, so every request the model sends is visible.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest

from ansible_collections.qcloud.ci.plugins.module_utils import _client, _job_api, _jobs
from ansible_collections.qcloud.ci.plugins.module_utils._job_lists import ALL_TAGS
from ansible_collections.qcloud.ci.plugins.module_utils._errors import (
    CIDeadlineExceeded,
    CIRequestError,
    CIValueError,
    CIWaitIncomplete,
)

NOW = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
LISTING = {'queue_id': 'p893bcda225bf4945a378da6662e81a89', 'tag': 'Translation'}
ACCEPTED_FORMS = ('2024-05-01T00:00:00+0800', '2024-05-01T00:00:00Z', '2024-05-01T00:00:00+08:00', '30m', '2h', '7d')


def job(job_id, state='Success'):
    return {'job_id': job_id, 'state': state, 'tag': 'Translation'}


def query(**options):
    values = dict(LISTING)
    values.update(options)
    return _jobs.JobQuery.from_options(values, now=NOW)


def refused(options, now=NOW):
    with pytest.raises(CIValueError) as caught:
        _jobs.JobQuery.from_options(options, now=now)
    assert 'Traceback' not in caught.value.msg
    return caught.value


class FakeService(object):
    """Pages ``jobs`` by position like the service (``size`` and an opaque ``NextToken``) on any list path.

    ``GET /<list>/<ids>`` answers from ``jobs``; ``GET /ai_jobs/<ids>`` from ``ai_jobs`` (AI jobs that only
    that route knows).
    """

    def __init__(self, jobs, overserve=0, repeat_first=False, ai_jobs=()):
        self.jobs = list(jobs)
        self.by_id = dict((j.get('job_id'), j) for j in self.jobs)
        self.ai_by_id = dict((j.get('job_id'), j) for j in ai_jobs)
        self.overserve = overserve        # answer this many jobs more than asked for
        self.repeat_first = repeat_first  # repeat the last job of a page at the start of the next
        self.calls = []

    def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
        params = dict(params or {})
        self.calls.append((path, params))
        route, by_id, rest = path[1:].partition('/')
        if by_id:
            ids = rest.split(',')
            assert len(ids) <= _job_api.IDS_PER_REQUEST
            known = self.ai_by_id if route == 'ai_jobs' else self.by_id
            found = [dict(known[i]) for i in ids if i in known]
            return {'jobs_detail': found, 'non_exist_job_ids': [','.join(i for i in ids if i not in known)]}
        start = int(params.get('nextToken') or 0)
        size = int(params['size'])
        assert 1 <= size <= _jobs.MAX_PAGE_SIZE
        end = start + size + self.overserve
        page = self.jobs[start:end]
        if self.repeat_first and start:
            page = [self.jobs[start - 1]] + page
        token = str(min(end, len(self.jobs))) if end < len(self.jobs) else ''
        return {'jobs_detail': page, 'next_token': token}

    # the real pagination (NextToken, repeated tokens, params read before each request) over this fake
    iter_pages = _client.CIClient.iter_pages
    _last_request_id = None

    @property
    def sizes(self):
        return [int(params['size']) for path, params in self.calls if path == '/jobs']


def many(count, state='Success', prefix='j'):
    return [job('%s%05d' % (prefix, n), state) for n in range(count)]


# --- times -----------------------------------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('2024-05-01T08:00:00+0800', '2024-05-01T08:00:00+0800'),
    ('2024-05-01T00:00:00Z', '2024-05-01T00:00:00+0000'),
    ('2024-05-01T00:00:00z', '2024-05-01T00:00:00+0000'),
    ('2024-05-01T08:00:00+08:00', '2024-05-01T08:00:00+0800'),
    ('2024-04-30T19:00:00-05:00', '2024-04-30T19:00:00-0500'),
    ('2024-05-01 08:00:00+08:00', '2024-05-01T08:00:00+0800'),
    ('2024-05-01T08:00:00.123456+08:00', '2024-05-01T08:00:00+0800'),
    ('  2024-05-01T08:00:00+0800  ', '2024-05-01T08:00:00+0800'),
    ('30s', '2024-05-01T11:59:30+0000'),
    ('30m', '2024-05-01T11:30:00+0000'),
    ('2h', '2024-05-01T10:00:00+0000'),
    ('7d', '2024-04-24T12:00:00+0000'),
    ('1w', '2024-04-24T12:00:00+0000'),
    ('0m', '2024-05-01T12:00:00+0000'),
    ('3 d', '2024-04-28T12:00:00+0000'),
])
def test_every_accepted_time_form(text, expected):
    assert _jobs.parse_time('start_creation_time', text, NOW) == expected


def test_aware_datetime_is_accepted_and_naive_refused():
    aware = datetime.datetime(2024, 5, 1, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert _jobs.parse_time('end_creation_time', aware, NOW) == '2024-05-01T08:00:00+0800'
    with pytest.raises(CIValueError) as caught:
        _jobs.parse_time('end_creation_time', datetime.datetime(2024, 5, 1, 8, 0), NOW)
    assert caught.value.option == 'end_creation_time'
    assert 'time zone offset' in caught.value.msg


@pytest.mark.parametrize('value', [
    '2024-05-01T00:00:00',          # no offset
    '2024-05-01',                   # no time
    '2024-05-01T00:00+0800',        # no seconds
    '2024-13-01T00:00:00Z',         # month 13
    '2024-02-30T00:00:00Z',         # 30 February
    '0000-01-01T00:00:00Z',         # year 0
    '2024-05-01T00:00:00+2400',     # offset of a day
    '2024-05-01T00:00:00+0875',     # 75 minutes
    '2024-05-01T00:00:00-08:60',    # 60 minutes
    '2024-05-01T00:00:00+2500',     # 25 hours
    '2024-05-01T00:00:00 CST',      # a zone name
    'yesterday',
    '30x',
    '-5m',
    '1.5h',
    '',
    '   ',
    1714521600,
    None,
    ['2024-05-01T00:00:00Z'],
    '999999d',                      # before the year 1
    '999999999w',                   # beyond any date
])
def test_refused_times_name_the_option_and_list_the_accepted_forms(value):
    with pytest.raises(CIValueError) as caught:
        _jobs.parse_time('start_creation_time', value, NOW)
    assert caught.value.option == 'start_creation_time'
    assert caught.value.msg.startswith('start_creation_time ')
    for form in ACCEPTED_FORMS:
        assert form in caught.value.msg
    assert 'before now' in caught.value.msg


@pytest.mark.parametrize('text, expected', [
    ('0999-12-31T23:59:59Z', '0999-12-31T23:59:59+0000'),
    ('0001-01-01T00:00:00+00:00', '0001-01-01T00:00:00+0000'),
])
def test_times_always_have_a_four_digit_year(text, expected):
    assert _jobs.parse_time('start_creation_time', text, NOW) == expected


def test_times_through_the_query_are_sent_in_the_api_format():
    params = query(start_creation_time='2024-04-30T16:00:00Z', end_creation_time='1h').params
    assert params['startCreationTime'] == '2024-04-30T16:00:00+0000'
    assert params['endCreationTime'] == '2024-05-01T11:00:00+0000'


def test_start_after_end_is_refused():
    error = refused(dict(LISTING, start_creation_time='2024-05-02T00:00:00+0800',
                         end_creation_time='2024-05-01T00:00:00+0800'))
    assert error.option == 'start_creation_time'
    assert 'is after end_creation_time' in error.msg


def test_start_equal_to_end_in_another_offset_is_allowed():
    params = query(start_creation_time='2024-05-01T08:00:00+0800', end_creation_time='2024-05-01T00:00:00Z').params
    assert params['startCreationTime'] == '2024-05-01T08:00:00+0800'


# --- listing options -------------------------------------------------------------------------

def test_listing_options_map_to_the_api_parameters():
    q = query(states=['Failed', 'Cancel', 'Failed'], workflow_id='w1', inventory_trigger_job_id='t1',
              input_object='dir/a b.txt', order_by_time='Asc', next_token='tok', page_size=7, max_jobs=20)
    assert q.params == {'queueId': LISTING['queue_id'], 'tag': 'Translation', 'states': 'Failed,Cancel',
                        'workflowId': 'w1', 'inventoryTriggerJobId': 't1', 'inputObject': 'dir/a b.txt',
                        'orderByTime': 'Asc', 'nextToken': 'tok'}
    assert (q.page_size, q.max_jobs, q.job_ids) == (7, 20, None)


def test_defaults():
    q = query()
    assert q.params == {'queueId': LISTING['queue_id'], 'tag': 'Translation'}
    assert (q.page_size, q.max_jobs, q.output) == (100, None, 'all')
    assert (q.wait, q.wait_timeout, q.wait_sleep) == (False, 600.0, 5.0)


@pytest.mark.parametrize('states', [['All'], ['Running', 'All'], [], 'All', None])
def test_all_states_send_no_states_parameter(states):
    assert 'states' not in query(states=states).params


def test_states_as_a_comma_string():
    assert query(states='Running, Pause').params['states'] == 'Running,Pause'


@pytest.mark.parametrize('option, value, allowed', [
    ('tag', 'Translate', ', '.join(ALL_TAGS)),
    ('tag', 'translation', ', '.join(ALL_TAGS)),
    ('states', ['Success', 'Done'], 'All, Submitted, Running, Success, Failed, Pause, Cancel'),
    ('states', 'Succeeded', 'All, Submitted, Running, Success, Failed, Pause, Cancel'),
    ('order_by_time', 'desc', 'Desc, Asc'),
    ('output', 'some', 'all, failed, none'),
])
def test_choices_name_the_option_and_the_allowed_values(option, value, allowed):
    error = refused(dict(LISTING, **{option: value}))
    assert error.option == option
    assert error.msg.startswith(option + ' must be ')
    assert allowed in error.msg
    assert repr(value if option != 'states' else (value[-1] if isinstance(value, list) else value)) in error.msg


@pytest.mark.parametrize('value', [0, 101, -1, '0', 'ten', 1.5, True, [1]])
def test_page_size_must_be_1_to_100(value):
    error = refused(dict(LISTING, page_size=value))
    assert error.option == 'page_size'
    assert 'page_size must be a whole number from 1 to 100' in error.msg


@pytest.mark.parametrize('value', [1, 100, '50', 7.0])
def test_page_size_accepted(value):
    assert query(page_size=value).page_size == int(value)


@pytest.mark.parametrize('value', [0, -5, 'many', 2.5, False])
def test_max_jobs_must_be_at_least_1(value):
    error = refused(dict(LISTING, max_jobs=value))
    assert error.option == 'max_jobs'
    assert 'max_jobs must be a whole number of at least 1' in error.msg


@pytest.mark.parametrize('option, value, text', [
    ('wait', 'yes', 'wait must be true or false'),
    ('wait_timeout', -1, 'wait_timeout must be a number of seconds from 0 to 86400'),
    ('wait_timeout', 86401, 'wait_timeout must be a number of seconds from 0 to 86400'),
    ('wait_timeout', float('nan'), 'wait_timeout must be a number of seconds from 0 to 86400'),
    ('wait_sleep', 0, 'wait_sleep must be a number of seconds from 0.1 to 3600'),
    ('wait_sleep', 'soon', 'wait_sleep must be a number of seconds from 0.1 to 3600'),
])
def test_wait_options(option, value, text):
    error = refused(dict(LISTING, **{option: value}))
    assert error.option == option
    assert text in error.msg


@pytest.mark.parametrize('option, value', [
    ('queue_id', 'p1\n'),
    ('workflow_id', 'w\x00'),
    ('input_object', 'x' * 1025),
    ('inventory_trigger_job_id', 42),
])
def test_text_filters_refuse_control_characters_and_other_types(option, value):
    error = refused(dict(LISTING, **{option: value}))
    assert error.option == option
    assert 'without control characters' in error.msg


@pytest.mark.parametrize('missing', ['queue_id', 'tag'])
def test_a_listing_needs_queue_id_and_tag(missing):
    options = dict(LISTING)
    del options[missing]
    error = refused(options)
    assert error.option == missing
    assert 'list them with queue_id and tag' in error.msg
    assert '%s is missing' % missing in error.msg


def test_nothing_selected_names_both():
    error = refused({})
    assert error.option == 'queue_id'
    assert 'queue_id and tag is missing' in error.msg


# --- job ids ---------------------------------------------------------------------------------

def test_job_ids_as_a_text_with_spaces_are_split_and_stripped():
    assert _jobs.JobQuery.from_options({'job_ids': 'a, b ,c'}).job_ids == ['a', 'b', 'c']
    # what Ansible makes of job_ids: "a, b" with type=list, elements=str
    assert _jobs.JobQuery.from_options({'job_ids': ['a', ' b']}).job_ids == ['a', 'b']


def test_bad_job_ids_are_named_as_the_caller_calls_them():
    with pytest.raises(CIValueError) as caught:
        _jobs.JobQuery.from_options({'job_ids': ['a/b']}, ids_name='the terms (job ids)')
    assert caught.value.msg.startswith('each of the terms (job ids) must be a job id')


def test_job_ids_are_deduplicated_in_order():
    q = _jobs.JobQuery.from_options({'job_ids': ['b', 'a', 'b', 'c']})
    assert q.job_ids == ['b', 'a', 'c']
    assert q.params == {}


@pytest.mark.parametrize('option, value', [
    ('queue_id', 'p1'), ('tag', 'Translation'), ('states', ['Failed']), ('workflow_id', 'w1'),
    ('inventory_trigger_job_id', 't1'), ('input_object', 'a.txt'), ('order_by_time', 'Asc'),
    ('start_creation_time', '1d'), ('end_creation_time', '1d'), ('next_token', 'tok'), ('max_jobs', 5),
])
def test_job_ids_with_a_listing_option_are_refused(option, value):
    error = refused({'job_ids': ['a8d121820f5e411ec926ef19d53ba9c6f'], option: value})
    assert error.option == option
    assert 'job_ids cannot be combined with the listing options' in error.msg
    assert 'got job_ids and %s' % option in error.msg


def test_job_ids_with_unset_listing_options_and_page_size_are_fine():
    q = _jobs.JobQuery.from_options({'job_ids': ['a'], 'queue_id': None, 'states': [], 'next_token': '',
                                     'page_size': 100, 'output': 'failed', 'wait': True})
    assert (q.job_ids, q.output, q.wait) == (['a'], 'failed', True)


@pytest.mark.parametrize('bad', ['a/b', 'a,b', '', 'a b', '-a', 'x' * 129, 7])
def test_bad_job_ids(bad):
    error = refused({'job_ids': ['good', bad]})
    assert error.option == 'job_ids'
    assert 'each of job_ids must be a job id' in error.msg


# --- summary ---------------------------------------------------------------------------------

def test_summary_of_nothing():
    assert _jobs.summarize([]) == {
        'total': 0, 'by_state': dict.fromkeys(_jobs.STATES, 0), 'finished': True, 'all_succeeded': False,
        'failed_job_ids': []}


def test_summary_all_success():
    summary = _jobs.summarize(many(3))
    assert summary['by_state']['Success'] == 3
    assert (summary['total'], summary['finished'], summary['all_succeeded']) == (3, True, True)
    assert summary['failed_job_ids'] == []


def test_summary_some_failed_and_some_running():
    jobs = [job('a'), job('b', 'Failed'), job('c', 'Running'), job('d', 'Cancel'), job('e', 'Pause'),
            job('f', 'Submitted')]
    summary = _jobs.summarize(jobs)
    assert summary == {
        'total': 6, 'by_state': {'Submitted': 1, 'Running': 1, 'Success': 1, 'Failed': 1, 'Pause': 1, 'Cancel': 1},
        'finished': False, 'all_succeeded': False, 'failed_job_ids': ['b', 'd']}


def test_summary_finished_with_failures_is_not_all_succeeded():
    summary = _jobs.summarize([job('a'), job('b', 'Failed')])
    assert summary['finished'] is True
    assert summary['all_succeeded'] is False


def test_summary_counts_a_state_it_does_not_know():
    summary = _jobs.summarize([job('a'), job('b', 'Queued')])
    assert summary['by_state']['Queued'] == 1
    assert summary['all_succeeded'] is False


# --- listing ---------------------------------------------------------------------------------

def ids(jobs):
    return [j['job_id'] for j in jobs]


@pytest.mark.parametrize('count', [0, 1, 99, 100, 101, 250])
@pytest.mark.parametrize('page_size', [1, 7, 100])
def test_every_page_exactly_once(count, page_size):
    service = FakeService(many(count))
    result = _job_api.run(service, query(page_size=page_size))
    assert ids(result['jobs']) == ids(service.jobs)
    assert (result['next_token'], result['truncated']) == ('', False)
    assert result['summary']['total'] == count
    assert len(service.calls) == max(1, -(-count // page_size))


def test_max_jobs_sizes_the_pages_so_next_token_resumes_exactly():
    warnings = []
    service = FakeService(many(260))
    first = _job_api.run(service, query(max_jobs=250), warnings.append)
    assert service.sizes == [100, 100, 50]
    assert ids(first['jobs']) == ids(service.jobs[:250])
    assert first['truncated'] is True and first['next_token'] == '250'
    assert warnings == ['Stopped after max_jobs=250 jobs; more jobs match. Use next_token to resume, or raise max_jobs.']
    rest = _job_api.run(service, query(next_token=first['next_token']))
    assert ids(rest['jobs']) == ids(service.jobs[250:])
    assert rest['truncated'] is False


def test_max_jobs_below_page_size_asks_for_that_many():
    service = FakeService(many(50))
    result = _job_api.run(service, query(max_jobs=5, page_size=7))
    assert service.sizes == [5]
    assert len(result['jobs']) == 5 and result['truncated'] is True


@pytest.mark.parametrize('max_jobs', [30, 31, 1000])
def test_max_jobs_at_or_above_the_total_is_not_truncated(max_jobs):
    warnings = []
    result = _job_api.run(FakeService(many(30)), query(max_jobs=max_jobs, page_size=10), warnings.append)
    assert len(result['jobs']) == 30
    assert (result['truncated'], result['next_token'], warnings) == (False, '', [])


def test_a_service_that_sends_more_than_asked_is_cut_to_max_jobs():
    warnings = []
    result = _job_api.run(FakeService(many(40), overserve=3), query(max_jobs=5, page_size=5), warnings.append)
    assert ids(result['jobs']) == ids(many(5))
    assert result['truncated'] is True
    assert len(warnings) == 1


def test_a_job_on_two_pages_is_returned_once_with_a_warning():
    warnings = []
    result = _job_api.run(FakeService(many(10), repeat_first=True), query(page_size=4), warnings.append)
    assert ids(result['jobs']) == ids(many(10))
    assert warnings == ['The service returned 2 job(s) twice across pages; each job is returned once.']


@pytest.mark.parametrize('output, expected', [('all', ['a', 'b', 'c', 'd']), ('failed', ['b', 'd']), ('none', [])])
def test_output_reduces_jobs_but_never_the_summary(output, expected):
    service = FakeService([job('a'), job('b', 'Failed'), job('c', 'Running'), job('d', 'Cancel')])
    result = _job_api.run(service, query(output=output))
    assert ids(result['jobs']) == expected
    assert result['summary'] == _jobs.summarize(service.jobs)


# --- jobs by id ------------------------------------------------------------------------------

def test_ids_are_fetched_in_batches_of_200_in_the_order_asked():
    service = FakeService(many(420))
    wanted = list(reversed(ids(service.jobs))) + ['unknown1', 'unknown2']
    result = _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': wanted}))
    assert [(path.split('/')[1], len(path.split('/')[-1].split(','))) for path, dummy in service.calls] == [
        ('jobs', 200), ('jobs', 200), ('jobs', 22), ('ai_jobs', 2)]
    assert ids(result['jobs']) == wanted[:420]
    assert result['missing_job_ids'] == ['unknown1', 'unknown2']
    assert (result['next_token'], result['truncated']) == ('', False)


def test_ids_the_service_neither_returns_nor_reports_are_missing():
    class Silent(FakeService):
        def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
            page = FakeService.get(self, path, params)
            page['non_exist_job_ids'] = []
            return page

    result = _job_api.run(Silent([job('a')]), _jobs.JobQuery.from_options({'job_ids': ['a', 'ghost']}))
    assert ids(result['jobs']) == ['a']
    assert result['missing_job_ids'] == ['ghost']


# --- waiting ---------------------------------------------------------------------------------

class Clock(object):
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class Progressing(FakeService):
    """Each poll by id moves the jobs along the given state sequences."""

    def __init__(self, jobs, progress):
        FakeService.__init__(self, jobs)
        self.progress = dict((k, list(v)) for k, v in progress.items())

    def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
        if path.startswith('/jobs/'):
            for job_id in path[len('/jobs/'):].split(','):
                if self.progress.get(job_id):
                    self.by_id[job_id] = job(job_id, self.progress[job_id].pop(0))
        return FakeService.get(self, path, params)


def polled(service):
    return [path for path, dummy in service.calls if path.startswith('/jobs/')]


def test_wait_polls_only_the_unfinished_jobs_by_id_until_they_finish():
    clock = Clock()
    service = Progressing([job('a'), job('b', 'Running'), job('c', 'Submitted'), job('d', 'Failed')],
                          {'b': ['Success'], 'c': ['Running', 'Failed']})
    result = _job_api.run(service, query(wait=True, wait_sleep=2), clock=clock.time, sleep=clock.sleep)
    assert polled(service) == ['/jobs/b,c', '/jobs/c']
    assert clock.sleeps == [2.0, 2.0]
    states = [(j['job_id'], j['state']) for j in result['jobs']]
    assert states == [('a', 'Success'), ('b', 'Success'), ('c', 'Failed'), ('d', 'Failed')]
    assert result['summary']['finished'] is True
    assert result['summary']['failed_job_ids'] == ['c', 'd']


def test_wait_with_everything_finished_sends_no_poll():
    clock = Clock()
    service = FakeService([job('a'), job('b', 'Cancel')])
    _job_api.run(service, query(wait=True), clock=clock.time, sleep=clock.sleep)
    assert polled(service) == [] and clock.sleeps == []


def test_wait_by_id_polls_only_unfinished_ids():
    clock = Clock()
    service = Progressing([job('a', 'Running'), job('b')], {'a': ['Running', 'Running', 'Success']})
    result = _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ['a', 'b'], 'wait': True, 'wait_sleep': 1}),
                          clock=clock.time, sleep=clock.sleep)
    assert polled(service) == ['/jobs/a,b', '/jobs/a', '/jobs/a']
    assert clock.sleeps == [1.0, 1.0]
    assert result['summary']['all_succeeded'] is True


def test_wait_timeout_names_each_unfinished_job_and_its_state_and_keeps_the_result():
    clock = Clock()
    service = Progressing([job('a'), job('b', 'Running'), job('c', 'Pause'), job('d', 'Submitted')],
                          {'d': ['Running'] * 100})
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_timeout=10, wait_sleep=3), clock=clock.time, sleep=clock.sleep)
    error = caught.value
    assert error.msg == ('Timed out after 10 seconds waiting for 3 job(s) to finish: b (Running), c (Pause), '
                         'd (Running)')
    assert clock.sleeps == [3, 3, 3, 1]  # the last sleep ends at the deadline
    assert ids(error.result['jobs']) == ['a', 'b', 'c', 'd']
    assert error.result['summary']['finished'] is False
    assert set(polled(service)) == {'/jobs/b,c,d'}


def test_wait_timeout_zero_fails_at_once_without_polling():
    clock = Clock()
    service = FakeService([job('a', 'Running')])
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_timeout=0), clock=clock.time, sleep=clock.sleep)
    assert 'Timed out after 0 seconds waiting for 1 job(s) to finish: a (Running)' == caught.value.msg
    assert polled(service) == [] and clock.sleeps == []


def test_wait_timeout_lists_at_most_20_jobs():
    clock = Clock()
    service = FakeService(many(25, 'Running'))
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_timeout=0.5), clock=clock.time, sleep=clock.sleep)
    assert caught.value.msg.startswith('Timed out after 0.5 seconds waiting for 25 job(s) to finish: j00000 (Running), ')
    assert caught.value.msg.endswith('j00019 (Running), and 5 more')


def test_wait_timeout_keeps_output():
    clock = Clock()
    service = FakeService([job('a', 'Failed'), job('b', 'Running')])
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_timeout=1, output='failed'), clock=clock.time,
                     sleep=clock.sleep)
    assert ids(caught.value.result['jobs']) == ['a']
    assert caught.value.result['summary']['total'] == 2


def test_max_jobs_with_small_pages_resumes_exactly():
    service = FakeService(many(100))
    first = _job_api.run(service, query(max_jobs=30, page_size=7))
    assert service.sizes == [7, 7, 7, 7, 2]
    rest = _job_api.run(service, query(next_token=first['next_token'], page_size=7))
    assert ids(first['jobs']) + ids(rest['jobs']) == ids(service.jobs)


def test_max_jobs_page_sizes_reach_the_real_client(scripted):
    """The same sizing through ``CIClient.iter_pages``, which keeps its own copy of the parameters."""
    from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import xml_jobs

    harness = scripted([
        (200, xml_jobs(('j1', 'Success'), ('j2', 'Success'), NextToken='t2')),
        (200, xml_jobs(('j3', 'Success'), ('j4', 'Success'), NextToken='t4')),
        (200, xml_jobs(('j5', 'Success'), NextToken='t5')),
    ])
    result = _job_api.run(harness.client, query(max_jobs=5, page_size=2))
    assert [url.split('size=')[1].split('&')[0] for url in harness.urls] == ['2', '2', '1']
    assert 'nextToken=t4' in harness.urls[2]
    assert ids(result['jobs']) == ['j1', 'j2', 'j3', 'j4', 'j5']
    assert (result['next_token'], result['truncated']) == ('t5', True)


class Vanishing(Progressing):
    """Like Progressing, but ``gone`` stops existing after the first poll."""

    def __init__(self, jobs, progress, gone):
        Progressing.__init__(self, jobs, progress)
        self.gone = gone

    def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
        if polled(self):
            self.by_id.pop(self.gone, None)
        return Progressing.get(self, path, params, check)


def test_a_job_that_vanishes_while_waiting_is_reported_as_vanished_and_the_wait_is_incomplete():
    service = Vanishing([job('a', 'Running'), job('b', 'Running')], {'a': ['Running', 'Running', 'Success']}, 'b')
    clock = Clock()
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_sleep=1, wait_timeout=60), clock=clock.time, sleep=clock.sleep)
    assert polled(service) == ['/jobs/a,b', '/jobs/a,b', '/jobs/a']
    assert clock.now == 1003  # three polls, one second apart: not held until the timeout by the vanished job
    error = caught.value
    assert error.msg == ('1 job(s) vanished while waiting (the service no longer knows them; their last known state '
                         'is kept in jobs): b')
    result = error.result
    assert sorted(result) == ['jobs', 'missing_job_ids', 'next_token', 'paused_job_ids', 'paused_queue_ids', 'summary',
                              'truncated', 'vanished_job_ids']
    assert result['paused_job_ids'] == [] and result['paused_queue_ids'] == []
    assert result['vanished_job_ids'] == ['b'] and result['missing_job_ids'] == []
    assert [(j['job_id'], j['state']) for j in result['jobs']] == [('a', 'Success'), ('b', 'Running')]
    assert result['summary']['finished'] is False


def test_ids_unknown_at_the_first_read_are_missing_and_ids_gone_later_are_vanished():
    service = Vanishing([job('a', 'Running'), job('b', 'Running')], {'a': ['Running', 'Success']}, 'b')
    clock = Clock()
    options = {'job_ids': ['a', 'b', 'ghost'], 'wait': True, 'wait_sleep': 1}
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, _jobs.JobQuery.from_options(options), clock=clock.time, sleep=clock.sleep)
    assert caught.value.result['missing_job_ids'] == ['ghost']
    assert caught.value.result['vanished_job_ids'] == ['b']


def test_a_wait_that_times_out_with_a_vanished_job_names_both():
    service = Vanishing([job('a', 'Running'), job('b', 'Running')], {'a': ['Running'] * 10}, 'b')
    clock = Clock()
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_sleep=1, wait_timeout=3), clock=clock.time, sleep=clock.sleep)
    assert caught.value.msg == ('Timed out after 3 seconds waiting for 1 job(s) to finish: a (Running); 1 job(s) '
                                'vanished while waiting (the service no longer knows them; their last known state '
                                'is kept in jobs): b')


@pytest.mark.parametrize('wait', [False, True])
def test_vanished_job_ids_is_always_in_the_result(wait):
    clock = Clock()
    result = _job_api.run(FakeService([job('a')]), query(wait=wait), clock=clock.time, sleep=clock.sleep)
    assert result['vanished_job_ids'] == [] and result['missing_job_ids'] == []


def test_an_unfinished_job_without_a_job_id_fails_at_once():
    clock = Clock()
    service = FakeService([job('a', 'Running'), {'state': 'Running', 'tag': 'Translation'}])
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_timeout=600), clock=clock.time, sleep=clock.sleep)
    assert caught.value.msg == ('Cannot wait for 1 unfinished job(s) that the service returned without a JobId '
                                '(states: Running)')
    assert clock.sleeps == [] and polled(service) == []
    assert caught.value.result['summary']['total'] == 2


class Deadlined(Progressing):
    """Records the deadline of every request; refuses, like the client, a request at or after its deadline."""

    def __init__(self, jobs, progress, clock, cost=0.0):
        Progressing.__init__(self, jobs, progress)
        self.clock = clock
        self.cost = cost  # simulated seconds one request takes, retries included
        self.deadlines = []

    def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
        self.deadlines.append(deadline)
        if deadline is not None and self.clock.now + self.cost >= deadline:
            self.clock.now = max(self.clock.now, deadline)
            raise CIDeadlineExceeded('the wait budget is spent', 'GET', path)
        self.clock.now += self.cost
        return Progressing.get(self, path, params, check)


def test_the_wait_budget_is_a_deadline_on_every_poll_counted_from_the_first_read():
    clock = Clock()
    service = Deadlined([job('a', 'Running')], {'a': ['Running', 'Success']}, clock, cost=0.5)
    result = _job_api.run(service, query(wait=True, wait_timeout=10, wait_sleep=2), clock=clock.time,
                          sleep=clock.sleep)
    assert result['summary']['all_succeeded'] is True
    # the listing has no deadline and took 0.5 s; the budget counts from its end
    assert service.deadlines == [None, 1010.5, 1010.5]


def test_a_poll_that_hits_the_deadline_ends_the_wait_with_the_timeout_message_and_the_jobs():
    clock = Clock()
    service = Deadlined([job('a', 'Running'), job('b', 'Running')], {'a': ['Success'], 'b': ['Running'] * 9},
                        clock, cost=4)  # each poll costs 4 s of retries: the third one cannot fit
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, query(wait=True, wait_timeout=10, wait_sleep=1), clock=clock.time, sleep=clock.sleep)
    assert caught.value.msg == 'Timed out after 10 seconds waiting for 1 job(s) to finish: b (Running)'
    assert clock.now == 1014  # never beyond the deadline of 1004 + 10
    assert [(j['job_id'], j['state']) for j in caught.value.result['jobs']] == [('a', 'Success'), ('b', 'Running')]


# --- id batches --------------------------------------------------------------------------------

class Refusing(FakeService):
    """Refuses a request for more than ``limit`` ids the way ``refusal`` says: (status, code, message)."""

    def __init__(self, jobs, limit, refusal):
        FakeService.__init__(self, jobs)
        self.limit = limit
        self.refusal = refusal

    def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
        if path.startswith('/jobs/') and len(path.split(',')) > self.limit:
            self.calls.append((path, params))
            status, code, message = self.refusal
            raise CIRequestError(None, 'GET', path, status=status, code=code, message=message)
        return FakeService.get(self, path, params)


def batch_sizes(service):
    return [len(path.split(',')) for path, dummy in service.calls if path.startswith('/jobs/')]


@pytest.mark.parametrize('refusal', [
    (414, None, None),
    (400, 'InvalidArgument', 'At most 30 job ids may be queried at once'),
    (400, 'InvalidUrl', 'The request URI is too long'),
    (400, 'RequestUriTooLong', 'Request refused'),
])
def test_a_batch_refused_as_too_long_is_halved_and_the_size_kept_for_the_run(refusal):
    service = Refusing(many(250, 'Running'), 30, refusal)
    clock = Clock()
    query_ = _jobs.JobQuery.from_options({'job_ids': ids(service.jobs), 'wait': True, 'wait_timeout': 2,
                                          'wait_sleep': 1})
    with pytest.raises(CIWaitIncomplete):
        _job_api.run(service, query_, clock=clock.time, sleep=clock.sleep)
    # 200 refused, 100 refused, 50 refused, then 25 at a time, also for the poll after the first read
    assert batch_sizes(service) == [200, 100, 50] + [25] * 10 + [25] * 10


@pytest.mark.parametrize('refusal', [
    (400, 'InvalidArgument', 'The job id is malformed'),
    (403, 'AccessDenied', 'Access denied'),
    (503, 'ServiceUnavailable', 'Please reduce your request rate'),
])
def test_other_refusals_are_not_mistaken_for_a_batch_too_long(refusal):
    service = Refusing(many(130), 30, refusal)
    with pytest.raises(CIRequestError) as caught:
        _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ids(service.jobs)}))
    assert caught.value.status == refusal[0]
    assert batch_sizes(service) == [130]


def test_a_full_batch_of_typical_ids_fits_in_the_request_target_a_front_end_accepts():
    # a CI job id as documented (ci-api.md: 'a8d121820f5e411ec926ef19d53ba9c6f', 33 characters)
    typical = 'a8d121820f5e411ec926ef19d53ba9c6f'
    service = FakeService([job('%s%04d' % (typical[:-4], n)) for n in range(_job_api.IDS_PER_REQUEST + 1)])
    _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ids(service.jobs)}))
    paths = [path for path, dummy in service.calls]
    assert [len(path.split(',')) for path in paths] == [200, 1]
    assert len(typical) == len(service.jobs[0]['job_id']) == 33
    assert len(paths[0]) == len('/jobs/') + 200 * 33 + 199 == 6805
    # on the wire each comma is percent-encoded (%2C): 7,203 bytes, under the 8 KB of a typical front end
    assert len(quote(paths[0], safe='/-_.~')) == 6805 + 199 * 2 == 7203 < 8192


def test_a_single_id_refused_as_too_long_is_a_failure():
    service = Refusing([job('x' * 128)], 0, (414, None, None))
    with pytest.raises(CIRequestError) as caught:
        _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ['x' * 128]}))
    assert caught.value.status == 414
    assert batch_sizes(service) == [1]


def test_an_empty_job_ids_list_selects_no_job_without_a_request():
    service = FakeService([job('a')])
    result = _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': []}))
    assert service.calls == []
    assert result['jobs'] == [] and result['summary']['total'] == 0 and not result['summary']['all_succeeded']


# --- job lists (1.1.0) -----------------------------------------------------------------------

def media_job(job_id, state='Success', tag='Transcode', queue_id='pmedia'):
    return {'job_id': job_id, 'state': state, 'tag': tag, 'queue_id': queue_id}


@pytest.mark.parametrize('options, path', [
    ({'tag': 'Translation'}, '/jobs'),
    ({'tag': 'Transcode'}, '/jobs'),
    ({'tag': 'PicProcess'}, '/pic_jobs'),
    ({'tag': 'DocProcess'}, '/doc_jobs'),
    ({'tag': 'SpeechRecognition', 'job_list': 'asr_jobs'}, '/asr_jobs'),
    ({'tag': 'SpeechRecognition', 'job_list': 'jobs'}, '/jobs'),
])
def test_the_listing_reads_the_list_of_the_tag_or_of_job_list(options, path):
    service = FakeService([media_job('a', tag=options['tag'])])
    result = _job_api.run(service, query(**options))
    assert service.calls == [(path, {'queueId': LISTING['queue_id'], 'tag': options['tag'], 'size': '100'})]
    assert ids(result['jobs']) == ['a']


def test_a_1_0_0_listing_sends_exactly_what_1_0_0_sent():
    service = FakeService(many(3))
    _job_api.run(service, query(states=['Failed'], order_by_time='Asc', page_size=2))
    assert service.calls == [
        ('/jobs', {'queueId': LISTING['queue_id'], 'tag': 'Translation', 'states': 'Failed', 'orderByTime': 'Asc',
                   'size': '2'}),
        ('/jobs', {'queueId': LISTING['queue_id'], 'tag': 'Translation', 'states': 'Failed', 'orderByTime': 'Asc',
                   'size': '2', 'nextToken': '2'})]


@pytest.mark.parametrize('job_list, tag, allowed', [
    ('pic_jobs', 'Transcode', 'PicProcess'),
    ('doc_jobs', 'PicProcess', 'DocProcess'),
    ('asr_jobs', 'Translation', 'SpeechRecognition'),
    ('jobs', 'DocProcess', ', '.join(_jobs.TAGS_BY_LIST['jobs'])),
])
def test_a_tag_the_list_does_not_serve_is_refused_naming_the_tags_it_serves(job_list, tag, allowed):
    error = refused(dict(LISTING, job_list=job_list, tag=tag))
    assert error.option == 'tag'
    assert error.msg == 'tag %s is not a tag of job_list %s, which serves only %s' % (tag, job_list, allowed)


@pytest.mark.parametrize('job_list', ['ai_jobs', 'Jobs', 'file_jobs', 3])
def test_an_unknown_job_list_is_refused_naming_the_lists(job_list):
    error = refused(dict(LISTING, job_list=job_list))
    assert error.option == 'job_list'
    assert error.msg == 'job_list must be one of jobs, pic_jobs, doc_jobs, asr_jobs; got %r' % (job_list,)


@pytest.mark.parametrize('job_list', ['pic_jobs', 'doc_jobs', 'asr_jobs'])
def test_jobs_by_id_follow_job_list_and_only_jobs_asks_ai_jobs_for_unknown_ids(job_list):
    service = FakeService([job('a')], ai_jobs=[job('b')])
    result = _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ['a', 'b'], 'job_list': job_list}))
    assert [path for path, dummy in service.calls] == ['/%s/a,b' % job_list]
    assert ids(result['jobs']) == ['a'] and result['missing_job_ids'] == ['b']


@pytest.mark.parametrize('given', [{}, {'job_list': 'jobs'}])
def test_ids_unknown_at_jobs_are_asked_once_at_ai_jobs(given):
    service = FakeService([job('a'), job('c')], ai_jobs=[job('b')])
    wanted = ['b', 'a', 'ghost', 'c']
    result = _job_api.run(service, _jobs.JobQuery.from_options(dict(given, job_ids=wanted)))
    assert [path for path, dummy in service.calls] == ['/jobs/b,a,ghost,c', '/ai_jobs/b,ghost']
    assert ids(result['jobs']) == ['b', 'a', 'c']
    assert result['missing_job_ids'] == ['ghost']


def test_no_ai_jobs_request_when_jobs_knows_every_id():
    service = FakeService([job('a'), job('b')])
    _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ['a', 'b']}))
    assert [path for path, dummy in service.calls] == ['/jobs/a,b']


def test_a_failed_ai_jobs_request_leaves_the_ids_missing_with_a_warning():
    class NoAiRoute(FakeService):
        def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
            if path.startswith('/ai_jobs/'):
                self.calls.append((path, {}))
                raise CIRequestError('Not Found', 'GET', path, status=404, code='NoSuchKey', request_id='r1')
            return FakeService.get(self, path, params)

    warnings = []
    service = NoAiRoute([job('a')])
    result = _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ['a', 'x']}), warnings.append)
    assert [path for path, dummy in service.calls] == ['/jobs/a,x', '/ai_jobs/x']
    assert ids(result['jobs']) == ['a'] and result['missing_job_ids'] == ['x']
    assert len(warnings) == 1
    assert warnings[0].startswith('1 job id(s) unknown at /jobs could not be asked at /ai_jobs, so they are '
                                  'reported missing: CI request GET /ai_jobs/x failed: HTTP 404 NoSuchKey')


class Moving(FakeService):
    """Jobs by id on any route move along the given state sequences, one step per request that names them."""

    def __init__(self, jobs, progress, ai_jobs=()):
        FakeService.__init__(self, jobs, ai_jobs=ai_jobs)
        self.progress = dict((k, list(v)) for k, v in progress.items())

    def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
        route, by_id, rest = path[1:].partition('/')
        known = self.ai_by_id if route == 'ai_jobs' else self.by_id
        for job_id in rest.split(',') if by_id else []:
            if self.progress.get(job_id) and job_id in known:
                known[job_id] = dict(known[job_id], state=self.progress[job_id].pop(0))
        return FakeService.get(self, path, params)


def test_a_job_read_at_ai_jobs_is_polled_there():
    clock = Clock()
    service = Moving([job('a', 'Running')], {'a': ['Running', 'Success'], 'b': ['Running', 'Running', 'Success']},
                     ai_jobs=[job('b', 'Submitted')])
    result = _job_api.run(service, _jobs.JobQuery.from_options({'job_ids': ['a', 'b'], 'wait': True, 'wait_sleep': 1}),
                          clock=clock.time, sleep=clock.sleep)
    assert [path for path, dummy in service.calls] == ['/jobs/a,b', '/ai_jobs/b', '/ai_jobs/b', '/jobs/a',
                                                       '/ai_jobs/b']
    assert [(j['job_id'], j['state']) for j in result['jobs']] == [('a', 'Success'), ('b', 'Success')]


def test_wait_polls_the_jobs_of_a_listing_at_their_list():
    clock = Clock()
    service = Moving([media_job('a', 'Running', tag='PicProcess')], {'a': ['Success']})
    _job_api.run(service, query(tag='PicProcess', wait=True, wait_sleep=1), clock=clock.time, sleep=clock.sleep)
    assert [path for path, dummy in service.calls] == ['/pic_jobs', '/pic_jobs/a']


# --- stop_on_pause (1.1.0) -------------------------------------------------------------------

class Queues(object):
    """``queue_states`` for tests: ``states`` by queue type and id; every call is recorded."""

    def __init__(self, states=None, fail=None):
        self.states = states or {}
        self.fail = fail
        self.calls = []

    def __call__(self, client, queue_type, queue_ids, deadline=None):
        self.calls.append((queue_type, list(queue_ids), deadline))
        if self.fail is not None:
            raise self.fail
        known = self.states.get(queue_type, {})
        return dict((queue_id, known.get(queue_id)) for queue_id in queue_ids)


def run_pausing(service, queues, clock=None, **options):
    clock = clock or Clock()
    values = dict(LISTING, wait=True, stop_on_pause=True, wait_sleep=1, wait_timeout=60)
    values.update(options)
    return _job_api.run(service, _jobs.JobQuery.from_options(values, now=NOW), clock=clock.time, sleep=clock.sleep,
                        queue_states=queues)


def test_a_job_in_pause_stops_the_wait_at_once_naming_it():
    clock = Clock()
    service = FakeService([media_job('a', 'Running', tag='Translation', queue_id='pai'),
                           media_job('b', 'Pause', tag='Translation', queue_id='pai'), media_job('c')])
    queues = Queues({'ai': {'pai': 'Active'}})
    with pytest.raises(CIWaitIncomplete) as caught:
        run_pausing(service, queues, clock)
    assert caught.value.msg == 'Stopped waiting (stop_on_pause): 1 job(s) in state Pause: b'
    result = caught.value.result
    assert result['paused_job_ids'] == ['b'] and result['paused_queue_ids'] == []
    assert ids(result['jobs']) == ['a', 'b', 'c'] and result['summary']['finished'] is False
    assert clock.sleeps == [] and [path for path, dummy in service.calls] == ['/jobs']
    assert queues.calls == [('ai', ['pai'], 1060.0)]  # one request per queue type, with the wait's deadline


def test_a_paused_queue_stops_the_wait_naming_the_queue_one_request_per_queue_type():
    service = FakeService([media_job('a', 'Running', tag='Translation', queue_id='pai'),
                           media_job('b', 'Submitted', tag='WordsGeneralize', queue_id='pai2'),
                           media_job('c', 'Running', tag='Transcode', queue_id='pmedia'),
                           media_job('d', 'Running', tag='Transcode', queue_id='pmedia')])
    queues = Queues({'ai': {'pai': 'Active', 'pai2': 'Active'}, 'media': {'pmedia': 'Paused'}})
    with pytest.raises(CIWaitIncomplete) as caught:
        run_pausing(service, queues, job_ids=['a', 'b', 'c', 'd'], queue_id=None, tag=None)
    assert caught.value.msg == 'Stopped waiting (stop_on_pause): 1 queue(s) Paused: pmedia'
    assert caught.value.result['paused_queue_ids'] == ['pmedia'] and caught.value.result['paused_job_ids'] == []
    assert sorted((t, ids_) for t, ids_, dummy in queues.calls) == [('ai', ['pai', 'pai2']), ('media', ['pmedia'])]


@pytest.mark.parametrize('tag, job_list, queue_type', [
    ('PicProcess', None, 'picture'), ('DocProcess', None, 'document'), ('SpeechRecognition', 'asr_jobs', 'speech'),
    ('SpeechRecognition', None, 'ai'), ('Snapshot', None, 'media'),
])
def test_each_list_asks_the_queues_of_its_queue_type(tag, job_list, queue_type):
    service = FakeService([media_job('a', 'Running', tag=tag, queue_id='q1')])
    queues = Queues({queue_type: {'q1': 'Paused'}})
    with pytest.raises(CIWaitIncomplete) as caught:
        run_pausing(service, queues, tag=tag, job_list=job_list)
    assert caught.value.result['paused_queue_ids'] == ['q1']
    assert [t for t, dummy, dummy2 in queues.calls] == [queue_type]


def test_the_queues_are_asked_again_each_round_and_a_pause_later_stops_the_wait():
    clock = Clock()
    service = Moving([media_job('a', 'Running')], {'a': ['Running', 'Pause']})
    queues = Queues({'media': {'pmedia': 'Active'}})
    with pytest.raises(CIWaitIncomplete) as caught:
        run_pausing(service, queues, clock, tag='Transcode')
    assert caught.value.result['paused_job_ids'] == ['a']
    assert clock.sleeps == [1.0, 1.0] and len(queues.calls) == 3


def test_without_stop_on_pause_a_paused_job_is_waited_for_and_no_queue_is_asked():
    clock = Clock()
    service = Moving([media_job('a', 'Pause')], {'a': ['Pause', 'Running', 'Success']})
    queues = Queues({'media': {'pmedia': 'Paused'}})
    result = run_pausing(service, queues, clock, tag='Transcode', stop_on_pause=False)
    assert queues.calls == [] and clock.sleeps == [1.0, 1.0, 1.0]
    assert result['paused_job_ids'] == [] and result['paused_queue_ids'] == []
    assert result['summary']['all_succeeded'] is True


def test_nothing_paused_waits_as_before_and_the_result_has_empty_paused_lists():
    clock = Clock()
    service = Moving([media_job('a', 'Running'), media_job('b', 'Running', queue_id=None)],
                     {'a': ['Success'], 'b': ['Success']})
    queues = Queues({'media': {'pmedia': 'Active'}})
    result = run_pausing(service, queues, clock, tag='Transcode')
    assert result['paused_job_ids'] == [] and result['paused_queue_ids'] == []
    assert queues.calls == [('media', ['pmedia'], 1060.0)]  # a job without a queue id asks nothing for it


def test_a_queue_type_that_cannot_be_read_is_warned_about_once_and_jobs_in_pause_still_stop_the_wait():
    clock = Clock()
    warnings = []
    service = Moving([media_job('a', 'Running')], {'a': ['Running', 'Pause']})
    queues = Queues(fail=CIRequestError('Forbidden', 'GET', '/queue', status=403, code='AccessDenied'))
    values = dict(LISTING, tag='Transcode', wait=True, stop_on_pause=True, wait_sleep=1)
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(service, _jobs.JobQuery.from_options(values, now=NOW), warnings.append, clock=clock.time,
                     sleep=clock.sleep, queue_states=queues)
    assert caught.value.result['paused_job_ids'] == ['a']
    assert len(queues.calls) == 1 and len(warnings) == 1
    assert warnings[0].startswith('stop_on_pause cannot see the state of the media queues, so only jobs in Pause '
                                  'stop the wait: CI request GET /queue failed: HTTP 403 AccessDenied')


def test_a_queue_request_past_the_deadline_ends_the_wait_as_a_timeout():
    clock = Clock()
    service = FakeService([media_job('a', 'Running')])
    queues = Queues(fail=CIDeadlineExceeded('deadline reached', 'GET', '/queue'))
    with pytest.raises(CIWaitIncomplete) as caught:
        run_pausing(service, queues, clock, tag='Transcode', wait_timeout=30)
    assert caught.value.msg == 'Timed out after 30 seconds waiting for 1 job(s) to finish: a (Running)'
    assert caught.value.result['paused_job_ids'] == [] and clock.sleeps == []


@pytest.mark.parametrize('value', ['yes', 1, 'true'])
def test_stop_on_pause_must_be_a_boolean(value):
    error = refused(dict(LISTING, stop_on_pause=value))
    assert error.option == 'stop_on_pause'
    assert error.msg == 'stop_on_pause must be true or false; got %r' % (value,)
