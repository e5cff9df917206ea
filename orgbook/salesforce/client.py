"""REST and Tooling API client (docs/salesforce-protocols.md §2, §3) with one-shot refresh on an expired session.

`SalesforceClient` owns the HTTP session, the current access token and the error mapping; the
Metadata API (`metadata_api.MetadataApi`) sends through it so both share call counts, timing and
the refresh-once rule.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import requests

from orgbook.salesforce.errors import (
    ApiDisabled,
    InsufficientAccess,
    RequestLimitExceeded,
    SalesforceError,
    SessionExpired,
    TransientError,
    UnknownException,
)
from orgbook.salesforce.ids import to_15, to_18
from orgbook.salesforce.masking import mask, scrub
from orgbook.salesforce.oauth import TokenSet

log = logging.getLogger(__name__)

DEFAULT_API_VERSION = "62.0"
DEFAULT_TIMEOUT = (10.0, 120.0)  # (connect, read) seconds

API_DISABLED_CODES = frozenset({"API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED", "API_NOT_ENABLED"})
INSUFFICIENT_ACCESS_CODES = frozenset({"INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY"})

# MetadataComponentDependency answers at most 2,000 rows per Tooling query, silently truncated
# (docs/salesforce-protocols.md §3.2), so a batch that comes back this full is split and asked again.
DEPENDENCY_ROW_CAP = 2000

_DEPENDENCY_FIELDS = (
    "MetadataComponentId, MetadataComponentName, MetadataComponentNamespace, MetadataComponentType, "
    "RefMetadataComponentId, RefMetadataComponentName, RefMetadataComponentNamespace, RefMetadataComponentType"
)

# UNKNOWN_EXCEPTION is tried again at most twice, after these waits, then reported
# (docs/salesforce-protocols.md §4.7): a glitch usually clears in seconds, and a deterministic one
# (most of those seen in real orgs) never does, so waiting longer only delays the sync.
UNKNOWN_EXCEPTION_WAITS = (2.0, 10.0)

Refresher = Callable[[], TokenSet]
P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CallStats:
    """API calls made and where the time went, for benchmarks and the daily-allowance budget."""

    calls: int = 0
    http_seconds: float = 0.0  # waiting on Salesforce (request sent .. body read)
    wall_seconds: float = 0.0  # inside public client methods, HTTP included
    poll_wait_seconds: float = 0.0  # sleeping between checkRetrieveStatus polls (Salesforce working)
    refreshes: int = 0
    api_usage: tuple[int, int] | None = None  # (used, max) from the last Sforce-Limit-Info
    _depth: int = field(default=0, repr=False)

    @property
    def own_seconds(self) -> float:
        """Time spent in our own code (building requests, parsing, writing zips)."""
        return max(0.0, self.wall_seconds - self.http_seconds - self.poll_wait_seconds)

    @contextmanager
    def measure_wall(self) -> Iterator[None]:
        # Only the outermost public call counts, so nested calls are not double-counted.
        self._depth += 1
        start = time.perf_counter()
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.wall_seconds += time.perf_counter() - start

    @contextmanager
    def measure_http(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.http_seconds += time.perf_counter() - start


def timed(method: Callable[P, R]) -> Callable[P, R]:
    """Count the wall time of a public method of an object with a `stats: CallStats`."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0].stats.measure_wall():  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Organization:
    id: str  # 18 chars
    name: str
    is_sandbox: bool
    organization_type: str  # edition, e.g. "Enterprise Edition"; a sandbox reports production's
    instance_name: str
    trial_expiration_date: str | None

    @property
    def is_scratch(self) -> bool:
        # Salesforce CLI's rule: a sandbox with a trial expiry is a scratch org.
        return self.is_sandbox and self.trial_expiration_date is not None


