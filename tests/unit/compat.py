# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one place where the unit tests bridge ansible-core versions (2.16 to 2.21).

The collection's plugins need nothing from here; only the tests use helpers that
ansible-core added in 2.19:

- ``patch_module_args`` (``ansible.module_utils.testing``, 2.19+): before 2.19 a module
  reads its arguments from ``basic._ANSIBLE_ARGS``, so the stand-in sets that.
- ``trust_as_template`` (``ansible.template``, 2.19+ data tagging): before 2.19 every
  string is templated, so the stand-in returns the string unchanged.
- ``names_option``: ansible-core words its own option errors (a value not in ``choices``)
  differently: 2.19+ quote the option (``'tag'``), 2.16-2.18 say ``setting: tag``.
"""

from __future__ import annotations

import contextlib
import json
import re

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Make the next AnsibleModule read ``args`` as its module arguments."""
        args = dict(args or {})
        args.setdefault('_ansible_remote_tmp', '/tmp')
        args.setdefault('_ansible_keep_remote_files', False)
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is a template
    def trust_as_template(value):
        """Return ``value``: ansible-core before 2.19 templates every string."""
        return value


def names_option(message, option):
    """Whether an option error of ansible-core names ``option`` (in the wording of any supported core)."""
    return re.search(r"'%s'|\bsetting: %s\b" % (re.escape(option), re.escape(option)), message) is not None


__all__ = ['names_option', 'patch_module_args', 'trust_as_template']
