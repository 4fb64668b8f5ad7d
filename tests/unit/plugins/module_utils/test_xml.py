# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The XML normalizer on the three tags' schemas (ci-api.md 3), one element and many."""

from __future__ import annotations

import pytest

pytest.importorskip('xmltodict')

from ansible_collections.qcloud.ci.plugins.module_utils import _xml  # noqa: E402 pylint: disable=wrong-import-position

TRANSLATION = b'''<Response><JobsDetail>
  <Code>Success</Code><Message/><JobId>a8d121820f5e411ec926ef19d53ba9c6f</JobId><Tag>Translation</Tag>
  <State>Success</State><CreationTime>2022-07-07T12:12:12+0800</CreationTime>
  <StartTime>2022-07-07T12:12:13+0800</StartTime><EndTime>2022-07-07T12:12:20+0800</EndTime>
  <QueueId>p893bcda225bf4945a378da6662e81a89</QueueId>
  <Input><Object>docs/readme.docx</Object><Lang>en</Lang><Type>docx</Type><BasicType/></Input>
  <Operation><Translation><Lang>zh</Lang><Type>docx</Type></Translation>
    <Output><Region>ap-guangzhou</Region><Bucket>examplebucket-1250000000</Bucket><Object>out/readme.docx</Object></Output>
    <UserData>ticket-42</UserData><JobLevel>0</JobLevel><AITranslateResult><Result>translated</Result></AITranslateResult>
  </Operation>
  <Workflow><RunId>r1</RunId><WorkflowId>w5f1a</WorkflowId><WorkflowName>nightly</WorkflowName><Name>Translation_1</Name></Workflow>
</JobsDetail><NextToken>225508</NextToken></Response>'''

SPEECH = u'''<Response><JobsDetail>
  <Code>Success</Code><Message>Success</Message><JobId>s58ccb2bc9ae411ed8c7e525400e13a2a</JobId>
  <Tag>SpeechRecognition</Tag><State>Success</State><CreationTime>2022-12-01T10:00:00+0800</CreationTime>
  <StartTime>2022-12-01T10:00:01+0800</StartTime><EndTime>2022-12-01T10:00:30+0800</EndTime><QueueId>p2</QueueId>
  <Input><BucketId>examplebucket-1250000000</BucketId><Object>a.mp3</Object><Region>ap-guangzhou</Region>
    <CosHeaders><Key>x-cos-meta-a</Key><Value>1</Value></CosHeaders></Input>
  <Operation>
    <SpeechRecognition><EngineModelType>16k_zh</EngineModelType><ChannelNum>1</ChannelNum><ResTextFormat>1</ResTextFormat></SpeechRecognition>
    <SpeechRecognitionResult><AudioTime>19.7124</AudioTime><Result>[0:3.320,0:19.712]  \u4f60\u597d</Result>
      <ResultDetail><FinalSentence>\u4f60\u597d</FinalSentence><StartMs>0</StartMs><EndMs>1000</EndMs><WordsNum>1</WordsNum>
        <Words><Word>\u4f60\u597d</Word><OffsetStartMs>0</OffsetStartMs><OffsetEndMs>800</OffsetEndMs></Words></ResultDetail>
      <FlashResult><channel_id>0</channel_id><text>hi there</text>
        <sentence_list><text>hi there</text><start_time>0</start_time><end_time>900</end_time><speaker_id>0</speaker_id>
          <word_list><word>hi</word><start_time>0</start_time><end_time>400</end_time></word_list>
          <word_list><word>there</word><start_time>400</start_time><end_time>900</end_time></word_list>
        </sentence_list></FlashResult>
    </SpeechRecognitionResult>
  </Operation></JobsDetail></Response>'''.encode('utf-8')

