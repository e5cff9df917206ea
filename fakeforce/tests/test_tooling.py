"""Tooling query: sandbox rows in production, dependencies truncated at 2,000, SourceMember (§3, §6.2)."""

from __future__ import annotations

from fakeforce import Emulator
from fakeforce.tests import flow


def test_production_lists_its_sandbox_with_15_char_org_id(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    uat15 = emu.org("uat").org_id[:15]
    resp = flow.query(tok, "SELECT Id, Status, SandboxName, SandboxInfoId, LicenseType, CreatedDate, CopyProgress, "
                           f"SandboxOrganization, SourceId, Description, EndDate FROM SandboxProcess WHERE "
                           f"SandboxOrganization = '{uat15}' ORDER BY CreatedDate DESC", tooling=True)
    body = resp.json()
    assert body["entityTypeName"] == "SandboxProcess" and body["queryLocator"] is None and body["size"] == 1
    rec = body["records"][0]
    assert rec["SandboxOrganization"] == uat15 and rec["SandboxName"] == "uat" and rec["Status"] == "Completed"
    assert rec["attributes"]["url"].startswith("/services/data/v62.0/tooling/sobjects/SandboxProcess/")
    info = flow.query(tok, "SELECT Id, SandboxName, LicenseType FROM SandboxInfo", tooling=True).json()
    assert info["records"][0]["SandboxName"] == "uat" and info["records"][0]["LicenseType"] == "DEVELOPER PRO"
    assert info["records"][0]["Id"].startswith("0GQ")


def test_sandbox_has_no_sandbox_rows(emu: Emulator) -> None:
    tok = flow.get_tokens(emu, "admin@acme.com.uat", base=emu.sandbox_login_url)
    assert flow.query(tok, "SELECT Id FROM SandboxProcess", tooling=True).json()["totalSize"] == 0


def test_dependencies_truncate_at_2000_without_next_page(emu: Emulator) -> None:
    rows = [{"from": f"ApexClass:C{i}", "to": "CustomField:Account.Tier__c"} for i in range(2100)]
    emu.set_dependencies("acme", rows)
    tok = flow.get_tokens(emu)
    body = flow.query(tok, "SELECT MetadataComponentId, MetadataComponentName, MetadataComponentType, "
                           "RefMetadataComponentId, RefMetadataComponentName, RefMetadataComponentType "
                           "FROM MetadataComponentDependency", tooling=True).json()
    assert body["done"] is True and len(body["records"]) == 2000 and "nextRecordsUrl" not in body
    rec = body["records"][0]
    assert rec["RefMetadataComponentName"] == "Tier" and rec["RefMetadataComponentType"] == "CustomField"
    assert rec["RefMetadataComponentId"].startswith("00N") and rec["MetadataComponentId"].startswith("01p")
    only = flow.query(tok, "SELECT MetadataComponentName FROM MetadataComponentDependency "
                           "WHERE MetadataComponentType = 'ApexClass' LIMIT 3", tooling=True).json()
    assert only["size"] == 3


def test_source_member_tracks_changes_in_tracked_sandbox() -> None:
    cfg = flow.config()
    cfg["orgs"][1]["source_tracking"] = True
    with Emulator.from_config(cfg) as emu:
        emu.add_component("uat", "ApexClass", "Foo", "public class Foo {}", by="Ada Admin")
        emu.delete_component("uat", "ApexClass", "Foo")
        tok = flow.get_tokens(emu, "admin@acme.com.uat", base=emu.sandbox_login_url)
        body = flow.query(tok, "SELECT MemberName, MemberType, IsNameObsolete, RevisionCounter FROM SourceMember "
                               "WHERE RevisionCounter > 0", tooling=True).json()
        assert [(r["MemberName"], r["IsNameObsolete"], r["RevisionCounter"]) for r in body["records"]] == [
            ("Foo", False, 1), ("Foo", True, 2)]
