"""Celery tasks for syncs and uploads. Acknowledged late and safe to redeliver: a redelivered or
retried task carries on with its own run record (found by task id), waits for a dead attempt's
lease to lapse and takes over, and a task whose run already succeeded does nothing.

Task names are the ones earlier releases queued (orgbook.orgmodels.*), so messages in the broker
across an upgrade still find their task."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from orgbook.errors import ImplementationSuspended, NeedsReauthorisation, SyncAlreadyRunning
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels import notify, syncing, syncstate, uploads
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.pathnames import hide_server_paths
from orgbook.runs import imports, syncs
from orgbook.salesforce.errors import RefreshTokenRevoked, RequestLimitExceeded, TransientError

log = logging.getLogger(__name__)
MAX_RETRIES = 5
# A database or broker that is restarting or briefly unreachable: the same task succeeds later.
# Deterministic errors (a bug, bad metadata) are not here: retrying them would fail the same way.
INFRASTRUCTURE = (OperationalError, InterfaceError, BrokerError, ConnectionError)
RETRY = {"autoretry_for": INFRASTRUCTURE, "retry_backoff": settings.ORGBOOK_TASK_RETRY_BACKOFF_SECONDS,
         "retry_backoff_max": 600, "retry_jitter": True, "max_retries": MAX_RETRIES}


@shared_task(bind=True, name="orgbook.orgmodels.tasks.sync_org", acks_late=True, **RETRY)
def sync_org(self: Any, connection_id: int, trigger: str = "manual", full: bool | None = None) -> dict[str, Any]:
    task_id = self.request.id or ""
    conn = OrgConnection.objects.select_related("implementation__space").filter(pk=connection_id).first()
    if conn is None:
        return {"skipped": "connection deleted"}
    if task_id and SyncRun.objects.filter(task_id=task_id, status=SyncRun.Status.SUCCEEDED).exists():
        return {"skipped": "this task's sync already finished"}  # a late redelivery
    try:
        run = syncs.sync_connection(conn, trigger, full=full, task_id=task_id)
    except ImplementationSuspended:
        return {"skipped": "implementation suspended"}
    except SyncAlreadyRunning:
        if _own_attempt_died(conn, task_id):
            # This task's earlier delivery died holding the lease: take over once its heartbeat lapses.
            raise self.retry(countdown=syncing.lease_left(conn) + 1, max_retries=self.request.retries + 1) from None
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


def _own_attempt_died(conn: OrgConnection, task_id: str) -> bool:
    """The lease is held and this task's run is unfinished: the holder is this task's earlier
    delivery (a killed worker child, a whole worker gone), since only it works on that run."""
    return bool(task_id) and SyncRun.objects.filter(model__connection=conn, task_id=task_id,
                                                    status=SyncRun.Status.RUNNING).exists()


@shared_task(name="orgbook.orgmodels.tasks.schedule_due_syncs", acks_late=True, **RETRY)
def schedule_due_syncs() -> int:
    due = syncing.due_for_schedule()
    for conn in due:
        syncstate.mark_queued(conn)
        sync_org.delay(conn.pk, "scheduled")
    # A sync whose whole worker died waits for the broker's visibility timeout (2 h); this
    # re-queues it within one tick once its heartbeat lapsed. The new task resumes the same run.
    for conn_id in syncing.interrupted_connections():
        sync_org.delay(conn_id, "recovery")
    return len(due)


def queue_import(model: OrgModel, path: Path, *, allow_removals: bool = False, new_model: bool = False,
                 name: str = "") -> SyncRun:
    """The upload's one run record, which the page follows at once; the worker fills it in.
    `new_model`: the model was made for this upload, and a rejected upload removes it."""
    run = SyncRun.objects.create(model=model, trigger="upload", stage="waiting for a worker")
    import_upload.delay(run.pk, str(path), allow_removals=allow_removals, new_model=new_model, name=name)
    return run


@shared_task(name="orgbook.orgmodels.uploads.import_upload", acks_late=True, **RETRY)
def import_upload(run_id: int, path: str, allow_removals: bool = False, new_model: bool = False,
                  name: str = "") -> dict[str, Any]:
    # `name`: the file's name on the user's machine, for the errors (tasks queued before it had none).
    run = SyncRun.objects.select_related("model__implementation").filter(pk=run_id).first()
    if run is None or run.status == SyncRun.Status.SUCCEEDED:
        return {"skipped": "run deleted or finished"}
    SyncRun.objects.filter(pk=run_id).update(stage="reading", progress=10)

    def progress(stage: str, n: int) -> None:
        SyncRun.objects.filter(pk=run_id).update(stage=f"{stage}: {n:,} components", progress=50)

    try:
        imports.import_path(run.model, path, progress=progress, run=run, allow_removals=allow_removals,
                            name=name or "the uploaded zip")
    except INFRASTRUCTURE:
        raise  # retried with the upload still on disk
    except Exception as exc:
        Path(path).unlink(missing_ok=True)
        if new_model:
            uploads.reject_new_model(run, exc)
        return {"failed": hide_server_paths(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")}
    Path(path).unlink(missing_ok=True)
    return {"run": run_id, "added": run.added, "changed": run.changed, "removed": run.removed}


def start_manual_sync(conn: OrgConnection) -> None:
    """Sync now, from the web or the API: refused at once when one is queued or running (the task
    would take its own lease and skip), else shown as queued until a worker picks it up."""
    state = syncstate.sync_state(conn)
    if syncing.is_syncing(conn) or not state.may_start and state.live:
        what = "queued" if state.phase == syncstate.SyncPhase.QUEUED and not syncing.is_syncing(conn) else "running"
        raise SyncAlreadyRunning(f"A sync of {conn.label()} is already {what}; its progress shows on the org.")
    syncstate.mark_queued(conn)
    sync_org.delay(conn.pk, "manual")