@dataclass(frozen=True)
class UserPermissions:
    """The running user's system permissions that matter to a sync (UserPermissionAccess)."""

    api_enabled: bool
    modify_metadata: bool
    modify_all_data: bool
    author_apex: bool
    view_setup: bool
    view_all_data: bool

    def missing_for_sync(self) -> list[str]:
        """Labels (as Setup shows them) of the permissions a sync cannot work without."""
        missing = []
        if not self.api_enabled:
            missing.append("API Enabled")
        if not (self.modify_metadata or self.modify_all_data):
            missing.append("Modify Metadata Through Metadata API Functions (or Modify All Data)")
        return missing

    def warnings_for_sync(self) -> list[str]:
        """Permissions whose absence makes the org model less complete, not impossible."""
        warnings = []
        if not (self.author_apex or self.modify_all_data):
            warnings.append("Author Apex (Apex classes and triggers may come back without bodies)")
        if not (self.view_setup or self.modify_all_data):
            warnings.append("View Setup and Configuration (needed for limits and dependencies)")
        return warnings


@dataclass(frozen=True)
class SandboxProcess:
    """A row of production's Tooling SandboxProcess: one sandbox copy, old or current."""

    id: str
    sandbox_name: str
    sandbox_org_id: str | None  # 18 chars (Salesforce stores 15)
    status: str
    created_date: str | None = None

    @property
    def is_deleted(self) -> bool:
        # "Deleted", "Deleting": the org id no longer belongs to a live sandbox.
        return self.status.lower().startswith("del")


@dataclass(frozen=True)
class Dependency:
    """One MetadataComponentDependency edge: `component` uses `ref`."""

    component_id: str
    component_name: str
    component_type: str
    component_namespace: str | None
    ref_id: str
    ref_name: str
    ref_type: str
    ref_namespace: str | None


@dataclass
class DependencyResult:
    edges: list[Dependency]
    # IDs whose single-ID query still hit the 2,000-row cap: their edges may be incomplete.
    truncated_ids: list[str]


