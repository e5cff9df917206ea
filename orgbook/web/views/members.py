"""Members and invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from orgbook.errors import NotFound, OrgbookError
from orgbook.spaces import members
from orgbook.spaces.models import Invitation, Membership, Role
from orgbook.spaces.permissions import Action, authorize
from orgbook.web import dates
from orgbook.web.base import page, space_context
from orgbook.web.forms import InviteForm, RoleForm, add_domain_error


def _render(request: HttpRequest, membership: Membership, form: InviteForm) -> HttpResponse:
    space = membership.space
    people = list(Membership.objects.filter(space=space).select_related("user").order_by("user__email"))
    admins = sum(1 for m in people if m.role == Role.ADMIN)
    for m in people:
        # The page offers Remove only where the server would allow it (Membership.removal_refused).
        m.removable = m.removal_refused(admins) is None  # type: ignore[attr-defined]
    context = space_context(
        membership,
        form=form,
        members=people,
        invitations=list(Invitation.objects.filter(space=space, accepted_at=None).order_by("-created_at")),
        now=timezone.now(),
        roles=Role.choices,
        invitation_days=settings.ORGBOOK_INVITATION_DAYS,
    )
    return render(request, "web/members/page.html", context, status=400 if form.errors else 200)


@page
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.VIEW_MEMBERS)
    return _render(request, membership, InviteForm())


@page
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    membership = authorize(request.user, slug, Action.MANAGE_MEMBERS)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = members.invite(membership.space, form.cleaned_data["email"], form.cleaned_data["role"], request.user)
        except OrgbookError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"Invitation sent to {invitation.email}. The link works once, until "
                f"{dates.exact_with_zone(invitation.expires_at, dates.zone_named(membership.space.time_zone))}.",
            )
            return redirect("members", slug=slug)
    return _render(request, membership, form)


def _member(membership: Membership, member_id: int) -> Membership:
    target = Membership.objects.select_related("user", "space").filter(space=membership.space, pk=member_id).first()
    if target is None:
        raise NotFound("No such member in this Space.")
    return target


@page
def change_role(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = authorize(request.user, slug, Action.MANAGE_MEMBERS)
    target = _member(membership, member_id)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            members.change_role(target, form.cleaned_data["role"], request.user)
        except OrgbookError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{target.user.email} is now {Role(form.cleaned_data['role']).label}.")
    return redirect("members", slug=slug)


@page
def remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """A confirmation page first (GET, or a POST without `confirm`); the member goes only on the
    confirmation page's own POST, so one stray click removes nobody (no script needed)."""
    membership = authorize(request.user, slug, Action.MANAGE_MEMBERS)
    target = _member(membership, member_id)
    if request.method == "POST" and request.POST.get("confirm") == "remove":
        try:
            members.remove(target, request.user)
        except OrgbookError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{target.user.email} was removed from {membership.space.name}.")
            if target.user_id == request.user.pk:
                return redirect("home")
        return redirect("members", slug=slug)
    admins = Membership.objects.filter(space=membership.space, role=Role.ADMIN).count()
    context = space_context(membership, target=target, refusal=target.removal_refused(admins),
                            leaving=target.user_id == request.user.pk)
    return render(request, "web/members/remove.html", context)


def _invitation(membership: Membership, invitation_id: int) -> Invitation:
    found = Invitation.objects.select_related("space").filter(space=membership.space, pk=invitation_id,
                                                              accepted_at=None).first()
    if found is None:
        raise NotFound("No such pending invitation in this Space.")
    return found


@page
def resend_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    membership = authorize(request.user, slug, Action.MANAGE_MEMBERS)
    found = _invitation(membership, invitation_id)
    if request.method == "POST":
        members.resend_invitation(found, request.user)
        messages.success(request, f"Invitation sent again to {found.email}, with a new link that works until "
                                  f"{timezone.localtime(found.expires_at):%Y-%m-%d %H:%M} UTC. The old link no longer works.")
    return redirect("members", slug=slug)


@page
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    membership = authorize(request.user, slug, Action.MANAGE_MEMBERS)
    found = _invitation(membership, invitation_id)
    if request.method == "POST":
        members.revoke_invitation(found, request.user)
        messages.success(request, f"Invitation to {found.email} revoked: its link no longer works.")
    return redirect("members", slug=slug)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link may look; joining needs an account (log in or sign up first)."""
    found = Invitation.objects.select_related("space", "invited_by").filter(token=token).first()
    problem = None
    if found is None:
        problem = "This invitation link is not valid. Ask a Space admin for a new one."
    elif found.accepted_at is not None:
        problem = "This invitation has already been used. Ask a Space admin for a new one."
    elif found.is_expired():
        problem = "This invitation has expired. Ask a Space admin to invite you again."
    if request.method == "POST" and request.user.is_authenticated and problem is None:
        try:
            joined = members.accept(token, request.user)
        except OrgbookError as exc:
            problem = exc.message
        else:
            messages.success(request, f"You joined {joined.space.name} as {joined.get_role_display()}.")
            return redirect("implementations", slug=joined.space.slug)
    status = 404 if found is None else (410 if problem else 200)
    return render(request, "web/members/invitation.html", {"invitation": found, "problem": problem}, status=status)
