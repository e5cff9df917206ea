"""The component page reads its membership and session once per request, and never from a previous one:
a membership removed or a session ended between two requests takes effect on the next."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.spaces.models import Membership, Role

URL = "/m/{}/c/CustomField/Property__c.Price__c"


def test_a_removed_member_gets_404_on_the_next_request(dreamhouse: Any, web_as: Any, people: dict[str, Any]) -> None:
    client = web_as("vera")
    assert client.get(URL.format(dreamhouse.pk)).status_code == 200
    Membership.objects.filter(user=people["vera"], space=people["acme"]).delete()
    assert client.get(URL.format(dreamhouse.pk)).status_code == 404


def test_a_new_role_shows_on_the_next_request(dreamhouse: Any, web_as: Any, people: dict[str, Any]) -> None:
    client = web_as("vera")
    assert b"Document this component" not in client.get(URL.format(dreamhouse.pk)).content
    Membership.objects.filter(user=people["vera"], space=people["acme"]).update(role=Role.EDITOR)
    page = client.get(URL.format(dreamhouse.pk)).content
    assert b"Document this component" in page
    assert b'aria-current="true">Acme <span class="muted">Editor</span>' in page  # the Space switcher


def test_another_spaces_member_gets_404(dreamhouse: Any, web_as: Any) -> None:
    assert web_as("mallory").get(URL.format(dreamhouse.pk)).status_code == 404


def test_a_session_cookie_replayed_after_logout_signs_nobody_in(dreamhouse: Any, people: dict[str, Any]) -> None:
    client = Client()
    assert client.post("/login/", {"username": "vera@example.com", "password": "correct-horse-battery"}).status_code == 302
    cookie = client.cookies["sessionid"].value
    assert client.get(URL.format(dreamhouse.pk)).status_code == 200  # the session is now in the cache too
    client.post("/logout/")
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get(URL.format(dreamhouse.pk))["Location"].startswith("/login/")
