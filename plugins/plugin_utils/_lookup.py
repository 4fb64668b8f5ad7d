# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller glue for the lookups: options in through the config manager, errors out as AnsibleLookupError.

Internal to this collection: the names may change in any release.
"""

from __future__ import annotations

from ansible.errors import AnsibleLookupError, AnsibleOptionsError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIError, CIMissingLibrary
from ansible_collections.qcloud.ci.plugins.module_utils._options import CONNECTION_OPTIONS, DEPRECATED_IN, SELECTION_OPTIONS

display = Display()

VARIABLE_PREFIX = 'qcloud_ci_'  # the variables of plugins/doc_fragments/connection.py PLUGINS


class CILookupBase(LookupBase):
    """A lookup that reads the shared connection and selection options."""

    def read_options(self, variables, direct, extra=()):
        """Set the options (direct > variables > environment > defaults) and return them as a dict.

        A value Ansible refuses (not one of the choices, wrong type, missing) is an ``AnsibleLookupError``
        that names the option and, for choices, what is allowed.
        """
        try:
            self.set_options(var_options=self.option_variables(variables), direct=direct)
        except AnsibleOptionsError as exc:
            help_text = getattr(exc, '_help_text', None)
            raise AnsibleLookupError('%s %s' % (exc.message, help_text) if help_text else exc.message) from None
        return dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS + SELECTION_OPTIONS + tuple(extra))

    def option_variables(self, variables):
        """The ``qcloud_ci_*`` variables, templated.

        Ansible hands a lookup its variables untemplated, so ``qcloud_ci_secret_key: "{{ vault_key }}"`` would
        otherwise reach the option as that text. Only these variables are templated (and only trusted templates
        render), every other variable is left alone.
        """
        if not variables:
            return variables
        found = dict((name, variables[name]) for name in variables if name.startswith(VARIABLE_PREFIX))
        if found and self._templar is not None:
            found = self._templar.template(found)
        return found

    @staticmethod
    def warn(msg):
        display.warning(msg)

    @staticmethod
    def deprecate_alias(direct, old, new):
        """Warn that the option ``old``, given directly, is a deprecated alias of ``new``."""
        if old in direct:
            display.deprecated('The option %s of this lookup is deprecated; use %s, which takes the same values.'
                               % (old, new), version=DEPRECATED_IN['version'],
                               collection_name=DEPRECATED_IN['collection_name'])

    @staticmethod
    def lookup_error(exc):
        """The AnsibleLookupError for a neutral exception, in the same words the module uses."""
        if isinstance(exc, CIMissingLibrary):
            return AnsibleLookupError(missing_required_lib(exc.library))
        if isinstance(exc, CIError):
            return AnsibleLookupError(exc.msg)
        return AnsibleLookupError(str(exc))
