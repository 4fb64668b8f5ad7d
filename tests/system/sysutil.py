# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers of the system tests: the collection path, ansible-playbook runs, job files, sockets.

Playbooks are written as JSON (valid YAML), so no value needs YAML quoting. Every run records
each task result through the test-only ``qci_record`` callback (``plugins/callback``), and
can switch the emulator's faults between tasks through the test-only ``qci_emulator`` lookup
(``plugins/lookup``) without a module run.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EMULATOR_DIR = os.path.join(REPO, 'tests', 'emulator')
GEN_JOBS = os.path.join(EMULATOR_DIR, 'gen_jobs.py')
PLUGINS = os.path.join(HERE, 'plugins')

BUCKET = 'examplebucket-1250000000'
QUEUE = 'p7e1a2b3c4d5e6f708192a3b4c5d6e7f8'
TAG = 'Translation'
MODULE = 'qcloud.ci.ci_jobs_info'
LOOKUP = 'qcloud.ci.ci_jobs'
GROUP = 'group/qcloud.ci.ci'


def _collections_root():
    """A directory holding ansible_collections/qcloud/ci that IS this tree.

    ``make test`` exports ANSIBLE_COLLECTIONS_PATH for its copy; in development it may point
    at a symlink (``/tmp/colroot``). Otherwise make a temporary directory with a symlink.
    """
    for entry in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        candidate = os.path.join(entry, 'ansible_collections', 'qcloud', 'ci')
        if entry and os.path.isdir(candidate) and os.path.realpath(candidate) == os.path.realpath(REPO):
            return entry
    root = tempfile.mkdtemp(prefix='qci-colroot-')
    os.makedirs(os.path.join(root, 'ansible_collections', 'qcloud'))
    os.symlink(REPO, os.path.join(root, 'ansible_collections', 'qcloud', 'ci'))
    atexit.register(shutil.rmtree, root, True)
    return root


COLLECTIONS_ROOT = _collections_root()


