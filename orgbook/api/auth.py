"""API authentication: personal access tokens (Bearer) for scripts, or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from orgbook.errors import Forbidden, Unauthenticated
from orgbook.spaces import throttling
from orgbook.spaces.models import PersonalAccessToken


def client_address(request: HttpRequest) -> str:
    # The connection's address, as sign-in throttling (django-axes, without django-ipware) counts it:
    # a header such as X-Forwarded-For is the client's to write, so it would let a guesser pick a
    # fresh address for every try.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        address = client_address(request)
        throttling.check_address(address)  # RateLimited: answered 429 by the API's error handler
        found = PersonalAccessToken.find(token)
        if found is not None and found.revoked_at is None and found.is_expired():
            throttling.record_invalid(address, found)
            # Answered 401 by the API's error handler, saying what happened rather than "send a token".
            raise Unauthenticated(
                f"This token ({found.name}) expired on {found.expires_at:%Y-%m-%d %H:%M} UTC. "
                "Make a new one under Account → Access tokens (/account/tokens/)."
            )
        if found is None or not found.is_valid():
            throttling.record_invalid(address, found)
            return None
        throttling.count_use(found, address)
        found.mark_used()
        request.user = found.user
        return found.user


class SessionAuth(NinjaSessionAuth):
    """The signed-in session, for the web UI's own calls and the browsable docs. django-ninja checks
    CSRF on unsafe methods. A request without the session cookie is not this scheme's, so a script
    with a missing or revoked token still gets the 401 that says how to authenticate."""

    def __call__(self, request: HttpRequest) -> Any:
        if self.param_name not in request.COOKIES:
            return None
        try:
            return super().__call__(request)
        except HttpError:  # django-ninja's "CSRF check Failed"
            raise Forbidden(
                "The CSRF check failed: a signed-in browser sends the csrftoken cookie's value in the "
                "X-CSRFToken header; a script uses a personal access token instead."
            ) from None
