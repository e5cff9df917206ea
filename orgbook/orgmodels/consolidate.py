"""The consolidation matrix: 2 to 10 models of a Space side by side (typically its production orgs).

For every object, field, record type, validation rule, flow, Apex class, permission set and layout
present in more than one of them: per model absent, same or differs, and how (type, length,
precision, picklist values, formula, required, default). Per object, a score of how far the orgs
agree. Conflicts first: a field whose data type (or lookup target) differs between orgs, which no
merge can take as it is (its data would need converting).

Speed (bench/consolidate.py: 5 models of 100,000 components): one aggregate query over the
`component_compare` index (identity and hash, no table rows) finds the shared components and
whether their hashes agree; attributes are read only for differing fields (to find conflicts) and
for the rows a page shows or an export writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.fields.json import KT

from orgbook.errors import Invalid
from orgbook.orgmodels import compare
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

TYPES = ("CustomObject", "CustomField", "RecordType", "ValidationRule", "Flow", "ApexClass", "PermissionSet", "Layout")
CHILD_OF_OBJECT = frozenset({"CustomField", "RecordType", "ValidationRule"})
# What "how it differs" names first, for fields (other attributes that differ follow).
HOW = ("type", "length", "precision", "scale", "picklistValues", "formula", "required", "defaultValue")
# Differences no merge can take as they are: the field's data would need converting.
INCOMPATIBLE = ("type", "referenceTo")
MIN_MODELS, MAX_MODELS = 2, 10
PAGE = 200  # rows a page (web and API) shows
ABSENT, SAME, DIFFERS = "absent", "same", "differs"
CONFLICT, DIFFERENT, AGREED = "conflict", "differs", "same"
_TABLE = Component._meta.db_table


def object_of(type_: str, name_key: str) -> str:
    """The object a component belongs to ('' for flows, classes, permission sets)."""
    if type_ == "CustomObject":
        return name_key
    if type_ in CHILD_OF_OBJECT:
        return name_key.split(".", 1)[0]
    if type_ == "Layout":
        return name_key.split("-", 1)[0]
    return ""


@dataclass(slots=True)
class Row:
    type: str
    name_key: str
    present: int  # in how many of the models
    state: str = AGREED  # conflict, differs, same
    object: str = ""


@dataclass
class ObjectScore:
    object: str
    shared: int
    same: int
    conflicts: int

    @property
    def agreement(self) -> int:
        """Percent of the object's shared components defined alike in every model that has them."""
        return round(100 * self.same / self.shared) if self.shared else 100


@dataclass
class Matrix:
    models: list[OrgModel]
    rows: list[Row]
    objects: list[ObjectScore]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Cells:
    full_name: str
    label: str
    cells: list[str]  # per model, in the matrix's order: absent, same, differs
    how: list[str]  # attributes whose values differ between the models that have it


def check_models(models: list[OrgModel]) -> None:
    if not MIN_MODELS <= len(models) <= MAX_MODELS:
        raise Invalid(f"Choose {MIN_MODELS} to {MAX_MODELS} models to consolidate (got {len(models)}).")
    if len({m.pk for m in models}) != len(models):
        raise Invalid("Choose each model once.")
    for other in models[1:]:
        compare.check_pair(models[0], other)  # one Space: another Space's model answers 404


def build(models: list[OrgModel], *, types: tuple[str, ...] = TYPES, object_: str = "",
          namespace: str | None = None) -> Matrix:
    """Every component present in more than one of `models`, conflicts first, then those that differ,
    then those alike, each by type and name; and the per-object scores, least agreement first."""
    check_models(models)
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        raise Invalid(f"type must be one of {', '.join(TYPES)} (not {', '.join(unknown)}).")
    rows = _shared(models, types or TYPES, namespace)
    obj = object_.lower()
    for r in rows:
        r.object = object_of(r.type, r.name_key)
    if obj:
        rows = [r for r in rows if r.object == obj]
    for key in _conflicts(models, [r for r in rows if r.state == DIFFERENT and r.type == "CustomField"]):
        key.state = CONFLICT
    order = {CONFLICT: 0, DIFFERENT: 1, AGREED: 2}
    rows.sort(key=lambda r: (order[r.state], r.type, r.name_key))
    return Matrix(models, rows, _scores(rows), dict(Counter(r.state for r in rows)))


