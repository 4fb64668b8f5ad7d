# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""job_kinds.py: which tag each job list serves, and a realistic, well-formed tree for every tag."""

import ast
import os
import random
import re
import sys
import types
import xml.etree.ElementTree as ET

import pytest

from harness import HERE

import job_kinds

try:  # the emulator split by concern keeps the renderer in emu_xml; before that it lived in ci_emulator
    from emu_xml import render_job
except ImportError:  # pragma: no cover - depends on the emulator's layout
    from ci_emulator import render_job

CTX = types.SimpleNamespace(bucket='examplebucket-1250000000', region='ap-guangzhou')
# The element of each tag's Operation that only a finished (Success) job carries.
RESULT_OF = {
    'Transcode': 'MediaResult', 'Snapshot': 'MediaResult', 'Concat': 'MediaResult', 'FillConcat': 'MediaResult',
    'StreamExtract': 'MediaResult', 'Watermark': 'MediaResult', 'Animation': 'MediaResult', 'SmartCover': 'MediaResult',
    'Segment': 'MediaResult', 'VideoMontage': 'MediaResult', 'VideoProcess': 'MediaResult', 'VideoEnhance': 'MediaResult',
    'SuperResolution': 'MediaResult', 'SDRtoHDR': 'MediaResult', 'VoiceSeparate': 'MediaResult',
    'NoiseReduction': 'MediaResult', 'GeneratePlayList': 'MediaResult', 'DigitalWatermark': 'MediaResult',
    'VideoSynthesis': 'MediaResult', 'PosterProduction': 'MediaResult', 'Tts': 'MediaResult',
    'SegmentVideoBody': 'MediaResult', 'ExtractDigitalWatermark': None, 'QualityEstimate': 'QualityEstimate',
    'MediaInfo': 'MediaInfo', 'SplitVideoParts': 'SplitVideoInfoResult', 'DNA': 'DnaResult',
    'VocalScore': 'VocalScoreResult', 'VideoTag': 'VideoTagResult', 'Translation': 'AITranslateResult',
    'WordsGeneralize': 'WordsGeneralizeResult', 'SpeechRecognition': 'SpeechRecognitionResult',
    'VideoTargetRec': 'VideoTargetRecResult', 'SoundHound': 'SoundHoundResult', 'ImageOCR': 'Detection',
    'ImageInspect': 'ImageInspectResult', 'PicProcess': 'PicProcessResult', 'DocProcess': 'DocProcessResult',
}


def trees(path, tag, numbers=range(1, 13), success=True, seed=0):
    """(Input, Operation) of jobs 1..12 of one kind."""
    build = job_kinds.builder_for(tag, path)
    return [build(random.Random('%s-%d' % (seed, n)), CTX, n, success) for n in numbers]


def xml_of(tag, source, operation):
    """The served XML of a job with these trees, parsed back."""
    job = {'Code': 'Success', 'Message': '', 'JobId': 'j' + '0' * 32, 'State': 'Success', 'Tag': tag, 'QueueId': 'p' + '0' * 32,
           'CreationTime': '2024-06-03T09:00:00+0800', 'Input': source, 'Operation': operation}
    text = render_job(job).decode('utf-8')
    return text, ET.fromstring(text)


def test_job_lists_and_families():
    assert set(job_kinds.JOB_LISTS) == {'/jobs', '/pic_jobs', '/doc_jobs', '/asr_jobs'}
    assert job_kinds.JOB_LISTS['/pic_jobs'] == ('PicProcess',) and job_kinds.JOB_LISTS['/doc_jobs'] == ('DocProcess',)
    assert job_kinds.JOB_LISTS['/asr_jobs'] == ('SpeechRecognition',)
    assert set(job_kinds.AI_TAGS) <= set(job_kinds.JOB_LISTS['/jobs'])
    assert not set(job_kinds.AI_TAGS) & set(job_kinds.MEDIA_TAGS)
    assert len(job_kinds.JOB_LISTS['/jobs']) == len(set(job_kinds.JOB_LISTS['/jobs'])) == 36
    for dropped in ('TranscodePro', 'HighSpeedHd'):  # template tags: their jobs are Transcode jobs
        assert dropped not in job_kinds.ALL_TAGS


@pytest.mark.parametrize('tag, job_list, queue_type', [
    ('Transcode', '/jobs', 'media'), ('VideoTag', 'jobs', 'media'), ('Translation', '/jobs', 'ai'),
    ('SpeechRecognition', '/jobs', 'ai'), ('SpeechRecognition', 'asr_jobs', 'speech'), ('PicProcess', '/pic_jobs', 'picture'),
    ('DocProcess', 'doc_jobs', 'document'),
])
def test_queue_type_for(tag, job_list, queue_type):
    assert job_kinds.queue_type_for(tag, job_list) == queue_type


