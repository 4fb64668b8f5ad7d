# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /jobs: every filter and their combinations against an expectation computed here from the JSONL."""

import datetime
import json
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import read_jobs
from emu_client import Client
from harness import Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY, SAMPLE_JOBS

TAGS = ['Translation', 'SpeechRecognition', 'WordsGeneralize']
STATES = ['Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel']
QUEUES = ['p0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'p9f8e7d6c5b4a39281706f5e4d3c2b1a0']
WORKFLOWS = ['w%032x' % n for n in (1, 2, 3)]
TRIGGERS = ['b%032x' % n for n in (7, 8)]
OBJECTS = ['in/a.txt', 'in/b c.docx', 'in/c+d.pdf', 'in/紫.txt', 'in/e&f<g>.txt']
ZONES = [datetime.timezone(datetime.timedelta(hours=8)), datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))]
BASE = datetime.datetime(2024, 5, 1, tzinfo=ZONES[0])
FMT = '%Y-%m-%dT%H:%M:%S%z'


def make_jobs(seed=7, count=700):
    """Synthetic jobs: two queues, three tags, every state, ties in CreationTime, three UTC offsets."""
    rng = random.Random(seed)
    jobs = []
    for _round in range(count):
        created = BASE + datetime.timedelta(seconds=rng.randrange(0, 3000, 10))
        state = rng.choice(STATES)
        job = {'Code': 'Success' if state != 'Failed' else 'InvalidInput', 'Message': '' if state != 'Failed' else 'bad input',
               'JobId': 'a%032x' % rng.getrandbits(128), 'Tag': rng.choice(TAGS), 'State': state,
               'CreationTime': created.astimezone(rng.choice(ZONES)).strftime(FMT), 'StartTime': '-', 'EndTime': '-',
               'QueueId': rng.choice(QUEUES), 'Input': {'Object': rng.choice(OBJECTS)},
               'Operation': {'UserData': 'n%d' % len(jobs), 'Nested': [{'A': '1'}, {'A': '2'}]}}
        if rng.random() < 0.35:
            job['Workflow'] = {'RunId': 'r%d' % len(jobs), 'WorkflowId': rng.choice(WORKFLOWS), 'WorkflowName': 'wf'}
        if rng.random() < 0.35:
            job['InventoryTriggerJobId'] = rng.choice(TRIGGERS)
        if rng.random() < 0.1:
            job['_Comment'] = 'never served'
        jobs.append(job)
    return jobs


JOBS = make_jobs()


def created_at(job):
    return datetime.datetime.strptime(job['CreationTime'], FMT)


def expected(jobs, queue, tag, states=None, workflow=None, trigger=None, obj=None, start=None, end=None, ascending=False):
    """The independent expectation: filter, then sort by (CreationTime, JobId), reversed for Desc."""
    out = []
    for job in jobs:
        if job['QueueId'] != queue or job['Tag'] != tag:
            continue
        if states and job['State'] not in states:
            continue
        if workflow is not None and (job.get('Workflow') or {}).get('WorkflowId') != workflow:
            continue
        if trigger is not None and job.get('InventoryTriggerJobId') != trigger:
            continue
        if obj is not None and job['Input']['Object'] != obj:
            continue
        if start is not None and created_at(job) < start:
            continue
        if end is not None and created_at(job) > end:
            continue
        out.append(job)
    out.sort(key=lambda j: (created_at(j), j['JobId']), reverse=not ascending)
    return [j['JobId'] for j in out]


@pytest.fixture(scope='module')
def listing(tmp_path_factory):
    path = tmp_path_factory.mktemp('listing') / 'jobs.jsonl'
    path.write_text(''.join(json.dumps(j, ensure_ascii=False) + '\n' for j in JOBS), encoding='utf-8')
    with Emulator(jobs=[path]) as emu:
        cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        yield emu, cli
        cli.close()


def query(queue, tag, **kw):
    params = {'queueId': queue, 'tag': tag}
    params.update({k: v for k, v in kw.items() if v is not None})
    return params


def test_dataset_has_ties_and_every_state():
    keys = [(j['QueueId'], j['Tag'], created_at(j)) for j in JOBS]
    assert len(set(keys)) < len(keys)
    assert set(j['State'] for j in JOBS) == set(STATES)


@pytest.mark.parametrize('queue', QUEUES)
@pytest.mark.parametrize('tag', TAGS)
def test_default_lists_all_desc(listing, queue, tag):
    ids, _pages = listing[1].list_all(query(queue, tag), size=100)
    assert ids == expected(JOBS, queue, tag)
    assert ids


