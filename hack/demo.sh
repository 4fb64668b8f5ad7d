#!/usr/bin/env bash
# `make demo`: the deployment gate against the local CI emulator, from a fresh clone.
#
# Runs under hack/make-test/with-env.sh (the Makefile does that): .venv/main built from the
# pinned .ci/requirements.txt, a private HOME, and the working directory a copy of the
# working tree. Then this script
#   1. builds the collection (ansible-galaxy collection build) and installs the tarball
#      into a clean collections path, which is the only one the demo uses;
#   2. starts the emulator shipped in the INSTALLED collection on 127.0.0.1 (a free port)
#      with its sample data set, and stops it on exit, failure or Ctrl-C included;
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

# The emulator's demo credential: one place, the emulator's harness (also listed in
# tests/emulator/data/README.md).
read -r SECRET_ID SECRET_KEY < <(python - "$COL/tests/emulator" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import harness
print(harness.DEMO_SECRET_ID, harness.DEMO_SECRET_KEY)
EOF
)
[ -n "${SECRET_KEY:-}" ] || { echo "could not read the demo credential from the emulator's harness" >&2; exit 1; }

echo "--- starting the CI emulator on 127.0.0.1 with the sample data set"
python "$COL/tests/emulator/ci_emulator.py" --host 127.0.0.1 --port 0 \
  --port-file "$DEMO/emulator.port" --lifetime 900 \
  --jobs "$COL/tests/emulator/data/sample_jobs.jsonl" \
  --secret-id "$SECRET_ID" --secret-key "$SECRET_KEY" >"$DEMO/emulator.log" 2>&1 &
EMULATOR_PID=$!
stop_emulator() {
  if kill -0 "$EMULATOR_PID" 2>/dev/null; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    echo "--- emulator stopped"
  fi
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 100); do
  [ -s "$DEMO/emulator.port" ] && break
  kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$DEMO/emulator.log" >&2; echo "the emulator did not start" >&2; exit 1; }
  sleep 0.1
done
PORT=$(head -n 1 "$DEMO/emulator.port")
[ -n "$PORT" ] || { echo "the emulator wrote no port" >&2; exit 1; }
echo "    listening on http://127.0.0.1:$PORT (log: $DEMO/emulator.log)"

echo "--- ansible-playbook qcloud.ci.demo (from the installed collection)"
export TENCENTCLOUD_SECRET_ID=$SECRET_ID TENCENTCLOUD_SECRET_KEY=$SECRET_KEY
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
if [ -t 1 ]; then
  unset ANSIBLE_NOCOLOR NO_COLOR
fi
cd "$DEMO"  # no ansible.cfg of the working tree applies
rc=0
ansible-playbook qcloud.ci.demo -e "demo_endpoint_url=http://127.0.0.1:$PORT" || rc=$?
stop_emulator
echo "--- make demo: $([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)") in $(($(date +%s) - T0))s"
exit "$rc"
