"""OAuth 2.0 web server flow with PKCE, refresh, revoke, identity URL and userinfo (docs/salesforce-protocols.md §1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import ids
from .handler import Request, Response, json_response, text_response
from .state import AccessToken, AuthCode, Org, RefreshToken, User

if TYPE_CHECKING:
    from .emulator import Emulator

_PASS_THROUGH = ("response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge",
                 "code_challenge_method", "prompt", "login_hint", "nonce", "display", "immediate")
_TICKETS: dict[str, tuple[str, str, float]] = {}  # approval ticket -> (org key, user id, expiry)


def handle(emu: Emulator, req: Request) -> Response:
    path = req.path.rstrip("/")
    if path == "/services/oauth2/authorize":
        return authorize(emu, req)
    if path == "/services/oauth2/token" and req.method == "POST":
        return token(emu, req)
    if path == "/services/oauth2/revoke":
        return revoke(emu, req)
    if path == "/services/oauth2/userinfo":
        return userinfo(emu, req)
    if path.startswith("/id/"):
        return identity(emu, req)
    return text_response("Not Found", 404)


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


# ----------------------------------------------------------------------------- authorize


def _error_page(title: str, detail: str) -> Response:
    body = (f"<!DOCTYPE html><html><head><title>Error</title></head><body><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(detail)}</p></body></html>")
    return Response(400, body.encode(), "text/html;charset=UTF-8")


def _redirect(uri: str, params: dict[str, str]) -> Response:
    sep = "&" if "?" in uri else "?"
    return Response(302, b"", "text/html;charset=UTF-8", {"Location": uri + sep + urlencode(params)})


def _redirect_error(params: dict[str, str], error: str, description: str) -> Response:
    out = {"error": error, "error_description": description}
    if params.get("state"):
        out["state"] = params["state"]
    return _redirect(params["redirect_uri"], out)


def _orgs_for_host(emu: Emulator, req: Request) -> list[Org]:
    """Production users log in at login., sandbox users at test., anyone at their own My Domain."""
    if req.host_kind == "org":
        return [emu.orgs[req.org_key or ""]]
    want_sandbox = req.host_kind == "sandbox_login"
    return [o for o in emu.orgs.values() if o.is_sandbox == want_sandbox]


def _find_user(emu: Emulator, req: Request, username: str) -> tuple[Org, User] | None:
    for org in _orgs_for_host(emu, req):
        user = org.user_by_username(username)
        if user is not None:
            return org, user
    return None


def authorize(emu: Emulator, req: Request) -> Response:
    params = dict(req.query)
    if req.method == "POST":
        params.update(req.form())
    if params.get("client_id") != emu.settings.client_id:
        return _error_page("error=invalid_client_id", "client identifier invalid")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or not emu.redirect_allowed(redirect_uri):
        return _error_page("error=redirect_uri_mismatch", "redirect_uri must match configuration")
    if params.get("response_type") != "code":
        return _redirect_error(params, "unsupported_response_type", "response type not supported")
    step = params.get("_step", "")
    if emu.auto_approve and not step:
        found = _find_user(emu, req, emu.auto_approve)
        if found is None:
            return _redirect_error(params, "access_denied", "auto-approve user cannot log in on this host")
        return _approve(emu, req, params, *found)
    if params.get("immediate") == "true":
        return _redirect_error(params, "immediate_unsuccessful", "user is not logged in")
    if step == "login":
        return _login(emu, req, params)
    if step == "approve":
        return _decide(emu, req, params)
    return _login_page(params, "")


def _hidden(params: dict[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{k}" value="{html.escape(params[k])}">'
                   for k in _PASS_THROUGH if params.get(k) is not None)


def _login_page(params: dict[str, str], error: str) -> Response:
    err = f'<div id="error" class="loginError">{html.escape(error)}</div>' if error else ""
    body = f"""<!DOCTYPE html><html><head><title>Login | Salesforce</title></head><body>
