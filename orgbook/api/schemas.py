from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorOut(Schema):
    error: ErrorBody


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


class ImplementationPage(Schema):
    items: list[ImplementationOut]
    count: int
    page: int
    pages: int


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


class AuditPage(Schema):
    items: list[AuditOut]
    count: int
    page: int
    pages: int


SubscriptionOut.model_rebuild()
