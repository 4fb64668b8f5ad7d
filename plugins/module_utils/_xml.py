# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CI's XML bodies to normalized Python values, in one pass.

Internal to this collection: the names may change in any release.

Pure: bytes in, dicts out. ``xmltodict`` parses with entities disabled (a document that
declares entities is refused before anything is expanded), and a postprocessor hook turns
each element name into snake_case as it is read, so a page of jobs is walked once:

* names: ``JobId`` -> ``job_id``, ``AITranslateResult`` -> ``ai_translate_result``; names that
  are already snake_case (``FlashResult`` children such as ``sentence_list``) stay as they are;
* ``StartTime`` / ``EndTime`` of ``-`` (not started, not ended) -> ``None``; an empty element -> ``None``;
* elements that may repeat are ALWAYS lists, even when one or none came back (``REPEATED``),
  so one job never turns a list into a dict.
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

# Elements that repeat (ci-api.md 3 and 6.4), by their API names.
REPEATED_API_NAMES = (
    'JobsDetail', 'NonExistJobIds', 'WordsGeneralizeLable', 'WordsGeneralizeToken', 'ResultDetail',
    'Words', 'FlashResult', 'sentence_list', 'word_list', 'CosHeaders',
)
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


REPEATED = frozenset(snake_case(name) for name in REPEATED_API_NAMES)


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
        if value.__class__ is str:
            value = None if value == '-' and key in DASH_MEANS_NONE else share(value, value)
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
        doc = xmltodict.parse(body, force_list=REPEATED, postprocessor=_postprocessor(), disable_entities=True,
                              xml_attribs=False)
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
