# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tencent's published response documents (fixtures/published/README.md) through ``_xml`` and ``_jobs``.

For every sample (its repaired copy when the published text is not well-formed XML): it parses;
every text value of the XML is somewhere in the normalized tree (each distinct value at least
once, ``-`` of StartTime/EndTime as None); no ``[None]``; every repeated field is a list wherever
it appears and every other field never is; a job without ``<State>`` is not counted finished.
The expected values are read from the XML with ElementTree, independently of ``_xml``.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET  # nosec B405 - fixtures from this repository, not input

import pytest

pytest.importorskip('xmltodict')

from ansible_collections.qcloud.ci.plugins.module_utils import _jobs, _xml  # noqa: E402 pylint: disable=wrong-import-position

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
DIRECTORIES = ('published', 'ci_callback')


def _samples():
    """(name, path) of every XML sample: the repaired copy where there is one, else the original."""
    found = []
    for directory in DIRECTORIES:
        names = sorted(os.listdir(os.path.join(HERE, directory)))
        for name in names:
            if not name.endswith('.xml') or name.endswith('.repaired.xml'):
                continue
            repaired = name[:-len('.xml')] + '.repaired.xml'
            chosen = repaired if repaired in names else name
            found.append(('%s/%s' % (directory, chosen), os.path.join(HERE, directory, chosen)))
    return found


SAMPLES = _samples()
IDS = [name for name, dummy in SAMPLES]


def _read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def _xml_texts(element, parent=None, out=None):
    """Every (snake_case name, text) of the leaves, with ``-`` of StartTime/EndTime as None."""
    out = [] if out is None else out
    children = list(element)
    if not children:
        text = (element.text or '').strip() or None
        if text == '-' and element.tag in _xml.DASH_MEANS_NONE:
            text = None
        out.append((_xml.snake_case(element.tag), text))
    for child in children:
        _xml_texts(child, element, out)
    return out


def _tree_texts(value, name=None, out=None):
    """Every (name, leaf value) of a normalized tree, lists flattened, ``#duplicates`` included."""
    out = [] if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            if key == _xml.DUPLICATES_KEY:
                for field, others in item.items():
                    _tree_texts(others, field, out)
            else:
                _tree_texts(item, key, out)
    elif isinstance(value, list):
        for item in value:
            _tree_texts(item, name, out)
    else:
        out.append((name, value))
    return out


