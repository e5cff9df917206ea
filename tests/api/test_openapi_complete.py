"""The OpenAPI document at /api/v1/openapi.json says what every operation answers: a schema for its
success status, and the JSON error object for every error status it can give. Once 23 of 43
operations declared nothing, so the document said nothing about what they return."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from orgbook.orgmodels import compare, grid
from orgbook.orgmodels.models import ComponentStatus

ERROR = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")  # served without signing in
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", op) for path, ops in document["paths"].items() for method, op in ops.items()]


def _expected_errors(name: str, op: dict[str, Any]) -> set[str]:
    """What any operation of this form can answer: 401 without a token; 429 over the rate limits; 404 for a path naming
    something that is not there (or not the caller's); 400 for a parameter or body that is not
    valid; 413 for a body over the limit; 403 for a change the role does not allow."""
    params = op.get("parameters", [])
    expected = {"401", "429"}
    if any(p["in"] == "path" for p in params):
        expected.add("404")
    if any(p["in"] == "query" for p in params) or "requestBody" in op:
        expected.add("400")
    if "requestBody" in op:
        expected.add("413")
    if not name.startswith("GET "):
        expected.add("403")
    return expected


def test_every_operation_declares_a_schema_for_its_success_and_its_errors(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert len(operations) >= 43
    problems = []
    for name, op in operations:
        responses = op["responses"]
        success = [status for status in responses if status.startswith("2")]
        if not success:
            problems.append(f"{name}: no success status")
        for status in success:
            content = responses[status].get("content", {})
            if status == "204":
                if content:
                    problems.append(f"{name}: 204 with a body")
            elif not content or not all("schema" in media for media in content.values()):
                problems.append(f"{name}: {status} without a response schema")
        missing = _expected_errors(name, op) - set(responses)
        if missing:
            problems.append(f"{name}: no {', '.join(sorted(missing))}")
        for status, answer in responses.items():
            if status[0] in "45" and answer.get("content", {}).get("application/json", {}).get("schema") != ERROR:
                problems.append(f"{name}: {status} is not the JSON error object")
    assert problems == []


def test_the_error_object_has_a_code_and_a_message(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ErrorOut"]["required"] == ["error"]
    assert set(schemas["ErrorBody"]["required"]) == {"code", "message"}


def test_the_filters_offer_the_values_the_domain_knows(document: dict[str, Any]) -> None:
    """The API's enumerations are written out for the document; they must follow the domain's."""

    def choices(path: str, name: str) -> list[str]:
        param = next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)
        schema = param["schema"]
        return next(option["enum"] for option in schema.get("anyOf", [schema]) if "enum" in option)

    components = "/api/v1/models/{model_id}/components"
    assert choices(components, "status") == list(ComponentStatus.values)
    assert choices(components, "change") == list(grid.CHANGES)
    assert choices("/api/v1/models/{model_id}/compare/{other_id}", "kind") == list(compare.KINDS)
