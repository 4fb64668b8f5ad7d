#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ci_queue_info
short_description: List the Tencent Cloud CI queues of a bucket and whether they are paused
version_added: 1.1.0
description:
  - Lists the processing queues of a Tencent Cloud COS Cloud Infinite (CI) bucket, of one queue type, with their id,
    name, state (C(Active) or C(Paused)), size limits and notification settings, following every page.
  - A paused queue does not start its jobs, so a gate waiting on them would wait out its whole timeout. Use this
    module to find the queue ids to gate on and to check that their queues are active.
  - Can select queues by id (reporting the ids that do not exist) and by state.
author:
  - qcloud.ci contributors (@qcloud-ci)
extends_documentation_fragment:
  - qcloud.ci.connection
  - qcloud.ci.attributes
  - qcloud.ci.attributes.info_module
  - qcloud.ci.attributes.action_group
options:
  queue_type:
    description:
      - Which queues to list. Each type has its own list in CI.
      - V(media) for media processing such as transcoding, snapshots and concatenation (C(GET /queue)); V(ai) for
        AI content recognition, such as the C(Translation) and C(WordsGeneralize) jobs (C(GET /ai_queue));
        V(speech) for speech recognition (C(GET /asrqueue)); V(document) for document processing
        (C(GET /docqueue)); V(picture) for image processing (C(GET /picqueue)).
    type: str
    choices: [ai, document, media, picture, speech]
    default: media
  queue_ids:
    description:
      - Only these queues. A text is split at commas and each id is stripped of spaces.
      - Ids the service reports as unknown are returned in RV(missing_queue_ids); so are ids it does not return at
        all, unless O(state) is set (then a queue in the other state is not returned either).
      - An empty list selects no queue, and nothing is sent.
      - Ids are sent in batches of O(page_size).
    type: list
    elements: str
  state:
    description:
      - Only the queues in this state. V(Paused) queues do not start their jobs.
      - Not set, queues in every state are listed.
    type: str
    choices: [Active, Paused]
  page_size:
    description:
      - How many queues to ask for per request (C(pageSize)); every page is read in any case.
      - The largest value the service honours is not published. A page shorter than asked does not end the listing,
        it ends once the service's C(TotalCount) of queues came, or with an empty page.
    type: int
    default: 100
notes:
  - Media queues of the C(SpeedTranscoding) category are not listed by C(GET /queue) unless the request names that
    category, which this module does not (yet) do.
seealso:
  - module: qcloud.ci.ci_jobs_info
    description: List and wait for the jobs of a queue.
  - name: Searching for media processing queues
    description: Tencent Cloud's reference of C(GET /queue) (Chinese).
    link: https://cloud.tencent.com/document/product/436/54045
  - name: Searching for document processing queues
    description: Tencent Cloud's reference of C(GET /docqueue) (Chinese).
    link: https://cloud.tencent.com/document/product/436/54055
'''

EXAMPLES = r'''
- name: List every media queue of the bucket
  qcloud.ci.ci_queue_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
  register: media_queues

- name: Show the queue ids and names
  ansible.builtin.debug:
    msg: "{{ media_queues.queues | items2dict(key_name='queue_id', value_name='name') }}"

- name: Check the queues a gate waits on before waiting
  qcloud.ci.ci_queue_info:
    bucket: examplebucket-1250000000
    region: ap-guangzhou
    queue_type: ai
    queue_ids:
      - p23f69f4779e64b18aa61e70d5416c071
  register: gate_queues

- name: Stop when one of them is paused or does not exist
  ansible.builtin.assert:
    that:
      - gate_queues.summary.paused_queue_ids == []
      - gate_queues.missing_queue_ids == []
    fail_msg: >-
      Paused: {{ gate_queues.summary.paused_queue_ids | join(', ') }};
      unknown: {{ gate_queues.missing_queue_ids | join(', ') }}

