# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """How to reach CI and who you are: the options every qcloud.ci plugin shares.

    The module argument spec of the same options is
    ``plugins/module_utils/_options.py`` ``CONNECTION_ARGSPEC``.
    """

    DOCUMENTATION = r'''
options:
  secret_id:
    description:
      - The SecretId of the Tencent Cloud API key (CAM) that signs the requests.
      - If not set, the environment variable E(TENCENTCLOUD_SECRET_ID) is used.
    type: str
  secret_key:
    description:
      - The SecretKey that belongs to O(secret_id). It is used only to sign requests and never leaves this host.
      - If not set, the environment variable E(TENCENTCLOUD_SECRET_KEY) is used.
    type: str
  security_token:
    description:
      - The session token of temporary credentials (STS). It is sent, signed, in the C(x-ci-security-token) header.
      - If not set, the environment variable E(TENCENTCLOUD_SECURITY_TOKEN) is used.
    type: str
  region:
    description:
      - The region of the bucket, for example V(ap-guangzhou). Together with O(bucket) it gives the endpoint
        C(https://<bucket>.ci.<region>.myqcloud.com).
      - Required unless O(endpoint_url) is set. If not set, the environment variable E(TENCENTCLOUD_REGION) is used.
    type: str
  bucket:
    description:
      - The bucket bound to CI, as C(<BucketName>-<APPID>), for example V(examplebucket-1250000000).
    type: str
    required: true
  endpoint_url:
    description:
      - Send the requests to this C(http://) or C(https://) host and port instead of the bucket's CI endpoint,
        for example the CI emulator that ships with this collection, V(http://127.0.0.1:8765).
      - Only a scheme, a host and an optional port are accepted.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the endpoint. Set to V(false) only for tests; a warning is emitted.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the endpoint's certificate with, instead of the default bundle.
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and for each response.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is tried again after a connection error, a timeout, an unusable response,
        HTTP 500, 502, 503, 504 or 429. Retries wait with exponential backoff and jitter, or as long as
        C(Retry-After) says (at most 30 seconds each). Other errors are not retried.
    type: int
    default: 5
notes:
  - Modules read the E(TENCENTCLOUD_*) environment variables on the host that runs the module; lookups read
    them on the controller.
  - Secrets are never written to output or logs; O(secret_key) and O(security_token) are C(no_log).
requirements:
  - requests >= 2.25
  - xmltodict >= 0.13
'''

    # Plugins (the lookup) read the same options from variables and the environment too.
    PLUGINS = r'''
options:
  secret_id:
    env:
      - name: TENCENTCLOUD_SECRET_ID
    vars:
      - name: qcloud_ci_secret_id
  secret_key:
    env:
      - name: TENCENTCLOUD_SECRET_KEY
    vars:
      - name: qcloud_ci_secret_key
  security_token:
    env:
      - name: TENCENTCLOUD_SECURITY_TOKEN
    vars:
      - name: qcloud_ci_security_token
  region:
    env:
      - name: TENCENTCLOUD_REGION
    vars:
      - name: qcloud_ci_region
  bucket:
    vars:
      - name: qcloud_ci_bucket
  endpoint_url:
    vars:
      - name: qcloud_ci_endpoint_url
  validate_certs:
    vars:
      - name: qcloud_ci_validate_certs
  ca_path:
    vars:
      - name: qcloud_ci_ca_path
  timeout:
    vars:
      - name: qcloud_ci_timeout
  retries:
    vars:
      - name: qcloud_ci_retries
'''
