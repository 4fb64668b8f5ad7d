#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ci_jobs_info
short_description: List Tencent Cloud CI jobs, or get them by id, and summarize how they ended
version_added: 1.0.0
description:
  - Lists the jobs of a Tencent Cloud COS Cloud Infinite (CI) queue with every filter the API has, following every
    page, or gets jobs by id. It covers every job family, media processing and AI jobs (C(GET /jobs)), image
    processing (C(GET /pic_jobs)), document processing (C(GET /doc_jobs)) and speech recognition
    (C(GET /asr_jobs)); O(job_list) picks the list, or O(tag) does.
  - Returns the jobs normalized to snake_case and a RV(summary) to gate a deployment on.
  - Can wait until the selected jobs have finished, polling only the jobs that have not, and can stop waiting at
    once when a job or its queue is paused (O(stop_on_pause)).
  - Before 1.1.0 only the AI job types C(Translation), C(SpeechRecognition) and C(WordsGeneralize) were covered.
author:
  - qcloud.ci contributors (@qcloud-ci)
extends_documentation_fragment:
  - qcloud.ci.connection
  - qcloud.ci.selection
  - qcloud.ci.attributes
  - qcloud.ci.attributes.info_module
  - qcloud.ci.attributes.action_group
options:
  job_ids:
    description:
      - Get these jobs by id instead of listing a queue. Long lists are fetched in batches of up to 200 ids per
        request; a batch the service refuses as too long is halved for the rest of the task.
      - A text is split at commas and each id is stripped of spaces, so V(a, b) is the two ids V(a) and V(b).
      - Ids the service does not know are returned in RV(missing_job_ids).
      - Cannot be combined with the listing options O(queue_id), O(tag), O(states), O(workflow_id),
        O(inventory_trigger_job_id), O(input_object), O(order_by_time), O(start_creation_time),
        O(end_creation_time), O(next_token) and O(max_jobs).
    type: list
    elements: str
  next_token:
    description:
      - Resume a listing where an earlier one stopped, from its RV(next_token).
    type: str
  output:
    description:
      - Which jobs to return in RV(jobs). RV(summary) always counts every selected job.
      - V(all) returns every job, V(failed) only the jobs in state C(Failed) or C(Cancel), V(none) no job.
      - Use V(failed) or V(none) to gate on thousands of jobs. Ansible's handling of a large result costs far
        more time than fetching it.
      - The lookup P(qcloud.ci.ci_jobs#lookup) names the same choice O(qcloud.ci.ci_jobs#lookup:output).
      - Before 1.1.0 this option was called O(return_jobs). That name still works but is deprecated and
        will be removed in 3.0.0.
    type: str
    choices: [all, failed, none]
    default: all
    aliases: [return_jobs]
    version_added: 1.1.0
  wait:
    description:
      - Wait until every selected job has finished (C(Success), C(Failed) or C(Cancel)).
      - After the first selection, only the jobs that have not finished are polled again, by id, up to 100 per
        request.
      - A job the service stops knowing while the task waits is reported in RV(vanished_job_ids), keeps its last
        known state in RV(jobs), and makes the task fail once the other jobs have finished or O(wait_timeout) ran
        out; the failure names the vanished jobs and returns the whole result.
      - An unfinished job that the service returned without a job id cannot be waited for; the task fails at
        once, saying so.
    type: bool
    default: false
  stop_on_pause:
    description:
      - With O(wait=true), stop waiting at once and fail when a selected unfinished job is in state C(Pause), or the
        queue it waits in is C(Paused). A paused job or queue does not move on by itself, so a gate would
        otherwise wait out all of O(wait_timeout).
      - The failure names the jobs and the queues, and returns the whole result with RV(paused_job_ids) and
        RV(paused_queue_ids).
      - Before every poll, the queues of the unfinished jobs are read, one request per queue type (media or AI
        queues for O(job_list=jobs), depending on the tag; picture, document and speech queues for the other lists).
        When a queue type cannot be read (for example without the permission to list queues), a warning says so
        and only jobs in state C(Pause) stop the wait.
      - V(false) waits for paused jobs like for any other unfinished job, as before 1.1.0.
    type: bool
    default: false
    version_added: 1.1.0
  wait_timeout:
    description:
      - With O(wait=true), fail after this many seconds if jobs are still unfinished. The failure names each
        of them and its state, and still returns the whole result (RV(jobs), RV(summary), RV(missing_job_ids),
        RV(vanished_job_ids), RV(next_token), RV(truncated)).
      - The time counts from when the jobs were first read (the listing or the first request by id is not
        counted). It is a deadline for every poll, including the retries and the waits between them that
        O(retries) allows, so the task ends by then.
    type: float
    default: 600
  wait_sleep:
    description:
      - With O(wait=true), seconds between two polls.
    type: float
    default: 5
seealso:
  - plugin: qcloud.ci.ci_jobs
    plugin_type: lookup
    description: The same jobs and summary on the controller, in a template or a condition.
  - name: Pulling content recognition jobs in batches
    description: Tencent Cloud's reference of C(GET /jobs) for AI jobs.
    link: https://www.tencentcloud.com/document/product/1045/50305
  - name: DescribeMediaJobs
    description: Tencent Cloud's reference of C(GET /jobs) for media processing jobs.
    link: https://www.tencentcloud.com/document/product/1045/50356
'''

EXAMPLES = r'''
- name: List the failed Translation jobs of a queue from the last day
  qcloud.ci.ci_jobs_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    queue_id: p893bcda225bf4945a378da6662e81a89
    tag: Translation
    states: [Failed, Cancel]
    start_creation_time: 1d
  register: failed_translations

- name: Gate a deployment on every SpeechRecognition job of the queue
  qcloud.ci.ci_jobs_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    queue_id: p893bcda225bf4945a378da6662e81a89
    tag: SpeechRecognition
    output: failed
  register: speech

- name: Stop unless all of them succeeded
  ansible.builtin.assert:
    that:
      - speech.summary.all_succeeded
    fail_msg: "Failed jobs: {{ speech.summary.failed_job_ids | join(', ') }}"

- name: Wait for the HLS transcodes of a queue, but fail at once if a job or the queue is paused
  qcloud.ci.ci_jobs_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    queue_id: p2242ab62c7c94486915508540933a2c6
    tag: Transcode
    start_creation_time: 2h
    wait: true
    stop_on_pause: true
    output: failed
  register: transcodes

- name: Check the document conversions (job_list doc_jobs follows from the tag)
  qcloud.ci.ci_jobs_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    queue_id: p0db4bc2d2b1c4e6e8e1a1e2a7d3c9f01
    tag: DocProcess
    output: none
  register: conversions

- name: Wait up to ten minutes for two jobs to finish
  qcloud.ci.ci_jobs_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    job_ids:
      - a8d121820f5e411ec926ef19d53ba9c6f
      - a632d4d3429a811ed8a5fa3d8277c400f
    wait: true
    wait_timeout: 600
  register: finished

- name: Read the first 500 jobs, then resume where that stopped
  qcloud.ci.ci_jobs_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    queue_id: p893bcda225bf4945a378da6662e81a89
    tag: WordsGeneralize
    max_jobs: 500
  register: first_batch

- name: Resume from next_token
  qcloud.ci.ci_jobs_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    queue_id: p893bcda225bf4945a378da6662e81a89
    tag: WordsGeneralize
    next_token: "{{ first_batch.next_token }}"
  when: first_batch.truncated

- name: Set the connection once for every qcloud.ci module
  module_defaults:
    group/qcloud.ci.ci:
      bucket: examplebucket-1250000000
      region: ap-guangzhou
  block:
    - name: Count the WordsGeneralize jobs by state
      qcloud.ci.ci_jobs_info:
        queue_id: p893bcda225bf4945a378da6662e81a89
        tag: WordsGeneralize
        output: none
      register: words

    - name: Show the counts
      ansible.builtin.debug:
        msg: "{{ words.summary.by_state }}"
'''

RETURN = r'''
jobs:
  description:
    - The selected jobs (all, failed only, or none, as O(output) says), in the service's order when listing
      and in the order of O(job_ids) otherwise. V([]) when nothing matches.
    - Keys are the API's element names in snake_case (C(JobId) becomes C(job_id), C(AITranslateResult) becomes
      C(ai_translate_result)); elements that can repeat are always lists; C(-) start and end times are V(null).
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: The job id.
      type: str
      sample: a8d121820f5e411ec926ef19d53ba9c6f
    tag:
      description: The job type.
      type: str
      sample: Translation
    state:
      description: One of C(Submitted), C(Running), C(Success), C(Failed), C(Pause), C(Cancel).
      type: str
      sample: Success
    code:
      description: The job's result code; C(Success), or an error code when the job failed.
      type: str
      sample: Success
    message:
      description: The job's error message, or V(null).
      type: str
    queue_id:
      description: The queue the job ran in.
      type: str
      sample: p893bcda225bf4945a378da6662e81a89
    creation_time:
      description: When the job was created, as the API gives it.
      type: str
      sample: '2024-05-01T10:00:00+0800'
    start_time:
      description: When the job started, or V(null) if it has not.
      type: str
    end_time:
      description: When the job ended, or V(null) if it has not.
      type: str
    input:
      description: The job's input, such as C(object), C(lang), C(type), C(bucket_id), C(region), C(cos_headers).
      type: dict
    operation:
      description:
        - The job's parameters and results, by type, for example C(translation) and C(ai_translate_result),
          C(speech_recognition) and C(speech_recognition_result), C(words_generalize) and C(words_generalize_result),
          C(template_id), C(output) and C(media_result) of a C(Transcode) job.
        - The fields each tag holds, and their types, are listed in the guide
          R(Job fields by tag,ansible_collections.qcloud.ci.docsite.guide_job_fields).
      type: dict
    workflow:
      description: The workflow that started the job, if one did (C(workflow_id), C(workflow_name), C(run_id), C(name)).
      type: dict
      returned: when a workflow started the job
    inventory_trigger_job_id:
      description: The batch job that started the job, if one did.
      type: str
      returned: when a batch job started the job
