# -*- coding: utf-8 -*-
# Copyright: contributors to the qcloud.ci collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the emulator tests: every emulator runs as a real process on 127.0.0.1:0."""

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/emulator: harness
sys.path.insert(0, HERE)  # emu_client

from harness import (Emulator, SAMPLE_JOBS, DEMO_BUCKET, DEMO_REGION, DEMO_SECRET_ID,  # noqa: E402 pylint: disable=wrong-import-position
                     DEMO_SECRET_KEY)
from emu_client import Client  # noqa: E402 pylint: disable=wrong-import-position

TEMP_ID = 'AKIDTEMPORARYEXAMPLE00000000000000'
TEMP_KEY = 'temporary-secret-key-000000000000000'
TEMP_TOKEN = 'TMPTOKEN+/=example-0123456789'


def read_jobs(path=SAMPLE_JOBS):
    """The JSONL file as a list of dicts (the tests' own reading of the data)."""
    with open(path, encoding='utf-8') as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope='session')
def sample_emu():
    """One emulator with the sample data, the demo bucket/region and a temporary credential."""
    emu = Emulator(jobs=[SAMPLE_JOBS], bucket=DEMO_BUCKET, region=DEMO_REGION, credentials=[(TEMP_ID, TEMP_KEY, TEMP_TOKEN)])
    emu.start()
    yield emu
    emu.cleanup()


@pytest.fixture
def emu(sample_emu):
    """The shared sample emulator with the sample jobs, counters, faults and clock reset for this test."""
    sample_emu.load_jobs(SAMPLE_JOBS)  # a previous test may have loaded other jobs
    sample_emu.reset()
    return sample_emu


@pytest.fixture
def client(emu):
    """A signing client with the demo credential."""
    cli = Client('127.0.0.1', emu.port, DEMO_SECRET_ID, DEMO_SECRET_KEY)
    yield cli
    cli.close()


@pytest.fixture
def temp_client(emu):
    """A signing client with the temporary credential and its token."""
    cli = Client('127.0.0.1', emu.port, TEMP_ID, TEMP_KEY, token=TEMP_TOKEN)
    yield cli
    cli.close()
