# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client at the edges a production gate meets, on scripted HTTP and simulated time.

A deadline that bounds every try and sleep, pages sized up to a limit, endless empty pages,
``~/.netrc`` and proxies from the environment, absurd service clocks, secrets that cannot
travel in a header, a ``ca_path`` that cannot be read, which TLS check failed, a Retry-After
date measured on the service's clock, and the give-up message.
"""

from __future__ import annotations

import ssl
import warnings

import pytest

pytest.importorskip('requests')
pytest.importorskip('xmltodict')

import requests  # noqa: E402 pylint: disable=wrong-import-position
import urllib3  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.qcloud.ci.plugins.module_utils import _client  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._errors import (  # noqa: E402 pylint: disable=wrong-import-position
    CIDeadlineExceeded,
    CIRequestError,
    CIValueError,
)
from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import (  # noqa: E402 pylint: disable=wrong-import-position
    BUCKET, HOST, NOW, REGION, SECRET_ID, SECRET_KEY, TOKEN, xml_error, xml_jobs,
)

FILTERS = {'queueId': 'p1', 'tag': 'Translation'}
BUSY = xml_error('ServiceUnavailable', 'busy', 'rid-busy')


def sizes(harness):
    return [url.split('size=')[1].split('&')[0] for url in harness.urls]


def job_ids(pages):
    return [job['job_id'] for page in pages for job in page.get('jobs_detail') or []]


# --- the deadline ------------------------------------------------------------------------------
def test_each_try_times_out_by_the_deadline(scripted):
    harness = scripted([(200, xml_jobs(NextToken=''))], timeout=30)
    harness.client.get('/jobs', FILTERS, deadline=harness.time.mono + 10)
    assert harness.timeouts() == [10]
    harness = scripted([(200, xml_jobs(NextToken=''))], timeout=30)
    harness.client.get('/jobs', FILTERS)
    assert harness.timeouts() == [30]


def test_a_retry_after_beyond_the_deadline_is_not_slept(scripted):
    """wait_timeout=10 against a 503 with Retry-After: 30 ran 125 s: now one try, no sleep, the deadline error."""
    harness = scripted([(503, BUSY, {'Retry-After': '30', 'x-ci-request-id': 'rid-1'})] * 6)
    with pytest.raises(CIDeadlineExceeded) as caught:
        harness.client.get('/jobs', FILTERS, deadline=harness.time.mono + 10)
    err = caught.value
    assert isinstance(err, CIRequestError)
    assert (err.status, err.code, err.request_id, err.tries) == (503, 'ServiceUnavailable', 'rid-1', 1)
    assert 'deadline was reached' in str(err)
    assert harness.sleeps == [] and harness.client.requests_sent == 1


def test_backoff_and_slow_tries_all_fit_inside_the_deadline(scripted):
    harness = scripted([(503, BUSY, {})] * 6, request_seconds=2.0)
    harness.adapter.on_send = lambda request, kwargs: harness.time.advance(min(2.0, kwargs['timeout']))
    start = harness.time.mono
    with pytest.raises(CIDeadlineExceeded) as caught:
        harness.client.get('/jobs', FILTERS, deadline=start + 5)
    # try 1 (2 s), sleep 0.25, try 2 (2 s), sleep 0.5, try 3 cut to the 0.25 s left: all inside 5 s
    assert harness.sleeps == [0.25, 0.5]
    assert harness.timeouts() == [5, 2.75, 0.25]
    assert harness.time.mono - start == 5
    assert caught.value.tries == 3 and caught.value.status == 503


def test_a_spent_deadline_sends_nothing(scripted):
    harness = scripted([])
    with pytest.raises(CIDeadlineExceeded) as caught:
        harness.client.get('/jobs', FILTERS, deadline=harness.time.mono)
    assert harness.client.requests_sent == 0
    assert caught.value.status is None and 'deadline was reached before the next try' in str(caught.value)


def test_the_pager_passes_the_deadline_to_every_page(scripted):
    harness = scripted([(200, xml_jobs(('j1', 'Success'), NextToken='t1')),
                        (503, BUSY, {'Retry-After': '20'})])
    pages = harness.client.iter_pages('/jobs', FILTERS, 2, deadline=harness.time.mono + 15)
    with pytest.raises(CIDeadlineExceeded):
        list(pages)
    assert harness.client.requests_sent == 2 and harness.sleeps == []


# --- pages sized up to a limit, pages without progress -----------------------------------------
def test_pages_are_sized_to_stop_exactly_at_the_limit(scripted):
    harness = scripted([
        (200, xml_jobs(('j1', 'Success'), ('j2', 'Success'), NextToken='t2')),
        (200, xml_jobs(('j3', 'Success'), ('j4', 'Success'), NextToken='t4')),
        (200, xml_jobs(('j5', 'Success'), NextToken='t5')),
    ])
    params = dict(FILTERS)
    pages = list(harness.client.iter_pages('/jobs', params, 2, limit=5))
    assert sizes(harness) == ['2', '2', '1']
    assert 'nextToken=t4' in harness.urls[2]
    assert job_ids(pages) == ['j1', 'j2', 'j3', 'j4', 'j5'] and pages[-1]['next_token'] == 't5'
    assert params == FILTERS  # the caller's parameters are not changed


def test_a_limit_reached_on_a_page_boundary_sends_no_more_request(scripted):
    harness = scripted([(200, xml_jobs(('j1', 'Success'), ('j2', 'Success'), NextToken='t2'))])
    pages = list(harness.client.iter_pages('/jobs', FILTERS, 2, limit=2))
    assert job_ids(pages) == ['j1', 'j2'] and harness.client.requests_sent == 1


def test_without_a_page_size_the_size_in_the_params_is_sent(scripted):
    harness = scripted([(200, xml_jobs(('j1', 'Success'), NextToken='t1')), (200, xml_jobs(NextToken=''))])
    list(harness.client.iter_pages('/jobs', dict(FILTERS, size='7')))
    assert sizes(harness) == ['7', '7']
    with pytest.raises(ValueError):
        list(harness.client.iter_pages('/jobs', FILTERS, limit=3))


def test_a_resume_token_in_the_params_starts_there(scripted):
    harness = scripted([(200, xml_jobs(('j9', 'Success'), NextToken=''))])
    list(harness.client.iter_pages('/jobs', dict(FILTERS, nextToken='t8'), 50))
    assert harness.urls[0].split('?')[1].split('&')[2:] == ['nextToken=t8', 'size=50']


def test_endless_empty_pages_stop_at_the_cap(scripted):
    """1,500 requests for 0 jobs before: now MAX_EMPTY_PAGES pages, then a clear error."""
    script = [(200, xml_jobs(NextToken='e%d' % n), {'x-ci-request-id': 'rid-%d' % n}) for n in range(1, 100)]
    harness = scripted(script)
    with pytest.raises(CIRequestError) as caught:
        list(harness.client.iter_pages('/jobs', FILTERS, 10))
    assert harness.client.requests_sent == _client.MAX_EMPTY_PAGES
    assert '%d pages in a row with no item but a new NextToken' % _client.MAX_EMPTY_PAGES in str(caught.value)
    assert caught.value.request_id == 'rid-%d' % _client.MAX_EMPTY_PAGES


def test_a_page_with_items_resets_the_empty_page_count(scripted):
    empties = [(200, xml_jobs(NextToken='a%d' % n)) for n in range(_client.MAX_EMPTY_PAGES - 1)]
    script = empties + [(200, xml_jobs(('j1', 'Success'), NextToken='b0'))] + \
        [(200, xml_jobs(NextToken='c%d' % n)) for n in range(_client.MAX_EMPTY_PAGES - 1)] + [(200, xml_jobs(NextToken=''))]
    harness = scripted(script)
    assert job_ids(harness.client.iter_pages('/jobs', FILTERS, 10)) == ['j1']
    assert harness.client.requests_sent == 2 * _client.MAX_EMPTY_PAGES


# --- ~/.netrc and proxies from the environment ---------------------------------------------------
@pytest.fixture
def netrc_home(tmp_path, monkeypatch):
    netrc = tmp_path / '.netrc'
    netrc.write_text('machine %s login netrc-user password NETRC-PASSWORD-1\n'
                     'default login anyone password NETRC-PASSWORD-2\n' % HOST)
    netrc.chmod(0o600)
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('NETRC', str(netrc))
    return netrc


@pytest.mark.parametrize('endpoint', [None, 'http://127.0.0.1:8765'], ids=['machine entry', 'default entry'])
def test_netrc_never_replaces_the_signed_authorization(scripted, netrc_home, endpoint):
    harness = scripted([(200, xml_jobs(NextToken=''))], endpoint_url=endpoint)
    harness.client.get('/jobs', FILTERS)
    sent = harness.headers(0)
    assert sent['Authorization'].startswith('q-sign-algorithm=sha1&q-ak=%s&' % SECRET_ID)
    assert 'NETRC-PASSWORD' not in repr(dict(sent)) and 'Basic' not in sent['Authorization']


def test_proxies_from_the_environment_are_still_used(scripted, netrc_home, monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', 'http://127.0.0.1:3128')
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    harness = scripted([(200, xml_jobs(NextToken=''))])
    harness.client.get('/jobs', FILTERS)
    assert harness.adapter.requests[0][1]['proxies'].get('https') == 'http://127.0.0.1:3128'


# --- the service's clock -------------------------------------------------------------------------
SKEWED = xml_error('RequestTimeTooSkewed', 'The difference between the request time and the server time is too large.')


@pytest.mark.parametrize('date', ['Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT',
                                  'Thu, 16 Nov 2023 22:13:21 GMT', 'Sun, 12 Nov 2023 22:13:19 GMT'],
                         ids=['1970', '9999', 'two days ahead', 'two days behind'])
def test_an_absurd_service_date_is_not_used_to_sign(scripted, date):
    harness = scripted([(403, SKEWED, {'Date': date})])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', FILTERS)
    assert harness.client.requests_sent == 1 and harness.client.clock_offset == 0
    assert caught.value.code == 'RequestTimeTooSkewed'
    assert 'fix the clock of this host' in str(caught.value) and harness.warnings == []


def test_a_skew_within_a_day_is_still_corrected(scripted):
    harness = scripted([(403, SKEWED, {'Date': 'Wed, 15 Nov 2023 22:13:00 GMT'}), (200, xml_jobs(NextToken=''))])
    harness.client.get('/jobs', FILTERS)
    assert harness.client.clock_offset == 86400 - 20
    assert harness.client.requests_sent == 2


def test_a_retry_after_date_is_measured_on_the_service_clock(scripted):
    """Local clock an hour ahead: the date said 5 s on the service's clock, so 5 s, not 0."""
    harness = scripted([(429, xml_error('SlowDown', 'slow down'),
                         {'Date': 'Tue, 14 Nov 2023 22:13:20 GMT', 'Retry-After': 'Tue, 14 Nov 2023 22:13:25 GMT'}),
                        (200, xml_jobs(NextToken=''))])
    harness.now = NOW + 3600
    harness.client.get('/jobs', FILTERS)
    assert harness.sleeps == [5.0]