@pytest.mark.parametrize('tag, job_list, message', [
    ('PicProcess', '/jobs', "tag 'PicProcess' is not served by /jobs; allowed: Transcode, "),
    ('Transcode', 'asr_jobs', 'allowed: SpeechRecognition'),
    ('Transcode', '/file_jobs', "unknown job list '/file_jobs'; known: /asr_jobs, /doc_jobs, /jobs, /pic_jobs"),
])
def test_queue_type_for_refuses(tag, job_list, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        job_kinds.queue_type_for(tag, job_list)


def test_list_for_and_job_list_of():
    assert job_kinds.list_for('PicProcess') == '/pic_jobs' and job_kinds.list_for('DocProcess') == '/doc_jobs'
    assert job_kinds.list_for('SpeechRecognition') == '/jobs' and job_kinds.list_for('Snapshot') == '/jobs'
    assert job_kinds.job_list_of({'Tag': 'SpeechRecognition', '_JobList': '/asr_jobs'}) == '/asr_jobs'
    assert job_kinds.job_list_of({'Tag': 'DocProcess'}) == '/doc_jobs'
    with pytest.raises(ValueError, match="unknown tag 'Nope'"):
        job_kinds.list_for('Nope')


def test_every_listed_tag_has_a_builder_and_a_source_row():
    assert set(job_kinds.BUILDERS) == set(job_kinds.ALL_TAGS) == set(RESULT_OF)
    assert len(job_kinds.KINDS) == sum(len(tags) for tags in job_kinds.JOB_LISTS.values())
    rows = set(re.findall(r'^(/\w+)(?: \(AI\))? +(\w+) ', job_kinds.__doc__, re.M))
    assert rows == set(job_kinds.KINDS)
    ai_rows = set(re.findall(r'^/jobs \(AI\) +(\w+) ', job_kinds.__doc__, re.M))
    assert ai_rows == set(job_kinds.AI_TAGS)


@pytest.mark.parametrize('path, tag', job_kinds.KINDS)
def test_every_kind_builds_and_renders_well_formed(path, tag):
    result = RESULT_OF[tag]
    for success in (True, False):
        for source, operation in trees(path, tag, success=success):
            assert isinstance(source, dict) and isinstance(operation, dict) and source
            if result:
                assert (result in operation) == success
            text, root = xml_of(tag, source, operation)
            assert root.tag == 'JobsDetail' and root.findtext('Tag') == tag
            assert root.find('Operation') is not None and not text.startswith('<?xml')


def _siblings(path, tag, spec, numbers=range(1, 13)):
    """``spec`` ``Parent/Child``: how many ``Child`` elements each ``Parent`` holding some has, over jobs 1..12."""
    parent_tag, child = spec.split('/')
    counts = []
    for source, operation in trees(path, tag, numbers):
        root = xml_of(tag, source, operation)[1]
        parents = root.iter() if parent_tag == '*' else root.iter(parent_tag)
        counts.extend(n for n in (len(parent.findall(child)) for parent in parents) if n)
    return counts


@pytest.mark.parametrize('path, tag, spec', [
    ('/jobs', 'Transcode', 'Operation/WatermarkTemplateId'), ('/jobs', 'Concat', 'ConcatTemplate/ConcatFragment'),
    ('/jobs', 'Snapshot', 'OutputFile/ObjectName'), ('/jobs', 'Snapshot', 'OutputFile/Md5Info'),
    ('/jobs', 'Watermark', 'Operation/Watermark'), ('/jobs', 'StreamExtract', 'Output/StreamExtract'),
    ('/doc_jobs', 'DocProcess', 'DocProcessResult/PageInfo'), ('/pic_jobs', 'PicProcess', 'ProcessResults/Object'),
    ('/jobs', 'ImageOCR', 'Detection/TextDetections'), ('/jobs', 'DNA', 'Detection/MatchDetail'),
    ('/jobs', 'SplitVideoParts', 'SplitVideoInfoResult/TimeInfo'), ('/jobs', 'VocalScore', 'PitchScore/SentenceScores'),
    ('/jobs', 'QualityEstimate', 'DetailedResult/Items'), ('/jobs', 'QualityEstimate', 'VqaPlusResult/DetailedResult'),
    ('/jobs', 'VideoTargetRec', 'BodyRecognition/BodyInfo'), ('/jobs', 'VideoTargetRec', 'VideoTargetRecResult/PetRecognition'),
    ('/jobs', 'FillConcat', 'FillConcat/FillInput'), ('/jobs', 'SpeechRecognition', 'SpeechRecognitionResult/ResultDetail'),
    ('/jobs', 'VideoTag', 'Data/Tags'),
])
def test_repeated_elements_repeat_in_some_jobs_and_appear_once_in_others(path, tag, spec):
    counts = _siblings(path, tag, spec)
    assert max(counts) >= 2 and 1 in counts, counts


@pytest.mark.parametrize('path, tag, spec', [
    ('/jobs', 'VideoSynthesis', 'VideoSynthesis/SpliceInfo'), ('/jobs', 'SmartCover', 'OutputFile/ObjectName'),
    ('/jobs', 'Segment', 'OutputFile/Md5Info'), ('/jobs', 'VoiceSeparate', 'OutputFile/ObjectName'),
    ('/jobs', 'WordsGeneralize', 'WordsGeneralizeResult/WordsGeneralizeToken'), ('/jobs', 'ImageOCR', 'TextDetections/Polygon'),
])
def test_elements_that_always_repeat(path, tag, spec):
    assert min(_siblings(path, tag, spec)) >= 2


def test_watermark_template_ids_absent_once_three_times_and_empty():
    seen = []
    for source, operation in trees('/jobs', 'Transcode', range(1, 5)):
        text, root = xml_of('Transcode', source, operation)
        found = root.find('Operation').findall('WatermarkTemplateId')
        seen.append((len(found), '<WatermarkTemplateId/>' in text))
    assert sorted(seen) == [(0, False), (1, False), (1, True), (3, False)]


@pytest.mark.parametrize('path, tag, empty', [
    ('/jobs', 'Transcode', '<Subtitle/>'), ('/jobs', 'Transcode', '<ObjectPrefix/>'), ('/jobs', 'Transcode', '<UserData/>'),
    ('/asr_jobs', 'SpeechRecognition', '<ResultDetail/>'), ('/doc_jobs', 'DocProcess', '<TaskId/>'),
    ('/doc_jobs', 'DocProcess', '<SrcType/>'), ('/doc_jobs', 'DocProcess', '<TgtType/>'), ('/jobs', 'SoundHound', '<SoundHoundResult/>'),
    ('/jobs', 'MediaInfo', '<Video/>'), ('/jobs', 'VideoTag', '<SubErrMsg/>'), ('/jobs', 'ImageOCR', '<Message/>'),
])
def test_empty_elements_appear(path, tag, empty):
    texts = [xml_of(tag, s, o)[0] for s, o in trees(path, tag)]
    assert any(empty in text for text in texts)
    assert '[None]' not in ''.join(texts)


def test_asr_results_carry_detail_flash_or_empty_detail():
    results = [o['SpeechRecognitionResult'] for s, o in trees('/asr_jobs', 'SpeechRecognition', range(1, 7))]
    assert [r['ResultDetail'] == '' for r in results] == [False, False, True] * 2
    assert all(r['ObjectName'] and r['DetailObjectName'].endswith('.detail') for r in results)
    flash = [r['FlashResult'][0] for r in results if 'FlashResult' in r]
    assert flash and flash[0]['sentence_list'][0]['word_list'][0]['word']


@pytest.mark.parametrize('path, tag', job_kinds.KINDS)
def test_deterministic_per_seed(path, tag):
    assert trees(path, tag, seed=1) == trees(path, tag, seed=1)
    assert trees(path, tag, seed=1) != trees(path, tag, seed=2)  # every tree draws some of its values


def test_media_results_name_the_outputs():
    for source, operation in trees('/jobs', 'Snapshot'):
        output = operation['MediaResult']['OutputFile']
        assert len(output['ObjectName']) == len(output['Md5Info']) == int(operation['Snapshot']['Count'])
        assert source['BucketId'] == output['Bucket'] == CTX.bucket
    for source, operation in trees('/jobs', 'StreamExtract'):
        names = [s['Object'] for s in operation['Output']['StreamExtract']]
        assert operation['MediaResult']['OutputFile']['ObjectName'] == names


def test_failures_are_documented_shapes():
    rng = random.Random(3)
    assert job_kinds.failure_for(rng, 'Translation') in job_kinds.FAILURES
    assert job_kinds.failure_for(rng, 'Transcode') in job_kinds.MEDIA_FAILURES
    assert all(code and message for code, message in job_kinds.FAILURES + job_kinds.MEDIA_FAILURES)


def test_job_kinds_imports_only_the_standard_library():
    with open(os.path.join(HERE, 'job_kinds.py'), encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or '').split('.')[0])
    assert names <= {'__future__'}, names
    assert 'plugins' not in sys.modules.get('job_kinds').__dict__
