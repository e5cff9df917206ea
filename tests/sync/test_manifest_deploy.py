"""A sandbox's manifest deployed to its production through the Metadata API of the emulator (issue 17,
part 3): the components the manifest names are retrieved from the sandbox with its package.xml,
deployed to production with its destructiveChanges.xml, and a sync of production then finds no
difference left for any of them. Also the checks Salesforce makes of a deploy zip."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from orgbook.implementations import connect
from orgbook.orgmodels import compare, manifest
from orgbook.runs.syncs import sync_connection
from orgbook.salesforce.metadata_api import DeployStatus, MetadataApi
from tests.corpus import DREAMHOUSE
from tests.emulator import acme_with, connect_org, emulator_fixture, login_as
from tests.sync.metadata import PRICE


def _field(name: str, label: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">'
            f"<fullName>{name}</fullName><label>{label}</label><length>40</length><type>Text</type></CustomField>\n")


emu = emulator_fixture(lambda: acme_with(str(DREAMHOUSE), sandboxes=("uat",)))


@pytest.fixture
def orgs(people: dict[str, Any], emu: Any, settings: Any) -> tuple[Any, Any]:
    """Acme's production org and its UAT sandbox connected to Retail, each synced once."""
    alice = people["alice"]
    prod = connect_org(people, emu, settings)
    uat = connect.complete(alice, *login_as(emu, connect.begin(alice, prod.implementation, "sandbox"),
                                            "ann@acme.com.uat"))
    for conn in (prod, uat):
        sync_connection(conn, "first")
    return prod, uat


def _deploy(conn: Any, zip_bytes: bytes) -> DeployStatus:
    api = MetadataApi(connect.client_for(conn))
    async_id = api.deploy(zip_bytes)
    for _ in range(50):
        status = api.check_deploy_status(async_id)
        if status.done:
            return status
        time.sleep(0.02)
    raise AssertionError("the deploy never finished")


