# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The job store of the CI emulator: jobs and their transitions (on a transition clock that each
queue can hold), the sorted shelves that serve the job list pages, paging tokens and the list parameters."""

import base64
import gc
import hashlib
import heapq
import hmac
import json
import re
import threading
import time
from bisect import bisect_left, bisect_right

from emu_common import (ApiError, DEFAULT_SIZE, EmulatorError, IMMUTABLE_KEYS, JOB_STATES, MAX_SIZE, REQUIRED_KEYS,
                        TERMINAL_STATES, format_ci_time, parse_ci_time)
from emu_lists import LIST_TAGS, home_list, serves, shelf_list
from emu_queues import QueueBook
from emu_xml import render_job, with_habits


class Job(object):
    """One job: its served data, prebuilt XML and the derived keys used for filtering."""

    __slots__ = ('job_id', 'tag', 'queue_id', 'home', 'ctime', 'offset', 'key', 'state', 'workflow_ids',
                 'trigger_id', 'input_object', 'data', 'xml', 'transitions', 'initial', 'habits')

    def __init__(self, obj, where, habits=False):
        if not isinstance(obj, dict):
            raise EmulatorError('%s: a job must be a JSON object' % where)
        for key in REQUIRED_KEYS:
            if not isinstance(obj.get(key), str) or not obj.get(key):
                raise EmulatorError('%s: %s must be a non-empty string' % (where, key))
        self.job_id = obj['JobId']
        if ',' in self.job_id or '/' in self.job_id:
            raise EmulatorError('%s: JobId may not contain "," or "/"' % where)
        self.tag = obj['Tag']
        self.queue_id = obj['QueueId']
        try:
            self.home = home_list(obj)
        except EmulatorError as exc:
            raise EmulatorError('%s: %s' % (where, exc)) from None
        self.habits = habits
        try:
            self.ctime, self.offset = parse_ci_time(obj['CreationTime'])
        except ValueError as exc:
            raise EmulatorError('%s: CreationTime: %s' % (where, exc)) from None
        self.key = (self.ctime, self.job_id)
        self.transitions = _check_transitions(obj.get('_Transitions'), where)
        data = {k: v for k, v in obj.items() if not k.startswith('_')}
        try:
            self._set(data)
        except EmulatorError as exc:
            raise EmulatorError('%s: %s' % (where, exc)) from None
        self.initial = (self.data, self.xml)

    def _set(self, data, xml=None):
        if data.get('State') not in JOB_STATES:
            raise EmulatorError('State must be one of %s' % ', '.join(JOB_STATES))
        if xml is None:
            xml = render_job(with_habits(data) if self.habits else data)
        self.xml = xml
        self.data = data
        self.state = data['State']
        workflow = data.get('Workflow')
        workflows = workflow if isinstance(workflow, list) else [workflow]
        self.workflow_ids = tuple(w.get('WorkflowId') for w in workflows if isinstance(w, dict))
        self.trigger_id = data.get('InventoryTriggerJobId')
        source = data.get('Input')
        self.input_object = source.get('Object') if isinstance(source, dict) else None

    def restore(self):
        """Put the job back in its loaded state."""
        self._set(*self.initial)

    def apply(self, step, now):
        """Apply one transition step that fell due at server time ``now``; re-render the XML."""
        data = dict(self.data)
        for key, value in step.items():
            if key != 'after' and not key.startswith('_'):
                data[key] = value
        state = data.get('State')
        given = step.keys()
        stamp = format_ci_time(now, self.offset)
        if state != 'Submitted' and state in JOB_STATES and 'StartTime' not in given and data.get('StartTime', '-') in ('-', ''):
            data['StartTime'] = stamp
        if state in TERMINAL_STATES and 'EndTime' not in given and data.get('EndTime', '-') in ('-', ''):
            data['EndTime'] = stamp
        self._set(data)


def _check_transitions(steps, where):
    if steps is None:
        return ()
    if not isinstance(steps, list):
        raise EmulatorError('%s: _Transitions must be a list' % where)
    result = []
    for number, step in enumerate(steps, 1):
        place = '%s: _Transitions[%d]' % (where, number)
        if not isinstance(step, dict):
            raise EmulatorError('%s must be an object' % place)
        after = step.get('after')
        if isinstance(after, bool) or not isinstance(after, (int, float)) or after < 0:
            raise EmulatorError('%s: "after" must be a number of seconds >= 0' % place)
        if 'State' in step and step['State'] not in JOB_STATES:
            raise EmulatorError('%s: State must be one of %s' % (place, ', '.join(JOB_STATES)))
        for key in IMMUTABLE_KEYS:
            if key in step:
                raise EmulatorError('%s: a transition may not change %s' % (place, key))
        try:
            render_job({k: v for k, v in step.items() if k != 'after'})
        except EmulatorError as exc:
            raise EmulatorError('%s: %s' % (place, exc)) from None
        result.append(step)
    result.sort(key=lambda s: s['after'])
    return tuple(result)


def parse_jobs_lines(lines, source, habits=False):
    """Parse JSON Lines (an iterable of str) into a list of Job objects (``habits``: see ``with_habits``)."""
    jobs = []
    decode = json.JSONDecoder().decode
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        where = '%s:%d' % (source, number)
        try:
            obj = decode(line)
        except ValueError as exc:
            raise EmulatorError('%s: not valid JSON: %s' % (where, exc)) from None
        jobs.append(Job(obj, where, habits))
    return jobs


def load_job_files(paths, habits=False):
    """Read every JSONL file given; returns a list of Job objects."""
    jobs = []
    for path in paths:
        try:
            with open(path, encoding='utf-8') as handle:
                jobs.extend(parse_jobs_lines(handle, path, habits))
        except OSError as exc:
            raise EmulatorError('cannot read %s: %s' % (path, exc.strerror)) from None
    return jobs


def without_gc(function, *args):
    """Call ``function`` with the cyclic GC paused, then freeze what survived.

    Loading builds millions of small containers; without this the collector rescans them
    again and again (about a third of the load time), and later while serving.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return function(*args)
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


