# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The signer against Tencent's worked examples (ci-api.md 5.2) and the SDK's vectors (5.6)."""

from __future__ import annotations

import pytest

from ansible_collections.qcloud.ci.plugins.module_utils import _signer as signer

# --- Tencent's two worked examples (COS "Request Signature", unmasked 2022 version) ---------
DOC_ID = 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q'
DOC_KEY = 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz'
DOC_PATH = u'/exampleobject(\u817e\u8baf\u4e91)'


def test_doc_example_1_put_object():
    headers = {
        'Date': 'Thu, 16 May 2019 06:45:51 GMT',
        'Host': 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com',
        'Content-Type': 'text/plain',
        'Content-Length': '13',
        'Content-MD5': 'mQ/fVh815F3k6TAUm8m0eg==',
        'x-cos-acl': 'private',
        'x-cos-grant-read': 'uin="100000000011"',
    }
    sig = signer.sign(DOC_ID, DOC_KEY, 'PUT', DOC_PATH, {}, headers, '1557989151;1557996351')
    assert sig.sign_key == 'eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f'
    assert sig.url_param_list == ''
    assert sig.http_parameters == ''
    assert sig.header_list == 'content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read'
    assert sig.http_headers == (
        'content-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&content-type=text%2Fplain'
        '&date=Thu%2C%2016%20May%202019%2006%3A45%3A51%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com'
        '&x-cos-acl=private&x-cos-grant-read=uin%3D%22100000000011%22'
    )
    assert sig.http_string == u'put\n%s\n\n%s\n' % (DOC_PATH, sig.http_headers)
    assert sig.string_to_sign == 'sha1\n1557989151;1557996351\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n'
    assert sig.signature == '3b8851a11a569213c17ba8fa7dcf2abec6935172'


