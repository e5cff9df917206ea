"""Django's error views (handler400/404/500 in orgbook/urls.py): the friendly pages, except under
/api/, where a script gets the API's JSON error object whatever failed (no route matched, a body
over the size limit, an unexpected error), never an HTML page it cannot read."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

API_PREFIX = "/api/"


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _json(400, "invalid", "The request could not be read. Send a JSON object with "
                                     "Content-Type: application/json.")
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _json(404, "not_found", "Not found. The operations and their paths are listed at /api/v1/docs.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _json(500, "server_error", "Orgbook failed to answer this request; nothing was changed by the "
                                          "failed part. Try again, and if it keeps failing tell your "
                                          "administrator (the server log has the details).")
    return _server_error_page(request)


def _server_error_page(request: HttpRequest) -> HttpResponse:
    """The 500 page with the top bar of the Space the person was in (its navigation, their Spaces), read
    as on any page. What failed may be the database itself: then reading the person or their Spaces
    fails too, and the plain page (500.html, static, no query) answers instead."""
    try:
        return render(request, "web/server_error.html", status=500)
    except Exception:  # anything: this page is already the answer to a failure
        return defaults.server_error(request)


def api_json_errors(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: django-ninja answers a method a path does not take with a plain-text 405; under
    /api/ it becomes the JSON error object, naming the methods the path takes."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (response.status_code == 405 and request.path.startswith(API_PREFIX)
                and not response.get("Content-Type", "").startswith("application/json")):
            allowed = response.get("Allow", "")
            answer = _json(405, "method_not_allowed", f"{request.method} is not allowed on this path; use {allowed}.")
            answer["Allow"] = allowed
            return answer
        return response

    return middleware
