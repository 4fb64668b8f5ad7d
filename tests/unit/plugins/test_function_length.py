# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No function in plugins/ is longer than 45 lines: a long function is a knot to untie, not to add to."""

from __future__ import annotations

import ast
import os

import pytest

MAX_LINES = 45
PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'plugins')


def python_files():
    for root, dummy, files in os.walk(PLUGINS):
        for name in sorted(files):
            if name.endswith('.py'):
                yield os.path.join(root, name)


def long_functions(path):
    """``(name, first line, length)`` of every function (methods and nested ones too) over ``MAX_LINES``."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
            length = node.end_lineno - first + 1
            if length > MAX_LINES:
                found.append((node.name, first, length))
    return found


def test_the_check_sees_the_plugins_and_measures_whole_functions(tmp_path):
    assert len(list(python_files())) >= 10
    sample = tmp_path / 'sample.py'
    sample.write_text('def short():\n    return 1\n\n\ndef long():\n' + '    x = 1\n' * MAX_LINES, encoding='utf-8')
    assert long_functions(str(sample)) == [('long', 5, MAX_LINES + 1)]


@pytest.mark.parametrize('path', sorted(python_files()), ids=lambda path: os.path.relpath(path, PLUGINS))
def test_no_function_is_longer_than_45_lines(path):
    assert long_functions(path) == []
