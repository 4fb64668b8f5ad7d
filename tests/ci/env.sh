# shellcheck shell=bash
# Set-up and environment shared by `make test`, the single-stage make targets
# and tests/ci/with-env.sh. Sourcing this file only defines QCI_* variables and
# qci_* functions; nothing happens until qci_setup runs.
#
# What stages can rely on once qci_setup has run (all paths absolute, exported):
#   QCI_REPO              the working tree (where galaxy.yml is)
#   QCI_CACHE             $QCI_REPO/.cache: everything generated except the venvs
#   QCI_VENV_DIR          $QCI_REPO/.venv
#   QCI_VENV_MAIN         .venv/main: Python 3.12, ansible-core 2.21 and every tool
#                         (.ci/requirements.txt); first on PATH, also $VIRTUAL_ENV
#   QCI_VENV_OLDEST       .venv/oldest: Python 3.11, ansible-core 2.19
#                         (.ci/requirements-oldest.txt); built on first use (qci_lane)
#   QCI_CTRL_PY           controller Python of the main lane (3.12)
#   QCI_PYBIN             real python3.X symlinks (pyenv's shims fail), on PATH
#   QCI_COLLECTIONS_ROOT  directory containing ansible_collections/ with the copy
#   QCI_COLLECTION        $QCI_COLLECTIONS_ROOT/ansible_collections/qcloud/ci: a copy
#                         of the working tree (the files git shows); stages run here
#   QCI_RUN               scratch of this run ($QCI_CACHE/run), emptied at set-up
#   QCI_DIST_DIR          where build-install writes the tarball
#   QCI_INSTALL_ROOT      where build-install installs it (holds ansible_collections/)
#   QCI_LOG_DIR           $QCI_CACHE/logs: NAME.log of the last run of each stage
#   HOME                  $QCI_CACHE/home: private and persistent; set-up prunes it to
#                         .ansible/test (ansible-test's venvs and get-pip stand-ins)
#   PIP_CACHE_DIR         the caller's pip cache (shared)
#   ANSIBLE_COLLECTIONS_PATH=$QCI_COLLECTIONS_ROOT, ANSIBLE_NOCOLOR=1,
#   ANSIBLE_FORCE_COLOR=0, NO_COLOR=1, PY_COLORS=0, ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1,
#   PYTHONDONTWRITEBYTECODE=1, LC_ALL=C.UTF-8; any other ANSIBLE_* is unset.

QCI_NS=qcloud
QCI_NAME=ci
QCI_CTRL_PY=3.12
# Lanes: name, Python, pinned file (relative to the repo). Add a lane with one line.
QCI_LANES=(
  "main   3.12 .ci/requirements.txt"
  "oldest 3.11 .ci/requirements-oldest.txt"
  "eda    3.12 .ci/requirements-eda.txt"
)
# Target Pythons ansible-test knows for the lanes (2.19: 3.8-3.13, 2.21: 3.9-3.14).
QCI_TARGET_PYTHONS="3.8 3.9 3.10 3.11 3.12 3.13 3.14"

QCI_REPO=${QCI_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
QCI_CACHE=${QCI_CACHE:-$QCI_REPO/.cache}
QCI_VENV_DIR=$QCI_REPO/.venv
QCI_VENV_MAIN=$QCI_VENV_DIR/main
QCI_VENV_OLDEST=$QCI_VENV_DIR/oldest
QCI_PYBIN=$QCI_CACHE/pybin
QCI_COLLECTIONS_ROOT=$QCI_CACHE/collections
QCI_COLLECTION=$QCI_COLLECTIONS_ROOT/ansible_collections/$QCI_NS/$QCI_NAME
QCI_RUN=$QCI_CACHE/run
QCI_DIST_DIR=$QCI_RUN/dist
QCI_INSTALL_ROOT=$QCI_RUN/installed
QCI_LOG_DIR=$QCI_CACHE/logs

qci_log() { echo "--- $*"; }
qci_warn() { echo "WARNING: $*" >&2; }

# pip without the "WARNING: Location '...' is ignored" lines this machine's
# pip.conf causes (noise only); pip's exit code survives.
qci_pip() {  # qci_pip VENV_DIR ARGS...
  local dir=$1
  shift
  "$dir/bin/python" -m pip "$@" 2> >(grep -v "^WARNING: Location" >&2)
}

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

qci_python() {  # qci_python 3.X: path of a working interpreter, or fail
  local p=$QCI_PYBIN/python$1
  if [ -x "$p" ] && "$p" -c '' >/dev/null 2>&1; then
    echo "$p"
  else
    echo "ERROR: no working python$1 (looked in pyenv and on PATH)" >&2
    return 1
  fi
}

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
# Offline stand-in for get-pip.py, written by tests/ci/env.sh.
import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', '--upgrade'] + args)
EOF
}

