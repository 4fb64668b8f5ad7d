# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which job list serves which tag, and which queue type a job's queue has.

The job lists (``GET /<list>`` and ``GET /<list>/<ids>``) and the tags each serves come from
``job_kinds.JOB_LISTS`` (path -> tuple of tags). ``GET /ai_jobs/<ids>`` (Go SDK ``DescribeAIJob``)
serves the AI tags of ``/jobs``; ``GET /ai_jobs`` also lists them (documented only on one page,
AI-LIST-ALT in ci-api.md section 1.3).
"""

try:
    from job_kinds import JOB_LISTS as _KINDS
except ImportError:  # FALLBACK until helper "emudata" delivers job_kinds.py; removed at the merge
    _MEDIA = ('Transcode', 'Animation', 'Snapshot', 'SmartCover', 'Concat', 'Segment', 'VideoMontage', 'VideoProcess',
              'VoiceSeparate', 'StreamExtract', 'DigitalWatermark', 'ExtractDigitalWatermark', 'SuperResolution',
              'VideoEnhance', 'QualityEstimate', 'MediaInfo')
    _AI = ('Translation', 'SpeechRecognition', 'WordsGeneralize', 'VideoTag', 'SegmentVideoBody')
    _KINDS = {'/jobs': _MEDIA + _AI, '/ai_jobs': _AI, '/pic_jobs': ('PicProcess',), '/doc_jobs': ('DocProcess',),
              '/asr_jobs': ('SpeechRecognition',)}

# the AI tags of /jobs: their queues are AI queues (GET /ai_queue) and /ai_jobs/<ids> serves them
AI_TAGS = frozenset(_KINDS.get('/ai_jobs', ()))

# list name (no slash) -> frozenset of tags it serves
LIST_TAGS = {path.strip('/'): frozenset(tags) for path, tags in _KINDS.items()}
LIST_TAGS.setdefault('ai_jobs', AI_TAGS)

# queue type -> path of its queue list (Go SDK ci_media.go DescribeMediaProcessQueues,
# DescribeAIProcessQueues, DescribeASRProcessQueues, DescribePicProcessQueues; ci_doc.go /docqueue)
QUEUE_PATHS = {'media': '/queue', 'ai': '/ai_queue', 'speech': '/asrqueue', 'document': '/docqueue', 'picture': '/picqueue'}
QUEUE_TYPE_OF_PATH = {path: kind for kind, path in QUEUE_PATHS.items()}


def tags_served(list_name):
    """The tags that ``GET /<list_name>`` lists and its by-id route serves (None: no such list)."""
    return LIST_TAGS.get(list_name)


def serves_by_id(list_name, tag):
    """Whether ``GET /<list_name>/<id>`` returns a job of ``tag``.

    ``/jobs`` also serves tags that no list claims (hand-written test data may use any tag).
    """
    tags = LIST_TAGS[list_name]
    if tag in tags:
        return True
    return list_name == 'jobs' and not any(tag in other for other in LIST_TAGS.values())


def queue_type_of(tag):
    """The queue type of a job's queue, from its tag (a job's ``_QueueType`` key overrides it)."""
    if tag in LIST_TAGS.get('pic_jobs', ()):
        return 'picture'
    if tag in LIST_TAGS.get('doc_jobs', ()):
        return 'document'
    if tag in AI_TAGS:
        return 'ai'
    return 'media'
