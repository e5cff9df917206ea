"""In Chromium: document a field in one org model and find the note on the same field in another."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import DREAMHOUSE, log_in, shoot

pytestmark = pytest.mark.browser


def test_a_note_written_in_the_sandbox_is_found_on_production(page: Any, admin_space: dict[str, Any]) -> None:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    retail = admin_space["retail"]
    models = {}
    for name, kind in (("Production", "production"), ("UAT", "sandbox")):
        models[kind] = model_for_import(retail, name, kind)
        import_path(models[kind], DREAMHOUSE)
    log_in(page)
    page.goto(f"/d/s/{admin_space['acme'].slug}/m/{models['sandbox'].pk}/c/CustomField/Property__c.Price__c/")
    page.get_by_text("Document this component").click()
    page.get_by_label("Note (Markdown)").fill("The **asking price** shown on listings.")
    page.get_by_label("Tags, separated by commas").fill("pricing")
    page.get_by_role("button", name="Save documentation").click()
    page.get_by_text("Documentation saved.").wait_for()

    page.goto(f"/d/s/{admin_space['acme'].slug}/m/{models['production'].pk}/c/CustomField/property__c.price__c/")
    note = page.get_by_test_id("documentation-note")
    assert note.locator("strong").inner_text() == "asking price"
    assert page.get_by_text("note written here").count() == 1
    assert "UAT" in page.locator(".doc-presence").inner_text()
    shoot(page, "component-documentation")
