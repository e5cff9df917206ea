"""Every list answers {"items", "count", "page", "pages"} for ?page=N (django-ninja's pagination with
the API's shape), and a page that does not exist is a clear error, never an empty list that reads
as "nothing here"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from orgbook.spaces.models import AuditEvent
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(dreamhouse: Any) -> Any:
    return dreamhouse


def test_the_audit_log_pages_by_50(people: dict[str, Any]) -> None:
    acme = people["acme"]
    AuditEvent.objects.bulk_create(AuditEvent(space=acme, action=f"test.event{i}") for i in range(60))
    total = AuditEvent.objects.filter(space=acme).count()
    api = ApiClient(people["alice"])
    first, second = (api.call("get", f"/spaces/acme/audit?page={n}").json_body for n in (1, 2))
    assert (first["count"], first["page"], first["pages"], len(first["items"])) == (total, 1, 2, 50)
    assert (second["page"], len(second["items"])) == (2, total - 50)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_a_page_past_the_last_is_an_error_that_names_the_range(people: dict[str, Any], model: Any) -> None:
    api = ApiClient(people["alice"])
    impl = model.implementation_id
    for path in ("/spaces/acme/implementations?page=2", f"/models/{model.pk}/components?page=3",
                 f"/models/{model.pk}/components?type=NoSuchType&page=2",
                 f"/spaces/acme/implementations/{impl}/documentation?page=2"):
        response = api.call("get", path)
        assert response.status_code == 400, path
        error = response.json_body["error"]
        assert error["code"] == "invalid" and "page must be between 1 and" in error["message"], path
    zero = api.call("get", f"/models/{model.pk}/components?page=0")
    assert zero.status_code == 400 and "page" in zero.json_body["error"]["message"]


def test_the_component_list_is_the_dictionary_grid(people: dict[str, Any], model: Any) -> None:
    """The API and the dictionary page read the same query: same rows, same order, same count."""
    api = ApiClient(people["alice"])
    web = Client()
    web.force_login(people["alice"])
    for query in ("type=CustomField", "q=price", "namespace=-&type=ApexClass", "change=new&type=CustomObject"):
        listed = api.call("get", f"/models/{model.pk}/components?{query}").json_body
        page = web.get(f"/m/{model.pk}/?{query}&sort=type")
        shown = [(c.type, c.full_name) for c, _ in page.context["rows"]]
        assert [(i["type"], i["full_name"]) for i in listed["items"]] == shown, query
        assert listed["count"] == page.context["count"] > 0, query
