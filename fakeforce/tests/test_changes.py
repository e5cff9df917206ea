"""Changes between syncs: FileProperties dates and authors, child components, sandbox refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from fakeforce import Emulator
from fakeforce.tests import flow
from fakeforce.tests.sfdx_sample import make_project
from fakeforce.tests.test_soap_metadata import _list
from fakeforce.tests.test_soap_retrieve import retrieve

NS = flow.NS


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator.from_config(flow.config(str(make_project(tmp_path)))) as e:
        e.clock = lambda: datetime(2025, 3, 1, 12, 30, 0, 123000, tzinfo=UTC)
        yield e


def _props(emu: Emulator, type_name: str) -> dict[str, dict[str, str]]:
    return {r["fullName"]: r for r in _list(flow.get_tokens(emu), (type_name, None))}


def test_add_component_shows_in_list_and_retrieve(sample: Emulator) -> None:
    sample.add_component("acme", "ApexClass", "NewThing", "public class NewThing {}", by="Jane Admin")
    row = _props(sample, "ApexClass")["NewThing"]
    assert row["lastModifiedDate"] == "2025-03-01T12:30:00.123Z" and row["lastModifiedByName"] == "Jane Admin"
    assert row["createdByName"] == "Jane Admin"
    _, files = retrieve(sample, [("ApexClass", ["NewThing"])], single=True)
    assert files["classes/NewThing.cls"] == b"public class NewThing {}"
    assert b"<apiVersion>" in files["classes/NewThing.cls-meta.xml"]


def test_modify_component_keeps_created_and_bumps_modified(sample: Emulator) -> None:
    before = _props(sample, "Layout")["Invoice__c-Invoice Layout"]
    sample.modify_component("acme", "Layout", "Invoice__c-Invoice Layout",
                            '<Layout xmlns="http://soap.sforce.com/2006/04/metadata"><layoutSections><label>New'
                            "</label></layoutSections></Layout>", by="Ada Admin")
    after = _props(sample, "Layout")["Invoice__c-Invoice Layout"]
    assert after["createdDate"] == before["createdDate"] and after["id"] == before["id"]
    assert after["lastModifiedDate"] == "2025-03-01T12:30:00.123Z" and after["lastModifiedByName"] == "Ada Admin"
    assert after["lastModifiedById"] == flow.get_tokens(sample)["id"].rsplit("/", 1)[1]
    with pytest.raises(KeyError):
        sample.modify_component("acme", "Layout", "Nope", "<Layout/>")


def test_child_field_add_modify_delete(sample: Emulator) -> None:
    field = ('<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>Due__c</fullName>'
             "<label>Due</label><type>Date</type></CustomField>")
    sample.add_component("acme", "CustomField", "Invoice__c.Due__c", field, by="Jane Admin")
    fields = _props(sample, "CustomField")
    assert fields["Invoice__c.Due__c"]["fileName"] == "objects/Invoice__c.object"
    assert fields["Invoice__c.Due__c"]["lastModifiedByName"] == "Jane Admin"
    _, files = retrieve(sample, [("CustomObject", ["Invoice__c"])], single=True)
    obj = etree.fromstring(files["objects/Invoice__c.object"])
    assert [f.findtext("m:fullName", namespaces=NS) for f in obj.findall("m:fields", NS)] == ["Amount__c", "Due__c"]
    sample.delete_component("acme", "CustomField", "Invoice__c.Amount__c")
    assert "Invoice__c.Amount__c" not in _props(sample, "CustomField")
    result, _ = retrieve(sample, [("CustomField", ["Invoice__c.Amount__c"])])
    assert "cannot be found" in result.findtext("m:messages/m:problem", namespaces=NS)


def test_delete_top_level_component(sample: Emulator) -> None:
    sample.delete_component("acme", "ApexClass", "AccountService")
    assert "AccountService" not in _props(sample, "ApexClass")


def test_lwc_bundle_added_as_files(sample: Emulator) -> None:
    sample.add_component("acme", "LightningComponentBundle", "hello", {
        "hello.js": "export default class Hello {}", "hello.js-meta.xml": "<LightningComponentBundle/>"})
    _, files = retrieve(sample, [("LightningComponentBundle", ["hello"])], single=True)
    assert sorted(files) == ["lwc/hello/hello.js", "lwc/hello/hello.js-meta.xml", "package.xml"]


def test_sandbox_starts_as_copy_and_diverges(sample: Emulator) -> None:
    assert "AccountService" in _props(sample, "ApexClass")
    sample.add_component("uat", "ApexClass", "SandboxOnly", "public class SandboxOnly {}")
    uat_tok = flow.get_tokens(sample, "admin@acme.com.uat", base=sample.sandbox_login_url)
    uat_classes = {r["fullName"]: r for r in _list(uat_tok, ("ApexClass", None))}
    assert "SandboxOnly" in uat_classes and "SandboxOnly" not in _props(sample, "ApexClass")
    # record and metadata IDs copied from production keep the same IDs
    assert uat_classes["AccountService"]["id"] == _props(sample, "ApexClass")["AccountService"]["id"]


def test_refresh_sandbox_new_org_id_same_host_old_tokens_dead(sample: Emulator) -> None:
    old = sample.org("uat")
    tok = flow.get_tokens(sample, "admin@acme.com.uat", base=sample.sandbox_login_url)
    sample.add_component("uat", "ApexClass", "SandboxOnly", "public class SandboxOnly {}")
    new_id = sample.refresh_sandbox("uat")
    new = sample.org("uat")
    assert new.org_id == new_id != old.org_id and len(new_id) == 18
    assert new.my_domain == old.my_domain and new.instance_url == old.instance_url
    assert flow.rest(tok, "/services/data/v62.0/limits").status_code == 401
    fresh = flow.get_tokens(sample, "admin@acme.com.uat", base=sample.sandbox_login_url)
    assert fresh["access_token"].startswith(new_id[:15] + "!")
    assert "SandboxOnly" not in {r["fullName"] for r in _list(fresh, ("ApexClass", None))}
    prod = flow.get_tokens(sample)
    rows = flow.query(prod, "SELECT SandboxName, Status, SandboxOrganization FROM SandboxProcess", tooling=True).json()
    by_org = {r["SandboxOrganization"]: r["Status"] for r in rows["records"]}
    assert by_org == {old.org_id[:15]: "Deleted", new_id[:15]: "Completed"}
