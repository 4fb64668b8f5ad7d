# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The execution environment pieces: execution-environment.yml (ansible-builder 3) becomes a build
context that installs the collection from the tarball built from this tree, and the collection's
meta/execution-environment.yml hands its Python and system requirements to ansible-builder.

There is no container engine here, so the image is never built: ``ansible-builder create`` and
``ansible-builder introspect`` are as far as the check goes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
TARBALL_NAME = 'qcloud-ci.tar.gz'  # the fixed name execution-environment.yml expects in dist/


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
