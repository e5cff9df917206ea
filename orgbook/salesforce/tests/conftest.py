"""Fixtures for the client's tests over real HTTP against the fakeforce emulator."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.metadata_api import Backoff, MetadataApi
from orgbook.salesforce.oauth import OAuthClient, Pkce, TokenSet, new_state

FIXTURES = Path(__file__).parent / "fixtures"
CLIENT_ID = "orgbook-test-client"
CLIENT_SECRET = "orgbook-test-secret-7f3a"
REDIRECT_URI = "http://orgbook.test/connect/callback"
ACME_ID = "00D5g000004XyZaEAK"
GLOBEX_ID = "00D9z000000OthrEAA"
FAST_POLL = Backoff(initial=0.01, factor=2.0, maximum=0.05, timeout=10.0)

CONFIG: dict[str, Any] = {
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "redirect_uris": ["*"],
    "orgs": [
        {
            "key": "acme",
            "name": "Acme",
            "org_id": ACME_ID,
            "sandbox": False,
            "edition": "Enterprise Edition",
            "my_domain": "acme",
            "users": [
                {
                    "username": "ann@acme.com",
                    "password": "pw-ann",
                    "name": "Ann Admin",
                    "email": "ann@acme.com",
                },
                {
                    "username": "rita@acme.com",
                    "password": "pw-rita",
                    "name": "Rita Readonly",
                    "email": "rita@acme.com",
                    "permissions": {"ModifyMetadata": False, "ModifyAllData": False, "AuthorApex": False},
                },
            ],
            "metadata": str(FIXTURES / "acme-mdapi"),
        },
        {"key": "uat", "sandbox": True, "parent": "acme", "sandbox_name": "uat"},
        {
            "key": "globex",
            "name": "Globex",
            "org_id": GLOBEX_ID,
            "sandbox": False,
            "edition": "Enterprise Edition",
            "my_domain": "globex",
            "users": [{"username": "gus@globex.com", "password": "pw-gus", "name": "Gus Globex"}],
            "metadata": None,
        },
        {
            "key": "tiny",
            "name": "Tiny Shop",
            "sandbox": False,
            "edition": "Group Edition",
            "my_domain": "tiny",
            "users": [{"username": "tom@tiny.com", "password": "pw-tom", "name": "Tom Tiny"}],
            "metadata": None,
        },
    ],
}


@pytest.fixture(scope="session")
def emulator_class() -> Any:
    fakeforce = pytest.importorskip("fakeforce", reason="the fakeforce emulator is not available yet")
    return fakeforce.Emulator


@pytest.fixture(scope="session")
def emu(emulator_class: Any) -> Iterator[Any]:
    emulator = emulator_class.from_config(copy.deepcopy(CONFIG)).start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emu" in request.fixturenames:
        emulator = request.getfixturevalue("emu")
        clear = getattr(emulator, "clear_faults", None)
        if clear is not None:
            clear()


def oauth_for(emu: Any, org_key: str, secret: str | None = CLIENT_SECRET) -> OAuthClient:
    login_url = emu.sandbox_login_url if emu.org(org_key).is_sandbox else emu.login_url
    return OAuthClient(CLIENT_ID, secret, REDIRECT_URI, login_url=login_url)


def authorize(emu: Any, oauth: OAuthClient, username: str, pkce: Pkce) -> str:
    """The browser leg, auto-approved: GET /authorize, read `code` from the redirect."""
    emu.set_auto_approve(username)
    state = new_state()
    response = requests.get(oauth.authorize_url(state, pkce), allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == [state]
    return query["code"][0]


def login(emu: Any, org_key: str, username: str | None = None) -> tuple[OAuthClient, TokenSet]:
    oauth = oauth_for(emu, org_key)
    pkce = Pkce.generate()
    code = authorize(emu, oauth, username or emu.org(org_key).username, pkce)
    return oauth, oauth.exchange_code(code, pkce.verifier)


@dataclass
class Connection:
    oauth: OAuthClient
    tokens: TokenSet
    client: SalesforceClient
    refreshes: int = 0

    def refresh(self) -> TokenSet:
        assert self.tokens.refresh_token
        self.tokens = self.oauth.refresh(self.tokens.refresh_token)
        self.refreshes += 1
        return self.tokens

    @property
    def metadata(self) -> MetadataApi:
        return MetadataApi(self.client)


def connect(emu: Any, org_key: str, username: str | None = None, refresh: bool = True) -> Connection:
    oauth, tokens = login(emu, org_key, username)
    conn = Connection(oauth, tokens, SalesforceClient(tokens.instance_url, tokens.access_token, "62.0"))
    if refresh:
        conn.client = SalesforceClient(
            tokens.instance_url, tokens.access_token, "62.0", refresher=conn.refresh
        )
    return conn


@pytest.fixture
def acme(emu: Any) -> Connection:
    return connect(emu, "acme")
