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
/jobs       VideoProcess             DOCS-LIST, PYSDK demo (GOSDK tests only its template)
/jobs       VideoEnhance             GOSDK jobs.go ``InvokeVideoEnhanceJob`` (LIST-2025 of ci-api.md)
/jobs       SuperResolution          DOCS-LIST, PYSDK demo (GOSDK tests only its template)
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
/jobs (AI)  ImageInspect             GOSDK jobs.go, PYSDK demo (``ImageInspectResult``); zh 460/95980 ``POST /jobs``
/pic_jobs   PicProcess               DOCS DescribePicJobs, GOSDK CreatePicProcessJobs/DescribePicProcessJob, PYSDK
/doc_jobs   DocProcess               GOSDK ci_doc.go + ci_doc_test.go, PYSDK ci_list_doc_jobs
/asr_jobs   SpeechRecognition        GOSDK ``/asr_jobs`` (DescribeMultiASRJob), PYSDK ci_get_asr_job
=========== ======================== ==========================================================

Dropped from issue 14's list: ``TranscodePro`` and ``HighSpeedHd`` are template tags only
(GOSDK ``CreateMediaTranscodeProTemplateOptions``, example ``template.go``; DOCS-HSHD shows the
job itself as ``Transcode``). Which AI tags the real ``GET /ai_jobs/<id>`` serves beyond
Translation (GOSDK ``CreateAIJobs`` test) is not documented; ``AI_TAGS`` follows issue 14's
grouping, except ``VideoTag``, which DOCS-LIST lists as a media tag. Unconfirmed: GOSDK's
example ``InvokePicProcessJob`` submits a PicProcess job with ``CreateJob`` (``POST /jobs``);
whether ``GET /jobs`` then lists it is not documented, so PicProcess stays a ``/pic_jobs`` tag.
ImageInspect is billed as image processing (zh 460/95980): its queue type (``ai`` here) is a guess.
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


def job_list_of(job):
    """The list path that serves a job: its ``_JobList`` control key, else ``list_for(Tag)``."""
    return job.get('_JobList') or list_for(job['Tag'])


# ---------------------------------------------------------------------------------------------
# Job trees. A builder is ``builder(rng, ctx, number, success) -> (Input, Operation)`` where ``ctx``
# has ``bucket`` and ``region`` and ``success`` says whether the job has its result yet. Values are
# strings (the emulator renders "" as an empty element ``<X/>``), lists become repeated elements.
# Provenance is noted per builder: GOSDK struct names, DOCS examples (MEDIA-LIST = the response
# sample of DescribeMediaJobs_intl_zh.md; HSHD = DOCS-HSHD; PIC-LIST = the sample of
# ``.../图片处理/查询图片处理任务/DescribePicJobs_intl_en.md``; VTR = ``提交视频目标检测任务`` (en)
# page; DOC-SAMPLE = the DocProcess job samples Tencent publishes, e.g. ``<TaskId/>``,
# ``<SrcType/>``, repeated ``<PageInfo>`` with ``<X-SheetPics>``).
# ---------------------------------------------------------------------------------------------

FAILURES = (
    ('InvalidInput', 'the input file format is not supported'),
    ('InvalidInput', 'the input file is empty'),
    ('DownloadFailed', 'failed to download the input object'),
    ('InternalError', 'internal error, please retry'),
)
MEDIA_FAILURES = (
    ('InvalidInput', 'the input file has no video stream'),
    ('DownloadFailed', 'failed to download the input object'),
    ('UploadFailed', 'failed to upload the output object'),
    ('InternalError', 'internal error, please retry'),
)
SENTENCES = (
    ('今天的会议讨论了第三季度的预算。', 'The meeting today discussed the third-quarter budget.'),
    ('请在周五之前提交报告。', 'Please submit the report before Friday.'),
    ('新产品将于下个月在广州发布。', 'The new product will launch in Guangzhou next month.'),
    ('服务器维护窗口定于周日凌晨。', 'The server maintenance window is early on Sunday.'),
    ('客户反馈整体满意度较高。', 'Customer feedback shows high overall satisfaction.'),
)
LABELS = (('Person', '李雷'), ('Location', '广州'), ('Organization', '腾讯云'), ('Time', '下个月'), ('Product', '数据万象'))
TOKENS = (('新', 'a'), ('产品', 'n'), ('将', 'd'), ('于', 'p'), ('下个月', 't'), ('在', 'p'), ('广州', 'ns'), ('发布', 'v'), ('。', 'w'))
VIDEOS = ('launch-event', 'product-demo', 'keynote', 'tutorial', 'interview', 'trailer')


def output(ctx, name):
    """``Output`` of most tags (GOSDK ``JobOutput``)."""
    return {'Region': ctx.region, 'Bucket': ctx.bucket, 'Object': name}


def _template_id(rng):
    return 't%032x' % rng.getrandbits(128)


def _md5(rng):
    return '%032x' % rng.getrandbits(128)


def _video_name(number, ext='mp4'):
    return 'video/%s-%06d.%s' % (VIDEOS[number % len(VIDEOS)], number, ext)


def media_input(ctx, name):
    """``Input`` of a media job as the service echoes it (MEDIA-LIST: BucketId, Object, Region)."""
    return {'BucketId': ctx.bucket, 'Object': name, 'Region': ctx.region}


def _tail(operation, rng, number):
    """``UserData`` (sometimes empty: ``<UserData/>``) and ``JobLevel`` end every Operation."""
    operation['UserData'] = '' if number % 3 == 0 else 'deploy-%d' % rng.randint(100, 999)
    operation['JobLevel'] = str(rng.choice((0, 0, 0, 1, 2)))
    return operation


def media_result(ctx, rng, names, prefix=''):
    """``MediaResult`` (MEDIA-LIST, HSHD; GOSDK ``MediaResult``): ``ObjectName`` and ``Md5Info`` repeat per file.

    ``ObjectPrefix`` is empty (``<ObjectPrefix/>``) unless the outputs share a prefix (HSHD).
    """
    return {'OutputFile': {'Bucket': ctx.bucket, 'Md5Info': [{'Md5': _md5(rng), 'ObjectName': n} for n in names],
                           'ObjectName': list(names), 'ObjectPrefix': prefix, 'Region': ctx.region}}


