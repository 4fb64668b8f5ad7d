# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which CI job tag is listed where, and realistic job trees per tag, for the emulator.

Standard library only; imports nothing from ``plugins/`` (the emulator is the independent check
of the collection). ``ci_emulator.py`` imports ``JOB_LISTS``; ``gen_jobs.py`` imports the builders.

Sources (abbreviations used in the table and in the builders' comments):

* GOSDK: tencentyun/cos-go-sdk-v5 at cc9846d9e7f6c43e23e79884174230f0bd7c9b9f:
  ``ci_media.go`` (``MediaProcessJobOperation`` and the result structs; routes ``/jobs``,
  ``/pic_jobs``, ``/ai_jobs``, ``/asr_jobs``), ``ci_doc.go`` (``/doc_jobs``), ``ci_media_test.go``,
  ``ci_doc_test.go``, ``example/CI/workflow_and_job/{jobs,dna,poster}.go`` (``CreateJob`` with
  ``Tag: "..."``).
* PYSDK: tencentyun/cos-python-sdk-v5 at cc3bdf0a2460f17f007abaf20c2cc256820252b3:
  ``demo/ci_media.py`` (``'Tag': '...'`` of created jobs), ``qcloud_cos/cos_client.py``
  (``ci_list_media_jobs`` path ``/jobs``, ``ci_list_media_pic_jobs`` ``/pic_jobs``,
  ``ci_list_doc_jobs`` ``/doc_jobs``, ``ci_get_asr_job`` ``/asr_jobs``).
* DOCS-LIST: tencentyun/intlcloud-documents at 708197e5e97804e40c4f7e951b239a88ff94867d,
  ``yehe_doc/基础存储服务/数据万象/API 文档/任务与工作流/任务接口/媒体处理/查询媒体处理任务/DescribeMediaJobs_intl_zh.md``
  (the ``tag`` table of ``GET /jobs``; also summarised in ci-api.md §3.5).
* DOCS-HSHD: same repository and commit, ``.../媒体处理/媒体处理任务回调/极速高清转码_intl_en.md``:
  a HighSpeedHd (top speed codec) job is reported with ``<Tag>Transcode</Tag>``.

Tag table (list, tag, sources). "issue" = named in issue 14's list.

=========== ======================== ==========================================================
list        tag                      sources
=========== ======================== ==========================================================
/jobs       Transcode                DOCS-LIST, GOSDK jobs.go + ci_media_test.go, PYSDK demo
/jobs       Animation                DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       Snapshot                 DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       SmartCover               DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       Concat                   DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       FillConcat               GOSDK jobs.go (``FillConcat`` operation struct)
/jobs       Segment                  DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       VideoMontage             DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       VideoProcess             DOCS-LIST, GOSDK ci_media_test.go, PYSDK demo
/jobs       VideoEnhance             GOSDK jobs.go + ci_media_test.go (LIST-2025 of ci-api.md)
/jobs       SuperResolution          DOCS-LIST, GOSDK ci_media_test.go, PYSDK demo
/jobs       SDRtoHDR                 DOCS-LIST, PYSDK demo, GOSDK struct (not in issue 14's list)
/jobs       VoiceSeparate            DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       NoiseReduction           DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       StreamExtract            DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       GeneratePlayList         GOSDK jobs.go + ci_media_test.go
/jobs       DigitalWatermark         DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       ExtractDigitalWatermark  DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       Watermark                GOSDK jobs.go (``CreateJob`` with ``Watermark[]``)
/jobs       QualityEstimate          DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       MediaInfo                DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       SplitVideoParts          GOSDK jobs.go (``SplitVideoInfoResult``)
/jobs       VideoSynthesis           GOSDK jobs.go
/jobs       PosterProduction         GOSDK poster.go (``CreateJob``)
/jobs       DNA                      GOSDK dna.go (``CreateJob``, ``DnaConfig``/``DnaResult``)
/jobs       VocalScore               GOSDK jobs.go (``VocalScoreResult``)
/jobs       Tts                      DOCS-LIST, GOSDK jobs.go, PYSDK demo
/jobs       VideoTag                 DOCS-LIST (a media tag there), GOSDK jobs.go, PYSDK demo
/jobs (AI)  Translation              ci-api.md §3.2, GOSDK CreateAIJobs test + jobs.go, PYSDK demo
/jobs (AI)  WordsGeneralize          ci-api.md §3.4, GOSDK jobs.go, PYSDK demo
/jobs (AI)  SpeechRecognition        ci-api.md §3.3, GOSDK jobs.go + ci_media_test.go
/jobs (AI)  VideoTargetRec           GOSDK jobs.go, PYSDK demo, DOCS submit page (``POST /jobs``)
/jobs (AI)  SegmentVideoBody         GOSDK jobs.go, PYSDK demo
/jobs (AI)  SoundHound               GOSDK jobs.go (``SoundHoundResult``), PYSDK demo
/jobs (AI)  ImageOCR                 GOSDK jobs.go + ci_media_test.go
/jobs (AI)  ImageInspect             GOSDK jobs.go, PYSDK demo (``ImageInspectResult``)
/pic_jobs   PicProcess               GOSDK CreatePicProcessJobs/DescribePicProcessJob, PYSDK
/doc_jobs   DocProcess               GOSDK ci_doc.go + ci_doc_test.go, PYSDK ci_list_doc_jobs
/asr_jobs   SpeechRecognition        GOSDK ``/asr_jobs`` (DescribeMultiASRJob), PYSDK ci_get_asr_job
=========== ======================== ==========================================================

Dropped from issue 14's list: ``TranscodePro`` and ``HighSpeedHd`` are template tags only
(GOSDK ``CreateMediaTranscodeProTemplateOptions``, example ``template.go``; DOCS-HSHD shows the
job itself as ``Transcode``). Which AI tags the real ``GET /ai_jobs/<id>`` serves beyond
Translation (GOSDK ``CreateAIJobs`` test) is not documented; ``AI_TAGS`` follows issue 14's
grouping, except ``VideoTag``, which DOCS-LIST lists as a media tag.
"""

from __future__ import annotations

MEDIA_TAGS = (
    'Transcode', 'Animation', 'Snapshot', 'SmartCover', 'Concat', 'FillConcat', 'Segment', 'VideoMontage',
    'VideoProcess', 'VideoEnhance', 'SuperResolution', 'SDRtoHDR', 'VoiceSeparate', 'NoiseReduction',
    'StreamExtract', 'GeneratePlayList', 'DigitalWatermark', 'ExtractDigitalWatermark', 'Watermark',
    'QualityEstimate', 'MediaInfo', 'SplitVideoParts', 'VideoSynthesis', 'PosterProduction', 'DNA', 'VocalScore',
    'Tts', 'VideoTag',
)
AI_TAGS = (
    'Translation', 'WordsGeneralize', 'SpeechRecognition', 'VideoTargetRec', 'SegmentVideoBody', 'SoundHound',
    'ImageOCR', 'ImageInspect',
)
JOB_LISTS = {
    '/jobs': MEDIA_TAGS + AI_TAGS,
    '/pic_jobs': ('PicProcess',),
    '/doc_jobs': ('DocProcess',),
    '/asr_jobs': ('SpeechRecognition',),
}
QUEUE_TYPE_OF_LIST = {'/pic_jobs': 'picture', '/doc_jobs': 'document', '/asr_jobs': 'speech'}
ALL_TAGS = tuple(sorted(set(tag for tags in JOB_LISTS.values() for tag in tags)))


def queue_type_for(tag, job_list='/jobs'):
    """Queue type (``media``, ``ai``, ``speech``, ``document``, ``picture``) of ``tag`` in ``job_list``.

    ``job_list`` may be given with or without its leading slash. A ``SpeechRecognition`` job listed
    at ``/jobs`` runs in an AI queue, one listed at ``/asr_jobs`` in a speech queue.
    """
    path = job_list if job_list.startswith('/') else '/' + job_list
    tags = JOB_LISTS.get(path)
    if tags is None:
        raise ValueError('unknown job list %r; known: %s' % (job_list, ', '.join(sorted(JOB_LISTS))))
    if tag not in tags:
        raise ValueError('tag %r is not served by %s; allowed: %s' % (tag, path, ', '.join(tags)))
    if path in QUEUE_TYPE_OF_LIST:
        return QUEUE_TYPE_OF_LIST[path]
    return 'ai' if tag in AI_TAGS else 'media'


def list_for(tag):
    """The job list path that lists ``tag`` by default (``/jobs`` for everything but PicProcess and DocProcess)."""
    for path in ('/pic_jobs', '/doc_jobs', '/jobs'):
        if tag in JOB_LISTS[path]:
            return path
    raise ValueError('unknown tag %r; known: %s' % (tag, ', '.join(ALL_TAGS)))
