"""Compare any two models of a Space: only in A, only in B, in both but different.

The two may belong to different implementations (two production orgs of one company); only models
of one Space are ever compared, and a model of another Space answers as a missing one. Documentation
stays with its implementation: `documentation.compare.notes` reads each side's note from its own
implementation.

Identity is (type, lower-cased full name) as Salesforce compares; "different" means a different
content hash. The database finds the differences with a join of the two models on identity, read
from the `component_compare` index alone (identity, hash, status); names, labels and the semantic
diff are read only for the differences found (the diff only for those shown or exported).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

from orgbook.errors import Invalid, NotFound
from orgbook.metadata.attributes import attribute_diff
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

ONLY_A, ONLY_B, DIFFERENT = "only_a", "only_b", "different"
KINDS = (ONLY_A, ONLY_B, DIFFERENT)
_TABLE = Component._meta.db_table
_LIVE = f"status <> '{ComponentStatus.DELETED.value}'"
# Without ANALYZE statistics SQLite seeks the unique identity index and reads each row for its hash
# (2-3x slower); the covering index answers from the index alone.
_COVERING = "INDEXED BY component_compare"
# Names per IN list: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters, and small
# enough that a chunk's rows are a short read of the identity index.
BATCH = 500


def batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    """`items` in bounded chunks, so no query binds more parameters than the database allows."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class Line:
    kind: str
    type: str
    full_name: str
    name_key: str
    label: str


def same_space(a: OrgModel, b: OrgModel) -> bool:
    return bool(a.implementation.space_id == b.implementation.space_id)


def check_pair(a: OrgModel, b: OrgModel) -> None:
    """Any two different models of one Space. Another Space's model answers as a missing one, even
    to a person who belongs to both Spaces: a comparison never joins two Spaces' content."""
    if not same_space(a, b):
        raise NotFound("No such org model in this Space.")
    if a.pk == b.pk:
        raise Invalid("Choose two different models to compare.")


Key = tuple[str, str]  # (type, name key)


def _differences(a: OrgModel, b: OrgModel, type_: str, kinds: tuple[str, ...]) -> dict[str, list[Key]]:
    """(type, name key) of every difference, by kind. Nothing per component in Python but the rows found.

    PostgreSQL: one FULL JOIN of the two index-only scans (a hash join). SQLite plans a FULL JOIN of
    two subqueries as a scan per row, so there: A LEFT JOIN B (only in A, different) and B LEFT JOIN A
    (only in B), each an index seek per row into the covering index (named: see `_COVERING`).
    """
    typed = " AND type = %s" if type_ else ""
    out: dict[str, list[Key]] = {k: [] for k in KINDS}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            side = f"SELECT type, name_key, content_hash FROM {_TABLE} WHERE model_id = %s AND {_LIVE}{typed}"  # noqa: S608 (our table name and constants; values are parameters)
            cursor.execute(
                f"SELECT COALESCE(a.type, b.type), COALESCE(a.name_key, b.name_key), a.name_key IS NULL, "  # noqa: S608 (our table name and constants; values are parameters)
                f"b.name_key IS NULL FROM ({side}) a FULL JOIN ({side}) b "
                "ON a.type = b.type AND a.name_key = b.name_key "
                "WHERE a.name_key IS NULL OR b.name_key IS NULL OR a.content_hash <> b.content_hash",
                [a.pk, *([type_] if type_ else []), b.pk, *([type_] if type_ else [])])
            for t, key, no_a, no_b in cursor.fetchall():
                out[ONLY_B if no_a else ONLY_A if no_b else DIFFERENT].append((t, key))
            return out
        typed_x = typed.replace("type", "x.type")
        if ONLY_A in kinds or DIFFERENT in kinds:
            cursor.execute(
                f"SELECT x.type, x.name_key, y.name_key IS NULL FROM {_TABLE} x {_COVERING} "  # noqa: S608 (our table name and constants; values are parameters)
                f"LEFT JOIN {_TABLE} y {_COVERING} "
                f"ON y.model_id = %s AND y.type = x.type AND y.name_key = x.name_key AND y.{_LIVE} "
                f"WHERE x.model_id = %s AND x.{_LIVE}{typed_x} "
                "AND (y.name_key IS NULL OR y.content_hash <> x.content_hash)",
                [b.pk, a.pk, *([type_] if type_ else [])])
            for t, key, missing in cursor.fetchall():
                out[ONLY_A if missing else DIFFERENT].append((t, key))
        if ONLY_B in kinds:
            cursor.execute(
                f"SELECT x.type, x.name_key FROM {_TABLE} x {_COVERING} LEFT JOIN {_TABLE} y {_COVERING} "  # noqa: S608 (our table name and constants; values are parameters)
                f"ON y.model_id = %s AND y.type = x.type AND y.name_key = x.name_key AND y.{_LIVE} "
                f"WHERE x.model_id = %s AND x.{_LIVE}{typed_x} AND y.name_key IS NULL",
                [a.pk, b.pk, *([type_] if type_ else [])])
            out[ONLY_B] = [(t, key) for t, key in cursor.fetchall()]
    return out


