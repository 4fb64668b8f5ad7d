# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only callback of the system tests: one JSON line per task result in $QCI_RECORD_FILE."""

from __future__ import annotations

DOCUMENTATION = r'''
name: qci_record
type: aggregate
short_description: Record every task result as a JSON line (qcloud.ci system tests only)
description:
  - Appends C({"task", "host", "status", "result"}) to the file named by E(QCI_RECORD_FILE).
  - No timestamps on purpose; the system tests assert on what happened (results, the emulator's counters), never on
    how long it took.
  - The result is what callbacks receive (C(no_log) already applied), warnings and exceptions included.
requirements:
  - enabled with E(ANSIBLE_CALLBACKS_ENABLED=qci_record)
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'qci_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get('QCI_RECORD_FILE')

    def _write(self, result, status):
        if not self._path:
            return
        task = result._task  # pylint: disable=protected-access
        line = {
            'task': task.get_name(),
            'host': result._host.get_name(),  # pylint: disable=protected-access
            'status': status,
            'result': result._result,  # pylint: disable=protected-access
        }
        with open(self._path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(line, default=repr, ensure_ascii=False) + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._write(result, 'unreachable')
