"""The shapes the API answers with, so the OpenAPI document says what every operation returns.

Handlers build plain dicts (or return rows that a schema reads); django-ninja validates each answer
against the schema declared for its status, so a shape drifting from its declaration fails in
tests (tests/api/test_schemathesis.py) instead of reaching a client. Timestamps that the domain
already formats as ISO strings are declared `str` so that their text stays as it was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorOut(Schema):
    error: ErrorBody


def errors(*statuses: int) -> dict[int, Any]:
    """The error answers of an operation: 401 (every operation needs a token or the session), 429
    (a token over its rate, or an address locked out after invalid tokens: spaces/throttling.py) and
    `statuses`, each with the JSON error object."""
    return {status: ErrorOut for status in sorted({401, 429, *statuses})}


# The usual sets. 400: a parameter or body is not valid. 403: the role does not allow it, or the
# implementation is suspended (content actions). 404: a Space, implementation, model or object that
# is not there, or not the caller's. 409: a conflict the message names. 413: a body over the limit.
READ = errors(400, 403, 404)
WRITE = errors(400, 403, 404, 409, 413)
REMOVE = errors(400, 403, 404, 409)


class SpaceOut(Schema):
    id: int
    slug: str
    name: str
    plan: str
    connection_licences: int
    active_implementations: int
    trial_ends_at: datetime | None
    time_zone: str
    role: str


class OrgConnectionOut(Schema):
    id: int
    kind: str
    org_id: str
    org_name: str
    sandbox_name: str
    my_domain: str
    status: str
    status_reason: str


class ImplementationOut(Schema):
    id: int
    name: str
    description: str
    status: str
    suspended_at: datetime | None
    purge_on: datetime | None
    created_at: datetime
    last_activity_at: datetime
    production: OrgConnectionOut | None
    sandboxes: list[OrgConnectionOut]


class ImplementationContent(Schema):
    implementation: int
    connections: list[OrgConnectionOut]


class ImplementationIn(Schema):
    name: Any = None
    description: Any = ""


class ImplementationPatch(Schema):
    name: Any = None
    description: Any = None


class DeleteIn(Schema):
    confirm: Any = None


class SubscriptionOut(Schema):
    plan: str
    connection_licences: int
    active_implementations: int
    free_licences: int
    trial_ends_at: datetime | None
    pending_renewals: list[RenewalOut]


class RenewalIn(Schema):
    connection_licences: Any = None
    keep: Any = None
    effective_date: Any = None
    preview: bool = False


class RenewalOut(Schema):
    id: int
    connection_licences: int
    effective_on: date
    applied_at: datetime | None
    suspended: list[int]


class RenewalPreviewOut(Schema):
    preview: bool
    connection_licences: int
    effective_on: date
    active_implementations: int
    would_suspend: list[dict[str, Any]]


class MemberOut(Schema):
    id: int
    email: str
    role: str


class InvitationIn(Schema):
    email: str
    role: str = "viewer"


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: datetime


class RoleIn(Schema):
    role: str


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    target: str
    before: Any
    after: Any


SubscriptionOut.model_rebuild()


# --- org models -------------------------------------------------------------------------------


class OrgModelOut(Schema):
    id: int
    name: str
    kind: str
    implementation: int
    version: int
    last_synced_at: datetime | None
    components: int
    project: dict[str, Any]  # what sfdx-project.json says: namespace, package directories, API version


class ComponentSummary(Schema):
    type: str
    full_name: str
    label: str
    parent: str | None
    namespace: str | None
    status: str
    last_modified_date: datetime | None
    last_modified_by: str


class DependencyOut(Schema):
    type: str
    full_name: str
    where: str
    origin: str


class ChangeOut(Schema):
    kind: str
    version: int
    at: datetime | None
    by: str
    attributes: dict[str, Any]


class LinkOut(Schema):
    url: str
    title: str


class DocumentationOut(Schema):
    type: str
    full_name: str
    note: str
    note_html: str
    links: list[LinkOut]
    tags: list[str]
    owner: str | None
    reviewed: bool
    reviewed_by: str | None
    reviewed_at: str | None
    revision: int
    updated_at: str
    updated_by: str | None
    written_in: str | None


class CopyOut(Schema):
    source_path: str
    package_dir: str
    differs: bool
    definition: str


class ComponentOut(ComponentSummary):
    defined: Literal[True] = True
    referenced: None = None
    sf_id: str | None
    attributes: dict[str, Any]
    definition: str
    dependencies: list[DependencyOut]
    used_by: list[DependencyOut]
    changes: list[ChangeOut]
    documentation: DocumentationOut | None
    source_path: str  # the file the model's copy was read from (in the project, or in a sync's retrieve)
    # The same component defined again elsewhere in the project with different content (another
    # package directory); the model holds the copy above (orgmodels/report.py).
    copies: list[CopyOut]


class ReferencedOut(Schema):
    kind: str  # standard, managed or missing (orgbook/metadata/standard.py)
    namespace: str | None
    mark: str


class ReferencedComponentOut(Schema):
    """A component the model's metadata names without defining it: what it is and where it is used."""

    type: str
    full_name: str
    defined: Literal[False] = False
    referenced: ReferencedOut
    dependencies: list[DependencyOut]
    used_by: list[DependencyOut]


