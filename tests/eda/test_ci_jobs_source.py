# -*- coding: utf-8 -*-
# Copyright (c) qcloud.ci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The event source qcloud.ci.ci_jobs against the emulator, with an asyncio.Queue (issue 16).

Between two polls the emulator gets the next job set (the job states "move"); the fake sleep of
``Driver`` does that, so no test waits for real time. Request counts come from the emulator.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

from conftest import DEMO_SECRET_KEY, GOOD_QUEUE, SOURCE_PATH, Driver, brief, job_line, load_plugin, source_args

OTHER_QUEUE = 'p5e1f8c7d9a2b4e6f8a0c1d3e5f7a9b2c'


@pytest.fixture(scope='module')
def source():
    return load_plugin(SOURCE_PATH)


def drive(source, emu, steps, before_sleep=None, **args):
    driver = Driver(emu, steps, before_sleep)
    return driver, driver.run(source, source_args(emu, **args))


# --- transitions -------------------------------------------------------------------------------
def test_each_job_is_announced_once_per_final_state_it_reaches(source, emu):
    steps = [
        [job_line('a', 'Running'), job_line('b', 'Submitted'), job_line('c', 'Success'), job_line('old', 'Failed', age=3 * 86400)],
        [job_line('a', 'Failed'), job_line('b', 'Running'), job_line('c', 'Success'), job_line('old', 'Failed', age=3 * 86400),
         job_line('d', 'Failed', age=5)],
        [job_line('a', 'Failed'), job_line('b', 'Success'), job_line('c', 'Success'), job_line('d', 'Failed', age=5)],
        [job_line('a', 'Failed'), job_line('b', 'Success'), job_line('c', 'Success'), job_line('d', 'Failed', age=5)],
    ]
    driver, events = drive(source, emu, steps)
    # poll 2: the listing finds d; a, created before its window, is read by id after it
    assert brief(events) == [('q', 'c', 'Success'), ('q', 'd', 'Failed'), ('q', 'a', 'Failed'), ('q', 'b', 'Success')]
    assert driver.slept == [5, 5, 5]
    facts = events[2]['job']
    assert facts['queue_id'] == GOOD_QUEUE and facts['tag'] == 'Translation' and facts['input']['object'] == 'in/a.txt'
    assert set(events[2]) == {'job', 'selection'}


def test_the_announced_states_are_configurable(source, emu):
    steps = [[job_line('a', 'Submitted')], [job_line('a', 'Running')], [job_line('a', 'Failed')]]
    dummy, events = drive(source, emu, steps, states=['Running', 'Failed'])
    assert brief(events) == [('q', 'a', 'Running'), ('q', 'a', 'Failed')]


def test_a_job_created_before_the_listing_window_that_finishes_is_read_by_id(source, emu):
    """No gap: job a is older than every later listing window; it is asked for by id until it is final."""
    steps = [[job_line('a', 'Running', age=900)], [job_line('a', 'Running', age=900)], [job_line('a', 'Failed', age=900)],
             [job_line('a', 'Failed', age=900)]]
    driver, events = drive(source, emu, steps)
    assert brief(events) == [('q', 'a', 'Failed')]
    gets = [stat['by_kind'].get('get', 0) for stat in driver.stats]
    assert gets == [0, 1, 2, 2]  # cumulative: polls 2 and 3 ask for a by id, poll 4 no more (a is final)


def test_requests_per_poll_are_one_listing_per_selection_plus_id_batches_of_200(source, emu):
    ids = ['id%03d' % number for number in range(250)]
    running = [job_line(job_id, 'Running', queue=OTHER_QUEUE, tag='SpeechRecognition') for job_id in ids]
    done = [job_line(job_id, 'Success', queue=OTHER_QUEUE, tag='SpeechRecognition') for job_id in ids]
    selections = [{'label': 'q', 'queue_id': GOOD_QUEUE, 'tag': 'Translation'},
                  {'label': 'w', 'queue_id': GOOD_QUEUE, 'tag': 'WordsGeneralize'},
                  {'label': 'ids', 'job_ids': ids}]
    driver, events = drive(source, emu, [running, running, done, done], selections=selections)
    assert len(events) == 250 and set(event['selection'] for event in events) == {'ids'}
    per_poll = []
    previous = {}
    for stat in driver.stats:
        per_poll.append(dict((kind, stat['by_kind'].get(kind, 0) - previous.get(kind, 0)) for kind in ('list', 'get')))
        previous = stat['by_kind']
    # 2 listing selections: 2 list requests; 250 unfinished ids: 2 GETs (200 + 50); none once all are final
    assert per_poll == [{'list': 2, 'get': 2}, {'list': 2, 'get': 2}, {'list': 2, 'get': 2}, {'list': 2, 'get': 0}]


