"""In Chromium with no way out: every kind of page, the API docs included, loads only from Orgbook's own
host and logs no script error. Orgbook is self-hosted, often where the browser cannot reach the
internet, so a script, stylesheet, font or icon fetched from a CDN is a broken page there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.connections.conftest import login_as

from .conftest import DREAMHOUSE, log_in
from .connect_fixtures import emu, salesforce  # noqa: F401  (fixtures: the emulator as Orgbook's Salesforce)

pytestmark = pytest.mark.browser


@dataclass
class Watch:
    """What the pages tried that an offline browser could not do: requests to another host, script
    errors and console errors, each noted with the page that caused it."""

    origin: str
    current: str = ""
    expected_status: int = 200
    problems: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"{self.current}: requested another host: {url}")
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def console(self, message: Any) -> None:
        if message.type == "error" and not self.is_own_status(message):
            self.problems.append(f"{self.current}: console error: {message.text} ({message.location.get('url')})")

    def is_own_status(self, message: Any) -> bool:
        """Chromium logs a page's error status as a failed load; a 404 page answers 404 on purpose."""
        return (
            self.expected_status != 200
            and f"the server responded with a status of {self.expected_status} " in message.text
            and message.location.get("url") == self.origin + self.current
        )

    def page_error(self, error: Any) -> None:
        self.problems.append(f"{self.current}: script error: {error}")


def visit(page: Any, watch: Watch, path: str, status: int = 200) -> None:
    watch.current, watch.expected_status = path, status
    response = page.goto(path)
    # Scripts that fetch after loading (htmx, Swagger UI reading the schema) have finished by then.
    page.wait_for_load_state("networkidle")
    if response is None or response.status != status:
        watch.problems.append(f"{path}: answered {response and response.status}, expected {status}")
    # Headless Chromium fetches no icon, so a page without its own would pass unnoticed: look for the link.
    if page.locator('link[rel="icon"]').count() == 0:
        watch.problems.append(f"{path}: no <link rel=\"icon\">")


@pytest.fixture
def models(admin_space: dict[str, Any]) -> dict[str, Any]:
    """Dreamhouse imported as Retail's production org model and as a sandbox (to compare)."""
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    found = {}
    for name, kind in (("Production", "production"), ("UAT", "sandbox")):
        found[kind] = model_for_import(admin_space["retail"], name, kind)
        import_path(found[kind], DREAMHOUSE)
    return found


@pytest.fixture
def connection(admin_space: dict[str, Any], salesforce: Any) -> Any:  # noqa: F811
    """Retail's production org connected through the emulator and synced once: the pages of a
    connected org (its panel and sync status, its org model, reauthorisation, disconnect)."""
    from orgbook.implementations import connect
    from orgbook.runs.syncs import sync_connection

    state, code = login_as(salesforce, connect.begin(admin_space["alice"], admin_space["retail"], "production"),
                           "ann@acme.com")
    conn = connect.complete(admin_space["alice"], state, code)
    sync_connection(conn, "first")
    return conn


def signed_in_pages(admin_space: dict[str, Any], models: dict[str, Any], connection: Any) -> tuple[str, ...]:
    """Every kind of page a signed-in Space admin opens (one address each), for any test that walks them
    all: this one, and the phone-width layout (test_responsive_layout)."""
    space, impl = admin_space["acme"].slug, admin_space["retail"].pk
    model, sandbox = models["production"].pk, models["sandbox"].pk
    run = models["production"].runs.order_by("-id").first().pk
    conn, synced = connection.pk, connection.org_model.pk
    return (
        "/", "/spaces/new/", "/account/tokens/",
        f"/s/{space}/", f"/s/{space}/?impl={impl}", f"/s/{space}/implementations/new/",
        f"/s/{space}/implementations/{impl}/edit/", f"/s/{space}/implementations/{impl}/delete/",
        f"/s/{space}/connect/", f"/s/{space}/connect/implementation/?kind=sandbox",
        f"/s/{space}/connect/next/?kind=sandbox&impl={impl}",
        f"/s/{space}/subscription/", f"/s/{space}/members/", f"/s/{space}/members/invite/", f"/s/{space}/audit/",
        f"/uploads/s/{space}/i/{impl}/",
        f"/m/{model}/", f"/m/{model}/?type=CustomField", f"/m/{model}/search/?q=price",
        f"/m/{model}/c/CustomObject/Property__c", f"/m/{model}/c/CustomField/Property__c.Price__c",
        f"/m/{model}/compare/", f"/m/{model}/compare/?with={sandbox}",
        f"/m/{model}/consolidate/?with={sandbox}", f"/m/{sandbox}/manifest/?to={model}",
        f"/d/s/{space}/i/{impl}/", f"/d/s/{space}/i/{impl}/import/", f"/d/s/{space}/i/{impl}/reference-models/new/",
        f"/d/s/{space}/m/{model}/c/CustomField/Property__c.Price__c/",
        f"/d/s/{space}/m/{model}/coverage/", f"/d/s/{space}/m/{model}/tree/",
        f"/uploads/s/{space}/runs/{run}/", f"/m/{synced}/",
        f"/s/{space}/changes/", f"/s/{space}/runs/{run}/changes/",
        f"/orgs/s/{space}/connections/{conn}/disconnect/", f"/orgs/s/{space}/implementations/{impl}/reauthorise/",
        f"/orgs/s/{space}/connections/{conn}/schedule/",
    )


def test_no_page_loads_anything_from_another_host_or_logs_an_error(
    page: Any, live_server: Any, admin_space: dict[str, Any], models: dict[str, Any], connection: Any,
) -> None:
    admin_space["alice"].is_staff = True  # the installation's administrator: /spaces/new/ is hers
    admin_space["alice"].save()
    watch = Watch(origin=live_server.url)
    page.context.route("**/*", watch.route)
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)

    visit(page, watch, "/login/")
    visit(page, watch, "/signup/", status=403)  # accounts by invitation (ORGBOOK_SIGNUP)
    visit(page, watch, "/invitations/no-such-invitation/", status=404)
    log_in(page)
    for path in signed_in_pages(admin_space, models, connection):
        visit(page, watch, path)
    visit(page, watch, "/no-such-page/", status=404)
    visit(page, watch, "/s/no-such-space/", status=404)

    visit(page, watch, "/api/v1/docs")
    assert not watch.problems, "\n".join(watch.problems)
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 10
    expect(page.locator(".opblock-summary-path").filter(has_text="/api/v1/spaces").first).to_be_visible()
