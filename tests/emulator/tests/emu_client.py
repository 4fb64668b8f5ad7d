# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-side COS request signer and raw HTTP client for the emulator tests.

Written again from ci-api.md section 5 (not imported from the emulator nor from plugins/),
so that the emulator's verifier is checked against a second implementation; the signer
itself is pinned by the SDK vectors V1-V5 and the SIG-2022 examples in test_signing.py.
"""

import hashlib
import hmac
import http.client
import time
import xml.etree.ElementTree as ET

_UNRESERVED = frozenset(b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~')


def url_encode(text):
    """UTF-8, upper-case %XX, everything but A-Z a-z 0-9 - _ . ~ encoded (a space is %20)."""
    return ''.join(chr(b) if b in _UNRESERVED else '%%%02X' % b for b in str(text).encode('utf-8'))


def _pairs(items):
    if items is None:
        return []
    return list(items.items()) if isinstance(items, dict) else list(items)


def canonical(items):
    """(``k1=v1&k2=v2``, ``k1;k2``): keys lower(encode(key)), values encode(value), sorted."""
    encoded = sorted((url_encode(k).lower(), url_encode(v)) for k, v in _pairs(items))
    return '&'.join('%s=%s' % kv for kv in encoded), ';'.join(k for k, _v in encoded)


def sign(method, path, params, headers, secret_id, secret_key, start, end):
    """Every intermediate value of the COS sha1 signature, as a dict."""
    key_time = '%d;%d' % (start, end)
    sign_key = hmac.new(secret_key.encode('utf-8'), key_time.encode('utf-8'), hashlib.sha1).hexdigest()
    http_params, param_list = canonical(params)
    http_headers, header_list = canonical(headers)
    http_string = '%s\n%s\n%s\n%s\n' % (method.lower(), path, http_params, http_headers)
    string_to_sign = 'sha1\n%s\n%s\n' % (key_time, hashlib.sha1(http_string.encode('utf-8')).hexdigest())
    signature = hmac.new(sign_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).hexdigest()
    authorization = ('q-sign-algorithm=sha1&q-ak=%s&q-sign-time=%s&q-key-time=%s&q-header-list=%s&q-url-param-list=%s&q-signature=%s'
                     % (secret_id, key_time, key_time, header_list, param_list, signature))
    return {'key_time': key_time, 'sign_key': sign_key, 'http_params': http_params, 'param_list': param_list,
            'http_headers': http_headers, 'header_list': header_list, 'http_string': http_string,
            'string_to_sign': string_to_sign, 'signature': signature, 'authorization': authorization}


class Reply(object):
    """A received response."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self._root = None

    @property
    def root(self):
        """The parsed XML body."""
        if self._root is None:
            self._root = ET.fromstring(self.body)
        return self._root

    @property
    def code(self):
        """Error code of an error body."""
        return self.root.findtext('Code')

    @property
    def job_ids(self):
        """JobIds of the JobsDetail elements, in order."""
        return [e.findtext('JobId') for e in self.root.findall('JobsDetail')]

    @property
    def next_token(self):
        """The NextToken text ('' when empty)."""
        return self.root.findtext('NextToken')

    def __repr__(self):
        return 'Reply(%d, %r)' % (self.status, self.body[:300])


class Client(object):
    """Signs and sends requests over one keep-alive connection (http.client, so every byte is ours)."""

    def __init__(self, host, port, secret_id, secret_key, token=None, ssl_context=None, timeout=15):
        self.host = host
        self.port = port
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.token = token
        self.ssl_context = ssl_context
        self.timeout = timeout
        self.conn = None

    def _connection(self):
        if self.conn is None:
            if self.ssl_context is not None:
                self.conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.ssl_context)
            else:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self):
        """Drop the connection."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, path='/jobs', params=None, method='GET', headers=None, unsigned=None, host=None, signed_host=None,
             window=None, mutate=None, query=None, wire_path=None, token_header='x-ci-security-token', sign_params=None,
             authorization=None, body=None):
        """Send one request and return a Reply.

        ``path`` is the decoded path (signed as is; sent percent-encoded unless ``wire_path``).
        ``params``: query pairs, sent with %20 for spaces unless ``query`` gives the raw text.
        ``headers`` are sent and signed, ``unsigned`` only sent. ``host`` is the Host header
        (default ``127.0.0.1:PORT``), ``signed_host`` the value signed (default: the same).
        ``window`` = (start, end), default (now - 60, now + 600). ``mutate`` edits the
        Authorization text; ``authorization`` replaces it (None: sign; '': send none).
        ``sign_params``: names of the params to sign (default all). ``body``: bytes sent (not signed, like the SDKs).
        """
        pairs = _pairs(params)
        host = host or '%s:%d' % (self.host, self.port)
        signed = {'host': signed_host or host}
        signed.update(headers or {})
        if self.token is not None and token_header:
            signed[token_header] = self.token
        now = int(time.time())
        start, end = window or (now - 60, now + 600)
        signed_pairs = [kv for kv in pairs if sign_params is None or kv[0] in sign_params]
        if authorization is None:
            authorization = sign(method, path, signed_pairs, signed, self.secret_id, self.secret_key, start, end)['authorization']
        if mutate is not None:
            authorization = mutate(authorization)
        send = dict(signed)
        send['Host'] = host
        del send['host']
        send.update(unsigned or {})
        if authorization:
            send['Authorization'] = authorization
        target = wire_path or ''.join(c if c == '/' else url_encode(c) for c in path)
        raw_query = query if query is not None else '&'.join('%s=%s' % (url_encode(k), url_encode(v)) for k, v in pairs)
        if raw_query:
            target += '?' + raw_query
        conn = self._connection()
        try:
            conn.request(method, target, body=body, headers=send)
            response = conn.getresponse()
            body = response.read()
        except Exception:
            self.close()
            raise
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        if response.will_close:
            self.close()
        return reply

    def list_all(self, params, size=100, max_pages=10000):
        """Follow NextToken through every page; returns (job ids, pages)."""
        params = dict(params)
        params['size'] = str(size)
        ids, token, pages = [], '', 0
        while True:
            params['nextToken'] = token
            reply = self.call('/jobs', params)
            assert reply.status == 200, reply
            ids += reply.job_ids
            pages += 1
            assert len(reply.job_ids) <= size
            new = reply.next_token or ''
            assert new != token or not new, 'token repeated'
            token = new
            if not token:
                return ids, pages
            assert pages < max_pages