def media_info(rng, duration=None, audio_only=False):
    """``MediaInfo`` of a media result (MEDIA-LIST / HSHD samples: Format, Stream{Audio, Subtitle, Video}).

    ``Subtitle`` is empty (``<Subtitle/>``) as in both samples; an audio-only file has an empty ``Video``.
    """
    duration = duration or round(rng.uniform(8, 600), 6)
    audio = {'Bitrate': '%.6f' % rng.uniform(64, 192), 'Channel': '2', 'ChannelLayout': 'stereo',
             'CodecLongName': 'AAC (Advanced Audio Coding)', 'CodecName': 'aac', 'CodecTag': '0x6134706d',
             'CodecTagString': 'mp4a', 'CodecTimeBase': '1/44100', 'Duration': '%.6f' % duration, 'Index': '1',
             'Language': 'und', 'SampleFmt': 'fltp', 'SampleRate': '44100', 'StartTime': '0.000000',
             'Timebase': '1/44100'}
    width, height = rng.choice(((1920, 1080), (1280, 720), (544, 960), (3840, 2160)))
    video = '' if audio_only else {
        'AvgFps': '25.000000', 'Bitrate': '%.6f' % rng.uniform(700, 8000), 'CodecLongName': 'H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10',
        'CodecName': 'h264', 'CodecTag': '0x31637661', 'CodecTagString': 'avc1', 'CodecTimeBase': '1/12800',
        'ColorPrimaries': 'bt709', 'ColorRange': 'tv', 'ColorTransfer': 'bt709', 'Duration': '%.6f' % duration,
        'Fps': '25.000000', 'HasBFrame': '2', 'Height': str(height), 'Index': '0', 'Language': 'und', 'Level': '40',
        'NumFrames': str(int(duration * 25)), 'PixFormat': 'yuv420p', 'Profile': 'High', 'RefFrames': '1',
        'Rotation': '0.000000', 'StartTime': '0.000000', 'Timebase': '1/12800', 'Width': str(width)}
    size = int(duration * rng.randint(60000, 900000))
    return {'Format': {'Bitrate': '%.6f' % (size * 8 / duration / 1000), 'Duration': '%.6f' % duration,
                       'FormatLongName': 'QuickTime / MOV', 'FormatName': 'mov,mp4,m4a,3gp,3g2,mj2', 'NumProgram': '0',
                       'NumStream': '1' if audio_only else '2', 'Size': str(size), 'StartTime': '0.000000'},
            'Stream': {'Audio': audio, 'Subtitle': '', 'Video': video}}


def _watermark_ids(rng, number):
    """``WatermarkTemplateId``: absent, once, three times (MEDIA-LIST) or present and empty."""
    kind = number % 4
    if kind == 0:
        return None
    if kind == 3:
        return ''
    return [_template_id(rng) for dummy in range(1 if kind == 1 else 3)]


# --- AI jobs listed at /jobs ---------------------------------------------------------------------

def translation(rng, ctx, number, success):
    """Translation (ci-api.md §3.2; AI-TR): Translation{Lang, Type}, Output, AITranslateResult{Result}."""
    target = SENTENCES[number % len(SENTENCES)][1]
    kind = rng.choice(('txt', 'docx', 'pdf', 'html'))
    name = 'docs/report-%06d.%s' % (number, kind)
    operation = {'Translation': {'Lang': 'en', 'Type': kind},
                 'Output': output(ctx, 'translated/report-%06d.en.%s' % (number, kind)),
                 'UserData': '', 'JobLevel': '0'}
    if success:
        operation['AITranslateResult'] = {'Result': target}
    return {'Object': name, 'Lang': 'zh', 'Type': kind}, operation


def speech(rng, ctx, number, success):
    """SpeechRecognition (ci-api.md §3.3; AI-ASR, ASR-GET; GOSDK ``SpeechRecognitionResult``)."""
    name = 'audio/meeting-%06d.mp3' % number
    operation = {'SpeechRecognition': {'EngineModelType': '16k_zh', 'ChannelNum': '1', 'ResTextFormat': '1',
                                       'FilterDirty': '0', 'FilterModal': '0', 'ConvertNumMode': '1'},
                 'Output': output(ctx, 'asr/meeting-%06d.txt' % number), 'UserData': '', 'JobLevel': '0'}
    if success:
        details, lines, start = [], [], 0
        for index in range(rng.randint(1, 3)):
            text = SENTENCES[(number + index) % len(SENTENCES)][0]
            chars = [c for c in text if c != '。']
            step = rng.randint(180, 320)
            words = [{'Word': c, 'OffsetStartMs': str(i * step), 'OffsetEndMs': str((i + 1) * step)} for i, c in enumerate(chars)]
            end = start + len(chars) * step
            details.append({'FinalSentence': text, 'SliceSentence': ' '.join(chars), 'StartMs': str(start), 'EndMs': str(end),
                            'WordsNum': str(len(chars)), 'SpeechSpeed': '%.1f' % (len(chars) * 1000.0 / (end - start)),
                            'SpeakerId': '0', 'Words': words})
            lines.append('[0:%.3f,0:%.3f]  %s' % (start / 1000.0, end / 1000.0, text))
            start = end + rng.randint(100, 900)
        operation['SpeechRecognitionResult'] = {'AudioTime': '%.3f' % (start / 1000.0), 'Result': '\n'.join(lines),
                                                'ResultDetail': details}
    return {'BucketId': ctx.bucket, 'Object': name, 'Region': ctx.region}, operation


def words(rng, ctx, number, success):
    """WordsGeneralize (ci-api.md §3.4; AI-WG): WordsGeneralizeResult{WordsGeneralizeLable[], WordsGeneralizeToken[]}."""
    operation = {'WordsGeneralize': {'NerMethod': 'DL', 'SegMethod': 'MIX'}, 'UserData': '', 'JobLevel': '0'}
    if success:
        labels = [{'Category': c, 'Word': w} for c, w in rng.sample(LABELS, 2)]
        tokens, offset = [], 0
        for word, pos in TOKENS:
            tokens.append({'Word': word, 'Offset': str(offset), 'Length': str(len(word)), 'Pos': pos})
            offset += len(word)
        operation['WordsGeneralizeResult'] = {'WordsGeneralizeLable': labels, 'WordsGeneralizeToken': tokens}
    return {'BucketId': ctx.bucket, 'Object': 'text/news-%06d.txt' % number, 'Region': ctx.region}, operation


