#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stage ``action-groups`` of make test: meta/runtime.yml action_groups and the modules agree.

* every module in plugins/modules is listed in ``action_groups.ci`` of meta/runtime.yml, so
  ``module_defaults: {group/qcloud.ci.ci: ...}`` reaches it;
* every entry of every action group is a module of this collection (nothing stale);
* every module documents the ``action_group`` attribute (as ansible-doc shows it, doc fragments
  merged) with a ``membership`` that is exactly the groups listing it.

Run from the collection root, ANSIBLE_COLLECTIONS_PATH reaching the collection:
    hack/make-test/with-env.sh python hack/make-test/check_action_groups.py    (or: make stage S=action-groups)
"""

from __future__ import annotations

import os
import sys

from collection_facts import Problems, ansible_doc, collection_name, load_yaml, plugins

REQUIRED_GROUP = 'ci'


def group_members(entries, prefix, problems, group):
    """Short module names of a group's entries (FQCN of this collection or short names)."""
    members = []
    for entry in entries or []:
        if isinstance(entry, dict):
            if set(entry) != {'metadata'}:
                problems.add('action_groups.%s has an entry that is neither a module name nor metadata: %r'
                             % (group, entry))
            continue
        if not isinstance(entry, str):
            problems.add('action_groups.%s has an entry that is not a module name: %r' % (group, entry))
            continue
        if '.' in entry:
            if not entry.startswith(prefix):
                problems.add('action_groups.%s lists %s, which is not a module of %s'
                             % (group, entry, prefix.rstrip('.')))
                continue
            entry = entry[len(prefix):]
        members.append(entry)
    return members


def main():
    problems = Problems('action-groups')
    fqcn = collection_name()
    prefix = fqcn + '.'
    modules = sorted(name for doc_type, name, dummy in plugins() if doc_type == 'module')
    runtime = load_yaml(os.path.join('meta', 'runtime.yml')) or {}
    groups = runtime.get('action_groups') or {}
    if not isinstance(groups, dict):
        groups = {}
        problems.add('meta/runtime.yml: action_groups is not a mapping')

    listed = {}  # module -> set of group FQCNs listing it
    for group, entries in sorted(groups.items()):
        members = group_members(entries, prefix, problems, group)
        for member in sorted(set(m for m in members if members.count(m) > 1)):
            problems.add('meta/runtime.yml: action_groups.%s lists %s more than once' % (group, member))
        for member in members:
            if member not in modules:
                problems.add('meta/runtime.yml: action_groups.%s lists %s, but there is no plugins/modules/%s.py '
                             '(stale entry: remove it)' % (group, member, member))
                continue
            listed.setdefault(member, set()).add(prefix + group)

    required = prefix + REQUIRED_GROUP
    for module in modules:
        if required not in listed.get(module, set()):
            problems.add('meta/runtime.yml: module %s is missing from action_groups.%s, so module_defaults for '
                         'group/%s does not reach it' % (module, REQUIRED_GROUP, required))

    if modules:
        rc, docs, stderr = ansible_doc('module', [prefix + m for m in modules])
        if rc != 0 or '__error__' in docs:
            problems.add('ansible-doc --json failed (exit %s): %s %s' % (rc, docs.get('__error__', ''), stderr.strip()))
            docs = {}
        for module in modules:
            entry = docs.get(prefix + module)
            if not entry:
                problems.add('ansible-doc could not read the documentation of %s%s' % (prefix, module))
                continue
            attribute = ((entry.get('doc') or {}).get('attributes') or {}).get('action_group')
            expected = sorted(listed.get(module, set()))
            if not attribute:
                problems.add('%s does not document the action_group attribute (extends_documentation_fragment: '
                             '%s.attributes.action_group)' % (module, fqcn))
                continue
            membership = attribute.get('membership') or []
            if sorted(membership) != expected or attribute.get('support') != 'full':
                problems.add('%s documents action_group membership %s (support: %s), but meta/runtime.yml lists it '
                             'in %s' % (module, membership or '[]', attribute.get('support'), expected or '[]'))

    return problems.finish('%d module(s) (%s), all in group/%s and documenting it; groups: %s'
                           % (len(modules), ', '.join(modules) or 'none', required,
                              ', '.join(sorted(groups)) or 'none'))


if __name__ == '__main__':
    sys.exit(main())
