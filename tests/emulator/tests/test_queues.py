# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The queue lists (GET /queue, /ai_queue, /asrqueue, /docqueue, /picqueue) and PUT /<queuepath>/<id>:
the envelope, paging, filters, seeds, and pause/resume holding the transitions of the queue's jobs.

Time: the emulator runs with ``--manual-clock``; only ``advance_clock``, or the job reads of a test
that sets ``per_request``, move its transition clock, so nothing here depends on the wall clock."""

import json
import os

import pytest

from emu_client import Client
from harness import BAD_QUEUE, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE, MIXED_QUEUE, SAMPLE_JOBS, SLOW_QUEUE, Emulator

MEDIA_Q = 'p' + 'a' * 32
AI_Q = 'p' + 'b' * 32
SPEECH_Q = 'p' + 'c' * 32
DOC_Q = 'p' + 'd' * 32
RECORD_KEYS = ['QueueId', 'Name', 'State', 'NotifyConfig', 'MaxSize', 'MaxConcurrent', 'UpdateTime', 'CreateTime', 'Category']
STEPS = [{'after': 10, 'State': 'Running'}, {'after': 20, 'State': 'Success', 'Code': 'Success'}]


def job(number, tag, queue, minute=0, **extra):
    """A job created at 10:<minute> whose clock runs from Submitted (the ``STEPS`` unless overridden)."""
    data = {'JobId': 'q%032d' % number, 'Tag': tag, 'QueueId': queue, 'State': 'Submitted',
            'CreationTime': '2024-05-01T10:%02d:00+0800' % minute, 'StartTime': '-', 'EndTime': '-', '_Transitions': STEPS}
    data.update(extra)
    return data


JOBS = [job(1, 'Transcode', MEDIA_Q, 1), job(2, 'Transcode', MEDIA_Q, 2), job(3, 'Translation', AI_Q, 3),
        job(4, 'SpeechRecognition', SPEECH_Q, 4, _JobList='/asr_jobs')]
SEEDS = [{'QueueId': DOC_Q, 'QueueType': 'document', 'Name': 'doc-queue', 'State': 'Paused',
          'CreateTime': '2024-04-01T00:00:00+0800'}]


@pytest.fixture(scope='module')
def module_emu(tmp_path_factory):
    """One emulator with a manual transition clock, the jobs above and the seeds (from a --queues file)."""
    seeds = tmp_path_factory.mktemp('queues') / 'seeds.jsonl'
    seeds.write_text(''.join(json.dumps(s) + '\n' for s in SEEDS), encoding='utf-8')
    jobs = tmp_path_factory.mktemp('jobs') / 'jobs.jsonl'
    jobs.write_text(''.join(json.dumps(j) + '\n' for j in JOBS), encoding='utf-8')
    with Emulator(jobs=[str(jobs)], queues=[str(seeds)], manual_clock=True) as emu:
        yield emu


@pytest.fixture
def emu(module_emu):
    """The module's emulator, reset: seeded queue states, clock 0, loaded jobs."""
    module_emu.load_queues(SEEDS)
    module_emu.reset()
    return module_emu


@pytest.fixture
def cli(emu):
    """A signing client."""
    client = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    yield client
    client.close()


def queues(reply):
    """(QueueId, State) of each QueueList element."""
    return [(q.findtext('QueueId'), q.findtext('State')) for q in reply.root.findall('QueueList')]


def pause_body(queue_id, state):
    """The Go SDK's UpdateMediaProcessQueue body."""
    return ('<Request><Name>renamed</Name><QueueID>%s</QueueID><State>%s</State></Request>' % (queue_id, state)).encode()


def states(cli):
    """State of each job by number, fetched by id from its list (job 4 is an /asr_jobs job)."""
    found = {}
    for path in ('/jobs', '/asr_jobs'):
        reply = cli.call('%s/%s' % (path, ','.join(j['JobId'] for j in JOBS)))
        found.update((int(e.findtext('JobId')[1:]), e.findtext('State')) for e in reply.root.findall('JobsDetail'))
    return found


