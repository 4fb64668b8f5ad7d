#!/usr/bin/env bash
# Run one command with the set-up and environment of `make test`
# (hack/make-test/env.sh): .venv/main first on PATH, private HOME, the refreshed
# collection copy as the working directory, ANSIBLE_COLLECTIONS_PATH set.
# For make targets that are not stages (demo, bench, ...), e.g.
#   hack/make-test/with-env.sh ansible-playbook playbooks/demo.yml
#   hack/make-test/with-env.sh qci_lane 2.16 ansible --version
# Without a command it only does the set-up (`make venv` builds every lane: qci_venvs).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/make-test/env.sh
. "$HERE/env.sh"
# shellcheck source=hack/make-test/stage-lib.sh
. "$HERE/stage-lib.sh"
qci_setup || exit 1
[ "$#" -gt 0 ] || exit 0
cd "$QCI_COLLECTION" || exit 1
"$@" 9>&-
