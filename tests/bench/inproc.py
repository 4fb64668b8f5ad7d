# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One in-process run of the benchmark, in a fresh Python process (started by bench.py).

    python inproc.py MODE --url URL --bucket B --queue Q --tag T --expect N [--trace]

MODE is one of:

* ``client`` (a): ``_job_api.run(CIClient(...), JobQuery.from_options(...))``, what the module and
  the lookup run, every job returned;
* ``sdk`` (d): the official SDK cos-python-sdk-v5, ``ci_list_media_jobs(..., Size=100,
  NextToken=token)`` until the token is empty (``CosS3Client(conf, retry=0)``);
* ``raw`` (e): the raw limit of this design: one ``requests.Session``, ``size=100``,
  ``xmltodict.parse`` of each page, nothing else (each request signed with the collection's
  ``_signer``, as the emulator verifies signatures; about 50 microseconds a page, under 1 % of e);
* ``etree`` (f): the CPU floor: the pages are fetched once (not timed), then parsed with
  ``xml.etree.ElementTree.fromstring`` alone (C accelerated).

Credentials come from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY. The collections root
must be importable (PYTHONPATH). The interpreter start and the imports are not timed: only the
listing is. Prints one JSON object: wall and CPU seconds of the listing, how much the peak
resident set size grew during it (``ru_maxrss`` after minus the RSS before), the number of jobs,
the bytes of XML received (``etree`` only), the CPU seconds the imports of requests, xmltodict
and the collection's module_utils took, and with ``--trace`` the peak of Python allocations (tracemalloc)
during the listing, which is then much slower and not used for times.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET

_IMPORTS_BEGAN = time.process_time()
# pylint: disable=wrong-import-position
import requests  # noqa: E402
import xmltodict  # noqa: E402

from ansible_collections.qcloud.ci.plugins.module_utils import _job_api, _jobs, _signer  # noqa: E402
from ansible_collections.qcloud.ci.plugins.module_utils._client import CIClient  # noqa: E402
# pylint: enable=wrong-import-position
# what the module pays on top of a listing: these imports (the benchmark's e does not count them)
IMPORT_SECONDS = time.process_time() - _IMPORTS_BEGAN  # CPU seconds

MODES = ('client', 'sdk', 'raw', 'etree')
PAGE_SIZE = 100


class Listing(object):
    """What a mode needs: where, what and with which credential."""

    def __init__(self, args):
        self.url = args.url
        self.host = args.url.split('://', 1)[1]
        self.bucket = args.bucket
        self.queue = args.queue
        self.tag = args.tag
        self.secret_id = os.environ['TENCENTCLOUD_SECRET_ID']
        self.secret_key = os.environ['TENCENTCLOUD_SECRET_KEY']
        self.xml_bytes = 0

    def signed_get(self, session, params):
        """One GET /jobs, signed like the collection signs (the emulator checks it)."""
        headers = {'Host': self.host}
        signature = _signer.sign(self.secret_id, self.secret_key, 'GET', '/jobs', params,
                                 _signer.signed_headers(headers), _signer.key_time(time.time()))
        headers['Authorization'] = signature.authorization
        query = '&'.join('%s=%s' % (_signer.encode(k), _signer.encode(v)) for k, v in params.items())
        response = session.get(self.url + '/jobs?' + query, headers=headers)
        response.raise_for_status()
        return response.content

    def client(self):
        """(a) the shared client and job model, as the module runs them."""
        query = _jobs.JobQuery.from_options({'queue_id': self.queue, 'tag': self.tag, 'output': 'all'})
        with CIClient(self.secret_id, self.secret_key, self.bucket, endpoint_url=self.url) as client:
            result = _job_api.run(client, query)
        return len(result['jobs']), result

    def sdk(self):
        """(d) the official SDK's loop."""
        from qcloud_cos import CosConfig, CosS3Client  # imported before the clock starts, see main()
        conf = CosConfig(Region='ap-guangzhou', SecretId=self.secret_id, SecretKey=self.secret_key, Scheme='http',
                         Domain=self.host)
        client = CosS3Client(conf, retry=0)
        token = ''
        count = 0
        while True:
            page = client.ci_list_media_jobs(Bucket=self.bucket, Tag=self.tag, QueueId=self.queue, Size=PAGE_SIZE,
                                             NextToken=token)
            count += len(page.get('JobsDetail') or [])
            token = page.get('NextToken') or ''
            if not token:
                return count, None

    def raw(self):
        """(e) one session, xmltodict.parse of each page, nothing else."""
        session = requests.Session()
        token = ''
        count = 0
        while True:
            params = {'queueId': self.queue, 'tag': self.tag, 'size': str(PAGE_SIZE)}
            if token:
                params['nextToken'] = token
            page = xmltodict.parse(self.signed_get(session, params))['Response']
            jobs = page.get('JobsDetail') or []
            count += len(jobs) if isinstance(jobs, list) else 1
            token = page.get('NextToken') or ''
            if not token:
                session.close()
                return count, None

    def fetch(self):
        """The raw pages, for (f)."""
        session = requests.Session()
        pages = []
        token = ''
        while True:
            params = {'queueId': self.queue, 'tag': self.tag, 'size': str(PAGE_SIZE)}
            if token:
                params['nextToken'] = token
            body = self.signed_get(session, params)
            pages.append(body)
            token = ET.fromstring(body).findtext('NextToken') or ''
            if not token:
                session.close()
                self.xml_bytes = sum(len(body) for body in pages)
                return pages


def etree(pages):
    """(f) ElementTree alone over bytes already in memory."""
    count = 0
    for body in pages:
        count += len(ET.fromstring(body).findall('JobsDetail'))
    return count, None


def rss_now():
    """The resident set size of this process now, in bytes."""
    with open('/proc/self/statm', encoding='ascii') as handle:
        return int(handle.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def measure(function, *args, trace=False):
    """Wall and CPU time, peak RSS growth and (traced) peak of Python allocations of one call."""
    gc.collect()
    if trace:
        tracemalloc.start()
    rss = rss_now()
    wall = time.perf_counter()
    cpu = time.process_time()
    count, result = function(*args)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    del result
    return {'wall': wall, 'cpu': cpu, 'count': count, 'peak_traced': peak, 'rss_growth': max(0, peak_rss - rss)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('mode', choices=MODES)
    parser.add_argument('--url', required=True)
    parser.add_argument('--bucket', required=True)
    parser.add_argument('--queue', required=True)
    parser.add_argument('--tag', required=True)
    parser.add_argument('--expect', type=int, required=True, help='number of jobs the listing must return')
    parser.add_argument('--trace', action='store_true', help='measure the peak of Python allocations (tracemalloc)')
    args = parser.parse_args(argv)
    listing = Listing(args)
    if args.mode == 'sdk':
        import qcloud_cos  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
    if args.mode == 'etree':
        pages = listing.fetch()
        out = measure(etree, pages, trace=args.trace)
    else:
        out = measure(getattr(listing, args.mode), trace=args.trace)
    out['xml_bytes'] = listing.xml_bytes
    out['import_seconds'] = IMPORT_SECONDS
    if out['count'] != args.expect:
        sys.stderr.write('%s listed %d jobs, expected %d\n' % (args.mode, out['count'], args.expect))
        return 1
    sys.stdout.write(json.dumps(out) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