def test_queue_list_envelope_and_record(cli):
    reply = cli.call('/queue')
    assert reply.status == 200
    assert [child.tag for child in reply.root] == ['RequestId', 'TotalCount', 'PageNumber', 'PageSize', 'QueueList']
    assert reply.root.findtext('RequestId') == reply.headers['x-ci-request-id']
    assert [reply.root.findtext(k) for k in ('TotalCount', 'PageNumber', 'PageSize')] == ['1', '1', '10']
    record = reply.root.find('QueueList')
    assert [child.tag for child in record] == RECORD_KEYS
    assert record.findtext('QueueId') == MEDIA_Q and record.findtext('State') == 'Active'
    assert record.findtext('Category') == 'Transcoding'
    assert record.findtext('CreateTime') == '2024-05-01T10:01:00+0800'  # the queue's first job
    assert record.findtext('NotifyConfig/State') == 'Off' and record.find('NotifyConfig/Url').text is None


@pytest.mark.parametrize('path, expected', [
    ('/queue', [(MEDIA_Q, 'Active')]),
    ('/ai_queue', [(AI_Q, 'Active')]),
    ('/asrqueue', [(SPEECH_Q, 'Active')]),
    ('/docqueue', [(DOC_Q, 'Paused')]),
    ('/picqueue', []),
])
def test_each_queue_list_has_its_queues(cli, path, expected):
    assert queues(cli.call(path)) == expected


def test_queue_ids_filter_reports_missing_ids_without_counts(cli):
    reply = cli.call('/queue', {'queueIds': '%s,pmissing,%s' % (MEDIA_Q, AI_Q)})
    assert queues(reply) == [(MEDIA_Q, 'Active')]
    assert [e.text for e in reply.root.findall('NonExistPIDs')] == ['pmissing', AI_Q]  # AI_Q is no media queue
    assert [child.tag for child in reply.root] == ['RequestId', 'QueueList', 'NonExistPIDs', 'NonExistPIDs']


def test_state_filter(cli):
    assert queues(cli.call('/docqueue', {'state': 'Paused'})) == [(DOC_Q, 'Paused')]
    assert queues(cli.call('/docqueue', {'state': 'Active'})) == []


def test_paging_covers_every_queue_once(emu, cli):
    emu.load_queues([{'QueueId': 'p%032d' % n, 'QueueType': 'picture', 'CreateTime': '2024-01-01T00:%02d:00+0800' % n}
                     for n in range(25)])
    pages = [cli.call('/picqueue', {'pageNumber': str(n), 'pageSize': '10'}) for n in (1, 2, 3, 4)]
    assert [len(queues(p)) for p in pages] == [10, 10, 5, 0]
    assert [q for p in pages for q, _s in queues(p)] == ['p%032d' % n for n in range(25)]  # oldest first
    assert {p.root.findtext('TotalCount') for p in pages} == {'25'}
    assert [p.root.findtext('PageNumber') for p in pages] == ['1', '2', '3', '4']


@pytest.mark.parametrize('params', [{'state': 'paused'}, {'state': 'All'}, {'pageSize': '0'}, {'pageSize': '101'},
                                    {'pageNumber': '0'}, {'pageNumber': 'x'}])
def test_invalid_queue_parameters(cli, params):
    reply = cli.call('/queue', params)
    assert reply.status == 400 and reply.code == 'InvalidArgument'


def test_pause_and_resume_through_the_real_update_call(cli):
    reply = cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Paused'))
    assert reply.status == 200
    assert [child.tag for child in reply.root] == ['RequestId', 'Queue']
    assert reply.root.findtext('Queue/State') == 'Paused' and reply.root.findtext('Queue/Name') == 'renamed'
    assert queues(cli.call('/queue')) == [(MEDIA_Q, 'Paused')]
    assert queues(cli.call('/queue', {'state': 'Paused'})) == [(MEDIA_Q, 'Paused')]
    reply = cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Active'))
    assert reply.root.findtext('Queue/State') == 'Active'


