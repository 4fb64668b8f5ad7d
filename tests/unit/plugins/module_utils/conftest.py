# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Old home of the unit tests' fakes, kept so that older imports still work.

The fakes live in ``tests/unit/plugins/fakes.py`` and the fixtures in ``tests/unit/plugins/conftest.py``:
import from ``fakes`` in new tests.
"""

from __future__ import annotations

import pytest

pytest.importorskip('requests')
pytest.importorskip('xmltodict')

from ansible_collections.qcloud.ci.tests.unit.plugins.fakes import (  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import
    BUCKET, HOST, NOW, REGION, SECRET_ID, SECRET_KEY, TOKEN, Harness, ScriptedAdapter, xml_error, xml_jobs,
)
