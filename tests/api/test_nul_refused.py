"""Text holding NUL is refused with 400 before anything is written: PostgreSQL cannot store it, so
without the check a search or a save holding one answered 500 on PostgreSQL only (seen by
schemathesis on `GET /models/{id}/search?q=...%00...`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from orgbook.implementations.models import Implementation

pytestmark = pytest.mark.django_db


def test_a_query_parameter_with_nul_is_refused_with_the_json_error(api_as: Any) -> None:
    r = api_as("alice").call("GET", "/spaces/acme/implementations?q=Acc%00ount")
    assert r.status_code == 400
    assert r.json_body["error"]["code"] == "invalid" and "NUL" in r.json_body["error"]["message"]


def test_a_json_body_with_nul_stores_nothing(api_as: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "EM\x00EA", "description": "x"})
    assert r.status_code == 400 and "NUL" in r.json_body["error"]["message"]
    assert not Implementation.objects.filter(space__slug="acme").exists()


def test_nul_in_a_nested_key_is_found(api_as: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "ok", "extra": {"k\x00": 1}})
    assert r.status_code == 400


def test_an_escaped_backslash_before_u0000_is_ordinary_text(api_as: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "back\\u0000slash"})
    assert r.status_code == 201 and r.json_body["name"] == "back\\u0000slash"


def test_a_web_form_with_nul_answers_a_plain_400(people: dict[str, Any]) -> None:
    client = Client()
    answer = client.post("/login/", urlencode({"username": "alice@example.com\x00", "password": "x"}),
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400 and b"NUL" in answer.content