class _Shelf(object):
    """The jobs of one (queue, tag), sorted by (CreationTime, JobId)."""

    __slots__ = ('jobs', 'keys', 'ctimes')

    def __init__(self, jobs):
        jobs.sort(key=lambda j: j.key)
        self.jobs = jobs
        self.keys = [j.key for j in jobs]
        self.ctimes = [j.ctime for j in jobs]


class TransitionClock(object):
    """Seconds since the job set was loaded (or reset): real time, or with ``manual`` only what
    ``advance`` adds (``--manual-clock``: tests move time themselves and assert on no wall clock).

    ``per_request``: seconds that every signed job read (a list or a get) moves the clock before it
    is answered, so that a client's polls, not the machine's speed, decide when jobs finish.
    """

    def __init__(self, manual=False):
        self.manual = self.manual_at_start = manual
        self.per_request = 0.0
        self.started = time.monotonic()
        self.offset = 0.0

    def restart(self):
        """Back to 0 (the mode and ``per_request`` stay)."""
        self.started = time.monotonic()
        self.offset = 0.0

    def elapsed(self):
        """Seconds on the clock."""
        return self.offset if self.manual else time.monotonic() - self.started + self.offset

    def advance(self, seconds):
        """Move the clock ``seconds`` ahead (either mode)."""
        self.offset += seconds_value('advance', seconds)

    def configure(self, manual=None, per_request=None):
        """Switch real time / manual (the reading carries on from where it is) and set ``per_request``."""
        if manual is not None and not isinstance(manual, bool):
            raise EmulatorError('manual must be true or false')
        if per_request is not None:
            self.per_request = float(seconds_value('per_request', per_request))
        if manual is not None and manual != self.manual:
            reading = self.elapsed()
            self.manual, self.started, self.offset = manual, time.monotonic(), reading

    def restore_mode(self, manual=None, per_request=None):
        """Back to the mode the emulator started in without ``per_request``, or to the mode given
        (the reading is kept; a bad value changes nothing)."""
        self.configure(self.manual_at_start if manual is None else manual, 0 if per_request is None else per_request)

    def tick(self):
        """One job read: move the clock ``per_request`` seconds ahead; True when it moved."""
        if self.per_request:
            self.offset += self.per_request
            return True
        return False


