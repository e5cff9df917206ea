"""Text a person must read is readable: every badge on the implementations page has a contrast of at
least 4.5:1 (WCAG AA; the 'Active' badge was 4.1:1), and an in-page link does not hide its section's
heading under the sticky top bar."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import log_in
from .test_offline import models  # noqa: F401  (fixture: Dreamhouse as Retail's production model)

pytestmark = pytest.mark.browser

CONTRAST = """() => [...document.querySelectorAll('.badge')].map(el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
  return [el.textContent.trim(), (a + 0.05) / (b + 0.05)];
})"""


def test_every_badge_reads_at_4_5_to_1(page: Any, admin_space: dict[str, Any]) -> None:
    log_in(page)
    page.goto(f"/s/{admin_space['acme'].slug}/?impl={admin_space['retail'].pk}")
    badges = page.evaluate(CONTRAST)
    assert "Active" in [name for name, _ in badges]
    low = [(name, round(ratio, 2)) for name, ratio in badges if ratio < 4.5]
    assert not low, f"badges below 4.5:1: {low}"


def test_an_in_page_link_shows_its_heading_below_the_top_bar(page: Any, models: dict[str, Any]) -> None:  # noqa: F811
    log_in(page)
    page.goto(f"/m/{models['production'].pk}/c/CustomObject/Property__c")
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Impact").click()
    heading = page.locator("#impact h2").first
    bar = page.locator(".topbar").bounding_box()
    box = heading.bounding_box()
    assert bar is not None and box is not None
    assert box["y"] >= bar["y"] + bar["height"], f"the heading (top {box['y']}) is under the bar (bottom {bar['y'] + bar['height']})"
