"""The retrieve latency model and the concurrency limit (docs/salesforce-limits.md): a retrieve is
InProgress until the time it takes to prepare has passed, retrieves beyond the org's active ones wait
as Pending, and one more than the concurrent limit answers REQUEST_LIMIT_EXCEEDED."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakeforce import Emulator
from fakeforce.tests import flow
from fakeforce.tests.sfdx_sample import make_project
from fakeforce.tests.test_soap_retrieve import check, retrieve_body, start, unzip

NS = flow.NS
CLASSES = retrieve_body([("ApexClass", ["*"])])  # two files and package.xml


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _emulator(tmp_path: Path, **settings: object) -> Iterator[Emulator]:
    config = flow.config(str(make_project(tmp_path)), retrieve_polls=0, **settings)
    with Emulator.from_config(config) as e:
        yield e


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[Emulator]:
    yield from _emulator(tmp_path, retrieve_seconds=10, retrieve_seconds_per_file=1, active_retrieves=2,
                         concurrent_retrieves=3)


def status(tok: dict, job: str) -> str:  # type: ignore[type-arg]
    return check(tok, job).findtext("m:status", namespaces=NS) or ""


def test_a_retrieve_is_in_progress_until_its_files_are_prepared(slow: Emulator) -> None:
    clock = slow.monotonic = Clock()
    tok = flow.get_tokens(slow)
    job = start(tok, CLASSES)
    # 10 s for the retrieve and 1 s for each of its 3 files (two class files and package.xml).
    for seconds in (0, 5, 12.9):
        clock.now = 1000 + seconds
        result = check(tok, job)
        assert result.findtext("m:done", namespaces=NS) == "false" and status(tok, job) == "InProgress"
        assert result.find("m:zipFile", NS).get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    clock.now = 1013
    done = check(tok, job)
    assert done.findtext("m:status", namespaces=NS) == "Succeeded"
    assert "unpackaged/classes/AccountService.cls" in unzip(done)


def test_retrieves_beyond_the_active_ones_wait_pending_in_the_order_they_came(slow: Emulator) -> None:
    clock = slow.monotonic = Clock()
    tok = flow.get_tokens(slow)
    first, second, third = (start(tok, CLASSES) for _ in range(3))
    assert [status(tok, j) for j in (first, second, third)] == ["InProgress", "InProgress", "Pending"]
    clock.now = 1013  # the first two are ready; the third started when they were and needs 13 s
    assert status(tok, first) == "Succeeded" and status(tok, third) == "InProgress"
    clock.now = 1025.9
    assert status(tok, third) == "InProgress"
    clock.now = 1026
    assert status(tok, third) == "Succeeded"


def test_one_retrieve_more_than_the_limit_answers_request_limit_exceeded(slow: Emulator) -> None:
    clock = slow.monotonic = Clock()
    tok = flow.get_tokens(slow)
    jobs = [start(tok, CLASSES) for _ in range(3)]
    refused = flow.soap(tok, CLASSES)
    assert refused.status_code == 500
    assert refused.text.count("sf:REQUEST_LIMIT_EXCEEDED") == 1
    assert "ConcurrentRequests (Concurrent API Requests) Limit exceeded." in refused.text
    clock.now = 1013  # two are ready: their places are free again, whether collected or not
    assert status(tok, jobs[0]) == "Succeeded"
    start(tok, CLASSES)
    start(tok, CLASSES)
    assert flow.soap(tok, CLASSES).status_code == 500


def test_the_limit_is_the_editions_concurrent_request_limit_by_default(tmp_path: Path) -> None:
    for emu in _emulator(tmp_path, retrieve_seconds=60):
        emu.monotonic = Clock()
        tok = flow.get_tokens(emu)
        for _ in range(25):  # an Enterprise Edition org: 25 (5 for Developer Edition and trials)
            start(tok, CLASSES)
        assert "REQUEST_LIMIT_EXCEEDED" in flow.soap(tok, CLASSES).text


def test_the_delay_passes_in_real_time(tmp_path: Path) -> None:
    for emu in _emulator(tmp_path, retrieve_seconds=0.4):
        tok = flow.get_tokens(emu)
        job = start(tok, CLASSES)
        assert status(tok, job) == "InProgress"
        time.sleep(0.5)
        assert status(tok, job) == "Succeeded"


def test_without_latency_settings_retrieves_are_ready_at_once(tmp_path: Path) -> None:
    for emu in _emulator(tmp_path):
        tok = flow.get_tokens(emu)
        jobs = [start(tok, CLASSES) for _ in range(30)]
        assert {status(tok, j) for j in jobs} == {"Succeeded"}
