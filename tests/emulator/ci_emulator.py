#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local HTTP server that emulates the Tencent Cloud COS "Cloud Infinite" (CI) job API.

It serves ``GET /jobs`` (list) and ``GET /jobs/<id>[,<id>...]`` (get by id) from jobs loaded
from JSON Lines files, verifies COS ``q-sign-algorithm=sha1`` signatures from the raw request
the way a server must, and can inject faults. Standard library only; Python 3.9 to 3.13.
It shares no code with the collection's ``plugins/``: it is the independent check of the
collection's signer. The full guide is ``docs/docsite/rst/guide_emulator.rst``.

Command line::

    python3 ci_emulator.py --jobs FILE.jsonl --secret-id ID --secret-key KEY
        [--host 127.0.0.1] [--port 0] [--port-file PATH] [--bucket NAME-APPID] [--region REGION]
        [--token TOKEN] [--tls-cert PEM --tls-key PEM] [--fault SPEC]... [--fault-seed N]
        [--lifetime SECONDS] [--host-alias NAME]... [--verbose]

* Prints ``listening on http(s)://HOST:PORT`` once bound. ``--port-file`` receives the port
  on line 1 and the pid on line 2 (written atomically); the file is removed on a clean exit.
  SIGTERM/SIGINT stop the server with exit code 0; so does the end of ``--lifetime``.
* ``--jobs`` may be repeated. ``--secret-id``/``--secret-key`` may be repeated and are paired
  in order. ``--token`` marks the credential of the ``--secret-id`` given just before it as
  temporary: its requests must carry that token in ``x-ci-security-token`` (or, tolerated,
  ``x-cos-security-token``; if both are present ``x-ci-security-token`` is used), and the
  header must be signed like every other ``x-ci-*``/``x-cos-*`` header.

Job data (JSON Lines): one JSON object per line, keys exactly the API's XML element names,
served back as a ``<JobsDetail>`` element in the same key order; lists become repeated
elements. Required keys: ``JobId``, ``Tag``, ``QueueId``, ``State``, ``CreationTime``.
Keys starting with ``_`` are never served. ``_Transitions`` is a list of
``{"after": SECONDS, "State": ..., other keys...}``: ``after`` seconds after server start (or
the last reset / job load) the other keys replace the job's values (keys the job lacks are
appended). ``StartTime``/``EndTime`` still ``-`` are filled with the server time when a
transition enters ``Running`` or a terminal state without giving them. A transition may not
change ``JobId``, ``Tag``, ``QueueId`` or ``CreationTime``.

Rules chosen where the documentation is silent or disagrees:

* ``startCreationTime``/``endCreationTime`` are inclusive (>= and <=). Accepted format:
  ``YYYY-MM-DDTHH:MM:SS`` plus ``+hhmm``, ``+hh:mm`` or ``Z``; anything else is InvalidArgument.
* Sort order is (CreationTime, JobId); ``Desc`` is the exact reverse, so ties are broken by
  JobId in the same direction. ``nextToken`` encodes the sort key of the next job (not an
  offset) and the direction; a garbled token or one used with the other direction is
  InvalidArgument. The last page carries an empty ``<NextToken></NextToken>``.
* Optional parameters sent empty (``nextToken=``) count as absent. Parameter names and values
  are case-sensitive. ``states=All,Running`` means All. Unknown parameters are ignored.
* ``GET /jobs/<ids>`` takes any number of ids (Tencent documents no maximum; ``--max-ids N``
  refuses more than N with InvalidArgument 400); duplicates are served once; unknown ids come
  back as repeated ``<NonExistJobIds>`` elements. ``/ai_jobs`` and ``/asr_jobs`` are aliases of
  ``/jobs``. Methods other than GET/HEAD: 405 MethodNotAllowed.
* Like an HTTP front end, a request whose target (path and query, as sent) is longer than
  ``MAX_REQUEST_TARGET`` (8192) bytes is answered ``414 Request-URI Too Large`` with the front
  end's HTML body (no CI error document, no ``x-ci-trace-id``) before any other check. With
  33-character ids and ``%2C`` commas (36 bytes an id), that is 227 ids in one ``GET /jobs/<ids>``.
* Host: ``localhost``, ``127.0.0.1``, ``::1``, the ``--host`` value and ``--host-alias`` names
  (any IP literal when bound to a wildcard address), with no port or this server's port, are
  accepted without a bucket check. ``<bucket>.ci.<region>.myqcloud.com[:port]`` is accepted
  when it matches ``--bucket``/``--region`` (each checked only if given), else NoSuchBucket 404.
  Anything else (including the ``.cos.`` host) is InvalidHost 400.
* Checks run in this order: Host, Authorization present (MissingAuthorization 401), parsed
  (InvalidAuthorization 401, also for an algorithm other than sha1 or start > end), q-ak known
  (InvalidAccessKeyId 403), time window, security token, signed-header coverage, signature,
  then routing (InvalidUrl 404) and parameters (InvalidArgument 400).
* Time window: the server time (real clock + skew fault) must lie in
  [start - 900 s, end] of q-sign-time (and q-key-time). More than 900 s outside either way:
  RequestTimeTooSkewed 403; less than 900 s past the end: AccessDenied 403
  "Request has expired"; up to 900 s before the start is tolerated as clock skew.
* Temporary credentials: no token header: InvalidAccessKeyId 403; wrong token: AccessDenied
  403. A token sent with a permanent credential is ignored (it must still be signed).
* Every ``x-ci-*``/``x-cos-*`` header of the request must be listed in q-header-list, and
  every listed header must be present; otherwise SignatureDoesNotMatch 403. The signed
  ``host`` is tried with and without the port. Query parameters are form-decoded (``+`` is a
  space), re-encoded and sorted; only those in q-url-param-list are signed and each of them
  must be present. The path is signed percent-decoded. Only the ``Authorization`` header form
  is supported (no signature in the query string).
* Error bodies are CI-shaped: ``<Error><Code/><Message/><RequestId/><TraceId/></Error>``,
  with ``x-ci-request-id`` on every response and ``x-ci-trace-id`` on failures. Messages never
  contain keys, tokens or signatures.

Faults (``--fault SPEC``, repeatable; ``POST /_emulator/faults`` at run time)::

    SPEC    := KIND [ "@" RATE ] { "," KEY "=" VALUE }
    KIND    := 500 | 502 | 503 | 504 | 429 | reset | delay | truncate | malformed | html
             | empty | repeat-token | skew
    RATE    := probability in [0, 1] per request (default 1), from a RNG seeded by --fault-seed
    KEY     := count=N          fire at most N times
             | after=N          ignore the first N requests in scope
             | paths=list|get|other, joined with "+" (default: every API request)
             | retry_after=S    (status kinds) add "Retry-After: S"
             | seconds=S        (delay: wait S seconds, default 1; skew: clock offset, required)
             | status=N         (html: status code, default 502)

* Status kinds send a CI error body: 500 InternalError, 502 BadGateway, 503
  ServiceUnavailable, 504 GatewayTimeout, 429 SlowDown.
* ``reset`` closes the TCP connection with no response (SO_LINGER 0, so the peer sees a RST).
* ``delay`` waits, then answers normally. ``truncate`` sends the full Content-Length but only
  the first half of the body, then closes. ``malformed`` answers 200 with broken XML.
  ``html`` answers with an HTML error page. ``empty`` answers 200 with an empty body.
* ``repeat-token`` applies only to list requests with a non-empty ``nextToken``: the page is
  served normally but its ``NextToken`` is the request's own token.
* ``skew`` is a state, not a per-request fault: the server clock (Date header and signature
  window) runs S seconds off. The last ``skew`` given wins; it takes no rate or options.
* Faults are decided when the request arrives, before the Host and signature checks, in the
  order given; the first that fires answers the request. Every fault counts every request in
  its scope (for ``after``) whether or not it fires. Faults never touch ``/_emulator/``.

