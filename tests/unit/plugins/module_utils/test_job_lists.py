# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job lists, their tags, the list a tag is read from and the queue type its jobs wait in."""

from __future__ import annotations

import yaml

import pytest

from ansible_collections.qcloud.ci.plugins.doc_fragments import selection
from ansible_collections.qcloud.ci.plugins.module_utils import _job_lists
from ansible_collections.qcloud.ci.plugins.module_utils._job_lists import (
    AI_TAGS,
    ALL_TAGS,
    JOB_LISTS,
    LEGACY_TAGS,
    MEDIA_TAGS,
    TAGS_BY_LIST,
    job_list_for,
    queue_type_for,
)


def test_every_list_has_its_tags_and_all_tags_is_their_sorted_union():
    assert tuple(TAGS_BY_LIST) == JOB_LISTS == ('jobs', 'pic_jobs', 'doc_jobs', 'asr_jobs')
    assert ALL_TAGS == tuple(sorted(set(MEDIA_TAGS + AI_TAGS + ('PicProcess', 'DocProcess'))))
    for tags in TAGS_BY_LIST.values():
        assert len(set(tags)) == len(tags)


def test_the_tags_of_1_0_0_are_still_served_by_jobs():
    assert set(LEGACY_TAGS) <= set(TAGS_BY_LIST['jobs'])
    assert set(LEGACY_TAGS) <= set(AI_TAGS)
    assert not set(MEDIA_TAGS) & set(AI_TAGS)


@pytest.mark.parametrize('tag', ['TranscodePro', 'HighSpeedHd'])
def test_unconfirmed_tags_are_left_out(tag):
    assert tag not in ALL_TAGS


def test_the_documented_tags_are_the_tags_and_each_is_named_in_the_table():
    options = yaml.safe_load(selection.ModuleDocFragment.DOCUMENTATION)['options']
    assert options['tag']['choices'] == list(ALL_TAGS)
    assert options['job_list']['choices'] == list(JOB_LISTS)
    table = _job_lists.__doc__
    for tag in ALL_TAGS:
        assert tag in table, tag


@pytest.mark.parametrize('job_list, tag, expected', [
    (None, None, 'jobs'),
    (None, 'Translation', 'jobs'),
    (None, 'Transcode', 'jobs'),
    (None, 'SpeechRecognition', 'jobs'),
    (None, 'PicProcess', 'pic_jobs'),
    (None, 'DocProcess', 'doc_jobs'),
    ('asr_jobs', 'SpeechRecognition', 'asr_jobs'),
    ('pic_jobs', None, 'pic_jobs'),
    ('jobs', 'PicProcess', 'jobs'),  # a given list wins; validation (``_jobs``) refuses the pair
])
def test_job_list_for(job_list, tag, expected):
    assert job_list_for(job_list, tag) == expected


@pytest.mark.parametrize('job_list, tag, expected', [
    (None, 'Translation', 'ai'),
    ('jobs', 'WordsGeneralize', 'ai'),
    (None, 'ImageOCR', 'ai'),
    (None, 'Transcode', 'media'),
    ('jobs', 'GeneratePlayList', 'media'),
    ('jobs', None, 'media'),
    (None, 'PicProcess', 'picture'),
    ('pic_jobs', None, 'picture'),
    (None, 'DocProcess', 'document'),
    ('asr_jobs', 'SpeechRecognition', 'speech'),
])
def test_queue_type_for(job_list, tag, expected):
    assert queue_type_for(job_list, tag) == expected
