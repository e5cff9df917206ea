"""Sync now, and an org's one sync state as pages show it (web/orgs/_sync_state.html): the fragment
pages poll while a sync is queued or running, what each state says, and that the card, the panel and
the page after connecting never contradict each other (issue 15)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from orgbook.implementations.models import ConnectionStatus, Implementation, ImplementationStatus
from orgbook.orgmodels import syncing
from orgbook.orgmodels.models import SyncRun
from orgbook.orgmodels.sync import model_for
from orgbook.orgmodels.syncstate import mark_queued
from orgbook.runs.syncs import sync_connection

POLLS = 'hx-trigger="every 2s"'
CONTRADICTIONS = ("Up to date", "Waiting for a worker", "Connected</span>")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fragment(user: Any, conn: Any, variant: str = "panel", **headers: Any) -> str:
    r = _client(user).get(f"/orgs/s/acme/connections/{conn.pk}/sync-status/", {"variant": variant}, headers=headers)
    assert r.status_code == 200
    return r.content.decode()


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge badge-sync-[a-z_]+">([^<]+)</span>', html)


def sync_button(html: str) -> str:
    """The opening tag of the org's Sync now button (named "Sync <org> now" by a hidden span), or ""."""
    found = re.search(r'(<button[^>]*>)Sync <span class="visually-hidden">[^<]+ </span>now</button>', html)
    return found.group(1) if found else ""


def test_an_editor_syncs_now_and_sees_the_result(people: dict[str, Any], connected: Any) -> None:
    from orgbook.celery import app

    sync_connection(connected, "first")  # the first sync, queued by the connect, run by a worker
    app.conf.task_always_eager = True
    try:
        r = _client(people["eddie"]).post(f"/orgs/s/acme/connections/{connected.pk}/sync/")
    finally:
        app.conf.task_always_eager = False
    assert r.status_code == 302
    page = _client(people["eddie"]).get(f"/s/acme/?impl={connected.implementation_id}").content.decode()
    assert badges(page) == ["Synced", "Synced"]  # the card, the panel
    assert "Last sync" in page and "0 added, 0 changed, 0 removed" in page
    assert sync_button(page) and "disabled" not in sync_button(page)
    assert POLLS not in page and not any(word in page for word in CONTRADICTIONS)


def test_queued_says_so_polls_and_offers_no_second_sync(people: dict[str, Any], connected: Any) -> None:
    html = fragment(people["eddie"], connected)  # the connect queued the first sync; no worker here
    assert badges(html) == ["Queued"] and POLLS in html and "<progress" not in html
    assert "disabled" in sync_button(html)
    assert _client(people["eddie"]).post(f"/orgs/s/acme/connections/{connected.pk}/sync/").status_code == 409


def test_running_shows_its_stage_and_percent_and_keeps_polling(people: dict[str, Any], connected: Any) -> None:
    assert syncing.acquire_lease(connected, "a-worker")
    SyncRun.objects.create(model=model_for(connected), trigger="first", stage="retrieving (2 of 5 chunks)", progress=34)
    html = fragment(people["eddie"], connected)
    assert badges(html) == ["Syncing"] and "Queued" not in html
    assert '<progress max="100" value="34"' in html and "34% · retrieving (2 of 5 chunks)" in html
    assert POLLS in html and "disabled" in sync_button(html)
    card = fragment(people["vera"], connected, "card")
    assert badges(card) == ["Syncing"] and "34% · retrieving" in card and POLLS in card and not sync_button(card)


def test_finished_stops_polling_and_links_the_report(people: dict[str, Any], connected: Any) -> None:
    run = sync_connection(connected, "first")
    html = fragment(people["vera"], connected)
    assert badges(html) == ["Synced"] and POLLS not in html and "hx-get" not in html
    assert f"{run.added} added, 0 changed, 0 removed" in html and f"/uploads/s/acme/runs/{run.pk}/" in html
    assert not sync_button(html)  # a viewer may not start one


