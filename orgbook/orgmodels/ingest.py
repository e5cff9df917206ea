"""The ingest engine: parsed components in, one atomic new version of an org model out.

Used by `orgbook import`, the upload page and (through the sync) connected orgs. Readers see the
previous version until the transaction commits; a failed ingest leaves the model as it was.
Only new and changed components are written, so a re-ingest where nothing changed writes
nothing but its run record.

Speed and memory (bench/README.md has the figures): reading keeps one compact row per new or
changed component (compressed XML, attributes as JSON text, its dependency edges), never the
parsed components themselves, so memory stays well under 1 GiB at 100,000 components; the
transaction is opened only once everything is read, so SQLite's write lock is held for the
writes alone. Rows go in with COPY (PostgreSQL) or executemany (SQLite) inside that one
transaction: Django's bulk_create spent most of an ingest building and compiling model
instances.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from orgbook.metadata import (
    ComponentStream,
    KnownChildren,
    ParsedComponent,
    ReadProblem,
    SchemaIndex,
    SkippedFile,
    iter_dependencies,
)
from orgbook.orgmodels import completeness
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
BATCH = 2000  # rows or ids per statement: a list of ids is never one parameter per component of a model
Progress = Callable[[str, int], None]
Edge = tuple[str, str, str]  # (to_type, to_name, where)
# A stored component as the ingest compares it: pk, content hash, status, source path, source
# digest, element digest, source signature.
_Existing = tuple[int, str, str, str, str, str, str]

# Component columns in the order `_row` builds them; `model` is added when writing.
_COLUMNS = ["type", "full_name", "name_key", "parent_type", "parent_key", "label", "namespace", "sf_id",
            "created_date", "created_by", "last_modified_date", "last_modified_by", "definition_z", "body_z",
            "content_hash", "attributes", "status", "added_version", "changed_version", "warning", "source_path",
            "source_digest", "source_stat", "element_digest"]
_UPDATE_FIELDS = ["full_name", "parent_type", "parent_key", "label", "namespace", "sf_id", "created_date", "created_by",
                  "last_modified_date", "last_modified_by", "definition_z", "body_z", "content_hash", "attributes",
                  "status", "changed_version", "warning", "source_path", "source_digest", "source_stat",
                  "element_digest"]
_UPDATE_INDEX = [_COLUMNS.index(f) for f in _UPDATE_FIELDS]
_CREATED, _CREATED_BY = _COLUMNS.index("created_date"), _COLUMNS.index("created_by")
_MODIFIED, _MODIFIED_BY = _COLUMNS.index("last_modified_date"), _COLUMNS.index("last_modified_by")
_FULL_NAME, _HASH = _COLUMNS.index("full_name"), _COLUMNS.index("content_hash")
_CHANGE_COLUMNS = ["model", "component", "run", "type", "full_name", "kind", "version", "at", "changed_by",
                   "attribute_diff", "old_definition_z", "old_hash", "new_hash"]
_DEPENDENCY_COLUMNS = ["model", "source", "target_type", "target_key", "target_name", "where", "origin"]


class _Pending:
    """One component to write, kept small: its row values and dependency edges, not the parsed component."""

    __slots__ = ("key", "values", "edges", "parsed", "attributes")

    def __init__(self, key: tuple[str, str], values: tuple[Any, ...]) -> None:
        self.key, self.values = key, values
        self.edges: list[Edge] = []
        self.parsed: ParsedComponent | None = None  # kept only until its edges can be resolved
        self.attributes: dict[str, Any] | None = None  # kept only for updates (the attribute diff)


@dataclass
class _Plan:
    """What this ingest will write, gathered while reading."""

    create: list[_Pending] = field(default_factory=list)
    update: list[tuple[int, _Pending]] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[dict[str, str]] = field(default_factory=list)
    # Unchanged components read from another file, or with other digests: (pk, path, digest, element, stat),
    # written without a history row (a file moved between formats, the first import after an upgrade).
    relocated: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    # Files that gave a component some earlier file already gave: never skipped, so the
    # "appears twice" warning and the first-one-wins rule hold on every re-import.
    duplicate_paths: set[str] = field(default_factory=set)
    # Files the readers refused (unsafe, malformed, too large): path -> reason. A reading with
    # any is not complete (orgmodels/completeness.py).
    refused: dict[str, str] = field(default_factory=dict)


class _GrowingSchema(SchemaIndex):
    """The lookups read so far. Edges of a component that asked it anything before reading ended
    are worked out again once every lookup is known (`X__r` may be defined in a later file)."""

    asked: bool = False

    def target_of(self, obj: str, relationship: str) -> str:
        self.asked = True
        return super().target_of(obj, relationship)


def _z(data: bytes | None) -> bytes | None:
    return zlib.compress(data, 1) if data is not None else None


def _datetime(value: Any) -> Any:
    # The same conversion the ORM makes (strings parsed, aware datetimes adapted per database).
    return None if value is None else _DT_FIELD.get_db_prep_save(value, connection)


_DT_FIELD = Component._meta.get_field("created_date")


def _row(pc: ParsedComponent, key: tuple[str, str], props: dict[str, Any] | None, version: int) -> tuple[Any, ...]:
    props = props or {}
    return (
        pc.type, pc.full_name, key[1], pc.parent_type or "", (pc.parent_name or "").lower(), (pc.label or "")[:400],
        pc.namespace or "", props.get("id", "") or "", _datetime(props.get("createdDate")),
        props.get("createdByName", "") or "", _datetime(props.get("lastModifiedDate")),
        props.get("lastModifiedByName", "") or "", _z(pc.definition), _z(pc.body), pc.content_hash,
        json.dumps(pc.attributes), ComponentStatus.PRESENT.value, version, version, (pc.error or "")[:500],
        pc.file_path, pc.source_digest, pc.source_stat, pc.element_digest,
    )


def attribute_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Which attributes changed: {name: [before, after]} (a picklist value added, a formula rewritten)."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def ingest(
    model: OrgModel,
    components: Iterable[ParsedComponent | ReadProblem | SkippedFile | KnownChildren],
    *,
    run: SyncRun | None = None,
    trigger: str = "import",
    file_properties: dict[tuple[str, str], dict[str, Any]] | None = None,
    progress: Progress | None = None,
    complete: bool = True,
    deleted: set[tuple[str, str]] | None = None,
    rule: completeness.Rule | None = None,
    problems: Sequence[ReadProblem] = (),
) -> SyncRun:
    """Write one new version of `model` into `run`, the one record of the sync, upload or import.

    The run's counts and version are saved in the transaction that writes the version, so a run
    with a version is committed whatever happens next; its status stays "running" for the caller
    to finish (runs/after.py). Without `run` (tests, benchmarks) the ingest is a run of its own,
    opened and closed here.

    `complete=True`: components absent from `components` were deleted. An incremental sync passes
    `complete=False` and the keys it knows were deleted (listed no more) in `deleted`.
    When `components` is the stream `iter_components` returns, it is told the digest each file's
    components were stored with, and files whose digest is unchanged are skipped unparsed.

    `rule`: the completeness rule the reading must pass before anything is written (imports and
    syncs pass theirs; None, for tests and benchmarks, checks nothing). `problems`: what the
    reader reported to its `on_problem` while `components` was read, filled in as it is read.
    """
    bare = run is None
    if run is None:
        run = SyncRun.objects.create(model=model, trigger=trigger, stage="reading")
    else:
        _stage(run, "reading", 75)
    try:
        _ingest(model, components, run, file_properties or {}, progress, complete, deleted, rule, problems)
    except Exception as exc:
        if bare:
            run.status, run.error = SyncRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:4000]
            run.finished_at = timezone.now()
            run.save()
        raise
    if bare:
        run.status, run.stage, run.progress, run.finished_at = SyncRun.Status.SUCCEEDED, "done", 100, timezone.now()
        run.save(update_fields=["status", "stage", "progress", "finished_at"])
    return run


def _stage(run: SyncRun, name: str, percent: int) -> None:
    """Outside the write transaction, so the page (and a test killing the worker) sees it."""
    run.stage, run.progress = name, percent
    SyncRun.objects.filter(pk=run.pk).update(stage=name, progress=percent)


def _ingest(model: OrgModel, components: Iterable[ParsedComponent | ReadProblem | SkippedFile | KnownChildren],
            run: SyncRun, props: dict[tuple[str, str], dict[str, Any]], progress: Progress | None, complete: bool,
            deleted: set[tuple[str, str]] | None, rule: completeness.Rule | None,
            problems: Sequence[ReadProblem]) -> None:
    t0 = time.perf_counter()
    existing, files = _stored(model)
    if isinstance(components, ComponentStream):
        components.known = {path: (f.digest, f.stat) for path, f in files.items()}
        components.known_hashes = _StoredHashes(existing)
    else:
        files = {}
    version = model.version + 1
    plan, seen = _read(model, components, existing, version, props, progress, files)
    run.stages = {**run.stages, "ingest_parse": round(time.perf_counter() - t0, 3)}
    gone = _gone(existing, seen, None if complete else (deleted or set()))
    if rule is not None:
        for problem in problems:
            plan.refused.setdefault(problem.path, problem.message)
        present = sum(1 for e in existing.values() if e[2] == ComponentStatus.PRESENT)
        reading = completeness.Reading(read=len(seen), removes=len(gone), present=present, refused=plan.refused)
        completeness.check(rule, reading, model.name, complete=complete)  # before the write: nothing is stored
    _stage(run, "writing", 85)
    t1 = time.perf_counter()
    with transaction.atomic():
        locked = OrgModel.objects.select_for_update().get(pk=model.pk)
        if locked.version != model.version:
            raise RuntimeError("Another sync of this org model finished first; run this one again.")
        removed = _mark_deleted(locked, gone, version, run)
        _write(locked, plan, version, run, first=model.version == 0, progress=progress)
        _write_sources(locked, plan)
        changed_any = bool(plan.create or plan.update or removed)
        if changed_any:
            locked.version = version
        locked.last_synced_at = timezone.now()
        locked.save(update_fields=["version", "last_synced_at"])
        run.version = version if changed_any else model.version
        run.added, run.changed, run.removed, run.unchanged = len(plan.create), len(plan.update), removed, plan.unchanged
        run.warnings = [*run.warnings, *plan.warnings][:1000]
        run.stages["ingest_write"] = round(time.perf_counter() - t1, 3)
        run.stage, run.progress = "written", 90
        # In the transaction: a run has a version exactly when its version is committed.
        run.save(update_fields=["version", "added", "changed", "removed", "unchanged", "warnings", "stages",
                                "stage", "progress"])
    model.refresh_from_db()


@dataclass
class _File:
    """A file the model's present components were read from, and the component holding its digests."""

    digest: str = ""
    stat: str = ""
    holder: int = 0
    keys: list[tuple[str, str]] = field(default_factory=list)
    holders: int = 0