Control endpoint (no authentication; only from loopback addresses; JSON)::

    GET  /_emulator/stats    counters: requests {total, by_status, by_kind}, control_requests,
                             connections, api_connections, in_flight, peak_in_flight,
                             tls_handshake_failures, faults_injected {total, by_kind}, faults,
                             fault_seed, clock_skew, jobs, uptime, transition_clock,
                             serve_seconds {list, get}: {count, total, max, cpu}
                             ?settle=S: first wait (at most S seconds) until no API request
                             is in flight, so that a request the server still holds is counted
    POST /_emulator/faults   body {"faults": ["503@0.3", ...], "seed": 1}: replace the faults
                             ([] clears them) and reseed; answers the new fault list
    POST /_emulator/reset    zero the counters, clear the faults, put every job back in its
                             loaded state and restart the transition clock
    POST /_emulator/jobs     body: JSON Lines; replace the job set (clock restarts)
    GET  /_emulator/callback counters of the callbacks pushed: {url, format, sent, failed, last_error}
    POST /_emulator/callback body {"url": URL, "format": "xml"|"json"}: POST CI's callback document
                             (<Response><EventName>TaskFinish</EventName><JobsDetail>...) to URL
                             whenever a job enters a final state from now on ("" stops); also
                             --callback-url/--callback-format

``by_status`` counts a ``reset`` fault under the key ``reset``. ``by_kind`` keys: ``list``,
``get``, ``other`` (any other path). ``api_connections`` counts connections that carried at
least one API request (the control calls of a test harness do not). ``in_flight`` is the
number of API requests received and not yet answered (a gauge: a reset keeps it);
``peak_in_flight`` the highest it has been since the last reset (above 1: requests overlapped).
A request is counted in ``requests`` before its answer is sent, so once ``in_flight`` is 0
every request received so far is counted. ``serve_seconds`` is the time spent building list
and get answers: ``total``/``max`` in wall-clock seconds, ``cpu`` in CPU seconds of the
serving thread (what a busy machine does not inflate).
"""

from __future__ import print_function

import argparse
import base64
import calendar
import datetime
import gc
import hashlib
import heapq
import hmac
import http.server
import ipaddress
import json
import os
import random
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
from bisect import bisect_left, bisect_right
import urllib.request
from urllib.parse import quote, unquote, unquote_plus

LIST_TAGS = ('Translation', 'SpeechRecognition', 'WordsGeneralize')
JOB_STATES = ('Submitted', 'Running', 'Success', 'Failed', 'Pause', 'Cancel')
TERMINAL_STATES = ('Success', 'Failed', 'Cancel')
DEFAULT_SIZE = 10
MAX_SIZE = 100
MAX_REQUEST_TARGET = 8192  # bytes of path + query a front end accepts; longer: 414
SKEW_LIMIT = 900
MAX_API_BODY = 1 << 20
MAX_CONTROL_BODY = 256 << 20
HANDSHAKE_TIMEOUT = 10
MAX_SETTLE = 300  # seconds GET /_emulator/stats?settle=S may wait for the requests in flight
IDLE_TIMEOUT = 120
API_PREFIXES = ('/jobs', '/ai_jobs', '/asr_jobs')
CONTROL_PREFIX = '/_emulator'
IMMUTABLE_KEYS = ('JobId', 'Tag', 'QueueId', 'CreationTime')
REQUIRED_KEYS = ('JobId', 'Tag', 'QueueId', 'State', 'CreationTime')
XML_DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'

ERROR_STATUS = {
    'MissingAuthorization': 401,
    'InvalidAuthorization': 401,
    'SignatureDoesNotMatch': 403,
    'InvalidAccessKeyId': 403,
    'RequestTimeTooSkewed': 403,
    'AccessDenied': 403,
    'InvalidArgument': 400,
    'InvalidHost': 400,
    'NoSuchBucket': 404,
    'InvalidUrl': 404,
    'MethodNotAllowed': 405,
    'SlowDown': 429,
    'InternalError': 500,
    'BadGateway': 502,
    'ServiceUnavailable': 503,
    'GatewayTimeout': 504,
}
STATUS_FAULTS = {
    '500': ('InternalError', 'We encountered an internal error. Please try again.'),
    '502': ('BadGateway', 'The gateway received an invalid response.'),
    '503': ('ServiceUnavailable', 'The service is temporarily unavailable. Please retry.'),
    '504': ('GatewayTimeout', 'The gateway timed out.'),
    '429': ('SlowDown', 'Please reduce your request rate.'),
}
FAULT_KINDS = tuple(STATUS_FAULTS) + ('reset', 'delay', 'truncate', 'malformed', 'html', 'empty', 'repeat-token', 'skew')
PATH_KINDS = ('list', 'get', 'other')
MALFORMED_BODY = XML_DECL + b'<Response><JobsDetail><Code>Success</Code><JobId>broken<JobId></JobsDetail><NextToken></Response>'
TOO_LONG_BODY = (b'<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n'
                 b'<center><h1>414 Request-URI Too Large</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n')
HTML_BODY = (b'<html>\r\n<head><title>%d Error</title></head>\r\n<body>\r\n<center><h1>%d Error</h1></center>\r\n'
             b'<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n')


class EmulatorError(Exception):
    """A problem in the emulator's input (job data, fault spec, command line)."""


class ApiError(Exception):
    """An API error answered in CI's error shape."""

    def __init__(self, code, message, headers=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = ERROR_STATUS[code]
        self.headers = headers or []


# ---------------------------------------------------------------------------
# time


_TIME_RE = re.compile(r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})$')


def parse_ci_time(text):
    """Parse ``2001-01-01T00:00:00+0800`` into (epoch seconds, UTC offset seconds)."""
    match = _TIME_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError('not a time like 2001-01-01T00:00:00+0800: %r' % (text,))
    year, month, day, hour, minute, second = (int(x) for x in match.group(1, 2, 3, 4, 5, 6))
    datetime.datetime(year, month, day, hour, minute, second)  # range check, raises ValueError
    fraction = int(match.group(7).ljust(6, '0')) / 1e6 if match.group(7) else 0.0
    zone = match.group(8)
    offset = 0
    if zone != 'Z':
        digits = zone[1:].replace(':', '')
        offset = int(digits[:2]) * 3600 + int(digits[2:]) * 60
        if int(digits[2:]) > 59 or offset > 18 * 3600:
            raise ValueError('bad UTC offset in %r' % (text,))
        if zone[0] == '-':
            offset = -offset
    epoch = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset + fraction
    return epoch, offset


def format_ci_time(epoch, offset):
    """Format epoch seconds in the API's style (``+0800`` offsets)."""
    stamp = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(int(epoch) + offset))
    sign = '-' if offset < 0 else '+'
    return '%s%s%02d%02d' % (stamp, sign, abs(offset) // 3600, abs(offset) % 3600 // 60)


# ---------------------------------------------------------------------------
# XML


_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]*$')
_TAGS = {}
_BAD_XML_CHARS = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _tags(name):
    """(open, close, empty) tags of an element name, checked once per name."""
    tags = _TAGS.get(name)
    if tags is None:
        if not isinstance(name, str) or not _NAME_RE.match(name) or name.lower().startswith('xml'):
            raise EmulatorError('%r is not a usable XML element name' % (name,))
        tags = _TAGS[name] = ('<%s>' % name, '</%s>' % name, '<%s/>' % name)
    return tags


def _render(name, value, out):
    """Append the XML of one element (or of repeated elements for a list) to ``out``."""
    cls = type(value)
    if cls is list:
        for item in value:
            if type(item) is list:  # pylint: disable=unidiomatic-typecheck
                raise EmulatorError('list inside a list under %r' % (name,))
            _render(name, item, out)
        return
    tags = _TAGS.get(name) or _tags(name)
    if cls is str:
        text = value
    elif cls is dict:
        out.append(tags[0])
        for key, item in value.items():
            if key[:1] == '_':
                continue
            if type(item) is not str:  # pylint: disable=unidiomatic-typecheck
                _render(key, item, out)
                continue
            # leaf strings inline: most elements are, and this halves the load time
            inner = _TAGS.get(key) or _tags(key)
            if not item:
                out.append(inner[2])
                continue
            if '&' in item or '<' in item or '>' in item:
                item = item.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            out.extend((inner[0], item, inner[1]))
        out.append(tags[1])
        return
    elif value is None:
        text = ''
    elif cls is bool:
        text = 'true' if value else 'false'
    elif cls in (int, float):
        text = repr(value)
    else:
        raise EmulatorError('unsupported value %r under %r' % (value, name))
    if not text:
        out.append(tags[2])
        return
    if '&' in text or '<' in text or '>' in text:
        text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    out.append(tags[0])
    out.append(text)
    out.append(tags[1])


def render_job(data):
    """Return the ``<JobsDetail>`` bytes of a job's served keys."""
    out = []
    _render('JobsDetail', data, out)
    text = ''.join(out)
    bad = _BAD_XML_CHARS.search(text)
    if bad is not None:
        raise EmulatorError('character %r is not allowed in XML' % bad.group())
    return text.encode('utf-8')