def test_a_retry_after_date_without_a_service_date_uses_the_local_clock(scripted):
    harness = scripted([(429, xml_error('SlowDown', 'slow down'), {'Retry-After': 'Tue, 14 Nov 2023 22:13:27 GMT'}),
                        (200, xml_jobs(NextToken=''))])
    harness.client.get('/jobs', FILTERS)
    assert harness.sleeps == [7.0]


def test_the_give_up_message_has_no_none(scripted):
    harness = scripted([(429, xml_error('SlowDown', 'busy'), {'Retry-After': '30'})] * 6, retries=20)
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', FILTERS)
    text = str(caught.value)
    assert 'None' not in text
    assert 'busy (gave up: the next retry would exceed %d s of waiting)' % _client.RETRY_TIME_BUDGET in text


# --- options refused before any request ------------------------------------------------------------
BAD_HEADER_VALUES = ['AKID-with-newline\n', 'AKID with space', 'AKID\x00nul', 'AKID\x7fdel', u'AKID\u00e9latin1',
                     u'AKID\u4e2dnot-latin1', '\tAKID']


@pytest.mark.parametrize('option', ['secret_id', 'secret_key', 'security_token'])
@pytest.mark.parametrize('value', BAD_HEADER_VALUES, ids=['newline', 'space', 'nul', 'del', 'latin1', 'cjk', 'tab'])
def test_a_secret_that_cannot_travel_in_a_header_is_refused_before_any_request(scripted_http, option, value):
    adapter = scripted_http([])
    options = dict(secret_id=SECRET_ID, secret_key=SECRET_KEY, bucket=BUCKET, region=REGION, security_token=TOKEN)
    options[option] = value
    with pytest.raises(CIValueError) as caught:
        _client.CIClient(**options)
    assert caught.value.option == option
    assert option in str(caught.value) and value.strip() not in str(caught.value)
    assert adapter.requests == [] and adapter.sessions == 0


