from __future__ import annotations

from typing import Any

import pytest

from orgbook.implementations.models import Implementation
from orgbook.spaces.models import AuditEvent


def test_an_admin_creates_an_implementation_with_name_and_description(api_as: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "EMEA", "description": "Europe BU"})
    assert r.status_code == 201
    assert r.json_body["name"] == "EMEA" and r.json_body["description"] == "Europe BU"
    assert r.json_body["production"] is None and r.json_body["sandboxes"] == []
    assert AuditEvent.objects.filter(action="implementation.created", target_repr="EMEA").exists()


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 81])
def test_a_missing_or_too_long_name_is_refused_and_says_why(api_as: Any, name: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": name})
    assert r.status_code == 400
    assert "name" in r.json_body["error"]["message"]
    assert not Implementation.objects.filter(space__slug="acme").exists()


def test_an_eighty_character_name_and_thousand_character_description_are_accepted(api_as: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "n" * 80, "description": "d" * 1000})
    assert r.status_code == 201


def test_a_description_over_a_thousand_characters_is_refused(api_as: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "ok", "description": "d" * 1001})
    assert r.status_code == 400 and "1000" in r.json_body["error"]["message"]


def test_names_are_unique_in_a_space_ignoring_case(api_as: Any) -> None:
    assert api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "Retail"}).status_code == 201
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "RETAIL"})
    assert r.status_code == 409
    assert "already exists" in r.json_body["error"]["message"]


def test_the_same_name_is_fine_in_another_space(api_as: Any) -> None:
    assert api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "Retail"}).status_code == 201
    assert api_as("mallory").call("POST", "/spaces/globex/implementations", {"name": "Retail"}).status_code == 201


def test_creating_beyond_the_licences_answers_licence_exhausted_with_counts(api_as: Any) -> None:
    for name in ("A", "B", "C"):
        assert api_as("alice").call("POST", "/spaces/acme/implementations", {"name": name}).status_code == 201
    r = api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "D"})
    assert r.status_code == 409
    error = r.json_body["error"]
    assert error["code"] == "licence_exhausted"
    assert error["details"] == {"licences": 3, "active": 3}
    assert "Delete an implementation" in error["message"]
    assert Implementation.objects.filter(space__slug="acme").count() == 3


def test_a_suspended_implementation_does_not_hold_a_licence(api_as: Any, people: dict[str, Any]) -> None:
    from orgbook.implementations import lifecycle

    for name in ("A", "B", "C"):
        lifecycle.create_implementation(people["acme"], people["alice"], name)
    lifecycle.suspend(Implementation.objects.get(name="A"), people["alice"], reason="test")
    assert api_as("alice").call("POST", "/spaces/acme/implementations", {"name": "D"}).status_code == 201


def test_list_pages_sorts_and_filters(api_as: Any, people: dict[str, Any]) -> None:
    from orgbook.implementations import lifecycle

    for name in ("Bravo", "alpha", "Charlie"):
        lifecycle.create_implementation(people["acme"], people["alice"], name)
    lifecycle.suspend(Implementation.objects.get(name="Bravo"), None, reason="test")
    names = [i["name"] for i in api_as("vera").call("GET", "/spaces/acme/implementations?sort=-name").json_body["items"]]
    assert names == ["Charlie", "Bravo", "alpha"]
    suspended = api_as("vera").call("GET", "/spaces/acme/implementations?status=suspended").json_body
    assert [i["name"] for i in suspended["items"]] == ["Bravo"] and suspended["count"] == 1
    assert api_as("vera").call("GET", "/spaces/acme/implementations?sort=bogus").status_code == 400


def test_a_malformed_json_body_gets_a_json_error(people: dict[str, Any]) -> None:
    from django.test import Client

    from orgbook.spaces.models import PersonalAccessToken

    _, raw = PersonalAccessToken.issue(people["alice"])
    r = Client().post("/api/v1/spaces/acme/implementations", data="{not json", content_type="application/json",
                      headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid"