def _walk(value, parent, visit):
    """Call ``visit(parent, name, value)`` for every field of the normalized tree."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == _xml.DUPLICATES_KEY:
                continue
            visit(parent, key, item)
            for element in (item if isinstance(item, list) else [item]):
                _walk(element, key, visit)


def _normalized(path):
    root = ET.fromstring(_read(path))  # nosec B314 - fixtures from this repository
    return root, _xml.parse(_read(path), root.tag)


def test_there_are_samples_of_every_job_list_and_many_tags():
    tags = set()
    for dummy, path in SAMPLES:
        root = ET.fromstring(_read(path))  # nosec B314
        tags.update(tag.text for tag in root.iter('Tag'))
    assert len(SAMPLES) >= 15
    assert {'Transcode', 'Snapshot', 'Animation', 'SmartCover', 'VideoMontage', 'Segment', 'SuperResolution',
            'VideoProcess', 'QualityEstimate', 'Translation', 'SpeechRecognition', 'WordsGeneralize', 'PicProcess',
            'DocProcess'} <= tags


@pytest.mark.parametrize('name, path', SAMPLES, ids=IDS)
def test_no_value_is_lost(name, path):
    root, page = _normalized(path)
    kept = set(_tree_texts(page))
    lost = [pair for pair in _xml_texts(root)[0:] if pair not in kept and pair[1] is not None]
    assert lost == [], '%s: values missing after normalization' % name


@pytest.mark.parametrize('name, path', SAMPLES, ids=IDS)
def test_no_list_holds_an_empty_item_and_types_follow_the_rules(name, path):
    dummy, page = _normalized(path)
    problems = []

    def visit(parent, key, value):
        if isinstance(value, list):
            if not _xml.is_repeated(key, parent):
                problems.append('%s/%s is a list but is no repeated field' % (parent, key))
            if any(item is None or item == [] for item in value):
                problems.append('%s/%s holds an empty item: %r' % (parent, key, value))
        elif _xml.is_repeated(key, parent):
            problems.append('%s/%s is a repeated field but not a list: %r' % (parent, key, value))

    _walk(page, 'response', visit)
    assert problems == [], name


@pytest.mark.parametrize('name, path', SAMPLES, ids=IDS)
def test_summary_counts_every_job_and_a_job_without_state_is_unfinished(name, path):
    dummy, page = _normalized(path)
    jobs = _jobs.page_jobs(page)
    assert jobs, name
    summary = _jobs.summarize(jobs)
    assert None not in summary['by_state']
    assert sum(summary['by_state'].values()) == summary['total'] == len(jobs)
    stateless = [job for job in jobs if not isinstance(job.get('state'), str)]
    unfinished = [job for job in jobs if job.get('state') in _jobs.UNFINISHED_STATES]
    assert summary['by_state'].get(_jobs.UNKNOWN_STATE, 0) == len(stateless)
    assert summary['finished'] is (not stateless and not unfinished)
    assert _jobs.unfinished(jobs) == [job for job in jobs if job in stateless or job in unfinished]


def test_the_published_words_generalize_callback_has_no_state_and_is_not_finished():
    dummy, page = _normalized(os.path.join(HERE, 'ci_callback', 'words_generalize.xml'))
    jobs = _jobs.page_jobs(page)
    assert 'state' not in jobs[0]
    summary = _jobs.summarize(jobs)
    assert summary['finished'] is False
    assert summary['by_state'][_jobs.UNKNOWN_STATE] == 1
    assert _jobs.unfinished(jobs) == jobs


def test_the_published_shapes_that_used_to_break():
    dummy, asr = _normalized(os.path.join(HERE, 'published', 'asr_job_get.xml'))
    result = asr['jobs_detail'][0]['operation']['speech_recognition_result']
    assert result['result_detail'] == []  # <ResultDetail/>, was [None]
    dummy, media = _normalized(os.path.join(HERE, 'published', 'media_jobs_list_transcode.repaired.xml'))
    operation = media['jobs_detail'][1]['operation']
    assert operation['watermark_template_id'] == ['t1318c5f428d474afba1797f84091cbe22', 't1318c5f428d474afba1797f84091cbe23',
                                                  't1318c5f428d474afba1797f84091cbe24']
    assert operation['media_info']['stream']['subtitle'] is None
    assert operation['media_result']['output_file']['object_name'] == ['output/out.mp4']
    assert operation['media_result']['output_file']['md5_info'][0]['object_name'] == 'output/out.mp4'
    dummy, snapshot = _normalized(os.path.join(HERE, 'published', 'snapshot_callback_workflow.xml'))
    output_file = snapshot['jobs_detail'][0]['operation']['media_result']['output_file']
    assert output_file['object_name'] == ['%d.jpg' % n for n in range(6)]
    assert output_file['md5_info'] == []  # <Md5Info/>
    assert output_file['sprite_output_file']['object_name'] == ['0.jpg']
    assert snapshot['jobs_detail'][0]['workflow']['name'] == 'Snapshot_1581665960537'


class _StatelessThenDone(object):
    """``GET /jobs/<id>`` answers the published WordsGeneralize callback job: first without a State, then Success."""

    def __init__(self, job, polls_without_state):
        self.job = job
        self.polls_without_state = polls_without_state
        self.paths = []

    def get(self, path, params=None, check=None, deadline=None):  # pylint: disable=unused-argument
        self.paths.append(path)
        fresh = dict(self.job)
        if len(self.paths) > self.polls_without_state:
            fresh['state'] = 'Success'
        return {'jobs_detail': [fresh]}


class _Clock(object):
    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_wait_keeps_polling_a_job_that_came_without_a_state():
    from ansible_collections.qcloud.ci.plugins.module_utils import _job_api  # pylint: disable=import-outside-toplevel
    dummy, page = _normalized(os.path.join(HERE, 'ci_callback', 'words_generalize.xml'))
    (job,) = _jobs.page_jobs(page)
    service = _StatelessThenDone(job, polls_without_state=3)
    clock = _Clock()
    query = _jobs.JobQuery.from_options({'job_ids': [job['job_id']], 'wait': True, 'wait_sleep': 1, 'wait_timeout': 60})
    result = _job_api.run(service, query, clock=clock.time, sleep=clock.sleep)
    # the first read and two polls came back without a state: the wait went on until the third poll said Success
    assert service.paths == ['/jobs/%s' % job['job_id']] * 4
    assert clock.now == 1003
    assert result['summary']['finished'] is True and result['summary']['by_state']['Success'] == 1
    assert _jobs.UNKNOWN_STATE not in result['summary']['by_state']
