#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local HTTP server that emulates the Tencent Cloud COS "Cloud Infinite" (CI) job API.

It serves the job lists (``GET /jobs``, ``/pic_jobs``, ``/doc_jobs``, ``/asr_jobs``, ``/ai_jobs``)
and their by-id routes (``GET /<list>/<id>[,<id>...]``) from jobs loaded from JSON Lines files, the
five queue lists (``GET /queue``, ``/ai_queue``, ``/asrqueue``, ``/docqueue``, ``/picqueue``) and the
queue update (``PUT /<queuepath>/<queueId>``: pause/resume), verifies COS ``q-sign-algorithm=sha1`` signatures from the raw request
the way a server must, and can inject faults. Standard library only; Python 3.9 to 3.13.
It shares no code with the collection's ``plugins/``: it is the independent check of the
collection's signer. The full guide is ``docs/docsite/rst/guide_emulator.rst``.

This file is the command line; the emulator is split by concern into modules next to it:

* ``emu_common.py``    constants, ``EmulatorError``/``ApiError``, the API's time format
* ``emu_xml.py``       XML output (job documents, escaping) and the real service's habits
* ``emu_lists.py``     which list serves which tag (``job_kinds.JOB_LISTS``), queue types
* ``emu_jobs.py``      the job store: jobs, transitions and their clock, sorted shelves, list query,
                       paging tokens
* ``emu_queues.py``    queues: records, seeds, list parameters, the update body, pause holds
* ``emu_routes.py``    the API routes and the answers they build
* ``emu_signing.py``   the COS signature verifier (``Verifier``) and query/Host parsing
* ``emu_faults.py``    fault specs (``Fault``) and the active plan (``FaultPlan``)
* ``emu_callbacks.py`` callback pushes when jobs finish
* ``emu_state.py``     what the handlers share: counters (``Stats``) and ``State``
* ``emu_http.py``      the HTTP handler (routing, faults, control endpoint) and the server

Command line::

    python3 ci_emulator.py --jobs FILE.jsonl --secret-id ID --secret-key KEY
        [--host 127.0.0.1] [--port 0] [--port-file PATH] [--bucket NAME-APPID] [--region REGION]
        [--token TOKEN] [--tls-cert PEM --tls-key PEM] [--fault SPEC]... [--fault-seed N]
        [--lifetime SECONDS] [--host-alias NAME]... [--max-ids N] [--queues FILE.jsonl]...
        [--habits realistic|plain] [--manual-clock] [--verbose]

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
change ``JobId``, ``Tag``, ``QueueId`` or ``CreationTime``. ``_JobList`` (``/jobs``, ``/pic_jobs``,
``/doc_jobs``, ``/asr_jobs``) names the one list a job belongs to (default: the list of its tag;
needed for ``SpeechRecognition`` at ``/asr_jobs``). ``--manual-clock``: the transition clock moves
only by ``POST /_emulator/clock``.

Queues (``--queues FILE``: JSON Lines seeds ``{"QueueId", "QueueType", "State", other record keys}``)
are made from the jobs' ``QueueId`` and the seeds; while a queue is Paused (``PUT`` with
``<Request><State>Paused</State></Request>``), its jobs' transitions are held. The full rules are
in the guide and in ``emu_queues.py``.

Habits (``--habits realistic``, the default; ``plain`` turns them off): no XML declaration, no
``NextToken`` element on the last page, ``<Code>Success</Code><Message/>`` on an unfinished job
without ``Code``, no counts in a queue answer to ``queueIds``.

Rules chosen where the documentation is silent or disagrees:

* ``startCreationTime``/``endCreationTime`` are inclusive (>= and <=). Accepted format:
  ``YYYY-MM-DDTHH:MM:SS`` plus ``+hhmm``, ``+hh:mm`` or ``Z``; anything else is InvalidArgument.
* Sort order is (CreationTime, JobId); ``Desc`` is the exact reverse, so ties are broken by
  JobId in the same direction. ``nextToken`` encodes the sort key of the next job (not an
  offset) and the direction; a garbled token or one used with the other direction is
  InvalidArgument. The last page carries no ``NextToken`` (plain habits: an empty one).
* Optional parameters sent empty (``nextToken=``) count as absent. Parameter names and values
  are case-sensitive. ``states=All,Running`` means All. Unknown parameters are ignored.
