# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_queues: option checks, every page of a queue list, the two NonExistPIDs shapes, states and summary."""

from __future__ import annotations

import pytest

from ansible_collections.qcloud.ci.plugins.module_utils import _queues
from ansible_collections.qcloud.ci.plugins.module_utils._errors import CIRequestError, CIValueError


class FakeClient(object):
    """Answers ``get`` from a list of pages (normalized dicts, as ``_xml`` gives them) and records the calls."""

    def __init__(self, *pages):
        self.pages = list(pages)
        self.calls = []

    def get(self, path, params=None, deadline=None):
        self.calls.append((path, dict(params or {}), deadline))
        if not self.pages:
            raise AssertionError('unexpected request %s %r' % (path, params))
        return self.pages.pop(0)


def queue(queue_id, state='Active', **extra):
    item = {'queue_id': queue_id, 'name': 'name-' + queue_id, 'state': state, 'max_size': '10000',
            'max_concurrent': '10', 'notify_config': {'url': None, 'state': 'Off'},
            'create_time': '2022-08-09T16:23:11+0800', 'update_time': '2022-08-09T16:23:11+0800'}
    item.update(extra)
    return item


def page(*queues, **extra):
    """A listing page: QueueList as _xml gives it today (one queue: a dict, several: a list)."""
    content = dict(request_id='req-1', **extra)
    if queues:
        content['queue_list'] = queues[0] if len(queues) == 1 else list(queues)
    return content


def ids(queues):
    return [item['queue_id'] for item in queues]


# --- options ----------------------------------------------------------------------------------

@pytest.mark.parametrize('queue_type, path', sorted(_queues.QUEUE_TYPES.items()))
def test_each_queue_type_lists_its_path(queue_type, path):
    client = FakeClient(page(queue('p1'), total_count='1'))
    queues, missing = _queues.list_queues(client, queue_type)
    assert client.calls == [(path, {'pageNumber': '1', 'pageSize': '100'}, None)]
    assert ids(queues) == ['p1'] and missing == []


def test_queue_types_are_the_five_documented_paths():
    assert _queues.QUEUE_TYPES == {'media': '/queue', 'ai': '/ai_queue', 'speech': '/asrqueue',
                                   'document': '/docqueue', 'picture': '/picqueue'}


@pytest.mark.parametrize('kwargs, option, allowed', [
    (dict(queue_type='video'), 'queue_type', 'ai, document, media, picture, speech'),
    (dict(queue_type=None), 'queue_type', 'ai, document, media, picture, speech'),
    (dict(state='paused'), 'state', 'Active or Paused'),
    (dict(state='All'), 'state', 'Active or Paused'),
    (dict(page_size=0), 'page_size', 'from 1 to 100'),
    (dict(page_size=101), 'page_size', 'from 1 to 100'),
    (dict(page_size=True), 'page_size', 'from 1 to 100'),
    (dict(page_size='10'), 'page_size', 'from 1 to 100'),
    (dict(queue_ids=['p1', '']), 'queue_ids', 'none empty'),
    (dict(queue_ids=['p1,,p2']), 'queue_ids', 'none empty'),
    (dict(queue_ids=['p 1']), 'queue_ids', 'without spaces'),
    (dict(queue_ids=['p\n1']), 'queue_ids', 'control characters'),
    (dict(queue_ids=[3]), 'queue_ids', 'queue ids'),
    (dict(queue_ids={'p1': 1}), 'queue_ids', 'a list of queue ids'),
])
def test_bad_options_are_refused_before_any_request(kwargs, option, allowed):
    client = FakeClient()
    options = dict(queue_type='media')
    options.update(kwargs)
    with pytest.raises(CIValueError) as caught:
        _queues.list_queues(client, **options)
    assert caught.value.option == option
    assert allowed in caught.value.msg
    assert client.calls == []


def test_queue_ids_are_split_stripped_and_deduplicated():
    assert _queues.check_queue_ids(['p1, p2', 'p1', ' p3 ']) == ['p1', 'p2', 'p3']
    assert _queues.check_queue_ids('p1,p2') == ['p1', 'p2']
    assert _queues.check_queue_ids(None) is None


# --- paging -----------------------------------------------------------------------------------

def test_every_page_is_read_until_total_count():
    client = FakeClient(page(queue('p1'), queue('p2'), total_count='5'), page(queue('p3'), queue('p4'), total_count='5'),
                        page(queue('p5'), total_count='5'))
    queues, missing = _queues.list_queues(client, 'ai', page_size=2, deadline=123.0)
    assert ids(queues) == ['p1', 'p2', 'p3', 'p4', 'p5'] and missing == []
    assert [call[1]['pageNumber'] for call in client.calls] == ['1', '2', '3']
    assert {call[1]['pageSize'] for call in client.calls} == {'2'}
    assert {call[2] for call in client.calls} == {123.0}