def _xml_escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


# ---------------------------------------------------------------------------
# jobs


class Job(object):
    """One job: its served data, prebuilt XML and the derived keys used for filtering."""

    __slots__ = ('job_id', 'tag', 'queue_id', 'ctime', 'offset', 'key', 'state', 'workflow_ids',
                 'trigger_id', 'input_object', 'data', 'xml', 'transitions', 'initial')

    def __init__(self, obj, where):
        if not isinstance(obj, dict):
            raise EmulatorError('%s: a job must be a JSON object' % where)
        for key in REQUIRED_KEYS:
            if not isinstance(obj.get(key), str) or not obj.get(key):
                raise EmulatorError('%s: %s must be a non-empty string' % (where, key))
        self.job_id = obj['JobId']
        if ',' in self.job_id or '/' in self.job_id:
            raise EmulatorError('%s: JobId may not contain "," or "/"' % where)
        self.tag = obj['Tag']
        self.queue_id = obj['QueueId']
        try:
            self.ctime, self.offset = parse_ci_time(obj['CreationTime'])
        except ValueError as exc:
            raise EmulatorError('%s: CreationTime: %s' % (where, exc)) from None
        self.key = (self.ctime, self.job_id)
        self.transitions = _check_transitions(obj.get('_Transitions'), where)
        data = {k: v for k, v in obj.items() if not k.startswith('_')}
        try:
            self._set(data)
        except EmulatorError as exc:
            raise EmulatorError('%s: %s' % (where, exc)) from None
        self.initial = (self.data, self.xml)

    def _set(self, data, xml=None):
        if data.get('State') not in JOB_STATES:
            raise EmulatorError('State must be one of %s' % ', '.join(JOB_STATES))
        self.xml = render_job(data) if xml is None else xml
        self.data = data
        self.state = data['State']
        workflow = data.get('Workflow')
        workflows = workflow if isinstance(workflow, list) else [workflow]
        self.workflow_ids = tuple(w.get('WorkflowId') for w in workflows if isinstance(w, dict))
        self.trigger_id = data.get('InventoryTriggerJobId')
        source = data.get('Input')
        self.input_object = source.get('Object') if isinstance(source, dict) else None

    def restore(self):
        """Put the job back in its loaded state."""
        self._set(*self.initial)

    def apply(self, step, now):
        """Apply one transition step that fell due at server time ``now``; re-render the XML."""
        data = dict(self.data)
        for key, value in step.items():
            if key != 'after' and not key.startswith('_'):
                data[key] = value
        state = data.get('State')
        given = step.keys()
        stamp = format_ci_time(now, self.offset)
        if state != 'Submitted' and state in JOB_STATES and 'StartTime' not in given and data.get('StartTime', '-') in ('-', ''):
            data['StartTime'] = stamp
        if state in TERMINAL_STATES and 'EndTime' not in given and data.get('EndTime', '-') in ('-', ''):
            data['EndTime'] = stamp
        self._set(data)


def _check_transitions(steps, where):
    if steps is None:
        return ()
    if not isinstance(steps, list):
        raise EmulatorError('%s: _Transitions must be a list' % where)
    result = []
    for number, step in enumerate(steps, 1):
        place = '%s: _Transitions[%d]' % (where, number)
        if not isinstance(step, dict):
            raise EmulatorError('%s must be an object' % place)
        after = step.get('after')
        if isinstance(after, bool) or not isinstance(after, (int, float)) or after < 0:
            raise EmulatorError('%s: "after" must be a number of seconds >= 0' % place)
        if 'State' in step and step['State'] not in JOB_STATES:
            raise EmulatorError('%s: State must be one of %s' % (place, ', '.join(JOB_STATES)))
        for key in IMMUTABLE_KEYS:
            if key in step:
                raise EmulatorError('%s: a transition may not change %s' % (place, key))
        try:
            render_job({k: v for k, v in step.items() if k != 'after'})
        except EmulatorError as exc:
            raise EmulatorError('%s: %s' % (place, exc)) from None
        result.append(step)
    result.sort(key=lambda s: s['after'])
    return tuple(result)


def parse_jobs_lines(lines, source):
    """Parse JSON Lines (an iterable of str) into a list of Job objects."""
    jobs = []
    decode = json.JSONDecoder().decode
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        where = '%s:%d' % (source, number)
        try:
            obj = decode(line)
        except ValueError as exc:
            raise EmulatorError('%s: not valid JSON: %s' % (where, exc)) from None
        jobs.append(Job(obj, where))
    return jobs


def load_job_files(paths):
    """Read every JSONL file given; returns a list of Job objects."""
    jobs = []
    for path in paths:
        try:
            with open(path, encoding='utf-8') as handle:
                jobs.extend(parse_jobs_lines(handle, path))
        except OSError as exc:
            raise EmulatorError('cannot read %s: %s' % (path, exc.strerror)) from None
    return jobs


