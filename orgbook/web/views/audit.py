"""The audit log: Space admins only, newest first, paged, filtered by action."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orgbook.spaces.models import AuditEvent
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, space_context

PAGE_SIZE = 25


@page
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.VIEW_AUDIT)
    events = AuditEvent.objects.filter(space=membership.space).order_by("-at", "-id")
    actions = sorted(set(events.values_list("action", flat=True)))
    chosen = request.GET.get("action", "")
    if chosen:
        events = events.filter(action=chosen)
    page_obj = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = space_context(membership, page_obj=page_obj, actions=actions, chosen=chosen)
    return render(request, "web/audit/page.html", context)
