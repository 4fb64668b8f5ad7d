# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTP client of qcloud.ci, used by the module and the lookup alike.

Internal to this collection: the names may change in any release.

* one ``requests.Session`` per client: keep-alive, so a hundred pages cost one TLS handshake;
* the URL is ``https://<bucket>.ci.<region>.myqcloud.com`` or ``endpoint_url``; bucket, region
  and endpoint are validated so that no value can send a request to another host;
* the query is encoded with ``%20`` for spaces, the same bytes the signature covers;
* every try is signed anew (``_signer``); bounded retries with exponential backoff and full
  jitter on connection errors, timeouts, unusable bodies, 500/502/503/504 and 429 (honouring
  ``Retry-After``, clamped); other 4xx are never retried;
* a clock-skew refusal that carries the service's ``Date`` is re-signed once with the
  measured offset, and a warning says so;
* failures become one ``CIRequestError`` with status, CI code, message, request id and tries,
  and never a header, a signature or a secret;
* pagination follows ``NextToken`` until it is empty and refuses to loop on a repeated token.
"""

from __future__ import annotations

import math
import random
import re
import time
import traceback
from email.utils import parsedate_tz, mktime_tz
from urllib.parse import quote, urlsplit

from ansible_collections.qcloud.ci.plugins.module_utils._errors import (
    CIMissingLibrary,
    CIRequestError,
    CIValueError,
)
from ansible_collections.qcloud.ci.plugins.module_utils import _signer
from ansible_collections.qcloud.ci.plugins.module_utils import _xml

try:
    import requests
    import requests.exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

USER_AGENT = 'qcloud.ci-ansible-collection'

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
BACKOFF_BASE = 0.5          # seconds before the first retry, at most (full jitter)
BACKOFF_CAP = 10.0          # no single backoff sleeps longer
RETRY_AFTER_CAP = 30.0      # a Retry-After is honoured up to this many seconds
RETRY_TIME_BUDGET = 120.0   # total seconds one request may spend sleeping between tries
SKEW_CODES = frozenset(('RequestTimeTooSkewed', 'RequestExpired', 'SignatureExpired'))

BUCKET_RE = re.compile(r'^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?-[0-9]{1,20}\Z')
REGION_RE = re.compile(r'^[a-z]{2,8}(?:-[a-z0-9]{1,20}){1,3}\Z')
_LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
HOSTNAME_RE = re.compile(r'^%s(?:\.%s)*\.?\Z' % (_LABEL, _LABEL))
IPV6_RE = re.compile(r'^\[[0-9A-Fa-f:.]{2,45}\]\Z')


def require_libraries():
    """Raise ``CIMissingLibrary`` when requests or xmltodict cannot be imported."""
    for name, present, error in (('requests', HAS_REQUESTS, REQUESTS_IMPORT_ERROR),
                                 ('xmltodict', _xml.HAS_XMLTODICT, _xml.XMLTODICT_IMPORT_ERROR)):
        if not present:
            raise CIMissingLibrary(
                name, 'The Python library %s is required by qcloud.ci but is not installed for the Python '
                'interpreter that runs this code. Install it (pip install -r requirements.txt of the collection).' % name,
                traceback=error)


def validate_bucket(bucket):
    if not isinstance(bucket, str) or not BUCKET_RE.match(bucket):
        raise CIValueError('bucket', 'bucket must be <BucketName>-<APPID>: lower-case letters, digits and "-", '
                                     'not starting or ending with "-", then "-" and the numeric APPID '
                                     '(for example examplebucket-1250000000); got %r' % (bucket,))
    return bucket


def validate_region(region):
    if not isinstance(region, str) or not REGION_RE.match(region):
        raise CIValueError('region', 'region must be a Tencent Cloud region id such as ap-guangzhou, ap-beijing or '
                                     'na-siliconvalley; got %r' % (region,))
    return region


def parse_endpoint_url(endpoint_url):
    """Return ``(scheme, host_header)`` for an ``endpoint_url`` or raise ``CIValueError``.

    Allowed: ``http(s)://HOST[:PORT][/]``, HOST an ASCII DNS name, an IPv4 address or a
    bracketed IPv6 address. No user info, path, query, fragment, spaces or control characters.
    """
    allowed = ('endpoint_url must be http:// or https:// followed by a host name or IP address and an optional '
               ':port, with nothing else (no user, path, query or fragment); got %r' % (endpoint_url,))
    if not isinstance(endpoint_url, str) or not endpoint_url.isascii() or any(
            ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in endpoint_url):
        raise CIValueError('endpoint_url', allowed)
    try:
        parts = urlsplit(endpoint_url)
        port = parts.port
    except ValueError:
        raise CIValueError('endpoint_url', allowed)
    netloc = parts.netloc
    host = netloc.rsplit(':', 1)[0] if port is not None or netloc.endswith(':') else netloc
    if (parts.scheme not in ('http', 'https') or '@' in netloc or parts.path not in ('', '/') or parts.query
            or parts.fragment or '?' in endpoint_url or '#' in endpoint_url or not host
            or not (HOSTNAME_RE.match(host) or IPV6_RE.match(host)) or port == 0):
        raise CIValueError('endpoint_url', allowed)
    host_header = host.lower().rstrip('.') if not host.startswith('[') else host
    if port is not None:
        host_header += ':%d' % port
    return parts.scheme, host_header


def _retry_after(value):
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        parsed = parsedate_tz(value)
        if parsed is None:
            return None
        seconds = mktime_tz(parsed) - time.time()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


def _describe(exc):
    """A short, header-free description of a transport exception."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return 'timed out connecting'
    if isinstance(exc, requests.exceptions.Timeout):
        return 'timed out waiting for the response'
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return 'the response body was cut short or could not be decoded'
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        for marker in ('Connection refused', 'Connection reset', 'Name or service not known', 'Remote end closed',
                       'Connection aborted', 'timed out', 'No route to host', 'Temporary failure in name resolution'):
            if marker in text:
                return 'connection error (%s)' % marker.lower()
        return 'connection error'
    return type(exc).__name__


