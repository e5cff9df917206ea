"""From the org panel's "Last sync" counts to what the sync changed, in Chromium (issue 15): the
counts are a link; the run's page counts by type and by person and shows each attribute before and
after; grouped by person, Jane Admin's change is under her name; the Space's Changes tab lists it
too, with a CSV of the same."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from orgbook.orgmodels.models import SyncRun
from tests.browser import connect_fixtures
from tests.browser.conftest import DREAMHOUSE, log_in, shoot, space_nav
from tests.browser.connect_fixtures import connect_directly
from tests.emulator import acme_with, emulator_fixture
from tests.sync.metadata import PRICE

pytestmark = pytest.mark.browser
emu = emulator_fixture(lambda: acme_with(str(DREAMHOUSE)))
salesforce = connect_fixtures.salesforce  # the fixture, used by name (it reads this module's `emu`)


def test_the_panel_link_opens_what_the_sync_changed(sized: Any, admin_space: Any, salesforce: Any) -> None:
    from orgbook.runs.syncs import sync_connection

    conn = connect_directly(admin_space["alice"], admin_space["retail"], "production", "ann@acme.com", salesforce)
    salesforce.queued.clear()  # the connect's own first sync, run here instead
    sync_connection(conn, "first")
    salesforce.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE, by="Jane Admin")
    sync_connection(conn, "scheduled")
    run = SyncRun.objects.filter(model__connection=conn).order_by("id").last()

    page = sized
    log_in(page)
    page.goto(f"/s/acme/?impl={admin_space['retail'].pk}")
    counts = page.locator(f"#sync-panel-{conn.pk}").get_by_role("link", name="0 added, 1 changed, 0 removed")
    expect(counts).to_be_visible()
    shoot(page, "space-panel")
    counts.click()
    page.wait_for_url(re.compile(rf"/s/acme/runs/{run.pk}/changes/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("What the sync of")
    expect(page.locator("#run-counts")).to_contain_text("0 added, 1 changed, 0 removed")
    expect(page.locator("#by-type tbody tr")).to_have_text(re.compile(r"CustomField\s*0\s*1\s*0"))
    expect(page.locator("#by-person tbody tr")).to_have_text(re.compile(r"Jane Admin\s*0\s*1\s*0"))
    change = page.locator("article.change").filter(has_text="Property__c.Price__c")
    expect(change.locator(".badge")).to_have_text("Changed")
    precision = change.locator("tr").filter(has_text="precision")
    expect(precision.locator("td.before")).to_have_text("8")
    expect(precision.locator("td.after")).to_have_text("10")
    shoot(page, "sync-changes")

    page.get_by_role("link", name="group by person").click()
    expect(page.locator("h3.change-group")).to_have_text(["Jane Admin"])
    page.get_by_role("link", name="Property__c.Price__c").click()  # the component, with its history
    expect(page.locator("#history")).to_contain_text("Jane Admin")

    space_nav(page).get_by_role("link", name="Changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes")
    expect(page.locator("#changes article.change")).to_have_count(1)
    expect(page.locator("#changes article.change")).to_contain_text("Jane Admin")
    page.get_by_label("Changed by").select_option("Jane Admin")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#changes-count")).to_have_text("1 change matches these filters.")
    expect(page.locator("#changes-csv")).to_have_attribute("href", "/s/acme/changes.csv?person=Jane+Admin")
