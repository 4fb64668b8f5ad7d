# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fault matrix: one ansible-playbook run lists the queue through the module AND the lookup
under each fault case, resetting the emulator and setting the case's faults before each run
(through the test-only ``qci_emulator`` lookup), and reading its counters after each run.

The counters are read once the emulator holds no request any more (``qci_emulator`` asks for
them with ``settle``): a request a ``delay`` fault still holds after the client gave up on it
is counted, whatever the machine's load. Nothing here measures wall-clock time.
"""

from __future__ import annotations

import sysutil

PAGE_SIZE = 100


class Case(object):
    """One fault case: emulator fault specs, extra module/lookup options, what the test expects."""

    def __init__(self, name, faults, seed, options=None, expect=None):
        self.name = name
        self.faults = faults
        self.seed = seed
        self.options = options or {}
        self.expect = expect or {}

    @property
    def retries(self):
        return self.options.get('retries', 5)

    @property
    def skew(self):
        return any(spec.startswith('skew') for spec in self.faults)


def playbook(cases, emu_url, secret_id, secret_key):
    """Plays that run every case through the module, then the lookup; results land in the records."""
    module_defaults, lookup_vars = sysutil.connection(emu_url, secret_id, secret_key)
    tasks = []
    for case in cases:
        selection = dict(queue_id=sysutil.QUEUE, tag=sysutil.TAG)
        tasks += [
            dict(sysutil.control('reset', faults=case.faults, seed=case.seed), name='%s reset module' % case.name),
            {'name': '%s module' % case.name, sysutil.MODULE: dict(selection, **case.options), 'ignore_errors': True},
            dict(sysutil.control('stats'), name='%s module stats' % case.name),
            dict(sysutil.control('reset', faults=case.faults, seed=case.seed), name='%s reset lookup' % case.name),
            {'name': '%s lookup' % case.name, 'ignore_errors': True,
             'ansible.builtin.set_fact': {'qci_ids': sysutil.lookup_expr(**dict(selection, **case.options))}},
            dict(sysutil.control('stats'), name='%s lookup stats' % case.name),
        ]
    return [sysutil.play(tasks, connection_vars=lookup_vars, module_defaults=module_defaults,
                         extra_vars={'qci_emulator_url': emu_url})]


def outcome(run, case, side):
    """(record, stats, ids or None, message or None) of one side (module|lookup) of a case."""
    record = run.task('%s %s' % (case.name, side))
    stats = run.task('%s %s stats' % (case.name, side))['result']['ansible_facts']['qci_control']
    assert stats['in_flight'] == 0, 'the emulator still held a request when its counters were read: %s' % stats
    result = record['result']
    if record['status'] != 'ok':
        return record, stats, None, result.get('msg')
    if side == 'module':
        ids = [job['job_id'] for job in result['jobs']]
    else:
        ids = result['ansible_facts']['qci_ids']
    return record, stats, ids, None


def own_counts(stats, secret_id):
    """(requests, faults injected) of the requests signed with ``secret_id``: the case's own clients.

    The emulator counts per access key: a stray client of another test (one whose own server has gone,
    and whose port the kernel handed to this emulator; seen under load: 12 requests counted for 3 tries)
    signs with its own key and is not counted here.
    """
    requests = stats['requests']['by_access_key'].get(secret_id, 0)
    return requests, stats['faults_injected']['by_access_key'].get(secret_id, 0)


def pages(count):
    return max(1, -(-count // PAGE_SIZE))


def run_groups(cases, groups, emulators, jobs_path, secret_id, secret_key, workdir):
    """Spread ``cases`` over ``groups`` emulators and concurrent playbooks (the runs wait mostly on
    backoff, not on the CPU). Returns {case name: PlaybookRun}."""
    batches = [cases[index::groups] for index in range(groups)]
    batches = [batch for batch in batches if batch]
    jobs = []
    for number, batch in enumerate(batches):
        emu = emulators(jobs=[jobs_path], secret_id=secret_id, secret_key=secret_key)
        jobs.append(dict(plays=playbook(batch, emu.url, secret_id, secret_key),
                         workdir='%s/group%d' % (workdir, number)))
    runs = sysutil.run_playbooks(jobs)
    return dict((case.name, run) for batch, run in zip(batches, runs) for case in batch)
