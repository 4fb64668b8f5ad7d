#!/usr/bin/env bash
# Build the collection's docs site (stage docs-site of make test; make docs):
# antsibull-docs sphinx-init + its build.sh, Sphinx with -W (warnings are
# errors), fully offline. Then check that the pages a user needs are there and
# print the page count.
#
#   hack/make-test/with-env.sh hack/docs.sh [DEST]     (make docs)
#
# Runs in the collection root with ANSIBLE_COLLECTIONS_PATH reaching the
# collection (hack/make-test/env.sh). DEST (default $QCI_CACHE/docs, i.e. .cache/docs,
# ignored by git and outside the collection copy) is wiped first; the site is
# DEST/build/html/index.html.
#
# Offline (W4 in hack/make-test/offline-workarounds.sh): sphinx-init's conf.py maps
# intersphinx inventories on the web; they are emptied, and exactly the two
# docs.ansible.com labels the plugin pages use become links, so every other
# unresolved reference still fails the build. Guides may include images kept next
# to them in docs/docsite/rst; antsibull-docs copies only the .rst files, so
# build.sh gets a step that copies the rest (W5).
set -euo pipefail
# the offline patches of conf.py and build.sh (W4, W5) are listed with every other
# workaround in hack/make-test/offline-workarounds.sh
# shellcheck source=hack/make-test/offline-workarounds.sh
. "$(dirname "${BASH_SOURCE[0]}")/make-test/offline-workarounds.sh"

NS_NAME=$(python -c 'import yaml; g = yaml.safe_load(open("galaxy.yml")); print("%s.%s" % (g["namespace"], g["name"]))')
DEST=${1:-${QCI_CACHE:?run through hack/make-test/with-env.sh, or give DEST}/docs}

rm -rf "$DEST"
mkdir -p "$DEST"
chmod 700 "$DEST"  # antsibull-docs wants it writable by its owner only
antsibull-docs sphinx-init --use-current --fail-on-error --squash-hierarchy \
  --project "$NS_NAME" --copyright 'qcloud.ci contributors' \
  --title "$NS_NAME collection documentation" --html-short-title "$NS_NAME" \
  --dest-dir "$DEST" "$NS_NAME"

qci_docs_offline_conf "$DEST"

grep -q -- ' -W ' "$DEST/build.sh" || { echo "docs: build.sh no longer runs sphinx-build with -W" >&2; exit 1; }
# antsibull-docs copies only the .rst files of docs/docsite/rst: copy what the guides
# include (images such as a benchmark chart) next to them, before Sphinx runs.
qci_docs_copy_guide_files "$DEST" "$PWD/docs/docsite/rst"
"$DEST/build.sh"

HTML=$DEST/build/html
python - "$HTML" "$NS_NAME" <<'EOF'
import os, sys
import yaml

html, fqcn = sys.argv[1], sys.argv[2]
pages = sorted(os.path.relpath(os.path.join(d, f), html)
               for d, dummy, files in os.walk(html) if '_static' not in d and '_sources' not in d
               for f in files if f.endswith('.html'))
need = ['index.html']
for dirname, kind in (('modules', 'module'), ('lookup', 'lookup')):
    top = os.path.join('plugins', dirname)
    if os.path.isdir(top):
        need += ['%s_%s.html' % (name[:-3], kind) for name in sorted(os.listdir(top))
                 if name.endswith('.py') and not name.startswith('_')]
if os.path.isdir('roles'):
    need += ['%s_role.html' % name for name in sorted(os.listdir('roles')) if os.path.isdir(os.path.join('roles', name))]
extra = yaml.safe_load(open(os.path.join('docs', 'docsite', 'extra-docs.yml'))) or {}
for section in extra.get('sections') or []:
    need += ['docsite/%s.html' % entry for entry in section.get('toctree') or []]
missing = [page for page in need if page not in pages]
for page in need:
    print('docs: %-40s %s' % (page, 'MISSING' if page in missing else 'ok'))
print('docs: %d HTML pages in %s' % (len(pages), html))
if missing:
    print('docs: ERROR: %d expected page(s) missing: %s' % (len(missing), ', '.join(missing)))
    sys.exit(1)
EOF
