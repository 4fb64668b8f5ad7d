#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate realistic CI jobs as JSON Lines for the emulator (``ci_emulator.py --jobs``).

Standard library only (plus ``job_kinds.py`` next to this file, which holds the per-tag job
trees). The output is deterministic for a given ``--seed`` and arguments. Jobs of one run share
one tag, or with ``--tag all`` cycle through every tag of every job list (one queue per queue
type with ``--family-queue``); run it several times (with different seeds) and concatenate, or
pass several files to ``--jobs``, to build larger data sets.

Example::

    python3 gen_jobs.py --count 50000 --queue p893bcda225bf4945a378da6662e81a89 \\
        --tag Translation --failed-ratio 0.02 --running-ratio 0.1 --finish-over 30 --out big.jsonl
    python3 gen_jobs.py --count 78 --queue p0 --tag all --family-queue picture=p1 --pause-ratio 0.1
"""

from __future__ import print_function

import argparse
import calendar
import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import job_kinds  # noqa: E402  pylint: disable=wrong-import-position

# Jobs of these tags (at /jobs) keep the shape they had before job_kinds, byte for byte per seed:
# no Progress, empty Code while unfinished, the original key order and failures.
LEGACY = ('Translation', 'SpeechRecognition', 'WordsGeneralize')
JOB_LIST_NAMES = ('jobs', 'pic_jobs', 'doc_jobs', 'asr_jobs')
QUEUE_TYPES = ('media', 'ai', 'speech', 'document', 'picture')
UNFINISHED = ('Submitted', 'Running', 'Pause')
FINISHED = ('Success', 'Failed', 'Cancel')
_TIME_RE = re.compile(r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):?(\d{2})$')


def parse_time(text):
    """``2024-05-01T00:00:00+0800`` -> (epoch, offset seconds)."""
    match = _TIME_RE.match(text)
    if match is None:
        raise ValueError('--start-time must look like 2024-05-01T00:00:00+0800')
    parts = [int(x) for x in match.group(1, 2, 3, 4, 5, 6)]
    offset = int(match.group(8)) * 3600 + int(match.group(9)) * 60
    offset = -offset if match.group(7) == '-' else offset
    return calendar.timegm(tuple(parts) + (0, 0, 0)) - offset, offset


def fmt_time(epoch, offset):
    """Epoch -> ``2024-05-01T00:00:00+0800``."""
    sign = '-' if offset < 0 else '+'
    return '%s%s%02d%02d' % (time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(epoch + offset)), sign,
                             abs(offset) // 3600, abs(offset) % 3600 // 60)


class Kind(object):
    """One (job list, tag) pair: its builder, queue type and shape."""

    def __init__(self, path, tag, queue):
        self.path, self.tag, self.queue = path, tag, queue
        self.build = job_kinds.builder_for(tag, path)
        self.queue_type = job_kinds.queue_type_for(tag, path)
        self.legacy = path == '/jobs' and tag in LEGACY
        self.progress = self.queue_type == 'media'


def kinds_of(args):
    """The kinds a run cycles through (one unless ``--tag all``)."""
    path = '/' + args.job_list if args.job_list else None
    if args.tag == 'all':
        pairs = [(p, t) for p, t in job_kinds.KINDS if path is None or p == path]
    else:
        pairs = [(path or job_kinds.list_for(args.tag), args.tag)]
    families = dict(args.family_queue or ())
    return [Kind(p, t, families.get(job_kinds.queue_type_for(t, p), args.queue)) for p, t in pairs]


def _job_id(rng, seen, prefix='a'):
    while True:
        job_id = prefix + '%032x' % rng.getrandbits(128)
        if job_id not in seen:
            seen.add(job_id)
            return job_id


def _state(rng, args):
    roll = rng.random()
    if roll < args.failed_ratio:
        return 'Failed'
    if roll < args.failed_ratio + args.cancel_ratio:
        return 'Cancel'
    if roll < args.failed_ratio + args.cancel_ratio + args.running_ratio:
        return 'Submitted' if rng.random() < 1.0 / 3 else 'Running'
    if roll < args.failed_ratio + args.cancel_ratio + args.running_ratio + args.pause_ratio:
        return 'Pause'
    return 'Success'


def generate(args):
    """Yield job dicts."""
    rng = random.Random(args.seed)
    start, offset = parse_time(args.start_time)
    seen = set()
    created = start
    kinds = kinds_of(args)
    for number in range(1, args.count + 1):
        kind = kinds[(number - 1) % len(kinds)]
        ordinal = (number - 1) // len(kinds) + 1  # the job's number among those of its kind: picks the tree variant
        created += rng.choice((0, 1, 2, 5, 7, 11, 13, 30, 60))
        state = _state(rng, args)
        source, operation = kind.build(rng, args, ordinal, state == 'Success')
        began = created + rng.randint(1, 5)
        ended = began + rng.randint(3, 120)
        code, message = _code(rng, kind, state)
        times = (fmt_time(created, offset), '-' if state == 'Submitted' else fmt_time(began, offset),
                 fmt_time(ended, offset) if state in FINISHED else '-')
        prefix = 'a' if kind.legacy else job_kinds.ID_PREFIX[kind.queue_type]
        job = _assemble(kind, (code, message, _job_id(rng, seen, prefix), state), times, rng, (source, operation))
        if state in ('Submitted', 'Running') and args.finish_over > 0:
            job['_Transitions'] = _transitions(rng, args, ordinal, state, kind)
        yield job


def _code(rng, kind, state):
    """``Code``/``Message``: the real service sends ``Success`` and an empty message until a job fails or is cancelled."""
    if state == 'Failed':
        return rng.choice(job_kinds.FAILURES) if kind.legacy else job_kinds.failure_for(rng, kind.tag)
    if state == 'Cancel':
        return 'Cancel', 'the job was canceled'
    if state in UNFINISHED and kind.legacy:
        return '', ''
    return 'Success', ''


def _progress(rng, state):
    if state == 'Success':
        return '100'
    if state in ('Submitted', 'Cancel'):
        return '0'
    return str(rng.randint(1, 99))


def _assemble(kind, head, times, rng, trees):
    """The job dict; legacy tags in their original key order, the others in the order of Tencent's samples."""
    code, message, job_id, state = head
    created, began, ended = times
    source, operation = trees
    if kind.legacy:
        return {'Code': code, 'Message': message, 'JobId': job_id, 'Tag': kind.tag, 'State': state,
                'CreationTime': created, 'StartTime': began, 'EndTime': ended, 'QueueId': kind.queue,
                'Input': source, 'Operation': operation}
    job = {'Code': code, 'Message': message, 'JobId': job_id, 'State': state}
    if kind.progress:
        job['Progress'] = _progress(rng, state)
    job.update({'CreationTime': created, 'StartTime': began, 'EndTime': ended, 'QueueId': kind.queue,
                'Tag': kind.tag, 'Input': source, 'Operation': operation})
    if kind.path != job_kinds.list_for(kind.tag):
        job['_JobList'] = kind.path
    return job


