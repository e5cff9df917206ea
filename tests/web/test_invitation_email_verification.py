"""Joining a Space needs proof of owning the invited address: the invitation's own link (it was sent
there), or the verification link Orgbook emails when someone signs up as an invited address without it.
Once, with open sign-up, typing the invited address was enough to be that person."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from orgbook.spaces import members
from orgbook.spaces.models import AuditEvent, Membership, Role
from tests.web.conftest import text

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture
def open_signup(settings: Any) -> None:
    settings.ORGBOOK_SIGNUP = "open"


def verification_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/verify-email/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_signing_up_as_an_invited_address_joins_only_after_the_emailed_link(people: dict[str, Any],
                                                                           open_signup: None) -> None:
    members.invite(people["acme"], "nina@example.com", Role.EDITOR, people["alice"])
    members.invite(people["globex"], "nina@example.com", Role.VIEWER, people["mallory"])
    mail.outbox.clear()
    someone = Client()
    signed_up = someone.post("/signup/", {"email": "Nina@example.com", "password": PASSWORD}, follow=True)
    assert "We sent a link to that address" in text(signed_up) and "invited to Acme, Globex" in text(signed_up)
    assert not Membership.objects.filter(user__email="nina@example.com").exists()  # the address is not proven
    assert someone.get("/s/acme/").status_code == 404
    assert [m.to for m in mail.outbox] == [["nina@example.com"]]
    link = verification_link(mail.outbox[0].body)

    confirmed = someone.get(link)
    assert confirmed.status_code == 200
    assert "You joined Acme as Editor." in text(confirmed) and "You joined Globex as Viewer." in text(confirmed)
    joined = Membership.objects.filter(user__email="nina@example.com")
    assert {(m.space.name, m.role) for m in joined} == {("Acme", Role.EDITOR), ("Globex", Role.VIEWER)}
    event = AuditEvent.objects.get(space=people["acme"], action="member.joined")
    assert event.after == {"role": "editor", "proof": "verification link"}
    # The link joins what is pending once; used again, it says there is nothing left.
    assert "no invitation left to join" in text(someone.get(link))
    assert joined.count() == 2


def test_a_tampered_or_expired_verification_link_joins_nothing(people: dict[str, Any], open_signup: None) -> None:
    members.invite(people["acme"], "nina@example.com", Role.EDITOR, people["alice"])
    with time_machine.travel("2026-03-02 10:00:00+00:00"):
        Client().post("/signup/", {"email": "nina@example.com", "password": PASSWORD})
    link = verification_link(mail.outbox[-1].body)
    forged = Client().get(link[:-3] + "xx/")
    assert forged.status_code == 410 and "This confirmation link is not valid" in text(forged)
    with time_machine.travel("2026-03-10 10:00:00+00:00"):  # after ORGBOOK_INVITATION_DAYS (7)
        expired = Client().get(link)
    assert expired.status_code == 410 and "This confirmation link has expired" in text(expired)
    assert not Membership.objects.filter(user__email="nina@example.com").exists()


def test_the_invitation_link_itself_is_the_proof(people: dict[str, Any], open_signup: None) -> None:
    invitation = members.invite(people["acme"], "nina@example.com", Role.EDITOR, people["alice"])
    mail.outbox.clear()
    link = f"/invitations/{invitation.token}/"
    newcomer = Client()
    signed_up = newcomer.post(f"/signup/?next={link}", {"email": "nina@example.com", "password": PASSWORD,
                                                        "next": link})
    assert signed_up["Location"] == link and mail.outbox == []  # no second email: the link was followed
    assert "You joined Acme as Editor." in text(newcomer.post(link, follow=True))
    assert AuditEvent.objects.get(action="member.joined").after["proof"] == "invitation link"


def test_a_sign_up_nobody_invited_gets_no_email(db: Any, open_signup: None) -> None:
    Client().post("/signup/", {"email": "new@example.com", "password": PASSWORD})
    assert mail.outbox == []


def test_by_default_an_address_signs_up_only_through_its_invitation_link(people: dict[str, Any]) -> None:
    members.invite(people["acme"], "nina@example.com", Role.EDITOR, people["alice"])
    refused = Client().post("/signup/", {"email": "nina@example.com", "password": PASSWORD})
    assert refused.status_code == 403 and not Membership.objects.filter(user__email="nina@example.com").exists()