def without_gc(function, *args):
    """Call ``function`` with the cyclic GC paused, then freeze what survived.

    Loading builds millions of small containers; without this the collector rescans them
    again and again (about a third of the load time), and later while serving.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return function(*args)
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


class _Shelf(object):
    """The jobs of one (queue, tag), sorted by (CreationTime, JobId)."""

    __slots__ = ('jobs', 'keys', 'ctimes')

    def __init__(self, jobs):
        jobs.sort(key=lambda j: j.key)
        self.jobs = jobs
        self.keys = [j.key for j in jobs]
        self.ctimes = [j.ctime for j in jobs]


class JobStore(object):
    """The job set: lookups by id, sorted shelves per (queue, tag), pending transitions."""

    def __init__(self, jobs, clock):
        self.lock = threading.Lock()
        self.clock = clock
        self.by_id = {}
        for job in jobs:
            if job.job_id in self.by_id:
                raise EmulatorError('duplicate JobId %s' % job.job_id)
            self.by_id[job.job_id] = job
        grouped = {}
        for job in jobs:
            grouped.setdefault((job.queue_id, job.tag), []).append(job)
        self.shelves = {k: _Shelf(v) for k, v in grouped.items()}
        self.count = len(jobs)
        self.pending = []
        self.started = 0.0
        self.restart()

    def restart(self):
        """Put every job back in its loaded state and restart the transition clock."""
        with self.lock:
            pending = []
            for seq, job in enumerate(self.by_id.values()):
                if job.data is not job.initial[0]:
                    job.restore()
                if job.transitions:
                    pending.append((job.transitions[0]['after'], seq, 0, job))
            heapq.heapify(pending)
            self.pending = pending
            self.started = time.monotonic()

    def elapsed(self):
        """Seconds on the transition clock."""
        return time.monotonic() - self.started

    def _advance(self):
        """Fire the transitions that are due (call with the lock held)."""
        pending = self.pending
        if not pending:
            return
        elapsed = time.monotonic() - self.started
        now = self.clock()
        while pending and pending[0][0] <= elapsed:
            due, seq, index, job = heapq.heappop(pending)
            job.apply(job.transitions[index], now - (elapsed - due))
            if index + 1 < len(job.transitions):
                heapq.heappush(pending, (job.transitions[index + 1]['after'], seq, index + 1, job))

    def list_page(self, query):
        """Return (list of job XML bytes, sort key of the next job or None)."""
        with self.lock:
            self._advance()
            shelf = self.shelves.get((query.queue_id, query.tag))
            if shelf is None:
                return [], None
            low, high = 0, len(shelf.jobs)
            if query.start is not None:
                low = bisect_left(shelf.ctimes, query.start)
            if query.end is not None:
                high = bisect_right(shelf.ctimes, query.end)
            if query.after_key is not None:
                if query.ascending:
                    low = max(low, bisect_left(shelf.keys, query.after_key))
                else:
                    high = min(high, bisect_right(shelf.keys, query.after_key))
            indexes = range(low, high) if query.ascending else range(high - 1, low - 1, -1)
            found = []
            jobs = shelf.jobs
            states, workflow, trigger, obj = query.states, query.workflow_id, query.trigger_id, query.input_object
            limit = query.size
            for i in indexes:
                job = jobs[i]
                if states is not None and job.state not in states:
                    continue
                if workflow is not None and workflow not in job.workflow_ids:
                    continue
                if trigger is not None and job.trigger_id != trigger:
                    continue
                if obj is not None and job.input_object != obj:
                    continue
                if len(found) == limit:
                    return [j.xml for j in found], job.key
                found.append(job)
            return [j.xml for j in found], None

    def get_many(self, ids):
        """Return (list of job XML bytes, list of unknown ids) in request order."""
        with self.lock:
            self._advance()
            found, missing = [], []
            for job_id in ids:
                job = self.by_id.get(job_id)
                if job is None:
                    missing.append(job_id)
                else:
                    found.append(job.xml)
            return found, missing


# ---------------------------------------------------------------------------
# list query and tokens


_TOKEN_KEY = b'qcloud-ci-emulator/next-token/v1'
_TOKEN_RE = re.compile(r'^[A-Za-z0-9_-]{16,400}$')


def encode_token(ascending, key):
    """An opaque, stable token for the position ``key`` = (CreationTime epoch, JobId)."""
    raw = json.dumps(['A' if ascending else 'D', key[0], key[1]], separators=(',', ':')).encode('utf-8')
    mac = hmac.new(_TOKEN_KEY, raw, hashlib.sha256).digest()[:9]
    return base64.urlsafe_b64encode(raw + mac).decode('ascii').rstrip('=')


def decode_token(token, ascending):
    """Return the sort key inside a token; raise ApiError for garbled or foreign tokens."""
    bad = ApiError('InvalidArgument', 'nextToken is invalid')
    if not _TOKEN_RE.match(token):
        raise bad
    try:
        blob = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4))
    except ValueError:
        raise bad from None
    raw, mac = blob[:-9], blob[-9:]
    if not hmac.compare_digest(mac, hmac.new(_TOKEN_KEY, raw, hashlib.sha256).digest()[:9]):
        raise bad
    try:
        direction, ctime, job_id = json.loads(raw.decode('utf-8'))
    except ValueError:
        raise bad from None
    if direction != ('A' if ascending else 'D'):
        raise ApiError('InvalidArgument', 'nextToken belongs to the other orderByTime')
    return (ctime, job_id)


class ListQuery(object):
    """The validated parameters of ``GET /jobs``."""

    __slots__ = ('queue_id', 'tag', 'states', 'workflow_id', 'trigger_id', 'input_object', 'ascending',
                 'start', 'end', 'size', 'token', 'after_key')

    def __init__(self, params):
        def value(name):
            return params.get(name, '')

        self.queue_id = value('queueId')
        if not self.queue_id:
            raise ApiError('InvalidArgument', 'queueId is required')
        self.tag = value('tag')
        if not self.tag:
            raise ApiError('InvalidArgument', 'tag is required')
        if self.tag not in LIST_TAGS:
            raise ApiError('InvalidArgument', 'tag must be one of %s' % ', '.join(LIST_TAGS))
        self.states = None
        if value('states'):
            names = value('states').split(',')
            for name in names:
                if name != 'All' and name not in JOB_STATES:
                    raise ApiError('InvalidArgument', 'states must be a comma list of All, %s' % ', '.join(JOB_STATES))
            if 'All' not in names:
                self.states = frozenset(names)
        order = value('orderByTime') or 'Desc'
        if order not in ('Desc', 'Asc'):
            raise ApiError('InvalidArgument', 'orderByTime must be Desc or Asc')
        self.ascending = order == 'Asc'
        size = value('size') or str(DEFAULT_SIZE)
        if not size.isdigit() or not 1 <= int(size) <= MAX_SIZE:
            raise ApiError('InvalidArgument', 'size must be an integer from 1 to %d' % MAX_SIZE)
        self.size = int(size)
        self.start = self._time(value('startCreationTime'), 'startCreationTime')
        self.end = self._time(value('endCreationTime'), 'endCreationTime')
        self.workflow_id = value('workflowId') or None
        self.trigger_id = value('inventoryTriggerJobId') or None
        self.input_object = value('inputObject') or None
        self.token = value('nextToken')
        self.after_key = decode_token(self.token, self.ascending) if self.token else None

    @staticmethod
    def _time(text, name):
        if not text:
            return None
        try:
            return parse_ci_time(text)[0]
        except ValueError:
            raise ApiError('InvalidArgument', '%s must look like 2001-01-01T00:00:00+0800' % name) from None


# ---------------------------------------------------------------------------
# signature verification (ci-api.md section 5), written from the specification


def _enc(text):
    return quote(text, safe='-_.~')


def parse_query(raw_query):
    """Form-decode a raw query string into a list of (key, value) pairs (``+`` is a space)."""
    pairs = []
    for part in raw_query.split('&'):
        if part:
            key, val = (part.split('=', 1) + [''])[:2]
            pairs.append((unquote_plus(key), unquote_plus(val)))
    return pairs


def parse_authorization(value):
    """Split an Authorization value into its q-* fields; raise InvalidAuthorization if malformed."""
    fields = {}
    for part in value.strip().split('&'):
        key, sep, val = part.partition('=')
        key = key.strip()
        if not sep or key in fields:
            raise ApiError('InvalidAuthorization', 'The Authorization header is malformed')
        fields[key] = val.strip()
    for key in ('q-sign-algorithm', 'q-ak', 'q-sign-time', 'q-key-time', 'q-header-list', 'q-url-param-list', 'q-signature'):
        if key not in fields:
            raise ApiError('InvalidAuthorization', 'The Authorization header lacks %s' % key)
    if fields['q-sign-algorithm'] != 'sha1':
        raise ApiError('InvalidAuthorization', 'q-sign-algorithm must be sha1')
    if not fields['q-ak'] or not fields['q-signature']:
        raise ApiError('InvalidAuthorization', 'q-ak and q-signature may not be empty')
    windows = []
    for key in ('q-sign-time', 'q-key-time'):
        match = re.match(r'^(\d{1,12});(\d{1,12})$', fields[key])
        if match is None or int(match.group(1)) > int(match.group(2)):
            raise ApiError('InvalidAuthorization', '%s must be "start;end" in Unix seconds, start <= end' % key)
        windows.append((int(match.group(1)), int(match.group(2))))
    fields['window'] = (max(w[0] for w in windows), min(w[1] for w in windows))
    return fields


def split_host(host):
    """Split a Host header into (name, port or None); IPv6 literals keep no brackets."""
    if host.startswith('['):
        name, rest = (host[1:].split(']', 1) + [''])[:2]
        port = rest[1:] if rest.startswith(':') else None
        return name, port
    if host.count(':') == 1:
        name, port = host.split(':', 1)
        return name, port
    return host, None


class Credential(object):
    """A SecretId/SecretKey pair, with a token when it is temporary."""

    __slots__ = ('secret_id', 'secret_key', 'token')

    def __init__(self, secret_id, secret_key, token=None):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.token = token


class Verifier(object):
    """Checks a request's COS signature from its raw parts."""

    def __init__(self, credentials, clock, log=None):
        self.credentials = {c.secret_id: c for c in credentials}
        self.clock = clock
        self.log = log

    def verify(self, method, raw_path, pairs, headers):
        """``headers``: list of (name, value) as received. Raises ApiError on failure."""
        value = None
        for name, val in headers:
            if name.lower() == 'authorization':
                value = val
                break
        if value is None or not value.strip():
            raise ApiError('MissingAuthorization', 'The request has no Authorization header')
        auth = parse_authorization(value)
        cred = self.credentials.get(auth['q-ak'])
        if cred is None:
            raise ApiError('InvalidAccessKeyId', 'The SecretId in q-ak does not exist')
        self._check_time(auth['window'])
        signed = {}
        for name, val in headers:
            signed.setdefault(_enc(name).lower(), val.strip())
        header_names = sorted(set(n.lower() for n in auth['q-header-list'].split(';') if n))
        if cred.token is not None:
            sent = signed.get('x-ci-security-token', signed.get('x-cos-security-token'))
            if sent is None:
                raise ApiError('InvalidAccessKeyId', 'Temporary credentials need x-ci-security-token')
            if not hmac.compare_digest(sent.encode('utf-8'), cred.token.encode('utf-8')):
                raise ApiError('AccessDenied', 'The security token does not match the credentials')
        for name in signed:
            if (name.startswith('x-ci-') or name.startswith('x-cos-')) and name not in header_names:
                raise ApiError('SignatureDoesNotMatch', 'Header %s must be signed (list it in q-header-list)' % name)
        for name in header_names:
            if name not in signed:
                raise ApiError('SignatureDoesNotMatch', 'Header %s is in q-header-list but not in the request' % name)
        param_names = set(n.lower() for n in auth['q-url-param-list'].split(';') if n)
        params = sorted((_enc(k).lower(), _enc(v)) for k, v in pairs if _enc(k).lower() in param_names)
        missing = param_names - set(item[0] for item in params)
        if missing:
            raise ApiError('SignatureDoesNotMatch', 'Parameter %s is in q-url-param-list but not in the request' % sorted(missing)[0])
        http_params = '&'.join('%s=%s' % item for item in params)
        hosts = [None]
        if 'host' in signed:
            name, port = split_host(signed['host'])
            hosts = [signed['host']] + ([name] if port is not None else [])
        sign_key = hmac.new(cred.secret_key.encode('utf-8'), auth['q-key-time'].encode('utf-8'), hashlib.sha1).hexdigest()
        path = unquote(raw_path)
        for host in hosts:
            items = []
            for name in header_names:
                val = signed[name] if name != 'host' or host is None else host
                items.append('%s=%s' % (name, _enc(val)))
            http_string = '%s\n%s\n%s\n%s\n' % (method.lower(), path, http_params, '&'.join(items))
            string_to_sign = 'sha1\n%s\n%s\n' % (auth['q-sign-time'], hashlib.sha1(http_string.encode('utf-8')).hexdigest())
            expected = hmac.new(sign_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).hexdigest()
            if hmac.compare_digest(expected.encode('ascii'), auth['q-signature'].encode('utf-8')):
                return cred
            if self.log is not None:
                masked = http_string
                for name in ('x-ci-security-token', 'x-cos-security-token'):
                    if name in signed:
                        masked = masked.replace('%s=%s' % (name, _enc(signed[name])), '%s=***' % name)
                self.log('signature mismatch; server HttpString=%r' % masked)
        raise ApiError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. '
                       'Check your key and signing method.')

    def _check_time(self, window):
        start, end = window
        now = self.clock()
        if now < start - SKEW_LIMIT or now > end + SKEW_LIMIT:
            raise ApiError('RequestTimeTooSkewed', 'The difference between the request time and the server time is too large')
        if now > end:
            raise ApiError('AccessDenied', 'Request has expired')


