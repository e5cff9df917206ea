"""An org's daily sync runs at its time in the Space's time zone, once a day, starting with the first
time that comes after it was connected (its first sync ran at the connect). Once an org connected
in the afternoon with a night-time slot synced again at the next five-minute tick."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.syncing import due_for_schedule

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(paris_retail: Any) -> Any:
    return lambda connected_at, sync_time: OrgConnection.objects.create(
        implementation=paris_retail, kind="production", org_id="00D000000000001AAA", org_name="Retail",
        connected_at=connected_at, sync_time=sync_time)


def due_at(moment: datetime) -> list[int]:
    return [c.pk for c in due_for_schedule(moment)]


def test_an_org_connected_in_the_afternoon_waits_for_its_night_time(connection: Any) -> None:
    conn = connection(at(2, 14, 0), time(1, 30))
    assert due_at(at(2, 14, 5)) == []  # the next scheduler tick: today's 01:30 was before the connect
    assert due_at(at(2, 23, 55)) == []
    assert due_at(at(3, 1, 25)) == []
    assert due_at(at(3, 1, 30)) == [conn.pk]  # at its time
    assert due_at(at(3, 1, 35)) == []  # once a day
    assert due_at(at(4, 1, 30)) == [conn.pk]


def test_a_time_later_the_same_day_is_kept(connection: Any) -> None:
    conn = connection(at(2, 14, 0), time(22, 15))
    assert due_at(at(2, 22, 10)) == []
    assert due_at(at(2, 22, 15)) == [conn.pk]


def test_the_time_is_the_spaces_local_time(connection: Any) -> None:
    conn = connection(at(2, 14, 0), time(22, 15))
    utc = UTC
    assert due_at(datetime(2026, 12, 2, 21, 10, tzinfo=utc)) == []  # 22:10 in Paris
    assert due_at(datetime(2026, 12, 2, 21, 15, tzinfo=utc)) == [conn.pk]  # 22:15 in Paris
