"""Metadata SOAP: describeMetadata, listMetadata, readMetadata, faults (docs/salesforce-protocols.md §4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeforce import Emulator
from fakeforce.tests import flow
from tests.corpus import V4S

NS = flow.NS


@pytest.fixture
def vol() -> Iterator[Emulator]:
    with Emulator.from_config(flow.config(str(V4S))) as e:
        yield e


def test_describe_metadata(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    resp = flow.soap(tok, "<met:describeMetadata><met:asOfVersion>62.0</met:asOfVersion></met:describeMetadata>")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/xml")
    root = flow.xml(resp)
    objs = root.findall(".//m:describeMetadataResponse/m:result/m:metadataObjects", NS)
    by_name = {o.findtext("m:xmlName", namespaces=NS): o for o in objs}
    obj = by_name["CustomObject"]
    assert "CustomField" in [c.text for c in obj.findall("m:childXmlNames", NS)]
    assert obj.findtext("m:directoryName", namespaces=NS) == "objects"
    assert by_name["ApexClass"].findtext("m:metaFile", namespaces=NS) == "true"
    assert by_name["Report"].findtext("m:inFolder", namespaces=NS) == "true"
    assert by_name["LightningComponentBundle"].find("m:suffix", NS) is None
    assert root.findtext(".//m:testRequired", namespaces=NS) == "true"  # production


def _list(tok: dict, *queries: tuple[str, str | None]) -> list[dict[str, str]]:
    body = "".join(f"<met:queries>{f'<met:folder>{f}</met:folder>' if f else ''}<met:type>{t}</met:type></met:queries>"
                   for t, f in queries)
    resp = flow.soap(tok, f"<met:listMetadata>{body}<met:asOfVersion>62.0</met:asOfVersion></met:listMetadata>")
    assert resp.status_code == 200, resp.text
    return [{c.tag.split("}")[1]: c.text or "" for c in r}
            for r in flow.xml(resp).findall(".//m:listMetadataResponse/m:result", NS)]


def test_list_metadata_file_properties_and_children(vol: Emulator) -> None:
    tok = flow.get_tokens(vol)
    got = _list(tok, ("ApexClass", None), ("CustomField", None), ("ValidationRule", None))
    classes = [r for r in got if r["type"] == "ApexClass"]
    assert len(classes) == 71
    first = classes[0]
    assert list(first) == ["createdById", "createdByName", "createdDate", "fileName", "fullName", "id",
                           "lastModifiedById", "lastModifiedByName", "lastModifiedDate", "manageableState", "type"]
    assert first["fileName"] == f"classes/{first['fullName']}.cls" and first["id"].startswith("01p")
    assert first["lastModifiedByName"] == "Ada Admin" and first["lastModifiedDate"].endswith(".000Z")
    fields = [r for r in got if r["type"] == "CustomField"]
    assert len(fields) == 101
    campaign = next(r for r in fields if r["fullName"].startswith("Campaign."))
    assert campaign["fileName"] == "objects/Campaign.object"
    rule = next(r for r in got if r["fullName"] == "Volunteer_Hours__c.HoursRequiredOnCompletion")
    assert rule["type"] == "ValidationRule"


def test_list_metadata_folders(vol: Emulator) -> None:
    tok = flow.get_tokens(vol)
    folders = _list(tok, ("ReportFolder", "*"))
    assert [f["fullName"] for f in folders] == ["Volunteer_Reports"]
    reports = _list(tok, ("Report", "Volunteer_Reports"))
    assert len(reports) == 32 and all(r["fullName"].startswith("Volunteer_Reports/") for r in reports)
    assert reports[0]["fileName"].startswith("reports/Volunteer_Reports/") and reports[0]["fileName"].endswith(".report")


def test_list_metadata_empty_and_limits(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    resp = flow.soap(tok, "<met:listMetadata><met:queries><met:type>ApexClass</met:type></met:queries></met:listMetadata>")
    assert b"<listMetadataResponse/>" in resp.content
    four = "".join("<met:queries><met:type>ApexClass</met:type></met:queries>" for _ in range(4))
    too_many = flow.soap(tok, f"<met:listMetadata>{four}</met:listMetadata>")
    assert too_many.status_code == 500 and "Fault" in too_many.text


def test_invalid_session_fault(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    resp = flow.soap(tok, "<met:describeMetadata/>", session="00Dxx!bogus")
    assert resp.status_code == 500
    fault = flow.xml(resp).find(".//s:Fault", NS)
    assert fault is not None and fault.findtext("faultcode") == "sf:INVALID_SESSION_ID"
    assert fault.findtext("faultstring") == "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session"


def test_soap_url_suffix_and_unknown_operation(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    suffixed = dict(tok, instance_url=tok["instance_url"])
    resp = flow.soap(suffixed, "<met:describeMetadata/>", version=f"62.0/{emu.org('acme').org_id[:15]}")
    assert resp.status_code == 200
    unknown = flow.soap(tok, "<met:frobnicate/>")
    assert unknown.status_code == 500 and "soapenv:Client" in unknown.text


def test_api_disabled_org_faults(emu: Emulator) -> None:
    tok = flow.get_tokens(emu, "owner@tiny.com")
    resp = flow.soap(tok, "<met:describeMetadata/>")
    assert resp.status_code == 500 and "sf:API_DISABLED_FOR_ORG" in resp.text


def test_read_metadata_profile_and_field() -> None:
    cfg = flow.config(str(V4S / "unpackaged/config/dev"))
    with Emulator.from_config(cfg) as emu:
        tok = flow.get_tokens(emu)
        listed = _list(tok, ("Profile", None))
        assert listed, "the dev bundle holds a profile"
        name = listed[0]["fullName"]
        resp = flow.soap(tok, f"<met:readMetadata><met:type>Profile</met:type><met:fullNames>{name}</met:fullNames>"
                              "</met:readMetadata>")
        rec = flow.xml(resp).find(".//m:readMetadataResponse/m:result/m:records", NS)
        assert rec is not None
        assert rec.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "Profile"
        assert rec.findtext("m:fullName", namespaces=NS) == name
        assert len(rec) > 1
