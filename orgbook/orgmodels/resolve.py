"""Edges a component alone cannot settle, settled by the ingest once it knows the whole model.

`orgbook.metadata.dependencies` marks such an edge with a rule (`Dependency.resolve`):

- `if_present`: kept only when the model has the target (a local agent topic named like a global
  one is made from it only if that topic exists);
- `first_present`: the first of the edge's type and its alternatives that the model has, else the
  edge's own type (a planner name that is both a GenAiPlannerBundle and a GenAiPlanner);
- `versioned`: `X` or, failing that, the model's `X_<suffix>` with the highest suffix (OmniStudio
  names DataRaptors `extractAccount`, their components `extractAccount_1`; Integration Procedures
  `Type_SubType`, their components `Type_SubType_Language_1`); else `X` as written, which the
  component page then shows as not found;
- `children`: every present component of the type named `<to_name>.<child>` (a bot's versions);
- `remote_site`: the RemoteSiteSetting whose URL has the host of `to_name`; dropped when none has.

"Present" is what the model holds once this ingest is written: what this reading gave, plus
stored components it neither re-read nor deleted.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from orgbook.metadata.dependencies import (
    CHILDREN,
    FIRST_PRESENT,
    IF_PRESENT,
    REMOTE_SITE,
    VERSIONED,
    Dependency,
)
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

Edge = tuple[str, str, str]  # (to_type, to_name, where)
# Types whose names the `versioned`, `children` and `remote_site` rules look up by more than a key.
NAMED_TYPES = frozenset({"OmniDataTransform", "OmniIntegrationProcedure", "BotVersion", "RemoteSiteSetting"})


@dataclass
class Presence:
    """What the model holds after this ingest, asked about by type and lower-cased name."""

    keys: Container[tuple[str, str]]
    # type -> name key -> (full name, attributes) for NAMED_TYPES
    named: dict[str, dict[str, tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    def has(self, type_: str, name: str) -> bool:
        return (type_, name.lower()) in self.keys

    def with_prefix(self, type_: str, prefix: str) -> list[str]:
        low = prefix.lower()
        return [full for key, (full, _) in sorted(self.named.get(type_, {}).items()) if key.startswith(low)]

    def remote_site(self, url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        for _key, (full, attributes) in sorted(self.named.get("RemoteSiteSetting", {}).items()):
            site = attributes.get("url")
            if host and isinstance(site, str) and (urlsplit(site).hostname or "").lower() == host:
                return full
        return None


@dataclass(frozen=True)
class _Present:
    """The keys the model holds after this ingest: those read, and the stored ones present and not
    removed. Asked, not built: a set of them would be one more object per component."""

    read: Container[tuple[str, str]]
    existing: Mapping[tuple[str, str], Any]
    removed: set[tuple[str, str]]

    def __contains__(self, key: object) -> bool:
        if key in self.read:
            return True
        e = self.existing.get(key)  # type: ignore[call-overload]  # a key tuple, as `has` asks
        return e is not None and e[2] == ComponentStatus.PRESENT.value and key not in self.removed


def presence(model: OrgModel, seen: Container[tuple[str, str]], existing: dict[tuple[str, str], Any],
             gone: Iterable[tuple[int, tuple[str, str]]], named_read: dict[str, dict[str, tuple[str, dict[str, Any]]]],
             ) -> Presence:
    """`existing`: the stored rows (`ingest._stored`); `named_read`: NAMED_TYPES components this reading parsed."""
    keys = _Present(seen, existing, {key for _, key in gone})
    named: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {t: dict(v) for t, v in named_read.items()}
    rows = (Component.objects.filter(model=model, type__in=NAMED_TYPES, status=ComponentStatus.PRESENT)
            .values_list("type", "name_key", "full_name", "attributes"))
    for type_, key, full_name, attributes in rows:
        if (type_, key) in keys:
            named.setdefault(type_, {}).setdefault(key, (full_name, attributes or {}))
    return Presence(keys, named)


def settle(dep: Dependency, where_present: Presence) -> list[Edge]:
    """The stored edges for one unsettled dependency (none, one, or a bot's several versions)."""
    p, name = where_present, dep.to_name
    if dep.resolve == IF_PRESENT:
        return [(dep.to_type, name, dep.where)] if p.has(dep.to_type, name) else []
    if dep.resolve == FIRST_PRESENT:
        chosen = next((t for t in (dep.to_type, *dep.alternatives) if p.has(t, name)), dep.to_type)
        return [(chosen, name, dep.where)]
    if dep.resolve == VERSIONED:
        if p.has(dep.to_type, name):
            return [(dep.to_type, name, dep.where)]
        versions = p.with_prefix(dep.to_type, name + "_")
        return [(dep.to_type, versions[-1] if versions else name, dep.where)]
    if dep.resolve == CHILDREN:
        return [(dep.to_type, child, dep.where) for child in p.with_prefix(dep.to_type, name + ".")]
    if dep.resolve == REMOTE_SITE:
        site = p.remote_site(name)
        return [(dep.to_type, site, dep.where)] if site else []
    return [(dep.to_type, name, dep.where)]
