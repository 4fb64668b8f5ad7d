# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /jobs/<id>[,<id>...]: found jobs, unknown ids, encodings and the id cap."""

import pytest

from conftest import read_jobs

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


def test_one_hundred_ids_allowed_one_more_refused(client):
    hundred = IDS + ['a%032x' % n for n in range(100 - len(IDS))]
    reply = client.call('/jobs/' + ','.join(hundred))
    assert reply.status == 200
    assert len(reply.job_ids) + len(reply.root.findall('NonExistJobIds')) == 100
    reply = client.call('/jobs/' + ','.join(hundred + ['a' + 'f' * 32]))
    assert reply.status == 400 and reply.code == 'InvalidArgument'


def test_unknown_id_is_escaped(client):
    reply = client.call('/jobs/x<&>y')
    assert reply.status == 200
    assert [e.text for e in reply.root.findall('NonExistJobIds')] == ['x<&>y']


@pytest.mark.parametrize('prefix', ['/ai_jobs', '/asr_jobs'])
def test_path_aliases(client, prefix):
    reply = client.call('%s/%s' % (prefix, IDS[0]))
    assert reply.status == 200 and reply.job_ids == [IDS[0]]
    listing = client.call(prefix, {'queueId': JOBS[0]['QueueId'], 'tag': JOBS[0]['Tag'], 'size': '100'})
    assert IDS[0] in listing.job_ids


def test_head_has_headers_only(client):
    reply = client.call('/jobs/' + IDS[0], method='HEAD')
    assert reply.status == 200 and reply.body == b''
    assert int(reply.headers['content-length']) > 0
