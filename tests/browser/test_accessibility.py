"""axe-core over every kind of page, on a desktop (1440 x 900) and on a phone (390 x 844): no violation a
screen-reader or keyboard user would be stopped by (axe's impact "serious" or "critical"), such as a
button or select without a name, text below 4.5:1 contrast, a scrollable box the keyboard cannot reach.

axe-core comes from the npm registry into .venv/npm (.ci/run installs it; Orgbook never serves it) and is
put into each page by the test only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import log_in
from .connect_fixtures import emu, salesforce  # noqa: F401  (fixtures: the emulator as Orgbook's Salesforce)
from .test_offline import connection, models, signed_in_pages  # noqa: F401  (fixtures and the page list)
from .test_responsive_layout import DESKTOP, PHONE

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"  # the same pin as .ci/run
AXE = Path(__file__).resolve().parents[2] / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# axe's own result, cut to what names the fault: the rule, why, and the first few elements it found.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => `${n.target.join(' ')}: ${n.failureSummary.split('\\n').slice(1, 2).join('').trim()}`),
    count: v.nodes.length,
  }));
}"""


@pytest.fixture
def axe_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A tab that lets the test add axe's script: Orgbook's Content-Security-Policy rightly refuses a
    script the page did not name, so this context alone sets it aside."""
    assert AXE.is_file(), (f"axe-core is missing at {AXE}: install it with "
                           f"`npm install --prefix .venv/npm axe-core@{AXE_VERSION}` (.ci/run does)")
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def violations(page: Any, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found = []
    for v in page.evaluate(RUN_AXE):
        if v["impact"] in BLOCKING:
            where = "; ".join(v["nodes"]) + (f" (+{v['count'] - 3} more)" if v["count"] > 3 else "")
            found.append(f"{path}: {v['impact']} {v['id']} ({v['help']}): {where}")
    return found


def test_no_page_has_a_serious_accessibility_fault_on_a_desktop_or_a_phone(
    axe_page: Any, admin_space: dict[str, Any], models: dict[str, Any], connection: Any,  # noqa: F811
    settings: Any,
) -> None:
    settings.ROOT_URLCONF = "tests.web.raising_urls"  # Orgbook's routes, and /s/<slug>/fails/ for the 500 page
    admin_space["alice"].is_staff = True  # /spaces/new/ is the installation administrator's
    admin_space["alice"].save()
    signed_out = ["/login/", "/signup/", "/invitations/no-such-invitation/"]
    signed_in = [*signed_in_pages(admin_space, models, connection), "/no-such-page/", "/s/no-such-space/",
                 f"/s/{admin_space['acme'].slug}/no-such-page/", f"/s/{admin_space['acme'].slug}/fails/"]
    found = []
    for size, name in ((DESKTOP, "1440 x 900"), (PHONE, "390 x 844")):
        axe_page.context.clear_cookies()
        axe_page.set_viewport_size(size)
        found += [f"{name} {problem}" for path in signed_out for problem in violations(axe_page, path)]
        log_in(axe_page)
        found += [f"{name} {problem}" for path in signed_in for problem in violations(axe_page, path)]
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_the_states_an_org_is_seldom_in_have_no_serious_fault(
    axe_page: Any, admin_space: dict[str, Any], connection: Any,  # noqa: F811
) -> None:
    """What the page list above never shows: a failed sync, an org needing re-authorisation and a
    suspended implementation, on its card, its panel and its org model's pages."""
    from orgbook.implementations import lifecycle
    from orgbook.implementations.models import ConnectionStatus, OrgConnection

    space, impl = admin_space["acme"].slug, admin_space["retail"].pk
    pages = [f"/s/{space}/", f"/s/{space}/?impl={impl}", f"/m/{connection.org_model.pk}/"]
    states = {
        "failed": lambda: OrgConnection.objects.filter(pk=connection.pk).update(
            status=ConnectionStatus.SYNC_FAILED, status_reason="Salesforce answered INVALID_SESSION_ID."),
        "needs re-authorisation": lambda: connection.mark_needs_reauth("Salesforce refused the refresh token."),
        "suspended": lambda: lifecycle.suspend(admin_space["retail"], admin_space["alice"], "Renewed to fewer"),
    }
    found = []
    for state, make in states.items():
        make()
        for size, name in ((DESKTOP, "1440 x 900"), (PHONE, "390 x 844")):
            axe_page.set_viewport_size(size)
            if not axe_page.context.cookies():
                log_in(axe_page)
            found += [f"{state}, {name} {problem}" for path in pages for problem in violations(axe_page, path)]
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
