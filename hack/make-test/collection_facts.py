# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the check scripts of hack/make-test need to know about the collection.

Used by check_action_groups.py and check_plugin_docs.py (stages of ``make test``); they
run from the collection root with ANSIBLE_COLLECTIONS_PATH reaching the collection, as
hack/make-test/env.sh sets it up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

# plugins/<dir> -> ansible-doc type. module_utils, plugin_utils, doc_fragments and action
# (action plugins share their module's documentation) are not documented plugins.
PLUGIN_DIRS = {
    'modules': 'module',
    'lookup': 'lookup',
    'filter': 'filter',
    'test': 'test',
    'inventory': 'inventory',
    'callback': 'callback',
    'connection': 'connection',
    'become': 'become',
    'cache': 'cache',
    'cliconf': 'cliconf',
    'httpapi': 'httpapi',
    'netconf': 'netconf',
    'shell': 'shell',
    'strategy': 'strategy',
    'vars': 'vars',
}


class Problems(object):
    """Collects failures; ``finish`` prints them and gives the exit code."""

    def __init__(self, check):
        self.check = check
        self.items = []

    def add(self, text):
        self.items.append(text)

    def finish(self, passed_text):
        if self.items:
            for item in self.items:
                print('%s: ERROR: %s' % (self.check, item))
            print('%s: %d problem(s)' % (self.check, len(self.items)))
            return 1
        print('%s: ok: %s' % (self.check, passed_text))
        return 0


def load_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def collection_name(root='.'):
    """``namespace.name`` from galaxy.yml."""
    galaxy = load_yaml(os.path.join(root, 'galaxy.yml'))
    return '%s.%s' % (galaxy['namespace'], galaxy['name'])


def plugins(root='.'):
    """``[(ansible_doc_type, short_name, path)]`` of every documented plugin file, sorted."""
    found = []
    base = os.path.join(root, 'plugins')
    for dirname, doc_type in sorted(PLUGIN_DIRS.items()):
        top = os.path.join(base, dirname)
        for dirpath, dummy, filenames in os.walk(top):
            for filename in sorted(filenames):
                name, ext = os.path.splitext(filename)
                if ext != '.py' or name == '__init__' or name.startswith('_'):
                    continue
                found.append((doc_type, name, os.path.join(dirpath, filename)))
    return sorted(found)


def roles(root='.'):
    """``[(name, path)]`` of the roles of the collection."""
    top = os.path.join(root, 'roles')
    if not os.path.isdir(top):
        return []
    return [(name, os.path.join(top, name)) for name in sorted(os.listdir(top))
            if os.path.isdir(os.path.join(top, name))]


def ansible_doc(doc_type, fqcns, as_json=True):
    """Run ansible-doc; returns ``(returncode, parsed JSON or text, stderr)``."""
    cmd = ['ansible-doc', '-t', doc_type] + (['--json'] if as_json else []) + list(fqcns)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          check=False)
    out = proc.stdout
    if as_json:
        try:
            out = json.loads(out or '{}')
        except ValueError as exc:
            sys.stderr.write(proc.stdout)
            out = {'__error__': 'ansible-doc --json printed no JSON (%s)' % exc}
    return proc.returncode, out, proc.stderr