def test_update_is_signed_like_any_call(cli):
    reply = cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Paused'), authorization='')
    assert reply.status == 401 and reply.code == 'MissingAuthorization'
    reply = cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Paused'), signed_host='127.0.0.1:1')
    assert reply.status == 403 and reply.code == 'SignatureDoesNotMatch'
    assert queues(cli.call('/queue')) == [(MEDIA_Q, 'Active')]


@pytest.mark.parametrize('path, body, code', [
    ('/queue/' + MEDIA_Q, b'<Request><State>Paused</Request>', 'MalformedXML'),
    ('/queue/' + MEDIA_Q, b'<Other/>', 'MalformedXML'),
    ('/queue/' + MEDIA_Q, b'<Request><State>Stopped</State></Request>', 'InvalidArgument'),
    ('/queue/' + MEDIA_Q, ('<Request><QueueID>%s</QueueID><State>Paused</State></Request>' % AI_Q).encode(), 'InvalidArgument'),
    ('/queue/pmissing', b'<Request><State>Paused</State></Request>', 'InvalidArgument'),
    ('/picqueue/' + MEDIA_Q, b'<Request><State>Paused</State></Request>', 'InvalidArgument'),
])
def test_bad_updates_are_refused(cli, path, body, code):
    reply = cli.call(path, method='PUT', body=body)
    assert reply.status == 400 and reply.code == code


def test_notify_config_and_name_are_replaced(cli):
    body = b'<Request><Name>n2</Name><NotifyConfig><Url>http://x.example/cb</Url><State>On</State></NotifyConfig></Request>'
    reply = cli.call('/ai_queue/' + AI_Q, method='PUT', body=body)
    assert reply.root.findtext('Queue/State') == 'Active'  # no State: unchanged
    listed = cli.call('/ai_queue').root.find('QueueList')
    assert listed.findtext('Name') == 'n2' and listed.findtext('NotifyConfig/Url') == 'http://x.example/cb'


def test_a_paused_queue_holds_its_jobs_where_they_were(emu, cli):
    emu.advance_clock(5)
    cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Paused'))
    emu.advance_clock(100)  # jobs 1 and 2 (media queue) are held at 5 s; job 3 (AI queue) runs on
    assert states(cli) == {1: 'Submitted', 2: 'Submitted', 3: 'Success', 4: 'Success'}
    cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Active'))
    emu.advance_clock(4.5)  # 9.5 s on the media queue's clock
    assert states(cli)[1] == 'Submitted'
    emu.advance_clock(0.5)  # 10 s: Running
    assert states(cli)[1] == 'Running'
    emu.advance_clock(10)  # 20 s: Success
    assert states(cli)[1] == states(cli)[2] == 'Success'


def test_transitions_due_before_the_pause_fire(emu, cli):
    emu.advance_clock(12)  # due at 10 s, not yet looked at by any request
    cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Paused'))
    emu.advance_clock(50)
    assert states(cli)[1] == 'Running'


def test_a_seeded_paused_queue_holds_from_the_start(emu, cli):
    emu.load_jobs(JOBS + [job(5, 'DocProcess', DOC_Q, 5)])
    emu.advance_clock(60)
    reply = cli.call('/doc_jobs/' + 'q%032d' % 5)
    assert reply.root.findtext('JobsDetail/State') == 'Submitted'
    cli.call('/docqueue/' + DOC_Q, method='PUT', body=pause_body(DOC_Q, 'Active'))
    emu.advance_clock(20)
    assert cli.call('/doc_jobs/' + 'q%032d' % 5).root.findtext('JobsDetail/State') == 'Success'


