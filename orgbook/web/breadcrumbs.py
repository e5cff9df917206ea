"""Where a page sits: Space › Implementation › Org (its kind and name) › Type › Component, the trail
web/_breadcrumbs.html shows above the org model and documentation pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from orgbook.orgmodels.models import OrgModel


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str = ""  # none for the page itself


def org_label(model: OrgModel) -> str:
    """ "Sandbox: UAT", "Production: Acme Corp", or "Production" when that is all its name says:
    an implementation's orgs differ by kind and, for sandboxes, by name; both are needed."""
    kind = model.get_kind_display()
    return kind if model.name.casefold() == kind.casefold() else f"{kind}: {model.name}"


def model_trail(model: OrgModel, type_: str = "", full_name: str = "", label: str = "", then: str = "") -> list[Crumb]:
    """The trail to a model's page, to a type's list or to a component; `then` names a page below the
    component (its documentation), the component then a link back to its page."""
    implementation = model.implementation
    space = implementation.space
    dictionary = reverse("model_dictionary", args=[model.pk])
    crumbs = [
        Crumb(space.name, reverse("implementations", args=[space.slug])),
        Crumb(implementation.name, reverse("implementations", args=[space.slug]) + f"?impl={implementation.pk}"),
        Crumb(org_label(model), dictionary),
    ]
    if type_:
        crumbs.append(Crumb(type_, f"{dictionary}?{urlencode({'type': type_})}"))
    if full_name:
        crumbs.append(Crumb(label or full_name, reverse("model_component", args=[model.pk, type_, full_name])))
    if then:
        crumbs.append(Crumb(then))
    return crumbs
