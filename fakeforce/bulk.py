"""Bulk API 2.0 query jobs on the Tooling path (docs/salesforce-protocols.md §3.2): up to 100,000 rows as CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from . import gate, ids, soql
from .handler import Request, Response, json_response, rest_error

if TYPE_CHECKING:
    from .emulator import Emulator

BULK_ROW_LIMIT = 100_000


def handle(emu: Emulator, req: Request, caller: gate.Caller, version: str, tail: str,
           rows_for: Any) -> Response:
    """`tail` is what follows tooling/jobs/query."""
    parts = [p for p in tail.split("/") if p]
    if not parts and req.method == "POST":
        return _create(emu, req, caller, version, rows_for)
    job = emu.bulk_jobs.get(parts[0]) if parts else None
    if job is None or job["_org"] != caller.org.key:
        return rest_error(404, "NOT_FOUND", "The requested resource does not exist")
    if len(parts) == 2 and parts[1] == "results":
        return _results(job, req)
    if req.method == "PATCH":
        job["state"] = json.loads(req.body or b"{}").get("state", job["state"])
        return json_response(_public(job))
    if req.method == "DELETE":
        emu.bulk_jobs.pop(parts[0], None)
        return Response(204, b"", "text/plain")
    if job["state"] in ("UploadComplete", "InProgress") and job["_polls"] > 0:
        job["_polls"] -= 1
        job["state"] = "InProgress"
    elif job["state"] in ("UploadComplete", "InProgress"):
        job["state"] = "Failed" if job["_fail"] else "JobComplete"
        job["numberRecordsProcessed"] = 0 if job["_fail"] else len(job["_rows"])
        if job["_fail"]:
            job["errorMessage"] = job["_fail"]
    return json_response(_public(job))


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if not k.startswith("_")}


def _create(emu: Emulator, req: Request, caller: gate.Caller, version: str, rows_for: Any) -> Response:
    body = req.json()
    if body.get("operation") not in ("query", "queryAll"):
        return rest_error(400, "INVALIDJOB", "Invalid operation")
    try:
        q = soql.parse(body.get("query", ""))
        entity, fields, rows = rows_for(q.sobject.lower())
        result = soql.execute(q, rows, fields)[:BULK_ROW_LIMIT]
    except soql.SoqlError as exc:
        return rest_error(400, exc.code, exc.message)
    except KeyError:
        return rest_error(400, "INVALID_TYPE", f"sObject type '{body.get('query')}' is not supported.")
    fail = emu.take_fault(caller.org.key, {"failed_bulk_job"})
    job_id = ids.random_id("750")
    job = {
        "id": job_id, "operation": body["operation"], "object": entity, "createdById": caller.user.id,
        "createdDate": emu.now_sf(), "systemModstamp": emu.now_sf(), "state": "UploadComplete",
        "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": float(version), "lineEnding": "LF",
        "columnDelimiter": "COMMA", "_org": caller.org.key, "_rows": result, "_fields": q.fields,
        "_polls": emu.settings.retrieve_polls,
        "_fail": str(fail.opts.get("message", "InternalServerError: job failed")) if fail else None,
    }
    emu.bulk_jobs[job_id] = job
    return json_response(_public(job))


def _results(job: dict[str, Any], req: Request) -> Response:
    if job["state"] != "JobComplete":
        return rest_error(400, "INVALIDJOBSTATE", "Job is not in JobComplete state")
    start = int(req.query.get("locator") or 0)
    size = int(req.query.get("maxRecords") or 50_000)
    chunk = job["_rows"][start : start + size]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    fields = [next((k for k in (chunk[0] if chunk else {}) if k.lower() == f.lower()), f) for f in job["_fields"]]
    writer.writerow(fields)
    for row in chunk:
        writer.writerow([_csv_value(row.get(f)) for f in fields])
    done = start + size >= len(job["_rows"])
    headers = {"Sforce-NumberOfRecords": str(len(chunk)), "Sforce-Locator": "null" if done else str(start + size)}
    return Response(200, buf.getvalue().encode(), "text/csv", headers)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