# ---------------------------------------------------------------------------
# faults


class Fault(object):
    """One parsed ``--fault`` spec plus its counters."""

    __slots__ = ('spec', 'kind', 'rate', 'count', 'after', 'paths', 'retry_after', 'seconds', 'status', 'seen', 'fired')

    def __init__(self, spec):
        if not isinstance(spec, str) or not spec.strip():
            raise EmulatorError('a fault spec must be a non-empty string')
        self.spec = spec.strip()
        head, *options = self.spec.split(',')
        kind, sep, rate = head.partition('@')
        if kind not in FAULT_KINDS:
            raise EmulatorError('fault %r: kind must be one of %s' % (spec, ', '.join(FAULT_KINDS)))
        self.kind = kind
        self.rate = 1.0
        if sep:
            try:
                self.rate = float(rate)
            except ValueError:
                self.rate = -1.0
            if not 0.0 <= self.rate <= 1.0:
                raise EmulatorError('fault %r: rate must be a number from 0 to 1' % spec)
        self.count = None
        self.after = 0
        self.paths = None
        self.retry_after = None
        self.seconds = 1.0 if kind == 'delay' else None
        self.status = 502 if kind == 'html' else None
        self.seen = 0
        self.fired = 0
        for option in options:
            self._option(spec, option)
        if kind == 'skew' and (self.seconds is None or sep or len(options) != 1):
            raise EmulatorError('fault %r: skew takes exactly seconds=S and no rate' % spec)

    def _option(self, spec, option):
        key, sep, val = option.partition('=')
        allowed = {'count', 'after', 'paths'}
        if self.kind in STATUS_FAULTS:
            allowed.add('retry_after')
        if self.kind in ('delay', 'skew'):
            allowed = {'seconds'} if self.kind == 'skew' else allowed | {'seconds'}
        if self.kind == 'html':
            allowed.add('status')
        if not sep or key not in allowed:
            raise EmulatorError('fault %r: unknown option %r (allowed: %s)' % (spec, option, ', '.join(sorted(allowed))))
        try:
            if key in ('count', 'after', 'retry_after', 'status'):
                number = int(val)
                if number < 0 or (key == 'status' and not 100 <= number <= 599):
                    raise ValueError(val)
                setattr(self, key, number)
            elif key == 'seconds':
                self.seconds = float(val)
                if self.kind == 'delay' and not 0 <= self.seconds <= 3600:
                    raise ValueError(val)
            else:
                paths = val.split('+')
                if not all(p in PATH_KINDS for p in paths):
                    raise ValueError(val)
                self.paths = frozenset(paths)
        except ValueError:
            raise EmulatorError('fault %r: bad value in %r' % (spec, option)) from None


class FaultPlan(object):
    """The active faults, the seeded RNG and the clock skew."""

    def __init__(self, specs=(), seed=0):
        self.lock = threading.Lock()
        self.faults = []
        self.seed = 0
        self.skew = 0.0
        self.rng = random.Random(0)
        self.replace(specs, seed)

    def replace(self, specs, seed=0):
        """Replace every fault (parse errors leave the old plan in place)."""
        faults = [Fault(spec) for spec in specs]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise EmulatorError('seed must be an integer')
        with self.lock:
            self.faults = [f for f in faults if f.kind != 'skew']
            skews = [f.seconds for f in faults if f.kind == 'skew']
            self.skew = skews[-1] if skews else 0.0
            self.seed = seed
            self.rng = random.Random(seed)

    def specs(self):
        """The active fault specs, skew included."""
        with self.lock:
            specs = [f.spec for f in self.faults]
            if self.skew:
                specs.append('skew,seconds=%s' % self.skew)
            return specs

    def pick(self, path_kind, has_token):
        """Decide which fault (if any) answers this request."""
        with self.lock:
            chosen = None
            for fault in self.faults:
                if fault.paths is not None and path_kind not in fault.paths:
                    continue
                if fault.kind == 'repeat-token' and not (path_kind == 'list' and has_token):
                    continue
                fault.seen += 1
                if chosen is not None or fault.seen <= fault.after:
                    continue
                if fault.count is not None and fault.fired >= fault.count:
                    continue
                if fault.rate < 1.0 and self.rng.random() >= fault.rate:
                    continue
                fault.fired += 1
                chosen = fault
            return chosen


# ---------------------------------------------------------------------------
# server state and counters


