#!/usr/bin/env bash
# The ci_jobs lookup against the CI emulator, compared with ci_jobs_info in the same playbook: make
# the jobs and a test CA, give the controller a credential in TENCENTCLOUD_* (the lookup reads the
# environment of the controller), run the playbook, then check the warnings it printed.
set -euxo pipefail

data="$(mktemp -d)"
trap 'rm -rf "${data}"' EXIT
python ../../../emulator/gen_jobs.py --count 250 --queue plookup --tag Translation --failed-ratio 0.1 \
    --cancel-ratio 0.05 --running-ratio 0.1 --seed 11 --out "${data}/jobs.jsonl"
python files/make_tls.py "${data}"
python ../module_ci_jobs_info/files/make_families.py "${data}"

set +x  # no secret in the log, not even a test one
export TENCENTCLOUD_SECRET_ID=AKIDQCITESTENVIRONMENT0000000000000
export TENCENTCLOUD_SECRET_KEY=qci-test-secret-key-environment-000
unset TENCENTCLOUD_SECURITY_TOKEN TENCENTCLOUD_REGION
set -x

# ansible-test turns deprecation warnings off; this target checks one
ANSIBLE_DEPRECATION_WARNINGS=true ANSIBLE_ROLES_PATH=.. ansible-playbook runme.yml -i "${INVENTORY_PATH}" -e "data_dir=${data}" "$@" 2>&1 \
    | tee "${data}/output.txt"
# ansible-core before 2.19 wraps warnings at 80 columns: the checks read the output with line breaks folded
tr -s ' \n' ' ' <"${data}/output.txt" >"${data}/folded.txt"

# on_missing=warn warned about its unknown id; on_missing=skip did not
grep -q 'The CI service does not know 1 job id(s): unknown-warn' "${data}/folded.txt"
if grep -q 'unknown-skip' "${data}/output.txt"; then
    echo 'on_missing=skip printed the unknown id' >&2
    exit 1
fi

# the deprecated option name result= still works and says so
grep -q 'The option result of this lookup is deprecated; use output' "${data}/folded.txt"
# max_jobs stopped a listing: the lookup says what a lookup user can do (it has no next_token)
grep -q 'Stopped after max_jobs=60 jobs; more jobs match. Raise max_jobs to get more' "${data}/folded.txt"
