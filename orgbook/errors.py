"""Domain errors shared by the web UI, the REST API and the CLI.

Each carries a stable machine code, an HTTP status and a message that says what to do.
"""

from __future__ import annotations

from typing import Any


class OrgbookError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class NotFound(OrgbookError):
    code = "not_found"
    status = 404


class Forbidden(OrgbookError):
    code = "forbidden"
    status = 403


class Unauthenticated(OrgbookError):
    code = "unauthenticated"
    status = 401


class ImplementationSuspended(OrgbookError):
    code = "implementation_suspended"
    status = 403


class LicenceExhausted(OrgbookError):
    code = "licence_exhausted"
    status = 409


class RateLimited(OrgbookError):
    """Too many requests (orgbook/spaces/throttling.py): refused until `retry_after` seconds have
    passed; the API answers them in the Retry-After header too."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after_seconds=retry_after)
        self.retry_after = retry_after


class Invalid(OrgbookError):
    code = "invalid"
    status = 400


class IncompleteReading(Invalid):
    """An import or sync read too little to replace a model (orgmodels/completeness.py): nothing was
    written. `details` hold the figures and the refused files with their reasons."""

    code = "incomplete_reading"


class Conflict(OrgbookError):
    code = "conflict"
    status = 409


class SyncAlreadyRunning(Conflict):
    """Another sync of the org holds its lease. A task meeting it skips; only this one means "skip"."""


class NeedsReauthorisation(OrgbookError):
    """The org's stored login is missing or refused: a Space admin reconnects it. Retrying cannot help."""

    code = "needs_reauthorisation"
    status = 409
