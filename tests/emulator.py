"""The one way tests start the Salesforce emulator (fakeforce) and connect an org of it: over real
HTTP on 127.0.0.1, through Orgbook's own OAuth flow.

    emu = emulator_fixture(CONFIG, scope="module")      # in a conftest or test module
    conn = connect_org(people, emu, settings)           # Acme's production org, connected to "Retail"

Each emulator listens on ports the system picks (never a port base) and keeps its orgs in memory, so
the test processes pytest-xdist starts (.ci/run's -n 2) each run their own, sharing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

Config = dict[str, Any] | Callable[[], dict[str, Any]]

# Orgs for the connect flow: Acme (production, an admin and a read-only user) with its sandbox uat,
# Globex with its sandbox dev, and a Group Edition org without the API.
CLIENT_ID, CLIENT_SECRET = "orgbook-connect-tests", "s3cret-connect"
CONFIG: dict[str, Any] = {
    "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": ["*"],
    "orgs": [
        {"key": "acme", "name": "Acme", "org_id": "00D5g000004AcmeEAC", "sandbox": False,
         "edition": "Enterprise Edition", "my_domain": "acme",
         "users": [{"username": "ann@acme.com", "password": "pw-ann", "name": "Ann Admin"},
                   {"username": "rita@acme.com", "password": "pw-rita", "name": "Rita Readonly",
                    "permissions": {"ModifyMetadata": False, "ModifyAllData": False}}],
         "metadata": None},
        {"key": "uat", "sandbox": True, "parent": "acme", "sandbox_name": "uat"},
        {"key": "globex", "name": "Globex", "org_id": "00D9z000000GlobEAA", "sandbox": False,
         "edition": "Enterprise Edition", "my_domain": "globex",
         "users": [{"username": "gus@globex.com", "password": "pw-gus", "name": "Gus"}], "metadata": None},
        {"key": "gdev", "sandbox": True, "parent": "globex", "sandbox_name": "dev"},
        {"key": "tiny", "name": "Tiny Shop", "sandbox": False, "edition": "Group Edition", "my_domain": "tiny",
         "users": [{"username": "tom@tiny.com", "password": "pw-tom", "name": "Tom"}], "metadata": None},
    ],
}


def acme_with(metadata: str, *, sandboxes: tuple[str, ...] = (), **org: Any) -> dict[str, Any]:
    """Acme's production org holding the metadata in folder `metadata` (for syncs), with the named
    sandboxes of it (a sandbox starts as a copy of production; its user is `ann@acme.com.<name>`)."""
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": ["*"],
            "orgs": [{"key": "acme", "name": "Acme", "org_id": "00D5g000004AcmeEAC", "sandbox": False,
                      "edition": "Enterprise Edition", "my_domain": "acme",
                      "users": [{"username": "ann@acme.com", "password": "pw-ann", "name": "Ann Admin"}],
                      "metadata": metadata, **org},
                     *({"key": name, "sandbox": True, "parent": "acme", "sandbox_name": name} for name in sandboxes)]}


def emulator_fixture(config: Config, scope: Any = "function",
                     prepare: Callable[[Any], None] | None = None) -> Any:
    """A pytest fixture yielding a running emulator made from `config` (a dict, or a function giving
    one, for configs built per test); `prepare` adds what the tests need before they start."""

    @pytest.fixture(scope=scope)
    def emu() -> Iterator[Any]:
        from fakeforce import Emulator

        with Emulator.from_config(config() if callable(config) else config) as emulator:
            if prepare is not None:
                prepare(emulator)
            yield emulator

    return emu


def point_at(emu: Any, settings: Any, client_id: str, client_secret: str, poll_ms: int = 20) -> None:
    """Orgbook's connected app is the emulator's (settings is pytest-django's fixture)."""
    settings.ORGBOOK_SF_CLIENT_ID, settings.ORGBOOK_SF_CLIENT_SECRET = client_id, client_secret
    settings.ORGBOOK_SF_LOGIN_URL, settings.ORGBOOK_SF_SANDBOX_LOGIN_URL = emu.login_url, emu.sandbox_login_url
    settings.ORGBOOK_SF_POLL_MS = poll_ms


def connect_org(people: dict[str, Any], emu: Any, settings: Any, *, implementation: str = "Retail",
                username: str = "ann@acme.com", poll_ms: int = 20) -> Any:
    """Alice connects the emulator's production org to a new implementation of Acme, as Connect Org
    does (the login and Allow auto-approved); its first sync is not run."""
    from orgbook.implementations import connect, lifecycle

    point_at(emu, settings, CLIENT_ID, CLIENT_SECRET, poll_ms)
    impl = lifecycle.create_implementation(people["acme"], people["alice"], implementation)
    state, code = login_as(emu, connect.begin(people["alice"], impl, "production"), username)
    return connect.complete(people["alice"], state, code)


def login_as(emu: Any, authorize_url: str, username: str) -> tuple[str, str]:
    """The browser's part: Salesforce login and Allow (auto-approved), then the redirect back."""
    emu.set_auto_approve(username)
    try:
        response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    finally:
        emu.set_auto_approve(None)
    assert response.status_code in (302, 303), response.text[:300]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["state"][0], query["code"][0]
