"""The dictionary's grid: the filtered, sorted rows of an org model, as the dictionary page, its
exports and the API's component list read them. A page is one COUNT (often none: the census or a
kept count answers) and one SELECT, whatever the size of the model.

The documented column and filter read the documentation of the model's implementation, which sits
in the layer above this one: the caller passes it in (`notes`, from
`documentation.services.notes_of(model)`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, Exists, Func, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from orgbook.orgmodels.census import Census, Fingerprint, ModelCache, census, fingerprint
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

# One implementation's documentation rows (`documentation.models.Documentation` filtered on the
# model's implementation): a component is documented when a row has its type and name_key.
Notes = QuerySet[Any]

# Grid columns a user may choose; key -> (label, ORM field used for sorting).
COLUMNS: dict[str, tuple[str, str]] = {
    "type": ("Type", "type"),
    "full_name": ("API name", "name_key"),
    "label": ("Label", "label"),
    "parent": ("Object", "parent_key"),
    "namespace": ("Package", "namespace"),
    "status": ("Status", "status"),
    "last_modified_date": ("Last modified", "last_modified_date"),
    "last_modified_by": ("Modified by", "last_modified_by"),
    "changed_version": ("Changed in version", "changed_version"),
    "description": ("Description", ""),
    "documented": ("Documented", ""),
}
DEFAULT_COLUMNS = ["type", "full_name", "label", "namespace", "status", "last_modified_date"]
CHANGES = ("new", "updated", "deleted")
OWN = "-"  # the namespace filter value for the org's own (unpackaged) components

@dataclass
class Grid:
    """The grid's parameters, parsed strictly from a query string: unknown values are dropped."""

    type: str = ""
    namespace: str = ""  # "" any, OWN the org's own, else a namespace prefix
    status: str = ""  # present / deleted / unfetched
    change: str = ""  # new / updated / deleted since `since_version`
    since_version: int | None = None
    changed_since: date | None = None
    documented: str = ""  # "yes" / "no"
    parent: str = ""
    q: str = ""
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))
    sort: str = "full_name"
    descending: bool = False
    page: int = 1

    @classmethod
    def parse(cls, params: Any) -> Grid:
        g = cls()
        g.type = (params.get("type") or "").strip()[:80]
        g.namespace = (params.get("namespace") or "").strip()[:40]
        g.status = params.get("status") if params.get("status") in ComponentStatus.values else ""
        g.change = params.get("change") if params.get("change") in CHANGES else ""
        g.since_version = _int(params.get("since_version"))
        g.documented = params.get("documented") if params.get("documented") in ("yes", "no") else ""
        g.parent = (params.get("parent") or "").strip()[:400]
        g.q = (params.get("q") or "").strip()[:200]
        try:
            g.changed_since = date.fromisoformat(params.get("changed_since") or "")
        except ValueError:
            g.changed_since = None
        cols = params.getlist("col") if hasattr(params, "getlist") else params.get("col") or []
        if isinstance(cols, str):
            cols = [cols]
        chosen = [c for c in cols if c in COLUMNS]
        g.columns = list(dict.fromkeys(chosen)) or list(DEFAULT_COLUMNS)
        sort = params.get("sort") or "full_name"
        g.descending = sort.startswith("-")
        g.sort = sort.lstrip("-") if sort.lstrip("-") in COLUMNS and COLUMNS[sort.lstrip("-")][1] else "full_name"
        g.page = max(_int(params.get("page")) or 1, 1)
        return g

    def known_count(self, found: Census) -> int | None:
        """The row count when the census already knows it (filters on type, package and status only):
        no COUNT query."""
        if any((self.change, self.changed_since, self.documented, self.parent, self.q)):
            return None
        if not (self.namespace or self.status):
            return found.by_type.get(self.type, 0) if self.type else found.live
        namespace = "" if self.namespace == OWN else self.namespace
        return sum(n for (ns, type_, status), n in found.counts.items()
                   if (not self.type or type_ == self.type) and (not self.namespace or ns == namespace)
                   and (status == self.status if self.status else status != ComponentStatus.DELETED))

    def count_key(self, model: OrgModel) -> tuple[Any, ...]:
        """What the row count depends on besides the model's rows (and the documentation: see
        `grid_count`)."""
        return (self.type, self.namespace, self.status, self.change, self.since_version or model.version,
                self.changed_since, self.parent.lower(), self.q)

    def as_query(self) -> dict[str, Any]:
        """The parameters that differ from the defaults (what a saved view stores)."""
        out: dict[str, Any] = {}
        for key in ("type", "namespace", "status", "change", "documented", "parent", "q"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.since_version:
            out["since_version"] = self.since_version
        if self.changed_since:
            out["changed_since"] = self.changed_since.isoformat()
        if self.columns != DEFAULT_COLUMNS:
            out["col"] = self.columns
        if self.sort != "full_name" or self.descending:
            out["sort"] = ("-" if self.descending else "") + self.sort
        return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def documented_exists(notes: Notes) -> Exists:
    return Exists(notes.filter(type=OuterRef("type"), name_key=OuterRef("name_key")))


class _NoIndex(Func):
    """`+column` on SQLite: the same value, which the planner cannot look up in an index."""

    template = "+%(expressions)s"


def _at_least(qs: QuerySet[Component], column: str, value: Any, walk: bool) -> QuerySet[Component]:
    """`column >= value`. With `walk` on SQLite, not through the column's index: SQLite keeps no
    statistics, so it would take every matched row from that index and sort them, even when most
    of the model matches and the sort's own index finds a page after a few dozen rows (PostgreSQL
    chooses from its statistics)."""
    if not walk or connection.vendor != "sqlite":
        return qs.filter(**{f"{column}__gte": value})
    name = f"unindexed_{column}"
    output = Component._meta.get_field(column)
    assert isinstance(output, models.Field)
    return qs.alias(**{name: _NoIndex(column, output_field=output)}).filter(
        **{f"{name}__gte": value})


def filter_change(qs: QuerySet[Component], change: str, since: int, walk: bool = False) -> QuerySet[Component]:
    """New: first seen in version `since` or later; updated: existed before and changed since;
    deleted: gone from Salesforce since. `walk`: most of the model matches (see `_at_least`)."""
    # A component's changed_version is never below its added_version (both are the version that wrote
    # it; an update moves changed_version only), so every change is a range of the (model,
    # changed_version, ...) index, "new" included (its bound on changed_version is redundant).
    qs = _at_least(qs, "changed_version", since, walk)
    if change == "new":
        return qs.filter(added_version__gte=since)
    if change == "updated":
        return qs.filter(added_version__lt=since).exclude(status=ComponentStatus.DELETED)
    return qs.filter(status=ComponentStatus.DELETED)


@dataclass(frozen=True)
class DocState:
    """How many documentation rows the model's implementation has, and the newest id: it changes
    whenever one is added or removed (ids only grow), so it keys the cached counts of the
    documented filter."""

    count: int
    top: int
    live: int  # the model's live components

    @property
    def sparse(self) -> bool:
        """Few notes for the model's size: "documented" starts from the notes."""
        return self.count * 10 < self.live


def doc_state(model: OrgModel, notes: Notes, live: int | None = None) -> DocState:
    found = notes.aggregate(n=Count("id"), top=Max("id"))
    return DocState(found["n"], found["top"] or 0, census(model).live if live is None else live)


def fingerprint_and_notes(model: OrgModel, notes: Notes) -> tuple[Fingerprint, tuple[int, int]]:
    """`fingerprint` and the implementation's documentation (count, newest id) in one query, for a
    page with the documented filter (`DocState`)."""
    grouped = notes.order_by().values("implementation_id")  # one implementation: one group
    top, n, notes_top = OrgModel.objects.filter(pk=model.pk).values_list(
        Subquery(Component.objects.filter(model=model).order_by("-id").values("id")[:1]),
        Subquery(grouped.annotate(n=Count("id")).values("n")),
        Subquery(grouped.annotate(top=Max("id")).values("top"))).get()
    return (model.pk, model.version, top or 0), (n or 0, notes_top or 0)


def mostly(rows: int, found: Census) -> bool:
    """Whether `rows` (a grid's count) is much of the model: `grid_queryset`'s `walk`."""
    return rows * 5 > found.live


def grid_queryset(model: OrgModel, g: Grid, notes: Notes, docs: DocState | None = None,
                  walk: bool = False) -> QuerySet[Component]:
    """The grid's rows in order, unevaluated (a page slices it, an export streams it).

    Every sort is read in the order of an index on (model, column, type, name_key), so a page costs
    a walk of the rows before it, not a sort of the model. `docs` (from `doc_state`) chooses how the
    documented filter runs: with few notes, "documented" starts from the notes (an IN on the
    component's name, then the exact match on type and name); otherwise, and for "not documented",
    the rows are walked in order and each is looked up in the notes. `walk` (`mostly` of the
    `grid_count`): most of the model matches, so SQLite walks the sort's index past the rows that a
    range filter drops instead of sorting the matched rows (see `_at_least`).
    """
    qs = Component.objects.filter(model=model)
    if g.type:
        qs = qs.filter(type=g.type)
    if g.namespace:
        qs = qs.filter(namespace="" if g.namespace == OWN else g.namespace)
    if g.status:
        qs = qs.filter(status=g.status)
    elif g.change != "deleted":
        qs = qs.exclude(status=ComponentStatus.DELETED)
    if g.change:
        qs = filter_change(qs, g.change, g.since_version or model.version, walk)
    if g.changed_since:
        # The same rows as `last_modified_date__date__gte` (the date in the current time zone), as a
        # range on the column, which an index can serve (the date of every row was computed before).
        start = datetime.combine(g.changed_since, time.min)
        qs = _at_least(qs, "last_modified_date", timezone.make_aware(start) if settings.USE_TZ else start, walk)
    if g.parent:
        qs = qs.filter(parent_key=g.parent.lower())
    if g.q:
        match = Q(name_key__contains=g.q.lower()) | Q(label__icontains=g.q)
        qs = qs.filter(match)
        if not walk:
            # The names that contain it, from the narrow `component_label` index (model, label, type,
            # name_key) alone, instead of reading every row of the model (a tenth of the pages);
            # the rows are then looked up by name and checked again.
            qs = qs.filter(name_key__in=Component.objects.filter(model=model).filter(match).values("name_key"))
    if g.documented or "documented" in g.columns:
        qs = qs.annotate(is_documented=documented_exists(notes))
        if g.documented:
            qs = qs.filter(is_documented=g.documented == "yes")
        if g.documented == "yes":
            if (docs or doc_state(model, notes)).sparse:
                qs = qs.filter(name_key__in=notes.values("name_key"))
    fields = ["type", "full_name", "name_key", "label", "parent_type", "parent_key", "namespace", "status",
              "last_modified_date", "last_modified_by", "changed_version", "added_version"]
    if "description" in g.columns:
        fields.append("attributes")
    order = COLUMNS[g.sort][1]
    tiebreak = [order, "type", "name_key"] if order not in ("type", "name_key") else \
        [order, "name_key" if order == "type" else "type"]
    # Descending reverses the tie-break too, so that one index read backwards serves both
    # directions (label: `component_label`) instead of sorting the whole model.
    sign = "-" if g.descending else ""
    return qs.only(*fields).order_by(*(sign + column for column in tiebreak))


@dataclass(frozen=True)
class GridRows:
    """A grid's rows in order (unevaluated: a page slices them), how many there are, and the
    model's census (the dictionary page draws its tree and filters from it)."""

    rows: QuerySet[Component]
    count: int
    census: Census


def grid_rows(model: OrgModel, g: Grid, notes: Notes) -> GridRows:
    """The grid as the dictionary page and the API's component list both read it: the count from
    the census or the kept counts, then the rows in the order of an index. With the documented
    filter the fingerprint and the documentation's state come in one query."""
    docs = None
    if g.documented:
        key, kept = fingerprint_and_notes(model, notes)
        found = census(model, key)
        docs = DocState(*kept, found.live)
    else:
        key = fingerprint(model)
        found = census(model, key)
    count = grid_count(model, g, notes, docs, key)
    return GridRows(grid_queryset(model, g, notes, docs, mostly(count, found)), count, found)


def cell(c: Component, column: str) -> Any:
    """One grid cell's value, the same on screen and in exports."""
    if column == "parent":
        return c.parent_name
    if column == "description":
        return (c.attributes or {}).get("description") or ""
    if column == "documented":
        return bool(getattr(c, "is_documented", False))
    return getattr(c, column)


_counts: ModelCache[OrderedDict[tuple[Any, ...], int]] = ModelCache(8)
COUNTS_KEPT = 500  # filtered row counts kept per model


def grid_count(model: OrgModel, g: Grid, notes: Notes, docs: DocState | None = None,
               key: Fingerprint | None = None) -> int:
    """The grid's row count. From the census for type, package and status filters; otherwise counted
    once per model version (and, with the documented filter, per state of the documentation) and
    kept. "Not documented" is the count without that filter less the documented ones, which are
    counted from the notes, so no count reads every row to look each up."""
    key = key or fingerprint(model)
    found = census(model, key)
    known = g.known_count(found)
    if known is not None:
        return known
    if g.documented and docs is None:
        docs = doc_state(model, notes, found.live)
    count_key = g.count_key(model) + ((g.documented, docs) if g.documented else ())
    kept = _counts.get(model, lambda _: OrderedDict(), key)
    if count_key in kept:
        return kept[count_key]
    if g.documented == "no":
        without, documented = replace(g, documented=""), replace(g, documented="yes")
        n = grid_count(model, without, notes, key=key) - grid_count(model, documented, notes, docs, key)
    else:
        n = grid_queryset(model, g, notes, docs).order_by().count()
    kept[count_key] = n
    while len(kept) > COUNTS_KEPT:
        kept.popitem(last=False)
    return n


