"""Bulk API 2.0 query jobs on the Tooling path: the way past the 2,000-row dependency cap (§3.2)."""

from __future__ import annotations

import csv
import io

import requests

from fakeforce import Emulator
from fakeforce.tests import flow

JOBS = "/services/data/v62.0/tooling/jobs/query"
SOQL = ("SELECT MetadataComponentId, MetadataComponentName, MetadataComponentType, RefMetadataComponentName, "
        "RefMetadataComponentType FROM MetadataComponentDependency")


def _auth(tok: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok['access_token']}"}


def test_job_lifecycle_and_paged_csv(emu: Emulator) -> None:
    emu.set_dependencies("acme", [{"from": f"ApexClass:C{i}", "to": "CustomObject:Invoice__c"} for i in range(2500)])
    tok = flow.get_tokens(emu)
    base = tok["instance_url"] + JOBS
    job = requests.post(base, json={"operation": "query", "query": SOQL}, headers=_auth(tok)).json()
    assert job["id"].startswith("750") and job["state"] == "UploadComplete"
    assert job["object"] == "MetadataComponentDependency"
    states = [requests.get(f"{base}/{job['id']}", headers=_auth(tok)).json()["state"] for _ in range(2)]
    assert states == ["InProgress", "JobComplete"]
    rows: list[dict[str, str]] = []
    locator = ""
    while True:
        resp = requests.get(f"{base}/{job['id']}/results", params={"locator": locator, "maxRecords": 1000},
                            headers=_auth(tok))
        assert resp.headers["Content-Type"].startswith("text/csv")
        page = list(csv.DictReader(io.StringIO(resp.text)))
        assert int(resp.headers["Sforce-NumberOfRecords"]) == len(page)
        rows += page
        locator = resp.headers["Sforce-Locator"]
        if locator == "null":
            break
    assert len(rows) == 2500 and rows[0]["RefMetadataComponentName"] == "Invoice"
    assert requests.delete(f"{base}/{job['id']}", headers=_auth(tok)).status_code == 204


def test_failed_bulk_job_fault(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind="failed_bulk_job")
    base = tok["instance_url"] + JOBS
    job = requests.post(base, json={"operation": "query", "query": SOQL}, headers=_auth(tok)).json()
    for _ in range(3):
        state = requests.get(f"{base}/{job['id']}", headers=_auth(tok)).json()
    assert state["state"] == "Failed" and state["errorMessage"]
