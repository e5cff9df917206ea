"""Removing a member asks first (a page of its own, no script), and one's own row offers Remove
(Leave) only while another admin remains; the server refuses the last admin whatever is posted."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.spaces.models import AuditEvent, Membership, Role
from tests.web.conftest import text

pytestmark = pytest.mark.django_db


def row(page: str, email: str) -> str:
    start = page.index(f"<td>{email}")
    return page[start:page.index("</tr>", start)]


def test_remove_asks_before_anything_is_removed(web_as: Any, people: Any) -> None:
    eddie = Membership.objects.get(user=people["eddie"])
    client = web_as("alice")
    listing = client.get("/s/acme/members/").content.decode()
    assert f'href="/s/acme/members/{eddie.pk}/remove/"' in row(listing, "eddie@example.com")
    confirm = client.get(f"/s/acme/members/{eddie.pk}/remove/")
    assert "Remove eddie@example.com from Acme?" in text(confirm)
    # A POST without the confirmation page's field (an old form, a stray click) only shows the question.
    again = client.post(f"/s/acme/members/{eddie.pk}/remove/")
    assert "Remove eddie@example.com from Acme?" in text(again)
    assert Membership.objects.filter(pk=eddie.pk).exists()
    done = text(client.post(f"/s/acme/members/{eddie.pk}/remove/", {"confirm": "remove"}, follow=True))
    assert "eddie@example.com was removed from Acme." in done
    assert not Membership.objects.filter(pk=eddie.pk).exists()
    assert AuditEvent.objects.filter(action="member.removed").count() == 1


def test_the_last_admin_is_offered_no_remove_on_their_own_row(web_as: Any, people: Any) -> None:
    alice = Membership.objects.get(user=people["alice"], space=people["acme"])
    client = web_as("alice")
    own = row(client.get("/s/acme/members/").content.decode(), "alice@example.com")
    assert "/remove/" not in own and "Last admin" in own
    page = text(client.get(f"/s/acme/members/{alice.pk}/remove/"))
    assert "You cannot leave Acme yet" in page and "Make someone else a Space admin first." in page


def test_the_server_refuses_the_last_admin_removing_themself(web_as: Any, people: Any) -> None:
    alice = Membership.objects.get(user=people["alice"], space=people["acme"])
    page = text(web_as("alice").post(f"/s/acme/members/{alice.pk}/remove/", {"confirm": "remove"}, follow=True))
    assert "This is the last Space admin and cannot be removed." in page
    assert Membership.objects.filter(pk=alice.pk, role=Role.ADMIN).exists()
    assert not AuditEvent.objects.filter(action="member.removed").exists()


def test_an_admin_may_leave_while_another_admin_remains(web_as: Any, people: Any) -> None:
    Membership.objects.filter(user=people["eddie"]).update(role=Role.ADMIN)
    alice = Membership.objects.get(user=people["alice"], space=people["acme"])
    client = web_as("alice")
    own = row(client.get("/s/acme/members/").content.decode(), "alice@example.com")
    assert "Leave" in own and f"/s/acme/members/{alice.pk}/remove/" in own
    assert "Leave Acme?" in text(client.get(f"/s/acme/members/{alice.pk}/remove/"))
    response = client.post(f"/s/acme/members/{alice.pk}/remove/", {"confirm": "remove"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Membership.objects.filter(pk=alice.pk).exists()


def test_the_model_rule(people: Any) -> None:
    alice = Membership.objects.get(user=people["alice"], space=people["acme"])
    eddie = Membership.objects.get(user=people["eddie"])
    assert alice.removal_refused(admin_count=1) is not None
    assert alice.removal_refused(admin_count=2) is None
    assert eddie.removal_refused(admin_count=1) is None
