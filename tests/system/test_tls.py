# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module and the lookup against the emulator on TLS, with a certificate from a private CA.

* default verification refuses the untrusted certificate with a message that says so and
  what to do (ca_path), after ONE try (no retry storm: the emulator counts one failed handshake
  per run and no request);
* ``ca_path`` pointing at the test CA succeeds;
* ``validate_certs: false`` succeeds and warns;
* the module and the lookup say and do the same.

The CA and the certificate come from ``tests/emulator/tls_material.py``, the tests' one TLS helper.
"""

from __future__ import annotations

import re

import pytest

from harness import GOOD_QUEUE
from tls_material import make_tls

import sysutil

SECRET_ID = 'AKIDSYSTEMTLS00000000000000000000000'
SECRET_KEY = 'system-tls-key-0000000000000000000000'
SELECTION = dict(queue_id=GOOD_QUEUE, tag='Translation')
CASES = [('default', {}), ('ca_path', None), ('no verification', {'validate_certs': False})]
WARNING = 'TLS certificate verification is disabled (validate_certs=false): the identity of 127.0.0.1:%d is not checked.'


@pytest.fixture(scope='module')
def tls_run(emulators, tmp_path_factory):
    workdir = tmp_path_factory.mktemp('tls')
    files = make_tls(workdir)
    ca_file = files['ca']
    emu = emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY, tls_cert=files['cert'], tls_key=files['key'],
                    ca_file=ca_file)
    assert emu.url.startswith('https://127.0.0.1:')
    module_defaults, lookup_vars = sysutil.connection(emu.url, SECRET_ID, SECRET_KEY)
    tasks = []
    for name, extra in CASES:
        options = dict(SELECTION, **(extra if extra is not None else {'ca_path': str(ca_file)}))
        tasks += [
            {'name': 'module %s' % name, sysutil.MODULE: options, 'ignore_errors': True},
            {'name': 'lookup %s' % name, 'ignore_errors': True,
             'ansible.builtin.set_fact': {'qci_ids': sysutil.lookup_expr(**options)}},
        ]
    run = sysutil.run_playbook([sysutil.play(tasks, connection_vars=lookup_vars, module_defaults=module_defaults)],
                               str(workdir))
    return emu, run


def test_untrusted_certificate_is_refused_once_with_a_clear_message(tls_run):
    emu, run = tls_run
    sysutil.assert_no_traceback(run)
    module = run.task('module default')
    lookup = run.task('lookup default')
    assert module['status'] == lookup['status'] == 'failed'
    msg = module['result']['msg']
    assert msg == ('CI request GET /jobs failed: TLS certificate verification failed for 127.0.0.1:%d: the certificate '
                   'is not signed by a trusted CA. Set ca_path to the CA bundle that signed it (or validate_certs=false, '
                   'which is not recommended) [request id none, 1 try]' % emu.port)
    assert module['result']['error']['tries'] == 1
    # the lookup says the same words
    assert lookup['result']['msg'].endswith(msg)
    # the emulator counts a refused handshake once the client has given up on it: wait until both are in
    stats = emu.wait_for(lambda stats: stats['tls_handshake_failures'] >= 2)
    # one refused handshake per run, no retry storm: the successful runs made the only requests
    assert stats['tls_handshake_failures'] == 2
    assert stats['requests']['total'] == 4 and stats['api_connections'] == 4


@pytest.mark.parametrize('name', ['ca_path', 'no verification'])
def test_trusted_or_unverified_connection_lists_the_jobs(tls_run, name):
    emu, run = tls_run
    module = run.task('module %s' % name)
    lookup = run.task('lookup %s' % name)
    assert module['status'] == lookup['status'] == 'ok'
    assert module['result']['summary']['total'] == 12
    assert sorted(j['job_id'] for j in module['result']['jobs']) == sorted(lookup['result']['ansible_facts']['qci_ids'])
    warnings = module['result'].get('warnings', [])
    if name == 'ca_path':
        assert warnings == []
    else:
        assert warnings == [WARNING % emu.port]
        # the lookup's warning is on the display (stderr); Ansible shows a repeated warning once
        assert (WARNING % emu.port) in ' '.join(run.stderr.split())


def test_lookup_alone_warns_without_verification(tls_run, tmp_path):
    """The display shows a repeated warning once, so the lookup's own warning is shown by a run of its own."""
    emu, dummy = tls_run
    dummy2, lookup_vars = sysutil.connection(emu.url, SECRET_ID, SECRET_KEY, validate_certs=False)
    run = sysutil.run_playbook([sysutil.play([{'name': 'lookup', 'ansible.builtin.set_fact': {
        'qci_ids': sysutil.lookup_expr(**SELECTION)}}], connection_vars=lookup_vars)], str(tmp_path))
    assert run.returncode == 0, run.output
    assert len(run.task('lookup')['result']['ansible_facts']['qci_ids']) == 12
    assert len(re.findall(re.escape(WARNING % emu.port), ' '.join(run.stderr.split()))) == 1
