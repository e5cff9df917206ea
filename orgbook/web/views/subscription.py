"""The subscription page: plan, licences, renewals, and a renewal with a preview step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from orgbook.errors import OrgbookError
from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation, ImplementationStatus, Renewal
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, space_context
from orgbook.web.forms import RenewalForm, add_domain_error


def _active(membership: Membership) -> list[Implementation]:
    return list(Implementation.objects.filter(space=membership.space, status=ImplementationStatus.ACTIVE).order_by("name"))


def _renewal_rows(membership: Membership) -> list[dict[str, Any]]:
    renewals = list(Renewal.objects.filter(space=membership.space).select_related("created_by"))
    ids = {pk for r in renewals for pk in r.suspended}
    names = dict(Implementation.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [
        {"renewal": r, "suspended": [names.get(pk, f"#{pk} (deleted)") for pk in r.suspended]} for r in renewals
    ]


def _page(request: HttpRequest, membership: Membership, form: RenewalForm, **extra: Any) -> HttpResponse:
    result = None
    if request.GET.get("renewal"):
        result = next((row for row in _renewal_rows(membership) if str(row["renewal"].pk) == request.GET["renewal"]), None)
    context = space_context(
        membership, form=form, renewals=_renewal_rows(membership), result=result,
        active_count=membership.space.active_implementation_count(), **extra,
    )
    return render(request, "web/subscription/page.html", context, status=400 if form.errors else 200)


@page
def subscription(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.VIEW_SUBSCRIPTION)
    space = membership.space
    active = _active(membership)
    initial = {"connection_licences": space.connection_licences, "keep": [str(i.pk) for i in active]}
    return _page(request, membership, RenewalForm(initial=initial, implementations=active))


@page
def renew(request: HttpRequest, slug: str) -> HttpResponse:
    """POST without `confirm`: the preview. POST with `confirm`: record (and apply) the renewal."""
    membership = authorize(request.user, slug, Action.MANAGE_SUBSCRIPTION)
    if request.method != "POST":
        return redirect("subscription", slug=slug)
    active = _active(membership)
    form = RenewalForm(request.POST, implementations=active)
    if not form.is_valid():
        return _page(request, membership, form)
    licences, keep, effective_on = (
        form.cleaned_data["connection_licences"], form.keep_ids(), form.cleaned_data["effective_on"]
    )
    try:
        if "confirm" not in request.POST:
            preview = lifecycle.plan_renewal(membership.space, licences, keep, effective_on)
            context = space_context(membership, form=form, preview=preview, keep=keep)
            return render(request, "web/subscription/preview.html", context)
        renewal = lifecycle.renew(membership.space, request.user, licences, keep, effective_on)
    except OrgbookError as exc:
        add_domain_error(form, exc)
        return _page(request, membership, form)
    if renewal.is_applied():
        messages.success(request, f"Renewed: {renewal.connection_licences} connection licence(s) from {renewal.effective_on}.")
    else:
        messages.success(request, f"Renewal recorded. It takes effect on {renewal.effective_on}.")
    return redirect(f"{reverse('subscription', args=[slug])}?renewal={renewal.pk}")
