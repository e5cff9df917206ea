"""The API with a signed-in browser session: reads need nothing more; a change needs the CSRF token
(django-ninja's check), and without it answers 403 saying what to send, changing nothing. A script
with a missing or revoked token still gets the 401 that says how to authenticate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from orgbook.implementations.models import Implementation

pytestmark = pytest.mark.django_db
PATH = "/api/v1/spaces/acme/implementations"
BODY = json.dumps({"name": "Retail"})


def _browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_browser_reads_with_its_session_alone(people: dict[str, Any]) -> None:
    response = _browser(people["alice"]).get(PATH)
    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(people: dict[str, Any]) -> None:
    response = _browser(people["alice"]).post(PATH, BODY, content_type="application/json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and "X-CSRFToken" in error["message"]
    assert not Implementation.objects.exists()


def test_a_change_with_the_csrf_token_goes_through(people: dict[str, Any]) -> None:
    browser = _browser(people["alice"])
    browser.get("/s/acme/")  # a page with a form sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(PATH, BODY, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content
    assert Implementation.objects.get().name == "Retail"


def test_a_script_without_a_valid_token_is_told_how_to_authenticate(people: dict[str, Any]) -> None:
    for headers in ({}, {"Authorization": "Bearer obk_revoked"}):
        response = Client().post(PATH, BODY, content_type="application/json", headers=headers)
        assert response.status_code == 401
        assert "Authorization: Bearer" in response.json()["error"]["message"]


def test_the_browsable_docs_send_the_csrf_token_with_changes(people: dict[str, Any]) -> None:
    """django-ninja's Swagger page adds the token to its requests once the session scheme checks
    CSRF (the hand-written check was invisible to it), so "Try it out" works for changes too."""
    page = _browser(people["alice"]).get("/api/v1/docs").content.decode()
    assert 'data-api-csrf="true"' in page
    assert 'data-csrf-token=""' not in page
