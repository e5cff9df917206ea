"""API authentication: personal access tokens (Bearer) for scripts, or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from orgbook.spaces.models import PersonalAccessToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = PersonalAccessToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


def session_auth(request: HttpRequest) -> Any:
    """Session cookies work for the web UI's own calls; CSRF is enforced for unsafe methods."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        from django.middleware.csrf import CsrfViewMiddleware

        reason = CsrfViewMiddleware(lambda r: None).process_view(request, lambda r: None, (), {})  # type: ignore[arg-type,return-value]
        if reason is not None:
            return None
    return user
