"""The right-hand panel swaps in place with htmx, and the main path works from the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from orgbook.web.context import htmx_available
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_choosing_an_implementation_swaps_the_panel_without_reloading(page: Any, admin_space: Any) -> None:
    from orgbook.implementations import lifecycle

    assert htmx_available(), "htmx is not installed: ./run installs it from the npm registry"

    lifecycle.create_implementation(admin_space["acme"], admin_space["alice"], "Wholesale", "B2B portal")
    log_in(page)
    page.evaluate("window.__same_page = true")
    page.locator('article[data-name="Wholesale"]').get_by_role("link", name="Wholesale").click()
    expect(page.locator("#panel")).to_contain_text("B2B portal")
    expect(page).to_have_url(f"/s/acme/?impl={lifecycle.Implementation.objects.get(name='Wholesale').pk}")
    assert page.evaluate("window.__same_page") is True
    expect(page.locator('article[data-name="Wholesale"]')).to_have_class("impl-card is-selected")
    expect(page.locator('article[data-name="Retail"]')).to_have_class("impl-card")


def test_keyboard_only_create_from_the_wizard(page: Any, admin_space: Any) -> None:
    log_in(page)
    for _ in range(30):  # Tab through the page until "Connect Org" has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Connect Org":
            break
    else:
        pytest.fail("Connect Org cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/s/acme/connect/")
    page.get_by_role("radio", name=re.compile("^Production")).focus()
    page.keyboard.press("Enter")  # submits the form from the radio
    expect(page).to_have_url("/s/acme/connect/implementation/?kind=production")
    page.get_by_label("Create new implementation").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard Co")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Implementation Keyboard Co is ready for a production org.")).to_be_visible()


def test_pages_work_without_htmx(page: Any, admin_space: Any) -> None:
    from orgbook.implementations import lifecycle

    wholesale = lifecycle.create_implementation(admin_space["acme"], admin_space["alice"], "Wholesale", "B2B portal")
    page.route("**/vendor/htmx.min.js", lambda route: route.abort())
    log_in(page)
    page.locator('article[data-name="Wholesale"]').get_by_role("link", name="Wholesale").click()
    expect(page).to_have_url(f"/s/acme/?impl={wholesale.pk}")
    expect(page.locator("#panel")).to_contain_text("B2B portal")
    expect(page.locator('article[data-name="Wholesale"]')).to_have_class("impl-card is-selected")
    page.locator("#panel").get_by_role("link", name="Edit").click()
    page.get_by_label("Description").fill("Wholesale and B2B")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#panel")).to_contain_text("Wholesale and B2B")
