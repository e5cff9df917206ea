"""Chromium (Debian's, at /usr/bin/chromium) driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still plain synchronous calls, so Django's async-safety guard must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("ORGBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# The user guide's screenshots (docs/user/screenshots.sh): made here, by the tests that check the same
# pages, never by hand; tests/docs/test_guide_screenshots.py holds every image to a test that shoots it.
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "user" / "images"
GUIDE_VIEWPORT = {"width": 1280, "height": 800}
from tests.corpus import DREAMHOUSE  # noqa: E402,F401  (re-exported for the browser tests)

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    # Browser tests are selected only where Chromium is installed (.ci/run installs it): fail, don't skip.
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir() -> None:
    """pytest-playwright's fixture of this name empties --output when each test process starts; with
    pytest-xdist (.ci/run runs the browser tests on two) one worker would delete a failed test's
    screenshot the other had just written. The root conftest.py empties it once per run instead."""


@pytest.fixture
def page(browser: Any, live_server: Any, request: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    # pytest-playwright's makereport hook leaves each phase's report on the item as rep_<phase>.
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        # Into --output (one folder per run: .ci/run's PostgreSQL run has its own), named by test id,
        # so the two xdist workers never write the same file.
        results = Path(request.config.getoption("output")).absolute()
        results.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(results / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def admin_space(transactional_db: Any) -> dict[str, Any]:
    """Alice, Space admin of Acme (paid, 2 licences) holding one implementation, Retail."""
    from django.contrib.auth import get_user_model

    from orgbook.implementations import lifecycle

    alice = get_user_model().objects.create_user(username="alice@example.com", email="alice@example.com", password=PASSWORD)
    acme = lifecycle.create_space("Acme", alice, plan="paid", licences=2, time_zone="Europe/Paris")
    retail = lifecycle.create_implementation(acme, alice, "Retail", "Stores and POS")
    return {"alice": alice, "acme": acme, "retail": retail}


def shoot(page: Any, name: str) -> None:
    """The user guide's screenshot of what the test just checked, at 1280 x 800 and never the whole page
    (small files), only when ORGBOOK_DOC_SCREENSHOTS is set; the test's own window size is put back."""
    if not os.environ.get("ORGBOOK_DOC_SCREENSHOTS"):
        return
    size = page.viewport_size
    page.set_viewport_size(GUIDE_VIEWPORT)
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(GUIDE_IMAGES / f"{name}.png"), full_page=False, animations="disabled")
    if size:
        page.set_viewport_size(size)


def log_in(page: Any, email: str = "alice@example.com") -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


# Issue 15's two widths: every daily path is checked on a desktop and on a phone.
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized(page: Any, request: Any) -> Any:
    """The page at 1440 x 900, then at 390 x 844 (the test runs once at each)."""
    width, height = WIDTHS[request.param]
    page.set_viewport_size({"width": width, "height": height})
    return page


def space_nav(page: Any) -> Any:
    """The Space's navigation, opened from the menu button first where the screen is a phone's."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") == "false":
        menu.click()
    return page.get_by_role("navigation", name="Space")
