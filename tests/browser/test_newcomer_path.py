"""The newcomer's path through the implementation lifecycle, in Chromium."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shoot

pytestmark = pytest.mark.browser


def card(page: Any, name: str) -> Any:
    return page.locator(f'article.impl-card[data-name="{name}"]')


def test_log_in_and_create_an_implementation_until_licences_run_out(sized: Any, admin_space: Any) -> None:
    page = sized
    log_in(page)
    expect(page).to_have_url("/s/acme/")
    expect(page.locator("#licence-usage")).to_contain_text("1 of 2 connection licences in use")
    expect(card(page, "Retail")).to_contain_text("No production org connected")

    page.get_by_role("link", name="New implementation").click()
    page.get_by_label("Name").fill("Wholesale")
    page.get_by_label("Description").fill("B2B portal")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_contain_text("Implementation Wholesale created")
    expect(card(page, "Wholesale")).to_be_visible()
    expect(page.locator("#panel")).to_contain_text("B2B portal")
    expect(page.locator("#licence-usage")).to_contain_text("2 of 2 connection licences in use")

    # No licence is free: the button says so before any form is filled, and points at Subscription.
    expect(page.get_by_role("button", name="New implementation")).to_be_disabled()
    expect(page.locator("#no-free-licence")).to_contain_text("No connection licence is free")
    expect(page.locator("#no-free-licence").get_by_role("link", name="Subscription")).to_be_visible()


def test_connect_org_wizard_creates_an_implementation(page: Any, admin_space: Any) -> None:
    log_in(page)
    page.get_by_role("link", name="Connect Org").click()
    page.get_by_label("Sandbox").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Create new implementation").check()
    page.get_by_label("Name").fill("Field Service")
    page.get_by_role("button", name="Create / Next").click()
    expect(page.locator("#login-step-note")).to_contain_text("Next: the Salesforce login")
    expect(page.get_by_text("Implementation Field Service is ready for a sandbox org.")).to_be_visible()
    shoot(page, "connect-org")
    page.get_by_role("link", name="Go to the implementation").click()
    expect(card(page, "Field Service")).to_have_class("impl-card is-selected")


def test_delete_needs_the_exact_name(page: Any, admin_space: Any) -> None:
    log_in(page)
    card(page, "Retail").get_by_role("link", name="Retail").click()
    page.locator("#panel").get_by_role("link", name="Delete implementation").click()
    page.get_by_label("Type the implementation's name to confirm").fill("retail")
    page.get_by_role("button", name="Delete implementation").click()
    expect(page.get_by_role("alert")).to_contain_text("type the implementation's name exactly: Retail")
    page.get_by_label("Type the implementation's name to confirm").fill("Retail")
    page.get_by_role("button", name="Delete implementation").click()
    expect(page.get_by_role("status")).to_contain_text("Implementation Retail and everything in it were deleted")
    expect(card(page, "Retail")).to_have_count(0)
    expect(page.locator("#licence-usage")).to_contain_text("0 of 2 connection licences in use")


def test_renew_down_then_reactivate_after_freeing_a_licence(page: Any, admin_space: Any) -> None:
    from orgbook.implementations import lifecycle
    from orgbook.implementations.models import Implementation

    lifecycle.create_implementation(admin_space["acme"], admin_space["alice"], "Wholesale")
    log_in(page)
    page.get_by_role("link", name="Subscription", exact=True).first.click()  # the Space's navigation
    page.get_by_label("Connection licences").fill("1")
    page.get_by_label("Wholesale").uncheck()
    page.get_by_role("button", name="Preview renewal").click()
    expect(page.locator("#would-suspend")).to_contain_text("Wholesale")
    expect(page.locator("#would-suspend")).not_to_contain_text("Retail")
    page.get_by_role("button", name="Confirm renewal").click()
    expect(page.locator("#renewal-result")).to_contain_text("Wholesale")

    page.get_by_role("link", name="Implementations").first.click()
    wholesale = Implementation.objects.get(name="Wholesale")
    due = wholesale.purge_due_at()
    assert due is not None
    date = dateformat.format(due.astimezone(ZoneInfo("Europe/Paris")), "j M Y")  # orgbook/web/dates.py
    suspended = card(page, "Wholesale")
    expect(suspended).to_have_class("impl-card is-suspended")
    expect(suspended.get_by_role("note")).to_contain_text(f"Its content will be deleted on {date}")

    suspended.get_by_role("link", name="Wholesale").click()
    expect(page.locator("#no-licence-to-reactivate")).to_contain_text("No connection licence is free")

    card(page, "Retail").get_by_role("link", name="Retail").click()
    # The panel swaps in place: until it shows Retail, its Delete link is still Wholesale's (a CI run
    # clicked it, typed "Retail" on Wholesale's delete page and got the mismatch answer).
    expect(page.locator("#panel-title")).to_have_text("Retail")
    page.locator("#panel").get_by_role("link", name="Delete implementation").click()
    page.get_by_label("Type the implementation's name to confirm").fill("Retail")
    page.get_by_role("button", name="Delete implementation").click()
    expect(page.get_by_role("status")).to_contain_text("Implementation Retail and everything in it were deleted")

    card(page, "Wholesale").get_by_role("link", name="Wholesale").click()
    page.get_by_role("button", name="Reactivate implementation").click()
    expect(page.get_by_role("status")).to_contain_text("Wholesale is active again")
    expect(card(page, "Wholesale")).not_to_have_class("impl-card is-suspended")
    expect(card(page, "Wholesale").get_by_role("note")).to_have_count(0)
