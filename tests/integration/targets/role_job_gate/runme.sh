#!/usr/bin/env bash
# The qcloud.ci.job_gate role against the CI emulator (setup_emulator starts and stops it).
set -eux
ANSIBLE_ROLES_PATH=.. ansible-playbook runme.yml -i "${INVENTORY_PATH}" "$@"
