# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pieces of the CI emulator: constants, its two error types and the API's time format."""

import calendar
import datetime
import re
import time

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
    'MalformedXML': 400,
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

