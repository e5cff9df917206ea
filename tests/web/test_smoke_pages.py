"""Every page renders for a Space admin (a regression net for templates)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/s/acme/", "/s/acme/implementations/new/", "/s/acme/connect/", "/s/acme/connect/implementation/?kind=sandbox",
        "/s/acme/subscription/", "/s/acme/members/", "/s/acme/audit/", "/account/tokens/", "/spaces/new/",
        "/s/acme/changes/",
    ],
)
def test_admin_pages_render(web_as: Any, acme_impls: dict[str, Any], path: str, settings: Any) -> None:
    settings.ORGBOOK_SIGNUP = "open"  # /spaces/new/ is for everyone then (tests/web/test_signup_mode.py)
    response = web_as("alice").get(path)
    assert response.status_code == 200, response.content[:2000]
    assert b"Orgbook" in response.content


def test_implementation_pages_render(web_as: Any, acme_impls: dict[str, Any]) -> None:
    pk = acme_impls["retail"].pk
    client = web_as("alice")
    for path in (f"/s/acme/?impl={pk}", f"/s/acme/implementations/{pk}/edit/", f"/s/acme/implementations/{pk}/delete/",
                 f"/s/acme/connect/next/?kind=sandbox&impl={pk}"):
        assert client.get(path).status_code == 200, path


def test_anonymous_people_are_sent_to_log_in(client: Any, people: Any) -> None:
    response = client.get("/s/acme/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/s/acme/")
