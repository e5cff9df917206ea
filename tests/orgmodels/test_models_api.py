"""The org model API: dictionary, component page, and the suspension and tenant walls."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.implementations import lifecycle
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path

from .conftest import DREAMHOUSE


@pytest.fixture
def model(retail: Any) -> Any:
    m = model_for_import(retail, "Dreamhouse", "production")
    import_path(m, DREAMHOUSE)
    return m


def _get(people: dict[str, Any], who: str, path: str) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(people[who])
    return client.get("/api/v1" + path)


def test_the_dictionary_lists_filters_and_pages(people: dict[str, Any], model: Any) -> None:
    r = _get(people, "vera", f"/models/{model.pk}/components?type=CustomField&parent=Property__c")
    assert r.status_code == 200 and r.json()["count"] == 25
    r = _get(people, "vera", f"/models/{model.pk}/components?q=price")
    assert any(i["full_name"] == "Property__c.Price__c" for i in r.json()["items"])


def test_a_component_page_has_attributes_and_history(people: dict[str, Any], model: Any) -> None:
    r = _get(people, "vera", f"/models/{model.pk}/components/CustomField/property__c.price__c")
    assert r.status_code == 200
    body = r.json()
    assert body["full_name"] == "Property__c.Price__c"
    assert body["attributes"]["type"] == "Currency" and body["attributes"]["precision"] == 8
    assert body["changes"][0]["kind"] == "baseline"


def test_dependencies_both_ways(people: dict[str, Any], model: Any) -> None:
    lookup = _get(people, "vera", f"/models/{model.pk}/components/CustomField/Property__c.Broker__c").json()
    assert {"type": "CustomObject", "full_name": "Broker__c"}.items() <= next(
        d for d in lookup["dependencies"] if d["full_name"] == "Broker__c").items()
    broker = _get(people, "vera", f"/models/{model.pk}/components/CustomObject/Broker__c").json()
    assert any(u["full_name"] == "Property__c.Broker__c" for u in broker["used_by"])


def test_a_suspended_implementations_model_answers_implementation_suspended(people: dict[str, Any], model: Any) -> None:
    lifecycle.suspend(model.implementation, None, reason="test")
    for who in ("alice", "vera"):
        r = _get(people, who, f"/models/{model.pk}/components")
        assert r.status_code == 403 and r.json()["error"]["code"] == "implementation_suspended"


def test_another_spaces_model_answers_404(people: dict[str, Any], model: Any) -> None:
    r = _get(people, "mallory", f"/models/{model.pk}/components/CustomField/Property__c.Price__c")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_deleting_the_implementation_deletes_its_models(people: dict[str, Any], model: Any) -> None:
    from orgbook.orgmodels.models import Component, OrgModel

    lifecycle.delete_implementation(model.implementation, people["alice"], "Retail")
    assert not OrgModel.objects.exists() and not Component.objects.exists()
