#!/usr/bin/env bash
# ci_queue_info through ansible-playbook against the CI emulator: one playbook that starts the
# emulator (setup_emulator) with files/jobs.jsonl, seeds the queues of files/queues.jsonl, runs
# every case and stops it.
set -eux

ANSIBLE_ROLES_PATH=.. ansible-playbook runme.yml -i "${INVENTORY_PATH}" "$@"
