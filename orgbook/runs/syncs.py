"""One sync of one org, start to finish: the lease and its heartbeat, one run record (resumed
when an earlier attempt died), the sync up to the committed version, then the steps after it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.db import connection as db_connection
from django.utils import timezone

from orgbook.errors import NeedsReauthorisation, SyncAlreadyRunning
from orgbook.implementations import connect
from orgbook.implementations.access import require_active
from orgbook.implementations.models import ConnectionStatus, OrgConnection
from orgbook.orgmodels import notify, syncing
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.orgmodels.sync import SyncReporter, model_for, run_sync
from orgbook.pathnames import hide_server_paths
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
    run: SyncRun | None = None
    try:
        api = MetadataApi(connect.client_for(conn))
        model = model_for(conn)
        _recover_committed(model, api.client, conn, task_id)
        run = _open_run(model, trigger, full, task_id)
        # "Queued" (orgmodels/syncstate.py) ends when the run opens, not before: the org never shows
        # its previous run as finished while this attempt holds the lease without a run yet.
        syncing.set_status(conn, ConnectionStatus.SYNCING)
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
        if isinstance(exc, (OperationalError, InterfaceError)):
            _drop_broken_connection()
        syncing.set_status(conn, ConnectionStatus.SYNC_FAILED, f"Salesforce or the database is busy or unreachable "
                                                              f"({_said(exc)}); retrying.")
        _stop(run, exc)
        raise
    except Exception as exc:
        syncing.set_status(conn, ConnectionStatus.SYNC_FAILED, _said(exc))
        notify.emit(conn, "sync.failed", {"error": _said(exc)[:1000]})
        _stop(run, exc)
        raise


def _said(exc: Exception) -> str:
    """What a failure says on the run and org pages, in webhooks and the API: no server paths."""
    return hide_server_paths(f"{type(exc).__name__}: {exc}")


def _drop_broken_connection() -> None:
    """A connection the database ended (restarted, pg_terminate_backend, the network cut it) stays
    broken in Django until closed: closed here, the run's status and the lease are written on a new
    one. Left open, they failed too, the lease stayed held and each cut cost the task two of its
    five retries, the second waiting for the lease to lapse (issue 19, item 14)."""
    if not db_connection.in_atomic_block:
        db_connection.close_if_unusable_or_obsolete()


def _stop(run: SyncRun | None, exc: Exception) -> None:
    """A run without a version failed (its retry reopens it); one with a version is left "running"
    with its error, for the attempt that runs its remaining steps: its version was written."""
    if run is None:
        return
    error = _said(exc)[:4000]
    # What the database holds decides, not this attempt's copy: another attempt of the run may have
    # committed it, and a commit cut off may have set the copy's version without storing it.
    failed = SyncRun.objects.filter(pk=run.pk, version__isnull=True).update(
        status=SyncRun.Status.FAILED, error=error, finished_at=timezone.now())
    if not failed:
        SyncRun.objects.filter(pk=run.pk).update(error=error)


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
    # A run still "running" with an error is one whose version was committed when an attempt failed
    # after it (`_stop`: a database connection cut at or after the commit); the worker did not stop.
    stopped = run.status == SyncRun.Status.RUNNING and not run.error
    note = INTERRUPTED.format(stage=run.stage or "start") if stopped else f"Retried after: {run.error[:300]}"
    run.warnings = [*run.warnings, {"message": note}]
    # The first task's id stays: its own late redelivery then finds the run finished and does nothing.
    run.status, run.error, run.finished_at, run.task_id = SyncRun.Status.RUNNING, "", None, run.task_id or task_id
    run.save(update_fields=["warnings", "status", "error", "finished_at", "task_id"])
    return run
