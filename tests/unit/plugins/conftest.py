# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fixtures of every unit test; the fakes behind them are in ``fakes.py``."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No unit test sees the Tencent Cloud credentials or region of the shell that runs it."""
    from ansible_collections.qcloud.ci.plugins.module_utils import _options
    for name in (_options.ENV_SECRET_ID, _options.ENV_SECRET_KEY, _options.ENV_SECURITY_TOKEN, _options.ENV_REGION):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def scripted():
    """``scripted(script, **client_options)`` is a ``fakes.Harness``: a client on scripted HTTP and simulated time."""
    pytest.importorskip('requests')
    pytest.importorskip('xmltodict')
    from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import Harness
    return Harness


@pytest.fixture
def scripted_http(monkeypatch):
    """``scripted_http(script)`` makes every ``CIClient`` created afterwards answer from ``script``.

    Returns the ``ScriptedAdapter``: ``.requests`` lists what was sent, in order; ``.sessions`` counts
    the HTTP sessions (one per client) opened.
    """
    pytest.importorskip('requests')
    pytest.importorskip('xmltodict')
    from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import patch_sessions
    return lambda script: patch_sessions(monkeypatch, script)
