"""retrieve + checkRetrieveStatus: real zips in Metadata API format (docs/salesforce-protocols.md §4.4, §5)."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fakeforce import Emulator
from fakeforce.tests import flow
from fakeforce.tests.sfdx_sample import make_project
from tests.corpus import DREAMHOUSE, V4S

NS = flow.NS


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator.from_config(flow.config(str(make_project(tmp_path)))) as e:
        yield e


def retrieve_body(types: list[tuple[str, list[str]]], single: bool = False, specific: list[str] | None = None) -> str:
    t = "".join("<met:types>" + "".join(f"<met:members>{m}</met:members>" for m in members)
                + f"<met:name>{n}</met:name></met:types>" for n, members in types)
    extra = "".join(f"<met:specificFiles>{f}</met:specificFiles>" for f in specific or [])
    return (f"<met:retrieve><met:retrieveRequest><met:apiVersion>62.0</met:apiVersion>"
            f"<met:singlePackage>{'true' if single else 'false'}</met:singlePackage>{extra}"
            f"<met:unpackaged>{t}<met:version>62.0</met:version></met:unpackaged></met:retrieveRequest></met:retrieve>")


def start(tok: dict[str, Any], body: str) -> str:
    resp = flow.soap(tok, body)
    assert resp.status_code == 200, resp.text
    result = flow.xml(resp).find(".//m:retrieveResponse/m:result", NS)
    assert result is not None and result.findtext("m:done", namespaces=NS) == "false"
    assert result.findtext("m:state", namespaces=NS) == "Queued"
    job_id = result.findtext("m:id", namespaces=NS) or ""
    assert job_id.startswith("09S") and len(job_id) == 18
    return job_id


def check(tok: dict[str, Any], job_id: str, include_zip: bool = True) -> etree._Element:
    body = (f"<met:checkRetrieveStatus><met:asyncProcessId>{job_id}</met:asyncProcessId>"
            f"<met:includeZip>{'true' if include_zip else 'false'}</met:includeZip></met:checkRetrieveStatus>")
    resp = flow.soap(tok, body)
    assert resp.status_code == 200, resp.text
    result = flow.xml(resp).find(".//m:checkRetrieveStatusResponse/m:result", NS)
    assert result is not None
    return result


def finish(tok: dict[str, Any], job_id: str) -> etree._Element:
    for _ in range(20):
        result = check(tok, job_id)
        if result.findtext("m:done", namespaces=NS) == "true":
            return result
    raise AssertionError("retrieve never finished")


def unzip(result: etree._Element) -> dict[str, bytes]:
    data = base64.b64decode(result.findtext("m:zipFile", namespaces=NS) or "")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def retrieve(emu: Emulator, types: list[tuple[str, list[str]]], single: bool = False) -> tuple[etree._Element, dict]:
    tok = flow.get_tokens(emu)
    result = finish(tok, start(tok, retrieve_body(types, single)))
    return result, unzip(result)


def test_poll_in_progress_then_succeeded_with_zip(sample: Emulator) -> None:
    tok = flow.get_tokens(sample)
    job = start(tok, retrieve_body([("ApexClass", ["*"])]))
    first = check(tok, job)
    assert first.findtext("m:done", namespaces=NS) == "false"
    assert first.findtext("m:status", namespaces=NS) == "InProgress"
    assert first.find("m:zipFile", NS).get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    done = check(tok, job)
    assert done.findtext("m:status", namespaces=NS) == "Succeeded" and done.findtext("m:success", namespaces=NS) == "true"
    files = unzip(done)
    assert sorted(files) == ["unpackaged/classes/AccountService.cls", "unpackaged/classes/AccountService.cls-meta.xml",
                             "unpackaged/package.xml"]
    assert files["unpackaged/classes/AccountService.cls"] == b"public with sharing class AccountService {}\n"


def test_include_zip_consumes_the_zip(sample: Emulator) -> None:
    tok = flow.get_tokens(sample)
    job = start(tok, retrieve_body([("ApexClass", ["*"])]))
    check(tok, job)
    peek = check(tok, job, include_zip=False)
    assert peek.findtext("m:done", namespaces=NS) == "true" and peek.find("m:fileProperties", NS) is not None
    assert unzip(check(tok, job))
    gone = flow.soap(tok, f"<met:checkRetrieveStatus><met:asyncProcessId>{job}</met:asyncProcessId>"
                          "<met:includeZip>true</met:includeZip></met:checkRetrieveStatus>")
    assert gone.status_code == 500 and "INVALID_ID_FIELD" in gone.text


def test_zip_lists_what_package_xml_asked(sample: Emulator) -> None:
    result, files = retrieve(sample, [("CustomObject", ["Invoice__c"]), ("Layout", ["*"]),
                                      ("LightningComponentBundle", ["*"]), ("StaticResource", ["*"]),
                                      ("Report", ["Sales", "Sales/Pipeline"]), ("CustomLabels", ["CustomLabels"])],
                             single=True)
    assert sorted(files) == [
        "labels/CustomLabels.labels", "layouts/Invoice__c-Invoice Layout.layout",
        "lwc/invoiceCard/invoiceCard.html", "lwc/invoiceCard/invoiceCard.js", "lwc/invoiceCard/invoiceCard.js-meta.xml",
        "objects/Invoice__c.object", "package.xml", "reports/Sales-meta.xml", "reports/Sales/Pipeline.report",
        "staticresources/bundle.resource", "staticresources/bundle.resource-meta.xml",
        "staticresources/data.resource", "staticresources/data.resource-meta.xml",
    ]
    obj = etree.fromstring(files["objects/Invoice__c.object"])
    assert [f.findtext("m:fullName", namespaces=NS) for f in obj.findall("m:fields", NS)] == ["Amount__c"]
    assert obj.find("m:validationRules/m:errorConditionFormula", NS).text == "Amount__c < 0"
    assert obj.findtext("m:label", namespaces=NS) == "Invoice"
    with zipfile.ZipFile(io.BytesIO(files["staticresources/bundle.resource"])) as inner:
        assert inner.namelist() == ["js/app.js"]
    assert files["staticresources/data.resource"] == b'{"a": 1}\n'
    package = etree.fromstring(files["package.xml"])
    assert [t.findtext("m:name", namespaces=NS) for t in package.findall("m:types", NS)][0] == "CustomObject"
    assert package.findtext("m:version", namespaces=NS) == "62.0"
    props = {(p.findtext("m:type", namespaces=NS), p.findtext("m:fullName", namespaces=NS)):
             p.findtext("m:fileName", namespaces=NS) for p in result.findall("m:fileProperties", NS)}
    assert props[("CustomObject", "Invoice__c")] == "objects/Invoice__c.object"
    assert props[("Package", "package.xml")] == "package.xml"
    assert props[("ReportFolder", "Sales")] == "reports/Sales"
    assert props[("Report", "Sales/Pipeline")] == "reports/Sales/Pipeline.report"


def test_child_members_and_missing_members(sample: Emulator) -> None:
    result, files = retrieve(sample, [("CustomField", ["Account.Tier__c", "Account.Old__c"]),
                                      ("CustomLabel", ["Greeting"])])
    account = etree.fromstring(files["unpackaged/objects/Account.object"])
    assert [f.findtext("m:fullName", namespaces=NS) for f in account] == ["Tier__c"]
    labels = etree.fromstring(files["unpackaged/labels/CustomLabels.labels"])
    assert [f.findtext("m:fullName", namespaces=NS) for f in labels] == ["Greeting"]
    messages = [(m.findtext("m:fileName", namespaces=NS), m.findtext("m:problem", namespaces=NS))
                for m in result.findall("m:messages", NS)]
    assert messages == [("unpackaged/package.xml",
                         "Entity of type 'CustomField' named 'Account.Old__c' cannot be found")]
    assert result.findtext("m:status", namespaces=NS) == "Succeeded"


def test_wildcards_skip_standard_objects_and_in_folder_types(sample: Emulator) -> None:
    _, files = retrieve(sample, [("CustomObject", ["*"]), ("Report", ["*"])], single=True)
    assert "objects/Invoice__c.object" in files and "objects/Account.object" not in files
    assert not any(n.startswith("reports/") for n in files)


def test_zips_are_deterministic(sample: Emulator) -> None:
    tok = flow.get_tokens(sample)
    zips = []
    for _ in range(2):
        result = finish(tok, start(tok, retrieve_body([("ApexClass", ["*"]), ("CustomObject", ["*"])])))
        zips.append(base64.b64decode(result.findtext("m:zipFile", namespaces=NS) or ""))
    assert zips[0] == zips[1]
    with zipfile.ZipFile(io.BytesIO(zips[0])) as zf:
        assert zf.namelist() == sorted(zf.namelist())
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_specific_files(sample: Emulator) -> None:
    tok = flow.get_tokens(sample)
    result = finish(tok, start(tok, retrieve_body([], single=True, specific=["layouts/Invoice__c-Invoice Layout.layout"])))
    assert "layouts/Invoice__c-Invoice Layout.layout" in unzip(result)


def test_too_many_files_fails_with_limit_exceeded(tmp_path: Path) -> None:
    with Emulator.from_config(flow.config(str(make_project(tmp_path)), max_retrieve_files=3)) as emu:
        tok = flow.get_tokens(emu)
        result = finish(tok, start(tok, retrieve_body([("LightningComponentBundle", ["*"])])))
        assert result.findtext("m:status", namespaces=NS) == "Failed"
        assert result.findtext("m:success", namespaces=NS) == "false"
        assert result.findtext("m:errorStatusCode", namespaces=NS) == "LIMIT_EXCEEDED"
        assert result.findtext("m:errorMessage", namespaces=NS) == "LIMIT_EXCEEDED: Too many files in retrieve call, limit is: 3"


def test_dreamhouse_sfdx_corpus_converts_to_mdapi() -> None:
    with Emulator.from_config(flow.config(str(DREAMHOUSE))) as emu:
        _, files = retrieve(emu, [("CustomObject", ["*"]), ("ApexClass", ["*"]), ("Flow", ["*"]),
                                  ("LightningComponentBundle", ["*"]), ("CustomField", ["*"])], single=True)
        assert {"objects/Property__c.object", "objects/Broker__c.object", "flows/Create_property.flow",
                "classes/PropertyController.cls", "classes/PropertyController.cls-meta.xml"} <= set(files)
        assert not any(n.endswith("-meta.xml") and n.startswith(("objects/", "flows/")) for n in files)
        prop = etree.fromstring(files["objects/Property__c.object"])
        assert len(prop.findall("m:fields", NS)) == 25  # every fields/*.field-meta.xml recomposed
        assert len(prop.findall("m:listViews", NS)) == 1 and len(prop.findall("m:compactLayouts", NS)) == 1
        assert len([n for n in files if n.startswith("lwc/") and n.endswith(".js-meta.xml")]) == 17


def test_volunteers_mdapi_corpus_round_trips_unchanged() -> None:
    root = V4S
    with Emulator.from_config(flow.config(str(root))) as emu:
        _, files = retrieve(emu, [("CustomObject", ["Volunteer_Job__c", "Campaign"]), ("Workflow", ["*"]),
                                  ("Report", ["Volunteer_Reports", "Volunteer_Reports/Volunteer_Roster"])], single=True)
        src = root / "src"
        for name in ("objects/Volunteer_Job__c.object", "objects/Campaign.object", "workflows/Volunteer_Hours__c.workflow",
                     "reports/Volunteer_Reports-meta.xml", "reports/Volunteer_Reports/Volunteer_Roster.report"):
            assert files[name] == (src / name).read_bytes(), name
        assert len([n for n in files if n.startswith("workflows/")]) == 8