def _stored(model: OrgModel) -> tuple[dict[tuple[str, str], _Existing], dict[str, _File]]:
    """Every stored component of the model as `_read` compares it, and path -> _File for files
    with exactly one present component holding a digest (children split out of a file hold
    none; a file made un-skippable has none left).

    One plain cursor read (at 100,000 components Django's row iteration cost as much as the
    query), the files gathered in the same pass."""
    qs = Component.objects.filter(model=model).values_list(
        "pk", "content_hash", "status", "source_path", "source_digest", "element_digest", "source_stat",
        "type", "name_key")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    existing: dict[tuple[str, str], _Existing] = {}
    files: dict[str, _File] = {}
    present = ComponentStatus.PRESENT.value
    for row in rows:
        key = (row[7], row[8])
        existing[key] = row[:7]
        pk, _h, status, path, digest, _e, stat = row[:7]
        if status != present or not path:
            continue
        f = files.get(path)
        if f is None:
            f = files[path] = _File()
        f.keys.append(key)
        if digest:
            f.digest, f.stat, f.holder, f.holders = digest, stat, pk, f.holders + 1
    return existing, {path: f for path, f in files.items() if f.holders == 1}


class _StoredHashes(Mapping[tuple[str, str], tuple[str, str]]):
    """(type, name key) -> (content hash, element digest) of the present stored components: what
    the reader compares a re-read file's components with, looked up in `existing` on demand
    (it asks for the few components of changed files, not for all 100,000)."""

    def __init__(self, existing: dict[tuple[str, str], _Existing]) -> None:
        self._existing = existing

    def __getitem__(self, key: tuple[str, str]) -> tuple[str, str]:
        e = self._existing[key]
        if e[2] != ComponentStatus.PRESENT:
            raise KeyError(key)
        return e[1], e[5]

    def get(self, key: tuple[str, str], default: Any = None) -> Any:
        e = self._existing.get(key)
        return (e[1], e[5]) if e is not None and e[2] == ComponentStatus.PRESENT else default

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return (k for k, e in self._existing.items() if e[2] == ComponentStatus.PRESENT)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _skip(plan: _Plan, seen: set[tuple[str, str]], skipped: SkippedFile, known: _File) -> None:
    """An unchanged file: its stored components stay as they are."""
    if skipped.stat != known.stat:  # same bytes, new signature (a fresh checkout): remember it
        plan.relocated.append((known.holder, skipped.path, skipped.digest, "", skipped.stat))
    for key in known.keys:
        if key in seen:
            plan.duplicate_paths.add(skipped.path)
            plan.warnings.append({"path": skipped.path, "message": f"{key[0]} {key[1]} appears twice; kept the first"})
            continue
        seen.add(key)
        plan.unchanged += 1


