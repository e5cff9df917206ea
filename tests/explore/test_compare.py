"""Comparing two models of an implementation: only in A, only in B, different with the attribute diff."""

from __future__ import annotations

import csv
import io
import shutil
from typing import Any

import pytest

from orgbook.errors import Invalid
from orgbook.orgmodels import compare
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path

from .conftest import FIELDS, add_field, by_kind, change_price_precision, copy_corpus


@pytest.fixture
def sandbox(dreamhouse: Any, tmp_path: Any) -> Any:
    """Dreamhouse changed: Price__c precision 8 -> 12, a new field, the Broker Id field gone."""
    root = copy_corpus(tmp_path)
    change_price_precision(root, 12)
    add_field(root, "Discount__c", "Discount")
    (root / FIELDS / "Price_Sold__c.field-meta.xml").unlink()
    shutil.rmtree(root / "force-app/main/default/flows")
    model = model_for_import(dreamhouse.implementation, "UAT", "sandbox")
    import_path(model, root)
    return model


def test_compare_finds_only_in_each_and_differences_with_the_semantic_diff(dreamhouse: Any, sandbox: Any) -> None:
    lines = list(compare.lines(dreamhouse, sandbox))
    found = by_kind(lines)
    assert ("CustomField", "Property__c.Price_Sold__c") in found[compare.ONLY_A]
    assert ("Flow", "Create_property") in found[compare.ONLY_A]
    assert found[compare.ONLY_B] == {("CustomField", "Property__c.Discount__c")}
    assert ("CustomField", "Property__c.Price__c") in found[compare.DIFFERENT]
    assert ("CustomField", "Property__c.Broker__c") not in set().union(*found.values())
    price = [ln for ln in lines if ln.full_name == "Property__c.Price__c"]
    assert compare.semantic_diffs(dreamhouse, sandbox, price)[("CustomField", "property__c.price__c")] == \
        {"precision": [8, 12]}


def test_compare_filters_by_type_and_kind(dreamhouse: Any, sandbox: Any) -> None:
    flows = list(compare.lines(dreamhouse, sandbox, type_="Flow"))
    assert [(ln.kind, ln.full_name) for ln in flows] == [(compare.ONLY_A, "Create_property")]
    only_b = list(compare.lines(dreamhouse, sandbox, kinds=(compare.ONLY_B,)))
    assert [ln.full_name for ln in only_b] == ["Property__c.Discount__c"]


def test_identical_models_have_no_differences(dreamhouse: Any) -> None:
    twin = model_for_import(dreamhouse.implementation, "Twin", "sandbox")
    from .conftest import DREAMHOUSE

    import_path(twin, DREAMHOUSE)
    assert list(compare.lines(dreamhouse, twin)) == []


def test_only_models_of_one_space_are_compared_and_never_a_model_with_itself(dreamhouse: Any, people: Any) -> None:
    from orgbook.errors import NotFound
    from orgbook.implementations import lifecycle

    other_impl = lifecycle.create_implementation(people["globex"], people["mallory"], "Service")
    other = model_for_import(other_impl, "Other", "production")
    with pytest.raises(NotFound):
        list(compare.lines(dreamhouse, other))
    with pytest.raises(Invalid):
        list(compare.lines(dreamhouse, dreamhouse))


def test_the_compare_page_and_its_csv_export(dreamhouse: Any, sandbox: Any, web_as: Any) -> None:
    client = web_as("vera")
    page = client.get(f"/m/{dreamhouse.pk}/compare/", {"with": sandbox.pk}).content.decode()
    assert "Only in UAT" in page and "Property__c.Discount__c" in page
    assert '<code>precision</code></td><td class="before">8</td><td class="after">12</td>' in page
    filtered = client.get(f"/m/{dreamhouse.pk}/compare/", {"with": sandbox.pk, "type": "Flow"}).content.decode()
    assert "Create_property" in filtered and "Discount__c" not in filtered
    r = client.get(f"/m/{dreamhouse.pk}/compare.csv", {"with": sandbox.pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["Difference", "Type", "API name", "Label", "Attributes that differ", "Note"]
    assert ["only in UAT", "CustomField", "Property__c.Discount__c", "Discount", "", ""] in rows
    price = next(row for row in rows if row[2] == "Property__c.Price__c")
    assert price[0] == "different" and price[4] == "precision: 8 → 12"


def test_the_compare_api(dreamhouse: Any, sandbox: Any, web_as: Any) -> None:
    body = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/compare/{sandbox.pk}").json()
    assert body["counts"]["only_b"] == 1 and body["counts"]["different"] >= 1
    price = next(i for i in body["items"] if i["full_name"] == "Property__c.Price__c")
    assert price["kind"] == "different" and price["attributes"] == {"precision": [8, 12]}
    bad = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/compare/{sandbox.pk}", {"kind": "nope"})
    assert bad.status_code == 400


def test_a_component_deleted_in_salesforce_counts_as_missing_from_that_model(dreamhouse: Any, tmp_path: Any) -> None:
    # The twin once had the flow (its row stays, marked deleted by the re-sync): only in A, not "different".
    root = copy_corpus(tmp_path)
    twin = model_for_import(dreamhouse.implementation, "Twin", "sandbox")
    import_path(twin, root)
    shutil.rmtree(root / "force-app/main/default/flows")
    import_path(twin, root)
    assert twin.components.filter(type="Flow", status="deleted").exists()
    found = [(ln.kind, ln.type, ln.full_name) for ln in compare.lines(dreamhouse, twin)]
    assert found == [(compare.ONLY_A, "Flow", "Create_property")]
    assert [(ln.kind, ln.full_name) for ln in compare.lines(twin, dreamhouse)] == [(compare.ONLY_B, "Create_property")]
