"""Sync now, an org's sync state (the fragment pages poll while a sync is queued or running), and the
page after connecting an org, which follows its first sync and opens the org model when it is done."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from orgbook.errors import NotFound
from orgbook.ids import parse_id
from orgbook.implementations.access import get_connection
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.syncstate import SyncPhase, sync_state
from orgbook.runs.tasks import start_manual_sync
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import is_htmx, page, signed_in_user, space_context
from orgbook.web.forms import ScheduleForm

VARIANTS = ("card", "panel", "head", "watch")


def _visible_connection(request: HttpRequest, slug: str, conn_id: int) -> tuple[Membership, OrgConnection]:
    """Any member sees an org's sync state, as on the implementation's card: a suspended
    implementation's too (it says "Suspended"), so this is not a content action."""
    membership = authorize(request.user, slug, Action.VIEW_IMPLEMENTATIONS)
    pk = parse_id(conn_id)
    conn = (OrgConnection.objects.select_related("implementation").filter(pk=pk, implementation__space=membership.space)
            .first() if pk is not None else None)
    if conn is None:
        raise NotFound("No such org connection.")
    return membership, conn


@page
def sync_now(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    conn = get_connection(request.user, slug, conn_id, Action.START_SYNC)[1]
    if request.method == "POST":
        start_manual_sync(conn)
        messages.success(request, f"Sync of {conn.label()} queued.")
    return redirect(f"/s/{slug}/?impl={conn.implementation_id}")


@page
def sync_status(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    """One org's sync state as `variant` renders it; the page that follows a first sync (`watch`)
    is sent on to the org model once it is done (htmx's HX-Redirect)."""
    membership, conn = _visible_connection(request, slug, conn_id)
    variant = request.GET.get("variant", "panel")
    variant = variant if variant in VARIANTS else "panel"
    state = sync_state(conn)
    response = render(request, "web/orgs/_sync_state.html",
                      space_context(membership, c=conn, state=state, variant=variant))
    if variant == "watch" and state.phase == SyncPhase.FINISHED and state.model_id and is_htmx(request):
        response["HX-Redirect"] = reverse("model_dictionary", args=[state.model_id])
    return response


@page
def first_sync(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    """Where the OAuth callback of a new org lands: its first sync, live (stage and percent), then
    the org model, or why it failed."""
    membership, conn = _visible_connection(request, slug, conn_id)
    state = sync_state(conn)
    context = space_context(membership, c=conn, state=state, variant="watch", implementation=conn.implementation)
    return render(request, "web/orgs/first_sync.html", context)


@page
def schedule(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    """An org's sync settings: when it next syncs, and its daily time or manual sync only. The same
    rule as the API's settings endpoint (OrgConnection.set_sync_schedule); locked while suspended."""
    membership, conn = get_connection(request.user, slug, conn_id, Action.MANAGE_INTEGRATIONS)
    initial = {"mode": "manual" if conn.manual_sync_only else "daily", "sync_time": conn.sync_time}
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        manual = form.cleaned_data["mode"] == "manual"
        conn.set_sync_schedule(None if manual else form.cleaned_data["sync_time"], signed_in_user(request))
        if manual:
            messages.success(request, f"{conn.label()} now syncs only when someone asks for it.")
        else:
            messages.success(request, f"{conn.label()} now syncs every day at {conn.sync_time:%H:%M}.")
        return redirect("org_schedule", slug=slug, conn_id=conn.pk)
    context = space_context(membership, conn=conn, implementation=conn.implementation, form=form,
                            next_sync=conn.next_scheduled_sync(timezone.now()))
    return render(request, "web/orgs/schedule.html", context, status=400 if form.errors else 200)
