# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API routes of the CI emulator and the answers they build (after the Host and signature checks).

* ``GET /jobs``, ``/pic_jobs``, ``/doc_jobs``, ``/asr_jobs`` (and ``/ai_jobs``): a job list, one
  envelope ``<Response><JobsDetail/>...<NextToken/></Response>``; each serves only its tags.
* ``GET /<list>/<id>[,<id>...]`` and ``GET /ai_jobs/<ids>``: by id, ``<NonExistJobIds>`` for the rest.
* ``GET /queue``, ``/ai_queue``, ``/asrqueue``, ``/docqueue``, ``/picqueue``: a queue list;
  ``PUT /<queuepath>/<queueId>``: update a queue (pause/resume).
"""

from collections import namedtuple
from urllib.parse import unquote

from emu_common import ApiError
from emu_jobs import ListQuery, encode_token
from emu_lists import LIST_TAGS, QUEUE_TYPE_OF_PATH
from emu_queues import QueueQuery, QueueUpdate
from emu_xml import _xml_escape, document, render

Route = namedtuple('Route', 'kind resource rest')  # kind: list, get, queue or other
READ_METHODS = ('GET', 'HEAD')
# queue types whose published answer to queueIds wraps the missing ids: <NonExistPIDs><QueueID>B</QueueID>...
# (the DescribeDocProcessQueues page, intlcloud-documents zh; the /asrqueue page per helper "queues");
# /queue, /ai_queue and /picqueue repeat <NonExistPIDs>B</NonExistPIDs> (the /ai_queue page)
CONTAINER_PIDS = ('document', 'speech')


def route_of(raw_path):
    """The route of a raw (still percent-encoded) path: list/get name the job list, queue the queue type."""
    parts = raw_path.split('/')
    if len(parts) < 2 or parts[0] or len(parts) > 3:
        return Route('other', None, None)
    name = parts[1]
    rest = parts[2] if len(parts) == 3 and parts[2] else None
    if name in LIST_TAGS:
        return Route('list', name, None) if rest is None else Route('get', name, rest)
    queue_type = QUEUE_TYPE_OF_PATH.get('/' + name)
    if queue_type is not None:
        return Route('queue', queue_type, rest)
    return Route('other', None, None)


def answer(state, route, method, params, body, request_id, repeat_token=False):
    """The 200 body of an API request; raises ApiError."""
    if route.kind == 'other':
        raise ApiError('InvalidUrl', 'The request URL is not valid')
    if route.kind == 'queue' and route.rest is not None:
        if method != 'PUT':
            raise ApiError('MethodNotAllowed', 'The method is not allowed on this resource')
        return _queue_update(state, route, body, request_id)
    if method not in READ_METHODS:
        raise ApiError('MethodNotAllowed', 'The method is not allowed on this resource')
    if route.kind == 'queue':
        return _queue_list(state, route, params, request_id)
    if route.kind == 'list':
        return _job_list(state, route, params, repeat_token)
    return _job_get(state, route)


def _job_list(state, route, params, repeat_token):
    query = ListQuery(params, route.resource)
    found, next_key = state.store.list_page(query)
    if repeat_token:
        token = query.token
    else:
        token = encode_token(query.ascending, next_key) if next_key is not None else ''
    if token or not state.realistic:
        found = found + [b'<NextToken>', token.encode('ascii'), b'</NextToken>']
    return document(found, state.realistic)  # realistic: the last page has no NextToken element


def _job_get(state, route):
    wanted = []
    for job_id in unquote(route.rest).split(','):
        if job_id and job_id not in wanted:
            wanted.append(job_id)
    if not wanted:
        raise ApiError('InvalidArgument', 'No job id was given')
    if state.max_ids is not None and len(wanted) > state.max_ids:
        raise ApiError('InvalidArgument', 'At most %d job ids may be queried at once' % state.max_ids)
    found, missing = state.store.get_many(wanted, route.resource)
    tail = ''.join('<NonExistJobIds>%s</NonExistJobIds>' % _xml_escape(m) for m in missing).encode('utf-8')
    return document(found + [tail], state.realistic)


def _queue_list(state, route, params, request_id):
    query = QueueQuery(route.resource, params)
    records, total, missing = state.store.queue_page(query)
    parts = [render('RequestId', request_id)]
    if query.queue_ids is None or not state.realistic:
        # the documented answer to queueIds carries no counts (realistic); plain mode always sends them
        parts += [render('TotalCount', total), render('PageNumber', query.page_number), render('PageSize', query.page_size)]
    parts.append(render('QueueList', records))
    if missing and state.realistic and route.resource in CONTAINER_PIDS:
        parts.append(render('NonExistPIDs', {'QueueID': missing}))
    else:
        parts.append(render('NonExistPIDs', missing))
    return document(parts, state.realistic)


def _queue_update(state, route, body, request_id):
    queue_id = unquote(route.rest)
    record = state.store.update_queue(route.resource, queue_id, QueueUpdate(queue_id, body))
    return document([render('RequestId', request_id), render('Queue', record)], state.realistic)
