"""SOQL on Folder, Report, Dashboard and EmailTemplate, served from the org's metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fakeforce import Emulator
from fakeforce.tests import flow

FOLDER = ('<?xml version="1.0" encoding="UTF-8"?><ReportFolder xmlns="http://soap.sforce.com/2006/04/metadata">'
          "<accessType>Public</accessType><name>Sales Reports</name></ReportFolder>")


def report(name: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><Report xmlns="http://soap.sforce.com/2006/04/metadata">'
            f"<format>Summary</format><name>{name}</name><reportType>Opportunity</reportType></Report>")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator.from_config(flow.config()) as e:
        e.add_component("acme", "ReportFolder", "Sales", FOLDER, by="Ada Admin")
        for n in range(5):
            e.add_component("acme", "Report", f"Sales/Pipeline_{n}", report(f"Pipeline {n}"), by="Ada Admin")
        e.add_component("acme", "Report", "unfiled$public/Loose", report("Loose"), by="Ada Admin")
        yield e


def test_folders_answer_with_their_type_and_developer_name(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    body = flow.query(tok, "SELECT Id, DeveloperName, Name, Type, ParentId, NamespacePrefix FROM Folder "
                           "WHERE Type = 'Report'").json()
    assert body["totalSize"] == 1
    row = body["records"][0]
    assert (row["DeveloperName"], row["Name"], row["Type"], row["ParentId"]) == ("Sales", "Sales Reports", "Report", None)
    assert row["Id"].startswith("00l") and row["attributes"]["type"] == "Folder"


def test_reports_name_their_folder_by_owner_id_and_unfiled_ones_the_org(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    folder_id = flow.query(tok, "SELECT Id FROM Folder").json()["records"][0]["Id"]
    rows = flow.query(tok, "SELECT Id, DeveloperName, OwnerId, FolderName, Format, LastModifiedDate, "
                           "LastModifiedBy.Name FROM Report ORDER BY DeveloperName").json()["records"]
    assert [r["DeveloperName"] for r in rows] == ["Loose", *(f"Pipeline_{n}" for n in range(5))]
    assert rows[0]["OwnerId"] == emu.org("acme").org_id and rows[1]["OwnerId"] == folder_id
    assert rows[1]["FolderName"] == "Sales Reports" and rows[1]["Format"] == "Summary"
    assert rows[1]["LastModifiedBy"]["Name"] == "Ada Admin" and rows[1]["LastModifiedBy"]["attributes"]["type"] == "User"
    assert rows[1]["LastModifiedDate"].endswith("+0000")


def test_count_and_datetime_filter_find_what_changed_since(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    assert flow.query(tok, "SELECT COUNT() FROM Report").json() == {"totalSize": 6, "done": True, "records": []}
    latest = flow.query(tok, "SELECT LastModifiedDate FROM Report ORDER BY LastModifiedDate DESC LIMIT 1").json()
    since = latest["records"][0]["LastModifiedDate"]
    assert flow.query(tok, f"SELECT Id FROM Report WHERE LastModifiedDate > {since}").json()["totalSize"] == 0
    emu.modify_component("acme", "Report", "Sales/Pipeline_2", report("Pipeline two"), by="Ada Admin")
    changed = flow.query(tok, f"SELECT DeveloperName, Name FROM Report WHERE LastModifiedDate > {since}").json()
    assert [(r["DeveloperName"], r["Name"]) for r in changed["records"]] == [("Pipeline_2", "Pipeline two")]
    iso_z = since.replace(".000+0000", "Z")
    assert flow.query(tok, f"SELECT Id FROM Report WHERE LastModifiedDate >= {iso_z}").json()["totalSize"] >= 1


def test_reports_page_with_next_records_url(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    first = flow.query(tok, "SELECT Id FROM Report", ).json()
    assert first["done"] is True  # 6 rows fit one page; paging itself is shared with every object
    resp = flow.rest(tok, "/services/data/v62.0/query", params={"q": "SELECT Id, DeveloperName FROM Report"},
                     headers={"Sforce-Query-Options": "batchSize=200"})
    assert resp.json()["totalSize"] == 6


def test_unknown_fields_and_aggregates_are_refused_like_salesforce(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    bad: Any = flow.query(tok, "SELECT Id, FolderDeveloperName FROM Report")
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"
    agg = flow.query(tok, "SELECT MAX(LastModifiedDate) FROM Report")
    assert agg.status_code == 400 and agg.json()[0]["errorCode"] == "MALFORMED_QUERY"