def test_failed_gives_the_reason_and_allows_a_new_sync(people: dict[str, Any], connected: Any) -> None:
    SyncRun.objects.create(model=model_for(connected), trigger="first", status=SyncRun.Status.FAILED,
                           error="RetrieveFailed: INVALID_CROSS_REFERENCE_KEY", finished_at=timezone.now())
    syncing.set_status(connected, ConnectionStatus.SYNC_FAILED, "RetrieveFailed: INVALID_CROSS_REFERENCE_KEY")
    html = fragment(people["eddie"], connected)
    assert badges(html) == ["Sync failed"] and "INVALID_CROSS_REFERENCE_KEY" in html and POLLS not in html
    assert sync_button(html) and "disabled" not in sync_button(html)


def test_needs_reauthorisation_offers_no_sync(people: dict[str, Any], connected: Any) -> None:
    connected.mark_needs_reauth("Salesforce refused the stored login.")
    html = fragment(people["eddie"], connected)
    assert badges(html) == ["Needs re-authorisation"] and "refused the stored login" in html
    assert not sync_button(html) and POLLS not in html


def test_a_suspended_implementations_orgs_say_suspended(people: dict[str, Any], connected: Any) -> None:
    sync_connection(connected, "first")
    Implementation.objects.filter(pk=connected.implementation_id).update(
        status=ImplementationStatus.SUSPENDED, suspended_at=timezone.now())
    page = _client(people["alice"]).get(f"/s/acme/?impl={connected.implementation_id}").content.decode()
    card = page.split('class="impl-card', 1)[1].split("</article>", 1)[0]
    assert badges(card) == ["Suspended"] and "Synced" not in page and "Up to date" not in page
    assert badges(fragment(people["vera"], connected)) == ["Suspended"]  # a page left open says so too


def test_the_page_after_connecting_opens_the_model_when_done(people: dict[str, Any], connected: Any) -> None:
    page = _client(people["alice"]).get(f"/orgs/s/acme/connections/{connected.pk}/first-sync/").content.decode()
    assert "First sync of Acme" in page and badges(page) == ["Queued"] and "?variant=watch" in page
    run = sync_connection(connected, "first")
    polled = _client(people["alice"]).get(f"/orgs/s/acme/connections/{connected.pk}/sync-status/",
                                          {"variant": "watch"}, headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == f"/m/{run.model_id}/"
    assert "Open the org model" in polled.content.decode()
    # Opened again later, the page shows the link and does not send anyone away.
    plain = _client(people["alice"]).get(f"/orgs/s/acme/connections/{connected.pk}/sync-status/", {"variant": "watch"})
    assert "HX-Redirect" not in plain and f'href="/m/{run.model_id}/"' in plain.content.decode()


def test_the_model_pages_show_the_orgs_state(people: dict[str, Any], connected: Any) -> None:
    run = sync_connection(connected, "first")
    html = fragment(people["vera"], connected, "head")
    assert badges(html) == ["Synced"] and "Last sync" in html and not sync_button(html)
    mark_queued(connected)
    assert badges(fragment(people["vera"], connected, "head")) == ["Queued"]
    assert run.model_id


@pytest.mark.parametrize("variant", ["nonsense", ""])
def test_an_unknown_variant_is_the_panel(people: dict[str, Any], connected: Any, variant: str) -> None:
    assert 'id="sync-panel-' in fragment(people["vera"], connected, variant)


def test_a_viewer_cannot_start_a_sync_and_another_space_sees_nothing(people: dict[str, Any], connected: Any) -> None:
    assert _client(people["vera"]).post(f"/orgs/s/acme/connections/{connected.pk}/sync/").status_code == 403
    assert _client(people["mallory"]).get(f"/orgs/s/acme/connections/{connected.pk}/sync-status/").status_code == 404
    assert _client(people["mallory"]).get(f"/orgs/s/acme/connections/{connected.pk}/first-sync/").status_code == 404
