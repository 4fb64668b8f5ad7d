# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Inputs the property tests of tests/system/test_properties.py found crashing, pinned as examples.

Each was an exception other than ``CIError``/``XMLBodyError`` (a traceback in a module):

* ``int(inf)`` and ``float(10 ** 400)`` raise OverflowError in the number options and ``timeout``;
* a ``<JobId>`` or ``<State>`` with child elements is a dict, which cannot be a key: summary,
  de-duplication, get-by-id and waiting used it as one;
* an XML declaration with an unknown encoding raises LookupError inside expat.
"""

from __future__ import annotations

import pytest

pytest.importorskip('requests')
pytest.importorskip('xmltodict')

from ansible_collections.qcloud.ci.plugins.module_utils import _client, _job_api, _jobs, _xml  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIValueError, CIWaitIncomplete  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import (  # noqa: E402 pylint: disable=wrong-import-position
    BUCKET, SECRET_ID, SECRET_KEY,
)

LISTING = {'queue_id': 'p1', 'tag': 'Translation'}
STRUCTURED = ('<JobsDetail><JobId><Part>a</Part></JobId><State><Running/></State><Tag>Translation</Tag></JobsDetail>'
              '<JobsDetail><JobId><Part>b</Part></JobId><State><x>Failed</x></State><Tag>Translation</Tag></JobsDetail>')


def page(inner, next_token=''):
    return ('<Response>%s<NextToken>%s</NextToken></Response>' % (inner, next_token)).encode('utf-8')


def plain(job_id, state):
    return '<JobsDetail><JobId>%s</JobId><State>%s</State><Tag>Translation</Tag></JobsDetail>' % (job_id, state)


@pytest.mark.parametrize('option, value', [
    ('page_size', float('inf')),
    ('max_jobs', float('-inf')),
    ('wait_timeout', 10 ** 400),
    ('wait_sleep', -10 ** 400),
], ids=['page_size=inf', 'max_jobs=-inf', 'wait_timeout=10**400', 'wait_sleep=-10**400'])
def test_overflowing_numbers_are_refused_naming_the_option(option, value):
    with pytest.raises(CIValueError) as caught:
        _jobs.JobQuery.from_options(dict(LISTING, **{option: value}))
    assert caught.value.option == option and option in caught.value.msg


def test_overflowing_timeout_is_refused():
    with pytest.raises(CIValueError) as caught:
        _client.CIClient(SECRET_ID, SECRET_KEY, BUCKET, region='ap-beijing', timeout=10 ** 400)
    assert caught.value.option == 'timeout'


def test_summary_counts_a_structured_state_as_no_state():
    jobs = [{'job_id': 'a', 'state': {'running': None}}, {'job_id': {'part': 'b'}, 'state': ['Failed']},
            {'job_id': 'c', 'state': 'Failed'}]
    summary = _jobs.summarize(jobs)
    # issue 14: no None key; a job without a usable state is counted under Unknown, as unfinished
    assert summary['total'] == 3 and summary['by_state']['Unknown'] == 2 and summary['by_state']['Failed'] == 1
    assert None not in summary['by_state']
    assert summary['failed_job_ids'] == ['c'] and not summary['finished'] and not summary['all_succeeded']


def test_listing_keeps_every_job_whose_id_is_structured(scripted):
    harness = scripted([(200, page(STRUCTURED + plain('c', 'Success'), 't1')),
                        (200, page(STRUCTURED + plain('c', 'Success')))])
    warnings = []
    result = _job_api.run(harness.client, _jobs.JobQuery.from_options(dict(LISTING, output='failed')), warnings.append)
    # two structured jobs per page are kept (they cannot be de-duplicated), c once
    assert result['summary']['total'] == 5
    assert [j['job_id'] for j in result['jobs']] == []  # a structured State is not Failed
    assert warnings == ['The service returned 1 job(s) twice across pages; each job is returned once.']


def test_get_by_id_ignores_a_job_whose_id_is_structured(scripted):
    # the id /jobs left unanswered is asked once more at /ai_jobs (1.1.0), which does not know it either
    harness = scripted([(200, page(STRUCTURED + plain('c', 'Success'))), (200, page(''))])
    result = _job_api.run(harness.client, _jobs.JobQuery.from_options({'job_ids': ['a', 'c']}))
    assert [j['job_id'] for j in result['jobs']] == ['c'] and result['missing_job_ids'] == ['a']


def test_waiting_on_an_unfinished_job_without_a_usable_id_fails_at_once(scripted):
    harness = scripted([(200, page(plain('<Part>a</Part>', 'Running') + plain('b', 'Success')))])
    sleeps = []
    options = dict(LISTING, wait=True, wait_timeout=10, wait_sleep=5)
    with pytest.raises(CIWaitIncomplete) as caught:
        _job_api.run(harness.client, _jobs.JobQuery.from_options(options), clock=lambda: 0.0, sleep=sleeps.append)
    assert caught.value.msg == ('Cannot wait for 1 unfinished job(s) that the service returned without a JobId '
                                '(states: Running)')
    assert caught.value.result['summary']['total'] == 2
    assert len(harness.adapter.requests) == 1 and sleeps == []  # nothing to poll by id, and no sleep


@pytest.mark.parametrize('encoding', ['bogus-enc', 'x-no-such-codec'])
def test_unknown_xml_encoding_is_an_xml_body_error(encoding):
    body = ('<?xml version="1.0" encoding="%s"?><Response><JobId>a</JobId></Response>' % encoding).encode('ascii')
    with pytest.raises(_xml.XMLBodyError, match='not usable XML'):
        _xml.parse(body, 'Response')


class _CutShortBody(object):
    """A raw body that breaks off after its first bytes, as urllib3 reports a short Content-Length read."""

    def stream(self, *args, **kwargs):
        from urllib3.exceptions import ProtocolError
        yield b'<Response><JobsDetail>'
        raise ProtocolError('Connection broken: IncompleteRead(22 bytes read, 400 more expected)')

    def close(self):
        pass


def test_a_body_cut_short_still_reports_status_and_request_id(scripted):
    import requests
    from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIRequestError

    harness = scripted([])
    answers = []

    def send(request, **kwargs):
        response = requests.Response()
        response.status_code = 200
        response.headers = requests.structures.CaseInsensitiveDict({'x-ci-request-id': 'rid-%d' % len(answers)})
        response.raw = _CutShortBody()
        response.url = request.url
        response.request = request
        answers.append(response)
        return response

    harness.adapter.send = send
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', {'queueId': 'p1', 'tag': 'Translation'})
    error = caught.value
    assert (error.status, error.request_id, error.tries) == (200, 'rid-5', 6)
    assert str(error) == ('CI request GET /jobs failed: HTTP 200: the response body was cut short or could not be '
                          'decoded [request id rid-5, 6 tries]')
    assert len(harness.sleeps) == 5  # retried like any unusable body
