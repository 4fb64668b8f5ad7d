# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start and drive ``ci_emulator.py`` as a real subprocess from tests (standard library only).

Use it from any pytest suite by putting ``tests/emulator`` on ``sys.path``::

    from harness import Emulator, SAMPLE_JOBS, GOOD_QUEUE

    with Emulator(jobs=[SAMPLE_JOBS], bucket='examplebucket-1250000000', region='ap-guangzhou') as emu:
        emu.url                     # 'http://127.0.0.1:PORT' (https with tls_cert/tls_key)
        emu.set_faults(['503@0.5,count=3'], seed=1)
        ...                         # point the client at emu.url with emu.secret_id/emu.secret_key
        emu.stats()['requests']['total']
        emu.reset()                 # counters, faults and the transition clock

``Emulator(...)`` arguments (all optional):

* ``jobs``: list of JSONL paths (default: the sample data set).
* ``secret_id``/``secret_key``: the credential (default: the demo credential below);
  ``token``: makes it temporary; ``credentials``: more ``(id, key)`` or ``(id, key, token)``.
* ``bucket``/``region``: enable the Host check for ``<bucket>.ci.<region>.myqcloud.com``.
* ``tls_cert``/``tls_key``: serve HTTPS (``ca_file`` lets the control calls verify it).
* ``faults``/``fault_seed``: initial faults; ``extra_args``: any other command-line options.
* ``lifetime``: the emulator exits by itself after this many seconds (default 600).

