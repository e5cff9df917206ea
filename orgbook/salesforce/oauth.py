"""OAuth 2.0 web server flow with PKCE, refresh, revoke, identity and userinfo (docs/salesforce-protocols.md §1).

Plain `requests`; no Django. Typed results; tokens masked in every repr and error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from orgbook.salesforce.errors import OAuthError, RefreshTokenRevoked, SalesforceError, TransientError
from orgbook.salesforce.ids import to_18
from orgbook.salesforce.masking import mask, scrub

log = logging.getLogger(__name__)

PRODUCTION_LOGIN_URL = "https://login.salesforce.com"
SANDBOX_LOGIN_URL = "https://test.salesforce.com"

# `api`: REST, Tooling and Metadata API calls. `refresh_token`: scheduled syncs run while nobody
# is logged in. `id`: the identity URL / userinfo, to learn which org and user came back.
DEFAULT_SCOPES = ("api", "refresh_token", "id")
DEFAULT_TIMEOUT = (10.0, 60.0)


def login_url_for(kind: str, my_domain: str | None = None) -> str:
    """The authorization host: the org's My Domain when known (pins the login to that org),
    else the generic production or sandbox login host."""
    if my_domain:
        return normalise_base_url(my_domain)
    return SANDBOX_LOGIN_URL if kind == "sandbox" else PRODUCTION_LOGIN_URL


# Tokens and the client secret are only ever sent to these (over HTTPS), to loopback (the
# fakeforce emulator, a local tunnel) or to hosts the operator lists: a user typing a "My Domain"
# must not be able to make Orgbook post its client secret or a token to an arbitrary server.
SALESFORCE_DOMAINS = (
    "salesforce.com",
    "force.com",
    "cloudforce.com",
    "database.com",
    "salesforce.mil",
    "sfcrmproducts.cn",
    "salesforce-setup.com",
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_trusted_url(url: str, extra_hosts: tuple[str, ...] = ()) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in LOOPBACK_HOSTS or host in {h.lower() for h in extra_hosts}:
        return parts.scheme in ("http", "https")
    return parts.scheme == "https" and any(host == d or host.endswith("." + d) for d in SALESFORCE_DOMAINS)


def normalise_base_url(url_or_domain: str, extra_hosts: tuple[str, ...] = ()) -> str:
    """Accept `acme`, `acme.my.salesforce.com` or a full URL; return `https://host[:port]`.

    ValueError unless the host is Salesforce's (HTTPS), loopback or in `extra_hosts`."""
    base = _base_url(url_or_domain)
    if not is_trusted_url(base, extra_hosts):
        raise ValueError(f"{base} is not a Salesforce host (expected https://<name>.my.salesforce.com)")
    return base


def _base_url(url_or_domain: str) -> str:
    value = url_or_domain.strip().rstrip("/")
    if "://" not in value:
        value = "https://" + (value if "." in value else f"{value}.my.salesforce.com")
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or not _HOST.fullmatch(parts.netloc):
        raise ValueError(f"not a login URL: {url_or_domain!r}")
    return f"{parts.scheme}://{parts.netloc}"


# A host name (letters, digits, dots, hyphens) with an optional port; nothing else belongs there.
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?")


