# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""XML output of the CI emulator: job documents (``<JobsDetail>``) and escaping."""

import re

from emu_common import EmulatorError, XML_DECL

_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]*$')
_TAGS = {}
_BAD_XML_CHARS = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _tags(name):
    """(open, close, empty) tags of an element name, checked once per name."""
    tags = _TAGS.get(name)
    if tags is None:
        if not isinstance(name, str) or not _NAME_RE.match(name) or name.lower().startswith('xml'):
            raise EmulatorError('%r is not a usable XML element name' % (name,))
        tags = _TAGS[name] = ('<%s>' % name, '</%s>' % name, '<%s/>' % name)
    return tags


def _render(name, value, out):
    """Append the XML of one element (or of repeated elements for a list) to ``out``."""
    cls = type(value)
    if cls is list:
        for item in value:
            if type(item) is list:  # pylint: disable=unidiomatic-typecheck
                raise EmulatorError('list inside a list under %r' % (name,))
            _render(name, item, out)
        return
    tags = _TAGS.get(name) or _tags(name)
    if cls is str:
        text = value
    elif cls is dict:
        out.append(tags[0])
        for key, item in value.items():
            if key[:1] == '_':
                continue
            if type(item) is not str:  # pylint: disable=unidiomatic-typecheck
                _render(key, item, out)
                continue
            # leaf strings inline: most elements are, and this halves the load time
            inner = _TAGS.get(key) or _tags(key)
            if not item:
                out.append(inner[2])
                continue
            if '&' in item or '<' in item or '>' in item:
                item = item.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            out.extend((inner[0], item, inner[1]))
        out.append(tags[1])
        return
    elif value is None:
        text = ''
    elif cls is bool:
        text = 'true' if value else 'false'
    elif cls in (int, float):
        text = repr(value)
    else:
        raise EmulatorError('unsupported value %r under %r' % (value, name))
    if not text:
        out.append(tags[2])
        return
    if '&' in text or '<' in text or '>' in text:
        text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    out.append(tags[0])
    out.append(text)
    out.append(tags[1])


def render_job(data):
    """Return the ``<JobsDetail>`` bytes of a job's served keys."""
    out = []
    _render('JobsDetail', data, out)
    text = ''.join(out)
    bad = _BAD_XML_CHARS.search(text)
    if bad is not None:
        raise EmulatorError('character %r is not allowed in XML' % bad.group())
    return text.encode('utf-8')


def _xml_escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')



# ---------------------------------------------------------------------------
# the real service's habits (``--habits realistic``, the default; ``plain`` turns them off)

HABITS = ('realistic', 'plain')
UNFINISHED_STATES = ('Submitted', 'Running', 'Pause')


def with_habits(data):
    """A job's served keys as the real service sends them: an unfinished job without ``Code``
    carries ``<Code>Success</Code><Message/>`` first (every published sample does, ci-api.md §8 quirk 6)."""
    if 'Code' in data or data.get('State') not in UNFINISHED_STATES:
        return data
    served = {'Code': 'Success', 'Message': ''}
    served.update(data)
    return served


def document(parts, realistic):
    """A ``<Response>`` answer from its inner byte strings; the real service sends no XML declaration."""
    return b''.join([b'' if realistic else XML_DECL, b'<Response>'] + parts + [b'</Response>'])


def render(name, value):
    """The XML bytes of one element (a list gives repeated elements)."""
    out = []
    _render(name, value, out)
    return ''.join(out).encode('utf-8')
