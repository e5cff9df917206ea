"""A sync's heartbeat outlives a cut of its own database connection (issue 19, item 14).

The heartbeat thread kept Django's broken connection after the server ended it, so every later beat
failed, the lease lapsed under a live sync, and the scheduler gave its run to a second attempt while
the first was still writing: the first then stopped before Salesforce's dependency rows (280 rows
short in the probe's 20,000-component org)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.syncing import Heartbeat, acquire_lease, new_owner, release_lease

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
LEASE = 2


def _lease_until(conn: OrgConnection) -> Any:
    return OrgConnection.objects.filter(pk=conn.pk).values_list("sync_lease_until", flat=True).get()


def _cut_heartbeat_connection() -> bool:
    """Terminate the backend that last renewed a lease, other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                       "AND datname = current_database() AND query ILIKE %s", ["%sync_lease_until%"])
        return bool(cursor.fetchall())


def _wait(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {seconds} s")
        time.sleep(0.05)


def test_the_lease_is_renewed_after_the_heartbeats_connection_is_cut(connected: OrgConnection,
                                                                     settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...")
    settings.ORGBOOK_SYNC_LEASE_SECONDS = LEASE
    owner = new_owner()
    assert acquire_lease(connected, owner)
    try:
        with Heartbeat(connected, owner) as heart:
            _wait(_cut_heartbeat_connection, 10, "heartbeat connection to cut")
            cut_at = timezone.now()
            # A beat after the cut sets the lease past cut + LEASE; without one it lapses at cut + LEASE.
            _wait(lambda: _lease_until(connected) > cut_at + timedelta(seconds=LEASE), 3 * LEASE,
                  "renewal of the lease after the cut")
            assert not heart.lost
    finally:
        release_lease(connected, owner)
