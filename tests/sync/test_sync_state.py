"""An org's one sync state (orgbook/orgmodels/syncstate.py, issue 15): each of the seven states from
what the database holds, which one wins when several facts are true at once, and Sync now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from orgbook.errors import SyncAlreadyRunning
from orgbook.implementations import lifecycle
from orgbook.implementations.models import (
    ConnectionStatus,
    Implementation,
    ImplementationStatus,
    OrgConnection,
)
from orgbook.orgmodels import syncing
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.orgmodels.syncstate import SyncPhase, mark_queued, sync_state, sync_states
from orgbook.runs.tasks import start_manual_sync

RUNNING, SUCCEEDED, FAILED = SyncRun.Status.RUNNING, SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED


@pytest.fixture
def retail(people: dict[str, Any]) -> Implementation:
    return lifecycle.create_implementation(people["acme"], people["alice"], "Retail")


@pytest.fixture
def conn(retail: Implementation) -> OrgConnection:
    return OrgConnection.objects.create(implementation=retail, kind="production", org_id="00D5g000004AcmeEAC",
                                        org_name="Acme")


def model_of(conn: OrgConnection) -> OrgModel:
    return OrgModel.objects.get_or_create(implementation=conn.implementation, connection=conn,
                                          defaults={"name": conn.label(), "kind": conn.kind})[0]


def run(conn: OrgConnection, status: str, minutes_ago: int = 0, **fields: Any) -> SyncRun:
    started = timezone.now() - timedelta(minutes=minutes_ago)
    return SyncRun.objects.create(model=model_of(conn), trigger=fields.pop("trigger", "manual"), status=status,
                                  started_at=started, **fields)


def hold_lease(conn: OrgConnection) -> None:
    assert syncing.acquire_lease(conn, "worker-1")


def state(conn: OrgConnection) -> Any:
    return sync_state(OrgConnection.objects.select_related("implementation").get(pk=conn.pk))


def test_never_synced(conn: OrgConnection) -> None:
    s = state(conn)
    assert (s.phase, s.label, s.live, s.may_start) == (SyncPhase.NEVER_SYNCED, "Not synced yet", False, True)


def test_queued_when_sent_to_the_workers(conn: OrgConnection) -> None:
    mark_queued(conn)
    s = state(conn)
    assert (s.phase, s.label, s.live, s.may_start) == (SyncPhase.QUEUED, "Queued", True, False)
    assert "worker" in s.reason


def test_queued_after_a_finished_sync_is_queued_not_finished(conn: OrgConnection) -> None:
    run(conn, SUCCEEDED, minutes_ago=60, finished_at=timezone.now(), added=3)
    mark_queued(conn)
    assert state(conn).phase == SyncPhase.QUEUED


def test_running_shows_stage_and_percent_and_never_queued_beside_it(conn: OrgConnection) -> None:
    mark_queued(conn)  # "Queued" still on the connection while the worker reports its first stage
    hold_lease(conn)
    r = run(conn, RUNNING, stage="listing", progress=5)
    s = state(conn)
    assert (s.phase, s.label, s.stage, s.percent, s.run_id) == (SyncPhase.RUNNING, "Syncing", "listing", 5, r.pk)
    assert s.live and not s.may_start


def test_a_worker_holding_the_lease_before_opening_its_run_still_shows_queued(conn: OrgConnection) -> None:
    run(conn, SUCCEEDED, minutes_ago=60, finished_at=timezone.now())
    mark_queued(conn)
    hold_lease(conn)
    assert state(conn).phase == SyncPhase.QUEUED


def test_a_run_left_by_a_worker_that_died_waits_to_be_resumed(conn: OrgConnection) -> None:
    syncing.set_status(conn, ConnectionStatus.SYNCING)
    run(conn, RUNNING, stage="retrieving (1 of 3 chunks)", progress=30)  # nobody holds the lease
    s = state(conn)
    assert s.phase == SyncPhase.QUEUED and "Interrupted during retrieving (1 of 3 chunks)" in s.reason
    assert s.may_start  # Sync now takes the run over at once (tests/sync/test_takeover.py)


def test_finished_says_when_and_what_changed(conn: OrgConnection) -> None:
    run(conn, FAILED, minutes_ago=120, error="old failure")
    done = timezone.now() - timedelta(minutes=5)
    r = run(conn, SUCCEEDED, minutes_ago=10, finished_at=done, added=4, changed=2, removed=1)
    syncing.set_status(conn, ConnectionStatus.UP_TO_DATE)
    s = state(conn)
    assert (s.phase, s.label, s.finished_at, s.added, s.changed, s.removed) == (
        SyncPhase.FINISHED, "Synced", done, 4, 2, 1)
    assert (s.run_id, s.model_id, s.live, s.may_start) == (r.pk, r.model_id, False, True)


def test_finished_between_the_run_ending_and_the_status_being_written(conn: OrgConnection) -> None:
    """The worker marks the run succeeded, releases the lease, then writes the status: "Syncing"
    stayed beside "Last sync … 0 added" when a page read the status alone."""
    syncing.set_status(conn, ConnectionStatus.SYNCING)
    run(conn, SUCCEEDED, finished_at=timezone.now())
    assert state(conn).phase == SyncPhase.FINISHED


def test_failed_gives_the_reason(conn: OrgConnection) -> None:
    run(conn, FAILED, error="SalesforceError: INVALID_TYPE")
    syncing.set_status(conn, ConnectionStatus.SYNC_FAILED, "SalesforceError: INVALID_TYPE")
    s = state(conn)
    assert (s.phase, s.label, s.reason, s.live, s.may_start) == (
        SyncPhase.FAILED, "Sync failed", "SalesforceError: INVALID_TYPE", False, True)


def test_a_failed_run_is_failed_even_when_the_status_says_otherwise(conn: OrgConnection) -> None:
    run(conn, FAILED, error="RetrieveFailed: boom")
    assert state(conn).phase == SyncPhase.FAILED and state(conn).reason == "RetrieveFailed: boom"


@pytest.mark.parametrize("status", [ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED])
def test_needs_reauthorisation(conn: OrgConnection, status: str) -> None:
    run(conn, SUCCEEDED, finished_at=timezone.now())
    syncing.set_status(conn, status, "Salesforce refused the refresh token.")
    s = state(conn)
    assert (s.phase, s.label, s.reason, s.live, s.may_start) == (
        SyncPhase.NEEDS_REAUTH, "Needs re-authorisation", "Salesforce refused the refresh token.", False, False)


def test_suspended_wins_over_everything(conn: OrgConnection) -> None:
    """The orgs of a suspended implementation said "Up to date"."""
    run(conn, SUCCEEDED, finished_at=timezone.now())
    syncing.set_status(conn, ConnectionStatus.UP_TO_DATE)
    Implementation.objects.filter(pk=conn.implementation_id).update(
        status=ImplementationStatus.SUSPENDED, suspended_at=timezone.now())
    s = state(conn)
    assert (s.phase, s.label, s.live, s.may_start) == (SyncPhase.SUSPENDED, "Suspended", False, False)
    assert "Retail is suspended" in s.reason


def test_uploads_into_the_model_are_not_syncs(conn: OrgConnection) -> None:
    run(conn, SUCCEEDED, minutes_ago=30, finished_at=timezone.now(), added=7)
    run(conn, FAILED, trigger="upload", error="not a sync")
    s = state(conn)
    assert s.phase == SyncPhase.FINISHED and s.added == 7


def test_many_orgs_in_one_query_agree_with_one_at_a_time(
        retail: Implementation, conn: OrgConnection, django_assert_num_queries: Any) -> None:
    boxes = [OrgConnection.objects.create(implementation=retail, kind="sandbox", org_id=f"00D5g000004Box{n}AA",
                                          sandbox_name=f"box{n}") for n in range(3)]
    run(conn, SUCCEEDED, minutes_ago=60, finished_at=timezone.now(), added=1)
    run(conn, SUCCEEDED, minutes_ago=5, finished_at=timezone.now(), added=2)
    hold_lease(boxes[0])
    run(boxes[0], RUNNING, stage="reading", progress=75)
    mark_queued(boxes[1])
    conns = list(OrgConnection.objects.select_related("implementation").filter(implementation=retail))
    with django_assert_num_queries(1):
        states = sync_states(conns)
    assert states == {c.pk: sync_state(c) for c in conns}
    assert [states[c.pk].phase for c in [conn, *boxes]] == [
        SyncPhase.FINISHED, SyncPhase.RUNNING, SyncPhase.QUEUED, SyncPhase.NEVER_SYNCED]
    assert states[conn.pk].added == 2


def test_sync_now_is_refused_while_one_is_queued_or_running(conn: OrgConnection) -> None:
    start_manual_sync(conn)  # queued: no worker runs here
    assert state(conn).phase == SyncPhase.QUEUED
    with pytest.raises(SyncAlreadyRunning, match="already queued"):
        start_manual_sync(conn)
    hold_lease(conn)
    run(conn, RUNNING, stage="listing", progress=5)
    with pytest.raises(SyncAlreadyRunning, match="already running"):
        start_manual_sync(conn)
