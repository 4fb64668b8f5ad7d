# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make a test CA and a server certificate for 127.0.0.1 and localhost, signed by it.

Usage: make_tls.py DIR. Writes DIR/ca.pem, DIR/server.pem (certificate, then the CA) and
DIR/server.key, with the tests' one TLS helper, tests/emulator/tls_material.py.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'emulator'))

from tls_material import main  # noqa: E402 pylint: disable=wrong-import-position

if __name__ == '__main__':
    sys.exit(main())