summary:
  description: Counts over every selected job, whatever O(output) says.
  returned: always
  type: dict
  contains:
    total:
      description: How many jobs were selected.
      type: int
      sample: 12
    by_state:
      description:
        - How many jobs are in each state; every state has a count.
        - A job the service sent without a C(State) is counted under C(Unknown), a key that is present only
          then (before 1.1.0 such a job was counted under a V(null) key and as finished).
      type: dict
      sample: {Submitted: 0, Running: 0, Success: 10, Failed: 1, Pause: 0, Cancel: 1}
    finished:
      description: V(true) when no job is C(Submitted), C(Running) or C(Pause), and every job has a state.
      type: bool
    all_succeeded:
      description: V(true) when at least one job was selected and every one is C(Success).
      type: bool
    failed_job_ids:
      description: The ids of the jobs in state C(Failed) or C(Cancel).
      type: list
      elements: str
      sample: [a632d4d3429a811ed8a5fa3d8277c400f]
next_token:
  description: Where to resume a listing that O(max_jobs) stopped; empty when the listing is complete.
  returned: always
  type: str
truncated:
  description: V(true) when O(max_jobs) stopped the listing before its end.
  returned: always
  type: bool
missing_job_ids:
  description:
    - The ids of O(job_ids) that the service did not know when the jobs were first read.
    - A job that disappears later, while the task waits, is in RV(vanished_job_ids) instead.
  returned: always
  type: list
  elements: str
