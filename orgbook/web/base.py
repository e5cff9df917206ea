"""What every page shares: sign-in, the friendly error page, and the role's capabilities."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orgbook.errors import OrgbookError
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action, role_allows

View = Callable[..., HttpResponse]

# What to do next, by error code; the error's own message says what went wrong.
HINTS = {
    "not_found": "Check the link. If it belongs to a Space you should be in, ask one of its Space admins to invite you.",
    "forbidden": "Your role does not allow this. A Space admin can do it, or change your role.",
    "implementation_suspended": "A Space admin can reactivate it from the implementations page when a licence is free.",
    "licence_exhausted": "Delete an implementation you no longer need, or renew with more connection licences.",
}


def error_page(request: HttpRequest, exc: OrgbookError) -> HttpResponse:
    context = {"error": exc, "hint": HINTS.get(exc.code, ""), "status": exc.status}
    return render(request, "web/error.html", context, status=exc.status)


def page(view: View) -> View:
    """Signed-in pages: anonymous people go to the login page; domain errors become a friendly page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except OrgbookError as exc:
            return error_page(request, exc)

    return wrapper


def capabilities(membership: Membership) -> dict[str, bool]:
    """`can.delete_implementation` etc. for templates, from the one permission table."""
    return {action.value: role_allows(membership.role, action) for action in Action}


def space_context(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {
        "membership": membership, "space": membership.space, "can": capabilities(membership),
        "retention_days": settings.ORGBOOK_SUSPENDED_RETENTION_DAYS, **extra,
    }


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def signed_in_user(request: HttpRequest) -> Any:
    """The user behind a @page view (never anonymous there), typed for lookups."""
    return request.user