- name: Set the connection once for every qcloud.ci module
  module_defaults:
    group/qcloud.ci.ci:
      bucket: examplebucket-1250000000
      region: ap-guangzhou
  block:
    - name: List the paused document queues
      qcloud.ci.ci_queue_info:
        queue_type: document
        state: Paused
      register: paused_documents
'''

RETURN = r'''
queue_type:
  description: The type of the listed queues, O(queue_type).
  returned: success
  type: str
  sample: media
queues:
  description:
    - The selected queues, in the service's order when listing and in the order of O(queue_ids) otherwise.
      V([]) when nothing matches.
    - Keys are the API's element names in snake_case (C(MaxConcurrent) becomes C(max_concurrent)); elements the
      service adds are returned the same way.
  returned: success
  type: list
  elements: dict
  contains:
    queue_id:
      description: The queue id, to use as O(qcloud.ci.ci_jobs_info#module:queue_id).
      type: str
      sample: p23f69f4779e64b18aa61e70d5416c071
    name:
      description: The queue name, or V(null) when it has none.
      type: str
      sample: queue-ai-process-1
    state:
      description: C(Active), or C(Paused) when the queue does not start its jobs.
      type: str
      sample: Active
    max_size:
      description: The most jobs the queue holds, or V(null) when not given.
      type: int
      sample: 10000
    max_concurrent:
      description: The most jobs the queue runs at once, or V(null) when not given.
      type: int
      sample: 10
    notify_config:
      description:
        - The queue's job notification settings, V({}) when it has none. Absent or empty elements are V(null) or
          missing.
      type: dict
      contains:
        url:
          description: Where notifications are sent.
          type: str
          sample: http://callback.example.com
        state:
          description: C(On) or C(Off).
          type: str
          sample: 'On'
        type:
          description: How notifications are sent, such as C(Url).
          type: str
          sample: Url
        event:
          description: The events notified, comma separated, such as C(TaskFinish,WorkflowFinish).
          type: str
          sample: TaskFinish,WorkflowFinish
        result_format:
          description: C(XML) or C(JSON), for media and AI queues.
          type: str
          sample: JSON
    create_time:
      description: When the queue was created, as the API gives it.
      type: str
      sample: '2022-08-09T16:23:11+0800'
    update_time:
      description: When the queue was last changed, as the API gives it.
      type: str
      sample: '2022-08-09T16:23:11+0800'
    category:
      description: The queue category the service gives, such as C(Transcoding), C(AIProcess) or C(DocProcess).
      type: str
      sample: AIProcess
    bucket_id:
      description: The bucket the queue belongs to, when the service gives it.
      type: str
      sample: examplebucket-1250000000
missing_queue_ids:
  description:
    - The ids of O(queue_ids) that the service reported as unknown, or (without O(state)) did not return.
      V([]) without O(queue_ids).
  returned: success
  type: list
  elements: str
  sample: [p0000000000000000000000000000000a]
summary:
  description: Counts of the selected queues.
  returned: success
  type: dict
  contains:
    total:
      description: How many queues were selected.
      type: int
      sample: 3
    by_state:
      description: How many selected queues are in each state; a queue without a state counts as C(Unknown).
      type: dict
      sample: {Active: 2, Paused: 1}
    paused_queue_ids:
      description: The ids of the selected queues in state C(Paused), in the order of RV(queues).
      type: list
      elements: str
      sample: [p23f69f4779e64b18aa61e70d5416c071]
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
      sample: /queue
    tries:
      description: How many times the request was tried.
      type: int
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.qcloud.ci.plugins.module_utils._execute import run_module
from ansible_collections.qcloud.ci.plugins.module_utils._options import CONNECTION_ARGSPEC
from ansible_collections.qcloud.ci.plugins.module_utils._queues import QUEUE_INFO_ARGSPEC, queue_info


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_ARGSPEC, **QUEUE_INFO_ARGSPEC), supports_check_mode=True)
    run_module(module, lambda: queue_info(module.params, warn=module.warn))


if __name__ == '__main__':
    main()
