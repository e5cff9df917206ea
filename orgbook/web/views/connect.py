"""The "Connect Org" wizard.

Step 1 chooses Production or Sandbox, step 2 an implementation (or creates one). The
Salesforce login is the next step; it arrives with the connection feature, which replaces
`connect_next_step` with the OAuth redirect (the kind and implementation are in its query).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from orgbook.implementations.access import get_implementation
from orgbook.implementations.models import Implementation, ImplementationStatus, OrgKind
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, space_context
from orgbook.web.forms import NEW, ConnectImplementationForm, OrgKindForm
from orgbook.web.views.implementations import create_from_form


def _kind(request: HttpRequest) -> str | None:
    kind = request.GET.get("kind") or request.POST.get("kind")
    return kind if kind in OrgKind.values else None


def implementation_choices(membership: Membership, kind: str) -> tuple[list[tuple[str, str]], list[Implementation]]:
    """Active implementations that can take an org of this kind; the others, to say why not."""
    items = list(
        Implementation.objects.filter(space=membership.space, status=ImplementationStatus.ACTIVE)
        .prefetch_related("connections").order_by("name")
    )
    if kind == OrgKind.PRODUCTION:
        usable = [i for i in items if i.production_org() is None]
        full = [i for i in items if i.production_org() is not None]
    else:
        usable, full = items, []
    return [(str(i.pk), i.name) for i in usable], full


@page
def connect_kind(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.CONNECT_ORG)
    form = OrgKindForm(request.POST or None, initial={"kind": _kind(request) or OrgKind.PRODUCTION})
    if request.method == "POST" and form.is_valid():
        query = urlencode({"kind": form.cleaned_data["kind"]})
        return redirect(f"{reverse('connect_implementation', args=[slug])}?{query}")
    return render(request, "web/connect/kind.html", space_context(membership, form=form, step=1))


@page
def connect_implementation(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.CONNECT_ORG)
    kind = _kind(request)
    if kind is None:
        return redirect("connect", slug=slug)
    choices, full = implementation_choices(membership, kind)
    form = ConnectImplementationForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["implementation"]
        if chosen != NEW:
            return redirect(next_step_url(slug, kind, int(chosen)))
        implementation = create_from_form(request, membership, form)
        if implementation is not None:
            messages.success(request, f"Implementation {implementation.name} created.")
            return redirect(next_step_url(slug, kind, implementation.pk))
    context = space_context(
        membership, form=form, step=2, kind=kind, kind_label=OrgKind(kind).label, full=full,
        free=membership.space.free_licences(),
    )
    return render(request, "web/connect/implementation.html", context, status=400 if form.errors else 200)


def next_step_url(slug: str, kind: str, implementation_id: int) -> str:
    return f"{reverse('connect_next_step', args=[slug])}?{urlencode({'kind': kind, 'impl': implementation_id})}"


@page
def connect_next_step(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 3, the Salesforce login: a placeholder until the connection feature lands."""
    membership, implementation = get_implementation(request.user, slug, request.GET.get("impl"), Action.CONNECT_ORG)
    kind = _kind(request)
    if kind is None:
        return redirect("connect", slug=slug)
    context = space_context(membership, implementation=implementation, kind=kind, kind_label=OrgKind(kind).label, step=3)
    return render(request, "web/connect/next.html", context)
