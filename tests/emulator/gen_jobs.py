#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate realistic CI jobs as JSON Lines for the emulator (``ci_emulator.py --jobs``).

Standard library only. The output is deterministic for a given ``--seed`` and arguments.
Jobs of one run share one queue and one tag; run it several times (with different seeds) and
concatenate, or pass several files to ``--jobs``, to build larger data sets.

Example::

    python3 gen_jobs.py --count 50000 --queue p893bcda225bf4945a378da6662e81a89 \\
        --tag Translation --failed-ratio 0.02 --running-ratio 0.1 --finish-over 30 --out big.jsonl
"""

from __future__ import print_function

import argparse
import calendar
import json
import random
import re
import sys
import time

TAGS = ('Translation', 'SpeechRecognition', 'WordsGeneralize')
FAILURES = (
    ('InvalidInput', 'the input file format is not supported'),
    ('InvalidInput', 'the input file is empty'),
    ('DownloadFailed', 'failed to download the input object'),
    ('InternalError', 'internal error, please retry'),
)
SENTENCES = (
    ('今天的会议讨论了第三季度的预算。', 'The meeting today discussed the third-quarter budget.'),
    ('请在周五之前提交报告。', 'Please submit the report before Friday.'),
    ('新产品将于下个月在广州发布。', 'The new product will launch in Guangzhou next month.'),
    ('服务器维护窗口定于周日凌晨。', 'The server maintenance window is early on Sunday.'),
    ('客户反馈整体满意度较高。', 'Customer feedback shows high overall satisfaction.'),
)
LABELS = (('Person', '李雷'), ('Location', '广州'), ('Organization', '腾讯云'), ('Time', '下个月'), ('Product', '数据万象'))
TOKENS = (('新', 'a'), ('产品', 'n'), ('将', 'd'), ('于', 'p'), ('下个月', 't'), ('在', 'p'), ('广州', 'ns'), ('发布', 'v'), ('。', 'w'))
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


def _output(args, name):
    return {'Region': args.region, 'Bucket': args.bucket, 'Object': name}


def translation(rng, args, number, success):
    """Input and Operation of a Translation job."""
    target = SENTENCES[number % len(SENTENCES)][1]
    kind = rng.choice(('txt', 'docx', 'pdf', 'html'))
    name = 'docs/report-%06d.%s' % (number, kind)
    operation = {'Translation': {'Lang': 'en', 'Type': kind},
                 'Output': _output(args, 'translated/report-%06d.en.%s' % (number, kind)),
                 'UserData': '', 'JobLevel': '0'}
    if success:
        operation['AITranslateResult'] = {'Result': target}
    return {'Object': name, 'Lang': 'zh', 'Type': kind}, operation


def speech(rng, args, number, success):
    """Input and Operation of a SpeechRecognition job."""
    name = 'audio/meeting-%06d.mp3' % number
    operation = {'SpeechRecognition': {'EngineModelType': '16k_zh', 'ChannelNum': '1', 'ResTextFormat': '1',
                                       'FilterDirty': '0', 'FilterModal': '0', 'ConvertNumMode': '1'},
                 'Output': _output(args, 'asr/meeting-%06d.txt' % number), 'UserData': '', 'JobLevel': '0'}
    if success:
        details, lines, start = [], [], 0
        for index in range(rng.randint(1, 3)):
            text = SENTENCES[(number + index) % len(SENTENCES)][0]
            chars = [c for c in text if c != '。']
            step = rng.randint(180, 320)
            words = [{'Word': c, 'OffsetStartMs': str(i * step), 'OffsetEndMs': str((i + 1) * step)} for i, c in enumerate(chars)]
            end = start + len(chars) * step
            details.append({'FinalSentence': text, 'SliceSentence': ' '.join(chars), 'StartMs': str(start), 'EndMs': str(end),
                            'WordsNum': str(len(chars)), 'SpeechSpeed': '%.1f' % (len(chars) * 1000.0 / (end - start)),
                            'SpeakerId': '0', 'Words': words})
            lines.append('[0:%.3f,0:%.3f]  %s' % (start / 1000.0, end / 1000.0, text))
            start = end + rng.randint(100, 900)
        operation['SpeechRecognitionResult'] = {'AudioTime': '%.3f' % (start / 1000.0), 'Result': '\n'.join(lines),
                                                'ResultDetail': details}
    return {'BucketId': args.bucket, 'Object': name, 'Region': args.region}, operation


def words(rng, args, number, success):
    """Input and Operation of a WordsGeneralize job."""
    operation = {'WordsGeneralize': {'NerMethod': 'DL', 'SegMethod': 'MIX'}, 'UserData': '', 'JobLevel': '0'}
    if success:
        labels = [{'Category': c, 'Word': w} for c, w in rng.sample(LABELS, 2)]
        tokens, offset = [], 0
        for word, pos in TOKENS:
            tokens.append({'Word': word, 'Offset': str(offset), 'Length': str(len(word)), 'Pos': pos})
            offset += len(word)
        operation['WordsGeneralizeResult'] = {'WordsGeneralizeLable': labels, 'WordsGeneralizeToken': tokens}
    return {'BucketId': args.bucket, 'Object': 'text/news-%06d.txt' % number, 'Region': args.region}, operation


BUILDERS = {'Translation': translation, 'SpeechRecognition': speech, 'WordsGeneralize': words}


def _job_id(rng, seen):
    while True:
        job_id = 'a%032x' % rng.getrandbits(128)
        if job_id not in seen:
            seen.add(job_id)
            return job_id


def generate(args):
    """Yield job dicts."""
    rng = random.Random(args.seed)
    start, offset = parse_time(args.start_time)
    seen = set()
    created = start
    for number in range(1, args.count + 1):
        created += rng.choice((0, 1, 2, 5, 7, 11, 13, 30, 60))
        roll = rng.random()
        if roll < args.failed_ratio:
            state = 'Failed'
        elif roll < args.failed_ratio + args.cancel_ratio:
            state = 'Cancel'
        elif roll < args.failed_ratio + args.cancel_ratio + args.running_ratio:
            state = 'Submitted' if rng.random() < 1.0 / 3 else 'Running'
        else:
            state = 'Success'
        source, operation = BUILDERS[args.tag](rng, args, number, state == 'Success')
        began = created + rng.randint(1, 5)
        ended = began + rng.randint(3, 120)
        code, message = 'Success', ''
        if state == 'Failed':
            code, message = rng.choice(FAILURES)
        elif state == 'Cancel':
            code, message = 'Cancel', 'the job was canceled'
        elif state in ('Submitted', 'Running'):
            code = ''
        job = {'Code': code, 'Message': message, 'JobId': _job_id(rng, seen), 'Tag': args.tag, 'State': state,
               'CreationTime': fmt_time(created, offset),
               'StartTime': '-' if state == 'Submitted' else fmt_time(began, offset),
               'EndTime': fmt_time(ended, offset) if state in ('Success', 'Failed', 'Cancel') else '-',
               'QueueId': args.queue, 'Input': source, 'Operation': operation}
        if state in ('Submitted', 'Running') and args.finish_over > 0:
            job['_Transitions'] = _transitions(rng, args, number, state)
        yield job


def _transitions(rng, args, number, state):
    steps = []
    finish = round(rng.uniform(0.05, 1.0) * args.finish_over, 2)
    if state == 'Submitted':
        steps.append({'after': round(finish * rng.uniform(0.1, 0.6), 2), 'State': 'Running', 'Code': ''})
    if rng.random() < args.failed_ratio:
        code, message = rng.choice(FAILURES)
        steps.append({'after': finish, 'State': 'Failed', 'Code': code, 'Message': message})
    else:
        operation = BUILDERS[args.tag](rng, args, number, True)[1]
        steps.append({'after': finish, 'State': 'Success', 'Code': 'Success', 'Message': '', 'Operation': operation})
    return steps


def _ratio(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError('a ratio is a number from 0 to 1')
    return value


def build_parser():
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog='gen_jobs.py',
        description='Generate realistic CI jobs (JSON Lines) for ci_emulator.py. Deterministic for a given --seed.',
        epilog='Each job is Failed with probability --failed-ratio, Cancel with --cancel-ratio, unfinished '
               '(one third Submitted, the rest Running) with --running-ratio, else Success. CreationTime grows from '
               '--start-time in steps of 0 to 60 s (equal times happen, so ties are exercised). With --finish-over S, '
               'every unfinished job gets _Transitions that finish it (Success, or Failed with --failed-ratio) at a '
               'time spread over S seconds after the emulator starts; Submitted jobs pass through Running first.')
    parser.add_argument('--count', type=int, required=True, help='number of jobs')
    parser.add_argument('--queue', required=True, help='QueueId of every job (e.g. p893bcda225bf4945a378da6662e81a89)')
    parser.add_argument('--tag', required=True, choices=TAGS, help='Tag of every job')
    parser.add_argument('--failed-ratio', type=_ratio, default=0.0, metavar='R', help='share of Failed jobs (default 0)')
    parser.add_argument('--cancel-ratio', type=_ratio, default=0.0, metavar='R', help='share of Cancel jobs (default 0)')
    parser.add_argument('--running-ratio', type=_ratio, default=0.0, metavar='R', help='share of unfinished jobs (default 0)')
    parser.add_argument('--finish-over', type=float, default=0.0, metavar='SECONDS',
                        help='give unfinished jobs _Transitions that end them within this many seconds (default 0: none)')
    parser.add_argument('--start-time', default='2024-05-01T00:00:00+0800', metavar='ISO',
                        help='CreationTime of the first job (default 2024-05-01T00:00:00+0800)')
    parser.add_argument('--seed', type=int, default=0, metavar='S', help='random seed (default 0)')
    parser.add_argument('--bucket', default='examplebucket-1250000000', help='bucket named in Input/Output')
    parser.add_argument('--region', default='ap-guangzhou', help='region named in Input/Output')
    parser.add_argument('--out', metavar='FILE', help='write here instead of standard output')
    return parser


def main(argv=None):
    """Write the jobs."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error('--count must be >= 0')
    if args.failed_ratio + args.cancel_ratio + args.running_ratio > 1.0:
        parser.error('the ratios add up to more than 1')
    try:
        parse_time(args.start_time)
    except ValueError as exc:
        parser.error(str(exc))
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
