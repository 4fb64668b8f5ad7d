#!/usr/bin/env bash
# Run one command with the set-up and environment of `make test`
# (tests/ci/env.sh): .venv/main first on PATH, private HOME, the refreshed
# collection copy as the working directory, ANSIBLE_COLLECTIONS_PATH set.
# For make targets that are not stages (demo, bench, ...), e.g.
#   tests/ci/with-env.sh ansible-playbook playbooks/demo.yml
#   tests/ci/with-env.sh qci_lane oldest ansible --version
# Without a command it only does the set-up (`make venv` adds both venvs).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ci/env.sh
. "$HERE/env.sh"
# shellcheck source=tests/ci/stage-lib.sh
. "$HERE/stage-lib.sh"
qci_setup || exit 1
[ "$#" -gt 0 ] || exit 0
cd "$QCI_COLLECTION" || exit 1
"$@" 9>&-
