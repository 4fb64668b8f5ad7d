# shellcheck shell=bash
# Bodies of the stages that need more than one command. Each runs inside the
# collection copy ($QCI_COLLECTION) with the environment of hack/make-test/env.sh,
# returns non-zero on failure, and says so plainly when it has nothing to test.

# True when DIR holds pytest-style test files.
qci_has_tests() {  # qci_has_tests DIR
  [ -d "$1" ] && [ -n "$(find "$1" \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit)" ]
}

# Plain pytest, once per argument (a directory or a test file). Exit 5 (no
# tests collected) is a failure when there are test files. A directory that
# does not exist or holds no test files is reported and passes (truly nothing
# to run yet); a test FILE that does not exist is a failure.
qci_pytest() {  # qci_pytest DIR|FILE...
  local d rc=0 r ran=0
  for d in "$@"; do
    if [ -f "$d" ]; then
      :
    elif [ "${d%.py}" != "$d" ]; then
      echo "pytest: no such test file: $d" >&2
      rc=1
      continue
    elif ! qci_has_tests "$d"; then
      echo "pytest: no test files under $d yet: nothing to test there"
      continue
    fi
    ran=$((ran + 1))
    echo "pytest: $d"
    python -m pytest -p no:cacheprovider "$d"
    r=$?
    if [ "$r" -eq 5 ]; then
      echo "pytest: $d has test files but pytest collected no tests" >&2
    fi
    [ "$r" -eq 0 ] || rc=1
  done
  [ "$ran" -gt 0 ] || [ "$rc" -ne 0 ] || echo "pytest: nothing to test yet (no test files under: $*)"
  return "$rc"
}

# ansible-test units --venv on each Python given (the lane's ansible-test is
# first on PATH: call through qci_lane).
qci_units() {  # qci_units PYTHON...
  local py rc=0
  if ! qci_has_tests tests/unit; then
    echo "units: no unit tests under tests/unit yet: nothing to test"
    return 0
  fi
  ansible --version | sed -n 1p
  for py in "$@"; do
    qci_python "$py" >/dev/null || return 1
    echo "units: ansible-test units --venv --python $py"
    ansible-test units --venv --python "$py" --color no || rc=1
  done
  return "$rc"
}

# Sanity must pass with no ignore entries: any non-comment line in
# tests/sanity/ignore-*.txt fails the stage.
qci_no_sanity_ignores() {
  local f bad=0
  for f in tests/sanity/ignore-*.txt; do
    [ -e "$f" ] || continue
    if grep -vE '^[[:space:]]*(#|$)' "$f"; then
      echo "sanity: $f has entries (above); fix the code instead" >&2
      bad=1
    fi
  done
  return "$bad"
}

# ansible-test sanity --venv: every test, every target Python found on PATH.
qci_sanity() {
  ansible --version | sed -n 1p
  qci_no_sanity_ignores || return 1
  ansible-test sanity --venv --color no
}