def _known_children(plan: _Plan, seen: set[tuple[str, str]], existing: dict[Any, Any], batch: KnownChildren) -> None:
    """Unchanged children of a re-read file: what the loop in `_read` does for a component whose
    stored hash is the same, without a `ParsedComponent` per child."""
    path = batch.path
    for type_, full_name, content_hash, element_digest in batch.children:
        key = (type_, full_name.lower())
        if key in seen:
            plan.duplicate_paths.add(path)
            plan.warnings.append({"path": path, "message": f"{type_} {full_name} appears twice; kept the first"})
            continue
        seen.add(key)
        old = existing[key]
        if old[1] != content_hash or old[2] != ComponentStatus.PRESENT:  # the reader only leaves out what we have
            raise RuntimeError(f"{type_} {full_name} was read as unchanged but its stored hash differs")
        plan.unchanged += 1
        if old[3:] != (path, "", element_digest, ""):
            plan.relocated.append((old[0], path, "", element_digest, ""))


def _read(model: OrgModel, components: Iterable[ParsedComponent | ReadProblem | SkippedFile | KnownChildren],
          existing: dict[Any, Any], version: int, props: dict[tuple[str, str], dict[str, Any]],
          progress: Progress | None, files: dict[str, _File],
          ) -> tuple[_Plan, set[tuple[str, str]]]:
    plan, seen = _Plan(), set[tuple[str, str]]()
    # Resolves `Account__r.Name` through the lookup's referenceTo; fields not re-read this time
    # fall back to the X__r -> X__c naming rule.
    schema = _GrowingSchema()
    later: list[_Pending] = []
    for n, pc in enumerate(components, 1):
        if isinstance(pc, ReadProblem):
            plan.warnings.append({"path": pc.path, "message": pc.message})
            plan.refused.setdefault(pc.path, pc.message)
            continue
        if isinstance(pc, SkippedFile):
            _skip(plan, seen, pc, files[pc.path])
            continue
        if isinstance(pc, KnownChildren):
            _known_children(plan, seen, existing, pc)
            continue
        key = (pc.type, pc.full_name.lower())
        if key in seen:
            plan.duplicate_paths.add(pc.file_path)
            plan.warnings.append({"path": pc.file_path, "message": f"{pc.type} {pc.full_name} appears twice; kept the first"})
            continue
        seen.add(key)
        if pc.error:  # the reader refused the file and kept the component without its content
            plan.warnings.append({"path": pc.file_path, "message": pc.error})
            plan.refused.setdefault(pc.file_path, pc.error)
        old = existing.get(key)
        if old is not None and old[1] == pc.content_hash and old[2] == ComponentStatus.PRESENT:
            plan.unchanged += 1
            if old[3:] != (pc.file_path, pc.source_digest, pc.element_digest, pc.source_stat):
                plan.relocated.append((old[0], pc.file_path, pc.source_digest, pc.element_digest, pc.source_stat))
            continue
        if pc.unchanged:  # the reader only leaves out what we said we have
            raise RuntimeError(f"{pc.type} {pc.full_name} was read as unchanged but its stored hash differs")
        pending = _Pending(key, _row(pc, key, props.get(key), version))
        if old is None:
            plan.create.append(pending)
        else:
            pending.attributes = pc.attributes
            plan.update.append((old[0], pending))
        if pc.type == "CustomField":
            schema.add(pc)
        schema.asked = False
        pending.edges = _edges(pc, schema)
        if schema.asked:
            pending.parsed = pc
            later.append(pending)
        if progress and n % 5000 == 0:
            progress("parsing", n)
    for pending in later:
        assert pending.parsed is not None
        pending.edges, pending.parsed = _edges(pending.parsed, schema), None
    return plan, seen


