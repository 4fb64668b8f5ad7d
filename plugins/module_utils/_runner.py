# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one sequence both sides run: options -> query -> client -> result.

Internal to this collection: the names may change in any release.

``execute`` raises the neutral exceptions of ``_errors``; ``run_info_module`` maps them to
``fail_json``. The lookup maps the same exceptions to ``AnsibleLookupError``
(``plugins/plugin_utils/_lookup.py``), so both say the same thing in the same words.
"""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.qcloud.ci.plugins.module_utils._client import CIClient
from ansible_collections.qcloud.ci.plugins.module_utils._errors import (
    CIMissingLibrary,
    CIRequestError,
    CIValueError,
    CIWaitTimeout,
)
from ansible_collections.qcloud.ci.plugins.module_utils._jobs import JobQuery, run
from ansible_collections.qcloud.ci.plugins.module_utils._options import client_kwargs


def build_client(options, warn=None):
    """A ``CIClient`` from option values."""
    return CIClient(warn=warn, **client_kwargs(options))


def execute(options, warn=None, client=None, ids_name='job_ids'):
    """Validate the selection, then run it. Bad options fail before any request is sent."""
    query = JobQuery.from_options(options, ids_name=ids_name)
    if client is not None:
        return run(client, query, warn)
    with build_client(options, warn) as own_client:
        return run(own_client, query, warn)


def run_info_module(module):
    """Run ``ci_jobs_info``: ``exit_json`` with the result, or ``fail_json`` with a clear message."""
    try:
        result = execute(module.params, warn=module.warn)
    except CIMissingLibrary as exc:
        module.fail_json(msg=missing_required_lib(exc.library), exception=exc.traceback)
    except CIWaitTimeout as exc:
        module.fail_json(msg=exc.msg, **exc.result)
    except CIRequestError as exc:
        module.fail_json(msg=exc.msg, error=exc.to_dict())
    except CIValueError as exc:
        module.fail_json(msg=exc.msg, option=exc.option)
    module.exit_json(changed=False, **result)