class SearchHit(Schema):
    type: str
    full_name: str
    label: str
    parent: str | None
    namespace: str | None
    score: int | float  # whole numbers stay integers in the JSON, as before
    matched: str


class SearchOut(Schema):
    query: str
    items: list[SearchHit]


class TypeCount(Schema):
    type: str
    count: int


class TypeGroup(Schema):
    namespace: str | None
    total: int
    types: list[TypeCount]


class TypeTreeOut(Schema):
    groups: list[TypeGroup]


class EdgeOut(DependencyOut):
    depth: int
    via: str | None


class ImpactOut(Schema):
    depth: int
    count: int
    items: list[EdgeOut]


class CompareLine(Schema):
    kind: str
    type: str
    full_name: str
    label: str
    attributes: dict[str, list[Any]] | None


class CompareOut(Schema):
    a: int
    b: int
    counts: dict[str, int]
    count: int
    page: int
    pages: int
    items: list[CompareLine]


# --- syncs and webhooks ---------------------------------------------------------------------


class SyncQueued(Schema):
    queued: bool
    connection: int


class SyncRunOut(Schema):
    id: int
    model: int
    trigger: str
    status: str
    stage: str
    progress: int
    started_at: datetime
    finished_at: datetime | None
    version: int | None
    api_calls: int
    stages: dict[str, Any]
    added: int
    changed: int
    removed: int
    unchanged: int
    warnings: list[Any]
    error: str
    report: dict[str, Any]  # the import report: skipped files, collisions, identical copies, project


class ConnectionSettingsOut(Schema):
    recipients: list[str]
    sync_time: str
    manual_sync_only: bool


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    active: bool
    last_status: str


class WebhookCreated(Schema):
    id: int
    url: str
    events: list[str]
    secret: str


# --- documentation ----------------------------------------------------------------------------


class PresenceOut(Schema):
    model: int
    name: str
    kind: str
    status: str


class RevisionOut(Schema):
    revision: int
    author: str
    at: str
    model: str | None
    diff: str


class DocumentationDetail(Schema):
    type: str
    full_name: str
    revision: int
    documentation: DocumentationOut | None
    presence: list[PresenceOut]
    revisions: list[RevisionOut]


class UnmatchedRow(Schema):
    line: int
    type: str
    full_name: str


class DocumentationImported(Schema):
    imported: int
    unmatched: list[UnmatchedRow]


class ReferenceModelOut(Schema):
    id: int
    name: str
    kind: str


class TreeNodeOut(Schema):
    id: int
    depth: int
    parent: int | None
    name: str
    custom_id: str | None
    description: str


class TreeOut(Schema):
    nodes: list[TreeNodeOut]


class NodeOut(Schema):
    id: int
    name: str
    custom_id: str | None
    parent: int | None


class TreeImported(Schema):
    nodes: int


class ProposedOut(Schema):
    id: int
    type: str
    full_name: str
    status: str


class Undocumented(Schema):
    type: str
    full_name: str
    label: str
    used_by: int


class CoverageDay(Schema):
    day: str
    covered: int
    total: int


class CoverageOut(Schema):
    covered: int
    total: int
    percent: int
    by_type: dict[str, dict[str, int]]
    undocumented: list[Undocumented]
    history: list[CoverageDay]


class NodeEnd(Schema):
    node: int
    name: str
    custom_id: str | None
    model: int
    model_name: str


class ComponentEnd(Schema):
    type: str
    full_name: str
    model: int
    model_name: str


class ManualLinkOut(Schema):
    id: int
    direction: str
    description: str
    other: NodeEnd | ComponentEnd | None


class LinkDeleted(Schema):
    deleted: int
