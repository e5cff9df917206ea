"""Running syncs: one per org at a time (a lease kept by a heartbeat), status on the connection, schedules."""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db import connection as db_connection
from django.db.models import Q
from django.utils import timezone

from orgbook.errors import SyncAlreadyRunning
from orgbook.implementations.models import ConnectionStatus, ImplementationStatus, OrgConnection
from orgbook.orgmodels.models import SyncRun

log = logging.getLogger(__name__)


def _lease() -> timedelta:
    return timedelta(seconds=settings.ORGBOOK_SYNC_LEASE_SECONDS)


def new_owner() -> str:
    """A token for one attempt: two deliveries of one task are two owners."""
    return secrets.token_hex(16)


def acquire_lease(conn: OrgConnection, owner: str) -> bool:
    """Take the org's lease if it is free or its holder's heartbeat lapsed (the holder is gone)."""
    now = timezone.now()
    free = Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now)
    taken = OrgConnection.objects.filter(pk=conn.pk).filter(free).update(
        sync_lease_until=now + _lease(), sync_lease_owner=owner)
    return taken == 1


def is_syncing(conn: OrgConnection) -> bool:
    """A sync of this org holds an unexpired lease (the answer to "Sync now" is then "already running")."""
    return OrgConnection.objects.filter(pk=conn.pk, sync_lease_until__gt=timezone.now()).exists()


def lease_left(conn: OrgConnection) -> float:
    """Seconds until the current holder's lease lapses unless renewed (0 when free)."""
    until = OrgConnection.objects.filter(pk=conn.pk).values_list("sync_lease_until", flat=True).first()
    return max(0.0, (until - timezone.now()).total_seconds()) if until else 0.0


def renew_lease(conn_id: int, owner: str) -> bool:
    """False when another attempt took the lease over (ours had lapsed): this one must stop."""
    return OrgConnection.objects.filter(pk=conn_id, sync_lease_owner=owner).update(
        sync_lease_until=timezone.now() + _lease()) == 1


def release_lease(conn: OrgConnection, owner: str) -> None:
    OrgConnection.objects.filter(pk=conn.pk, sync_lease_owner=owner).update(sync_lease_until=None, sync_lease_owner="")


class LeaseLost(SyncAlreadyRunning):
    """Our heartbeat lapsed and another attempt took the org over: it finishes the run, we stop."""


class Heartbeat:
    """Keeps an attempt's lease alive while the process lives, and only then.

    A thread renews it every quarter of the lease, so a long stage (one retrieve polled for
    minutes, the write transaction of a large org) never lets it lapse, while a killed worker's
    lease lapses within ORGBOOK_SYNC_LEASE_SECONDS. Inside an outer transaction (tests, an eager
    task in a request) no other connection could see the row, so it renews in-line at each stage.
    """

    def __init__(self, conn: OrgConnection, owner: str) -> None:
        self.conn_id, self.owner, self.lost = conn.pk, owner, False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        if not db_connection.in_atomic_block:
            self._thread = threading.Thread(target=self._run, name=f"sync-lease-{self.conn_id}", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def beat(self) -> None:
        """At each stage: renew in-line, and stop if the lease went to another attempt."""
        if self.lost or not renew_lease(self.conn_id, self.owner):
            self.lost = True
            raise LeaseLost("This sync's lease lapsed and another attempt took it over.")

    def _run(self) -> None:
        interval = max(0.5, settings.ORGBOOK_SYNC_LEASE_SECONDS / 4)
        try:
            while not self._stop.wait(interval):
                try:
                    if not renew_lease(self.conn_id, self.owner):
                        self.lost = True
                        return
                except DatabaseError as exc:  # a busy or restarting database: the next beat tries again
                    log.warning("could not renew the sync lease of connection %s: %s", self.conn_id, exc)
                    # On a new connection: Django keeps a broken one (its server process ended, the
                    # network cut it), and every later beat failed on it, so the lease lapsed under a
                    # live sync and another attempt took its run over (issue 19, item 14).
                    with contextlib.suppress(DatabaseError):
                        db_connection.close()
        finally:
            db_connection.close()  # this thread's own connection


def interrupted_connections() -> list[int]:
    """Connections with a sync run still "running" and nobody holding the lease: its worker died.
    (The lease is taken before a run opens and released after it finishes.)"""
    free = Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=timezone.now())
    dead = SyncRun.objects.filter(status=SyncRun.Status.RUNNING, model__connection__isnull=False).exclude(
        trigger__in=("upload", "import")).values("model__connection")
    # Not where the task would stop at once and leave the run as it is: re-queued every tick for nothing.
    stopped = [ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED]
    return list(OrgConnection.objects.filter(free, pk__in=dead, implementation__status=ImplementationStatus.ACTIVE)
                .exclude(status__in=stopped).values_list("pk", flat=True))


def set_status(conn: OrgConnection, status: str, reason: str = "") -> None:
    OrgConnection.objects.filter(pk=conn.pk).update(status=status, status_reason=reason[:500])


def due_for_schedule(now: Any = None) -> list[OrgConnection]:
    """Connections whose daily sync time has come today (in their Space's time zone)."""
    now = now or timezone.now()
    due = []
    candidates = (OrgConnection.objects.select_related("implementation__space")
                  .filter(manual_sync_only=False, implementation__status=ImplementationStatus.ACTIVE)
                  .exclude(status__in=[ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED]))
    for conn in candidates:
        if conn.is_scheduled_sync_due(now):
            due.append(conn)
            OrgConnection.objects.filter(pk=conn.pk).update(last_scheduled_on=conn.sync_slot_on(now).date())
    return due
