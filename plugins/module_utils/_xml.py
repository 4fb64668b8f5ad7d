# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CI's XML bodies to normalized Python values, in one pass.

Internal to this collection: the names may change in any release.

Pure: bytes in, dicts out. ``xmltodict`` parses with entities disabled (a document that
declares entities is refused before anything is expanded), and a postprocessor hook turns
each element name into snake_case as it is read, so a page of jobs is walked once. The rules
(docs/docsite/rst/guide_job_fields.rst gives them to users, tag by tag):

* names: ``JobId`` -> ``job_id``, ``AITranslateResult`` -> ``ai_translate_result``; names that
  are already snake_case (``FlashResult`` children such as ``sentence_list``) stay as they are;
* ``StartTime`` / ``EndTime`` of ``-`` (not started, not ended) -> ``None``;
* a repeated field (``REPEATED_UNDER``: where the API documents or the official Go SDK types a
  list) is ALWAYS a list where it is present, even when one came back; its empty elements
  (``<ResultDetail/>``) add no item, so an empty one is ``[]``, never ``[None]``. An absent
  repeated field stays absent (the service did not send it; templates use ``| default([])``);
* any other empty element is ``None`` (``<Message/>``, ``<Subtitle/>``: never ``{}``, never a list);
* any other field is never a list, even when the service repeats it (``Operation/JobLevel``
  twice in a published sample): its value is its first non-empty occurrence, and each later
  occurrence with a DIFFERENT value is kept, in document order, in the parent's
  ``'#duplicates'`` dict under the field's name (a key no XML element name can produce), so no
  value is dropped and the field's type does not depend on the data.
