# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""COS ``q-sign-algorithm=sha1`` signature verification, written from the specification
(ci-api.md section 5), and the query/Host parsing it needs."""

import hashlib
import hmac
import re
from urllib.parse import quote, unquote, unquote_plus

from emu_common import ApiError, SKEW_LIMIT


def _enc(text):
    return quote(text, safe='-_.~')


def parse_query(raw_query):
    """Form-decode a raw query string into a list of (key, value) pairs (``+`` is a space)."""
    pairs = []
    for part in raw_query.split('&'):
        if part:
            key, val = (part.split('=', 1) + [''])[:2]
            pairs.append((unquote_plus(key), unquote_plus(val)))
    return pairs


def parse_authorization(value):
    """Split an Authorization value into its q-* fields; raise InvalidAuthorization if malformed."""
    fields = {}
    for part in value.strip().split('&'):
        key, sep, val = part.partition('=')
        key = key.strip()
        if not sep or key in fields:
            raise ApiError('InvalidAuthorization', 'The Authorization header is malformed')
        fields[key] = val.strip()
    for key in ('q-sign-algorithm', 'q-ak', 'q-sign-time', 'q-key-time', 'q-header-list', 'q-url-param-list', 'q-signature'):
        if key not in fields:
            raise ApiError('InvalidAuthorization', 'The Authorization header lacks %s' % key)
    if fields['q-sign-algorithm'] != 'sha1':
        raise ApiError('InvalidAuthorization', 'q-sign-algorithm must be sha1')
    if not fields['q-ak'] or not fields['q-signature']:
        raise ApiError('InvalidAuthorization', 'q-ak and q-signature may not be empty')
    windows = []
    for key in ('q-sign-time', 'q-key-time'):
        match = re.match(r'^(\d{1,12});(\d{1,12})$', fields[key])
        if match is None or int(match.group(1)) > int(match.group(2)):
            raise ApiError('InvalidAuthorization', '%s must be "start;end" in Unix seconds, start <= end' % key)
        windows.append((int(match.group(1)), int(match.group(2))))
    fields['window'] = (max(w[0] for w in windows), min(w[1] for w in windows))
    return fields


def split_host(host):
    """Split a Host header into (name, port or None); IPv6 literals keep no brackets."""
    if host.startswith('['):
        name, rest = (host[1:].split(']', 1) + [''])[:2]
        port = rest[1:] if rest.startswith(':') else None
        return name, port
    if host.count(':') == 1:
        name, port = host.split(':', 1)
        return name, port
    return host, None


class Credential(object):
    """A SecretId/SecretKey pair, with a token when it is temporary."""

    __slots__ = ('secret_id', 'secret_key', 'token')

    def __init__(self, secret_id, secret_key, token=None):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.token = token


class Verifier(object):
    """Checks a request's COS signature from its raw parts."""

    def __init__(self, credentials, clock, log=None):
        self.credentials = {c.secret_id: c for c in credentials}
        self.clock = clock
        self.log = log

    def verify(self, method, raw_path, pairs, headers):
        """``headers``: list of (name, value) as received. Raises ApiError on failure."""
        value = None
        for name, val in headers:
            if name.lower() == 'authorization':
                value = val
                break
        if value is None or not value.strip():
            raise ApiError('MissingAuthorization', 'The request has no Authorization header')
        auth = parse_authorization(value)
        cred = self.credentials.get(auth['q-ak'])
        if cred is None:
            raise ApiError('InvalidAccessKeyId', 'The SecretId in q-ak does not exist')
        self._check_time(auth['window'])
        signed = {}
        for name, val in headers:
            signed.setdefault(_enc(name).lower(), val.strip())
        header_names = sorted(set(n.lower() for n in auth['q-header-list'].split(';') if n))
        if cred.token is not None:
            sent = signed.get('x-ci-security-token', signed.get('x-cos-security-token'))
            if sent is None:
                raise ApiError('InvalidAccessKeyId', 'Temporary credentials need x-ci-security-token')
            if not hmac.compare_digest(sent.encode('utf-8'), cred.token.encode('utf-8')):
                raise ApiError('AccessDenied', 'The security token does not match the credentials')
        for name in signed:
            if (name.startswith('x-ci-') or name.startswith('x-cos-')) and name not in header_names:
                raise ApiError('SignatureDoesNotMatch', 'Header %s must be signed (list it in q-header-list)' % name)
        for name in header_names:
            if name not in signed:
                raise ApiError('SignatureDoesNotMatch', 'Header %s is in q-header-list but not in the request' % name)
        param_names = set(n.lower() for n in auth['q-url-param-list'].split(';') if n)
        params = sorted((_enc(k).lower(), _enc(v)) for k, v in pairs if _enc(k).lower() in param_names)
        missing = param_names - set(item[0] for item in params)
        if missing:
            raise ApiError('SignatureDoesNotMatch', 'Parameter %s is in q-url-param-list but not in the request' % sorted(missing)[0])
        http_params = '&'.join('%s=%s' % item for item in params)
        hosts = [None]
        if 'host' in signed:
            name, port = split_host(signed['host'])
            hosts = [signed['host']] + ([name] if port is not None else [])
        sign_key = hmac.new(cred.secret_key.encode('utf-8'), auth['q-key-time'].encode('utf-8'), hashlib.sha1).hexdigest()
        path = unquote(raw_path)
        for host in hosts:
            items = []
            for name in header_names:
                val = signed[name] if name != 'host' or host is None else host
                items.append('%s=%s' % (name, _enc(val)))
            http_string = '%s\n%s\n%s\n%s\n' % (method.lower(), path, http_params, '&'.join(items))
            string_to_sign = 'sha1\n%s\n%s\n' % (auth['q-sign-time'], hashlib.sha1(http_string.encode('utf-8')).hexdigest())
            expected = hmac.new(sign_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).hexdigest()
            if hmac.compare_digest(expected.encode('ascii'), auth['q-signature'].encode('utf-8')):
                return cred
            if self.log is not None:
                masked = http_string
                for name in ('x-ci-security-token', 'x-cos-security-token'):
                    if name in signed:
                        masked = masked.replace('%s=%s' % (name, _enc(signed[name])), '%s=***' % name)
                self.log('signature mismatch; server HttpString=%r' % masked)
        raise ApiError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. '
                       'Check your key and signing method.')

    def _check_time(self, window):
        start, end = window
        now = self.clock()
        if now < start - SKEW_LIMIT or now > end + SKEW_LIMIT:
            raise ApiError('RequestTimeTooSkewed', 'The difference between the request time and the server time is too large')
        if now > end:
            raise ApiError('AccessDenied', 'Request has expired')

