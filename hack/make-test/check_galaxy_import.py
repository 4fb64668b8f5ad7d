# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Judge a galaxy-importer run (stage galaxy-importer of make test).

    check_galaxy_import.py LOG RESULT_JSON TARBALL

Fails (exit 1) when
- the importer's log has any WARNING or ERROR line (ansible-lint findings are
  logged as warnings; Galaxy shows them to every user of the collection);
- a README Galaxy renders (the collection's, each role's) has a fenced code
  block that did not become a <pre> block in the importer's HTML, e.g. a fence
  indented inside a list item, which Python-Markdown turns into one inline
  code span.
"""

from __future__ import annotations

import json
import re
import sys
import tarfile

FENCE = re.compile(r'^(\s*)(```|~~~)')
BAD_LINE = re.compile(r'^(WARNING|ERROR|CRITICAL)\b')


def fenced_blocks(markdown_text):
    """The number of fenced code blocks (opening fences) in a Markdown text."""
    count = 0
    inside = False
    for line in markdown_text.splitlines():
        if FENCE.match(line):
            if not inside:
                count += 1
            inside = not inside
    return count


def check_rendering(label, markdown_text, html):
    """Problems with how one README came out in the importer's HTML."""
    want = fenced_blocks(markdown_text)
    got = html.count('<pre>')
    problems = []
    if got < want:
        problems.append('%s: %d fenced code block(s) in the Markdown but %d <pre> block(s) in the HTML Galaxy shows '
                        '(a fence indented in a list item renders as inline code: put it at the top level)'
                        % (label, want, got))
    if '```' in html or '~~~' in html:
        problems.append('%s: a code fence shows up literally in the HTML' % label)
    return problems


def main(log_path, result_path, tarball):
    problems = []
    with open(log_path) as handle:
        bad = [line.rstrip() for line in handle if BAD_LINE.match(line)]
    problems += ['importer log: ' + line for line in bad]
    with open(result_path) as handle:
        blob = json.load(handle)['docs_blob']
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())

        def source(path):
            return archive.extractfile(path).read().decode('utf-8')

        problems += check_rendering('README.md', source('README.md'), blob['collection_readme']['html'])
        checked = 1
        for content in blob['contents']:
            if content.get('content_type') != 'role':
                continue
            path = 'roles/%s/%s' % (content['content_name'], content.get('readme_file') or 'README.md')
            if path not in names:
                problems.append('%s: no such file in the tarball' % path)
                continue
            problems += check_rendering(path, source(path), content.get('readme_html') or '')
            checked += 1
    print('galaxy-importer: %d warning/error line(s) in the log; %d README(s) checked for their HTML'
          % (len(bad), checked))
    for problem in problems:
        print('galaxy-importer: ' + problem)
    return 1 if problems else 0


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
