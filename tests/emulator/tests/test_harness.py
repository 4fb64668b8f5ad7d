# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's one launcher, ``harness.py start|status|stop|credential``, as the demo, the
integration targets and molecule call it: a state file, the URL on stdout, a clean stop."""

import json
import os
import ssl
import subprocess
import sys

import pytest

from emu_client import Client
from harness import HERE, Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE
from tls_material import make_tls

HARNESS = os.path.join(HERE, 'harness.py')
LIST = {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '100'}


def harness(*argv):
    """Run the launcher; ``timeout`` is a hang guard."""
    return subprocess.run([sys.executable, HARNESS] + list(argv), capture_output=True, text=True, timeout=300,
                          check=False)


def test_start_status_stop(tmp_path):
    state_file = str(tmp_path / 'emulator.json')
    started = harness('start', '--state-file', state_file, '--lifetime', '300')
    assert started.returncode == 0, started.stderr
    with open(state_file, encoding='utf-8') as handle:
        state = json.load(handle)
    try:
        assert started.stdout == state['url'] + '\n' == 'http://127.0.0.1:%d\n' % state['port']
        assert set(state) == {'url', 'scheme', 'host', 'port', 'pid', 'log_dir'}
        # the launcher has exited; the emulator runs on with the sample data and the demo credential
        cli = Client('127.0.0.1', state['port'], DEMO_SECRET_ID, DEMO_SECRET_KEY)
        assert len(cli.call('/jobs', LIST).job_ids) == 12
        cli.close()
        status = harness('status', '--state-file', state_file)
        assert (status.returncode, status.stdout) == (0, state['url'] + '\n')
        # a second start with the same state file would lose the first one: refused
        again = harness('start', '--state-file', state_file)
        assert again.returncode == 1 and 'still runs (pid %d)' % state['pid'] in again.stderr
    finally:
        stopped = harness('stop', '--state-file', state_file)
    assert stopped.returncode == 0, stopped.stderr
    assert not os.path.exists(state_file) and not os.path.exists(state['log_dir'])
    with pytest.raises(OSError):
        Client('127.0.0.1', state['port'], DEMO_SECRET_ID, DEMO_SECRET_KEY, timeout=10).call('/jobs', LIST)
    status = harness('status', '--state-file', state_file)
    assert status.returncode == 1 and status.stdout == ''
    # stop is idempotent: nothing to do is no error
    assert harness('stop', '--state-file', state_file).returncode == 0


def test_start_passes_jobs_credentials_tls_and_faults_on(tmp_path):
    files = make_tls(tmp_path)
    jobs = tmp_path / 'jobs.jsonl'
    jobs.write_text('{"JobId": "a%s", "Tag": "Translation", "QueueId": "%s", "State": "Success", '
                    '"CreationTime": "2030-01-01T00:00:00+0800"}\n' % ('e' * 32, GOOD_QUEUE), encoding='utf-8')
    state_file = str(tmp_path / 'emulator.json')
    started = harness('start', '--state-file', state_file, '--jobs', str(jobs), '--credential', 'AKIDONE', 'KEYONE',
                      '--credential', 'AKIDTWO', 'KEYTWO', 'TOKENTWO', '--tls-cert', files['cert'], '--tls-key', files['key'],
                      '--fault', '503,count=1', '--lifetime', '300')
    assert started.returncode == 0, started.stderr
    try:
        with open(state_file, encoding='utf-8') as handle:
            emu = Emulator.attach(json.load(handle), ca_file=files['ca'])
        assert emu.url == started.stdout.strip() and emu.url.startswith('https://127.0.0.1:')
        context = ssl.create_default_context(cafile=files['ca'])
        one = Client('127.0.0.1', emu.port, 'AKIDONE', 'KEYONE', ssl_context=context)
        assert one.call('/jobs', LIST).status == 503  # the fault, once
        assert one.call('/jobs', LIST).job_ids == ['a' + 'e' * 32]
        one.close()
        two = Client('127.0.0.1', emu.port, 'AKIDTWO', 'KEYTWO', token='TOKENTWO', ssl_context=context)
        assert two.call('/jobs', LIST).status == 200
        two.close()
        demo = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY, ssl_context=context)
        assert demo.call('/jobs', LIST).code == 'InvalidAccessKeyId'  # only the credentials given
        demo.close()
        assert emu.stats()['requests']['by_status'] == {'503': 1, '200': 2, '403': 1}
    finally:
        assert harness('stop', '--state-file', state_file).returncode == 0


def test_start_passes_queues_habits_and_manual_clock_on(tmp_path):
    seeds = tmp_path / 'queues.jsonl'
    seeds.write_text('{"QueueId": "pseeded", "QueueType": "picture", "State": "Paused"}\n', encoding='utf-8')
    state_file = str(tmp_path / 'emulator.json')
    started = harness('start', '--state-file', state_file, '--queues', str(seeds), '--habits', 'plain', '--manual-clock',
                      '--lifetime', '300')
    assert started.returncode == 0, started.stderr
    try:
        with open(state_file, encoding='utf-8') as handle:
            emu = Emulator.attach(json.load(handle))
        cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        reply = cli.call('/picqueue')
        cli.close()
        assert reply.body.startswith(b'<?xml')  # plain habits
        assert [(q.findtext('QueueId'), q.findtext('State')) for q in reply.root.findall('QueueList')] == [('pseeded', 'Paused')]
        stats = emu.stats()
        assert stats['manual_clock'] is True and stats['habits'] == 'plain' and stats['transition_clock'] == 0
        assert emu.advance_clock(2.5) == 2.5
    finally:
        assert harness('stop', '--state-file', state_file).returncode == 0


def test_stop_never_signals_a_process_that_is_not_the_emulator(tmp_path):
    """A stale state file whose pid now belongs to another process: stop leaves that process alone."""
    other = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])
    log_dir = tmp_path / 'logs'
    log_dir.mkdir()
    (log_dir / 'port').write_text('1\n%d\n' % other.pid)
    state_file = tmp_path / 'emulator.json'
    state_file.write_text(json.dumps({'url': 'http://127.0.0.1:1', 'scheme': 'http', 'host': '127.0.0.1', 'port': 1,
                                      'pid': other.pid, 'log_dir': str(log_dir)}))
    try:
        assert harness('status', '--state-file', str(state_file)).returncode == 1
        assert harness('stop', '--state-file', str(state_file)).returncode == 0
        assert other.poll() is None  # still running
        assert not state_file.exists()
    finally:
        other.kill()
        other.wait()


def test_credential_and_usage_errors(tmp_path):
    assert harness('credential').stdout.split() == [DEMO_SECRET_ID, DEMO_SECRET_KEY]
    bad = harness('start', '--state-file', str(tmp_path / 's.json'), '--credential', 'ONLYID')
    assert bad.returncode == 2 and '--credential takes ID KEY [TOKEN]' in bad.stderr
    assert not (tmp_path / 's.json').exists()
    half = harness('start', '--state-file', str(tmp_path / 's.json'), '--tls-cert', 'x.pem')
    assert half.returncode == 2 and '--tls-cert and --tls-key go together' in half.stderr
    broken = harness('start', '--state-file', str(tmp_path / 's.json'), '--jobs', str(tmp_path / 'missing.jsonl'))
    assert broken.returncode == 1 and 'the emulator did not start' in broken.stderr and 'missing.jsonl' in broken.stderr
    assert not (tmp_path / 's.json').exists()
