# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""50,000 jobs load in seconds of CPU, and serving a 100-job page costs a small fraction of the CPU of parsing it.

Both are measured in CPU seconds (the emulator's own and this process's), which a busy machine
does not inflate the way it inflates wall-clock time; nothing here asserts a wall-clock duration.
"""

import os
import re
import subprocess
import sys
import time

import pytest

from emu_client import Client
from harness import HERE, Emulator, DEMO_SECRET_ID, DEMO_SECRET_KEY

xmltodict = pytest.importorskip('xmltodict')
QUEUE = 'p0f0e0d0c0b0a09080706050403020100'


@pytest.fixture(scope='module')
def big(tmp_path_factory):
    """50,000 realistic Translation jobs: 500 from gen_jobs.py, each repeated 100 times with new ids and times."""
    folder = tmp_path_factory.mktemp('scale')
    seed = folder / 'seed.jsonl'
    subprocess.run([sys.executable, os.path.join(HERE, 'gen_jobs.py'), '--count', '500', '--queue', QUEUE, '--tag', 'Translation',
                    '--failed-ratio', '0.02', '--running-ratio', '0.1', '--finish-over', '600', '--seed', '1', '--out', str(seed)],
                   check=True, timeout=120)
    lines = seed.read_text(encoding='utf-8').splitlines()
    path = folder / 'big.jsonl'
    with open(path, 'w', encoding='utf-8') as out:
        for copy in range(100):
            for number, line in enumerate(lines):
                job_id = re.search(r'"JobId":"(a[0-9a-f]{32})"', line).group(1)
                line = line.replace(job_id, 'a%08x%024x' % (copy, number)).replace('"CreationTime":"2024-05-01', '"CreationTime":"%d-05-01' % (2100 + copy))
                out.write(line + '\n')
    with Emulator(jobs=[path], startup_timeout=600) as emu:  # a hang guard only
        yield emu


def test_fifty_thousand_jobs_load_in_seconds(big):
    emu = big
    loaded, cpu = re.search(r'loaded 50000 jobs in ([0-9.]+) s \(([0-9.]+) s CPU\)', emu.stderr_text()).groups()
    print('\n50,000 Translation jobs: loaded in %s s (%s s CPU)' % (loaded, cpu))
    assert emu.stats()['jobs'] == 50000
    assert float(cpu) < 15  # about 2 s; CPU seconds, so a busy machine does not make it fail


def test_serving_a_page_is_a_small_fraction_of_parsing_it(big):
    emu = big
    emu.reset()
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    params = {'queueId': QUEUE, 'tag': 'Translation', 'size': '100', 'nextToken': ''}
    parse, round_trip, pages, total_bytes = 0.0, 0.0, 0, 0
    for _round in range(50):
        began = time.perf_counter()
        reply = cli.call('/jobs', params)
        round_trip += time.perf_counter() - began
        assert reply.status == 200
        began = time.thread_time()
        document = xmltodict.parse(reply.body, force_list=('JobsDetail',))
        parse += time.thread_time() - began
        assert len(document['Response']['JobsDetail']) == 100
        params['nextToken'] = document['Response']['NextToken']
        pages += 1
        total_bytes += len(reply.body)
    cli.close()
    serve = emu.stats()['serve_seconds']['list']
    assert serve['count'] == pages
    served = serve['cpu'] / pages
    figures = (total_bytes // pages, served * 1e3, round_trip / pages * 1e3, parse / pages * 1e3, served / (parse / pages))
    print('\n100-job page (%d bytes): emulator builds it in %.3f ms CPU, HTTP round trip %.3f ms, xmltodict.parse %.3f ms CPU '
          '(ratio %.3f)' % figures)
    assert served < 0.2 * (parse / pages)
