# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /jobs/<id>[,<id>...]: found jobs, unknown ids, encodings, the request-target limit and --max-ids."""

import pytest

from conftest import read_jobs
from emu_client import Client
from harness import DEMO_SECRET_ID, DEMO_SECRET_KEY, SAMPLE_JOBS, Emulator

JOBS = read_jobs()
IDS = [j['JobId'] for j in JOBS]
UNKNOWN = ['a%032x' % n for n in range(3)]


def test_one_job(client):
    reply = client.call('/jobs/' + IDS[0])
    assert reply.status == 200
    assert reply.job_ids == [IDS[0]]
    assert reply.root.find('NonExistJobIds') is None
    assert reply.root.find('NextToken') is None
    detail = reply.root.find('JobsDetail')
    assert detail.findtext('Tag') == JOBS[0]['Tag'] and detail.findtext('QueueId') == JOBS[0]['QueueId']


def test_several_in_request_order(client):
    wanted = [IDS[5], IDS[0], IDS[17]]
    reply = client.call('/jobs/' + ','.join(wanted))
    assert reply.job_ids == wanted


def test_unknown_ids_are_repeated_nonexist_elements(client):
    reply = client.call('/jobs/' + ','.join([UNKNOWN[0], IDS[1], UNKNOWN[1]]))
    assert reply.status == 200
    assert reply.job_ids == [IDS[1]]
    assert [e.text for e in reply.root.findall('NonExistJobIds')] == UNKNOWN[:2]


def test_all_unknown(client):
    reply = client.call('/jobs/' + UNKNOWN[2])
    assert reply.status == 200 and reply.job_ids == []
    assert [e.text for e in reply.root.findall('NonExistJobIds')] == [UNKNOWN[2]]


@pytest.mark.parametrize('wire', ['%2C', '%2c', ','])
def test_comma_encoded_or_not(client, wire):
    """The SDK sends a%2Cb and signs a,b; a raw comma works too."""
    path = '/jobs/%s,%s' % (IDS[2], IDS[3])
    reply = client.call(path, wire_path='/jobs/%s%s%s' % (IDS[2], wire, IDS[3]))
    assert reply.status == 200 and reply.job_ids == [IDS[2], IDS[3]]


def test_signature_over_encoded_path_is_refused(client):
    """The path is signed decoded: signing the wire form a%2Cb does not match."""
    encoded = '/jobs/%s%%2C%s' % (IDS[2], IDS[3])
    reply = client.call(encoded, wire_path=encoded)
    assert reply.status == 403 and reply.code == 'SignatureDoesNotMatch'


def test_duplicates_and_empty_items_are_served_once(client):
    reply = client.call('/jobs/%s,,%s,%s' % (IDS[4], IDS[4], UNKNOWN[0]))
    assert reply.job_ids == [IDS[4]]
    assert [e.text for e in reply.root.findall('NonExistJobIds')] == [UNKNOWN[0]]


def typical_ids(count):
    """``count`` unknown ids of 33 characters, like ``a8d121820f5e411ec926ef19d53ba9c6f``."""
    return ['a%032x' % n for n in range(count)]


def test_no_id_cap_only_the_request_target_limit(client):
    """227 ids of 33 characters (+ %2C commas) make a target of 8,175 bytes: served; one more is 414."""
    fits = typical_ids(227)
    reply = client.call('/jobs/' + ','.join(fits))
    assert reply.status == 200
    assert len(reply.root.findall('NonExistJobIds')) == 227
    reply = client.call('/jobs/' + ','.join(typical_ids(228)))
    assert reply.status == 414


def test_four_hundred_ids_in_one_request_get_a_front_end_414(emu, client):
    """Refused like an HTTP front end: 414 with an HTML body, no CI error document, before the signature check."""
    reply = client.call('/jobs/' + ','.join(IDS + typical_ids(400 - len(IDS))))
    assert reply.status == 414
    assert reply.headers['content-type'] == 'text/html'
    assert b'414 Request-URI Too Large' in reply.body and b'<Error>' not in reply.body
    assert 'x-ci-trace-id' not in reply.headers
    unsigned = client.call('/jobs/' + ','.join(typical_ids(400)), authorization='')
    assert unsigned.status == 414
    assert emu.stats()['requests']['by_status'] == {'414': 2}


def test_max_ids_option_caps_the_ids_with_invalid_argument():
    with Emulator(jobs=[SAMPLE_JOBS], extra_args=['--max-ids', '3']) as emu:
        cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        try:
            assert cli.call('/jobs/' + ','.join(IDS[:3])).job_ids == IDS[:3]
            reply = cli.call('/jobs/' + ','.join(IDS[:4]))
            assert reply.status == 400 and reply.code == 'InvalidArgument'
            assert reply.root.findtext('Message') == 'At most 3 job ids may be queried at once'
        finally:
            cli.close()


def test_unknown_id_is_escaped(client):
    reply = client.call('/jobs/x<&>y')
    assert reply.status == 200
    assert [e.text for e in reply.root.findall('NonExistJobIds')] == ['x<&>y']


def test_ai_jobs_serves_the_ai_jobs_of_jobs(client):
    """The sample's jobs (Translation, SpeechRecognition, WordsGeneralize) are /jobs jobs: /ai_jobs serves them by id
    and lists them; /asr_jobs does not (its jobs carry "_JobList": "/asr_jobs"; test_routes.py)."""
    job = JOBS[0]
    reply = client.call('/ai_jobs/' + job['JobId'])
    assert reply.status == 200 and reply.job_ids == [job['JobId']]
    assert job['JobId'] in client.call('/ai_jobs', {'queueId': job['QueueId'], 'tag': job['Tag'], 'size': '100'}).job_ids
    speech = next(j for j in JOBS if j['Tag'] == 'SpeechRecognition')
    reply = client.call('/asr_jobs/' + speech['JobId'])
    assert reply.job_ids == [] and [e.text for e in reply.root.findall('NonExistJobIds')] == [speech['JobId']]
    refused = client.call('/asr_jobs', {'queueId': job['QueueId'], 'tag': 'Translation'})
    assert refused.status == 400 and refused.code == 'InvalidArgument'
    assert refused.root.findtext('Message') == 'tag Translation is not served by /asr_jobs; tag must be one of SpeechRecognition'


def test_head_has_headers_only(client):
    reply = client.call('/jobs/' + IDS[0], method='HEAD')
    assert reply.status == 200 and reply.body == b''
    assert int(reply.headers['content-length']) > 0