# --- PKCE ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pkce:
    verifier: str = field(repr=False)
    challenge: str

    @classmethod
    def generate(cls, nbytes: int = 64) -> Pkce:
        # 32..96 random bytes -> 43..128 base64url chars, the range RFC 7636 allows.
        verifier = _b64url(secrets.token_bytes(nbytes))
        return cls(verifier=verifier, challenge=pkce_challenge(verifier))


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_state() -> str:
    return secrets.token_urlsafe(32)


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenSet:
    """What the token endpoint returned. `refresh_token` is None on a refresh (unless rotated)."""

    access_token: str = field(repr=False)
    instance_url: str
    id_url: str
    org_id: str  # 18 chars
    user_id: str  # 18 chars
    issued_at: int | None = None  # ms since epoch
    scope: str = ""
    signature: str = field(default="", repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    token_type: str = "Bearer"

    def __repr__(self) -> str:
        return (
            f"TokenSet(org_id={self.org_id!r}, user_id={self.user_id!r}, instance_url={self.instance_url!r}, "
            f"access_token={mask(self.access_token)}, refresh_token={mask(self.refresh_token)})"
        )

    __str__ = __repr__

    def with_refresh_token(self, refresh_token: str | None) -> TokenSet:
        """A refresh response usually omits the refresh token: carry the old one forward."""
        from dataclasses import replace

        return replace(self, refresh_token=self.refresh_token or refresh_token)


@dataclass(frozen=True)
class Identity:
    """Identity URL (or userinfo) answer: who and which org the token belongs to."""

    org_id: str
    user_id: str
    username: str
    display_name: str = ""
    email: str = ""
    user_type: str = ""
    active: bool = True
    my_domain: str = ""  # https://host of urls.custom_domain, else of instance_url
    urls: dict[str, str] = field(default_factory=dict)


def parse_id_url(id_url: str) -> tuple[str, str]:
    """`https://login.salesforce.com/id/<org>/<user>` -> (org id 18, user id 18)."""
    parts = [p for p in urlsplit(id_url).path.split("/") if p]
    if len(parts) < 3 or parts[-3] != "id":
        raise OAuthError("invalid_identity", f"unexpected identity URL {id_url!r}")
    return to_18(parts[-2]), to_18(parts[-1])


def verify_signature(token: TokenSet, client_secret: str) -> bool:
    """`signature` = base64(HMAC-SHA256(client_secret, id + issued_at)) (docs/salesforce-protocols.md §1.2)."""
    if not token.signature or token.issued_at is None:
        return False
    message = f"{token.id_url}{token.issued_at}".encode()
    expected = base64.b64encode(hmac.new(client_secret.encode(), message, hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode(), token.signature)


# --- Client --------------------------------------------------------------------------------------


@dataclass
class OAuthClient:
    """The connected app's side of the flow. `login_url` is production, sandbox or a My Domain."""

    client_id: str
    client_secret: str | None = field(repr=False)
    redirect_uri: str
    login_url: str = PRODUCTION_LOGIN_URL
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    extra_hosts: tuple[str, ...] = ()  # non-Salesforce hosts to trust (a test emulator elsewhere)

    def __post_init__(self) -> None:
        self.login_url = normalise_base_url(self.login_url, self.extra_hosts)

    def authorize_url(
        self, state: str, pkce: Pkce, login_hint: str | None = None, prompt: str = "login"
    ) -> str:
        # prompt=login: a browser already logged in to another org must not be reused silently.
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
            "state": state,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
            "prompt": prompt,
        }
        if login_hint:
            params["login_hint"] = login_hint
        return f"{self.login_url}/services/oauth2/authorize?{urlencode(params)}"

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._token_request(data, secrets_in_play=(code, code_verifier))

    def refresh(self, refresh_token: str, login_url: str | None = None) -> TokenSet:
        """Refresh grant. `invalid_grant` -> RefreshTokenRevoked (the user must reconnect)."""
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id}
        try:
            tokens = self._token_request(data, secrets_in_play=(refresh_token,), base_url=login_url)
        except OAuthError as exc:
            if exc.code == "invalid_grant":
                log.info("Salesforce refresh token revoked or expired (invalid_grant)")
                raise RefreshTokenRevoked(exc.code, exc.description, exc.status) from None
            raise
        return tokens.with_refresh_token(refresh_token)

    def revoke(self, token: str, base_url: str | None = None) -> None:
        """Revoke an access or refresh token (a refresh token takes its access tokens with it)."""
        url = f"{normalise_base_url(base_url or self.login_url, self.extra_hosts)}/services/oauth2/revoke"
        response = self._post(url, {"token": token}, (token,))
        if response.status_code != 200:
            raise _oauth_error(response, (token,))

    def identity(self, tokens: TokenSet) -> Identity:
        """GET the identity URL from the token response."""
        response = self._get(tokens.id_url, tokens.access_token)
        return _identity_from(response.json(), tokens.instance_url, username_key="username")

    def userinfo(self, tokens: TokenSet) -> Identity:
        """OpenID Connect userinfo on the instance (same facts, `preferred_username`)."""
        response = self._get(f"{tokens.instance_url}/services/oauth2/userinfo", tokens.access_token)
        return _identity_from(response.json(), tokens.instance_url, username_key="preferred_username")

    # -- plumbing --

    def _token_request(
        self, data: dict[str, str], secrets_in_play: tuple[str, ...], base_url: str | None = None
    ) -> TokenSet:
        if self.client_secret:
            data["client_secret"] = self.client_secret
        url = f"{normalise_base_url(base_url or self.login_url, self.extra_hosts)}/services/oauth2/token"
        response = self._post(url, data, secrets_in_play)
        if response.status_code != 200:
            raise _oauth_error(response, (*secrets_in_play, self.client_secret))
        tokens = _token_set(response.json())
        for url in (tokens.instance_url, tokens.id_url):
            # Every later call sends the token there: refuse hosts that are not Salesforce's.
            if not is_trusted_url(url, self.extra_hosts):
                raise OAuthError(
                    "untrusted_host", f"token response points at {_base_url(url)}, not a Salesforce host"
                )
        return tokens

    def _post(self, url: str, data: dict[str, str], secrets_in_play: tuple[str | None, ...]) -> Any:
        try:
            return self.session.post(
                url, data=data, headers={"Accept": "application/json"}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise TransientError(type(exc).__name__, scrub(str(exc), secrets_in_play)) from None

    def _get(self, url: str, access_token: str) -> Any:
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        try:
            response = self.session.get(url, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(type(exc).__name__, scrub(str(exc), (access_token,))) from None
        if response.status_code != 200:
            # The identity service answers bad tokens with 403 and a plain-text code.
            raise _oauth_error(response, (access_token,))
        return response


def _oauth_error(response: Any, secrets_in_play: tuple[str | None, ...]) -> SalesforceError:
    if response.status_code >= 500:
        return TransientError(
            f"HTTP_{response.status_code}", "Salesforce login service unavailable", response.status_code
        )
    try:
        body = response.json()
        code = str(body.get("error") or f"HTTP_{response.status_code}")
        description = str(body.get("error_description") or "")
    except (ValueError, AttributeError):
        code = (response.text or "").strip()[:80] or f"HTTP_{response.status_code}"
        description = ""
    log.info("Salesforce OAuth error %s (HTTP %s)", code, response.status_code)
    return OAuthError(scrub(code, secrets_in_play), scrub(description, secrets_in_play), response.status_code)


def _token_set(body: dict[str, Any]) -> TokenSet:
    try:
        id_url = str(body["id"])
        org_id, user_id = parse_id_url(id_url)
        issued = body.get("issued_at")
        return TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=body.get("refresh_token"),
            instance_url=_base_url(str(body["instance_url"])),
            id_url=id_url,
            org_id=org_id,
            user_id=user_id,
            issued_at=int(issued) if issued not in (None, "") else None,
            scope=str(body.get("scope") or ""),
            signature=str(body.get("signature") or ""),
            token_type=str(body.get("token_type") or "Bearer"),
        )
    except (KeyError, ValueError) as exc:
        raise OAuthError("invalid_token_response", f"token response lacks or garbles {exc}") from None


def _identity_from(body: dict[str, Any], instance_url: str, username_key: str) -> Identity:
    urls = {k: str(v) for k, v in (body.get("urls") or {}).items() if v}
    domain = urls.get("custom_domain") or instance_url
    return Identity(
        org_id=to_18(str(body["organization_id"])),
        user_id=to_18(str(body["user_id"])),
        username=str(body.get(username_key) or body.get("username") or body.get("preferred_username") or ""),
        display_name=str(body.get("display_name") or body.get("name") or ""),
        email=str(body.get("email") or ""),
        user_type=str(body.get("user_type") or ""),
        active=bool(body.get("active", True)),
        my_domain=_base_url(domain),
        urls=urls,
    )
