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

import dataclasses
import itertools
import json
import logging
import os
import pickle
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from orgbook.metadata import (
    ComponentStream,
    KnownChildren,
    ParsedComponent,
    ReadProblem,
    ReadReport,
    SchemaIndex,
    SkippedFile,
)
from orgbook.metadata.attributes import attribute_diff
from orgbook.metadata.dependencies import Dependency as MetadataDependency
from orgbook.metadata.parallel import Prepared, ReadPool, compress, split_dependencies
from orgbook.orgmodels import completeness, resolve
from orgbook.orgmodels import report as import_report
from orgbook.orgmodels.models import (
    ChangeKind,
    Component,
    ComponentChange,
    ComponentCopy,
    ComponentStatus,
    Dependency,
    OrgModel,
    SyncRun,
)
from orgbook.pathnames import hide_server_paths

log = logging.getLogger(__name__)
BATCH = 2000  # rows or ids per statement: a list of ids is never one parameter per component of a model
Progress = Callable[[str, int], None]
Edge = tuple[str, str, str]  # (to_type, to_name, where)
# A model holding fewer stored components keeps the keys read on disk (a first import):
# `report.KeptOnDisk`; one holding more has every key in memory already (`_stored`).
KEYS_ON_DISK_BELOW = 1000
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

    __slots__ = ("key", "values", "edges", "unsettled", "parsed", "attributes")

    def __init__(self, key: tuple[str, str], values: tuple[Any, ...]) -> None:
        self.key, self.values = key, values
        self.edges: list[Edge] = []
        self.unsettled: list[MetadataDependency] = []  # settled once the whole model is known (resolve.py)
        self.parsed: ParsedComponent | None = None  # kept only until its edges can be resolved
        self.attributes: dict[str, Any] | None = None  # kept only for updates (the attribute diff)


class _Created:
    """The new components' rows and edges, in reading order, pickled a thousand at a time into a
    temporary file, so memory does not grow with the org (issue 18: 100,000 and 300,000
    components, bench/README.md).

    An import of one object with 260,000 fields holds 260,000 new rows until its transaction: as
    `_Pending`s they took about 1.7 KB each (the import peaked over 500 MB); pickled chunks of rows
    took a fraction of that in memory (bench/README.md, "One very large file"), and on disk none. The file is in the data directory (private to Orgbook) and has no name:
    it is gone when the ingest ends, or its process dies.
    A pending with edges still to work out (`parsed` or `unsettled` set) is held as it is."""

    CHUNK = 1000
    # Or fewer, when they have this many edges: a profile has one per field it grants (374 in the
    # 100k org), so a thousand profiles' edges held at once (800 of them, 300,000 components) were
    # a 64 MB peak of their own.
    CHUNK_EDGES = 20_000

    def __init__(self) -> None:
        self._spool: IO[bytes] | None = None
        self._chunks: list[tuple[int, int]] = []  # (offset, length) in the spool
        self._open: list[tuple[Any, ...] | int] = []  # (key, values, edges), or an index into _held
        self._held: list[_Pending] = []
        self._count = 0
        self._open_edges = 0

    def append(self, pending: _Pending) -> None:
        # Held as it is when something is still to be worked out on it (its edges once reading ends,
        # or edges that need the whole model: `_settle`), so what is worked out stays on it.
        if pending.parsed is not None or pending.unsettled:
            self._open.append(len(self._held))
            self._held.append(pending)
        else:
            self._open.append((pending.key, pending.values, pending.edges))
            self._open_edges += len(pending.edges)
        self._count += 1
        if len(self._open) >= self.CHUNK or self._open_edges >= self.CHUNK_EDGES:
            # Not compressed again: the definitions in it are already, and the file is not memory.
            data = pickle.dumps(self._open, protocol=pickle.HIGHEST_PROTOCOL)
            if self._spool is None:
                self._spool = tempfile.TemporaryFile(dir=settings.DATA_DIR)  # noqa: SIM115 (closed by close())
            self._spool.seek(0, os.SEEK_END)
            self._chunks.append((self._spool.tell(), len(data)))
            self._spool.write(data)
            self._open, self._open_edges = [], 0

    def __len__(self) -> int:
        return self._count

    def held(self) -> list[_Pending]:
        """The pendings held as they are: those with edges still to work out."""
        return self._held

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _chunk(self, offset: int, length: int) -> list[Any]:
        assert self._spool is not None
        self._spool.seek(offset)
        # Bytes this process pickled a moment ago into its own unnamed file, never anything from outside.
        return pickle.loads(self._spool.read(length))  # type: ignore[no-any-return]  # noqa: S301

    def chunks(self) -> Iterator[list[_Pending]]:
        """The pendings in reading order, a stored chunk at a time."""
        for chunk in [*self._chunks, None]:
            items = self._open if chunk is None else self._chunk(*chunk)
            yield [self._pending(item) for item in items]

    def _pending(self, item: tuple[Any, ...] | int) -> _Pending:
        if isinstance(item, int):
            return self._held[item]
        pending = _Pending(item[0], item[1])
        pending.edges = item[2]
        return pending


