"""The ingest engine: parsed components in, one atomic new version of an org model out.

Used by `orgbook import`, the upload page and (through the sync) connected orgs. Readers see the
previous version until the transaction commits; a failed ingest leaves the model as it was.
Only new and changed components are written, so a re-ingest where nothing changed writes
nothing but its run record.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from orgbook.metadata import ParsedComponent, ReadProblem, SchemaIndex, iter_dependencies
from orgbook.orgmodels.models import (
    ChangeKind,
    Component,
    ComponentChange,
    ComponentStatus,
    Dependency,
    OrgModel,
    SyncRun,
)

log = logging.getLogger(__name__)
BATCH = 2000
Progress = Callable[[str, int], None]


@dataclass
class _Plan:
    """What this ingest will write, gathered while reading."""

    create: list[Component] = field(default_factory=list)
    update: list[tuple[int, Component]] = field(default_factory=list)
    parsed_for_deps: list[tuple[tuple[str, str], ParsedComponent]] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[dict[str, str]] = field(default_factory=list)


def _z(data: bytes | None) -> bytes | None:
    return zlib.compress(data, 1) if data is not None else None


def _component(model: OrgModel, pc: ParsedComponent, version: int, props: dict[str, Any] | None) -> Component:
    props = props or {}
    return Component(
        model=model, type=pc.type, full_name=pc.full_name, name_key=pc.full_name.lower(),
        parent_type=pc.parent_type or "", parent_key=(pc.parent_name or "").lower(),
        label=(pc.label or "")[:400], namespace=pc.namespace or "", sf_id=props.get("id", "") or "",
        created_date=props.get("createdDate"), created_by=props.get("createdByName", "") or "",
        last_modified_date=props.get("lastModifiedDate"), last_modified_by=props.get("lastModifiedByName", "") or "",
        definition_z=_z(pc.definition), body_z=_z(pc.body), content_hash=pc.content_hash,
        attributes=pc.attributes, status=ComponentStatus.PRESENT, added_version=version, changed_version=version,
        warning=(pc.error or "")[:500],
    )


def attribute_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Which attributes changed: {name: [before, after]} (a picklist value added, a formula rewritten)."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def ingest(
    model: OrgModel,
    components: Iterable[ParsedComponent | ReadProblem],
    *,
    trigger: str = "import",
    file_properties: dict[tuple[str, str], dict[str, Any]] | None = None,
    progress: Progress | None = None,
    complete: bool = True,
    deleted: set[tuple[str, str]] | None = None,
) -> SyncRun:
    """Write one new version of `model`.

    `complete=True`: components absent from `components` were deleted. An incremental sync passes
    `complete=False` and the keys it knows were deleted (listed no more) in `deleted`.
    """
    run = SyncRun.objects.create(model=model, trigger=trigger, stage="reading")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        existing = {
            (t, k): (pk, h, st)
            for pk, t, k, h, st in Component.objects.filter(model=model).values_list(
                "pk", "type", "name_key", "content_hash", "status")
        }
        version = model.version + 1
        plan, seen = _read(model, components, existing, version, file_properties or {}, progress)
        timings["parse"] = round(time.perf_counter() - t0, 3)
        t1 = time.perf_counter()
        with transaction.atomic():
            locked = OrgModel.objects.select_for_update().get(pk=model.pk)
            if locked.version != model.version:
                raise RuntimeError("Another sync of this org model finished first; run this one again.")
            gone = None if complete else (deleted or set())
            removed = _mark_deleted(locked, existing, seen, version, run, only=gone)
            _write(locked, plan, version, run, first=model.version == 0, progress=progress)
            changed_any = bool(plan.create or plan.update or removed)
            if changed_any:
                locked.version = version
            locked.last_synced_at = timezone.now()
            locked.save(update_fields=["version", "last_synced_at"])
            run.version = version if changed_any else model.version
            run.added = sum(1 for _ in plan.create)
            run.changed, run.removed, run.unchanged = len(plan.update), removed, plan.unchanged
        timings["write"] = round(time.perf_counter() - t1, 3)
        model.refresh_from_db()
        run.status, run.stage, run.progress = SyncRun.Status.SUCCEEDED, "done", 100
        run.warnings = plan.warnings[:1000]
    except Exception as exc:
        run.status, run.error = SyncRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:4000]
        run.finished_at, run.stages = timezone.now(), timings
        run.save()
        raise
    run.finished_at, run.stages = timezone.now(), timings
    run.save()
    return run


def _read(model: OrgModel, components: Iterable[ParsedComponent | ReadProblem], existing: dict[Any, Any],
          version: int, props: dict[tuple[str, str], dict[str, Any]], progress: Progress | None,
          ) -> tuple[_Plan, set[tuple[str, str]]]:
    plan, seen = _Plan(), set()
    for n, pc in enumerate(components, 1):
        if isinstance(pc, ReadProblem):
            plan.warnings.append({"path": pc.path, "message": pc.message})
            continue
        key = (pc.type, pc.full_name.lower())
        if key in seen:
            plan.warnings.append({"path": pc.file_path, "message": f"{pc.type} {pc.full_name} appears twice; kept the first"})
            continue
        seen.add(key)
        if pc.error:
            plan.warnings.append({"path": pc.file_path, "message": pc.error})
        old = existing.get(key)
        if old is not None and old[1] == pc.content_hash and old[2] == ComponentStatus.PRESENT:
            plan.unchanged += 1
            continue
        comp = _component(model, pc, version, props.get(key))
        if old is None:
            plan.create.append(comp)
        else:
            plan.update.append((old[0], comp))
        plan.parsed_for_deps.append((key, pc))
        if progress and n % 5000 == 0:
            progress("parsing", n)
    return plan, seen


def _mark_deleted(model: OrgModel, existing: dict[Any, Any], seen: set[Any], version: int, run: SyncRun,
                  only: set[tuple[str, str]] | None = None) -> int:
    gone = [(pk, key) for key, (pk, _h, st) in existing.items()
            if key not in seen and st == ComponentStatus.PRESENT and (only is None or key in only)]
    for i in range(0, len(gone), BATCH):
        ids = [pk for pk, _ in gone[i:i + BATCH]]
        Component.objects.filter(pk__in=ids).update(status=ComponentStatus.DELETED, changed_version=version)
    ComponentChange.objects.bulk_create(
        [ComponentChange(model=model, component_id=pk, run=run, type=key[0], full_name=key[1], kind=ChangeKind.DELETED,
                         version=version, at=timezone.now()) for pk, key in gone], batch_size=BATCH)
    return len(gone)


def _write(model: OrgModel, plan: _Plan, version: int, run: SyncRun, *, first: bool, progress: Progress | None) -> None:
    created = Component.objects.bulk_create(plan.create, batch_size=BATCH)
    kind = ChangeKind.BASELINE if first else ChangeKind.NEW
    changes = [ComponentChange(model=model, component=c, run=run, type=c.type, full_name=c.full_name, kind=kind,
                               version=version, at=c.last_modified_date or c.created_date,
                               changed_by=c.last_modified_by, new_hash=c.content_hash) for c in created]
    changes += _apply_updates(model, plan.update, version, run)
    ComponentChange.objects.bulk_create(changes, batch_size=BATCH)
    if progress:
        progress("dependencies", len(plan.parsed_for_deps))
    _write_dependencies(model, plan)


_UPDATE_FIELDS = ["full_name", "parent_type", "parent_key", "label", "namespace", "sf_id", "created_date", "created_by",
                  "last_modified_date", "last_modified_by", "definition_z", "body_z", "content_hash", "attributes",
                  "status", "changed_version", "warning"]


def _apply_updates(model: OrgModel, updates: list[tuple[int, Component]], version: int,
                   run: SyncRun) -> list[ComponentChange]:
    changes: list[ComponentChange] = []
    for i in range(0, len(updates), BATCH):
        chunk = updates[i:i + BATCH]
        olds = {c.pk: c for c in Component.objects.filter(pk__in=[pk for pk, _ in chunk]).only(
            "pk", "attributes", "content_hash", "definition_z", "status", "added_version")}
        for pk, new in chunk:
            old = olds[pk]
            new.pk, new.added_version = pk, old.added_version
            revived = old.status != ComponentStatus.PRESENT
            changes.append(ComponentChange(
                model=model, component_id=pk, run=run, type=new.type, full_name=new.full_name,
                kind=ChangeKind.NEW if revived else ChangeKind.UPDATED, version=version,
                at=new.last_modified_date, changed_by=new.last_modified_by,
                attribute_diff=attribute_diff(old.attributes, new.attributes),
                old_definition_z=old.definition_z, old_hash=old.content_hash, new_hash=new.content_hash))
        Component.objects.bulk_update([c for _, c in chunk], _UPDATE_FIELDS, batch_size=500)
    return changes


def _write_dependencies(model: OrgModel, plan: _Plan) -> None:
    ids = {(c.type, c.name_key): c.pk for c in plan.create}
    ids.update({(c.type, c.name_key): pk for pk, c in plan.update})
    Dependency.objects.filter(model=model, source_id__in=[pk for pk, _ in plan.update]).delete()
    batch: list[Dependency] = []
    # Resolves `Account__r.Name` through the lookup's referenceTo; fields not re-read this time
    # fall back to the X__r -> X__c naming rule.
    schema = SchemaIndex.from_components(pc for _, pc in plan.parsed_for_deps if pc.type == "CustomField")
    for key, pc in plan.parsed_for_deps:
        for dep in iter_dependencies(pc, schema):
            batch.append(Dependency(model=model, source_id=ids[key], target_type=dep.to_type,
                                    target_key=dep.to_name.lower(), target_name=dep.to_name[:400],
                                    where=(dep.where or "")[:300], origin="metadata"))
            if len(batch) >= BATCH:
                Dependency.objects.bulk_create(batch)
                batch = []
    Dependency.objects.bulk_create(batch)
