# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTP client of qcloud.ci, used by the module and the lookup alike.

Internal to this collection: the names may change in any release.

* ``validate_connection`` checks every connection option before anything is sent: bucket,
  region and endpoint so that no value can send a request to another host; secrets that
  could not travel in a header; a ``ca_path`` that cannot be read; timeout and retries;
* one ``requests.Session`` per client: keep-alive, so a hundred pages cost one TLS handshake;
  proxies and CA bundles from the environment are used, ``~/.netrc`` never is (it would
  replace the signed ``Authorization`` header and send its password to the CI host);
* the query is encoded with ``%20`` for spaces, the same bytes the signature covers;
* every try is signed anew (``_signer``); a try is sent (``_send``), its answer classified
  (``_classify``: a document or a ``_Failure``) and the retry decided (``_retry_delay``):
  bounded retries with exponential backoff and full jitter on connection errors, timeouts,
  unusable bodies, 500/502/503/504 and 429 (honouring ``Retry-After``, clamped, an HTTP date
  measured against the response's own ``Date``); other 4xx are never retried;
* an optional ``deadline`` (a ``monotonic()`` value) bounds every try, sleep and Retry-After
  of a request; when it is spent the request fails with ``CIDeadlineExceeded``;
* a clock-skew refusal that carries the service's ``Date`` is re-signed once with the
  measured offset, and a warning says so; an offset above ``MAX_CLOCK_CORRECTION`` or a
  ``Date`` before ``MIN_SERVICE_DATE`` is refused instead;
* failures become one ``CIRequestError`` with status, CI code, message, request id and tries,
  and never a header, a signature or a secret; a TLS failure says which check failed;
* pagination (``iter_pages``) asks for ``page_size`` items, or fewer to stop exactly at a
  ``limit``, follows ``NextToken`` until it is empty, refuses to loop on a repeated token and
  gives up after ``MAX_EMPTY_PAGES`` pages in a row that bring no item but a new token.
"""

from __future__ import annotations

import collections
import math
import os
import random
import re
import ssl
import time
import traceback
import warnings
from email.utils import parsedate_tz, mktime_tz
from urllib.parse import quote, urlsplit

from ansible_collections.qcloud.ci.plugins.module_utils._errors import (
    CIDeadlineExceeded,
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

try:
    from urllib3.exceptions import InsecureRequestWarning
except ImportError:  # pragma: no cover (urllib3 comes with requests)
    InsecureRequestWarning = None

USER_AGENT = 'qcloud.ci-ansible-collection'

DEFAULT_TIMEOUT = 30        # seconds for one try (connect, and each read)
DEFAULT_RETRIES = 5         # retries after the first try
MAX_TIMEOUT = 3600
MAX_RETRIES = 20

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
BACKOFF_BASE = 0.5          # seconds before the first retry, at most (full jitter)
BACKOFF_CAP = 10.0          # no single backoff sleeps longer
RETRY_AFTER_CAP = 30.0      # a Retry-After is honoured up to this many seconds
RETRY_TIME_BUDGET = 120.0   # total seconds one request may spend sleeping between tries
SKEW_CODES = frozenset(('RequestTimeTooSkewed', 'RequestExpired', 'SignatureExpired'))
MAX_CLOCK_CORRECTION = 86400.0  # a clock-skew correction of more than one day is refused
MIN_SERVICE_DATE = 946684800    # 2000-01-01T00:00:00Z: a service Date before it is refused
MAX_EMPTY_PAGES = 10        # pages in a row with no item but a new NextToken before a listing gives up

BUCKET_RE = re.compile(r'^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?-[0-9]{1,20}\Z')
REGION_RE = re.compile(r'^[a-z]{2,8}(?:-[a-z0-9]{1,20}){1,3}\Z')
_LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
HOSTNAME_RE = re.compile(r'^%s(?:\.%s)*\.?\Z' % (_LABEL, _LABEL))
IPV6_RE = re.compile(r'^\[[0-9A-Fa-f:.]{2,45}\]\Z')
HEADER_SAFE_RE = re.compile(r'^[\x21-\x7e]+\Z')   # printable ASCII, no space: safe in (and for signing) a header

# OpenSSL verify codes (X509_V_ERR_*) by the check that failed
_TLS_HOSTNAME_CODES = frozenset((62, 64))           # hostname / IP address mismatch
_TLS_EXPIRED_CODES = frozenset((9, 10))             # not yet valid / expired
_TLS_UNTRUSTED_CODES = frozenset((2, 18, 19, 20, 21))  # no issuer / self-signed / unknown local issuer
_TLS_MARKERS = (
    ('hostname', ('hostname mismatch', "doesn't match", 'ip address mismatch', 'not valid for')),
    ('expired', ('has expired', 'not yet valid')),
    ('untrusted', ('self-signed', 'self signed', 'unable to get local issuer', 'unable to get issuer',
                   'unable to verify the first certificate')),
    ('verify', ('certificate verify failed',)),
)
_TLS_MESSAGES = {
    'hostname': 'TLS certificate verification failed for %s: the certificate is not valid for this host name '
                '(hostname mismatch). Check endpoint_url (or bucket and region); ca_path does not change this',
    'expired': 'TLS certificate verification failed for %s: the certificate has expired or is not yet valid. '
               'Renew the server certificate, or fix the clock of this host if it is wrong',
    'untrusted': 'TLS certificate verification failed for %s: the certificate is not signed by a trusted CA. Set '
                 'ca_path to the CA bundle that signed it (or validate_certs=false, which is not recommended)',
    'verify': 'TLS certificate verification failed for %s (%s)',
    'ca_file': 'TLS set-up for %s failed: the CA certificates of ca_path could not be loaded (%s)',
    'handshake': 'TLS handshake with %s failed (%s)',
}

Connection = collections.namedtuple('Connection', 'base_url host verify timeout retries')


def require_libraries():
    """Raise ``CIMissingLibrary`` when requests or xmltodict cannot be imported."""
    for name, present, error in (('requests', HAS_REQUESTS, REQUESTS_IMPORT_ERROR),
                                 ('xmltodict', _xml.HAS_XMLTODICT, _xml.XMLTODICT_IMPORT_ERROR)):
        if not present:
            raise CIMissingLibrary(
                name, 'The Python library %s is required by qcloud.ci but is not installed for the Python '
                'interpreter that runs this code. Install it (pip install -r requirements.txt of the collection).' % name,
                traceback=error)


# --- the connection options ------------------------------------------------------------------
def validate_connection(secret_id, secret_key, bucket, region=None, security_token=None, endpoint_url=None,
                        validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES):
    """Check the connection options and return the ``Connection`` a client needs.

    Raises ``CIValueError`` naming the option (never a secret's value). Nothing is sent.
    """
    _check_secret('secret_id', secret_id, 'TENCENTCLOUD_SECRET_ID')
    _check_secret('secret_key', secret_key, 'TENCENTCLOUD_SECRET_KEY')
    if security_token:
        _check_secret('security_token', security_token)
    validate_bucket(bucket)
    scheme, host = _scheme_and_host(bucket, region, endpoint_url)
    return Connection('%s://%s' % (scheme, host), host, _verify_setting(validate_certs, ca_path),
                      _check_timeout(timeout), _check_retries(retries))


def _check_secret(option, value, variable=None):
    """A secret must be given and must travel in (or sign) an HTTP header unchanged."""
    if not value and variable:
        raise CIValueError(option, '%s is required: set the %s option or the %s environment variable'
                           % (option, option, variable))
    if not isinstance(value, str) or not HEADER_SAFE_RE.match(value):
        raise CIValueError(option, '%s must be printable ASCII without spaces or control characters (it is sent in, '
                                   'or signs, an HTTP header); the value given has other characters, often a trailing '
                                   'newline from a file or a paste: remove them' % option)


def _scheme_and_host(bucket, region, endpoint_url):
    if endpoint_url:
        scheme, host = parse_endpoint_url(endpoint_url)
        if region:
            validate_region(region)
        return scheme, host
    if not region:
        raise CIValueError('region', 'region is required (a Tencent Cloud region id such as ap-guangzhou): set the '
                                     'region option or the TENCENTCLOUD_REGION environment variable, or set endpoint_url')
    validate_region(region)
    return 'https', '%s.ci.%s.myqcloud.com' % (bucket, region)


def _verify_setting(validate_certs, ca_path):
    """``verify`` for requests: False, True or a ``ca_path`` that can be read."""
    if not validate_certs:
        return False
    if not ca_path:
        return True
    try:
        if not isinstance(ca_path, str):
            raise TypeError()
        if os.path.isdir(ca_path):
            os.listdir(ca_path)
        else:
            with open(ca_path, 'rb'):
                pass
    except (OSError, TypeError, ValueError) as exc:
        raise CIValueError('ca_path', 'ca_path must name a readable file (or directory) of PEM CA certificates; '
                                      'it cannot be read (%s)' % (getattr(exc, 'strerror', None) or 'not a file name'))
    return ca_path


def _check_timeout(timeout):
    try:
        timeout = float(timeout)
    except (TypeError, ValueError, OverflowError):  # OverflowError: float(10 ** 400)
        timeout = -1.0
    if not 0 < timeout <= MAX_TIMEOUT:
        raise CIValueError('timeout', 'timeout must be a number of seconds above 0 and at most %d' % MAX_TIMEOUT)
    return timeout


def _check_retries(retries):
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= MAX_RETRIES:
        raise CIValueError('retries', 'retries must be a whole number from 0 to %d' % MAX_RETRIES)
    return retries


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


# --- reading answers -------------------------------------------------------------------------
def _http_date(value):
    """Seconds since the epoch of an HTTP date, or None."""
    try:
        parsed = parsedate_tz(value or '')
        return None if parsed is None else float(mktime_tz(parsed))
    except (TypeError, ValueError, OverflowError):
        return None


def _retry_after(value, date, clock):
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None.

    An HTTP date is measured against the response's ``Date`` (both are the service's clock),
    and against the local ``clock()`` only when the response has no usable ``Date``.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        target = _http_date(value)
        if target is None:
            return None
        now = _http_date(date)
        seconds = target - (clock() if now is None else now)
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


def _find_cause(exc, kind, depth=8):
    """The first exception of ``kind`` in ``exc``, its arguments, reasons and causes (breadth first)."""
    queue, seen = [exc], set()
    while queue and len(seen) < depth:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        linked = list(current.args) + [getattr(current, 'reason', None), current.__cause__, current.__context__]
        queue.extend(item for item in linked if isinstance(item, BaseException))
    return None


def _tls_kind(exc):
    """Which TLS check failed: from the OpenSSL verify code when there is one, else from the text."""
    verify = _find_cause(exc, ssl.SSLCertVerificationError)
    code = getattr(verify, 'verify_code', None)
    for kind, codes in (('hostname', _TLS_HOSTNAME_CODES), ('expired', _TLS_EXPIRED_CODES),
                        ('untrusted', _TLS_UNTRUSTED_CODES)):
        if code in codes:
            return kind
    text = ('%s %s' % (getattr(verify, 'verify_message', ''), exc)).lower()
    for kind, markers in _TLS_MARKERS:
        if any(marker in text for marker in markers):
            return kind
    library = getattr(_find_cause(exc, ssl.SSLError), 'library', None)
    return 'ca_file' if library in ('X509', 'PEM') else 'handshake'


def _tls_reason(exc, host):
    """What to tell a user about a TLS failure: which check failed and what to do."""
    kind = _tls_kind(exc)
    message = _TLS_MESSAGES[kind]
    if kind not in ('verify', 'ca_file', 'handshake'):
        return message % host
    detail = _find_cause(exc, ssl.SSLError)
    detail = getattr(detail, 'verify_message', None) or getattr(detail, 'reason', None) or 'no detail given'
    return message % (host, str(detail).replace('_', ' ').lower())


def _is_success(status):
    return 200 <= status < 300


def _is_redirect(status):
    return 300 <= status < 400


def _is_retryable_status(status):
    return status in RETRY_STATUSES


def _is_skew(error):
    """Did the service refuse the request because of the signing time?"""
    if error.code in SKEW_CODES:
        return True
    return error.code == 'AccessDenied' and 'expired' in (error.message or '').lower()


def _item_count(page, items_key):
    items = page.get(items_key)
    if isinstance(items, list):
        return len(items)
    return 0 if items is None else 1


def _token_of(page):
    token = page.get('next_token')
    return token if isinstance(token, str) else ''


def _join(*parts):
    return '; '.join(part for part in parts if part)


def _with_note(error, note):
    """The same failure with ``note`` added to its reason (a missing reason is no text)."""
    return error.with_reason(_join(error.reason, note))


def _deadline_error(last, path, tries, note):
    """``CIDeadlineExceeded`` carrying the last failure's facts, or only ``note`` when no try failed."""
    if last is None:
        return CIDeadlineExceeded(note, 'GET', path, tries=tries)
    return CIDeadlineExceeded(_join(last.reason, note), last.method, last.path, last.status, last.code, last.message,
                              last.request_id, last.trace_id, last.tries)


def _keep_headers(prepared):
    """Session auth that changes nothing. Its presence stops requests from reading ``~/.netrc``,
    whose entry would replace the signed ``Authorization`` header (and send its password)."""
    return prepared


class _BadBody(Exception):
    """A 2xx response we cannot use; retried like a transient fault."""


class _Failure(Exception):
    """One try that gave no usable document (internal to the client).

    ``error`` is the ``CIRequestError`` a user would see; ``retryable`` says whether another
    try may help; ``retry_after`` is the service's wish in seconds (or None); ``date`` is the
    response's ``Date`` header (or None).
    """

    def __init__(self, error, retryable=False, retry_after=None, date=None):
        super().__init__(str(error))
        self.error = error
        self.retryable = retryable
        self.retry_after = retry_after
        self.date = date


class _Pager(object):
    """The ``NextToken`` bookkeeping of one listing (internal to the client)."""

    def __init__(self, path, token):
        self.path = path
        self.token = token
        self.seen = set([token]) if token else set()
        self.empty_pages = 0

    def check(self, document):
        """A token seen before would make the listing loop: that page is asked for again."""
        next_token = _token_of(document)
        if next_token and next_token in self.seen:
            raise _BadBody('the service returned NextToken %r a second time, so the listing would loop' % next_token)

    def advance(self, page, items, request_id):
        """Take the page's token; refuse the ``MAX_EMPTY_PAGES``-th page in a row without progress."""
        self.token = _token_of(page)
        if not self.token:
            return
        self.seen.add(self.token)
        self.empty_pages = 0 if items else self.empty_pages + 1
        if self.empty_pages >= MAX_EMPTY_PAGES:
            raise CIRequestError('the service returned %d pages in a row with no item but a new NextToken; the listing '
                                 'stopped there (at most %d such pages are followed) so that it cannot go on forever'
                                 % (self.empty_pages, MAX_EMPTY_PAGES), 'GET', self.path, status=200,
                                 request_id=request_id)


class CIClient(object):
    """Signed, retrying GETs against one bucket's CI endpoint."""

    def __init__(self, secret_id, secret_key, bucket, region=None, security_token=None, endpoint_url=None,
                 validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, warn=None,
                 clock=time.time, monotonic=time.monotonic, sleep=time.sleep, rand=random.random):
        require_libraries()
        connection = validate_connection(secret_id, secret_key, bucket, region, security_token, endpoint_url,
                                         validate_certs, ca_path, timeout, retries)
        self.base_url, self.host, self._verify, self.timeout, self.retries = connection
        self._secret_id = secret_id
        self._secret_key = secret_key
        self._token = security_token or None
        self._warn = warn or (lambda msg: None)
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._rand = rand
        self.clock_offset = 0.0
        self.requests_sent = 0
        self._last_request_id = None
        self._session = requests.Session()
        self._session.headers.clear()
        self._session.auth = _keep_headers  # never ~/.netrc; proxies from the environment still apply
        if self._verify is False:
            self._warn('TLS certificate verification is disabled (validate_certs=false): the identity of %s is not checked.'
                       % self.host)

    def __repr__(self):
        return 'CIClient(%s)' % self.base_url

    def close(self):
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # --- one request ---------------------------------------------------------------------------
    def get(self, path, params=None, check=None, deadline=None):
        """GET ``path`` (decoded, e.g. ``/jobs/a,b``) with ``params`` (a dict of str).

        Returns the content of the ``<Response>`` document, normalized by ``_xml``. ``check``
        may inspect that content and raise ``_BadBody`` to have the request tried again.
        ``deadline`` (a value of the client's ``monotonic()``, or None) bounds every try,
        retry sleep and Retry-After; when it is spent, ``CIDeadlineExceeded`` is raised.
        """
        params = params or {}
        query = '&'.join('%s=%s' % (_signer.encode(k), _signer.encode(v)) for k, v in params.items())
        url = self.base_url + quote(path, safe='/-_.~') + ('?' + query if query else '')
        tries = 0
        slept = 0.0
        skew_corrected = False
        last = None
        while True:
            timeout = self._try_timeout(deadline, last, path, tries)
            tries += 1
            try:
                return self._try(url, path, params, check, tries, timeout)
            except _Failure as failure:
                last = failure.error
                if not skew_corrected and _is_skew(last) and self._correct_skew(failure):
                    skew_corrected = True
                    continue
                delay = self._retry_delay(failure, tries, slept, deadline)
                self._sleep(delay)
                slept += delay

    def _try_timeout(self, deadline, last, path, tries):
        """The timeout of the next try: ``timeout``, or less to end by the deadline."""
        if deadline is None:
            return self.timeout
        remaining = deadline - self._monotonic()
        if remaining <= 0:
            raise _deadline_error(last, path, tries, 'the deadline was reached before the next try')
        return min(self.timeout, remaining)

    def _retry_delay(self, failure, tries, slept, deadline):
        """Seconds to sleep before the next try; raises the failure when no retry will be made."""
        error = failure.error
        if not failure.retryable or tries > self.retries:
            raise error
        delay = failure.retry_after
        if delay is None:
            delay = self._rand() * min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (tries - 1)))
        if slept + delay > RETRY_TIME_BUDGET:
            raise _with_note(error, 'gave up: the next retry would exceed %d s of waiting' % RETRY_TIME_BUDGET)
        if deadline is not None and self._monotonic() + delay >= deadline:
            raise _deadline_error(error, error.path, tries, 'the deadline was reached: the next retry (in %.1f s) '
                                                            'would not start before it' % delay)
        return delay

    def _try(self, url, path, params, check, tries, timeout):
        """One signed try: the normalized document, or ``_Failure`` raised."""
        try:
            response = self._send(url, path, params, timeout)
        except requests.exceptions.SSLError as exc:
            raise _Failure(CIRequestError(_tls_reason(exc, self.host), 'GET', path, tries=tries))
        except requests.exceptions.RequestException as exc:
            raise _Failure(CIRequestError(_describe(exc), 'GET', path, tries=tries), retryable=True)
        return self._classify(response, path, check, tries)

    def _send(self, url, path, params, timeout):
        """Sign and send one GET; the response's body is read later. Raises requests' exceptions."""
        headers = {'Host': self.host, 'User-Agent': USER_AGENT, 'Accept': 'application/xml'}
        if self._token:
            headers['x-ci-security-token'] = self._token
        keytime = _signer.key_time(self._clock() + self.clock_offset)
        signature = _signer.sign(self._secret_id, self._secret_key, 'GET', path, params,
                                 _signer.signed_headers(headers), keytime)
        headers['Authorization'] = signature.authorization
        self.requests_sent += 1
        with warnings.catch_warnings():
            if self._verify is False and InsecureRequestWarning is not None:  # warned once, in __init__
                warnings.simplefilter('ignore', InsecureRequestWarning)
            return self._session.get(url, headers=headers, timeout=timeout, verify=self._verify,
                                     allow_redirects=False, stream=True)

    def _classify(self, response, path, check, tries):
        """The document of a usable answer, or ``_Failure`` raised with the facts of the answer."""
        status = response.status_code
        facts = dict(status=status, request_id=response.headers.get('x-ci-request-id'),
                     trace_id=response.headers.get('x-ci-trace-id'), tries=tries)
        date = response.headers.get('Date')
        try:  # the body is read after the headers, so a body cut short still has its status and request id
            body = response.content
        except requests.exceptions.RequestException as exc:
            response.close()
            raise _Failure(CIRequestError(_describe(exc), 'GET', path, **facts), retryable=True, date=date)
        if not _is_success(status):
            raise self._error_failure(response, body, path, facts, date)
        try:
            document = _xml.parse(body, 'Response')
            if check is not None:
                check(document)
        except (_xml.XMLBodyError, _BadBody) as exc:
            raise _Failure(CIRequestError(str(exc), 'GET', path, **facts), retryable=True, date=date)
        self._last_request_id = facts['request_id']
        return document

    def _error_failure(self, response, body, path, facts, date):
        """The ``_Failure`` of a non-2xx answer: its CI error document, or what the body was instead."""
        try:
            error = _xml.parse_error(body)
            reason = None
        except _xml.XMLBodyError:
            content_type = response.headers.get('Content-Type', 'no content type').split(';')[0]
            error = {'code': None, 'message': None, 'request_id': None, 'trace_id': None}
            reason = 'the service answered with a body that is not a CI error document (%s, %d bytes)' % (
                content_type, len(body))
        if _is_redirect(facts['status']):
            reason = 'the service answered with a redirect, which is not followed'
        facts['request_id'] = facts['request_id'] or error['request_id']
        facts['trace_id'] = facts['trace_id'] or error['trace_id']
        failure = CIRequestError(reason, 'GET', path, code=error['code'], message=error['message'], **facts)
        if not _is_retryable_status(facts['status']):
            return _Failure(failure, date=date)
        after = _retry_after(response.headers.get('Retry-After'), date, self._clock)
        return _Failure(failure, retryable=True, retry_after=after, date=date)

    def _correct_skew(self, failure):
        """After a clock-skew refusal, take the offset from the service's ``Date``; True when corrected.

        An offset above ``MAX_CLOCK_CORRECTION`` or a ``Date`` before ``MIN_SERVICE_DATE`` is not
        believed: the failure is raised with a note to fix the clock.
        """
        service_time = _http_date(failure.date)
        if service_time is None:
            return False
        offset = service_time - self._clock()
        if abs(offset) < 1:
            return False
        if service_time < MIN_SERVICE_DATE or abs(offset) > MAX_CLOCK_CORRECTION:
            raise _with_note(failure.error, 'the service Date %r is %+d s from the local clock, more than the %d s '
                                            'qcloud.ci corrects (or before the year 2000): fix the clock of this host '
                                            '(NTP) and check what answers at the endpoint'
                                            % (failure.date, round(offset), MAX_CLOCK_CORRECTION))
        self.clock_offset = offset
        self._warn('The local clock differs from the CI service clock by %+d seconds (service said %s); '
                   'requests are now signed with the service time. Fix the clock of this host (NTP).'
                   % (round(offset), failure.error.code))
        return True

    # --- pagination ----------------------------------------------------------------------------
    def iter_pages(self, path, params, page_size=None, limit=None, items_key='jobs_detail', deadline=None):
        """Yield each page of a listing, following ``NextToken`` until it is empty or missing.

        Each request asks for ``size=min(page_size, limit - items so far)`` (items are the list
        under ``items_key``), so a page's ``next_token`` resumes exactly after the last item
        yielded; the listing stops once ``limit`` items came. ``params`` is not changed. A token
        that comes back a second time would make the listing loop: that page is asked for again
        (like any unusable response), and the listing fails if it keeps happening. After
        ``MAX_EMPTY_PAGES`` pages in a row with no item but a new token, ``CIRequestError``.
        Without ``page_size`` (and then without ``limit``) ``size`` is sent as ``params`` has it.
        """
        if page_size is None and limit is not None:
            raise ValueError('iter_pages: a limit needs a page_size')
        pager = _Pager(path, params.get('nextToken') or '')
        count = 0
        while limit is None or count < limit:
            request_params = dict(params)
            if page_size is not None:
                request_params['size'] = str(page_size if limit is None else min(page_size, limit - count))
            if pager.token:
                request_params['nextToken'] = pager.token
            page = self.get(path, request_params, check=pager.check, deadline=deadline)
            items = _item_count(page, items_key)
            count += items
            pager.advance(page, items, self._last_request_id)
            yield page
            if not pager.token:
                return