def test_a_short_page_is_not_the_end_when_total_count_says_more():
    """The largest pageSize the service honours is not published: it may send fewer than asked."""
    client = FakeClient(page(queue('p1'), total_count='2'), page(queue('p2'), total_count='2'))
    queues, dummy = _queues.list_queues(client, 'media', page_size=100)
    assert ids(queues) == ['p1', 'p2'] and len(client.calls) == 2


def test_an_empty_page_ends_the_listing_even_below_total_count():
    client = FakeClient(page(queue('p1'), total_count='3'), page(total_count='3'))
    queues, dummy = _queues.list_queues(client, 'media', page_size=1)
    assert ids(queues) == ['p1'] and len(client.calls) == 2


def test_a_page_without_total_count_is_the_only_page():
    client = FakeClient(page(queue('p1')))
    queues, dummy = _queues.list_queues(client, 'document', page_size=1)
    assert ids(queues) == ['p1'] and len(client.calls) == 1


def test_an_empty_listing():
    client = FakeClient({'request_id': 'r', 'total_count': '0', 'page_number': '1', 'page_size': '100'})
    assert _queues.list_queues(client, 'picture') == ([], [])


def test_repeated_queues_are_dropped_and_a_service_ignoring_page_number_cannot_loop():
    same = page(queue('p1'), queue('p2'), total_count='3')
    client = FakeClient(*[same] * (_queues.MAX_STALLED_PAGES + 1))
    with pytest.raises(CIRequestError) as caught:
        _queues.list_queues(client, 'media', page_size=2)
    assert len(client.calls) == _queues.MAX_STALLED_PAGES + 1
    assert '%d pages in a row' % _queues.MAX_STALLED_PAGES in caught.value.msg
    assert caught.value.path == '/queue' and caught.value.request_id == 'req-1'


def test_progress_resets_the_stalled_count():
    stale = page(queue('p1'), total_count='3')
    pages = [stale] * (_queues.MAX_STALLED_PAGES - 1) + [page(queue('p1'), queue('p2'), total_count='3')]
    pages += [stale] * (_queues.MAX_STALLED_PAGES - 1) + [page(queue('p3'), total_count='3')]
    client = FakeClient(stale, *pages)
    queues, dummy = _queues.list_queues(client, 'media', page_size=2)
    assert ids(queues) == ['p1', 'p2', 'p3']
    assert client.pages == []


# --- ids, state and the missing ids -----------------------------------------------------------

def test_ids_are_sent_comma_separated_and_results_follow_their_order():
    client = FakeClient(page(queue('p2'), queue('p1'), non_exist_pids=['A', 'B']))
    queues, missing = _queues.list_queues(client, 'ai', queue_ids=['p1', 'A', 'p2', 'B'])
    assert client.calls[0][1] == {'queueIds': 'p1,A,p2,B', 'pageNumber': '1', 'pageSize': '100'}
    assert ids(queues) == ['p1', 'p2'] and missing == ['A', 'B']


def test_non_exist_pids_as_a_container_of_queue_ids():
    """The document queue page shows <NonExistPIDs><QueueID>B</QueueID><QueueID>C</QueueID></NonExistPIDs>."""
    client = FakeClient(page(queue('A'), non_exist_pids={'queue_id': ['B', 'C']}))
    queues, missing = _queues.list_queues(client, 'document', queue_ids=['A', 'B', 'C'])
    assert ids(queues) == ['A'] and missing == ['B', 'C']
    client = FakeClient(page(non_exist_pids=[{'queue_id': 'B'}]))
    assert _queues.list_queues(client, 'document', queue_ids=['B']) == ([], ['B'])


def test_many_ids_go_in_batches_of_page_size():
    client = FakeClient(page(queue('a'), queue('b')), page(queue('c')))
    queues, missing = _queues.list_queues(client, 'media', queue_ids=['a', 'b', 'c'], page_size=2)
    assert [call[1]['queueIds'] for call in client.calls] == ['a,b', 'c']
    assert ids(queues) == ['a', 'b', 'c'] and missing == []


def test_an_id_neither_returned_nor_reported_is_missing_without_a_state_filter():
    client = FakeClient(page(queue('a')))
    assert _queues.list_queues(client, 'media', queue_ids=['a', 'b'])[1] == ['b']