# Integration targets are the directories under tests/integration/targets
# except setup_*/prepare_* helpers (they run only as dependencies).
qci_integration() {  # qci_integration PYTHON
  local t found=""
  for t in tests/integration/targets/*/; do
    [ -d "$t" ] || continue
    t=$(basename "$t")
    case $t in setup_* | prepare_*) ;; *) found="$found $t" ;; esac
  done
  if [ -z "$found" ]; then
    echo "integration: no targets under tests/integration/targets yet: nothing to test"
    return 0
  fi
  qci_python "$1" >/dev/null || return 1
  ansible --version | sed -n 1p
  echo "integration: targets:$found"
  ansible-test integration --venv --python "$1" --color no
}

# ansible-lint, production profile, offline. Also refuse a run that linted no
# file at all (that would be a silent pass).
qci_ansible_lint() {
  local out rc
  out=$QCI_RUN/ansible-lint.out
  ansible-lint --version | sed -n 1p
  ansible-lint --offline --profile production --nocolor "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ] && ! grep -qE '(on|in) [1-9][0-9]* files' "$out"; then
    echo "ansible-lint: exit 0 but no file was linted (see above)" >&2
    return 1
  fi
  return "$rc"
}

qci_changelog_lint() {
  antsibull-changelog lint || return 1
  if [ -e changelogs/changelog.yaml ]; then
    antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || return 1
  fi
}

# The collection tarball: built ONCE per run (make test or make stage) with
# .venv/main's ansible-galaxy into $QCI_DIST_DIR ($QCI_RUN is emptied at set-up),
# then reused by every stage that needs it (build-install, demo-installed-*,
# ee, runner-demo, galaxy-importer). Prints its path.
qci_tarball() {
  local tarball
  tarball=$(find "$QCI_DIST_DIR" -maxdepth 1 -name "$QCI_NS-$QCI_NAME-*.tar.gz" -print -quit 2>/dev/null)
  if [ -z "$tarball" ]; then
    mkdir -p "$QCI_DIST_DIR"
    "$QCI_VENV_MAIN/bin/ansible-galaxy" collection build --force --output-path "$QCI_DIST_DIR" "$QCI_COLLECTION" >&2 || return 1
    tarball=$(find "$QCI_DIST_DIR" -maxdepth 1 -name "$QCI_NS-$QCI_NAME-*.tar.gz" -print -quit)
    [ -n "$tarball" ] || { echo "tarball: no $QCI_NS-$QCI_NAME-*.tar.gz in $QCI_DIST_DIR" >&2; return 1; }
  else
    echo "tarball: reusing $tarball (built once per run)" >&2
  fi
  echo "$tarball"
}

# Run CMD with QCI_TARBALL set to the tarball of this run.
qci_with_tarball() {  # qci_with_tarball CMD...
  local tarball
  tarball=$(qci_tarball) || return 1
  QCI_TARBALL=$tarball "$@"
}

# Install the tarball of this run once into $QCI_INSTALL_ROOT (with .venv/main's
# ansible-galaxy, --no-deps); prints the root (it holds ansible_collections/).
qci_installed() {
  local tarball
  if ! [ -f "$QCI_INSTALL_ROOT/ansible_collections/$QCI_NS/$QCI_NAME/MANIFEST.json" ]; then
    tarball=$(qci_tarball) || return 1
    rm -rf "$QCI_INSTALL_ROOT"
    mkdir -p "$QCI_INSTALL_ROOT"
    ANSIBLE_COLLECTIONS_PATH=$QCI_INSTALL_ROOT "$QCI_VENV_MAIN/bin/ansible-galaxy" collection install \
      --no-deps -p "$QCI_INSTALL_ROOT" "$tarball" >&2 || return 1
  fi
  echo "$QCI_INSTALL_ROOT"
}

# Run CMD once the tarball of this run is installed in $QCI_INSTALL_ROOT.
qci_with_install() {  # qci_with_install CMD...
  qci_installed >/dev/null || return 1
  "$@"
}

# Check the tarball carries nothing generated, install it with --no-deps into
# a clean path and verify the install offline.
qci_build_install() {
  local tarball
  tarball=$(qci_tarball) || return 1
  python - "$tarball" <<'EOF' || return 1
import re, sys, tarfile
bad = re.compile(r'(^|/)(\.venv|\.cache|\.ansible|\.git|\.ci|__pycache__|\.pytest_cache|\.hypothesis)(/|$)'
                 r'|^hack(/|$)|^tests/output(/|$)|^tests/integration/inventory$|\.pyc$|\.tar\.gz$|^changelogs/\.plugin-cache\.yaml$')
with tarfile.open(sys.argv[1]) as tf:
    names = tf.getnames()
found = [n for n in names if bad.search(n)]
print(f'build-install: {len(names)} entries in {sys.argv[1]}')
if found:
    print('build-install: generated files in the tarball (fix build_ignore in galaxy.yml):', *found[:20], sep='\n  ')
    sys.exit(1)
EOF
  qci_installed >/dev/null || return 1
  # only the clean path, not the copy, is a collections path here
  export ANSIBLE_COLLECTIONS_PATH=$QCI_INSTALL_ROOT
  ansible-galaxy collection list "$QCI_NS.$QCI_NAME" || return 1
  ansible-galaxy collection verify --offline -p "$QCI_INSTALL_ROOT" "$QCI_NS.$QCI_NAME"
}

# galaxy-importer (what Galaxy and Automation Hub run on every upload) on the
# tarball of this run, ansible-lint enabled (hack/make-test/galaxy-importer.cfg).
# Fails on an error, on ANY warning line, and when a fenced code block of
# README.md or a role README does not come out as a <pre> block in the HTML
# Galaxy shows (check_galaxy_import.py). Call through `qci_lane importer`.
qci_galaxy_importer() {
  local out=$QCI_RUN/galaxy-importer rc
  [ -n "${QCI_TARBALL:-}" ] || { echo "galaxy-importer: no QCI_TARBALL (call through qci_with_tarball)" >&2; return 1; }
  rm -rf "$out"
  mkdir -p "$out"
  python -c 'import importlib.metadata as m; print("galaxy-importer", m.version("galaxy-importer"))'
  (
    cd "$out" || exit 1
    GALAXY_IMPORTER_CONFIG=$QCI_REPO/hack/make-test/galaxy-importer.cfg \
      python -m galaxy_importer.main "$QCI_TARBALL" 2>&1 | tee "$out/log"
    exit "${PIPESTATUS[0]}"
  )
  rc=$?
  [ "$rc" -eq 0 ] || { echo "galaxy-importer: exit $rc" >&2; return 1; }
  python "$QCI_REPO/hack/make-test/check_galaxy_import.py" "$out/log" "$out/importer_result.json" "$QCI_TARBALL"
}

# ansible-rulebook runs the EDA source and filter from the collection's tarball of this run
# (tests/eda/rulebook_check.py). Call through qci_with_tarball and `qci_lane eda`.
qci_eda_rulebook() {
  [ -n "${QCI_TARBALL:-}" ] || { echo "eda-rulebook: no QCI_TARBALL (call through qci_with_tarball)" >&2; return 1; }
  qci_java || return 1
  python tests/eda/rulebook_check.py "$QCI_TARBALL"
}