def test_each_selection_reads_its_job_list_for_the_listing_and_by_id(source, emu):
    """PicProcess jobs are listed at /pic_jobs and asked for by id there; a selection names its list with job_list."""
    steps = [[job_line('p', 'Running', tag='PicProcess'), job_line('d', 'Running', tag='DocProcess')],
             [job_line('p', 'Success', tag='PicProcess'), job_line('d', 'Failed', tag='DocProcess')]]
    selections = [{'label': 'pic', 'queue_id': GOOD_QUEUE, 'tag': 'PicProcess'},
                  {'label': 'doc', 'job_ids': ['d'], 'job_list': 'doc_jobs'}]
    driver, events = drive(source, emu, steps, selections=selections, states=['Running', 'Success', 'Failed'])
    assert sorted(brief(events)) == [('doc', 'd', 'Failed'), ('doc', 'd', 'Running'), ('pic', 'p', 'Running'),
                                     ('pic', 'p', 'Success')]
    assert driver.stats[-1]['by_kind'].get('get', 0) >= 2  # d by id at /doc_jobs (both polls), p by id at /pic_jobs


# --- restarts ----------------------------------------------------------------------------------
def test_a_restart_with_the_state_file_announces_only_what_is_new(source, emu, tmp_path):
    state = str(tmp_path / 'state.json')
    first = [[job_line('a', 'Failed'), job_line('b', 'Running')]] * 2
    dummy, events = drive(source, emu, first, state_file=state)
    assert brief(events) == [('q', 'a', 'Failed')]
    assert oct(os.stat(state).st_mode & 0o777) == '0o600'
    second = [[job_line('a', 'Failed'), job_line('b', 'Failed'), job_line('c', 'Failed', age=5)]] * 2
    dummy, events = drive(source, emu, second, state_file=state)
    assert brief(events) == [('q', 'c', 'Failed'), ('q', 'b', 'Failed')]
    # without the state file, a restart announces again what the look-back window holds
    dummy, events = drive(source, emu, second)
    assert sorted(brief(events)) == [('q', 'a', 'Failed'), ('q', 'b', 'Failed'), ('q', 'c', 'Failed')]


def test_a_state_file_older_than_the_events_repeats_them_at_least_once(source, emu, tmp_path):
    """The state is written after the events are queued: a crash in between repeats them, never loses them."""
    state = str(tmp_path / 'state.json')
    kept = str(tmp_path / 'after-poll-1.json')
    steps = [[job_line('a', 'Running')], [job_line('a', 'Failed')]]
    dummy, events = drive(source, emu, steps, before_sleep=lambda polls: shutil.copy(state, kept), state_file=state)
    assert brief(events) == [('q', 'a', 'Failed')]
    shutil.copy(kept, state)  # as if the source died after queueing a's event, before writing the state
    dummy, events = drive(source, emu, [[job_line('a', 'Failed')]], state_file=state)
    assert brief(events) == [('q', 'a', 'Failed')]
    dummy, events = drive(source, emu, [[job_line('a', 'Failed')]], state_file=state)
    assert brief(events) == []


def test_look_back_bounds_a_first_start(source, emu):
    steps = [[job_line('in', 'Failed', age=20 * 60), job_line('out', 'Failed', age=40 * 60)]]
    dummy, events = drive(source, emu, steps, look_back='30m')
    assert brief(events) == [('q', 'in', 'Failed')]


def test_a_broken_state_file_stops_the_source_with_its_name(source, emu, tmp_path):
    state = tmp_path / 'state.json'
    state.write_text('{"version": 7}')
    with pytest.raises(ValueError, match='state_file .*state.json cannot be used .*version 1.*remove it'):
        drive(source, emu, [[job_line('a', 'Failed')]], state_file=str(state))


# --- faults --------------------------------------------------------------------------------------
def test_a_failed_poll_is_an_error_event_and_the_next_poll_catches_up(source, emu):
    emu.set_faults(['503,count=1'])
    steps = [[job_line('a', 'Failed')], [job_line('a', 'Failed')]]
    dummy, events = drive(source, emu, steps)
    assert brief(events) == [('ci_error', 'q', 503), ('q', 'a', 'Failed')]
    error = events[0]['ci_error']
    assert '503' in error['message'] and error['error']['path'] == '/jobs'
    assert DEMO_SECRET_KEY not in json.dumps(events)


