#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stage ``changelog-fragments`` of make test: a user-visible change carries a changelog fragment.

The rule. Compare the working tree (commits, uncommitted and untracked files alike) with a
base commit. If anything under plugins/, roles/ or playbooks/, or meta/runtime.yml, differs
from the base, at least one changelog fragment (changelogs/fragments/*.yml or *.yaml) must be
new or changed since the base as well. A change users cannot notice takes a fragment with a
``trivial:`` section, which the changelog does not show.

The base, chosen so the check works in a fresh clone without any remote:
1. the newest release in changelogs/changelog.yaml has a git tag (``1.0.0`` or ``v1.0.0``):
   that tag;
2. else the commit that added that release to changelogs/changelog.yaml (the release commit
   of ``make release-notes``); if the release is not committed yet, HEAD;
3. no release yet: the root commit, so everything since the first commit counts.

``antsibull-changelog release`` (``make release-notes``) deletes the fragments it consumed
(``keep_fragments: false``) and records their names under the release's ``fragments:`` in
changelogs/changelog.yaml. A fragment that a release recorded there since the base counts
too: it was not lost, it went into the changelog. So the check holds after a release, after
running ``make release-notes`` again for the same version to fold in later fragments, and
while a release is not committed yet. A shallow clone that lacks the base fails with a message
saying so.

    hack/make-test/check_changelog_fragments.py [REPO]     (REPO: the git checkout, default ".")
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml

USER_VISIBLE_DIRS = ('plugins/', 'roles/', 'playbooks/')
USER_VISIBLE_FILES = ('meta/runtime.yml',)
FRAGMENTS = 'changelogs/fragments/'
CHANGELOG = 'changelogs/changelog.yaml'
EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'


def git(repo, *args, check=True):
    proc = subprocess.run(['git', '-C', repo] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit('changelog-fragments: git %s failed: %s' % (' '.join(args), proc.stderr.strip()))
    return proc.stdout if proc.returncode == 0 else None


def version_key(text):
    return [int(part) if part.isdigit() else part for part in re.split(r'[.+-]', str(text))]


def releases(repo, rev=None):
    """The ``releases`` of changelogs/changelog.yaml (version -> release data), in the working
    tree or, with ``rev``, in that commit."""
    if rev is None:
        path = os.path.join(repo, CHANGELOG)
        if not os.path.exists(path):
            return {}
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    else:
        text = git(repo, 'show', '%s:%s' % (rev, CHANGELOG), check=False)
        if text is None:
            return {}
    data = yaml.safe_load(text) or {}
    return dict((str(version), release or {}) for version, release in (data.get('releases') or {}).items())


def latest_release(repo):
    versions = list(releases(repo))
    return max(versions, key=version_key) if versions else None


def released_fragments(repo, rev=None):
    """Names of the fragment files that the releases of changelogs/changelog.yaml consumed."""
    return set(name for release in releases(repo, rev).values() for name in release.get('fragments') or [])


def find_base(repo):
    """``(commit, description)`` of the base as the module docstring says."""
    release = latest_release(repo)
    has_head = git(repo, 'rev-parse', '-q', '--verify', 'HEAD^{commit}', check=False) is not None
    if release:
        for tag in (release, 'v' + release):
            commit = git(repo, 'rev-parse', '-q', '--verify', 'refs/tags/%s^{commit}' % tag, check=False)
            if commit:
                return commit.strip(), 'release tag %s' % tag
        if has_head:
            pattern = r'^[[:space:]]+[\'"]?%s[\'"]?:[[:space:]]*$' % re.escape(release)  # git -G: POSIX ERE
            commits = git(repo, 'log', '--format=%H', '-G', pattern, '--', 'changelogs/changelog.yaml').split()
            if commits:
                return commits[-1], 'commit %s, which added release %s to changelogs/changelog.yaml (no tag %s)' % (
                    commits[-1][:12], release, release)
            return 'HEAD', 'HEAD: release %s is in changelogs/changelog.yaml but not committed yet' % release
        return EMPTY_TREE, 'nothing: no commit yet'
    if not has_head:
        return EMPTY_TREE, 'nothing: no commit yet and no release'
    roots = git(repo, 'rev-list', '--max-parents=0', 'HEAD').split()
    return roots[-1], 'the root commit %s (changelogs/changelog.yaml has no release yet)' % roots[-1][:12]


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else '.'
    top = git(repo, 'rev-parse', '--show-toplevel', check=False)
    if top is None or os.path.realpath(top.strip()) != os.path.realpath(repo):
        print('changelog-fragments: ERROR: %s is not the top of a git checkout; the check compares with git history'
              % repo)
        return 1
    base, how = find_base(repo)
    shallow = (git(repo, 'rev-parse', '--is-shallow-repository', check=False) or '').strip() == 'true'
    if shallow and how.startswith('the root commit'):
        print('changelog-fragments: ERROR: shallow clone: the root commit is not the real one. Fetch the history '
              '(git fetch --unshallow) or the release tags.')
        return 1
    print('changelog-fragments: comparing the working tree with %s' % how)
    changed = set(git(repo, 'diff', '--name-only', '--no-renames', base, '--').split('\n'))
    changed.update(git(repo, 'ls-files', '--others', '--exclude-standard').split('\n'))
    changed.discard('')
    visible = sorted(f for f in changed if f.startswith(USER_VISIBLE_DIRS) or f in USER_VISIBLE_FILES)
    # Fragments new or changed since the base count, and so do those that a release folded
    # into changelogs/changelog.yaml since the base (deleted from fragments/ by the release).
    fragments = set(f for f in changed if f.startswith(FRAGMENTS) and f.endswith(('.yml', '.yaml'))
                    and os.path.exists(os.path.join(repo, f)))
    base_rev = None if base == EMPTY_TREE else base
    fragments.update(FRAGMENTS + name for name in released_fragments(repo) - (
        released_fragments(repo, base_rev) if base_rev else set()))
    fragments = sorted(fragments)
    print('changelog-fragments: %d user-visible file(s) changed, %d fragment(s) new, changed or released%s'
          % (len(visible), len(fragments), (': ' + ', '.join(fragments)) if fragments else ''))
    if visible and not fragments:
        print('changelog-fragments: ERROR: these user-visible files changed since %s, but no changelog fragment was '
              'added:' % how)
        for path in visible[:30]:
            print('  %s' % path)
        if len(visible) > 30:
            print('  ... and %d more' % (len(visible) - 30))
        print('Add changelogs/fragments/<short-name>.yml, for example\n'
              '  minor_changes:\n'
              '    - ci_jobs_info - new option ``foo`` (https://github.com/qcloud-ci/qcloud.ci/issues/N).\n'
              'or, for a change users cannot notice, a fragment with a "trivial:" section.')
        return 1
    print('changelog-fragments: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