def test_a_missing_ca_path_is_refused_naming_the_option_not_the_path(tmp_path):
    missing = str(tmp_path / 'no-such-dir' / 'ca-secret-name.pem')
    with pytest.raises(CIValueError) as caught:
        _client.CIClient(SECRET_ID, SECRET_KEY, BUCKET, region=REGION, ca_path=missing)
    assert caught.value.option == 'ca_path'
    assert 'ca_path must name a readable file' in str(caught.value) and 'ca-secret-name' not in str(caught.value)
    assert 'No such file or directory' in str(caught.value)


def test_a_readable_ca_path_file_or_directory_is_taken(tmp_path):
    bundle = tmp_path / 'ca.pem'
    bundle.write_text('-----BEGIN CERTIFICATE-----\n')
    assert _client.validate_connection(SECRET_ID, SECRET_KEY, BUCKET, REGION, ca_path=str(bundle)).verify == str(bundle)
    assert _client.validate_connection(SECRET_ID, SECRET_KEY, BUCKET, REGION, ca_path=str(tmp_path)).verify == str(tmp_path)
    missing = str(tmp_path / 'missing.pem')
    assert _client.validate_connection(SECRET_ID, SECRET_KEY, BUCKET, REGION, validate_certs=False,
                                       ca_path=missing).verify is False