<h1>Log in to your org (fakeforce)</h1>{err}
<form id="login_form" method="post" action="/services/oauth2/authorize">
{_hidden(params)}<input type="hidden" name="_step" value="login">
<label for="username">Username</label><input id="username" name="username" type="email" value="{html.escape(params.get('login_hint', ''))}">
<label for="password">Password</label><input id="password" name="pw" type="password">
<input id="Login" type="submit" name="Login" value="Log In">
</form></body></html>"""
    return Response(200, body.encode(), "text/html;charset=UTF-8")


def _login(emu: Emulator, req: Request, params: dict[str, str]) -> Response:
    found = _find_user(emu, req, params.get("username", ""))
    if found is None or not hmac.compare_digest(found[1].password, params.get("pw", "")) or not found[1].active:
        return _login_page(params, "Please check your username and password. If you still can't log in, "
                                   "contact your Salesforce administrator.")
    org, user = found
    ticket = secrets.token_urlsafe(24)
    _TICKETS[ticket] = (org.key, user.id, time.time() + 600)
    body = f"""<!DOCTYPE html><html><head><title>Allow Access? | Salesforce</title></head><body>
<h1>Allow Access?</h1><p>The app is requesting access for {html.escape(user.username)} ({html.escape(org.name)}).</p>
<form id="approve_form" method="post" action="/services/oauth2/authorize">
{_hidden(params)}<input type="hidden" name="_step" value="approve"><input type="hidden" name="_ticket" value="{ticket}">
<button id="oaapprove" type="submit" name="decision" value="allow">Allow</button>
<button id="oadeny" type="submit" name="decision" value="deny">Deny</button>
</form></body></html>"""
    return Response(200, body.encode(), "text/html;charset=UTF-8")


def _decide(emu: Emulator, req: Request, params: dict[str, str]) -> Response:
    ticket = _TICKETS.pop(params.get("_ticket", ""), None)
    if ticket is None or ticket[2] < time.time():
        return _login_page(params, "Your session has expired. Please log in again.")
    if params.get("decision") != "allow":
        return _redirect_error(params, "access_denied", "end-user denied authorization")
    org = emu.orgs[ticket[0]]
    user = org.user_by_id(ticket[1])
    assert user is not None
    return _approve(emu, req, params, org, user)


def _approve(emu: Emulator, req: Request, params: dict[str, str], org: Org, user: User) -> Response:
    # 40 random bytes -> base64 ending in "==", so clients must URL-decode exactly once (§1.1).
    code = "aPrx" + base64.b64encode(secrets.token_bytes(40)).decode()
    login_base = emu.sandbox_login_url if org.is_sandbox else emu.login_url
    with emu.lock:
        emu.codes[code] = AuthCode(org.key, org.org_id, user.id, params["client_id"], params["redirect_uri"],
                                   params.get("scope") or "api refresh_token", params.get("code_challenge"),
                                   time.time() + emu.settings.code_ttl_seconds, login_base)
    out = {"code": code}
    if params.get("state"):
        out["state"] = params["state"]
    return _redirect(params["redirect_uri"], out)


# ----------------------------------------------------------------------------- token


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


def _check_client(emu: Emulator, form: dict[str, str], required: bool) -> Response | None:
    if form.get("client_id") != emu.settings.client_id:
        return oauth_error("invalid_client_id", "client identifier invalid")
    secret = form.get("client_secret")
    if (secret is None and required) or (secret is not None and not hmac.compare_digest(secret, emu.settings.client_secret)):
        return oauth_error("invalid_client", "invalid client credentials")
    return None


def token(emu: Emulator, req: Request) -> Response:
    form = req.form()
    grant = form.get("grant_type")
    if grant == "authorization_code":
        return _code_grant(emu, form)
    if grant == "refresh_token":
        return _refresh_grant(emu, form)
    return oauth_error("unsupported_grant_type", "grant type not supported")


def _code_grant(emu: Emulator, form: dict[str, str]) -> Response:
    bad_client = _check_client(emu, form, required=emu.settings.require_client_secret)
    if bad_client:
        return bad_client
    with emu.lock:
        code = emu.codes.pop(form.get("code", ""), None)  # single use, whatever happens next
    if code is None or code.expires_at < time.time():
        return oauth_error("invalid_grant", "invalid authorization code")
    if code.client_id != form.get("client_id"):
        return oauth_error("invalid_grant", "invalid authorization code")
    if code.redirect_uri != form.get("redirect_uri"):
        return oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration")
    if code.challenge:
        verifier = form.get("code_verifier")
        if not verifier:
            return oauth_error("invalid_grant", "invalid code verifier")
        if not hmac.compare_digest(_s256(verifier), code.challenge):
            return oauth_error("invalid_request", "invalid code verifier")
    org = emu.orgs.get(code.org_key)
    user = org.user_by_id(code.user_id) if org else None
    if org is None or user is None or org.org_id != code.org_id:
        return oauth_error("invalid_grant", "invalid authorization code")
    if not user.active:
        return oauth_error("inactive_user", "user is inactive")
    refresh = None
    if {"refresh_token", "offline_access"} & set(code.scope.split()):
        refresh = "5Aep861" + secrets.token_urlsafe(60).replace("-", ".")
        emu.refresh[refresh] = RefreshToken(refresh, org.key, org.org_id, user.id, code.client_id, code.scope,
                                            code.login_base)
    return _token_response(emu, org, user, code.scope, code.login_base, refresh, include_refresh=True)


def _refresh_grant(emu: Emulator, form: dict[str, str]) -> Response:
    bad_client = _check_client(emu, form, required=False)
    if bad_client:
        return bad_client
    rt = emu.refresh.get(form.get("refresh_token", ""))
    if rt is not None and emu.take_fault(rt.org_key, {"revoked_refresh"}):
        rt.revoked = True
    org = emu.orgs.get(rt.org_key) if rt else None
    if rt is None or rt.revoked or org is None or org.org_id != rt.org_id:
        return oauth_error("invalid_grant", "expired access/refresh token")
    user = org.user_by_id(rt.user_id)
    if user is None or not user.active:
        return oauth_error("inactive_user", "user is inactive")
    new_refresh = rt.value
    if emu.settings.rotate_refresh_tokens:
        rt.revoked = True
        new_refresh = "5Aep861" + secrets.token_urlsafe(60).replace("-", ".")
        emu.refresh[new_refresh] = RefreshToken(new_refresh, org.key, org.org_id, user.id, rt.client_id, rt.scope,
                                                rt.login_base)
    return _token_response(emu, org, user, rt.scope, rt.login_base, new_refresh,
                           include_refresh=emu.settings.rotate_refresh_tokens)


def _token_response(emu: Emulator, org: Org, user: User, scope: str, login_base: str, refresh: str | None,
                    include_refresh: bool) -> Response:
    access = f"{org.org15}!AQ{secrets.token_urlsafe(72).replace('-', '.')}"
    with emu.lock:
        emu.access[access] = AccessToken(access, org.key, org.org_id, user.id, scope, login_base, refresh)
    issued_at = str(int(time.time() * 1000))
    id_url = f"{login_base}/id/{org.org_id}/{user.id}"
    signature = base64.b64encode(hmac.new(emu.settings.client_secret.encode(), (id_url + issued_at).encode(),
                                          hashlib.sha256).digest()).decode()
    body: dict[str, Any] = {"access_token": access}
    if include_refresh and refresh:
        body["refresh_token"] = refresh
    body.update({"signature": signature, "scope": scope, "instance_url": org.instance_url, "id": id_url,
                 "token_type": "Bearer", "issued_at": issued_at})
    return json_response(body, headers={"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"})


# ----------------------------------------------------------------------------- revoke


def revoke(emu: Emulator, req: Request) -> Response:
    value = (req.form() if req.method == "POST" else req.query).get("token", "")
    with emu.lock:
        if value in emu.access:
            emu.access[value].revoked = True
            return Response(200, b"", "text/plain")
        if value in emu.refresh:
            emu.refresh[value].revoked = True
            for access in emu.access.values():  # revoking a refresh token revokes its access tokens (§1.4)
                if access.refresh == value:
                    access.revoked = True
            return Response(200, b"", "text/plain")
    return oauth_error("invalid_token", "invalid token")


# ----------------------------------------------------------------------------- identity


def _bearer(req: Request) -> str | None:
    auth = req.headers.get("authorization", "")
    if auth.lower().startswith(("bearer ", "oauth ")):
        return auth.split(" ", 1)[1].strip()
    return req.query.get("oauth_token")


def _urls(emu: Emulator, org: Org, user: User, version: str | None) -> dict[str, str]:
    base = org.instance_url
    v = "{version}"
    if version:
        v = emu.settings.api_versions[-1] if version == "latest" else version
    o15 = org.org15
    return {
        "enterprise": f"{base}/services/Soap/c/{v}/{o15}", "metadata": f"{base}/services/Soap/m/{v}/{o15}",
        "partner": f"{base}/services/Soap/u/{v}/{o15}", "rest": f"{base}/services/data/v{v}/",
        "sobjects": f"{base}/services/data/v{v}/sobjects/", "search": f"{base}/services/data/v{v}/search/",
        "query": f"{base}/services/data/v{v}/query/", "recent": f"{base}/services/data/v{v}/recent/",
        "tooling_soap": f"{base}/services/Soap/T/{v}/{o15}", "tooling_rest": f"{base}/services/data/v{v}/tooling/",
        "profile": f"{base}/{user.id}", "feeds": f"{base}/services/data/v{v}/chatter/feeds",
        "groups": f"{base}/services/data/v{v}/chatter/groups", "users": f"{base}/services/data/v{v}/chatter/users",
        "feed_items": f"{base}/services/data/v{v}/chatter/feed-items",
        "custom_domain": org.my_domain,
    }


def _token_for_identity(emu: Emulator, req: Request) -> tuple[AccessToken, Org, User] | Response:
    value = _bearer(req)
    if not value:
        return text_response("Missing_OAuth_Token", 403)
    tok = emu.valid_access(value)
    if tok is None:
        return text_response("Bad_OAuth_Token", 403)
    org = emu.orgs[tok.org_key]
    user = org.user_by_id(tok.user_id)
    if user is None:
        return text_response("Bad_OAuth_Token", 403)
    return tok, org, user


def identity(emu: Emulator, req: Request) -> Response:
    got = _token_for_identity(emu, req)
    if isinstance(got, Response):
        return got
    tok, org, user = got
    parts = req.path.strip("/").split("/")
    if len(parts) != 3 or not ids.same_id(parts[1], org.org_id):
        return text_response("Wrong_Org", 403)
    target = org.user_by_id(parts[2])
    if target is None:
        return text_response("Bad_Id", 404)
    photo = f"{org.instance_url}/profilephoto/005/F"
    body = {
        "id": f"{tok.login_base}/id/{org.org_id}/{target.id}", "asserted_user": target.id == user.id,
        "user_id": target.id, "organization_id": org.org_id, "username": target.username,
        "nick_name": target.username.split("@")[0], "display_name": target.name, "email": target.email,
        "email_verified": True, "first_name": target.first_name, "last_name": target.last_name,
        "timezone": "America/Los_Angeles", "photos": {"picture": photo, "thumbnail": photo + "/T"},
        "addr_street": None, "addr_city": None, "addr_state": None, "addr_country": "US", "addr_zip": None,
        "mobile_phone": None, "mobile_phone_verified": False, "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None}, "urls": _urls(emu, org, target, req.query.get("version")),
        "active": target.active, "user_type": "STANDARD", "language": "en_US", "locale": "en_US",
        "utcOffset": -28800000, "last_modified_date": "2024-01-01T00:00:00Z", "is_app_installed": True,
    }
    return json_response(body)


def userinfo(emu: Emulator, req: Request) -> Response:
    got = _token_for_identity(emu, req)
    if isinstance(got, Response):
        return got
    tok, org, user = got
    if req.host_kind == "org" and req.org_key != org.key:
        return text_response("Bad_OAuth_Token", 403)  # a token only works on its own instance host
    photo = f"{org.instance_url}/profilephoto/005/F"
    body = {
        "sub": f"{tok.login_base}/id/{org.org_id}/{user.id}", "user_id": user.id, "organization_id": org.org_id,
        "preferred_username": user.username, "nickname": user.username.split("@")[0], "name": user.name,
        "email": user.email, "email_verified": True, "given_name": user.first_name, "family_name": user.last_name,
        "zoneinfo": "America/Los_Angeles", "photos": {"picture": photo, "thumbnail": photo + "/T"},
        "profile": f"{org.instance_url}/{user.id}", "picture": photo, "address": {"country": "US"},
        "is_salesforce_integration_user": False, "urls": _urls(emu, org, user, req.query.get("version")),
        "active": user.active, "user_type": "STANDARD", "language": "en_US", "locale": "en_US",
        "utcOffset": -28800000, "updated_at": "2024-01-01T00:00:00Z", "is_app_installed": True,
    }
    return json_response(body)