def test_with_a_state_filter_only_reported_ids_are_missing():
    client = FakeClient(page(queue('a', 'Paused'), non_exist_pids='c'))
    queues, missing = _queues.list_queues(client, 'media', queue_ids=['a', 'b', 'c'], state='Paused')
    assert client.calls[0][1]['state'] == 'Paused'
    assert ids(queues) == ['a'] and missing == ['c']


def test_the_state_and_id_filters_also_apply_to_what_comes_back():
    client = FakeClient(page(queue('a', 'Active'), queue('b', 'Paused'), queue('x', 'Paused'), total_count='3'))
    queues, dummy = _queues.list_queues(client, 'media', state='Paused')
    assert ids(queues) == ['b', 'x']
    client = FakeClient(page(queue('a'), queue('b'), queue('x')))
    assert ids(_queues.list_queues(client, 'media', queue_ids=['b', 'a'])[0]) == ['b', 'a']


def test_an_empty_id_list_selects_nothing_and_sends_nothing():
    client = FakeClient()
    assert _queues.list_queues(client, 'media', queue_ids=[]) == ([], [])
    assert client.calls == []


# --- normalization ----------------------------------------------------------------------------

def test_a_queue_has_a_fixed_type_per_field():
    client = FakeClient(page(queue('a', max_size='10000', max_concurrent='x', notify_config=None, name=None,
                                   category='AIProcess'),
                             {'queue_id': 'b'}, None))
    first, second = _queues.list_queues(client, 'ai')[0]
    assert first['max_size'] == 10000 and first['max_concurrent'] is None
    assert first['notify_config'] == {} and first['name'] is None and first['category'] == 'AIProcess'
    assert second == {'queue_id': 'b', 'name': None, 'state': None, 'notify_config': {}}


def test_missing_ids_of_every_shape():
    assert _queues.missing_ids_of({}) == []
    assert _queues.missing_ids_of({'non_exist_pi_ds': ['A']}) == ['A']
    assert _queues.missing_ids_of({'non_exist_pids': None}) == []
    assert _queues.missing_ids_of({'non_exist_pids': 'A'}) == ['A']
    assert _queues.missing_ids_of({'non_exist_pids': ['A', None, 'B,C']}) == ['A', 'B', 'C']
    assert _queues.missing_ids_of({'non_exist_pids': {'queue_id': 'A'}}) == ['A']
    assert _queues.missing_ids_of({'non_exist_pids': [{'queue_id': ['A', None]}, {'other': 'x'}]}) == ['A']


# --- queue states and summary -----------------------------------------------------------------

def test_queue_states_names_every_asked_id():
    client = FakeClient(page(queue('a', 'Paused'), queue('b', 'Active'), non_exist_pids='c'))
    states = _queues.queue_states(client, 'speech', ['a', 'b', 'c', 'a'], deadline=9.0)
    assert states == {'a': 'Paused', 'b': 'Active', 'c': None}
    assert client.calls == [('/asrqueue', {'queueIds': 'a,b,c', 'pageNumber': '1', 'pageSize': '100'}, 9.0)]


def test_queue_states_skips_ids_that_cannot_be_asked_for():
    client = FakeClient()
    assert _queues.queue_states(client, 'media', [None, '', 'a b']) == {}
    assert _queues.queue_states(client, 'media', None) == {}
    assert client.calls == []


def test_queue_states_refuses_an_unknown_queue_type():
    with pytest.raises(CIValueError) as caught:
        _queues.queue_states(FakeClient(), 'jobs', ['a'])
    assert caught.value.option == 'queue_type'


def test_summary_counts_states_and_names_paused_queues():
    queues = [queue('a', 'Paused'), queue('b'), queue('c', 'Paused'), queue('d', None)]
    assert _queues.summarize(queues) == {'total': 4, 'by_state': {'Paused': 2, 'Active': 1, 'Unknown': 1},
                                         'paused_queue_ids': ['a', 'c']}
    assert _queues.summarize([]) == {'total': 0, 'by_state': {}, 'paused_queue_ids': []}


