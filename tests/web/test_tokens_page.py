"""Personal access tokens: shown once, listed by hint, revocable."""

from __future__ import annotations

import re
from typing import Any

from orgbook.spaces.models import PersonalAccessToken
from tests.web.conftest import text


def test_make_shows_the_token_once_and_it_works(web_as: Any, people: Any, client: Any) -> None:
    browser = web_as("alice")
    response = browser.post("/account/tokens/", {"name": "CI script", "expires_in": "90"})
    raw = re.search(r"obk_[\w-]+", response.content.decode())
    assert raw and "it will not be shown again" in text(response)
    assert PersonalAccessToken.authenticate(raw.group(0)) == people["alice"]
    again = browser.get("/account/tokens/")
    assert raw.group(0) not in again.content.decode()
    assert f"…{raw.group(0)[-4:]}" in text(again)
    assert client.get("/api/v1/spaces", headers={"Authorization": f"Bearer {raw.group(0)}"}).status_code == 200


def test_revoke(web_as: Any, people: Any) -> None:
    token, raw = PersonalAccessToken.issue(people["alice"], "old")
    page = text(web_as("alice").post(f"/account/tokens/{token.pk}/revoke/", follow=True))
    assert "Token old revoked." in page and "Revoked" in page
    assert PersonalAccessToken.authenticate(raw) is None


def test_someone_elses_token_cannot_be_revoked(web_as: Any, people: Any) -> None:
    token, raw = PersonalAccessToken.issue(people["alice"], "mine")
    assert web_as("mallory").post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert PersonalAccessToken.authenticate(raw) == people["alice"]


def test_duplicate_names_are_refused(web_as: Any, people: Any) -> None:
    PersonalAccessToken.issue(people["alice"], "ci")
    response = web_as("alice").post("/account/tokens/", {"name": "CI", "expires_in": "0"})
    assert "You already have a token with this name." in text(response)
