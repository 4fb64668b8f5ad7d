# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: ci_jobs
short_description: Tencent Cloud CI jobs by id, or listed from a queue, on the controller
version_added: 1.0.0
description:
  - Returns the same normalized jobs as the C(jobs) result of M(qcloud.ci.ci_jobs_info), or its C(summary),
    without a registered task, in templates, C(when) conditions and C(vars).
  - The terms are job ids (C(GET /<job_list>/<ids>)). Without terms, the jobs of O(queue_id) and O(tag) are listed
    (C(GET /<job_list>)) with the same filters as the module, following every page.
  - Every job family is covered, as in the module, media processing and AI jobs (O(job_list=jobs)), image
    processing (V(pic_jobs)), document processing (V(doc_jobs)) and speech recognition (V(asr_jobs)). Before 1.1.0
    only the AI job types C(Translation), C(SpeechRecognition) and C(WordsGeneralize) were covered.
  - Requests are retried like the module's (a lookup cannot use C(retries)/C(until)); one connection serves
    every term.
author:
  - qcloud.ci contributors (@qcloud-ci)
extends_documentation_fragment:
  - qcloud.ci.connection
  - qcloud.ci.connection.plugins
  - qcloud.ci.selection
options:
  _terms:
    description:
      - Job ids. Leave out to list the jobs of O(queue_id) and O(tag) instead.
    type: list
    elements: str
    required: false
  output:
    description:
      - What to return. V(jobs) returns the list of jobs; V(summary) returns one dictionary with the same counts
        as the module's C(summary) (C(total), C(by_state), C(finished), C(all_succeeded), C(failed_job_ids)).
      - The module M(qcloud.ci.ci_jobs_info) names the same choice O(qcloud.ci.ci_jobs_info#module:output).
      - Before 1.1.0 this option was called O(result). That name still works but is deprecated and will be
        removed in 3.0.0.
    type: str
    choices: [jobs, summary]
    default: jobs
    aliases: [result]
    version_added: 1.1.0
  on_missing:
    description:
      - What to do when the service does not know a job id given as a term.
      - V(error) fails, V(warn) warns and leaves the job out, V(skip) leaves it out silently.
    type: str
    choices: [error, warn, skip]
    default: error
notes:
  - Use O(output=summary) or a narrow filter for thousands of jobs; a lookup holds its whole result in memory.
seealso:
  - module: qcloud.ci.ci_jobs_info
    description: The same selection as a task, with waiting.
'''

EXAMPLES = r'''
- name: Show the state of two jobs
  ansible.builtin.debug:
    msg: "{{ item.job_id }} is {{ item.state }}"
  loop: "{{ query('qcloud.ci.ci_jobs', 'a8d121820f5e411ec926ef19d53ba9c6f', 'a632d4d3429a811ed8a5fa3d8277c400f',
                  bucket='examplebucket-1250000000', region='ap-guangzhou') }}"

- name: Deploy only when every Translation job of the queue succeeded
  ansible.builtin.debug:
    msg: Deploying
  when: >-
    lookup('qcloud.ci.ci_jobs', queue_id='p893bcda225bf4945a378da6662e81a89', tag='Translation',
           output='summary', bucket='examplebucket-1250000000', region='ap-guangzhou').all_succeeded

- name: Deploy the page only when every image job of the queue succeeded (job_list pic_jobs follows from the tag)
  ansible.builtin.debug:
    msg: Publishing
  when: >-
    lookup('qcloud.ci.ci_jobs', queue_id='p3a9e6f1c0b7d4b2f8e5a1c9d2f4e6a8b', tag='PicProcess', output='summary',
           bucket='examplebucket-1250000000', region='ap-guangzhou').all_succeeded

- name: Connection from variables (qcloud_ci_bucket, qcloud_ci_region) and TENCENTCLOUD_* in the environment
  vars:
    qcloud_ci_bucket: examplebucket-1250000000
    qcloud_ci_region: ap-guangzhou
    failed_speech: >-
      {{ query('qcloud.ci.ci_jobs', queue_id='p893bcda225bf4945a378da6662e81a89', tag='SpeechRecognition',
               states=['Failed', 'Cancel'], start_creation_time='7d') }}
  ansible.builtin.debug:
    msg: "{{ failed_speech | map(attribute='job_id') | list }}"
'''

RETURN = r'''
_raw:
  description:
    - With O(output=jobs), the jobs, normalized as the module's C(jobs) (snake_case API names, repeated
      elements always lists, C(-) times V(null)).
    - With O(output=summary), one dictionary, the module's C(summary).
  type: list
  elements: dict
'''

from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIError
from ansible_collections.qcloud.ci.plugins.module_utils._execute import execute
from ansible_collections.qcloud.ci.plugins.plugin_utils._lookup import CILookupBase

TERMS = 'job ids (the terms)'
RESUME_HINT = ('Raise max_jobs to get more, or narrow the listing (for example with start_creation_time and '
               'end_creation_time) and look up the rest separately.')


class LookupModule(CILookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.deprecate_alias(kwargs, 'result', 'output')
        options = self.read_options(variables, kwargs, extra=('output', 'on_missing'))
        output, on_missing = options.pop('output'), options.pop('on_missing')
        if terms:
            options['job_ids'] = [str(term) for term in self._flatten(terms)]  # a list of ids is a term too
        try:
            result = execute(options, warn=self.warn, ids_name=TERMS, resume_hint=RESUME_HINT)
        except CIError as exc:
            raise self.lookup_error(exc)
        missing = result['missing_job_ids']
        if missing and on_missing != 'skip':
            text = 'The CI service does not know %d job id(s): %s' % (len(missing), ', '.join(missing))
            if on_missing == 'error':
                raise self.lookup_error(CIError(text + ' (set on_missing=warn or skip to go on without them)'))
            self.warn(text)
        if output == 'summary':
            return [result['summary']]
        return result['jobs']
