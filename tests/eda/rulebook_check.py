#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-rulebook runs the collection's EDA plugins, installed from its tarball (stage eda-rulebook, issue 16).

Run with the eda lane's Python (ansible-rulebook, ansible-core, requests, xmltodict):

    python tests/eda/rulebook_check.py COLLECTION_TARBALL

1. polling: rulebooks/failed_jobs.yml (qcloud.ci.ci_jobs against the emulator) runs twice with one
   state file while the emulator's jobs move through states; record.yml must have run exactly once
   per failed job, across the restart;
2. webhook: rulebooks/webhook.yml (eda.builtin.webhook + qcloud.ci.ci_callback) receives the JSON
   callback the emulator pushes when a job fails, and runs record.yml for it.

Timeouts are hang guards only. Exit code 0 when both hold; the output says what happened.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RULEBOOKS = os.path.join(HERE, 'rulebooks')
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'emulator'))

from harness import DEMO_BUCKET, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE, Emulator  # noqa: E402 pylint: disable=wrong-import-position

GUARD = 120  # seconds: a hang guard for one ansible-rulebook run


def job(job_id, state, age=60, transitions=None):
    created = time.gmtime(time.time() - age)
    line = {'JobId': job_id, 'Tag': 'Translation', 'QueueId': GOOD_QUEUE, 'State': state, 'Code': 'Success',
            'Message': '', 'CreationTime': time.strftime('%Y-%m-%dT%H:%M:%S+0000', created),
            'Input': {'Object': 'in/%s.txt' % job_id}}
    if transitions:
        line['_Transitions'] = transitions
    return line


def install(tarball, work):
    root = os.path.join(work, 'collections')
    done = subprocess.run(['ansible-galaxy', 'collection', 'install', '--force', '-p', root, tarball], check=False,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        raise SystemExit('FAIL: cannot install %s:\n%s' % (tarball, done.stdout))
    print('installed %s into %s' % (os.path.basename(tarball), root))
    return root


def rulebook(name, variables, work, env):
    """Run one rulebook to its end; returns its output."""
    vars_file = os.path.join(work, name + '.vars.json')
    with open(vars_file, 'w', encoding='utf-8') as handle:
        json.dump(variables, handle)
    argv = ['ansible-rulebook', '-r', os.path.join(RULEBOOKS, name + '.yml'), '-i', os.path.join(RULEBOOKS, 'inventory.yml'),
            '--vars', vars_file, '--shutdown-delay', '30']
    done = subprocess.run(argv, cwd=RULEBOOKS, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=GUARD, check=False)
    if done.returncode != 0:
        raise SystemExit('FAIL: ansible-rulebook %s exited with %d:\n%s' % (name, done.returncode, done.stdout))
    return done.stdout


def records(path):
    """How many times record.yml ran per job id (one line per run: job id and event uuid)."""
    if not os.path.exists(path):
        return {}
    with open(path, encoding='utf-8') as handle:
        return dict(collections.Counter(line.split()[0] for line in handle if line.strip()))


def check_polling(emu, work, env):
    record = os.path.join(work, 'polled.txt')
    common = dict(ci_bucket=DEMO_BUCKET, ci_endpoint_url=emu.url, ci_secret_id=DEMO_SECRET_ID, ci_secret_key=DEMO_SECRET_KEY,
                  ci_queue_id=GOOD_QUEUE, ci_state_file=os.path.join(work, 'state.json'), record_file=record)
    emu.load_jobs([job('moves', 'Submitted', transitions=[{'after': 0.5, 'State': 'Running'}, {'after': 1.5, 'State': 'Failed'}]),
                   job('failed-early', 'Failed'), job('fine', 'Success'), job('later', 'Running'),
                   job('too-old', 'Failed', age=3 * 3600)])
    out = rulebook('failed_jobs', dict(common, ci_max_polls=3), work, env)
    first = records(record)
    # the restart: the same state file; 'later' fails while the source is down, 'new' appears
    emu.load_jobs([job('moves', 'Failed'), job('failed-early', 'Failed'), job('fine', 'Success'), job('later', 'Failed'),
                   job('new', 'Failed', age=5), job('too-old', 'Failed', age=3 * 3600)])
    out += rulebook('failed_jobs', dict(common, ci_max_polls=2), work, env)
    final = records(record)
    expected = {'moves': 1, 'failed-early': 1, 'later': 1, 'new': 1}
    print('polling: record.yml runs per job after run 1: %s; after the restart: %s' % (first, final))
    if final != expected:
        raise SystemExit('FAIL: expected exactly one run per failed job %s, got %s\n%s' % (expected, final, out))
    if DEMO_SECRET_KEY in out:
        raise SystemExit('FAIL: the secret key appears in the output of ansible-rulebook')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_listening(port, process):
    end = time.monotonic() + GUARD
    while time.monotonic() < end and process.poll() is None:
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def check_webhook(emu, work, env):
    record = os.path.join(work, 'pushed.txt')
    port = free_port()
    vars_file = os.path.join(work, 'webhook.vars.json')
    with open(vars_file, 'w', encoding='utf-8') as handle:
        json.dump({'webhook_port': port, 'record_file': record}, handle)
    argv = ['ansible-rulebook', '-r', os.path.join(RULEBOOKS, 'webhook.yml'), '-i', os.path.join(RULEBOOKS, 'inventory.yml'),
            '--vars', vars_file, '--shutdown-delay', '30']
    log = open(os.path.join(work, 'webhook.log'), 'w+', encoding='utf-8')  # pylint: disable=consider-using-with
    process = subprocess.Popen(argv, cwd=RULEBOOKS, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_listening(port, process):
            raise SystemExit('FAIL: the webhook rulebook did not listen on port %d' % port)
        emu.control('POST', 'callback', {'url': 'http://127.0.0.1:%d/endpoint' % port, 'format': 'json'})
        emu.load_jobs([job('pushed', 'Running', transitions=[{'after': 0.3, 'State': 'Failed'}]), job('ok', 'Success')])
        code = process.wait(timeout=GUARD)
        pushed = emu.control('GET', 'callback')['sent']
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        emu.control('POST', 'callback', {'url': ''})
        log.seek(0)
        output = log.read()
        log.close()
    got = records(record)
    print('webhook: callbacks pushed %s; record.yml runs per job: %s' % (pushed, got))
    if code != 0 or got != {'pushed': 1}:
        raise SystemExit('FAIL: expected one run for job pushed (exit code %s), got %s\n%s' % (code, got, output))


def main():
    tarball = sys.argv[1]
    work = tempfile.mkdtemp(prefix='qci-eda-')
    try:
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=install(tarball, work), ANSIBLE_LOCAL_TEMP=os.path.join(work, 'tmp'))
        with Emulator(lifetime=600) as emu:
            check_polling(emu, work, env)
            check_webhook(emu, work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('OK: the rulebooks ran the playbook exactly once per failed job (polling, with a restart) and on the pushed callback')


if __name__ == '__main__':
    main()
