# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The neutral exceptions of qcloud.ci.

Internal to this collection: the names may change in any release.

Shared code raises these; the module turns them into ``fail_json`` and the lookup into
``AnsibleLookupError``. None of them ever carries a request header, a signature or a
secret: they are built from the method, the path, the HTTP status and the parsed error
body only.
"""

from __future__ import annotations


class CIError(Exception):
    """Base class: ``str(err)`` is a complete message for a user."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def __str__(self):
        return self.msg


class CIValueError(CIError):
    """An option has a value that is not allowed. ``option`` names it."""

    def __init__(self, option, msg):
        super().__init__(msg, option=option)
        self.option = option


class CIMissingLibrary(CIError):
    """A Python library the collection needs is not installed where the code runs."""

    def __init__(self, library, msg, traceback=None):
        super().__init__(msg, library=library)
        self.library = library
        self.traceback = traceback


class CIRequestError(CIError):
    """A request to CI failed for good (after any retries).

    Carries what a user needs to act or to open a ticket with Tencent Cloud: the HTTP
    status (None when no response arrived), CI's error code, message, request id and
    trace id, the method and path, and how many tries were made.
    """

    def __init__(self, reason, method, path, status=None, code=None, message=None,
                 request_id=None, trace_id=None, tries=1):
        self.reason = reason
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.trace_id = trace_id
        self.tries = tries
        super().__init__(self._format(), status=status, code=code, message=message,
                         request_id=request_id, trace_id=trace_id, tries=tries,
                         method=method, path=path)

    def _format(self):
        parts = ['CI request %s %s failed' % (self.method, self.path)]
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        if self.code:
            parts.append(self.code)
        text = ': '.join([parts[0], ' '.join(parts[1:])]) if len(parts) > 1 else parts[0]
        if self.message:
            text += ': %s' % self.message
        elif self.reason:
            text += ': %s' % self.reason
        if self.message and self.reason and self.reason != self.message:
            text += ' (%s)' % self.reason
        extra = ['request id %s' % (self.request_id or 'none')]
        if self.trace_id:
            extra.append('trace id %s' % self.trace_id)
        extra.append('%d %s' % (self.tries, 'try' if self.tries == 1 else 'tries'))
        return '%s [%s]' % (text, ', '.join(extra))

    def with_reason(self, reason):
        """The same failure with another reason (the message is rebuilt)."""
        return type(self)(reason, self.method, self.path, self.status, self.code, self.message,
                          self.request_id, self.trace_id, self.tries)

    def to_dict(self):
        """The error's facts for a module's ``error`` return value."""
        return {
            'status': self.status,
            'code': self.code,
            'message': self.message,
            'request_id': self.request_id,
            'trace_id': self.trace_id,
            'method': self.method,
            'path': self.path,
            'tries': self.tries,
        }


# --- the client's deadline (owned by the client; keep in this block) -----------------------------
class CIDeadlineExceeded(CIRequestError):
    """A request's deadline was reached before it succeeded.

    Carries the last failure's status, CI code, message and request id (all None when no try
    was answered); its reason says that the deadline was reached.
    """


# --- end of the client's block -----------------------------------------------------------------


class CIWaitTimeout(CIError):
    """Jobs were still unfinished when ``wait_timeout`` ran out; ``result`` has the jobs."""

    def __init__(self, msg, result):
        super().__init__(msg)
        self.result = result
