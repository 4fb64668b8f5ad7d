#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stage ``ansible-doc`` of make test: what a user sees with ansible-doc, for every plugin and role.

ansible-doc exits 0 even when a plugin is missing or its documentation does not load (it only
warns), so its output is checked instead:

* ``ansible-doc -t TYPE -l NS.NAME`` lists every module, lookup (and other plugin) and role;
* ``ansible-doc -t TYPE --json FQCN`` returns the documentation, with a short description,
  examples (plugins) and return values (modules and lookups);
* ``ansible-doc -t TYPE FQCN`` (text) prints the ``> MODULE FQCN`` / ``> LOOKUP FQCN`` /
  ``> ROLE: *FQCN*`` header and a line for every option of the JSON;
* the documented options are exactly the options the code uses: a module's argument_spec
  (captured by running its main() up to AnsibleModule), the options a lookup reads with
  get_option() (captured by running it once without credentials, so it fails before any
  request). An option whose documentation was deleted is therefore reported here.

Run from the collection root, ANSIBLE_COLLECTIONS_PATH reaching the collection:
    hack/make-test/with-env.sh python hack/make-test/check_plugin_docs.py    (or: make stage S=ansible-doc)
"""

from __future__ import annotations

import importlib
import os
import re
import sys

from collection_facts import Problems, ansible_doc, collection_name, plugins, roles

HEADERS = {
    'module': '> MODULE %s',
    'lookup': '> LOOKUP %s',
    'filter': '> FILTER %s',
    'role': '> ROLE: *%s*',
}


PLACEHOLDERS = {'str': 'examplebucket-1250000000', 'int': 1, 'float': 1.0, 'bool': False, 'list': ['x'], 'dict': {}}


class _Captured(Exception):
    def __init__(self, spec):
        super().__init__('captured')
        self.spec = spec


def collections_root():
    """The ANSIBLE_COLLECTIONS_PATH entry holding this collection."""
    here = os.path.realpath(os.getcwd())
    for entry in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        if entry and here.startswith(os.path.realpath(entry) + os.sep):
            return entry
    raise SystemExit('ansible-doc: run from .../ansible_collections/NS/NAME with ANSIBLE_COLLECTIONS_PATH containing it '
                     '(hack/make-test/with-env.sh does); cwd %s, ANSIBLE_COLLECTIONS_PATH %r'
                     % (here, os.environ.get('ANSIBLE_COLLECTIONS_PATH')))


def module_options(fqcn):
    """The argument_spec a module passes to AnsibleModule (its main() stops there)."""
    from ansible.module_utils import basic

    def capture(self, argument_spec=None, *args, **kwargs):
        raise _Captured(argument_spec or {})

    namespace, name, short = fqcn.split('.')
    module = importlib.import_module('ansible_collections.%s.%s.plugins.modules.%s' % (namespace, name, short))
    original = basic.AnsibleModule.__init__
    basic.AnsibleModule.__init__ = capture
    try:
        module.main()
    except _Captured as exc:
        return set(exc.spec)
    finally:
        basic.AnsibleModule.__init__ = original
    raise RuntimeError('main() of %s returned without creating an AnsibleModule' % fqcn)


def lookup_options(fqcn, doc):
    """The option names a lookup reads with get_option() in one run without credentials.

    Required options get a placeholder (``examplebucket-1250000000`` for a string), so the run
    gets past set_options() and fails later for want of credentials, before any request.
    Returns ``(read, undefined, error)``: every name read, those the configuration (the docs)
    does not define, and how the run ended.
    """
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import lookup_loader

    for var in list(os.environ):
        if var.startswith('TENCENTCLOUD_'):
            del os.environ[var]  # no credentials: the run must fail before any request
    plugin = lookup_loader.get(fqcn, loader=DataLoader(), templar=None)
    if plugin is None:
        raise RuntimeError('the plugin loader cannot load lookup %s' % fqcn)
    read, undefined = set(), set()
    original = plugin.get_option

    def get_option(option, hostvars=None):
        read.add(option)
        try:
            return original(option, hostvars)
        except Exception:
            undefined.add(option)
            raise

    plugin.get_option = get_option
    direct = dict((name, PLACEHOLDERS.get(spec.get('type', 'str'), 'examplebucket-1250000000'))
                  for name, spec in (doc.get('options') or {}).items()
                  if spec.get('required') and not name.startswith('_'))
    error = None
    try:
        plugin.run([], variables={}, **direct)
    except Exception as exc:  # expected: no credentials
        error = '%s: %s' % (type(exc).__name__, exc)
    return read, undefined, error


def option_line_present(text, option):
    return re.search(r'^\s*(?:[-=]\s+)?%s(?:\s|$)' % re.escape(option), text, re.M) is not None


def check_text(problems, doc_type, fqcn, option_names):
    rc, text, stderr = ansible_doc(doc_type, [fqcn], as_json=False)
    header = HEADERS[doc_type] % fqcn
    if rc != 0 or not any(line.startswith(header) for line in text.splitlines()):
        problems.add('ansible-doc -t %s %s: no "%s" header (exit %s)%s'
                     % (doc_type, fqcn, header, rc, (': ' + stderr.strip()) if stderr.strip() else ''))
        return
    for option in sorted(option_names):
        if not option_line_present(text, option):
            problems.add('ansible-doc -t %s %s: option %s is in the JSON but not in the text output'
                         % (doc_type, fqcn, option))


def compare(problems, what, documented, used, used_by):
    for option in sorted(used - documented):
        problems.add('%s: option %s is %s but not documented' % (what, option, used_by))
    for option in sorted(documented - used):
        problems.add('%s: option %s is documented but not %s' % (what, option, used_by))


def check_plugin(problems, doc_type, fqcn):
    rc, data, stderr = ansible_doc(doc_type, [fqcn])
    entry = data.get(fqcn) if rc == 0 else None
    if not entry or not entry.get('doc'):
        problems.add('ansible-doc -t %s --json %s returned no documentation (exit %s)%s'
                     % (doc_type, fqcn, rc, (': ' + stderr.strip()) if stderr.strip() else ''))
        return 0
    doc = entry['doc']
    for key in ('short_description', 'description', 'author'):
        if not doc.get(key):
            problems.add('%s: the documentation has no %s' % (fqcn, key))
    if not (entry.get('examples') or '').strip():
        problems.add('%s: no EXAMPLES' % fqcn)
    if doc_type in ('module', 'lookup') and not entry.get('return'):
        problems.add('%s: no RETURN' % fqcn)
    documented = set(doc.get('options') or {})
    check_text(problems, doc_type, fqcn, documented)
    if doc_type == 'module':
        compare(problems, fqcn, documented, module_options(fqcn), 'in the argument_spec')
    elif doc_type == 'lookup':
        read, undefined, error = lookup_options(fqcn, doc)
        if not read:
            problems.add('%s: the lookup read no option in a run without credentials (%s)' % (fqcn, error))
        for option in sorted(undefined):
            problems.add('%s: the lookup reads option %s, which is not documented (get_option fails)' % (fqcn, option))
        compare(problems, fqcn, documented - {'_terms'}, read - undefined, 'read by the lookup')
    return len(documented)


def check_role(problems, fqcn, path):
    if not any(os.path.isfile(os.path.join(path, 'meta', name))
               for name in ('argument_specs.yml', 'argument_specs.yaml')):
        problems.add('role %s has no meta/argument_specs.yml: ansible-doc cannot document it' % fqcn)
        return 0
    rc, data, stderr = ansible_doc('role', [fqcn])
    entry = data.get(fqcn) if rc == 0 else None
    if not entry or not entry.get('entry_points'):
        problems.add('ansible-doc -t role --json %s returned no entry points (exit %s)%s'
                     % (fqcn, rc, (': ' + stderr.strip()) if stderr.strip() else ''))
        return 0
    options = set()
    for point, spec in sorted(entry['entry_points'].items()):
        if not spec.get('short_description'):
            problems.add('role %s, entry point %s: no short_description' % (fqcn, point))
        options.update(spec.get('options') or {})
    check_text(problems, 'role', fqcn, options)
    return len(options)


def listed(doc_type, prefix):
    rc, text, dummy = ansible_doc(doc_type, ['-l', prefix.rstrip('.')], as_json=False)
    return text if rc == 0 else ''


def main():
    problems = Problems('ansible-doc')
    fqcn_prefix = collection_name() + '.'
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader([collections_root()])

    found = plugins()
    checked = []
    for doc_type in sorted(set(t for t, dummy, dummy2 in found)):
        listing = listed(doc_type, fqcn_prefix)
        for dummy, name, dummy2 in [p for p in found if p[0] == doc_type]:
            fqcn = fqcn_prefix + name
            if not re.search(r'^%s\s' % re.escape(fqcn), listing, re.M):
                problems.add('ansible-doc -t %s -l %s does not list %s' % (doc_type, fqcn_prefix.rstrip('.'), fqcn))
            try:
                count = check_plugin(problems, doc_type, fqcn)
            except Exception as exc:  # a plugin that cannot even be imported
                problems.add('%s %s: %s: %s' % (doc_type, fqcn, type(exc).__name__, exc))
                count = 0
            checked.append('%s %s (%d options)' % (doc_type, fqcn, count))
    role_list = roles()
    if role_list:
        listing = listed('role', fqcn_prefix)
        for name, path in role_list:
            fqcn = fqcn_prefix + name
            if not re.search(r'^\s*%s:\s*$' % re.escape(fqcn), listing, re.M):
                problems.add('ansible-doc -t role -l %s does not list %s' % (fqcn_prefix.rstrip('.'), fqcn))
            checked.append('role %s (%d options)' % (fqcn, check_role(problems, fqcn, path)))
    for item in checked:
        print('ansible-doc: checked %s' % item)
    if not checked:
        problems.add('no plugin and no role found under plugins/ and roles/')
    return problems.finish('%d plugin(s) and role(s) documented completely' % len(checked))


if __name__ == '__main__':
    sys.exit(main())
