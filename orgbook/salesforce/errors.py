"""Exceptions raised by the Salesforce client.

Every exception carries a stable `code` (Salesforce's own code when there is one) and a message
that never contains a token: messages are scrubbed before the exception is built
(see `orgbook.salesforce.masking`).
"""

from __future__ import annotations


class SalesforceError(Exception):
    """Any error answered by Salesforce (or our understanding of its answer)."""

    def __init__(self, code: str, message: str = "", status: int | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


class OAuthError(SalesforceError):
    """The OAuth token/revoke/identity endpoints refused (`error` + `error_description`)."""

    def __init__(self, code: str, description: str = "", status: int | None = None) -> None:
        super().__init__(code, description, status)
        self.description = description


class RefreshTokenRevoked(OAuthError):
    """The refresh token is revoked or expired (`invalid_grant`): the org must be reconnected."""


class SessionExpired(SalesforceError):
    """401 INVALID_SESSION_ID even after one refresh (or no way to refresh)."""


class RequestLimitExceeded(SalesforceError):
    """The org's 24-hour API allowance is used up; back off, do not retry now."""


class TransientError(SalesforceError):
    """5xx, timeout or connection error: the caller retries with backoff."""


class ApiDisabled(SalesforceError):
    """The org or user cannot use the API (edition without API, API Enabled permission off)."""


class InsufficientAccess(SalesforceError):
    """The user lacks a permission the call needs."""


class SoapFault(SalesforceError):
    """A Metadata API SOAP fault not covered by a more specific exception."""


class TransientSoapFault(SoapFault, TransientError):
    """A SOAP fault Salesforce uses for server-side glitches (SERVER_UNAVAILABLE): both a
    SoapFault and worth retrying with backoff."""


class UnknownException(SalesforceError):
    """UNKNOWN_EXCEPTION ("An unexpected error occurred"), still there after the client's short
    retries (docs/salesforce-protocols.md §4.7). Not a TransientError: real ones are often
    deterministic for a given request (readMetadata of one layout, a type an API version cannot
    list), so retrying the whole sync for half an hour only wastes it. The caller leaves out what
    the request was for and says so."""


class UnknownSoapFault(SoapFault, UnknownException):
    """UNKNOWN_EXCEPTION as a Metadata API SOAP fault."""


class RetrieveFailed(SalesforceError):
    """A Metadata API retrieve finished with status Failed."""


class RetrieveTooLarge(RetrieveFailed):
    """LIMIT_EXCEEDED: more than 10,000 files in one retrieve; split the request and retry."""


class RetrieveTimeout(SalesforceError):
    """A retrieve was still running when the poll deadline passed."""
