#!/usr/bin/env bash
# The qcloud.ci.job_gate role against the CI emulator (setup_emulator starts and stops it).
set -eux
ANSIBLE_ROLES_PATH=.. ansible-playbook runme.yml -i "${INVENTORY_PATH}" "$@"

# The artifacts (set_stats) of one gate per run, as AWX runs a job: a pass, a failure, a wait
# timeout and a request error; the runs that stop must fail (exit 2), then the stats are checked.
stats_dir=$(mktemp -d)
trap 'rm -rf "$stats_dir"' EXIT
for case in pass failure timeout paused request_error; do
  rc=0
  GATE_STATS_FILE="$stats_dir/$case.json" ANSIBLE_CALLBACK_PLUGINS=callback_plugins ANSIBLE_CALLBACKS_ENABLED=gate_stats \
    ANSIBLE_ROLES_PATH=.. ansible-playbook artifacts.yml -i "${INVENTORY_PATH}" -e gate_artifact_case="$case" "$@" || rc=$?
  if [ "$case" = pass ]; then [ "$rc" -eq 0 ]; else [ "$rc" -eq 2 ]; fi
done
ansible-playbook check_artifacts.yml -i "${INVENTORY_PATH}" -e gate_stats_dir="$stats_dir" "$@"

# job_gate_resume: two runs sharing a jsonfile fact cache (resume.yml); after them the record is cleared from the cache.
# Then the same for PicProcess jobs, whose recorded ids are fetched from their own job list (pic_jobs).
cache_dir=$(mktemp -d)
trap 'rm -rf "$stats_dir" "$cache_dir"' EXIT
for tag in Translation PicProcess; do
  rm -rf "${cache_dir:?}"/*
  for run in 1 2; do
    ANSIBLE_CACHE_PLUGIN=jsonfile ANSIBLE_CACHE_PLUGIN_CONNECTION="$cache_dir" ANSIBLE_ROLES_PATH=.. \
      ansible-playbook resume.yml -i "${INVENTORY_PATH}" -e resume_run="$run" -e resume_tag="$tag" "$@"
  done
  grep -q job_gate_resume_records "$cache_dir"/*localhost
  if grep -q 'r0001' "$cache_dir"/*localhost; then exit 1; fi
done
