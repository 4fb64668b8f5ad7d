#!/usr/bin/env bash
# `make release-notes`: fold every changelog fragment into the release of the
# version in galaxy.yml (override: make release-notes VERSION=1.2.3), and write
# CHANGELOG.md. Runs through hack/make-test/with-env.sh (.venv/main), on the working
# tree itself, not on the collection copy.
#
# What `antsibull-changelog release --version V` does here:
# * adds release V (today's date) to changelogs/changelog.yaml with the changes of
#   every fragment in changelogs/fragments/, and the modules, plugins and roles
#   whose version_added is V (roles and playbooks: from `add object.role` /
#   `add object.playbook` sections of fragments);
# * DELETES the fragments it used (changelogs/config.yaml: keep_fragments: false);
#   their names stay under the release's `fragments:`, which is how the stage
#   changelog-fragments (hack/make-test/check_changelog_fragments.py) still counts them;
# * rewrites CHANGELOG.md from changelogs/changelog.yaml.
# Running it again for the same version (fragments that arrived later) adds
# their changes to that release: it is safe to repeat until V is tagged.
# `antsibull-changelog generate` only re-renders CHANGELOG.md from changelog.yaml.
# Review `git diff`, then commit CHANGELOG.md and changelogs/ together.
set -euo pipefail

if [ -z "${QCI_REPO:-}" ]; then
  echo "hack/release-notes.sh runs through hack/make-test/with-env.sh; use: make release-notes" >&2
  exit 2
fi
cd "$QCI_REPO"
VERSION=${VERSION:-$(python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')}

antsibull-changelog lint
echo "--- antsibull-changelog release --version $VERSION (fragments: $(find changelogs/fragments -name '*.y*ml' | wc -l))"
antsibull-changelog release --version "$VERSION"
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
git status --short -- CHANGELOG.md changelogs
echo "--- release notes of $VERSION written: review, then"
echo "    git add CHANGELOG.md changelogs && git commit -m 'Release notes for $VERSION' -- CHANGELOG.md changelogs"
