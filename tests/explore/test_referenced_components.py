"""Components a model refers to without defining them (issue 14): a page, where-used, search, never a 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.corpus import AUTOMOTIVE

pytestmark = pytest.mark.django_db

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def imported(retail: Any, name: str, root: Path) -> Any:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(retail, name, "production")
    import_path(model, root)
    return model


def page(client: Any, model: Any, type_: str, name: str) -> Any:
    from orgbook.web.views.models import Linker

    return client.get(Linker(model.pk)(type_, name))


def test_every_dependency_link_of_an_imported_corpus_model_opens_a_page(retail: Any, web_as: Any) -> None:
    from orgbook.orgmodels.models import Dependency

    model = imported(retail, "Automotive", AUTOMOTIVE)
    client = web_as("alice")
    targets = set(Dependency.objects.filter(model=model).values_list("target_type", "target_name"))
    assert len(targets) > 400
    failed = [(t, n, r.status_code) for t, n in sorted(targets) for r in [page(client, model, t, n)] if r.status_code != 200]
    assert failed == []


def test_standard_field_page_says_what_it_is_and_where_it_is_used(retail: Any, web_as: Any) -> None:
    model = imported(retail, "Automotive", AUTOMOTIVE)
    r = page(web_as("alice"), model, "CustomField", "Case.SuppliedEmail")
    body = r.content.decode()
    assert r.status_code == 200
    assert 'data-referenced="standard"' in body and "standard, not in this model&#x27;s files" in body
    assert "SDO_Service_Case_Creation" in body  # the flow that reads it, under "Where used"
    # A Data Cloud object nothing in the project defines, and an Integration Procedure missing from it.
    missing = page(web_as("alice"), model, "CustomObject", "Vehicle_Telemetric__dlm").content.decode()
    assert 'data-referenced="missing"' in missing and "TelemetryTRiggeredMarketingCloudFlow" in missing
    # A name nothing refers to is still not found.
    assert page(web_as("alice"), model, "CustomField", "Case.Nothing_Refers_To_Me__c").status_code == 404


def test_managed_package_references_are_marked_with_their_namespace(retail: Any, web_as: Any, tmp_path: Path) -> None:
    root = tmp_path / "proj"
    flows = root / "force-app" / "main" / "default" / "flows"
    flows.mkdir(parents=True)
    (root / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app"}]}')
    (flows / "Caller.flow-meta.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><Flow {NS}><processType>AutoLaunchedFlow</processType>'
        "<subflows><name>Run</name><flowName>usf3__Helper_Flow</flowName></subflows>"
        "<actionCalls><name>Act</name><actionName>usf3__Sorter</actionName><actionType>apex</actionType></actionCalls>"
        "<recordLookups><name>Get</name><object>Opportunity</object><queriedFields>Amount</queriedFields></recordLookups>"
        "<status>Active</status></Flow>")
    model = imported(retail, "Managed refs", root)
    client = web_as("alice")
    for type_, name in (("Flow", "usf3__Helper_Flow"), ("ApexClass", "usf3__Sorter")):
        body = page(client, model, type_, name).content.decode()
        assert 'data-referenced="managed"' in body and "in managed package usf3" in body and "Caller" in body
    amount = page(client, model, "CustomField", "Opportunity.Amount").content.decode()
    assert 'data-referenced="standard"' in amount and "Caller" in amount


def test_search_finds_referenced_components_after_defined_ones(retail: Any, web_as: Any) -> None:
    from orgbook.documentation.search import search

    model = imported(retail, "Automotive", AUTOMOTIVE)
    hits = search(model, "SuppliedEmail")
    assert ("CustomField", "Case.SuppliedEmail", "referenced") in {(h.type, h.full_name, h.matched) for h in hits}
    from django.urls import reverse

    r = web_as("alice").get(reverse("model_search", args=[model.pk]) + "?q=SuppliedEmail&partial=1")
    assert "Case.SuppliedEmail" in r.content.decode() and "referenced, not defined here" in r.content.decode()


def test_the_api_answers_for_a_referenced_component(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("vera")
    body = client.get(f"/api/v1/models/{dreamhouse.pk}/components/CustomObject/ContentDocumentLink").json()
    assert body["defined"] is False
    assert body["referenced"] == {"kind": "standard", "namespace": None, "mark": "standard, not in this model's files"}
    assert body["used_by"] and all(set(u) == {"type", "full_name", "where", "origin"} for u in body["used_by"])
    defined = client.get(f"/api/v1/models/{dreamhouse.pk}/components/CustomObject/Property__c").json()
    assert defined["defined"] is True and defined["referenced"] is None
    assert client.get(f"/api/v1/models/{dreamhouse.pk}/components/CustomObject/Nobody__c").status_code == 404


def test_a_geolocation_part_leads_to_its_field(dreamhouse: Any, web_as: Any) -> None:
    body = page(web_as("vera"), dreamhouse, "CustomField", "Property__c.Location__Latitude__s").content.decode()
    assert "the geolocation field this is a part of" in body and "Property__c.Location__c" in body
