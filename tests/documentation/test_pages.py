"""Documentation pages: the component page writes and shows a stale-edit conflict; list, coverage, tree, export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from orgbook.documentation import coverage, services

from .conftest import PRICE


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def prod(retail_models: dict[str, Any]) -> Any:
    return retail_models["production"]


def url(model: Any) -> str:
    return f"/d/s/acme/m/{model.pk}/c/CustomField/Property__c.Price__c/"


def test_an_editor_documents_a_field_and_it_shows_in_another_model(people: dict[str, Any], retail: Any,
                                                                   retail_models: dict[str, Any]) -> None:
    eddie = client_for(people["eddie"])
    r = eddie.post(url(retail_models["uat"]), {"note": "Asking **price**", "base_revision": "0",
                                               "links": "Wiki | https://wiki.example.com", "tags": "pricing"})
    assert r.status_code == 302
    page = client_for(people["vera"]).get(url(retail_models["production"])).content.decode()
    assert "<strong>price</strong>" in page and "note written here" in page and "Save documentation" not in page


def test_a_stale_form_shows_the_other_persons_text(people: dict[str, Any], retail: Any, prod: Any) -> None:
    eddie, alice = client_for(people["eddie"]), client_for(people["alice"])
    eddie.post(url(prod), {"note": "one", "base_revision": "0"})
    alice.post(url(prod), {"note": "alice two", "base_revision": "1"})
    r = eddie.post(url(prod), {"note": "eddie two", "base_revision": "1"})
    assert r.status_code == 409
    page = r.content.decode()
    assert "Not saved." in page and "alice two" in page and "eddie two" in page
    assert services.find(retail, *PRICE).note == "alice two"


def test_a_viewer_cannot_post_and_another_space_sees_404(people: dict[str, Any], prod: Any) -> None:
    assert client_for(people["vera"]).post(url(prod), {"note": "x"}).status_code == 403
    assert client_for(people["mallory"]).get(url(prod)).status_code == 404


def test_list_search_coverage_tree_and_exports(people: dict[str, Any], retail: Any, prod: Any) -> None:
    alice = client_for(people["alice"])
    alice.post(url(prod), {"note": "commission basis", "base_revision": "0"})
    page = alice.get(f"/d/s/acme/i/{retail.pk}/?q=commission").content.decode()
    assert "Property__c.Price__c" in page
    cov = alice.get(f"/d/s/acme/m/{prod.pk}/coverage/")
    assert cov.status_code == 200 and b"One measurement so far" in cov.content and b"<svg" not in cov.content
    coverage.record_snapshot(prod, day=date.today() - timedelta(days=1))  # a second day draws the line
    cov = alice.get(f"/d/s/acme/m/{prod.pk}/coverage/")
    assert b"<svg" in cov.content and b"One measurement so far" not in cov.content
    for fmt in ("csv", "json", "zip"):
        assert alice.get(f"/d/s/acme/i/{retail.pk}/export.{fmt}").status_code == 200
    r = alice.post(f"/d/s/acme/i/{retail.pk}/reference-models/new/", {"name": "Processes"})
    assert r.status_code == 302
    tree_url = r["Location"]
    assert alice.post(tree_url, {"name": "Sales", "custom_id": "§1"}).status_code == 302
    assert "§1" in alice.get(tree_url).content.decode()
