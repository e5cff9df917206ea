"""Syncing a connected org into its org model over the Metadata API.

Stages: describe (what the org serves decides what is asked: `sync_types`) -> list the listed
types (three queries a call; reports, dashboards and email templates with SOQL, see
`_list_foldered`) -> plan (what changed since the last sync, plus every swept type with `*`) ->
retrieve in chunks (each under the 10,000-file limit, split again if Salesforce still says too
large), several in flight at once (`Fetch`), each streamed to disk in a work folder and read as it
lands while the next ones are prepared -> one atomic ingest.

A sync killed mid-way leaves the model's previous version whole; the retried sync finds the
chunks already fetched in the same work folder (keyed by the plan) and resumes from there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from orgbook.implementations.models import OrgConnection
from orgbook.metadata import REGISTRY, ParsedComponent, ReadProblem, ReadReport, iter_components
from orgbook.metadata.parallel import ReadPool
from orgbook.orgmodels import completeness
from orgbook.orgmodels.ingest import ingest, read_pool
from orgbook.orgmodels.models import Component, ComponentStatus, ModelKind, OrgModel, SyncRun, child_types
from orgbook.salesforce.errors import (
    RequestLimitExceeded,
    RetrieveFailed,
    RetrieveTimeout,
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
    MetadataObjectType,
)

log = logging.getLogger(__name__)
FILES_PER_MEMBER = {"LightningComponentBundle": 4, "AuraDefinitionBundle": 5, "ApexClass": 2, "ApexTrigger": 2,
                    "ApexPage": 2, "ApexComponent": 2, "StaticResource": 2, "EmailTemplate": 2, "Document": 2}
# Read complete with readMetadata: a retrieve only fills a profile for what the same request holds.
READ_WHOLE = ("Profile", "PermissionSet")
READ_BATCH = 10

# A sync brings every type the org's describeMetadata lists except these (docs/supported-types.md
# gives each reason): the one place that says what a sync leaves out.
EXCLUDED_TYPES: dict[str, str] = {
    "Certificate": "a certificate's file is the certificate itself (key material, not configuration); "
                   "what uses one (a named credential, single sign-on) names it",
    "SiteDotCom": "a Site.com site is one binary archive of the whole site, pages and images included, "
                  "often tens of megabytes that Orgbook cannot read; its CustomSite, Network and "
                  "ExperienceBundle describe the site",
}
# Listed one by one (listMetadata three queries a call; reports, dashboards and email templates with
# SOQL): the types an org holds many of and changes often, where per-component dates let an
# incremental sync fetch only what changed. Every other type is swept: fetched whole with `*` in
# one retrieve, whatever their number (one listMetadata query per type would cost a call for
# every three of the org's 200-odd types, on every sync).
LISTED_TYPES = frozenset({
    "CustomObject", "Layout", "Flow", "FlowDefinition", "ApexClass", "ApexTrigger", "ApexPage", "ApexComponent",
    "LightningComponentBundle", "AuraDefinitionBundle", "FlexiPage", "Profile", "PermissionSet",
    "PermissionSetGroup", "CustomPermission", "CustomMetadata", "CustomLabels", "CustomTab", "CustomApplication",
    "QuickAction", "StandardValueSet", "Workflow", "EmailTemplate", "Report", "Dashboard", "ReportType",
    "StaticResource", "CustomObjectTranslation",
})
# Children whose changes do not move their parent's lastModifiedDate: listed for their own dates
# (and who changed them), whether their parent is listed or swept. An object's children are the
# explorer's (`child_types`) but sharing reasons and indexes, which the sync has never listed on
# their own (three types a listMetadata call: each one more is a call more on some syncs).
SYNC_CHILD_TYPES = (child_types("CustomObject") - {"SharingReason", "Index"}) | frozenset({
    "WorkflowRule", "WorkflowFieldUpdate", "WorkflowAlert", "WorkflowTask", "WorkflowOutboundMessage",
    "SharingCriteriaRule", "SharingOwnerRule", "CustomLabel", "AssignmentRule", "AutoResponseRule", "EscalationRule",
})
# `*` fetches every component of a type (Salesforce: but no standard object, hence CustomObject is
# listed); items in folders are never fetched by `*`, so types described `inFolder` are listed.
WILDCARD = "*"


@dataclass(frozen=True)
class SyncTypes:
    """What a sync does with each type the org describes."""

    listed: list[str]  # listed one by one (in_folder ones per folder)
    children: dict[str, str]  # listed child type -> parent type
    swept: list[str]  # fetched whole with `*`
    in_folder: frozenset[str] = frozenset()
    excluded: list[str] = field(default_factory=list)  # described, left out on purpose


def sync_types(described: list[MetadataObjectType]) -> SyncTypes:
    """Split the org's describeMetadata answer into listed, swept and excluded types."""
    listed: list[str] = []
    swept: list[str] = []
    excluded: list[str] = []
    for m in described:
        if m.xml_name in EXCLUDED_TYPES:
            excluded.append(m.xml_name)
        elif m.xml_name in LISTED_TYPES or m.in_folder:
            listed.append(m.xml_name)
        else:
            swept.append(m.xml_name)
    children = {c: m.xml_name for m in described if m.xml_name not in EXCLUDED_TYPES
                for c in m.child_xml_names if c in SYNC_CHILD_TYPES}
    in_folder = frozenset(m.xml_name for m in described if m.in_folder)
    return SyncTypes(sorted(set(listed)), children, sorted(set(swept)), in_folder, sorted(set(excluded)))