vanished_job_ids:
  description:
    - With O(wait=true), the ids of jobs that were read at first and that the service no longer knew while the task
      waited. Their last known state stays in RV(jobs) and RV(summary); the task fails, naming them.
    - V([]) when no job vanished, and always without O(wait=true).
    - Before 1.1.0 such ids were in RV(missing_job_ids) and the task succeeded.
  returned: always
  type: list
  elements: str
  version_added: 1.1.0
paused_job_ids:
  description:
    - With O(stop_on_pause=true), the ids of the unfinished jobs in state C(Pause) that stopped the wait.
    - V([]) when nothing is paused, and always without O(stop_on_pause=true).
  returned: always
  type: list
  elements: str
  version_added: 1.1.0
paused_queue_ids:
  description:
    - With O(stop_on_pause=true), the ids of the C(Paused) queues of unfinished jobs that stopped the wait.
    - V([]) when nothing is paused, and always without O(stop_on_pause=true).
  returned: always
  type: list
  elements: str
  sample: [p893bcda225bf4945a378da6662e81a89]
  version_added: 1.1.0
error:
  description: What failed, when a request to CI failed.
  returned: on a failed request
  type: dict
  contains:
    status:
      description: The HTTP status, or V(null) when no response arrived.
      type: int
      sample: 403
    code:
      description: CI's error code.
      type: str
      sample: SignatureDoesNotMatch
    message:
      description: CI's error message.
      type: str
    request_id:
      description: The request id to quote to Tencent Cloud support.
      type: str
    trace_id:
      description: CI's trace id, when it sent one.
      type: str
    method:
      description: The HTTP method.
      type: str
    path:
      description: The request path.
      type: str
      sample: /jobs
    tries:
      description: How many times the request was tried.
      type: int
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qcloud.ci.plugins.module_utils._options import INFO_MODULE_ARGSPEC, argument_spec
from ansible_collections.qcloud.ci.plugins.module_utils._execute import run_info_module


def main():
    module = AnsibleModule(argument_spec=argument_spec(INFO_MODULE_ARGSPEC), supports_check_mode=True)
    run_info_module(module)


if __name__ == '__main__':
    main()
