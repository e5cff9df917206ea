"""Spaces, implementations, subscription, members and audit endpoints."""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Lower
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from orgbook.api import schemas as s
from orgbook.api.pagination import Pages, Rows
from orgbook.api.schemas import READ, REMOVE, WRITE, errors
from orgbook.errors import Invalid, NotFound
from orgbook.implementations import lifecycle
from orgbook.implementations.access import get_implementation
from orgbook.implementations.models import Implementation, OrgConnection, Renewal
from orgbook.spaces import members
from orgbook.spaces.models import AuditEvent, Membership
from orgbook.spaces.permissions import Action, authorize

router = Router(tags=["spaces"])
PAGE_SIZE = 50
SORTS: dict[str, Any] = {"name": Lower("name").asc(), "-name": Lower("name").desc(), "created": "created_at", "-created": "-created_at",
         "activity": "last_activity_at", "-activity": "-last_activity_at", "status": "status"}


def _space_out(m: Membership) -> dict[str, Any]:
    sp = m.space
    return {"id": sp.pk, "slug": sp.slug, "name": sp.name, "plan": sp.plan,
            "connection_licences": sp.connection_licences,
            "active_implementations": sp.active_implementation_count(),
            "trial_ends_at": sp.trial_ends_at, "time_zone": sp.time_zone, "role": m.role}


def _conn_out(c: OrgConnection) -> dict[str, Any]:
    return {"id": c.pk, "kind": c.kind, "org_id": c.org_id, "org_name": c.org_name, "sandbox_name": c.sandbox_name,
            "my_domain": c.my_domain, "status": c.status, "status_reason": c.status_reason}


def _impl_out(i: Implementation) -> dict[str, Any]:
    prod = i.production_org()
    return {"id": i.pk, "name": i.name, "description": i.description, "status": i.status,
            "suspended_at": i.suspended_at, "purge_on": i.purge_due_at(), "created_at": i.created_at,
            "last_activity_at": i.last_activity_at, "production": _conn_out(prod) if prod else None,
            "sandboxes": [_conn_out(c) for c in i.sandboxes()]}


@router.get("/spaces", response={200: list[s.SpaceOut], **errors()})
def list_spaces(request: HttpRequest) -> list[dict[str, Any]]:
    user: Any = request.user
    return [_space_out(m) for m in Membership.objects.filter(user=user).select_related("space")]


@router.get("/spaces/{space}", response={200: s.SpaceOut, **errors(404)})
def get_space(request: HttpRequest, space: str) -> dict[str, Any]:
    return _space_out(authorize(request.user, space, Action.VIEW_SPACE))


@router.get("/spaces/{space}/implementations", response={200: list[s.ImplementationOut], **READ})
@paginate(Pages, page_size=PAGE_SIZE)
def list_implementations(
    request: HttpRequest, space: str, sort: str = "name", status: str | None = None, q: str | None = None
) -> Rows:
    membership = authorize(request.user, space, Action.VIEW_IMPLEMENTATIONS)
    if sort not in SORTS:
        raise Invalid(f"sort must be one of {', '.join(SORTS)}.")
    qs = Implementation.objects.filter(space=membership.space).prefetch_related("connections").order_by(SORTS[sort], "pk")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q)
    return Rows(qs, shape=_impl_out)


@router.post("/spaces/{space}/implementations", response={201: s.ImplementationOut, **WRITE})
def create_implementation(request: HttpRequest, space: str, payload: s.ImplementationIn) -> Status[Any]:
    membership = authorize(request.user, space, Action.CREATE_IMPLEMENTATION)
    impl = lifecycle.create_implementation(membership.space, request.user, payload.name, payload.description)
    return Status(201, _impl_out(impl))


@router.get("/spaces/{space}/implementations/{id:impl_id}", response={200: s.ImplementationOut, **errors(404)})
def get_impl(request: HttpRequest, space: str, impl_id: int) -> dict[str, Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.VIEW_IMPLEMENTATIONS)
    return _impl_out(impl)


@router.patch("/spaces/{space}/implementations/{id:impl_id}", response={200: s.ImplementationOut, **WRITE})
def patch_impl(request: HttpRequest, space: str, impl_id: int, payload: s.ImplementationPatch) -> dict[str, Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.UPDATE_IMPLEMENTATION)
    changes = payload.model_dump(exclude_unset=True)
    return _impl_out(lifecycle.update_implementation(impl, request.user, **changes))


@router.delete("/spaces/{space}/implementations/{id:impl_id}", response={204: None, **WRITE})
def delete_impl(request: HttpRequest, space: str, impl_id: int, payload: s.DeleteIn | None = None) -> Status[Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.DELETE_IMPLEMENTATION)
    lifecycle.delete_implementation(impl, request.user, payload.confirm if payload else None)
    return Status(204, None)


@router.post("/spaces/{space}/implementations/{id:impl_id}/reactivate",
             response={200: s.ImplementationOut, **REMOVE})
def reactivate(request: HttpRequest, space: str, impl_id: int) -> dict[str, Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.REACTIVATE_IMPLEMENTATION)
    return _impl_out(lifecycle.reactivate(impl, request.user))