# Build (or reuse) the venv of a lane. It is reused while a stamp, a hash of
# the pinned file, the interpreter's version and the venv path, is unchanged.
qci_venv() {  # qci_venv LANE
  local lane=$1 entry name pyver lock="" py want dir pipline
  for entry in "${QCI_LANES[@]}"; do
    read -r name pyver lock <<<"$entry"
    [ "$name" = "$lane" ] && break
    lock=""
  done
  [ -n "$lock" ] || { echo "ERROR: unknown lane '$lane'" >&2; return 1; }
  dir=$QCI_VENV_DIR/$lane
  lock=$QCI_REPO/$lock
  py=$(qci_python "$pyver") || return 1
  want=$({ echo "qci-venv 1 $dir"; "$py" -c 'import sys; print(sys.version)'; cat "$lock"; } | sha256sum | cut -d' ' -f1)
  if ! [ -x "$dir/bin/python" ] || [ "$(cat "$dir/.qci-stamp" 2>/dev/null)" != "$want" ]; then
    qci_log "building venv $dir (Python $pyver) from ${lock#"$QCI_REPO"/}"
    rm -rf "$dir"
    pipline=$(grep -E '^pip==' "$lock") || pipline=pip
    if ! { "$py" -m venv "$dir" &&
      qci_pip "$dir" install -q "$pipline" &&
      qci_pip "$dir" install -q --no-deps -r "$lock" &&
      qci_pip "$dir" check; }; then
      echo "ERROR: could not build $dir from $lock" >&2
      rm -rf "$dir"
      return 1
    fi
    echo "$want" >"$dir/.qci-stamp"
  fi
  qci_get_pip "$dir"
}

# Run CMD with a lane's venv first on PATH (building the venv if needed).
qci_lane() {
  local lane=$1 rc old_path=$PATH old_venv=${VIRTUAL_ENV:-}
  shift
  qci_venv "$lane" || return 1
  VIRTUAL_ENV=$QCI_VENV_DIR/$lane
  PATH=$VIRTUAL_ENV/bin:$PATH
  "$@"
  rc=$?
  PATH=$old_path
  VIRTUAL_ENV=$old_venv
  return "$rc"
}

# Java for ansible-rulebook (stage eda-rulebook): Debian's openjdk-17-jre-headless, installed
# with apt-get when no java is on PATH (as root, or with password-less sudo).
qci_java() {
  local sudo=""
  command -v java >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  qci_log "installing Debian's openjdk-17-jre-headless (apt-get) for ansible-rulebook"
  { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1; }; }
  command -v java >/dev/null 2>&1 ||
    { echo "ERROR: ansible-rulebook needs Java: apt-get install openjdk-17-jre-headless" >&2; return 1; }
}

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

