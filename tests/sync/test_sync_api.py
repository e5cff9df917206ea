"""Sync now from the API: Editors and admins start it, Viewers cannot, suspended implementations never sync."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.implementations import lifecycle
from orgbook.orgmodels.syncing import acquire_lease
from orgbook.runs.syncs import sync_connection


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _path(conn: Any) -> str:
    return f"/api/v1/spaces/acme/implementations/{conn.implementation_id}/connections/{conn.pk}/syncs"


def test_an_editor_starts_a_sync_and_a_viewer_cannot(people: dict[str, Any], connected: Any, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from orgbook.celery import app

    sync_connection(connected, "first")  # the connect queued it; a worker ran it (until then: "already queued")
    app.conf.task_always_eager = True
    try:
        assert _client(people["vera"]).post(_path(connected)).status_code == 403
        r = _client(people["eddie"]).post(_path(connected))
        assert r.status_code == 202
    finally:
        app.conf.task_always_eager = False
    runs = _client(people["vera"]).get(_path(connected)).json()
    assert [r["status"] for r in runs] == ["succeeded", "succeeded"] and runs[0]["progress"] == 100
    assert runs[1]["added"] > 80


def test_a_running_sync_answers_conflict(people: dict[str, Any], connected: Any) -> None:
    acquire_lease(connected, "another-attempt")
    r = _client(people["alice"]).post(_path(connected))
    assert r.status_code == 409 and "already running" in r.json()["error"]["message"]


def test_a_suspended_implementation_cannot_be_synced_or_read(people: dict[str, Any], connected: Any) -> None:
    sync_connection(connected, "first")
    lifecycle.suspend(connected.implementation, None, reason="test")
    r = _client(people["alice"]).post(_path(connected))
    assert r.status_code == 403 and r.json()["error"]["code"] == "implementation_suspended"
    assert _client(people["alice"]).get(_path(connected)).status_code == 403


def test_another_space_cannot_see_the_runs(people: dict[str, Any], connected: Any) -> None:
    assert _client(people["mallory"]).get(_path(connected)).status_code == 404


def test_sync_now_from_the_api_shows_queued_as_the_page_does(people: dict[str, Any], connected: Any) -> None:
    """One rule for "sync now" (runs.tasks.start_manual_sync): the API's start used to leave the org
    showing its old status until a worker picked the task up, while the page's showed "Queued"."""
    sync_connection(connected, "first")
    assert _client(people["eddie"]).post(_path(connected)).status_code == 202
    impl = _client(people["vera"]).get(f"/api/v1/spaces/acme/implementations/{connected.implementation_id}").json()
    conn = next(c for c in [impl["production"], *impl["sandboxes"]] if c and c["id"] == connected.pk)
    assert (conn["status"], conn["status_reason"]) == ("syncing", "Queued")
