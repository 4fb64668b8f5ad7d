# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator as a process: command line, port file, signals, lifetime, Python versions, counters, transitions, control calls."""

import glob
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from emu_client import Client
from harness import EMULATOR, SAMPLE_JOBS, Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE, SLOW_QUEUE

LIST = {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '3'}
BASIC = ['--secret-id', DEMO_SECRET_ID, '--secret-key', DEMO_SECRET_KEY]


def interpreters():
    """Real CPython 3.9-3.13 binaries (pyenv shims of non-global versions do not run)."""
    root = os.environ.get('PYENV_ROOT', os.path.expanduser('~/.pyenv'))
    found = {}
    for minor in range(9, 14):
        for path in sorted(glob.glob(os.path.join(root, 'versions', '3.%d.*' % minor, 'bin', 'python3.%d' % minor))):
            found['3.%d' % minor] = path
    return found


def run(argv, timeout=30, python=sys.executable):
    return subprocess.run([python, EMULATOR] + argv, capture_output=True, text=True, timeout=timeout, check=False)


def start(tmp_path, argv):
    port_file = tmp_path / 'port'
    proc = subprocess.Popen([sys.executable, EMULATOR, '--port-file', str(port_file), '--lifetime', '60'] + argv,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120  # a hang guard: a busy machine may start it slowly
    while not port_file.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else 'timeout'
        time.sleep(0.02)
    return proc, port_file


def test_help_on_python_3_11():
    python = interpreters().get('3.11') or 'python3.11'
    result = subprocess.run([python, EMULATOR, '--help'], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0
    for word in ('--jobs', '--secret-id', '--token', '--fault', '--lifetime', '--port-file', 'repeat-token', '/_emulator/stats'):
        assert word in result.stdout


def test_runs_on_every_available_python(tmp_path):
    found = interpreters()
    if not found:
        pytest.skip('no pyenv interpreters found')
    for version, python in sorted(found.items()):
        result = subprocess.run([python, EMULATOR, '--help'], capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 0, (version, result.stderr)
    oldest = found[sorted(found, key=lambda v: int(v.split('.')[1]))[0]]
    with Emulator(python=oldest) as emu:
        cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        assert len(cli.call('/jobs', LIST).job_ids) == 3
        cli.close()
        assert emu.stop() == 0


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_port_file_listening_line_and_clean_stop(tmp_path, signum):
    proc, port_file = start(tmp_path, ['--jobs', SAMPLE_JOBS] + BASIC)
    port, pid = port_file.read_text().split()
    assert int(pid) == proc.pid
    assert port_file.read_text() == '%s\n%s\n' % (port, pid)
    assert proc.stdout.readline().strip() == 'listening on http://127.0.0.1:%s' % port
    socket.create_connection(('127.0.0.1', int(port)), timeout=5).close()
    proc.send_signal(signum)
    assert proc.wait(10) == 0
    assert not port_file.exists()
    proc.stdout.close()
    proc.stderr.close()


def test_lifetime_ends_the_process(tmp_path):
    # run()'s timeout is the hang guard: the process ends by itself, and says why
    result = run(['--jobs', SAMPLE_JOBS, '--lifetime', '0.5', '--port-file', str(tmp_path / 'p')] + BASIC, timeout=120)
    assert result.returncode == 0
    assert 'listening on http://127.0.0.1:' in result.stdout
    assert '--lifetime reached' in result.stderr
    assert not (tmp_path / 'p').exists()


def test_binds_only_where_told(tmp_path):
    proc, port_file = start(tmp_path, BASIC)
    port = int(port_file.read_text().split()[0])
    listening = subprocess.run(['ss', '-ltnH', 'sport = :%d' % port], capture_output=True, text=True, check=False).stdout
    proc.terminate()
    proc.wait(10)
    proc.stdout.close()
    proc.stderr.close()
    if not listening.strip():
        pytest.skip('ss not available')
    local = [line.split()[3] for line in listening.splitlines()]
    assert local == ['127.0.0.1:%d' % port]
    assert '128' in listening.split()[2]  # listen backlog: concurrent clients do not wait for SYN retries


@pytest.mark.parametrize('argv, message', [
    ([], 'secret-id'),
    (['--secret-id', 'a'], 'as many --secret-key'),
    (['--secret-id', 'a', '--secret-key', 'b', '--secret-id', 'c'], 'as many --secret-key'),
    (['--token', 't', '--secret-id', 'a', '--secret-key', 'b'], '--token must follow'),
    (['--secret-id', 'a', '--token', 't', '--token', 'u', '--secret-key', 'b'], 'twice'),
    (BASIC + ['--fault', 'boom'], 'kind must be one of'),
    (BASIC + ['--tls-cert', 'x.pem'], 'go together'),
    (BASIC + ['--port', '70000'], '--port'),
    (BASIC + ['--max-ids', '0'], '--max-ids must be a positive integer'),
    (BASIC + ['--max-ids', 'many'], '--max-ids'),
])
def test_bad_command_lines(argv, message):
    result = run(argv)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize('lines, message', [
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Success", "CreationTime": "2024-05-01T00:00:00+0800"}',
      '', '{not json'], ':3: not valid JSON'),
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Success"}'], ':1: CreationTime must be'),
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Done", "CreationTime": "2024-05-01T00:00:00+0800"}'], 'State must be'),
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Success", "CreationTime": "2024-05-01"}'], 'CreationTime'),
    (['{"JobId": "a,1", "Tag": "Translation", "QueueId": "q", "State": "Success", "CreationTime": "2024-05-01T00:00:00+0800"}'], 'JobId'),
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Success", "CreationTime": "2024-05-01T00:00:00+0800"}'] * 2,
     'duplicate JobId a1'),
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Success", "CreationTime": "2024-05-01T00:00:00+0800", '
      '"bad name": 1}'], 'XML element name'),
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Success", "CreationTime": "2024-05-01T00:00:00+0800", '
      '"_Transitions": [{"after": 1, "JobId": "b"}]}'], 'may not change JobId'),
    (['{"JobId": "a1", "Tag": "Translation", "QueueId": "q", "State": "Success", "CreationTime": "2024-05-01T00:00:00+0800", '
      '"_Transitions": [{"State": "Success"}]}'], '"after"'),
    (['[1, 2]'], 'JSON object'),
])
def test_bad_job_files(emu, tmp_path, lines, message):
    path = tmp_path / 'jobs.jsonl'
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    result = run(['--jobs', str(path)] + BASIC)
    assert result.returncode == 2
    assert '%s:%s' % (path, message.lstrip(':')) in result.stderr or message in result.stderr
    with pytest.raises(RuntimeError) as info:
        emu.load_jobs(str(path))
    assert '(400)' in str(info.value) and message.split(':')[-1].strip() in str(info.value)
    assert emu.stats()['jobs'] == 44  # the old set stays