"""

from __future__ import annotations

import re
import traceback
from xml.parsers.expat import ExpatError

try:
    import xmltodict
    HAS_XMLTODICT = True
    XMLTODICT_IMPORT_ERROR = None
except ImportError:
    HAS_XMLTODICT = False
    XMLTODICT_IMPORT_ERROR = traceback.format_exc()

# Elements that repeat wherever they appear (ci-api.md 3 and 6.4; published samples), by their API names.
REPEATED_API_NAMES = (
    'JobsDetail', 'NonExistJobIds', 'WordsGeneralizeLable', 'WordsGeneralizeToken', 'ResultDetail',
    'Words', 'FlashResult', 'sentence_list', 'word_list', 'CosHeaders', 'WatermarkTemplateId',
    # the queue lists (Go SDK DescribeMediaProcessQueuesResult: QueueList [], NonExistPIDs [])
    'QueueList', 'NonExistPIDs',
)
# Elements that repeat only under the named parents (API names): the fields the official Go SDK
# (cos-go-sdk-v5 cc9846d9, ci_media.go / ci_doc.go) types ``[]X`` in the job trees it decodes
# (MediaProcessJobDetail, ASRJobDetail, DocProcessJobDetail). Under any other parent the same name
# is a single field (``ObjectName`` of ``Md5Info``, ``Video`` of a ``Transcode`` template).
# ``Workflow`` is typed ``[]`` there too but documented as one container (and returned as a dict
# since 1.0.0): it is not listed.
REPEATED_UNDER_API_NAMES = {
    'ObjectName': ('OutputFile', 'SpriteOutputFile'),
    'Md5Info': ('OutputFile', 'SpriteOutputFile'),
    'Audio': ('Stream',),
    'Video': ('Stream',),
    'Result': ('SpeechRecognitionResult',),
    'Watermark': ('Operation',),
    'AudioMixArray': ('ConcatTemplate', 'Transcode', 'VideoMontage'),
    'ConcatFragment': ('ConcatTemplate',),
    'FillInput': ('FillConcat',),
    'SpliceInfo': ('VideoSynthesis',),
    'StreamExtract': ('Output',),
    'Subtitle': ('Subtitles',),
    'PageInfo': ('DocProcessResult',),
    'TimeInfo': ('SplitVideoInfoResult',),
    'SentenceScores': ('PitchScore', 'RhythemScore'),
    'MatchDetail': ('Detection',),
    'TextDetections': ('Detection',),
    'Polygon': ('TextDetections',),
    'ItemPolygon': ('TextDetections',),
    'WordPolygon': ('TextDetections',),
    'LeftTop': ('WordPolygon',),
    'LeftBottom': ('WordPolygon',),
    'RightTop': ('WordPolygon',),
    'RightBottom': ('WordPolygon',),
    'WordCoordPoint': ('Words',),
    'WordCoordinate': ('WordCoordPoint',),
    'Tags': ('ActionTags', 'Data', 'PlaceTags'),
    'Labels': ('Data',),
    'ObjectTags': ('Data',),
    'PersonTags': ('Data',),
    'PlaceTags': ('Data',),
    'ActionTags': ('Data',),
    'Objects': ('ObjectTags',),
    'DetailPerSecond': ('PersonTags',),
    'BBox': ('DetailPerSecond', 'Objects'),
    'ClipFrameResult': ('PlaceTags',),
    'BodyRecognition': ('VideoTargetRecResult',),
    'CarRecognition': ('VideoTargetRecResult',),
    'FaceRecognition': ('VideoTargetRecResult',),
    'PetRecognition': ('VideoTargetRecResult',),
    'LicenseRecognitionResult': ('VideoTargetRecResult',),
    'BodyInfo': ('BodyRecognition',),
    'CarInfo': ('CarRecognition',),
    'FaceInfo': ('FaceRecognition',),
    'PetInfo': ('PetRecognition',),
    'PlateInfo': ('LicenseRecognitionResult',),
    'DetailedResult': ('VqaPlusResult',),
    'Items': ('DetailedResult',),
    'AreaCoordSet': ('Items',),
    # /docqueue and /asrqueue wrap the missing ids: <NonExistPIDs><QueueID>a</QueueID>...</NonExistPIDs>
    'QueueID': ('NonExistPIDs',),
}
# Where a field that should appear once but came more than once keeps its later, different values.
DUPLICATES_KEY = '#duplicates'
# Elements whose value ``-`` means "not yet".
DASH_MEANS_NONE = frozenset(('StartTime', 'EndTime'))

_FIRST = re.compile(r'([A-Z]+)([A-Z][a-z])')
_SECOND = re.compile(r'([a-z0-9])([A-Z])')
_SNAKE_CACHE = {}
_SNAKE_CACHE_MAX = 4096


class XMLBodyError(ValueError):
    """The body is not a CI XML document we can use (empty, truncated, HTML, entities...)."""


def snake_case(name):
    """``CreationTime`` -> ``creation_time``; names without capitals are returned unchanged."""
    try:
        return _SNAKE_CACHE[name]
    except KeyError:
        pass
    snake = _SECOND.sub(r'\1_\2', _FIRST.sub(r'\1_\2', name)).lower()
    if len(_SNAKE_CACHE) < _SNAKE_CACHE_MAX:
        _SNAKE_CACHE[name] = snake
    return snake


def _repeated_table():
    """snake_case child -> frozenset of snake_case parents, or None for "under any parent"."""
    table = dict((snake_case(name), None) for name in REPEATED_API_NAMES)
    for name, parents in REPEATED_UNDER_API_NAMES.items():
        table[snake_case(name)] = frozenset(snake_case(parent) for parent in parents)
    return table


REPEATED_UNDER = _repeated_table()
# The names that are lists under any parent (the JSON callbacks of _job_events use them too).
REPEATED = frozenset(name for name, parents in REPEATED_UNDER.items() if parents is None)
# Every name that is a list somewhere: xmltodict makes them lists as it reads (cheap), and the
# parent then undoes that where the name is a single field (see settle).
_FORCE_LIST = frozenset(REPEATED_UNDER)


def is_repeated(name, parent):
    """Is the snake_case field ``name`` a list when its parent element is ``parent`` (snake_case)?"""
    parents = REPEATED_UNDER.get(name, False)
    return parents is None or (parents is not False and parent in parents)


def _first_and_others(values):
    """The first non-empty value of ``values``, and the later values that differ from it and each other."""
    first, others = None, []
    for value in values:
        if value is None or value == first or value in others:
            continue
        if first is None:
            first = value
        else:
            others.append(value)
    return first, others


def settle(parent, content):
    """Give the children of one element (``content``, a dict) their fixed types, in place.

    ``parent`` is the element's snake_case name. Repeated fields drop their empty items; any other
    field that came as a list (it was repeated) keeps its first non-empty value, and its later
    different values go to ``content['#duplicates'][field]``. Returns ``content``.
    """
    duplicates = {}
    for name, value in content.items():
        if value.__class__ is not list:
            continue
        if is_repeated(name, parent):
            if None in value:
                content[name] = [item for item in value if item is not None]
        else:
            content[name], others = _first_and_others(value)
            if others:
                duplicates[name] = others
    if duplicates:
        content.setdefault(DUPLICATES_KEY, {}).update(duplicates)
    return content


def _postprocessor():
    """The xmltodict postprocessor for one document.

    Besides renaming and ``-`` -> None, it makes equal texts one string object: a page of jobs
    repeats its queue id, tag, states, codes, languages, buckets and regions in every job, and
    sharing them keeps a listing's jobs at about 2.3 times the size of the XML instead of 3
    (``make bench``, guide_performance.rst). The table lives as long as the document's parse.
    """
    shared = {}
    share = shared.setdefault

    def postprocess(path, key, value):  # pylint: disable=unused-argument
        kind = value.__class__
        if kind is str:
            value = None if value == '-' and key in DASH_MEANS_NONE else share(value, value)
        elif kind is dict and list in set(map(type, value.values())):  # the common case, no list: C speed
            settle(snake_case(key), value)
        return snake_case(key), value

    return postprocess


def parse(body, root):
    """Parse ``body`` (bytes) whose root element must be ``root``; return the root's content.

    The content is a dict with snake_case keys (``{}`` for an empty root). Raises
    ``XMLBodyError`` with a short reason for anything else.
    """
    if not HAS_XMLTODICT:
        raise XMLBodyError('the Python library xmltodict is not installed')
    if not body or not body.strip():
        raise XMLBodyError('the response body is empty')
    try:
        # xml_attribs=False: CI elements carry no attributes (an xmlns would only add a key); skipping them
        # saves building a dict per element, about a tenth of the parse (make bench, guide_performance.rst)
        doc = xmltodict.parse(body, force_list=_FORCE_LIST, postprocessor=_postprocessor(), disable_entities=True,
                              xml_attribs=False, dict_constructor=dict)
    except ExpatError as exc:
        raise XMLBodyError('the response is not well-formed XML (%s)' % exc)
    except (ValueError, LookupError) as exc:  # LookupError: an XML declaration names an unknown encoding
        if 'entities' in str(exc):
            raise XMLBodyError('the response declares XML entities, which are refused')
        raise XMLBodyError('the response is not usable XML (%s)' % exc)
    expected = snake_case(root)
    if not isinstance(doc, dict) or list(doc) != [expected]:
        raise XMLBodyError('the response is XML but its root element is not <%s>' % root)
    content = doc[expected]
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise XMLBodyError('the response element <%s> has no child elements' % root)
    return content


def parse_error(body):
    """Read CI's ``<Error><Code/><Message/><RequestId/><TraceId/></Error>``.

    Returns a dict with ``code``, ``message``, ``request_id``, ``trace_id`` (each a string or
    None); raises ``XMLBodyError`` when the body is not such a document.
    """
    content = parse(body, 'Error')
    result = {}
    for key in ('code', 'message', 'request_id', 'trace_id'):
        value = content.get(key)
        result[key] = value if isinstance(value, str) else None
    return result