def _edges(pc: ParsedComponent, schema: SchemaIndex) -> list[Edge]:
    return [(d.to_type, d.to_name, d.where or "") for d in iter_dependencies(pc, schema)]


# --- writing: raw bulk statements inside the ingest's transaction --------------------------------------


def _column(model: type[models.Model], name: str) -> str:
    f = model._meta.get_field(name)
    assert isinstance(f, models.Field)
    return str(connection.ops.quote_name(str(f.column)))


def _columns(model: type[models.Model], names: Sequence[str]) -> str:
    return ", ".join(_column(model, n) for n in names)


def _insert(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table, cols = connection.ops.quote_name(model._meta.db_table), _columns(model, names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Identifiers come from the model's metadata; every value is a parameter.
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        for chunk in _chunks(rows, BATCH):
            cursor.executemany(sql, chunk)


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _gone(existing: dict[Any, Any], seen: set[Any], only: set[tuple[str, str]] | None) -> list[tuple[int, Any]]:
    """(pk, key) of the present components this reading deletes: those not read (a complete
    reading) or, for an incremental sync, those in `only` that were not read again."""
    return [(e[0], key) for key, e in existing.items()
            if key not in seen and e[2] == ComponentStatus.PRESENT and (only is None or key in only)]


def _mark_deleted(model: OrgModel, gone: list[tuple[int, Any]], version: int, run: SyncRun) -> int:
    # In batches of BATCH ids, well under SQLite's 32,766 and PostgreSQL's 65,535 parameters: one
    # IN list of every deleted id failed at about 260,000 components (issue 19).
    names: dict[int, str] = {}  # the change row carries the name as Salesforce spells it, not the key
    for i in range(0, len(gone), BATCH):
        ids = [pk for pk, _ in gone[i:i + BATCH]]
        names.update(Component.objects.filter(pk__in=ids).values_list("pk", "full_name"))
        Component.objects.filter(pk__in=ids).update(status=ComponentStatus.DELETED, changed_version=version)
    now = _datetime(timezone.now())
    _insert(ComponentChange, _CHANGE_COLUMNS,
            ((model.pk, pk, run.pk, key[0], names.get(pk, key[1]), ChangeKind.DELETED.value, version, now, "", "{}",
              None, "", "")
             for pk, key in gone))
    return len(gone)


def _write(model: OrgModel, plan: _Plan, version: int, run: SyncRun, *, first: bool, progress: Progress | None) -> None:
    ids: dict[tuple[str, str], int] = {}
    if plan.create:  # (a scan of the model's rows: not for a re-sync that added nothing)
        _insert(Component, ["model", *_COLUMNS], ((model.pk, *p.values) for p in plan.create))
        ids = {(t, k): pk for t, k, pk in Component.objects.filter(model=model, added_version=version).values_list(
            "type", "name_key", "pk")}
    kind = (ChangeKind.BASELINE if first else ChangeKind.NEW).value
    _insert(ComponentChange, _CHANGE_COLUMNS,
            ((model.pk, ids[p.key], run.pk, p.key[0], v[_FULL_NAME], kind, version, v[_MODIFIED] or v[_CREATED],
              v[_MODIFIED_BY], "{}", None, "", v[_HASH]) for p in plan.create for v in (p.values,)))
    _apply_updates(model, plan.update, version, run)
    ids.update({p.key: pk for pk, p in plan.update})
    if progress:
        progress("dependencies", len(plan.create) + len(plan.update))
    _write_dependencies(model, plan, ids)


def _apply_updates(model: OrgModel, updates: list[tuple[int, _Pending]], version: int, run: SyncRun) -> None:
    qn = connection.ops.quote_name
    sets = ", ".join(f"{_column(Component, f)} = %s" for f in _UPDATE_FIELDS)
    sql = f"UPDATE {qn(Component._meta.db_table)} SET {sets} WHERE {qn('id')} = %s"  # noqa: S608
    for i in range(0, len(updates), BATCH):
        chunk = updates[i:i + BATCH]
        olds = {pk: rest for pk, *rest in Component.objects.filter(pk__in=[pk for pk, _ in chunk]).values_list(
            "pk", "attributes", "content_hash", "definition_z", "status")}
        changes = []
        for pk, new in chunk:
            attributes, old_hash, old_definition, status = olds[pk]
            v = new.values
            revived = status != ComponentStatus.PRESENT
            changes.append((
                model.pk, pk, run.pk, new.key[0], v[_FULL_NAME],
                (ChangeKind.NEW if revived else ChangeKind.UPDATED).value, version, v[_MODIFIED], v[_MODIFIED_BY],
                json.dumps(attribute_diff(attributes, new.attributes or {})),
                bytes(old_definition) if old_definition is not None else None, old_hash, v[_HASH]))
            new.attributes = None
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[*(new.values[j] for j in _UPDATE_INDEX), pk] for pk, new in chunk])
        _insert(ComponentChange, _CHANGE_COLUMNS, changes)