WORDS = b'''<Response>
<JobsDetail><Code>Success</Code><Message/><JobId>a1</JobId><Tag>WordsGeneralize</Tag><State>Success</State>
  <CreationTime>2022-12-01T10:00:00+0800</CreationTime><StartTime>-</StartTime><EndTime>-</EndTime><QueueId>p3</QueueId>
  <Input><Object>t.txt</Object></Input>
  <Operation><WordsGeneralize><NerMethod>DL</NerMethod><SegMethod>MIX</SegMethod></WordsGeneralize>
    <WordsGeneralizeResult>
      <WordsGeneralizeLable><Category>Person</Category><Word>Li</Word></WordsGeneralizeLable>
      <WordsGeneralizeToken><Word>Li</Word><Offset>0</Offset><Length>2</Length><Pos>nr</Pos></WordsGeneralizeToken>
    </WordsGeneralizeResult></Operation>
  <InventoryTriggerJobId>b7e2</InventoryTriggerJobId></JobsDetail>
<JobsDetail><Code>InvalidInput</Code><Message>unsupported file</Message><JobId>a2</JobId><Tag>WordsGeneralize</Tag>
  <State>Failed</State><CreationTime>2022-12-01T10:00:00+0800</CreationTime><StartTime>-</StartTime><EndTime>-</EndTime>
  <QueueId>p3</QueueId><Input><Object>t.bin</Object></Input></JobsDetail>
<NextToken></NextToken></Response>'''


def test_translation_job_is_snake_cased_with_api_names_kept():
    page = _xml.parse(TRANSLATION, 'Response')
    assert page['next_token'] == '225508'
    (job,) = page['jobs_detail']
    assert job['job_id'] == 'a8d121820f5e411ec926ef19d53ba9c6f'
    assert job['message'] is None
    assert job['input'] == {'object': 'docs/readme.docx', 'lang': 'en', 'type': 'docx', 'basic_type': None}
    assert job['operation']['ai_translate_result'] == {'result': 'translated'}
    assert job['operation']['output']['bucket'] == 'examplebucket-1250000000'
    assert job['operation']['user_data'] == 'ticket-42'
    assert job['workflow'] == {'run_id': 'r1', 'workflow_id': 'w5f1a', 'workflow_name': 'nightly', 'name': 'Translation_1'}


def test_speech_recognition_repeated_elements_are_lists_even_when_single():
    (job,) = _xml.parse(SPEECH, 'Response')['jobs_detail']
    assert job['input']['cos_headers'] == [{'key': 'x-cos-meta-a', 'value': '1'}]
    result = job['operation']['speech_recognition_result']
    assert result['audio_time'] == '19.7124'
    # the Go SDK types SpeechRecognitionResult/Result as []string: a list, even when one came back
    assert result['result'] == [u'[0:3.320,0:19.712]  \u4f60\u597d']
    (detail,) = result['result_detail']
    assert detail['words'] == [{'word': u'\u4f60\u597d', 'offset_start_ms': '0', 'offset_end_ms': '800'}]
    (flash,) = result['flash_result']
    assert flash['channel_id'] == '0'
    (sentence,) = flash['sentence_list']
    assert [word['word'] for word in sentence['word_list']] == ['hi', 'there']


def test_words_generalize_and_dash_times():
    page = _xml.parse(WORDS, 'Response')
    assert page['next_token'] is None
    first, second = page['jobs_detail']
    assert (first['start_time'], first['end_time']) == (None, None)
    labels = first['operation']['words_generalize_result']['words_generalize_lable']
    tokens = first['operation']['words_generalize_result']['words_generalize_token']
    assert labels == [{'category': 'Person', 'word': 'Li'}]
    assert tokens == [{'word': 'Li', 'offset': '0', 'length': '2', 'pos': 'nr'}]
    assert first['inventory_trigger_job_id'] == 'b7e2'
    assert (second['state'], second['code'], second['message']) == ('Failed', 'InvalidInput', 'unsupported file')


