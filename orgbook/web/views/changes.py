"""What changed: a run's changes page (what one sync, upload or import added, changed and removed,
by type or by person, with attribute diffs) and the Space's Changes feed with its CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orgbook.errors import NotFound
from orgbook.ids import parse_id
from orgbook.implementations.access import get_implementation
from orgbook.orgmodels import changes, exports
from orgbook.orgmodels.models import SyncRun
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, signed_in_user, space_context
from orgbook.web.forms import ChangesFilterForm


@page
def run_changes(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """Another Space's run answers as a missing one does; a suspended implementation's is locked."""
    authorize(signed_in_user(request), slug, Action.VIEW_CONTENT)
    pk = parse_id(run_id)
    run = (SyncRun.objects.select_related("model__implementation__space")
           .filter(pk=pk, model__implementation__space__slug=slug).first() if pk is not None else None)
    if run is None:
        raise NotFound("No such run.")
    membership, impl = get_implementation(signed_in_user(request), slug, run.model.implementation_id,
                                          Action.VIEW_CONTENT)
    group = request.GET.get("group", "type")
    group = group if group in changes.GROUPS else "type"
    type_, person = request.GET.get("type", "")[:80], request.GET.get("person", "")[:120]
    page_obj = Paginator(changes.of_run(run, type_=type_, person=person, group=group),
                         changes.PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in (("group", group), ("type", type_), ("person", person)) if v}
    context = space_context(membership, implementation=impl, run=run, page_obj=page_obj, group=group,
                            type=type_, person=person, tallies=changes.tallies(run),
                            query=urlencode(kept), unknown_person=changes.UNKNOWN_PERSON)
    return render(request, "web/changes/run.html", context)


@page
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(signed_in_user(request), slug, Action.VIEW_CONTENT)
    chosen = changes.ChangeFilter.from_query(request.GET)
    page_obj = Paginator(changes.in_space(membership.space, chosen), changes.PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(chosen.as_query())
    form = ChangesFilterForm(request.GET or None, offered=changes.choices(membership.space))
    form.is_valid()  # a value the feed passed over is named under its field
    context = space_context(membership, page_obj=page_obj, chosen=chosen, query=query, form=form,
                            unknown_person=changes.UNKNOWN_PERSON)
    return render(request, "web/changes/feed.html", context)


@page
def feed_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    membership = authorize(signed_in_user(request), slug, Action.VIEW_CONTENT)
    if fmt not in exports.FORMATS:
        raise NotFound("Export the changes as changes.csv (or .xlsx).")
    space = membership.space
    rows = changes.csv_rows(space, changes.in_space(space, changes.ChangeFilter.from_query(request.GET)))
    return exports.response(fmt, f"{space.slug}-changes", changes.csv_header(space), rows)
