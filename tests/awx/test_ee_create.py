# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The execution environment: execution-environment.yml (ansible-builder 3) becomes a build context
that installs the collection from the tarball built from this tree, and the collection's
meta/execution-environment.yml hands its Python and system requirements to ansible-builder.

Then the image itself: ``hack/ee-build.sh`` (``make ee``) builds it with ansible-builder and podman
on a locally built base, and the gate runs inside it as AWX runs a job template: ``ansible-runner
run --process-isolation`` with the image, the credential injected as the AWX credential type's
injectors set it, against the emulator on the host. When the image cannot be built (podman missing
and not installable) the tests fail with the script's message: they never pass without running.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
TARBALL_NAME = 'qcloud-ci.tar.gz'  # the fixed name execution-environment.yml expects in dist/
EE_BUILD = os.path.join(REPO, 'hack', 'ee-build.sh')
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulator'))

import harness  # noqa: E402 pylint: disable=wrong-import-position
from test_runner_demo import injected_environment, sample_jobs  # noqa: E402 pylint: disable=wrong-import-position

# one gate per run, as a job template of AWX runs it
GATE_PLAYBOOK = [{'name': 'Gate on the CI jobs', 'hosts': 'localhost', 'gather_facts': False,
                  'roles': [{'role': 'qcloud.ci.job_gate'}]}]
ARTIFACT_KEYS = ['failed_job_ids', 'missing_job_ids', 'msg', 'passed', 'paused_job_ids', 'paused_queue_ids', 'selection', 'summary',
                 'vanished_job_ids']


def run(*argv, **kwargs):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=kwargs.pop('collections_path', os.environ.get(
        'ANSIBLE_COLLECTIONS_PATH', '')))
    process = subprocess.run([os.path.join(BIN, argv[0])] + list(argv[1:]), env=env, capture_output=True, text=True,
                             check=False, **kwargs)
    assert process.returncode == 0, '%s failed:\n%s\n%s' % (' '.join(argv), process.stdout, process.stderr)
    return process.stdout


def sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def requirement_lines(path):
    with open(path) as handle:
        return [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    """Take the tarball (make test's one build, QCI_TARBALL, or build it), lay it out as the EE file expects,
    run ansible-builder create."""
    work = str(tmp_path_factory.mktemp('ee'))
    dist = os.path.join(work, 'dist')
    os.makedirs(dist)
    if os.environ.get('QCI_TARBALL'):
        shutil.copy(os.environ['QCI_TARBALL'], dist)
    else:
        run('ansible-galaxy', 'collection', 'build', '--force', '--output-path', dist, REPO)
    tarballs = [name for name in os.listdir(dist) if name.startswith('qcloud-ci-') and name.endswith('.tar.gz')]
    assert len(tarballs) == 1, tarballs
    shutil.copy(os.path.join(dist, tarballs[0]), os.path.join(dist, TARBALL_NAME))
    shutil.copy(os.path.join(REPO, 'execution-environment.yml'), work)
    context = os.path.join(work, 'context')
    run('ansible-builder', 'create', '-f', os.path.join(work, 'execution-environment.yml'), '-c', context,
        '--output-filename', 'Containerfile')
    return {'work': work, 'tarball': os.path.join(dist, tarballs[0]), 'context': context}


def test_the_definition_is_version_3_and_installs_the_local_tarball():
    with open(os.path.join(REPO, 'execution-environment.yml')) as handle:
        definition = yaml.safe_load(handle)
    assert definition['version'] == 3
    collections = definition['dependencies']['galaxy']['collections']
    assert collections == [{'name': 'collections/' + TARBALL_NAME, 'type': 'file'}]
    assert {'src': 'dist/' + TARBALL_NAME, 'dest': 'collections'} in definition['additional_build_files']


def test_the_context_has_the_containerfile_and_the_collection(built):
    context = built['context']
    with open(os.path.join(context, 'Containerfile')) as handle:
        containerfile = handle.read()
    assert 'ARG EE_BASE_IMAGE="quay.io/fedora/python-312:latest"' in containerfile
    assert 'FROM $EE_BASE_IMAGE AS base' in containerfile
    assert 'ansible-core>=2.16,<2.22' in containerfile and 'ansible-runner' in containerfile
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    assert 'introspect.py introspect --write-bindep' in containerfile  # the collection's requirements go in
    copied = os.path.join(context, '_build', 'collections', TARBALL_NAME)
    assert os.path.isfile(copied)
    assert sha256(copied) == sha256(built['tarball'])
    with open(os.path.join(context, '_build', 'requirements.yml')) as handle:
        assert yaml.safe_load(handle) == {'collections': [{'name': 'collections/' + TARBALL_NAME, 'type': 'file'}]}


def test_the_tarball_is_this_collection_with_its_ee_metadata(built):
    with open(os.path.join(REPO, 'galaxy.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    with tarfile.open(built['tarball']) as archive:
        names = set(archive.getnames())
        manifest = json.load(archive.extractfile('MANIFEST.json'))
        ee_meta = yaml.safe_load(archive.extractfile('meta/execution-environment.yml'))
    info = manifest['collection_info']
    assert (info['namespace'], info['name'], info['version']) == ('qcloud', 'ci', galaxy['version'])
    assert ee_meta == {'version': 1, 'dependencies': {'python': 'requirements.txt', 'system': 'bindep.txt'}}
    for path in ('requirements.txt', 'bindep.txt', 'roles/job_gate/meta/argument_specs.yml',
                 'roles/job_gate/tasks/main.yml', 'plugins/modules/ci_jobs_info.py', 'playbooks/demo.yml'):
        assert path in names, path


def test_introspect_reads_the_collection_requirements(built, tmp_path):
    install = str(tmp_path / 'collections')
    run('ansible-galaxy', 'collection', 'install', '--no-deps', '-p', install, built['tarball'], collections_path=install)
    pip_out, bindep_out = str(tmp_path / 'pip.txt'), str(tmp_path / 'bindep.txt')
    run('ansible-builder', 'introspect', '--write-pip', pip_out, '--write-bindep', bindep_out, install)
    for ours, theirs in (('requirements.txt', pip_out), ('bindep.txt', bindep_out)):
        expected = requirement_lines(os.path.join(REPO, ours))
        assert expected, ours
        assert sorted(requirement_lines(theirs)) == sorted(expected), ours


# --- the image, built and run

def host_env():
    """The environment for podman and ansible-runner on the host: this venv first, no ANSIBLE_* or credential."""
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith(('ANSIBLE_', 'TENCENTCLOUD_')))
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    conf = subprocess.run([EE_BUILD, '--containers-conf'], env=env, capture_output=True, text=True, check=True)
    env['CONTAINERS_CONF'] = conf.stdout.strip()  # runc and ulimits this machine allows
    return env


@pytest.fixture(scope='module')
def image():
    """``make ee``: the image name and the host environment to run it with."""
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    started = time.monotonic()
    process = subprocess.run([EE_BUILD], env=env, capture_output=True, text=True, timeout=3600, check=False)
    assert process.returncode == 0, 'the EE image could not be built (hack/ee-build.sh):\n' + process.stderr[-5000:]
    name = process.stdout.strip().splitlines()[-1]
    print('\n'.join(['', 'ee: build %.0f s (hack/ee-build.sh)' % (time.monotonic() - started)]
                    + [line for line in process.stderr.splitlines() if line.startswith('ee: ')]))
    return name, host_env()


def in_image(image, *argv):
    name, env = image
    process = subprocess.run(['podman', 'run', '--rm', '--network', 'host', name] + list(argv), env=env,
                             capture_output=True, text=True, timeout=600, check=False)
    assert process.returncode == 0, '%s failed in the image:\n%s\n%s' % (' '.join(argv), process.stdout, process.stderr)
    return process.stdout


def test_the_image_holds_the_collection_and_its_requirements(image):
    with open(os.path.join(REPO, 'galaxy.yml')) as handle:
        version = yaml.safe_load(handle)['version']
    listed = [line.split() for line in in_image(image, 'ansible-galaxy', 'collection', 'list').splitlines()]
    assert ['qcloud.ci', version] in listed
    assert in_image(image, 'python', '-c', 'import requests, xmltodict; print("ok")').strip() == 'ok'


def test_ansible_doc_renders_the_module_in_the_image(image):
    doc = in_image(image, 'ansible-doc', 'qcloud.ci.ci_jobs_info')
    assert 'qcloud.ci.ci_jobs_info' in doc
    for option in ('queue_id', 'wait_timeout', 'secret_key', 'TENCENTCLOUD_SECRET_KEY'):
        assert option in doc, option


@pytest.fixture(scope='module')
def runs(image, tmp_path_factory):
    """The gate on the GOOD and the BAD queue, each one ansible-runner run with process isolation in the image."""
    name, env = image
    results = {}
    with harness.Emulator(lifetime=600) as emu:
        for case, queue in (('pass', harness.GOOD_QUEUE), ('stop', harness.BAD_QUEUE)):
            pdd = str(tmp_path_factory.mktemp('pdd-' + case))
            for part in ('project', 'env'):
                os.makedirs(os.path.join(pdd, part))
            with open(os.path.join(pdd, 'project', 'gate.yml'), 'w') as handle:
                yaml.safe_dump(GATE_PLAYBOOK, handle)
            with open(os.path.join(pdd, 'env', 'envvars'), 'w') as handle:
                yaml.safe_dump(injected_environment({'secret_id': emu.secret_id, 'secret_key': emu.secret_key}), handle)
            with open(os.path.join(pdd, 'env', 'extravars'), 'w') as handle:
                yaml.safe_dump({'job_gate_bucket': harness.DEMO_BUCKET, 'job_gate_endpoint_url': emu.url,
                                'job_gate_queue_id': queue, 'job_gate_tag': 'Translation'}, handle)
            started = time.monotonic()
            process = subprocess.run(
                ['ansible-runner', 'run', pdd, '-p', 'gate.yml', '--ident', case, '--process-isolation',
                 '--process-isolation-executable', 'podman', '--container-image', name,
                 # the emulator on the host's 127.0.0.1; the container's user is the caller's (root here), as
                 # rootless podman maps it for AWX, so it can write the artifacts into the private data directory
                 '--container-option=--network=host', '--container-option=--user=%d' % os.geteuid()],
                env=env, capture_output=True, text=True, timeout=900, check=False)
            print('ee: ansible-runner run in the image (%s) %.1f s' % (case, time.monotonic() - started))
            events = []
            for path in glob.glob(os.path.join(pdd, 'artifacts', case, 'job_events', '*.json')):
                with open(path) as handle:
                    events.append(json.load(handle))
            events.sort(key=lambda event: event['counter'])
            with open(os.path.join(pdd, 'artifacts', case, 'status')) as handle:
                status = handle.read().strip()
            with open(os.path.join(pdd, 'artifacts', case, 'command')) as handle:
                command = json.load(handle)['command']
            results[case] = {'process': process, 'events': events, 'status': status, 'secret_key': emu.secret_key,
                             'command': command}
    return results


def artifacts(run):
    """The artifacts AWX hands to the next workflow node: set_stats data of the playbook_on_stats event."""
    stats = [event for event in run['events'] if event['event'] == 'playbook_on_stats']
    assert len(stats) == 1, run['process'].stdout[-3000:] + run['process'].stderr[-3000:]
    return stats[0]['event_data']['artifact_data']


def test_the_gate_passes_in_the_image_with_its_artifacts(runs):
    run = runs['pass']
    assert run['status'] == 'successful', run['process'].stdout[-3000:] + run['process'].stderr[-3000:]
    good = sample_jobs(harness.GOOD_QUEUE)
    result = artifacts(run)['job_gate_result']
    assert sorted(result) == ARTIFACT_KEYS
    assert result['passed'] is True
    assert result['msg'] == 'job gate passed: %d jobs, all Success - Translation jobs of queue %s' % (
        len(good), harness.GOOD_QUEUE)
    assert result['summary']['total'] == len(good)
    assert result['failed_job_ids'] == [] and result['missing_job_ids'] == []
    assert any(event.get('event_data', {}).get('task_action') == 'qcloud.ci.ci_jobs_info' for event in run['events'])


def test_the_gate_stops_in_the_image_with_its_artifacts(runs):
    run = runs['stop']
    assert run['status'] == 'failed'
    bad = sample_jobs(harness.BAD_QUEUE)
    failed = sorted(job['JobId'] for job in bad if job['State'] in ('Failed', 'Cancel'))
    result = artifacts(run)['job_gate_result']
    assert sorted(result) == ARTIFACT_KEYS
    assert result['passed'] is False
    assert result['msg'].startswith('job gate FAILED: %d of %d jobs did not succeed' % (len(failed), len(bad)))
    assert sorted(result['failed_job_ids']) == failed
    stops = [event for event in run['events'] if event['event'] == 'runner_on_failed']
    assert len(stops) == 1 and stops[0]['event_data']['task'].startswith('Stop the play when a job failed')


def test_the_runs_ran_in_the_image_and_leak_no_secret(runs, image):
    for run in runs.values():
        # what ansible-runner ran (artifacts/IDENT/command): podman with the image, ansible-playbook inside it
        command = run['command']
        assert os.path.basename(command[0]) == 'podman' and command[1] == 'run'
        assert image[0] in command and 'ansible-playbook' in command[command.index(image[0]) + 1:]
        output = run['process'].stdout + run['process'].stderr
        assert run['secret_key'] not in output
        assert run['secret_key'] not in json.dumps(run['events'])
