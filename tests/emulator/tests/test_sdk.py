# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official SDK (cos-python-sdk-v5) lists and fetches jobs from the emulator with its own signatures."""

import datetime
import logging

import pytest

qcloud_cos = pytest.importorskip('qcloud_cos')
from qcloud_cos import CosConfig, CosS3Client  # noqa: E402 pylint: disable=wrong-import-position
from qcloud_cos.cos_auth import CosS3Auth  # noqa: E402 pylint: disable=wrong-import-position
from qcloud_cos.cos_exception import CosServiceError  # noqa: E402 pylint: disable=wrong-import-position

from conftest import TEMP_ID, TEMP_KEY, TEMP_TOKEN, read_jobs  # noqa: E402 pylint: disable=wrong-import-position
from harness import (DEMO_BUCKET, DEMO_REGION, DEMO_SECRET_ID, DEMO_SECRET_KEY,  # noqa: E402 pylint: disable=wrong-import-position
                     GOOD_QUEUE, MIXED_QUEUE)

JOBS = read_jobs()
logging.getLogger('qcloud_cos').setLevel(logging.WARNING)


def sdk(emu, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY, token=None, retry=0, **where):
    if not where:
        where = {'Domain': '127.0.0.1:%d' % emu.port}
    conf = CosConfig(Region=DEMO_REGION, SecretId=secret_id, SecretKey=secret_key, Token=token, Scheme='http', **where)
    return CosS3Client(conf, retry=retry)


def expected(queue, tag, states=None):
    jobs = [j for j in JOBS if j['QueueId'] == queue and j['Tag'] == tag and (states is None or j['State'] in states)]
    jobs.sort(key=lambda j: (datetime.datetime.strptime(j['CreationTime'], '%Y-%m-%dT%H:%M:%S%z'), j['JobId']), reverse=True)
    return [j['JobId'] for j in jobs]


def list_all(client, **kwargs):
    ids, token, pages = [], '', 0
    while True:
        data = client.ci_list_media_jobs(Bucket=DEMO_BUCKET, NextToken=token, **kwargs)
        ids += [j['JobId'] for j in data.get('JobsDetail', [])]
        pages += 1
        token = data.get('NextToken') or ''
        if not token:
            return ids, pages


def test_list_every_page_with_permanent_credentials(emu):
    ids, pages = list_all(sdk(emu), Tag='Translation', QueueId=GOOD_QUEUE, Size=5)
    assert ids == expected(GOOD_QUEUE, 'Translation')
    assert pages == 3


def test_list_with_states_and_times(emu):
    ids = list_all(sdk(emu), Tag='Translation', QueueId=MIXED_QUEUE, States='Failed,Cancel', Size=100,
                   StartCreationTime='2024-05-02T00:00:00+0800', EndCreationTime='2024-05-02T23:59:59+0800')[0]
    assert ids == expected(MIXED_QUEUE, 'Translation', {'Failed', 'Cancel'})
    assert len(ids) == 3


def test_get_by_ids(emu):
    wanted = [JOBS[0]['JobId'], JOBS[-1]['JobId']]
    data = sdk(emu).ci_get_media_jobs(Bucket=DEMO_BUCKET, JobIDs=','.join(wanted + ['a' + '0' * 32]))
    assert [j['JobId'] for j in data['JobsDetail']] == wanted
    assert data['NonExistJobIds'] == 'a' + '0' * 32


def test_temporary_credentials(emu):
    client = sdk(emu, TEMP_ID, TEMP_KEY, TEMP_TOKEN)
    ids = list_all(client, Tag='WordsGeneralize', QueueId=GOOD_QUEUE, Size=2)[0]
    assert ids == expected(GOOD_QUEUE, 'WordsGeneralize')
    assert client.ci_get_media_jobs(Bucket=DEMO_BUCKET, JobIDs=ids[0])['JobsDetail'][0]['JobId'] == ids[0]
    with pytest.raises(CosServiceError) as info:
        sdk(emu, TEMP_ID, TEMP_KEY, TEMP_TOKEN + 'x').ci_get_media_jobs(Bucket=DEMO_BUCKET, JobIDs=ids[0])
    assert info.value.get_status_code() == 403 and '<Code>AccessDenied</Code>' in info.value.get_origin_msg()
    with pytest.raises(CosServiceError) as info:
        sdk(emu, TEMP_ID, TEMP_KEY).ci_get_media_jobs(Bucket=DEMO_BUCKET, JobIDs=ids[0])
    assert '<Code>InvalidAccessKeyId</Code>' in info.value.get_origin_msg()


def test_real_ci_host_name_through_ip_mode(emu):
    """IP= plus Endpoint= keeps <bucket>.ci.<region>.myqcloud.com in the signed Host: the bucket check applies."""
    where = {'IP': '127.0.0.1', 'Port': emu.port, 'Endpoint': 'ci.%s.myqcloud.com' % DEMO_REGION}
    ids = list_all(sdk(emu, **where), Tag='SpeechRecognition', QueueId=GOOD_QUEUE, Size=100)[0]
    assert ids == expected(GOOD_QUEUE, 'SpeechRecognition')
    with pytest.raises(CosServiceError) as info:
        sdk(emu, **where).ci_list_media_jobs(Bucket='otherbucket-1250000000', Tag='Translation', QueueId=GOOD_QUEUE)
    assert info.value.get_status_code() == 404 and '<Code>NoSuchBucket</Code>' in info.value.get_origin_msg()


def test_one_changed_character_is_refused(emu, monkeypatch):
    original = CosS3Auth.__call__

    def tampered(self, request):
        request = original(self, request)
        value = request.headers['Authorization']
        request.headers['Authorization'] = value[:-1] + ('0' if value[-1] != '0' else '1')
        return request

    client = sdk(emu)
    assert client.ci_list_media_jobs(Bucket=DEMO_BUCKET, Tag='Translation', QueueId=GOOD_QUEUE)['JobsDetail']
    monkeypatch.setattr(CosS3Auth, '__call__', tampered)
    with pytest.raises(CosServiceError) as info:
        client.ci_list_media_jobs(Bucket=DEMO_BUCKET, Tag='Translation', QueueId=GOOD_QUEUE)
    assert info.value.get_status_code() == 403
    assert '<Code>SignatureDoesNotMatch</Code>' in info.value.get_origin_msg()
    assert emu.stats()['requests']['by_status'] == {'200': 1, '403': 1}


def test_sdk_retry_header_is_signed_and_accepted(emu):
    """On a 503 the SDK retries with x-cos-sdk-retry: true (signed): the emulator takes it."""
    emu.set_faults(['503,count=1'])
    data = sdk(emu, retry=1).ci_list_media_jobs(Bucket=DEMO_BUCKET, Tag='Translation', QueueId=GOOD_QUEUE, Size=1)
    assert len(data['JobsDetail']) == 1
    assert emu.stats()['requests']['by_status'] == {'503': 1, '200': 1}
