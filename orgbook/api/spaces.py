"""Spaces, implementations, subscription, members and audit endpoints."""

from __future__ import annotations

import math
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from ninja import Router, Status

from orgbook.api import schemas as s
from orgbook.errors import Invalid, NotFound
from orgbook.implementations import lifecycle
from orgbook.implementations.access import get_implementation
from orgbook.implementations.models import Implementation, OrgConnection, Renewal
from orgbook.spaces import members
from orgbook.spaces.models import AuditEvent, Membership
from orgbook.spaces.permissions import Action, authorize

router = Router(tags=["spaces"])
ERRORS: dict[int, Any] = {400: s.ErrorOut, 401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut}
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


def _page(qs: QuerySet[Any], page: int) -> tuple[list[Any], int, int]:
    paginator = Paginator(qs, PAGE_SIZE)
    if page < 1 or (page > paginator.num_pages and paginator.count):
        raise Invalid(f"page must be between 1 and {max(1, paginator.num_pages)}.")
    return list(paginator.get_page(page).object_list), paginator.count, max(1, math.ceil(paginator.count / PAGE_SIZE))


@router.get("/spaces", response=list[s.SpaceOut])
def list_spaces(request: HttpRequest) -> list[dict[str, Any]]:
    user: Any = request.user
    return [_space_out(m) for m in Membership.objects.filter(user=user).select_related("space")]


@router.get("/spaces/{space}", response={200: s.SpaceOut, **ERRORS})
def get_space(request: HttpRequest, space: str) -> dict[str, Any]:
    return _space_out(authorize(request.user, space, Action.VIEW_SPACE))


@router.get("/spaces/{space}/implementations", response={200: s.ImplementationPage, **ERRORS})
def list_implementations(
    request: HttpRequest, space: str, page: int = 1, sort: str = "name", status: str | None = None, q: str | None = None
) -> dict[str, Any]:
    membership = authorize(request.user, space, Action.VIEW_IMPLEMENTATIONS)
    if sort not in SORTS:
        raise Invalid(f"sort must be one of {', '.join(SORTS)}.")
    qs = Implementation.objects.filter(space=membership.space).prefetch_related("connections").order_by(SORTS[sort], "pk")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q)
    items, count, pages = _page(qs, page)
    return {"items": [_impl_out(i) for i in items], "count": count, "page": page, "pages": pages}


@router.post("/spaces/{space}/implementations", response={201: s.ImplementationOut, **ERRORS})
def create_implementation(request: HttpRequest, space: str, payload: s.ImplementationIn) -> Status[Any]:
    membership = authorize(request.user, space, Action.CREATE_IMPLEMENTATION)
    impl = lifecycle.create_implementation(membership.space, request.user, payload.name, payload.description)
    return Status(201, _impl_out(impl))


@router.get("/spaces/{space}/implementations/{id:impl_id}", response={200: s.ImplementationOut, **ERRORS})
def get_impl(request: HttpRequest, space: str, impl_id: int) -> dict[str, Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.VIEW_IMPLEMENTATIONS)
    return _impl_out(impl)


@router.patch("/spaces/{space}/implementations/{id:impl_id}", response={200: s.ImplementationOut, **ERRORS})
def patch_impl(request: HttpRequest, space: str, impl_id: int, payload: s.ImplementationPatch) -> dict[str, Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.UPDATE_IMPLEMENTATION)
    changes = payload.model_dump(exclude_unset=True)
    return _impl_out(lifecycle.update_implementation(impl, request.user, **changes))


@router.delete("/spaces/{space}/implementations/{id:impl_id}", response={204: None, **ERRORS})
def delete_impl(request: HttpRequest, space: str, impl_id: int, payload: s.DeleteIn | None = None) -> Status[Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.DELETE_IMPLEMENTATION)
    lifecycle.delete_implementation(impl, request.user, payload.confirm if payload else None)
    return Status(204, None)


@router.post("/spaces/{space}/implementations/{id:impl_id}/reactivate", response={200: s.ImplementationOut, **ERRORS})
def reactivate(request: HttpRequest, space: str, impl_id: int) -> dict[str, Any]:
    _, impl = get_implementation(request.user, space, impl_id, Action.REACTIVATE_IMPLEMENTATION)
    return _impl_out(lifecycle.reactivate(impl, request.user))


@router.get("/spaces/{space}/implementations/{id:impl_id}/content", response={200: dict, **ERRORS})
def implementation_content(request: HttpRequest, space: str, impl_id: int) -> dict[str, Any]:
    """What an implementation holds (org connections now; models and documentation as they land)."""
    _, impl = get_implementation(request.user, space, impl_id, Action.VIEW_CONTENT)
    return {"implementation": impl.pk, "connections": [_conn_out(c) for c in impl.connections.all()]}