Methods: ``start()`` (done by ``with``), ``stop()`` (SIGTERM, wait, kill after a timeout;
returns the exit code), ``stats()``, ``set_faults(list, seed=0)``, ``reset()``,
``load_jobs(path_or_lines)``, ``control(method, path, payload)``. Attributes: ``url``,
``host``, ``port``, ``pid``, ``scheme``, ``process``, ``stderr_text()``.
"""

from __future__ import print_function

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, 'ci_emulator.py')
SAMPLE_JOBS = os.path.join(HERE, 'data', 'sample_jobs.jsonl')

DEMO_BUCKET = 'examplebucket-1250000000'
DEMO_REGION = 'ap-guangzhou'
DEMO_SECRET_ID = 'AKIDEMULATOREXAMPLE0000000000000000'
DEMO_SECRET_KEY = 'emulator-secret-key-0000000000000000'

SETTLE = 120  # seconds stats() lets the emulator wait for requests in flight (a hang guard, not a measurement)

GOOD_QUEUE = 'p893bcda225bf4945a378da6662e81a89'
MIXED_QUEUE = 'p5e1f8c7d9a2b4e6f8a0c1d3e5f7a9b2c'
SLOW_QUEUE = 'p2b7d4e9f1a3c5e7b9d1f3a5c7e9b1d3f'
BAD_QUEUE = 'pc4a1e8d2f6b9a3c5e7d1f4a8b2c6e9d0'


class Emulator(object):
    """One ``ci_emulator.py`` process on 127.0.0.1 and a free port."""

    def __init__(self, jobs=None, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY, token=None, credentials=(),
                 bucket=None, region=None, tls_cert=None, tls_key=None, ca_file=None, faults=(), fault_seed=0,
                 extra_args=(), lifetime=600, python=None, startup_timeout=30):
        self.jobs = list(jobs) if jobs is not None else [SAMPLE_JOBS]
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.token = token
        self.credentials = list(credentials)
        self.bucket = bucket
        self.region = region
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.ca_file = ca_file
        self.faults = list(faults)
        self.fault_seed = fault_seed
        self.extra_args = list(extra_args)
        self.lifetime = lifetime
        self.python = python or sys.executable
        self.startup_timeout = startup_timeout
        self.scheme = 'https' if tls_cert else 'http'
        self.host = '127.0.0.1'
        self.port = None
        self.pid = None
        self.process = None
        self._dir = None
        self._opener = None

    # -- life cycle

    def command(self):
        """The emulator's argv."""
        argv = [self.python, EMULATOR, '--host', self.host, '--port', '0', '--port-file', os.path.join(self._dir, 'port'),
                '--lifetime', str(self.lifetime), '--fault-seed', str(self.fault_seed)]
        for path in self.jobs:
            argv += ['--jobs', str(path)]
        argv += ['--secret-id', self.secret_id, '--secret-key', self.secret_key]
        if self.token is not None:
            argv += ['--token', self.token]
        for cred in self.credentials:
            argv += ['--secret-id', cred[0], '--secret-key', cred[1]]
            if len(cred) > 2 and cred[2] is not None:
                argv += ['--token', cred[2]]
        if self.bucket:
            argv += ['--bucket', self.bucket]
        if self.region:
            argv += ['--region', self.region]
        if self.tls_cert:
            argv += ['--tls-cert', str(self.tls_cert), '--tls-key', str(self.tls_key)]
        for spec in self.faults:
            argv += ['--fault', spec]
        return argv + self.extra_args

    def start(self):
        """Start the process and wait until its port file appears."""
        self._dir = tempfile.mkdtemp(prefix='ci-emulator-')
        port_file = os.path.join(self._dir, 'port')
        with open(os.path.join(self._dir, 'stdout'), 'wb') as out, open(os.path.join(self._dir, 'stderr'), 'wb') as err:
            self.process = subprocess.Popen(self.command(), stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if os.path.exists(port_file):
                with open(port_file, encoding='ascii') as handle:
                    lines = handle.read().split()
                self.port, self.pid = int(lines[0]), int(lines[1])
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                code = self.stop()
                raise RuntimeError('the emulator did not start (exit code %s): %s' % (code, self.stderr_text()))
            time.sleep(0.02)
        context = None
        if self.scheme == 'https':
            context = ssl.create_default_context(cafile=self.ca_file)
            if not self.ca_file:
                # control calls only, on loopback: without a CA file there is nothing to verify against
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        # no proxies: a test's control calls go straight to loopback whatever the environment says
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
        return self

    def stop(self, timeout=10):
        """SIGTERM, wait, SIGKILL after ``timeout``; returns the exit code. Idempotent."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def cleanup(self):
        """Stop and remove the temporary directory (logs included)."""
        self.stop()
        if self._dir and os.path.isdir(self._dir):
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.cleanup()

    # -- information

    @property
    def url(self):
        """Base URL, e.g. ``http://127.0.0.1:PORT``."""
        return '%s://%s:%d' % (self.scheme, self.host, self.port)

    def stderr_text(self):
        """What the emulator wrote to stderr so far."""
        try:
            with open(os.path.join(self._dir, 'stderr'), encoding='utf-8', errors='replace') as handle:
                return handle.read()
        except (OSError, TypeError):
            return ''

    # -- control endpoint

    def control(self, method, path, payload=None, timeout=30):
        """Call ``/_emulator/<path>``; ``payload`` is JSON-encoded unless it is bytes. Returns the JSON answer."""
        data = payload if isinstance(payload, bytes) or payload is None else json.dumps(payload).encode('utf-8')
        request = urllib.request.Request('%s/_emulator/%s' % (self.url, path.lstrip('/')), data=data, method=method)
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return json.loads(response.read().decode('utf-8'))
        except urllib.error.HTTPError as exc:
            text = exc.read().decode('utf-8', 'replace')
            try:
                text = json.loads(text)['error']
            except (ValueError, KeyError, TypeError):
                pass
            raise RuntimeError('control %s %s failed (%s): %s' % (method, path, exc.code, text)) from None

    def stats(self, settle=SETTLE):
        """The emulator's counters (see ``GET /_emulator/stats``), read once no API request is in flight.

        ``settle`` is the longest the emulator waits for requests it still holds (a hang guard: a
        request a ``delay`` fault holds after the client gave up is counted before the answer);
        ``0`` reads them at once. ``in_flight`` in the answer says what was still held.
        """
        if not settle:
            return self.control('GET', 'stats')
        return self.control('GET', 'stats?settle=%s' % settle, timeout=settle + 30)

    def set_faults(self, faults, seed=0):
        """Replace the active faults (``[]`` clears them)."""
        return self.control('POST', 'faults', {'faults': list(faults), 'seed': seed})

    def reset(self):
        """Zero the counters, clear the faults, restore the jobs and restart the transition clock."""
        return self.control('POST', 'reset', {})

    def load_jobs(self, path_or_lines):
        """Replace the job set from a JSONL path or from an iterable of dicts / JSON strings."""
        if isinstance(path_or_lines, (str, os.PathLike)):
            with open(path_or_lines, 'rb') as handle:
                body = handle.read()
        else:
            lines = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in path_or_lines]
            body = ('\n'.join(lines) + '\n').encode('utf-8')
        return self.control('POST', 'jobs', body)
