"""Across implementations: comparing any two models of a Space, the consolidation matrix of several,
and a sandbox's manifest for its production. Typed responses; every model opened by `get_model`."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema

from orgbook.api import schemas as s
from orgbook.documentation import compare as doc_compare
from orgbook.errors import Invalid
from orgbook.orgmodels import compare as compare_mod
from orgbook.orgmodels import consolidate, manifest
from orgbook.orgmodels.services import get_model

router = Router(tags=["across implementations"])
ERRORS: dict[int, Any] = s.READ  # 400, 401, 403, 404 and 429 (schemas.errors)
COMPARE_PAGE = 500
KindFilter = Literal["only_a", "only_b", "different"]  # compare.KINDS (a test keeps them equal)


class CompareCounts(Schema):
    only_a: int
    only_b: int
    different: int


class SideNotes(Schema):
    a: str
    b: str


class CompareItem(Schema):
    kind: str
    type: str
    full_name: str
    label: str
    attributes: dict[str, list[Any]] | None
    notes: SideNotes | None


class ComparePage(Schema):
    a: int
    b: int
    same_implementation: bool
    counts: CompareCounts
    count: int
    page: int
    pages: int
    items: list[CompareItem]


@router.get("/models/{id:model_id}/compare/{id:other_id}", response={200: ComparePage, **ERRORS})
def compare_models(request: HttpRequest, model_id: int, other_id: int, type: str | None = None,
                   kind: KindFilter | None = None, page: int = 1) -> dict[str, Any]:
    """Differences between any two models of a Space: `only_a`, `only_b`, `different` (with
    `attributes`: {name: [in A, in B]}), 500 a page. `notes`: each side's documentation note, from
    its own implementation."""
    a = get_model(request.user, model_id)
    b = get_model(request.user, other_id)
    compare_mod.check_pair(a, b)
    lines = list(compare_mod.lines(a, b, type or "", (kind,) if kind else compare_mod.KINDS))
    paginator = Paginator(lines, COMPARE_PAGE)
    if page < 1 or (paginator.count and page > paginator.num_pages):
        raise Invalid(f"page must be between 1 and {paginator.num_pages}.")
    shown = list(paginator.get_page(page).object_list)
    diffs = compare_mod.semantic_diffs(a, b, shown)
    notes = doc_compare.notes(a, b, shown)
    counts = {k: 0 for k in compare_mod.KINDS}
    for line in lines:
        counts[line.kind] += 1
    items = []
    for ln in shown:
        ident = (ln.type, ln.name_key)
        note = notes.get(ident)
        items.append({"kind": ln.kind, "type": ln.type, "full_name": ln.full_name, "label": ln.label,
                      "attributes": diffs.get(ident) if ln.kind == compare_mod.DIFFERENT else None,
                      "notes": {"a": note.a, "b": note.b} if note else None})
    return {"a": a.pk, "b": b.pk, "same_implementation": a.implementation_id == b.implementation_id,
            "counts": counts, "count": paginator.count, "page": page, "pages": paginator.num_pages,
            "items": items}


class ManifestEntry(Schema):
    action: str
    type: str
    full_name: str
    label: str
    changed_version: int


class ManifestOut(Schema):
    source: int
    target: int
    baseline_version: int
    counts: dict[str, int]
    entries: list[ManifestEntry]
    package_xml: str
    destructive_changes_xml: str | None


@router.get("/models/{id:model_id}/manifest/{id:other_id}", response={200: ManifestOut, **ERRORS})
def sandbox_manifest(request: HttpRequest, model_id: int, other_id: int, since: str | None = None,
                     since_version: int | None = None) -> dict[str, Any]:
    """What the sandbox `model_id` added, changed and removed since `since` (a date or date-time) or
    `since_version` (default: its last confirmed refresh, else everything) and production `other_id` lacks: the list,
    `package_xml` and `destructive_changes_xml` (null when nothing is removed)."""
    source = get_model(request.user, model_id)
    target = get_model(request.user, other_id)
    found = manifest.build(source, target, since=manifest.parse_since(since), since_version=since_version,
                           api_version=settings.ORGBOOK_SF_API_VERSION)
    counts = {a: len(found.of(a)) for a in manifest.ACTIONS}
    return {"source": source.pk, "target": target.pk, "baseline_version": found.baseline, "counts": counts,
            "entries": [e.__dict__ for e in found.entries], "package_xml": found.package_xml(),
            "destructive_changes_xml": found.destructive_xml() if found.of(manifest.DELETE) else None}


class ConsolidationModel(Schema):
    id: int
    name: str
    kind: str
    implementation: str


class ConsolidationRow(Schema):
    type: str
    full_name: str
    label: str
    object: str | None
    state: str
    cells: list[str]
    how: list[str]


class ObjectScoreOut(Schema):
    object: str
    shared: int
    same: int
    conflicts: int
    agreement: int


class ConsolidationPage(Schema):
    models: list[ConsolidationModel]
    counts: dict[str, int]
    objects: list[ObjectScoreOut]
    count: int
    page: int
    pages: int
    items: list[ConsolidationRow]


def open_models(user: Any, ids: list[int]) -> list[Any]:
    """Each model through the access check, in the order given; `consolidate.build` checks the Space."""
    return [get_model(user, pk) for pk in ids]


@router.get("/consolidation", response={200: ConsolidationPage, **ERRORS})
def consolidation(request: HttpRequest, models: list[int] = Query(...), type: str | None = None,  # noqa: B008
                  object: str | None = None, namespace: str | None = None, page: int = 1) -> dict[str, Any]:
    """The consolidation matrix of 2 to 10 models of a Space (`models=1&models=2…`): every object,
    field, record type, validation rule, flow, Apex class, permission set and layout present in more
    than one, conflicts first, 200 a page; `cells` per model in the order given (`absent`, `same`,
    `differs`); `objects`: per object the agreement score, least first. `namespace=-`: the orgs' own."""
    chosen = open_models(request.user, models)
    matrix = consolidate.build(chosen, types=(type,) if type else consolidate.TYPES, object_=object or "",
                               namespace=None if namespace is None else "" if namespace == "-" else namespace)
    paginator = Paginator(matrix.rows, consolidate.PAGE)
    if page < 1 or (paginator.count and page > paginator.num_pages):
        raise Invalid(f"page must be between 1 and {paginator.num_pages}.")
    shown = list(paginator.get_page(page).object_list)
    found = consolidate.cells(matrix, shown)
    items = []
    for r in shown:
        c = found.get((r.type, r.name_key))
        items.append({"type": r.type, "full_name": c.full_name if c else r.name_key, "label": c.label if c else "",
                      "object": r.object or None, "state": r.state, "cells": c.cells if c else [],
                      "how": c.how if c else []})
    return {"models": [{"id": m.pk, "name": m.name, "kind": m.kind, "implementation": m.implementation.name}
                       for m in chosen],
            "counts": {s: matrix.counts.get(s, 0) for s in (consolidate.CONFLICT, consolidate.DIFFERENT,
                                                            consolidate.AGREED)},
            "objects": [{"object": s.object, "shared": s.shared, "same": s.same, "conflicts": s.conflicts,
                         "agreement": s.agreement} for s in matrix.objects],
            "count": paginator.count, "page": page, "pages": paginator.num_pages, "items": items}
