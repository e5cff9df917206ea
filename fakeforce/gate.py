"""The checks every REST, Tooling and Metadata API call passes, in Salesforce's order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .state import AccessToken, Org, User

if TYPE_CHECKING:
    from .emulator import Emulator


@dataclass
class Caller:
    token: AccessToken
    org: Org
    user: User


@dataclass
class Denied:
    status: int
    code: str
    message: str
    drop: bool = False  # the timeout fault: close the connection without an answer


SESSION = "Session expired or invalid"


def check(emu: Emulator, org_key: str | None, token_value: str | None, api: str) -> Caller | Denied:
    tok = emu.valid_access(token_value)
    if tok is None or tok.org_key != org_key:
        # Unknown, expired, revoked, or presented on another org's host.
        return Denied(401, "INVALID_SESSION_ID", SESSION)
    org = emu.orgs[tok.org_key]
    user = org.user_by_id(tok.user_id)
    if user is None or not user.active:
        return Denied(401, "INVALID_SESSION_ID", SESSION)
    fault = emu.take_fault(org.key, {"timeout"}, api)
    if fault is not None:
        emu.wait(float(fault.opts.get("seconds", 5)))
        return Denied(0, "", "", drop=True)
    if emu.take_fault(org.key, {"expired_session"}, api):
        tok.revoked = True
        return Denied(401, "INVALID_SESSION_ID", SESSION)
    if not org.has_api:
        return Denied(403, "API_DISABLED_FOR_ORG", "API is not enabled for this Organization or Partner")
    if not user.permissions.get("ApiEnabled", True):
        return Denied(403, "API_CURRENTLY_DISABLED", "API is disabled for this User")
    if emu.take_fault(org.key, {"request_limit"}, api) or org.api_used >= org.api_max:
        return Denied(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    fault = emu.take_fault(org.key, {"server_error"}, api)
    if fault is not None:
        return Denied(int(fault.opts.get("status", 500)), str(fault.opts.get("code", "UNKNOWN_EXCEPTION")),
                      str(fault.opts.get("message", "An unexpected error occurred. Please include this ErrorId "
                                                    "if you contact support: 1234567890-12345 (-1234567890)")))
    with emu.lock:
        org.api_used += 1
    return Caller(tok, org, user)
