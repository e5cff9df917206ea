"""Celery tasks for syncs. Idempotent and safe to redeliver (acks_late): a redelivered sync
finds the lease, or resumes from the chunks already fetched."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from orgbook.errors import ImplementationSuspended, NeedsReauthorisation, SyncAlreadyRunning
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels import notify, syncing
from orgbook.salesforce.errors import RefreshTokenRevoked, RequestLimitExceeded, TransientError

MAX_RETRIES = 5


@shared_task(bind=True, name="orgbook.orgmodels.tasks.sync_org", acks_late=True, max_retries=MAX_RETRIES)
def sync_org(self: Any, connection_id: int, trigger: str = "manual", full: bool | None = None) -> dict[str, Any]:
    conn = OrgConnection.objects.select_related("implementation__space").filter(pk=connection_id).first()
    if conn is None:
        return {"skipped": "connection deleted"}
    try:
        run = syncing.sync_connection(conn, trigger, full=full)
    except ImplementationSuspended:
        return {"skipped": "implementation suspended"}
    except SyncAlreadyRunning:
        return {"skipped": "a sync of this org is already running"}
    except (RefreshTokenRevoked, NeedsReauthorisation):
        return {"stopped": "needs re-authorisation"}
    except (TransientError, RequestLimitExceeded) as exc:
        if conn.manual_sync_only or self.request.retries >= MAX_RETRIES:
            # "manual sync only" never retries by itself; otherwise we gave up after MAX_RETRIES
            notify.emit(conn, "sync.failed", {"error": f"{type(exc).__name__}: {exc}"[:1000]})
            raise
        raise self.retry(exc=exc, countdown=min(3600, 60 * 2 ** self.request.retries)) from None
    return {"run": run.pk, "version": run.version, **run.counts()}


@shared_task(name="orgbook.orgmodels.tasks.schedule_due_syncs", acks_late=True)
def schedule_due_syncs() -> int:
    due = syncing.due_for_schedule()
    for conn in due:
        sync_org.delay(conn.pk, "scheduled")
    return len(due)
