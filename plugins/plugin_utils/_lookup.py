# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller glue for the lookups: options in through the config manager, errors out as AnsibleLookupError.

Internal to this collection: the names may change in any release.
"""

from __future__ import annotations

from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIError, CIMissingLibrary
from ansible_collections.qcloud.ci.plugins.module_utils._options import CONNECTION_OPTIONS, SELECTION_OPTIONS

display = Display()


class CILookupBase(LookupBase):
    """A lookup that reads the shared connection and selection options."""

    def read_options(self, variables, direct, extra=()):
        """Set the options (direct > variables > environment > defaults) and return them as a dict."""
        self.set_options(var_options=variables, direct=direct)
        return dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS + SELECTION_OPTIONS + tuple(extra))

    @staticmethod
    def warn(msg):
        display.warning(msg)

    @staticmethod
    def lookup_error(exc):
        """The AnsibleLookupError for a neutral exception, in the same words the module uses."""
        if isinstance(exc, CIMissingLibrary):
            return AnsibleLookupError(missing_required_lib(exc.library))
        if isinstance(exc, CIError):
            return AnsibleLookupError(exc.msg)
        return AnsibleLookupError(str(exc))
