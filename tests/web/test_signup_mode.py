"""Who may make an account and a Space (ORGBOOK_SIGNUP). By default, accounts come by invitation only,
for the invited address, and Spaces are made by the installation's staff; once anyone could sign up
and any new account could create a Space."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from orgbook.spaces import members
from orgbook.spaces.models import Membership, Role, Space
from tests.web.conftest import text

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-unusual-passphrase"


def test_by_default_there_is_no_sign_up_without_an_invitation(db: Any) -> None:
    client = Client()
    page = client.get("/signup/")
    assert page.status_code == 403 and "ask one of its admins to invite your email address" in text(page)
    refused = client.post("/signup/", {"email": "mallet@example.com", "password": PASSWORD})
    assert refused.status_code == 403
    assert not get_user_model().objects.filter(username="mallet@example.com").exists()


def test_an_invitation_lets_its_address_sign_up_and_join(people: dict[str, Any]) -> None:
    invitation = members.invite(people["acme"], "nina@example.com", Role.EDITOR, people["alice"])
    link = f"/invitations/{invitation.token}/"
    newcomer = Client()
    other = newcomer.post(f"/signup/?next={link}", {"email": "mallet@example.com", "password": PASSWORD, "next": link})
    assert "This invitation is for nina@example.com" in text(other)
    assert not get_user_model().objects.filter(username="mallet@example.com").exists()
    signed_up = newcomer.post(f"/signup/?next={link}", {"email": "Nina@example.com", "password": PASSWORD, "next": link})
    assert signed_up.status_code == 302 and signed_up["Location"] == link
    newcomer.post(link)
    assert Membership.objects.get(user__username="nina@example.com").space == people["acme"]


def test_a_used_or_unknown_invitation_opens_no_sign_up(people: dict[str, Any]) -> None:
    invitation = members.invite(people["acme"], "nina@example.com", Role.EDITOR, people["alice"])
    members.accept(invitation.token, get_user_model().objects.create_user("nina@example.com", "nina@example.com"))
    for link in (f"/invitations/{invitation.token}/", "/invitations/no-such-token/"):
        assert Client().get(f"/signup/?next={link}").status_code == 403


def test_only_staff_create_spaces_by_default(people: dict[str, Any]) -> None:
    member = Client()
    member.force_login(people["vera"])
    assert member.get("/spaces/new/").status_code == 403
    assert member.post("/spaces/new/", {"name": "Rogue", "time_zone": "UTC"}).status_code == 403
    assert "+ Create a Space" not in member.get("/s/acme/").content.decode()
    assert not Space.objects.filter(name="Rogue").exists()
    staff = people["mallory"]
    staff.is_staff = True
    staff.save()
    operator = Client()
    operator.force_login(staff)
    assert operator.post("/spaces/new/", {"name": "Initech", "time_zone": "UTC"}).status_code == 302
    assert Space.objects.filter(name="Initech").exists()


def test_open_sign_up_lets_anyone_in_and_create_a_space(db: Any, settings: Any) -> None:
    settings.ORGBOOK_SIGNUP = "open"
    client = Client()
    assert client.post("/signup/", {"email": "new@example.com", "password": PASSWORD}).status_code == 302
    assert client.post("/spaces/new/", {"name": "Initech", "time_zone": "UTC"}).status_code == 302
