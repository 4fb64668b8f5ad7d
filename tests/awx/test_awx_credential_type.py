# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX credential type (extensions/awx/credential_type_tencentcloud.yml) injects exactly the
environment variables the collection reads, each from the input of the same name.

What the collection reads comes from three independent places: the ``ENV_*`` constants of
``plugins/module_utils/_options.py`` (read as source text), the module's argument spec (its
``env_fallback`` entries), and the lookup's documentation as ``ansible-doc --json`` renders it
(its ``env:`` entries, which Ansible's config manager really reads).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys

import jinja2
import jinja2.sandbox
import pytest
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'system'))

import sysutil  # noqa: E402 pylint: disable=wrong-import-position

if sysutil.COLLECTIONS_ROOT not in sys.path:  # for ansible_collections.qcloud.ci (this tree)
    sys.path.insert(0, sysutil.COLLECTIONS_ROOT)

CREDENTIAL_TYPE = os.path.join(sysutil.REPO, 'extensions', 'awx', 'credential_type_tencentcloud.yml')
OPTIONS_PY = os.path.join(sysutil.REPO, 'plugins', 'module_utils', '_options.py')


@pytest.fixture(scope='module')
def credential_type():
    with open(CREDENTIAL_TYPE) as handle:
        return yaml.safe_load(handle)


def env_constants():
    """The values of the ENV_* constants of _options.py, from its source text."""
    with open(OPTIONS_PY) as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.startswith('ENV_'):
                    found[target.id] = node.value.value
    return found


def module_env_by_option():
    """option -> environment variable, from the module's argument spec (env_fallback)."""
    from ansible.module_utils.basic import env_fallback
    from ansible_collections.qcloud.ci.plugins.module_utils._options import CONNECTION_ARGSPEC
    mapping = {}
    for option, spec in CONNECTION_ARGSPEC.items():
        fallback = spec.get('fallback')
        if fallback and fallback[0] is env_fallback:
            assert len(fallback[1]) == 1, option
            mapping[option] = fallback[1][0]
    return mapping


def ansible_doc(plugin_type, name):
    ansible_doc_bin = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=sysutil.COLLECTIONS_ROOT)
    out = subprocess.run([ansible_doc_bin, '-t', plugin_type, '--json', name], env=env, check=True,
                         capture_output=True, text=True).stdout
    docs = json.loads(out)
    assert name in docs, 'ansible-doc did not find %s: %s' % (name, out[:300])
    return docs[name]['doc']


@pytest.fixture(scope='module')
def lookup_env_by_option():
    """option -> environment variable, as the lookup's config manager reads them."""
    mapping = {}
    for option, spec in ansible_doc('lookup', sysutil.LOOKUP)['options'].items():
        names = [entry['name'] for entry in spec.get('env') or []]
        if names:
            assert len(names) == 1, option
            mapping[option] = names[0]
    return mapping


def render(template, inputs):
    """Render an injector the way AWX does: sandboxed Jinja2, an undefined input is an error."""
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    return env.from_string(template).render(**inputs)


def test_injected_variables_are_exactly_the_ones_the_collection_reads(credential_type, lookup_env_by_option):
    injected = set(credential_type['injectors']['env'])
    constants = set(env_constants().values())
    module_env = set(module_env_by_option().values())
    lookup_env = set(lookup_env_by_option.values())
    assert constants, 'no ENV_* constant found in %s' % OPTIONS_PY
    assert injected == constants, 'injected %s, _options.py ENV_* %s' % (sorted(injected), sorted(constants))
    assert injected == module_env, 'injected %s, module env_fallback %s' % (sorted(injected), sorted(module_env))
    assert injected == lookup_env, 'injected %s, lookup env %s' % (sorted(injected), sorted(lookup_env))
    assert set(credential_type['injectors']) == {'env'}, 'only environment variables are injected'


def test_module_documentation_names_the_same_variables(credential_type):
    text = json.dumps(ansible_doc('module', sysutil.MODULE)['options'])
    documented = set(re.findall(r'E\((TENCENTCLOUD_[A-Z_]+)\)', text))
    assert documented == set(credential_type['injectors']['env'])


def test_each_variable_comes_from_the_input_of_its_option(credential_type, lookup_env_by_option):
    fields = credential_type['inputs']['fields']
    inputs = dict((field['id'], 'value-of-%s' % field['id']) for field in fields)
    injectors = credential_type['injectors']['env']
    assert module_env_by_option() == lookup_env_by_option
    for option, variable in module_env_by_option().items():
        assert option in inputs, 'no input %r for %s' % (option, variable)
        assert render(injectors[variable], inputs) == 'value-of-%s' % option


def test_optional_inputs_left_empty_inject_empty_values(credential_type):
    required = credential_type['inputs']['required']
    assert sorted(required) == ['secret_id', 'secret_key']
    inputs = {'secret_id': 'AKIDEXAMPLE', 'secret_key': 'example-key'}
    rendered = dict((name, render(template, inputs)) for name, template in credential_type['injectors']['env'].items())
    assert rendered == {
        'TENCENTCLOUD_SECRET_ID': 'AKIDEXAMPLE',
        'TENCENTCLOUD_SECRET_KEY': 'example-key',
        'TENCENTCLOUD_SECURITY_TOKEN': '',
        'TENCENTCLOUD_REGION': '',
    }


def test_secret_inputs_are_the_no_log_options(credential_type):
    from ansible_collections.qcloud.ci.plugins.module_utils._options import CONNECTION_ARGSPEC
    fields = dict((field['id'], field) for field in credential_type['inputs']['fields'])
    assert len(fields) == len(credential_type['inputs']['fields']), 'duplicate input ids'
    for option, field in fields.items():
        assert field['type'] == 'string'
        assert field.get('secret', False) == CONNECTION_ARGSPEC[option].get('no_log', False), option
    assert credential_type['kind'] == 'cloud'
