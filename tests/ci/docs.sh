#!/usr/bin/env bash
# Build the collection's docs site (stage docs-site of make test; make docs):
# antsibull-docs sphinx-init + its build.sh, Sphinx with -W (warnings are
# errors), fully offline. Then check that the pages a user needs are there and
# print the page count.
#
#   tests/ci/with-env.sh tests/ci/docs.sh [DEST]     (make docs)
#
# Runs in the collection root with ANSIBLE_COLLECTIONS_PATH reaching the
# collection (tests/ci/env.sh). DEST (default $QCI_CACHE/docs, i.e. .cache/docs,
# ignored by git and outside the collection copy) is wiped first; the site is
# DEST/build/html/index.html.
#
# Offline: sphinx-init's conf.py maps four intersphinx inventories on the web
# (Python, Jinja, docs.ansible.com); they are emptied. The generated plugin pages
# refer to two labels that only docs.ansible.com defines (common_return_values,
# ansible_configuration_settings); a small hook in conf.py turns exactly those two
# into links to docs.ansible.com, so every other unresolved reference still fails
# the build.
#
# Guides may include images and other files kept next to them in docs/docsite/rst;
# antsibull-docs copies only the .rst files, so build.sh is given a step that
# copies the rest before Sphinx runs.
set -euo pipefail

NS_NAME=$(python -c 'import yaml; g = yaml.safe_load(open("galaxy.yml")); print("%s.%s" % (g["namespace"], g["name"]))')
DEST=${1:-${QCI_CACHE:?run through tests/ci/with-env.sh, or give DEST}/docs}

rm -rf "$DEST"
mkdir -p "$DEST"
chmod 700 "$DEST"  # antsibull-docs wants it writable by its owner only
antsibull-docs sphinx-init --use-current --fail-on-error --squash-hierarchy \
  --project "$NS_NAME" --copyright 'qcloud.ci contributors' \
  --title "$NS_NAME collection documentation" --html-short-title "$NS_NAME" \
  --dest-dir "$DEST" "$NS_NAME"

cat >>"$DEST/conf.py" <<'EOF'

# --- appended by tests/ci/docs.sh: build offline ---------------------------------
intersphinx_mapping = {}

_DOCS_ANSIBLE = 'https://docs.ansible.com/projects/ansible/latest/'
_EXTERNAL_LABELS = {
    'common_return_values': _DOCS_ANSIBLE + 'reference_appendices/common_return_values.html',
    'ansible_configuration_settings': _DOCS_ANSIBLE + 'reference_appendices/config.html',
}


def _external_label(app, env, node, contnode):
    """Resolve the two docs.ansible.com labels the plugin pages use; nothing else."""
    from docutils import nodes
    target = node.get('reftarget')
    if node.get('refdomain') == 'std' and target in _EXTERNAL_LABELS:
        ref = nodes.reference('', '', internal=False, refuri=_EXTERNAL_LABELS[target])
        ref += contnode
        return ref
    return None


def setup(app):
    app.connect('missing-reference', _external_label)
EOF

grep -q -- ' -W ' "$DEST/build.sh" || { echo "docs: build.sh no longer runs sphinx-build with -W" >&2; exit 1; }
# antsibull-docs copies only the .rst files of docs/docsite/rst: copy what the guides
# include (images such as a benchmark chart) next to them, before Sphinx runs.
export QCI_DOCSITE_RST=$PWD/docs/docsite/rst
python - "$DEST/build.sh" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
marker = '# Build Sphinx site\n'
if text.count(marker) != 1:
    sys.exit('docs: build.sh of antsibull-docs changed: no "# Build Sphinx site" step to insert before')
text = text.replace(marker, '# Files the guides include (inserted by tests/ci/docs.sh)\n'
                    'find "$QCI_DOCSITE_RST" -mindepth 1 -maxdepth 1 ! -name "*.rst" -exec cp -r -t rst/docsite {} +\n\n'
                    + marker)
open(path, 'w').write(text)
EOF
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