def _is_skew(failure):
    """Did the service refuse the request because of the signing time?"""
    if failure.code in SKEW_CODES:
        return True
    return failure.code == 'AccessDenied' and 'expired' in (failure.message or '').lower()


class _BadBody(Exception):
    """A 2xx response we cannot use; retried like a transient fault."""


class CIClient(object):
    """Signed, retrying GETs against one bucket's CI endpoint."""

    def __init__(self, secret_id, secret_key, bucket, region=None, security_token=None, endpoint_url=None,
                 validate_certs=True, ca_path=None, timeout=30, retries=5, warn=None,
                 clock=time.time, sleep=time.sleep, rand=random.random):
        require_libraries()
        if not secret_id:
            raise CIValueError('secret_id', 'secret_id is required: set the secret_id option or the '
                                            'TENCENTCLOUD_SECRET_ID environment variable')
        if not secret_key:
            raise CIValueError('secret_key', 'secret_key is required: set the secret_key option or the '
                                             'TENCENTCLOUD_SECRET_KEY environment variable')
        validate_bucket(bucket)
        if endpoint_url:
            scheme, self.host = parse_endpoint_url(endpoint_url)
            if region:
                validate_region(region)
        else:
            if not region:
                raise CIValueError('region', 'region is required (a Tencent Cloud region id such as ap-guangzhou): set the '
                                             'region option or the TENCENTCLOUD_REGION environment variable, or set endpoint_url')
            validate_region(region)
            scheme, self.host = 'https', '%s.ci.%s.myqcloud.com' % (bucket, region)
        try:
            timeout = float(timeout)
        except (TypeError, ValueError, OverflowError):  # OverflowError: float(10 ** 400)
            timeout = -1.0
        if not 0 < timeout <= 3600:
            raise CIValueError('timeout', 'timeout must be a number of seconds above 0 and at most 3600')
        if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= 20:
            raise CIValueError('retries', 'retries must be a whole number from 0 to 20')
        self.base_url = '%s://%s' % (scheme, self.host)
        self.timeout = timeout
        self.retries = retries
        self._secret_id = secret_id
        self._secret_key = secret_key
        self._token = security_token or None
        self._warn = warn or (lambda msg: None)
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self.clock_offset = 0.0
        self.requests_sent = 0
        self._last_response_date = None
        self._session = requests.Session()
        self._session.headers.clear()
        if not validate_certs:
            self._verify = False
            self._warn('TLS certificate verification is disabled (validate_certs=false): the identity of %s is not checked.'
                       % self.host)
            try:
                from urllib3.exceptions import InsecureRequestWarning
                import urllib3
                urllib3.disable_warnings(InsecureRequestWarning)
            except ImportError:  # pragma: no cover
                pass
        else:
            self._verify = ca_path if ca_path else True

    def __repr__(self):
        return 'CIClient(%s)' % self.base_url

    def close(self):
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # --- one request ---------------------------------------------------------------------------
    def get(self, path, params=None, check=None):
        """GET ``path`` (decoded, e.g. ``/jobs/a,b``) with ``params`` (a dict of str).

        Returns the content of the ``<Response>`` document, normalized by ``_xml``. ``check``
        may inspect that content and raise ``_BadBody`` to have the request tried again.
        """
        params = params or {}
        query = '&'.join('%s=%s' % (_signer.encode(k), _signer.encode(v)) for k, v in params.items())
        url = self.base_url + quote(path, safe='/-_.~') + ('?' + query if query else '')
        tries = 0
        slept = 0.0
        skew_corrected = False
        while True:
            tries += 1
            failure, delay = self._try(url, path, params, tries, check)
            if isinstance(failure, dict):  # success: the parsed document
                return failure
            if not skew_corrected and _is_skew(failure) and self._correct_skew(failure):
                skew_corrected = True
                continue
            if delay is None or tries > self.retries:
                raise failure
            if delay is False:
                delay = self._rand() * min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (tries - 1)))
            if slept + delay > RETRY_TIME_BUDGET:
                raise failure.with_reason('%s; gave up: the next retry would exceed %d s of waiting'
                                          % (failure.reason, RETRY_TIME_BUDGET))
            self._sleep(delay)
            slept += delay

    def _try(self, url, path, params, tries, check):
        """One signed try. Returns ``(document, None)`` or ``(CIRequestError, delay)``.

        ``delay`` is None (do not retry), False (retry after backoff) or seconds (Retry-After).
        """
        headers = {'Host': self.host, 'User-Agent': USER_AGENT, 'Accept': 'application/xml'}
        if self._token:
            headers['x-ci-security-token'] = self._token
        keytime = _signer.key_time(self._clock() + self.clock_offset)
        signature = _signer.sign(self._secret_id, self._secret_key, 'GET', path, params,
                                 _signer.signed_headers(headers), keytime)
        headers['Authorization'] = signature.authorization
        self._last_response_date = None
        self.requests_sent += 1
        try:
            response = self._session.get(url, headers=headers, timeout=self.timeout, verify=self._verify,
                                         allow_redirects=False, stream=True)
        except requests.exceptions.SSLError as exc:
            reason = str(exc.args[0] if exc.args else exc)
            hint = 'certificate verify failed' in reason and (
                'TLS certificate verification failed for %s: the certificate is not signed by a trusted CA. Set ca_path '
                'to the CA bundle that signed it (or validate_certs=false, which is not recommended)' % self.host
            ) or 'TLS handshake with %s failed' % self.host
            return CIRequestError(hint, 'GET', path, tries=tries), None
        except requests.exceptions.RequestException as exc:
            return CIRequestError(_describe(exc), 'GET', path, tries=tries), False
        status = response.status_code
        request_id = response.headers.get('x-ci-request-id')
        trace_id = response.headers.get('x-ci-trace-id')
        self._last_response_date = response.headers.get('Date')
        try:  # the body is read after the headers, so a body cut short still has its status and request id
            body = response.content
        except requests.exceptions.RequestException as exc:
            response.close()
            return CIRequestError(_describe(exc), 'GET', path, status=status, request_id=request_id,
                                  trace_id=trace_id, tries=tries), False
        if 200 <= status < 300:
            try:
                document = _xml.parse(body, 'Response')
                if check is not None:
                    check(document)
            except (_xml.XMLBodyError, _BadBody) as exc:
                return CIRequestError(str(exc), 'GET', path, status=status, request_id=request_id,
                                      trace_id=trace_id, tries=tries), False
            return document, None
        try:
            error = _xml.parse_error(body)
            reason = None
        except _xml.XMLBodyError:
            content_type = response.headers.get('Content-Type', 'no content type').split(';')[0]
            error = {'code': None, 'message': None, 'request_id': None, 'trace_id': None}
            reason = 'the service answered with a body that is not a CI error document (%s, %d bytes)' % (
                content_type, len(body))
        if 300 <= status < 400:
            reason = 'the service answered with a redirect, which is not followed'
        failure = CIRequestError(reason, 'GET', path, status=status, code=error['code'], message=error['message'],
                                 request_id=request_id or error['request_id'], trace_id=trace_id or error['trace_id'],
                                 tries=tries)
        if status in RETRY_STATUSES:
            after = _retry_after(response.headers.get('Retry-After'))
            return failure, (after if after is not None else False)
        return failure, None

    def _correct_skew(self, failure):
        """After a clock-skew refusal, measure the offset from the service's Date header."""
        parsed = parsedate_tz(self._last_response_date or '')
        if parsed is None:
            return False
        offset = mktime_tz(parsed) - self._clock()
        if abs(offset) < 1:
            return False
        self.clock_offset = offset
        self._warn('The local clock differs from the CI service clock by %+d seconds (service said %s); '
                   'requests are now signed with the service time. Fix the clock of this host (NTP).'
                   % (round(offset), failure.code))
        return True

    # --- pagination ----------------------------------------------------------------------------
    def iter_pages(self, path, params):
        """Yield each page of a listing, following ``NextToken`` until it is empty or missing.

        ``params`` is read again before each request, so a caller may change ``size`` between
        pages. A token that comes back a second time would make the listing loop: that page is
        asked for again (like any unusable response), and the listing fails if it keeps happening.
        """
        seen = set()
        token = params.get('nextToken') or ''
        if token:
            seen.add(token)

        def check(document):
            next_token = document.get('next_token') or ''
            if next_token and next_token in seen:
                raise _BadBody('the service returned NextToken %r a second time, so the listing would loop' % next_token)

        while True:
            request_params = dict(params)
            if token:
                request_params['nextToken'] = token
            page = self.get(path, request_params, check=check)
            yield page
            token = page.get('next_token') or ''
            if not isinstance(token, str) or not token:
                return
            seen.add(token)
