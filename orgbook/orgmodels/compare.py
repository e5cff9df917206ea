"""Compare two models of an implementation: only in A, only in B, in both but different.

Identity is (type, lower-cased full name) as Salesforce compares; "different" means a different
content hash. Each model is read once as (type, name, hash); names, labels and the semantic diff
are read only for the differences shown (or exported).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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


def _identities(model: OrgModel, type_: str) -> dict[tuple[str, str], tuple[str, int]]:
    """(type, name key) -> (content hash, pk) for every live component: one plain scan, no join."""
    rows = _live(model, type_).values_list("type", "name_key", "content_hash", "pk").order_by()
    return {(t, k): (h, pk) for t, k, h, pk in rows.iterator(chunk_size=10000)}


def _details(pks: list[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(pks), 1000):  # bounded IN lists
        rows = Component.objects.filter(pk__in=pks[start:start + 1000]).values_list("pk", "full_name", "label")
        out.update({pk: (name, label) for pk, name, label in rows})
    return out


def lines(a: OrgModel, b: OrgModel, type_: str = "", kinds: tuple[str, ...] = KINDS) -> Iterator[Line]:
    """Every difference: only in A, then different, then only in B, each by type then name.

    One scan of each model's (type, name, hash) — no per-row query, no join: at 100,000
    components a merge in Python beat both a correlated lookup and anti/semi-joins on SQLite, and
    does not depend on PostgreSQL's plan. Names and labels are then read only for the differences.
    """
    check_pair(a, b)
    in_a, in_b = _identities(a, type_), _identities(b, type_)
    picked: list[tuple[str, tuple[str, str], int]] = []
    if ONLY_A in kinds:
        picked += [(ONLY_A, key, in_a[key][1]) for key in sorted(in_a.keys() - in_b.keys())]
    if DIFFERENT in kinds:
        changed = [(key, pk) for key, (h, pk) in in_a.items() if (other := in_b.get(key)) and other[0] != h]
        picked += [(DIFFERENT, key, pk) for key, pk in sorted(changed)]  # sort the few, not the 100,000
    if ONLY_B in kinds:
        picked += [(ONLY_B, key, in_b[key][1]) for key in sorted(in_b.keys() - in_a.keys())]
    del in_a, in_b
    for start in range(0, len(picked), 5000):
        chunk = picked[start:start + 5000]
        names = _details([pk for _, _, pk in chunk])
        for kind, (t, key), pk in chunk:
            name, label = names.get(pk, (key, ""))
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
