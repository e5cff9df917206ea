"""The everyday admin paths of issue 15 in Chromium, each at 1440 and at 390 px wide: an org's sync
state when it needs re-authorisation and when its implementation is suspended; removing a member
asks first and one's own row offers no Remove while one is the last admin; a pending invitation is
sent again or revoked; the sync schedule is shown and changed; the audit log reads as sentences,
filters by person and exports; dates are one written form with the exact time on hover; the trail
names the org's kind and sandbox name; saving documentation returns to the component; the Space's
Changes feed filters and exports."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DREAMHOUSE, log_in
from .connect_fixtures import emu, salesforce  # noqa: F401  (fixtures: the emulator as Orgbook's Salesforce)
from .test_offline import connection, models  # noqa: F401  (fixtures: a synced org, imported models)

pytestmark = pytest.mark.browser

# The one written form of a moment or a date (orgbook/web/dates.py), or a relative one within a week.
EXACT = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}(, \d{2}:\d{2})?$")
RELATIVE = re.compile(r"^(just now|\d+ (minute|hour|day)s? ago|in \d+ (minute|hour|day)s?)$")


def fits(page: Any) -> None:
    """Nothing on the page is wider than the screen (a wide table scrolls in its own box)."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"


def dates_on(page: Any) -> list[dict[str, str]]:
    return page.evaluate(
        "() => [...document.querySelectorAll('main time')].map(t => ({text: t.textContent.trim(),"
        " datetime: t.getAttribute('datetime') || '', title: t.getAttribute('title') || ''}))")


def test_sync_state_needs_reauthorisation_then_suspended(
    sized: Any, admin_space: dict[str, Any], connection: Any,  # noqa: F811
) -> None:
    from orgbook.implementations import lifecycle

    log_in(sized)
    retail = admin_space["retail"]
    connection.mark_needs_reauth("Salesforce refused the refresh token: reconnect the org.")
    sized.goto(f"/s/acme/?impl={retail.pk}")
    state = sized.locator(f"#sync-panel-{connection.pk}")
    expect(state).to_have_attribute("data-phase", "needs_reauth")
    expect(state.locator(".badge")).to_have_text("Needs re-authorisation")
    expect(state).to_contain_text("Salesforce refused the refresh token")
    expect(state.get_by_role("button", name=re.compile("now$"))).to_have_count(0)  # no Sync now to refuse later
    fits(sized)

    lifecycle.suspend(retail, admin_space["alice"], "Renewed to fewer licences")
    sized.reload()
    expect(state).to_have_attribute("data-phase", "suspended")
    expect(state.locator(".badge")).to_have_text("Suspended")
    expect(sized.locator(f"#sync-panel-{connection.pk}")).not_to_contain_text("Synced")
    fits(sized)


def test_removing_a_member_asks_first_and_invitations_are_resent_or_revoked(
    sized: Any, admin_space: dict[str, Any],
) -> None:
    from django.contrib.auth import get_user_model

    from orgbook.spaces import members
    from orgbook.spaces.models import Membership

    acme, alice = admin_space["acme"], admin_space["alice"]
    bob = get_user_model().objects.create_user(username="bob@example.com", email="bob@example.com",
                                               password="x-unused-x", first_name="Bob Builder")
    Membership.objects.create(space=acme, user=bob, role="editor")
    members.invite(acme, "carol@example.com", "viewer", alice)

    log_in(sized)
    sized.goto("/s/acme/members/")
    own = sized.locator("tr", has_text="alice@example.com")
    expect(own).to_contain_text("Last admin")  # the only admin cannot leave or be removed
    expect(own.get_by_role("link", name=re.compile("^(Leave|Remove)"))).to_have_count(0)
    expect(sized.locator("tr", has_text="bob@example.com")).to_contain_text("Bob Builder")
    expect(sized.locator("tr", has_text="bob@example.com")).to_contain_text("never")
    fits(sized)

    sized.get_by_role("link", name="Remove bob@example.com").click()
    expect(sized.get_by_role("heading", level=1)).to_have_text("Remove bob@example.com from Acme?")
    fits(sized)
    sized.get_by_role("link", name="Cancel").click()  # changing one's mind keeps them
    expect(sized.locator("tr", has_text="bob@example.com")).to_have_count(1)
    sized.get_by_role("link", name="Remove bob@example.com").click()
    sized.get_by_role("button", name="Remove bob@example.com").click()
    expect(sized.locator(".messages, [role=status]").first).to_contain_text("bob@example.com was removed from Acme")
    expect(sized.locator("tr", has_text="bob@example.com")).to_have_count(0)

    sized.get_by_role("button", name="Send the invitation to carol@example.com again").click()
    expect(sized.get_by_text(re.compile("Invitation sent again to carol@example.com"))).to_be_visible()
    sized.get_by_role("button", name="Revoke the invitation to carol@example.com").click()
    expect(sized.get_by_text(re.compile("Invitation to carol@example.com revoked"))).to_be_visible()
    expect(sized.locator("tr", has_text="carol@example.com")).to_have_count(0)
    fits(sized)