# The files of the working tree that git shows (tracked, and untracked but not
# ignored), NUL-separated, relative to QCI_REPO; without git, a walk that
# leaves out generated directories.
qci_list_files() {
  local top
  if top=$(git -C "$QCI_REPO" rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$QCI_REPO" ]; then
    (cd "$QCI_REPO" && git ls-files -z --cached --others --exclude-standard) |
      while IFS= read -r -d '' f; do
        if [ -e "$QCI_REPO/$f" ] || [ -L "$QCI_REPO/$f" ]; then printf '%s\0' "$f"; fi
      done
  else
    (cd "$QCI_REPO" && find . \( -name .git -o -name .venv -o -name .cache -o -name .ansible \
      -o -name __pycache__ -o -name .pytest_cache -o -name '*.tar.gz' -o -path ./tests/output \
      -o -path ./tests/integration/inventory \) -prune -o \( -type f -o -type l \) -printf '%P\0')
  fi
}

# ansible-test needs the collection at .../ansible_collections/NS/NAME as a real
# directory. The copy lives inside this checkout (.cache is ignored), and
# ansible-test and ansible-lint search upwards for a .git: they would find the
# outer checkout, in which the copy is ignored, and test nothing. So the copy
# gets its own (empty) git repository: both tools then list its files exactly
# as in a checkout (everything not ignored by the copied .gitignore).
# Refresh the copy; keep only its tests/output (ansible-test's delegation venvs
# and results, ignored by .gitignore).
qci_sync_copy() {
  local dest=$QCI_COLLECTION
  mkdir -p "$dest"
  find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
  if [ -d "$dest/tests" ]; then
    find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
  fi
  qci_list_files | tar -C "$QCI_REPO" --null --no-recursion -T - -cf - | tar -C "$dest" -xf - || return 1
  git -c init.defaultBranch=main init -q "$dest"
}

qci_export_env() {
  local v
  for v in $(compgen -e); do
    case $v in ANSIBLE_*) unset "$v" ;; esac
  done
  unset VIRTUAL_ENV PYTHONPATH PYTHONHOME PYENV_VERSION
  export QCI_REPO QCI_CACHE QCI_VENV_DIR QCI_VENV_MAIN QCI_VENV_OLDEST QCI_CTRL_PY QCI_PYBIN \
    QCI_COLLECTIONS_ROOT QCI_COLLECTION QCI_RUN QCI_DIST_DIR QCI_INSTALL_ROOT QCI_LOG_DIR
  export QCI_REAL_HOME=${QCI_REAL_HOME:-$HOME}
  export PIP_CACHE_DIR=${PIP_CACHE_DIR:-$QCI_REAL_HOME/.cache/pip}
  export HOME=$QCI_CACHE/home
  export ANSIBLE_COLLECTIONS_PATH=$QCI_COLLECTIONS_ROOT
  export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0
  export ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1 PYTHONDONTWRITEBYTECODE=1
  export LC_ALL=C.UTF-8 LANG=C.UTF-8
  export VIRTUAL_ENV=$QCI_VENV_MAIN
  export PATH=$QCI_VENV_MAIN/bin:$QCI_PYBIN:$PATH
}

# Private but persistent HOME: keep ansible-test's venvs and cache (warm
# reruns), drop everything else (installed collections, molecule state, ...).
qci_prune_home() {
  mkdir -p "$HOME/.ansible/test"
  find "$HOME" -mindepth 1 -maxdepth 1 ! -name .ansible -exec rm -rf {} +
  find "$HOME/.ansible" -mindepth 1 -maxdepth 1 ! -name test -exec rm -rf {} +
}

# Serialize runs in one working tree: the copy, HOME and the venvs are shared.
qci_lock() {
  mkdir -p "$QCI_CACHE"
  exec 9>"$QCI_CACHE/.lock"
  local t0
  if ! flock -n 9; then
    echo "--- another make test/stage run is using $QCI_CACHE; waiting for it"
    t0=$(date +%s)
    flock 9
    echo "--- waited $(($(date +%s) - t0))s for the other run (counted in the set-up time)"
  fi
}

qci_setup() {
  local v missing=""
  if [ "${QCI_SETUP_DONE:-}" = 1 ]; then return 0; fi  # nested call: already set up
  qci_lock
  qci_export_env
  qci_prune_home
  rm -rf "$QCI_RUN"
  mkdir -p "$QCI_RUN" "$QCI_LOG_DIR"
  qci_pybin
  for v in $QCI_TARGET_PYTHONS; do
    [ -e "$QCI_PYBIN/python$v" ] || missing="$missing $v"
  done
  [ -z "$missing" ] || qci_warn "no Python$missing on this machine: ansible-test skips those targets"
  qci_venv main || return 1
  qci_shellcheck
  qci_sync_copy || return 1
  export QCI_SETUP_DONE=1
}
