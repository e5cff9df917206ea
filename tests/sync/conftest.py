"""A connected org in the emulator, for sync tests over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.connections.conftest import CLIENT_ID, CLIENT_SECRET, login_as
from tests.corpus import DREAMHOUSE


def config() -> dict[str, Any]:
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": ["*"],
            "orgs": [{"key": "acme", "name": "Acme", "org_id": "00D5g000004AcmeEAC", "sandbox": False,
                      "edition": "Enterprise Edition", "my_domain": "acme",
                      "users": [{"username": "ann@acme.com", "password": "pw-ann", "name": "Ann Admin"}],
                      "metadata": str(DREAMHOUSE)}]}


@pytest.fixture
def emu() -> Iterator[Any]:
    from fakeforce import Emulator

    with Emulator.from_config(config()) as emulator:
        yield emulator


@pytest.fixture
def connected(people: dict[str, Any], emu: Any, settings: Any) -> Any:
    """Acme's production org connected to implementation Retail (the first sync not yet run)."""
    from orgbook.implementations import connect, lifecycle

    settings.ORGBOOK_SF_CLIENT_ID, settings.ORGBOOK_SF_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.ORGBOOK_SF_LOGIN_URL, settings.ORGBOOK_SF_SANDBOX_LOGIN_URL = emu.login_url, emu.sandbox_login_url
    settings.ORGBOOK_SF_POLL_MS = 20
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    state, code = login_as(emu, connect.begin(people["alice"], impl, "production"), "ann@acme.com")
    return connect.complete(people["alice"], state, code)