def test_the_sync_schedule_is_shown_and_changed(
    sized: Any, admin_space: dict[str, Any], connection: Any,  # noqa: F811
) -> None:
    log_in(sized)
    sized.goto(f"/orgs/s/acme/connections/{connection.pk}/schedule/")
    expect(sized.locator("#next-sync")).to_contain_text("Next scheduled sync")
    expect(sized.locator("#next-sync")).to_contain_text("Europe/Paris")
    sized.get_by_label("Time of day (Europe/Paris)").fill("23:30")
    sized.get_by_role("button", name="Save schedule").click()
    sized.goto(f"/orgs/s/acme/connections/{connection.pk}/schedule/")
    expect(sized.locator("#next-sync")).to_contain_text("23:30")
    fits(sized)

    sized.locator("#id_mode_manual").check()
    sized.get_by_role("button", name="Save schedule").click()
    sized.goto(f"/orgs/s/acme/connections/{connection.pk}/schedule/")
    expect(sized.locator("#next-sync")).to_contain_text("Manual sync only")
    fits(sized)


def test_the_audit_log_reads_as_sentences_filters_and_exports(sized: Any, admin_space: dict[str, Any]) -> None:
    from orgbook.implementations import lifecycle

    lifecycle.create_implementation(admin_space["acme"], admin_space["alice"], "Services", "Field service")
    log_in(sized)
    sized.goto("/s/acme/audit/")
    body = sized.locator("main")
    expect(body).to_contain_text("alice@example.com created the implementation Services")
    expect(body).not_to_contain_text("None")
    expect(body).not_to_contain_text("['")
    for seen in dates_on(sized):  # every moment in one written form, the exact time on hover
        assert seen["datetime"], seen
        assert EXACT.match(seen["text"]) or (RELATIVE.match(seen["text"]) and seen["title"]), seen
    fits(sized)

    sized.get_by_label("Person").select_option(label="alice@example.com")
    sized.get_by_role("button", name="Filter").click()
    expect(sized).to_have_url(re.compile(r"person="))
    expect(body).to_contain_text("created the implementation Services")
    fits(sized)

    with sized.expect_download() as download:
        sized.get_by_role("link", name=re.compile("CSV")).click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert any("created the implementation Services" in " ".join(row) for row in rows[1:]), rows


def test_the_trail_names_the_sandbox_and_saving_documentation_returns_to_the_component(
    sized: Any, admin_space: dict[str, Any], models: dict[str, Any],  # noqa: F811
) -> None:
    sandbox = models["sandbox"]
    log_in(sized)
    sized.goto(f"/m/{sandbox.pk}/c/CustomField/Property__c.Price__c")
    trail = sized.get_by_role("navigation", name="Breadcrumb")
    expect(trail).to_contain_text("Acme")
    expect(trail).to_contain_text("Retail")
    expect(trail).to_contain_text("Sandbox: UAT")
    expect(trail).to_contain_text("CustomField")
    fits(sized)

    component_url = sized.url
    sized.get_by_text("Document this component").click()
    sized.get_by_label("Note (Markdown)").fill("The asking price, in the listing's currency.")
    sized.get_by_role("button", name="Save documentation").click()
    expect(sized.get_by_text("Documentation saved.")).to_be_visible()
    assert sized.url.split("#")[0] == component_url.split("#")[0], sized.url
    expect(sized.locator("main")).to_contain_text("The asking price, in the listing's currency.")
    fits(sized)


def test_the_changes_feed_filters_by_type_and_exports(
    sized: Any, admin_space: dict[str, Any], models: dict[str, Any], tmp_path: Path,  # noqa: F811
) -> None:
    from orgbook.runs.imports import import_path

    # The sandbox read again with a field's label and a class's API version changed: two changes.
    changed = tmp_path / "dreamhouse"
    shutil.copytree(DREAMHOUSE, changed)
    default = changed / "force-app/main/default"
    price = default / "objects/Property__c/fields/Price__c.field-meta.xml"
    price.write_text(price.read_text().replace("Asking Price", "List Price"))
    apex = default / "classes/PropertyController.cls-meta.xml"
    apex.write_text(re.sub(r"<apiVersion>[^<]+</apiVersion>", "<apiVersion>62.0</apiVersion>", apex.read_text()))
    import_path(models["sandbox"], changed)

    log_in(sized)
    sized.goto("/s/acme/changes/")
    feed = sized.locator("#changes article.change")
    expect(feed.filter(has_text="Property__c.Price__c")).to_have_count(1)
    expect(feed.filter(has_text="PropertyController")).to_have_count(1)
    fits(sized)
    sized.get_by_label("Type").select_option("CustomField")
    sized.get_by_role("button", name="Filter").click()
    expect(sized).to_have_url(re.compile(r"type=CustomField"))
    expect(feed.filter(has_text="Property__c.Price__c")).to_have_count(1)
    expect(feed.filter(has_text="PropertyController")).to_have_count(0)
    fits(sized)
    with sized.expect_download() as download:
        sized.get_by_role("link", name=re.compile("CSV")).click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert "Property__c.Price__c" in exported and "PropertyController" not in exported, exported