def test_reset_restores_the_seeded_states(emu, cli):
    cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Paused'))
    cli.call('/docqueue/' + DOC_Q, method='PUT', body=pause_body(DOC_Q, 'Active'))
    emu.reset()
    assert queues(cli.call('/queue')) == [(MEDIA_Q, 'Active')] and queues(cli.call('/docqueue')) == [(DOC_Q, 'Paused')]
    assert emu.stats()['transition_clock'] == 0


def test_manual_clock_does_not_move_by_itself(emu, cli):
    before = emu.stats()['transition_clock']
    assert states(cli) == {1: 'Submitted', 2: 'Submitted', 3: 'Submitted', 4: 'Submitted'}
    assert emu.stats()['transition_clock'] == before == 0 and emu.stats()['manual_clock'] is True


def test_per_request_clock_moves_with_each_signed_job_read_only(emu, cli):
    """STEPS: Running at 10 s, Success at 20 s; with per_request=5 each list or get moves the clock 5 s first."""
    assert emu.set_clock(per_request=5) == 0
    job_id = JOBS[2]['JobId']  # the AI queue's job: no pause in its way
    seen = [cli.call('/jobs/' + job_id).root.findtext('JobsDetail/State') for dummy in range(4)]
    assert seen == ['Submitted', 'Running', 'Running', 'Success']  # read at 5, 10, 15 and 20 s
    assert cli.call('/ai_queue').status == 200  # a queue request does not move it
    wrong = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, 'not-the-key')
    try:
        assert wrong.call('/jobs/' + job_id).status == 403  # nor does a refused one
    finally:
        wrong.close()
    stats = emu.stats()
    assert stats['transition_clock'] == 20 and stats['clock_per_request'] == 5 and stats['manual_clock'] is True


def test_switching_the_clock_keeps_its_reading_and_reset_restores_the_start_mode(emu):
    emu.advance_clock(7)
    assert emu.set_clock(manual=False) >= 7  # real time from 7 s on
    assert emu.stats()['manual_clock'] is False
    reading = emu.set_clock(manual=True, per_request=2)
    assert reading >= 7 and emu.stats()['transition_clock'] == reading  # held again
    emu.reset()
    stats = emu.stats()
    assert (stats['manual_clock'], stats['clock_per_request'], stats['transition_clock']) == (True, 0, 0)


def test_reset_can_restart_the_clock_in_another_mode(emu, cli):
    emu.advance_clock(15)  # job 3 Running
    emu.reset(per_request=10)
    assert emu.stats()['transition_clock'] == 0  # exactly 0, however long the call took
    assert [cli.call('/jobs/' + JOBS[2]['JobId']).root.findtext('JobsDetail/State') for dummy in range(2)] == \
        ['Running', 'Success']  # read at 10 and 20 s
    emu.reset(manual=False)
    stats = emu.stats()
    assert (stats['manual_clock'], stats['clock_per_request']) == (False, 0)


@pytest.mark.parametrize('payload', [{'per_request': -1}, {'manual': 'no'}, {'faults': []}])
def test_reset_refuses_a_bad_mode_and_changes_nothing(emu, payload):
    emu.advance_clock(15)
    with pytest.raises(RuntimeError) as caught:
        emu.control('POST', 'reset', payload)
    assert '(400)' in str(caught.value)
    stats = emu.stats()
    assert (stats['manual_clock'], stats['clock_per_request'], stats['transition_clock']) == (True, 0, 15)


@pytest.mark.parametrize('seed, message', [
    ({'QueueType': 'media'}, 'QueueId must be a non-empty string'),
    ({'QueueId': 'p1', 'QueueType': 'video'}, 'QueueType must be one of media, ai, speech, document, picture'),
    ({'QueueId': 'p1', 'State': 'Stopped'}, 'State must be Active or Paused'),
    ({'QueueId': 'p1', 'CreateTime': 'yesterday'}, 'CreateTime'),
])
def test_bad_seeds_are_refused_naming_the_problem(emu, seed, message):
    with pytest.raises(RuntimeError) as caught:
        emu.load_queues([seed])
    assert message in str(caught.value) and 'request body:1' in str(caught.value)