class Stats(object):
    """Counters, guarded by one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.in_flight = 0
        self.zero()

    def zero(self):
        """Set every counter to zero (``in_flight`` is a gauge: requests still held stay counted there)."""
        self.peak_in_flight = self.in_flight
        self.requests = 0
        self.by_status = {}
        self.by_kind = {}
        self.control_requests = 0
        self.connections = 0
        self.api_connections = 0
        self.tls_failures = 0
        self.faults = {}
        self.serve = {}

    def add(self, attr, amount=1):
        """Increase a plain counter."""
        with self.lock:
            setattr(self, attr, getattr(self, attr) + amount)

    def enter(self):
        """An API request arrived: it is in flight until ``leave``."""
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self):
        """An API request was answered (or its connection closed); wake ``wait_idle``."""
        with self.lock:
            self.in_flight -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout):
        """Wait until no API request is in flight, at most ``timeout`` seconds; True when idle."""
        with self.lock:
            return self.idle.wait_for(lambda: self.in_flight == 0, timeout)

    def request(self, kind, status, fault_kind=None):
        """Count one answered API request."""
        with self.lock:
            self.requests += 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            self.by_status[str(status)] = self.by_status.get(str(status), 0) + 1
            if fault_kind is not None:
                self.faults[fault_kind] = self.faults.get(fault_kind, 0) + 1

    def timing(self, kind, seconds, cpu):
        """Record the time spent building one response: wall-clock and CPU seconds of this thread."""
        with self.lock:
            entry = self.serve.setdefault(kind, {'count': 0, 'total': 0.0, 'max': 0.0, 'cpu': 0.0})
            entry['count'] += 1
            entry['total'] += seconds
            entry['max'] = max(entry['max'], seconds)
            entry['cpu'] += cpu

    def snapshot(self):
        """A JSON-ready copy."""
        with self.lock:
            return {
                'requests': {'total': self.requests, 'by_status': dict(self.by_status), 'by_kind': dict(self.by_kind)},
                'control_requests': self.control_requests,
                'connections': self.connections,
                'api_connections': self.api_connections,
                'in_flight': self.in_flight,
                'peak_in_flight': self.peak_in_flight,
                'tls_handshake_failures': self.tls_failures,
                'faults_injected': {'total': sum(self.faults.values()), 'by_kind': dict(self.faults)},
                'serve_seconds': {k: dict(v) for k, v in self.serve.items()},
            }


class State(object):
    """Everything the handlers share."""

    def __init__(self, args, jobs, credentials):
        self.faults = FaultPlan(args.fault, args.fault_seed)
        self.store = JobStore(jobs, self.now)
        self.stats = Stats()
        self.verbose = args.verbose
        self.verifier = Verifier(credentials, self.now, self.log if args.verbose else None)
        self.bucket = args.bucket
        self.region = args.region
        self.max_ids = args.max_ids
        self.port = 0
        self.local_names = {'localhost', '127.0.0.1', '::1', args.host.lower()} | set(a.lower() for a in args.host_alias)
        self.any_ip = args.host in ('0.0.0.0', '::', '')
        self.started = time.monotonic()
        self.counter = 0
        self.counter_lock = threading.Lock()
        self.callbacks = CallbackPusher(self, getattr(args, 'callback_url', None), getattr(args, 'callback_format', 'xml'))

    def now(self):
        """Server time: the real clock plus the skew fault."""
        return time.time() + self.faults.skew

    def log(self, message):
        """Write a line to stderr (only with --verbose)."""
        if self.verbose:
            sys.stderr.write('ci_emulator: %s\n' % message)
            sys.stderr.flush()

    def request_id(self):
        """A fresh request id in the base64 shape of real ones."""
        with self.counter_lock:
            self.counter += 1
            number = self.counter
        raw = '%08x_%08x_%x_%06d' % (int(time.time()), os.getpid(), random.getrandbits(32), number)
        return base64.b64encode(raw.encode('ascii')).decode('ascii')

    def replace_jobs(self, jobs):
        """Install a new job set (its transition clock starts now)."""
        self.store = JobStore(jobs, self.now)

    def check_host(self, host):
        """Apply the Host rules from the module docstring."""
        if not host:
            raise ApiError('InvalidHost', 'The Host header is missing')
        name, port = split_host(host.strip().lower())
        match = re.match(r'^([a-z0-9][a-z0-9-]*-\d+)\.ci\.([a-z0-9-]+)\.myqcloud\.com$', name)
        if port is not None and not port.isdigit():
            raise ApiError('InvalidHost', 'The Host header is not valid')
        if match is not None:
            bucket, region = match.groups()
            if (self.bucket and bucket != self.bucket.lower()) or (self.region and region != self.region.lower()):
                raise ApiError('NoSuchBucket', 'The specified bucket does not exist')
            return
        if port is not None and int(port) != self.port:
            raise ApiError('InvalidHost', 'The Host header names another port')
        if name in self.local_names:
            return
        if self.any_ip:
            try:
                ipaddress.ip_address(name)
                return
            except ValueError:
                pass
        raise ApiError('InvalidHost', 'The Host header does not name this service')


# ---------------------------------------------------------------------------
# HTTP


def _path_kind(raw_path):
    for prefix in API_PREFIXES:
        if raw_path in (prefix, prefix + '/'):
            return 'list', None
        if raw_path.startswith(prefix + '/'):
            rest = raw_path[len(prefix) + 1:]
            return ('get', rest) if '/' not in rest else ('other', None)
    return 'other', None


# ---------------------------------------------------------------------------
# callbacks: push CI's job callback document when a job finishes (used by the
# Event-Driven Ansible tests: the webhook path end to end). Configured with
# --callback-url/--callback-format or POST /_emulator/callback; off by default.

CALLBACK_FORMATS = ('xml', 'json')
CALLBACK_TICK = 0.1         # seconds between two looks at the transitions
CALLBACK_TIMEOUT = 5.0      # seconds for one POST (one try: a callback is not retried)


def callback_body(data, xml, fmt):
    """(body, content type) of CI's callback for one job: ``<Response><EventName>TaskFinish</EventName>...``."""
    if fmt == 'json':
        doc = {'Response': {'EventName': 'TaskFinish', 'JobsDetail': [data]}}
        return json.dumps(doc).encode('utf-8'), 'application/json'
    return XML_DECL + b'<Response><EventName>TaskFinish</EventName>' + xml + b'</Response>', 'application/xml'


