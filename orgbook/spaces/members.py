"""Membership rules: invitations, roles, and never losing the last Space admin."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from orgbook.errors import Conflict, Forbidden, Invalid, NotFound
from orgbook.spaces import audit
from orgbook.spaces.models import Invitation, Membership, Role, Space


def is_email(text: str) -> bool:
    """Django's own email rule, the one its forms apply."""
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise Invalid(f"Role must be one of {', '.join(Role.values)}; got {role!r}.")
    return role


def invite(space: Space, email: str, role: str, by: Any) -> Invitation:
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    if not is_email(email):
        raise Invalid(f"{email!r} is not an email address. Give the address of the person to invite.", field="email")
    _check_role(role)
    if Membership.objects.filter(space=space, user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of {space.name}.")
    invitation = Invitation.objects.create(space=space, email=email, role=role, invited_by=by)
    _send(invitation, by)
    audit.record(space, by, "member.invited", invitation, after={"email": email, "role": role})
    return invitation


def _send(invitation: Invitation, by: Any) -> None:
    link = f"{settings.BASE_URL}/invitations/{invitation.token}/"
    send_mail(
        f"You are invited to {invitation.space.name} on Orgbook",
        f"{by.email} invited you to {invitation.space.name} as {invitation.get_role_display()}.\n\n"
        f"Accept before {invitation.expires_at:%Y-%m-%d %H:%M} UTC: {link}\n",
        None,
        [invitation.email],
    )


def resend_invitation(invitation: Invitation, by: Any) -> Invitation:
    """Send a pending invitation again with a new link and expiry (the old link stops working)."""
    if invitation.accepted_at is not None:
        raise Conflict(f"{invitation.email} has already joined with this invitation.")
    invitation.renew()
    _send(invitation, by)
    audit.record(invitation.space, by, "member.invitation_resent", invitation,
                 after={"email": invitation.email, "role": invitation.role, "expires_at": invitation.expires_at.isoformat()})
    return invitation


def revoke_invitation(invitation: Invitation, by: Any) -> None:
    """Withdraw a pending invitation: its link answers "not valid" from now on."""
    if invitation.accepted_at is not None:
        raise Conflict(f"{invitation.email} has already joined with this invitation; remove the member instead.")
    audit.record(invitation.space, by, "member.invitation_revoked", invitation,
                 before={"email": invitation.email, "role": invitation.role})
    invitation.delete()


def accept(token: str, user: Any) -> Membership:
    """Join by the invitation's link. Following the link is the proof that the person owns the invited
    address (it was sent there), so the account only has to carry that address."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token=token).first()
        if invitation is None:
            raise NotFound("This invitation link is not valid. Ask a Space admin for a new one.")
        if invitation.accepted_at is not None:
            raise Conflict("This invitation has already been used. Ask a Space admin for a new one.")
        if invitation.is_expired():
            raise Invalid("This invitation has expired. Ask a Space admin to invite you again.")
        # The link is sent to one address: a forwarded link must not let someone else in.
        if (user.email or "").strip().lower() != invitation.email:
            raise Forbidden(f"This invitation is for {invitation.email}. Log in (or sign up) with that address, "
                            "or ask a Space admin to invite the address you use.")
        return _join(invitation, user, "invitation link")


def _join(invitation: Invitation, user: Any, proof: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        space=invitation.space, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(invitation.space, user, "member.joined", membership, after={"role": membership.role, "proof": proof})
    return membership


def pending_for(email: str) -> list[Invitation]:
    """The invitations an address could still accept, oldest first."""
    found = Invitation.objects.select_related("space").filter(email=email.strip().lower(), accepted_at=None,
                                                              expires_at__gt=timezone.now())
    return list(found.order_by("created_at"))


def accept_verified(user: Any) -> list[Membership]:
    """Join every pending invitation for the account's address, once the address is proven by the
    verification link sent to it (spaces/verification.py): signing up as an invited address is no proof."""
    joined = []
    with transaction.atomic():
        for invitation in Invitation.objects.select_for_update().filter(
                pk__in=[i.pk for i in pending_for(user.email or "")]).select_related("space"):
            if invitation.is_usable() and not Membership.objects.filter(space=invitation.space, user=user).exists():
                joined.append(_join(invitation, user, "verification link"))
    return joined


def change_role(membership: Membership, role: str, by: Any) -> Membership:
    _check_role(role)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.ADMIN and role != Role.ADMIN and _admin_count(locked.space) <= 1:
            raise Conflict("This is the last Space admin. Make someone else a Space admin first.")
        before = {"role": locked.role}
        locked.role = role
        locked.save(update_fields=["role"])
        audit.record(locked.space, by, "member.role_changed", locked, before=before, after={"role": role})
        return locked


def remove(membership: Membership, by: Any) -> None:
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        refusal = locked.removal_refused(_admin_count(locked.space))
        if refusal:
            raise Conflict(refusal)
        audit.record(locked.space, by, "member.removed", locked, before={"email": locked.user.email, "role": locked.role})
        locked.delete()


def _admin_count(space: Space) -> int:
    # Lock every admin row so two concurrent demotions cannot both see "another admin exists".
    return len(list(Membership.objects.select_for_update().filter(space=space, role=Role.ADMIN)))


def pending_invitation(token: str) -> Invitation | None:
    """The invitation a link names, while it can still be accepted."""
    found = Invitation.objects.select_related("space").filter(token=token, accepted_at=None).first()
    return found if found is not None and not found.is_expired() else None
