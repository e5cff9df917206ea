"""The REST API under /api/v1/: thin handlers over the lifecycle rules, JSON errors everywhere."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from orgbook.api.auth import SessionAuth, TokenAuth
from orgbook.errors import OrgbookError, RateLimited, Unauthenticated

api = NinjaAPI(
    title="Orgbook API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, **details: object) -> HttpResponse:
    body: dict[str, object] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(OrgbookError)
def orgbook_error(request: HttpRequest, exc: OrgbookError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg')}" for e in exc.errors]
    return _error(request, 400, "invalid", "The request is not valid: " + "; ".join(problems), errors=exc.errors)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return orgbook_error(request, Unauthenticated(
        "Send a personal access token as 'Authorization: Bearer <token>' (make one with `orgbook token create`).",
    ))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1000
    return _error(request, 413, "too_large",
                  f"The request body is over the {limit_kb:,} KB limit; send less in one request "
                  "(metadata goes in an upload, which takes zips).")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
    message = str(exc)
    if exc.status_code == 400:
        message += ". Send a JSON object with Content-Type: application/json."
    return _error(request, exc.status_code, code, message)


from orgbook.api import across as _across  # noqa: E402
from orgbook.api import documentation as _documentation  # noqa: E402  (routes register on import)
from orgbook.api import models as _models  # noqa: E402
from orgbook.api import spaces as _spaces  # noqa: E402
from orgbook.api import syncs as _syncs  # noqa: E402

api.add_router("/", _spaces.router)
api.add_router("/", _models.router)
api.add_router("/", _syncs.router)
api.add_router("/", _documentation.router)
api.add_router("/", _across.router)
