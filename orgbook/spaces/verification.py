"""Proof that a person owns an email address, for joining the Spaces that invited it.

An invitation is accepted with its link (spaces/members.accept), which went to the invited address:
following it is the proof. Someone who signs up as an invited address *without* that link (open
sign-up, ORGBOOK_SIGNUP=open) proves nothing by typing the address, so they get a verification email
instead: a signed link naming the account and its address, valid ORGBOOK_INVITATION_DAYS days.
Following it joins every invitation pending for the address then; until then the account is in no
Space it was invited to.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail

from orgbook.errors import Invalid
from orgbook.spaces import members
from orgbook.spaces.models import Invitation, Membership

SALT = "orgbook.spaces.verification"


def link_for(user: Any) -> str:
    signed = signing.dumps({"user": user.pk, "email": (user.email or "").lower()}, salt=SALT, compress=True)
    return f"{settings.BASE_URL}/verify-email/{signed}/"


def send(user: Any, invitations: list[Invitation]) -> None:
    spaces = ", ".join(sorted({i.space.name for i in invitations}))
    send_mail(
        "Confirm your email address to join on Orgbook",
        f"An Orgbook account was made with this address, which is invited to {spaces}.\n\n"
        f"If it was you, follow this link within {settings.ORGBOOK_INVITATION_DAYS} days to confirm the "
        f"address and join: {link_for(user)}\n\nIf it was not you, ignore this email: nobody joins without it.\n",
        None,
        [user.email],
    )


def on_signup(user: Any) -> list[Invitation]:
    """After a sign-up without an invitation link: the invitations waiting for the address, each
    announced by one verification email (none sent when there are none)."""
    waiting = members.pending_for(user.email or "")
    if waiting:
        send(user, waiting)
    return waiting


def confirm(signed: str) -> tuple[Any, list[Membership]]:
    """The account a verification link names, and the Spaces it joined by following it."""
    try:
        data = signing.loads(signed, salt=SALT, max_age=settings.ORGBOOK_INVITATION_DAYS * 86400)
    except signing.SignatureExpired:
        raise Invalid("This confirmation link has expired. Ask a Space admin to invite you again: "
                      "the invitation's own link lets you join.") from None
    except signing.BadSignature:
        raise Invalid("This confirmation link is not valid. Open the link from the email exactly as it was "
                      "sent, or ask a Space admin to invite you again.") from None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or (user.email or "").lower() != data.get("email"):
        raise Invalid("This confirmation link is for an account that no longer has this address. "
                      "Ask a Space admin to invite you again.")
    return user, members.accept_verified(user)
