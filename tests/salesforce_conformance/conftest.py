"""An emulated org that holds what the recorded requests asked for (a TestClass, a Test__c), for
sending each recorded request to fakeforce and comparing its answer with the real one."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.oauth import OAuthClient, Pkce, TokenSet, new_state
from tests.emulator import emulator_fixture

CLIENT_ID, CLIENT_SECRET = "orgbook-conformance", "s3cret-conformance"
REDIRECT_URI = "http://orgbook.test/cb"
CONFIG: dict[str, Any] = {
    "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": ["*"],
    # The recordings were made at API v23-v30 (metaforce) and v48 (CumulusCI): the same versions are
    # asked of the emulator.
    "api_versions": ["20.0", "26.0", "30.0", "48.0", "62.0", "63.0"],
    "orgs": [
        {"key": "acme", "name": "Acme", "org_id": "00D5g000004AcmeEAC", "sandbox": False,
         "edition": "Enterprise Edition", "my_domain": "acme",
         "users": [{"username": "ann@acme.com", "password": "pw-ann", "name": "Ann Admin"},
                   {"username": "bob@acme.com", "password": "pw-bob", "name": "Bob Builder"}],
         "metadata": str(Path(__file__).parent / "org")},
        {"key": "uat", "sandbox": True, "parent": "acme", "sandbox_name": "uat"},
    ],
}


emu = emulator_fixture(CONFIG, scope="module")


def oauth_for(emu: Any, org_key: str) -> OAuthClient:
    login_url = emu.sandbox_login_url if emu.org(org_key).is_sandbox else emu.login_url
    return OAuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, login_url=login_url)


def login(emu: Any, org_key: str, scope: str | None = None,
          oauth: OAuthClient | None = None) -> tuple[OAuthClient, TokenSet]:
    """The browser leg auto-approved, then the code exchange: what Connect Org does."""
    oauth = oauth or oauth_for(emu, org_key)
    if scope is not None:
        oauth.scopes = tuple(scope.split())
    pkce = Pkce.generate()
    emu.set_auto_approve(emu.org(org_key).username)
    try:
        response = requests.get(oauth.authorize_url(new_state(), pkce), allow_redirects=False, timeout=10)
    finally:
        emu.set_auto_approve(None)
    code = parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]
    return oauth, oauth.exchange_code(code, pkce.verifier)


def client(emu: Any, org_key: str, version: str = "62.0") -> SalesforceClient:
    _, tokens = login(emu, org_key)
    return SalesforceClient(tokens.instance_url, tokens.access_token, version, sleep=lambda _: None)
