"""An org's sync schedule is shown (its next run) and changed in the web UI, by the same rule as the
API's settings endpoint: a daily time in the Space's zone, or manual sync only (which keeps no
refresh token). Before, the time could be read or changed only through the API."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from orgbook.implementations import lifecycle
from orgbook.implementations.models import OrgConnection
from orgbook.spaces.models import AuditEvent
from tests.api.conftest import ApiClient
from tests.web.conftest import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def conn(people: dict[str, Any]) -> OrgConnection:
    people["acme"].time_zone = "Europe/Paris"
    people["acme"].save()
    retail = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    c = OrgConnection.objects.create(implementation=retail, kind="production", org_id="00D000000000001AAA",
                                     org_name="Retail Prod", sync_time=time(23, 30))
    c.set_tokens("refresh-token", "access-token")
    c.save()
    return c


def url(c: OrgConnection) -> str:
    return f"/orgs/s/acme/connections/{c.pk}/schedule/"


def test_the_panel_shows_the_next_sync_and_links_to_the_schedule(web_as: Any, conn: OrgConnection) -> None:
    page = text(web_as("alice").get(f"/s/acme/?impl={conn.implementation_id}"))
    assert "Next sync" in page and "23:30" in page
    assert url(conn) in web_as("alice").get(f"/s/acme/?impl={conn.implementation_id}").content.decode()


def test_an_admin_changes_the_daily_time_and_sees_the_next_run(web_as: Any, conn: OrgConnection) -> None:
    client = web_as("alice")
    page = text(client.get(url(conn)))
    assert "Next scheduled sync:" in page and "23:30 (Europe/Paris)" in page
    response = client.post(url(conn), {"mode": "daily", "sync_time": "04:15"}, follow=True)
    page = text(response)
    assert "Retail Prod now syncs every day at 04:15." in page
    assert "04:15 (Europe/Paris)" in page
    conn.refresh_from_db()
    assert conn.sync_time == time(4, 15) and not conn.manual_sync_only
    event = AuditEvent.objects.get(action="org.schedule_changed")
    assert event.before["sync_time"] == "23:30" and event.after["sync_time"] == "04:15"


def test_manual_only_drops_the_refresh_token_and_says_there_is_no_next_run(web_as: Any, conn: OrgConnection) -> None:
    client = web_as("alice")
    page = text(client.post(url(conn), {"mode": "manual", "sync_time": "04:15"}, follow=True))
    assert "now syncs only when someone asks for it" in page
    assert "Manual sync only : Orgbook syncs this org only when someone chooses Sync now." in page
    conn.refresh_from_db()
    assert conn.manual_sync_only and conn.refresh_token() is None
    # Back to a daily time: the schedule needs a refresh token again, so the org asks for a Reconnect.
    page = text(client.post(url(conn), {"mode": "daily", "sync_time": "02:00"}, follow=True))
    assert "reconnect once" in page.lower()
    conn.refresh_from_db()
    assert conn.status == "needs_reauth" and not conn.manual_sync_only


def test_a_daily_schedule_needs_a_time(web_as: Any, conn: OrgConnection) -> None:
    response = web_as("alice").post(url(conn), {"mode": "daily", "sync_time": ""})
    assert response.status_code == 400
    assert "Give the time of day to sync, like 23:30." in text(response)
    response = web_as("alice").post(url(conn), {"mode": "daily", "sync_time": "25:99"})
    assert response.status_code == 400


def test_editors_and_viewers_may_not_change_it(web_as: Any, conn: OrgConnection) -> None:
    for name in ("eddie", "vera"):
        assert web_as(name).post(url(conn), {"mode": "manual"}).status_code == 403
    conn.refresh_from_db()
    assert not conn.manual_sync_only


def test_the_api_applies_the_same_rule(people: dict[str, Any], conn: OrgConnection, web_as: Any) -> None:
    path = f"/spaces/acme/implementations/{conn.implementation_id}/connections/{conn.pk}/settings"
    api = ApiClient(people["alice"])
    r = api.call("put", path, {"manual_sync_only": True})
    assert r.status_code == 200 and r.json_body["manual_sync_only"] is True and r.json_body["sync_time"] == "23:30"
    conn.refresh_from_db()
    assert conn.manual_sync_only and conn.refresh_token() is None
    assert "Manual sync only" in text(web_as("alice").get(url(conn)))
    # manual_sync_only false alone brings back the daily time kept, and asks for a reconnect.
    r = api.call("put", path, {"manual_sync_only": False})
    assert r.status_code == 200 and r.json_body == {"recipients": r.json_body["recipients"], "sync_time": "23:30",
                                                    "manual_sync_only": False}
    conn.refresh_from_db()
    assert conn.status == "needs_reauth"
    assert "Next scheduled sync:" in text(web_as("alice").get(url(conn)))
