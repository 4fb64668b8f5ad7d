# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's HTTP side: the request handler (API routing, faults, control endpoint) and the server."""

import base64
import hashlib
import http.server
import ipaddress
import json
import re
import socket
import ssl
import struct
import sys
import time

from emu_common import (ApiError, CONTROL_PREFIX, EmulatorError, HANDSHAKE_TIMEOUT, IDLE_TIMEOUT, MAX_API_BODY,
                        MAX_CONTROL_BODY, MAX_REQUEST_TARGET, MAX_SETTLE, XML_DECL)
from emu_faults import HTML_BODY, MALFORMED_BODY, STATUS_FAULTS, TOO_LONG_BODY
from emu_jobs import parse_jobs_lines, seconds_value, without_gc
from emu_queues import parse_queue_lines
from emu_routes import answer, route_of
from emu_signing import parse_query
from emu_xml import _xml_escape

# the access key of a signed request (q-ak of its Authorization), for the per-key counters
_ACCESS_KEY_RE = re.compile(r'(?:^|&)\s*q-ak=([^&\s]{1,256})')


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

    def _count(self, kind, status, fault_kind=None):
        """Count one answered API request, under the access key it was signed with."""
        match = _ACCESS_KEY_RE.search(self.headers.get('Authorization') or '')
        self.server.state.stats.request(kind, status, fault_kind, match.group(1) if match else None)

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
        body = self._read_body(MAX_API_BODY)
        if body is None:
            return
        if len(self.path) > MAX_REQUEST_TARGET:  # the request line is read as latin-1: one char a byte
            # the front end refuses it: never routed, signature unchecked, counted as an API request
            self._count(route_of(raw_path).kind, 414)
            self._send_raw(414, TOO_LONG_BODY, 'text/html')
            return
        if not self.api_seen:
            self.api_seen = True
            state.stats.add('api_connections')
        state.stats.enter()
        try:
            self._api(raw_path, raw_query, body)
        finally:
            state.stats.leave()

    def _api(self, raw_path, raw_query, request_body):
        state = self.server.state
        route = route_of(raw_path)
        kind = route.kind
        pairs = parse_query(raw_query)
        params = {}
        for key, val in pairs:
            params.setdefault(key, val)
        fault = state.faults.pick(kind, bool(params.get('nextToken')))
        fault_kind = fault.kind if fault is not None else None
        if fault_kind == 'reset':
            self._count(kind, 'reset', fault_kind)
            self._abort()
            return
        if fault_kind in STATUS_FAULTS:
            code, message = STATUS_FAULTS[fault_kind]
            extra = [('Retry-After', str(fault.retry_after))] if fault.retry_after is not None else []
            self._count(kind, int(fault_kind), fault_kind)
            self._send_error(ApiError(code, message, extra))
            return
        if fault_kind in ('malformed', 'html', 'empty'):
            if fault_kind == 'malformed':
                status, body, ctype = 200, MALFORMED_BODY, 'application/xml'
            elif fault_kind == 'html':
                status, body, ctype = fault.status, HTML_BODY % (fault.status, fault.status), 'text/html'
            else:
                status, body, ctype = 200, b'', 'application/xml'
            self._count(kind, status, fault_kind)
            self._send_raw(status, body, ctype)
            return
        if fault_kind == 'delay':
            time.sleep(fault.seconds)
        began, began_cpu = time.perf_counter(), time.thread_time()
        try:
            state.check_host(self.headers.get('Host'))
            state.verifier.verify(self.command, raw_path, pairs, self.headers.items())
            if kind in ('list', 'get'):
                state.store.tick()
            body = answer(state, route, self.command, params, request_body, self.request_id, fault_kind == 'repeat-token')
        except ApiError as error:
            self._count(kind, error.status, fault_kind)
            self._send_error(error, truncate=fault_kind == 'truncate')
            return
        if kind in ('list', 'get'):
            state.stats.timing(kind, time.perf_counter() - began, time.thread_time() - began_cpu)
        self._count(kind, 200, fault_kind)  # counted before the client can see the answer
        self._send_raw(200, body, 'application/xml', truncate=fault_kind == 'truncate')

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
            ('POST', '/queues'): self._control_queues,
            ('POST', '/clock'): self._control_clock,
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
            'manual_clock': state.tclock.manual,
            'clock_per_request': state.tclock.per_request,
            'habits': 'realistic' if state.realistic else 'plain',
            'queues': len(state.store.queues.queues),
        })
        return 200, data

    def _control_faults(self, body):
        request = json.loads(body.decode('utf-8') or '{}')
        if not isinstance(request, dict) or not isinstance(request.get('faults', []), list):
            raise EmulatorError('body must be {"faults": [SPEC, ...], "seed": N}')
        self.server.state.faults.replace(request.get('faults', []), request.get('seed', 0))
        return 200, {'faults': self.server.state.faults.specs(), 'seed': self.server.state.faults.seed}

    def _control_reset(self, body):
        request = json.loads(body.decode('utf-8') or '{}')
        if not isinstance(request, dict) or set(request) - {'manual', 'per_request'}:
            raise EmulatorError('body must be empty or {"manual": true|false, "per_request": SECONDS}')
        state = self.server.state
        state.store.restore_clock_mode(request.get('manual'), request.get('per_request'))  # a bad value changes nothing
        state.faults.replace([], 0)
        state.store.restart()
        state.stats.zero()
        return 200, {'reset': True}

    def _control_jobs(self, body):
        jobs = without_gc(parse_jobs_lines, body.decode('utf-8').splitlines(), 'request body', self.server.state.realistic)
        self.server.state.replace_jobs(jobs)
        return 200, {'jobs': len(jobs)}

    def _control_queues(self, body):
        seeds = parse_queue_lines(body.decode('utf-8').splitlines(), 'request body')
        self.server.state.replace_jobs(queue_seeds=seeds)
        return 200, {'queues': len(self.server.state.store.queues.queues)}

    def _control_clock(self, body):
        request = json.loads(body.decode('utf-8') or '{}')
        if not isinstance(request, dict) or set(request) - {'advance', 'manual', 'per_request'}:
            raise EmulatorError('body must be {"advance": SECONDS, "manual": true|false, "per_request": SECONDS}')
        store = self.server.state.store
        seconds_value('advance', request.get('advance', 0))  # refused before anything changes
        store.configure_clock(request.get('manual'), request.get('per_request'))
        reading = store.advance_clock(request.get('advance', 0))
        tclock = self.server.state.tclock
        return 200, {'transition_clock': round(reading, 3), 'manual_clock': tclock.manual,
                     'per_request': tclock.per_request}

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