def seconds_value(name, value):
    """``value`` when it is a number of seconds the clock accepts, else an EmulatorError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10 ** 7:
        raise EmulatorError('%s must be a number of seconds from 0 to 10000000' % name)
    return value


class JobStore(object):
    """The job set: lookups by id, sorted shelves per (queue, tag), the queues, and the pending
    transitions (one heap per queue: a paused queue's heap waits, its clock held)."""

    def __init__(self, jobs, clock, tclock=None, queue_seeds=()):
        self.lock = threading.Lock()
        self.clock = clock
        self.tclock = tclock or TransitionClock()
        self.by_id = {}
        for job in jobs:
            if job.job_id in self.by_id:
                raise EmulatorError('duplicate JobId %s' % job.job_id)
            self.by_id[job.job_id] = job
        grouped = {}
        for job in jobs:
            grouped.setdefault((job.home, job.queue_id, job.tag), []).append(job)
        self.shelves = {k: _Shelf(v) for k, v in grouped.items()}
        self.count = len(jobs)
        self.queues = QueueBook(jobs, queue_seeds)
        self.pending = {}
        self.restart()

    def restart(self):
        """Put every job and queue back in its loaded state and restart the transition clock."""
        with self.lock:
            pending = {}
            for seq, job in enumerate(self.by_id.values()):
                if job.data is not job.initial[0]:
                    job.restore()
                if job.transitions:
                    pending.setdefault(job.queue_id, []).append((job.transitions[0]['after'], seq, 0, job))
            for heap in pending.values():
                heapq.heapify(heap)
            self.pending = pending
            self.queues.restart()
            self.tclock.restart()

    def elapsed(self):
        """Seconds on the transition clock."""
        return self.tclock.elapsed()

    def advance_clock(self, seconds):
        """Move the transition clock ahead and fire what fell due; returns the new reading."""
        with self.lock:
            self.tclock.advance(seconds)
            self._advance()
            return self.tclock.elapsed()

    def configure_clock(self, manual=None, per_request=None):
        """Set the transition clock's mode (see ``TransitionClock.configure``); returns its reading."""
        with self.lock:
            self.tclock.configure(manual, per_request)
            self._advance()
            return self.tclock.elapsed()

    def restore_clock_mode(self, manual=None, per_request=None):
        """Put the transition clock back in its start mode, or in the one given (see ``TransitionClock.restore_mode``)."""
        with self.lock:
            self.tclock.restore_mode(manual, per_request)

    def tick(self):
        """A signed job read is about to be answered: move the clock ``per_request`` ahead, fire what fell due."""
        with self.lock:
            if self.tclock.tick():
                self._advance()

    def _advance(self):
        """Fire the transitions that are due in every queue not paused (call with the lock held)."""
        if not self.pending:
            return
        elapsed = self.tclock.elapsed()
        now = self.clock()
        for queue_id in list(self.pending):
            local = self.queues.local_elapsed(queue_id, elapsed)
            if local is None:
                continue
            heap = self.pending[queue_id]
            while heap and heap[0][0] <= local:
                due, seq, index, job = heapq.heappop(heap)
                job.apply(job.transitions[index], now - (local - due))
                if index + 1 < len(job.transitions):
                    heapq.heappush(heap, (job.transitions[index + 1]['after'], seq, index + 1, job))
            if not heap:
                del self.pending[queue_id]

    def queue_page(self, query):
        """(queue records, total, missing ids) of one queue list page."""
        with self.lock:
            return self.queues.page(query)

    def update_queue(self, queue_type, queue_id, update):
        """Apply a ``QueueUpdate``; returns the queue's record. Transitions due before it fire first."""
        with self.lock:
            queue = self.queues.get(queue_type, queue_id)
            if queue is None:
                raise ApiError('InvalidArgument', 'queue %s does not exist' % queue_id)  # inferred code
            self._advance()
            stamp = format_ci_time(self.clock(), 8 * 3600)
            if update.state is not None:
                self.queues.set_state(queue, update.state, self.tclock.elapsed(), stamp)
            if update.name is not None:
                queue.data['Name'] = update.name
            if update.notify is not None:
                queue.data['NotifyConfig'] = update.notify
            queue.data['UpdateTime'] = stamp
            return dict(queue.data)

    def list_page(self, query):
        """Return (list of job XML bytes, sort key of the next job or None)."""
        with self.lock:
            self._advance()
            shelf = self.shelves.get((query.shelf, query.queue_id, query.tag))
            if shelf is None:
                return [], None
            low, high = 0, len(shelf.jobs)
            if query.start is not None:
                low = bisect_left(shelf.ctimes, query.start)
            if query.end is not None:
                high = bisect_right(shelf.ctimes, query.end)
            if query.after_key is not None:
                if query.ascending:
                    low = max(low, bisect_left(shelf.keys, query.after_key))
                else:
                    high = min(high, bisect_right(shelf.keys, query.after_key))
            indexes = range(low, high) if query.ascending else range(high - 1, low - 1, -1)
            found = []
            jobs = shelf.jobs
            states, workflow, trigger, obj = query.states, query.workflow_id, query.trigger_id, query.input_object
            limit = query.size
            for i in indexes:
                job = jobs[i]
                if states is not None and job.state not in states:
                    continue
                if workflow is not None and workflow not in job.workflow_ids:
                    continue
                if trigger is not None and job.trigger_id != trigger:
                    continue
                if obj is not None and job.input_object != obj:
                    continue
                if len(found) == limit:
                    return [j.xml for j in found], job.key
                found.append(job)
            return [j.xml for j in found], None

    def get_many(self, ids, list_name='jobs'):
        """Return (list of job XML bytes, list of unknown ids) in request order; a job whose tag
        ``GET /<list_name>/<ids>`` does not serve counts as unknown."""
        with self.lock:
            self._advance()
            found, missing = [], []
            for job_id in ids:
                job = self.by_id.get(job_id)
                if job is None or not serves(list_name, job.home, job.tag):
                    missing.append(job_id)
                else:
                    found.append(job.xml)
            return found, missing


# ---------------------------------------------------------------------------
# list query and tokens


_TOKEN_KEY = b'qcloud-ci-emulator/next-token/v1'
_TOKEN_RE = re.compile(r'^[A-Za-z0-9_-]{16,400}$')


def encode_token(ascending, key):
    """An opaque, stable token for the position ``key`` = (CreationTime epoch, JobId)."""
    raw = json.dumps(['A' if ascending else 'D', key[0], key[1]], separators=(',', ':')).encode('utf-8')
    mac = hmac.new(_TOKEN_KEY, raw, hashlib.sha256).digest()[:9]
    return base64.urlsafe_b64encode(raw + mac).decode('ascii').rstrip('=')


def decode_token(token, ascending):
    """Return the sort key inside a token; raise ApiError for garbled or foreign tokens."""
    bad = ApiError('InvalidArgument', 'nextToken is invalid')
    if not _TOKEN_RE.match(token):
        raise bad
    try:
        blob = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4))
    except ValueError:
        raise bad from None
    raw, mac = blob[:-9], blob[-9:]
    if not hmac.compare_digest(mac, hmac.new(_TOKEN_KEY, raw, hashlib.sha256).digest()[:9]):
        raise bad
    try:
        direction, ctime, job_id = json.loads(raw.decode('utf-8'))
    except ValueError:
        raise bad from None
    if direction != ('A' if ascending else 'D'):
        raise ApiError('InvalidArgument', 'nextToken belongs to the other orderByTime')
    return (ctime, job_id)


