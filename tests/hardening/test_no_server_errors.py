"""Inputs that once answered 500: every URL with an id past the 64-bit range, a manual link on the
component page for those who may edit, deleting a link without its context, oversized and unknown
API requests. Each answers in the product's words, JSON under /api/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

HUGE = str(2**64)  # past SQLite's and PostgreSQL's 64-bit integers
SAMPLE = {"slug": "acme", "space": "acme", "type": "CustomField", "full_name": "Property__c.Price__c",
          "fmt": "csv", "token": "no-such-token", "attempt_id": HUGE}


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _with_huge_ids(route: str) -> str | None:
    """The route with every id set past 64 bits, and every other part a plausible value; None
    when the route has no id."""
    if not re.search(r"<(int|id):|\{(int:|id:)?\w*_?id\}", route):
        return None

    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or match.group(3) or "", match.group(2) or match.group(4)
        return HUGE if converter in ("int:", "id:") or name.endswith("id") else SAMPLE.get(name, "x")

    path = re.sub(r"<(\w+:)?(\w+)>|\{(\w+:)?(\w+)\}", value, route).replace("^", "").replace("$", "")
    return "/" + path.lstrip("/")


@pytest.fixture
def model(dreamhouse: Any) -> Any:
    return dreamhouse


def test_an_id_past_64_bits_answers_not_found_on_every_page_and_endpoint(people: dict[str, Any]) -> None:
    web = Client(raise_request_exception=False)
    web.force_login(people["alice"])
    api = ApiClient(people["alice"])
    api.client = Client(raise_request_exception=False)
    paths = sorted({p for p in map(_with_huge_ids, _patterns(get_resolver())) if p})
    assert len(paths) > 30
    for path in paths:
        for method in ("get", "post"):
            if path.startswith("/api/"):
                response = api.call(method, path.removeprefix("/api/v1"), {} if method == "post" else None)
                assert response.status_code in (404, 405), (method, path, response.status_code, response.content[:200])
                assert response["Content-Type"].startswith("application/json"), (method, path)
            else:
                response = getattr(web, method)(path)
                assert response.status_code in (302, 404, 405), (method, path, response.status_code)


def test_an_id_past_64_bits_in_a_query_or_form_is_not_found(people: dict[str, Any], model: Any) -> None:
    web = Client(raise_request_exception=False)
    web.force_login(people["alice"])
    for path in (f"/s/acme/?impl={HUGE}", f"/s/acme/connect/next/?kind=sandbox&impl={HUGE}",
                 f"/m/{model.pk}/compare/?with={HUGE}",
                 f"/m/{model.pk}/c/CustomObject/Property__c?depth={HUGE}"):
        assert web.get(path).status_code in (200, 302, 404), path
    response = web.post(f"/m/{model.pk}/links/add/", {"type": "CustomObject", "full_name": "Property__c",
                                                      "direction": "uses", "target_model": HUGE,
                                                      "target_type": "CustomObject", "target_full_name": "Broker__c"})
    assert response.status_code in (400, 404), response.status_code
    text = response.content.decode()
    assert "model id" in text or "No such" in text or "Pick one of the options in the list." in text
    assert web.post(f"/d/s/acme/m/{model.pk}/c/CustomField/Property__c.Price__c/",
                    {"base_revision": HUGE, "body": "x"}).status_code in (200, 302, 400, 404, 409)


def test_an_editor_sees_the_component_page_of_a_component_with_a_manual_link(people: dict[str, Any],
                                                                            model: Any) -> None:
    from orgbook.documentation import links

    impl = model.implementation
    a = links.resolve_end(impl, {"model": model.pk, "type": "CustomObject", "full_name": "Property__c"})
    b = links.resolve_end(impl, {"model": model.pk, "type": "CustomObject", "full_name": "Broker__c"})
    links.add_link(people["eddie"], impl, a, b, "uses", "sells through")
    web = Client(raise_request_exception=False)
    for who in ("eddie", "alice", "vera"):
        web.force_login(people[who])
        response = web.get(f"/m/{model.pk}/c/CustomObject/Property__c")
        assert response.status_code == 200, (who, response.status_code)
        assert "sells through" in response.content.decode()


def test_removing_a_link_without_its_context_returns_to_the_model(people: dict[str, Any], model: Any) -> None:
    from orgbook.documentation import links

    impl = model.implementation
    a = links.resolve_end(impl, {"model": model.pk, "type": "CustomObject", "full_name": "Property__c"})
    b = links.resolve_end(impl, {"model": model.pk, "type": "CustomObject", "full_name": "Broker__c"})
    link = links.add_link(people["eddie"], impl, a, b)
    web = Client(raise_request_exception=False)
    web.force_login(people["eddie"])
    response = web.post(f"/m/{model.pk}/links/{link.pk}/delete/", {})
    assert response.status_code == 302 and response["Location"] == f"/m/{model.pk}/"
    assert not type(link).objects.filter(pk=link.pk).exists()


def test_an_unknown_api_path_and_an_oversized_body_answer_json(people: dict[str, Any], settings: Any) -> None:
    api = ApiClient(people["alice"])
    api.client = Client(raise_request_exception=False)
    unknown = api.call("get", "/no-such-endpoint")
    assert unknown.status_code == 404 and unknown.json_body["error"]["code"] == "not_found"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = api.call("post", "/spaces/acme/implementations", {"name": "x" * 5000})
    assert big.status_code == 413, big.content[:200]
    assert big.json_body["error"]["code"] == "too_large"
    assert "1 KB" in big.json_body["error"]["message"] or "1000" in big.json_body["error"]["message"]
    assert json.loads(api.call("get", "/spaces/acme").content)["slug"] == "acme"


def test_a_renewal_naming_numbers_past_64_bits_is_refused_with_the_field(people: dict[str, Any]) -> None:
    """Once a 500: `keep` went into the query as it came (OverflowError), and a licence count past
    the column's range reached the database."""
    api = ApiClient(people["alice"])
    api.client = Client(raise_request_exception=False)
    for body, field in (({"connection_licences": 2, "keep": [2**64]}, "keep"),
                        ({"connection_licences": 2, "keep": [2**64], "preview": True}, "keep"),
                        ({"connection_licences": 2**40}, "connection_licences"),
                        ({"connection_licences": 2**64, "preview": True}, "connection_licences")):
        response = api.call("post", "/spaces/acme/subscription/renewals", body)
        assert response.status_code == 400, (body, response.status_code)
        error = response.json_body["error"]
        assert error["code"] == "invalid" and error["details"]["field"] == field, body
    assert not people["acme"].renewals.exists()
