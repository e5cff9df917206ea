"""Connect Org in Chromium through the emulator's real login and Allow pages: production, sandbox,
every refusal, re-authorising an expired connection, and rebinding a refreshed sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orgbook.implementations import lifecycle
from orgbook.implementations.models import (
    ConnectionStatus,
    Implementation,
    ImplementationStatus,
    OrgConnection,
)
from tests.browser import connect_fixtures
from tests.browser.conftest import log_in
from tests.browser.connect_fixtures import connect_directly, salesforce_login, start_connect

pytestmark = pytest.mark.browser
emu, salesforce = connect_fixtures.emu, connect_fixtures.salesforce  # the fixtures, used by name


def card(page: Any, name: str) -> Any:
    return page.locator(f'article.impl-card[data-name="{name}"]')


def test_connect_a_production_org_then_its_sandbox(page: Any, admin_space: Any, salesforce: Any) -> None:
    log_in(page)
    start_connect(page, "production", "Retail")
    expect(page).to_have_title("Login | Salesforce")
    salesforce_login(page, "ann@acme.com")
    expect(page.get_by_role("status")).to_contain_text("Production org Acme")
    expect(page.get_by_role("status")).to_contain_text("connected to Retail")
    expect(page.get_by_role("heading", name="First sync of Acme")).to_be_visible()  # it follows the first sync
    page.get_by_role("link", name="Back to Retail").click()
    production = card(page, "Retail").locator(".slot-production")
    expect(production).to_contain_text("Acme")
    expect(production).to_contain_text(salesforce.org("acme").org_id)
    expect(production.locator(".badge")).to_have_text("Queued")  # no worker runs here

    start_connect(page, "sandbox", "Retail")
    assert page.url.startswith(salesforce.sandbox_login_url)  # test.salesforce.com for a sandbox
    salesforce_login(page, "ann@acme.com.uat")
    expect(page.get_by_role("status")).to_contain_text("Sandbox org uat")
    page.get_by_role("link", name="Back to Retail").click()
    expect(card(page, "Retail").locator(".slot-sandboxes")).to_contain_text("uat")
    expect(page.locator("#panel #connections")).to_contain_text("uat")
    assert [name for name, _ in salesforce.queued] == ["orgbook.orgmodels.tasks.sync_org"] * 2


# (label, kind chosen, My Domain org key or None, username, what the page says, setup)
REFUSALS = [
    ("sandbox chosen, production login", "sandbox", "acme", "ann@acme.com", "is a production org", None),
    ("production chosen, sandbox login", "production", "uat", "ann@acme.com.uat", "is a sandbox", None),
    ("edition without API", "production", None, "tom@tiny.com", "does not give API access", None),
    ("user without permissions", "production", None, "rita@acme.com", "Modify Metadata", None),
    ("already connected elsewhere", "production", None, "ann@acme.com", 'implementation "Retail"', "acme_in_retail"),
    # The wizard lists only implementations without a production org: another admin connects one meanwhile.
    ("second production", "production", None, "gus@globex.com", "already has a production org", "acme_meanwhile"),
    ("sandbox of another production", "sandbox", None, "gus@globex.com.dev", "production org", "acme_in_wholesale"),
]


@pytest.mark.parametrize("label,kind,host,username,says,setup", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_is_shown_and_nothing_is_kept(page: Any, admin_space: Any, salesforce: Any,
                                                   label: str, kind: str, host: str | None, username: str,
                                                   says: str, setup: str | None) -> None:
    alice = admin_space["alice"]
    wholesale = lifecycle.create_implementation(admin_space["acme"], alice, "Wholesale")
    if setup == "acme_in_retail":
        connect_directly(alice, admin_space["retail"], "production", "ann@acme.com", salesforce)
    elif setup == "acme_in_wholesale":
        connect_directly(alice, wholesale, "production", "ann@acme.com", salesforce)
    log_in(page)
    start_connect(page, kind, "Wholesale", salesforce.org(host).instance_url if host else None)
    if setup == "acme_meanwhile":
        connect_directly(alice, wholesale, "production", "ann@acme.com", salesforce)
    before = OrgConnection.objects.count()
    salesforce_login(page, username)
    refusal = page.locator("#connect-refused")
    expect(refusal.get_by_role("heading")).to_have_text("The org was not connected")
    expect(page.locator("#refusal-message")).to_contain_text(says)
    expect(page.locator("#refusal-message")).to_contain_text("Nothing was connected")
    expect(page.locator("#refusal-hint")).to_contain_text("What to do:")
    assert OrgConnection.objects.count() == before
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("button", name="Log in to Salesforce")).to_be_visible()


def test_deny_on_the_allow_page_is_explained(page: Any, admin_space: Any, salesforce: Any) -> None:
    log_in(page)
    start_connect(page, "production", "Retail")
    salesforce_login(page, "ann@acme.com", allow=False)
    expect(page.locator("#refusal-message")).to_contain_text("access_denied")
    expect(page.locator("#refusal-hint")).to_contain_text("Choose Allow")


def test_an_expired_connection_is_re_authorised(page: Any, admin_space: Any, salesforce: Any) -> None:
    from orgbook.implementations import connect
    from orgbook.salesforce.errors import RefreshTokenRevoked

    conn = connect_directly(admin_space["alice"], admin_space["retail"], "production", "ann@acme.com", salesforce)
    salesforce.expire_access_tokens(org="acme")
    salesforce.revoke_refresh_tokens(org="acme")
    with pytest.raises(RefreshTokenRevoked):
        connect.client_for(conn).organization()
    log_in(page)
    panel = page.locator("#panel")
    expect(panel.locator('li[data-org="Acme"] .badge').first).to_have_text("Needs re-authorisation")
    expect(panel).to_contain_text("Salesforce no longer accepts the stored login")
    panel.get_by_role("button", name="Reconnect Acme").click()
    assert page.url.startswith(salesforce.org("acme").instance_url)  # the org's own host pins the login
    salesforce_login(page, "ann@acme.com")
    expect(page.get_by_role("status")).to_contain_text("re-authorised to Retail")
    expect(card(page, "Retail").locator(".slot-production .badge")).to_have_text("Not synced yet")
    assert connect.client_for(OrgConnection.objects.get(pk=conn.pk)).organization().name == "Acme"


def test_a_refreshed_sandbox_is_rebound_after_confirming(page: Any, admin_space: Any, salesforce: Any) -> None:
    alice, retail = admin_space["alice"], admin_space["retail"]
    connect_directly(alice, retail, "production", "ann@acme.com", salesforce)
    sandbox = connect_directly(alice, retail, "sandbox", "ann@acme.com.uat", salesforce)
    old_id, new_id = sandbox.org_id, salesforce.refresh_sandbox("uat")
    log_in(page)
    page.locator("#panel").get_by_role("button", name="Reconnect uat").click()
    salesforce_login(page, "ann@acme.com.uat")
    rebind = page.locator("#rebind")
    expect(rebind).to_contain_text("This looks like sandbox uat refreshed")
    expect(rebind.locator(".old-org-id")).to_have_text(old_id)
    expect(rebind.locator(".new-org-id")).to_contain_text(new_id[:15])
    page.get_by_role("button", name="Rebind uat").click()
    expect(page.get_by_role("status")).to_contain_text("re-authorised to Retail")
    expect(card(page, "Retail").locator(".slot-sandboxes")).to_contain_text(new_id[:15])
    rebound = OrgConnection.objects.get(pk=sandbox.pk)
    assert rebound.org_id[:15] == new_id[:15] and rebound.status == ConnectionStatus.CONNECTED


def test_after_reactivation_every_org_is_re_authorised_in_turn(page: Any, admin_space: Any,
                                                               salesforce: Any) -> None:
    alice, retail = admin_space["alice"], admin_space["retail"]
    connect_directly(alice, retail, "production", "ann@acme.com", salesforce)
    connect_directly(alice, retail, "sandbox", "ann@acme.com.uat", salesforce)
    # Suspended (as a smaller renewal leaves it), then reactivated: every org needs a new login.
    Implementation.objects.filter(pk=retail.pk).update(status=ImplementationStatus.SUSPENDED, suspended_at=timezone.now())
    retail.refresh_from_db()
    lifecycle.reactivate(retail, alice)
    log_in(page)
    page.locator("#panel").get_by_role("link", name="Re-authorise 2 orgs in turn").click()
    for username, org in (("ann@acme.com", "Acme"), ("ann@acme.com.uat", "uat")):
        page.get_by_role("button", name=f"Log in to {org}").click()
        salesforce_login(page, username)
        expect(page.locator(f'#reauthorise li[data-org="{org}"] .badge')).to_have_text("Not synced yet")
    expect(page.locator("#reauth-done")).to_have_text("Every org of Retail is authorised.")
    assert set(retail.connections.values_list("status", flat=True)) == {ConnectionStatus.CONNECTED}