class CallbackPusher(object):
    """POSTs the callback of every job that enters a final state after the pusher was configured.

    Configuring (again) zeroes the counters. A job set loaded later starts from its loaded states.
    """

    def __init__(self, state, url=None, fmt='xml'):
        self.state = state
        self.lock = threading.Lock()
        self.url, self.format = None, 'xml'
        self.known, self.store = {}, None
        self.sent = self.failed = 0
        self.last_error = None
        self.stopping = threading.Event()
        self.thread = None
        self.configure(url, fmt)

    def configure(self, url, fmt='xml'):
        """Set (or with an empty url clear) the target; only later state changes are pushed."""
        if url and not re.match(r'^https?://[^\s/]+(/\S*)?$', url):
            raise EmulatorError('callback url must be an http:// or https:// URL; got %r' % (url,))
        if fmt not in CALLBACK_FORMATS:
            raise EmulatorError('callback format must be one of %s; got %r' % (', '.join(CALLBACK_FORMATS), fmt))
        with self.lock:
            self.url, self.format = url or None, fmt
            self.known, self.store = {}, None
            self.sent = self.failed = 0
            self.last_error = None
            if self.url:
                self._changes()  # what is final now is not pushed
        return self.status()

    def status(self):
        return {'url': self.url, 'format': self.format, 'sent': self.sent, 'failed': self.failed,
                'last_error': self.last_error}

    def _changes(self):
        """Jobs (data, xml) that entered a final state since the last look (call with self.lock held)."""
        store = self.state.store
        if store is not self.store:  # a new job set (POST /_emulator/jobs): its current states are not news
            self.store, self.known = store, {}
        found = []
        with store.lock:
            store._advance()  # pylint: disable=protected-access
            for job in store.by_id.values():
                if not job.transitions:
                    continue
                before = self.known.get(job.job_id)
                self.known[job.job_id] = job.state
                if before is not None and before != job.state and job.state in TERMINAL_STATES:
                    found.append((job.data, job.xml))
        return found

    def tick(self):
        """Push what changed; returns the number of callbacks sent."""
        with self.lock:
            if not self.url:
                return 0
            url, fmt, changes = self.url, self.format, self._changes()
        sent = 0
        for data, xml in changes:
            body, ctype = callback_body(data, xml, fmt)
            request = urllib.request.Request(url, data=body, method='POST', headers={'Content-Type': ctype})
            try:
                with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT) as answer:
                    answer.read()
                self.sent += 1
                sent += 1
            except (OSError, ValueError) as exc:  # urllib's errors are OSErrors
                self.failed += 1
                self.last_error = '%s: %s' % (data.get('JobId'), exc)
                self.state.log('callback to %s failed: %s' % (url, exc))
        return sent

    def start(self):
        def loop():
            while not self.stopping.wait(CALLBACK_TICK):
                self.tick()
        self.thread = threading.Thread(target=loop, name='ci-emulator-callbacks', daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(CALLBACK_TIMEOUT + 1)

# end of the callbacks block
# ---------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    """One connection; each request goes through ``_dispatch``."""

    protocol_version = 'HTTP/1.1'
    server_version = 'tencent-ci'
    sys_version = ''
    timeout = IDLE_TIMEOUT

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.api_seen = False
        self.request_id = ''

    def version_string(self):
        return 'tencent-ci'

    def date_time_string(self, timestamp=None):
        state = self.server.state
        return super().date_time_string(state.now() if timestamp is None else timestamp)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        self.server.state.log('%s %s' % (self.address_string(), format % args))

    # -- plumbing

    def _read_body(self, limit):
        if self.headers.get('Transfer-Encoding'):
            self._send_raw(411, b'', 'text/plain', close=True)
            return None
        length = self.headers.get('Content-Length', '0').strip() or '0'
        if not length.isdigit() or int(length) > limit:
            self._send_raw(413, b'', 'text/plain', close=True)
            return None
        return self.rfile.read(int(length)) if int(length) else b''

    def _send_raw(self, status, body, content_type, headers=(), close=False, truncate=False):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('x-ci-request-id', self.request_id or self.server.state.request_id())
        for name, value in headers:
            self.send_header(name, value)
        if close or truncate:
            self.send_header('Connection', 'close')
            self.close_connection = True
        if self.command == 'HEAD':
            body = b''
        # headers and body in one write: no Nagle / delayed-ACK stall between them
        self._headers_buffer.append(b'\r\n' + (body[:len(body) // 2] if truncate else body))
        self.flush_headers()

    def _error_body(self, code, message):
        trace = base64.b64encode(hashlib.sha256(self.request_id.encode('ascii')).hexdigest().encode('ascii')).decode('ascii')
        body = '<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId><TraceId>%s</TraceId></Error>' % (
            code, _xml_escape(message), self.request_id, trace)
        return XML_DECL + body.encode('utf-8'), trace

    def _send_error(self, error, truncate=False):
        body, trace = self._error_body(error.code, error.message)
        headers = [('x-ci-trace-id', trace)] + list(error.headers)
        self._send_raw(error.status, body, 'application/xml', headers, truncate=truncate)

    def _abort(self):
        """Close the connection with a RST and no response."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.close_connection = True

    # -- dispatch

    def _dispatch(self):
        state = self.server.state
        self.request_id = state.request_id()
        raw_path, raw_query = (self.path.split('?', 1) + [''])[:2]
        if raw_path == CONTROL_PREFIX or raw_path.startswith(CONTROL_PREFIX + '/'):
            state.stats.add('control_requests')
            body = self._read_body(MAX_CONTROL_BODY)
            if body is not None:
                self._control(raw_path[len(CONTROL_PREFIX):], raw_query, body)
            return
        if self._read_body(MAX_API_BODY) is None:
            return
        if len(self.path) > MAX_REQUEST_TARGET:  # the request line is read as latin-1: one char a byte
            # the front end refuses it: never routed, signature unchecked, counted as an API request
            state.stats.request(_path_kind(raw_path)[0], 414)
            self._send_raw(414, TOO_LONG_BODY, 'text/html')
            return
        if not self.api_seen:
            self.api_seen = True
            state.stats.add('api_connections')
        state.stats.enter()
        try:
            self._api(raw_path, raw_query)
        finally:
            state.stats.leave()

    def _api(self, raw_path, raw_query):
        state = self.server.state
        kind, ids = _path_kind(raw_path)
        pairs = parse_query(raw_query)
        params = {}
        for key, val in pairs:
            params.setdefault(key, val)
        fault = state.faults.pick(kind, bool(params.get('nextToken')))
        fault_kind = fault.kind if fault is not None else None
        if fault_kind == 'reset':
            state.stats.request(kind, 'reset', fault_kind)
            self._abort()
            return
        if fault_kind in STATUS_FAULTS:
            code, message = STATUS_FAULTS[fault_kind]
            extra = [('Retry-After', str(fault.retry_after))] if fault.retry_after is not None else []
            state.stats.request(kind, int(fault_kind), fault_kind)
            self._send_error(ApiError(code, message, extra))
            return
        if fault_kind in ('malformed', 'html', 'empty'):
            if fault_kind == 'malformed':
                status, body, ctype = 200, MALFORMED_BODY, 'application/xml'
            elif fault_kind == 'html':
                status, body, ctype = fault.status, HTML_BODY % (fault.status, fault.status), 'text/html'
            else:
                status, body, ctype = 200, b'', 'application/xml'
            state.stats.request(kind, status, fault_kind)
            self._send_raw(status, body, ctype)
            return
        if fault_kind == 'delay':
            time.sleep(fault.seconds)
        began, began_cpu = time.perf_counter(), time.thread_time()
        try:
            state.check_host(self.headers.get('Host'))
            state.verifier.verify(self.command, raw_path, pairs, self.headers.items())
            body = self._route(kind, ids, params, fault_kind == 'repeat-token')
        except ApiError as error:
            state.stats.request(kind, error.status, fault_kind)
            self._send_error(error, truncate=fault_kind == 'truncate')
            return
        if kind in ('list', 'get'):
            state.stats.timing(kind, time.perf_counter() - began, time.thread_time() - began_cpu)
        state.stats.request(kind, 200, fault_kind)  # counted before the client can see the answer
        self._send_raw(200, body, 'application/xml', truncate=fault_kind == 'truncate')

    def _route(self, kind, ids, params, repeat_token):
        if kind == 'other':
            raise ApiError('InvalidUrl', 'The request URL is not valid')
        if self.command not in ('GET', 'HEAD'):
            raise ApiError('MethodNotAllowed', 'The method is not allowed on this resource')
        store = self.server.state.store
        if kind == 'list':
            query = ListQuery(params)
            found, next_key = store.list_page(query)
            if repeat_token:
                token = query.token
            else:
                token = encode_token(query.ascending, next_key) if next_key is not None else ''
            return b''.join([XML_DECL, b'<Response>'] + found + [b'<NextToken>', token.encode('ascii'), b'</NextToken></Response>'])
        wanted = []
        for job_id in unquote(ids).split(','):
            if job_id and job_id not in wanted:
                wanted.append(job_id)
        if not wanted:
            raise ApiError('InvalidArgument', 'No job id was given')
        max_ids = self.server.state.max_ids
        if max_ids is not None and len(wanted) > max_ids:
            raise ApiError('InvalidArgument', 'At most %d job ids may be queried at once' % max_ids)
        found, missing = store.get_many(wanted)
        tail = ''.join('<NonExistJobIds>%s</NonExistJobIds>' % _xml_escape(m) for m in missing).encode('utf-8')
        return b''.join([XML_DECL, b'<Response>'] + found + [tail, b'</Response>'])

    # -- control endpoint

    def _control(self, path, raw_query, body):
        try:
            loopback = ipaddress.ip_address(self.client_address[0].split('%')[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            self._json(403, {'error': 'the control endpoint answers loopback clients only'})
            return
        routes = {
            ('GET', '/stats'): self._control_stats,
            ('POST', '/faults'): self._control_faults,
            ('POST', '/reset'): self._control_reset,
            ('POST', '/jobs'): self._control_jobs,
            ('GET', '/callback'): lambda body: (200, self.server.state.callbacks.status()),
            ('POST', '/callback'): self._control_callback,
        }
        handler = routes.get((self.command, path))
        if handler is None:
            known = [p for m, p in routes if p == path]
            self._json(405 if known else 404, {'error': 'no such control call: %s %s' % (self.command, path)})
            return
        try:
            status, payload = handler(body) if path != '/stats' else handler(dict(parse_query(raw_query)))
        except (EmulatorError, ValueError) as exc:
            status, payload = 400, {'error': str(exc)}
        self._json(status, payload)

    def _control_stats(self, params):
        state = self.server.state
        if params.get('settle'):
            # what a test reads after its client is done: requests the server still holds (a delay
            # fault the client gave up on) are answered and counted first; ``in_flight`` shows the rest
            state.stats.wait_idle(min(float(params['settle']), MAX_SETTLE))
        data = state.stats.snapshot()
        data.update({
            'faults': state.faults.specs(),
            'fault_seed': state.faults.seed,
            'clock_skew': state.faults.skew,
            'jobs': state.store.count,
            'uptime': round(time.monotonic() - state.started, 3),
            'transition_clock': round(state.store.elapsed(), 3),
        })
        return 200, data

    def _control_faults(self, body):
        request = json.loads(body.decode('utf-8') or '{}')
        if not isinstance(request, dict) or not isinstance(request.get('faults', []), list):
            raise EmulatorError('body must be {"faults": [SPEC, ...], "seed": N}')
        self.server.state.faults.replace(request.get('faults', []), request.get('seed', 0))
        return 200, {'faults': self.server.state.faults.specs(), 'seed': self.server.state.faults.seed}

    def _control_reset(self, _body):
        state = self.server.state
        state.faults.replace([], 0)
        state.store.restart()
        state.stats.zero()
        return 200, {'reset': True}

    def _control_jobs(self, body):
        jobs = without_gc(parse_jobs_lines, body.decode('utf-8').splitlines(), 'request body')
        self.server.state.replace_jobs(jobs)
        return 200, {'jobs': len(jobs)}

    def _control_callback(self, body):
        request = json.loads(body.decode('utf-8') or '{}')
        if not isinstance(request, dict):
            raise EmulatorError('body must be {"url": URL or "", "format": "xml" or "json"}')
        return 200, self.server.state.callbacks.configure(request.get('url'), request.get('format', 'xml'))

    def _json(self, status, payload):
        self._send_raw(status, json.dumps(payload, sort_keys=True).encode('utf-8'), 'application/json')

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch


class Server(http.server.ThreadingHTTPServer):
    """A threaded HTTP/1.1 server with optional TLS done in the connection thread."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, state, ssl_context=None):
        self.state = state
        self.ssl_context = ssl_context
        super().__init__(address, Handler)

    def server_bind(self):
        # skip HTTPServer.server_bind: its getfqdn() may wait for DNS
        http.server.socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address):
        self.state.stats.add('connections')
        super().process_request(request, client_address)

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            self.RequestHandlerClass(request, client_address, self)
            return
        try:
            request.settimeout(HANDSHAKE_TIMEOUT)
            wrapped = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            self.state.stats.add('tls_failures')
            return
        try:
            self.RequestHandlerClass(wrapped, client_address, self)
        finally:
            wrapped.close()

    def shutdown_request(self, request):
        try:
            aborted = struct.unpack('ii', request.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))[0]
        except OSError:
            aborted = False
        if aborted:
            self.close_request(request)
        else:
            super().shutdown_request(request)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class Server6(Server):
    """IPv6 flavour."""

    address_family = socket.AF_INET6


# ---------------------------------------------------------------------------
# command line


class _CredentialAction(argparse.Action):
    """Record --secret-id/--secret-key/--token in command-line order."""

    def __call__(self, parser, namespace, values, option_string=None):
        events = getattr(namespace, 'cred_events', None) or []
        events.append((self.dest, values))
        namespace.cred_events = events


def build_parser():
    """The argument parser (see the module docstring for the full rules)."""
    parser = argparse.ArgumentParser(
        prog='ci_emulator.py',
        description='Local emulator of the Tencent Cloud CI job API (GET /jobs, GET /jobs/<ids>) with COS signature '
                    'verification and fault injection. See docs/docsite/rst/guide_emulator.rst.',
        epilog='Fault spec: KIND[@RATE][,count=N][,after=N][,paths=list+get+other][,retry_after=S][,seconds=S][,status=N]; '
               'KIND is 500, 502, 503, 504, 429, reset, delay, truncate, malformed, html, empty, repeat-token or skew. '
               'Control endpoint (loopback only): GET /_emulator/stats, POST /_emulator/faults {"faults": [...], "seed": N}, '
               'POST /_emulator/reset, POST /_emulator/jobs (JSONL body).')
    parser.add_argument('--jobs', action='append', default=[], metavar='FILE.jsonl',
                        help='JSON Lines file of jobs; may be repeated')
    parser.add_argument('--secret-id', dest='secret_id', action=_CredentialAction, metavar='ID',
                        help='SecretId accepted in q-ak; may be repeated (paired in order with --secret-key)')
    parser.add_argument('--secret-key', dest='secret_key', action=_CredentialAction, metavar='KEY',
                        help='SecretKey of the matching --secret-id')
    parser.add_argument('--token', dest='token', action=_CredentialAction, metavar='TOKEN',
                        help='make the credential of the preceding --secret-id temporary: requests must carry this '
                             'x-ci-security-token (or x-cos-security-token), signed')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port to bind (default 0: any free port)')
    parser.add_argument('--port-file', metavar='PATH', help='write "PORT\\nPID\\n" here atomically once bound')
    parser.add_argument('--bucket', metavar='NAME-APPID', help='bucket accepted in <bucket>.ci.<region>.myqcloud.com Host headers')
    parser.add_argument('--region', metavar='REGION', help='region accepted in <bucket>.ci.<region>.myqcloud.com Host headers')
    parser.add_argument('--host-alias', action='append', default=[], metavar='NAME',
                        help='another Host name to accept without a bucket check; may be repeated')
    parser.add_argument('--tls-cert', metavar='PEM', help='serve HTTPS with this certificate chain')
    parser.add_argument('--tls-key', metavar='PEM', help='private key of --tls-cert')
    parser.add_argument('--fault', action='append', default=[], metavar='SPEC', help='inject a fault; may be repeated')
    parser.add_argument('--fault-seed', type=int, default=0, metavar='N', help='seed of the fault RNG (default 0)')
    parser.add_argument('--lifetime', type=float, default=0, metavar='SECONDS',
                        help='exit by itself after this many seconds (0: never)')
    parser.add_argument('--callback-url', metavar='URL', help='POST the callback document of every job that enters a '
                        'final state to URL (also POST /_emulator/callback {"url": ..., "format": ...})')
    parser.add_argument('--callback-format', choices=CALLBACK_FORMATS, default='xml', help='callback body: xml or json')
    parser.add_argument('--max-ids', dest='max_ids', type=int, default=None, metavar='N',
                        help='refuse GET /jobs/<ids> with more than N distinct ids (InvalidArgument 400); '
                             'default: no cap, only the %d-byte request-target limit (414)' % MAX_REQUEST_TARGET)
    parser.add_argument('--verbose', action='store_true', help='log requests and signature mismatches to stderr')
    return parser


def parse_args(argv=None):
    """Parse and check the command line; returns (args, list of Credential)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    credentials, keys = [], []
    for dest, value in getattr(args, 'cred_events', None) or []:
        if dest == 'secret_id':
            credentials.append(Credential(value, None))
        elif dest == 'secret_key':
            keys.append(value)
        else:
            if not credentials:
                parser.error('--token must follow the --secret-id it belongs to')
            if credentials[-1].token is not None:
                parser.error('--token given twice for one --secret-id')
            credentials[-1].token = value
    if not credentials:
        parser.error('at least one --secret-id/--secret-key pair is required')
    if len(keys) != len(credentials):
        parser.error('give as many --secret-key as --secret-id (they are paired in order)')
    for cred, key in zip(credentials, keys):
        cred.secret_key = key
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error('--tls-cert and --tls-key go together')
    if not 0 <= args.port <= 65535:
        parser.error('--port must be 0..65535')
    if args.max_ids is not None and args.max_ids < 1:
        parser.error('--max-ids must be a positive integer')
    try:
        FaultPlan(args.fault, args.fault_seed)
    except EmulatorError as exc:
        parser.error(str(exc))
    return args, credentials


def _write_port_file(path, port):
    tmp = '%s.%d.tmp' % (path, os.getpid())
    with open(tmp, 'w', encoding='ascii') as handle:
        handle.write('%d\n%d\n' % (port, os.getpid()))
    os.replace(tmp, path)


def _remove_port_file(path):
    try:
        with open(path, encoding='ascii') as handle:
            lines = handle.read().split()
        if len(lines) >= 2 and lines[1] == str(os.getpid()):
            os.unlink(path)
    except OSError:
        pass


def main(argv=None):
    """Run the emulator until SIGTERM/SIGINT or the end of --lifetime."""
    args, credentials = parse_args(argv)
    began, began_cpu = time.perf_counter(), time.process_time()
    try:
        jobs = without_gc(load_job_files, args.jobs)
        state = State(args, jobs, credentials)
    except EmulatorError as exc:
        sys.stderr.write('ci_emulator: %s\n' % exc)
        return 2
    sys.stderr.write('ci_emulator: loaded %d jobs in %.2f s (%.2f s CPU)\n'
                     % (len(jobs), time.perf_counter() - began, time.process_time() - began_cpu))
    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            sys.stderr.write('ci_emulator: cannot load the TLS certificate or key: %s\n' % exc)
            return 2
    server_class = Server6 if ':' in args.host else Server
    try:
        server = server_class((args.host, args.port), state, context)
    except OSError as exc:
        sys.stderr.write('ci_emulator: cannot listen on %s:%d: %s\n' % (args.host, args.port, exc))
        return 2
    state.port = server.server_address[1]
    stop = threading.Event()

    def on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, name='ci-emulator')
    thread.daemon = True
    thread.start()
    state.callbacks.start()
    shown = '[%s]' % args.host if ':' in args.host else args.host
    print('listening on %s://%s:%d' % ('https' if context else 'http', shown, state.port), flush=True)
    if args.port_file:
        _write_port_file(args.port_file, state.port)
    deadline = time.monotonic() + args.lifetime if args.lifetime > 0 else None
    while not stop.is_set():
        if deadline is not None and time.monotonic() >= deadline:
            sys.stderr.write('ci_emulator: --lifetime reached\n')
            break
        stop.wait(0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic())))
    state.callbacks.stop()
    server.shutdown()
    server.server_close()
    if args.port_file:
        _remove_port_file(args.port_file)
    return 0


if __name__ == '__main__':
    sys.exit(main())