def test_default_size_is_10_and_last_page_has_no_token(listing):
    cli = listing[1]
    everything = expected(JOBS, QUEUES[0], 'Translation')
    reply = cli.call('/jobs', query(QUEUES[0], 'Translation'))
    assert reply.status == 200
    assert reply.headers['content-type'] == 'application/xml'
    assert reply.job_ids == everything[:10] and reply.next_token
    seen, last = list(reply.job_ids), reply
    while last.next_token:
        last = cli.call('/jobs', query(QUEUES[0], 'Translation', nextToken=last.next_token))
        seen += last.job_ids
    assert seen == everything
    # the real service's habit (the default): no NextToken element on the last page (--habits plain: empty; test_habits.py)
    assert last.body.endswith(b'</JobsDetail></Response>') and last.root.find('NextToken') is None


@pytest.mark.parametrize('state', STATES)
def test_each_state(listing, state):
    ids = listing[1].list_all(query(QUEUES[1], 'SpeechRecognition', states=state))[0]
    assert ids == expected(JOBS, QUEUES[1], 'SpeechRecognition', states={state})


@pytest.mark.parametrize('states', ['Running,Success', 'Failed,Cancel,Pause', 'Submitted,Running,Success,Failed,Pause,Cancel', 'All',
                                    'All,Running', ''])
def test_state_lists(listing, states):
    ids = listing[1].list_all(query(QUEUES[0], 'WordsGeneralize', states=states))[0]
    wanted = None if states in ('All', 'All,Running', '') else set(states.split(','))
    assert ids == expected(JOBS, QUEUES[0], 'WordsGeneralize', states=wanted)


@pytest.mark.parametrize('workflow', WORKFLOWS + ['w-unknown'])
def test_workflow_id(listing, workflow):
    ids = listing[1].list_all(query(QUEUES[0], 'Translation', workflowId=workflow))[0]
    assert ids == expected(JOBS, QUEUES[0], 'Translation', workflow=workflow)
    assert ids or workflow == 'w-unknown'


@pytest.mark.parametrize('trigger', TRIGGERS)
def test_inventory_trigger_job_id(listing, trigger):
    ids = listing[1].list_all(query(QUEUES[1], 'Translation', inventoryTriggerJobId=trigger))[0]
    assert ids and ids == expected(JOBS, QUEUES[1], 'Translation', trigger=trigger)


@pytest.mark.parametrize('obj', OBJECTS + ['in/A.txt', 'in/a.tx'])
def test_input_object_exact_match(listing, obj):
    ids = listing[1].list_all(query(QUEUES[0], 'SpeechRecognition', inputObject=obj))[0]
    assert ids == expected(JOBS, QUEUES[0], 'SpeechRecognition', obj=obj)
    assert bool(ids) == (obj in OBJECTS)


def test_order_asc_is_reverse_of_desc(listing):
    asc = listing[1].list_all(query(QUEUES[1], 'WordsGeneralize', orderByTime='Asc'), size=7)[0]
    desc = listing[1].list_all(query(QUEUES[1], 'WordsGeneralize', orderByTime='Desc'), size=7)[0]
    assert asc == expected(JOBS, QUEUES[1], 'WordsGeneralize', ascending=True)
    assert asc == desc[::-1]