def speech_asr(rng, ctx, number, success):
    """SpeechRecognition listed at ``/asr_jobs`` (ASR-GET; GOSDK ``/asr_jobs``).

    Like ``speech``, plus the result habits of the published samples: ``ObjectName``/``DetailObjectName``
    (AI-CB, GOSDK), ``ResultDetail`` empty (``<ResultDetail/>``) when ``ResTextFormat`` is 0, and a
    fast-ASR ``FlashResult`` (snake_case children) now and then.
    """
    source, operation = speech(rng, ctx, number, success)
    flat = number % 3 == 0
    if flat:
        operation['SpeechRecognition']['ResTextFormat'] = '0'
    result = operation.get('SpeechRecognitionResult')
    if result is not None:
        result['ObjectName'] = operation['Output']['Object']
        result['DetailObjectName'] = operation['Output']['Object'] + '.detail'
        if flat:
            result['ResultDetail'] = ''
        elif number % 3 == 1:
            first = result['ResultDetail'][0]
            result['FlashResult'] = [{'channel_id': '0', 'text': first['FinalSentence'], 'sentence_list': [
                {'text': first['FinalSentence'], 'start_time': first['StartMs'], 'end_time': first['EndMs'], 'speaker_id': '0',
                 'word_list': [{'word': w['Word'], 'start_time': w['OffsetStartMs'], 'end_time': w['OffsetEndMs']}
                               for w in first['Words']]}]}]
    return source, operation


def _box(rng):
    return {'X': str(rng.randint(0, 900)), 'Y': str(rng.randint(0, 500)), 'Height': str(rng.randint(40, 400)),
            'Width': str(rng.randint(40, 400))}


def video_target_rec(rng, ctx, number, success):
    """VideoTargetRec (VTR page; GOSDK ``VideoTargetRec``, ``VideoTargetRecResult``, ``BodyRecognition``).

    A template job echoes ``TemplateId``/``TemplateName`` (VTR response sample); ``*Recognition`` repeat per
    screenshot and ``BodyInfo``/``PetInfo``/``CarInfo`` per detected object; a kind with no hit is absent.
    """
    name = _video_name(number)
    if number % 2:
        operation = {'TemplateId': _template_id(rng), 'TemplateName': 'video_target_rec_demo'}
    else:
        operation = {'VideoTargetRec': {'Body': 'true', 'Pet': 'true', 'Car': 'false'}}
    _tail(operation, rng, number)
    if success:
        result = {}
        for kind, info in (('BodyRecognition', 'BodyInfo'), ('PetRecognition', 'PetInfo')):
            shots = []
            for second in range(rng.randint(0, 3)):
                found = [{'Name': kind[:-11].lower(), 'Score': str(rng.randint(60, 99)), 'Location': _box(rng)}
                         for dummy in range(rng.randint(1, 3))]
                shots.append({'Time': str(second * 5), 'Url': 'https://%s.cos.%s.myqcloud.com/%s-%d.jpg' % (
                    ctx.bucket, ctx.region, name, second), info: found})
            if shots:
                result[kind] = shots
        operation['VideoTargetRecResult'] = result
    return {'Object': name}, operation


def segment_video_body(rng, ctx, number, success):
    """SegmentVideoBody (GOSDK jobs.go ``InvokeSegmentVideoBodyJob``, ``SegmentVideoBody`` struct; PYSDK demo)."""
    name = _video_name(number)
    target = 'segment/%s-body.mp4' % name.rsplit('/', 1)[-1][:-4]
    operation = {'SegmentVideoBody': {'Mode': rng.choice(('Mask', 'Foreground', 'Combination')),
                                      'SegmentType': 'HumanSeg', 'BinaryThreshold': '0.1'},
                 'Output': output(ctx, target)}
    _tail(operation, rng, number)
    if success:
        operation['MediaResult'] = media_result(ctx, rng, [target])
    return media_input(ctx, name), operation


def sound_hound(rng, ctx, number, success):
    """SoundHound (GOSDK jobs.go ``InvokeSoundHoundJob``, ``SoundHoundResult{SongList{Inlier, SingerName, SongName}}``).

    No match: ``SoundHoundResult`` empty (``<SoundHoundResult/>``), a shape GOSDK's ``omitempty`` allows.
    """
    operation = _tail({}, rng, number)
    if success:
        operation['SoundHoundResult'] = '' if number % 3 == 0 else {
            'SongList': {'Inlier': str(rng.randint(10, 300)), 'SingerName': rng.choice(('周杰伦', '王菲', 'Adele')),
                         'SongName': rng.choice(('晴天', '红豆', 'Hello'))}}
    return {'Object': 'audio/clip-%06d.mp3' % number}, operation


def image_ocr(rng, ctx, number, success):
    """ImageOCR (GOSDK ``ImageOCRTemplate``, ``ImageOCRDetection``, ``ImageOCRTextDetections``; ci_media_test.go).

    ``TextDetections`` repeats per line, ``Polygon`` four times per line.
    """
    name = 'scans/receipt-%06d.jpg' % number
    operation = _tail({'ImageOCR': {'Type': 'general', 'LanguageType': 'zh', 'IsPdf': 'false', 'IsWord': 'false',
                                    'EnableWordPolygon': 'false'}}, rng, number)
    if success:
        lines = []
        for index in range(rng.randint(1, 4)):
            text = SENTENCES[(number + index) % len(SENTENCES)][0]
            corner = _box(rng)
            lines.append({'DetectedText': text, 'Confidence': str(rng.randint(80, 99)),
                          'Polygon': [{'X': corner['X'], 'Y': corner['Y']} for dummy in range(4)],
                          'ItemPolygon': corner})
        operation['Detection'] = {'InputObjectName': name, 'Code': 'Success', 'State': 'Success', 'Message': '',
                                  'TextDetections': lines, 'Language': 'zh', 'Angel': '0.000000', 'PdfPageSize': '0'}
    return {'Object': name}, operation