def tool(name):
    """An ansible CLI next to this Python (the main venv), else on PATH."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.access(path, os.X_OK) else (shutil.which(name) or name)


def ansible_env(workdir, extra=None):
    """The environment of an ansible run: this tree as the collection, test plugins, no TENCENTCLOUD_*."""
    # every server of these tests is on loopback: no proxy, no CA bundle from the caller's environment
    dropped = ('TENCENTCLOUD_', 'ANSIBLE_', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_')
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(dropped) and not k.lower().endswith('_proxy'))
    env.update({
        'PATH': os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', os.defpath),
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS_ROOT,
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(PLUGINS, 'callback'),
        'ANSIBLE_LOOKUP_PLUGINS': os.path.join(PLUGINS, 'lookup'),
        'ANSIBLE_CALLBACKS_ENABLED': 'qci_record',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'ansible-local'),
        'ANSIBLE_REMOTE_TEMP': os.path.join(workdir, 'ansible-remote'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
        'ANSIBLE_HOST_KEY_CHECKING': '0',
        'QCI_RECORD_FILE': os.path.join(workdir, 'records.jsonl'),
    })
    env.update(extra or {})
    return env


class PlaybookRun(object):
    """The outcome of one ansible-playbook process."""

    def __init__(self, argv, returncode, stdout, stderr, records):
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.records = records

    def task(self, name, host=None):
        """The one record of task ``name`` (on ``host``)."""
        found = [r for r in self.records if r['task'] == name and (host is None or r['host'] == host)]
        assert len(found) == 1, 'expected one result of task %r, got %d:\n%s' % (name, len(found), self.output)
        return found[0]

    @property
    def output(self):
        return 'STDOUT:\n%s\nSTDERR:\n%s' % (self.stdout[-6000:], self.stderr[-4000:])


def run_playbook(plays, workdir, env=None, args=(), inventory='localhost,', timeout=1800, name='playbook'):
    """Write ``plays`` (a list of dicts) as ``name``.yml in ``workdir`` and run it; returns a PlaybookRun.

    ``timeout`` is a hang guard only (generous: a loaded machine may run slowly); nothing measures the run's time.
    """
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, '%s.yml' % name)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(plays, handle, indent=1)
    environment = ansible_env(workdir, env)
    record_file = environment['QCI_RECORD_FILE']
    if os.path.exists(record_file):
        os.unlink(record_file)
    argv = [tool('ansible-playbook'), '-i', inventory, path] + list(args)
    proc = _run_group(argv, environment, workdir, timeout)
    records = []
    if os.path.exists(record_file):
        with open(record_file, encoding='utf-8') as handle:
            records = [json.loads(line) for line in handle if line.strip()]
    return PlaybookRun(argv, proc.returncode, proc.stdout.decode('utf-8', 'replace'),
                       proc.stderr.decode('utf-8', 'replace'), records)


def _run_group(argv, environment, workdir, timeout):
    """Run ``argv`` in its own process group; past ``timeout`` kill the whole group, then raise.

    Killing only ansible-playbook would leave the module processes it started running as orphans: they
    keep retrying against a port whose server the test then stops, and the kernel may hand that port to
    an emulator of the next test, whose counters they would change.
    """
    proc = subprocess.Popen(argv, env=environment, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)


def run_playbooks(jobs):
    """Run several ``run_playbook(**kwargs)`` at once (each waits mostly on sockets and backoff); returns the runs."""
    runs = [None] * len(jobs)

    def one(index):
        runs[index] = run_playbook(**jobs[index])

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(run is not None for run in runs), 'a playbook run raised'
    return runs


def play(tasks, hosts='localhost', connection_vars=None, module_defaults=None, extra_vars=None, **keywords):
    """One play on the controller (local connection, no facts)."""
    result = {'name': 'system test', 'hosts': hosts, 'gather_facts': False, 'connection': 'local',
              'vars': dict(connection_vars or {}, **(extra_vars or {})), 'tasks': tasks}
    if module_defaults:
        result['module_defaults'] = {GROUP: module_defaults}
    result.update(keywords)
    return result


def connection(endpoint_url, secret_id, secret_key, security_token=None, **extra):
    """Connection options for the module (module_defaults) and the lookup (qcloud_ci_* variables)."""
    options = dict(endpoint_url=endpoint_url, bucket=BUCKET, secret_id=secret_id, secret_key=secret_key)
    if security_token:
        options['security_token'] = security_token
    options.update(extra)
    return options, dict(('qcloud_ci_%s' % k, v) for k, v in options.items())


def lookup_expr(reduce="map(attribute='job_id') | list", terms=(), raw=None, **options):
    """A Jinja expression calling the lookup with ``options`` as keyword arguments (``raw``: name -> expression)."""
    args = ["'%s'" % LOOKUP] + [json.dumps(t) for t in terms]
    args += ['%s=%s' % (k, 'none' if v is None else json.dumps(v)) for k, v in sorted(options.items())]
    args += ['%s=%s' % (k, v) for k, v in sorted((raw or {}).items())]
    call = 'query(%s)' % ', '.join(args)
    return '{{ %s%s }}' % (call, (' | ' + reduce) if reduce else '')


class RefusingPort(object):
    """A port of 127.0.0.1 that refuses every connection for as long as this object is open.

    Bound and never listening: a connection to it is refused at once, and no other socket can take
    the port meanwhile (no SO_REUSEADDR here, so even a server that sets it cannot bind it, and a
    bind to port 0 never hands it out). The old way, a port found free and closed again, left the
    port to the next server that asked for any free port: under load an emulator of another test,
    started on the other xdist worker, got it, and the "unreachable" clients' requests landed in that
    emulator's counters (a fault test counted 10 requests for its 3 tries).
    """

    def __init__(self, host='127.0.0.1'):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.host, self.port = self.sock.getsockname()

    @property
    def url(self):
        return 'http://%s:%d' % (self.host, self.port)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def control(action, **options):
    """A set_fact task that calls the test-only qci_emulator lookup."""
    args = ["'%s'" % action] + ['%s=%s' % (k, json.dumps(v)) for k, v in sorted(options.items())]
    return {'ansible.builtin.set_fact': {'qci_control': "{{ lookup('qci_emulator', %s) }}" % ', '.join(args)}}


def local_inventory(workdir, count, prefix='h'):
    """An INI inventory of ``count`` hosts that all run on this machine (local connection)."""
    path = os.path.join(workdir, 'inventory-%d.ini' % count)
    os.makedirs(workdir, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('[all]\n')
        for number in range(count):
            handle.write('%s%02d ansible_connection=local ansible_python_interpreter=%s\n' % (prefix, number, sys.executable))
    return path, ['%s%02d' % (prefix, number) for number in range(count)]


def gen_jobs(path, count, queue=QUEUE, tag=TAG, seed=7, failed_ratio=0.05, running_ratio=0.0):
    """Write ``count`` jobs with the emulator's generator; returns their ids as read back from the file."""
    subprocess.run([sys.executable, GEN_JOBS, '--count', str(count), '--queue', queue, '--tag', tag,
                    '--seed', str(seed), '--failed-ratio', str(failed_ratio), '--running-ratio', str(running_ratio),
                    '--out', str(path)], check=True, capture_output=True)
    return read_jobs(path)


