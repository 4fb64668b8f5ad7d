# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""qcloud.ci.ci_callback: an Event-Driven Ansible filter that reads CI's job callback into job facts."""

from __future__ import annotations

import os
import sys

DOCUMENTATION = r"""
---
short_description: Turn a Tencent Cloud CI job callback into job facts
description:
  - CI can POST a callback when a job finishes; its body is the job document (XML, or JSON when the
    callback format is JSON). This filter reads that body from the event (by default under C(payload),
    where the webhook source puts it; a string or an already parsed dict) and adds C(job), the job's
    normalized facts (the same keys as the C(jobs) of M(qcloud.ci.ci_jobs_info)), and C(ci_event_name)
    (C(TaskFinish)), so a rule can match C(event.job.state == "Failed").
  - A callback with several jobs gives C(jobs) (the list) as well; C(job) is the first.
  - An event that is not a CI callback is passed on unchanged, with C(ci_callback_error) saying why
    (set O(strict) to drop the reason and leave the event untouched).
  - C(eda.builtin.webhook) accepts JSON bodies only; configure the CI callback format as JSON for it.
options:
  key:
    description: The key of the event that holds the callback body (dots go down into dicts).
    type: str
    default: payload
  strict:
    description: When false (default) an event that is not a callback gets C(ci_callback_error); when true it is left as it is.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: React to CI callbacks
  hosts: all
  sources:
    - eda.builtin.webhook:
        host: 0.0.0.0
        port: 5000
      filters:
        - qcloud.ci.ci_callback:
  rules:
    - name: A CI job failed
      condition: event.job.state == "Failed"
      action:
        run_playbook:
          name: on_failed_job.yml
"""


def _collections_root():
    """Put the collections root above this file on sys.path (ansible-rulebook runs filters by path)."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, *(['..'] * 7)))  # <root>/ansible_collections/qcloud/ci/extensions/eda/plugins/X
    if os.path.isdir(os.path.join(root, 'ansible_collections')) and root not in sys.path:
        sys.path.append(root)


try:
    import ansible_collections.qcloud.ci.plugins.module_utils._job_events  # noqa: F401 pylint: disable=unused-import
except ImportError:
    _collections_root()

# pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._job_events import CallbackError, callback_jobs  # noqa: E402


def _find(event, key):
    value = event
    for part in key.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def main(event, key='payload', strict=False):
    """Add ``job``, ``jobs`` and ``ci_event_name`` to ``event`` when it carries a CI job callback."""
    if not isinstance(event, dict):
        return event
    body = _find(event, key)
    if body is None:
        if not strict:
            event['ci_callback_error'] = 'the event has no %s' % key
        return event
    try:
        name, jobs = callback_jobs(body)
    except CallbackError as exc:
        if not strict:
            event['ci_callback_error'] = str(exc)
        return event
    event['job'] = jobs[0]
    event['jobs'] = jobs
    event['ci_event_name'] = name
    return event
