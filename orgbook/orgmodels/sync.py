"""Syncing a connected org into its org model over the Metadata API.

Stages: describe -> list (three queries a call; reports, dashboards and email templates with
SOQL, see `_list_foldered`) -> plan (what changed since the last sync) ->
retrieve in chunks (each under the 10,000-file limit, split again if Salesforce still says too
large), streamed to disk in a work folder -> read every zip -> one atomic ingest.

A sync killed mid-way leaves the model's previous version whole; the retried sync finds the
chunks already fetched in the same work folder (keyed by the plan) and resumes from there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from orgbook.implementations.models import OrgConnection
from orgbook.metadata import REGISTRY, ParsedComponent, ReadProblem, iter_components
from orgbook.orgmodels import completeness
from orgbook.orgmodels.ingest import ingest
from orgbook.orgmodels.models import Component, ComponentStatus, ModelKind, OrgModel, SyncRun
from orgbook.salesforce.errors import (
    RequestLimitExceeded,
    RetrieveFailed,
    RetrieveTooLarge,
    SalesforceError,
    SessionExpired,
    TransientError,
    UnknownException,
)
from orgbook.salesforce.folders import FOLDERED, Folder, FolderListing
from orgbook.salesforce.metadata_api import (
    LIST_METADATA_MAX_QUERIES,
    Backoff,
    FileProperties,
    ListMetadataQuery,
    MetadataApi,
)

log = logging.getLogger(__name__)
FILES_PER_MEMBER = {"LightningComponentBundle": 4, "AuraDefinitionBundle": 5, "ApexClass": 2, "ApexTrigger": 2,
                    "ApexPage": 2, "ApexComponent": 2, "StaticResource": 2, "EmailTemplate": 2, "Document": 2}
# Read complete with readMetadata: a retrieve only fills a profile for what the same request holds.
READ_WHOLE = ("Profile", "PermissionSet")
READ_BATCH = 10

# What a sync lists and retrieves (docs/supported-types.md). Fewer listed types, fewer API calls.
SYNC_TYPES = frozenset({
    "CustomObject", "Layout", "Flow", "FlowDefinition", "ApexClass", "ApexTrigger", "ApexPage", "ApexComponent",
    "LightningComponentBundle", "AuraDefinitionBundle", "FlexiPage", "Profile", "PermissionSet",
    "PermissionSetGroup", "CustomPermission", "CustomMetadata", "CustomLabels", "CustomTab", "CustomApplication",
    "QuickAction", "GlobalValueSet", "StandardValueSet", "Workflow", "ApprovalProcess", "AssignmentRules",
    "AutoResponseRules", "EscalationRules", "SharingRules", "Queue", "Group", "Role", "EmailTemplate", "Report",
    "Dashboard", "ReportType", "StaticResource", "RemoteSiteSetting", "NamedCredential", "ConnectedApp",
    "CustomSite", "Translations", "CustomObjectTranslation",
})
# Children whose changes do not move their parent's lastModifiedDate: listed for their own dates.
SYNC_CHILD_TYPES = frozenset({
    "CustomField", "ValidationRule", "RecordType", "ListView", "FieldSet", "CompactLayout", "WebLink",
    "BusinessProcess", "WorkflowRule", "WorkflowFieldUpdate", "WorkflowAlert", "WorkflowTask",
    "WorkflowOutboundMessage", "SharingCriteriaRule", "SharingOwnerRule", "CustomLabel", "AssignmentRule",
    "AutoResponseRule", "EscalationRule",
})


@dataclass
class Plan:
    members: dict[str, list[str]] = field(default_factory=dict)  # type -> full names to retrieve
    read: dict[str, list[str]] = field(default_factory=dict)  # type -> names for readMetadata
    listed: dict[tuple[str, str], FileProperties] = field(default_factory=dict)
    listed_types: set[str] = field(default_factory=set)
    # Stored components known to be unchanged without being listed (an incremental SOQL listing
    # whose count proved nothing was deleted): not deleted, not fetched.
    kept: set[tuple[str, str]] = field(default_factory=set)
    full: bool = True

    def key(self) -> str:
        blob = json.dumps([sorted((t, sorted(m)) for t, m in self.members.items()), sorted(self.read.items())])
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def model_for(conn: OrgConnection) -> OrgModel:
    model = OrgModel.objects.filter(connection=conn).first()
    if model is None:
        name = conn.label() if conn.kind == "production" else f"{conn.sandbox_name or conn.label()} (sandbox)"
        model = OrgModel.objects.create(implementation=conn.implementation, connection=conn, name=name[:80],
                                        kind=ModelKind(conn.kind))
    return model


def _listable_types(api: MetadataApi) -> tuple[list[str], dict[str, str]]:
    """Supported top-level types the org serves, and child type -> parent type."""
    described = api.describe_metadata().metadata_objects
    served = {m.xml_name for m in described}
    tops = sorted(t for t in served if t in SYNC_TYPES)
    children = {c: m.xml_name for m in described if m.xml_name in SYNC_TYPES
                for c in m.child_xml_names if c in SYNC_CHILD_TYPES}
    return tops, children


@dataclass
class Listing:
    props: list[FileProperties]
    kept: set[tuple[str, str]] = field(default_factory=set)
    listed_types: set[str] = field(default_factory=set)  # types listed with nothing in them, too


class LeftOut(list[str]):
    """What Salesforce kept answering UNKNOWN_EXCEPTION for, after the client's own retries: one
    warning each. Such an answer is usually deterministic (docs/salesforce-protocols.md §4.7), so
    the sync goes on without that type or item, and keeps what the model holds of it."""


def _unknown_exception(exc: SalesforceError) -> bool:
    # As a fault on the call, or as a retrieve that ended Failed with that status code.
    return isinstance(exc, UnknownException) or (isinstance(exc, RetrieveFailed) and exc.code == "UNKNOWN_EXCEPTION")


def _list_tolerant(api: MetadataApi, queries: list[ListMetadataQuery], left_out: LeftOut) -> list[FileProperties]:
    """listMetadata three queries a call; a call answering UNKNOWN_EXCEPTION is asked again one type
    at a time, so that only the type Salesforce cannot list is left out."""
    found: list[FileProperties] = []
    step = 1 if len(queries) == 1 else LIST_METADATA_MAX_QUERIES
    for start in range(0, len(queries), step):
        chunk = queries[start:start + step]
        try:
            found += api.list_metadata(chunk)
        except UnknownException as exc:
            if len(chunk) > 1:
                found += [p for q in chunk for p in _list_tolerant(api, [q], left_out)]
                continue
            what = f"{chunk[0].type} in folder {chunk[0].folder}" if chunk[0].folder else chunk[0].type
            left_out.append(f"Salesforce could not list {what} (UNKNOWN_EXCEPTION: {exc.message[:300]}); "
                            "what the model holds of it was kept as it was.")
    return found


def _list_all(api: MetadataApi, tops: list[str], children: dict[str, str], model: OrgModel | None = None,
              org_id: str = "", full: bool = True, left_out: LeftOut | None = None) -> Listing:
    left_out = LeftOut() if left_out is None else left_out
    queries: list[ListMetadataQuery] = []
    foldered: list[tuple[str, str]] = []
    for name in tops:
        mtype = REGISTRY.get(name)
        if mtype is not None and mtype.in_folders and mtype.folder_type:
            foldered.append((name, mtype.folder_type))
        elif mtype is None or mtype.item_type is None:
            queries.append(ListMetadataQuery(name))
    queries += [ListMetadataQuery(c) for c in sorted(children)]
    listing = Listing(props=[])
    if foldered and org_id:
        foldered = _list_foldered(api, foldered, model, org_id, full, listing)
    # Folder types left to listMetadata share calls with the other types (three queries a call).
    queries += [ListMetadataQuery(folder_type) for _, folder_type in foldered]
    listing.props += _list_tolerant(api, queries, left_out)
    folder_queries = [ListMetadataQuery(item_type, f.full_name) for item_type, folder_type in foldered
                      for f in listing.props if f.type == folder_type]
    if folder_queries:
        listing.props += _list_tolerant(api, folder_queries, left_out)
    return listing


def _refused(exc: SalesforceError) -> bool:
    """A query Salesforce will not answer for this user/org (not a glitch worth failing the sync)."""
    return not isinstance(exc, (TransientError, RequestLimitExceeded, SessionExpired))


def _list_foldered(api: MetadataApi, foldered: list[tuple[str, str]], model: OrgModel | None, org_id: str,
                   full: bool, listing: Listing) -> list[tuple[str, str]]:
    """List reports, dashboards and email templates with SOQL; returns the types left to listMetadata.

    A first or full sync lists every item (2,000 a call). An incremental one asks only for items
    modified since the newest one stored, plus a COUNT(): when the count equals what is stored
    plus what is new, nothing was deleted, renamed or moved, and the stored items are kept
    unlisted. Otherwise it falls back to the full listing. A refused query (a user without access
    to the objects) falls back to listMetadata for that type.
    """
    source = FolderListing(api.client, org_id)
    try:
        folders = source.folders()
    except SalesforceError as exc:
        if not _refused(exc):
            raise
        log.info("Folder query refused (%s); listing folders with listMetadata", exc.code)
        return foldered
    left: list[tuple[str, str]] = []
    for item_type, folder_type in foldered:
        ftype = FOLDERED.get(item_type)
        if ftype is None:
            left.append((item_type, folder_type))
            continue
        mine = [f for f in folders.values() if f.kind == ftype.kind]
        try:
            items, kept = _items_for(source, ftype.type, folders, mine, model, full)
        except SalesforceError as exc:
            if not _refused(exc):
                raise
            log.info("%s query refused (%s); listing it with listMetadata", ftype.sobject, exc.code)
            left.append((item_type, folder_type))
            continue
        listing.props += [f.props for f in mine] + items
        listing.kept |= kept
        listing.listed_types |= {item_type, folder_type}
    return left


def _items_for(source: FolderListing, item_type: str, folders: dict[str, Folder], mine: list[Folder],
               model: OrgModel | None, full: bool) -> tuple[list[FileProperties], set[tuple[str, str]]]:
    ftype = FOLDERED[item_type]
    stored: dict[str, datetime | None] = {} if model is None else dict(Component.objects.filter(
        model=model, type=item_type, status=ComponentStatus.PRESENT).values_list("name_key", "last_modified_date"))
    if not mine and not stored:
        return [], set()  # no folders and nothing known: no query at all (unfiled-only items are missed)
    dates = [d for d in stored.values() if d is not None]
    if full or not stored or len(dates) < len(stored):
        return source.items(ftype, folders), set()
    changed = source.items(ftype, folders, since=max(dates))
    new = {p.full_name.lower() for p in changed} - set(stored)
    if source.count(ftype, folders) != len(stored) + len(new):
        return source.items(ftype, folders), set()  # something was deleted, renamed or moved
    listed = {p.full_name.lower() for p in changed}
    return changed, {(item_type, k) for k in stored if k not in listed}


def plan_sync(model: OrgModel, props: list[FileProperties], children: dict[str, str], full: bool,
              kept: set[tuple[str, str]] | None = None, listed_types: set[str] | None = None) -> Plan:
    plan = Plan(full=full, kept=kept or set(), listed_types=set(listed_types or ()))
    stored = dict(((t, k), (d, s)) for t, k, d, s in Component.objects.filter(model=model).values_list(
        "type", "name_key", "last_modified_date", "status"))
    parents_touched: set[tuple[str, str]] = set()
    for p in props:
        key = (p.type, p.full_name.lower())
        plan.listed[key] = p
        plan.listed_types.add(p.type)
        changed = full or _is_changed(stored.get(key), p)
        if p.type in children and changed:
            parents_touched.add((children[p.type], p.full_name.split(".", 1)[0]))
        elif changed:
            plan.members.setdefault(p.type, []).append(p.full_name)
    for parent_type, parent_name in parents_touched:  # a child changed: fetch its parent file again
        names = plan.members.setdefault(parent_type, [])
        if parent_name not in names:
            names.append(parent_name)
    removed_children = [k for k, (_, st) in stored.items() if k[0] in children and st == ComponentStatus.PRESENT
                        and k not in plan.listed]
    # A removed child needs no fetch: its deletion is recorded from the listing (_deleted_keys), and a
    # parent's stored definition leaves its children out. It still means profiles must be read again.
    _move_whole_reads(plan, props, anything_changed=bool(plan.members or removed_children))
    return plan


def _is_changed(stored: tuple[datetime | None, str] | None, p: FileProperties) -> bool:
    if stored is None or stored[1] != ComponentStatus.PRESENT:
        return True
    listed = parse_datetime(p.last_modified_date) if p.last_modified_date else None
    return listed is None or stored[0] is None or listed > stored[0]


def _move_whole_reads(plan: Plan, props: list[FileProperties], anything_changed: bool) -> None:
    """Profiles and permission sets refer to everything: read them whole whenever anything changed."""
    for t in READ_WHOLE:
        plan.members.pop(t, None)
        if anything_changed or plan.full:
            names = sorted(p.full_name for p in props if p.type == t)
            if names:
                plan.read[t] = names


def chunks(members: dict[str, list[str]], limit: int | None = None) -> list[dict[str, list[str]]]:
    limit = limit or settings.ORGBOOK_SYNC_CHUNK_FILES
    out: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] = {}
    size = 0
    for mtype in sorted(members):
        cost = FILES_PER_MEMBER.get(mtype, 1)
        for name in sorted(members[mtype]):
            if size + cost > limit and current:
                out.append(current)
                current, size = {}, 0
            current.setdefault(mtype, []).append(name)
            size += cost
    if current:
        out.append(current)
    return out


def _split(chunk: dict[str, list[str]]) -> list[dict[str, list[str]]]:
    flat = [(t, n) for t, names in chunk.items() for n in names]
    if len(flat) <= 1:
        raise RetrieveTooLarge("LIMIT_EXCEEDED", "a single component exceeds the retrieve limit")
    half = len(flat) // 2
    parts: list[dict[str, list[str]]] = [{}, {}]
    for i, (t, n) in enumerate(flat):
        parts[0 if i < half else 1].setdefault(t, []).append(n)
    return parts


STAGE_LENGTH = SyncRun._meta.get_field("stage").max_length or 40


class SyncReporter:
    """Writes stage and percentage to the run as it goes (the UI polls it; the CLI prints it), and
    beats the lease's heartbeat at each stage (a lost lease stops the sync there)."""

    def __init__(self, run: SyncRun, echo: Any = None, beat: Callable[[], None] | None = None) -> None:
        self.run, self.echo, self.beat, self.t = run, echo, beat, time.perf_counter()

    def stage(self, name: str, percent: int) -> None:
        if self.beat:
            self.beat()
        now = time.perf_counter()
        if self.run.stage:
            self.run.stages[self.run.stage] = round(self.run.stages.get(self.run.stage, 0) + now - self.t, 3)
        self.t = now
        name = name[:STAGE_LENGTH]  # PostgreSQL refuses a longer value (SQLite keeps it)
        self.run.stage, self.run.progress = name, percent
        SyncRun.objects.filter(pk=self.run.pk).update(stage=name, progress=percent, stages=self.run.stages)
        if self.echo:
            self.echo(f"[{percent:3d}%] {name}")


