"""The audit log: Space admins only, newest first, paged; each event a sentence (spaces/auditlog.py),
filtered by action, person, date range and target, and exported as CSV with the same filters."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from orgbook.orgmodels.exports import csv_lines
from orgbook.spaces import auditlog
from orgbook.spaces.models import AuditEvent, Space
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, space_context
from orgbook.web.forms import AuditFilterForm

PAGE_SIZE = 25


@page
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.VIEW_AUDIT)
    space = membership.space
    filters = auditlog.Filters.from_query(request.GET)
    page_obj = Paginator(auditlog.events_of(space, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    zone = auditlog.zone_of(space)
    rows = [{"event": e, "when": auditlog.format_moment(e.at, zone), "who": auditlog.actor_name(e),
             "sentence": auditlog.sentence(e), "before": auditlog.details(e.before, zone),
             "after": auditlog.details(e.after, zone)} for e in page_obj]
    query = urlencode(filters.as_query())
    form = AuditFilterForm(request.GET or None, people=auditlog.people_of(space), actions=auditlog.actions_of(space))
    form.is_valid()  # a value the log passed over is named under its field
    context = space_context(membership, page_obj=page_obj, rows=rows, filters=filters, query=query, form=form)
    return render(request, "web/audit/page.html", context)


@page
def audit_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Every event the filters keep, as CSV: cells escaped against formula injection like every export."""
    membership = authorize(request.user, slug, Action.VIEW_AUDIT)
    space = membership.space
    filters = auditlog.Filters.from_query(request.GET)
    header = ["When", "Time zone", "Who", "What happened", "Action", "Target", "Before", "After"]
    rows = _csv_rows(space, auditlog.events_of(space, filters))
    response = HttpResponse("".join(csv_lines(header, rows)), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().astimezone(auditlog.zone_of(space)).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="audit-{space.slug}-{stamp}.csv"'
    return response


def _csv_rows(space: Space, events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    zone = auditlog.zone_of(space)
    for e in events.iterator(chunk_size=500):
        yield [auditlog.format_moment(e.at, zone), str(zone), auditlog.actor_name(e), auditlog.sentence(e),
               e.action, e.target_repr, _pairs(auditlog.details(e.before, zone)),
               _pairs(auditlog.details(e.after, zone))]


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in pairs)
