"""When an org's next scheduled sync runs, as the panel and the Sync schedule page show it: today's
time while it is still ahead (and not yet queued), else tomorrow's; never for manual sync only or a
suspended implementation."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from orgbook.implementations.models import ImplementationStatus, OrgConnection

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def conn(paris_retail: Any) -> OrgConnection:
    return OrgConnection.objects.create(implementation=paris_retail, kind="production", org_id="00D000000000001AAA",
                                        connected_at=at(1, 12), sync_time=time(22, 15))


def test_later_today_then_tomorrow_once_queued(conn: OrgConnection) -> None:
    assert conn.next_scheduled_sync(at(2, 14)) == at(2, 22, 15)
    conn.last_scheduled_on = date(2026, 12, 2)  # the scheduler queued today's
    assert conn.next_scheduled_sync(at(2, 22, 20)) == at(3, 22, 15)


def test_a_due_slot_not_yet_queued_is_shown_as_it_is(conn: OrgConnection) -> None:
    assert conn.next_scheduled_sync(at(2, 22, 17)) == at(2, 22, 15)


def test_none_for_manual_only_or_suspended(conn: OrgConnection) -> None:
    conn.manual_sync_only = True
    assert conn.next_scheduled_sync(at(2, 14)) is None
    conn.manual_sync_only = False
    conn.implementation.status = ImplementationStatus.SUSPENDED
    assert conn.next_scheduled_sync(at(2, 14)) is None