def _folder_type(item_type: str) -> str:
    """The folder type of a type described inFolder (EmailTemplate's is EmailFolder)."""
    mtype = REGISTRY.get(item_type)
    if mtype is not None and mtype.folder_type:
        return mtype.folder_type
    return "EmailFolder" if item_type == "EmailTemplate" else f"{item_type}Folder"


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
    swept: set[str] = field(default_factory=set)  # types fetched whole with `*`
    unswept: set[str] = field(default_factory=set)  # swept types Salesforce could not retrieve

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


@dataclass
class Listing:
    props: list[FileProperties]
    kept: set[tuple[str, str]] = field(default_factory=set)
    listed_types: set[str] = field(default_factory=set)  # types listed with nothing in them, too


class LeftOut(list[str]):
    """What Salesforce kept answering UNKNOWN_EXCEPTION for, after the client's own retries: one
    warning each. Such an answer is usually deterministic (docs/salesforce-protocols.md §4.7), so
    the sync goes on without that type or item, and keeps what the model holds of it. `items`
    holds (what, message) for the run's report."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []

    def add(self, what: str, message: str) -> None:
        self.append(message)
        self.items.append((what, message))


def _unknown_exception(exc: SalesforceError) -> bool:
    # As a fault on the call, or as a retrieve that ended Failed with that status code.
    return isinstance(exc, UnknownException) or (isinstance(exc, RetrieveFailed) and exc.code == "UNKNOWN_EXCEPTION")


def _list_tolerant(api: MetadataApi, queries: list[ListMetadataQuery], left_out: LeftOut,
                   unanswered: set[str] | None = None) -> list[FileProperties]:
    """listMetadata three queries a call; a call answering UNKNOWN_EXCEPTION is asked again one type
    at a time, so that only the type Salesforce cannot list is left out (added to `unanswered`)."""
    unanswered = set() if unanswered is None else unanswered
    found: list[FileProperties] = []
    step = 1 if len(queries) == 1 else LIST_METADATA_MAX_QUERIES
    for start in range(0, len(queries), step):
        chunk = queries[start:start + step]
        try:
            found += api.list_metadata(chunk)
        except UnknownException as exc:
            if len(chunk) > 1:
                found += [p for q in chunk for p in _list_tolerant(api, [q], left_out, unanswered)]
                continue
            unanswered.add(chunk[0].type)
            what = f"{chunk[0].type} in folder {chunk[0].folder}" if chunk[0].folder else chunk[0].type
            left_out.add(what, f"Salesforce could not list {what} (UNKNOWN_EXCEPTION: {exc.message[:300]}); "
                         "what the model holds of it was kept as it was.")
    return found


def _list_all(api: MetadataApi, types: SyncTypes, model: OrgModel | None = None,
              org_id: str = "", full: bool = True, left_out: LeftOut | None = None) -> Listing:
    left_out = LeftOut() if left_out is None else left_out
    queries: list[ListMetadataQuery] = []
    foldered: list[tuple[str, str]] = []
    for name in types.listed:
        mtype = REGISTRY.get(name)
        if name in types.in_folder:
            foldered.append((name, _folder_type(name)))
        elif mtype is None or mtype.item_type is None:
            queries.append(ListMetadataQuery(name))
    queries += [ListMetadataQuery(c) for c in sorted(types.children)]
    listing = Listing(props=[])
    if foldered and org_id:
        foldered = _list_foldered(api, foldered, model, org_id, full, listing)
    # Folder types left to listMetadata share calls with the other types (three queries a call).
    queries += [ListMetadataQuery(folder_type) for _, folder_type in foldered]
    unanswered: set[str] = set()
    listing.props += _list_tolerant(api, queries, left_out, unanswered)
    folder_queries = [ListMetadataQuery(item_type, f.full_name) for item_type, folder_type in foldered
                      for f in listing.props if f.type == folder_type]
    if folder_queries:
        listing.props += _list_tolerant(api, folder_queries, left_out, unanswered)
    listing.listed_types |= _answered_types(queries, foldered, unanswered)
    return listing


def _answered_types(queries: list[ListMetadataQuery], foldered: list[tuple[str, str]],
                    unanswered: set[str]) -> set[str]:
    """Types Salesforce answered for, members or none: an answer with no members means every member
    was deleted, while a type it did not answer for keeps what the model holds (`_deleted_keys`).
    A foldered item type is answered when its folder type was and each of its folders was."""
    answered = {q.type for q in queries} - unanswered
    answered |= {item for item, folder_type in foldered if folder_type in answered and item not in unanswered}
    return answered


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
              kept: set[tuple[str, str]] | None = None, listed_types: set[str] | None = None,
              swept: list[str] | None = None) -> Plan:
    plan = Plan(full=full, kept=kept or set(), listed_types=set(listed_types or ()))
    for mtype in swept or ():  # fetched whole every time: the ingest keeps what did not change
        plan.members[mtype] = [WILDCARD]
        plan.swept.add(mtype)
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
        if parent_name not in names and WILDCARD not in names:  # a swept parent comes anyway
            names.append(parent_name)
    removed_children = [k for k, (_, st) in stored.items() if k[0] in children and st == ComponentStatus.PRESENT
                        and k not in plan.listed]
    # A removed child needs no fetch: its deletion is recorded from the listing (_deleted_keys), and a
    # parent's stored definition leaves its children out. It still means profiles must be read again.
    changed = any(names != [WILDCARD] for names in plan.members.values()) or bool(parents_touched)
    _move_whole_reads(plan, props, anything_changed=changed or bool(removed_children))
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


@dataclass
class _Slot:
    """One chunk of the plan: on disk already, in flight (a retrieve id), or still to ask for."""

    chunk: dict[str, list[str]]
    dest: Path
    async_id: str | None = None
    delays: Iterator[float] = iter(())
    due: float = 0.0  # when to poll it next (time.monotonic)
    deadline: float = 0.0
    polls: int = 0


class Fetch:
    """The plan's chunks, retrieved with up to `in_flight` retrieves at once and handed over, in the
    plan's order, as each lands (`zips`): the reader parses one chunk while Salesforce prepares the
    next ones. Each zip is streamed to the work folder before it is handed over, so a killed sync
    finds it there and asks only for the others; no zip is held in memory.

    A chunk Salesforce answers UNKNOWN_EXCEPTION for is split like one too large, down to the one
    component it fails on, which is left out (`left_out`). Salesforce's REQUEST_LIMIT_EXCEEDED on a
    new retrieve while others are in flight (its concurrent request limit, docs/salesforce-limits.md)
    lowers `in_flight` to what the org accepted."""

    def __init__(self, api: MetadataApi, plan: Plan, folder: Path, report: SyncReporter,
                 left_out: LeftOut | None = None, in_flight: int | None = None) -> None:
        self.api, self.plan, self.folder, self.report = api, plan, folder, report
        self.left_out = LeftOut() if left_out is None else left_out
        self.in_flight = max(1, in_flight or settings.ORGBOOK_SYNC_RETRIEVES_IN_FLIGHT)
        self.poll = Backoff(initial=settings.ORGBOOK_SF_POLL_MS / 1000)
        self.messages: list[str] = []  # Salesforce's retrieve messages
        self.most_in_flight = 0
        self.reading = False  # the reader has started: progress says "reading"
        self.done = 0
        folder.mkdir(parents=True, exist_ok=True)
        self.slots = [_Slot(c, folder / f"chunk-{_chunk_name(c)}.zip") for c in chunks(plan.members)]
        already = sum(1 for s in self.slots if s.dest.exists())
        if already:
            report.stage(f"resuming: {already} of {len(self.slots)} chunks fetched", 10)

    def prime(self) -> None:
        """Wait for the first chunk, so that the reading starts with one to read."""
        self.report.stage(f"retrieving (0 of {len(self.slots)} chunks)", 10)
        self._head_ready()
        self.report.stage("reading", 75)
        self.reading = True

    def zips(self) -> Iterator[Path]:
        """Every chunk's zip in the plan's order, then whatever readMetadata reads (`read/`)."""
        while self._head_ready():
            slot = self.slots.pop(0)
            self._submit()  # keep the retrieves in flight while the reader parses this one
            self.done += 1
            left = len(self.slots)
            if self.reading:
                self.report.stage(f"reading ({self.done} of {self.done + left} chunks retrieved)",
                                  75 + int(9 * self.done / (self.done + left)))
            else:
                self.report.stage(f"retrieving ({self.done} of {self.done + left} chunks)",
                                  10 + int(60 * self.done / (self.done + left)))
            yield slot.dest
        _read_whole(self.api, self.plan, self.folder, self.left_out)

    def _head_ready(self) -> bool:
        while self.slots:
            self._submit()
            if self.slots[0].dest.exists():
                return True
            self._poll_next()
        return False

    def _flying(self) -> list[_Slot]:
        return [s for s in self.slots if s.async_id is not None]

    def _submit(self) -> None:
        i = 0
        while i < len(self.slots) and len(self._flying()) < self.in_flight:
            slot = self.slots[i]
            if slot.async_id is not None or slot.dest.exists():
                i += 1
                continue
            try:
                slot.async_id = self.api.retrieve(slot.chunk)
            except RequestLimitExceeded as exc:
                flying = len(self._flying())
                if not flying or "concurrent" not in exc.message.lower():
                    raise
                self.in_flight = flying  # the org took this many: wait for one of them
                return
            except SalesforceError as exc:
                self._failed(i, exc)
                continue  # slot i is now its halves (or gone)
            slot.delays = self.poll.delays()
            now = time.monotonic()
            slot.due, slot.deadline, slot.polls = now + next(slot.delays), now + self.poll.timeout, 0
            self.most_in_flight = max(self.most_in_flight, len(self._flying()))
            i += 1

    def _poll_next(self) -> None:
        slot = min(self._flying(), key=lambda s: s.due)
        wait = slot.due - time.monotonic()
        if wait > 0:
            self.api.wait(wait)
        slot.polls += 1
        assert slot.async_id is not None
        try:
            found = self.api.collect_retrieve(slot.async_id, slot.dest, slot.polls)
        except SalesforceError as exc:
            self._failed(self.slots.index(slot), exc)
            return
        if isinstance(found, str):  # still Pending or InProgress
            now = time.monotonic()
            if now > slot.deadline:
                raise RetrieveTimeout("RETRIEVE_TIMEOUT", f"retrieve {slot.async_id} still {found} after {slot.polls} polls")
            slot.due = now + next(slot.delays)
            return
        slot.async_id = None
        _write_props(slot.dest, found.file_properties, self.plan.swept)
        self.messages += [f"{m.file_name}: {m.problem}" for m in found.messages]

    def _failed(self, i: int, exc: SalesforceError) -> None:
        """Slot i's retrieve failed: its chunk too large (split it, or list a swept type), or
        UNKNOWN_EXCEPTION (split it down to the component it fails on, left out)."""
        chunk = self.slots.pop(i).chunk
        if isinstance(exc, RetrieveTooLarge):
            if _single_wildcard(chunk):
                parts = _list_swept(self.api, self.plan, next(iter(chunk)), self.left_out)
            else:
                parts = _split(chunk)
        elif not _unknown_exception(exc):
            raise exc
        elif sum(len(names) for names in chunk.values()) > 1:
            parts = _split(chunk)
        else:
            (mtype, (name,)), = chunk.items()
            what = f"every {mtype} (*)" if name == WILDCARD else f"{mtype} {name}"
            self.plan.unswept |= {mtype} if name == WILDCARD else set()
            self.left_out.add(what, f"Salesforce could not retrieve {what} (UNKNOWN_EXCEPTION: "
                              f"{exc.message[:300]}); the model keeps what it held of it.")
            parts = []
        self.slots[i:i] = [_Slot(c, self.folder / f"chunk-{_chunk_name(c)}.zip") for c in parts]


def fetch(api: MetadataApi, plan: Plan, folder: Path, report: SyncReporter, left_out: LeftOut | None = None) -> list[str]:
    """Retrieve every chunk not already on disk (see `Fetch`); returns Salesforce's retrieve messages."""
    fetching = Fetch(api, plan, folder, report, left_out)
    for _ in fetching.zips():
        pass
    return fetching.messages


