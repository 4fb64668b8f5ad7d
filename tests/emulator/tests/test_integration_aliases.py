# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-test copies into an integration run only the files a target's aliases name
(``needs/file/...``): every module of the emulator and every data file a target seeds from must be
named by setup_emulator, or the emulator cannot start in ``make integration``."""

from __future__ import annotations

import os

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(EMULATOR))
ALIASES = os.path.join(REPO, 'tests', 'integration', 'targets', 'setup_emulator', 'aliases')


def needed_files():
    with open(ALIASES, encoding='utf-8') as handle:
        return set(line.strip()[len('needs/file/'):] for line in handle if line.startswith('needs/file/'))


def test_setup_emulator_names_every_module_of_the_emulator():
    modules = set('tests/emulator/%s' % name for name in os.listdir(EMULATOR) if name.endswith('.py'))
    assert modules, EMULATOR
    missing = sorted(modules - needed_files())
    assert not missing, 'add to %s: %s' % (ALIASES, ', '.join('needs/file/' + path for path in missing))


def test_every_file_setup_emulator_names_exists():
    gone = sorted(path for path in needed_files() if not os.path.isfile(os.path.join(REPO, path)))
    assert not gone, gone