def read_jobs(path):
    with open(path, encoding='utf-8') as handle:
        return [json.loads(line) for line in handle if line.strip()]


TRACEBACK_RE = re.compile(r'Traceback \(most recent call last\)|^\s+File "[^"]+", line \d+', re.M)


def assert_no_traceback(run):
    """No Python traceback anywhere: stdout, stderr, or a result (module_stderr, exception)."""
    assert not TRACEBACK_RE.search(run.stdout + run.stderr), run.output
    for record in run.records:
        text = json.dumps(record['result'])
        assert 'Traceback' not in text and 'module_stderr' not in record['result'], record


class _TCPServer(object):
    """A listening socket whose accepted connections go to ``handle`` in a thread."""

    def __init__(self, host, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.host, self.port = self.sock.getsockname()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.handle(conn, peer)

    def handle(self, conn, peer):
        raise NotImplementedError

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


class SilentListener(_TCPServer):
    """A plain TCP socket on ``host`` that records every connection it receives (and answers nothing)."""

    def __init__(self, host='127.0.0.2', port=0):
        self.received = []
        super().__init__(host, port)

    def handle(self, conn, peer):
        conn.settimeout(10)  # a client sends at once; a busy machine may take a while to run it
        try:
            data = conn.recv(4096)
        except OSError:
            data = b''
        self.received.append((peer, data))
        conn.close()

    def wait_for(self, count, timeout=120):
        """The connections received, once there are ``count`` (or after ``timeout`` s, a hang guard): a client
        may give up before this listener got to its connection, which it then records a little later."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


class RecordingProxy(_TCPServer):
    """A TCP forwarder on 127.0.0.1:PORT to ``target`` that keeps every byte the client sent.

    The emulator listens on another loopback address with the same port number, so the Host
    header the client signs (127.0.0.1:PORT) is one the emulator accepts.
    """

    def __init__(self, listen_port, target):
        self.target = target
        self.sent = bytearray()
        self.connections = 0
        self._lock = threading.Lock()
        super().__init__('127.0.0.1', listen_port)

    def handle(self, conn, peer):
        self.connections += 1
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            conn.close()
            return
        threading.Thread(target=self._pump, args=(conn, upstream, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(upstream, conn, False), daemon=True).start()

    def _pump(self, src, dst, record):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if record:
                    with self._lock:
                        self.sent.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def authorizations(self):
        """How many Authorization headers the client sent."""
        with self._lock:
            return bytes(self.sent).count(b'q-signature=')

    def signatures(self):
        """Every q-signature value the client sent."""
        with self._lock:
            text = bytes(self.sent).decode('latin-1')
        return set(re.findall(r'q-signature=([0-9a-f]{40})', text))
