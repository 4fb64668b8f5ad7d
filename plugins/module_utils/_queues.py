# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The CI queues: which queue lists exist, how to read every page of one, and queue states.

Internal to this collection: the names may change in any release.

Five families of queues are listed with one signed ``GET`` each (Go SDK ``ci_media.go``
``DescribeMediaProcessQueues``, ``DescribeAIProcessQueues``, ``DescribeASRProcessQueues``,
``DescribePicProcessQueues``; ``ci_doc.go`` ``DescribeDocProcessQueues``), with the parameters
``queueIds`` (comma separated), ``state`` (``Active`` or ``Paused``), ``pageNumber`` (from 1) and
``pageSize``, and one envelope: ``<Response><RequestId/><TotalCount/><PageNumber/><PageSize/>
<QueueList>...</QueueList>...<NonExistPIDs>...</NonExistPIDs></Response>``.

What the published documents show, and how it is read here:

* a listing page carries ``TotalCount``; an answer to ``queueIds`` may carry none. Pages are
  asked for until as many distinct queues came as ``TotalCount`` says, an empty page came, or
  there is no ``TotalCount``. A page that brings no queue not seen before (a service that ignores
  ``pageNumber``) is asked past at most ``MAX_STALLED_PAGES`` times in a row, then the listing fails;
* a short page is NOT the end: the largest ``pageSize`` the service honours is not published;
* ``NonExistPIDs`` (``non_exist_pi_ds`` after ``_xml.snake_case``) comes as repeated text elements (``<NonExistPIDs>A</NonExistPIDs>``) or as one
  container of ``<QueueID>`` elements; both give a list of ids;
* ``QueueList`` is one element per queue, so one queue is a dict and several a list: always a list
  here; ``MaxSize``/``MaxConcurrent`` are integers (None when absent or not a number);
  ``NotifyConfig`` is always a dict (``{}`` when absent or empty).

``state`` and ``queue_ids`` are also applied to what comes back, so a service that ignored a
filter cannot widen the result.

``list_queues`` and ``queue_states`` take a client (``_client.CIClient`` or anything with its ``get``);
``queue_info`` is the whole of the module ``ci_queue_info``: options checked, one client, the
listing and its ``summarize``.
"""

from __future__ import annotations

from ansible_collections.qcloud.ci.plugins.module_utils._client import MAX_EMPTY_PAGES, CIClient
from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIRequestError, CIValueError
from ansible_collections.qcloud.ci.plugins.module_utils._options import client_kwargs

# queue_type -> the path of its queue list (and, with /<queueId>, of the queue's update)
QUEUE_TYPES = {
    'media': '/queue',
    'ai': '/ai_queue',
    'speech': '/asrqueue',
    'document': '/docqueue',
    'picture': '/picqueue',
}
DEFAULT_QUEUE_TYPE = 'media'
QUEUE_STATES = ('Active', 'Paused')
PAUSED = 'Paused'
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100          # not published; 100 is what we ask for and test (the documented default is 10)
MAX_STALLED_PAGES = MAX_EMPTY_PAGES   # pages in a row without a new queue before a listing gives up
_INT_FIELDS = ('max_size', 'max_concurrent')
_NON_EXIST_KEY = 'non_exist_pi_ds'   # _xml.snake_case('NonExistPIDs') today; 'non_exist_pids' is also read

# The options of ci_queue_info besides the connection's (documented in the module).
QUEUE_INFO_ARGSPEC = dict(
    queue_type=dict(type='str', default=DEFAULT_QUEUE_TYPE, choices=sorted(QUEUE_TYPES)),
    queue_ids=dict(type='list', elements='str'),
    state=dict(type='str', choices=list(QUEUE_STATES)),
    page_size=dict(type='int', default=DEFAULT_PAGE_SIZE),
)


# --- options -----------------------------------------------------------------------------------
def queue_path(queue_type):
    """The path of ``queue_type``'s queue list, or ``CIValueError`` naming the allowed types."""
    if isinstance(queue_type, str) and queue_type in QUEUE_TYPES:
        return QUEUE_TYPES[queue_type]
    raise CIValueError('queue_type', 'queue_type must be one of %s; got %r'
                       % (', '.join(sorted(QUEUE_TYPES)), queue_type))