@dataclass
class _Plan:
    """What this ingest will write, gathered while reading."""

    create: _Created = field(default_factory=_Created)
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
    # Components of resolve.NAMED_TYPES this reading parsed: type -> key -> (full name, attributes).
    named: dict[str, dict[str, tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    # The copy of each component kept, collisions with other copies, identical copies counted.
    copies: import_report.Copies = field(default_factory=import_report.Copies)


@dataclass
class _GrowingSchema(SchemaIndex):
    """The lookups read so far. Edges of a component that asked it anything before reading ended
    are worked out again once every lookup is known (`X__r` may be defined in a later file).

    A custom metadata type's relationship fields not re-read this time (an unchanged file) are
    read from the stored model, once per type, when a record of the type asks."""

    asked: bool = False
    model: OrgModel | None = None
    loaded: set[str] = field(default_factory=set)

    def target_of(self, obj: str, relationship: str) -> str | None:
        self.asked = True
        return super().target_of(obj, relationship)

    def relationship(self, mdt: str, fld: str) -> tuple[str, str] | None:
        self.asked = True
        found = super().relationship(mdt, fld)
        if found is None and self.model is not None and mdt.lower() not in self.loaded:
            self.loaded.add(mdt.lower())
            for key, attributes in Component.objects.filter(
                    model=self.model, type="CustomField", parent_key=mdt.lower(),
                    status=ComponentStatus.PRESENT).values_list("name_key", "attributes"):
                attrs = attributes or {}
                if attrs.get("type") == "MetadataRelationship" and attrs.get("referenceTo"):
                    short = key.rpartition(".")[2]
                    self.relationships.setdefault(
                        (mdt.lower(), short), (str(attrs["referenceTo"]), str(attrs.get("metadataRelationshipControllingField") or "")))
            found = super().relationship(mdt, fld)
        return found


_z = compress  # the stored form of a definition or body, as the reading workers make it


def _datetime(value: Any) -> Any:
    # The same conversion the ORM makes (strings parsed, aware datetimes adapted per database).
    return None if value is None else _DT_FIELD.get_db_prep_save(value, connection)


_DT_FIELD = Component._meta.get_field("created_date")


def _row(pc: ParsedComponent, key: tuple[str, str], props: dict[str, Any] | None, version: int) -> tuple[Any, ...]:
    props = props or {}
    ready: Prepared | None = pc.prepared
    if ready is not None:  # compressed and encoded by the worker process that parsed it
        definition_z, body_z, attributes = ready.definition_z, ready.body_z, ready.attributes_json
    else:
        definition_z, body_z, attributes = _z(pc.definition), _z(pc.body), json.dumps(pc.attributes)
    return (
        pc.type, pc.full_name, key[1], pc.parent_type or "", (pc.parent_name or "").lower(), (pc.label or "")[:400],
        pc.namespace or "", props.get("id", "") or "", _datetime(props.get("createdDate")),
        props.get("createdByName", "") or "", _datetime(props.get("lastModifiedDate")),
        props.get("lastModifiedByName", "") or "", definition_z, body_z, pc.content_hash,
        attributes, ComponentStatus.PRESENT.value, version, version, (pc.error or "")[:500],
        pc.file_path, pc.source_digest, pc.source_stat, pc.element_digest,
    )


def ingest(
    model: OrgModel,
    components: Iterable[ParsedComponent | ReadProblem | SkippedFile | KnownChildren],
    *,
    run: SyncRun | None = None,
    trigger: str = "import",
    file_properties: Mapping[tuple[str, str], dict[str, Any]] | None = None,
    progress: Progress | None = None,
    complete: bool = True,
    deleted: set[tuple[str, str]] | None = None,
    rule: completeness.Rule | None = None,
    problems: Sequence[ReadProblem] = (),
    read_report: ReadReport | None = None,
    left_out: Sequence[tuple[str, str]] = (),
    after_read: Callable[[], tuple[bool, set[tuple[str, str]] | None]] | None = None,
    pool: ReadPool | None = None,
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
    `read_report`: where the files went, when `components` is not one `iter_components` stream (a
    sync reads several retrieves), complete once `components` ends; `left_out`: (what, why) of
    what a sync could not get from Salesforce. Both go into the run's report.
    `after_read`: for a stream whose completeness is known only once it is read (a sync reading
    each chunk as it lands), called then; it gives `complete` and `deleted`.
    `pool`: the worker processes `components` was parsed in, for the run's record (`read_workers`:
    how many were started; `read_here`: batches a failed worker left to this process).
    """
    bare = run is None
    if run is None:
        run = SyncRun.objects.create(model=model, trigger=trigger, stage="reading")
    else:
        _stage(run, "reading", 75)
    try:
        _ingest(model, components, run, file_properties or {}, progress, complete, deleted, rule, problems,
                read_report, left_out, after_read, pool)
    except Exception as exc:
        if bare:
            run.status, run.error = SyncRun.Status.FAILED, hide_server_paths(f"{type(exc).__name__}: {exc}")[:4000]
            run.finished_at = timezone.now()
            run.save()
        raise
    if bare:
        run.status, run.stage, run.progress, run.finished_at = SyncRun.Status.SUCCEEDED, "done", 100, timezone.now()
        run.save(update_fields=["status", "stage", "progress", "finished_at"])
    return run


def read_pool() -> ReadPool:
    """The worker processes that parse a sync's, import's or upload's files (`ORGBOOK_READ_WORKERS`,
    one per core by default); started only by a reading large enough, stopped on leaving `with`."""
    return ReadPool(settings.ORGBOOK_READ_WORKERS)


def _stage(run: SyncRun, name: str, percent: int) -> None:
    """Outside the write transaction, so the page (and a test killing the worker) sees it."""
    run.stage, run.progress = name, percent
    SyncRun.objects.filter(pk=run.pk).update(stage=name, progress=percent)


def _ingest(model: OrgModel, components: Iterable[ParsedComponent | ReadProblem | SkippedFile | KnownChildren],
            run: SyncRun, props: Mapping[tuple[str, str], dict[str, Any]], progress: Progress | None, complete: bool,
            deleted: set[tuple[str, str]] | None, rule: completeness.Rule | None,
            problems: Sequence[ReadProblem], read_report: ReadReport | None = None,
            left_out: Sequence[tuple[str, str]] = (),
            after_read: Callable[[], tuple[bool, set[tuple[str, str]] | None]] | None = None,
            pool: ReadPool | None = None) -> None:
    t0 = time.perf_counter()
    existing, files = _stored(model)
    stream = components if isinstance(components, ComponentStream) else None
    if isinstance(components, ComponentStream):
        components.known = {path: (f.digest, f.stat) for path, f in files.items()}
        components.known_hashes = _StoredHashes(existing)
        components.known_keys = {path: f.keys for path, f in files.items()}
    else:
        files = {}
    version = model.version + 1
    kept = import_report.KeptOnDisk(settings.DATA_DIR) if len(existing) < KEYS_ON_DISK_BELOW else import_report.KeptInMemory()
    plan = _Plan(copies=import_report.Copies(first=kept))
    try:
        _read(plan, model, components, existing, version, props, progress, files)
        if pool is not None:
            run.stages = {**run.stages, "read_workers": pool.started, "read_here": pool.read_here}
        _check_and_write(model, plan, existing, version, run, t0, complete, deleted, rule, problems, stream,
                         read_report, left_out, after_read, progress)
    finally:
        plan.create.close()
        kept.close()


def _check_and_write(model: OrgModel, plan: _Plan, existing: dict[Any, Any],
                     version: int, run: SyncRun, t0: float, complete: bool, deleted: set[tuple[str, str]] | None,
                     rule: completeness.Rule | None, problems: Sequence[ReadProblem], stream: ComponentStream | None,
                     read_report: ReadReport | None, left_out: Sequence[tuple[str, str]],
                     after_read: Callable[[], tuple[bool, set[tuple[str, str]] | None]] | None,
                     progress: Progress | None) -> None:
    run.stages = {**run.stages, "ingest_parse": round(time.perf_counter() - t0, 3)}
    if after_read is not None:
        complete, deleted = after_read()
    for problem in problems:
        plan.refused.setdefault(problem.path, problem.message)
    read = len(plan.copies.first)
    _keep_refused(plan, existing)
    gone = _gone(existing, plan.copies.first, None if complete else (deleted or set()))
    _settle(model, plan, existing, gone)
    if rule is not None:
        present = sum(1 for e in existing.values() if e[2] == ComponentStatus.PRESENT)
        reading = completeness.Reading(read=read, removes=len(gone), present=present, refused=plan.refused)
        completeness.check(rule, reading, model.name, complete=complete)  # before the write: nothing is stored
    _stage(run, "writing", 85)
    t1 = time.perf_counter()
    with transaction.atomic():
        locked = OrgModel.objects.select_for_update().get(pk=model.pk)
        if _written_by_earlier_attempt(run):
            return
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
        if complete and _write_copies(locked, plan) and not changed_any:
            # The other copies changed while every component stayed: cached pages move on.
            OrgModel.objects.filter(pk=locked.pk).update(content_stamp=models.F("content_stamp") + 1)
        run.version = version if changed_any else model.version
        run.added, run.changed, run.removed, run.unchanged = len(plan.create), len(plan.update), removed, plan.unchanged
        run.warnings = [*run.warnings, *plan.warnings][:1000]
        files_read = stream.report if stream is not None else read_report
        run.report = import_report.build(files_read, plan.copies, left_out, plan.refused)
        if files_read is not None and files_read.project:
            locked.project = files_read.project
            locked.save(update_fields=["project"])
        run.stages["ingest_write"] = round(time.perf_counter() - t1, 3)
        run.stage, run.progress = "written", 90
        # In the transaction: a run has a version exactly when its version is committed.
        run.save(update_fields=["version", "added", "changed", "removed", "unchanged", "warnings", "stages",
                                "stage", "progress", "report"])
    model.refresh_from_db()


def _written_by_earlier_attempt(run: SyncRun) -> bool:
    """This run's version was committed while this attempt read: by an earlier attempt of the same
    run that was still writing when its lease lapsed and this one took the run over. That version
    is this run's; writing it again would fail ("another sync finished first") and the run would
    never get its steps after the commit (Salesforce's dependency rows). Checked under the model's
    lock, so the other attempt's commit is either seen here or comes after ours."""
    if run.pk is None or not SyncRun.objects.filter(pk=run.pk, version__isnull=False).exists():
        return False
    run.refresh_from_db()
    log.info("run %s was written by an earlier attempt meanwhile; this attempt goes on to its next steps", run.pk)
    return True


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


def _skip(plan: _Plan, skipped: SkippedFile, known: _File,
          existing: dict[tuple[str, str], _Existing]) -> None:
    """An unchanged file: its stored components stay as they are."""
    if skipped.stat != known.stat:  # same bytes, new signature (a fresh checkout): remember it
        plan.relocated.append((known.holder, skipped.path, skipped.digest, "", skipped.stat))
    for key in known.keys:
        if _first_copy(plan, key[0], key[1], key, skipped.path, existing[key][1]):
            plan.unchanged += 1


def _known_children(plan: _Plan, existing: dict[Any, Any], batch: KnownChildren) -> None:
    """Unchanged children of a re-read file: what the loop in `_read` does for a component whose
    stored hash is the same, without a `ParsedComponent` per child."""
    path = batch.path
    for type_, full_name, content_hash, element_digest in batch.children:
        key = (type_, full_name.lower())
        if not _first_copy(plan, type_, full_name, key, path, content_hash):
            continue
        old = existing[key]
        if old[1] != content_hash or old[2] != ComponentStatus.PRESENT:  # the reader only leaves out what we have
            raise RuntimeError(f"{type_} {full_name} was read as unchanged but its stored hash differs")
        plan.unchanged += 1
        if old[3:] != (path, "", element_digest, ""):
            plan.relocated.append((old[0], path, "", element_digest, ""))


def _read(plan: _Plan, model: OrgModel,
          components: Iterable[ParsedComponent | ReadProblem | SkippedFile | KnownChildren],
          existing: dict[Any, Any], version: int, props: Mapping[tuple[str, str], dict[str, Any]],
          progress: Progress | None, files: dict[str, _File],
          ) -> None:
    # The keys read so far are those of `plan.copies.first` (the copy kept of each): no second set
    # of every key (memory that grows with the org).
    # Resolves `Account__r.Name` through the lookup's referenceTo; fields not re-read this time
    # fall back to the X__r -> X__c naming rule.
    schema = _GrowingSchema(model=model)
    later: list[_Pending] = []
    for n, pc in enumerate(components, 1):
        if isinstance(pc, ReadProblem):
            plan.warnings.append({"path": pc.path, "message": pc.message})
            plan.refused.setdefault(pc.path, pc.message)
            continue
        if isinstance(pc, SkippedFile):
            _skip(plan, pc, files[pc.path], existing)
            continue
        if isinstance(pc, KnownChildren):
            _known_children(plan, existing, pc)
            continue
        key = (sys.intern(pc.type), pc.full_name.lower())  # one string per type, not one per component
        if not _first_copy(plan, pc.type, pc.full_name, key, pc.file_path, pc.content_hash, pc):
            continue
        old = existing.get(key)
        if pc.error:  # the reader refused the file and kept the component without its content
            plan.warnings.append({"path": pc.file_path, "message": pc.error})
            plan.refused.setdefault(pc.file_path, pc.error)
            if old is not None:  # a refused file is no reading of it: the stored version stays as it is
                if old[2] == ComponentStatus.PRESENT:
                    plan.unchanged += 1
                continue
        if old is not None and old[1] == pc.content_hash and old[2] == ComponentStatus.PRESENT:
            plan.unchanged += 1
            if old[3:] != (pc.file_path, pc.source_digest, pc.element_digest, pc.source_stat):
                plan.relocated.append((old[0], pc.file_path, pc.source_digest, pc.element_digest, pc.source_stat))
            continue
        if pc.unchanged:  # the reader only leaves out what we said we have
            raise RuntimeError(f"{pc.type} {pc.full_name} was read as unchanged but its stored hash differs")
        pending = _Pending(key, _row(pc, key, props.get(key), version))
        if pc.type == "CustomField":
            schema.add(pc)
        if pc.type in resolve.NAMED_TYPES:
            plan.named.setdefault(pc.type, {})[key[1]] = (pc.full_name, pc.attributes)
        ready: Prepared | None = pc.prepared
        if ready is not None and not ready.asks:  # worked out by the worker that parsed it
            pending.edges, pending.unsettled = ready.edges, ready.unsettled
        elif ready is not None:  # it asked where lookups lead: once every lookup is read (parsed again then)
            # Held without its definition and body until then: `pending.values` has them compressed.
            pending.parsed = _slim(pc)
            later.append(pending)
        else:
            schema.asked = False
            pending.edges, pending.unsettled = _edges(pc, schema)
            if schema.asked:
                pending.parsed = pc
                later.append(pending)
        if old is None:
            plan.create.append(pending)
        else:
            pending.attributes = pc.attributes
            plan.update.append((old[0], pending))
        if progress and n % 5000 == 0:
            progress("parsing", n)
    for pending in later:
        assert pending.parsed is not None
        (pending.edges, pending.unsettled), pending.parsed = _edges(_whole(pending), schema), None


_DEFINITION_Z, _BODY_Z = _COLUMNS.index("definition_z"), _COLUMNS.index("body_z")


def _slim(pc: ParsedComponent) -> ParsedComponent:
    """A worker's component as `_read` holds it until its edges can be worked out."""
    return dataclasses.replace(pc, definition=b"", body=None, prepared=None, element=None)


def _whole(pending: _Pending) -> ParsedComponent:
    """`pending.parsed` with the definition and body `_slim` left out, from the stored row."""
    pc = pending.parsed
    assert pc is not None
    if pc.definition or pc.element is not None:  # parsed here: held as it was
        return pc
    definition, body = pending.values[_DEFINITION_Z], pending.values[_BODY_Z]
    return dataclasses.replace(pc, definition=zlib.decompress(definition) if definition is not None else b"",
                               body=zlib.decompress(body) if body is not None else None)


def _keep_refused(plan: _Plan, existing: dict[Any, Any]) -> None:
    """The stored components read from a refused file stay as they are, not removed: the fields
    of an object file that is refused now were read from it last time, and nothing read this
    time says they are gone. (Its own component was left untouched in `_read`.)"""
    if not plan.refused:
        return
    present = ComponentStatus.PRESENT
    for key, e in existing.items():
        if e[3] in plan.refused and e[2] == present and plan.copies.kept(key, e[3], e[1]):
            plan.unchanged += 1


def _first_copy(plan: _Plan, type_: str, full_name: str, key: tuple[str, str],
                path: str, content_hash: str, parsed: ParsedComponent | None = None) -> bool:
    """Whether this is the first copy of `key` read, which the model holds. A later copy's file is
    never skipped on a re-import (`duplicate_paths`), so the rule and its report hold every time:
    an identical copy is counted, a different one is a collision, reported with both paths and
    warned about, and its content kept beside the component (`parsed`, when it was read). An object
    folder without its file in two package directories (`synthetic`) is no copy of a file."""
    if plan.copies.kept(key, path, content_hash):
        return True
    plan.duplicate_paths.add(path)
    if parsed is None or not parsed.synthetic:
        message = plan.copies.again(type_, full_name, key, path, content_hash, parsed)
        if message is not None:
            plan.warnings.append({"path": path, "message": message})
    return False


def _edges(pc: ParsedComponent, schema: SchemaIndex) -> tuple[list[Edge], list[MetadataDependency]]:
    return split_dependencies(pc, schema)


def _settle(model: OrgModel, plan: _Plan, existing: dict[Any, Any],
            gone: list[tuple[int, Any]]) -> None:
    """Edges that needed the whole model (resolve.py); the model is read only when some component has one."""
    # Only the held pendings of `create` can have any (`_Created.append`): the rest stay on disk.
    pendings = [p for p in itertools.chain(plan.create.held(), (p for _, p in plan.update)) if p.unsettled]
    if not pendings:
        return
    present = resolve.presence(model, plan.copies.first, existing, gone, plan.named)
    for p in pendings:
        for d in p.unsettled:
            p.edges.extend(e for e in resolve.settle(d, present) if e not in p.edges)
        p.unsettled = []


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
            # psycopg's own cursor, under Django's error wrapper: a connection cut mid-COPY must raise
            # Django's OperationalError, which the task retries, not psycopg's, which it took for a
            # bug (the sync failed for good, issue 19 item 14); the wrapper also marks the connection
            # unusable, so it is closed instead of reused.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
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


def _gone(existing: dict[Any, Any], seen: import_report.Kept, only: set[tuple[str, str]] | None) -> list[tuple[int, Any]]:
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
    _write_created(model, plan.create, version, run, (ChangeKind.BASELINE if first else ChangeKind.NEW).value)
    _apply_updates(model, plan.update, version, run)
    if progress:
        progress("dependencies", len(plan.create) + len(plan.update))
    _write_dependencies(model, plan)


def _write_created(model: OrgModel, created: _Created, version: int, run: SyncRun, kind: str) -> None:
    """The new components, a stored chunk at a time: each gets its id here (`_ids`), so its history
    rows and edges are written with it, in one pass over the spool and no map of every new id
    (at 300,000 components that map and the query filling it were the write's largest memory)."""
    ids = _ids(Component)
    for chunk in created.chunks():
        paired = list(zip(ids(len(chunk)), chunk, strict=True))
        _insert(Component, ["id", "model", *_COLUMNS], ((pk, model.pk, *p.values) for pk, p in paired))
        _insert(ComponentChange, _CHANGE_COLUMNS,
                ((model.pk, pk, run.pk, p.key[0], v[_FULL_NAME], kind, version, v[_MODIFIED] or v[_CREATED],
                  v[_MODIFIED_BY], "{}", None, "", v[_HASH]) for pk, p in paired for v in (p.values,)))
        _insert(Dependency, _DEPENDENCY_COLUMNS, _edge_rows(model, paired))


def _ids(table: type[models.Model]) -> Callable[[int], list[int]]:
    """Ids for new rows of `table`, `n` at a time, as the database would give them. PostgreSQL: from
    the column's own sequence. SQLite: after the largest ever given (AUTOINCREMENT's own record
    included), which no other writer can take meanwhile: the ingest's transaction holds the write
    lock from its start (IMMEDIATE)."""
    qn = connection.ops.quote_name
    name = table._meta.db_table
    if connection.vendor == "postgresql":
        def take(n: int) -> list[int]:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [qn(name), n])
                return [row[0] for row in cursor.fetchall()]
        return take
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {qn(name)}")  # noqa: S608 (the model's table name)
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
        row = cursor.fetchone()
    after = [max(largest, row[0] if row else 0)]

    def following(n: int) -> list[int]:
        start = after[0] + 1
        after[0] += n
        return list(range(start, start + n))
    return following


def _edge_rows(model: OrgModel, pendings: Iterable[tuple[int, _Pending]]) -> Iterator[tuple[Any, ...]]:
    return ((model.pk, pk, to_type, to_name.lower(), to_name[:400], where[:300], "metadata")
            for pk, p in pendings for to_type, to_name, where in p.edges)


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


def _write_copies(model: OrgModel, plan: _Plan) -> bool:
    """The other copies of this reading's collisions replace the model's stored ones (a reading
    that read every file: an import). Returns whether they changed."""
    wanted: dict[tuple[int, str], import_report.Other] = {}
    by_type: dict[str, list[import_report.Other]] = {}
    for other in plan.copies.others:
        by_type.setdefault(other.key[0], []).append(other)
    for type_, others in by_type.items():
        keys = sorted({o.key[1] for o in others})
        pks: dict[str, int] = {}
        for i in range(0, len(keys), BATCH):
            pks.update(Component.objects.filter(model=model, type=type_, name_key__in=keys[i:i + BATCH]).values_list(
                "name_key", "pk"))
        for o in others:
            if o.key[1] in pks:
                wanted.setdefault((pks[o.key[1]], o.path), o)
    stored = set(ComponentCopy.objects.filter(model=model).values_list("component_id", "source_path", "content_hash"))
    if stored == {(pk, path, o.content_hash) for (pk, path), o in wanted.items()}:
        return False
    ComponentCopy.objects.filter(model=model).delete()
    ComponentCopy.objects.bulk_create(
        [ComponentCopy(model=model, component_id=pk, source_path=path, package_dir=o.package_dir[:400],
                       content_hash=o.content_hash, label=o.label, definition_z=zlib.compress(o.definition, 1),
                       body_z=_z(o.body)) for (pk, path), o in wanted.items()], batch_size=500)
    return True


def _write_dependencies(model: OrgModel, plan: _Plan) -> None:
    """The changed components' edges (the new ones' are written with them, `_write_created`)."""
    stale = [pk for pk, _ in plan.update]
    for i in range(0, len(stale), BATCH):
        Dependency.objects.filter(model=model, source_id__in=stale[i:i + BATCH]).delete()
    _insert(Dependency, _DEPENDENCY_COLUMNS, _edge_rows(model, plan.update))
