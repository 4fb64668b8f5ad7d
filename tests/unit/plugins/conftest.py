# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Scripted HTTP for tests of the module and the lookup, which build their own ``CIClient``."""

from __future__ import annotations

import pytest


@pytest.fixture
def scripted_http(monkeypatch):
    """``scripted_http(script)`` makes every ``CIClient`` created afterwards answer from ``script``.

    Returns the ``ScriptedAdapter``: ``.requests`` lists what was sent, in order; ``.sessions`` counts
    the HTTP sessions (one per client) opened.
    """
    requests = pytest.importorskip('requests')
    pytest.importorskip('xmltodict')
    from ansible_collections.qcloud.ci.plugins.module_utils import _client
    from ansible_collections.qcloud.ci.tests.unit.plugins.module_utils.conftest import ScriptedAdapter

    def install(script):
        adapter = ScriptedAdapter(script)
        adapter.sessions = 0

        class Session(requests.Session):
            def __init__(self):
                super().__init__()
                adapter.sessions += 1
                self.mount('https://', adapter)
                self.mount('http://', adapter)

        monkeypatch.setattr(_client.requests, 'Session', Session)
        return adapter

    return install
