"""In Chromium, on a desktop (1440 x 900) and a phone (390 x 844): an object's page shows its fields
table and sorts it by a click on a header; the dependency graph fits inside its card and zooms; the
impact table's last column is inside its card (or its box scrolls); an in-page link leaves its
heading below the sticky top bar; and the page never scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import log_in
from .test_exploring import production  # noqa: F401  (fixture: dreamhouse imported as Retail's production)

pytestmark = pytest.mark.browser

FIELD = "/m/{pk}/c/CustomField/Property__c.Price__c"


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not laid out"
    return found  # type: ignore[no-any-return]


def no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_objects_fields_table_sorts_by_a_click(sized: Any, production: Any) -> None:  # noqa: F811
    page, size = sized, sized.viewport_size
    log_in(page)
    page.goto(f"/m/{production.pk}/c/CustomObject/Property__c")
    table = page.locator("#fields table")
    expect(table.locator("tbody tr")).to_have_count(25)
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("Address")  # by label
    table.get_by_role("link", name="Where used").click()
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("Where used")
    table = page.locator("#fields table")
    table.get_by_role("link", name="Where used").click()
    expect(table.locator("th[aria-sort=descending]")).to_contain_text("Where used")
    counts = [int(t) for t in page.locator("#fields tbody td:last-child").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    # the heading of the table is below the top bar after the jump
    assert box(page.locator("#fields h2"))["y"] >= box(page.locator(".topbar"))["height"] - 1
    card = box(page.locator("#fields"))
    assert card["x"] + card["width"] <= size["width"]
    no_sideways_scroll(page, size["width"])


def test_the_graph_fits_its_card_and_zooms(sized: Any, production: Any) -> None:  # noqa: F811
    page, size = sized, sized.viewport_size
    log_in(page)
    page.goto(FIELD.format(pk=production.pk))
    card, graph = page.locator("#graph"), page.get_by_role("figure", name="Dependencies of Property__c.Price__c")
    graph.scroll_into_view_if_needed()
    outer, drawn = box(card), box(graph)
    assert outer["x"] <= drawn["x"] and drawn["x"] + drawn["width"] <= outer["x"] + outer["width"] + 0.5
    assert outer["y"] <= drawn["y"] and drawn["y"] + drawn["height"] <= outer["y"] + outer["height"] + 0.5
    whole = graph.get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    zoomed = graph.get_attribute("viewBox")
    assert zoomed != whole
    assert float(zoomed.split()[2]) < float(whole.split()[2])  # a narrower view: bigger boxes
    assert box(graph)["width"] == pytest.approx(drawn["width"], abs=1)  # the card did not grow
    page.get_by_role("button", name="Zoom out").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert float(graph.get_attribute("viewBox").split()[2]) > float(whole.split()[2])
    page.get_by_role("button", name="Reset zoom").click()
    assert graph.get_attribute("viewBox") == whole
    # drag to pan: the view moves, and letting go does not follow a node's link
    start = box(graph)
    page.get_by_role("button", name="Zoom in").click()
    before = graph.get_attribute("viewBox").split()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 - 60, start["y"] + start["height"] / 2, steps=6)
    page.mouse.up()
    after = graph.get_attribute("viewBox").split()
    assert float(after[0]) > float(before[0]) and after[2:] == before[2:]
    expect(page.locator("h1")).to_contain_text("Price__c")
    # Ctrl + wheel (a trackpad pinch) zooms in where the pointer is; a plain wheel scrolls the page
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -120)
    page.keyboard.up("Control")
    expect(graph).not_to_have_attribute("viewBox", " ".join(after))
    assert float(graph.get_attribute("viewBox").split()[2]) < float(after[2])
    no_sideways_scroll(page, size["width"])


def test_the_impact_tables_last_column_is_within_its_card(sized: Any, production: Any) -> None:  # noqa: F811
    page, size = sized, sized.viewport_size
    log_in(page)
    page.goto(FIELD.format(pk=production.pk) + "?depth=3")
    card = box(page.locator("#impact"))
    region = page.get_by_role("region", name="Impact of Property__c.Price__c, scrollable")
    last = page.locator("#impact thead th").last
    expect(last).to_have_text("Through")
    held = box(region)
    assert held["x"] + held["width"] <= card["x"] + card["width"] + 0.5
    scrolls = region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert scrolls or box(last)["x"] + box(last)["width"] <= held["x"] + held["width"] + 0.5
    region.focus()  # the box is focusable, so the keyboard can scroll it
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    no_sideways_scroll(page, size["width"])


def test_an_in_page_link_leaves_its_heading_below_the_top_bar(sized: Any, production: Any) -> None:  # noqa: F811
    page, size = sized, sized.viewport_size
    log_in(page)
    page.goto(FIELD.format(pk=production.pk))
    bar = page.locator(".topbar")
    for section in ("Impact", "History", "Graph"):
        page.locator("nav.jump").get_by_role("link", name=section, exact=False).first.click()
        heading = page.locator(f"#{section.lower()} h2").first
        page.wait_for_function(f"() => location.hash === '#{section.lower()}'")
        top, bar_bottom = box(heading)["y"], box(bar)["y"] + box(bar)["height"]
        assert top >= bar_bottom, f"#{section.lower()}'s heading at {top}, under the top bar ending at {bar_bottom}"
        at_bottom = page.evaluate("scrollY + innerHeight >= document.documentElement.scrollHeight - 1")
        assert top < size["height"] and (at_bottom or top <= bar_bottom + 80), f"#{section.lower()} at {top}"
    no_sideways_scroll(page, size["width"])