def _single_wildcard(chunk: dict[str, list[str]]) -> bool:
    return len(chunk) == 1 and next(iter(chunk.values())) == [WILDCARD]


def _list_swept(api: MetadataApi, plan: Plan, mtype: str, left_out: LeftOut) -> list[dict[str, list[str]]]:
    """A swept type over the retrieve limit on its own: list it, then fetch it in chunks."""
    props = _list_tolerant(api, [ListMetadataQuery(mtype)], left_out)
    plan.members[mtype] = sorted(p.full_name for p in props)
    plan.listed.update(((p.type, p.full_name.lower()), p) for p in props)
    return chunks({mtype: plan.members[mtype]}) if props else []


def _props_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.name.removesuffix(".zip") + ".props.json")


def _write_props(zip_path: Path, props: list[FileProperties], swept: set[str]) -> None:
    """Keep what a retrieve said about the swept components (their listing) beside its zip, so a
    resumed sync that finds the zip on disk still knows them."""
    rows = [dataclasses.asdict(p) for p in props if p.type in swept]
    _props_path(zip_path).write_text(json.dumps(rows))


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
            left_out.add(f"{mtype} {names[0]}", f"Salesforce could not read {mtype} {names[0]} (UNKNOWN_EXCEPTION: "
                         f"{exc.message[:300]}); the model keeps what it held of it.")
            return {}
        return {k: v for n in names for k, v in _read_tolerant(api, mtype, [n], left_out).items()}