def work_dir(model: OrgModel, plan_key: str) -> Path:
    return Path(settings.DATA_DIR) / "sync" / f"model-{model.pk}" / plan_key


def fetch(api: MetadataApi, plan: Plan, folder: Path, report: SyncReporter, left_out: LeftOut | None = None) -> list[str]:
    """Retrieve every chunk not already on disk; returns Salesforce's retrieve messages.

    A chunk Salesforce answers UNKNOWN_EXCEPTION for is split like one too large, down to the one
    component it fails on, which is left out (`left_out`)."""
    left_out = LeftOut() if left_out is None else left_out
    folder.mkdir(parents=True, exist_ok=True)
    messages: list[str] = []
    todo = chunks(plan.members)
    already = sum(1 for c in todo if (folder / f"chunk-{_chunk_name(c)}.zip").exists())
    if already:
        report.stage(f"resuming: {already} of {len(todo)} chunks fetched", 10)
    done = 0
    while todo:
        chunk = todo.pop(0)
        dest = folder / f"chunk-{_chunk_name(chunk)}.zip"
        if not dest.exists():
            try:
                result = api.retrieve_to_file(chunk, dest, poll=Backoff(initial=settings.ORGBOOK_SF_POLL_MS / 1000))
            except RetrieveTooLarge:
                todo[:0] = _split(chunk)
                continue
            except SalesforceError as exc:
                if not _unknown_exception(exc):
                    raise
                if sum(len(names) for names in chunk.values()) > 1:
                    todo[:0] = _split(chunk)
                else:
                    (mtype, (name,)), = chunk.items()
                    left_out.append(f"Salesforce could not retrieve {mtype} {name} (UNKNOWN_EXCEPTION: "
                                    f"{exc.message[:300]}); the model keeps what it held of it.")
                continue
            messages += [f"{m.file_name}: {m.problem}" for m in result.messages]
        done += 1
        report.stage(f"retrieving ({done} of {done + len(todo)} chunks)", 10 + int(60 * done / (done + len(todo))))
    _read_whole(api, plan, folder, left_out)
    return messages


