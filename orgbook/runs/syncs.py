"""One sync of one org, start to finish: the lease and its heartbeat, one run record (resumed
when an earlier attempt died), the sync up to the committed version, then the steps after it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.utils import timezone

from orgbook.errors import NeedsReauthorisation, SyncAlreadyRunning
from orgbook.implementations import connect
from orgbook.implementations.access import require_active
from orgbook.implementations.models import ConnectionStatus, OrgConnection
from orgbook.orgmodels import notify, syncing
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.orgmodels.sync import SyncReporter, model_for, run_sync
from orgbook.runs import after
from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.errors import RefreshTokenRevoked, RequestLimitExceeded, TransientError
from orgbook.salesforce.metadata_api import MetadataApi

log = logging.getLogger(__name__)
# Errors a later attempt may not meet: the run is left to that attempt (the task retries them).
TRANSIENT = (TransientError, RequestLimitExceeded, OperationalError, InterfaceError)
NOT_SYNCS = ("upload", "import")  # runs on a model that are not syncs of its org
INTERRUPTED = "Interrupted (the worker stopped) during {stage}; resumed by the next attempt."


def sync_connection(conn: OrgConnection, trigger: str, *, full: bool | None = None, echo: Any = None,
                    task_id: str = "") -> SyncRun:
    """Sync one org now (the Celery task and `orgbook sync` both call this).

    `task_id`: the Celery task's id; its redelivery or retry carries on with the same run record.
    """
    require_active(conn.implementation)
    owner = syncing.new_owner()
    if not syncing.acquire_lease(conn, owner):
        raise SyncAlreadyRunning(f"A sync of {conn.label()} is already running; wait for it to finish.")
    try:
        with syncing.Heartbeat(conn, owner) as heart:
            run = _sync_holding_lease(conn, trigger, full, echo, task_id, heart)
    finally:
        syncing.release_lease(conn, owner)
    syncing.set_status(conn, ConnectionStatus.UP_TO_DATE)
    conn.implementation.touch()
    return run


def _sync_holding_lease(conn: OrgConnection, trigger: str, full: bool | None, echo: Any, task_id: str,
                        heart: syncing.Heartbeat) -> SyncRun:
    syncing.set_status(conn, ConnectionStatus.SYNCING)
    run: SyncRun | None = None
    try:
        api = MetadataApi(connect.client_for(conn))
        model = model_for(conn)
        _recover_committed(model, api.client, conn, task_id)
        run = _open_run(model, trigger, full, task_id)
        report = SyncReporter(run, echo, heart.beat)
        if not run.is_committed():
            run_sync(run, api, report)
        after.finish(run, report.stage, client=api.client, conn=conn)
        run.api_calls += api.client.calls  # every attempt's calls, the dependency API's included
        run.save(update_fields=["api_calls"])
        return run
    except (SyncAlreadyRunning, RefreshTokenRevoked):
        raise  # another attempt took over; or client_for marked the connection "needs re-authorisation"
    except NeedsReauthorisation as exc:
        syncing.set_status(conn, ConnectionStatus.NEEDS_REAUTH, exc.message)
        raise
    except TRANSIENT as exc:
        syncing.set_status(conn, ConnectionStatus.SYNC_FAILED, f"Salesforce or the database is busy or unreachable "
                                                              f"({type(exc).__name__}: {exc}); retrying.")
        _stop(run, exc)
        raise
    except Exception as exc:
        syncing.set_status(conn, ConnectionStatus.SYNC_FAILED, f"{type(exc).__name__}: {exc}")
        notify.emit(conn, "sync.failed", {"error": f"{type(exc).__name__}: {exc}"[:1000]})
        _stop(run, exc)
        raise


def _stop(run: SyncRun | None, exc: Exception) -> None:
    """A run without a version failed (its retry reopens it); one with a version is left "running"
    with its error, for the attempt that runs its remaining steps: its version was written."""
    if run is None:
        return
    error = f"{type(exc).__name__}: {exc}"[:4000]
    if run.is_committed():
        SyncRun.objects.filter(pk=run.pk).update(error=error)
    else:
        SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.FAILED, error=error, finished_at=timezone.now())


def _recover_committed(model: OrgModel, client: SalesforceClient, conn: OrgConnection, task_id: str) -> None:
    """Runs another attempt left after their commit: their version stands, their steps are run now."""
    left = SyncRun.objects.filter(model=model, status=SyncRun.Status.RUNNING, version__isnull=False)
    left = left.exclude(trigger__in=NOT_SYNCS)
    if task_id:
        left = left.exclude(task_id=task_id)  # the task's own run is finished as its run, below
    for run in left.order_by("id"):
        log.info("finishing run %s of model %s, interrupted after its commit", run.pk, model.pk)
        after.finish(run, SyncReporter(run).stage, client=client, conn=conn)


def _open_run(model: OrgModel, trigger: str, full: bool | None, task_id: str) -> SyncRun:
    """This attempt's run: the task's own (a redelivery or retry), else one an attempt that died
    left before its commit (resumed: its chunks are on disk), else a new one."""
    runs = SyncRun.objects.filter(model=model).exclude(trigger__in=NOT_SYNCS)
    run = runs.filter(task_id=task_id).exclude(status=SyncRun.Status.SUCCEEDED).first() if task_id else None
    interrupted = [r for r in runs.filter(status=SyncRun.Status.RUNNING, version__isnull=True).order_by("-id")
                   if run is None or r.pk != run.pk]
    if run is None and interrupted:
        run = interrupted.pop(0)
    for older in interrupted:  # more than one left behind: the newest is resumed, these are closed
        SyncRun.objects.filter(pk=older.pk).update(
            status=SyncRun.Status.FAILED, finished_at=timezone.now(),
            error=f"Interrupted (the worker stopped) during {older.stage}; a later sync replaced it.")
    if run is None:
        return SyncRun.objects.create(model=model, trigger=trigger, stage="describing", task_id=task_id,
                                      full=model.version == 0 if full is None else full)
    return _reopen(run, task_id)


def _reopen(run: SyncRun, task_id: str) -> SyncRun:
    note = (INTERRUPTED.format(stage=run.stage or "start") if run.status == SyncRun.Status.RUNNING
            else f"Retried after: {run.error[:300]}")
    run.warnings = [*run.warnings, {"message": note}]
    # The first task's id stays: its own late redelivery then finds the run finished and does nothing.
    run.status, run.error, run.finished_at, run.task_id = SyncRun.Status.RUNNING, "", None, run.task_id or task_id
    run.save(update_fields=["warnings", "status", "error", "finished_at", "task_id"])
    return run
