#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one maker of test TLS material: a throwaway CA and a server certificate for 127.0.0.1 and localhost.

Test-only (not part of the collection's plugins). Uses ``cryptography``, which ansible-core
itself requires, so it works in every environment the tests run in (pytest, ansible-test
integration, molecule). From Python::

    from tls_material import make_tls
    files = make_tls(folder)        # {'ca': .../ca.pem, 'cert': .../server.pem, 'key': .../server.key}
    Emulator(tls_cert=files['cert'], tls_key=files['key'], ca_file=files['ca'])

From a shell: ``python3 tls_material.py DIR`` writes the same three files into DIR.

``server.pem`` holds the server certificate, then the CA (the chain a server sends);
``ca.pem`` is what a client trusts (``ca_path``). The certificates are valid from an hour ago
for two days; keys are EC P-256.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NAMES = ('127.0.0.1', 'localhost')  # what the server certificate is valid for


def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'qcloud.ci tests'),
                      x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _usage(is_ca):
    return x509.KeyUsage(digital_signature=True, key_cert_sign=is_ca, crl_sign=is_ca, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                         decipher_only=False)


def _certificate(subject, subject_key, issuer, issuer_key, is_ca, names=()):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer).public_key(subject_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
               .add_extension(_usage(is_ca), critical=True))
    if names:
        alternative = []
        for name in names:
            try:
                alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alternative.append(x509.DNSName(name))
        builder = (builder.add_extension(x509.SubjectAlternativeName(alternative), critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def make_tls(folder, names=NAMES):
    """Write ``ca.pem``, ``server.pem`` (certificate + CA) and ``server.key`` into ``folder``; returns their paths."""
    folder = str(folder)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name('qcloud.ci test CA')
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, is_ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate(_name(names[0]), server_key, ca_name, ca_key, is_ca=False, names=names)
    files = {'ca': os.path.join(folder, 'ca.pem'), 'cert': os.path.join(folder, 'server.pem'),
             'key': os.path.join(folder, 'server.key')}
    with open(files['ca'], 'wb') as handle:
        handle.write(_pem(ca))
    with open(files['cert'], 'wb') as handle:
        handle.write(_pem(server) + _pem(ca))
    with open(files['key'], 'wb') as handle:
        handle.write(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    return files


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        sys.stderr.write('usage: tls_material.py DIR (an existing directory)\n')
        return 2
    make_tls(argv[0])
    return 0


if __name__ == '__main__':
    sys.exit(main())
