# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real service's habits (``--habits realistic``, the default) and the plain answers (``--habits plain``):
no XML declaration, no NextToken element on the last page, ``<Code>Success</Code><Message/>`` on an
unfinished job, empty elements as ``<X/>``, no counts in a queue answer to ``queueIds``."""

import pytest

from emu_client import Client
from harness import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator

QUEUE = 'p' + 'e' * 32
JOBS = [
    {'JobId': 'h%032d' % 1, 'Tag': 'Transcode', 'QueueId': QUEUE, 'State': 'Running', 'CreationTime': '2024-05-01T10:00:00+0800',
     'StartTime': '2024-05-01T10:00:01+0800', 'EndTime': '-', 'Operation': {'Output': {'Object': 'out.mp4'}, 'UserData': ''}},
    {'JobId': 'h%032d' % 2, 'Tag': 'Transcode', 'QueueId': QUEUE, 'State': 'Failed', 'CreationTime': '2024-05-01T10:01:00+0800',
     'Code': 'InternalError', 'Message': 'boom', 'StartTime': '-', 'EndTime': '-'},
    {'JobId': 'h%032d' % 3, 'Tag': 'Transcode', 'QueueId': QUEUE, 'State': 'Submitted', 'CreationTime': '2024-05-01T10:02:00+0800',
     'StartTime': '-', 'EndTime': '-',
     '_Transitions': [{'after': 1, 'State': 'Success', 'Code': 'Success', 'Message': ''}]},
]


def _client(habits):
    emu = Emulator(jobs=[], habits=habits, manual_clock=True)
    emu.start()
    emu.load_jobs(JOBS)
    return emu, Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)


@pytest.fixture(scope='module', params=['realistic', 'plain'])
def served(request):
    """(habits, emulator, client) for each mode."""
    emu, cli = _client(request.param)
    yield request.param, emu, cli
    cli.close()
    emu.cleanup()


def details(reply):
    """JobId -> list of (child tag, text) of each JobsDetail."""
    return {e.findtext('JobId'): [(c.tag, c.text) for c in e] for e in reply.root.findall('JobsDetail')}


def test_declaration(served):
    habits, _emu, cli = served
    reply = cli.call('/jobs/' + JOBS[0]['JobId'])
    assert reply.body.startswith(b'<Response>' if habits == 'realistic' else b'<?xml version="1.0" encoding="UTF-8"?>\n<Response>')


def test_last_page_token(served):
    habits, _emu, cli = served
    reply = cli.call('/jobs', {'queueId': QUEUE, 'tag': 'Transcode'})
    assert len(reply.job_ids) == 3
    if habits == 'realistic':
        assert reply.root.find('NextToken') is None
    else:
        assert reply.body.endswith(b'<NextToken></NextToken></Response>')
    first = cli.call('/jobs', {'queueId': QUEUE, 'tag': 'Transcode', 'size': '1'})
    assert first.next_token  # a page with more after it carries its token either way


def test_code_on_unfinished_jobs(served):
    habits, emu, cli = served
    emu.reset()
    found = details(cli.call('/jobs/' + ','.join(j['JobId'] for j in JOBS)))
    running, failed, submitted = (found[j['JobId']] for j in JOBS)
    if habits == 'realistic':
        assert running[:2] == [('Code', 'Success'), ('Message', None)]
        assert submitted[:2] == [('Code', 'Success'), ('Message', None)]
    else:
        assert 'Code' not in dict(running) and 'Code' not in dict(submitted)
    assert ('Code', 'InternalError') in failed and failed.count(('Code', 'InternalError')) == 1  # its own Code kept
    emu.advance_clock(1)
    done = details(cli.call('/jobs/' + JOBS[2]['JobId']))[JOBS[2]['JobId']]
    assert [k for k, _v in done].count('Code') == 1 and ('State', 'Success') in done


def test_empty_elements_are_self_closing(served):
    _habits, _emu, cli = served
    reply = cli.call('/jobs/' + JOBS[0]['JobId'])
    assert b'<UserData/>' in reply.body
    assert (b'<Message/>' in reply.body) == (served[0] == 'realistic')


def test_queue_answer_to_ids(served):
    habits, _emu, cli = served
    reply = cli.call('/queue', {'queueIds': QUEUE})
    tags = [child.tag for child in reply.root]
    if habits == 'realistic':
        assert tags == ['RequestId', 'QueueList']
    else:
        assert tags == ['RequestId', 'TotalCount', 'PageNumber', 'PageSize', 'QueueList']


def test_stats_name_the_mode(served):
    habits, emu, _cli = served
    assert emu.stats()['habits'] == habits


@pytest.mark.parametrize('path, realistic_shape', [
    ('/queue', b'<NonExistPIDs>pa</NonExistPIDs><NonExistPIDs>pb</NonExistPIDs>'),
    ('/docqueue', b'<NonExistPIDs><QueueID>pa</QueueID><QueueID>pb</QueueID></NonExistPIDs>'),
    ('/asrqueue', b'<NonExistPIDs><QueueID>pa</QueueID><QueueID>pb</QueueID></NonExistPIDs>'),
])
def test_missing_queue_ids(served, path, realistic_shape):
    habits, _emu, cli = served
    reply = cli.call(path, {'queueIds': 'pa,pb'})
    plain_shape = b'<NonExistPIDs>pa</NonExistPIDs><NonExistPIDs>pb</NonExistPIDs>'
    assert reply.body.endswith((realistic_shape if habits == 'realistic' else plain_shape) + b'</Response>')