def test_bad_seed_file_stops_the_start(tmp_path):
    path = os.path.join(str(tmp_path), 'seeds.jsonl')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('{"QueueId": "p1", "State": "Stopped"}\n')
    with pytest.raises(RuntimeError) as caught:
        Emulator(jobs=[], queues=[path]).start()
    assert 'seeds.jsonl:1: State must be Active or Paused' in str(caught.value)


def test_queue_requests_have_their_own_fault_scope_and_counter(emu, cli):
    emu.set_faults(['503,paths=queue'])
    assert cli.call('/ai_queue').status == 503
    assert cli.call('/queue/' + MEDIA_Q, method='PUT', body=pause_body(MEDIA_Q, 'Paused')).status == 503
    assert cli.call('/jobs/' + JOBS[0]['JobId']).status == 200
    assert emu.stats()['requests']['by_kind'] == {'queue': 2, 'get': 1}


@pytest.mark.parametrize('payload', [{'advance': -1}, {'advance': 'soon'}, {'advance': True}, {'set': 5},
                                     {'per_request': -1}, {'per_request': 'fast'}, {'manual': 'yes'},
                                     {'advance': -1, 'per_request': 3}, {'manual': False, 'per_request': -2}])
def test_clock_control_refuses_bad_input(emu, payload):
    with pytest.raises(RuntimeError) as caught:
        emu.control('POST', 'clock', payload)
    assert '(400)' in str(caught.value)
    stats = emu.stats()  # refused as a whole: nothing changed
    assert (stats['transition_clock'], stats['clock_per_request'], stats['manual_clock']) == (0, 0, True)


FAMILIES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data', 'families_jobs.jsonl')


def test_the_families_seed_gives_one_queue_per_type():
    """data/families_jobs.jsonl (every job family; data/FAMILIES.md): each queue list has exactly its queue."""
    expected = {'/queue': 'pc15521b1b3dca50a9daa37e51b591d75', '/ai_queue': 'p3f372617f0baef3a86f0ce2ea6ec39c1',
                '/asrqueue': 'p4a800646417a8105bc3199944567ceb1', '/docqueue': 'p732242fda8902e3212979bfcbbeb508f',
                '/picqueue': 'pdf7142dcaf29e6f877744cca4d909eb2'}
    with Emulator(jobs=[FAMILIES], manual_clock=True) as emu:
        client = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        try:
            assert {path: queues(client.call(path)) for path in expected} == {p: [(q, 'Active')] for p, q in expected.items()}
            asr = client.call('/asr_jobs', {'queueId': expected['/asrqueue'], 'tag': 'SpeechRecognition'})
            assert len(asr.job_ids) == 4 and all(i.startswith('s') for i in asr.job_ids)
            # pausing the speech queue holds its Running job (it succeeds at 4.56 s on the queue's clock)
            client.call('/asrqueue/' + expected['/asrqueue'], method='PUT', body=b'<Request><State>Paused</State></Request>')
            emu.advance_clock(60)
            running = client.call('/asr_jobs', {'queueId': expected['/asrqueue'], 'tag': 'SpeechRecognition',
                                                'states': 'Running'})
            assert len(running.job_ids) == 1
        finally:
            client.close()


def test_the_sample_queues_are_ai_queues(sample_emu):
    """data/README.md: the sample's four queues are listed at GET /ai_queue, Active, and nowhere else."""
    sample_emu.load_jobs(SAMPLE_JOBS)  # conftest's shared emulator; another test may have loaded other jobs
    client = Client('127.0.0.1', sample_emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    listed = queues(client.call('/ai_queue', {'pageSize': '100'}))
    assert sorted(listed) == sorted((q, 'Active') for q in (GOOD_QUEUE, MIXED_QUEUE, SLOW_QUEUE, BAD_QUEUE))
    assert [queues(client.call(p)) for p in ('/queue', '/asrqueue', '/docqueue', '/picqueue')] == [[], [], [], []]
    client.close()
