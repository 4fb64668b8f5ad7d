# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No bucket, region or endpoint_url value sends a request anywhere but the intended host.

A plain socket listens on a second loopback address (127.0.0.2). Each hostile value is built to
reach it if it were pasted into a URL (user info, fragments, queries, backslashes, newlines,
header injection, IDNA and full-width look-alikes, ...). The module and the lookup run with
each value through ansible-playbook: every run must fail cleanly naming the option, the
listener must receive nothing, and the emulator (the intended host) no request either. As a
positive control the same playbook then points both at 127.0.0.2 on purpose, and the listener
must see exactly those two connections, so it would have seen a leak.
"""

from __future__ import annotations

import pytest

from harness import GOOD_QUEUE

import sysutil

SECRET_ID = 'AKIDSYSTEMHOSTS000000000000000000000'
SECRET_KEY = 'system-hosts-key-00000000000000000000'
SELECTION = dict(queue_id=GOOD_QUEUE, tag='Translation')
WORKERS = 6  # local hosts that take the cases in turn, in parallel (strategy free)


def hostile_values(ep, lp):
    """(option, value, other options) triples; ``ep`` is the emulator's port, ``lp`` the listener's."""
    evil = '127.0.0.2:%d' % lp
    good = '127.0.0.1:%d' % ep
    endpoints = [
        'http://%s@%s' % (good, evil),
        'http://%s#@%s' % (evil, good),
        'http://%s\\@%s' % (good, evil),
        'http://%s?@%s' % (good, evil),
        'http://%s#.%s' % (good, evil),
        'http://%s\t@%s' % (good, evil),
        'https://user:pass@%s' % evil,
        'HTTP://%s@%s' % (good, evil),
        'http://127\u30020\u30020\u30022:%d' % lp,            # ideographic full stops (IDNA maps them to dots)
        'http://\uff11\uff12\uff17.0.0.2:%d' % lp,             # full-width digits
        'http://127.0.0.2\uff1a%d' % lp,                       # full-width colon
        '\uff48\uff54\uff54\uff50://%s' % evil,                # full-width scheme
        'http://%s\u2044@%s' % (good, evil),                   # fraction slash
        'http://%s/..//%s' % (good, evil),
        '//%s' % evil,
        'http:/\\%s' % evil,
        'http://%s:%d' % (good, lp),
        'http://%s\r\nHost: %s' % (good, evil),
        'http://%s\n' % evil,
        'http://evil.com/x#',
        'http://a.b@c',
        '..',
        'http://%s%%40%s' % (good, evil),
    ]
    buckets = ['x@%s/' % evil, '%s#' % evil, '%s/' % evil, '%s?' % evil, 'evil.com/x#', 'a.b@c', '..',
               'examplebucket-1250000000\n', 'examplebucket-1250000000\r\nHost: %s' % evil,
               'examplebucket\u20101250000000', '\u0435xamplebucket-1250000000', 'examplebucket-1250000000.%s' % evil]
    regions = ['x@%s/' % evil, 'ap-guangzhou.myqcloud.com@%s#' % evil, '%s#' % evil, '..', 'ap-guangzhou\n',
               'ap\u2010guangzhou', 'ap-guangzhou.evil.com/', 'ap-guangzhou:%d' % lp, '\uff41p-guangzhou']
    cases = [('endpoint_url', value, {}) for value in endpoints]
    cases += [('bucket', value, {'region': 'ap-guangzhou', 'endpoint_url': None}) for value in buckets]
    cases += [('bucket', value, {}) for value in buckets[:3]]  # with endpoint_url too: still validated
    cases += [('region', value, {'endpoint_url': None}) for value in regions]
    cases += [('region', value, {}) for value in regions[:3]]  # a region given with endpoint_url is validated
    return cases


@pytest.fixture(scope='module')
def listener():
    server = sysutil.SilentListener('127.0.0.2')
    yield server
    server.close()


@pytest.fixture(scope='module')
def hosts_run(emulators, listener, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp('hosts'))
    emu = emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY)
    cases = hostile_values(emu.port, listener.port)
    inventory, hosts = sysutil.local_inventory(workdir, WORKERS)
    module_defaults, lookup_vars = sysutil.connection(emu.url, SECRET_ID, SECRET_KEY, retries=0, timeout=2)
    variables = {}
    tasks = []
    for number, (option, value, others) in enumerate(cases):
        options = dict(SELECTION, **others)
        options[option] = value
        variables['qci_value_%d' % number] = value  # the lookup gets it as a variable: no quoting at all
        lookup_options = dict((k, v) for k, v in options.items() if k != option)
        expr = sysutil.lookup_expr(raw={option: 'qci_value_%d' % number}, **lookup_options)
        when = "inventory_hostname == '%s'" % hosts[number % WORKERS]
        tasks += [
            {'name': 'module %d' % number, sysutil.MODULE: options, 'ignore_errors': True, 'when': when},
            {'name': 'lookup %d' % number, 'ignore_errors': True, 'ansible.builtin.set_fact': {'qci_ids': expr},
             'when': when},
        ]
    # hosts go through their own cases in parallel
    run = sysutil.run_playbook(
        [sysutil.play(tasks, hosts='all', connection_vars=lookup_vars, module_defaults=module_defaults,
                      extra_vars=variables, strategy='free')],
        workdir, inventory=inventory, env={'ANSIBLE_FORKS': str(WORKERS)})
    received_by_hostile = list(listener.received)
    emulator_requests = emu.stats()['requests']['total']
    # positive control: on purpose to the listener, once through each side
    control = dict(SELECTION, endpoint_url='http://127.0.0.2:%d' % listener.port)
    control_tasks = [
        {'name': 'module control', sysutil.MODULE: control, 'ignore_errors': True},
        {'name': 'lookup control', 'ignore_errors': True,
         'ansible.builtin.set_fact': {'qci_ids': sysutil.lookup_expr(**control)}},
    ]
    control_run = sysutil.run_playbook(
        [sysutil.play(control_tasks, connection_vars=lookup_vars, module_defaults=module_defaults)],
        str(tmp_path_factory.mktemp('hosts-control')))
    return cases, hosts, run, received_by_hostile, emulator_requests, control_run


def test_nothing_reached_the_second_address(hosts_run, listener):
    cases, dummy, run, received, emulator_requests, control_run = hosts_run
    sysutil.assert_no_traceback(run)
    assert len([r for r in run.records if r['status'] != 'skipped']) == 2 * len(cases)
    assert received == []
    assert emulator_requests == 0
    # the listener does see a request that is meant for it: one connection per side
    assert control_run.task('module control')['status'] == 'failed'
    assert control_run.task('lookup control')['status'] == 'failed'
    received = listener.wait_for(2)
    assert len(received) == 2
    assert all(data.startswith(b'GET /jobs?') for peer, data in received)


@pytest.mark.parametrize('side', ['module', 'lookup'])
def test_each_hostile_value_is_refused_naming_the_option(hosts_run, side):
    cases, hosts, run, dummy, dummy2, dummy3 = hosts_run
    for number, (option, value, dummy4) in enumerate(cases):
        record = run.task('%s %d' % (side, number), host=hosts[number % WORKERS])
        assert record['status'] == 'failed', (option, value, record)
        msg = record['result']['msg']
        assert '%s must be' % option in msg, (option, value, msg)
        if side == 'module':
            assert record['result']['option'] == option