def test_non_exist_job_ids_repeated_or_single():
    page = _xml.parse(b'<Response><NonExistJobIds>x1</NonExistJobIds><NonExistJobIds>x2</NonExistJobIds></Response>',
                      'Response')
    assert page == {'non_exist_job_ids': ['x1', 'x2']}
    assert _xml.parse(b'<Response><NonExistJobIds>x1</NonExistJobIds></Response>', 'Response') == {
        'non_exist_job_ids': ['x1']}


def test_dash_is_kept_outside_start_and_end_time():
    page = _xml.parse(b'<Response><JobsDetail><Message>-</Message><EndTime>-</EndTime></JobsDetail></Response>', 'Response')
    assert page['jobs_detail'] == [{'message': '-', 'end_time': None}]


@pytest.mark.parametrize('name, snake', [
    ('JobId', 'job_id'), ('AITranslateResult', 'ai_translate_result'), ('NonExistJobIds', 'non_exist_job_ids'),
    ('WordsGeneralizeLable', 'words_generalize_lable'), ('OffsetStartMs', 'offset_start_ms'), ('sentence_list', 'sentence_list'),
    ('BucketId', 'bucket_id'), ('Pos', 'pos'), ('InventoryTriggerJobId', 'inventory_trigger_job_id'),
])
def test_snake_case(name, snake):
    assert _xml.snake_case(name) == snake


def test_error_document():
    assert _xml.parse_error(b'<Error><Code>InvalidArgument</Code><Message>bad size</Message><RequestId>r</RequestId>'
                            b'<TraceId>t</TraceId></Error>') == {
        'code': 'InvalidArgument', 'message': 'bad size', 'request_id': 'r', 'trace_id': 't'}
    assert _xml.parse_error(b'<Error><Code>X</Code></Error>') == {
        'code': 'X', 'message': None, 'request_id': None, 'trace_id': None}


