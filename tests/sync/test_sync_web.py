"""Sync now from the implementations page, and the live progress bar while a sync runs."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.orgmodels.models import SyncRun
from orgbook.orgmodels.sync import model_for


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_syncs_now_and_sees_the_result(people: dict[str, Any], connected: Any) -> None:
    from orgbook.celery import app

    app.conf.task_always_eager = True
    try:
        r = _client(people["eddie"]).post(f"/orgs/s/acme/connections/{connected.pk}/sync/")
    finally:
        app.conf.task_always_eager = False
    assert r.status_code == 302
    page = _client(people["eddie"]).get(f"/s/acme/?impl={connected.implementation_id}").content.decode()
    assert f"Sync {connected.label()} now" in page
    status = _client(people["vera"]).get(f"/orgs/s/acme/connections/{connected.pk}/sync-status/").content.decode()
    assert "Last sync" in status and "added" in status


def test_a_running_sync_shows_its_stage_and_percentage_and_keeps_polling(people: dict[str, Any], connected: Any) -> None:
    connected.status = "syncing"
    connected.save()
    SyncRun.objects.create(model=model_for(connected), trigger="manual", stage="retrieving (2 of 5 chunks)", progress=34)
    html = _client(people["vera"]).get(f"/orgs/s/acme/connections/{connected.pk}/sync-status/").content.decode()
    assert '<progress max="100" value="34"' in html and "retrieving (2 of 5 chunks)" in html
    assert 'hx-trigger="load delay:2s"' in html


def test_a_viewer_cannot_start_a_sync_and_another_space_sees_nothing(people: dict[str, Any], connected: Any) -> None:
    assert _client(people["vera"]).post(f"/orgs/s/acme/connections/{connected.pk}/sync/").status_code == 403
    assert _client(people["mallory"]).get(f"/orgs/s/acme/connections/{connected.pk}/sync-status/").status_code == 404
