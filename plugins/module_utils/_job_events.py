# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Job events for Event-Driven Ansible: which jobs to announce, and CI's callback documents. Pure: sends nothing.

Internal to this collection: the names may change in any release.

* ``JobTracker`` remembers, per selection, the state of every job seen and the states already
  announced; it decides which job states are new (announced at most once per selection, job and
  state), which jobs must be asked for again by id (not in a final state), from when a listing
  must read (``listing_start``: the last good listing minus an overlap) and what may be forgotten.
  ``to_dict``/``from_dict`` are the state file of the ``qcloud.ci.ci_jobs`` event source;
* ``callback_jobs`` turns the body of a CI job callback (the XML document or the JSON one, text,
  bytes or already parsed) into the same normalized jobs ``GET /jobs`` gives (``_xml``).
"""

from __future__ import annotations

import json

from ansible_collections.qcloud.ci.plugins.module_utils import _xml
from ansible_collections.qcloud.ci.plugins.module_utils._jobs import STATES, job_id_of, page_jobs

# States a job never leaves: once seen in one of them a job is not asked for again.
FINAL_STATES = frozenset(('Success', 'Failed', 'Cancel'))
DEFAULT_ANNOUNCE = ('Success', 'Failed', 'Cancel')
STATE_FILE_VERSION = 1
_DASH_MEANS_NONE = frozenset(_xml.snake_case(name) for name in _xml.DASH_MEANS_NONE)


class CallbackError(ValueError):
    """The payload is not a CI job callback document."""


class JobTracker(object):
    """What the event source knows about the jobs of its selections (see the module docstring).

    ``overlap`` (seconds) is read again at each listing so that a job created just before the
    last listing (or stamped by a service clock that runs ahead) is not missed; jobs the tracker
    has already announced are not announced again.
    """

    def __init__(self, announce=DEFAULT_ANNOUNCE, overlap=300.0):
        self.announce = frozenset(announce)
        self.overlap = overlap
        self.selections = {}

    def _selection(self, label):
        return self.selections.setdefault(label, {'since': None, 'jobs': {}})

    # --- reading ---------------------------------------------------------------------------
    def listing_start(self, label, now, look_back):
        """The earliest creation time (epoch seconds) the next listing of ``label`` must read.

        The first listing (no state, or a state older than ``look_back``) reads ``look_back``
        seconds back; later ones from the start of the last good listing minus ``overlap``.
        """
        since = self._selection(label)['since']
        floor = now - look_back
        if since is None or since - self.overlap < floor:
            return floor
        return since - self.overlap

    def pending_ids(self, label):
        """The ids of ``label``'s jobs last seen in a state that is not final, oldest first."""
        jobs = self._selection(label)['jobs']
        return [job_id for job_id, entry in jobs.items() if entry['state'] not in FINAL_STATES]

    # --- updating --------------------------------------------------------------------------
    def observe(self, label, jobs, now):
        """Record ``jobs`` seen in ``label`` at ``now``; return ``[(job, state)]`` to announce.

        A job is to be announced when its state is one of ``announce`` and has not been announced
        for this selection and job before. ``mark_announced`` records the announcement.
        """
        known = self._selection(label)['jobs']
        news = []
        for job in jobs:
            job_id = job_id_of(job)
            state = job.get('state')
            if job_id is None or not isinstance(state, str):
                continue
            entry = known.setdefault(job_id, {'state': state, 'announced': [], 'seen': now})
            entry['state'] = state
            entry['seen'] = now
            if state in self.announce and state not in entry['announced']:
                news.append((job, state))
        return news

    def mark_announced(self, label, job_id, state):
        entry = self._selection(label)['jobs'].get(job_id)
        if entry is not None and state not in entry['announced']:
            entry['announced'].append(state)

    def listed(self, label, started):
        """A listing of ``label`` that started at ``started`` read every page: later ones may start there."""
        self._selection(label)['since'] = started

    def forget(self, label, ids):
        """Stop asking for ``ids`` (the service does not know them)."""
        jobs = self._selection(label)['jobs']
        for job_id in ids:
            jobs.pop(job_id, None)

    def prune(self, label):
        """Forget the jobs in a final state that no listing can return again (created before its window)."""
        selection = self._selection(label)
        if selection['since'] is None:
            return 0
        limit = selection['since'] - 2 * self.overlap
        old = [job_id for job_id, entry in selection['jobs'].items()
               if entry['state'] in FINAL_STATES and entry['seen'] < limit]
        for job_id in old:
            del selection['jobs'][job_id]
        return len(old)

    # --- the state file --------------------------------------------------------------------
    def to_dict(self):
        return {'version': STATE_FILE_VERSION, 'selections': self.selections}

    def load(self, data, labels):
        """Take the state of ``labels`` from ``data`` (what ``to_dict`` gave); raise ValueError if unusable."""
        if not isinstance(data, dict) or data.get('version') != STATE_FILE_VERSION:
            raise ValueError('it is not a state file of version %d' % STATE_FILE_VERSION)
        selections = data.get('selections')
        if not isinstance(selections, dict):
            raise ValueError('it has no selections')
        for label in labels:
            saved = selections.get(label)
            if not isinstance(saved, dict):
                continue
            since = saved.get('since')
            jobs = {}
            for job_id, entry in (saved.get('jobs') or {}).items():
                if (isinstance(entry, dict) and entry.get('state') in STATES and isinstance(entry.get('seen'), (int, float))
                        and isinstance(entry.get('announced'), list)):
                    jobs[job_id] = {'state': entry['state'], 'seen': entry['seen'],
                                    'announced': [s for s in entry['announced'] if s in STATES]}
            self.selections[label] = {'since': since if isinstance(since, (int, float)) else None, 'jobs': jobs}


