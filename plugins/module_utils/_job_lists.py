# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The CI job lists, the tags each one serves, and the queue type a job of each tag waits in.

Internal to this collection: the names may change in any release. Pure: it sends nothing.

A job list is a path: ``GET /<job_list>`` lists its jobs (``queueId``, ``tag`` and the other filters,
the ``<Response><JobsDetail>...<NextToken>`` envelope) and ``GET /<job_list>/<id,id,...>`` reads jobs by id.

Every tag below was checked against Tencent's documents and official SDKs; a tag that could not be
confirmed as a job tag was left out. Sources:

* DOCS = tencentyun/intlcloud-documents, commit 708197e5e97804e40c4f7e951b239a88ff94867d, under
  ``yehe_doc/基础存储服务/数据万象/API 文档/任务与工作流/任务接口/``;
* GOSDK = tencentyun/cos-go-sdk-v5, commit cc9846d9e7f6c43e23e79884174230f0bd7c9b9f;
* PYSDK = tencentyun/cos-python-sdk-v5, commit cc3bdf0a2460f17f007abaf20c2cc256820252b3.

======================  =========  ==================================================================
tag                     list       source
======================  =========  ==================================================================
Transcode, Animation,   jobs       DOCS ``媒体处理/查询媒体处理任务/DescribeMediaJobs_intl_zh.md``: the
Snapshot, SmartCover,              tag table of ``GET /jobs`` (these 19 tags), https://www.tencentcloud.com
Concat, VoiceSeparate,             /document/product/1045/50356; each also submitted at ``POST /jobs``
VideoMontage, SDRtoHDR,            in GOSDK ``example/CI/workflow_and_job/jobs.go`` or PYSDK
VideoProcess,                      ``demo/ci_media.py`` (``ci_create_media_jobs``), except VideoProcess
SuperResolution,                   and SuperResolution (GOSDK ``ci_media_test.go`` 1814, 2079) and
Segment,                           SDRtoHDR (PYSDK ``demo/ci_media.py`` 765)
DigitalWatermark,
ExtractDigitalWatermark,
VideoTag, MediaInfo,
StreamExtract,
QualityEstimate, Tts,
NoiseReduction
VideoEnhance            jobs       GOSDK ``example/CI/workflow_and_job/jobs.go`` 130 and
                                   ``ci_media_test.go`` 2613: ``CreateJob``/``CreateMediaJobs``,
                                   ``POST /jobs`` (``ci_media.go`` 3757, 981)
Watermark               jobs       GOSDK ``example/CI/workflow_and_job/jobs.go`` 343 (``POST /jobs``)
SplitVideoParts         jobs       GOSDK ``example/CI/workflow_and_job/jobs.go`` 718 (``POST /jobs``)
FillConcat              jobs       GOSDK ``example/CI/workflow_and_job/jobs.go`` 973 (``POST /jobs``)
VideoSynthesis          jobs       GOSDK ``example/CI/workflow_and_job/jobs.go`` 1020 (``POST /jobs``)
VocalScore              jobs       GOSDK ``example/CI/workflow_and_job/jobs.go`` 1057 (``POST /jobs``)
GeneratePlayList        jobs       GOSDK ``ci_media.go`` 4352 ``CreateMultiGeneratePlayListJobs``
                                   (``POST /jobs``), ``example/CI/workflow_and_job/jobs.go`` 1122
DNA                     jobs       GOSDK ``example/CI/workflow_and_job/dna.go`` 34 (``CreateJob``, ``POST /jobs``)
PosterProduction        jobs       GOSDK ``example/CI/workflow_and_job/poster.go`` 138 (``CreateJob``,
                                   ``POST /jobs``)
Translation,            jobs       DOCS ``AI 内容识别/查询内容识别任务/批量拉取内容识别任务_intl_zh.md``
SpeechRecognition,      (AI)       (``GET /jobs`` tag table), https://www.tencentcloud.com/document
WordsGeneralize                    /product/1045/50305; GOSDK ``example/CI/workflow_and_job/jobs.go``
                                   633, 863, 664 (``POST /jobs``)
VideoTargetRec          jobs (AI)  DOCS page "submit a video object detection job" (``POST /jobs``,
                                   tag VideoTargetRec); GOSDK ``jobs.go`` 692; PYSDK
                                   ``demo/ci_media.py`` 1340
SegmentVideoBody        jobs (AI)  GOSDK ``jobs.go`` 740; PYSDK ``demo/ci_media.py`` 1273
SoundHound              jobs (AI)  GOSDK ``jobs.go`` 791; PYSDK ``demo/ci_media.py`` 2009
ImageInspect            jobs (AI)  GOSDK ``jobs.go`` 1077; PYSDK ``demo/ci_media.py`` 1840, ``ut/test.py``
                                   4480
