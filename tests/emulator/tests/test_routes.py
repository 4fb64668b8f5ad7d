# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The job lists (GET /jobs, /pic_jobs, /doc_jobs, /asr_jobs, /ai_jobs) and their by-id routes:
one envelope, each list serves only its tags, by id a job of another list is reported missing."""

import pytest

from emu_client import Client
from harness import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator

MEDIA_Q = 'p' + '1' * 32
AI_Q = 'p' + '2' * 32
PIC_Q = 'p' + '3' * 32
DOC_Q = 'p' + '4' * 32
ASR_Q = 'p' + '5' * 32


def job(number, tag, queue, state='Success', minute=0, **extra):
    """A minimal job of ``tag`` in ``queue``."""
    return dict({'JobId': 'j%032d' % number, 'Tag': tag, 'QueueId': queue, 'State': state,
                 'CreationTime': '2024-05-01T10:%02d:00+0800' % minute, 'StartTime': '-', 'EndTime': '-'}, **extra)


JOBS = ([job(n, 'Transcode', MEDIA_Q, minute=n) for n in range(1, 13)]
        + [job(20, 'Snapshot', MEDIA_Q, minute=20), job(21, 'Translation', AI_Q, minute=21),
           job(22, 'SpeechRecognition', AI_Q, minute=22), job(23, 'PicProcess', PIC_Q, minute=23),
           job(24, 'DocProcess', DOC_Q, minute=24), job(25, 'DocProcess', DOC_Q, 'Running', minute=25),
           job(26, 'SpeechRecognition', ASR_Q, minute=26, _JobList='/asr_jobs')])
ID = {n: 'j%032d' % n for n in (1, 20, 21, 22, 23, 24, 25, 26)}


@pytest.fixture(scope='module')
def cli():
    """A client of an emulator serving ``JOBS``."""
    with Emulator(jobs=[]) as emu:
        emu.load_jobs(JOBS)
        client = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        yield client
        client.close()


@pytest.mark.parametrize('path, queue, tag, expected', [
    ('/jobs', MEDIA_Q, 'Snapshot', [20]),
    ('/jobs', AI_Q, 'Translation', [21]),
    ('/ai_jobs', AI_Q, 'SpeechRecognition', [22]),
    ('/jobs', AI_Q, 'SpeechRecognition', [22]),
    ('/asr_jobs', ASR_Q, 'SpeechRecognition', [26]),
    ('/asr_jobs', AI_Q, 'SpeechRecognition', []),  # job 22 is a /jobs job
    ('/jobs', ASR_Q, 'SpeechRecognition', []),  # job 26 is an /asr_jobs job
    ('/pic_jobs', PIC_Q, 'PicProcess', [23]),
    ('/doc_jobs', DOC_Q, 'DocProcess', [25, 24]),
])
def test_each_list_lists_its_tags(cli, path, queue, tag, expected):
    reply = cli.call(path, {'queueId': queue, 'tag': tag})
    assert reply.status == 200 and reply.root.tag == 'Response'
    assert reply.job_ids == ['j%032d' % n for n in expected]
    assert [child.tag for child in reply.root] == ['JobsDetail'] * len(expected)  # last page: no NextToken element


def test_every_list_pages_with_the_same_parameters(cli):
    first = cli.call('/jobs', {'queueId': MEDIA_Q, 'tag': 'Transcode', 'orderByTime': 'Asc', 'size': '5'})
    ids, token = list(first.job_ids), first.next_token
    while token:
        page = cli.call('/jobs', {'queueId': MEDIA_Q, 'tag': 'Transcode', 'orderByTime': 'Asc', 'size': '5', 'nextToken': token})
        ids, token = ids + page.job_ids, page.next_token
    assert ids == ['j%032d' % n for n in range(1, 13)]
    running = cli.call('/doc_jobs', {'queueId': DOC_Q, 'tag': 'DocProcess', 'states': 'Running'})
    assert running.job_ids == [ID[25]]


@pytest.mark.parametrize('path, tag, allowed', [
    ('/pic_jobs', 'Transcode', 'PicProcess'),
    ('/doc_jobs', 'PicProcess', 'DocProcess'),
    ('/asr_jobs', 'Translation', 'SpeechRecognition'),
])
def test_a_tag_the_list_does_not_serve_is_invalid_argument(cli, path, tag, allowed):
    reply = cli.call(path, {'queueId': MEDIA_Q, 'tag': tag})
    assert reply.status == 400 and reply.code == 'InvalidArgument'
    assert reply.root.findtext('Message') == 'tag %s is not served by %s; tag must be one of %s' % (tag, path, allowed)


def test_job_list_key_must_name_a_list_serving_the_tag():
    with Emulator(jobs=[]) as emu:
        with pytest.raises(RuntimeError) as caught:
            emu.load_jobs([job(1, 'Transcode', MEDIA_Q, _JobList='/asr_jobs')])
    assert 'request body:1: _JobList must be a list that serves tag Transcode: /jobs' in str(caught.value)


def test_jobs_does_not_serve_picture_or_document_tags(cli):
    for tag in ('PicProcess', 'DocProcess'):
        reply = cli.call('/jobs', {'queueId': PIC_Q, 'tag': tag})
        assert reply.status == 400 and reply.code == 'InvalidArgument'
        assert 'Transcode' in reply.root.findtext('Message') and tag not in reply.root.findtext('Message').split('; ')[1]


@pytest.mark.parametrize('path, found, missing', [
    ('/jobs', [1, 20, 21, 22], [23, 24, 26]),
    ('/ai_jobs', [21, 22], [1, 20, 23, 24, 26]),
    ('/asr_jobs', [26], [1, 20, 21, 22, 23, 24]),
    ('/pic_jobs', [23], [1, 20, 21, 22, 24, 26]),
    ('/doc_jobs', [24], [1, 20, 21, 22, 23, 26]),
])
def test_by_id_serves_the_lists_jobs_and_reports_the_rest(cli, path, found, missing):
    wanted = [ID[n] for n in (1, 20, 21, 22, 23, 24, 26)]
    reply = cli.call('%s/%s' % (path, ','.join(wanted)))
    assert reply.status == 200
    assert reply.job_ids == [ID[n] for n in found]
    assert [e.text for e in reply.root.findall('NonExistJobIds')] == [ID[n] for n in missing]
    assert reply.root.find('NextToken') is None


@pytest.mark.parametrize('path', ['/jobs/a/b', '/queue/a/b', '/pic_job', '/doc_jobs/x/y', '/file_queue'])
def test_unknown_paths_are_invalid_url(cli, path):
    reply = cli.call(path)
    assert reply.status == 404 and reply.code == 'InvalidUrl'


@pytest.mark.parametrize('method, path', [('PUT', '/pic_jobs'), ('DELETE', '/doc_jobs/' + 'j' * 33), ('POST', '/queue'),
                                          ('GET', '/queue/' + MEDIA_Q), ('PUT', '/asrqueue')])
def test_wrong_methods_are_refused(cli, method, path):
    reply = cli.call(path, method=method)
    assert reply.status == 405 and reply.code == 'MethodNotAllowed'
