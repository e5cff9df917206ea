"""In Chromium, on a desktop (1440 x 900) and a phone (390 x 844): a form sent with a mistake comes back
with the reason under the field, what was typed still there and the focus on that field, and no field
makes the page wider than the screen. Pickers offer a type from a list and components as one types."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DREAMHOUSE, WIDTHS, log_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE, axe_page  # noqa: F401  (axe_page: a fixture)

pytestmark = pytest.mark.browser

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
FOCUSED = "id => document.activeElement && document.activeElement.id === id"


def _dreamhouse(admin_space: dict[str, Any]) -> Any:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(admin_space["retail"], "Production", "production")
    import_path(model, DREAMHOUSE)
    return model


def _has_focus(page: Any, field_id: str) -> bool:
    """Whether the field has the focus once the page's scripts ran (forms.js runs after the page is read)."""
    page.wait_for_load_state("load")
    page.wait_for_function(FOCUSED, arg=field_id, timeout=3_000)  # raises when it never does
    return True


def _error_under(page: Any, field_id: str) -> Any:
    return page.locator(f"#{field_id}_error")


def test_a_new_reference_model_without_a_name(sized: Any, admin_space: dict[str, Any]) -> None:
    page = sized
    from orgbook.documentation import trees

    trees.create_reference_model(admin_space["alice"], admin_space["retail"], "Design")
    log_in(page)
    page.goto(f"/d/s/acme/i/{admin_space['retail'].pk}/reference-models/new/")
    page.get_by_role("button", name="Create").click()
    expect(_error_under(page, "id_name")).to_have_text("Fill in “Name”: it is needed.")
    assert _has_focus(page, "id_name")
    assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
    page.get_by_label("Name").fill("Design")
    page.get_by_role("button", name="Create").click()
    expect(_error_under(page, "id_name")).to_have_text("Retail already has a model called Design.")
    expect(page.get_by_label("Name")).to_have_value("Design")
    assert _has_focus(page, "id_name")
    assert page.evaluate(FITS)


def test_a_manual_link_to_nothing_and_a_negative_impact_depth(sized: Any, admin_space: dict[str, Any]) -> None:
    page = sized
    model = _dreamhouse(admin_space)
    log_in(page)
    page.goto(f"/d/s/acme/m/{model.pk}/c/CustomField/Property__c.Price__c/")
    page.get_by_text("Document this component").click()
    expect(page.get_by_label("Tags, separated by commas")).to_be_visible()
    assert page.evaluate(FITS)  # the Tags box made this page 1,471 px wide at 1440
    page.goto(f"/m/{model.pk}/c/CustomField/Property__c.Price__c")
    assert page.evaluate(FITS)
    page.get_by_label("Other component's type").fill("ApexClass")
    page.get_by_role("combobox", name="Other component", exact=True).fill("NoSuchClass")
    page.get_by_role("button", name="Add link").click()
    expect(_error_under(page, "link-target_full_name")).to_contain_text("No ApexClass called NoSuchClass")
    expect(page.get_by_role("combobox", name="Other component", exact=True)).to_have_value("NoSuchClass")
    expect(page.get_by_label("Other component's type")).to_have_value("ApexClass")
    assert _has_focus(page, "link-target_full_name")
    assert page.evaluate(FITS)

    page.get_by_label("Impact depth").fill("-1")
    page.get_by_role("button", name="Show").click()
    expect(_error_under(page, "id_depth")).to_have_text("Give a number of 1 or more.")
    expect(page.get_by_label("Impact depth")).to_have_value("-1")
    assert _has_focus(page, "id_depth")
    assert page.evaluate(FITS)


def test_pickers_offer_a_type_and_components_as_one_types(sized: Any, admin_space: dict[str, Any]) -> None:
    page = sized
    model = _dreamhouse(admin_space)
    log_in(page)
    page.goto(f"/m/{model.pk}/c/CustomField/Property__c.Price__c")
    assert page.locator("#link-type-options option[value=ApexClass]").count() == 1
    page.get_by_label("Other component's type").fill("ApexClass")
    page.get_by_role("combobox", name="Other component", exact=True).press_sequentially("PropertyCon", delay=30)
    # The server's suggestions arrive in the list as the name is typed (htmx).
    expect(page.locator("#link-name-options option[value=PropertyController]")).to_have_count(1)
    assert page.locator("#link-name-options option[value=Broker__c]").count() == 0
    page.get_by_role("combobox", name="Other component", exact=True).fill("PropertyController")
    page.get_by_role("button", name="Add link").click()
    page.get_by_text("Link added.").wait_for()
    expect(page.locator("#links")).to_contain_text("PropertyController")

    from orgbook.documentation import trees

    reference = trees.create_reference_model(admin_space["alice"], admin_space["retail"], "To-be")
    page.goto(f"/d/s/acme/m/{reference.pk}/tree/")
    assert page.locator("#proposed-type-options option[value=CustomField]").count() == 1
    page.get_by_label("Metadata type").fill("CustomField")
    page.get_by_label("Full name").fill("Property__c.Commission__c")
    page.get_by_role("button", name="Propose").click()
    page.get_by_text("Proposed component added.").wait_for()
    expect(page.locator("#proposed")).to_contain_text("Property__c.Commission__c")
    assert page.evaluate(FITS)


def _serious_faults(page: Any) -> list[str]:
    """axe-core's serious or critical findings on the page as it stands (errors shown included)."""
    page.add_script_tag(path=str(AXE))
    return [f"{page.url}: {v['impact']} {v['id']}: {'; '.join(v['nodes'])}"
            for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


@pytest.mark.parametrize("size", list(WIDTHS))
def test_forms_showing_their_errors_have_no_serious_accessibility_fault(
        axe_page: Any, admin_space: dict[str, Any], size: str) -> None:  # noqa: F811
    page = axe_page
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    model = _dreamhouse(admin_space)
    log_in(page)
    found = []
    page.goto(f"/d/s/acme/i/{admin_space['retail'].pk}/reference-models/new/")
    page.get_by_role("button", name="Create").click()
    expect(_error_under(page, "id_name")).to_be_visible()
    found += _serious_faults(page)
    page.goto(f"/m/{model.pk}/c/CustomField/Property__c.Price__c")
    page.get_by_role("button", name="Add link").click()
    expect(_error_under(page, "link-target_full_name")).to_be_visible()
    found += _serious_faults(page)
    for path in (f"/m/{model.pk}/?since_version=0", f"/m/{model.pk}/compare/?with=",
                 f"/m/{model.pk}/c/CustomObject/Broker__c?depth=-1"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found += _serious_faults(page)
    assert not found, "\n".join(found)
