"""Suspended content is kept 240 days (a setting), then purged by the scheduled job; warnings first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.implementations.tasks import daily_lifecycle
from orgbook.spaces.models import AuditEvent

SUSPENDED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def suspended(people: dict[str, Any]) -> Implementation:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Legacy")
    OrgConnection.objects.create(implementation=impl, kind="production", org_id="00D00000000000LAAA")
    with time_machine.travel(SUSPENDED_AT, tick=False):
        lifecycle.suspend(impl, None, reason="renewal")
    return impl


def test_day_239_is_kept(suspended: Implementation) -> None:
    with time_machine.travel(SUSPENDED_AT + timedelta(days=239, hours=23, minutes=59), tick=False):
        assert lifecycle.purge_expired() == []
    assert Implementation.objects.filter(pk=suspended.pk).exists()


def test_day_240_is_purged_with_everything_in_it(suspended: Implementation) -> None:
    with time_machine.travel(SUSPENDED_AT + timedelta(days=240), tick=False):
        assert lifecycle.purge_expired() == ["Legacy"]
    assert not Implementation.objects.filter(pk=suspended.pk).exists()
    assert not OrgConnection.objects.exists()
    assert AuditEvent.objects.filter(action="implementation.purged", actor_email="system").count() == 1


def test_the_purge_is_idempotent(suspended: Implementation) -> None:
    with time_machine.travel(SUSPENDED_AT + timedelta(days=241), tick=False):
        assert daily_lifecycle()["purged"] == ["Legacy"]
        assert daily_lifecycle()["purged"] == []


def test_retention_is_a_setting(settings: Any, suspended: Implementation) -> None:
    settings.ORGBOOK_SUSPENDED_RETENTION_DAYS = 10
    with time_machine.travel(SUSPENDED_AT + timedelta(days=10), tick=False):
        assert lifecycle.purge_expired() == ["Legacy"]


def test_a_reactivated_implementation_is_never_purged(people: dict[str, Any], suspended: Implementation) -> None:
    lifecycle.reactivate(suspended, people["alice"])
    with time_machine.travel(SUSPENDED_AT + timedelta(days=400), tick=False):
        assert lifecycle.purge_expired() == []


def test_admins_are_warned_30_and_7_days_before_once_each(suspended: Implementation) -> None:
    mail.outbox.clear()
    with time_machine.travel(SUSPENDED_AT + timedelta(days=209), tick=False):
        assert lifecycle.send_purge_warnings() == 0
    with time_machine.travel(SUSPENDED_AT + timedelta(days=210), tick=False):
        assert lifecycle.send_purge_warnings() == 1
        assert lifecycle.send_purge_warnings() == 0
    with time_machine.travel(SUSPENDED_AT + timedelta(days=233), tick=False):
        assert lifecycle.send_purge_warnings() == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"], ["alice@example.com"]]
    assert "will be deleted on 2026-10-27" in mail.outbox[0].subject