@pytest.mark.parametrize('body, reason', [
    (b'', 'empty'),
    (b'   \n', 'empty'),
    (b'<Response><JobsDetail>', 'not well-formed'),
    (b'<html><body>502 Bad Gateway</body></html>', 'root element is not <Response>'),
    (b'<Response>text</Response>', 'has no child elements'),
    (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response>&x;</Response>', 'entities'),
    (b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.2/x.dtd"> %p;]><Response/>', 'entities'),
])
def test_unusable_bodies(body, reason):
    with pytest.raises(_xml.XMLBodyError) as caught:
        _xml.parse(body, 'Response')
    assert reason in str(caught.value)


def test_billion_laughs_is_refused_without_expanding():
    entities = ''.join('<!ENTITY l%d "%s">' % (i, '&l%d;' % (i - 1) * 10) for i in range(1, 10))
    body = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">%s]><Response><a>&l9;</a></Response>' % entities).encode()
    with pytest.raises(_xml.XMLBodyError) as caught:
        _xml.parse(body, 'Response')
    assert 'entities' in str(caught.value)


# --- the three shapes of issue 14: empty elements, repeated fields, duplicated single fields ------
def _operation(inner):
    body = ('<Response><JobsDetail><JobId>j1</JobId><State>Success</State><Operation>%s</Operation>'
            '</JobsDetail></Response>' % inner).encode('utf-8')
    (job,) = _xml.parse(body, 'Response')['jobs_detail']
    return job['operation']


@pytest.mark.parametrize('inner, expected', [
    # a repeated element that is empty adds no item: [] (never [None])
    ('<SpeechRecognitionResult><ResultDetail/></SpeechRecognitionResult>', {'speech_recognition_result': {'result_detail': []}}),
    ('<SpeechRecognitionResult><ResultDetail></ResultDetail><ResultDetail><StartMs>1</StartMs></ResultDetail>'
     '</SpeechRecognitionResult>', {'speech_recognition_result': {'result_detail': [{'start_ms': '1'}]}}),
    ('<WatermarkTemplateId/>', {'watermark_template_id': []}),
    # a single field that is empty is None, also when it is a container elsewhere
    ('<MediaInfo><Format/><Stream><Subtitle/></Stream></MediaInfo>', {'media_info': {'format': None, 'stream': {'subtitle': None}}}),
    # repeated fields are lists even when one came back
    ('<WatermarkTemplateId>t1</WatermarkTemplateId>', {'watermark_template_id': ['t1']}),
    ('<WatermarkTemplateId>t1</WatermarkTemplateId><WatermarkTemplateId>t2</WatermarkTemplateId>',
     {'watermark_template_id': ['t1', 't2']}),
])
def test_empty_and_repeated_elements_have_one_type(inner, expected):
    assert _operation(inner) == expected


def test_a_name_is_a_list_only_under_the_parents_where_it_repeats():
    operation = _operation(
        '<MediaResult><OutputFile><ObjectName>0.jpg</ObjectName><Md5Info><Md5>m</Md5><ObjectName>0.jpg</ObjectName>'
        '</Md5Info></OutputFile></MediaResult><MediaInfo><Stream><Video><Index>0</Index></Video></Stream></MediaInfo>'
        '<Transcode><Video><Codec>H.264</Codec></Video></Transcode>')
    output_file = operation['media_result']['output_file']
    assert output_file['object_name'] == ['0.jpg']
    assert output_file['md5_info'] == [{'md5': 'm', 'object_name': '0.jpg'}]
    assert operation['media_info']['stream']['video'] == [{'index': '0'}]
    assert operation['transcode']['video'] == {'codec': 'H.264'}


@pytest.mark.parametrize('inner, value, duplicates', [
    ('<JobLevel>0</JobLevel><JobLevel>0</JobLevel>', '0', None),  # equal copies: one value, nothing else to keep
    ('<JobLevel>0</JobLevel><JobLevel>1</JobLevel><JobLevel>0</JobLevel><JobLevel>2</JobLevel>', '0', {'job_level': ['1', '2']}),
    ('<JobLevel/><JobLevel>1</JobLevel>', '1', None),  # the first NON-EMPTY occurrence wins
    ('<JobLevel/><JobLevel/>', None, None),
])
def test_a_single_field_sent_twice_stays_single_and_loses_no_value(inner, value, duplicates):
    operation = _operation(inner)
    assert operation['job_level'] == value
    assert operation.get('#duplicates') == duplicates


def test_a_repeated_container_that_should_be_single_keeps_the_others_aside():
    body = (b'<Response><JobsDetail><JobId>j1</JobId><Workflow><RunId>r1</RunId></Workflow>'
            b'<Workflow><RunId>r2</RunId></Workflow></JobsDetail></Response>')
    (job,) = _xml.parse(body, 'Response')['jobs_detail']
    assert job['workflow'] == {'run_id': 'r1'}
    assert job['#duplicates'] == {'workflow': [{'run_id': 'r2'}]}


def test_the_response_envelope_follows_the_same_rules():
    assert _xml.parse(b'<Response><JobsDetail/><NonExistJobIds/><NextToken/></Response>', 'Response') == {
        'jobs_detail': [], 'non_exist_job_ids': [], 'next_token': None}


@pytest.mark.parametrize('name, parent, repeated', [
    ('jobs_detail', 'response', True), ('words', 'result_detail', True), ('object_name', 'output_file', True),
    ('object_name', 'md5_info', False), ('object_name', 'speech_recognition_result', False),
    ('result', 'speech_recognition_result', True), ('result', 'ai_translate_result', False),
    ('video', 'stream', True), ('video', 'transcode', False), ('job_level', 'operation', False),
    ('workflow', 'jobs_detail', False),
])
def test_is_repeated(name, parent, repeated):
    assert _xml.is_repeated(name, parent) is repeated
    assert (name in _xml.REPEATED) is (name in _xml.REPEATED_UNDER and _xml.REPEATED_UNDER[name] is None)