def _read_props_of(zip_path: Path) -> list[FileProperties]:
    path = _props_path(zip_path)
    return [FileProperties(**row) for row in json.loads(path.read_text())] if path.exists() else []


def read_fetched(folder: Path, report: ReadReport | None = None,
                 problems: list[ReadProblem] | None = None) -> Iterator[ParsedComponent | ReadProblem]:
    """The components of every fetched chunk. `report` gathers where the files of the retrieves
    went (`ReadReport.skipped`: the files that gave no component, with why), `problems` what the
    reader refused; both complete once the iterator ends."""
    for zip_path in sorted(folder.glob("chunk-*.zip")):
        yield from read_source(zip_path, report, problems)
    yield from _read_whole_folder(folder, report, problems)


def read_source(source: Path, report: ReadReport | None = None, problems: list[ReadProblem] | None = None,
                pool: ReadPool | None = None) -> Iterator[ParsedComponent | ReadProblem]:
    """One fetched chunk (or the folder readMetadata filled), its reading added to `report`;
    parsed in `pool`'s worker processes when given."""
    stream = iter_components(source, on_problem=problems.append if problems is not None else None, pool=pool)
    yield from stream
    if report is not None:
        _add_report(report, stream.report)


def _read_whole_folder(folder: Path, report: ReadReport | None = None, problems: list[ReadProblem] | None = None,
                       pool: ReadPool | None = None) -> Iterator[ParsedComponent | ReadProblem]:
    if (folder / "read").exists():
        (folder / "read" / "package.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">'
            "<version>62.0</version></Package>")
        yield from read_source(folder / "read", report, problems, pool)