def _details(model: OrgModel, keys: list[Key]) -> dict[Key, tuple[str, str]]:
    """(type, name key) -> (full name, label), for the few components a comparison shows."""
    out: dict[Key, tuple[str, str]] = {}
    wanted = set(keys)
    for chunk in batches(keys):
        names = {key for _, key in chunk}
        rows = (Component.objects.filter(model=model, name_key__in=names)
                .values_list("type", "name_key", "full_name", "label"))
        out.update({(t, k): (name, label) for t, k, name, label in rows if (t, k) in wanted})
    return out


def lines(a: OrgModel, b: OrgModel, type_: str = "", kinds: tuple[str, ...] = KINDS) -> Iterator[Line]:
    """Every difference: only in A, then different, then only in B, each by type then name.

    The database compares the 100,000 hashes of each side (see `_differences`); Python sees only
    the differences. Names and labels are read in batches as the lines are consumed.
    """
    check_pair(a, b)
    found = _differences(a, b, type_, kinds)
    for kind in (ONLY_A, DIFFERENT, ONLY_B):
        if kind not in kinds:
            continue
        keys = sorted(found[kind])
        source = b if kind == ONLY_B else a
        for start in range(0, len(keys), 5000):
            chunk = keys[start:start + 5000]
            names = _details(source, chunk)
            for t, key in chunk:
                name, label = names.get((t, key), (key, ""))
                yield Line(kind, t, name, key, label)


def summary(all_lines: list[Line]) -> dict[str, dict[str, int]]:
    """Counts by kind and by type, for the filter chips."""
    out: dict[str, dict[str, int]] = {k: {} for k in KINDS}
    for line in all_lines:
        out[line.kind][line.type] = out[line.kind].get(line.type, 0) + 1
    return out


def _attributes(model: OrgModel, keys: set[str], ident: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    rows = Component.objects.filter(model=model, name_key__in=keys).values_list("type", "name_key", "attributes")
    return {(t, k): v or {} for t, k, v in rows if (t, k) in ident}


def semantic_diffs(a: OrgModel, b: OrgModel, shown: list[Line]) -> dict[tuple[str, str], dict[str, list[Any]]]:
    """Attribute diffs for the given DIFFERENT lines: two queries however many lines."""
    wanted = [ln for ln in shown if ln.kind == DIFFERENT]
    out: dict[tuple[str, str], dict[str, list[Any]]] = {}
    for chunk in batches(wanted):
        keys = {ln.name_key for ln in chunk}
        ident = {(ln.type, ln.name_key) for ln in chunk}

        in_a, in_b = _attributes(a, keys, ident), _attributes(b, keys, ident)
        out.update({i: attribute_diff(in_a.get(i, {}), in_b.get(i, {})) for i in ident})
    return out
