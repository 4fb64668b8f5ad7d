# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret key, token or signature in any output, at -vvvv and with ANSIBLE_DEBUG=1.

A secret key and a session token unique to this run reach the collection the three ways users
pass them: play variables, an ansible-vault encrypted vars file, and TENCENTCLOUD_* environment
variables. With each, the module, the lookup and the role ``qcloud.ci.job_gate`` run at
``-vvvv`` four ways: succeeding, failing on a bad signature (403 SignatureDoesNotMatch), failing
on another 403 (InvalidAccessKeyId), and failing on an unreachable endpoint; then all of it
again with ANSIBLE_DEBUG=1, and the vault variant once more through ansible-runner.

The requests go through a recording proxy (the emulator listens on 127.0.0.3 on the same port),
so every ``q-signature`` value actually sent is known. None of the key, the token, those
signatures, or an Authorization header (``q-sign-algorithm``/``q-signature``) may appear in
stdout, stderr, the task results (the ``qci_record`` callback's JSON) or the ansible-runner
artifacts, with ONE exception, named precisely below (``DEBUG_MODULE_ARGS``): the debug line in
which ansible-core itself prints a module's raw arguments under ANSIBLE_DEBUG, which its
documentation (config DEFAULT_DEBUG) says "can also include secret information despite no_log
settings being enabled".
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest

from harness import GOOD_QUEUE

import sysutil

RUN = secrets.token_hex(6)
SECRET_ID = 'AKIDSECRETS%s' % RUN.upper()
SECRET_KEY = 'qciKey%s' % secrets.token_hex(16)
TOKEN = 'qciToken%s' % secrets.token_urlsafe(24)
OTHER_ID = 'AKIDOTHER%s' % RUN.upper()           # known to the emulator with another key: bad signature
UNKNOWN_ID = 'AKIDUNKNOWN%s' % RUN.upper()       # unknown to the emulator: 403 InvalidAccessKeyId
SELECTION = dict(queue_id=GOOD_QUEUE, tag='Translation')
SOURCES = ('vars', 'vault', 'env')
OUTCOMES = ('ok', 'bad signature', 'unknown key id', 'unreachable')
EXPECTED = {
    'ok': None,
    'bad signature': 'HTTP 403 SignatureDoesNotMatch',
    'unknown key id': 'HTTP 403 InvalidAccessKeyId',
    'unreachable': 'connection error (connection refused)',
}

# ansible-core before 2.21 always returns the module's arguments in ``invocation`` (shown at -vvv);
# 2.21 does when this is set. Either way no_log must mask the secrets there.
INVOCATION = {'ANSIBLE_INJECT_INVOCATION': '1'}

# The one allowed exception: with ANSIBLE_DEBUG=1, ansible-core's ActionBase._execute_module
# (ansible/plugins/action/__init__.py) ends with
#     display.debug("done with _execute_module (%s, %s)" % (module_name, module_args))
# which prints "<pid> <epoch>: done with _execute_module (<module>, {<raw arguments>})" before any
# no_log masking. Only such a line, naming our module, is exempt.
DEBUG_MODULE_ARGS = re.compile(r"^ *\d+ \d+\.\d+: done with _execute_module \(qcloud\.ci\.ci_jobs_info, \{.*\}\)$")


@pytest.fixture(scope='module')
def proxied(emulators):
    """The emulator on 127.0.0.3:P behind a recording proxy on 127.0.0.1:P."""
    for dummy in range(10):
        emu = emulators(host='127.0.0.3', secret_id=SECRET_ID, secret_key=SECRET_KEY, token=TOKEN,
                        credentials=[(OTHER_ID, 'qciOtherKey%s' % secrets.token_hex(8))])
        try:
            proxy = sysutil.RecordingProxy(emu.port, ('127.0.0.3', emu.port))
        except OSError:
            emu.stop()
            continue
        yield emu, proxy
        proxy.close()
        return
    pytest.fail('no port free on both 127.0.0.1 and 127.0.0.3')


def vault_files(workdir):
    """A vault password file and a vault-encrypted vars file with the credentials."""
    password = os.path.join(workdir, 'vault-password')
    with open(password, 'w', encoding='ascii') as handle:
        handle.write(secrets.token_hex(16) + '\n')
    os.chmod(password, 0o600)
    plain = os.path.join(workdir, 'credentials.yml')
    with open(plain, 'w', encoding='utf-8') as handle:
        json.dump({'qcloud_ci_secret_id': SECRET_ID, 'qcloud_ci_secret_key': SECRET_KEY,
                   'qcloud_ci_security_token': TOKEN}, handle)
    subprocess.run([sysutil.tool('ansible-vault'), 'encrypt', '--vault-password-file', password, plain],
                   check=True, capture_output=True, env=sysutil.ansible_env(workdir))
    with open(plain, encoding='utf-8') as handle:
        assert handle.read().startswith('$ANSIBLE_VAULT;')
    return password, plain


def playbook(source, endpoint, dead_endpoint, vault_vars=None):
    """Module, lookup and role, four outcomes each, with the credentials from ``source``."""
    connection = dict(endpoint_url=endpoint, bucket=sysutil.BUCKET, retries=1)
    variables = {}
    vars_files = []
    if source == 'vars':
        variables = {'ci_secret_id': SECRET_ID, 'ci_secret_key': SECRET_KEY, 'ci_token': TOKEN}
        refs = {'secret_id': '{{ ci_secret_id }}', 'secret_key': '{{ ci_secret_key }}',
                'security_token': '{{ ci_token }}'}
        # the lookup reads qcloud_ci_* variables, here templates of the play's own variables
        variables.update(dict(('qcloud_ci_%s' % k, v) for k, v in refs.items()))
    elif source == 'vault':
        vars_files = [vault_vars]
        refs = {'secret_id': '{{ qcloud_ci_secret_id }}', 'secret_key': '{{ qcloud_ci_secret_key }}',
                'security_token': '{{ qcloud_ci_security_token }}'}
    else:
        refs = {}  # TENCENTCLOUD_* in the environment, read by the module and the lookup
    tasks = []
    for outcome in OUTCOMES:
        override = {}
        if outcome == 'bad signature':
            override = {'secret_id': OTHER_ID}
        elif outcome == 'unknown key id':
            override = {'secret_id': UNKNOWN_ID}
        elif outcome == 'unreachable':
            override = {'endpoint_url': dead_endpoint}
        role_vars = dict(('job_gate_%s' % k, v) for k, v in dict(refs, **override).items())
        role_vars.update(job_gate_endpoint_url=override.get('endpoint_url', endpoint), job_gate_bucket=sysutil.BUCKET,
                         job_gate_queue_id=GOOD_QUEUE, job_gate_tag='Translation', job_gate_wait_timeout=5)
        tasks += [
            {'name': 'module %s' % outcome, sysutil.MODULE: dict(SELECTION, **override), 'ignore_errors': True},
            {'name': 'lookup %s' % outcome, 'ignore_errors': True,
             'ansible.builtin.set_fact': {'qci_ids': sysutil.lookup_expr(retries=1, **dict(SELECTION, **override))}},
            {'name': 'role %s' % outcome, 'block': [
                {'name': 'gate %s' % outcome, 'ansible.builtin.include_role': {'name': 'qcloud.ci.job_gate'},
                 'vars': role_vars}],
             'rescue': [{'name': 'role %s failed' % outcome, 'ansible.builtin.debug': {'msg': 'gate stopped'}}]},
        ]
    lookup_vars = dict(('qcloud_ci_%s' % k, v) for k, v in connection.items())
    play = sysutil.play(tasks, connection_vars=lookup_vars, module_defaults=dict(connection, **refs),
                        extra_vars=variables)
    if vars_files:
        play['vars_files'] = vars_files
    return [play]


def secret_env():
    return {'TENCENTCLOUD_SECRET_ID': SECRET_ID, 'TENCENTCLOUD_SECRET_KEY': SECRET_KEY,
            'TENCENTCLOUD_SECURITY_TOKEN': TOKEN}


@pytest.fixture(scope='module')
def dead_endpoint():
    """The URL of a port that refuses connections, held for the whole test file (sysutil.RefusingPort)."""
    with sysutil.RefusingPort() as port:
        yield port.url


@pytest.fixture(scope='module')
def secret_runs(proxied, dead_endpoint, tmp_path_factory):
    emu, proxy = proxied
    base = str(tmp_path_factory.mktemp('secrets'))
    password, vault_vars = vault_files(base)
    endpoint = 'http://127.0.0.1:%d' % proxy.port
    dead = dead_endpoint
    jobs = []
    for debug in (False, True):
        for source in SOURCES:
            env = dict(secret_env() if source == 'env' else {}, ANSIBLE_DEBUG='1' if debug else '0', **INVOCATION)
            args = ['-vvvv'] + (['--vault-password-file', password] if source == 'vault' else [])
            jobs.append(dict(plays=playbook(source, endpoint, dead, vault_vars), env=env, args=args,
                             workdir=os.path.join(base, '%s-%s' % (source, 'debug' if debug else 'vvvv'))))
    runs = sysutil.run_playbooks(jobs)
    keyed = {}
    for job, run in zip(jobs, runs):
        keyed[os.path.basename(job['workdir'])] = run
    return keyed, proxy


def needles(proxy):
    signatures = proxy.signatures()
    return [SECRET_KEY, TOKEN] + sorted(signatures), signatures


def find_leaks(text, where, values, allow_debug_args=False):
    """Every line of ``text`` that holds a secret value or an Authorization header, but the exception."""
    found = []
    for line in text.splitlines():
        hit = [v for v in values if v in line] + [h for h in ('q-signature', 'q-sign-algorithm') if h in line]
        if not hit:
            continue
        if allow_debug_args and DEBUG_MODULE_ARGS.match(line):
            continue
        found.append('%s: %s ... in %r' % (where, ', '.join(h[:12] + '...' for h in hit), line[:300]))
    return found


def read_tree(path):
    texts = []
    for folder, dummy, files in os.walk(path):
        for name in files:
            with open(os.path.join(folder, name), 'rb') as handle:
                texts.append((os.path.join(folder, name), handle.read().decode('utf-8', 'replace')))
    return texts


def test_the_runs_did_what_they_should(secret_runs):
    runs, proxy = secret_runs
    assert set(runs) == set('%s-%s' % (s, d) for s in SOURCES for d in ('vvvv', 'debug'))
    for name, run in runs.items():
        sysutil.assert_no_traceback(run)
        for outcome in OUTCOMES:
            module = run.task('module %s' % outcome)
            lookup = run.task('lookup %s' % outcome)
            if EXPECTED[outcome] is None:
                assert module['status'] == lookup['status'] == 'ok', (name, module, lookup)
                assert module['result']['summary']['total'] == 12
                assert len(lookup['result']['ansible_facts']['qci_ids']) == 12
            else:
                assert module['status'] == lookup['status'] == 'failed', (name, module, lookup)
                assert EXPECTED[outcome] in module['result']['msg'], (name, module['result']['msg'])
                assert EXPECTED[outcome] in lookup['result']['msg'], (name, lookup['result']['msg'])
        # the role passed when the credentials were right, and was stopped (rescued) otherwise
        rescued = [r['task'] for r in run.records if r['task'].startswith('role ') and r['task'].endswith(' failed')]
        assert rescued == ['role %s failed' % o for o in OUTCOMES if EXPECTED[o] is not None], (name, rescued)
        assert 'job gate passed' in run.stdout, name
    # every run that reached the emulator signed one request (the 403s are not retried): module, lookup
    # and role, succeeding and with two kinds of 403, in each playbook; that is what there was to look for
    assert proxy.authorizations() == 3 * 3 * len(runs)
    assert len(proxy.signatures()) > len(runs)


@pytest.mark.parametrize('debug', ['vvvv', 'debug'])
@pytest.mark.parametrize('source', SOURCES)
def test_no_secret_in_output_or_results(secret_runs, source, debug):
    runs, proxy = secret_runs
    run = runs['%s-%s' % (source, debug)]
    values, dummy = needles(proxy)
    leaks = find_leaks(run.stdout, 'stdout', values, allow_debug_args=debug == 'debug')
    leaks += find_leaks(run.stderr, 'stderr', values, allow_debug_args=debug == 'debug')
    leaks += find_leaks(json.dumps([r['result'] for r in run.records]), 'results', values)
    assert leaks == []
    # error messages never carry a request header
    for record in run.records:
        if record['status'] == 'failed':
            msg = record['result'].get('msg', '')
            for header in ('Authorization', 'x-ci-security-token', 'User-Agent', 'Host:'):
                assert header not in msg


def test_the_debug_exception_is_the_only_one(secret_runs):
    """The exempt line exists under ANSIBLE_DEBUG (so the exception is real) and never without it."""
    runs, proxy = secret_runs
    values, dummy = needles(proxy)
    for source in SOURCES:
        lines = [line for line in runs['%s-debug' % source].stdout.splitlines() + runs['%s-debug' % source].stderr
                 .splitlines() if SECRET_KEY in line or TOKEN in line]
        if source != 'env':  # from the environment, the module reads the key itself: no argument carries it
            assert lines, 'ansible-core printed no raw module arguments under ANSIBLE_DEBUG: is the exception stale?'
        assert all(DEBUG_MODULE_ARGS.match(line) for line in lines)
        assert find_leaks(runs['%s-vvvv' % source].stdout + runs['%s-vvvv' % source].stderr, 'vvvv', values) == []


def test_ansible_runner_artifacts_hold_no_secret(proxied, dead_endpoint, tmp_path):
    pytest.importorskip('ansible_runner')
    emu, proxy = proxied
    base = str(tmp_path)
    password, vault_vars = vault_files(base)
    private = os.path.join(base, 'runner')
    os.makedirs(os.path.join(private, 'project'))
    os.makedirs(os.path.join(private, 'env'))
    os.makedirs(os.path.join(private, 'inventory'))
    with open(os.path.join(private, 'inventory', 'hosts'), 'w', encoding='utf-8') as handle:
        handle.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    plays = playbook('vault', 'http://127.0.0.1:%d' % proxy.port, dead_endpoint, vault_vars)
    with open(os.path.join(private, 'project', 'gate.yml'), 'w', encoding='utf-8') as handle:
        json.dump(plays, handle)
    env = sysutil.ansible_env(base, INVOCATION)
    with open(os.path.join(private, 'env', 'envvars'), 'w', encoding='utf-8') as handle:
        json.dump(dict((k, v) for k, v in env.items() if k.startswith(('ANSIBLE_', 'QCI_'))), handle)
    runner = os.path.join(os.path.dirname(sys.executable), 'ansible-runner')
    proc = subprocess.run([runner if os.path.exists(runner) else 'ansible-runner', 'run', private, '-p', 'gate.yml', '-vvvv',
                           '--cmdline', '--vault-password-file %s' % password],
                          env=env, capture_output=True, timeout=1800, check=False)
    out = proc.stdout.decode('utf-8', 'replace') + proc.stderr.decode('utf-8', 'replace')
    artifacts = read_tree(os.path.join(private, 'artifacts'))
    events = [name for name, dummy in artifacts if '/job_events/' in name]
    assert events, out[-3000:]
    assert any('module ok' in text for name, text in artifacts if '/job_events/' in name)
    assert 'job gate passed' in out
    values, dummy = needles(proxy)
    leaks = find_leaks(out, 'runner output', values)
    for name, text in artifacts:
        leaks += find_leaks(text, name, values)
    assert leaks == []
