#!/usr/bin/env bash
# The EXAMPLES of ci_jobs_info and of the ci_jobs lookup, unchanged, against the CI emulator: a
# play whose module_defaults and qcloud_ci_* variables point them at the emulator includes them
# as tasks. Fails when an example fails, or when a plugin has no examples.
set -euxo pipefail

data="$(mktemp -d)"
trap 'rm -rf "${data}"' EXIT
python files/make_data.py "${data}"

ANSIBLE_ROLES_PATH=.. ansible-playbook runme.yml -i "${INVENTORY_PATH}" -e "data_dir=${data}" "$@" 2>&1 \
    | tee "${data}/output.txt"

# the lookup's first example showed both jobs and their states
grep -q 'a8d121820f5e411ec926ef19d53ba9c6f is Success' "${data}/output.txt"
grep -q 'a632d4d3429a811ed8a5fa3d8277c400f is Failed' "${data}/output.txt"
