"""Connect Org pages: the login hand-off, the callback, each refusal page, rebind, reconnect, not configured.

The emulator runs in-process on 127.0.0.1; the "browser" part (login and Allow) is auto-approved.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from orgbook.implementations import lifecycle
from orgbook.implementations.models import ConnectionStatus, Implementation, OrgConnection
from tests.emulator import CLIENT_ID, CLIENT_SECRET, CONFIG, emulator_fixture, login_as, point_at
from tests.web.conftest import text

emu = emulator_fixture(CONFIG, scope="module")


@pytest.fixture
def salesforce(emu: Any, settings: Any) -> Any:
    point_at(emu, settings, CLIENT_ID, CLIENT_SECRET)
    settings.BASE_URL = "http://testserver"
    return emu


def start(client: Client, impl: Implementation, kind: str, **extra: Any) -> Any:
    return client.post("/orgs/s/acme/login/", {"implementation": impl.pk, "kind": kind, **extra})


def connect_via_pages(client: Client, emu: Any, impl: Implementation, kind: str, username: str,
                      **extra: Any) -> Any:
    """Start the login, let the emulator log `username` in and Allow, then follow the callback."""
    started = start(client, impl, kind, **extra)
    assert started.status_code == 302, text(started)
    state, code = login_as(emu, started["Location"], username)
    return client.get("/orgs/oauth/callback", {"state": state, "code": code})


def test_the_wizards_last_step_posts_to_the_salesforce_login(web_as: Any, retail: Implementation) -> None:
    page = web_as("alice").get(f"/s/acme/connect/next/?kind=sandbox&impl={retail.pk}").content.decode()
    assert 'action="/orgs/s/acme/login/"' in page
    assert f'name="implementation" value="{retail.pk}"' in page and 'name="kind" value="sandbox"' in page
    assert "Log in to Salesforce" in page and "Manual sync only" in page


def test_start_sends_the_browser_to_the_salesforce_authorize_url(web_as: Any, salesforce: Any,
                                                                 retail: Implementation) -> None:
    response = start(web_as("alice"), retail, "sandbox")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}" == salesforce.sandbox_login_url
    query = parse_qs(url.query)
    assert query["redirect_uri"] == ["http://testserver/orgs/oauth/callback"]
    assert query["code_challenge_method"] == ["S256"] and query["state"]


def test_a_production_org_connects_and_lands_on_its_first_sync(web_as: Any, salesforce: Any,
                                                               retail: Implementation) -> None:
    client = web_as("alice")
    done = connect_via_pages(client, salesforce, retail, "production", "ann@acme.com")
    conn = OrgConnection.objects.get(implementation=retail)
    assert done.status_code == 302 and done["Location"] == f"/orgs/s/acme/connections/{conn.pk}/first-sync/"
    assert conn.org_id == salesforce.org("acme").org_id and conn.status == ConnectionStatus.SYNCING
    page = text(client.get(done["Location"]))
    assert f"Production org Acme ({conn.org_id}) connected to Retail." in page
    assert "First sync of Acme" in page and "Queued" in page
    panel = text(client.get(f"/s/acme/?impl={retail.pk}"))
    assert "Queued" in panel and "Reconnect" in panel and "Disconnect" in panel


def test_a_sandbox_connects_after_its_production_with_manual_sync_only(web_as: Any, salesforce: Any,
                                                                       retail: Implementation) -> None:
    client = web_as("alice")
    connect_via_pages(client, salesforce, retail, "production", "ann@acme.com")
    done = connect_via_pages(client, salesforce, retail, "sandbox", "ann@acme.com.uat", manual_sync_only="on")
    sandbox = OrgConnection.objects.get(implementation=retail, kind="sandbox")
    assert sandbox.sandbox_name == "uat" and sandbox.manual_sync_only and sandbox.refresh_token() is None
    assert "Sandbox org uat" in text(client.get(done["Location"]))


REFUSALS = [
    ("sandbox chosen, production login", "sandbox", "acme", "ann@acme.com", "wrong_kind_expected_sandbox",
     "log in with a user of the sandbox"),
    ("production chosen, sandbox login", "production", "uat", "ann@acme.com.uat", "wrong_kind_expected_production",
     "Start again with Production chosen"),
    ("edition without API", "production", None, "tom@tiny.com", "edition_without_api", "no API access"),
    ("user without Modify Metadata", "production", None, "rita@acme.com", "missing_permissions",
     "API Enabled and Modify Metadata"),
]


@pytest.mark.parametrize("label,kind,host,username,reason,advice", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_refusal_is_a_page_that_says_why_and_what_to_do(web_as: Any, salesforce: Any, retail: Implementation,
                                                             label: str, kind: str, host: str | None, username: str,
                                                             reason: str, advice: str) -> None:
    extra = {"my_domain": salesforce.org(host).instance_url} if host else {}
    response = connect_via_pages(web_as("alice"), salesforce, retail, kind, username, **extra)
    assert response.status_code == 409
    page = text(response)
    assert "The org was not connected" in page and "Nothing was connected" in page and advice in page
    assert reason in page
    body = response.content.decode()
    assert f'href="/s/acme/connect/next/?kind={kind}&amp;impl={retail.pk}"' in body  # Try again
    assert not OrgConnection.objects.exists()


def test_an_org_already_connected_names_its_implementation(web_as: Any, salesforce: Any, people: Any,
                                                           retail: Implementation) -> None:
    client = web_as("alice")
    connect_via_pages(client, salesforce, retail, "production", "ann@acme.com")
    other = lifecycle.create_implementation(people["acme"], people["alice"], "Wholesale")
    page = text(connect_via_pages(client, salesforce, other, "production", "ann@acme.com"))
    assert 'implementation "Retail"' in page and "An org can be connected only once in a Space" in page


def test_a_second_production_and_a_foreign_sandbox_are_refused(web_as: Any, salesforce: Any,
                                                               retail: Implementation) -> None:
    client = web_as("alice")
    connect_via_pages(client, salesforce, retail, "production", "ann@acme.com")
    second = connect_via_pages(client, salesforce, retail, "production", "gus@globex.com")
    assert "second_production" in text(second) and "at most one production org" in text(second)
    foreign = connect_via_pages(client, salesforce, retail, "sandbox", "gus@globex.com.dev")
    assert "sandbox_of_other_production" in text(foreign)
    assert retail.connections.count() == 1


def test_deny_on_the_salesforce_page_says_choose_allow(web_as: Any, salesforce: Any, retail: Implementation) -> None:
    client = web_as("alice")
    state = parse_qs(urlsplit(start(client, retail, "production")["Location"]).query)["state"][0]
    response = client.get("/orgs/oauth/callback", {"state": state, "error": "access_denied",
                                                   "error_description": "end-user denied authorization"})
    assert response.status_code == 409
    assert "end-user denied authorization" in text(response) and "choose Allow" in text(response)


def test_a_replayed_or_forged_callback_is_a_page_not_a_crash(web_as: Any, salesforce: Any,
                                                             retail: Implementation) -> None:
    client = web_as("alice")
    started = start(client, retail, "production")
    state, code = login_as(salesforce, started["Location"], "ann@acme.com")
    assert client.get("/orgs/oauth/callback", {"state": state, "code": code}).status_code == 302
    replay = client.get("/orgs/oauth/callback", {"state": state, "code": code})
    assert replay.status_code == 400 and "already used" in text(replay)
    forged = client.get("/orgs/oauth/callback", {"state": "nope", "code": code})
    assert forged.status_code == 400 and "not one Orgbook started" in text(forged)


def test_a_bad_my_domain_is_shown_on_the_login_step(web_as: Any, salesforce: Any, retail: Implementation) -> None:
    response = start(web_as("alice"), retail, "production", my_domain="https://evil.example.com")
    assert response.status_code == 400
    assert "is not a My Domain URL" in text(response)
    assert 'value="https://evil.example.com"' in response.content.decode()


def test_without_a_connected_app_the_page_says_how_to_create_one(web_as: Any, settings: Any,
                                                                 retail: Implementation) -> None:
    settings.ORGBOOK_SF_CLIENT_ID = ""
    response = start(web_as("alice"), retail, "production")
    assert response.status_code == 503
    page = text(response)
    assert "Salesforce is not set up for this Orgbook yet" in page and "ORGBOOK_SF_CLIENT_ID" in page
    assert "/orgs/oauth/callback" in page and "Traceback" not in page


def test_reconnect_re_authorises_the_same_connection(web_as: Any, salesforce: Any, retail: Implementation) -> None:
    client = web_as("alice")
    connect_via_pages(client, salesforce, retail, "production", "ann@acme.com")
    conn = OrgConnection.objects.get()
    conn.mark_needs_reauth("Salesforce no longer accepts the stored login.")
    panel = text(client.get(f"/s/acme/?impl={retail.pk}"))
    assert "Needs re-authorisation" in panel and "Salesforce no longer accepts the stored login." in panel
    started = client.post(f"/orgs/s/acme/connections/{conn.pk}/reconnect/")
    assert urlsplit(started["Location"]).netloc == urlsplit(salesforce.org("acme").instance_url).netloc
    state, code = login_as(salesforce, started["Location"], "ann@acme.com")
    done = client.get("/orgs/oauth/callback", {"state": state, "code": code})
    assert done["Location"] == f"/s/acme/?impl={retail.pk}"
    assert OrgConnection.objects.get().status == ConnectionStatus.CONNECTED
    assert "re-authorised to Retail" in text(client.get(done["Location"]))


def test_a_refreshed_sandbox_is_confirmed_then_rebound(web_as: Any, salesforce: Any, retail: Implementation) -> None:
    client = web_as("alice")
    connect_via_pages(client, salesforce, retail, "production", "ann@acme.com")
    connect_via_pages(client, salesforce, retail, "sandbox", "ann@acme.com.uat")
    sandbox = OrgConnection.objects.get(kind="sandbox")
    old_id, new_id = sandbox.org_id, salesforce.refresh_sandbox(org="uat")
    started = client.post(f"/orgs/s/acme/connections/{sandbox.pk}/reconnect/")
    state, code = login_as(salesforce, started["Location"], "ann@acme.com.uat")
    pending = client.get("/orgs/oauth/callback", {"state": state, "code": code})
    assert pending.status_code == 302 and "/orgs/s/acme/rebind/" in pending["Location"]
    confirm = client.get(pending["Location"])
    page = text(confirm)
    assert "This looks like sandbox uat refreshed" in page and old_id in page and new_id[:15] in page
    assert "keep its org model, history and documentation" in page
    assert OrgConnection.objects.get(pk=sandbox.pk).org_id == old_id
    done = client.post(pending["Location"])
    assert done["Location"] == f"/s/acme/?impl={retail.pk}"
    assert OrgConnection.objects.get(pk=sandbox.pk).org_id[:15] == new_id[:15]
    assert client.get(pending["Location"]).status_code == 404  # confirmed once only


def test_reauthorise_all_walks_every_org_in_turn(web_as: Any, salesforce: Any, people: Any,
                                                 retail: Implementation) -> None:
    client = web_as("alice")
    connect_via_pages(client, salesforce, retail, "production", "ann@acme.com")
    connect_via_pages(client, salesforce, retail, "sandbox", "ann@acme.com.uat")
    retail.connections.update(status=ConnectionStatus.NEEDS_REAUTH, status_reason="Re-authorise after reactivation.")
    url = f"/orgs/s/acme/implementations/{retail.pk}/reauthorise/"
    assert "Re-authorise 2 orgs in turn" in text(client.get(f"/s/acme/?impl={retail.pk}"))
    assert "Log in to Acme" in text(client.get(url))
    for username, next_label in (("ann@acme.com", "Log in to uat"), ("ann@acme.com.uat", None)):
        started = client.post(url, {"action": "next"})
        state, code = login_as(salesforce, started["Location"], username)
        back = client.get("/orgs/oauth/callback", {"state": state, "code": code})
        assert back["Location"] == url
        page = text(client.get(url))
        if next_label:
            assert next_label in page
        else:
            assert "Every org of Retail is authorised." in page
    assert set(retail.connections.values_list("status", flat=True)) == {ConnectionStatus.CONNECTED}
