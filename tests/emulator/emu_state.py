# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the emulator's request handlers share: counters (``Stats``) and the server ``State``."""

import base64
import ipaddress
import os
import random
import re
import sys
import threading
import time

from emu_callbacks import CallbackPusher
from emu_common import ApiError
from emu_faults import FaultPlan
from emu_jobs import JobStore, TransitionClock
from emu_signing import Verifier, split_host


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
        self.by_key = {}

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

    def request(self, kind, status, fault_kind=None, key=None):
        """Count one answered API request; ``key`` is the access key (``q-ak``) it was signed with, if any.

        Counted per key too: a test reads the requests of its own clients (its own secret id), which a
        stray client of another test (one that reached this port after its own server had gone) cannot change.
        """
        with self.lock:
            self.requests += 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            self.by_status[str(status)] = self.by_status.get(str(status), 0) + 1
            mine = self.by_key.setdefault(key or '', {'requests': 0, 'faults': 0})
            mine['requests'] += 1
            if fault_kind is not None:
                self.faults[fault_kind] = self.faults.get(fault_kind, 0) + 1
                mine['faults'] += 1

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
                'requests': {'total': self.requests, 'by_status': dict(self.by_status), 'by_kind': dict(self.by_kind),
                             'by_access_key': dict((k, v['requests']) for k, v in self.by_key.items())},
                'control_requests': self.control_requests,
                'connections': self.connections,
                'api_connections': self.api_connections,
                'in_flight': self.in_flight,
                'peak_in_flight': self.peak_in_flight,
                'tls_handshake_failures': self.tls_failures,
                'faults_injected': {'total': sum(self.faults.values()), 'by_kind': dict(self.faults),
                                    'by_access_key': dict((k, v['faults']) for k, v in self.by_key.items())},
                'serve_seconds': {k: dict(v) for k, v in self.serve.items()},
            }


class State(object):
    """Everything the handlers share."""

    def __init__(self, args, jobs, credentials, queue_seeds=()):
        self.faults = FaultPlan(args.fault, args.fault_seed)
        self.realistic = getattr(args, 'habits', 'realistic') == 'realistic'
        self.tclock = TransitionClock(getattr(args, 'manual_clock', False))
        self.queue_seeds = list(queue_seeds)
        self.store = JobStore(jobs, self.now, self.tclock, self.queue_seeds)
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

    def replace_jobs(self, jobs=None, queue_seeds=None):
        """Install a new job set and/or queue seeds (the others kept; the transition clock starts now)."""
        if queue_seeds is not None:
            self.queue_seeds = list(queue_seeds)
        if jobs is None:
            jobs = list(self.store.by_id.values())
        self.store = JobStore(jobs, self.now, self.tclock, self.queue_seeds)

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
