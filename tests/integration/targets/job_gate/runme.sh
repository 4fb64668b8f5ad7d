#!/usr/bin/env bash
# The qcloud.ci.job_gate role against the CI emulator (started and stopped by tasks/main.yml).
set -eux
ansible-playbook runme.yml -i "${INVENTORY_PATH}" "$@"
