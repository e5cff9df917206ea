"""Helpers the fakeforce tests share: a small config, the OAuth dance, SOAP envelopes."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from lxml import etree

CLIENT_ID = "orgbook-test-client"
CLIENT_SECRET = "s3cret"
REDIRECT = "http://127.0.0.1:8000/orgs/oauth/callback"
MD = "http://soap.sforce.com/2006/04/metadata"
NS = {"m": MD, "s": "http://schemas.xmlsoap.org/soap/envelope/"}


def config(metadata: str | None = None, **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": ["http://127.0.0.1:8000/"],
        "orgs": [
            {"key": "acme", "name": "Acme Corp", "org_id": "00D5g000004XyZa", "sandbox": False,
             "edition": "Enterprise Edition", "instance_name": "NA135", "my_domain": "acme",
             "users": [{"username": "admin@acme.com", "password": "pw", "name": "Ada Admin", "email": "ada@acme.com"},
                       {"username": "noapi@acme.com", "password": "pw", "name": "Nora NoApi",
                        "permissions": {"ApiEnabled": False, "ModifyAllData": False}}],
             "metadata": metadata},
            {"key": "uat", "sandbox": True, "parent": "acme", "sandbox_name": "uat", "license_type": "DEVELOPER PRO"},
            {"key": "tiny", "name": "Tiny Co", "sandbox": False, "edition": "Group Edition", "my_domain": "tiny",
             "users": [{"username": "owner@tiny.com", "password": "pw", "name": "Tim Tiny"}]},
        ],
    }
    cfg.update(extra)
    return cfg


def pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(64)).decode().rstrip("=")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize_params(challenge: str | None = None, state: str = "st-1", **extra: str) -> dict[str, str]:
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
              "scope": "api refresh_token", "state": state}
    if challenge:
        params["code_challenge"] = challenge
    params.update(extra)
    return params


def login_form(base: str, username: str, password: str, challenge: str | None = None,
               decision: str = "allow") -> requests.Response:
    """The browser path: GET the login page, post credentials, then press Allow/Deny."""
    s = requests.Session()
    page = s.get(f"{base}/services/oauth2/authorize", params=authorize_params(challenge), allow_redirects=False)
    assert page.status_code == 200 and 'name="pw"' in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    fields.update(username=username, pw=password)
    allow = s.post(f"{base}/services/oauth2/authorize", data=fields, allow_redirects=False)
    if "approve_form" not in allow.text:
        return allow
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', allow.text))
    fields["decision"] = decision
    return s.post(f"{base}/services/oauth2/authorize", data=fields, allow_redirects=False)


def code_from(resp: requests.Response) -> dict[str, str]:
    assert resp.status_code == 302, resp.text
    return {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["Location"]).query).items()}


def get_tokens(emu: Any, username: str = "admin@acme.com", base: str | None = None) -> dict[str, Any]:
    """Auto-approved authorization code + PKCE -> token response JSON."""
    verifier, challenge = pkce()
    emu.set_auto_approve(username)
    try:
        resp = requests.get(f"{base or emu.login_url}/services/oauth2/authorize",
                            params=authorize_params(challenge), allow_redirects=False)
    finally:
        emu.set_auto_approve(None)
    code = code_from(resp)["code"]
    tok = requests.post(f"{base or emu.login_url}/services/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert tok.status_code == 200, tok.text
    return tok.json()


def rest(tokens: dict[str, Any], path: str, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {tokens['access_token']}", **kw.pop("headers", {})}
    return requests.get(tokens["instance_url"] + path, headers=headers, **kw)


def query(tokens: dict[str, Any], soql: str, tooling: bool = False, version: str = "62.0") -> requests.Response:
    api = "tooling/query" if tooling else "query"
    return rest(tokens, f"/services/data/v{version}/{api}", params={"q": soql})


def soap(tokens: dict[str, Any], body: str, session: str | None = None, version: str = "62.0") -> requests.Response:
    envelope = (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{NS["s"]}" xmlns:met="{MD}">'
                f"<soapenv:Header><met:SessionHeader><met:sessionId>{session or tokens['access_token']}"
                f"</met:sessionId></met:SessionHeader></soapenv:Header><soapenv:Body>{body}</soapenv:Body>"
                "</soapenv:Envelope>")
    return requests.post(f"{tokens['instance_url']}/services/Soap/m/{version}", data=envelope.encode(),
                         headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'})


def xml(resp: requests.Response) -> etree._Element:
    return etree.fromstring(resp.content)
