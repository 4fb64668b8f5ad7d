# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS with a certificate from a throwaway CA (``tls_material.py``, the tests' one TLS helper)."""

import socket
import ssl

import pytest
import requests

from emu_client import Client
from harness import Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE
from tls_material import make_tls

LIST = {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '100'}


@pytest.fixture(scope='module')
def tls(tmp_path_factory):
    files = make_tls(tmp_path_factory.mktemp('tls'))
    with Emulator(tls_cert=files['cert'], tls_key=files['key'], ca_file=files['ca']) as emu:
        yield emu, files['ca']


def test_https_url_and_listing(tls):
    emu, ca_file = tls
    assert emu.url.startswith('https://127.0.0.1:')
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY, ssl_context=ssl.create_default_context(cafile=ca_file))
    first = cli.call('/jobs', LIST)
    second = cli.call('/jobs', LIST)
    assert first.status == second.status == 200 and len(first.job_ids) == 12
    cli.close()
    stats = emu.stats()
    assert stats['api_connections'] == 1  # keep-alive over TLS


def test_certificate_is_verified(tls):
    emu, _ca_file = tls
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY, ssl_context=ssl.create_default_context())
    with pytest.raises(ssl.SSLCertVerificationError):
        cli.call('/jobs', LIST)
    cli.close()


def test_requests_with_ca_bundle(tls):
    emu, ca_file = tls
    session = requests.Session()
    session.trust_env = False
    reply = session.get(emu.url + '/jobs', params=LIST, verify=ca_file)
    assert reply.status_code == 401 and b'MissingAuthorization' in reply.content
    session.close()


def test_plain_http_to_the_tls_port_fails_and_is_counted(tls):
    emu, _ca_file = tls
    before = emu.stats()['tls_handshake_failures']
    sock = socket.create_connection(('127.0.0.1', emu.port), timeout=10)
    sock.sendall(b'GET /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    try:
        data = sock.recv(1024)
    except ConnectionResetError:
        data = b''
    sock.close()
    assert not data.startswith(b'HTTP/1.1 ')
    # the server counts right after it closed the socket, which may be after we are done: wait for it
    stats = emu.wait_for(lambda stats: stats['tls_handshake_failures'] != before)
    assert stats['tls_handshake_failures'] == before + 1