def test_missing_jobs_file():
    result = run(['--jobs', '/nonexistent/jobs.jsonl'] + BASIC)
    assert result.returncode == 2 and 'cannot read /nonexistent/jobs.jsonl' in result.stderr


def test_several_job_files_and_credentials(tmp_path):
    extra = tmp_path / 'extra.jsonl'
    extra.write_text('{"JobId": "a%s", "Tag": "Translation", "QueueId": "%s", "State": "Success", '
                     '"CreationTime": "2030-01-01T00:00:00+0800"}\n' % ('e' * 32, GOOD_QUEUE), encoding='utf-8')
    with Emulator(jobs=[SAMPLE_JOBS, extra], credentials=[('AKID2', 'KEY2')]) as emu:
        assert emu.stats()['jobs'] == 45
        cli = Client('127.0.0.1', emu.port, 'AKID2', 'KEY2')
        assert cli.call('/jobs', LIST).job_ids[0] == 'a' + 'e' * 32
        cli.close()


def test_requests_are_counted_under_the_access_key_they_were_signed_with(emu):
    # what lets a system test count only its own clients' requests (tests/system/matrix.py own_counts)
    mine = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    stray = Client('127.0.0.1', emu.port, 'AKIDSTRAYCLIENT000000000000000000000', 'not-a-key-the-emulator-knows')
    assert mine.call('/jobs', LIST).status == 200
    assert stray.call('/jobs', LIST).status == 403
    assert stray.call('/jobs', LIST).status == 403
    stats = emu.stats()
    assert stats['requests']['by_access_key'] == {DEMO_SECRET_ID: 1, 'AKIDSTRAYCLIENT000000000000000000000': 2}
    assert stats['requests']['by_status'] == {'200': 1, '403': 2}


def test_counters_connections_and_keep_alive(emu):
    emu.stats()  # settles: a request of an earlier test still leaving the server is done before the reset
    emu.reset()
    first = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    for _round in range(5):
        assert first.call('/jobs', LIST).status == 200
    first.call('/jobs/' + 'a' * 33)
    first.call('/nope')
    first.call('/jobs', LIST, authorization='')
    # one request at a time on one connection: read before a second client's request can overlap the
    # moment the first's last answer is sent and its in-flight count not yet taken back
    assert emu.stats()['peak_in_flight'] == 1
    second = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    second.call('/jobs', LIST)
    stats = emu.stats()
    # per access key: the signed requests under the key they were signed with, the unsigned one under ''
    assert stats['requests'] == {'total': 9, 'by_status': {'200': 7, '404': 1, '401': 1},
                                 'by_kind': {'list': 7, 'get': 1, 'other': 1},
                                 'by_access_key': {DEMO_SECRET_ID: 8, '': 1}}
    assert stats['api_connections'] == 2
    assert stats['connections'] >= 3  # the two clients plus the harness's control calls
    assert stats['control_requests'] >= 1
    assert stats['serve_seconds']['list']['count'] == 6
    assert stats['in_flight'] == 0
    assert stats['jobs'] == 44
    first.close()
    second.close()
    emu.reset()
    stats = emu.stats()
    assert stats['requests']['total'] == 0 and stats['api_connections'] == 0 and stats['faults_injected']['total'] == 0


