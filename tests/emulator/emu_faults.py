# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection of the CI emulator: parsing ``--fault`` specs and picking the fault that answers a request."""

import random
import threading

from emu_common import EmulatorError, XML_DECL

STATUS_FAULTS = {
    '500': ('InternalError', 'We encountered an internal error. Please try again.'),
    '502': ('BadGateway', 'The gateway received an invalid response.'),
    '503': ('ServiceUnavailable', 'The service is temporarily unavailable. Please retry.'),
    '504': ('GatewayTimeout', 'The gateway timed out.'),
    '429': ('SlowDown', 'Please reduce your request rate.'),
}
FAULT_KINDS = tuple(STATUS_FAULTS) + ('reset', 'delay', 'truncate', 'malformed', 'html', 'empty', 'repeat-token', 'skew')
PATH_KINDS = ('list', 'get', 'queue', 'other')
MALFORMED_BODY = XML_DECL + b'<Response><JobsDetail><Code>Success</Code><JobId>broken<JobId></JobsDetail><NextToken></Response>'
TOO_LONG_BODY = (b'<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n'
                 b'<center><h1>414 Request-URI Too Large</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n')
HTML_BODY = (b'<html>\r\n<head><title>%d Error</title></head>\r\n<body>\r\n<center><h1>%d Error</h1></center>\r\n'
             b'<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n')


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

