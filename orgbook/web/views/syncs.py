"""Sync now, and the live progress of an org's sync (polled by htmx while it runs)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from orgbook.errors import Conflict
from orgbook.implementations.access import get_connection
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import SyncRun
from orgbook.orgmodels.syncing import is_syncing
from orgbook.runs.tasks import sync_org
from orgbook.spaces.permissions import Action
from orgbook.web.base import page


def _connection(request: HttpRequest, slug: str, conn_id: int, action: Action) -> OrgConnection:
    return get_connection(request.user, slug, conn_id, action)[1]


@page
def sync_now(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    conn = _connection(request, slug, conn_id, Action.START_SYNC)
    if request.method == "POST":
        if is_syncing(conn):
            raise Conflict(f"A sync of {conn.label()} is already running; its progress shows on the org.")
        OrgConnection.objects.filter(pk=conn.pk).update(status="syncing", status_reason="Queued")
        sync_org.delay(conn.pk, "manual")
        messages.success(request, f"Sync of {conn.label()} started.")
    return redirect(f"/s/{slug}/?impl={conn.implementation_id}")


@page
def sync_status(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    conn = _connection(request, slug, conn_id, Action.VIEW_CONTENT)
    run = SyncRun.objects.filter(model__connection=conn).order_by("-started_at", "-id").first()
    return render(request, "web/orgs/_sync_status.html", {"c": conn, "run": run, "slug": slug})
