"""Middleware: refuse text holding the NUL character before any view sees it.

PostgreSQL cannot store NUL in a text value (psycopg refuses the whole statement), SQLite stores it
and truncates it in places, and no Salesforce name or documentation text holds one. So a query
parameter, a form field or a JSON string with NUL is refused with 400 on both databases alike, up
front, where nothing has been written yet. Multipart uploads are left to their own readers (a
zip's file names are checked by the import)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from orgbook.web.views.errors import API_PREFIX

NUL = "\x00"
MESSAGE = ("The request holds a NUL character (\\u0000), which Orgbook cannot store; nothing was stored. "
           "Remove it and send it again.")


def holds_nul(value: Any) -> bool:
    """True if a decoded JSON value or one of its keys holds NUL anywhere."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False


def _query_holds_nul(request: HttpRequest) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in request.GET.lists())


def _body_holds_nul(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    if request.method not in {"POST", "PUT", "PATCH"}:
        return False
    try:
        if content_type == "application/x-www-form-urlencoded":
            return any(NUL in key or any(NUL in v for v in values) for key, values in request.POST.lists())
        if content_type == "application/json" and b"\\u0000" in request.body:
            # A JSON string can only carry NUL escaped; decode to tell it from an escaped backslash.
            return holds_nul(json.loads(request.body))
    except (RequestDataTooBig, ValueError):
        return False  # the view answers these in its own words (413, or "not valid JSON")
    return False


def refuse_nul(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if _query_holds_nul(request) or _body_holds_nul(request):
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"error": {"code": "invalid", "message": MESSAGE}}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
