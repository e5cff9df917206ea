"""Running syncs: one per org at a time (a lease), status on the connection, schedules."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from orgbook.errors import NeedsReauthorisation, SyncAlreadyRunning
from orgbook.implementations import connect
from orgbook.implementations.access import require_active
from orgbook.implementations.models import ConnectionStatus, ImplementationStatus, OrgConnection
from orgbook.orgmodels import notify
from orgbook.orgmodels.models import SyncRun
from orgbook.orgmodels.sync import run_sync
from orgbook.salesforce.errors import RefreshTokenRevoked, RequestLimitExceeded, TransientError
from orgbook.salesforce.metadata_api import MetadataApi


def _lease() -> timedelta:
    return timedelta(seconds=settings.ORGBOOK_SYNC_LEASE_SECONDS)


def acquire_lease(conn: OrgConnection) -> bool:
    now = timezone.now()
    free = Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now)
    return OrgConnection.objects.filter(pk=conn.pk).filter(free).update(sync_lease_until=now + _lease()) == 1


def is_syncing(conn: OrgConnection) -> bool:
    """A sync of this org holds an unexpired lease (the answer to "Sync now" is then "already running")."""
    return OrgConnection.objects.filter(pk=conn.pk, sync_lease_until__gt=timezone.now()).exists()


def renew_lease(conn: OrgConnection) -> None:
    OrgConnection.objects.filter(pk=conn.pk).update(sync_lease_until=timezone.now() + _lease())


def release_lease(conn: OrgConnection) -> None:
    OrgConnection.objects.filter(pk=conn.pk).update(sync_lease_until=None)


def _set_status(conn: OrgConnection, status: str, reason: str = "") -> None:
    OrgConnection.objects.filter(pk=conn.pk).update(status=status, status_reason=reason[:500])


def sync_connection(conn: OrgConnection, trigger: str, *, full: bool | None = None, echo: Any = None) -> SyncRun:
    """Sync one org now (the Celery task and `orgbook sync` both call this)."""
    require_active(conn.implementation)
    if not acquire_lease(conn):
        raise SyncAlreadyRunning(f"A sync of {conn.label()} is already running; wait for it to finish.")

    def heartbeat(line: str) -> None:
        renew_lease(conn)  # a long sync keeps its lease; a killed one loses it soon
        if echo:
            echo(line)

    _set_status(conn, ConnectionStatus.SYNCING)
    try:
        api = MetadataApi(connect.client_for(conn))
        run = run_sync(conn, api, trigger=trigger, full=full, echo=heartbeat)
    except RefreshTokenRevoked:
        raise  # connect.client_for already marked the connection "needs re-authorisation"
    except NeedsReauthorisation as exc:
        _set_status(conn, ConnectionStatus.NEEDS_REAUTH, exc.message)
        raise
    except (TransientError, RequestLimitExceeded) as exc:
        _set_status(conn, ConnectionStatus.SYNC_FAILED, f"Salesforce is busy or unreachable ({exc}); retrying.")
        raise
    except Exception as exc:
        _set_status(conn, ConnectionStatus.SYNC_FAILED, f"{type(exc).__name__}: {exc}")
        notify.emit(conn, "sync.failed", {"error": f"{type(exc).__name__}: {exc}"[:1000]})
        raise
    finally:
        release_lease(conn)
    _set_status(conn, ConnectionStatus.UP_TO_DATE)
    conn.implementation.touch()
    notify.after_sync(conn, run)
    return run


def due_for_schedule(now: Any = None) -> list[OrgConnection]:
    """Connections whose daily sync time has come today (in their Space's time zone)."""
    now = now or timezone.now()
    due = []
    candidates = (OrgConnection.objects.select_related("implementation__space")
                  .filter(manual_sync_only=False, implementation__status=ImplementationStatus.ACTIVE)
                  .exclude(status__in=[ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED]))
    for conn in candidates:
        local = now.astimezone(zoneinfo.ZoneInfo(conn.implementation.space.time_zone))
        if conn.last_scheduled_on != local.date() and local.time() >= conn.sync_time:
            due.append(conn)
            OrgConnection.objects.filter(pk=conn.pk).update(last_scheduled_on=local.date())
    return due
