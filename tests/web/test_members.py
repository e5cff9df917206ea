"""Members page: invitations by email, joining by link, roles, and never losing the last admin."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from orgbook.spaces.models import Invitation, Membership, Role
from tests.web.conftest import text


def invitation_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_admin_invites_by_email_and_the_link_lets_a_newcomer_sign_up_and_join(web_as: Any, people: Any) -> None:
    response = web_as("alice").post("/s/acme/members/invite/", {"email": "Nina@Example.com", "role": "editor"}, follow=True)
    assert "Invitation sent to nina@example.com" in text(response)
    assert "nina@example.com" in text(response)  # listed as pending
    assert mail.outbox[-1].to == ["nina@example.com"]
    link = invitation_link(mail.outbox[-1].body)

    newcomer = Client()
    landing = newcomer.get(link)
    assert "invited nina@example.com to Acme as Editor" in text(landing)
    assert "Log in or create an account first" in text(landing)
    signup = newcomer.post(f"/signup/?next={link}", {"email": "nina@example.com", "password": "a-long-unusual-passphrase", "next": link})
    assert signup["Location"] == link
    joined = newcomer.post(link, follow=True)
    assert "You joined Acme as Editor." in text(joined)
    assert Membership.objects.get(space=people["acme"], user__email="nina@example.com").role == Role.EDITOR
    assert "already been used" in text(newcomer.get(link))


def test_an_existing_user_logs_in_then_joins(people: Any) -> None:
    invitation = Invitation.objects.create(space=people["globex"], email="alice@example.com", role=Role.VIEWER)
    client = Client()
    link = f"/invitations/{invitation.token}/"
    login = client.post("/login/", {"username": "alice@example.com", "password": "correct-horse-battery", "next": link})
    assert login["Location"] == link
    client.post(link)
    assert Membership.objects.filter(space=people["globex"], user=people["alice"], role=Role.VIEWER).exists()


def test_expired_invitation_is_refused_with_what_to_do(web_as: Any, people: Any) -> None:
    invitation = Invitation.objects.create(
        space=people["acme"], email="late@example.com", expires_at=timezone.now() - timedelta(minutes=1)
    )
    client = web_as("mallory")
    for response in (client.get(f"/invitations/{invitation.token}/"), client.post(f"/invitations/{invitation.token}/")):
        assert response.status_code == 410
        assert "This invitation has expired. Ask a Space admin to invite you again." in text(response)
    assert not Membership.objects.filter(space=people["acme"], user=people["mallory"]).exists()
    assert "late@example.com Viewer Expired Send again" in text(web_as("alice").get("/s/acme/members/"))


def test_unknown_invitation_link_is_404(client: Any, db: Any) -> None:
    response = client.get("/invitations/not-a-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in text(response)


def test_inviting_a_member_again_is_refused(web_as: Any, people: Any) -> None:
    response = web_as("alice").post("/s/acme/members/invite/", {"email": "vera@example.com", "role": "viewer"})
    assert response.status_code == 400
    assert "vera@example.com is already a member of Acme." in text(response)


def test_change_role(web_as: Any, people: Any) -> None:
    vera = Membership.objects.get(user=people["vera"])
    page = text(web_as("alice").post(f"/s/acme/members/{vera.pk}/role/", {"role": "editor"}, follow=True))
    assert "vera@example.com is now Editor." in page
    vera.refresh_from_db()
    assert vera.role == Role.EDITOR


def test_last_admin_cannot_be_removed_or_demoted(web_as: Any, people: Any) -> None:
    alice = Membership.objects.get(user=people["alice"], space=people["acme"])
    client = web_as("alice")
    removed = text(client.post(f"/s/acme/members/{alice.pk}/remove/", {"confirm": "remove"}, follow=True))
    assert "This is the last Space admin and cannot be removed. Make someone else a Space admin first." in removed
    demoted = text(client.post(f"/s/acme/members/{alice.pk}/role/", {"role": "viewer"}, follow=True))
    assert "This is the last Space admin. Make someone else a Space admin first." in demoted
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN


def test_remove_a_member(web_as: Any, people: Any) -> None:
    eddie = Membership.objects.get(user=people["eddie"])
    page = text(web_as("alice").post(f"/s/acme/members/{eddie.pk}/remove/", {"confirm": "remove"}, follow=True))
    assert "eddie@example.com was removed from Acme." in page
    assert not Membership.objects.filter(pk=eddie.pk).exists()


def test_viewers_see_members_but_cannot_manage_them(web_as: Any, people: Any) -> None:
    client = web_as("vera")
    page = text(client.get("/s/acme/members/"))
    assert "alice@example.com never Space admin" in page
    assert "Invite someone" not in page and "Remove" not in page
    eddie = Membership.objects.get(user=people["eddie"])
    assert client.post("/s/acme/members/invite/", {"email": "x@example.com", "role": "admin"}).status_code == 403
    assert client.post(f"/s/acme/members/{eddie.pk}/remove/", {"confirm": "remove"}).status_code == 403
    assert client.post(f"/s/acme/members/{eddie.pk}/role/", {"role": "admin"}).status_code == 403
    assert Membership.objects.filter(pk=eddie.pk, role=Role.EDITOR).exists()
    assert not Invitation.objects.exists()