def _chunk_name(chunk: dict[str, list[str]]) -> str:
    return hashlib.sha256(json.dumps(sorted(chunk.items())).encode()).hexdigest()[:16]


def _read_whole(api: MetadataApi, plan: Plan, folder: Path, left_out: LeftOut) -> None:
    for mtype, names in plan.read.items():
        target = folder / "read" / REGISTRY.get(mtype).directory  # type: ignore[union-attr]
        target.mkdir(parents=True, exist_ok=True)
        suffix = REGISTRY.get(mtype).suffix  # type: ignore[union-attr]
        for i in range(0, len(names), READ_BATCH):
            batch = [n for n in names[i:i + READ_BATCH] if not (target / f"{n}.{suffix}").exists()]
            for full_name, xml in _read_tolerant(api, mtype, batch, left_out).items():
                (target / f"{full_name}.{suffix}").write_bytes(xml)


def _read_tolerant(api: MetadataApi, mtype: str, names: list[str], left_out: LeftOut) -> dict[str, bytes]:
    """readMetadata of a batch; on UNKNOWN_EXCEPTION, one name at a time, leaving out the ones it fails on."""
    if not names:
        return {}
    try:
        return api.read_metadata(mtype, names)
    except UnknownException as exc:
        if len(names) == 1:
            left_out.append(f"Salesforce could not read {mtype} {names[0]} (UNKNOWN_EXCEPTION: {exc.message[:300]}); "
                            "the model keeps what it held of it.")
            return {}
        return {k: v for n in names for k, v in _read_tolerant(api, mtype, [n], left_out).items()}


