"""The implementations page, its right-hand panel, and create / edit / delete / reactivate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from orgbook.errors import OrgbookError
from orgbook.implementations import lifecycle
from orgbook.implementations.access import get_implementation
from orgbook.implementations.models import Implementation, ImplementationStatus
from orgbook.orgmodels.syncstate import sync_states
from orgbook.spaces.models import LicenceUsage, Membership, Space
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import is_htmx, page, space_context
from orgbook.web.forms import DeleteForm, ImplementationForm, add_domain_error


def licence_usage(space: Space, implementations: list[Implementation]) -> LicenceUsage:
    # Counted from the list already loaded, so the page costs no extra query per implementation.
    return space.licence_usage(active=sum(1 for i in implementations if i.status == ImplementationStatus.ACTIVE))


def panel_context(membership: Membership, implementation: Implementation, usage: LicenceUsage) -> dict[str, Any]:
    return space_context(membership, selected=implementation, usage=usage,
                         sync_states=sync_states(implementation.connections.all()))


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
    # Every org's sync state on the page (cards and panel) in one query: orgmodels/syncstate.py.
    states = sync_states(c for i in items for c in i.connections.all())
    context = space_context(membership, implementations=items, usage=usage, selected=selected, sync_states=states)
    return render(request, "web/implementations/list.html", context)


@page
def panel(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    """The right-hand panel alone, for htmx; without htmx the full page shows it."""
    membership, implementation = get_implementation(request.user, slug, impl_id, Action.VIEW_IMPLEMENTATIONS)
    if not is_htmx(request):
        return redirect(panel_url(membership.space, implementation))
    usage = membership.space.licence_usage()
    return render(request, "web/implementations/_panel.html", panel_context(membership, implementation, usage))


def create_from_form(request: HttpRequest, membership: Membership, form: forms.Form) -> Implementation | None:
    """The implementation the valid `form` names (name, description), created in the member's Space;
    None with the refusal shown on the form (a role that may not create one, no free licence)."""
    try:
        authorize(request.user, membership.space, Action.CREATE_IMPLEMENTATION, [membership])
        return lifecycle.create_implementation(
            membership.space, request.user, form.cleaned_data["name"], form.cleaned_data["description"]
        )
    except OrgbookError as exc:
        add_domain_error(form, exc)
        return None


@page
def create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.CREATE_IMPLEMENTATION)
    form = ImplementationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        implementation = create_from_form(request, membership, form)
        if implementation is not None:
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
