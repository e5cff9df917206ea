"""A token's expiry is chosen when it is made; the API refuses an expired token with a 401 that
says so. The new token has a Copy button from a static script (no inline script; served offline)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from orgbook.spaces.models import PersonalAccessToken
from tests.web.conftest import text

pytestmark = pytest.mark.django_db


def made(response: Any) -> str:
    found = re.search(r"obk_[\w-]+", response.content.decode())
    assert found
    return found.group(0)


def test_the_expiry_chosen_at_creation_is_shown(web_as: Any, people: Any) -> None:
    browser = web_as("alice")
    response = browser.post("/account/tokens/", {"name": "CI script", "expires_in": "30"})
    token = PersonalAccessToken.objects.get(name="CI script")
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert f"It works until {token.expires_at:%-d %b %Y}" in text(response)
    forever = browser.post("/account/tokens/", {"name": "Forever", "expires_in": "0"})
    assert "It works until you revoke it." in text(forever)
    assert PersonalAccessToken.objects.get(name="Forever").expires_at is None
    listing = text(browser.get("/account/tokens/"))
    assert "Expires" in listing and f"{token.expires_at:%-d %b %Y}" in listing


def test_an_expired_token_is_refused_with_a_clear_401(people: Any, client: Any, web_as: Any) -> None:
    token, raw = PersonalAccessToken.issue(people["alice"], "short", days=7)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/spaces", headers=headers).status_code == 200
    PersonalAccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get("/api/v1/spaces", headers=headers)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "This token (short) expired on" in error["message"] and "/account/tokens/" in error["message"]
    assert PersonalAccessToken.authenticate(raw) is None
    assert "Expired" in text(web_as("alice").get("/account/tokens/"))


def test_the_copy_button_comes_from_a_static_script(web_as: Any, client: Any) -> None:
    page = web_as("alice").post("/account/tokens/", {"name": "CI", "expires_in": "7"}).content.decode()
    assert 'data-copyable="Copy token"' in page
    assert '<script src="/static/orgbook/copy.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "no inline script (CSP)"
    served = client.get("/static/orgbook/copy.js")
    assert served.status_code == 200
    body = b"".join(served.streaming_content) if served.streaming else served.content
    served.close()
    assert b"navigator.clipboard" in body and b"data-copyable" in body


def test_the_cli_makes_a_token_with_days(people: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("token", "create", "--email", "alice@example.com", "--name", "nightly", "--days", "7", stdout=out)
    assert out.getvalue().strip().startswith("obk_")
    token = PersonalAccessToken.objects.get(name="nightly")
    assert token.expires_at is not None and token.expires_at - timezone.now() > timedelta(days=6)
