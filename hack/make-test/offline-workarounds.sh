# shellcheck shell=bash
# EVERY workaround for the offline build machine, in one file. Sourced by
# hack/make-test/env.sh (and so by make test, make stage, with-env.sh,
# hack/refresh-locks.sh) and by hack/docs.sh. Each one works around another
# tool's behaviour and may break when that tool is upgraded: re-check the
# version noted here when you bump it in .ci/*.in.
#
# W1 qci_pybin: a directory of real python3.X symlinks, first on PATH.
#    Patches: pyenv's python3.X shims, which fail unless that version is selected,
#    and ansible-test, which strips PYENV_VERSION. Why: ansible-test and the lane
#    venvs need every python3.X (3.8-3.13 here). Checked: pyenv's layout
#    $(pyenv root)/versions/3.X.Y/bin/python3.X; ansible-test of ansible-core
#    2.16.19, 2.18.19, 2.19.14, 2.21.5.
# W2 qci_get_pip: an offline stand-in for get-pip.py in
#    ~/.ansible/test/cache/get_pip_<pip version>.py.
#    Patches: ansible-test's pip bootstrap of every venv it makes, which downloads
#    get-pip.py from Ansible's CI file server (unreachable here). The file name
#    carries the pip version ansible-test pins, READ WITH A REGEX from
#    ansible-test's internals (ansible_test/_internal/python_requirements.py,
#    pip='X.Y'); the stand-in runs ensurepip, then installs that pip from PyPI.
#    Checked: ansible-core 2.16.19 (pip 23.1.2), 2.18.19 and 2.19.14 (24.2),
#    2.21.5 (25.2). If the pattern moves, no stand-in is written and ansible-test
#    fails on the download.
# W3 qci_shellcheck: shellcheck unpacked from Debian's .deb (apt-get download,
#    dpkg -x) into .cache/shellcheck; nothing installed system-wide.
#    Works around a missing binary: ansible-test sanity skips its shellcheck test
#    without it. Checked: Debian's shellcheck 0.9.0-1.
# W4 qci_docs_offline_conf: appended to the conf.py that `antsibull-docs
#    sphinx-init` writes: no intersphinx inventories (they are on the web), and a
#    missing-reference hook that resolves exactly the two docs.ansible.com labels
#    the generated plugin pages use. Why: its build.sh runs Sphinx with -W.
#    Checked: antsibull-docs 2.28.0 (Sphinx 9.1).
# W5 qci_docs_copy_guide_files: inserts a step into the build.sh that
#    antsibull-docs sphinx-init writes, before its "# Build Sphinx site" line,
#    that copies the non-.rst files of docs/docsite/rst (images) next to the
#    guides: antsibull-docs copies only .rst files. Checked: antsibull-docs
#    2.28.0; fails loudly if the marker line is gone.
#
# Not patches, only settings that keep tools off the network (in their own
# config files): ansible-lint `offline: true` (.ansible-lint), molecule
# `dependency.enabled: false` and `prerun: false` (extensions/molecule/*),
# `ansible-galaxy collection install --no-deps`, galaxy-importer
# OFFLINE_ANSIBLE_LINT (hack/make-test/galaxy-importer.cfg). And one that is not
# about the network: ansible-test needs the collection at
# .../ansible_collections/qcloud/ci as a real directory (qci_sync_copy, env.sh).

# W1
# A directory of real python3.X (pyenv's shims fail unless that version is
# selected, and ansible-test strips PYENV_VERSION).
qci_pybin() {
  local root d v p
  rm -rf "$QCI_PYBIN"
  mkdir -p "$QCI_PYBIN"
  if command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null) && [ -d "$root/versions" ]; then
    while IFS= read -r d; do
      v=$(basename "$d")
      v=${v%.*}
      case $v in 3.[0-9] | 3.[0-9][0-9]) ;; *) continue ;; esac
      [ -x "$d/bin/python$v" ] && ln -sfn "$d/bin/python$v" "$QCI_PYBIN/python$v"
    done < <(find "$root/versions" -mindepth 1 -maxdepth 1 -name '3.*' | sort -V)
  fi
  # other interpreters on PATH that really run and are not inside a venv
  for v in $QCI_TARGET_PYTHONS; do
    [ -e "$QCI_PYBIN/python$v" ] && continue
    p=$(command -v "python$v" 2>/dev/null) || continue
    "$p" -c 'import sys; sys.exit(sys.prefix != sys.base_prefix)' >/dev/null 2>&1 && ln -sfn "$p" "$QCI_PYBIN/python$v"
  done
}

