import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import may_create_space, memberships_of
from orgbook.web.base import capabilities

HTMX_FILE = Path(__file__).resolve().parent / "static" / "vendor" / "htmx.min.js"


@cache
def htmx_available() -> bool:
    # The setup script installs htmx only when npm is present; every page works without it.
    return HTMX_FILE.is_file()


def my_memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in person's memberships (with their Spaces), read once per request: a page passes
    them to `authorize` and the Space switcher shows them."""
    found: list[Membership] | None = getattr(request, "_orgbook_memberships", None)
    if found is None:
        found = memberships_of(getattr(request, "user", None))
        request._orgbook_memberships = found  # type: ignore[attr-defined]
    return found


# A Space's pages are /s/<slug>/..., /d/s/<slug>/..., /orgs/s/<slug>/..., /uploads/s/<slug>/...: read from
# the path itself too, for an address no route matched (a 404 under a Space).
SPACE_PATH = re.compile(r"^/(?:[a-z]+/)?s/(?P<slug>[-\w]+)/")
LAST_SPACE_COOKIE = "orgbook_space"


def named_space(request: HttpRequest) -> str:
    """The slug of the Space the address names, or "" (the account pages, an org model's pages)."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug", "") if match is not None else ""
    if not slug:
        found = SPACE_PATH.match(request.path)
        slug = found.group("slug") if found else ""
    return str(slug)


def current_membership(request: HttpRequest) -> Membership | None:
    """The person's membership of the Space the page is about: the one its address names, else the one
    they were last in (a cookie). Only a Space they belong to: an error page about another Space shows
    nothing of it, and a page that names none (tokens, an error) keeps the Space and its navigation."""
    slug = named_space(request) or request.COOKIES.get(LAST_SPACE_COOKIE, "")
    return next((m for m in my_memberships(request) if m.space.slug == slug), None) if slug else None


def spaces(request: HttpRequest) -> dict[str, Any]:
    """The Space switcher: every Space the signed-in person belongs to (and whether htmx is served);
    and the page's Space for the top bar where the view passes none (a view's own `space` wins)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": [], "htmx_available": htmx_available()}
    found = {"my_memberships": my_memberships(request), "htmx_available": htmx_available(),
             "may_create_space": may_create_space(user)}
    membership = current_membership(request)
    if membership is not None:
        found.update(space=membership.space, can=capabilities(membership))
    return found


def remember_space(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: note the Space a page named in a cookie, so pages that name none keep it. The slug
    alone, unchecked here: current_membership only ever shows a Space the person belongs to."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        slug = named_space(request)
        if slug and response.status_code == 200 and request.COOKIES.get(LAST_SPACE_COOKIE) != slug:
            response.set_cookie(LAST_SPACE_COOKIE, slug, max_age=365 * 86400, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE or request.is_secure())
        return response

    return middleware
