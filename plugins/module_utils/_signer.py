# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""COS request signature, ``q-sign-algorithm=sha1``.

Internal to this collection: the names may change in any release.

Pure functions: no I/O, no clock (the caller passes the key time), no imports of ours.
The steps and their names follow Tencent's "Request Signature" page (COS API 436/7778):

1. KeyTime       ``"<start>;<end>"`` in Unix seconds
2. SignKey       hex HMAC-SHA1(SecretKey, KeyTime)
3. HttpParameters / UrlParamList   query params: lower(encode(key)) = encode(value), sorted
4. HttpHeaders / HeaderList        the signed headers, the same way
5. encode        UTF-8, every byte but ``A-Za-z0-9-_.~`` as upper-case ``%XX``
6. HttpString    ``method\\npath\\nparams\\nheaders\\n`` (method lower-cased, path DECODED)
7. StringToSign  ``sha1\\nKeyTime\\nhex(sha1(HttpString))\\n``
8. Signature     hex HMAC-SHA1(SignKey as its hex text, StringToSign)
9. Authorization ``q-sign-algorithm=sha1&q-ak=...&q-signature=...``
"""

from __future__ import annotations

import hashlib
import hmac
from collections import namedtuple

from urllib.parse import quote as _quote

# A signature stays valid this long before "now" (clock allowance, as the official SDK does)
KEY_TIME_BACKDATE = 60
# ... and this long after it. Every try of every request is signed anew.
KEY_TIME_LIFETIME = 900

SIGNED_HEADER_PREFIXES = ('x-ci-', 'x-cos-')

Signature = namedtuple('Signature', [
    'key_time', 'sign_key', 'header_list', 'http_headers', 'url_param_list',
    'http_parameters', 'http_string', 'string_to_sign', 'signature', 'authorization',
])


def encode(value):
    """Percent-encode ``value`` as COS signs it: everything but ``A-Za-z0-9-_.~``.

    >>> encode('2024-05-01T00:00:00+0800')
    '2024-05-01T00%3A00%3A00%2B0800'
    """
    return _quote(value, safe='-_.~')


def key_time(now, backdate=KEY_TIME_BACKDATE, lifetime=KEY_TIME_LIFETIME):
    """The KeyTime for a request signed at Unix time ``now``."""
    now = int(now)
    return '%d;%d' % (now - backdate, now + lifetime)


def canonicalize(items):
    """Return ``(name_list, pairs)`` for query parameters or headers.

    ``items`` is an iterable of ``(name, value)``; a ``None`` value counts as empty.
    """
    encoded = sorted((encode(name).lower(), encode('' if value is None else value)) for name, value in items)
    return ';'.join(name for name, dummy in encoded), '&'.join('%s=%s' % pair for pair in encoded)


def signed_headers(headers):
    """Pick the headers to sign: ``host`` and every ``x-ci-*`` / ``x-cos-*`` header."""
    picked = []
    for name, value in headers.items():
        lower = name.lower()
        if lower == 'host' or lower.startswith(SIGNED_HEADER_PREFIXES):
            picked.append((lower, value))
    return picked


def sign(secret_id, secret_key, method, path, params, headers, keytime):
    """Sign one request and return every intermediate value as a ``Signature``.

    ``path`` is the DECODED path (``/jobs/a,b``), ``params`` the query parameters to sign
    (a dict or pairs), ``headers`` the headers to sign (a dict or pairs, see
    ``signed_headers``), ``keytime`` a value from ``key_time``.
    """
    if hasattr(params, 'items'):
        params = params.items()
    if hasattr(headers, 'items'):
        headers = headers.items()
    sign_key = hmac.new(secret_key.encode('utf-8'), keytime.encode('utf-8'), hashlib.sha1).hexdigest()
    url_param_list, http_parameters = canonicalize(params)
    header_list, http_headers = canonicalize(headers)
    http_string = '%s\n%s\n%s\n%s\n' % (method.lower(), path, http_parameters, http_headers)
    string_to_sign = 'sha1\n%s\n%s\n' % (keytime, hashlib.sha1(http_string.encode('utf-8')).hexdigest())
    signature = hmac.new(sign_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).hexdigest()
    authorization = (
        'q-sign-algorithm=sha1&q-ak=%s&q-sign-time=%s&q-key-time=%s&q-header-list=%s&q-url-param-list=%s&q-signature=%s'
        % (secret_id, keytime, keytime, header_list, url_param_list, signature)
    )
    return Signature(keytime, sign_key, header_list, http_headers, url_param_list, http_parameters,
                     http_string, string_to_sign, signature, authorization)
