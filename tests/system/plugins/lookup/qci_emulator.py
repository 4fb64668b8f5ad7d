# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only lookup of the system tests: drive the emulator's control endpoint from a playbook."""

from __future__ import annotations

DOCUMENTATION = r'''
name: qci_emulator
short_description: Call the CI emulator's control endpoint (qcloud.ci system tests only)
description:
  - C(lookup('qci_emulator', 'stats')) returns the counters once no API request is in flight; C(lookup('qci_emulator', 'reset', faults=[...], seed=N))
    zeroes them, then sets the faults. The emulator's URL is the variable C(qci_emulator_url).
  - Runs on the controller, so switching faults between two tasks costs no module run.
options:
  _terms:
    description: C(stats) or C(reset).
    required: true
  faults:
    description: Fault specs to set after a reset.
    type: list
    default: []
  seed:
    description: Seed of the fault RNG.
    type: int
    default: 0
  settle:
    description:
      - With C(stats), the longest to wait (a hang guard, not a measurement) until the emulator holds no API request,
        so that a request a C(delay) fault still holds after the client gave up is counted before the counters are read.
    type: float
    default: 120
'''

import json
import urllib.request

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase


def _call(url, method, path, payload=None, timeout=30):
    data = None if payload is None else json.dumps(payload).encode('utf-8')
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request('%s/_emulator/%s' % (url, path), data=data, method=method)
    with opener.open(request, timeout=timeout) as response:
        return json.loads(response.read().decode('utf-8'))


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        url = (variables or {}).get('qci_emulator_url')
        if not url or not terms or terms[0] not in ('stats', 'reset'):
            raise AnsibleLookupError('qci_emulator: give "stats" or "reset" and set qci_emulator_url')
        if terms[0] == 'stats':
            settle = self.get_option('settle')
            return [_call(url, 'GET', 'stats?settle=%s' % settle, timeout=settle + 30)]
        _call(url, 'POST', 'reset', {})
        return [_call(url, 'POST', 'faults', {'faults': list(self.get_option('faults')), 'seed': self.get_option('seed')})]