def _shared(models: list[OrgModel], types: tuple[str, ...], namespace: str | None) -> list[Row]:
    """(type, name key, in how many, whether definitions differ) of what more than one model holds:
    one aggregate over the covering index, which the database reads without touching table rows.

    Measured at 5 x 100,000 on SQLite (bench/consolidate.py), this beat both alternatives tried:
    reading every model's identities into Python and counting there (1.5x slower: 450,000 rows
    built as Python objects), and joins on identity driven by each model in turn (4 index seeks a
    row, 1.3x slower). MIN <> MAX tells "some definition differs" without COUNT(DISTINCT)'s
    per-group sort.
    """
    ids = [m.pk for m in models]
    marks, type_marks = ", ".join(["%s"] * len(ids)), ", ".join(["%s"] * len(types))
    # Only a namespace filter reads table rows (the column is not in the index).
    ns = " AND namespace = %s" if namespace is not None else ""
    indexed = " INDEXED BY component_compare" if connection.vendor == "sqlite" and namespace is None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT type, name_key, COUNT(*), MIN(content_hash) <> MAX(content_hash) FROM {_TABLE}{indexed} "  # noqa: S608 (our table; values are parameters)
            f"WHERE model_id IN ({marks}) AND type IN ({type_marks}) "
            f"AND status <> '{ComponentStatus.DELETED.value}'{ns} GROUP BY type, name_key HAVING COUNT(*) > 1",
            [*ids, *types, *([namespace] if namespace is not None else [])])
        return [Row(t, k, n, DIFFERENT if d else AGREED) for t, k, n, d in cursor.fetchall()]


def _attributes(models: list[OrgModel], keys: list[tuple[str, str]]) -> Iterator[tuple[int, str, str, str, str, str, dict[str, Any]]]:
    """(model id, type, name key, full name, label, hash, attributes) of the keys in every model, batched."""
    wanted = set(keys)
    for chunk in compare.batches(keys, compare.BATCH // max(1, len(models) // 2)):
        rows = (Component.objects.filter(model__in=models, name_key__in={k for _, k in chunk})
                .exclude(status=ComponentStatus.DELETED)
                .values_list("model_id", "type", "name_key", "full_name", "label", "content_hash", "attributes"))
        for model_id, t, k, name, label, digest, attrs in rows:
            if (t, k) in wanted:
                yield model_id, t, k, name, label, digest, attrs or {}


def _conflicts(models: list[OrgModel], fields: list[Row]) -> list[Row]:
    """The differing fields whose data type or lookup target differs between models. Only those two
    attributes are read (the database extracts them): decoding every attribute of thousands of
    fields cost a second."""
    by_key = {(r.type, r.name_key): r for r in fields}
    seen: dict[tuple[str, str], set[tuple[Any, ...]]] = {}
    keys = list(by_key)
    extracted = [KT(f"attributes__{a}") for a in INCOMPATIBLE]
    for chunk in compare.batches(keys):
        rows = (Component.objects.filter(model__in=models, type="CustomField", name_key__in={k for _, k in chunk})
                .exclude(status=ComponentStatus.DELETED).values_list("name_key", *extracted))
        for k, *values in rows:
            if ("CustomField", k) in by_key:
                seen.setdefault(("CustomField", k), set()).add(tuple(values))
    return [by_key[k] for k, values in seen.items() if len(values) > 1]


def _scores(rows: list[Row]) -> list[ObjectScore]:
    scores: dict[str, ObjectScore] = {}
    for r in rows:
        if not r.object:
            continue
        s = scores.setdefault(r.object, ObjectScore(r.object, 0, 0, 0))
        s.shared += 1
        s.same += r.state == AGREED
        s.conflicts += r.state == CONFLICT
    return sorted(scores.values(), key=lambda s: (-s.conflicts, s.agreement, s.object))


def cells(matrix: Matrix, rows: list[Row]) -> dict[tuple[str, str], Cells]:
    """Per shown row: its cells (absent, same, differs against the definition most models share) and
    the attributes that differ."""
    found: dict[tuple[str, str], dict[int, tuple[str, str, str, dict[str, Any]]]] = {}
    for model_id, t, k, name, label, digest, attrs in _attributes(matrix.models, [(r.type, r.name_key) for r in rows]):
        found.setdefault((t, k), {})[model_id] = (name, label, digest, attrs)
    out: dict[tuple[str, str], Cells] = {}
    for key, per_model in found.items():
        in_order = [per_model.get(m.pk) for m in matrix.models]
        hashes = [c[2] for c in in_order if c]
        counts = Counter(hashes)
        # The most common definition is "same"; on a tie, the one of the first model that has it.
        common = max(counts, key=lambda h: (counts[h], -hashes.index(h)))
        first = next(c for c in in_order if c)
        out[key] = Cells(first[0], first[1], [ABSENT if c is None else SAME if c[2] == common else DIFFERS
                                              for c in in_order], _how([c[3] for c in in_order if c]))
    return out


def _how(attrs: list[dict[str, Any]]) -> list[str]:
    names = sorted({a for d in attrs for a in d})
    differing = [a for a in names if len({repr(d.get(a)) for d in attrs}) > 1]
    return [a for a in HOW if a in differing] + [a for a in differing if a not in HOW]
