"""Who may connect, reconnect and disconnect orgs; disconnect by typed name; another Space's orgs are 404."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.implementations.models import ConnectAttempt, Implementation, OrgConnection
from orgbook.spaces.models import AuditEvent
from tests.web import test_orgs_connect
from tests.web.conftest import text
from tests.web.test_orgs_connect import connect_via_pages

emu, salesforce = test_orgs_connect.emu, test_orgs_connect.salesforce  # fixtures


@pytest.fixture
def conn(web_as: Any, salesforce: Any, retail: Implementation) -> OrgConnection:
    connect_via_pages(web_as("alice"), salesforce, retail, "production", "ann@acme.com")
    return OrgConnection.objects.get()


def urls(conn: OrgConnection) -> list[tuple[str, str, dict[str, Any]]]:
    impl = conn.implementation_id
    return [
        ("post", "/orgs/s/acme/login/", {"implementation": impl, "kind": "sandbox"}),
        ("post", f"/orgs/s/acme/connections/{conn.pk}/reconnect/", {}),
        ("get", f"/orgs/s/acme/connections/{conn.pk}/disconnect/", {}),
        ("post", f"/orgs/s/acme/connections/{conn.pk}/disconnect/", {"confirm": "Acme"}),
        ("get", f"/orgs/s/acme/implementations/{impl}/reauthorise/", {}),
        ("post", f"/orgs/s/acme/implementations/{impl}/reauthorise/", {"action": "next"}),
        ("get", "/orgs/s/acme/rebind/1/", {}),
    ]


def test_disconnect_needs_the_exact_name_then_revokes_and_deletes(web_as: Any, conn: OrgConnection) -> None:
    client = web_as("alice")
    url = f"/orgs/s/acme/connections/{conn.pk}/disconnect/"
    page = text(client.get(url))
    assert "Disconnect Acme?" in page and "revokes its Salesforce token" in page
    wrong = client.post(url, {"confirm": "acme"})
    assert wrong.status_code == 400 and "type the org's name exactly: Acme" in text(wrong)
    assert OrgConnection.objects.exists()
    token = conn.refresh_token()
    done = client.post(url, {"confirm": "Acme"})
    assert done["Location"] == f"/s/acme/?impl={conn.implementation_id}"
    assert not OrgConnection.objects.exists()
    assert AuditEvent.objects.filter(action="org.disconnected").exists()
    assert "Acme was disconnected" in text(client.get(done["Location"]))
    assert token and token not in text(client.get("/s/acme/audit/"))


@pytest.mark.parametrize("who", ["eddie", "vera"])
def test_editors_and_viewers_get_403_and_see_no_org_buttons(web_as: Any, conn: OrgConnection, who: str) -> None:
    client = web_as(who)
    for method, path, data in urls(conn):
        response = getattr(client, method)(path, data)
        assert response.status_code == 403, (method, path)
    assert OrgConnection.objects.filter(pk=conn.pk).exists()
    panel = text(client.get(f"/s/acme/?impl={conn.implementation_id}"))
    assert "Acme" in panel and "Queued" in panel  # its first sync, queued by the connect
    assert "Reconnect" not in panel and "Disconnect" not in panel


def test_another_spaces_admin_gets_404_everywhere(web_as: Any, conn: OrgConnection) -> None:
    mallory = web_as("mallory")
    for method, path, data in urls(conn):
        assert getattr(mallory, method)(path, data).status_code == 404, (method, path)
        # Her own Space's slug with Acme's ids: still not found.
        globex_path = path.replace("/s/acme/", "/s/globex/")
        assert getattr(mallory, method)(globex_path, data).status_code == 404, (method, globex_path)
    assert OrgConnection.objects.filter(pk=conn.pk).exists()


def test_a_callback_started_by_someone_else_is_refused(web_as: Any, salesforce: Any, retail: Implementation,
                                                      people: Any) -> None:
    from tests.connections.conftest import login_as

    started = web_as("alice").post("/orgs/s/acme/login/", {"implementation": retail.pk, "kind": "production"})
    state, code = login_as(salesforce, started["Location"], "ann@acme.com")
    response = web_as("mallory").get("/orgs/oauth/callback", {"state": state, "code": code})
    assert response.status_code == 400 and "Start Connect Org again" in text(response)
    assert not OrgConnection.objects.exists()


def test_an_admin_demoted_during_the_login_cannot_finish_it(web_as: Any, salesforce: Any, retail: Implementation,
                                                           people: Any) -> None:
    from orgbook.spaces.models import Membership, Role
    from tests.connections.conftest import login_as

    client = web_as("alice")
    started = client.post("/orgs/s/acme/login/", {"implementation": retail.pk, "kind": "production"})
    state, code = login_as(salesforce, started["Location"], "ann@acme.com")
    Membership.objects.filter(user=people["alice"]).update(role=Role.EDITOR)
    assert client.get("/orgs/oauth/callback", {"state": state, "code": code}).status_code == 403
    assert not OrgConnection.objects.exists()
    assert ConnectAttempt.objects.get().used_at is None


def test_anonymous_visitors_are_sent_to_log_in(client: Any, db: Any) -> None:
    response = client.get("/orgs/oauth/callback?state=x&code=y")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