def _add_report(report: ReadReport, one: ReadReport) -> None:
    """One retrieve's reading into the sync's report. The package.xml every retrieve carries (and
    the one written beside what readMetadata gave) is the request, not the org's: left out."""
    manifests = sum(1 for path, _ in one.skipped if _manifest(path))
    report.files += one.files - manifests
    report.skipped.extend((path, reason) for path, reason in one.skipped if not _manifest(path))
    report.parts.update(one.parts)


def _manifest(path: str) -> bool:
    return path.rpartition("/")[2] == "package.xml" and path.count("/") <= 1


class _PropsByKey(Mapping[tuple[str, str], dict[str, Any]]):
    """What the listing says of each component, as the ingest stores it, made when the ingest asks
    for it: one dict and two datetimes per component of the org held for the whole sync took more
    memory than the listing itself (issue 18)."""

    def __init__(self, listed: Mapping[tuple[str, str], FileProperties]) -> None:
        self._listed = listed

    def __getitem__(self, key: tuple[str, str]) -> dict[str, Any]:
        p = self._listed[key]
        return {"id": p.id, "createdDate": parse_datetime(p.created_date) if p.created_date else None,
                "createdByName": p.created_by_name, "lastModifiedByName": p.last_modified_by_name,
                "lastModifiedDate": parse_datetime(p.last_modified_date) if p.last_modified_date else None}

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._listed)

    def __len__(self) -> int:
        return len(self._listed)