def _renewal_out(r: Renewal) -> dict[str, Any]:
    return {"id": r.pk, "connection_licences": r.connection_licences, "effective_on": r.effective_on,
            "applied_at": r.applied_at, "suspended": r.suspended}


@router.get("/spaces/{space}/subscription", response={200: s.SubscriptionOut, **ERRORS})
def subscription(request: HttpRequest, space: str) -> dict[str, Any]:
    sp = authorize(request.user, space, Action.VIEW_SUBSCRIPTION).space
    active = sp.active_implementation_count()
    return {"plan": sp.plan, "connection_licences": sp.connection_licences, "active_implementations": active,
            "free_licences": max(0, sp.connection_licences - active), "trial_ends_at": sp.trial_ends_at,
            "pending_renewals": [_renewal_out(r) for r in sp.renewals.filter(applied_at=None)]}  # type: ignore[attr-defined]


@router.get("/spaces/{space}/subscription/renewals", response={200: list[s.RenewalOut], **ERRORS})
def list_renewals(request: HttpRequest, space: str) -> list[dict[str, Any]]:
    sp = authorize(request.user, space, Action.VIEW_SUBSCRIPTION).space
    return [_renewal_out(r) for r in sp.renewals.all()]  # type: ignore[attr-defined]


@router.post("/spaces/{space}/subscription/renewals",
             response={200: s.RenewalPreviewOut, 201: s.RenewalOut, **ERRORS})
def renew(request: HttpRequest, space: str, payload: s.RenewalIn) -> Status[Any]:
    sp = authorize(request.user, space, Action.MANAGE_SUBSCRIPTION).space
    effective = lifecycle.clean_date(payload.effective_date)
    if payload.preview:
        plan = lifecycle.plan_renewal(sp, payload.connection_licences, payload.keep, effective)
        return Status(200, {"preview": True, **plan.as_dict()})
    renewal = lifecycle.renew(sp, request.user, payload.connection_licences, payload.keep, effective)
    return Status(201, _renewal_out(renewal))


@router.get("/spaces/{space}/members", response={200: list[s.MemberOut], **ERRORS})
def list_members(request: HttpRequest, space: str) -> list[dict[str, Any]]:
    sp = authorize(request.user, space, Action.VIEW_MEMBERS).space
    return [{"id": m.pk, "email": m.user.email, "role": m.role} for m in sp.memberships.select_related("user")]  # type: ignore[attr-defined]


@router.post("/spaces/{space}/invitations", response={201: s.InvitationOut, **ERRORS})
def invite(request: HttpRequest, space: str, payload: s.InvitationIn) -> Status[Any]:
    sp = authorize(request.user, space, Action.MANAGE_MEMBERS).space
    inv = members.invite(sp, payload.email, payload.role, request.user)
    return Status(201, {"id": inv.pk, "email": inv.email, "role": inv.role, "expires_at": inv.expires_at})


def _member(space_pk: int, member_id: int) -> Membership:
    m = Membership.objects.select_related("space", "user").filter(space_id=space_pk, pk=member_id).first()
    if m is None:
        raise NotFound("No such member in this Space.")
    return m


@router.patch("/spaces/{space}/members/{id:member_id}", response={200: s.MemberOut, **ERRORS})
def change_role(request: HttpRequest, space: str, member_id: int, payload: s.RoleIn) -> dict[str, Any]:
    sp = authorize(request.user, space, Action.MANAGE_MEMBERS).space
    m = members.change_role(_member(sp.pk, member_id), payload.role, request.user)
    return {"id": m.pk, "email": m.user.email, "role": m.role}


@router.delete("/spaces/{space}/members/{id:member_id}", response={204: None, **ERRORS})
def remove_member(request: HttpRequest, space: str, member_id: int) -> Status[Any]:
    sp = authorize(request.user, space, Action.MANAGE_MEMBERS).space
    members.remove(_member(sp.pk, member_id), request.user)
    return Status(204, None)


@router.get("/spaces/{space}/audit", response={200: s.AuditPage, **ERRORS})
def audit_log(request: HttpRequest, space: str, page: int = 1, action: str | None = None) -> dict[str, Any]:
    sp = authorize(request.user, space, Action.VIEW_AUDIT).space
    qs = AuditEvent.objects.filter(space=sp)
    if action:
        qs = qs.filter(action__startswith=action)
    items, count, pages = _page(qs, page)
    return {"items": [{"id": e.pk, "at": e.at, "actor": e.actor_email, "action": e.action, "target_type": e.target_type,
                       "target_id": e.target_id, "target": e.target_repr, "before": e.before, "after": e.after}
                      for e in items], "count": count, "page": page, "pages": pages}
