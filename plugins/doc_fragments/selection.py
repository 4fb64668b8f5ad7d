# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    """The job list, the filters of C(GET /<job_list>) and the page controls, shared by the module and the lookup.

    The argument spec of the same options is ``plugins/module_utils/_options.py`` ``SELECTION_ARGSPEC``.
    """

    DOCUMENTATION = r'''
options:
  job_list:
    description:
      - The job list to read. A listing is C(GET /<job_list>); jobs by id are C(GET /<job_list>/<ids>).
      - V(jobs) holds media processing jobs (such as C(Transcode), C(Snapshot), C(Concat)) and AI jobs (such as
        C(Translation), C(SpeechRecognition), C(WordsGeneralize)); V(pic_jobs) holds image processing jobs
        (C(PicProcess)), V(doc_jobs) document processing jobs (C(DocProcess)), V(asr_jobs) speech recognition
        jobs (C(SpeechRecognition), the older list).
      - When not set, the list follows O(tag) (V(PicProcess) reads V(pic_jobs), V(DocProcess) reads V(doc_jobs),
        any other tag V(jobs)); jobs by id without it are read from V(jobs).
      - A O(tag) that the chosen list does not hold is refused, naming the tags it holds.
      - "Jobs by id from V(jobs): ids that C(GET /jobs/<ids>) does not know are asked once more at
        C(GET /ai_jobs/<ids>), the route Tencent documents for reading content recognition (AI) jobs, and only the
        ids neither route knows are missing. When that second request fails, the ids stay missing and a warning
        says why."
    type: str
    choices: [jobs, pic_jobs, doc_jobs, asr_jobs]
    version_added: 1.1.0
  queue_id:
    description:
      - List the jobs of this queue (API C(queueId)). Required, with O(tag), to list jobs.
    type: str
  tag:
    description:
      - List jobs of this type (API C(tag)). Required, with O(queue_id), to list jobs.
      - The tags of O(job_list=jobs) are C(Animation), C(Concat), C(DNA), C(DigitalWatermark),
        C(ExtractDigitalWatermark), C(FillConcat), C(GeneratePlayList), C(ImageInspect), C(ImageOCR), C(MediaInfo),
        C(NoiseReduction), C(PosterProduction), C(QualityEstimate), C(SDRtoHDR), C(Segment), C(SegmentVideoBody),
        C(SmartCover), C(Snapshot), C(SoundHound), C(SpeechRecognition), C(SplitVideoParts), C(StreamExtract),
        C(SuperResolution), C(Transcode), C(Translation), C(Tts), C(VideoEnhance), C(VideoMontage), C(VideoProcess),
        C(VideoSynthesis), C(VideoTag), C(VideoTargetRec), C(VocalScore), C(VoiceSeparate), C(Watermark) and
        C(WordsGeneralize); of O(job_list=pic_jobs) C(PicProcess); of O(job_list=doc_jobs) C(DocProcess); of
        O(job_list=asr_jobs) C(SpeechRecognition).
      - Before 1.1.0 only C(Translation), C(SpeechRecognition) and C(WordsGeneralize) were accepted.
    type: str
    choices: [Animation, Concat, DNA, DigitalWatermark, DocProcess, ExtractDigitalWatermark, FillConcat,
              GeneratePlayList, ImageInspect, ImageOCR, MediaInfo, NoiseReduction, PicProcess, PosterProduction,
              QualityEstimate, SDRtoHDR, Segment, SegmentVideoBody, SmartCover, Snapshot, SoundHound,
              SpeechRecognition, SplitVideoParts, StreamExtract, SuperResolution, Transcode, Translation, Tts,
              VideoEnhance, VideoMontage, VideoProcess, VideoSynthesis, VideoTag, VideoTargetRec, VocalScore,
              VoiceSeparate, Watermark, WordsGeneralize]
  states:
    description:
      - List only jobs in these states (API C(states)). V(All), or no value, means every state.
    type: list
    elements: str
    choices: [All, Submitted, Running, Success, Failed, Pause, Cancel]
  workflow_id:
    description:
      - List only jobs started by this workflow (API C(workflowId)).
    type: str
  inventory_trigger_job_id:
    description:
      - List only jobs started by this batch (inventory trigger) job (API C(inventoryTriggerJobId)).
    type: str
  input_object:
    description:
      - List only jobs whose input object key is exactly this (API C(inputObject)).
    type: str
  order_by_time:
    description:
      - Order by creation time, newest first (V(Desc), the service's default) or oldest first (V(Asc)).
    type: str
    choices: [Desc, Asc]
  start_creation_time:
    description:
      - List only jobs created after this time (API C(startCreationTime)).
      - Accepts the API's format V(2024-05-01T00:00:00+0800), ISO 8601 with an offset
        (V(2024-05-01T00:00:00Z), V(2024-05-01T00:00:00+08:00)), or an age such as V(30m), V(2h), V(7d), V(1w),
        meaning that long before now. A time without an offset is refused.
      - Tencent's documents disagree whether the bound is inclusive; do not rely on either.
    type: str
  end_creation_time:
    description:
      - List only jobs created before this time (API C(endCreationTime)). Same forms as O(start_creation_time).
    type: str
  page_size:
    description:
      - Jobs asked for per request (API C(size)), from 1 to 100. Every page is fetched either way;
        a larger page means fewer requests.
    type: int
    default: 100
  max_jobs:
    description:
      - Stop after this many jobs. By default every page is fetched.
      - When the cap stops the listing, the result says so (C(truncated)) with a warning.
    type: int
'''
