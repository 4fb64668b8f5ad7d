# shellcheck shell=bash
# Set-up and environment shared by `make test`, the single-stage make targets
# and hack/make-test/with-env.sh. Sourcing this file only defines QCI_* variables and
# qci_* functions; nothing happens until qci_setup runs.
#
# What stages can rely on once qci_setup has run (all paths absolute, exported):
#   QCI_REPO              the working tree (where galaxy.yml is)
#   QCI_CACHE             $QCI_REPO/.cache: everything generated except the venvs
#   QCI_VENV_DIR          $QCI_REPO/.venv
#   QCI_VENV_MAIN         .venv/main: Python 3.12, ansible-core 2.21 and every tool
#                         (.ci/requirements.txt); first on PATH, also $VIRTUAL_ENV
#   QCI_VENV_DIR/LANE     the other lanes (QCI_LANES below: 2.16, 2.18, 2.19,
#                         importer), each built on first use (qci_lane LANE)
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
# Lanes: name, controller Python, pinned file (relative to the repo). A lane is a
# venv built from its pinned file on a Python its ansible-core supports as a
# controller (2.16/2.17: 3.10-3.12, 2.18/2.19: 3.11-3.13, 2.20/2.21: 3.12-3.14).
# Add a lane with one line here and its stages in run-stages.sh.
#   main      ansible-core 2.21 and every tool (ansible-lint, molecule, antsibull-*, ...)
#   2.16      the oldest core of meta/runtime.yml requires_ansible (AAP 2.5-2.7's default)
#   2.18      AAP 2.5/2.6's second execution environment core
#   2.19      sanity/units down to Python 3.8 module targets
#   importer  galaxy-importer (pins its own ansible-core and ansible-lint)
#   eda       ansible-rulebook (with ansible-core 2.21) for the eda-rulebook stage
QCI_LANES=(
  "main     3.12 .ci/requirements.txt"
  "2.16     3.12 .ci/requirements-2.16.txt"
  "2.18     3.11 .ci/requirements-2.18.txt"
  "2.19     3.11 .ci/requirements-2.19.txt"
  "importer 3.12 .ci/requirements-importer.txt"
  "eda      3.12 .ci/requirements-eda.txt"
)
# Target Pythons ansible-test knows for the lanes (2.16: 3.6-3.12 (modules 3.9+ here,
# tests/config.yml), 2.19: 3.8-3.13, 2.21: 3.9-3.14).
QCI_TARGET_PYTHONS="3.8 3.9 3.10 3.11 3.12 3.13 3.14"

QCI_REPO=${QCI_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
QCI_CACHE=${QCI_CACHE:-$QCI_REPO/.cache}
QCI_VENV_DIR=$QCI_REPO/.venv
QCI_VENV_MAIN=$QCI_VENV_DIR/main
QCI_PYBIN=$QCI_CACHE/pybin
QCI_COLLECTIONS_ROOT=$QCI_CACHE/collections
QCI_COLLECTION=$QCI_COLLECTIONS_ROOT/ansible_collections/$QCI_NS/$QCI_NAME
QCI_RUN=$QCI_CACHE/run
QCI_DIST_DIR=$QCI_RUN/dist
QCI_INSTALL_ROOT=$QCI_RUN/installed
QCI_LOG_DIR=$QCI_CACHE/logs

# Every workaround for the offline build machine lives in one file, listed in its header.
# shellcheck source=hack/make-test/offline-workarounds.sh
. "$QCI_REPO/hack/make-test/offline-workarounds.sh"

qci_log() { echo "--- $*"; }
qci_warn() { echo "WARNING: $*" >&2; }

# pip without the "WARNING: Location '...' is ignored" lines this machine's
# pip.conf causes (noise only); pip's exit code survives.
qci_pip() {  # qci_pip VENV_DIR ARGS...
  local dir=$1
  shift
  "$dir/bin/python" -m pip "$@" 2> >(grep -v "^WARNING: Location" >&2)
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
  py=$(qci_python "$pyver") || {
    echo "ERROR: lane '$lane' needs Python $pyver (its controller Python, QCI_LANES in hack/make-test/env.sh): not found; the lane FAILS, it is not skipped" >&2
    return 1
  }
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

# Build (or reuse) every lane's venv (make venv).
qci_venvs() {
  local entry name
  for entry in "${QCI_LANES[@]}"; do
    read -r name _ <<<"$entry"
    qci_venv "$name" || return 1
  done
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
  export QCI_REPO QCI_CACHE QCI_VENV_DIR QCI_VENV_MAIN QCI_CTRL_PY QCI_PYBIN \
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
