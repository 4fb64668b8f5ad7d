# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Ansible floor of the benchmark (tests/bench/bench.py): no HTTP, no parsing.

It returns what ``qcloud.ci.ci_jobs_info`` returns for ``count`` Translation jobs (the same
keys, the same nesting, strings of the same lengths as ``tests/emulator/gen_jobs.py``'s jobs
after normalization), built in memory. Timing ``ansible-playbook`` with it separates what
Ansible costs for a result of that size from what the module itself costs. ``count: 0`` is
the no-op floor: one module round trip and nothing else.
"""

from __future__ import annotations

DOCUMENTATION = r'''
module: bench_floor
short_description: Benchmark floor, returns a ci_jobs_info-shaped result of N jobs without any HTTP
description:
  - Test helper of the qcloud.ci benchmark (C(make bench)); not part of the collection.
options:
  count:
    description: How many jobs to return.
    type: int
    required: true
  return_jobs:
    description: V(all) returns the jobs, V(none) only the summary, as in M(qcloud.ci.ci_jobs_info).
    type: str
    choices: [all, none]
    default: all
author:
  - qcloud.ci contributors
'''

EXAMPLES = r'''
- name: The floor for 10,000 jobs
  bench_floor:
    count: 10000
'''

RETURN = r'''
jobs:
  description: The jobs (none with O(return_jobs=none)).
  returned: always
  type: list
  elements: dict
summary:
  description: Counts, as ci_jobs_info's summary.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

KINDS = ('txt', 'docx', 'pdf', 'html')
RESULTS = (
    'The meeting today discussed the third-quarter budget.',
    'Please submit the report before Friday.',
    'The new product will launch in Guangzhou next month.',
    'The server maintenance window is early on Sunday.',
    'Customer feedback shows high overall satisfaction.',
)


def _time(seconds):
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    return '2024-%02d-%02dT%02d:%02d:%02d+0800' % (5 + days // 28, 1 + days % 28, hour, minute, second)


def make_job(number):
    """One normalized Translation job, as the module returns it."""
    kind = KINDS[number % len(KINDS)]
    created = number * 30
    return {
        'code': 'Success',
        'message': None,
        'job_id': 'a%032x' % (number * 2654435761 % (1 << 128)),
        'tag': 'Translation',
        'state': 'Success',
        'creation_time': _time(created),
        'start_time': _time(created + 5),
        'end_time': _time(created + 90),
        'queue_id': 'p893bcda225bf4945a378da6662e81a89',
        'input': {'object': 'docs/report-%06d.%s' % (number, kind), 'lang': 'zh', 'type': kind},
        'operation': {
            'translation': {'lang': 'en', 'type': kind},
            'output': {'region': 'ap-guangzhou', 'bucket': 'examplebucket-1250000000',
                       'object': 'translated/report-%06d.en.%s' % (number, kind)},
            'user_data': None,
            'job_level': '0',
            'ai_translate_result': {'result': RESULTS[number % len(RESULTS)]},
        },
    }


def make_result(count, return_jobs='all'):
    """The whole result of the floor: jobs, summary, and the other keys ci_jobs_info returns."""
    jobs = [make_job(number) for number in range(1, count + 1)]
    summary = {
        'total': count,
        'by_state': {'Submitted': 0, 'Running': 0, 'Success': count, 'Failed': 0, 'Pause': 0, 'Cancel': 0},
        'finished': True,
        'all_succeeded': count > 0,
        'failed_job_ids': [],
    }
    return {'jobs': jobs if return_jobs == 'all' else [], 'summary': summary, 'next_token': '',
            'truncated': False, 'missing_job_ids': []}


def main():
    module = AnsibleModule(
        argument_spec=dict(count=dict(type='int', required=True),
                           return_jobs=dict(type='str', default='all', choices=['all', 'none'])),
        supports_check_mode=True)
    if module.params['count'] < 0:
        module.fail_json(msg='count must be 0 or more; got %d' % module.params['count'])
    module.exit_json(changed=False, **make_result(module.params['count'], module.params['return_jobs']))


if __name__ == '__main__':
    main()
