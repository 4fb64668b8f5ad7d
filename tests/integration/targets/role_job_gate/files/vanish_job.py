# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make a job vanish while a gate waits for it (the role_job_gate target starts this in the background).

    python vanish_job.py URL JOBS.jsonl REPORT --drop ID [--finish ID]... [--gets N] [--give-up SECONDS]

Waits until the CI emulator at URL has answered N requests for jobs by id (the gate is polling),
then replaces its job set with JOBS.jsonl without the job --drop, each --finish job in state
Success. Writes one line to REPORT at the end (atomically): ``ok: ...`` or ``error: ...``, the
latter when the gate never polled within --give-up seconds (a hang guard only: what the test
checks is the order of events, not their timing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request


def control(url, path, body=None):
    request = urllib.request.Request(url + '/_emulator/' + path, data=body, method='POST' if body is not None else 'GET')
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read().decode('utf-8'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('url')
    parser.add_argument('jobs')
    parser.add_argument('report')
    parser.add_argument('--drop', required=True)
    parser.add_argument('--finish', action='append', default=[])
    parser.add_argument('--gets', type=int, default=1)
    parser.add_argument('--give-up', type=float, default=120)
    args = parser.parse_args()
    lines = []
    with open(args.jobs) as handle:
        for line in handle:
            job = json.loads(line)
            if job['JobId'] == args.drop:
                continue
            if job['JobId'] in args.finish:
                job.update(State='Success', Code='Success', EndTime=job['StartTime'])
            lines.append(json.dumps(job))
    give_up = time.monotonic() + args.give_up
    outcome = None
    while outcome is None and control(args.url, 'stats')['requests']['by_kind'].get('get', 0) < args.gets:
        if time.monotonic() > give_up:
            outcome = 'error: no request by id within %s s; nothing changed' % args.give_up
        time.sleep(0.05)
    if outcome is None:
        answer = control(args.url, 'jobs', '\n'.join(lines).encode('utf-8'))
        outcome = 'ok: %s dropped after %d poll(s); %d jobs left' % (args.drop, args.gets, answer['jobs'])
    with open(args.report + '.tmp', 'w') as handle:
        handle.write(outcome + '\n')
    os.rename(args.report + '.tmp', args.report)
    return 0 if outcome.startswith('ok') else 1


if __name__ == '__main__':
    sys.exit(main())