* ``GET /jobs/<ids>`` takes any number of ids (Tencent documents no maximum; ``--max-ids N``
  refuses more than N with InvalidArgument 400); duplicates are served once; unknown ids come
  back as repeated ``<NonExistJobIds>`` elements, and so do the ids of jobs of another list.
  Each list lists only its tags (another: InvalidArgument, inferred); ``/ai_jobs`` serves the
  ``/jobs`` jobs of the AI tags. Methods other than GET/HEAD (PUT on a queue id): 405
  MethodNotAllowed.
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
             | paths=list|get|queue|other, joined with "+" (default: every API request)
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
                             loaded state and restart the transition clock at 0, in the mode
                             the emulator started in, or in the one the body gives:
                             {"manual": B, "per_request": S} (see /_emulator/clock)
    POST /_emulator/jobs     body: JSON Lines; replace the job set (clock restarts)
    POST /_emulator/queues   body: JSON Lines of queue seeds; replace them (jobs kept, clock restarts)
    POST /_emulator/clock    body {"advance": S, "manual": B, "per_request": S} (each optional):
                             move the transition clock S seconds ahead; switch it to manual
                             (true) or real time (false), its reading carrying on; with
                             per_request, every signed list or get moves it S seconds before
                             it is answered (0 stops), so a client's polls, not the machine's
                             speed, decide when jobs finish. Answers transition_clock,
                             manual_clock, per_request
    GET  /_emulator/callback counters of the callbacks pushed: {url, format, sent, failed, last_error}
    POST /_emulator/callback body {"url": URL, "format": "xml"|"json"}: POST CI's callback document
                             (<Response><EventName>TaskFinish</EventName><JobsDetail>...) to URL
                             whenever a job enters a final state from now on ("" stops); also
                             --callback-url/--callback-format

``by_status`` counts a ``reset`` fault under the key ``reset``. ``by_kind`` keys: ``list``,
``get``, ``queue``, ``other`` (any other path). The stats also give ``manual_clock``,
``clock_per_request``, ``habits``
and ``queues`` (how many). ``api_connections`` counts connections that carried at
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
import os
import signal
import ssl
import sys
import threading
import time

from emu_callbacks import CALLBACK_FORMATS
from emu_common import EmulatorError, MAX_REQUEST_TARGET
from emu_faults import FaultPlan
from emu_http import Server, Server6
from emu_jobs import load_job_files, without_gc
from emu_queues import load_queue_files
from emu_xml import HABITS
from emu_signing import Credential
from emu_state import State


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
        description='Local emulator of the Tencent Cloud CI job API (job lists, by id, queue lists, queue pause/resume) '
                    'with COS signature verification and fault injection. See docs/docsite/rst/guide_emulator.rst.',
        epilog='Fault spec: KIND[@RATE][,count=N][,after=N][,paths=list+get+queue+other][,retry_after=S][,seconds=S][,status=N]; '
               'KIND is 500, 502, 503, 504, 429, reset, delay, truncate, malformed, html, empty, repeat-token or skew. '
               'Control endpoint (loopback only): GET /_emulator/stats, POST /_emulator/faults {"faults": [...], "seed": N}, '
               'POST /_emulator/reset, POST /_emulator/jobs (JSONL body), POST /_emulator/queues (JSONL body), '
               'POST /_emulator/clock {"advance": S}.')
    parser.add_argument('--jobs', action='append', default=[], metavar='FILE.jsonl',
                        help='JSON Lines file of jobs; may be repeated')
    parser.add_argument('--queues', action='append', default=[], metavar='FILE.jsonl',
                        help='JSON Lines file of queue seeds (QueueId, QueueType, State, Name, ...); may be repeated')
    parser.add_argument('--habits', choices=HABITS, default='realistic',
                        help='realistic (default): answer like the real service (no XML declaration, no NextToken '
                             'element on the last page, Code on unfinished jobs); plain: the emulator\'s 1.0 answers')
    parser.add_argument('--manual-clock', dest='manual_clock', action='store_true',
                        help='the transition clock moves only by POST /_emulator/clock {"advance": S}')
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
        jobs = without_gc(load_job_files, args.jobs, args.habits == 'realistic')
        state = State(args, jobs, credentials, load_queue_files(args.queues))
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
