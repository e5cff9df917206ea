"""The implementations page, its right-hand panel, and create / edit / delete / reactivate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from orgbook.errors import OrgbookError
from orgbook.implementations import lifecycle
from orgbook.implementations.access import get_implementation
from orgbook.implementations.models import Implementation, ImplementationStatus
from orgbook.spaces.models import Membership, Space
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import is_htmx, page, space_context
from orgbook.web.forms import DeleteForm, ImplementationForm, add_domain_error


def licence_usage(space: Space, implementations: list[Implementation]) -> dict[str, Any]:
    # Counted from the list already loaded, so the page costs no extra query per implementation.
    active = sum(1 for i in implementations if i.status == ImplementationStatus.ACTIVE)
    return {"active": active, "licences": space.connection_licences, "free": max(0, space.connection_licences - active)}


def panel_context(membership: Membership, implementation: Implementation, usage: dict[str, Any]) -> dict[str, Any]:
    return space_context(membership, selected=implementation, usage=usage)


def panel_url(space: Space, implementation: Implementation) -> str:
    return f"{reverse('implementations', args=[space.slug])}?impl={implementation.pk}"


@page
def implementations(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.VIEW_IMPLEMENTATIONS)
    space = membership.space
    items = list(Implementation.objects.filter(space=space).prefetch_related("connections").order_by("name", "pk"))
    usage = licence_usage(space, items)
    selected = next((i for i in items if str(i.pk) == request.GET.get("impl")), None)
    if selected is None and items and "impl" not in request.GET:
        selected = items[0]
    context = space_context(membership, implementations=items, usage=usage, selected=selected)
    return render(request, "web/implementations/list.html", context)


@page
def panel(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    """The right-hand panel alone, for htmx; without htmx the full page shows it."""
    membership, implementation = get_implementation(request.user, slug, impl_id, Action.VIEW_IMPLEMENTATIONS)
    if not is_htmx(request):
        return redirect(panel_url(membership.space, implementation))
    space = membership.space
    usage = {"active": space.active_implementation_count(), "licences": space.connection_licences}
    usage["free"] = max(0, usage["licences"] - usage["active"])
    return render(request, "web/implementations/_panel.html", panel_context(membership, implementation, usage))


@page
def create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.CREATE_IMPLEMENTATION)
    form = ImplementationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            implementation = lifecycle.create_implementation(
                membership.space, request.user, form.cleaned_data["name"], form.cleaned_data["description"]
            )
        except OrgbookError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Implementation {implementation.name} created. Connect its orgs next.")
            return redirect(panel_url(membership.space, implementation))
    space = membership.space
    context = space_context(membership, form=form, free=space.free_licences())
    return render(request, "web/implementations/create.html", context, status=400 if form.errors else 200)


@page
def edit(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    membership, implementation = get_implementation(request.user, slug, impl_id, Action.UPDATE_IMPLEMENTATION)
    initial = {"name": implementation.name, "description": implementation.description}
    form = ImplementationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.update_implementation(implementation, request.user, **form.cleaned_data)
        except OrgbookError as exc:
            add_domain_error(form, exc)
            implementation.refresh_from_db()
        else:
            messages.success(request, f"Saved {implementation.name}.")
            return redirect(panel_url(membership.space, implementation))
    context = space_context(membership, form=form, implementation=implementation)
    return render(request, "web/implementations/edit.html", context, status=400 if form.errors else 200)


@page
def delete(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    membership, implementation = get_implementation(request.user, slug, impl_id, Action.DELETE_IMPLEMENTATION)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = implementation.name
        try:
            lifecycle.delete_implementation(implementation, request.user, form.cleaned_data["confirm"])
        except OrgbookError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Implementation {name} and everything in it were deleted. Its licence is free.")
            return redirect("implementations", slug=membership.space.slug)
    context = space_context(
        membership, form=form, implementation=implementation,
        connections=list(implementation.connections.all()),
    )
    return render(request, "web/implementations/delete.html", context, status=400 if form.errors else 200)


@page
def reactivate(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    membership, implementation = get_implementation(request.user, slug, impl_id, Action.REACTIVATE_IMPLEMENTATION)
    if request.method != "POST":
        return redirect(panel_url(membership.space, implementation))
    try:
        lifecycle.reactivate(implementation, request.user)
    except OrgbookError as exc:  # no free licence, or already active (a second click)
        messages.error(request, f"{implementation.name} cannot be reactivated. {exc.message}")
    else:
        messages.success(
            request,
            f"{implementation.name} is active again. Its orgs need re-authorising before the next sync.",
        )
    return redirect(panel_url(membership.space, implementation))
