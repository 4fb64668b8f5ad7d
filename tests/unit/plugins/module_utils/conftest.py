# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Scripted HTTP for the client's unit tests: every request is recorded, every answer is canned."""

from __future__ import annotations

import pytest

requests = pytest.importorskip('requests')
pytest.importorskip('xmltodict')

from requests.adapters import BaseAdapter  # noqa: E402 pylint: disable=wrong-import-position
from requests.structures import CaseInsensitiveDict  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.qcloud.ci.plugins.module_utils._client import CIClient  # noqa: E402 pylint: disable=wrong-import-position

SECRET_ID = 'AKIDUNITTEST0000000000000000000000'
SECRET_KEY = 'unit-test-secret-key-do-not-print'
TOKEN = 'unit-test-session-token-do-not-print'
BUCKET = 'examplebucket-1250000000'
REGION = 'ap-beijing'
HOST = BUCKET + '.ci.' + REGION + '.myqcloud.com'
NOW = 1700000000.0


def xml_jobs(*jobs, **extra):
    """A <Response> page: jobs are (job_id, state) pairs; extra elements such as NextToken follow."""
    parts = ['<Response>']
    for job_id, state in jobs:
        parts.append('<JobsDetail><Code>Success</Code><Message/><JobId>%s</JobId><Tag>Translation</Tag>'
                     '<State>%s</State><CreationTime>2024-05-01T10:00:00+0800</CreationTime><StartTime>-</StartTime>'
                     '<EndTime>-</EndTime><QueueId>p1</QueueId><Input><Object>in/%s.txt</Object></Input>'
                     '</JobsDetail>' % (job_id, state, job_id))
    for key, value in extra.items():
        parts.append('<%s>%s</%s>' % (key, value, key))
    parts.append('</Response>')
    return ''.join(parts).encode('utf-8')


def xml_error(code, message, request_id='NjU0ZTZhYjJfYTM2MjBiMDlfMWNiNV8x'):
    return ('<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId><TraceId>trace-1</TraceId></Error>'
            % (code, message, request_id)).encode('utf-8')


class ScriptedAdapter(BaseAdapter):
    """Answers each request with the next scripted item: an exception, or (status, body, headers)."""

    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.requests = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        self.requests.append((request, kwargs))
        if not self.script:
            raise AssertionError('unexpected request %s %s' % (request.method, request.url))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        status, body, headers = (item + ({},))[:3] if len(item) == 2 else item
        response = requests.Response()
        response.status_code = status
        response._content = body  # pylint: disable=protected-access
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class Harness(object):
    def __init__(self, script, **kwargs):
        self.sleeps = []
        self.warnings = []
        self.now = NOW
        options = dict(secret_id=SECRET_ID, secret_key=SECRET_KEY, bucket=BUCKET, region=REGION,
                       warn=self.warnings.append, clock=lambda: self.now, sleep=self.sleeps.append, rand=lambda: 0.5)
        options.update(kwargs)
        self.client = CIClient(**options)
        self.adapter = ScriptedAdapter(script)
        self.client._session.mount('https://', self.adapter)  # pylint: disable=protected-access
        self.client._session.mount('http://', self.adapter)  # pylint: disable=protected-access

    @property
    def urls(self):
        return [request.url for request, dummy in self.adapter.requests]

    def headers(self, index=-1):
        return self.adapter.requests[index][0].headers


@pytest.fixture
def scripted():
    return Harness
