# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""20 concurrent module runs and 20 concurrent lookups against one emulator are each correct.

An inventory of 20 local hosts with ``forks: 20``: the module task runs 20 times at once, then
a ``set_fact`` with the lookup runs 20 times at once (each host's templating happens in its
own worker). Every run lists the same 300 jobs (3 pages) and must return exactly them. The
emulator holds every request 1 s before answering, so runs that overlap hold requests at the
same time: its ``peak_in_flight`` gauge (above 1) proves they ran concurrently, whatever the
machine's load (no wall-clock measurement). Its counters must show 20 API connections per
task: one keep-alive connection per run, whatever the number of pages.
"""

from __future__ import annotations

import pytest

import sysutil

SECRET_ID = 'AKIDSYSTEMLOAD0000000000000000000000'
SECRET_KEY = 'system-load-key-000000000000000000000'
RUNS = 20
JOBS = 300
DELAY = 1.0
SELECTION = dict(queue_id=sysutil.QUEUE, tag=sysutil.TAG, page_size=100)


@pytest.fixture(scope='module')
def load_run(emulators, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp('load'))
    jobs = sysutil.gen_jobs('%s/jobs.jsonl' % workdir, JOBS, seed=20)
    emu = emulators(jobs=['%s/jobs.jsonl' % workdir], secret_id=SECRET_ID, secret_key=SECRET_KEY)
    inventory, hosts = sysutil.local_inventory(workdir, RUNS)
    module_defaults, lookup_vars = sysutil.connection(emu.url, SECRET_ID, SECRET_KEY)
    faults = ['delay,seconds=%s' % DELAY]
    tasks = [
        dict(sysutil.control('reset', faults=faults), name='reset module', run_once=True),
        {'name': 'module', sysutil.MODULE: SELECTION},
        dict(sysutil.control('stats'), name='module stats', run_once=True),
        dict(sysutil.control('reset', faults=faults), name='reset lookup', run_once=True),
        {'name': 'lookup', 'ansible.builtin.set_fact': {'qci_ids': sysutil.lookup_expr(**SELECTION)}},
        dict(sysutil.control('stats'), name='lookup stats', run_once=True),
    ]
    run = sysutil.run_playbook(
        [sysutil.play(tasks, hosts='all', connection_vars=lookup_vars, module_defaults=module_defaults,
                      extra_vars={'qci_emulator_url': emu.url})],
        workdir, inventory=inventory, env={'ANSIBLE_FORKS': str(RUNS)})
    return run, hosts, set(job['JobId'] for job in jobs)


def test_load_run_is_clean(load_run):
    run, dummy, dummy2 = load_run
    sysutil.assert_no_traceback(run)
    assert run.returncode == 0, run.output


@pytest.mark.parametrize('side', ['module', 'lookup'])
def test_concurrent_runs_are_correct_and_use_one_connection_each(load_run, side):
    run, hosts, expected = load_run
    records = [run.task(side, host) for host in hosts]
    for record in records:
        assert record['status'] == 'ok', record
        if side == 'module':
            ids = [job['job_id'] for job in record['result']['jobs']]
        else:
            ids = record['result']['ansible_facts']['qci_ids']
        assert len(ids) == len(set(ids)) == JOBS and set(ids) == expected
    pages = -(-JOBS // SELECTION['page_size'])
    stats = [r for r in run.records if r['task'] == '%s stats' % side][0]['result']['ansible_facts']['qci_control']
    assert stats['requests']['total'] == RUNS * pages, stats
    assert stats['api_connections'] == RUNS, stats
    # they overlapped: the emulator held requests of several runs at once (one after the other, never more than 1)
    assert stats['peak_in_flight'] > 1, stats
    assert stats['in_flight'] == 0, stats
