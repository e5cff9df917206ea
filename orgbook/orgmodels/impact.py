"""A component's dependencies both ways (what it uses, what uses it) and the impact walk: everything
that uses it, directly or through others. An impact walk is one query per depth level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from orgbook.orgmodels.models import Component, Dependency, OrgModel


@dataclass(frozen=True)
class Edge:
    type: str
    full_name: str
    where: str
    origin: str
    depth: int = 1
    via: str = ""  # the component at the previous depth this one reaches through


def uses(component: Component) -> list[Edge]:
    return [Edge(d.target_type, d.target_name, d.where, d.origin)
            for d in Dependency.objects.filter(source=component).order_by("target_type", "target_key", "where")]


def used_by(component: Component, limit: int = 2000) -> list[Edge]:
    return used_by_target(component.model_id, component.type, component.name_key, limit)


def used_by_target(model_id: int, type_: str, name_key: str, limit: int = 2000) -> list[Edge]:
    """What uses (type, name): a component of the model or one it only refers to (referenced.py)."""
    rows = (Dependency.objects.filter(model_id=model_id, target_type=type_, target_key=name_key)
            .values_list("source__type", "source__full_name", "where", "origin")
            .order_by("source__type", "source__name_key", "where")[:limit])
    return [Edge(t, n, w, o) for t, n, w, o in rows]


def is_reachable(model_id: int, type_: str, name_key: str) -> bool:
    """Whether (type, name) has a page: a component of the model, or a target of one of its edges."""
    return (Component.objects.filter(model_id=model_id, type=type_, name_key=name_key).exists()
            or Dependency.objects.filter(model_id=model_id, target_type=type_, target_key=name_key).exists())


def grouped(edges: Iterable[Edge]) -> dict[str, list[Edge]]:
    out: dict[str, list[Edge]] = defaultdict(list)
    for e in edges:
        out[e.type].append(e)
    return dict(sorted(out.items()))


# Where an impact walk stops: a key field of a large org reaches tens of thousands of components in
# a few hops, and a list that long answers nothing. The page and the exports say when it stopped here.
IMPACT_LIMIT = 5000


def impact(model: OrgModel, type_: str, full_name: str, depth: int, limit: int = IMPACT_LIMIT) -> list[Edge]:
    """Everything that uses the component, directly or through others, up to `depth` hops.

    Breadth-first; one query per level on the target index, each component reported once at its
    shortest distance.
    """
    depth = max(1, min(depth, 6))
    seen = {(type_, full_name.lower())}
    frontier = {(type_, full_name.lower()): full_name}
    out: list[Edge] = []
    for level in range(1, depth + 1):
        if not frontier or len(out) >= limit:
            break
        nxt: dict[tuple[str, str], str] = {}
        for t_type, t_key, s_type, s_name, s_key, where, origin in _edges_into(model, frontier):
            if (s_type, s_key) in seen:
                continue
            seen.add((s_type, s_key))
            nxt[(s_type, s_key)] = s_name
            out.append(Edge(s_type, s_name, where, origin, level, frontier[(t_type, t_key)]))
            if len(out) >= limit:
                break
        frontier = nxt
    return out


def _edges_into(model: OrgModel, frontier: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Edges into any of the frontier's components, with their source's type and names, ordered by
    source (a component reached through several frontier members: the first by target, then place).

    One term per type, each (model, type, key IN ...), so every term walks the (model, target_type,
    target_key) index on both databases: `type IN (...) AND key IN (...)` made PostgreSQL scan the
    model's 375,000 edges once the frontier held a thousand keys of five types, and an OR per
    (type, key) pair made SQLite scan them. On PostgreSQL the keys go as one array parameter: a
    thousand placeholders cost more to bind and plan than the query took to run.
    """
    by_type: dict[str, list[str]] = defaultdict(list)
    for type_, key in frontier:
        by_type[type_].append(key)
    pg = connection.vendor == "postgresql"
    terms, params = [], []
    for type_, keys in sorted(by_type.items()):
        keys_sql = "= ANY(%s)" if pg else f"IN ({', '.join(['%s'] * len(keys))})"
        terms.append(f"(d.model_id = %s AND d.target_type = %s AND d.target_key {keys_sql})")
        params += [model.pk, type_, *([sorted(keys)] if pg else sorted(keys))]
    sql = (f"SELECT d.target_type, d.target_key, s.type, s.full_name, s.name_key, d.{_q('where')}, d.origin "  # noqa: S608
           f"FROM {Dependency._meta.db_table} d JOIN {Component._meta.db_table} s ON s.id = d.source_id "
           f"WHERE {' OR '.join(terms)} ORDER BY s.type, s.name_key, d.target_type, d.target_key, d.{_q('where')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)