def check_state(state):
    """``state`` (None, or one of ``QUEUE_STATES``), or ``CIValueError``."""
    if state is None or (isinstance(state, str) and state in QUEUE_STATES):
        return state
    raise CIValueError('state', 'state must be %s; got %r' % (' or '.join(QUEUE_STATES), state))


def check_page_size(page_size):
    """``page_size`` as an int from 1 to ``MAX_PAGE_SIZE``, or ``CIValueError``."""
    if isinstance(page_size, int) and not isinstance(page_size, bool) and 1 <= page_size <= MAX_PAGE_SIZE:
        return page_size
    raise CIValueError('page_size', 'page_size must be a whole number from 1 to %d; got %r' % (MAX_PAGE_SIZE, page_size))


def check_queue_ids(queue_ids, option='queue_ids'):
    """The distinct ids of ``queue_ids`` (a list of str, or one str), in order; texts are split at commas.

    None stays None (no id filter). An empty id, or one with spaces or control characters, is refused.
    """
    if queue_ids is None:
        return None
    if isinstance(queue_ids, str):
        queue_ids = [queue_ids]
    if not isinstance(queue_ids, (list, tuple)):
        raise CIValueError(option, '%s must be a list of queue ids; got %r' % (option, queue_ids))
    result = []
    for item in queue_ids:
        for queue_id in (item.split(',') if isinstance(item, str) else [item]):
            queue_id = queue_id.strip() if isinstance(queue_id, str) else queue_id
            if not isinstance(queue_id, str) or not queue_id or not queue_id.isprintable() or ' ' in queue_id:
                raise CIValueError(option, '%s must be queue ids (such as p893bcda225bf4945a378da6662e81a89) without '
                                           'spaces or control characters, none empty; got %r' % (option, queue_id))
            if queue_id not in result:
                result.append(queue_id)
    return result


