# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal to the role_job_gate integration target: writes the custom stats of the run (what
# set_stats published; ansible-runner hands the same to AWX as the job's artifacts) as JSON to the
# file named by GATE_STATS_FILE, at the end of the playbook, whether it passed or failed.

from __future__ import annotations

DOCUMENTATION = r'''
name: gate_stats
type: aggregate
short_description: Write the custom stats of the run to a JSON file (test helper)
description:
  - Writes the custom stats (set_stats) of the run to the file named by E(GATE_STATS_FILE).
requirements:
  - enabled in the configuration (callbacks_enabled)
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'gate_stats'
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('GATE_STATS_FILE')
        if path:
            with open(path, 'w') as handle:
                json.dump(stats.custom, handle, sort_keys=True, default=str)
