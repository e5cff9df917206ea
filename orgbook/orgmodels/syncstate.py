"""The one sync state of an org connection, computed here and nowhere else (issue 15).

never synced · queued · running (stage and percent) · finished (when, counts) · failed (reason) ·
needs re-authorisation · suspended

Every page that shows an org's sync (the implementation's card and panel, the page after the OAuth
callback, the org model's head, re-authorising) renders `sync_state` through one template,
web/orgs/_sync_state.html, and polls it while it is `live`; "Sync now" is offered exactly when
`may_start`. Before, each place read `OrgConnection.status`, `status_reason` and the last run on
its own and they contradicted each other ("Syncing" beside a finished run, "Queued" beside
"5% · listing", "Up to date" on a suspended implementation's orgs).

What it reads: the implementation's status, the connection's status (re-authorisation; "Queued",
which `mark_queued` writes when a sync is sent to the workers and the worker clears when it opens
its run), the sync lease (held while a worker runs the sync) and the org model's latest sync run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from orgbook.implementations.models import SYNC_QUEUED, ConnectionStatus, OrgConnection
from orgbook.orgmodels.models import SyncRun

NOT_SYNCS = ("upload", "import")  # runs on a model that are not syncs of its org
NEEDS_LOGIN = (ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED)
RUN_FIELDS = ("id", "model", "status", "stage", "progress", "started_at", "finished_at", "added", "changed",
              "removed", "error")


class SyncPhase(StrEnum):
    NEVER_SYNCED = "never_synced"
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    NEEDS_REAUTH = "needs_reauth"
    SUSPENDED = "suspended"


LABELS = {
    SyncPhase.NEVER_SYNCED: "Not synced yet",
    SyncPhase.QUEUED: "Queued",
    SyncPhase.RUNNING: "Syncing",
    SyncPhase.FINISHED: "Synced",
    SyncPhase.FAILED: "Sync failed",
    SyncPhase.NEEDS_REAUTH: "Needs re-authorisation",
    SyncPhase.SUSPENDED: "Suspended",
}


@dataclass(frozen=True)
class SyncState:
    phase: SyncPhase
    reason: str = ""  # why it failed, why it needs a login, what a queued sync waits for
    stage: str = ""  # running: the stage the worker reported last
    percent: int = 0  # running: 0 to 100
    finished_at: datetime | None = None  # finished: when the last sync ended
    added: int = 0
    changed: int = 0
    removed: int = 0
    run_id: int | None = None  # the run it describes (its report page), if any
    model_id: int | None = None  # the org model, once the first sync made it
    resumable: bool = False  # queued: a run whose worker stopped, which Sync now takes over at once

    @property
    def label(self) -> str:
        return LABELS[self.phase]

    @property
    def live(self) -> bool:
        """Still moving: pages ask again until it settles."""
        return self.phase in (SyncPhase.QUEUED, SyncPhase.RUNNING)

    @property
    def may_start(self) -> bool:
        """A sync may be started now ("Sync now" is enabled): none is queued or running, the org's
        login is good and the implementation is active."""
        return self.resumable or self.phase in (SyncPhase.NEVER_SYNCED, SyncPhase.FINISHED, SyncPhase.FAILED)


def state_of(conn: OrgConnection, run: SyncRun | None, now: datetime | None = None) -> SyncState:
    """The state of `conn`, given its org model's latest sync run (None when it has none)."""
    now = now or timezone.now()
    impl = conn.implementation
    if impl.is_suspended():
        return SyncState(SyncPhase.SUSPENDED, reason=f"{impl.name} is suspended: its orgs are not synced until it is "
                                                     "reactivated.")
    if conn.status in NEEDS_LOGIN:
        return SyncState(SyncPhase.NEEDS_REAUTH, reason=conn.status_reason or "Salesforce no longer accepts the stored "
                                                                             "login: a Space admin reconnects the org.")
    model_id = run.model_id if run is not None else None
    held = conn.sync_lease_until is not None and conn.sync_lease_until > now
    if run is not None and run.status == SyncRun.Status.RUNNING and held:
        return SyncState(SyncPhase.RUNNING, stage=run.stage, percent=min(100, run.progress), run_id=run.pk,
                         model_id=model_id)
    if conn.status == ConnectionStatus.SYNCING and conn.status_reason == SYNC_QUEUED:
        return SyncState(SyncPhase.QUEUED, reason="Waiting for a worker to start it.", model_id=model_id)
    if conn.status == ConnectionStatus.SYNC_FAILED:
        reason = conn.status_reason or (run.error if run is not None else "") or "The last sync failed."
        return SyncState(SyncPhase.FAILED, reason=reason, run_id=run.pk if run else None, model_id=model_id)
    if run is None:
        return SyncState(SyncPhase.NEVER_SYNCED)
    if run.status == SyncRun.Status.RUNNING:
        # Nobody holds the lease: the worker stopped mid-sync, and the next one resumes this run.
        return SyncState(SyncPhase.QUEUED, reason=f"Interrupted during {run.stage or 'its start'}; it resumes when a "
                                                  "worker takes it over.", run_id=run.pk, model_id=model_id, resumable=True)
    if run.status == SyncRun.Status.FAILED:
        return SyncState(SyncPhase.FAILED, reason=run.error or "The last sync failed.", run_id=run.pk,
                         model_id=model_id)
    return SyncState(SyncPhase.FINISHED, finished_at=run.finished_at or run.started_at, added=run.added,
                     changed=run.changed, removed=run.removed, run_id=run.pk, model_id=model_id)


def _latest_run_ids(connection_ids: Iterable[int]) -> Subquery:
    latest = (SyncRun.objects.filter(model__connection=OuterRef("pk")).exclude(trigger__in=NOT_SYNCS)
              .order_by("-started_at", "-id").values("pk")[:1])
    return Subquery(OrgConnection.objects.filter(pk__in=list(connection_ids)).annotate(run=Subquery(latest))
                    .exclude(run=None).values("run"))


def sync_state(conn: OrgConnection) -> SyncState:
    """One connection's state (one query: its latest sync run)."""
    run = (SyncRun.objects.filter(model__connection=conn).exclude(trigger__in=NOT_SYNCS)
           .order_by("-started_at", "-id").only(*RUN_FIELDS).first())
    return state_of(conn, run)


def sync_states(connections: Iterable[OrgConnection]) -> dict[int, SyncState]:
    """The states of many connections by id, in one query whatever their number (a page of cards)."""
    conns = list(connections)
    if not conns:
        return {}
    runs = (SyncRun.objects.filter(pk__in=_latest_run_ids(c.pk for c in conns))
            .annotate(connection_id=F("model__connection"))
            .only(*RUN_FIELDS))
    by_connection = {run.connection_id: run for run in runs}  # type: ignore[attr-defined]
    now = timezone.now()
    return {c.pk: state_of(c, by_connection.get(c.pk), now) for c in conns}


def mark_queued(conn: OrgConnection) -> None:
    """A sync of `conn` was sent to the workers: the org shows "Queued" until one opens its run."""
    OrgConnection.objects.filter(pk=conn.pk).update(status=ConnectionStatus.SYNCING, status_reason=SYNC_QUEUED)
    conn.status, conn.status_reason = ConnectionStatus.SYNCING, SYNC_QUEUED