def _transitions(rng, args, number, state, kind):
    steps = []
    finish = round(rng.uniform(0.05, 1.0) * args.finish_over, 2)
    if state == 'Submitted':
        step = {'after': round(finish * rng.uniform(0.1, 0.6), 2), 'State': 'Running', 'Code': '' if kind.legacy else 'Success'}
        if kind.progress:
            step['Progress'] = str(rng.randint(1, 60))
        steps.append(step)
    if rng.random() < args.failed_ratio:
        code, message = rng.choice(job_kinds.FAILURES) if kind.legacy else job_kinds.failure_for(rng, kind.tag)
        steps.append({'after': finish, 'State': 'Failed', 'Code': code, 'Message': message})
    else:
        operation = kind.build(rng, args, number, True)[1]
        step = {'after': finish, 'State': 'Success', 'Code': 'Success', 'Message': ''}
        if kind.progress:
            step['Progress'] = '100'
        step['Operation'] = operation
        steps.append(step)
    return steps


def _ratio(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError('a ratio is a number from 0 to 1')
    return value


def _family_queue(text):
    kind, sep, queue = text.partition('=')
    if not sep or kind not in QUEUE_TYPES or not queue:
        raise argparse.ArgumentTypeError('expected TYPE=QUEUEID with TYPE one of %s, got %r' % (', '.join(QUEUE_TYPES), text))
    return kind, queue


def build_parser():
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog='gen_jobs.py',
        description='Generate realistic CI jobs (JSON Lines) for ci_emulator.py. Deterministic for a given --seed.',
        epilog='Each job is Failed with probability --failed-ratio, Cancel with --cancel-ratio, unfinished '
               '(one third Submitted, the rest Running) with --running-ratio, Pause with --pause-ratio, else Success. '
               'CreationTime grows from --start-time in steps of 0 to 60 s (equal times happen, so ties are exercised). '
               'With --finish-over S, every Submitted or Running job gets _Transitions that finish it (Success, or '
               'Failed with --failed-ratio) at a time spread over S seconds after the emulator starts; Submitted jobs '
               'pass through Running first. Pause jobs stay paused. --tag all cycles through every (job list, tag) '
               'pair of job_kinds.py (only those of --job-list if given); a job listed somewhere else than its tag\'s '
               'default list carries the control key _JobList.')
    parser.add_argument('--count', type=int, required=True, help='number of jobs')
    parser.add_argument('--queue', required=True, help='QueueId of every job (e.g. p893bcda225bf4945a378da6662e81a89)')
    parser.add_argument('--tag', required=True, choices=job_kinds.ALL_TAGS + ('all',), metavar='TAG',
                        help='Tag of every job, or "all" for every tag in turn (tags: %s)' % ', '.join(job_kinds.ALL_TAGS))
    parser.add_argument('--job-list', choices=JOB_LIST_NAMES,
                        help='the job list the jobs belong to (default: pic_jobs for PicProcess, doc_jobs for DocProcess, '
                             'else jobs; asr_jobs makes SpeechRecognition jobs of the speech list)')
    parser.add_argument('--family-queue', type=_family_queue, action='append', metavar='TYPE=QUEUEID',
                        help='QueueId of the jobs of one queue type (%s), instead of --queue; repeatable'
                             % ', '.join(QUEUE_TYPES))
    parser.add_argument('--failed-ratio', type=_ratio, default=0.0, metavar='R', help='share of Failed jobs (default 0)')
    parser.add_argument('--cancel-ratio', type=_ratio, default=0.0, metavar='R', help='share of Cancel jobs (default 0)')
    parser.add_argument('--running-ratio', type=_ratio, default=0.0, metavar='R', help='share of unfinished jobs (default 0)')
    parser.add_argument('--pause-ratio', type=_ratio, default=0.0, metavar='R', help='share of Pause jobs (default 0)')
    parser.add_argument('--finish-over', type=float, default=0.0, metavar='SECONDS',
                        help='give unfinished jobs _Transitions that end them within this many seconds (default 0: none)')
    parser.add_argument('--start-time', default='2024-05-01T00:00:00+0800', metavar='ISO',
                        help='CreationTime of the first job (default 2024-05-01T00:00:00+0800)')
    parser.add_argument('--seed', type=int, default=0, metavar='S', help='random seed (default 0)')
    parser.add_argument('--bucket', default='examplebucket-1250000000', help='bucket named in Input/Output')
    parser.add_argument('--region', default='ap-guangzhou', help='region named in Input/Output')
    parser.add_argument('--out', metavar='FILE', help='write here instead of standard output')
    return parser


def _check(parser, args):
    if args.count < 0:
        parser.error('--count must be >= 0')
    if args.failed_ratio + args.cancel_ratio + args.running_ratio + args.pause_ratio > 1.0:
        parser.error('the ratios add up to more than 1')
    if args.tag != 'all' and args.job_list and args.tag not in job_kinds.JOB_LISTS['/' + args.job_list]:
        parser.error('--tag %s is not served by --job-list %s; allowed: %s'
                     % (args.tag, args.job_list, ', '.join(job_kinds.JOB_LISTS['/' + args.job_list])))
    try:
        parse_time(args.start_time)
    except ValueError as exc:
        parser.error(str(exc))


def main(argv=None):
    """Write the jobs."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check(parser, args)
    handle = open(args.out, 'w', encoding='utf-8') if args.out else sys.stdout
    try:
        for job in generate(args):
            handle.write(json.dumps(job, ensure_ascii=False, separators=(',', ':')) + '\n')
    finally:
        if args.out:
            handle.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
