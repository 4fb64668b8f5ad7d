#!/usr/bin/env bash
# `make demo`: the deployment gate against the local CI emulator, from a fresh clone.
#
# Runs under hack/make-test/with-env.sh (the Makefile does that): .venv/main built from the
# pinned .ci/requirements.txt, a private HOME, and the working directory a copy of the
# working tree. Then this script
#   1. builds the collection (ansible-galaxy collection build) and installs the tarball
#      into a clean collections path, which is the only one the demo uses;
#   2. starts the emulator shipped in the INSTALLED collection on 127.0.0.1 (a free port)
#      with its sample data set through its one launcher (tests/emulator/harness.py start),
#      and stops it (harness.py stop) on exit, failure or Ctrl-C included;
#   3. runs the playbook qcloud.ci.demo (playbooks/demo.yml) from the installed collection,
#      with the emulator's demo credential in TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY.
# Readable output: YAML results, no skipped tasks. Exit code: the playbook's.
set -euo pipefail

if [ -z "${QCI_RUN:-}" ]; then
  echo "hack/demo.sh runs through hack/make-test/with-env.sh; use: make demo" >&2
  exit 2
fi

T0=$(date +%s)
DEMO=$QCI_RUN/demo
rm -rf "$DEMO"
mkdir -p "$DEMO/dist" "$DEMO/collections"

if [ -n "${QCI_TARBALL:-}" ]; then  # make test: the one tarball of this run
  tarball=$QCI_TARBALL
  echo "--- installing $tarball into $DEMO/collections with $(ansible --version | sed -n 1p)"
else
  echo "--- building the collection and installing it into $DEMO/collections"
  ansible-galaxy collection build --force --output-path "$DEMO/dist" . >"$DEMO/build.log" 2>&1 ||
    { cat "$DEMO/build.log" >&2; exit 1; }
  tarball=$(find "$DEMO/dist" -name 'qcloud-ci-*.tar.gz' -print -quit)
fi
# only the clean path is a collections path from here on (not the working tree's copy)
export ANSIBLE_COLLECTIONS_PATH=$DEMO/collections
ansible-galaxy collection install --no-deps -p "$DEMO/collections" "$tarball" >"$DEMO/install.log" 2>&1 ||
  { cat "$DEMO/install.log" >&2; exit 1; }
COL=$DEMO/collections/ansible_collections/qcloud/ci
echo "    $(basename "$tarball") installed"

# The one launcher of the emulator (tests/emulator/harness.py), from the INSTALLED collection:
# it knows the demo credential and serves the sample data set by default.
HARNESS=$COL/tests/emulator/harness.py
read -r SECRET_ID SECRET_KEY < <(python "$HARNESS" credential)
[ -n "${SECRET_KEY:-}" ] || { echo "could not read the demo credential from the emulator's harness" >&2; exit 1; }

STATE=$DEMO/emulator.json
stop_emulator() {
  if [ -e "$STATE" ]; then
    python "$HARNESS" stop --state-file "$STATE" && echo "--- emulator stopped"
  fi
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "--- starting the CI emulator on 127.0.0.1 with the sample data set"
URL=$(python "$HARNESS" start --state-file "$STATE" --lifetime 900) ||
  { echo "the emulator did not start" >&2; exit 1; }
echo "    listening on $URL (state: $STATE)"

echo "--- ansible-playbook qcloud.ci.demo (from the installed collection)"
export TENCENTCLOUD_SECRET_ID=$SECRET_ID TENCENTCLOUD_SECRET_KEY=$SECRET_KEY
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
if [ -t 1 ]; then
  unset ANSIBLE_NOCOLOR NO_COLOR
fi
cd "$DEMO"  # no ansible.cfg of the working tree applies
rc=0
ansible-playbook qcloud.ci.demo -e "demo_endpoint_url=$URL" || rc=$?
stop_emulator
echo "--- make demo: $([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)") in $(($(date +%s) - T0))s"
exit "$rc"