def test_the_error_event_key_is_configurable_and_can_be_off(source, emu):
    emu.set_faults(['500,count=1'])
    dummy, events = drive(source, emu, [[job_line('a', 'Failed')]], error_key='trouble')
    assert brief(events) == [('trouble', 'q', 500)]
    emu.set_faults(['500,count=1'])
    dummy, events = drive(source, emu, [[job_line('a', 'Failed')]], error_key='')
    assert events == []


def test_failed_requests_are_retried_before_they_are_reported(source, emu):
    emu.set_faults(['503,count=2'])
    dummy, events = drive(source, emu, [[job_line('a', 'Failed')]], retries=2)
    assert brief(events) == [('q', 'a', 'Failed')]


def test_requests_run_outside_the_event_loop_thread(source, emu):
    seen = []
    original = source['JobsSource'].poll

    def poll(self):
        seen.append(threading.current_thread() is threading.main_thread())
        return original(self)

    source['JobsSource'].poll = poll
    try:
        drive(source, emu, [[job_line('a', 'Failed')]])
    finally:
        source['JobsSource'].poll = original
    assert seen == [False]


# --- options -----------------------------------------------------------------------------------
@pytest.mark.parametrize('change, message', [
    ({'selections': None}, 'selections is required'),
    ({'selections': []}, 'selections must be a non-empty list'),
    ({'selections': [{'queue_id': GOOD_QUEUE}]}, r'selections\[1\]: .*tag is missing'),
    ({'selections': [{'queue_id': GOOD_QUEUE, 'tag': 'Nope'}]}, 'tag must be one of Animation, Concat, '),
    ({'selections': [{'queue_id': GOOD_QUEUE, 'tag': 'Translation', 'states': ['Failed']}]}, 'unknown key states'),
    ({'selections': [{'label': 'x', 'job_ids': ['a']}, {'label': 'x', 'job_ids': ['b']}]}, "label 'x' is used twice"),
    ({'selections': [{'job_ids': ['bad id']}]}, 'each of job_ids must be a job id'),
    ({'states': ['Done']}, 'states must be a list of All, Submitted'),
    ({'states': ['All']}, 'not All'),
    ({'interval': 0}, 'interval must be a number from 1 to 86400'),
    ({'look_back': '2024-01-01T00:00:00Z'}, 'look_back must be an age'),
    ({'look_back': 'soon'}, 'look_back must be an age'),
    ({'look_back': '2024-01-01 00:00:00Z'}, 'look_back must be an age'),
    ({'look_back': '0m'}, 'look_back must be an age'),
    ({'look_back': 7200}, 'look_back must be an age'),
    ({'queue_id': GOOD_QUEUE}, 'give the selection keys .* inside selections'),
    ({'colour': 'red'}, 'unknown option colour'),
    ({'error_key': 3}, 'error_key must be a text'),
])
def test_a_bad_option_stops_the_source_naming_it(source, emu, change, message):
    args = source_args(emu)
    args.update(change)
    args = dict((key, value) for key, value in args.items() if value is not None)
    with pytest.raises(ValueError, match=message):
        asyncio.run(source['main'](asyncio.Queue(), args))


def test_top_level_selection_keys_make_one_selection(source, emu):
    args = source_args(emu, queue_id=GOOD_QUEUE, tag='Translation')
    del args['selections']
    assert [label for label, dummy in source['Settings'](args).selections] == ['default']


def test_a_bad_connection_option_never_shows_the_secret(source, emu):
    secret = 'not a valid\nsecret-key-value'
    args = source_args(emu, secret_key=secret)
    with pytest.raises(ValueError) as info:
        asyncio.run(source['main'](asyncio.Queue(), args))
    assert 'secret_key' in str(info.value) and 'secret-key-value' not in str(info.value)


def test_the_source_file_imports_the_collection_when_run_by_path(tmp_path):
    """ansible-rulebook runs the file by path, without the collections root on sys.path."""
    code = ('import runpy, sys; module = runpy.run_path(sys.argv[1]); '
            'print(module["CIClient"].__module__, module["JobTracker"].__module__)')
    env = dict(os.environ, PYTHONPATH='')
    out = subprocess.run([sys.executable, '-c', code, SOURCE_PATH], capture_output=True, text=True, cwd=str(tmp_path),
                         env=env, check=True).stdout.split()
    assert out == ['ansible_collections.qcloud.ci.plugins.module_utils._client',
                   'ansible_collections.qcloud.ci.plugins.module_utils._job_events']
