"""The new token's Copy button, in Chromium: it comes from copy.js (a static file; the CSP allows no
inline script), copies the token to the clipboard and says so. Nothing is fetched from elsewhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_copy_puts_the_new_token_on_the_clipboard(sized: Any, admin_space: dict[str, Any], live_server: Any) -> None:
    page = sized
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page)
    page.goto("/account/tokens/")
    page.get_by_label("Name").fill("CI script")
    page.get_by_label("Expires").select_option(label="In 30 days")
    page.get_by_role("button", name="Make token").click()
    token = page.locator("#new-token-value").inner_text().strip()
    assert re.fullmatch(r"obk_[\w-]+", token)
    page.get_by_role("button", name="Copy token").click()
    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert not errors, errors
