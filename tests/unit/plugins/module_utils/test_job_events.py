# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job event model (_job_events): which job states to announce, the state file, CI's callbacks.

The callback fixtures are Tencent's published samples (fixtures/ci_callback/README.md says where from).
"""

from __future__ import annotations

import json
import os
from xml.etree import ElementTree

import pytest

pytest.importorskip('xmltodict')

from ansible_collections.qcloud.ci.plugins.module_utils import _job_events  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils import _xml  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.qcloud.ci.plugins.module_utils._job_events import (  # noqa: E402 pylint: disable=wrong-import-position
    CallbackError, JobTracker, callback_jobs,
)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'ci_callback')


def fixture(name, mode='r'):
    with open(os.path.join(FIXTURES, name), mode) as handle:  # pylint: disable=unspecified-encoding
        return handle.read()


def job(job_id, state):
    return {'job_id': job_id, 'state': state, 'tag': 'Translation'}


def announce_all(tracker, label, jobs, now):
    news = tracker.observe(label, jobs, now)
    for found, state in news:
        tracker.mark_announced(label, found['job_id'], state)
    return [(found['job_id'], state) for found, state in news]


# --- the tracker ---------------------------------------------------------------------------------
def test_a_job_is_announced_once_per_state_it_reaches():
    tracker = JobTracker(announce=('Running', 'Failed'))
    assert announce_all(tracker, 'q', [job('a', 'Submitted')], 0) == []
    assert announce_all(tracker, 'q', [job('a', 'Running')], 1) == [('a', 'Running')]
    assert announce_all(tracker, 'q', [job('a', 'Running')], 2) == []
    assert announce_all(tracker, 'q', [job('a', 'Pause')], 3) == []
    assert announce_all(tracker, 'q', [job('a', 'Running')], 4) == []  # Running again: announced already
    assert announce_all(tracker, 'q', [job('a', 'Failed')], 5) == [('a', 'Failed')]
    assert announce_all(tracker, 'q', [job('a', 'Failed')], 6) == []


def test_an_observed_state_not_marked_is_announced_again():
    """The source marks a state once its event is queued; until then it is news (at least once)."""
    tracker = JobTracker()
    assert tracker.observe('q', [job('a', 'Failed')], 0) == [(job('a', 'Failed'), 'Failed')]
    assert len(tracker.observe('q', [job('a', 'Failed')], 1)) == 1
    tracker.mark_announced('q', 'a', 'Failed')
    assert tracker.observe('q', [job('a', 'Failed')], 2) == []


def test_selections_are_tracked_apart():
    tracker = JobTracker()
    assert announce_all(tracker, 'one', [job('a', 'Failed')], 0) == [('a', 'Failed')]
    assert announce_all(tracker, 'two', [job('a', 'Failed')], 0) == [('a', 'Failed')]


def test_only_jobs_not_final_are_pending():
    tracker = JobTracker()
    announce_all(tracker, 'q', [job('a', 'Running'), job('b', 'Success'), job('c', 'Pause'), job('d', 'Cancel'),
                                job('e', 'Submitted'), job('f', 'Failed'), {'state': 'Running'}], 0)
    assert tracker.pending_ids('q') == ['a', 'c', 'e']


def test_listing_start_is_bounded_by_the_look_back_then_follows_the_last_listing():
    tracker = JobTracker(overlap=300)
    assert tracker.listing_start('q', 10000, 3600) == 10000 - 3600
    tracker.listed('q', 9000)
    assert tracker.listing_start('q', 10000, 3600) == 9000 - 300
    # a state older than the look-back (the source was down long) reads the look-back only
    assert tracker.listing_start('q', 100000, 3600) == 100000 - 3600


def test_prune_forgets_final_jobs_no_listing_can_return_and_keeps_the_rest():
    tracker = JobTracker(overlap=10)
    announce_all(tracker, 'q', [job('old', 'Failed'), job('wait', 'Running')], 100)
    announce_all(tracker, 'q', [job('new', 'Failed')], 500)
    tracker.listed('q', 500)
    assert tracker.prune('q') == 1
    assert sorted(tracker.selections['q']['jobs']) == ['new', 'wait']
    # not forgotten before it is out of every window (2 x overlap before the last listing)
    tracker.listed('q', 119)
    assert tracker.prune('q') == 0


def test_state_round_trip_keeps_announcements_and_pending_jobs():
    tracker = JobTracker()
    announce_all(tracker, 'q', [job('a', 'Failed'), job('b', 'Running')], 50)
    tracker.listed('q', 60)
    saved = json.loads(json.dumps(tracker.to_dict()))
    again = JobTracker()
    again.load(saved, ['q', 'other'])
    assert again.observe('q', [job('a', 'Failed')], 70) == []
    assert again.pending_ids('q') == ['b']
    assert again.listing_start('q', 100, 3600) == 60 - again.overlap
    assert again.listing_start('other', 100, 3600) == 100 - 3600


@pytest.mark.parametrize('data', [None, [], {'version': 99, 'selections': {}}, {'version': 1}])
def test_an_unusable_state_is_refused(data):
    with pytest.raises(ValueError):
        JobTracker().load(data, ['q'])


def test_broken_entries_of_a_state_file_are_dropped():
    data = {'version': 1, 'selections': {'q': {'since': 'yesterday', 'jobs': {
        'a': {'state': 'Failed', 'seen': 1, 'announced': ['Failed', 'Bogus']},
        'b': {'state': 'Nope', 'seen': 1, 'announced': []},
        'c': 'garbage'}}}}
    tracker = JobTracker()
    tracker.load(data, ['q'])
    assert tracker.selections['q'] == {'since': None, 'jobs': {'a': {'state': 'Failed', 'seen': 1, 'announced': ['Failed']}}}


# --- callbacks: Tencent's samples ----------------------------------------------------------------
def test_the_published_speech_recognition_callback_gives_the_listing_facts():
    name, jobs = callback_jobs(fixture('speech_recognition.xml'))
    assert name == 'TaskFinish'
    assert len(jobs) == 1
    facts = jobs[0]
    assert facts['job_id'] == 's886c0a7c2a6611ed847a618901112dcf'
    assert facts['state'] == 'Success'
    assert facts['queue_id'] == 'pe91d0af11fc14337987ff0c34f8b0886'
    result = facts['operation']['speech_recognition_result']
    assert result['object_name'] == '/example.txt'
    assert [w['word'] for w in result['result_detail'][0]['words']] == [u'\u60af', u'\u519c']
    # the very same normalization as a GET /jobs page holding the same JobsDetail
    page = _xml.parse(fixture('speech_recognition.xml', 'rb'), 'Response')
    assert jobs == page['jobs_detail']


def test_the_published_xml_and_json_samples_give_the_same_facts():
    dummy, from_xml = callback_jobs(fixture('words_generalize.xml'))
    dummy, from_json = callback_jobs(fixture('words_generalize.repaired.json'))
    xml_job = dict(from_xml[0])
    # the JSON sample has no Tag and no UserData: everything else is the same
    del xml_job['tag']
    del xml_job['operation']['user_data']
    assert from_json[0] == xml_job
    assert from_json[0]['operation']['words_generalize_result']['words_generalize_lable'] == [
        {'category': 'Mobility', 'word': 'Taxi'}]  # one element, a list as in the XML
    assert 'state' not in from_json[0]  # the samples carry no State


def test_the_published_json_sample_is_not_json_and_says_so():
    with pytest.raises(CallbackError, match='neither XML nor JSON'):
        callback_jobs(fixture('words_generalize.json'))


def test_a_parsed_payload_with_or_without_response_and_bytes_are_read():
    doc = json.loads(fixture('words_generalize.repaired.json'))
    expected = callback_jobs(fixture('words_generalize.repaired.json'))
    assert callback_jobs(doc) == expected
    assert callback_jobs(doc['Response']) == expected
    assert callback_jobs(fixture('words_generalize.xml').encode('utf-8'))[1][0]['job_id'] == 'ac34be3aa0bf411ed9ce39d7cc972e427'


def test_dash_times_are_none_as_in_a_listing():
    dummy, jobs = callback_jobs({'JobsDetail': {'JobId': 'a', 'State': 'Failed', 'StartTime': '-', 'EndTime': '-'}})
    assert jobs == [{'job_id': 'a', 'state': 'Failed', 'start_time': None, 'end_time': None}]


@pytest.mark.parametrize('payload, reason', [
    ('', 'neither XML nor JSON'),
    ('<html><body>502</body></html>', 'root element is not <Response>'),
    ('<Response><EventName>TaskFinish</EventName></Response>', 'no JobsDetail'),
    ('<!DOCTYPE x [<!ENTITY a "b">]><Response/>', 'entities'),
    ('[1, 2]', 'must be an XML or JSON document'),
    ({'Response': 'text'}, 'no child elements'),
    (42, 'must be an XML or JSON document'),
])
def test_what_is_not_a_callback_is_refused_with_a_reason(payload, reason):
    with pytest.raises(CallbackError, match=reason):
        callback_jobs(payload)


def test_the_names_the_source_relies_on():
    assert _job_events.FINAL_STATES == frozenset(('Success', 'Failed', 'Cancel'))
    assert _job_events.DEFAULT_ANNOUNCE == ('Success', 'Failed', 'Cancel')


def _as_json(element):
    """The JSON CI would send for an XML element (ElementTree), one object per repeated child, as in the samples."""
    children = list(element)
    if not children:
        return element.text or ''
    content = {}
    for child in children:
        value = _as_json(child)
        if child.tag in content:
            if not isinstance(content[child.tag], list):
                content[child.tag] = [content[child.tag]]
            content[child.tag].append(value)
        else:
            content[child.tag] = value
    return content


def test_a_json_callback_gets_the_fixed_types_of_the_same_xml_callback():
    # speech: Result is a list under SpeechRecognitionResult (_xml.REPEATED_UNDER), one Result given once in JSON
    root = ElementTree.fromstring(fixture('speech_recognition.xml', 'rb'))
    dummy, from_xml = callback_jobs(fixture('speech_recognition.xml'))
    dummy, from_json = callback_jobs(json.dumps({'Response': _as_json(root)}))
    result = from_json[0]['operation']['speech_recognition_result']
    assert isinstance(result['result'], list)
    # the empty texts of JSON ('') stand where XML has empty elements (None): compare the types of every field
    assert _types(from_json[0]) == _types(from_xml[0])


def _types(value):
    if isinstance(value, dict):
        return dict((key, _types(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_types(item) for item in value]
    return 'scalar'
