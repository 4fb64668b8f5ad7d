# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: gate_verdict
short_description: The verdict of a gate on Tencent Cloud CI jobs, from a result of ci_jobs_info
version_added: 1.1.0
description:
  - Judges a result of M(qcloud.ci.ci_jobs_info) (registered, or C(ansible_failed_result) when the module failed) the way
    the role R(qcloud.ci.job_gate,ansible_collections.qcloud.ci.job_gate_role) does, and returns the role's
    C(job_gate_result). Pure computation; it sends no request.
  - The gate passes only when the module succeeded, every id in O(job_ids) is known, no job vanished, at least
    O(min_jobs) jobs were selected and every one of them ended C(Success).
  - Otherwise C(msg) gives the first reason that applies, in the order below, followed by a fixed-width table of
    every failed or cancelled job in the result (job id, tag, state, code, message, input object), when there is one.
  - A failure of the module without a C(summary), such as a request error or a bad option, and a wait timeout
    (also when jobs vanished meanwhile) give C(job gate stopped), the selection and the module's message.
  - With O(stop_on_pause=true), a failure of the module that reports paused jobs or queues (its C(paused_job_ids) and
    C(paused_queue_ids), when M(qcloud.ci.ci_jobs_info) stopped waiting because of
    O(qcloud.ci.ci_jobs_info#module:stop_on_pause)) gives C(job gate stopped), the selection, the paused queue ids, the
    ids of the jobs in state C(Pause) and the number of unfinished jobs.
  - Jobs that vanished while the module waited give C(job gate FAILED) and the number and ids of those jobs. They
    are the C(vanished_job_ids) of the result and, when O(job_ids) is not set (a listing), its C(missing_job_ids).
  - Ids of O(job_ids) the service does not know give C(job gate FAILED) and those ids.
  - Fewer jobs than O(min_jobs) give C(job gate FAILED) and how many jobs the selection matched.
  - Jobs in another state than C(Success) give C(job gate FAILED), how many did not succeed, and the count of each
    state, for example C(3 of 5 jobs did not succeed) followed by the counts C(2 Failed, 1 Cancel).
author:
  - qcloud.ci contributors (@qcloud-ci)
positional: _input
options:
  _input:
    description:
      - The result of M(qcloud.ci.ci_jobs_info), successful or failed.
    type: dict
    required: true
  selection:
    description:
      - One line that says what the gate looks at, used in the messages.
    type: str
    default: the selected jobs
  job_ids:
    description:
      - The job ids the gate asked for, when it selected jobs by id. They are counted in the message about
        unknown ids.
      - Leave unset when the gate listed a queue. Every id the module then reports in C(missing_job_ids) was
        listed and is no longer known to the service, so it counts as vanished.
    type: list
    elements: str
  min_jobs:
    description:
      - The gate fails when the result counts fewer jobs than this. V(0) lets an empty selection pass.
    type: int
    default: 1
  message_width:
    description:
      - The longest job message shown in the table; longer messages are cut and end with C(...). At least 10.
    type: int
    default: 60
  stop_on_pause:
    description:
      - The module was called with O(qcloud.ci.ci_jobs_info#module:stop_on_pause=true). Its failure with paused jobs
        or queues is then reported as a stop on the pause, naming them. With V(false) such a failure (a wait timeout)
        is reported with the module's message; C(paused_job_ids) and C(paused_queue_ids) are copied either way.
    type: bool
    default: false
seealso:
  - module: qcloud.ci.ci_jobs_info
  - ref: qcloud.ci.job_gate role <ansible_collections.qcloud.ci.job_gate_role>
    description: The role that waits for the jobs and calls this filter.
'''

EXAMPLES = r'''
- name: Wait for the jobs of a queue, without failing the task
  block:
    - name: Wait for every Translation job of the queue
      qcloud.ci.ci_jobs_info:
        bucket: examplebucket-1250000000
        queue_id: p893bcda225bf4945a378da6662e81a89
        tag: Translation
        return_jobs: failed
        wait: true
      register: jobs
  rescue:
    - name: Judge the failure below (the failed result is registered too)
      ansible.builtin.meta: noop

- name: Judge them
  ansible.builtin.set_fact:
    verdict: "{{ jobs | qcloud.ci.gate_verdict(selection='Translation jobs of the queue', message_width=20) }}"

- name: Stop with the table of failed jobs
  ansible.builtin.fail:
    msg: "{{ verdict.msg }}"
  when: not verdict.passed

# verdict.msg when two of twelve jobs did not succeed:
#   job gate FAILED: 2 of 12 jobs did not succeed (1 Failed, 1 Cancel) - Translation jobs of the queue
#
#   JOB ID                             TAG          STATE   CODE          MESSAGE               INPUT OBJECT
#   ---------------------------------  -----------  ------  ------------  --------------------  ------------
#   a60a828cc505130441e3f55db2c4efd92  Translation  Failed  InvalidInput  the input file fo...  docs/a.docx
#   a7e1b9c3d5f7a9b1c3d5e7f9a1b3c5d7e  Translation  Cancel  Cancel        the job was canceled  docs/b.txt
'''

RETURN = r'''
_value:
  description: The verdict, the same dictionary as the C(job_gate_result) of the role.
  type: dict
  contains:
    passed:
      description: Whether the gate passed.
      type: bool
    msg:
      description: The one-line summary when the gate passed, else the failure report (first line, then the table).
      type: str
    selection:
      description: O(selection).
      type: str
    summary:
      description: The C(summary) of the result, or V(null) when the module failed before it had one.
      type: dict
    jobs:
      description: The C(jobs) of the result (V([]) when it has none).
      type: list
      elements: dict
    failed_job_ids:
      description: The ids of the failed and cancelled jobs (C(summary.failed_job_ids), V([]) without a summary).
      type: list
      elements: str
    missing_job_ids:
      description: The ids of O(job_ids) the CI service does not know.
      type: list
      elements: str
    vanished_job_ids:
      description: The ids of jobs the CI service no longer knew while the module waited for them.
      type: list
      elements: str
    paused_job_ids:
      description:
        - The C(paused_job_ids) of the result (V([]) when it has none), the unfinished jobs in state C(Pause) when the
          module stopped waiting.
      type: list
      elements: str
    paused_queue_ids:
      description: The C(paused_queue_ids) of the result (V([]) when it has none), the queues that were paused.
      type: list
      elements: str
'''

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.qcloud.ci.plugins.module_utils._jobs import FAILED_STATES, STATES, UNFINISHED_STATES, UNKNOWN_STATE

# what the summary counts as not finished: the unfinished states, and jobs the service sent without a state
NOT_FINISHED = UNFINISHED_STATES | frozenset((UNKNOWN_STATE,))

HEADER = ('JOB ID', 'TAG', 'STATE', 'CODE', 'MESSAGE', 'INPUT OBJECT')
MIN_MESSAGE_WIDTH = 10
# the order in which the states that are not Success are counted in the first line
NOT_SUCCESS = ('Failed', 'Cancel') + tuple(state for state in STATES if state not in ('Success', 'Failed', 'Cancel'))


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def _ids(value, name):
    """A list of texts from a list (or None); anything else is a clear error."""
    if value is None:
        return []
    if isinstance(value, str):  # "a, b" as the module takes it
        return [item.strip() for item in value.split(',') if item.strip()]
    if not isinstance(value, (list, tuple)):
        raise AnsibleFilterError('gate_verdict: %s must be a list of job ids; got %s' % (name, type(value).__name__))
    return [to_text(item) for item in value]


def _whole(value, name, low=None):
    if isinstance(value, bool):
        raise AnsibleFilterError('gate_verdict: %s must be a whole number; got %r' % (name, value))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise AnsibleFilterError('gate_verdict: %s must be a whole number; got %r' % (name, value)) from None
    if low is not None and number < low:
        raise AnsibleFilterError('gate_verdict: %s must be %d or more; got %r' % (name, low, value))
    return number


def _cell(value):
    return to_text(value) if value not in (None, '') else '-'


def _row(job, width):
    message = re.sub(r'\s+', ' ', to_text(job.get('message') or '')).strip()
    if len(message) > width:
        message = message[:width - 3] + '...'
    source = job.get('input')
    source = source.get('object') if isinstance(source, dict) else None
    return [_cell(job.get('job_id')), _cell(job.get('tag')), _cell(job.get('state')), _cell(job.get('code')),
            _cell(message), _cell(source)]


def _failed_table(jobs, message_width, labels=None):
    """The fixed-width table of the failed and cancelled ``jobs`` (a list of lines), or [] when there is none.
    With ``labels`` (one per job), a first column SELECTION names the selection of each job."""
    width = max(message_width, MIN_MESSAGE_WIDTH)
    header = list(HEADER) if labels is None else ['SELECTION'] + list(HEADER)
    rows = [([] if labels is None else [_cell(labels[index])]) + _row(job, width) for index, job in enumerate(jobs)
            if isinstance(job, dict) and job.get('state') in FAILED_STATES]
    if not rows:
        return []
    widths = [max(len(cells[column]) for cells in [header] + rows) for column in range(len(header))]
    ruler = ['-' * w for w in widths]

    def line(cells):  # every cell padded to its column's width but the last, so no line ends in blanks
        return '  '.join(['%-*s' % (w, cell) for w, cell in zip(widths, cells[:-1])] + [cells[-1]])

    return [line(header), line(ruler)] + [line(cells) for cells in rows]


def _stopped(result, summary, vanished):
    """Did the module fail for another reason than vanished jobs (a request error, a wait timeout, ...)?"""
    if summary is None:
        return True
    if not result.get('failed'):
        return False
    # the vanished jobs keep their last state, which is unfinished: any more unfinished ones timed out
    unfinished = sum((summary.get('by_state') or {}).get(state, 0) for state in NOT_FINISHED)
    return not vanished or unfinished > len(vanished)


def _paused(selection, summary, paused_jobs, paused_queues):
    """The first line of the report when the module stopped waiting because of a pause (stop_on_pause)."""
    parts = []
    if paused_queues:
        parts.append('%s %s %s paused' % ('queue' if len(paused_queues) == 1 else 'queues', ', '.join(paused_queues),
                                          'is' if len(paused_queues) == 1 else 'are'))
    if paused_jobs:
        parts.append('%s paused: %s' % ('1 job is' if len(paused_jobs) == 1 else '%d jobs are' % len(paused_jobs),
                                        ', '.join(paused_jobs)))
    by_state = (summary or {}).get('by_state') or {}
    unfinished = sum(by_state.get(state) or 0 for state in NOT_FINISHED)
    parts.append('%s unfinished' % _plural(unfinished, 'job'))
    return ('job gate stopped (%s): %s; stopped at once instead of waiting for the timeout (stop_on_pause)'
            % (selection, '; '.join(parts)))


def _reason(result, summary, settings, missing, vanished):
    """The first line of the report, or None when the gate passes."""
    selection, job_ids, min_jobs = settings['selection'], settings['job_ids'], settings['min_jobs']
    paused = settings['paused_job_ids'], settings['paused_queue_ids']
    if settings['stop_on_pause'] and result.get('failed') and (paused[0] or paused[1]):
        return _paused(selection, summary, *paused)
    if _stopped(result, summary, vanished):
        return 'job gate stopped (%s): %s' % (selection, to_text(result.get('msg') or 'the query failed'))
    if vanished:
        return ('job gate FAILED: %s vanished while the gate waited (the CI service no longer knows %s): %s - %s'
                % (_plural(len(vanished), 'job'), 'it' if len(vanished) == 1 else 'them', ', '.join(vanished), selection))
    if missing:
        return ('job gate FAILED: the CI service does not know %d of the %s: %s'
                % (len(missing), _plural(len(job_ids), 'job id'), ', '.join(missing)))
    total, by_state = summary.get('total', 0), summary.get('by_state') or {}
    if total < min_jobs:
        return ('job gate FAILED: the selection (%s) matched %s, fewer than job_gate_min_jobs=%d; check the queue, '
                'tag and filters (set job_gate_min_jobs to 0 to let an empty selection pass)'
                % (selection, _plural(total, 'job'), min_jobs))
    succeeded = by_state.get('Success', 0)
    if succeeded == total:
        return None
    others = [state for state in by_state if state not in NOT_SUCCESS + ('Success',)]
    counts = ['%d %s' % (by_state[state], state) for state in NOT_SUCCESS + tuple(others) if by_state.get(state)]
    return ('job gate FAILED: %d of %s did not succeed (%s) - %s'
            % (total - succeeded, _plural(total, 'job'), ', '.join(counts), selection))


def _flag(value, name):
    """A boolean option given as a boolean or as text (ansible-core 2.16-2.18 template some values to text)."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleFilterError('gate_verdict: %s must be a boolean; got %r' % (name, value)) from None


def _settings(result, selection, job_ids, min_jobs, stop_on_pause):
    """The gate's settings and the pause the result reports, checked."""
    return {'selection': to_text(selection), 'job_ids': _ids(job_ids, 'job_ids'),
            'min_jobs': _whole(min_jobs, 'min_jobs', 0), 'stop_on_pause': _flag(stop_on_pause, 'stop_on_pause'),
            'paused_job_ids': _ids(result.get('paused_job_ids'), 'paused_job_ids of the input'),
            'paused_queue_ids': _ids(result.get('paused_queue_ids'), 'paused_queue_ids of the input')}


def gate_verdict(result, selection='the selected jobs', job_ids=None, min_jobs=1, message_width=60,
                 stop_on_pause=False):
    """``job_gate_result`` from a result (or failure result) of ``ci_jobs_info`` and the gate's settings."""
    if not isinstance(result, dict):
        raise AnsibleFilterError('gate_verdict: the input must be the result of qcloud.ci.ci_jobs_info (a dictionary); '
                                 'got %s' % type(result).__name__)
    if 'results' in result and 'summary' not in result:  # a loop over selections
        return _selections_verdict(result['results'], min_jobs, message_width, stop_on_pause)
    summary = result.get('summary')
    if summary is not None and not isinstance(summary, dict):
        raise AnsibleFilterError('gate_verdict: the summary of the input must be a dictionary; got %s'
                                 % type(summary).__name__)
    if summary is None and not result.get('failed'):
        raise AnsibleFilterError('gate_verdict: the input has no summary: pass the result of qcloud.ci.ci_jobs_info')
    settings = _settings(result, selection, job_ids, min_jobs, stop_on_pause)
    width = _whole(message_width, 'message_width')
    reported_missing = _ids(result.get('missing_job_ids'), 'missing_job_ids of the input')
    vanished = _ids(result.get('vanished_job_ids'), 'vanished_job_ids of the input')
    missing = reported_missing if job_ids is not None else []
    # listed by the module, then no longer known: a job of a listing is never "unknown"
    vanished += [job_id for job_id in reported_missing if job_id not in missing and job_id not in vanished]
    jobs = result.get('jobs') or []
    reason = _reason(result, summary, settings, missing, vanished)
    if reason is None:
        total = summary.get('total', 0)
        msg = 'job gate passed: %s, %s - %s' % (
            _plural(total, 'job'), 'all Success' if total else 'none selected (job_gate_min_jobs is 0)',
            settings['selection'])
    else:
        table = _failed_table(jobs, width)
        msg = '\n'.join([reason] + ([''] + table if table else []))
    return {
        'passed': reason is None,
        'msg': msg,
        'selection': settings['selection'],
        'summary': summary,
        'jobs': jobs,
        'failed_job_ids': list((summary or {}).get('failed_job_ids') or []),
        'missing_job_ids': missing,
        'vanished_job_ids': vanished,
        'paused_job_ids': settings['paused_job_ids'],
        'paused_queue_ids': settings['paused_queue_ids'],
    }


def _sum_summaries(summaries):
    """One summary over several selections, or None when one of them has none (CI could not be queried)."""
    if any(summary is None for summary in summaries):
        return None
    by_state = {}
    for summary in summaries:
        for state, count in (summary.get('by_state') or {}).items():
            by_state[state] = by_state.get(state, 0) + count
    return {'total': sum(summary.get('total', 0) for summary in summaries), 'by_state': by_state,
            'finished': all(summary.get('finished') for summary in summaries),
            'all_succeeded': all(summary.get('all_succeeded') for summary in summaries),
            'failed_job_ids': [job_id for summary in summaries for job_id in summary.get('failed_job_ids') or []]}


def _unique(values):
    """``values`` without repeats, in their order (two selections of one queue report it once)."""
    return [value for index, value in enumerate(values) if value not in values[:index]]


def _label(item, index):
    """The label of a selection: its own, else one line from its job ids or its queue and tag."""
    if item.get('label'):
        return to_text(item['label'])
    ids = _ids(item.get('job_ids'), 'job_ids of selection %d' % (index + 1))
    if ids:
        return '%d job id(s) %s%s' % (len(ids), ', '.join(ids[:3]), ', ...' if len(ids) > 3 else '')
    if item.get('queue_id') or item.get('tag'):
        return '%s jobs of queue %s' % (to_text(item.get('tag') or '?'), to_text(item.get('queue_id') or '?'))
    return 'selection %d' % (index + 1)


def _selections_verdict(results, min_jobs, message_width, stop_on_pause):
    """The verdict over the results of a loop of ci_jobs_info, one per selection (``item``: label, job_ids)."""
    if not isinstance(results, list) or not results or not all(isinstance(part, dict) for part in results):
        raise AnsibleFilterError('gate_verdict: results must be a non-empty list of results of qcloud.ci.ci_jobs_info')
    verdicts = []
    for index, part in enumerate(results):
        item = part.get('item') if isinstance(part.get('item'), dict) else {}
        verdicts.append(gate_verdict(part, selection=_label(item, index), job_ids=item.get('job_ids') or None,
                                     min_jobs=min_jobs, message_width=message_width, stop_on_pause=stop_on_pause))
    if len(verdicts) == 1:
        return verdicts[0]
    labels = [verdict['selection'] for verdict in verdicts]
    summary = _sum_summaries([verdict['summary'] for verdict in verdicts])
    failing = [verdict for verdict in verdicts if not verdict['passed']]
    if failing:
        jobs = [(verdict['selection'], job) for verdict in failing for job in verdict['jobs']]
        table = _failed_table([job for dummy, job in jobs], _whole(message_width, 'message_width'),
                              labels=[label for label, dummy in jobs])
        msg = '\n'.join(['job gate FAILED: %d of %d selections did not pass - %s' % (
            len(failing), len(verdicts), '; '.join(labels))] + ['  ' + verdict['msg'].splitlines()[0] for verdict in failing]
            + ([''] + table if table else []))
    else:
        msg = 'job gate passed: %d selections, %s, all Success - %s' % (
            len(verdicts), _plural(summary['total'], 'job'), '; '.join(labels))

    def joined(key):
        return [value for verdict in verdicts for value in verdict[key]]

    return {'passed': not failing, 'msg': msg, 'selection': '; '.join(labels), 'summary': summary,
            'jobs': joined('jobs'), 'failed_job_ids': joined('failed_job_ids'),
            'missing_job_ids': joined('missing_job_ids'), 'vanished_job_ids': joined('vanished_job_ids'),
            'paused_job_ids': joined('paused_job_ids'), 'paused_queue_ids': _unique(joined('paused_queue_ids')),
            'selections': verdicts}


class FilterModule(object):
    """The gate's verdict as a filter."""

    def filters(self):
        return {'gate_verdict': gate_verdict}
