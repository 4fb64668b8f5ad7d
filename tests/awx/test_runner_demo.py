# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The demo playbook run the way AWX runs a job template: through ansible-runner.

A private data directory holds the project (a copy of playbooks/), the extra variables, and the
environment that the AWX credential type (extensions/awx/credential_type_tencentcloud.yml)
injects, rendered from its injectors. ``ansible-runner run PDD -p demo.yml`` runs it without
process isolation against the emulator on 127.0.0.1; the assertions read the event stream
(artifacts/<ident>/job_events/*.json), as AWX does.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys

import jinja2
import jinja2.sandbox
import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulator'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'system'))

import harness  # noqa: E402 pylint: disable=wrong-import-position
import sysutil  # noqa: E402 pylint: disable=wrong-import-position

IDENT = 'demo'
CREDENTIAL_TYPE = os.path.join(REPO, 'extensions', 'awx', 'credential_type_tencentcloud.yml')
GATE_WAIT_TASK = 'Wait until every selected CI job has finished - Translation jobs of queue '
GATE_STOP_TASK = 'Stop the play when a job failed or was cancelled, an id is unknown, or too few jobs matched'


def sample_jobs(queue, tag='Translation'):
    """The sample data set's jobs of one queue and tag (the expectation, read independently)."""
    with open(harness.SAMPLE_JOBS) as handle:
        jobs = [json.loads(line) for line in handle if line.strip()]
    return [job for job in jobs if job['QueueId'] == queue and job['Tag'] == tag]


def collections_root():
    """Where the collection is: the tarball make test built and installed (QCI_INSTALL_ROOT), as AWX installs
    it into an execution environment; else the source tree's collections root."""
    installed = os.environ.get('QCI_INSTALL_ROOT', '')
    if installed and os.path.isfile(os.path.join(installed, 'ansible_collections', 'qcloud', 'ci', 'MANIFEST.json')):
        return installed
    return sysutil.COLLECTIONS_ROOT


def injected_environment(inputs):
    """The environment AWX injects for a credential of our credential type."""
    with open(CREDENTIAL_TYPE) as handle:
        injectors = yaml.safe_load(handle)['injectors']['env']
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    return dict((name, env.from_string(template).render(**inputs)) for name, template in injectors.items())


@pytest.fixture(scope='module')
def runner_run(tmp_path_factory):
    """Run the demo through ansible-runner once; return (process, events, private data dir, secret key)."""
    pdd = str(tmp_path_factory.mktemp('private_data_dir'))
    shutil.copytree(os.path.join(REPO, 'playbooks'), os.path.join(pdd, 'project'))
    os.makedirs(os.path.join(pdd, 'env'))
    with harness.Emulator(lifetime=300) as emu:
        envvars = injected_environment({'secret_id': emu.secret_id, 'secret_key': emu.secret_key})
        envvars['ANSIBLE_COLLECTIONS_PATH'] = collections_root()
        with open(os.path.join(pdd, 'env', 'envvars'), 'w') as handle:
            yaml.safe_dump(envvars, handle)
        with open(os.path.join(pdd, 'env', 'extravars'), 'w') as handle:
            yaml.safe_dump({'demo_endpoint_url': emu.url}, handle)
        runner = os.path.join(os.path.dirname(sys.executable), 'ansible-runner')
        env = dict(os.environ)
        for name in list(env):
            if name.startswith(('ANSIBLE_', 'TENCENTCLOUD_')):
                del env[name]  # only what the private data directory says
        env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
        process = subprocess.run([runner, 'run', pdd, '-p', 'demo.yml', '--ident', IDENT], env=env,
                                 capture_output=True, text=True, timeout=300, check=False)
        secret_key = emu.secret_key
    events = []
    for path in glob.glob(os.path.join(pdd, 'artifacts', IDENT, 'job_events', '*.json')):
        with open(path) as handle:
            events.append(json.load(handle))
    events.sort(key=lambda event: event['counter'])
    return process, events, pdd, secret_key


def find(events, kind, task_prefix):
    return [event for event in events
            if event['event'] == kind and event['event_data'].get('task', '').startswith(task_prefix)]


def test_the_run_succeeded(runner_run):
    process, events, pdd, dummy = runner_run
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    with open(os.path.join(pdd, 'artifacts', IDENT, 'status')) as handle:
        assert handle.read().strip() == 'successful'
    stats = [event for event in events if event['event'] == 'playbook_on_stats']
    assert len(stats) == 1
    assert stats[0]['event_data']['failures'] == {}
    assert stats[0]['event_data']['rescued'] == {'localhost': 1}  # the BAD queue's gate, rescued


def test_the_gate_passed_on_the_good_queue(runner_run):
    events = runner_run[1]
    good = sample_jobs(harness.GOOD_QUEUE)
    assert good and all(job['State'] == 'Success' for job in good)
    waits = find(events, 'runner_item_on_ok', GATE_WAIT_TASK + harness.GOOD_QUEUE)
    assert len(waits) == 1, [event['event_data'].get('task') for event in events]
    result = waits[0]['event_data']['res']
    assert waits[0]['event_data']['role'] == 'job_gate'
    assert waits[0]['event_data']['task_action'] == 'qcloud.ci.ci_jobs_info'
    assert result['summary']['all_succeeded'] is True
    assert result['summary']['total'] == len(good)
    assert result['changed'] is False
    facts = [event['event_data']['res']['ansible_facts']['job_gate_result']
             for event in find(events, 'runner_on_ok', 'Record the outcome in job_gate_result')]
    assert facts[0]['passed'] is True
    assert facts[0]['msg'] == 'job gate passed: %d jobs, all Success - Translation jobs of queue %s' % (
        len(good), harness.GOOD_QUEUE)


def test_the_gate_waited_for_the_slow_queue(runner_run):
    events = runner_run[1]
    slow = sample_jobs(harness.SLOW_QUEUE)
    assert slow and all(job['State'] != 'Success' and job.get('_Transitions') for job in slow)
    waits = find(events, 'runner_item_on_ok', GATE_WAIT_TASK + harness.SLOW_QUEUE)
    assert len(waits) == 1
    data = waits[0]['event_data']
    assert data['res']['summary']['by_state']['Success'] == len(slow)
    # The seed has none of them in Success: only the emulator's transitions, which fire after the demo restarts
    # its clock, make them succeed, so a gate that reports them all Success read them after that (no wall-clock
    # duration is asserted: a loaded machine delays every event stamp differently).
    resets = find(events, 'runner_on_ok', "4. Restart the emulator's clock")
    assert len(resets) == 1 and events.index(resets[0]) < events.index(waits[0])
    assert data['res']['summary']['finished'] is True


def test_the_gate_stopped_on_the_bad_queue_naming_every_failed_job(runner_run):
    events = runner_run[1]
    bad = sample_jobs(harness.BAD_QUEUE)
    failed = [job for job in bad if job['State'] in ('Failed', 'Cancel')]
    assert failed
    waits = find(events, 'runner_item_on_ok', GATE_WAIT_TASK + harness.BAD_QUEUE)
    assert len(waits) == 1
    assert sorted(waits[0]['event_data']['res']['summary']['failed_job_ids']) == sorted(job['JobId'] for job in failed)
    stops = find(events, 'runner_on_failed', GATE_STOP_TASK)
    assert len(stops) == 1
    assert stops[0]['event_data']['ignore_errors'] is False
    msg = stops[0]['event_data']['res']['msg']
    assert msg.startswith('job gate FAILED: %d of %d jobs did not succeed' % (len(failed), len(bad)))
    for job in failed:
        row = [line for line in msg.splitlines() if line.startswith(job['JobId'] + ' ')]
        assert len(row) == 1, msg
        for value in (job['Tag'], job['State'], job['Code'], job['Input']['Object']):
            assert value in row[0]
    rescued = find(events, 'runner_on_ok', '5. The gate stopped the deployment')
    assert len(rescued) == 1
    never = find(events, 'runner_on_ok', '5. Deploy (never reached')
    assert never == []


def test_no_secret_in_the_output_or_the_events(runner_run):
    # (artifacts/<ident>/command records the environment ansible-runner was given, the injected
    # credential included, as AWX's own job environment does; the playbook's output must not)
    process, dummy, pdd, secret_key = runner_run
    paths = glob.glob(os.path.join(pdd, 'artifacts', IDENT, 'job_events', '*.json'))
    paths += [os.path.join(pdd, 'artifacts', IDENT, 'stdout'), os.path.join(pdd, 'artifacts', IDENT, 'stderr')]
    assert len(paths) > 10
    for path in paths:
        with open(path, errors='replace') as handle:
            assert secret_key not in handle.read(), path
    assert secret_key not in process.stdout + process.stderr
