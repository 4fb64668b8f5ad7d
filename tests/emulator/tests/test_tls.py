# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS with a certificate from a throwaway CA (trustme)."""

import socket
import ssl
import time

import pytest
import requests
import trustme

from emu_client import Client
from harness import Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY, GOOD_QUEUE

LIST = {'queueId': GOOD_QUEUE, 'tag': 'Translation', 'size': '100'}


@pytest.fixture(scope='module')
def tls(tmp_path_factory):
    folder = tmp_path_factory.mktemp('tls')
    authority = trustme.CA()
    cert = authority.issue_cert('127.0.0.1', 'localhost')
    ca_file, cert_file, key_file = folder / 'ca.pem', folder / 'cert.pem', folder / 'key.pem'
    authority.cert_pem.write_to_path(str(ca_file))
    cert.private_key_pem.write_to_path(str(key_file))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for blob in cert.cert_chain_pems[1:]:
        blob.write_to_path(str(cert_file), append=True)
    with Emulator(tls_cert=cert_file, tls_key=key_file, ca_file=str(ca_file)) as emu:
        yield emu, str(ca_file)


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
    # the server counts right after it closed the socket: poll, with a generous hang guard (not a measurement)
    deadline = time.monotonic() + 120
    while emu.stats()['tls_handshake_failures'] == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emu.stats()['tls_handshake_failures'] == before + 1
