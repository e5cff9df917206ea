"""OAuth web server flow, PKCE, refresh, revoke, identity (docs/salesforce-protocols.md §1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

import requests

from fakeforce import Emulator
from fakeforce.tests import flow


def test_login_page_then_allow_redirects_with_code_and_state(emu: Emulator) -> None:
    verifier, challenge = flow.pkce()
    resp = flow.login_form(emu.login_url, "admin@acme.com", "pw", challenge)
    location = resp.headers["Location"]
    assert location.startswith(flow.REDIRECT + "?")
    assert "%3D%3D" in location  # the code ends in "==" and is URL-encoded once
    got = flow.code_from(resp)
    assert got["state"] == "st-1"
    tok = requests.post(f"{emu.login_url}/services/oauth2/token", data={
        "grant_type": "authorization_code", "code": got["code"], "client_id": flow.CLIENT_ID,
        "client_secret": flow.CLIENT_SECRET, "redirect_uri": flow.REDIRECT, "code_verifier": verifier}).json()
    assert tok["instance_url"] == emu.org("acme").instance_url
    assert tok["token_type"] == "Bearer"
    assert tok["access_token"].startswith("00D5g000004XyZa!")
    assert tok["id"] == f"{emu.login_url}/id/{emu.org('acme').org_id}/{tok['id'].rsplit('/', 1)[1]}"
    assert isinstance(tok["issued_at"], str) and len(tok["issued_at"]) == 13
    expected = base64.b64encode(hmac.new(flow.CLIENT_SECRET.encode(), (tok["id"] + tok["issued_at"]).encode(),
                                         hashlib.sha256).digest()).decode()
    assert tok["signature"] == expected
    assert tok["refresh_token"]


def test_deny_redirects_access_denied(emu: Emulator) -> None:
    got = flow.code_from(flow.login_form(emu.login_url, "admin@acme.com", "pw", decision="deny"))
    assert got["error"] == "access_denied" and got["state"] == "st-1"


def test_wrong_password_shows_login_again(emu: Emulator) -> None:
    resp = flow.login_form(emu.login_url, "admin@acme.com", "nope")
    assert resp.status_code == 200 and "check your username and password" in resp.text


def test_sandbox_user_cannot_log_in_at_production_host(emu: Emulator) -> None:
    resp = flow.login_form(emu.login_url, "admin@acme.com.uat", "pw")
    assert "check your username and password" in resp.text
    ok = flow.login_form(emu.sandbox_login_url, "admin@acme.com.uat", "pw")
    assert "code" in flow.code_from(ok)


def test_bad_client_id_and_redirect_show_error_page_not_redirect(emu: Emulator) -> None:
    url = f"{emu.login_url}/services/oauth2/authorize"
    bad_client = requests.get(url, params=flow.authorize_params(client_id="nope"), allow_redirects=False)
    assert bad_client.status_code == 400 and "invalid_client_id" in bad_client.text
    bad_redirect = requests.get(url, params=flow.authorize_params(redirect_uri="http://evil.test/cb"),
                                allow_redirects=False)
    assert bad_redirect.status_code == 400 and "redirect_uri_mismatch" in bad_redirect.text


def test_immediate_without_session_fails(emu: Emulator) -> None:
    resp = requests.get(f"{emu.login_url}/services/oauth2/authorize",
                        params=flow.authorize_params(immediate="true"), allow_redirects=False)
    assert flow.code_from(resp)["error"] == "immediate_unsuccessful"


def _code(emu: Emulator, challenge: str | None) -> str:
    emu.set_auto_approve("admin@acme.com")
    resp = requests.get(f"{emu.login_url}/services/oauth2/authorize", params=flow.authorize_params(challenge),
                        allow_redirects=False)
    return flow.code_from(resp)["code"]


def _exchange(emu: Emulator, code: str, **extra: str) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "client_id": flow.CLIENT_ID,
            "client_secret": flow.CLIENT_SECRET, "redirect_uri": flow.REDIRECT, **extra}
    return requests.post(f"{emu.login_url}/services/oauth2/token", data=data)


def test_pkce_mismatch_is_invalid_request(emu: Emulator) -> None:
    _, challenge = flow.pkce()
    resp = _exchange(emu, _code(emu, challenge), code_verifier="x" * 50)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"


def test_pkce_missing_verifier_is_invalid_grant(emu: Emulator) -> None:
    _, challenge = flow.pkce()
    resp = _exchange(emu, _code(emu, challenge))
    assert resp.json()["error"] == "invalid_grant"


def test_code_is_single_use(emu: Emulator) -> None:
    verifier, challenge = flow.pkce()
    code = _code(emu, challenge)
    assert _exchange(emu, code, code_verifier=verifier).status_code == 200
    again = _exchange(emu, code, code_verifier=verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_token_errors(emu: Emulator) -> None:
    verifier, challenge = flow.pkce()
    assert _exchange(emu, _code(emu, challenge), client_id="other").json()["error"] == "invalid_client_id"
    assert _exchange(emu, _code(emu, challenge), client_secret="wrong").json()["error"] == "invalid_client"
    wrong_redirect = _exchange(emu, _code(emu, challenge), code_verifier=verifier, redirect_uri=flow.REDIRECT + "x")
    assert wrong_redirect.json()["error"] == "redirect_uri_mismatch"
    grant = requests.post(f"{emu.login_url}/services/oauth2/token", data={"grant_type": "password"})
    assert grant.json()["error"] == "unsupported_grant_type"


def test_refresh_grant_and_revocation(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    data = {"grant_type": "refresh_token", "refresh_token": tok["refresh_token"], "client_id": flow.CLIENT_ID,
            "client_secret": flow.CLIENT_SECRET}
    fresh = requests.post(f"{emu.org('acme').instance_url}/services/oauth2/token", data=data).json()
    assert fresh["access_token"] != tok["access_token"] and "refresh_token" not in fresh
    assert fresh["id"] == tok["id"] and fresh["instance_url"] == tok["instance_url"]
    emu.revoke_refresh_tokens("acme")
    dead = requests.post(f"{emu.login_url}/services/oauth2/token", data=data)
    assert dead.status_code == 400
    assert dead.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}


def test_revoke_endpoint(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    assert requests.post(f"{emu.login_url}/services/oauth2/revoke", data={"token": tok["refresh_token"]}).status_code == 200
    # revoking the refresh token kills its access tokens too
    assert flow.rest(tok, "/services/data/v62.0/limits").status_code == 401
    bad = requests.post(f"{emu.login_url}/services/oauth2/revoke", data={"token": "nope"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_token"


def test_identity_url_and_userinfo(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    auth = {"Authorization": f"Bearer {tok['access_token']}"}
    ident = requests.get(tok["id"], headers=auth, params={"version": "62.0"}).json()
    acme = emu.org("acme")
    assert ident["organization_id"] == acme.org_id and ident["username"] == "admin@acme.com"
    assert ident["urls"]["custom_domain"] == "https://acme.my.salesforce.com"
    assert ident["urls"]["metadata"] == f"{acme.instance_url}/services/Soap/m/62.0/{acme.org_id[:15]}"
    raw = requests.get(tok["id"], headers=auth).json()
    assert "{version}" in raw["urls"]["rest"]
    info = requests.get(f"{tok['instance_url']}/services/oauth2/userinfo", headers=auth).json()
    assert info["preferred_username"] == "admin@acme.com" and info["organization_id"] == acme.org_id
    bad = requests.get(tok["id"], headers={"Authorization": "Bearer junk"})
    assert bad.status_code == 403 and bad.text == "Bad_OAuth_Token"


def test_sandbox_identity_host_and_my_domain(emu: Emulator) -> None:
    tok = flow.get_tokens(emu, "admin@acme.com.uat", base=emu.sandbox_login_url)
    assert urlsplit(tok["id"]).netloc == urlsplit(emu.sandbox_login_url).netloc
    uat = emu.org("uat")
    assert tok["instance_url"] == uat.instance_url != emu.org("acme").instance_url
    assert uat.my_domain == "https://acme--uat.sandbox.my.salesforce.com"
    ident = requests.get(tok["id"], headers={"Authorization": f"Bearer {tok['access_token']}"}).json()
    assert ident["urls"]["custom_domain"] == uat.my_domain


def test_my_domain_login_only_for_that_org(emu: Emulator) -> None:
    uat = emu.org("uat")
    assert "check your username" in flow.login_form(uat.instance_url, "admin@acme.com", "pw").text
    assert "code" in flow.code_from(flow.login_form(uat.instance_url, "admin@acme.com.uat", "pw"))
