# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks of the section "Gating on media, image and document jobs" of guide_gate.rst, against the emulator.

Usage:
  guide_plays.py data DIR                    writes DIR/jobs.jsonl (the jobs and queues the playbooks name),
                                             DIR/queues_paused.jsonl (hls-transcode paused) and DIR/queues.jsonl
  guide_plays.py plays DIR RST URL ID KEY    writes DIR/play_N.yml, each playbook of the section as written, with
                                             the emulator's URL and the credential added to the module_defaults of
                                             group/qcloud.ci.ci; a stand-in for each file a playbook includes (it
                                             prints "guide stand-in FILE ran"); and DIR/expected_N.txt, the lines of
                                             the N-th text block of the section (the gate's messages)
  guide_plays.py queues URL FILE             replaces the emulator's queue seeds with FILE (its control API)
"""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
import urllib.request

import yaml

SECTION = 'Gating on media, image and document jobs'
NOW = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
MEDIA, PICTURE, DOCUMENT, OTHER = ('p38343d283575ceb7261f51075f8b12d2', 'p21418e945eab0ee58163440461aa5ca8',
                                   'p7bd623094a52be779ff15f843f1b3c1a', 'p0a1b2c3d4e5f60718293a4b5c6d7e8f9')


def job(job_id, tag, state, queue, obj, minutes, code=None, message='', **extra):
    created = (NOW - datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%M:%S%z')
    data = {'Code': code or ('Success' if state == 'Success' else ''), 'Message': message, 'JobId': job_id,
            'Tag': tag, 'State': state, 'CreationTime': created, 'StartTime': created,
            'EndTime': created if state in ('Success', 'Failed') else '-', 'QueueId': queue, 'Input': {'Object': obj}}
    data.update(extra)
    return data


def jobs():
    """The jobs of the guide's queues: transcodes that succeed as soon as their queue runs, thumbnails that
    succeeded, previews of which one failed (the guide's report), and a failed transcode in another queue."""
    done = [{'after': 0, 'State': 'Success', 'Code': 'Success'}]
    return [
        job('j331bf63969f5ed78aa0457a1f8f5965e', 'Transcode', 'Submitted', MEDIA, 'videos/launch.mp4', 30,
            _Transitions=done),
        job('je8d6b8811a123ee097d8b6c1502f90c4', 'Transcode', 'Submitted', MEDIA, 'videos/launch-teaser.mp4', 40,
            _Transitions=done),
        job('j306b6a7bc62143ed7aa6bc48f76bfab6', 'Transcode', 'Failed', OTHER, 'videos/old.avi', 50,
            code='InvalidInput', message='the input has no video stream'),
        job('c0c9a5e3f1b7d2a4e6f8b0c2d4e6f8a1b', 'PicProcess', 'Success', PICTURE, 'catalogue/1.jpg', 20),
        job('c1d0b6f4a2c8e3b5f7a9c1d3e5f7a9b2c', 'PicProcess', 'Success', PICTURE, 'catalogue/2.jpg', 25),
        job('d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b', 'DocProcess', 'Success', DOCUMENT, 'manuals/install-guide.docx', 10),
        job('d1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c', 'DocProcess', 'Success', DOCUMENT, 'manuals/install-guide.docx', 11),
        job('de0c36bc1b287d9021b174c9b8cd2fa37', 'DocProcess', 'Failed', DOCUMENT, 'manuals/install-guide.docx', 12,
            code='InvalidInput', message='the document is encrypted'),
        job('d2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d', 'DocProcess', 'Failed', DOCUMENT, 'manuals/other.docx', 13,
            code='InvalidInput', message='not this manual'),
    ]


def queues(media_state):
    return [{'QueueId': MEDIA, 'QueueType': 'media', 'Name': 'hls-transcode', 'State': media_state},
            {'QueueId': OTHER, 'QueueType': 'media', 'Name': 'mp4-transcode', 'State': 'Active'},
            {'QueueId': PICTURE, 'QueueType': 'picture', 'Name': 'thumbnails', 'State': 'Active'},
            {'QueueId': DOCUMENT, 'QueueType': 'document', 'Name': 'previews', 'State': 'Active'}]


def write_lines(path, rows):
    with open(path, 'w') as handle:
        handle.writelines(json.dumps(row) + '\n' for row in rows)


def section_blocks(rst_path):
    """The code blocks of the section, in order: (language, text without the indentation)."""
    with open(rst_path) as handle:
        text = handle.read()
    start = text.index('\n%s\n%s\n' % (SECTION, '-' * len(SECTION)))
    end = re.compile(r'\n[^\n]+\n-{4,}\n').search(text, start + len(SECTION) + 2)
    section = text[start:end.start() if end else len(text)]
    blocks = []
    for match in re.finditer(r'\.\. code-block:: (\S+)\n\n((?:(?:    [^\n]*)?\n)+)', section):
        lines = [line[4:] for line in match.group(2).rstrip('\n').split('\n')]
        blocks.append((match.group(1), '\n'.join(lines) + '\n'))
    return blocks


def plays(out, rst_path, url, secret_id, secret_key):
    blocks = section_blocks(rst_path)
    playbooks = [yaml.safe_load(text) for language, text in blocks if language == 'yaml+jinja']
    playbooks = [book for book in playbooks if isinstance(book, list) and all('hosts' in play for play in book)]
    texts = [text for language, text in blocks if language == 'text']
    if len(playbooks) != 3 or len(texts) != 2:
        raise SystemExit('%s: expected 3 playbooks and 2 text blocks in "%s"; found %d and %d'
                         % (rst_path, SECTION, len(playbooks), len(texts)))
    for number, book in enumerate(playbooks, 1):
        for play in book:
            play['module_defaults']['group/qcloud.ci.ci'].update(
                endpoint_url=url, secret_id=secret_id, secret_key=secret_key)
            for task in play['tasks']:
                included = task.get('ansible.builtin.include_tasks')
                if included:
                    with open(os.path.join(out, included), 'w') as handle:
                        handle.write('- name: Stand in for %s\n  ansible.builtin.debug:\n    msg: guide stand-in %s ran\n'
                                     % (included, included))
        with open(os.path.join(out, 'play_%d.yml' % number), 'w') as handle:
            yaml.safe_dump(book, handle, sort_keys=False, width=1000)
    for number, text in enumerate(texts, 1):
        with open(os.path.join(out, 'expected_%d.txt' % number), 'w') as handle:
            handle.write(''.join(line + '\n' for line in text.splitlines() if line.strip()))


def control_queues(url, path):
    with open(path, 'rb') as handle:
        request = urllib.request.Request(url + '/_emulator/queues', data=handle.read(), method='POST')
    with urllib.request.urlopen(request, timeout=60) as answer:
        print(answer.read().decode('utf-8'))


def main(argv):
    if argv[:1] == ['data'] and len(argv) == 2:
        os.makedirs(argv[1], exist_ok=True)
        write_lines(os.path.join(argv[1], 'jobs.jsonl'), jobs())
        write_lines(os.path.join(argv[1], 'queues_paused.jsonl'), queues('Paused'))
        write_lines(os.path.join(argv[1], 'queues.jsonl'), queues('Active'))
    elif argv[:1] == ['plays'] and len(argv) == 6:
        plays(*argv[1:])
    elif argv[:1] == ['queues'] and len(argv) == 3:
        control_queues(*argv[1:])
    else:
        raise SystemExit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
