"""Orgbook's connect flow against the fakeforce emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

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


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    from fakeforce import Emulator

    with Emulator.from_config(CONFIG) as emulator:
        yield emulator


@pytest.fixture
def salesforce(emu: Any, settings: Any) -> Any:
    settings.ORGBOOK_SF_CLIENT_ID, settings.ORGBOOK_SF_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.ORGBOOK_SF_LOGIN_URL, settings.ORGBOOK_SF_SANDBOX_LOGIN_URL = emu.login_url, emu.sandbox_login_url
    return emu


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
