"""In Chromium, a Space admin's round of the Space's navigation: invite someone on Members (listed at once
as invited), read it in the Audit log as a sentence, and see on Subscription how many connection
licences are in use; and an object's page, reached from the org model, lists its fields. The user
guide's screenshots of these pages are taken here (ORGBOOK_DOC_SCREENSHOTS=1, docs/user/screenshots.sh)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DREAMHOUSE, log_in, shoot

pytestmark = pytest.mark.browser


def test_invite_someone_then_read_it_in_the_audit_log_and_the_licences_in_use(
    page: Any, admin_space: dict[str, Any],
) -> None:
    log_in(page)
    page.goto(f"/s/{admin_space['acme'].slug}/")
    space = page.get_by_role("navigation", name="Space")
    space.get_by_role("link", name="Members").click()
    invite = page.get_by_role("region", name="Invite someone")
    invite.get_by_label("Email").fill("bob@example.com")
    invite.get_by_label("Role").select_option(label="Editor")
    page.get_by_role("button", name="Send invitation").click()
    invited = page.locator("tr", has_text="bob@example.com")
    expect(invited).to_contain_text("Editor")
    expect(invited.get_by_role("button", name="Revoke the invitation to bob@example.com")).to_be_visible()
    expect(page.locator("tr", has_text="alice@example.com")).to_be_visible()
    shoot(page, "members")

    space.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit")).to_contain_text("alice@example.com invited bob@example.com as Editor")
    shoot(page, "audit-log")

    space.get_by_role("link", name="Subscription").click()
    expect(page.locator("#licences-in-use")).to_have_text("1 of 2 connection licences in use")
    shoot(page, "subscription")


def test_an_objects_page_lists_its_fields(page: Any, admin_space: dict[str, Any]) -> None:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(admin_space["retail"], "Production", "production")
    import_path(model, DREAMHOUSE)
    log_in(page)
    page.goto(f"/m/{model.pk}/?type=CustomObject")
    page.get_by_role("link", name="Property__c", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Property__c")
    expect(page.get_by_role("link", name="Property__c.Price__c").first).to_be_visible()
    shoot(page, "object-page")
