"""REST: versions, SOQL subset, paging, errors, limits, token/host binding (docs/salesforce-protocols.md §2, §3)."""

from __future__ import annotations

from typing import Any

import requests

from fakeforce import Emulator
from fakeforce.tests import flow


def test_versions_are_public_and_have_no_limit_header(emu: Emulator) -> None:
    resp = requests.get(f"{emu.org('acme').instance_url}/services/data/")
    assert resp.status_code == 200
    assert {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"} in resp.json()
    assert "Sforce-Limit-Info" not in resp.headers


def test_organization_query(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    resp = flow.query(tok, "SELECT Id, Name, IsSandbox, OrganizationType, InstanceName, NamespacePrefix, "
                           "TrialExpirationDate FROM Organization")
    assert resp.status_code == 200
    assert resp.headers["Sforce-Limit-Info"].startswith("api-usage=")
    body = resp.json()
    assert body["totalSize"] == 1 and body["done"] is True
    rec = body["records"][0]
    assert rec["attributes"] == {"type": "Organization",
                                 "url": f"/services/data/v62.0/sobjects/Organization/{emu.org('acme').org_id}"}
    assert rec["Id"] == emu.org("acme").org_id and len(rec["Id"]) == 18
    assert rec["IsSandbox"] is False and rec["OrganizationType"] == "Enterprise Edition"
    assert rec["NamespacePrefix"] is None and rec["TrialExpirationDate"] is None


def test_sandbox_reports_parent_edition_and_is_sandbox(emu: Emulator) -> None:
    tok = flow.get_tokens(emu, "admin@acme.com.uat", base=emu.sandbox_login_url)
    rec = flow.query(tok, "SELECT IsSandbox, OrganizationType, Name FROM Organization").json()["records"][0]
    assert rec["IsSandbox"] is True and rec["OrganizationType"] == "Enterprise Edition" and rec["Name"] == "Acme Corp"


def test_user_where_in_and_limit(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    body = flow.query(tok, "SELECT Id, Username FROM User WHERE Username IN ('ADMIN@acme.com', 'x@y') LIMIT 5").json()
    assert [r["Username"] for r in body["records"]] == ["admin@acme.com"]
    user_id = tok["id"].rsplit("/", 1)[1]
    by_id15 = flow.query(tok, f"SELECT Username FROM User WHERE Id = '{user_id[:15]}'").json()
    assert by_id15["totalSize"] == 1


def test_user_permission_access(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    rec = flow.query(tok, "SELECT PermissionsApiEnabled, PermissionsModifyAllData, PermissionsModifyMetadata, "
                          "PermissionsAuthorApex FROM UserPermissionAccess").json()["records"][0]
    assert rec["PermissionsApiEnabled"] is True and rec["PermissionsModifyMetadata"] is True


def test_user_without_api_and_edition_without_api(emu: Emulator) -> None:
    noapi = flow.get_tokens(emu, "noapi@acme.com")
    resp = flow.query(noapi, "SELECT Id FROM Organization")
    assert resp.status_code == 403 and resp.json()[0]["errorCode"] == "API_CURRENTLY_DISABLED"
    tiny = flow.get_tokens(emu, "owner@tiny.com")
    resp = flow.query(tiny, "SELECT Id FROM Organization")
    assert resp.status_code == 403 and resp.json()[0]["errorCode"] == "API_DISABLED_FOR_ORG"


def test_query_errors(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    malformed = flow.query(tok, "SELEC Id FROM Organization")
    assert malformed.status_code == 400 and malformed.json()[0]["errorCode"] == "MALFORMED_QUERY"
    field = flow.query(tok, "SELECT Nope FROM Organization")
    assert field.json()[0]["errorCode"] == "INVALID_FIELD"
    tooling_only = flow.query(tok, "SELECT Id FROM MetadataComponentDependency")
    assert tooling_only.status_code == 400
    assert tooling_only.json() == [{"message": tooling_only.json()[0]["message"], "errorCode": "INVALID_TYPE"}]
    assert "sObject type 'MetadataComponentDependency' is not supported" in tooling_only.json()[0]["message"]
    assert flow.rest(tok, "/services/data/v12.0/limits").status_code == 404


def test_invalid_session_and_wrong_host(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    junk = dict(tok, access_token="00D5g000004XyZa!junk")
    resp = flow.query(junk, "SELECT Id FROM Organization")
    assert resp.status_code == 401
    assert resp.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    other_host = dict(tok, instance_url=emu.org("uat").instance_url)
    assert flow.query(other_host, "SELECT Id FROM Organization").status_code == 401
    no_header = requests.get(f"{tok['instance_url']}/services/data/v62.0/limits")
    assert no_header.status_code == 401


def _all_pages(tok: dict[str, Any], first: requests.Response) -> list[dict[str, Any]]:
    body = first.json()
    rows = list(body["records"])
    while not body["done"]:
        body = flow.rest(tok, body["nextRecordsUrl"]).json()
        rows += body["records"]
    return rows


def test_paging_returns_every_row_once() -> None:
    cfg = flow.config(query_batch_size=3)
    cfg["orgs"][0]["users"] += [{"username": f"u{i}@acme.com", "password": "pw", "name": f"User {i}"}
                                for i in range(10)]
    with Emulator.from_config(cfg) as emu:
        tok = flow.get_tokens(emu)
        first = flow.query(tok, "SELECT Id, Username FROM User ORDER BY Username")
        body = first.json()
        assert body["totalSize"] == 12 and body["done"] is False and len(body["records"]) == 3
        assert body["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
        rows = _all_pages(tok, first)
        assert len(rows) == 12 and len({r["Id"] for r in rows}) == 12
        assert [r["Username"] for r in rows] == sorted(r["Username"] for r in rows)


def test_limits_and_usage_header(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    before = emu.api_calls("acme")
    limits = flow.rest(tok, "/services/data/v62.0/limits")
    assert limits.json()["DailyApiRequests"]["Max"] == 15000
    assert limits.json()["DailyApiRequests"]["Remaining"] == 15000 - before - 1
    assert limits.headers["Sforce-Limit-Info"] == f"api-usage={before + 1}/15000"
    assert emu.api_calls("acme") == before + 1 and emu.api_calls() >= before + 1


def test_daily_limit_exhausted() -> None:
    cfg = flow.config(daily_api_limit=2)
    with Emulator.from_config(cfg) as emu:
        tok = flow.get_tokens(emu)
        assert flow.rest(tok, "/services/data/v62.0/limits").status_code == 200
        assert flow.rest(tok, "/services/data/v62.0/limits").status_code == 200
        third = flow.rest(tok, "/services/data/v62.0/limits")
        assert third.status_code == 403 and third.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