def image_inspect(rng, ctx, number, success):
    """ImageInspect (GOSDK ``ImageInspect``, ``ImageInspectResult``, ``ImageInspectProcessResult``; PYSDK demo)."""
    name = 'upload/avatar-%06d.png' % number
    operation = _tail({'ImageInspect': {'AutoProcess': 'false', 'ProcessType': 'BackupObject'}}, rng, number)
    if success:
        suspicious = number % 3 == 0
        size = rng.randint(20000, 900000)
        result = {'PicSize': str(size), 'PicType': 'png', 'Suspicious': 'true' if suspicious else 'false'}
        if suspicious:
            begin = rng.randint(1000, size - 100)
            result.update({'SuspiciousBeginByte': str(begin), 'SuspiciousEndByte': str(size - 1),
                           'SuspiciousSize': str(size - begin), 'SuspiciousType': 'PNG'})
        operation['ImageInspectResult'] = {'State': 'Success', 'Code': 'Success', 'Message': '',
                                           'InputObjectName': name, 'ProcessResult': result}
    return {'Object': name}, operation


# --- media jobs ----------------------------------------------------------------------------------

def _transcode_params(rng):
    """Inline ``Transcode`` parameters (GOSDK ``Transcode``/``Container``/``Video``/``Audio``/``TransConfig``)."""
    width, height = rng.choice((('1920', '1080'), ('1280', '720'), ('854', '480')))
    return {'Container': {'Format': rng.choice(('mp4', 'hls', 'flv'))},
            'Video': {'Codec': 'H.264', 'Profile': 'high', 'Width': width, 'Height': height, 'Fps': '25',
                      'Bitrate': str(rng.choice((800, 1500, 3000))), 'Crf': '', 'Gop': '50', 'Preset': 'medium'},
            'Audio': {'Codec': 'aac', 'Samplerate': '44100', 'Bitrate': '128', 'Channels': '2'},
            'TransConfig': {'AdjDarMethod': 'scale', 'IsCheckReso': 'false', 'ResoAdjMethod': '1',
                            'IsCheckVideoBitrate': 'false', 'VideoBitrateAdjMethod': '0', 'IsCheckAudioBitrate': 'false',
                            'AudioBitrateAdjMethod': '0', 'DeleteMetadata': 'false', 'IsHdr2Sdr': 'false'}}


def transcode(rng, ctx, number, success):
    """Transcode (MEDIA-LIST sample; HSHD; GOSDK ``MediaProcessJobOperation``).

    Template jobs echo ``TemplateId``/``TemplateName``, inline ones carry ``Transcode{...}``;
    ``WatermarkTemplateId`` is absent, once, three times (as in MEDIA-LIST) or empty; a fifth of the
    jobs carry ``DigitalWatermark`` and ``RemoveWatermark`` (MEDIA-LIST). Success adds MediaInfo/MediaResult.
    """
    name = _video_name(number)
    target = 'hls/%s/index.m3u8' % name.rsplit('/', 1)[-1][:-4] if number % 2 else 'transcoded/%06d.mp4' % number
    if number % 2:
        operation = {'TemplateId': _template_id(rng), 'TemplateName': 'hls-720p'}
    else:
        operation = {'Transcode': _transcode_params(rng)}
    watermarks = _watermark_ids(rng, number)
    if watermarks is not None:
        operation['WatermarkTemplateId'] = watermarks
    if number % 5 == 0:
        operation['RemoveWatermark'] = {'Dx': '150', 'Dy': '150', 'Width': '75', 'Height': '75'}
        operation['DigitalWatermark'] = {'Type': 'Text', 'Message': 'build-%d' % number, 'Version': 'V1',
                                         'IgnoreError': 'false', 'State': 'Running'}
    operation['Output'] = output(ctx, target)
    _tail(operation, rng, number)
    if success:
        operation['MediaInfo'] = media_info(rng)
        prefix = target.rsplit('/', 1)[0] + '/' if target.endswith('.m3u8') else ''
        operation['MediaResult'] = media_result(ctx, rng, [target], prefix)
    return media_input(ctx, name), operation


def snapshot(rng, ctx, number, success):
    """Snapshot (GOSDK ``Snapshot``, ``SpriteSnapshotConfig``, ``JobOutput.SpriteObject``; PYSDK demo).

    The result names every image: ``ObjectName``/``Md5Info`` repeat ``Count`` times (once with Count 1).
    """
    name = _video_name(number)
    count = rng.choice((1, 3, 5))
    stem = 'snapshot/%06d' % number
    operation = {'Snapshot': {'Mode': 'Interval', 'Start': '0', 'TimeInterval': '10', 'Count': str(count),
                              'Width': '1280', 'Height': '', 'CIParam': '', 'SnapshotOutMode': 'SnapshotAndSprite'
                              if number % 4 == 1 else 'OnlySnapshot'},
                 'Output': output(ctx, stem + '-${Number}.jpg')}
    if number % 4 == 1:
        operation['Snapshot']['SpriteSnapshotConfig'] = {'CellWidth': '160', 'CellHeight': '90', 'Color': 'White',
                                                         'Columns': '5', 'Lines': '1', 'Margin': '0', 'Padding': '0'}
        operation['Output']['SpriteObject'] = stem + '-sprite-${Number}.jpg'
    _tail(operation, rng, number)
    if success:
        operation['MediaResult'] = media_result(ctx, rng, ['%s-%d.jpg' % (stem, i) for i in range(count)])
    return media_input(ctx, name), operation


def concat(rng, ctx, number, success):
    """Concat (GOSDK ``ConcatTemplate``, ``ConcatFragment[]``; PYSDK demo ``ci_create_concat_jobs``).

    ``ConcatFragment`` repeats once to four times (Start/End fragments and middle ones).
    """
    target = 'concat/%06d.mp4' % number
    fragments = [{'Url': 'https://%s.cos.%s.myqcloud.com/%s' % (ctx.bucket, ctx.region, _video_name(number + i)),
                  'Mode': 'Start' if i == 0 else 'End', 'StartTime': '0', 'EndTime': ''}
                 for i in range(rng.randint(1, 4))]
    operation = {'ConcatTemplate': {'ConcatFragment': fragments, 'Audio': {'Codec': 'mp3'},
                                    'Video': {'Codec': 'H.264', 'Width': '1280', 'Height': '720', 'Bitrate': '1000'},
                                    'Container': {'Format': 'mp4'}, 'Index': '1', 'DirectConcat': 'false'},
                 'Output': output(ctx, target)}
    _tail(operation, rng, number)
    if success:
        operation['MediaInfo'] = media_info(rng)
        operation['MediaResult'] = media_result(ctx, rng, [target])
    return media_input(ctx, _video_name(number)), operation