class SalesforceClient:
    """REST + Tooling API for one org, as one user.

    `refresher` is called at most once per call when Salesforce says the session is invalid; it
    returns a fresh TokenSet (and is responsible for storing it). Without a refresher an expired
    session raises SessionExpired.
    """

    def __init__(
        self,
        instance_url: str,
        access_token: str,
        api_version: str = DEFAULT_API_VERSION,
        refresher: Refresher | None = None,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.instance_url = instance_url.rstrip("/")
        self._access_token = access_token
        self.api_version = api_version.removeprefix("v")
        self._refresher = refresher
        self._session = session or requests.Session()
        self.timeout = timeout
        self.stats = CallStats()
        self.dependency_row_cap = DEPENDENCY_ROW_CAP
        self.unknown_exception_waits: tuple[float, ...] = UNKNOWN_EXCEPTION_WAITS
        self._sleep = sleep

    def __repr__(self) -> str:
        return (
            f"SalesforceClient(instance_url={self.instance_url!r}, api_version={self.api_version!r}, "
            f"access_token={mask(self._access_token)})"
        )

    @property
    def calls(self) -> int:
        return self.stats.calls

    @property
    def access_token(self) -> str:
        return self._access_token

    # -- public API --

    @timed
    def versions(self) -> list[dict[str, str]]:
        """`GET /services/data/` (unauthenticated): the API versions the org serves."""
        body = self._rest("GET", "/services/data/", auth=False)
        return list(body)

    @timed
    def latest_version(self, client_max: str | None = None) -> str:
        """min(client max, org max) — use it for every later call."""
        org_versions = [v["version"] for v in self.versions()]
        candidates = [v for v in org_versions if client_max is None or float(v) <= float(client_max)]
        return max(candidates, key=float) if candidates else self.api_version

    @timed
    def query(self, soql: str) -> dict[str, Any]:
        """One page of a SOQL query (up to 2,000 records) with `done` / `nextRecordsUrl`."""
        return dict(self._rest("GET", f"{self._data_path}/query", params={"q": soql}))

    @timed
    def query_all(self, soql: str) -> list[dict[str, Any]]:
        """Every record of a SOQL query, following `nextRecordsUrl` until `done`."""
        return list(self._iter_records(f"{self._data_path}/query", soql))

    @timed
    def tooling_query(self, soql: str) -> list[dict[str, Any]]:
        """Every record of a Tooling API query (Tooling-only objects such as SandboxProcess)."""
        return list(self._iter_records(f"{self._data_path}/tooling/query", soql))

    @timed
    def organization(self) -> Organization:
        soql = "SELECT Id, Name, IsSandbox, OrganizationType, InstanceName, TrialExpirationDate FROM Organization"
        records = self.query_all(soql)
        if not records:
            raise SalesforceError("NO_ORGANIZATION", "the Organization query returned no row")
        row = records[0]
        return Organization(
            id=to_18(row["Id"]),
            name=str(row.get("Name") or ""),
            is_sandbox=bool(row.get("IsSandbox")),
            organization_type=str(row.get("OrganizationType") or ""),
            instance_name=str(row.get("InstanceName") or ""),
            trial_expiration_date=row.get("TrialExpirationDate"),
        )

    @timed
    def limits(self) -> dict[str, dict[str, Any]]:
        """`GET /limits`: {"DailyApiRequests": {"Max": .., "Remaining": ..}, ...}."""
        return dict(self._rest("GET", f"{self._data_path}/limits"))

    @timed
    def user_permissions(self) -> UserPermissions:
        """The running user's effective permissions (profile + permission sets), in one query."""
        soql = (
            "SELECT PermissionsApiEnabled, PermissionsModifyMetadata, PermissionsModifyAllData, "
            "PermissionsAuthorApex, PermissionsViewSetup, PermissionsViewAllData FROM UserPermissionAccess"
        )
        records = self.query_all(soql)
        row = records[0] if records else {}
        return UserPermissions(
            api_enabled=bool(row.get("PermissionsApiEnabled")),
            modify_metadata=bool(row.get("PermissionsModifyMetadata")),
            modify_all_data=bool(row.get("PermissionsModifyAllData")),
            author_apex=bool(row.get("PermissionsAuthorApex")),
            view_setup=bool(row.get("PermissionsViewSetup")),
            view_all_data=bool(row.get("PermissionsViewAllData")),
        )

    @timed
    def sandbox_processes(self, sandbox_org_id: str | None = None) -> list[SandboxProcess]:
        """Production's sandbox copies (Tooling SandboxProcess), optionally for one sandbox org."""
        soql = "SELECT Id, SandboxName, SandboxOrganization, Status, CreatedDate FROM SandboxProcess"
        if sandbox_org_id:
            # The field holds 15-char IDs (docs/salesforce-protocols.md §6.2); compare on that form.
            soql += f" WHERE SandboxOrganization = '{to_15(sandbox_org_id)}'"
        return [_sandbox_process(row) for row in self.tooling_query(soql)]

    @timed
    def metadata_component_dependencies(
        self, ids: Sequence[str], batch: int = 100, side: str = "MetadataComponentId"
    ) -> DependencyResult:
        """Dependency edges for components, queried `batch` IDs at a time.

        `side="MetadataComponentId"`: what the components use; `"RefMetadataComponentId"`: what
        uses them. A batch answering the 2,000-row cap is split in halves and asked again.
        """
        if side not in ("MetadataComponentId", "RefMetadataComponentId"):
            raise ValueError(f"side must be MetadataComponentId or RefMetadataComponentId, not {side!r}")
        result = DependencyResult(edges=[], truncated_ids=[])
        unique = list(dict.fromkeys(to_18(i) for i in ids))
        for start in range(0, len(unique), batch):
            self._dependencies_batch(unique[start : start + batch], side, result)
        return result

    # -- dependencies --

    def _dependencies_batch(self, ids: list[str], side: str, result: DependencyResult) -> None:
        in_list = ", ".join(f"'{i}'" for i in ids)
        # IDs are validated by to_18 (alphanumeric) and `side` is whitelisted: no injection.
        soql = f"SELECT {_DEPENDENCY_FIELDS} FROM MetadataComponentDependency WHERE {side} IN ({in_list})"  # noqa: S608
        # Only the first page: queryMore is not supported for this object.
        rows = self._rest("GET", f"{self._data_path}/tooling/query", params={"q": soql})["records"]
        if len(rows) >= self.dependency_row_cap:
            if len(ids) > 1:
                half = len(ids) // 2
                self._dependencies_batch(ids[:half], side, result)
                self._dependencies_batch(ids[half:], side, result)
                return
            result.truncated_ids.append(ids[0])
        result.edges.extend(_dependency(row) for row in rows)

    # -- plumbing shared with the Metadata API --

    @property
    def _data_path(self) -> str:
        return f"/services/data/v{self.api_version}"

    def _local_path(self, url_or_path: str) -> str:
        """nextRecordsUrl is a path; accept an absolute URL on the instance too."""
        parts = urlsplit(url_or_path)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return path if path.startswith("/") else "/" + path

    def _iter_records(self, path: str, soql: str) -> Iterator[dict[str, Any]]:
        page = self._rest("GET", path, params={"q": soql})
        while True:
            yield from page.get("records", [])
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return
            page = self._rest("GET", self._local_path(next_url))

    def retrying_unknown(self, what: str, attempt: Callable[[], R]) -> R:
        """`attempt()`, tried again after each of `unknown_exception_waits` while Salesforce
        answers UNKNOWN_EXCEPTION; the last UnknownException propagates."""
        for wait in self.unknown_exception_waits:
            try:
                return attempt()
            except UnknownException as exc:
                log.info("%s answered UNKNOWN_EXCEPTION (%s); trying again in %.0f s", what, exc.message[:200], wait)
                self._sleep(wait)
        return attempt()

    def _rest(
        self, method: str, path: str, *, params: dict[str, str] | None = None, auth: bool = True
    ) -> Any:
        return self.retrying_unknown(
            f"{method} {path.split('?')[0]}", lambda: self._rest_once(method, path, params=params, auth=auth)
        )

    def _rest_once(
        self, method: str, path: str, *, params: dict[str, str] | None = None, auth: bool = True
    ) -> Any:
        def build(token: str) -> dict[str, Any]:
            headers = {"Accept": "application/json"}
            if auth:
                headers["Authorization"] = f"Bearer {token}"
            return {"params": params, "headers": headers}

        response = self.send(method, path, build, expired=lambda r: r.status_code == 401)
        if response.status_code >= 300:
            raise self._rest_error(response)
        try:
            return response.json()
        except ValueError:
            raise TransientError("INVALID_JSON", f"{path} answered a body that is not JSON") from None

    def send(
        self,
        method: str,
        path: str,
        build: Callable[[str], dict[str, Any]],
        *,
        expired: Callable[[Any], bool],
        stream: bool = False,
    ) -> Any:
        """Send a request built for the current token; on an expired session refresh ONCE and
        rebuild (the SOAP envelope embeds the token) and retry once."""
        response = self._http(method, path, build(self._access_token), stream)
        if expired(response) and self._refresher is not None:
            response.close()
            self._refresh()
            response = self._http(method, path, build(self._access_token), stream)
        return response

    def _refresh(self) -> None:
        assert self._refresher is not None
        log.info("Salesforce session expired on %s; refreshing once", self.instance_url)
        tokens = self._refresher()  # RefreshTokenRevoked propagates: the org must be reconnected
        self._access_token = tokens.access_token
        # instance_url can change on refresh (My Domain rename, org migration): follow it.
        self.instance_url = tokens.instance_url.rstrip("/")
        self.stats.refreshes += 1

    def _http(self, method: str, path: str, kwargs: dict[str, Any], stream: bool) -> Any:
        url = f"{self.instance_url}{path}"
        self.stats.calls += 1
        try:
            with self.stats.measure_http():
                response = self._session.request(method, url, timeout=self.timeout, stream=stream, **kwargs)
                if not stream:
                    _ = response.content  # read the body inside the HTTP timer
        except requests.Timeout:
            raise TransientError("TIMEOUT", f"{method} {path.split('?')[0]} timed out") from None
        except requests.RequestException as exc:
            raise TransientError(
                "CONNECTION_ERROR", self.scrub(f"{method} {path.split('?')[0]}: {exc}")
            ) from None
        log.debug("salesforce %s %s -> %s", method, path.split("?")[0], response.status_code)
        self._note_limit_info(response.headers.get("Sforce-Limit-Info", ""))
        return response

    def _note_limit_info(self, header: str) -> None:
        match = re.search(r"api-usage=(\d+)/(\d+)", header)
        if match:
            self.stats.api_usage = (int(match.group(1)), int(match.group(2)))

    def scrub(self, text: str) -> str:
        return scrub(text, (self._access_token,))

    def _rest_error(self, response: Any) -> SalesforceError:
        status = response.status_code
        code, message = _rest_error_body(response)
        message = self.scrub(message)
        log.info("Salesforce REST error %s (HTTP %s)", code, status)
        if code == "UNKNOWN_EXCEPTION":
            return UnknownException(code, message, status)
        if status >= 500:
            return TransientError(code or f"HTTP_{status}", message, status)
        if status == 401 or code == "INVALID_SESSION_ID":
            return SessionExpired(code or "INVALID_SESSION_ID", message, status)
        return error_for_code(code or f"HTTP_{status}", message, status)


def error_for_code(code: str, message: str, status: int | None = None) -> SalesforceError:
    """Map a Salesforce error code (REST errorCode or SOAP faultcode) to an exception."""
    if code == "INVALID_SESSION_ID":
        return SessionExpired(code, message, status)
    if code == "REQUEST_LIMIT_EXCEEDED":
        return RequestLimitExceeded(code, message, status)
    if code in API_DISABLED_CODES:
        return ApiDisabled(code, message, status)
    if code in INSUFFICIENT_ACCESS_CODES:
        return InsufficientAccess(code, message, status)
    if code == "UNKNOWN_EXCEPTION":
        return UnknownException(code, message, status)
    if code == "SERVER_UNAVAILABLE":
        return TransientError(code, message, status)
    return SalesforceError(code, message, status)


def _rest_error_body(response: Any) -> tuple[str, str]:
    """REST errors are a JSON array of {message, errorCode}; be lenient about other shapes."""
    try:
        body = response.json()
    except ValueError:
        return "", (response.text or "")[:300]
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict):
        code = first.get("errorCode") or first.get("error") or ""
        message = first.get("message") or first.get("error_description") or ""
        return str(code), str(message)
    return "", str(body)[:300]


def _sandbox_process(row: dict[str, Any]) -> SandboxProcess:
    org = row.get("SandboxOrganization")
    return SandboxProcess(
        id=str(row.get("Id") or ""),
        sandbox_name=str(row.get("SandboxName") or ""),
        sandbox_org_id=to_18(org) if org else None,
        status=str(row.get("Status") or ""),
        created_date=row.get("CreatedDate"),
    )


def _dependency(row: dict[str, Any]) -> Dependency:
    return Dependency(
        component_id=str(row.get("MetadataComponentId") or ""),
        component_name=str(row.get("MetadataComponentName") or ""),
        component_type=str(row.get("MetadataComponentType") or ""),
        component_namespace=row.get("MetadataComponentNamespace"),
        ref_id=str(row.get("RefMetadataComponentId") or ""),
        ref_name=str(row.get("RefMetadataComponentName") or ""),
        ref_type=str(row.get("RefMetadataComponentType") or ""),
        ref_namespace=row.get("RefMetadataComponentNamespace"),
    )
