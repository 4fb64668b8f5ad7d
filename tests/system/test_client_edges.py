# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's edges through the module and the lookup, against real servers on loopback.

* ``~/.netrc`` with a matching and a ``default`` entry: the signed ``Authorization`` reaches the
  emulator and the netrc password never leaves the host, while ``HTTP_PROXY`` from the
  environment is still used (a tiny forward proxy on 127.0.0.1 sees every request);
* a service clock a few days or 56 years off: no re-signing with it, one refused request and
  a message to fix the clock;
* a secret that cannot travel in a header, a ``ca_path`` that cannot be read: refused before
  any request, naming the option and never the value;
* endless empty pages with ever-new tokens: ``MAX_EMPTY_PAGES`` requests, then a clear error;
* TLS: a hostname mismatch with the right ``ca_path`` and an expired certificate are told
  apart from an untrusted CA;
* the client's deadline against a 503 with ``Retry-After: 30``: one request, then
  ``CIDeadlineExceeded``.

Assertions are on outcomes and request counts only; timeouts are hang guards.
"""

from __future__ import annotations

import datetime
import http.client
import http.server
import threading
import time
from urllib.parse import urlsplit

import pytest

from harness import GOOD_QUEUE

from ansible_collections.qcloud.ci.plugins.module_utils import _client
from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIDeadlineExceeded

import sysutil

SECRET_ID = 'AKIDSYSTEMCLIENTEDGES00000000000000'
SECRET_KEY = 'system-client-edges-key-00000000000'
SELECTION = dict(queue_id=GOOD_QUEUE, tag='Translation', page_size=5)  # 12 jobs: 3 pages
NETRC_PASSWORDS = ('NETRC-MACHINE-PASSWORD-1', 'NETRC-DEFAULT-PASSWORD-2')


class _Server(object):
    """A ThreadingHTTPServer on 127.0.0.1 with ``handler``; ``seen`` lists (path, headers text)."""

    def __init__(self, handler):
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.httpd.seen = []
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
        self.thread.start()

    @property
    def seen(self):
        return self.httpd.seen

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class _Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


class _ForwardProxy(_Quiet):
    """A plain-HTTP forward proxy: records each request, relays it to the origin in the absolute URI."""

    def do_GET(self):  # pylint: disable=invalid-name
        self.server.seen.append((self.path, str(self.headers)))
        target = urlsplit(self.path)
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in ('proxy-connection', 'connection'))
        upstream.request('GET', target.path + ('?' + target.query if target.query else ''), headers=headers)
        response = upstream.getresponse()
        body = response.read()
        self.send_response_only(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ('transfer-encoding', 'connection', 'content-length'):
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        upstream.close()


class _EmptyPages(_Quiet):
    """Every listing page is empty and carries a new NextToken: a listing that never ends."""

    def do_GET(self):  # pylint: disable=invalid-name
        self.server.seen.append((self.path, str(self.headers)))
        body = ('<Response><NextToken>token-%d</NextToken></Response>' % len(self.server.seen)).encode('ascii')
        self.send_response_only(200)
        self.send_header('Content-Type', 'application/xml')
        self.send_header('x-ci-request-id', 'empty-%d' % len(self.server.seen))
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def both(name, options, as_variables=None):
    """A module task and a lookup task with ``options``, failures recorded, not fatal.

    ``as_variables`` go to the module as options and to the lookup as its ``qcloud_ci_*`` variables
    (a value with control characters reaches the lookup unchanged that way).
    """
    as_variables = as_variables or {}
    lookup_vars = dict(('qcloud_ci_%s' % key, value) for key, value in as_variables.items())
    return [{'name': 'module %s' % name, sysutil.MODULE: dict(options, **as_variables), 'ignore_errors': True},
            {'name': 'lookup %s' % name, 'ignore_errors': True, 'vars': lookup_vars,
             'ansible.builtin.set_fact': {'qci_ids': sysutil.lookup_expr(**options)}}]


def messages(run, name):
    """(module status, lookup status, module msg, lookup msg) of the two tasks called ``name``."""
    module, lookup = run.task('module %s' % name), run.task('lookup %s' % name)
    return module['status'], lookup['status'], module['result'].get('msg', ''), lookup['result'].get('msg', '')


# --- ~/.netrc and a proxy from the environment ------------------------------------------------------
@pytest.fixture(scope='module')
def netrc_run(emulators, tmp_path_factory):
    emu = emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY)
    home = tmp_path_factory.mktemp('home')
    netrc = home / '.netrc'
    netrc.write_text('machine 127.0.0.1 login netrc-user password %s\ndefault login anyone password %s\n' % NETRC_PASSWORDS)
    netrc.chmod(0o600)
    proxy = _Server(_ForwardProxy)
    try:
        module_defaults, lookup_vars = sysutil.connection(emu.url, SECRET_ID, SECRET_KEY)
        plays = [sysutil.play(both('listing', SELECTION), connection_vars=lookup_vars, module_defaults=module_defaults)]
        run = sysutil.run_playbook(plays, str(tmp_path_factory.mktemp('netrc')),
                                   env={'HOME': str(home), 'HTTP_PROXY': proxy.url, 'http_proxy': proxy.url})
        return emu, proxy.seen, run
    finally:
        proxy.close()


def test_netrc_never_replaces_the_signature_and_the_proxy_is_used(netrc_run):
    emu, seen, run = netrc_run
    sysutil.assert_no_traceback(run)
    module_status, lookup_status, dummy, dummy2 = messages(run, 'listing')
    assert (module_status, lookup_status) == ('ok', 'ok'), run.output
    assert run.task('module listing')['result']['summary']['total'] == 12
    assert len(run.task('lookup listing')['result']['ansible_facts']['qci_ids']) == 12
    stats = emu.stats()
    # every request went through the proxy from the environment: 3 pages each for the module and the lookup
    assert len(seen) == stats['requests']['total'] == 6 and stats['requests']['by_status'] == {'200': 6}
    for dummy3, headers in seen:
        assert 'Authorization: q-sign-algorithm=sha1&q-ak=%s&' % SECRET_ID in headers
        assert 'Basic' not in headers and not any(password in headers for password in NETRC_PASSWORDS)


# --- one playbook for the refusals -----------------------------------------------------------------
@pytest.fixture(scope='module')
def refusals(emulators, tmp_path_factory):
    workdir = tmp_path_factory.mktemp('refusals')
    trustme = pytest.importorskip('trustme')
    ca = trustme.CA()
    ca_file = workdir / 'ca.pem'
    ca.cert_pem.write_to_path(str(ca_file))
    past = datetime.datetime(2020, 1, 1)
    certs = {'mismatch': ca.issue_cert('ci.example.test'),
             'expired': ca.issue_cert('127.0.0.1', not_before=past, not_after=past + datetime.timedelta(days=30))}
    servers = dict((name, emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY))
                   for name in ['skew'] + [case for case, dummy in BAD_SECRETS + [MISSING_CA]])
    for name, cert in certs.items():
        cert_file, key_file = workdir / ('%s-cert.pem' % name), workdir / ('%s-key.pem' % name)
        cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
        cert.private_key_pem.write_to_path(str(key_file))
        servers[name] = emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY, tls_cert=str(cert_file), tls_key=str(key_file))
    empty = _Server(_EmptyPages)
    try:
        run = sysutil.run_playbook([refusal_play(servers, empty, str(ca_file), str(workdir / 'missing-ca.pem'))],
                                   str(workdir))
        return servers, empty.seen, run
    finally:
        empty.close()


SKEWS = [('two days ahead', 2 * 86400), ('year 1970', -1700000000)]
BAD_SECRETS = [('secret id with a newline', {'secret_id': SECRET_ID + '\n'}),
               ('token with a control character', {'security_token': 'token\x01value'}),
               ('secret key not latin-1', {'secret_key': u'key-\u4e2d\u6587'})]
MISSING_CA = ('missing ca_path', {'ca_path': 'missing-ca.pem'})


def refusal_play(servers, empty, ca_file, missing_ca):
    def options(server, **extra):
        return dict(SELECTION, endpoint_url=server.url, **extra)

    tasks = []
    for name, seconds in SKEWS:
        tasks.append(dict(sysutil.control('reset', faults=['skew,seconds=%d' % seconds]), name='skew %s' % name,
                          vars={'qci_emulator_url': servers['skew'].url}))
        tasks += both(name, options(servers['skew']))
        tasks.append(dict(sysutil.control('stats'), name='stats %s' % name, vars={'qci_emulator_url': servers['skew'].url}))
    for name, extra in BAD_SECRETS:  # one server each: a request it receives is that case's
        tasks += both(name, options(servers[name]), as_variables=extra)
    tasks += both(MISSING_CA[0], options(servers[MISSING_CA[0]], ca_path=missing_ca))
    tasks += both('empty pages', options(empty, page_size=10))
    tasks += both('hostname mismatch', options(servers['mismatch'], ca_path=ca_file))
    tasks += both('expired', options(servers['expired'], ca_path=ca_file))
    module_defaults, lookup_vars = sysutil.connection(None, SECRET_ID, SECRET_KEY)
    del module_defaults['endpoint_url'], lookup_vars['qcloud_ci_endpoint_url']
    return sysutil.play(tasks, connection_vars=lookup_vars, module_defaults=module_defaults)


@pytest.mark.parametrize('name, seconds', SKEWS, ids=[name for name, dummy in SKEWS])
def test_an_absurd_service_clock_is_not_used_to_sign(refusals, name, seconds):
    dummy, dummy2, run = refusals
    sysutil.assert_no_traceback(run)
    module_status, lookup_status, module_msg, lookup_msg = messages(run, name)
    assert (module_status, lookup_status) == ('failed', 'failed')
    for msg in (module_msg, lookup_msg):
        assert 'RequestTimeTooSkewed' in msg and 'fix the clock of this host' in msg, msg
    stats = run.task('stats %s' % name)['result']['ansible_facts']['qci_control']
    assert stats['clock_skew'] == seconds
    # one refused request each for the module and the lookup: no re-signed try with the absurd time
    assert stats['requests']['by_status'] == {'403': 2}, stats


@pytest.mark.parametrize('name, extra', BAD_SECRETS + [MISSING_CA], ids=[name for name, dummy in BAD_SECRETS + [MISSING_CA]])
def test_a_bad_secret_or_ca_path_is_refused_before_any_request(refusals, name, extra):
    servers, dummy, run = refusals
    sysutil.assert_no_traceback(run)
    option, value = list(extra.items())[0]
    module_status, lookup_status, module_msg, lookup_msg = messages(run, name)
    assert (module_status, lookup_status) == ('failed', 'failed')
    for msg in (module_msg, lookup_msg):
        assert '%s must' % option in msg and value.strip() not in msg, msg
    assert servers[name].stats()['requests']['total'] == 0


def test_endless_empty_pages_stop_at_the_cap(refusals):
    dummy, seen, run = refusals
    module_status, lookup_status, module_msg, lookup_msg = messages(run, 'empty pages')
    assert (module_status, lookup_status) == ('failed', 'failed')
    for msg in (module_msg, lookup_msg):
        assert '%d pages in a row with no item but a new NextToken' % _client.MAX_EMPTY_PAGES in msg, msg
    assert len(seen) == 2 * _client.MAX_EMPTY_PAGES


@pytest.mark.parametrize('name, server, says', [
    ('hostname mismatch', 'mismatch', 'not valid for this host name (hostname mismatch)'),
    ('expired', 'expired', 'has expired or is not yet valid'),
], ids=['hostname mismatch', 'expired'])
def test_a_tls_failure_says_which_check_failed(refusals, name, server, says):
    servers, dummy, run = refusals
    module_status, lookup_status, module_msg, lookup_msg = messages(run, name)
    assert (module_status, lookup_status) == ('failed', 'failed')
    for msg in (module_msg, lookup_msg):
        assert says in msg and 'Set ca_path' not in msg, msg
    stats = servers[server].stats()
    # refused in the handshake once each by the module and the lookup, never retried
    assert stats['requests']['total'] == 0 and stats['tls_handshake_failures'] == 2, stats


# --- the client's deadline ---------------------------------------------------------------------------
def test_the_deadline_bounds_retries_against_a_real_server(emulators):
    emu = emulators(secret_id=SECRET_ID, secret_key=SECRET_KEY, faults=['503,retry_after=30'])
    sleeps = []  # a 30 s sleep would cross the deadline: asked for, it would be recorded here (and not slept)
    client = _client.CIClient(SECRET_ID, SECRET_KEY, sysutil.BUCKET, endpoint_url=emu.url, retries=5, sleep=sleeps.append)
    with client:
        with pytest.raises(CIDeadlineExceeded) as caught:
            client.get('/jobs', {'queueId': GOOD_QUEUE, 'tag': 'Translation'}, deadline=time.monotonic() + 10)
    assert caught.value.status == 503 and caught.value.code == 'ServiceUnavailable' and caught.value.request_id
    assert 'deadline was reached' in str(caught.value)
    assert sleeps == [] and client.requests_sent == 1 and emu.stats()['requests']['total'] == 1
    emu.set_faults([])
    with _client.CIClient(SECRET_ID, SECRET_KEY, sysutil.BUCKET, endpoint_url=emu.url) as client:
        pages = list(client.iter_pages('/jobs', {'queueId': GOOD_QUEUE, 'tag': 'Translation'}, 5, limit=7,
                                       deadline=time.monotonic() + 60))
    assert [len(page['jobs_detail']) for page in pages] == [5, 2] and pages[-1]['next_token']
    assert emu.stats()['requests']['by_status'] == {'503': 1, '200': 2}
