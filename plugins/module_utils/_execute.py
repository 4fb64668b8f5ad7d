# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one sequence the module and the lookup both run: options -> query -> client -> result.

Internal to this collection: the names may change in any release.

``execute`` validates the options (``_jobs``), opens a ``_client.CIClient`` and runs the query
through ``_job_api``; it raises the neutral exceptions of ``_errors``. ``run_module`` (every module: ``ci_jobs_info``, ``ci_queue_info``) maps
them to ``fail_json``; the lookup maps the same exceptions to ``AnsibleLookupError``
(``plugins/plugin_utils/_lookup.py``), so both say the same thing in the same words.
"""

from __future__ import annotations

import time

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.qcloud.ci.plugins.module_utils._client import CIClient
from ansible_collections.qcloud.ci.plugins.module_utils._errors import (
    CIMissingLibrary,
    CIRequestError,
    CIValueError,
    CIWaitIncomplete,
)
from ansible_collections.qcloud.ci.plugins.module_utils._job_api import RESUME_HINT, run
from ansible_collections.qcloud.ci.plugins.module_utils._jobs import JobQuery
from ansible_collections.qcloud.ci.plugins.module_utils._options import client_kwargs


def execute(options, warn=None, ids_name='job_ids', resume_hint=RESUME_HINT):
    """Validate the selection, then run it. Bad options fail before any request is sent.

    ``ids_name`` and ``resume_hint`` let the lookup speak of its terms and of what it can do. The
    client and the wait share one monotonic clock and one sleep, so a wait deadline means the same to both.
    """
    query = JobQuery.from_options(options, ids_name=ids_name)
    monotonic, sleep = time.monotonic, time.sleep
    with CIClient(warn=warn, monotonic=monotonic, sleep=sleep, **client_kwargs(options)) as client:
        return run(client, query, warn, clock=monotonic, sleep=sleep, resume_hint=resume_hint)


def run_module(module, runner):
    """``exit_json`` with ``runner()``'s result, or ``fail_json`` with a clear message: the one error
    mapping of every module of the collection (``runner`` takes no argument; it raises ``_errors``' exceptions)."""
    try:
        result = runner()
    except CIMissingLibrary as exc:
        module.fail_json(msg=missing_required_lib(exc.library), exception=exc.traceback)
    except CIWaitIncomplete as exc:
        module.fail_json(msg=exc.msg, **exc.result)
    except CIRequestError as exc:
        module.fail_json(msg=exc.msg, error=exc.to_dict())
    except CIValueError as exc:
        module.fail_json(msg=exc.msg, option=exc.option)
    module.exit_json(changed=False, **result)


def run_info_module(module):
    """Run ``ci_jobs_info``: ``exit_json`` with the result, or ``fail_json`` with a clear message."""
    run_module(module, lambda: execute(module.params, warn=module.warn))
