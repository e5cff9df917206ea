from functools import cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest

from orgbook.spaces.models import Membership

HTMX_FILE = Path(__file__).resolve().parent / "static" / "vendor" / "htmx.min.js"


@cache
def htmx_available() -> bool:
    # The setup script installs htmx only when npm is present; every page works without it.
    return HTMX_FILE.is_file()


def spaces(request: HttpRequest) -> dict[str, Any]:
    """The Space switcher: every Space the signed-in person belongs to (and whether htmx is served)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": [], "htmx_available": htmx_available()}
    return {
        "my_memberships": list(Membership.objects.filter(user=user).select_related("space").order_by("space__name")),
        "htmx_available": htmx_available(),
    }
