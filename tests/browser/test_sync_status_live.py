"""An org's sync state live in Chromium (issue 15): after Allow, the page follows the first sync
(queued → running with stage and percent → the org model opens, or the failure and its reason), and
Sync now walks the implementation's card and panel through queued → running → finished together, at
1440 and 390 px wide.

The worker is the real Celery task (`sync_org.apply`, as eager mode runs it) in a thread of the test
process, started when the test lets the queued task go: until then the org is visibly queued. On
SQLite's in-memory test database it shares the test's connection, as pytest-django's live server
does. A slow retrieve in the emulator keeps the sync running for a few seconds, so the pages can be
seen saying so."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import OrgModel
from tests.browser import connect_fixtures
from tests.browser.conftest import DREAMHOUSE, log_in, shoot
from tests.browser.connect_fixtures import connect_directly, salesforce_login, start_connect
from tests.emulator import acme_with, emulator_fixture

pytestmark = pytest.mark.browser
emu = emulator_fixture(lambda: acme_with(str(DREAMHOUSE)))
salesforce = connect_fixtures.salesforce  # the fixture, used by name (it reads this module's `emu`)
FINISH_MS = 90_000  # a whole first sync of dreamhouse on a busy 2-core machine


class Worker:
    """Runs the tasks the pages queued (captured by the `salesforce` fixture) when the test says so."""

    def __init__(self, queued: list[tuple[str, Any]]) -> None:
        self.queued = queued
        self.threads: list[threading.Thread] = []
        self.results: list[Any] = []

    def run_queued(self) -> None:
        from django.db import connections

        from orgbook.runs.tasks import sync_org

        tasks = [args for name, args in self.queued if name == sync_org.name]
        assert tasks, f"nothing queued: {self.queued}"
        self.queued.clear()
        shared = connections["default"]
        in_memory = shared.vendor == "sqlite" and shared.is_in_memory_db()
        if in_memory:
            shared.inc_thread_sharing()

        def work() -> None:
            if in_memory:
                connections["default"] = shared  # the test database lives in this connection
            try:
                for args in tasks:
                    self.results.append(sync_org.apply(args=args))
            finally:
                if in_memory:
                    shared.dec_thread_sharing()
                else:
                    connections["default"].close()

        thread = threading.Thread(target=work, name="test-worker", daemon=True)
        self.threads.append(thread)
        thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=FINISH_MS / 1000)
            assert not thread.is_alive(), "the sync did not finish"


@pytest.fixture
def worker(salesforce: Any, settings: Any) -> Iterator[Worker]:
    settings.ORGBOOK_SF_POLL_MS = 400  # with a slow retrieve (4 polls): 0.4 + 0.8 + 1.6 + 3.2 s running
    salesforce.clear_faults()
    w = Worker(salesforce.queued)
    yield w
    w.join()


def state_of(page: Any, selector: str) -> Any:
    return page.locator(selector)


def expect_running(box: Any) -> None:
    expect(box).to_have_attribute("data-phase", "running", timeout=30_000)
    expect(box.locator(".badge")).to_have_text("Syncing")
    expect(box.locator(".sync-stage")).to_have_text(re.compile(r"^\d{1,3}% · \S"))
    expect(box).not_to_contain_text("Queued")


def connect_and_watch(page: Any, admin_space: Any) -> tuple[OrgConnection, Any]:
    """Connect Retail's production org through the emulator's login; the first-sync page opens."""
    log_in(page)
    start_connect(page, "production", "Retail")
    salesforce_login(page, "ann@acme.com")
    page.wait_for_url(re.compile(r"/first-sync/$"))
    conn = OrgConnection.objects.get(implementation=admin_space["retail"])
    return conn, state_of(page, f"#sync-watch-{conn.pk}")


def test_the_first_sync_is_watched_from_allow_to_the_org_model(sized: Any, admin_space: Any, salesforce: Any,
                                                               worker: Worker) -> None:
    page = sized
    conn, watch = connect_and_watch(page, admin_space)
    expect(page.get_by_role("heading", name="First sync of Acme")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("connected to Retail")
    expect(watch).to_have_attribute("data-phase", "queued")
    expect(watch.locator(".badge")).to_have_text("Queued")
    expect(page.get_by_role("button", name="Sync Acme now")).to_be_disabled()
    page.wait_for_timeout(2500)  # a poll comes and goes: still queued, nothing else claimed
    expect(watch).to_have_attribute("data-phase", "queued")

    salesforce.inject_fault(org="acme", kind="slow_retrieve", polls=4)
    worker.run_queued()
    expect_running(watch)
    expect(watch.locator("progress")).to_be_visible()
    shoot(page, "first-sync")

    page.wait_for_url(re.compile(r"/m/\d+/$"), timeout=FINISH_MS)  # done: the org model opens by itself
    assert page.url.endswith(f"/m/{OrgModel.objects.get(connection=conn).pk}/")
    head = state_of(page, f"#sync-head-{conn.pk}")
    expect(head.locator(".badge")).to_have_text("Synced")
    expect(head).to_contain_text("Last sync")
    assert_no_horizontal_overflow(page)


def test_a_first_sync_that_fails_says_why(sized: Any, admin_space: Any, salesforce: Any, worker: Worker) -> None:
    page = sized
    conn, watch = connect_and_watch(page, admin_space)
    expect(watch).to_have_attribute("data-phase", "queued")

    salesforce.inject_fault(org="acme", kind="slow_retrieve", polls=4)
    salesforce.inject_fault(org="acme", kind="failed_retrieve", times=5, code="INVALID_CROSS_REFERENCE_KEY",
                            message="INVALID_CROSS_REFERENCE_KEY: the emulator refused this retrieve")
    worker.run_queued()
    expect_running(watch)
    expect(watch).to_have_attribute("data-phase", "failed", timeout=FINISH_MS)
    expect(watch.locator(".badge")).to_have_text("Sync failed")
    expect(watch).to_contain_text("the emulator refused this retrieve")
    expect(page.get_by_role("button", name="Sync Acme now")).to_be_enabled()  # trying again is allowed
    assert "/first-sync/" in page.url  # nothing to open: the page stays and says why
    page.wait_for_timeout(2500)
    expect(watch).to_have_attribute("data-phase", "failed")  # settled: no more polling changes it
    assert_no_horizontal_overflow(page)


def test_sync_now_moves_card_and_panel_together(sized: Any, admin_space: Any, salesforce: Any,
                                                worker: Worker) -> None:
    from orgbook.runs.syncs import sync_connection

    page = sized
    log_in(page)
    conn = connect_directly(admin_space["alice"], admin_space["retail"], "production", "ann@acme.com", salesforce)
    salesforce.queued.clear()  # the connect's own first sync, run here instead
    sync_connection(conn, "first")
    salesforce.modify_component("acme", "ApexClass", "PropertyController",
                                "public with sharing class PropertyController { /* changed */ }")
    page.goto(f"/s/acme/?impl={admin_space['retail'].pk}")
    card, panel = state_of(page, f"#sync-card-{conn.pk}"), state_of(page, f"#sync-panel-{conn.pk}")
    sync_now = page.get_by_role("button", name="Sync Acme now")
    for box in (card, panel):
        expect(box.locator(".badge")).to_have_text("Synced")
    expect(sync_now).to_be_enabled()

    sync_now.click()
    expect(page.get_by_role("status")).to_contain_text("Sync of Acme queued")
    for box in (card, panel):
        expect(box).to_have_attribute("data-phase", "queued")
        expect(box.locator(".badge")).to_have_text("Queued")
    expect(sync_now).to_be_disabled()
    expect(panel.locator("progress")).to_have_count(0)

    salesforce.inject_fault(org="acme", kind="slow_retrieve", polls=4)
    worker.run_queued()
    for box in (card, panel):
        expect_running(box)
    expect(sync_now).to_be_disabled()

    for box in (card, panel):
        expect(box).to_have_attribute("data-phase", "finished", timeout=FINISH_MS)
        expect(box.locator(".badge")).to_have_text("Synced")
    expect(panel).to_contain_text("0 added, 1 changed, 0 removed")
    expect(sync_now).to_be_enabled()
    for word in ("Queued", "Syncing", "Up to date", "Waiting for a worker", "Not synced yet"):
        expect(page.locator("main")).not_to_contain_text(word)
    assert_no_horizontal_overflow(page, within="#panel")


def assert_no_horizontal_overflow(page: Any, within: str = "main") -> None:
    """What the sync state adds never makes its box wider than the screen."""
    widths = page.evaluate(
        "s => Array.from(document.querySelectorAll(s + ' .sync-state')).map(e => e.getBoundingClientRect().right)",
        within)
    viewport = page.viewport_size["width"]
    assert widths and all(right <= viewport + 1 for right in widths), (widths, viewport)
