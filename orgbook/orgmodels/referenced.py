"""Components a model's metadata refers to without defining them: standard objects and fields,
managed-package components, and components that are simply missing.

They have no Component row (an import of source files has no `Opportunity.Amount`), but every
edge to one is a Dependency row, so "where is it used?" is answered from the dependency index
(model, target_type, target_key) alone. What each one is comes from the naming rule of
`orgbook.metadata.standard` (docs/dependencies.md, "Referenced but not defined").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from orgbook.metadata.names import strip_namespace
from orgbook.metadata.standard import MANAGED, Referenced, classify
from orgbook.orgmodels import census
from orgbook.orgmodels.models import Component, Dependency, OrgModel

SEARCH_MIN = 3  # characters before search looks among referenced names (each look scans the model's edges)


@dataclass(frozen=True)
class ReferencedComponent:
    type: str
    full_name: str  # as the first edge to it spells it
    what: Referenced
    # The component of the model this one most likely is or belongs to, and why: a managed-looking
    # name whose unprefixed form the model defines (a project's own namespace written into a
    # reference, `hed__Course__c` for `Course__c`), or the geolocation field a `__Latitude__s` part is of.
    own: str | None = None
    own_type: str = ""
    own_note: str = ""

    @property
    def mark(self) -> str:
        return self.what.mark


def find(model: OrgModel, type_: str, full_name: str) -> ReferencedComponent | None:
    """The referenced-but-undefined component, or None when no edge of the model names it."""
    name = (Dependency.objects.filter(model=model, target_type=type_, target_key=full_name.lower())
            .values_list("target_name", flat=True).first())
    if name is None:
        return None
    what = classify(type_, name)
    own_type, own, note = _own(model, type_, name, what)
    return ReferencedComponent(type_, name, what, own, own_type, note)


def _own(model: OrgModel, type_: str, name: str, what: Referenced) -> tuple[str, str | None, str]:
    candidates: list[tuple[str, str, str]] = []
    if what.kind == MANAGED:
        candidates.append((type_, ".".join(strip_namespace(p) for p in name.split(".")),
                           "the same name without the namespace prefix"))
    geo = _GEOLOCATION.match(name) if type_ == "CustomField" else None
    if geo:
        candidates.append(("CustomField", f"{geo.group(1)}__c", "the geolocation field this is a part of"))
    for t, n, note in candidates:
        if n != name and Component.objects.filter(model=model, type=t, name_key=n.lower()).exists():
            return t, n, note
    return "", None, ""


_GEOLOCATION = re.compile(r"^(.+)__(?:latitude|longitude)__s$", re.I)


@dataclass(frozen=True)
class _Names:
    """A model version's referenced-but-undefined names, (name key, type, name) sorted by key."""

    rows: tuple[tuple[str, str, str], ...]

    @classmethod
    def build(cls, model: OrgModel) -> _Names:
        # Once per model version and process (census.ModelCache): scanning the model's edges on
        # every keystroke doubled the search's time on a 20,000-component model (bench/README.md).
        # The database leaves out defined targets through the (model, type, name_key) index.
        defined = Component.objects.filter(model=model, type=OuterRef("target_type"), name_key=OuterRef("target_key"))
        found: dict[tuple[str, str], str] = {}
        for t, key, name in (Dependency.objects.filter(model=model).exclude(Exists(defined))
                             .values_list("target_type", "target_key", "target_name").order_by().distinct()):
            found.setdefault((t, key), name)
        return cls(tuple(sorted((key, t, name) for (t, key), name in found.items())))


_names: census.ModelCache[_Names] = census.ModelCache(4)


def search(model: OrgModel, text: str, limit: int, type_: str = "") -> list[ReferencedComponent]:
    """Referenced-but-undefined components whose name contains `text` (case-insensitive): those
    starting with it first, then shorter names."""
    needle = text.strip().lower()
    if len(needle) < SEARCH_MIN or limit <= 0:
        return []
    # Salesforce's dependency rows join a version after it is committed (content_stamp).
    key = (*census.fingerprint(model), model.content_stamp)
    names = _names.get(model, _Names.build, key)  # type: ignore[arg-type]
    hits = [(not key.startswith(needle), len(key), t, key, name) for key, t, name in names.rows
            if needle in key and (not type_ or t == type_)]
    hits.sort()
    return [ReferencedComponent(t, name, classify(t, name)) for _, _, t, _, name in hits[:limit]]