def fill_concat(rng, ctx, number, success):
    """FillConcat (GOSDK jobs.go; ``FillConcat{Format, FillInput[]{Url, FillTime}}``)."""
    target = 'fill/%06d.mp4' % number
    fills = [{'Url': 'https://%s.cos.%s.myqcloud.com/%s' % (ctx.bucket, ctx.region, _video_name(number + i)),
              'FillTime': str(rng.randint(1, 30))} for i in range(rng.randint(1, 3))]
    operation = _tail({'FillConcat': {'Format': 'mp4', 'FillInput': fills}, 'Output': output(ctx, target)}, rng, number)
    if success:
        operation['MediaResult'] = media_result(ctx, rng, [target])
    return media_input(ctx, _video_name(number)), operation


def stream_extract(rng, ctx, number, success):
    """StreamExtract (GOSDK jobs.go ``InvokeStreamExtractJob``: ``Output.StreamExtract[]{Index, Object}``)."""
    stem = 'streams/%06d' % number
    streams = [{'Index': str(i), 'Object': '%s-%d.%s' % (stem, i, 'mp4' if i == 0 else 'aac')}
               for i in range(rng.randint(1, 3))]
    operation = _tail({'Output': {'Region': ctx.region, 'Bucket': ctx.bucket, 'StreamExtract': streams}}, rng, number)
    if success:
        operation['MediaResult'] = media_result(ctx, rng, [s['Object'] for s in streams])
    return media_input(ctx, _video_name(number)), operation


def watermark(rng, ctx, number, success):
    """Watermark (GOSDK jobs.go ``CreateJob`` with ``Watermark[]``; ``Watermark``/``Text`` structs).

    ``Watermark`` repeats once or twice (a text and an image watermark).
    """
    target = 'watermarked/%06d.mp4' % number
    marks = [{'Type': 'Text', 'Pos': 'TopRight', 'LocMode': 'Absolute', 'Dx': '64', 'Dy': '64', 'StartTime': '5',
              'EndTime': '20', 'Text': {'Text': 'preview', 'FontSize': '12', 'FontType': 'simfang.ttf',
                                        'FontColor': '0xff0000', 'Transparency': '100'}}]
    if number % 2:
        marks.append({'Type': 'Image', 'Pos': 'BottomLeft', 'LocMode': 'Relativity', 'Dx': '0', 'Dy': '0',
                      'Image': {'Url': 'https://%s.cos.%s.myqcloud.com/logo.png' % (ctx.bucket, ctx.region),
                                'Mode': 'Proportion', 'Width': '10', 'Height': '', 'Transparency': '80'}})
    operation = _tail({'Watermark': marks, 'Output': output(ctx, target)}, rng, number)
    if success:
        operation['MediaInfo'] = media_info(rng)
        operation['MediaResult'] = media_result(ctx, rng, [target])
    return media_input(ctx, _video_name(number)), operation


def _simple(params, ext, info=False, outputs=1, audio=False):
    """A builder for the many tags shaped ``<params...> Output UserData JobLevel [MediaInfo] [MediaResult]``.

    ``params(rng, ctx, number)`` gives the tag's parameter elements (first in Operation, as in the samples).
    ``outputs`` > 1 names several files (``${Number}`` in ``Output.Object``, ``ObjectName`` repeated).
    """
    def build(rng, ctx, number, success):
        operation = params(rng, ctx, number)
        stem = '%s/%06d' % (ext[0], number)
        target = '%s.%s' % (stem, ext[1]) if outputs == 1 else '%s-${Number}.%s' % (stem, ext[1])
        operation['Output'] = output(ctx, target)
        _tail(operation, rng, number)
        if success:
            if info:
                operation['MediaInfo'] = media_info(rng, audio_only=audio)
            names = [target] if outputs == 1 else ['%s-%d.%s' % (stem, i, ext[1]) for i in range(1, outputs + 1)]
            operation['MediaResult'] = media_result(ctx, rng, names)
        name = 'audio/track-%06d.mp3' % number if audio else _video_name(number)
        return media_input(ctx, name), operation
    build.__doc__ = params.__doc__
    return build


def _animation(rng, ctx, number):
    """Animation (GOSDK ``Animation{Container, Video(AnimationVideo), TimeInterval}``; PYSDK demo)."""
    return {'Animation': {'Container': {'Format': 'gif'},
                          'Video': {'Codec': 'gif', 'Width': '320', 'Height': '', 'Fps': '15',
                                    'AnimateOnlyKeepKeyFrame': 'true'},
                          'TimeInterval': {'Start': '0', 'Duration': str(rng.choice((10, 30, 60)))}}}


def _smart_cover(rng, ctx, number):
    """SmartCover (GOSDK ``NodeSmartCover``; submit page 提交智能封面任务): three covers, ``ObjectName`` repeated."""
    return {'SmartCover': {'Format': 'jpg', 'Width': '1280', 'Height': '720', 'Count': '3', 'DeleteDuplicates': 'false'}}


def _segment(rng, ctx, number):
    """Segment (GOSDK ``Segment{Format, Duration}``; PYSDK demo): segments named with ``${Number}``."""
    return {'Segment': {'Format': 'mp4', 'Duration': str(rng.choice((30, 60)))}}


def _video_montage(rng, ctx, number):
    """VideoMontage (GOSDK ``VideoMontage{Container, Video, Audio, Duration, Scene}``; PYSDK demo)."""
    return {'VideoMontage': {'Container': {'Format': 'mp4'}, 'Video': {'Codec': 'H.264', 'Width': '1280', 'Bitrate': '1000'},
                             'Audio': {'Codec': 'aac', 'Samplerate': '44100', 'Bitrate': '128', 'Channels': '2'},
                             'Duration': '30', 'Scene': rng.choice(('Soccer', 'Video', ''))}}


def _video_process(rng, ctx, number):
    """VideoProcess (GOSDK ``VideoProcess{ColorEnhance, MsSharpen}``, ``TranscodeTemplateId``; PYSDK demo)."""
    return {'VideoProcess': {'ColorEnhance': {'Enable': 'true', 'Contrast': '', 'Correction': '', 'Saturation': ''},
                             'MsSharpen': {'Enable': 'true', 'SharpenLevel': str(rng.randint(1, 10))}},
            'TranscodeTemplateId': _template_id(rng)}


