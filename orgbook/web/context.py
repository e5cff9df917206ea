from functools import cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest

from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import may_create_space, memberships_of

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


def spaces(request: HttpRequest) -> dict[str, Any]:
    """The Space switcher: every Space the signed-in person belongs to (and whether htmx is served)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": [], "htmx_available": htmx_available()}
    return {"my_memberships": my_memberships(request), "htmx_available": htmx_available(),
            "may_create_space": may_create_space(user)}
