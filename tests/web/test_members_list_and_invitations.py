"""The members list shows each person's name and last sign-in; a pending invitation can be sent
again (a new link; the old one stops working) or revoked, each recorded in the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail

from orgbook.spaces import members
from orgbook.spaces.models import AuditEvent, Invitation
from tests.web.conftest import text

pytestmark = pytest.mark.django_db


def link_in(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_members_show_name_and_last_sign_in(web_as: Any, people: Any) -> None:
    eddie = people["eddie"]
    eddie.first_name = "Eddie Editor"
    eddie.last_login = datetime(2025, 11, 30, 9, 5, tzinfo=UTC)  # over a week ago: an exact date
    eddie.save()
    people["vera"].last_login = None
    people["vera"].save()
    page = text(web_as("alice").get("/s/acme/members/"))
    assert "Name Email Last sign-in Role" in page
    assert "Eddie Editor eddie@example.com 30 Nov 2025, 09:05" in page
    assert "vera@example.com never" in page


def test_a_name_given_at_sign_up_is_shown(client: Any, people: Any, web_as: Any, settings: Any) -> None:
    from orgbook.spaces.models import Membership
    settings.ORGBOOK_SIGNUP = "open"
    client.post("/signup/", {"email": "nina@example.com", "password": "a long enough pw 123", "name": "Nina Novak"})
    from django.contrib.auth import get_user_model
    nina = get_user_model().objects.get(email="nina@example.com")
    Membership.objects.create(space=people["acme"], user=nina, role="viewer")
    assert "Nina Novak nina@example.com" in text(web_as("alice").get("/s/acme/members/"))


@pytest.fixture
def pending(people: Any) -> Invitation:
    return members.invite(people["acme"], "newbie@example.com", "editor", people["alice"])


def test_send_an_invitation_again(web_as: Any, people: Any, pending: Invitation, client: Any) -> None:
    old_link = link_in(mail.outbox[-1].body)
    page = text(web_as("alice").post(f"/s/acme/invitations/{pending.pk}/resend/", follow=True))
    assert "Invitation sent again to newbie@example.com" in page and "The old link no longer works." in page
    assert len(mail.outbox) == 2 and mail.outbox[-1].to == ["newbie@example.com"]
    new_link = link_in(mail.outbox[-1].body)
    assert new_link != old_link
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200
    assert AuditEvent.objects.filter(action="member.invitation_resent", target_repr="invitation for newbie@example.com").exists()


def test_revoke_an_invitation(web_as: Any, people: Any, pending: Invitation, client: Any) -> None:
    link = link_in(mail.outbox[-1].body)
    listing = text(web_as("alice").get("/s/acme/members/"))
    assert "newbie@example.com Editor" in listing and "Send again" in listing and "Revoke" in listing
    page = text(web_as("alice").post(f"/s/acme/invitations/{pending.pk}/revoke/", follow=True))
    assert "Invitation to newbie@example.com revoked: its link no longer works." in page
    assert "Pending invitations" not in page
    assert "not valid" in text(client.get(link))
    event = AuditEvent.objects.get(action="member.invitation_revoked")
    assert event.before == {"email": "newbie@example.com", "role": "editor"}


def test_only_admins_of_the_space_may_resend_or_revoke(web_as: Any, people: Any, pending: Invitation) -> None:
    for name, status in (("eddie", 403), ("vera", 403)):
        for action in ("resend", "revoke"):
            assert web_as(name).post(f"/s/acme/invitations/{pending.pk}/{action}/").status_code == status
    assert web_as("mallory").post(f"/s/globex/invitations/{pending.pk}/revoke/").status_code == 404
    assert Invitation.objects.filter(pk=pending.pk).exists()
