# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A server clock 2 hours ahead or behind: one refusal, one re-signed retry, one warning.

The emulator refuses the first request (RequestTimeTooSkewed, with its own ``Date``); the
client measures the offset, re-signs once, and lists everything. The module returns the
offset as a warning in ``warnings``; the lookup shows the same warning. Exactly one request
is refused per run, so the correction is not repeated page after page.
"""

from __future__ import annotations

import re

import pytest

from harness import GOOD_QUEUE

from ansible_collections.qcloud.ci.plugins.module_utils import _client

import sysutil

SECRET_ID = 'AKIDSYSTEMCLOCKSKEW00000000000000000'
SECRET_KEY = 'system-clock-skew-key-000000000000000'
SKEWS = [('ahead', 7200), ('behind', -7200)]
WARNING_RE = re.compile(r'The local clock differs from the CI service clock by ([+-]\d+) seconds '
                        r'\(service said RequestTimeTooSkewed\)')
SELECTION = dict(queue_id=GOOD_QUEUE, tag='Translation', page_size=5)  # 12 jobs: 3 pages
# The client measures the offset as the refusal's Date (whole seconds, the server's clock plus the
# skew) minus its own clock when it reads the answer, on this same machine: never more than the
# skew, and less by the time the answer took to be read, which a busy machine lengthens. So the
# measured offset lies in [skew - SLACK, skew]; SLACK only has to be far below the 2 h skew.
SLACK = 120


def near(value, seconds):
    return seconds - SLACK <= value <= seconds


@pytest.fixture(scope='module')
def emu(emulators):
    return emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY)


def skew_playbook(emu, side, workdir):
    """Both skews through one side only (Ansible shows a repeated warning once, so sides run apart)."""
    module_defaults, lookup_vars = sysutil.connection(emu.url, SECRET_ID, SECRET_KEY)
    tasks = []
    for name, seconds in SKEWS:
        if side == 'module':
            task = {'name': 'module %s' % name, sysutil.MODULE: SELECTION}
        else:
            task = {'name': 'lookup %s' % name, 'ansible.builtin.set_fact': {'qci_ids': sysutil.lookup_expr(**SELECTION)}}
        tasks += [dict(sysutil.control('reset', faults=['skew,seconds=%d' % seconds]), name='reset %s' % name), task,
                  dict(sysutil.control('stats'), name='stats %s %s' % (name, side))]
    plays = [sysutil.play(tasks, connection_vars=lookup_vars, module_defaults=module_defaults,
                          extra_vars={'qci_emulator_url': emu.url})]
    return sysutil.run_playbook(plays, workdir)


@pytest.fixture(scope='module')
def skew_run(emu, tmp_path_factory):
    return dict((side, skew_playbook(emu, side, str(tmp_path_factory.mktemp(side)))) for side in ('module', 'lookup'))


def assert_offset(text, seconds):
    found = [int(value) for value in WARNING_RE.findall(text)]
    assert found, text
    for value in found:
        assert near(value, seconds), found
    return found


@pytest.mark.parametrize('name, seconds', SKEWS)
def test_module_resigns_once_and_warns(skew_run, name, seconds):
    run = skew_run['module']
    sysutil.assert_no_traceback(run)
    result = run.task('module %s' % name)['result']
    assert result['summary']['total'] == 12 and len(result['jobs']) == 12
    assert len(assert_offset('\n'.join(result['warnings']), seconds)) == 1
    stats = run.task('stats %s module' % name)['result']['ansible_facts']['qci_control']
    assert stats['clock_skew'] == seconds
    assert stats['requests']['by_status'] == {'403': 1, '200': 3}, stats


@pytest.mark.parametrize('name, seconds', SKEWS)
def test_lookup_resigns_once_and_warns(skew_run, name, seconds):
    run = skew_run['lookup']
    sysutil.assert_no_traceback(run)
    result = run.task('lookup %s' % name)['result']
    assert len(result['ansible_facts']['qci_ids']) == 12
    stats = run.task('stats %s lookup' % name)['result']['ansible_facts']['qci_control']
    assert stats['requests']['by_status'] == {'403': 1, '200': 3}, stats
    # the lookup's warning reaches the display (stderr, wrapped to the terminal's width)
    offsets = [int(value) for value in WARNING_RE.findall(' '.join(run.stderr.split()))]
    assert len([value for value in offsets if near(value, seconds)]) == 1, run.stderr


@pytest.mark.parametrize('name, seconds', SKEWS)
def test_client_measures_the_offset(emu, name, seconds):
    emu.reset()
    emu.set_faults(['skew,seconds=%d' % seconds])
    warnings = []
    with _client.CIClient(SECRET_ID, SECRET_KEY, sysutil.BUCKET, endpoint_url=emu.url, warn=warnings.append) as cli:
        pages = list(cli.iter_pages('/jobs', {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '5'}))
        assert near(cli.clock_offset, seconds)
        assert cli.requests_sent == len(pages) + 1 == 4
    assert len(assert_offset('\n'.join(warnings), seconds)) == 1