def run_sync(run: SyncRun, api: MetadataApi, report: SyncReporter) -> SyncRun:
    """Describe, list, plan, fetch and ingest into `run`, up to the committed version.

    The caller holds the org's lease, opened (or resumed) `run`, and runs the steps after the
    commit (runs/after.py). A resumed run plans the same fetch again and finds its chunks on disk.
    """
    model = run.model
    conn = model.connection
    assert conn is not None
    left_out = LeftOut()
    read_report, problems = ReadReport(), list[ReadProblem]()
    types = sync_types(api.describe_metadata().metadata_objects)
    report.stage("listing", 5)
    listing = _list_all(api, types, model, conn.org_id, run.full, left_out)
    plan = plan_sync(model, listing.props, types.children, run.full, listing.kept, listing.listed_types,
                     swept=types.swept)
    folder = work_dir(model, plan.key())
    fetching = Fetch(api, plan, folder, report, left_out)
    fetching.prime()  # retrieving; the reading starts with the first chunk landed
    props = _PropsByKey(plan.listed)  # reads plan.listed, to which the swept types' listing is added

    def components() -> Iterator[ParsedComponent | ReadProblem]:
        for zip_path in fetching.zips():
            # What the retrieve said about its swept components, before they are read.
            listed = {(p.type, p.full_name.lower()): p for p in _read_props_of(zip_path)}
            plan.listed.update(listed)
            yield from read_source(zip_path, read_report, problems, pool)
        yield from _read_whole_folder(folder, read_report, problems, pool)

    def settle() -> tuple[bool, set[tuple[str, str]] | None]:
        """Once every chunk is read: what was left out decides whether the reading is complete."""
        run.warnings = [*run.warnings, *({"message": m} for m in [*fetching.messages, *left_out])]
        # With something left out, even a full sync removes only what the listing proved gone: a
        # type not listed, or a component not fetched, keeps what the model holds.
        complete = run.full and not left_out
        return complete, None if complete else _deleted_keys(model, plan)

    # An org never has no components: a full sync that read none fails and keeps the model.
    # The chunks are parsed in worker processes (one per core) while the next ones are retrieved.
    with read_pool() as pool:
        ingest(model, components(), run=run, file_properties=props, after_read=settle, rule=completeness.SYNC,
               problems=problems, read_report=read_report, left_out=left_out.items, pool=pool)
    shutil.rmtree(folder.parent, ignore_errors=True)  # fetched chunks are only kept to resume
    return run


def _deleted_keys(model: OrgModel, plan: Plan) -> set[tuple[str, str]]:
    present = Component.objects.filter(model=model, status=ComponentStatus.PRESENT,
                                       type__in=plan.listed_types).values_list("type", "name_key")
    gone = {key for key in present if key not in plan.listed and key not in plan.kept}
    # A swept type was fetched whole: whatever of it (and of its children) the fetch does not hold
    # again is gone. The ingest deletes only the candidates it does not read.
    swept = plan.swept - plan.unswept
    candidates = Component.objects.filter(model=model, status=ComponentStatus.PRESENT).filter(
        Q(type__in=swept) | Q(parent_type__in=swept)).values_list("type", "name_key")
    return gone | set(candidates)