def test_validate_connection_returns_what_the_client_needs():
    connection = _client.validate_connection(SECRET_ID, SECRET_KEY, BUCKET, endpoint_url='http://127.0.0.1:8765')
    assert connection == _client.Connection('http://127.0.0.1:8765', '127.0.0.1:8765', True,
                                            float(_client.DEFAULT_TIMEOUT), _client.DEFAULT_RETRIES)


# --- which TLS check failed ----------------------------------------------------------------------
def tls_error(inner):
    """A requests SSLError wrapping ``inner`` the way requests and urllib3 do."""
    reason = urllib3.exceptions.SSLError(inner)
    return requests.exceptions.SSLError(urllib3.exceptions.MaxRetryError(None, 'https://%s/jobs' % HOST, reason))


def verify_error(code, message):
    err = ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s (_ssl.c:1000)'
                                       % message)
    err.verify_code = code
    err.verify_message = message
    return err


def handshake_error(reason):
    err = ssl.SSLError(1, '[SSL: %s] %s (_ssl.c:1000)' % (reason, reason.lower().replace('_', ' ')))
    err.reason = reason
    return err


@pytest.mark.parametrize('inner, says, not_says', [
    (verify_error(62, "Hostname mismatch, certificate is not valid for 'x.example'."), 'hostname mismatch', 'Set ca_path'),
    (verify_error(10, 'certificate has expired'), 'has expired or is not yet valid', 'Set ca_path'),
    (verify_error(20, 'unable to get local issuer certificate'), 'not signed by a trusted CA. Set ca_path', 'mismatch'),
    (verify_error(19, 'self-signed certificate in certificate chain'), 'not signed by a trusted CA', 'expired'),
    (verify_error(50, 'application verification failure'), 'verification failed for %s (application verification' % HOST,
     'Set ca_path'),
    (handshake_error('WRONG_VERSION_NUMBER'), 'TLS handshake with %s failed (wrong version number)' % HOST, 'Set ca_path'),
], ids=['hostname', 'expired', 'unknown issuer', 'self-signed', 'other verify', 'handshake'])
def test_a_tls_failure_says_which_check_failed(scripted, inner, says, not_says):
    harness = scripted([tls_error(inner)])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', FILTERS)
    assert says in str(caught.value) and not_says not in str(caught.value)
    assert harness.client.requests_sent == 1 and harness.sleeps == []


def test_a_tls_failure_from_text_only_is_still_told_apart(scripted):
    harness = scripted([requests.exceptions.SSLError("hostname 'x' doesn't match 'y'")])
    with pytest.raises(CIRequestError) as caught:
        harness.client.get('/jobs', FILTERS)
    assert 'hostname mismatch' in str(caught.value)


# --- no process-wide warning changes -------------------------------------------------------------
def test_validate_certs_false_changes_no_process_wide_warning_filter(scripted):
    before = list(warnings.filters)
    harness = scripted([(200, xml_jobs(NextToken=''))], validate_certs=False)
    harness.client.get('/jobs', FILTERS)
    assert warnings.filters == before
    assert len(harness.warnings) == 1 and 'validate_certs=false' in harness.warnings[0]
