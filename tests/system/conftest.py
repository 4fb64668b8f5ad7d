# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the system tests (real sockets, the emulator, ansible-playbook).

* ``tests/emulator`` is put on ``sys.path`` for ``harness.Emulator``;
* the directory holding ``ansible_collections/qcloud/ci`` (this tree) is put on ``sys.path``
  so tests can import the collection's ``module_utils`` in-process, and is handed to every
  ``ansible-playbook`` run as ANSIBLE_COLLECTIONS_PATH (``sysutil.COLLECTIONS_ROOT``);
* ``emulators`` starts emulators for one test file and stops them at its end;
* ``jobs2000`` is the generated data set of the fault matrix (2,000 jobs in one queue).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import sysutil  # noqa: E402 pylint: disable=wrong-import-position

for _path in (sysutil.EMULATOR_DIR, sysutil.COLLECTIONS_ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from harness import Emulator  # noqa: E402 pylint: disable=wrong-import-position

try:
    from hypothesis import HealthCheck, settings
    from hypothesis.configuration import set_hypothesis_home_dir
except ImportError:  # pragma: no cover
    pass
else:
    # reproducible in CI, nothing written to the tree (no example database, caches in a temporary directory)
    _HYPOTHESIS_HOME = tempfile.mkdtemp(prefix='qci-hypothesis-')
    atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)
    set_hypothesis_home_dir(_HYPOTHESIS_HOME)
    settings.register_profile('qci', derandomize=True, database=None, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get('QCI_HYPOTHESIS_PROFILE', 'qci'))


@pytest.fixture(scope='module')
def emulators():
    """``emulators(**kwargs)`` starts a ``harness.Emulator`` that stops when the test file ends."""
    started = []

    def start(host=None, **kwargs):
        kwargs.setdefault('lifetime', 900)
        emu = Emulator(**kwargs)
        if host:
            emu.host = host
        started.append(emu)
        return emu.start()

    yield start
    for emu in started:
        emu.cleanup()


@pytest.fixture(scope='session')
def jobs2000(tmp_path_factory):
    """(path, list of job dicts) of 2,000 generated jobs in sysutil.QUEUE / sysutil.TAG."""
    path = tmp_path_factory.mktemp('jobs') / 'jobs2000.jsonl'
    jobs = sysutil.gen_jobs(path, 2000)
    assert len(set(job['JobId'] for job in jobs)) == 2000
    return str(path), jobs