@router.get("/spaces/{space}/implementations/{id:impl_id}/content",
            response={200: s.ImplementationContent, **errors(403, 404)})
def implementation_content(request: HttpRequest, space: str, impl_id: int) -> dict[str, Any]:
    """What an implementation holds (org connections now; models and documentation as they land)."""
    _, impl = get_implementation(request.user, space, impl_id, Action.VIEW_CONTENT)
    return {"implementation": impl.pk, "connections": [_conn_out(c) for c in impl.connections.all()]}


def _renewal_out(r: Renewal) -> dict[str, Any]:
    return {"id": r.pk, "connection_licences": r.connection_licences, "effective_on": r.effective_on,
            "applied_at": r.applied_at, "suspended": r.suspended}


@router.get("/spaces/{space}/subscription", response={200: s.SubscriptionOut, **errors(404)})
def subscription(request: HttpRequest, space: str) -> dict[str, Any]:
    sp = authorize(request.user, space, Action.VIEW_SUBSCRIPTION).space
    usage = sp.licence_usage()
    return {"plan": sp.plan, "connection_licences": usage.licences, "active_implementations": usage.active,
            "free_licences": usage.free, "trial_ends_at": sp.trial_ends_at,
            "pending_renewals": [_renewal_out(r) for r in sp.renewals.filter(applied_at=None)]}  # type: ignore[attr-defined]


@router.get("/spaces/{space}/subscription/renewals", response={200: list[s.RenewalOut], **errors(404)})
def list_renewals(request: HttpRequest, space: str) -> list[dict[str, Any]]:
    sp = authorize(request.user, space, Action.VIEW_SUBSCRIPTION).space
    return [_renewal_out(r) for r in sp.renewals.all()]  # type: ignore[attr-defined]


@router.post("/spaces/{space}/subscription/renewals",
             response={200: s.RenewalPreviewOut, 201: s.RenewalOut, **WRITE})
def renew(request: HttpRequest, space: str, payload: s.RenewalIn) -> Status[Any]:
    sp = authorize(request.user, space, Action.MANAGE_SUBSCRIPTION).space
    effective = lifecycle.clean_date(payload.effective_date)
    if payload.preview:
        plan = lifecycle.plan_renewal(sp, payload.connection_licences, payload.keep, effective)
        return Status(200, {"preview": True, **plan.as_dict()})
    renewal = lifecycle.renew(sp, request.user, payload.connection_licences, payload.keep, effective)
    return Status(201, _renewal_out(renewal))


@router.get("/spaces/{space}/members", response={200: list[s.MemberOut], **errors(404)})
def list_members(request: HttpRequest, space: str) -> list[dict[str, Any]]:
    sp = authorize(request.user, space, Action.VIEW_MEMBERS).space
    return [{"id": m.pk, "email": m.user.email, "role": m.role} for m in sp.memberships.select_related("user")]  # type: ignore[attr-defined]


@router.post("/spaces/{space}/invitations", response={201: s.InvitationOut, **WRITE})
def invite(request: HttpRequest, space: str, payload: s.InvitationIn) -> Status[Any]:
    sp = authorize(request.user, space, Action.MANAGE_MEMBERS).space
    inv = members.invite(sp, payload.email, payload.role, request.user)
    return Status(201, {"id": inv.pk, "email": inv.email, "role": inv.role, "expires_at": inv.expires_at})


def _member(space_pk: int, member_id: int) -> Membership:
    m = Membership.objects.select_related("space", "user").filter(space_id=space_pk, pk=member_id).first()
    if m is None:
        raise NotFound("No such member in this Space.")
    return m


@router.patch("/spaces/{space}/members/{id:member_id}", response={200: s.MemberOut, **WRITE})
def change_role(request: HttpRequest, space: str, member_id: int, payload: s.RoleIn) -> dict[str, Any]:
    sp = authorize(request.user, space, Action.MANAGE_MEMBERS).space
    m = members.change_role(_member(sp.pk, member_id), payload.role, request.user)
    return {"id": m.pk, "email": m.user.email, "role": m.role}


@router.delete("/spaces/{space}/members/{id:member_id}", response={204: None, **REMOVE})
def remove_member(request: HttpRequest, space: str, member_id: int) -> Status[Any]:
    sp = authorize(request.user, space, Action.MANAGE_MEMBERS).space
    members.remove(_member(sp.pk, member_id), request.user)
    return Status(204, None)


@router.get("/spaces/{space}/audit", response={200: list[s.AuditOut], **READ})
@paginate(Pages, page_size=PAGE_SIZE)
def audit_log(request: HttpRequest, space: str, action: str | None = None) -> Rows:
    sp = authorize(request.user, space, Action.VIEW_AUDIT).space
    qs = AuditEvent.objects.filter(space=sp)
    if action:
        qs = qs.filter(action__startswith=action)
    return Rows(qs, shape=_audit_out)


def _audit_out(e: AuditEvent) -> dict[str, Any]:
    return {"id": e.pk, "at": e.at, "actor": e.actor_email, "action": e.action, "target_type": e.target_type,
            "target_id": e.target_id, "target": e.target_repr, "before": e.before, "after": e.after}
