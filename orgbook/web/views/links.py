"""Manual links drawn by hand between components or tree nodes of one implementation's models."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgbook.documentation import links
from orgbook.documentation.models import ManualLink
from orgbook.errors import Invalid, NotFound
from orgbook.orgmodels.impact import Edge
from orgbook.orgmodels.models import Component, OrgModel
from orgbook.orgmodels.services import get_model
from orgbook.spaces.permissions import Action
from orgbook.web.base import page, signed_in_user
from orgbook.web.forms import add_domain_error


def manual_edges(c: Component, component_links: list[ManualLink] | None = None
                 ) -> tuple[list[Edge], list[Edge], list[dict[str, Any]]]:
    """Links of a component (`links.links_of(c)`, read here unless given) as graph edges (ends in the
    same model) and as rows (every end)."""
    uses: list[Edge] = []
    used_by: list[Edge] = []
    rows: list[dict[str, Any]] = []
    for link in links.links_of(c) if component_links is None else component_links:
        seen = links.describe(link, seen_from=c)
        other = seen["other"] or {}
        href = (reverse("model_component", args=[other["model"], other["type"], other["full_name"]])
                if "type" in other else reverse("documentation_tree", args=[c.model.implementation.space.slug,
                                                                            other.get("model")]))
        rows.append({**seen, "href": href})
        if "type" in other and other["model"] == c.model_id:
            edge = Edge(other["type"], other["full_name"], f"manual link: {seen['description']}".rstrip(": "), "manual")
            (uses if seen["direction"] == "uses" else used_by).append(edge)
    return uses, used_by, rows


@page
@require_POST
def add(request: HttpRequest, model_id: int) -> HttpResponse:
    # Imported here: the component page imports this module for manual_edges.
    from orgbook.web.views.models import component_response, manual_link_form

    user = signed_in_user(request)
    model = get_model(user, model_id, Action.EDIT_DOCUMENTATION)
    impl = model.implementation
    source = links.resolve_end(impl, {"model": model.pk, "type": request.POST.get("type"),
                                      "full_name": request.POST.get("full_name")})
    form = manual_link_form(model, list(impl.org_models.order_by("name")), request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = links.resolve_end(impl, {"model": data["target_model"] or model.pk, "type": data["target_type"],
                                              "full_name": data["target_full_name"]})
            links.add_link(user, impl, source, target, data["direction"] or "uses", data["description"])
        except NotFound as exc:  # no such component at the far end: said under the name typed
            form.add_error("target_full_name", f"{exc.message} Pick one from the suggestions.")
        except Invalid as exc:
            add_domain_error(form, exc, default_field="target_full_name")
        else:
            messages.success(request, "Link added.")
            return redirect(_back(model, request))
    # The component's own page again, with what was typed and the error under its field.
    assert isinstance(source, Component)
    return component_response(request, model.pk, source.type, source.full_name, link_form=form, status=400)


@page
@require_POST
def delete(request: HttpRequest, model_id: int, link_id: int) -> HttpResponse:
    user = signed_in_user(request)
    model = get_model(user, model_id, Action.EDIT_DOCUMENTATION)
    link = ManualLink.objects.filter(pk=link_id, implementation=model.implementation).first()
    if link is None:
        raise NotFound("No such link.")
    links.delete_link(user, link)
    messages.success(request, "Link removed.")
    return redirect(_back(model, request))


def _back(model: OrgModel, request: HttpRequest) -> str:
    """The component the form was on; the model's dictionary when the form did not say."""
    type_, full_name = request.POST.get("type", ""), request.POST.get("full_name", "")
    if not type_ or not full_name:
        return reverse("model_dictionary", args=[model.pk])
    return reverse("model_component", args=[model.pk, type_, full_name]) + "#links"
