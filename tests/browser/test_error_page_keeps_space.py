"""In Chromium: when a page of a Space fails on the server (500), the error page still has the Space's top
bar, so the person carries on from its navigation instead of starting over from the Spaces list."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_server_error_keeps_the_space_and_its_navigation(
    page: Any, admin_space: dict[str, Any], settings: Any,
) -> None:
    settings.ROOT_URLCONF = "tests.web.raising_urls"  # Orgbook's routes and /s/<slug>/fails/, which raises
    log_in(page)
    response = page.goto("/s/acme/fails/")
    assert response is not None and response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("Something went wrong on our side")
    expect(page).to_have_title("Something went wrong · Acme · Orgbook")
    expect(page.locator("summary", has_text="Switch Space")).to_contain_text("Acme")
    page.get_by_role("navigation", name="Space").get_by_role("link", name="Members").click()
    page.wait_for_url("**/s/acme/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