def _write_sources(model: OrgModel, plan: _Plan) -> None:
    """Where unchanged components were read from; then un-skippable files lose their digest."""
    qn = connection.ops.quote_name
    table, path, digest = qn(Component._meta.db_table), _column(Component, "source_path"), _column(Component, "source_digest")
    element, stat = _column(Component, "element_digest"), _column(Component, "source_stat")
    with connection.cursor() as cursor:
        if plan.relocated:
            sql = (f"UPDATE {table} SET {path} = %s, {digest} = %s, {element} = %s, {stat} = %s "  # noqa: S608
                   f"WHERE {qn('id')} = %s")
            for chunk in _chunks(((p, d, e, s, pk) for pk, p, d, e, s in plan.relocated), BATCH):
                cursor.executemany(sql, chunk)
        if plan.duplicate_paths:
            sql = (f"UPDATE {table} SET {digest} = '', {stat} = '' "  # noqa: S608
                   f"WHERE {_column(Component, 'model')} = %s AND {path} = %s")
            cursor.executemany(sql, [(model.pk, p) for p in sorted(plan.duplicate_paths)])


def _write_dependencies(model: OrgModel, plan: _Plan, ids: dict[tuple[str, str], int]) -> None:
    stale = [pk for pk, _ in plan.update]
    for i in range(0, len(stale), BATCH):
        Dependency.objects.filter(model=model, source_id__in=stale[i:i + BATCH]).delete()
    pendings = [*plan.create, *(p for _, p in plan.update)]
    _insert(Dependency, _DEPENDENCY_COLUMNS,
            ((model.pk, ids[p.key], to_type, to_name.lower(), to_name[:400], where[:300], "metadata")
             for p in pendings for to_type, to_name, where in p.edges))