def read_fetched(folder: Path) -> Iterator[ParsedComponent | ReadProblem]:
    for zip_path in sorted(folder.glob("chunk-*.zip")):
        yield from iter_components(zip_path)
    if (folder / "read").exists():
        (folder / "read" / "package.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">'
            "<version>62.0</version></Package>")
        yield from iter_components(folder / "read")


def _props_by_key(plan: Plan) -> dict[tuple[str, str], dict[str, Any]]:
    return {key: {"id": p.id, "createdDate": parse_datetime(p.created_date) if p.created_date else None,
                  "createdByName": p.created_by_name, "lastModifiedByName": p.last_modified_by_name,
                  "lastModifiedDate": parse_datetime(p.last_modified_date) if p.last_modified_date else None}
            for key, p in plan.listed.items()}


def run_sync(run: SyncRun, api: MetadataApi, report: SyncReporter) -> SyncRun:
    """Describe, list, plan, fetch and ingest into `run`, up to the committed version.

    The caller holds the org's lease, opened (or resumed) `run`, and runs the steps after the
    commit (runs/after.py). A resumed run plans the same fetch again and finds its chunks on disk.
    """
    model = run.model
    conn = model.connection
    assert conn is not None
    left_out = LeftOut()
    tops, children = _listable_types(api)
    report.stage("listing", 5)
    listing = _list_all(api, tops, children, model, conn.org_id, run.full, left_out)
    plan = plan_sync(model, listing.props, children, run.full, listing.kept, listing.listed_types)
    folder = work_dir(model, plan.key())
    messages = fetch(api, plan, folder, report, left_out)
    report.stage("reading", 75)
    run.warnings = [*run.warnings, *({"message": m} for m in [*messages, *left_out])]
    # With something left out, even a full sync removes only what the listing proved gone: a type
    # not listed, or a component not fetched, keeps what the model holds.
    complete = run.full and not left_out
    deleted = None if complete else _deleted_keys(model, plan)
    # An org never has no components: a full sync that read none fails and keeps the model.
    ingest(model, read_fetched(folder), run=run, file_properties=_props_by_key(plan), complete=complete,
           deleted=deleted, rule=completeness.SYNC)
    shutil.rmtree(folder.parent, ignore_errors=True)  # fetched chunks are only kept to resume
    return run


def _deleted_keys(model: OrgModel, plan: Plan) -> set[tuple[str, str]]:
    present = Component.objects.filter(model=model, status=ComponentStatus.PRESENT,
                                       type__in=plan.listed_types).values_list("type", "name_key")
    return {key for key in present if key not in plan.listed and key not in plan.kept}
