"""On a phone (390 x 844) and on a desktop (1440 x 900) every kind of page fits the screen's width: no
sideways scrolling of the page itself (a wide table scrolls inside its own box), and on the phone the
Space's navigation and 'Log out' sit behind a menu button that opens them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import log_in
from .connect_fixtures import emu, salesforce  # noqa: F401  (fixtures: the emulator as Orgbook's Salesforce)
from .test_offline import connection, models, signed_in_pages  # noqa: F401  (fixtures and the page list)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

# Names the widest elements when a page overflows, so a failure says what to fix.
OVERFLOW = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    const parent = el.parentElement.getBoundingClientRect();
    // The outermost element past the edge: the one to fix.
    if (r.right > limit + 1 && r.width > 0 && parent.right <= limit + 1) {
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} (right edge ${Math.round(r.right)})`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight, wide: wide.slice(0, 4)};
}"""


def overflowing_pages(page: Any, paths: list[str], width: int) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(OVERFLOW)
        if seen["scrollWidth"] > width:
            found.append(f"{path}: {seen['scrollWidth']} px wide, {seen['height']} px tall; {', '.join(seen['wide'])}")
    return found


def every_page(admin_space: dict[str, Any], models: dict[str, Any], connection: Any) -> list[str]:  # noqa: F811
    return [*signed_in_pages(admin_space, models, connection), "/no-such-page/", "/s/no-such-space/"]


def test_every_page_fits_a_phone_and_a_desktop(
    page: Any, admin_space: dict[str, Any], models: dict[str, Any], connection: Any,  # noqa: F811
) -> None:
    admin_space["alice"].is_staff = True  # /spaces/new/ is the installation administrator's
    admin_space["alice"].save()
    paths = every_page(admin_space, models, connection)
    page.set_viewport_size(PHONE)
    too_wide = overflowing_pages(page, ["/login/", "/signup/", "/invitations/no-such-invitation/"], PHONE["width"])
    log_in(page)
    too_wide += overflowing_pages(page, paths, PHONE["width"])
    assert not too_wide, "wider than a 390 px phone:\n" + "\n".join(too_wide)

    page.set_viewport_size(DESKTOP)
    too_wide = overflowing_pages(page, paths, DESKTOP["width"])
    assert not too_wide, "wider than a 1440 px screen:\n" + "\n".join(too_wide)


def test_the_dictionary_stays_a_readable_height_on_a_phone(
    page: Any, admin_space: dict[str, Any], models: dict[str, Any],  # noqa: F811
) -> None:
    """The tester's phone saw the fields' table break words letter by letter into a page 13,000 px tall:
    the table scrolls sideways in its own box instead, its API names whole on one line."""
    page.set_viewport_size(PHONE)
    log_in(page)
    page.goto(f"/m/{models['production'].pk}/?type=CustomField")
    name = page.get_by_role("link", name="Property__c.Price__c", exact=True)
    expect(name).to_be_visible()
    box = name.bounding_box()
    assert box is not None and box["height"] < 40, f"the API name wraps onto several lines: {box}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollHeight") < 6000


def test_the_menu_button_opens_the_space_navigation_on_a_phone(page: Any, admin_space: dict[str, Any]) -> None:
    page.set_viewport_size(PHONE)
    log_in(page)
    page.goto(f"/s/{admin_space['acme'].slug}/")
    space_nav = page.get_by_role("navigation", name="Space")
    members = space_nav.get_by_role("link", name="Members")
    log_out = page.get_by_role("button", name="Log out")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(members).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(members).to_be_visible()
    expect(log_out).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    members.click()
    page.wait_for_url(f"**/s/{admin_space['acme'].slug}/members/")

    # On a desktop the navigation is simply there, and there is no menu button.
    page.set_viewport_size(DESKTOP)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Space").get_by_role("link", name="Implementations")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
