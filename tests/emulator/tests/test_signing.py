# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tests' own signer against ci-api.md 5.2 and 5.6, and the emulator against the SDK's vectors byte for byte."""

import hashlib
import http.client
import time

import pytest

from emu_client import sign, url_encode
from harness import Emulator

AK = 'AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE'
SK = 'SKEYEXAMPLEEXAMPLEEXAMPLEEXAMPLE'
HOST = 'examplebucket-1250000000.ci.ap-beijing.myqcloud.com'
QUEUE = 'p893bcda225bf4945a378da6662e81a89'
START, END = 1699999940, 1700010000
PREFIX = 'q-sign-algorithm=sha1&q-ak=%s&q-sign-time=%d;%d&q-key-time=%d;%d' % (AK, START, END, START, END)

V1_PARAMS = {'tag': 'Translation', 'orderByTime': 'Desc', 'states': 'Running,Success', 'size': '100', 'nextToken': '',
             'queueId': QUEUE, 'startCreationTime': '2024-05-01T00:00:00+0800', 'endCreationTime': '2024-05-02T00:00:00+0800'}
V1_PARAM_LIST = 'endcreationtime;nexttoken;orderbytime;queueid;size;startcreationtime;states;tag'
V3_PARAMS = {'tag': 'SpeechRecognition', 'orderByTime': 'Asc', 'states': 'Failed,Cancel', 'size': '10', 'nextToken': '225508',
             'queueId': QUEUE}
V4_PATH = '/jobs/a8d121820f5e411ec926ef19d53ba9c6f,a632d4d3429a811ed8a5fa3d8277c400f'
V5_PARAMS = {'tag': 'Translation', 'orderByTime': 'Desc', 'states': 'All', 'size': '10', 'nextToken': '', 'queueId': 'q1',
             'startCreationTime': '2024-05-01 00:00:00'}

# name: (path, params, extra headers, sha1(HttpString), signature, wire request target)
VECTORS = {
    'V1': ('/jobs', V1_PARAMS, {}, '8ecd52b0bced5e7a9af2879e92421cdb61c7ceb6', 'c0b808810bc92ecd52fece9f795542077c223e2d',
           '/jobs?tag=Translation&orderByTime=Desc&states=Running%2CSuccess&size=100&nextToken=&queueId=' + QUEUE
           + '&startCreationTime=2024-05-01T00%3A00%3A00%2B0800&endCreationTime=2024-05-02T00%3A00%3A00%2B0800'),
    'V2': ('/jobs', V1_PARAMS, {'x-ci-security-token': 'TMPTOKEN+/=example'}, 'ba95f8ea39fc88049808799e8fe74c4b701e0faa',
           'a5cea32a2ddce2d17700a50770e316f8d3841926',
           '/jobs?tag=Translation&orderByTime=Desc&states=Running%2CSuccess&size=100&nextToken=&queueId=' + QUEUE
           + '&startCreationTime=2024-05-01T00%3A00%3A00%2B0800&endCreationTime=2024-05-02T00%3A00%3A00%2B0800'),
    'V3': ('/jobs', V3_PARAMS, {}, '7dfc20e0d139fd68f9a6eb28417e75c457b3f209', 'ecd0653bdb85ec090e74daf50eddf616890424e9',
           '/jobs?tag=SpeechRecognition&orderByTime=Asc&states=Failed%2CCancel&size=10&nextToken=225508&queueId=' + QUEUE),
    'V4': (V4_PATH, {}, {}, '22e97a70e5eff39fb6a9569c2e694e692cfad18c', 'de9f1a242a2de01f576c75284760be855754fc52',
           '/jobs/a8d121820f5e411ec926ef19d53ba9c6f%2Ca632d4d3429a811ed8a5fa3d8277c400f'),
    'V5': ('/jobs', V5_PARAMS, {}, '60a4d1d3a8eae7d2c67915b0ba37b0b313c876e0', '45bfdf8828bd74e593d68518134fe83400f81e5a',
           '/jobs?tag=Translation&orderByTime=Desc&states=All&size=10&nextToken=&queueId=q1&startCreationTime=2024-05-01+00%3A00%3A00'),
}


def test_url_encode_rules():
    assert url_encode('a b+/,:~-_.*!\'()') == 'a%20b%2B%2F%2C%3A~-_.%2A%21%27%28%29'
    assert url_encode('腾') == '%E8%85%BE'


def test_sign_key_of_the_vectors():
    assert sign('get', '/jobs', {}, {}, AK, SK, START, END)['sign_key'] == 'ebcd3151a57a27615fbfe7863da7315aab0eb5ea'