def test_time_bounds_are_inclusive_across_offsets(listing):
    candidates = [j for j in JOBS if j['QueueId'] == QUEUES[0] and j['Tag'] == 'Translation']
    middle = sorted(created_at(j) for j in candidates)[len(candidates) // 2]
    for zone in ZONES:
        text = middle.astimezone(zone).strftime(FMT)
        ids = listing[1].list_all(query(QUEUES[0], 'Translation', startCreationTime=text, endCreationTime=text))[0]
        exact = expected(JOBS, QUEUES[0], 'Translation', start=middle, end=middle)
        assert ids == exact and exact
        ids = listing[1].list_all(query(QUEUES[0], 'Translation', startCreationTime=text))[0]
        assert ids == expected(JOBS, QUEUES[0], 'Translation', start=middle)
        ids = listing[1].list_all(query(QUEUES[0], 'Translation', endCreationTime=text))[0]
        assert ids == expected(JOBS, QUEUES[0], 'Translation', end=middle)


def test_time_bound_accepts_colon_offset_and_z(listing):
    moment = BASE + datetime.timedelta(seconds=1500)
    plain = listing[1].list_all(query(QUEUES[0], 'Translation', startCreationTime=moment.strftime(FMT)))[0]
    colon = listing[1].list_all(query(QUEUES[0], 'Translation', startCreationTime=moment.isoformat()))[0]
    zulu = listing[1].list_all(query(QUEUES[0], 'Translation',
                                     startCreationTime=moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')))[0]
    assert plain == colon == zulu == expected(JOBS, QUEUES[0], 'Translation', start=moment)


def test_start_after_end_is_empty(listing):
    reply = listing[1].call('/jobs', query(QUEUES[0], 'Translation', startCreationTime='2024-05-01T01:00:00+0800',
                                           endCreationTime='2024-05-01T00:00:00+0800'))
    assert reply.status == 200 and reply.job_ids == [] and reply.next_token in (None, '')


def test_unknown_queue_is_empty_page(listing):
    reply = listing[1].call('/jobs', query('pffffffffffffffffffffffffffffffff', 'Translation'))
    assert reply.status == 200 and reply.job_ids == []
    assert reply.body == b'<Response></Response>'


def _moments():
    times = sorted(set(created_at(j) for j in JOBS))
    return st.one_of(st.none(), st.sampled_from(times), st.sampled_from(times).map(lambda t: t + datetime.timedelta(seconds=1)))


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(queue=st.sampled_from(QUEUES), tag=st.sampled_from(TAGS),
       states=st.one_of(st.none(), st.sets(st.sampled_from(STATES), min_size=1, max_size=3)),
       workflow=st.one_of(st.none(), st.sampled_from(WORKFLOWS)), trigger=st.one_of(st.none(), st.sampled_from(TRIGGERS)),
       obj=st.one_of(st.none(), st.sampled_from(OBJECTS)), start=_moments(), end=_moments(), ascending=st.booleans(),
       size=st.integers(1, 100), zone=st.sampled_from(ZONES))
def test_filter_combinations(listing, queue, tag, states, workflow, trigger, obj, start, end, ascending, size, zone):
    def fmt(moment):
        return moment.astimezone(zone).strftime(FMT) if moment is not None else None

    params = query(queue, tag, states=','.join(sorted(states)) if states else None, workflowId=workflow,
                   inventoryTriggerJobId=trigger, inputObject=obj, startCreationTime=fmt(start), endCreationTime=fmt(end),
                   orderByTime='Asc' if ascending else 'Desc')
    ids, pages = listing[1].list_all(params, size=size)
    want = expected(JOBS, queue, tag, states, workflow, trigger, obj, start, end, ascending)
    assert ids == want
    assert pages == max(1, -(-len(want) // size))


def test_every_size_returns_each_job_exactly_once(listing):
    cli = listing[1]
    want = expected(JOBS, QUEUES[0], 'Translation')
    assert 60 < len(want) < 200
    for size in range(1, 101):
        ids, pages = cli.list_all(query(QUEUES[0], 'Translation'), size=size)
        assert ids == want, size
        assert pages == -(-len(want) // size), size  # no trailing empty page
    want_asc = expected(JOBS, QUEUES[1], 'SpeechRecognition', states={'Success', 'Failed'}, ascending=True)
    for size in (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 100):
        ids = cli.list_all(query(QUEUES[1], 'SpeechRecognition', states='Success,Failed', orderByTime='Asc'), size=size)[0]
        assert ids == want_asc, size


def test_next_token_is_stable_and_replayable(listing):
    cli = listing[1]
    params = query(QUEUES[0], 'Translation', size='5')
    first = cli.call('/jobs', params)
    again = cli.call('/jobs', params)
    assert first.next_token == again.next_token and first.next_token
    second = cli.call('/jobs', dict(params, nextToken=first.next_token))
    replay = cli.call('/jobs', dict(params, nextToken=first.next_token))
    assert second.job_ids == replay.job_ids and second.next_token == replay.next_token
    assert not set(first.job_ids) & set(second.job_ids)


@pytest.mark.parametrize('token', ['garbage', 'WyJEIiwxLCJhIl0', '225508', 'A' * 60, 'x' * 1000, '%%%'])
def test_garbled_token_is_invalid_argument(listing, token):
    reply = listing[1].call('/jobs', query(QUEUES[0], 'Translation', nextToken=token))
    assert reply.status == 400 and reply.code == 'InvalidArgument'


def test_tampered_and_foreign_direction_tokens_are_refused(listing):
    cli = listing[1]
    token = cli.call('/jobs', query(QUEUES[0], 'Translation', size='3')).next_token
    flipped = token[:10] + ('B' if token[10] != 'B' else 'C') + token[11:]
    assert cli.call('/jobs', query(QUEUES[0], 'Translation', nextToken=flipped)).code == 'InvalidArgument'
    other = cli.call('/jobs', query(QUEUES[0], 'Translation', orderByTime='Asc', nextToken=token))
    assert other.status == 400 and other.code == 'InvalidArgument'


@pytest.mark.parametrize('params', [
    {'tag': 'Translation'},
    {'queueId': QUEUES[0]},
    {'queueId': '', 'tag': 'Translation'},
    {'queueId': QUEUES[0], 'tag': ''},
    {'queueId': QUEUES[0], 'tag': 'PicProcess'},  # GET /pic_jobs serves it, GET /jobs does not
    {'queueId': QUEUES[0], 'tag': 'translation'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'states': 'Done'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'states': 'running'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'states': 'Running,'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'orderByTime': 'desc'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'orderByTime': 'Random'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'size': '0'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'size': '101'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'size': 'ten'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'size': '-1'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'startCreationTime': '2024-05-01 00:00:00'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'startCreationTime': '2024-05-01T00:00:00'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'endCreationTime': '2024-13-01T00:00:00+0800'},
    {'queueId': QUEUES[0], 'tag': 'Translation', 'endCreationTime': '1714492800'},
])
def test_invalid_parameters(listing, params):
    reply = listing[1].call('/jobs', params)
    assert reply.status == 400
    assert reply.code == 'InvalidArgument'
    assert reply.root.findtext('Message')


def test_served_xml_matches_the_jsonl(listing):
    """Key order, repeated elements for lists, escaping, and no _-keys."""
    cli = listing[1]
    job = next(j for j in JOBS if '&' in j['Input']['Object'] and '_Comment' not in j)
    reply = cli.call('/jobs/' + job['JobId'])
    detail = reply.root.find('JobsDetail')
    assert [c.tag for c in detail] == [k for k in job if not k.startswith('_')]
    assert detail.findtext('Input/Object') == job['Input']['Object']
    assert [e.findtext('A') for e in detail.findall('Operation/Nested')] == ['1', '2']
    assert detail.findtext('StartTime') == '-'
    commented = next(j for j in JOBS if '_Comment' in j)
    assert b'_Comment' not in cli.call('/jobs/' + commented['JobId']).body


def _running_jobs(count=60):
    rng = random.Random(3)
    return [{'JobId': 'a%032x' % rng.getrandbits(128), 'Tag': 'Translation', 'State': 'Running',
             'CreationTime': (BASE + datetime.timedelta(seconds=rng.randrange(0, 300, 10))).strftime(FMT),
             'StartTime': '2024-05-01T00:00:00+0800', 'EndTime': '-', 'QueueId': QUEUES[0]} for _n in range(count)]


def _rest_of_listing(cli, params, token):
    """Follow ``token`` to the end; returns (job ids, their states as served)."""
    ids, states = [], []
    while token:
        page = cli.call('/jobs', dict(params, nextToken=token))
        ids += page.job_ids
        states += [d.findtext('State') for d in page.root.findall('JobsDetail')]
        token = page.next_token
    return ids, states


@pytest.mark.parametrize('states', ['All', 'Running'])
def test_state_changes_mid_listing_skip_and_repeat_nothing(emu, states):
    """Half the jobs finish between pages: every job still comes exactly once; a state filter loses only the jobs that left it."""
    jobs = _running_jobs()
    finished = [dict(j, State='Success', Code='Success') if n % 2 else j for n, j in enumerate(jobs)]
    emu.load_jobs(jobs)
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    params = query(QUEUES[0], 'Translation', states=states, size='7')
    first = cli.call('/jobs', params)
    emu.load_jobs(finished)  # the same jobs, half of them now Success; the token is a position, so it stays valid
    rest, later_states = _rest_of_listing(cli, params, first.next_token)
    seen = first.job_ids + rest
    cli.close()
    assert len(seen) == len(set(seen))
    if states == 'All':
        assert sorted(seen) == sorted(j['JobId'] for j in jobs)
        assert 'Success' in later_states
    else:
        steady = set(j['JobId'] for j in finished if j['State'] == 'Running')
        assert steady <= set(seen)
        assert set(later_states) == {'Running'}
        assert len(seen) < len(jobs)


def test_transition_between_pages(emu):
    """The same through _Transitions: jobs finish while a listing is under way."""
    jobs = _running_jobs()
    for job in jobs[1::2]:
        job['_Transitions'] = [{'after': 1.0, 'State': 'Success', 'Code': 'Success'}]
    emu.load_jobs(jobs)
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    params = query(QUEUES[0], 'Translation', size='9')
    first = cli.call('/jobs', params)
    assert set(d.findtext('State') for d in first.root.findall('JobsDetail')) == {'Running'}
    while emu.stats()['transition_clock'] < 1.05:
        time.sleep(0.05)
    rest, later = _rest_of_listing(cli, params, first.next_token)
    seen = first.job_ids + rest
    cli.close()
    assert sorted(seen) == sorted(j['JobId'] for j in jobs)
    assert 'Success' in later and 'Running' in later


def test_sample_data_lists_like_the_file():
    jobs = read_jobs()
    with Emulator(jobs=[SAMPLE_JOBS]) as emu:
        cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        for queue in sorted(set(j['QueueId'] for j in jobs)):
            for tag in TAGS:
                ids = cli.list_all(query(queue, tag), size=4)[0]
                assert ids == expected(jobs, queue, tag)
        cli.close()
