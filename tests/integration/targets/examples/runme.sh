#!/usr/bin/env bash
# The EXAMPLES of ci_jobs_info and of the ci_jobs lookup, unchanged, against the CI emulator (then the
# playbooks of a section of guide_gate.rst, below): a
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

# The playbooks of the guide's section "Gating on media, image and document jobs" (guide_gate.rst), as written,
# against an emulator holding the queues and jobs they name (files/guide_plays.py): the transcode gate stops at
# once on its paused queue, then passes once the queue runs; the image gate passes; the document gate fails.
# The gate's messages must be the text blocks of the section.
guide="${data}/guide"
python files/guide_plays.py data "${guide}"
python ../../../emulator/harness.py start --state-file "${guide}/emulator.json" --lifetime 300 \
    --jobs "${guide}/jobs.jsonl" --queues "${guide}/queues_paused.jsonl" \
    --credential AKIDQCITESTPERMANENT000000000000000 qci-test-secret-key-permanent-0000000
trap 'python ../../../emulator/harness.py stop --state-file "${guide}/emulator.json" || true; rm -rf "${data}"' EXIT
url="$(python ../../../emulator/harness.py status --state-file "${guide}/emulator.json")"
python files/guide_plays.py plays "${guide}" ../../../../docs/docsite/rst/guide_gate.rst "${url}" \
    AKIDQCITESTPERMANENT000000000000000 qci-test-secret-key-permanent-0000000

run_guide_play() {  # run_guide_play N EXPECTED_RC: the N-th playbook; its output in ${guide}/out_N.txt
  local rc=0
  # the messages as one JSON string each (the yaml result format could fold long lines)
  ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=json \
      ansible-playbook "${guide}/play_$1.yml" -i "${INVENTORY_PATH}" >"${guide}/out_$1.txt" 2>&1 || rc=$?
  cat "${guide}/out_$1.txt"
  [ "${rc}" -eq "$2" ]
}
expect_lines() {  # expect_lines FILE OUTPUT: every line of FILE is in OUTPUT
  while IFS= read -r line; do grep -qF -- "${line}" "$2"; done <"$1"
}

# the media queue hls-transcode is paused: the transcode gate (job_gate_stop_on_pause) stops at once
run_guide_play 1 2
expect_lines "${guide}/expected_2.txt" "${guide}/out_1.txt"
if grep -q 'guide stand-in publish.yml ran' "${guide}/out_1.txt"; then exit 1; fi
# the queue runs again: its transcodes succeed, the gate passes and the pages are published
python files/guide_plays.py queues "${url}" "${guide}/queues.jsonl"
run_guide_play 1 0
grep -qF 'job gate passed: 2 jobs, all Success - Transcode jobs of queue p38343d283575ceb7261f51075f8b12d2, created after 1d' \
    "${guide}/out_1.txt"
grep -q 'guide stand-in publish.yml ran' "${guide}/out_1.txt"
# the thumbnails (pic_jobs) all succeeded
run_guide_play 2 0
grep -qF 'job gate passed: 2 jobs, all Success - PicProcess jobs of queue p21418e945eab0ee58163440461aa5ca8, created after 2h' \
    "${guide}/out_2.txt"
grep -q 'guide stand-in refresh_catalogue.yml ran' "${guide}/out_2.txt"
# one preview of the manual failed: the report of the guide
run_guide_play 3 2
expect_lines "${guide}/expected_1.txt" "${guide}/out_3.txt"
if grep -q 'guide stand-in publish_manual.yml ran' "${guide}/out_3.txt"; then exit 1; fi
