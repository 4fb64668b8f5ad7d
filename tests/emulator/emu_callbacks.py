# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callbacks: push CI's job callback document when a job finishes (used by the Event-Driven
Ansible tests: the webhook path end to end). Configured with ``--callback-url``/``--callback-format``
or ``POST /_emulator/callback``; off by default."""

import json
import re
import threading
import urllib.request

from emu_common import EmulatorError, TERMINAL_STATES, XML_DECL

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