def test_control_endpoint_errors(emu):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for method, path, status in (('GET', 'nothing', 404), ('POST', 'stats', 405), ('GET', 'reset', 405)):
        request = urllib.request.Request('%s/_emulator/%s' % (emu.url, path), method=method, data=b'' if method == 'POST' else None)
        with pytest.raises(urllib.error.HTTPError) as info:
            opener.open(request, timeout=10)
        assert info.value.code == status
        assert 'error' in json.loads(info.value.read().decode('utf-8'))
    with pytest.raises(RuntimeError):
        emu.control('POST', 'faults', b'not json')


def _state(cli, job_id):
    detail = cli.call('/jobs/' + job_id).root.find('JobsDetail')
    return detail.findtext('State'), detail.findtext('StartTime'), detail.findtext('EndTime'), detail.findtext('Code'), detail


def _wait_clock(emu, seconds):
    while emu.stats()['transition_clock'] < seconds:
        time.sleep(0.03)


def test_transitions_reset_and_reload(emu):
    job = {'Code': '', 'Message': '', 'JobId': 'a' + '1' * 32, 'Tag': 'SpeechRecognition', 'State': 'Submitted',
           'CreationTime': '2024-05-01T00:00:00+0800', 'StartTime': '-', 'EndTime': '-', 'QueueId': SLOW_QUEUE,
           'Input': {'Object': 'x.mp3'}, 'Operation': {'UserData': 'u'},
           '_Transitions': [{'after': 1.4, 'State': 'Success', 'Code': 'Success',
                             'Operation': {'UserData': 'u', 'SpeechRecognitionResult': {'AudioTime': '1.0', 'Result': 'ok'}}},
                            {'after': 0.9, 'State': 'Running'}]}
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    assert emu.load_jobs([job, json.dumps(dict(job, JobId='a' + '2' * 32, _Transitions=[]))]) == {'jobs': 2}
    assert _state(cli, job['JobId'])[:3] == ('Submitted', '-', '-')
    _wait_clock(emu, 0.95)
    state, started, ended, _code, _detail = _state(cli, job['JobId'])
    assert state == 'Running' and started.startswith('20') and started.endswith('+0800') and ended == '-'
    _wait_clock(emu, 1.45)
    state, started2, ended, code, detail = _state(cli, job['JobId'])
    assert (state, code) == ('Success', 'Success') and started2 == started and ended >= started
    assert detail.findtext('Operation/SpeechRecognitionResult/Result') == 'ok'
    assert [c.tag for c in detail][:9] == ['Code', 'Message', 'JobId', 'Tag', 'State', 'CreationTime', 'StartTime', 'EndTime', 'QueueId']
    emu.reset()  # back to the loaded state, clock restarted
    assert _state(cli, job['JobId'])[:3] == ('Submitted', '-', '-')
    assert _state(cli, 'a' + '2' * 32)[0] == 'Submitted'
    emu.load_jobs(SAMPLE_JOBS)
    assert emu.stats()['jobs'] == 44
    cli.close()


def test_slow_queue_moves_on_its_own(emu):
    """The sample SLOW queue: nothing finished at start; its first job is Success 3 s after the (reset) start."""
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    params = {'queueId': SLOW_QUEUE, 'tag': 'Translation', 'size': '100', 'orderByTime': 'Asc'}
    states = [d.findtext('State') for d in cli.call('/jobs', params).root.findall('JobsDetail')]
    assert states in (['Submitted', 'Running'], ['Running', 'Running'])  # the first job starts running after 1 s
    _wait_clock(emu, 3.05)
    states = [d.findtext('State') for d in cli.call('/jobs', params).root.findall('JobsDetail')]
    assert states == ['Success', 'Running']  # the second one finishes at 5 s
    cli.close()


def _non_loopback_address():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(('10.255.255.255', 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith('127.') else address


def test_control_endpoint_answers_loopback_only(tmp_path):
    address = _non_loopback_address()
    if address is None:
        pytest.skip('no non-loopback IPv4 address on this machine')
    proc, port_file = start(tmp_path, BASIC + ['--host', '0.0.0.0'])
    port = int(port_file.read_text().split()[0])
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open('http://127.0.0.1:%d/_emulator/stats' % port, timeout=10) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as info:
            opener.open('http://%s:%d/_emulator/stats' % (address, port), timeout=10)
        assert info.value.code == 403
        # the API itself answers there (any IP literal is a valid Host on a wildcard bind)
        cli = Client(address, port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
        assert cli.call('/jobs', LIST).status == 200
        cli.close()
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