# --- published answers through the real client and _xml --------------------------------------
# Abridged from Tencent's API pages (tencentyun/intlcloud-documents, "Searching for AI-based content
# recognition queues", response 1; the zh page of DescribeDocProcessQueues, 响应体2 and 实际案例).
AI_QUEUE_BY_ID = b'''<Response>
    <RequestId>NjJmMzJjNDFfOTBmYTUwNjRfNjQ5NF8x</RequestId>
    <QueueList>
        <QueueId>p23f69f4779e64b18aa61e70d5416c071</QueueId>
        <Name>queue-ai-process-1</Name>
        <State>Active</State>
        <NotifyConfig>
            <Url>http://callback.demo.com</Url>
            <Event>TaskFinish,WorkflowFinish</Event>
            <Type>Url</Type>
            <State>On</State>
            <ResultFormat>JSON</ResultFormat>
        </NotifyConfig>
        <MaxSize>10000</MaxSize>
        <MaxConcurrent>10</MaxConcurrent>
        <UpdateTime>2022-08-09T16:23:11+0800</UpdateTime>
        <CreateTime>2022-08-09T16:23:11+0800</CreateTime>
        <Category>AIProcess</Category>
    </QueueList>
    <NonExistPIDs>A</NonExistPIDs>
    <NonExistPIDs>B</NonExistPIDs>
</Response>'''
DOC_QUEUE_BY_ID = b'''<Response>
    <RequestId>NTk0MjdmODlfMjQ4OGY3XzYzYzhf****</RequestId>
    <QueueList>
        <QueueId>A</QueueId>
        <Name></Name>
        <State>Active</State>
        <NotifyConfig>
            <Url></Url>
        </NotifyConfig>
    </QueueList>
    <NonExistPIDs>
        <QueueID>B</QueueID>
        <QueueID>C</QueueID>
    </NonExistPIDs>
</Response>'''
DOC_QUEUE_PAGE = b'''<?xml version="1.0" encoding="utf-8"?>
<Response>
        <TotalCount>1</TotalCount>
        <RequestId>NWYxZTgyNTdfYzc2OTQzNjRfMzUx****</RequestId>
        <PageNumber>1</PageNumber>
        <PageSize>2</PageSize>
        <QueueList>
                <QueueId>p2505d57bdf4c4329804b58a6a5fb1572</QueueId>
                <Name>queue-doc-process-1</Name>
                <State>Active</State>
                <NotifyConfig>
                        <Url/>
                        <Event/>
                        <Type/>
                        <State>Off</State>
                </NotifyConfig>
                <MaxSize>10000</MaxSize>
                <MaxConcurrent>10</MaxConcurrent>
                <CreateTime>2020-07-24T22:42:27+0800</CreateTime>
                <UpdateTime>2020-07-24T22:42:27+0800</UpdateTime>
                <BucketId>examplebucket-1250000000.</BucketId>
                <Category>DocProcessing</Category>
        </QueueList>
</Response>'''


def test_published_ai_queue_answer_by_id(scripted):
    harness = scripted([(200, AI_QUEUE_BY_ID), (200, AI_QUEUE_BY_ID)])
    # with a state filter only the ids the service reports are missing: this reads NonExistPIDs itself
    dummy, missing = _queues.list_queues(harness.client, 'ai', ['A', 'B', 'C'], state='Active')
    assert missing == ['A', 'B']
    queues, missing = _queues.list_queues(harness.client, 'ai', ['p23f69f4779e64b18aa61e70d5416c071', 'A', 'B'])
    assert missing == ['A', 'B']
    assert queues == [{
        'queue_id': 'p23f69f4779e64b18aa61e70d5416c071', 'name': 'queue-ai-process-1', 'state': 'Active',
        'notify_config': {'url': 'http://callback.demo.com', 'event': 'TaskFinish,WorkflowFinish', 'type': 'Url',
                          'state': 'On', 'result_format': 'JSON'},
        'max_size': 10000, 'max_concurrent': 10, 'update_time': '2022-08-09T16:23:11+0800',
        'create_time': '2022-08-09T16:23:11+0800', 'category': 'AIProcess'}]
    assert harness.urls[1:] == ['https://%s/ai_queue?queueIds=p23f69f4779e64b18aa61e70d5416c071%%2CA%%2CB'
                                '&pageNumber=1&pageSize=100' % harness.client.host]


def test_published_document_queue_answers(scripted):
    harness = scripted([(200, DOC_QUEUE_BY_ID), (200, DOC_QUEUE_PAGE)])
    queues, missing = _queues.list_queues(harness.client, 'document', ['A', 'B', 'C', 'D'], state='Active')
    assert missing == ['B', 'C']
    assert queues == [{'queue_id': 'A', 'name': None, 'state': 'Active', 'notify_config': {'url': None}}]
    queues, missing = _queues.list_queues(harness.client, 'document', page_size=2)
    assert missing == [] and len(queues) == 1
    assert queues[0]['notify_config'] == {'url': None, 'event': None, 'type': None, 'state': 'Off'}
    assert queues[0]['bucket_id'] == 'examplebucket-1250000000.' and queues[0]['max_concurrent'] == 10
