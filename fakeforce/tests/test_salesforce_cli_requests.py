"""Requests the Salesforce CLI (sf, through jsforce) makes, answered as Salesforce does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeforce import Emulator
from fakeforce.tests import flow
from fakeforce.tests.test_soap_retrieve import NS, finish, start, unzip

FOLDER = ('<?xml version="1.0" encoding="UTF-8"?><ReportFolder xmlns="http://soap.sforce.com/2006/04/metadata">'
          "<accessType>Public</accessType><name>Sales</name></ReportFolder>")
REPORT = ('<?xml version="1.0" encoding="UTF-8"?><Report xmlns="http://soap.sforce.com/2006/04/metadata">'
          "<format>Tabular</format><name>Pipeline</name></Report>")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator.from_config(flow.config(api_versions=["51.0", "62.0"])) as e:
        e.add_component("acme", "ReportFolder", "Sales", FOLDER)
        e.add_component("acme", "Report", "Sales/Pipeline", REPORT)
        yield e


def test_login_reads_the_user_record_by_id(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    user_id = tok["id"].rsplit("/", 1)[1]
    resp = flow.rest(tok, f"/services/data/v51.0/sobjects/User/{user_id}")
    assert resp.status_code == 200
    assert resp.json()["Username"] == "admin@acme.com" and resp.json()["attributes"]["type"] == "User"
    some = flow.rest(tok, f"/services/data/v51.0/sobjects/User/{user_id}", params={"fields": "Id,Email"}).json()
    assert set(some) == {"attributes", "Id", "Email"}
    missing = flow.rest(tok, "/services/data/v51.0/sobjects/User/005000000000000AAA")
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"


def test_retrieve_takes_its_request_as_jsforce_names_it_and_folders_with_a_slash(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    body = ("<met:retrieve><met:request><met:apiVersion>62.0</met:apiVersion><met:unpackaged><met:types>"
            "<met:members>Sales/</met:members><met:members>Sales/Pipeline</met:members><met:name>Report</met:name>"
            "</met:types><met:version>62.0</met:version></met:unpackaged></met:request></met:retrieve>")
    result = finish(tok, start(tok, body))
    assert result.findtext("m:status", namespaces=NS) == "Succeeded"
    files = unzip(result)
    assert {"unpackaged/reports/Sales-meta.xml", "unpackaged/reports/Sales/Pipeline.report"} <= set(files)
    assert not result.findall("m:messages", NS)