def _video_enhance(rng, ctx, number):
    """VideoEnhance (GOSDK ``VideoEnhance{Transcode, SuperResolution, ColorEnhance, MsSharpen, SDRtoHDR, FrameEnhance}``)."""
    return {'VideoEnhance': {
        'Transcode': {'Container': {'Format': 'mp4'}, 'Video': {'Codec': 'H.264', 'Width': '1920', 'Height': '1080', 'Fps': '30'},
                      'Audio': {'Codec': 'aac', 'Samplerate': '44100', 'Bitrate': '128', 'Channels': '2'}},
        'SuperResolution': {'Resolution': 'sdtohd', 'EnableScaleUp': 'true', 'Version': 'Enhance'},
        'ColorEnhance': {'Contrast': '50', 'Correction': '100', 'Saturation': '100'},
        'MsSharpen': {'SharpenLevel': '5'}, 'SDRtoHDR': {'HdrMode': 'HLG'}, 'FrameEnhance': {'FrameDoubling': 'true'}}}


def _super_resolution(rng, ctx, number):
    """SuperResolution (GOSDK ``SuperResolution{Resolution, EnableScaleUp, Version}``, ``TranscodeTemplateId``)."""
    return {'SuperResolution': {'Resolution': rng.choice(('sdtohd', 'hdto4k')), 'EnableScaleUp': 'true', 'Version': 'Enhance'},
            'TranscodeTemplateId': _template_id(rng)}


def _sdr_to_hdr(rng, ctx, number):
    """SDRtoHDR (GOSDK ``SDRtoHDR{HdrMode}``; DOCS 提交 SDRtoHDR 任务; PYSDK demo)."""
    return {'SDRtoHDR': {'HdrMode': rng.choice(('HLG', 'HDR10'))}, 'TranscodeTemplateId': _template_id(rng)}


def _voice_separate(rng, ctx, number):
    """VoiceSeparate (GOSDK ``VoiceSeparate{AudioMode, AudioConfig}``; vocals and background: two outputs)."""
    return {'VoiceSeparate': {'AudioMode': 'AudioAndBackground',
                              'AudioConfig': {'Codec': 'mp3', 'Samplerate': '44100', 'Bitrate': '128', 'Channels': '2'}}}


def _noise_reduction(rng, ctx, number):
    """NoiseReduction (GOSDK ``NoiseReduction{Format, Samplerate}``; PYSDK demo)."""
    return {'NoiseReduction': {'Format': 'wav', 'Samplerate': rng.choice(('16000', '44100'))}}


def _generate_play_list(rng, ctx, number):
    """GeneratePlayList (GOSDK ``GeneratePlayListJobOperation``: ``Transcode`` is a ``LiveTanscode``)."""
    return {'Transcode': {'Container': {'Format': 'hls'}, 'Video': {'Codec': 'H.264', 'Width': '1280', 'Fps': '25'},
                          'TransConfig': {'InitialClipNum': '3', 'CosTag': ''}}}


def _digital_watermark(rng, ctx, number):
    """DigitalWatermark (GOSDK ``DigitalWatermark{Message, Type, Version}``; MEDIA-LIST; PYSDK demo)."""
    return {'DigitalWatermark': {'Type': 'Text', 'Message': 'build-%d' % number, 'Version': 'V1'}}


