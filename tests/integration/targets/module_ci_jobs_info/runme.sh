#!/usr/bin/env bash
# ci_jobs_info through ansible-playbook against the CI emulator: make the data (and what the module
# must answer for it), then one playbook that starts the emulator (setup_emulator), runs every case
# and stops it.
set -eux

data="$(mktemp -d)"
trap 'rm -rf "${data}"' EXIT
python files/make_data.py "${data}"
python files/make_families.py "${data}"

ANSIBLE_ROLES_PATH=.. ansible-playbook runme.yml -i "${INVENTORY_PATH}" -e "data_dir=${data}" "$@"
