"""A sync keeps several retrieves in flight, within the org's limit (docs/salesforce-limits.md), and
reads each chunk as it lands; what it stores is the same as with one retrieve at a time."""

from __future__ import annotations

import hashlib
from typing import Any

from orgbook.orgmodels.models import Component, Dependency, OrgModel
from orgbook.runs.syncs import sync_connection
from tests.emulator import emulator_fixture

from .conftest import config

# Every retrieve takes a while to prepare, as on Salesforce (fakeforce's latency model).
SLOW = {"retrieve_seconds": 0.3, "retrieve_seconds_per_file": 0.005, "retrieve_polls": 0}

emu = emulator_fixture(lambda: {**config(), **SLOW})


def most_prepared_at_once(emulator: Any) -> int:
    """The most retrieves of the org the emulator was preparing at one moment (its own records)."""
    events = sorted([(j.submitted_at, 1) for j in emulator.jobs.values()]
                    + [(j.ready_at, -1) for j in emulator.jobs.values()])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def digest(model: OrgModel) -> str:
    """The model's content, free of ids: its components and every dependency edge."""
    components = sorted(Component.objects.filter(model=model).values_list("type", "full_name", "content_hash",
                                                                          "status", "attributes"))
    edges = sorted(Dependency.objects.filter(model=model).values_list(
        "source__type", "source__full_name", "target_type", "target_key", "where", "origin"))
    return hashlib.sha256(repr((components, edges)).encode()).hexdigest()


def test_a_sync_keeps_the_set_number_of_retrieves_in_flight_and_no_more(connected: Any, emu: Any,
                                                                        settings: Any) -> None:
    settings.ORGBOOK_SYNC_CHUNK_FILES, settings.ORGBOOK_SYNC_RETRIEVES_IN_FLIGHT = 12, 3
    lines: list[str] = []
    run = sync_connection(connected, "first", echo=lines.append)
    assert run.status == "succeeded" and run.added > 80
    assert len(emu.jobs) >= 8  # many chunks, so several could be in flight
    assert most_prepared_at_once(emu) == 3
    # The reading starts with the first chunk landed, while the others are still being prepared.
    stages = [line.split("] ", 1)[1] for line in lines]
    first_read = next(i for i, s in enumerate(stages) if s.startswith("reading ("))
    assert stages[first_read - 1] == "reading" and stages[first_read].startswith("reading (1 of")
    assert not any(s.startswith("retrieving (1 of") for s in stages)


def test_a_sync_stays_under_the_orgs_concurrent_limit_when_it_is_lower(connected: Any, emu: Any,
                                                                       settings: Any) -> None:
    emu.settings.concurrent_retrieves = 2  # the org accepts two retrieves being prepared; the sync asks three
    settings.ORGBOOK_SYNC_CHUNK_FILES, settings.ORGBOOK_SYNC_RETRIEVES_IN_FLIGHT = 12, 3
    run = sync_connection(connected, "first")
    assert run.status == "succeeded" and run.added > 80
    assert most_prepared_at_once(emu) == 2
    assert not any("REQUEST_LIMIT_EXCEEDED" in w["message"] for w in run.warnings)


def test_several_in_flight_store_what_one_at_a_time_stores(connected: Any, emu: Any, settings: Any) -> None:
    settings.ORGBOOK_SYNC_CHUNK_FILES = 12
    found = {}
    for in_flight in (1, 4):
        settings.ORGBOOK_SYNC_RETRIEVES_IN_FLIGHT = in_flight
        emu.jobs.clear()
        run = sync_connection(connected, "first")
        assert run.status == "succeeded" and run.version == 1
        assert most_prepared_at_once(emu) == in_flight
        found[in_flight] = (digest(run.model), run.added, run.warnings)
        OrgModel.objects.filter(pk=run.model_id).delete()  # the next sync starts from nothing too
        connected.refresh_from_db()
    assert found[1] == found[4]