def _video_synthesis(rng, ctx, number):
    """VideoSynthesis (GOSDK ``VideoSynthesis{KeepAudioTrack, SpliceInfo[]}``): ``SpliceInfo`` repeats 2-4 times."""
    count = rng.randint(2, 4)
    return {'VideoSynthesis': {'KeepAudioTrack': 'false', 'SpliceInfo': [
        {'Url': '' if i == 0 else 'https://%s.cos.%s.myqcloud.com/%s' % (ctx.bucket, ctx.region, _video_name(number + i)),
         'X': str(640 * (i % 2)), 'Y': str(360 * (i // 2)), 'Width': '640', 'Height': '360'} for i in range(count)]}}


def _poster(rng, ctx, number):
    """PosterProduction (GOSDK poster.go: ``PosterProduction{TemplateId, Info{text_main, text_sub}}``)."""
    return {'PosterProduction': {'TemplateId': '%024x' % rng.getrandbits(96),
                                 'Info': {'text_main': '新品发布会', 'text_sub': '第%d期' % number}}}


def _tts(rng, ctx, number):
    """Tts (GOSDK ``TtsTpl{Mode, Codec, VoiceType, Volume, Speed}``, ``TtsConfig{Input, InputType}``; PYSDK demo)."""
    return {'TtsTpl': {'Mode': 'Sync', 'Codec': 'mp3', 'VoiceType': rng.choice(('ruxue', 'aixiaonan')), 'Volume': '0',
                       'Speed': '100'},
            'TtsConfig': {'InputType': 'Text', 'Input': SENTENCES[number % len(SENTENCES)][0]}}


def extract_digital_watermark(rng, ctx, number, success):
    """ExtractDigitalWatermark (GOSDK ``ExtractDigitalWatermark{Type, Version}``; PYSDK demo).

    The extracted text as ``ExtractDigitalWatermark.Message`` on success is inferred from the submit
    page's field table, not from a published sample (unconfirmed).
    """
    params = {'Type': 'Text', 'Version': 'V1'}
    operation = _tail({'ExtractDigitalWatermark': params}, rng, number)
    if success:
        params['Message'] = 'build-%d' % (number - 1) if number % 3 else ''
    return media_input(ctx, 'watermarked/%06d.mp4' % number), operation


def quality_estimate(rng, ctx, number, success):
    """QualityEstimate (GOSDK jobs.go: ``QualityEstimateConfig{Rotate}``; result ``QualityEstimate{Score, VqaPlusResult}``).

    ``DetailedResult`` repeats per problem type, ``Items`` per occurrence; a clean video has none.
    """
    operation = _tail({'QualityEstimateConfig': {'Rotate': '0', 'Mode': 'Default'}}, rng, number)
    if success:
        details = [{'Type': kind, 'Items': [{'Confidence': str(rng.randint(50, 99)), 'StartTimeOffset': '%.1f' % (i * 4.0),
                                             'EndTimeOffset': '%.1f' % (i * 4.0 + 2)} for i in range(rng.randint(1, 3))]}
                   for kind in rng.sample(('Blur', 'LowLighting', 'Noise', 'BlackWhiteEdge'), rng.randint(0, 2))]
        vqa = {'NoAudio': 'false', 'NoVideo': 'false'}
        if details:
            vqa['DetailedResult'] = details
        operation['QualityEstimate'] = {'Score': '%.1f' % rng.uniform(55, 98), 'VqaPlusResult': vqa}
    return media_input(ctx, _video_name(number)), operation


def media_info_job(rng, ctx, number, success):
    """MediaInfo (GOSDK jobs.go; DOCS 提交获取媒体信息任务): no Output, ``MediaInfo`` on success."""
    operation = _tail({}, rng, number)
    if success:
        operation['MediaInfo'] = media_info(rng, audio_only=number % 5 == 0)
    return media_input(ctx, _video_name(number)), operation


def split_video_parts(rng, ctx, number, success):
    """SplitVideoParts (GOSDK jobs.go ``SplitVideoParts{Mode: SHOTDETECT}``; ``SplitVideoInfoResult{TimeInfo[]}``)."""
    operation = _tail({'SplitVideoParts': {'Mode': 'SHOTDETECT'}}, rng, number)
    if success:
        begin, parts = 0.0, []
        for index in range(rng.randint(1, 5)):
            end = begin + rng.uniform(2, 40)
            parts.append({'Index': str(index), 'PartBegin': '%.3f' % begin, 'PartEnd': '%.3f' % end})
            begin = end
        operation['SplitVideoInfoResult'] = {'TimeInfo': parts}
    return media_input(ctx, _video_name(number)), operation


def dna(rng, ctx, number, success):
    """DNA (GOSDK dna.go ``CreateJob`` Tag DNA, ``DnaConfig{RuleType, DnaDbId, VideoId}``, ``DnaResult``).

    ``GetFingerPrint`` jobs return ``DnaResult{VideoId, Duration}``; ``Search`` jobs a ``Detection`` whose
    ``MatchDetail`` repeats per matching segment.
    """
    search = number % 2 == 0
    video_id = 'video-%06d' % number
    operation = _tail({'DnaConfig': {'RuleType': 'Search' if search else 'GetFingerPrint',
                                     'DnaDbId': 'db%030x' % rng.getrandbits(120), 'VideoId': video_id}}, rng, number)
    if success:
        duration = rng.randint(30, 900)
        result = {'VideoId': video_id, 'Duration': str(duration)}
        if search:
            matches = [{'MatchStartTime': str(i * 10), 'MatchEndTime': str(i * 10 + 8), 'SrcStartTime': str(i * 12),
                        'SrcEndTime': str(i * 12 + 8)} for i in range(rng.randint(1, 3))]
            result['Detection'] = {'VideoId': 'video-%06d' % (number + 1000), 'Similar': str(rng.randint(60, 99)),
                                   'SimilarDuration': str(8 * len(matches)), 'Duration': str(duration), 'MatchDetail': matches}
        operation['DnaResult'] = result
    return media_input(ctx, _video_name(number)), operation


def vocal_score(rng, ctx, number, success):
    """VocalScore (GOSDK jobs.go ``VocalScore{StandardObject}``; ``VocalScoreResult{PitchScore, RhythemScore}`` (sic))."""
    operation = _tail({'VocalScore': {'StandardObject': 'audio/standard-%03d.mp3' % (number % 50)}}, rng, number)
    if success:
        result = {}
        for key in ('PitchScore', 'RhythemScore'):
            sentences = [{'StartTime': '%.2f' % (i * 5.0), 'EndTime': '%.2f' % (i * 5.0 + 4.5),
                          'Score': '%.1f' % rng.uniform(40, 100)} for i in range(rng.randint(1, 4))]
            result[key] = {'TotalScore': '%.1f' % rng.uniform(40, 100), 'SentenceScores': sentences}
        operation['VocalScoreResult'] = result
    return media_input(ctx, 'audio/karaoke-%06d.mp3' % number), operation


def video_tag(rng, ctx, number, success):
    """VideoTag (DOCS-LIST; GOSDK ``VideoTag{Scenario}``, ``VideoTagResult{StreamData{SubErrCode, SubErrMsg, Data}}``).

    ``Data.Tags`` repeats per tag; ``PersonTags`` appear only when people are recognised; ``SubErrMsg`` empty.
    """
    operation = _tail({'VideoTag': {'Scenario': rng.choice(('Stream', 'ShortVideo'))}}, rng, number)
    if success:
        tags = [{'Tag': tag, 'TagCls': cls, 'Confidence': '%.2f' % rng.uniform(0.5, 1)}
                for tag, cls in rng.sample((('会议', '场景'), ('室内', '场景'), ('演讲', '动作'), ('电脑', '物体')), rng.randint(1, 3))]
        data = {'Tags': tags}
        if number % 2:
            data['PersonTags'] = [{'Name': '李雷', 'Confidence': '%.2f' % rng.uniform(0.6, 1), 'Count': str(rng.randint(1, 9))}]
        operation['VideoTagResult'] = {'StreamData': {'SubErrCode': '0', 'SubErrMsg': '', 'Data': data}}
    return media_input(ctx, _video_name(number)), operation


# --- picture and document jobs -------------------------------------------------------------------

def pic_process(rng, ctx, number, success):
    """PicProcess at ``/pic_jobs`` (PIC-LIST sample; GOSDK ``PicProcessJobOperation``, ``PicProcessResult``).

    Template jobs echo ``TemplateId``/``TemplateName``, others ``PicProcess{IsPicInfo, ProcessRule}``; the
    result's ``ProcessResults.Object`` repeats when the rule writes several images (``|`` in COS rules).
    """
    name = 'images/photo-%06d.jpg' % number
    target = 'thumbs/photo-%06d.jpg' % number
    if number % 2:
        operation = {'TemplateId': _template_id(rng), 'TemplateName': 'thumb-640'}
    else:
        operation = {'PicProcess': {'IsPicInfo': 'true', 'ProcessRule': rng.choice(
            ('imageMogr2/rotate/90', 'imageMogr2/thumbnail/640x', 'imageMogr2/format/webp'))}}
    operation['Output'] = {'Bucket': ctx.bucket, 'Object': target, 'Region': ctx.region}
    _tail(operation, rng, number)
    if success:
        width, height = rng.choice(((4032, 3024), (1920, 1080), (1080, 1440)))
        objects = [{'Key': target if i == 0 else target.replace('.jpg', '-%d.jpg' % i),
                    'Location': '%s.cos.%s.myqcloud.com/%s' % (ctx.bucket, ctx.region, target), 'Format': 'jpg',
                    'Width': '640', 'Height': str(640 * height // width), 'Size': str(rng.randint(20000, 90000)),
                    'Quality': '85', 'Etag': '"%s"' % _md5(rng)} for i in range(2 if number % 4 == 0 else 1)]
        operation['PicProcessResult'] = {'UploadResult': {
            'OriginalInfo': {'Key': name, 'Location': '%s.cos.%s.myqcloud.com/%s' % (ctx.bucket, ctx.region, name),
                             'ETag': '"%s"' % _md5(rng),
                             'ImageInfo': {'Format': 'jpg', 'Width': str(width), 'Height': str(height), 'Quality': '90',
                                           'Ave': '0x%06x' % rng.getrandbits(24), 'Orientation': '0'}},
            'ProcessResults': {'Object': objects}}}
    return media_input(ctx, name), operation


def doc_process(rng, ctx, number, success):
    """DocProcess at ``/doc_jobs`` (DOC-SAMPLE; GOSDK ``DocProcessJobOperation``, ``DocProcessJobDocProcessResult``).

    As in the samples: ``Input`` has only ``Object``; empty ``SrcType``/``ImageParams``/``DocPassword``/
    ``TaskId``/``TgtType``; ``PageInfo`` repeats per page (once for a one-page file) with ``X-SheetPics``
    for spreadsheets; no ``JobLevel`` (GOSDK has none for documents).
    """
    kind = rng.choice(('docx', 'pptx', 'xlsx', 'pdf'))
    name = 'docs/manual-%06d.%s' % (number, kind)
    pages = 1 if number % 3 == 1 else rng.randint(2, 4)
    params = {'SrcType': '', 'TgtType': 'jpg', 'SheetId': '1' if kind == 'xlsx' else '0', 'StartPage': '1',
              'EndPage': str(pages), 'ImageParams': '', 'DocPassword': '', 'Comments': '0', 'PaperDirection': '0',
              'Quality': '100', 'Zoom': '100', 'PaperSize': '0'}
    operation = {'DocProcess': params}
    if success:
        infos = []
        for page in range(1, pages + 1):
            info = {'PageNo': str(page), 'TgtUri': 'preview/manual-%06d/%d.jpg' % (number, page)}
            if kind == 'xlsx':
                info['X-SheetPics'] = str(pages)
            infos.append(info)
        operation['DocProcessResult'] = {'FailPageCount': '0', 'PageInfo': infos, 'SuccPageCount': str(pages),
                                         'TaskId': '', 'TgtType': '', 'TotalPageCount': str(pages)}
        if kind == 'xlsx':
            operation['DocProcessResult']['TotalSheetCount'] = str(rng.randint(1, 3))
    operation['Output'] = {'Bucket': ctx.bucket, 'Object': 'preview/manual-%06d/${Number}.jpg' % number, 'Region': ctx.region}
    operation['UserData'] = '' if number % 2 else 'release-notes'
    return {'Object': name}, operation


# --- registry ------------------------------------------------------------------------------------

BUILDERS = {
    'Transcode': transcode, 'Snapshot': snapshot, 'Concat': concat, 'FillConcat': fill_concat,
    'StreamExtract': stream_extract, 'Watermark': watermark,
    'Animation': _simple(_animation, ('animation', 'gif'), info=True),
    'SmartCover': _simple(_smart_cover, ('cover', 'jpg'), outputs=3),
    'Segment': _simple(_segment, ('segment', 'mp4'), outputs=4),
    'VideoMontage': _simple(_video_montage, ('montage', 'mp4'), info=True),
    'VideoProcess': _simple(_video_process, ('processed', 'mp4'), info=True),
    'VideoEnhance': _simple(_video_enhance, ('enhanced', 'mp4'), info=True),
    'SuperResolution': _simple(_super_resolution, ('sr', 'mp4'), info=True),
    'SDRtoHDR': _simple(_sdr_to_hdr, ('hdr', 'mp4'), info=True),
    'VoiceSeparate': _simple(_voice_separate, ('separated', 'mp3'), outputs=2, audio=True),
    'NoiseReduction': _simple(_noise_reduction, ('denoised', 'wav'), audio=True),
    'GeneratePlayList': _simple(_generate_play_list, ('playlist', 'm3u8')),
    'DigitalWatermark': _simple(_digital_watermark, ('dw', 'mp4'), info=True),
    'ExtractDigitalWatermark': extract_digital_watermark, 'QualityEstimate': quality_estimate,
    'MediaInfo': media_info_job, 'SplitVideoParts': split_video_parts,
    'VideoSynthesis': _simple(_video_synthesis, ('synthesis', 'mp4'), info=True),
    'PosterProduction': _simple(_poster, ('poster', 'jpg')),
    'DNA': dna, 'VocalScore': vocal_score, 'Tts': _simple(_tts, ('tts', 'mp3'), audio=True), 'VideoTag': video_tag,
    'Translation': translation, 'WordsGeneralize': words, 'SpeechRecognition': speech,
    'VideoTargetRec': video_target_rec, 'SegmentVideoBody': segment_video_body, 'SoundHound': sound_hound,
    'ImageOCR': image_ocr, 'ImageInspect': image_inspect,
    'PicProcess': pic_process, 'DocProcess': doc_process,
}
LIST_BUILDERS = {('/asr_jobs', 'SpeechRecognition'): speech_asr}
# JobId prefixes seen in Tencent's samples: media ``j...``, AI ``a...``, picture ``c...``, document ``d...``,
# speech (``/asr_jobs``) ``s...`` (ci-api.md §3.1; PIC-LIST; DOC-SAMPLE).
ID_PREFIX = {'media': 'j', 'ai': 'a', 'picture': 'c', 'document': 'd', 'speech': 's'}
KINDS = tuple((path, tag) for path in ('/jobs', '/pic_jobs', '/doc_jobs', '/asr_jobs') for tag in JOB_LISTS[path])


def builder_for(tag, job_list='/jobs'):
    """The tree builder of ``tag`` as listed at ``job_list``."""
    queue_type_for(tag, job_list)  # refuses an unknown list or a tag the list does not serve
    path = job_list if job_list.startswith('/') else '/' + job_list
    return LIST_BUILDERS.get((path, tag)) or BUILDERS[tag]


def failure_for(rng, tag):
    """A plausible (Code, Message) of a failed job of ``tag`` (AI failure codes are undocumented: invented)."""
    return rng.choice(FAILURES if tag in AI_TAGS else MEDIA_FAILURES)