# W2
# ansible-test bootstraps pip in each venv it makes by downloading get-pip.py
# from Ansible's CI file server (unreachable here). Put an offline stand-in
# under the name that this venv's ansible-core looks for (pip version pinned
# in ansible_test/_internal/python_requirements.py).
qci_get_pip() {  # qci_get_pip VENV_DIR
  local pipv
  pipv=$("$1/bin/python" - <<'EOF'
import os, re
try:
    import ansible_test
except ImportError:
    raise SystemExit(0)
p = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
m = re.search(r"pip='([0-9.]+)'", open(p).read())
print(m.group(1) if m else '')
EOF
  ) || return 1
  [ -n "$pipv" ] || return 0
  mkdir -p "$HOME/.ansible/test/cache"
  cat >"$HOME/.ansible/test/cache/get_pip_${pipv//./_}.py" <<'EOF'
# Offline stand-in for get-pip.py, written by hack/make-test/offline-workarounds.sh (W2).
import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', '--upgrade'] + args)
EOF
}

# W3
# The shellcheck binary (for ansible-test's shellcheck sanity test), unpacked from Debian's
# package into .cache (nothing is installed system-wide).
qci_shellcheck() {
  local d=$QCI_CACHE/shellcheck tmp
  command -v shellcheck >/dev/null 2>&1 && return 0
  if ! [ -x "$d/usr/bin/shellcheck" ]; then
    qci_log "fetching shellcheck from Debian's package (apt-get download)"
    tmp=$(mktemp -d)
    (
      cd "$tmp" || exit 1
      { apt-get download shellcheck >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get download shellcheck >/dev/null 2>&1; }; } &&
        rm -rf "$d" && dpkg -x shellcheck_*.deb "$d"
    )
    rm -rf "$tmp"
  fi
  if [ -x "$d/usr/bin/shellcheck" ]; then
    export PATH=$PATH:$d/usr/bin
  else
    qci_warn "shellcheck unavailable: ansible-test sanity will skip its 'shellcheck' test"
  fi
}

# W4: make the conf.py of `antsibull-docs sphinx-init` build offline.
qci_docs_offline_conf() {  # qci_docs_offline_conf DEST (holds conf.py)
  cat >>"$1/conf.py" <<'EOF'

# --- appended by hack/make-test/offline-workarounds.sh (W4): build offline -----
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
}

# W5: make the build.sh of `antsibull-docs sphinx-init` copy the files the guides
# include (images) next to them before Sphinx runs; SRC is docs/docsite/rst.
qci_docs_copy_guide_files() {  # qci_docs_copy_guide_files DEST SRC
  QCI_DOCSITE_RST=$2 python - "$1/build.sh" <<'EOF'
import os, shlex, sys
path = sys.argv[1]
text = open(path).read()
marker = '# Build Sphinx site\n'
if text.count(marker) != 1:
    sys.exit('docs: build.sh of antsibull-docs changed: no "# Build Sphinx site" step to insert before')
step = ('# Files the guides include (inserted by hack/make-test/offline-workarounds.sh, W5)\n'
        'find %s -mindepth 1 -maxdepth 1 ! -name "*.rst" -exec cp -r -t rst/docsite {} +\n\n'
        % shlex.quote(os.environ['QCI_DOCSITE_RST']))
open(path, 'w').write(text.replace(marker, step + marker))
EOF
}