ImageOCR                jobs (AI)  GOSDK ``jobs.go`` 1091 (``POST /jobs``)
PicProcess              pic_jobs   PYSDK ``qcloud_cos/cos_client.py`` ``ci_list_media_pic_jobs``
                                   (``GET /pic_jobs``, 7841) and ``ci_get_media_pic_jobs``
                                   (``/pic_jobs/<ids>``, 7788); GOSDK ``ci_media.go`` 1049
                                   ``DescribePicProcessJob``; DOCS ``图片处理/查询图片处理任务/
                                   DescribePicJobs_intl_en.md``
DocProcess              doc_jobs   PYSDK ``cos_client.py`` ``ci_list_doc_jobs`` (``GET /doc_jobs``,
                                   ``tag=DocProcess``, 8854); GOSDK ``ci_doc.go`` 181
                                   ``DescribeDocProcessJobs``, 151 ``/doc_jobs/<id>``
SpeechRecognition       asr_jobs   PYSDK ``cos_client.py`` ``ci_list_asr_jobs`` (``GET /asr_jobs``,
                                   ``tag=SpeechRecognition``, 9585); GOSDK ``ci_media.go`` 2356
                                   ``DescribeMultiASRJob`` (``/asr_jobs/<id,id>``), ``ci_media_test.go``
                                   1213
======================  =========  ==================================================================

Listing is documented (``GET /jobs`` tag tables) only for the 22 tags of the two DOCS pages above; for the tags
confirmed by an SDK alone, what is confirmed is that they are jobs of ``POST /jobs``, whose jobs ``GET /jobs``
lists by tag (DescribeMediaJobs: "JobsDetail ... same as CreateMediaJobs").

Left out (not confirmed as job tags): ``TranscodePro`` and ``HighSpeedHd`` appear only as template tags
(GOSDK ``ci_media_test.go`` 2259 ``POST /template``; PYSDK ``demo/ci_template.py`` 540, 1544).

Queue types: a job of an AI tag in ``/jobs`` waits in an AI queue (``GET /ai_queue``), any other tag of
``/jobs`` in a media queue (``GET /queue``); ``asr_jobs`` in a speech queue, ``doc_jobs`` in a document
queue, ``pic_jobs`` in a picture queue. Which queue type the tags marked (AI) above run in beyond the
three content-recognition tags of the AI listing page is not documented (issue 14 groups them as AI).
"""

from __future__ import annotations

DEFAULT_JOB_LIST = 'jobs'
JOB_LISTS = ('jobs', 'pic_jobs', 'doc_jobs', 'asr_jobs')

# The three tags of 1.0.0: with them and no job_list, the collection behaves exactly as 1.0.0 did.
LEGACY_TAGS = ('Translation', 'SpeechRecognition', 'WordsGeneralize')
AI_TAGS = LEGACY_TAGS + ('VideoTargetRec', 'SegmentVideoBody', 'SoundHound', 'ImageInspect', 'ImageOCR')
MEDIA_TAGS = (
    'Transcode', 'Animation', 'Snapshot', 'SmartCover', 'Concat', 'VoiceSeparate', 'VideoMontage', 'SDRtoHDR',
    'VideoProcess', 'SuperResolution', 'Segment', 'DigitalWatermark', 'ExtractDigitalWatermark', 'VideoTag',
    'MediaInfo', 'StreamExtract', 'QualityEstimate', 'Tts', 'NoiseReduction', 'VideoEnhance', 'Watermark',
    'SplitVideoParts', 'FillConcat', 'VideoSynthesis', 'VocalScore', 'GeneratePlayList', 'DNA', 'PosterProduction',
)
TAGS_BY_LIST = {
    'jobs': MEDIA_TAGS + AI_TAGS,
    'pic_jobs': ('PicProcess',),
    'doc_jobs': ('DocProcess',),
    'asr_jobs': ('SpeechRecognition',),
}
ALL_TAGS = tuple(sorted(set(tag for tags in TAGS_BY_LIST.values() for tag in tags)))

# The list a tag is read from when no job_list is given.
_LIST_OF_TAG = {'PicProcess': 'pic_jobs', 'DocProcess': 'doc_jobs'}
_QUEUE_TYPE_OF_LIST = {'pic_jobs': 'picture', 'doc_jobs': 'document', 'asr_jobs': 'speech'}


def job_list_for(job_list, tag):
    """The job list to read: ``job_list`` when given, else the one that serves ``tag`` (``jobs`` by default)."""
    if job_list:
        return job_list
    return _LIST_OF_TAG.get(tag, DEFAULT_JOB_LIST)


def queue_type_for(job_list, tag):
    """The queue type (``_queues.QUEUE_TYPES`` key) of a job of ``tag`` read from ``job_list``."""
    chosen = job_list_for(job_list, tag)
    if chosen in _QUEUE_TYPE_OF_LIST:
        return _QUEUE_TYPE_OF_LIST[chosen]
    return 'ai' if tag in AI_TAGS else 'media'
