"""Sync endpoints: start a sync ("Sync now"), follow its progress, read its record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from orgbook.errors import Conflict, NotFound
from orgbook.implementations.access import get_implementation
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import SyncRun
from orgbook.orgmodels.syncing import acquire_lease, release_lease
from orgbook.orgmodels.tasks import sync_org
from orgbook.spaces.permissions import Action

router = Router(tags=["syncs"])


def run_out(run: SyncRun) -> dict[str, Any]:
    return {"id": run.pk, "model": run.model_id, "trigger": run.trigger, "status": run.status, "stage": run.stage,
            "progress": run.progress, "started_at": run.started_at, "finished_at": run.finished_at,
            "version": run.version, "api_calls": run.api_calls, "stages": run.stages, **run.counts(),
            "warnings": run.warnings[:200], "error": run.error}


def _connection(request: HttpRequest, space: str, impl_id: int, conn_id: int, action: Action) -> OrgConnection:
    _, impl = get_implementation(request.user, space, impl_id, action)
    conn = impl.connections.filter(pk=conn_id).first()
    if conn is None:
        raise NotFound("No such org connection in this implementation.")
    return conn


@router.post("/spaces/{space}/implementations/{impl_id}/connections/{conn_id}/syncs", response={202: dict})
def start_sync(request: HttpRequest, space: str, impl_id: int, conn_id: int) -> Status[Any]:
    conn = _connection(request, space, impl_id, conn_id, Action.START_SYNC)
    if not acquire_lease(conn):  # only to answer "already running" now; the task takes its own lease
        raise Conflict(f"A sync of {conn.label()} is already running; follow its progress.")
    release_lease(conn)
    sync_org.delay(conn.pk, "manual")
    return Status(202, {"queued": True, "connection": conn.pk})


@router.get("/spaces/{space}/implementations/{impl_id}/connections/{conn_id}/syncs")
def list_syncs(request: HttpRequest, space: str, impl_id: int, conn_id: int) -> list[dict[str, Any]]:
    conn = _connection(request, space, impl_id, conn_id, Action.VIEW_CONTENT)
    return [run_out(r) for r in SyncRun.objects.filter(model__connection=conn)[:50]]