def _zip(files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_the_manifest_deploys_to_production_and_leaves_no_difference(orgs: Any, emu: Any, tmp_path: Path) -> None:
    prod, uat = orgs
    emu.modify_component("uat", "CustomField", "Property__c.Price__c", PRICE)
    emu.add_component("uat", "CustomField", "Property__c.Discount__c", _field("Discount__c", "Discount"))
    emu.add_component("uat", "ApexClass", "PriceService", "public with sharing class PriceService {\n}\n")
    emu.delete_component("uat", "CustomField", "Property__c.Price_Sold__c")
    # Production's own work after the refresh: the manifest must neither overwrite nor delete it.
    emu.add_component("acme", "CustomField", "Property__c.Hotline__c", _field("Hotline__c", "Hotline"))
    for conn in (prod, uat):
        sync_connection(conn, "scheduled")
    sandbox, production = uat.org_model, prod.org_model

    found = manifest.build(sandbox, production, api_version="62.0")
    named = {(e.action, e.type, e.full_name) for e in found.entries}
    assert {("add", "CustomField", "Property__c.Discount__c"), ("add", "ApexClass", "PriceService"),
            ("change", "CustomField", "Property__c.Price__c"),
            ("delete", "CustomField", "Property__c.Price_Sold__c")} <= named
    assert not any(e.full_name == "Property__c.Hotline__c" for e in found.entries)
    assert "<members>Property__c.Discount__c</members>" in found.package_xml()
    assert "Hotline" not in found.package_xml() + found.destructive_xml()

    # The release manager's steps: retrieve the package from the sandbox, deploy it to production.
    wanted: dict[str, list[str]] = {}
    for e in found.of(*manifest.IN_PACKAGE):
        wanted.setdefault(e.type, []).append(e.full_name)
    retrieved = MetadataApi(connect.client_for(uat)).retrieve_to_file(wanted, tmp_path / "sandbox.zip")
    with zipfile.ZipFile(retrieved.zip_path) as zf:
        files: dict[str, str | bytes] = {n: zf.read(n) for n in zf.namelist() if n != "package.xml"}
    files["package.xml"] = found.package_xml()
    files["destructiveChanges.xml"] = found.destructive_xml()
    status = _deploy(prod, _zip(files))
    assert status.success and status.status == "Succeeded", status.failures
    assert status.number_components_deployed == len(found.of(*manifest.IN_PACKAGE, manifest.DELETE))

    sync_connection(prod, "scheduled")
    left = {(ln.type, ln.full_name) for ln in compare.lines(sandbox, production)}
    assert not left & {(e.type, e.full_name) for e in found.of(*manifest.IN_PACKAGE, manifest.DELETE)}
    assert ("CustomField", "Property__c.Hotline__c") in left  # production's own field is still there
    assert manifest.build(sandbox, production).of(*manifest.IN_PACKAGE, manifest.DELETE) == []


def test_a_deploy_naming_an_unknown_type_fails_and_changes_nothing(orgs: Any, emu: Any) -> None:
    prod, _ = orgs
    package = manifest.package_xml([manifest.Entry("add", "CustomWidget", "Spinner", "", 1)], "62.0")
    status = _deploy(prod, _zip({"package.xml": package, "widgets/Spinner.widget": "<CustomWidget/>"}))
    assert not status.success and status.status == "Failed"
    assert [f.problem for f in status.failures] == ["Unknown type name 'CustomWidget' specified in package.xml"]
    assert sync_connection(prod, "scheduled").added == 0


def test_a_deploy_naming_a_member_missing_from_the_zip_fails_and_changes_nothing(orgs: Any, emu: Any) -> None:
    prod, _ = orgs
    entries = [manifest.Entry("add", "ApexClass", "PriceService", "", 1),
               manifest.Entry("add", "CustomField", "Property__c.Discount__c", "", 1)]
    files = {"package.xml": manifest.package_xml(entries, "62.0"),
             "classes/PriceService.cls": "public class PriceService {}",
             "classes/PriceService.cls-meta.xml": '<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">'
                                                  "<apiVersion>62.0</apiVersion><status>Active</status></ApexClass>"}
    status = _deploy(prod, _zip(files))
    assert not status.success
    assert [(f.component_type, f.full_name, f.problem) for f in status.failures] == [
        ("CustomField", "Property__c.Discount__c", "An object 'Property__c.Discount__c' of type CustomField was "
         "named in package.xml, but was not found in zipped directory")]
    run = sync_connection(prod, "scheduled")  # all or nothing: the class that was in the zip is not there
    assert run.added == 0 and not prod.org_model.components.filter(type="ApexClass", name_key="priceservice").exists()


def test_by_default_the_manifest_starts_at_the_sandboxs_last_refresh(orgs: Any, emu: Any, people: Any) -> None:
    prod, uat = orgs
    alice = people["alice"]
    # Production's own field, made before the refresh: the refreshed sandbox copies it.
    emu.add_component("acme", "CustomField", "Property__c.Hotline__c", _field("Hotline__c", "Hotline"))
    sync_connection(prod, "scheduled")
    emu.refresh_sandbox(org="uat")
    pending = connect.complete(alice, *login_as(emu, connect.begin(alice, uat.implementation, "sandbox",
                                                                    reconnect=uat), "ann@acme.com.uat"))
    assert isinstance(pending, connect.RebindNeeded)
    uat = connect.confirm_rebind(alice, pending.attempt.pk)
    sync_connection(uat, "scheduled")  # the refreshed copy of production
    refreshed = uat.org_model.version
    emu.add_component("uat", "CustomField", "Property__c.Discount__c", _field("Discount__c", "Discount"))
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE)  # production's, after the refresh
    for conn in (prod, uat):
        sync_connection(conn, "scheduled")

    found = manifest.build(uat.org_model, prod.org_model)
    assert found.baseline == refreshed
    assert [(e.action, e.full_name) for e in found.entries] == [
        ("add", "Property__c.Discount__c"), ("production_changed", "Property__c.Price__c")]