# --- callbacks -------------------------------------------------------------------------------
def _normalize(name, value):
    """A JSON value shaped like ``_xml`` shapes XML: snake_case keys, repeated elements as lists, ``-`` as None."""
    if isinstance(value, dict):
        return dict((_xml.snake_case(key), _normalize(_xml.snake_case(key), item)) for key, item in value.items())
    if isinstance(value, list):
        return [_normalize(name, item) for item in value]
    if value == '-' and name in _DASH_MEANS_NONE:
        return None
    return value


def _lists(value, name=None):
    """The fixed types ``_xml`` gives XML (``_xml.is_repeated``, ``_xml.settle``), for a JSON value named ``name``:
    a repeated field is a list even when the JSON gives one object, a field that should appear once is never one."""
    if isinstance(value, dict):
        content = {}
        for key, item in value.items():
            item = _lists(item, key)
            content[key] = [item] if _xml.is_repeated(key, name) and not isinstance(item, list) else item
        return _xml.settle(name, content)
    if isinstance(value, list):
        return [_lists(item, name) for item in value]
    return value


def callback_jobs(payload):
    """The normalized jobs of a CI job callback, and its event name.

    ``payload`` is the body as received: XML or JSON text (str or bytes), or the JSON already
    parsed into a dict (with or without the ``Response`` wrapper). Returns ``(event_name, jobs)``;
    raises ``CallbackError`` with a short reason when it is not a callback document.
    """
    if isinstance(payload, bytes):
        payload = payload.decode('utf-8', 'replace')
    if isinstance(payload, str):
        text = payload.strip()
        if text.startswith('<'):
            try:
                content = _xml.parse(text.encode('utf-8'), 'Response')
            except _xml.XMLBodyError as exc:
                raise CallbackError(str(exc).replace('response', 'callback'))
            return _event_and_jobs(content)
        try:
            payload = json.loads(text)
        except ValueError as exc:
            raise CallbackError('the callback is neither XML nor JSON (%s)' % exc)
    if not isinstance(payload, dict):
        raise CallbackError('the callback must be an XML or JSON document with a Response element; got %s'
                            % type(payload).__name__)
    if set(payload) == {'Response'}:
        payload = payload['Response']
    if not isinstance(payload, dict):
        raise CallbackError('the Response element of the callback has no child elements')
    return _event_and_jobs(_lists(_normalize(None, payload), 'response'))


def _event_and_jobs(content):
    jobs = page_jobs(content)
    if not jobs:
        raise CallbackError('the callback carries no JobsDetail element')
    event = content.get('event_name')
    return (event if isinstance(event, str) else None), jobs
