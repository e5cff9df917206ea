"""The steps after a version is committed, for syncs, uploads and imports: called here, in order.

Each step records its name in `SyncRun.steps_done` when it completes. A worker killed after the
commit leaves the run "running" with a version; the attempt that recovers it (runs/syncs.py,
runs/imports.py) calls `finish` again and only the steps left run, so the model ends as a clean
run leaves it (Salesforce's dependency rows included). The dependency and documentation steps
are idempotent; notifications are marked before they are sent, so they go at most once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from orgbook.documentation.coverage import record_snapshot
from orgbook.documentation.proposed import merge_proposed
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels import notify, sfdeps
from orgbook.orgmodels.models import SyncRun
from orgbook.salesforce.client import SalesforceClient

SALESFORCE_DEPENDENCIES = "salesforce dependencies"
DOCUMENTATION = "documentation"
NOTIFICATIONS = "notifications"
Stage = Callable[[str, int], None]


def finish(run: SyncRun, stage: Stage, *, client: SalesforceClient | None = None,
           conn: OrgConnection | None = None) -> SyncRun:
    """Run the steps `run` has not completed, then mark it succeeded. `client` and `conn`: a sync's."""
    assert run.is_committed(), "the steps after a version need the version"
    if client is not None and _wants_salesforce_dependencies(run) and not _done(run, SALESFORCE_DEPENDENCIES):
        stage("dependencies from Salesforce", 92)
        outcome = sfdeps.refresh(client, run.model, full=run.full)
        _mark(run, SALESFORCE_DEPENDENCIES, warning=outcome.warning)
    if not _done(run, DOCUMENTATION):
        stage("coverage", 96)
        merge_proposed(run.model)  # a synced component replaces its proposed stand-in
        record_snapshot(run.model)
        _mark(run, DOCUMENTATION)
    if conn is not None and not _done(run, NOTIFICATIONS):
        stage("notifications", 98)
        _mark(run, NOTIFICATIONS)  # first: a worker killed while sending sends nothing twice
        notify.after_sync(conn, run)
    stage("done", 100)
    run.status, run.stage, run.progress, run.finished_at = SyncRun.Status.SUCCEEDED, "done", 100, timezone.now()
    run.error = ""
    run.save(update_fields=["status", "stage", "progress", "finished_at", "error", "stages"])
    return run


def _wants_salesforce_dependencies(run: SyncRun) -> bool:
    """A full sync asks for the whole org's rows; an incremental one only when something was written."""
    return run.full or bool(run.added or run.changed)


def _done(run: SyncRun, step: str) -> bool:
    return step in run.steps_done


def _mark(run: SyncRun, step: str, warning: str = "") -> None:
    run.steps_done = [*run.steps_done, step]
    if warning:
        run.warnings = [*run.warnings, {"message": warning}]
    run.save(update_fields=["steps_done", "warnings"])
