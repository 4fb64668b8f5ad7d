#!/usr/bin/env bash
# The stages of `make test`. Set-up (venvs from the pinned files, python3.X
# links, get-pip stand-ins, shellcheck, the collection copy, private HOME) is in
# hack/make-test/env.sh; multi-command stage bodies are in hack/make-test/stage-lib.sh.
#
#   hack/make-test/run-stages.sh            every stage (this is `make test`)
#   hack/make-test/run-stages.sh NAME...    only those stages; NAME also selects
#                                     NAME-* (e.g. `sanity` = sanity-2.21 sanity-2.19
#                                     sanity-2.16)
#   hack/make-test/run-stages.sh --list     the stage names
#
# Each stage runs in the collection copy ($QCI_COLLECTION), stdin /dev/null,
# is timed, and a failed stage does not stop the others. The last line is
# `make-test: N passed, N failed`; the exit code is non-zero if any failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/make-test/env.sh
. "$HERE/env.sh"
# shellcheck source=hack/make-test/stage-lib.sh
. "$HERE/stage-lib.sh"

# ---------------------------------------------------------------------------
# The stages, in order. ONE line each:  stage NAME COMMAND [ARGS...]
# COMMAND runs in the copy with .venv/main (ansible-core 2.21 and every tool)
# first on PATH; prefix it with `qci_lane LANE` to run it with another lane's
# venv first (2.16, 2.18, 2.19, importer: QCI_LANES in env.sh). A stage that
# runs on one ansible-core says which in its name (NAME-2.16); a lane whose
# interpreter is missing fails its stages. Stages that need the collection
# tarball get the one qci_tarball builds once per run (stage-lib.sh).
# ---------------------------------------------------------------------------
qci_stages() {
  stage pytest              qci_pytest tests/emulator/tests tests/system tests/awx/test_awx_credential_type.py tests/eda
  stage units-2.21          qci_units "$QCI_CTRL_PY" 3.9
  stage units-2.19          qci_lane 2.19 qci_units 3.11
  stage units-2.16          qci_lane 2.16 qci_units 3.12 3.9
  stage sanity-2.21         qci_sanity
  stage sanity-2.19         qci_lane 2.19 qci_sanity
  stage sanity-2.16         qci_lane 2.16 qci_sanity
  stage integration-2.21    qci_integration "$QCI_CTRL_PY"
  stage integration-2.18    qci_lane 2.18 qci_integration 3.11
  stage integration-2.16    qci_lane 2.16 qci_integration 3.12
  stage ansible-lint        qci_ansible_lint
  stage changelog-lint      qci_changelog_lint
  stage build-install       qci_build_install
  stage action-groups       python hack/make-test/check_action_groups.py
  stage ansible-doc         python hack/make-test/check_plugin_docs.py
  stage changelog-fragments python hack/make-test/check_changelog_fragments.py "$QCI_REPO"
  stage docs-lint           antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs --validate-collection-refs dependent --disallow-unknown-collection-refs .
  stage docs-site           hack/docs.sh
  stage demo-installed-2.21 qci_with_tarball hack/demo.sh
  stage demo-installed-2.16 qci_with_tarball qci_lane 2.16 hack/demo.sh
  stage demo-installed-2.18 qci_with_tarball qci_lane 2.18 hack/demo.sh
  stage molecule            molecule test -s job_gate
  stage ee                  qci_with_tarball python -m pytest -p no:cacheprovider -s tests/awx/test_ee_create.py
  stage runner-demo         qci_with_install python -m pytest -p no:cacheprovider tests/awx/test_runner_demo.py
  stage galaxy-importer     qci_with_tarball qci_lane importer qci_galaxy_importer
  stage eda-rulebook        qci_with_tarball qci_lane eda qci_eda_rulebook
}

MODE=run
SELECT=()
for arg in "$@"; do
  case $arg in
    --list) MODE=list ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) SELECT+=("$arg") ;;
  esac
done

selected() {  # selected NAME: is this stage wanted?
  local s
  [ "${#SELECT[@]}" -eq 0 ] && return 0
  for s in "${SELECT[@]}"; do
    case $1 in "$s" | "$s"-*) return 0 ;; esac
  done
  return 1
}

# First pass: collect the names (for --list and to reject unknown names).
NAMES=()
stage() { NAMES+=("$1"); }
qci_stages
if [ "$MODE" = list ]; then
  printf '%s\n' "${NAMES[@]}"
  exit 0
fi
for s in "${SELECT[@]}"; do
  ok=0
  for n in "${NAMES[@]}"; do
    case $n in "$s" | "$s"-*) ok=1 ;; esac
  done
  [ "$ok" = 1 ] || { echo "no stage named '$s'; stages: ${NAMES[*]}" >&2; exit 2; }
done

T0=$(date +%s)
echo "=== setup: venvs, interpreters, shellcheck, collection copy"
if ! qci_setup; then
  echo "=== setup: FAILED ($(($(date +%s) - T0))s)"
  echo "make-test: 0 passed, 1 failed"
  exit 1
fi
echo "=== setup: ok ($(($(date +%s) - T0))s)"
echo "    copy: $QCI_COLLECTION"
echo "    logs: $QCI_LOG_DIR"

PASS=0
FAIL=0
SUMMARY=()
stage() {  # stage NAME CMD...
  local name=$1 s rc secs
  shift
  selected "$name" || return 0
  echo
  echo "=== $name: $*"
  s=$(date +%s)
  # fd 9 holds the run lock: do not leak it into daemons a stage may start
  (cd "$QCI_COLLECTION" && "$@") </dev/null 9>&- 2>&1 | tee "$QCI_LOG_DIR/$name.log"
  rc=${PIPESTATUS[0]}
  secs=$(($(date +%s) - s))
  if [ "$rc" -eq 0 ]; then
    PASS=$((PASS + 1))
    echo "=== $name: ok (${secs}s)"
    SUMMARY+=("$(printf '  ok      %-20s %5ss' "$name" "$secs")")
  else
    FAIL=$((FAIL + 1))
    echo "=== $name: FAILED (${secs}s, exit $rc; log: $QCI_LOG_DIR/$name.log)"
    SUMMARY+=("$(printf '  FAILED  %-20s %5ss' "$name" "$secs")")
  fi
}
qci_stages

echo
echo "=== summary (total $(($(date +%s) - T0))s)"
printf '%s\n' "${SUMMARY[@]}"
echo "make-test: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
