"""What changed: one run's changes (a sync, an upload or an import) and the Space-wide feed of every
org's changes, read from ComponentChange (the history each ingest writes, with its attribute diffs).
The pages, the CSV, the sync email and the webhook all read these functions."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce

from orgbook.ids import parse_id
from orgbook.implementations.models import ImplementationStatus
from orgbook.orgmodels.models import KIND_WORDS, ChangeKind, ComponentChange, OrgModel, SyncRun
from orgbook.spaces.models import Space

PAGE_SIZE = 50
GROUPS = ("type", "person")
UNKNOWN_PERSON = "Who is not known"  # a change Salesforce names no one for (a deletion, an import)


def run_changes_path(run: SyncRun) -> str:
    return f"/s/{run.model.implementation.space.slug}/runs/{run.pk}/changes/"


def run_changes_url(run: SyncRun) -> str:
    """The run's changes page, absolute (ORGBOOK_BASE_URL): for the sync email and the webhook."""
    return settings.BASE_URL + run_changes_path(run)


def of_run(run: SyncRun, *, type_: str = "", person: str = "", group: str = "type") -> QuerySet[ComponentChange]:
    """The run's changes, in the order the page groups them: by type, or by who changed them."""
    changes = run.changes.all()
    if type_:
        changes = changes.filter(type=type_)
    if person:
        changes = changes.filter(changed_by="" if person == UNKNOWN_PERSON else person)
    order = ("type", "full_name", "id") if group != "person" else ("changed_by", "type", "full_name", "id")
    return changes.annotate(when=Coalesce("at", Value(run.started_at))).order_by(*order)


@dataclass(frozen=True)
class Tally:
    """Added, changed and removed under one heading (a type or a person)."""

    name: str
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


def tallies(run: SyncRun) -> dict[str, list[Tally]]:
    """The run's counts by type and by person, largest first: two GROUP BYs over its changes."""
    out: dict[str, list[Tally]] = {}
    for group, column in (("type", "type"), ("person", "changed_by")):
        found: dict[str, Tally] = {}
        for row in run.changes.values(column, "kind").annotate(n=Count("id")).order_by():
            name = row[column] or (UNKNOWN_PERSON if group == "person" else "")
            word = KIND_WORDS[row["kind"]]
            tally = found.get(name, Tally(name))
            found[name] = replace(tally, **{word: getattr(tally, word) + row["n"]})
        out[group] = sorted(found.values(), key=lambda t: (-t.total, t.name.lower()))
    return out


@dataclass(frozen=True)
class ChangeFilter:
    """The Space feed's filters, as its query string gives them; an unknown or malformed value is
    left out rather than refused, so a shared link keeps working when a model is gone."""

    implementation: int | None = None
    model: int | None = None
    type: str = ""
    person: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ChangeFilter:
        return cls(implementation=parse_id(query.get("impl")), model=parse_id(query.get("org")),
                   type=(query.get("type") or "")[:80], person=(query.get("person") or "")[:120],
                   since=_day(query.get("since")), until=_day(query.get("until")))

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (paging and the CSV link keep them)."""
        pairs = {"impl": self.implementation, "org": self.model, "type": self.type, "person": self.person,
                 "since": self.since, "until": self.until}
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _space_models(space: Space) -> QuerySet[OrgModel]:
    """The Space's models whose content may be read: a suspended implementation's are locked."""
    return OrgModel.objects.filter(implementation__space=space).exclude(
        implementation__status=ImplementationStatus.SUSPENDED)


def in_space(space: Space, chosen: ChangeFilter) -> QuerySet[ComponentChange]:
    """Every change of the Space's orgs after their first reading, newest first. A change's time is
    when Salesforce says it was made, else when the run that found it started (an import, a removal);
    the date range is read in the Space's time zone, both ends included."""
    changes = (ComponentChange.objects.filter(model__in=_space_models(space)).exclude(kind=ChangeKind.BASELINE)
               .annotate(when=Coalesce("at", "run__started_at"))
               .select_related("model__implementation", "run"))
    if chosen.implementation is not None:
        changes = changes.filter(model__implementation_id=chosen.implementation)
    if chosen.model is not None:
        changes = changes.filter(model_id=chosen.model)
    if chosen.type:
        changes = changes.filter(type=chosen.type)
    if chosen.person:
        changes = changes.filter(changed_by="" if chosen.person == UNKNOWN_PERSON else chosen.person)
    zone = zoneinfo.ZoneInfo(space.time_zone)
    if chosen.since is not None:
        changes = changes.filter(when__gte=datetime.combine(chosen.since, time.min, zone))
    if chosen.until is not None:
        changes = changes.filter(when__lt=datetime.combine(chosen.until + timedelta(days=1), time.min, zone))
    return changes.order_by(F("when").desc(nulls_last=True), "-id")


def choices(space: Space) -> dict[str, Any]:
    """What the feed's filters offer: the Space's implementations and models, and the types and
    people its changes name."""
    models = list(_space_models(space).select_related("implementation").order_by("implementation__name", "kind", "name"))
    changes = ComponentChange.objects.filter(model__in=_space_models(space)).exclude(kind=ChangeKind.BASELINE)
    people = sorted(set(changes.values_list("changed_by", flat=True).distinct()), key=str.lower)
    return {
        "implementations": sorted({(m.implementation_id, m.implementation.name) for m in models}, key=lambda i: i[1].lower()),
        "models": models,
        "types": sorted(changes.values_list("type", flat=True).distinct()),
        "people": [p or UNKNOWN_PERSON for p in people],
    }


def diff_text(change: ComponentChange) -> str:
    """The attribute diff on one line, for a CSV cell: `label: Price → Asking Price; scale: 0 → 2`."""
    return "; ".join(f"{k}: {_shown(v[0] if v else None)} → {_shown(v[1] if len(v) > 1 else None)}"
                     for k, v in sorted((change.attribute_diff or {}).items()))


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


CSV_HEADER = ["Implementation", "Org", "Change", "Type", "API name", "Changed by", "Version",
              "Attributes (before → after)", "Link"]


def csv_header(space: Space) -> list[str]:
    return [f"When ({space.time_zone})", *CSV_HEADER]


def csv_rows(space: Space, changes: QuerySet[ComponentChange]) -> Iterator[list[Any]]:
    """The feed's rows for the CSV, times in the Space's zone (the caller's export escapes every
    cell against formulas)."""
    zone = zoneinfo.ZoneInfo(space.time_zone)
    for ch in changes.iterator(chunk_size=2000):
        when = getattr(ch, "when", None)  # annotated by `in_space`
        yield [when.astimezone(zone) if when else None, ch.model.implementation.name, ch.model.name, ch.kind_word(), ch.type,
               ch.full_name, ch.changed_by, ch.version, diff_text(ch),
               f"{settings.BASE_URL}/m/{ch.model_id}/c/{quote(ch.type)}/{quote(ch.full_name)}"]
