# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way to start the CI emulator (``ci_emulator.py``) for tests, demos and humans (standard library only).

From Python (pytest fixtures), put ``tests/emulator`` on ``sys.path``::

    from harness import Emulator, SAMPLE_JOBS, GOOD_QUEUE

    with Emulator(jobs=[SAMPLE_JOBS], bucket='examplebucket-1250000000', region='ap-guangzhou') as emu:
        emu.url                     # 'http://127.0.0.1:PORT' (https with tls_cert/tls_key)
        emu.set_faults(['503@0.5,count=3'], seed=1)
        ...                         # point the client at emu.url with emu.secret_id/emu.secret_key
        emu.stats()['requests']['total']
        emu.reset()                 # counters, faults and the transition clock

From a shell or a playbook (``hack/demo.sh``, the ``setup_emulator`` integration target,
molecule's ``prepare.yml``), the same class through a small command line::

    python3 tests/emulator/harness.py start --state-file DIR/emulator.json [--jobs FILE]...
        [--credential ID KEY [TOKEN]]... [--bucket B] [--region R] [--tls-cert PEM --tls-key PEM]
        [--fault SPEC]... [--fault-seed N] [--lifetime SECONDS] [--queues FILE]... [--habits realistic|plain]
        [--manual-clock]
                                    # prints the URL; the emulator keeps running in the background
    python3 tests/emulator/harness.py status --state-file DIR/emulator.json   # prints the URL, or exit 1
    python3 tests/emulator/harness.py stop --state-file DIR/emulator.json     # stops it, removes the file
    python3 tests/emulator/harness.py credential                              # prints the demo ID and KEY

The state file is JSON: ``url``, ``scheme``, ``host``, ``port``, ``pid``, ``log_dir`` (the
emulator's stdout and stderr). Without ``--jobs`` the sample data set is served; without
``--credential`` the demo credential below is accepted.

``Emulator(...)`` arguments (all optional):

* ``jobs``: list of JSONL paths (default: the sample data set).
* ``secret_id``/``secret_key``: the credential (default: the demo credential below);
  ``token``: makes it temporary; ``credentials``: more ``(id, key)`` or ``(id, key, token)``.
* ``bucket``/``region``: enable the Host check for ``<bucket>.ci.<region>.myqcloud.com``.
* ``tls_cert``/``tls_key``: serve HTTPS (``ca_file`` lets the control calls verify it);
  ``tls_material.py`` next to this file makes a test CA and a certificate for 127.0.0.1.
* ``faults``/``fault_seed``: initial faults; ``extra_args``: any other command-line options.
* ``queues``: list of queue seed JSONL paths; ``habits``: ``realistic`` (the emulator's default) or
  ``plain``; ``manual_clock``: the transition clock moves only through ``advance_clock``.
* ``lifetime``: the emulator exits by itself after this many seconds (default 600).

Methods: ``start()`` (done by ``with``), ``stop()`` (SIGTERM, wait, kill after a timeout;
returns the exit code), ``stats()`` (read once no request is in flight), ``wait_for(predicate)``,
``set_faults(list, seed=0)``, ``reset(manual, per_request)``, ``load_jobs(path_or_lines)``, ``load_queues(path_or_lines)``,
``advance_clock(seconds)``, ``set_clock(manual, per_request)``,
``control(method, path, payload)``, ``state()`` and ``Emulator.attach(state)``. Attributes:
``url``, ``host``, ``port``, ``pid``, ``scheme``, ``process``, ``stderr_text()``.

Timeouts here (``startup_timeout``, ``settle``, ``wait_for``'s ``timeout``) are hang guards, generous
so that a busy machine does not trip them; no test measures time with them.
"""

from __future__ import print_function

import argparse
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
                 extra_args=(), lifetime=600, python=None, startup_timeout=120, queues=(), habits=None, manual_clock=False):
        self.jobs = list(jobs) if jobs is not None else [SAMPLE_JOBS]
        self.queues = list(queues)
        self.habits = habits
        self.manual_clock = manual_clock
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
        for path in self.queues:
            argv += ['--queues', str(path)]
        if self.habits:
            argv += ['--habits', self.habits]
        if self.manual_clock:
            argv.append('--manual-clock')
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

    def start(self, detach=False):
        """Start the process and wait until its port file appears.

        ``detach``: in a session of its own, to outlive this process (the command line's ``start``).
        """
        self._dir = tempfile.mkdtemp(prefix='ci-emulator-')
        port_file = os.path.join(self._dir, 'port')
        with open(os.path.join(self._dir, 'stdout'), 'wb') as out, open(os.path.join(self._dir, 'stderr'), 'wb') as err:
            self.process = subprocess.Popen(self.command(), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                            start_new_session=detach)
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
        return self._connect()

    def _connect(self):
        """The opener of the control calls (no proxies, TLS checked against ``ca_file`` when given)."""
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

    def stop(self, timeout=30):
        """SIGTERM, wait, SIGKILL after ``timeout``; returns the exit code (None: not our child). Idempotent."""
        if self.process is None:
            self._stop_attached(timeout)
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def _running(self):
        """Whether the process of an attached emulator still runs: its pid is alive, still runs the emulator,
        and its port file is there (the emulator removes it on a clean exit), so a reused pid is never signalled."""
        if not self.pid or not self._dir or not os.path.exists(os.path.join(self._dir, 'port')):
            return False
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        try:
            with open('/proc/%d/cmdline' % self.pid, 'rb') as handle:
                return os.path.basename(EMULATOR).encode() in handle.read()
        except OSError:
            return True  # no /proc here: the port file and the pid have to do

    def _stop_attached(self, timeout):
        """Stop an emulator started by another process (``attach``), by its pid."""
        if not self._running():
            return
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self._running() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._running():
            os.kill(self.pid, signal.SIGKILL)

    def cleanup(self):
        """Stop and remove the temporary directory (logs included)."""
        self.stop()
        if self._dir and os.path.isdir(self._dir):
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.cleanup()

    # -- state, for the command line

    def state(self):
        """What another process needs to reach and stop this emulator (the command line's state file)."""
        return {'url': self.url, 'scheme': self.scheme, 'host': self.host, 'port': self.port, 'pid': self.pid,
                'log_dir': self._dir}

    @classmethod
    def attach(cls, state, ca_file=None):
        """An ``Emulator`` for one that another process started, from its ``state()``."""
        emu = cls(ca_file=ca_file)
        emu.scheme, emu.host, emu.port, emu.pid, emu._dir = (state['scheme'], state['host'], state['port'],
                                                             state['pid'], state['log_dir'])
        return emu._connect()

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

    def wait_for(self, predicate, timeout=120, interval=0.05):
        """Read the counters until ``predicate(stats)`` holds, at most ``timeout`` seconds (a hang guard);
        returns the last counters, so the caller asserts on them. For what the emulator counts after the
        client is done (a refused TLS handshake is counted after the client gave up)."""
        deadline = time.monotonic() + timeout
        while True:
            stats = self.stats(settle=0)
            if predicate(stats) or time.monotonic() > deadline:
                return stats
            time.sleep(interval)

    def set_faults(self, faults, seed=0):
        """Replace the active faults (``[]`` clears them)."""
        return self.control('POST', 'faults', {'faults': list(faults), 'seed': seed})

    def reset(self, manual=None, per_request=None):
        """Zero the counters, clear the faults, restore the jobs and restart the transition clock at 0,
        in its start mode or in the one given (``manual``, ``per_request``: see ``set_clock``)."""
        return self.control('POST', 'reset', _clock_mode(manual, per_request))

    def load_jobs(self, path_or_lines):
        """Replace the job set from a JSONL path or from an iterable of dicts / JSON strings."""
        return self.control('POST', 'jobs', _jsonl_body(path_or_lines))

    def load_queues(self, path_or_lines):
        """Replace the queue seeds (JSONL path or iterable of dicts / JSON strings); the jobs stay, the clock restarts."""
        return self.control('POST', 'queues', _jsonl_body(path_or_lines))

    def advance_clock(self, seconds):
        """Move the transition clock ``seconds`` ahead (with ``manual_clock``, the only way it moves); returns its reading."""
        return self.control('POST', 'clock', {'advance': seconds})['transition_clock']

    def set_clock(self, manual=None, per_request=None):
        """Switch the transition clock to manual (True) or real time (False), and/or make every signed
        list or get move it ``per_request`` seconds before it is answered; returns its reading.
        ``reset`` puts the start mode back."""
        return self.control('POST', 'clock', _clock_mode(manual, per_request))['transition_clock']


def _clock_mode(manual, per_request):
    """The body of a clock mode change: only the keys given."""
    return dict((k, v) for k, v in (('manual', manual), ('per_request', per_request)) if v is not None)


def _jsonl_body(path_or_lines):
    """The bytes of a JSONL path, or JSON Lines made of an iterable of dicts / JSON strings."""
    if isinstance(path_or_lines, (str, os.PathLike)):
        with open(path_or_lines, 'rb') as handle:
            return handle.read()
    lines = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in path_or_lines]
    return ('\n'.join(lines) + '\n').encode('utf-8')


# ---------------------------------------------------------------------------
# command line: one launcher for the demo, the integration targets and molecule


def _read_state(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def _write_state(path, state):
    tmp = '%s.%d.tmp' % (path, os.getpid())
    with open(tmp, 'w', encoding='utf-8') as handle:
        json.dump(state, handle, indent=1, sort_keys=True)
        handle.write('\n')
    os.replace(tmp, path)


def _start(args):
    if os.path.exists(args.state_file):
        existing = Emulator.attach(_read_state(args.state_file))
        if existing._running():  # pylint: disable=protected-access
            sys.stderr.write('harness: an emulator from %s still runs (pid %d); stop it first\n'
                             % (args.state_file, existing.pid))
            return 1
    credentials = args.credential or [[DEMO_SECRET_ID, DEMO_SECRET_KEY]]
    for cred in credentials:
        if len(cred) not in (2, 3):
            sys.stderr.write('harness: --credential takes ID KEY [TOKEN]\n')
            return 2
    first = credentials[0]
    emu = Emulator(jobs=args.jobs or None, secret_id=first[0], secret_key=first[1],
                   token=first[2] if len(first) > 2 else None, credentials=[tuple(c) for c in credentials[1:]],
                   bucket=args.bucket, region=args.region, tls_cert=args.tls_cert, tls_key=args.tls_key,
                   faults=args.fault, fault_seed=args.fault_seed, lifetime=args.lifetime, queues=args.queues,
                   habits=args.habits, manual_clock=args.manual_clock)
    try:
        emu.start(detach=True)
    except RuntimeError as exc:
        sys.stderr.write('harness: %s\n' % exc)
        emu.cleanup()
        return 1
    _write_state(args.state_file, emu.state())
    print(emu.url)
    return 0


def _status(args):
    try:
        emu = Emulator.attach(_read_state(args.state_file))
    except (OSError, ValueError, KeyError) as exc:
        sys.stderr.write('harness: no emulator state in %s (%s)\n' % (args.state_file, exc))
        return 1
    if not emu._running():  # pylint: disable=protected-access
        sys.stderr.write('harness: the emulator of %s does not run any more\n' % args.state_file)
        return 1
    print(emu.url)
    return 0


def _stop(args):
    try:
        state = _read_state(args.state_file)
    except OSError:
        return 0  # nothing started, or stopped already
    except ValueError as exc:
        sys.stderr.write('harness: %s is not an emulator state file: %s\n' % (args.state_file, exc))
        return 1
    emu = Emulator.attach(state)
    emu.cleanup()
    os.unlink(args.state_file)
    return 0


def main(argv=None):
    """``start`` | ``status`` | ``stop`` | ``credential``; see the module docstring."""
    parser = argparse.ArgumentParser(prog='harness.py', description='Start, query and stop the CI emulator.')
    commands = parser.add_subparsers(dest='command', required=True)
    start = commands.add_parser('start', help='start it in the background, write the state file, print the URL')
    start.add_argument('--jobs', action='append', default=[], metavar='FILE.jsonl',
                       help='jobs to serve; may be repeated (default: the sample data set)')
    start.add_argument('--queues', action='append', default=[], metavar='FILE.jsonl',
                       help='queue seeds (JSON Lines); may be repeated (queues are also derived from the jobs)')
    start.add_argument('--habits', choices=('realistic', 'plain'), help="the emulator's --habits (default realistic)")
    start.add_argument('--manual-clock', dest='manual_clock', action='store_true',
                       help='the transition clock moves only through POST /_emulator/clock')
    start.add_argument('--credential', action='append', nargs='+', metavar='ID KEY [TOKEN]',
                       help='an accepted credential (with TOKEN: temporary); may be repeated (default: the demo one)')
    start.add_argument('--bucket')
    start.add_argument('--region')
    start.add_argument('--tls-cert', metavar='PEM', help='serve HTTPS with this certificate chain (with --tls-key)')
    start.add_argument('--tls-key', metavar='PEM')
    start.add_argument('--fault', action='append', default=[], metavar='SPEC')
    start.add_argument('--fault-seed', type=int, default=0, metavar='N')
    start.add_argument('--lifetime', type=float, default=900, metavar='SECONDS',
                       help='the emulator stops by itself after this long (default 900)')
    for name, text in (('status', 'print the URL if it still runs (exit 1 if not)'),
                       ('stop', 'stop it (if it runs), remove its logs and the state file')):
        commands.add_parser(name, help=text)
    for sub in commands.choices.values():
        sub.add_argument('--state-file', required=True, metavar='PATH', help='where start writes url, port, pid (JSON)')
    commands.add_parser('credential', help='print the demo credential: SECRET_ID SECRET_KEY')
    args = parser.parse_args(argv)
    if args.command == 'credential':
        print(DEMO_SECRET_ID, DEMO_SECRET_KEY)
        return 0
    if args.command == 'start' and bool(args.tls_cert) != bool(args.tls_key):
        parser.error('--tls-cert and --tls-key go together')
    return {'start': _start, 'status': _status, 'stop': _stop}[args.command](args)


if __name__ == '__main__':
    sys.exit(main())
