"""Bulk API 2.0 query jobs on the Tooling path (docs/salesforce-protocols.md §3.2): one job instead of many queries.

Salesforce's MetadataComponentDependency answers at most 2,000 rows per ordinary Tooling query;
a whole org's edges (tens of thousands) would cost hundreds of calls in batches of ids. One
Bulk job costs a create, a few polls and one results call per 50,000 rows.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from orgbook.salesforce.client import _DEPENDENCY_FIELDS, Dependency, _dependency
from orgbook.salesforce.errors import SalesforceError, TransientError

if TYPE_CHECKING:
    from orgbook.salesforce.client import SalesforceClient
    from orgbook.salesforce.metadata_api import Backoff

RESULT_PAGE = 50_000


class BulkJobFailed(SalesforceError):
    """The job ended Failed or Aborted; Salesforce's errorMessage says why."""


def _json(client: SalesforceClient, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    def build(token: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if body is None:
            return {"headers": headers}
        return {"headers": {**headers, "Content-Type": "application/json"}, "data": json.dumps(body)}

    response = client.send(method, path, build, expired=lambda r: r.status_code == 401)
    if response.status_code >= 300:
        raise client._rest_error(response)
    return response.json()


def query(client: SalesforceClient, soql: str, poll: Backoff) -> Iterator[dict[str, str]]:
    """Rows of a Tooling Bulk API 2.0 query, as CSV dicts (empty string for null)."""
    base = f"/services/data/v{client.api_version}/tooling/jobs/query"
    job = _json(client, "POST", base, {"operation": "query", "query": soql})
    job_id = job["id"]
    deadline = time.monotonic() + poll.timeout
    for delay in poll.delays():
        if job.get("state") == "JobComplete":
            break
        if job.get("state") in ("Failed", "Aborted"):
            raise BulkJobFailed("BULK_JOB_FAILED", f"Bulk query job {job_id} {job['state']}: {job.get('errorMessage', '')}")
        if time.monotonic() + delay > deadline:
            raise TransientError("BULK_JOB_TIMEOUT", f"Bulk query job {job_id} still {job.get('state')}")
        time.sleep(delay)
        job = _json(client, "GET", f"{base}/{job_id}")
    locator = ""
    while True:
        params = {"maxRecords": str(RESULT_PAGE), **({"locator": locator} if locator else {})}

        def build(token: str, params: dict[str, str] = params) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}", "Accept": "text/csv"}, "params": params}

        response = client.send("GET", f"{base}/{job_id}/results", build, expired=lambda r: r.status_code == 401)
        if response.status_code >= 300:
            raise client._rest_error(response)
        yield from csv.DictReader(io.StringIO(response.content.decode("utf-8")))
        locator = response.headers.get("Sforce-Locator", "null")
        if not locator or locator == "null":
            return


def all_dependencies(client: SalesforceClient, poll: Backoff) -> Iterator[Dependency]:
    """Every MetadataComponentDependency row of the org (Bulk API 2.0 caps a job at 100,000)."""
    soql = f"SELECT {_DEPENDENCY_FIELDS} FROM MetadataComponentDependency"  # noqa: S608  (constant)
    for row in query(client, soql, poll):
        yield _dependency({k: (v or None) for k, v in row.items()})