@pytest.mark.parametrize('name', sorted(VECTORS))
def test_sdk_vectors(name):
    path, params, headers, digest, signature, _target = VECTORS[name]
    headers = dict(headers, host=HOST)
    result = sign('get', path, params, headers, AK, SK, START, END)
    assert hashlib.sha1(result['http_string'].encode('utf-8')).hexdigest() == digest
    assert result['signature'] == signature
    header_list = 'host;x-ci-security-token' if name == 'V2' else 'host'
    param_list = {'V1': V1_PARAM_LIST, 'V2': V1_PARAM_LIST, 'V3': 'nexttoken;orderbytime;queueid;size;states;tag', 'V4': '',
                  'V5': 'nexttoken;orderbytime;queueid;size;startcreationtime;states;tag'}[name]
    assert result['authorization'] == '%s&q-header-list=%s&q-url-param-list=%s&q-signature=%s' % (PREFIX, header_list, param_list, signature)


def test_sdk_vector_v1_http_string():
    result = sign('get', '/jobs', V1_PARAMS, {'host': HOST}, AK, SK, START, END)
    assert result['http_string'] == (
        'get\n/jobs\nendcreationtime=2024-05-02T00%3A00%3A00%2B0800&nexttoken=&orderbytime=Desc&queueid=' + QUEUE
        + '&size=100&startcreationtime=2024-05-01T00%3A00%3A00%2B0800&states=Running%2CSuccess&tag=Translation\nhost=' + HOST + '\n')
    assert result['string_to_sign'] == 'sha1\n1699999940;1700010000\n8ecd52b0bced5e7a9af2879e92421cdb61c7ceb6\n'


def test_sig2022_example_1_put_object():
    headers = {'Content-Length': '13', 'Content-MD5': 'mQ/fVh815F3k6TAUm8m0eg==', 'Content-Type': 'text/plain',
               'Date': 'Thu, 16 May 2019 06:45:51 GMT', 'Host': 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com',
               'x-cos-acl': 'private', 'x-cos-grant-read': 'uin="100000000011"'}
    result = sign('put', '/exampleobject(腾讯云)', {}, headers, 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q',
                  'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz', 1557989151, 1557996351)
    assert result['sign_key'] == 'eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f'
    assert result['header_list'] == 'content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read'
    assert result['string_to_sign'] == 'sha1\n1557989151;1557996351\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n'
    assert result['signature'] == '3b8851a11a569213c17ba8fa7dcf2abec6935172'


def test_sig2022_example_2_get_object():
    params = {'response-content-type': 'application/octet-stream', 'response-cache-control': 'max-age=600'}
    headers = {'Date': 'Thu, 16 May 2019 06:55:53 GMT', 'Host': 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com'}
    result = sign('get', '/exampleobject(腾讯云)', params, headers, 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q',
                  'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz', 1557989753, 1557996953)
    assert result['http_params'] == 'response-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream'
    assert result['authorization'] == (
        'q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&q-key-time=1557989753;'
        '1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type'
        '&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012')


def _send_raw(port, target, headers):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request('GET', target, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize('temporary', [False, True], ids=['permanent', 'temporary'])
def test_emulator_accepts_the_sdk_requests_byte_for_byte(temporary):
    """The exact wire requests of V1-V5 (Authorization as printed) pass, with the server clock at the vectors' time."""
    skew = 1700000000 - time.time()
    extra = ['--token', 'TMPTOKEN+/=example'] if temporary else []
    with Emulator(secret_id=AK, secret_key=SK, bucket='examplebucket-1250000000', region='ap-beijing',
                  faults=['skew,seconds=%f' % skew], extra_args=extra) as emu:
        names = ['V2'] if temporary else ['V1', 'V3', 'V4', 'V5']
        for name in names:
            path, params, headers, _digest, signature, target = VECTORS[name]
            authorization = sign('get', path, params, dict(headers, host=HOST), AK, SK, START, END)['authorization']
            assert authorization.endswith(signature)
            status, body = _send_raw(emu.port, target, dict(headers, Host=HOST, Authorization=authorization))
            if name in ('V3', 'V5'):
                # signature accepted; then the parameters are refused: V3's token 225508 is the doc's, not ours,
                # and V5 probes a time with a space, which is not the documented format
                assert status == 400 and b'<Code>InvalidArgument</Code>' in body, (name, body)
            else:
                assert status == 200, (name, body)
            if name == 'V4':
                assert body.count(b'<NonExistJobIds>') == 2
            # one character changed: refused
            tampered = authorization[:-1] + ('0' if authorization[-1] != '0' else '1')
            status, body = _send_raw(emu.port, target, dict(headers, Host=HOST, Authorization=tampered))
            assert status == 403 and b'<Code>SignatureDoesNotMatch</Code>' in body
