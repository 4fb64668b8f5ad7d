# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Option names and argument specs, declared once for the module and the lookup.

Internal to this collection: the names may change in any release.

The documentation of the same options lives once in ``plugins/doc_fragments/connection.py``
and ``plugins/doc_fragments/selection.py`` (the lookup reads its options through the docs,
the module through these specs; a unit test keeps the two in step). Every default is written
once: the client's (``timeout``, ``retries``) in ``_client``, the selection's and waiting's in ``_jobs``.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.qcloud.ci.plugins.module_utils._client import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from ansible_collections.qcloud.ci.plugins.module_utils._job_lists import ALL_TAGS, JOB_LISTS
from ansible_collections.qcloud.ci.plugins.module_utils._jobs import (
    DEFAULT_OUTPUT,
    DEFAULT_PAGE_SIZE,
    DEFAULT_WAIT_SLEEP,
    DEFAULT_WAIT_TIMEOUT,
    ORDERS,
    OUTPUTS,
    STATES,
)

# Options renamed after 1.0.0: the old names keep working until this version.
DEPRECATED_IN = dict(version='3.0.0', collection_name='qcloud.ci')

ENV_SECRET_ID = 'TENCENTCLOUD_SECRET_ID'
ENV_SECRET_KEY = 'TENCENTCLOUD_SECRET_KEY'
ENV_SECURITY_TOKEN = 'TENCENTCLOUD_SECURITY_TOKEN'
ENV_REGION = 'TENCENTCLOUD_REGION'

CONNECTION_ARGSPEC = dict(
    secret_id=dict(type='str', no_log=False, fallback=(env_fallback, [ENV_SECRET_ID])),
    secret_key=dict(type='str', no_log=True, fallback=(env_fallback, [ENV_SECRET_KEY])),
    security_token=dict(type='str', no_log=True, fallback=(env_fallback, [ENV_SECURITY_TOKEN])),
    region=dict(type='str', fallback=(env_fallback, [ENV_REGION])),
    bucket=dict(type='str', required=True),
    endpoint_url=dict(type='str'),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    timeout=dict(type='float', default=DEFAULT_TIMEOUT),
    retries=dict(type='int', default=DEFAULT_RETRIES),
)
CONNECTION_OPTIONS = tuple(CONNECTION_ARGSPEC)

# The job list, its GET /<job_list> filters and the page controls, shared by the module and the lookup.
SELECTION_ARGSPEC = dict(
    job_list=dict(type='str', choices=list(JOB_LISTS)),
    queue_id=dict(type='str'),
    tag=dict(type='str', choices=list(ALL_TAGS)),
    states=dict(type='list', elements='str', choices=['All'] + list(STATES)),
    workflow_id=dict(type='str'),
    inventory_trigger_job_id=dict(type='str'),
    input_object=dict(type='str'),
    order_by_time=dict(type='str', choices=list(ORDERS)),
    start_creation_time=dict(type='str'),
    end_creation_time=dict(type='str'),
    page_size=dict(type='int', default=DEFAULT_PAGE_SIZE),
    max_jobs=dict(type='int'),
)
SELECTION_OPTIONS = tuple(SELECTION_ARGSPEC)

# Options only the module has.
INFO_MODULE_ARGSPEC = dict(
    job_ids=dict(type='list', elements='str'),
    next_token=dict(type='str', no_log=False),
    output=dict(type='str', default=DEFAULT_OUTPUT, choices=list(OUTPUTS), aliases=['return_jobs'],
                deprecated_aliases=[dict(name='return_jobs', **DEPRECATED_IN)]),
    wait=dict(type='bool', default=False),
    stop_on_pause=dict(type='bool', default=False),
    wait_timeout=dict(type='float', default=DEFAULT_WAIT_TIMEOUT),
    wait_sleep=dict(type='float', default=DEFAULT_WAIT_SLEEP),
)


def argument_spec(*extra):
    """The connection and selection specs merged with ``extra`` specs (later ones win)."""
    spec = {}
    for part in (CONNECTION_ARGSPEC, SELECTION_ARGSPEC) + extra:
        spec.update(part)
    return spec


def client_kwargs(options):
    """The ``CIClient`` keyword arguments from option values (any mapping with ``get``)."""
    return dict(
        secret_id=options.get('secret_id'),
        secret_key=options.get('secret_key'),
        security_token=options.get('security_token'),
        region=options.get('region'),
        bucket=options.get('bucket'),
        endpoint_url=options.get('endpoint_url'),
        validate_certs=options.get('validate_certs', True) is not False,
        ca_path=options.get('ca_path'),
        timeout=DEFAULT_TIMEOUT if options.get('timeout') is None else options.get('timeout'),
        retries=DEFAULT_RETRIES if options.get('retries') is None else options.get('retries'),
    )
