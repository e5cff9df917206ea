"""Proposed components: planned metadata added by hand, giving way to the synced component."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from orgbook.documentation.models import ProposedComponent
from orgbook.errors import Conflict, Invalid
from orgbook.implementations.access import require_active
from orgbook.metadata.registry import REGISTRY
from orgbook.orgmodels.models import Component, OrgModel
from orgbook.spaces import audit


def add_proposed(user: Any, model: OrgModel, type_: str, full_name: str, label: str = "") -> ProposedComponent:
    require_active(model.implementation)
    type_, full_name = type_.strip(), full_name.strip()
    if not type_ or not 1 <= len(full_name) <= 400:
        raise Invalid("A proposed component needs a metadata type and a full name (up to 400 characters).")
    if not REGISTRY.is_known(type_):
        raise Invalid(f"{type_} is not a Salesforce metadata type Orgbook knows (e.g. CustomField, Flow, ApexClass).")
    if Component.objects.filter(model=model, type=type_, name_key=full_name.lower()).exists():
        raise Conflict(f"{model.name} already has a {type_} called {full_name}.")
    try:
        with transaction.atomic():
            proposed = ProposedComponent.objects.create(model=model, type=type_, full_name=full_name,
                                                        name_key=full_name.lower(), label=label.strip()[:400],
                                                        created_by=user)
    except IntegrityError:
        raise Conflict(f"{full_name} is already proposed in {model.name}.") from None
    model.implementation.touch()
    audit.record(model.implementation.space, user, "component.proposed", proposed, after={"model": model.pk})
    return proposed


def merge_proposed(model: OrgModel) -> int:
    """A sync brought the real component: the proposed one gives way (documentation is keyed by identity,
    so it stays attached to the real one)."""
    real = Component.objects.filter(model=model, type=OuterRef("type"), name_key=OuterRef("name_key"))
    deleted, _ = ProposedComponent.objects.filter(model=model).filter(Exists(real)).delete()
    return deleted