def test_doc_example_2_get_object_with_params():
    params = {'response-content-type': 'application/octet-stream', 'response-cache-control': 'max-age=600'}
    headers = {'Date': 'Thu, 16 May 2019 06:55:53 GMT', 'Host': 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com'}
    sig = signer.sign(DOC_ID, DOC_KEY, 'GET', DOC_PATH, params, headers, '1557989753;1557996953')
    assert sig.sign_key == '937914bf490e9e8c189836aad2052e4feeb35eaf'
    assert sig.url_param_list == 'response-cache-control;response-content-type'
    assert sig.http_parameters == 'response-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream'
    assert sig.header_list == 'date;host'
    assert sig.string_to_sign == 'sha1\n1557989753;1557996953\n54ecfe22f59d3514fdc764b87a32d8133ea611e6\n'
    assert sig.signature == '01681b8c9d798a678e43b685a9f1bba0f6c0e012'
    assert sig.authorization == (
        'q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953'
        '&q-key-time=1557989753;1557996953&q-header-list=date;host'
        '&q-url-param-list=response-cache-control;response-content-type'
        '&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012'
    )


def test_doc_header_and_param_canonicalization_examples():
    assert signer.canonicalize([('prefix', 'example-folder/'), ('delimiter', '/'), ('max-keys', '10')]) == (
        'delimiter;max-keys;prefix', 'delimiter=%2F&max-keys=10&prefix=example-folder%2F')
    assert signer.canonicalize([('acl', None)]) == ('acl', 'acl=')


# --- SDK-made vectors V1-V5 (cos-python-sdk-v5 5.1.9.44, time fixed at 1700000000) ---------
SDK_ID = 'AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE'
SDK_KEY = 'SKEYEXAMPLEEXAMPLEEXAMPLEEXAMPLE'
SDK_HOST = 'examplebucket-1250000000.ci.ap-beijing.myqcloud.com'
SDK_KEYTIME = '1699999940;1700010000'
V1_PARAMS = {
    'tag': 'Translation', 'orderByTime': 'Desc', 'states': 'Running,Success', 'size': '100', 'nextToken': '',
    'queueId': 'p893bcda225bf4945a378da6662e81a89', 'startCreationTime': '2024-05-01T00:00:00+0800',
    'endCreationTime': '2024-05-02T00:00:00+0800',
}
V1_PARAM_LIST = 'endcreationtime;nexttoken;orderbytime;queueid;size;startcreationtime;states;tag'

VECTORS = [
    pytest.param(
        '/jobs', V1_PARAMS, {'Host': SDK_HOST},
        'get\n/jobs\nendcreationtime=2024-05-02T00%3A00%3A00%2B0800&nexttoken=&orderbytime=Desc'
        '&queueid=p893bcda225bf4945a378da6662e81a89&size=100&startcreationtime=2024-05-01T00%3A00%3A00%2B0800'
        '&states=Running%2CSuccess&tag=Translation\nhost=' + SDK_HOST + '\n',
        '8ecd52b0bced5e7a9af2879e92421cdb61c7ceb6', 'host', V1_PARAM_LIST,
        'c0b808810bc92ecd52fece9f795542077c223e2d', id='V1-list-permanent-key'),
    pytest.param(
        '/jobs', V1_PARAMS, {'Host': SDK_HOST, 'x-ci-security-token': 'TMPTOKEN+/=example'},
        None, 'ba95f8ea39fc88049808799e8fe74c4b701e0faa', 'host;x-ci-security-token', V1_PARAM_LIST,
        'a5cea32a2ddce2d17700a50770e316f8d3841926', id='V2-temporary-credentials'),
    pytest.param(
        '/jobs',
        {'tag': 'SpeechRecognition', 'orderByTime': 'Asc', 'states': 'Failed,Cancel', 'size': '10',
         'nextToken': '225508', 'queueId': 'p893bcda225bf4945a378da6662e81a89'},
        {'Host': SDK_HOST},
        'get\n/jobs\nnexttoken=225508&orderbytime=Asc&queueid=p893bcda225bf4945a378da6662e81a89&size=10'
        '&states=Failed%2CCancel&tag=SpeechRecognition\nhost=' + SDK_HOST + '\n',
        '7dfc20e0d139fd68f9a6eb28417e75c457b3f209', 'host', 'nexttoken;orderbytime;queueid;size;states;tag',
        'ecd0653bdb85ec090e74daf50eddf616890424e9', id='V3-asc-second-page'),
    pytest.param(
        '/jobs/a8d121820f5e411ec926ef19d53ba9c6f,a632d4d3429a811ed8a5fa3d8277c400f', {}, {'Host': SDK_HOST},
        'get\n/jobs/a8d121820f5e411ec926ef19d53ba9c6f,a632d4d3429a811ed8a5fa3d8277c400f\n\nhost=' + SDK_HOST + '\n',
        '22e97a70e5eff39fb6a9569c2e694e692cfad18c', 'host', '',
        'de9f1a242a2de01f576c75284760be855754fc52', id='V4-two-jobs-by-id'),
    pytest.param(
        '/jobs',
        {'tag': 'Translation', 'orderByTime': 'Desc', 'states': 'All', 'size': '10', 'nextToken': '',
         'queueId': 'q1', 'startCreationTime': '2024-05-01 00:00:00'},
        {'Host': SDK_HOST},
        'get\n/jobs\nnexttoken=&orderbytime=Desc&queueid=q1&size=10&startcreationtime=2024-05-01%2000%3A00%3A00'
        '&states=All&tag=Translation\nhost=' + SDK_HOST + '\n',
        '60a4d1d3a8eae7d2c67915b0ba37b0b313c876e0', 'host', 'nexttoken;orderbytime;queueid;size;startcreationtime;states;tag',
        '45bfdf8828bd74e593d68518134fe83400f81e5a', id='V5-space-is-%20'),
]


@pytest.mark.parametrize('path, params, headers, http_string, sha1_http, header_list, param_list, signature', VECTORS)
def test_sdk_vectors(path, params, headers, http_string, sha1_http, header_list, param_list, signature):
    sig = signer.sign(SDK_ID, SDK_KEY, 'GET', path, params, signer.signed_headers(headers), SDK_KEYTIME)
    assert sig.sign_key == 'ebcd3151a57a27615fbfe7863da7315aab0eb5ea'
    if http_string is not None:
        assert sig.http_string == http_string
    assert sig.string_to_sign == 'sha1\n%s\n%s\n' % (SDK_KEYTIME, sha1_http)
    assert sig.header_list == header_list
    assert sig.url_param_list == param_list
    assert sig.signature == signature
    assert sig.authorization == (
        'q-sign-algorithm=sha1&q-ak=%s&q-sign-time=%s&q-key-time=%s&q-header-list=%s&q-url-param-list=%s&q-signature=%s'
        % (SDK_ID, SDK_KEYTIME, SDK_KEYTIME, header_list, param_list, signature))


def test_v2_token_header_is_encoded_in_http_headers():
    sig = signer.sign(SDK_ID, SDK_KEY, 'GET', '/jobs', V1_PARAMS,
                      signer.signed_headers({'Host': SDK_HOST, 'x-ci-security-token': 'TMPTOKEN+/=example'}), SDK_KEYTIME)
    assert sig.http_headers == 'host=%s&x-ci-security-token=TMPTOKEN%%2B%%2F%%3Dexample' % SDK_HOST


@pytest.mark.parametrize('value, expected', [
    ('A-Za-z0-9-_.~', 'A-Za-z0-9-_.~'),
    (' ', '%20'),
    ('+,:/', '%2B%2C%3A%2F'),
    ('!"#$%&\'()*+,/:;<=>?@[\\]^`{|}', '%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D'),
    (u'\u817e', '%E8%85%BE'),
])
def test_encode_leaves_only_unreserved_characters(value, expected):
    assert signer.encode(value) == expected


def test_signed_headers_picks_host_and_vendor_headers_only():
    picked = signer.signed_headers({
        'Host': 'h', 'X-CI-Security-Token': 't', 'x-cos-meta': 'm', 'User-Agent': 'ua', 'Accept': '*/*', 'Date': 'd'})
    assert sorted(picked) == [('host', 'h'), ('x-ci-security-token', 't'), ('x-cos-meta', 'm')]


def test_key_time_back_dates_and_expires():
    assert signer.key_time(1700000000) == '1699999940;1700000900'
    assert signer.key_time(1700000000.9, backdate=0, lifetime=10) == '1700000000;1700000010'


def test_changing_one_character_changes_the_signature():
    base = signer.sign(SDK_ID, SDK_KEY, 'GET', '/jobs', V1_PARAMS, {'host': SDK_HOST}, SDK_KEYTIME).signature
    other = dict(V1_PARAMS, queueId=V1_PARAMS['queueId'][:-1] + '0')
    assert signer.sign(SDK_ID, SDK_KEY, 'GET', '/jobs', other, {'host': SDK_HOST}, SDK_KEYTIME).signature != base