# --- reading answers ---------------------------------------------------------------------------
def _as_list(value):
    """A repeated element as a list: ``None`` -> ``[]``, one item -> ``[item]``."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _as_int(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def missing_ids_of(page):
    """The ids of ``NonExistPIDs``, repeated texts or a container of ``QueueID``s, as a list of str."""
    ids = []
    for item in _as_list(page.get('non_exist_pids', page.get(_NON_EXIST_KEY))):
        if isinstance(item, dict):
            ids.extend(value for value in _as_list(item.get('queue_id')) if isinstance(value, str))
        elif isinstance(item, str):
            ids.extend(part.strip() for part in item.split(',') if part.strip())
    return ids


def normalize_queue(queue):
    """One ``QueueList`` element with a fixed type per field (a dict; None -> ``{}``)."""
    queue = dict(queue) if isinstance(queue, dict) else {}
    for key in _INT_FIELDS:
        if key in queue:
            queue[key] = _as_int(queue[key])
    notify = queue.get('notify_config')
    queue['notify_config'] = dict(notify) if isinstance(notify, dict) else {}
    for key in ('queue_id', 'name', 'state'):
        value = queue.get(key)
        queue[key] = value if isinstance(value, str) else None
    return queue


def queues_of(page):
    """The normalized queues of one page."""
    return [normalize_queue(queue) for queue in _as_list(page.get('queue_list')) if queue is not None]


def _stalled_error(path, pages, request_id):
    return CIRequestError('the service returned %d pages in a row without a queue not already listed; the listing '
                          'stopped there (at most %d such pages are followed) so that it cannot go on forever'
                          % (pages, MAX_STALLED_PAGES), 'GET', path, status=200, request_id=request_id)


# --- listing -----------------------------------------------------------------------------------
def _read_pages(client, path, params, page_size, deadline):
    """Every queue of one listing (``params`` fixed, ``pageNumber`` from 1) and the ids it reported missing.

    Ends after the page that brings ``TotalCount`` distinct queues, after an empty page, or after a
    page without ``TotalCount``; fails after ``MAX_STALLED_PAGES`` pages in a row without a new queue.
    """
    queues, missing, seen = [], [], set()
    number = stalled = 0
    while True:
        number += 1
        request = dict(params, pageNumber=str(number), pageSize=str(page_size))
        page = client.get(path, request, deadline=deadline)
        missing.extend(missing_ids_of(page))
        received = queues_of(page)
        fresh = [queue for queue in received if queue['queue_id'] is None or queue['queue_id'] not in seen]
        seen.update(queue['queue_id'] for queue in fresh)
        queues.extend(fresh)
        total = _as_int(page.get('total_count'))
        if total is None or not received or len(queues) >= total:
            return queues, missing
        stalled = 0 if fresh else stalled + 1
        if stalled >= MAX_STALLED_PAGES:
            request_id = page.get('request_id')
            raise _stalled_error(path, stalled, request_id if isinstance(request_id, str) else None)


def _select(queues, reported_missing, queue_ids, state):
    """The queues that match (ordered as ``queue_ids`` when given), and the missing ids.

    Missing: the ids the service reported as not existing, and, without a ``state`` filter, the ids
    it neither returned nor reported (with one, a queue in the other state is not returned either).
    """
    distinct, ids = [], set()
    for queue in queues:
        if queue['queue_id'] is not None and queue['queue_id'] in ids:
            continue
        ids.add(queue['queue_id'])
        if state is None or queue['state'] == state:
            distinct.append(queue)
    if queue_ids is None:
        return distinct, []
    order = dict((queue_id, index) for index, queue_id in enumerate(queue_ids))
    selected = sorted((queue for queue in distinct if queue['queue_id'] in order), key=lambda q: order[q['queue_id']])
    reported = set(reported_missing)
    missing = [queue_id for queue_id in queue_ids
               if queue_id not in ids and (queue_id in reported or state is None)]
    return selected, missing


def list_queues(client, queue_type, queue_ids=None, state=None, page_size=DEFAULT_PAGE_SIZE, deadline=None):
    """``(queues, missing_ids)`` of ``queue_type``: every page, filtered by ``queue_ids`` and ``state``.

    ``client`` is a ``_client.CIClient`` (or anything with its ``get``); ``deadline`` bounds every
    request as in ``CIClient.get``. Options are checked before any request (``CIValueError``). Ids
    are asked for in batches of ``page_size``; an empty ``queue_ids`` selects nothing and sends nothing.
    """
    path = queue_path(queue_type)
    queue_ids = check_queue_ids(queue_ids)
    state = check_state(state)
    page_size = check_page_size(page_size)
    params = {'state': state} if state else {}
    if queue_ids is None:
        queues, missing = _read_pages(client, path, params, page_size, deadline)
    else:
        queues, missing = [], []
        for start in range(0, len(queue_ids), page_size):
            batch = dict(params, queueIds=','.join(queue_ids[start:start + page_size]))
            got, gone = _read_pages(client, path, batch, page_size, deadline)
            queues.extend(got)
            missing.extend(gone)
    return _select(queues, missing, queue_ids, state)


def queue_states(client, queue_type, queue_ids, deadline=None):
    """``{queue_id: state}`` for ``queue_ids``; the state is None when the queue is unknown or has none.

    Ids that cannot be asked for (None, empty, with spaces) are left out of the answer; nothing is
    sent when no id is left. Request failures raise as in ``list_queues``.
    """
    askable = []
    for queue_id in queue_ids or ():
        try:
            askable.extend(check_queue_ids([queue_id]))
        except CIValueError:
            continue
    states = dict.fromkeys(askable)
    if askable:
        queues, dummy = list_queues(client, queue_type, askable, deadline=deadline)
        states.update((queue['queue_id'], queue['state']) for queue in queues)
    return states


def summarize(queues):
    """``total``, ``by_state`` (a queue without a state counts as ``Unknown``) and ``paused_queue_ids``."""
    by_state = {}
    for queue in queues:
        key = queue.get('state') or 'Unknown'
        by_state[key] = by_state.get(key, 0) + 1
    return {
        'total': len(queues),
        'by_state': by_state,
        'paused_queue_ids': [queue.get('queue_id') for queue in queues if queue.get('state') == PAUSED],
    }


def queue_info(options, warn=None):
    """The result of ``ci_queue_info`` for option values (any mapping with ``get``).

    The selection is checked before the client is opened, so a bad option fails before anything is sent.
    """
    queue_type = options.get('queue_type') or DEFAULT_QUEUE_TYPE
    queue_path(queue_type)
    queue_ids = check_queue_ids(options.get('queue_ids'))
    state = check_state(options.get('state'))
    page_size = check_page_size(DEFAULT_PAGE_SIZE if options.get('page_size') is None else options.get('page_size'))
    with CIClient(warn=warn, **client_kwargs(options)) as client:
        queues, missing = list_queues(client, queue_type, queue_ids, state, page_size)
    return dict(queue_type=queue_type, queues=queues, missing_queue_ids=missing, summary=summarize(queues))
