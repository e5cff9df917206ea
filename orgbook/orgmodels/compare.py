"""Compare two models of an implementation: only in A, only in B, in both but different.

Identity is (type, lower-cased full name) as Salesforce compares; "different" means a different
content hash. The database does the matching over the identity index and returns differences
only; the semantic diff is computed only for the lines shown (or exported).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef

from orgbook.errors import Invalid
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

ONLY_A, ONLY_B, DIFFERENT = "only_a", "only_b", "different"
KINDS = (ONLY_A, ONLY_B, DIFFERENT)


@dataclass(frozen=True)
class Line:
    kind: str
    type: str
    full_name: str
    name_key: str
    label: str


def check_pair(a: OrgModel, b: OrgModel) -> None:
    if a.implementation_id != b.implementation_id:
        raise Invalid("Only models of the same implementation can be compared.")
    if a.pk == b.pk:
        raise Invalid("Choose two different models to compare.")


def _live(model: OrgModel, type_: str = "") -> Any:
    qs = Component.objects.filter(model=model).exclude(status=ComponentStatus.DELETED)
    return qs.filter(type=type_) if type_ else qs


def lines(a: OrgModel, b: OrgModel, type_: str = "", kinds: tuple[str, ...] = KINDS) -> Iterator[Line]:
    """Every difference: only in A, then different, then only in B, each by type then name.

    Three queries, each returning only differences: anti-joins for "only in", a semi-join on a
    different hash for "different" (PostgreSQL plans them as hash joins; SQLite probes the other
    model's identity index per row). Identical components never leave the database.
    """
    check_pair(a, b)

    def same_key(model: OrgModel) -> Any:
        return _live(model).filter(type=OuterRef("type"), name_key=OuterRef("name_key"))

    queries = []
    if ONLY_A in kinds:
        queries.append((ONLY_A, _live(a, type_).filter(~Exists(same_key(b)))))
    if DIFFERENT in kinds:
        queries.append((DIFFERENT, _live(a, type_).filter(
            Exists(same_key(b).exclude(content_hash=OuterRef("content_hash"))))))
    if ONLY_B in kinds:
        queries.append((ONLY_B, _live(b, type_).filter(~Exists(same_key(a)))))
    for kind, qs in queries:
        rows = qs.values_list("type", "full_name", "name_key", "label").order_by("type", "name_key")
        for t, name, key, label in rows.iterator(chunk_size=5000):
            yield Line(kind, t, name, key, label)


def summary(all_lines: list[Line]) -> dict[str, dict[str, int]]:
    """Counts by kind and by type, for the filter chips."""
    out: dict[str, dict[str, int]] = {k: {} for k in KINDS}
    for line in all_lines:
        out[line.kind][line.type] = out[line.kind].get(line.type, 0) + 1
    return out


def attribute_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{attribute: [in A, in B]} for every attribute whose value differs."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _attributes(model: OrgModel, keys: set[str], ident: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    rows = Component.objects.filter(model=model, name_key__in=keys).values_list("type", "name_key", "attributes")
    return {(t, k): v or {} for t, k, v in rows if (t, k) in ident}


def semantic_diffs(a: OrgModel, b: OrgModel, shown: list[Line]) -> dict[tuple[str, str], dict[str, list[Any]]]:
    """Attribute diffs for the given DIFFERENT lines: two queries however many lines."""
    wanted = [ln for ln in shown if ln.kind == DIFFERENT]
    out: dict[tuple[str, str], dict[str, list[Any]]] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists (SQLite's variable limit)
        chunk = wanted[start:start + 500]
        keys = {ln.name_key for ln in chunk}
        ident = {(ln.type, ln.name_key) for ln in chunk}

        in_a, in_b = _attributes(a, keys, ident), _attributes(b, keys, ident)
        out.update({i: attribute_diff(in_a.get(i, {}), in_b.get(i, {})) for i in ident})
    return out
