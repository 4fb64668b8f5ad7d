# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The queues of the CI emulator: the five queue lists, pause/resume, and the per-queue hold of the
transition clock (a paused queue's jobs do not move; they resume where they were).

Sources: Go SDK ``ci_media.go`` (``DescribeMediaProcessQueuesOptions``: ``queueIds``, ``state``,
``pageNumber``, ``pageSize``, ``category``; ``DescribeMediaProcessQueuesResult``: ``RequestId``,
``TotalCount``, ``PageNumber``, ``PageSize``, ``QueueList[]``, ``NonExistPIDs[]``;
``UpdateMediaProcessQueueOptions``: ``<Request><Name/><QueueID/><State/><NotifyConfig/></Request>`` sent
with ``PUT /queue/<id>``, answered ``<Response><RequestId/><Queue/></Response>``), ``ci_doc.go``
(``/docqueue``), and Tencent's "search AI queues" page (tencentyun/intlcloud-documents: defaults
pageNumber 1 and pageSize 10, the record's elements and order, and that an answer to ``queueIds``
carries no ``TotalCount``/``PageNumber``/``PageSize``).
"""

import json
import xml.etree.ElementTree as ET

from emu_common import ApiError, EmulatorError, format_ci_time, parse_ci_time
from emu_lists import QUEUE_PATHS, queue_type_of

QUEUE_STATES = ('Active', 'Paused')
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100  # inferred: the job lists' maximum; the queue pages document only the default
# Category of each queue type: AIProcess is documented; the others are the queueType names of
# LIST-2025 (ci-api.md section 1.1), inferred to be the categories
CATEGORIES = {'media': 'Transcoding', 'ai': 'AIProcess', 'speech': 'Speeching', 'document': 'DocProcess',
              'picture': 'PicProcess'}
QUEUE_KEY_ORDER = ('QueueId', 'Name', 'State', 'NotifyConfig', 'MaxSize', 'MaxConcurrent', 'UpdateTime', 'CreateTime',
                   'Category')
QUIET_NOTIFY = {'Url': '', 'Event': '', 'Type': '', 'State': 'Off', 'ResultFormat': ''}


class Queue(object):
    """One queue: its types (lists it appears in), its served record and its loaded state."""

    __slots__ = ('queue_id', 'types', 'data', 'initial', 'key')

    def __init__(self, queue_id, types, data):
        self.queue_id = queue_id
        self.types = types
        self.data = data
        self.initial = dict(data)
        self.key = (parse_ci_time(data['CreateTime'])[0], queue_id)


def _check_seed(obj, where):
    if not isinstance(obj, dict):
        raise EmulatorError('%s: a queue must be a JSON object' % where)
    if not isinstance(obj.get('QueueId'), str) or not obj['QueueId'] or ',' in obj['QueueId'] or '/' in obj['QueueId']:
        raise EmulatorError('%s: QueueId must be a non-empty string without "," or "/"' % where)
    if obj.get('QueueType', 'media') not in QUEUE_PATHS:
        raise EmulatorError('%s: QueueType must be one of %s' % (where, ', '.join(QUEUE_PATHS)))
    if obj.get('State', 'Active') not in QUEUE_STATES:
        raise EmulatorError('%s: State must be Active or Paused' % where)
    for key in ('CreateTime', 'UpdateTime'):
        if key in obj:
            try:
                parse_ci_time(obj[key])
            except ValueError as exc:
                raise EmulatorError('%s: %s: %s' % (where, key, exc)) from None
    return obj


def parse_queue_lines(lines, source):
    """Parse queue seeds (JSON Lines) into a list of dicts; see ``QueueBook``."""
    seeds = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            where = '%s:%d' % (source, number)
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise EmulatorError('%s: not valid JSON: %s' % (where, exc)) from None
            seeds.append(_check_seed(obj, where))
    return seeds


def load_queue_files(paths):
    """Read every queue seed file given."""
    seeds = []
    for path in paths:
        try:
            with open(path, encoding='utf-8') as handle:
                seeds.extend(parse_queue_lines(handle, path))
        except OSError as exc:
            raise EmulatorError('cannot read %s: %s' % (path, exc.strerror)) from None
    return seeds


def _derive(jobs):
    """queue id -> (set of queue types, earliest CreationTime text) from the jobs."""
    found = {}
    for job in jobs:
        kind = queue_type_of(job.home, job.tag)
        types, first = found.get(job.queue_id, (set(), None))
        types.add(kind)
        if first is None or job.ctime < first[0]:
            first = (job.ctime, format_ci_time(job.ctime, job.offset))
        found[job.queue_id] = (types, first)
    return found


def _record(queue_id, kind, created, seed):
    data = {'QueueId': queue_id, 'Name': 'queue-%s-%s' % (kind, queue_id[-6:]), 'State': 'Active',
            'NotifyConfig': dict(QUIET_NOTIFY), 'MaxSize': 10000, 'MaxConcurrent': 10, 'UpdateTime': created,
            'CreateTime': created, 'Category': CATEGORIES[kind]}
    data.update((k, v) for k, v in seed.items() if k != 'QueueType' and not k.startswith('_'))
    ordered = {k: data.pop(k) for k in QUEUE_KEY_ORDER if k in data}
    ordered.update(data)
    return ordered


class QueueBook(object):
    """Every queue (seeded from the jobs' QueueId and the seeds), its state and its held clock.

    A queue appears in the list of each type its jobs imply (``job_kinds.queue_type_for`` of each
    job's tag and list); a seed's ``QueueType`` (default ``media``) adds one, and its other keys replace
    the record's. Not thread-safe by itself: the job store calls it with its lock held.
    """

    def __init__(self, jobs, seeds=()):
        derived = _derive(jobs)
        seeded = {}
        for seed in seeds:
            seeded.setdefault(seed['QueueId'], []).append(seed)
        self.queues = {}
        for queue_id in sorted(set(derived) | set(seeded)):
            types, first = derived.get(queue_id, (set(), None))
            types = set(types) | set(s.get('QueueType', 'media') for s in seeded.get(queue_id, ()))
            created = first[1] if first else '2024-01-01T00:00:00+0800'
            seed = {}
            for item in seeded.get(queue_id, ()):
                seed.update(item)
            self.queues[queue_id] = Queue(queue_id, frozenset(types), _record(queue_id, sorted(types)[0], created, seed))
        self.held = {}
        self.paused_since = {}
        self.restart()

    def restart(self):
        """Every queue back to its loaded record; clock holds start again at elapsed 0."""
        self.held = {}
        self.paused_since = {}
        for queue in self.queues.values():
            queue.data = dict(queue.initial)
            if queue.data['State'] == 'Paused':
                self.paused_since[queue.queue_id] = 0.0

    def local_elapsed(self, queue_id, elapsed):
        """Seconds on the transition clock of this queue's jobs, or None while it is paused."""
        if queue_id in self.paused_since:
            return None
        return elapsed - self.held.get(queue_id, 0.0)

    def get(self, queue_type, queue_id):
        """The queue of this type, or None."""
        queue = self.queues.get(queue_id)
        return queue if queue is not None and queue_type in queue.types else None

    def set_state(self, queue, state, elapsed, stamp):
        """Pause or resume ``queue`` at transition-clock second ``elapsed``; ``stamp``: the UpdateTime."""
        queue_id = queue.queue_id
        if state == 'Paused' and queue_id not in self.paused_since:
            self.paused_since[queue_id] = elapsed
        elif state == 'Active' and queue_id in self.paused_since:
            self.held[queue_id] = self.held.get(queue_id, 0.0) + elapsed - self.paused_since.pop(queue_id)
        queue.data['State'] = state
        queue.data['UpdateTime'] = stamp

    def page(self, query):
        """(records on the page, total matching, missing ids) for a ``QueueQuery``."""
        missing = []
        if query.queue_ids is not None:
            chosen = []
            for queue_id in query.queue_ids:
                queue = self.get(query.queue_type, queue_id)
                if queue is None:
                    missing.append(queue_id)
                elif queue not in chosen:
                    chosen.append(queue)
        else:
            chosen = sorted((q for q in self.queues.values() if query.queue_type in q.types), key=lambda q: q.key)
        if query.state is not None:
            chosen = [q for q in chosen if q.data['State'] == query.state]
        first = (query.page_number - 1) * query.page_size
        return [q.data for q in chosen[first:first + query.page_size]], len(chosen), missing


def _int_param(params, name, default, top):
    text = params.get(name, '') or str(default)
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise ApiError('InvalidArgument', '%s must be an integer from 1 to %d' % (name, top))
    return int(text)


class QueueQuery(object):
    """The validated parameters of a queue list (``GET /queue`` and the four others)."""

    __slots__ = ('queue_type', 'queue_ids', 'state', 'page_number', 'page_size')

    def __init__(self, queue_type, params):
        self.queue_type = queue_type
        # queueIds (Go SDK, the doc's samples); queueId is how the doc's parameter table spells it
        ids = params.get('queueIds') or params.get('queueId') or ''
        self.queue_ids = [i for i in ids.split(',') if i] or None
        self.state = params.get('state') or None
        if self.state is not None and self.state not in QUEUE_STATES:
            raise ApiError('InvalidArgument', 'state must be Active or Paused')
        self.page_number = _int_param(params, 'pageNumber', 1, 10 ** 9)
        self.page_size = _int_param(params, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


class QueueUpdate(object):
    """The body of ``PUT /<queuepath>/<queueId>``: ``<Request><Name/><QueueID/><State/><NotifyConfig/></Request>``."""

    __slots__ = ('name', 'state', 'notify')

    def __init__(self, queue_id, body):
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            raise ApiError('MalformedXML', 'The XML you provided was not well-formed') from None
        if root.tag != 'Request':
            raise ApiError('MalformedXML', 'The request body must be a <Request> document')
        given = root.findtext('QueueID')
        if given and given != queue_id:
            raise ApiError('InvalidArgument', 'QueueID in the body does not match the queue id in the path')
        self.name = (root.findtext('Name') or '').strip() or None
        self.state = (root.findtext('State') or '').strip() or None
        if self.state is not None and self.state not in QUEUE_STATES:
            raise ApiError('InvalidArgument', 'State must be Active or Paused')
        notify = root.find('NotifyConfig')
        self.notify = None
        if notify is not None and len(notify):
            self.notify = {child.tag: (child.text or '').strip() for child in notify}
