"""In Chromium, across implementations (issue 17): compare the production orgs of two
implementations, consolidate three, and download a sandbox's manifest for its production. On real
corpus metadata: dreamhouse-lwc (Retail), a differently defined copy (EMEA) and PMM (Programs).

With ORGBOOK_DOC_SCREENSHOTS=1 (docs/user/screenshots.sh) the tests also write the user guide's
screenshots into docs/user/images/: they are never made by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import PMM

from .conftest import DREAMHOUSE, PASSWORD, log_in, shoot

pytestmark = pytest.mark.browser
FIELDS = "force-app/main/default/objects/Property__c/fields"


def _emea_copy(tmp: Path) -> Path:
    root = tmp / "emea"
    shutil.copytree(DREAMHOUSE, root)
    price = root / FIELDS / "Price__c.field-meta.xml"
    price.write_text(price.read_text().replace("<precision>8</precision>", "<precision>12</precision>"))
    baths = root / FIELDS / "Baths__c.field-meta.xml"
    baths.write_text(baths.read_text().replace("<type>Number</type>", "<type>Text</type><length>10</length>"))
    return root


@pytest.fixture
def across(transactional_db: Any, tmp_path: Path) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from orgbook.documentation.services import DocumentationEdit, save_documentation
    from orgbook.implementations import lifecycle
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    alice = get_user_model().objects.create_user(username="alice@example.com", email="alice@example.com",
                                                 password=PASSWORD)
    acme = lifecycle.create_space("Acme", alice, plan="paid", licences=3)
    out: dict[str, Any] = {"acme": acme}
    for key, impl, name, source in (("global", "Retail", "Global production", DREAMHOUSE),
                                    ("emea", "EMEA", "EMEA production", _emea_copy(tmp_path)),
                                    ("programs", "Programs", "PMM production", PMM)):
        model = model_for_import(lifecycle.create_implementation(acme, alice, impl), name, "production")
        import_path(model, source)
        out[key] = model
    save_documentation(alice, out["global"].implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="List price in USD."), model=out["global"])
    save_documentation(alice, out["emea"].implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="Asking price in EUR, VAT included."), model=out["emea"])
    return out


def test_compare_the_production_orgs_of_two_implementations(page: Any, across: dict[str, Any]) -> None:
    log_in(page)
    page.goto(f"/m/{across['global'].pk}/compare/")
    picker = page.get_by_label("With")
    assert picker.locator("optgroup[label='EMEA'] option").inner_text() == "EMEA production (Production)"
    picker.select_option(label="EMEA production (Production)")
    page.get_by_role("button", name="Compare").click()
    page.get_by_role("heading", name="Compare Global production with EMEA production").wait_for()
    assert "each keeps its own documentation" in page.locator(".compare-across").inner_text()
    price = page.locator("tr", has_text="Property__c.Price__c")
    assert "precision" in price.inner_text()
    assert "List price in USD." in price.locator(".note-a").inner_text()
    assert "Asking price in EUR, VAT included." in price.locator(".note-b").inner_text()
    shoot(page, "across-compare")


def test_consolidate_three_production_orgs(page: Any, across: dict[str, Any]) -> None:
    log_in(page)
    page.goto(f"/m/{across['global'].pk}/consolidate/")
    page.get_by_label("EMEA production (Production)").check()
    page.get_by_label("PMM production (Production)").check()
    page.get_by_role("button", name="Consolidate").click()
    page.get_by_role("heading", name="Matrix").wait_for()
    first = page.locator("table.matrix tbody tr").first
    assert "Conflict" in first.inner_text() and "Property__c.Baths__c" in first.inner_text()
    assert [c.inner_text() for c in first.locator("td[class^='cell-']").all()] == ["same", "differs", "—"]
    assert "type" in first.locator("td").last.inner_text()
    shoot(page, "across-consolidate")
    page.locator("table.scores").get_by_role("link", name="property__c").click()
    page.wait_for_url(lambda url: "object=property__c" in url)
    assert page.locator("table.matrix tbody tr", has_text="Broker__c.").count() == 0


def test_download_a_sandboxs_manifest(page: Any, across: dict[str, Any], tmp_path: Path) -> None:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    production = across["global"]
    uat_root = tmp_path / "uat"
    shutil.copytree(DREAMHOUSE, uat_root)
    uat = model_for_import(production.implementation, "UAT", "sandbox")
    import_path(uat, uat_root)  # version 1: as refreshed from production
    (uat_root / FIELDS / "Discount__c.field-meta.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<fullName>Discount__c</fullName><label>Discount</label><type>Text</type><length>40</length></CustomField>\n")
    (uat_root / FIELDS / "Price_Sold__c.field-meta.xml").unlink()
    import_path(uat, uat_root)  # version 2: its work
    log_in(page)
    page.goto(f"/m/{uat.pk}/")
    page.get_by_role("navigation", name="Org model").get_by_role("link", name="Manifest").click()
    page.get_by_label("To").select_option(label="Global production (Production)")
    page.get_by_label("or after version").fill("1")
    page.get_by_role("button", name="Build manifest").click()
    page.get_by_role("heading", name="New in UAT (1)").wait_for()
    assert "Property__c.Discount__c" in page.locator("#manifest-add + table").inner_text()
    assert "Property__c.Price_Sold__c" in page.locator("#manifest-delete + table").inner_text()
    shoot(page, "across-manifest")
    with page.expect_download() as download:
        page.get_by_role("link", name="package.xml").click()
    saved = tmp_path / "package.xml"
    download.value.save_as(saved)
    text = saved.read_text()
    assert "<members>Property__c.Discount__c</members>" in text and "Price_Sold__c" not in text
