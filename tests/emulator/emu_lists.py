# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which job list serves which tag, which list a job belongs to, and which queue type its queue has.

The tags of each list (``GET /<list>`` and ``GET /<list>/<ids>``) come from ``job_kinds.JOB_LISTS``.
A job belongs to one list: its ``_JobList`` key (``/jobs``, ``/pic_jobs``, ``/doc_jobs``,
``/asr_jobs``; needed only for a tag two lists serve, ``SpeechRecognition``), else the list of its
tag (``job_kinds.list_for``); a tag no list serves (hand-written test data) belongs to ``/jobs``.
``GET /ai_jobs/<ids>`` (Go SDK ``DescribeAIJob``) serves the ``/jobs`` jobs of the AI tags;
``GET /ai_jobs`` also lists them (documented only on one page, AI-LIST-ALT in ci-api.md section 1.3).
"""

from emu_common import EmulatorError
from job_kinds import AI_TAGS, JOB_LISTS, list_for, queue_type_for

# list name (no slash) -> frozenset of the tags it lists
LIST_TAGS = {path.strip('/'): frozenset(tags) for path, tags in JOB_LISTS.items()}
LIST_TAGS['ai_jobs'] = frozenset(AI_TAGS)

# queue type -> path of its queue list (Go SDK ci_media.go DescribeMediaProcessQueues,
# DescribeAIProcessQueues, DescribeASRProcessQueues, DescribePicProcessQueues; ci_doc.go /docqueue)
QUEUE_PATHS = {'media': '/queue', 'ai': '/ai_queue', 'speech': '/asrqueue', 'document': '/docqueue', 'picture': '/picqueue'}
QUEUE_TYPE_OF_PATH = {path: kind for kind, path in QUEUE_PATHS.items()}


def home_list(tag, job_list=None):
    """The name of the list a job of ``tag`` belongs to (``job_list``: its ``_JobList`` key)."""
    if job_list is not None:
        if job_list not in JOB_LISTS or tag not in JOB_LISTS[job_list]:
            raise EmulatorError('_JobList must be a list that serves tag %s: %s'
                                % (tag, ', '.join(p for p, tags in JOB_LISTS.items() if tag in tags) or 'none does'))
        return job_list.strip('/')
    try:
        return list_for(tag).strip('/')
    except ValueError:
        return 'jobs'


def serves(list_name, home, tag):
    """Whether ``GET /<list_name>/<id>`` (and the list) returns a job of ``tag`` that belongs to ``home``."""
    if list_name == 'ai_jobs':
        return home == 'jobs' and tag in LIST_TAGS['ai_jobs']
    return home == list_name


def shelf_list(list_name):
    """The home list whose jobs ``GET /<list_name>`` lists."""
    return 'jobs' if list_name == 'ai_jobs' else list_name


def queue_type_of(home, tag):
    """The queue type of a job's queue (``job_kinds.queue_type_for``; ``media`` for a tag no list serves)."""
    try:
        return queue_type_for(tag, home)
    except ValueError:
        return 'media'
