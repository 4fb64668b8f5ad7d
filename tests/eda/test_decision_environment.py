# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""decision-environment.yml (ansible-builder 3) becomes a build context with ansible-rulebook, Java and the
collection from the tarball of this tree. No container engine here: ``ansible-builder create`` only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def run(*argv):
    process = subprocess.run([os.path.join(BIN, argv[0])] + list(argv[1:]), capture_output=True, text=True, check=False)
    assert process.returncode == 0, '%s failed:\n%s\n%s' % (' '.join(argv), process.stdout, process.stderr)


def test_the_decision_environment_context_installs_rulebook_java_and_the_collection(tmp_path):
    dist = tmp_path / 'dist'
    run('ansible-galaxy', 'collection', 'build', '--force', '--output-path', str(dist), REPO)
    tarball = [name for name in os.listdir(str(dist)) if name.startswith('qcloud-ci-')][0]
    shutil.copy(str(dist / tarball), str(dist / 'qcloud-ci.tar.gz'))
    shutil.copy(os.path.join(REPO, 'decision-environment.yml'), str(tmp_path))
    context = tmp_path / 'context'
    run('ansible-builder', 'create', '-f', str(tmp_path / 'decision-environment.yml'), '-c', str(context),
        '--output-filename', 'Containerfile')
    containerfile = (context / 'Containerfile').read_text()
    assert 'ansible-galaxy collection install' in containerfile or 'install-from-bindep' in containerfile
    assert (context / '_build' / 'collections' / 'qcloud-ci.tar.gz').exists()
    with open(str(context / '_build' / 'requirements.txt')) as handle:
        assert 'ansible-rulebook>=1.3,<1.4' in handle.read()
    with open(str(context / '_build' / 'bindep.txt')) as handle:
        assert 'java-17-openjdk-headless [platform:rpm]' in handle.read()
    with open(os.path.join(REPO, 'decision-environment.yml')) as handle:
        assert yaml.safe_load(handle)['version'] == 3