class ListQuery(object):
    """The validated parameters of a job list (``GET /jobs``, ``/pic_jobs``, ``/doc_jobs``, ``/asr_jobs``, ``/ai_jobs``)."""

    __slots__ = ('shelf', 'queue_id', 'tag', 'states', 'workflow_id', 'trigger_id', 'input_object', 'ascending',
                 'start', 'end', 'size', 'token', 'after_key')

    def __init__(self, params, list_name='jobs'):
        def value(name):
            return params.get(name, '')

        self.queue_id = value('queueId')
        if not self.queue_id:
            raise ApiError('InvalidArgument', 'queueId is required')
        self.tag = value('tag')
        if not self.tag:
            raise ApiError('InvalidArgument', 'tag is required')
        allowed = LIST_TAGS[list_name]
        self.shelf = shelf_list(list_name)
        if self.tag not in allowed:
            # the real answer to a tag a list does not serve is not documented: InvalidArgument 400 is inferred
            raise ApiError('InvalidArgument', 'tag %s is not served by /%s; tag must be one of %s'
                           % (self.tag, list_name, ', '.join(sorted(allowed))))
        self.states = None
        if value('states'):
            names = value('states').split(',')
            for name in names:
                if name != 'All' and name not in JOB_STATES:
                    raise ApiError('InvalidArgument', 'states must be a comma list of All, %s' % ', '.join(JOB_STATES))
            if 'All' not in names:
                self.states = frozenset(names)
        order = value('orderByTime') or 'Desc'
        if order not in ('Desc', 'Asc'):
            raise ApiError('InvalidArgument', 'orderByTime must be Desc or Asc')
        self.ascending = order == 'Asc'
        size = value('size') or str(DEFAULT_SIZE)
        if not size.isdigit() or not 1 <= int(size) <= MAX_SIZE:
            raise ApiError('InvalidArgument', 'size must be an integer from 1 to %d' % MAX_SIZE)
        self.size = int(size)
        self.start = self._time(value('startCreationTime'), 'startCreationTime')
        self.end = self._time(value('endCreationTime'), 'endCreationTime')
        self.workflow_id = value('workflowId') or None
        self.trigger_id = value('inventoryTriggerJobId') or None
        self.input_object = value('inputObject') or None
        self.token = value('nextToken')
        self.after_key = decode_token(self.token, self.ascending) if self.token else None

    @staticmethod
    def _time(text, name):
        if not text:
            return None
        try:
            return parse_ci_time(text)[0]
        except ValueError:
            raise ApiError('InvalidArgument', '%s must look like 2001-01-01T00:00:00+0800' % name) from None
