"""The Salesforce emulator beside the live server, and helpers that drive its real login and Allow pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator import CLIENT_ID, CLIENT_SECRET, CONFIG, emulator_fixture, login_as, point_at

PASSWORDS = {"ann": "pw-ann", "rita": "pw-rita", "gus": "pw-gus", "tom": "pw-tom"}


emu = emulator_fixture(CONFIG, scope="module")


@pytest.fixture
def salesforce(emu: Any, settings: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Orgbook's connected app is the emulator; the callback comes back to the live server."""
    from celery import current_app

    point_at(emu, settings, CLIENT_ID, CLIENT_SECRET)
    settings.BASE_URL = live_server.url
    # A new connection queues its first sync (and Sync now its sync: Task.delay sends it the same way);
    # no worker runs here, so keep the queue out of ./var.
    emu.queued = []
    monkeypatch.setattr(current_app._get_current_object(), "send_task",
                        lambda name, args=None, *more, **kw: emu.queued.append((name, args)))
    emu.set_auto_approve(None)
    return emu


def password_of(username: str) -> str:
    return PASSWORDS[username.split("@", 1)[0]]


def start_connect(page: Any, kind: str, implementation: str, my_domain: str | None = None) -> None:
    """The Connect Org wizard up to the hand-off to Salesforce."""
    page.goto("/s/acme/")
    page.get_by_role("link", name="Connect Org").click()
    page.locator(f'input[name="kind"][value="{kind}"]').check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label(implementation, exact=True).check()
    page.get_by_role("button", name="Create / Next").click()
    if my_domain:
        page.get_by_label("My Domain URL (optional)").fill(my_domain)
    page.get_by_role("button", name="Log in to Salesforce").click()


def salesforce_login(page: Any, username: str, *, allow: bool = True) -> None:
    """The emulator's own HTML: the login form, then Allow or Deny."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password_of(username))
    page.get_by_role("button", name="Log In").click()
    page.get_by_role("button", name="Allow" if allow else "Deny").click()


def connect_directly(user: Any, implementation: Any, kind: str, username: str, emu: Any, **kwargs: Any) -> Any:
    """Set-up without a browser: the same connect flow, login auto-approved."""
    from orgbook.implementations import connect

    url = connect.begin(user, implementation, kind, **kwargs)
    state, code = login_as(emu, url, username)
    return connect.complete(user, state, code)
