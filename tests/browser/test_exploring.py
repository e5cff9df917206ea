"""In Chromium: the explorer's own script (orgbook/web/static/orgbook/models.js) and the graph. The
type tree loads a node when it is opened, the search box answers as you type and is driven by the
keyboard, and a node of the dependency graph re-roots it on that component."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DREAMHOUSE, log_in, shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def production(admin_space: dict[str, Any]) -> Any:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(admin_space["retail"], "Production", "production")
    import_path(model, DREAMHOUSE)
    return model


def test_opening_a_type_in_the_tree_lists_its_components(page: Any, production: Any) -> None:
    log_in(page)
    page.goto(f"/m/{production.pk}/")
    objects = page.locator("li.tree-item").filter(has=page.locator(":scope > a", has_text=re.compile("^CustomObject$")))
    toggle = objects.locator(":scope > details > summary")  # the triangle, not the link (that filters the grid)
    expect(toggle).to_have_accessible_name("List of CustomObject")
    toggle.click()
    expect(objects.locator(".tree-members")).to_contain_text("Property__c")
    prop = objects.locator("li.tree-item").filter(has=page.locator(":scope > a", has_text=re.compile("^Property__c$")))
    prop.locator(":scope > details > summary").click()
    expect(prop.locator(".tree-slot")).to_contain_text("Price__c")  # the object's fields, loaded on opening
    shoot(page, "org-model")


def test_search_as_you_type_then_pick_a_result_with_the_keyboard(page: Any, production: Any) -> None:
    log_in(page)
    page.goto(f"/m/{production.pk}/")
    box = page.get_by_label(f"Search {production.name}")
    box.press_sequentially("pric", delay=40)  # how people type: an API name's start, no suffix
    results = page.locator("[data-live-results]")
    expect(results).to_be_visible()
    first = results.locator("a").first
    expect(first).to_contain_text("Property__c.Price__c")  # ranked: the field named so comes first
    box.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/c/CustomField/Property__c\.Price__c"))
    expect(page.locator("#attributes")).to_contain_text("Currency")

    box = page.get_by_label(f"Search {production.name}")
    box.press_sequentially("zzqx", delay=40)
    expect(page.locator("[data-live-results]")).to_contain_text("matches “zzqx”")
    box.press("Escape")
    box.fill("")
    box.press("Backspace")
    expect(page.locator("[data-live-results]")).to_be_hidden()


def test_a_node_of_the_graph_re_roots_it(page: Any, production: Any) -> None:
    log_in(page)
    page.goto(f"/m/{production.pk}/c/CustomField/Property__c.Price__c")
    graph = page.get_by_role("figure", name="Dependencies of Property__c.Price__c")
    expect(graph).to_be_visible()
    user = graph.locator("a.node-used_by").first
    user_name = (user.locator("title").text_content() or "").split(": ", 1)[1]
    user.click()
    rerooted = page.get_by_role("figure", name=f"Dependencies of {user_name}")
    expect(rerooted).to_be_visible()
    expect(page.locator("h1")).to_contain_text(user_name)
    # the old root is now among the new root's uses, one click away
    back = rerooted.locator("a.node-uses").filter(has=page.locator("title", has_text="CustomField: Property__c.Price__c"))
    expect(back).to_have_count(1)
    back.click()
    expect(page.get_by_role("figure", name="Dependencies of Property__c.Price__c")).to_be_visible()
