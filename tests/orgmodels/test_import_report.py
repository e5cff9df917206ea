"""Issue 14: the import report on the run (skipped files with reasons, collisions with both paths and the
copy the model holds), project facts on the model, shown by the API and the pages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from orgbook.orgmodels import ingest
from orgbook.orgmodels.models import Component, ComponentCopy, OrgModel, SyncRun
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.api.conftest import ApiClient
from tests.corpus import RETAIL

FIELD = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Tier__c</fullName>
    <label>{label}</label>
    <type>Text</type>
    <length>20</length>
</CustomField>
"""
PROJECT = {"name": "Two apps", "namespace": "", "sourceApiVersion": "62.0",
           "packageDirectories": [{"path": "app-a", "default": True, "package": "AppA", "versionNumber": "1.2.0.NEXT",
                                   "dependencies": [{"package": "Base", "versionNumber": "2.0.0.LATEST"}]},
                                  {"path": "app-b", "default": False}]}


def two_apps(root: Path, label_b: str = "Tier") -> Path:
    """The same field in two package directories, and a stray file in one of them."""
    (root).mkdir(parents=True, exist_ok=True)
    (root / "sfdx-project.json").write_text(json.dumps(PROJECT))
    for app, label in (("app-a", "Tier"), ("app-b", label_b)):
        folder = root / app / "main" / "default" / "objects" / "Account" / "fields"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Tier__c.field-meta.xml").write_text(FIELD.format(label=label))
    (root / "app-b" / "main" / "default" / "notes.txt").write_text("notes")
    return root


# The keys read are kept in a temporary database for a model with few stored components (a
# first import) and in memory for one with more (ingest.KEYS_ON_DISK_BELOW): both give this report.
KEPT = pytest.mark.parametrize("keys_on_disk_below", [10**9, 0], ids=["keys-on-disk", "keys-in-memory"])


@KEPT
def test_a_component_in_two_package_dirs_with_different_content_is_a_collision(
        retail: Any, tmp_path: Path, keys_on_disk_below: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "KEYS_ON_DISK_BELOW", keys_on_disk_below)
    model = model_for_import(retail, "Apps", None)
    for _ in range(2):  # the second import skips the unchanged files: the report is the same
        run = import_path(model, two_apps(tmp_path / "p", label_b="Customer tier"))
        assert run.report["collisions"] == [{
            "type": "CustomField", "name": "Account.Tier__c",
            "kept": "app-a/main/default/objects/Account/fields/Tier__c.field-meta.xml", "kept_package_dir": "app-a",
            "other": "app-b/main/default/objects/Account/fields/Tier__c.field-meta.xml", "other_package_dir": "app-b"}]
        assert run.report["identical_copies"] == 0
        assert Component.objects.get(model=model, type="CustomField", name_key="account.tier__c").label == "Tier"
        assert any("appears twice with different content" in w["message"] for w in run.warnings)
    assert {"path": "app-b/main/default/notes.txt",
            "reason": "not a metadata file: no metadata type folder or file suffix matches it"} in run.report["skipped"]


@KEPT
def test_identical_copies_are_counted_not_reported(retail: Any, tmp_path: Path, keys_on_disk_below: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "KEYS_ON_DISK_BELOW", keys_on_disk_below)
    model = model_for_import(retail, "Apps", None)
    for _ in range(2):
        run = import_path(model, two_apps(tmp_path / "p"))
        assert (run.report["collisions"], run.report["identical_copies"]) == ([], 1)
        assert not [w for w in run.warnings if "appears twice" in w["message"]]


def test_the_project_facts_are_stored_on_the_model(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Apps", None)
    import_path(model, two_apps(tmp_path / "p"))
    project = OrgModel.objects.get(pk=model.pk).project
    assert (project["name"], project["sourceApiVersion"]) == ("Two apps", "62.0") and "namespace" not in project
    first = project["packageDirectories"][0]
    assert (first["path"], first["package"], first["versionNumber"], first["default"]) == (
        "app-a", "AppA", "1.2.0.NEXT", True)
    assert first["dependencies"] == [{"package": "Base", "versionNumber": "2.0.0.LATEST"}]


def test_the_retail_kit_keeps_the_diy_base_field_and_reports_the_other_package_dir(retail: Any, tmp_path: Path) -> None:
    """Corpus fact RETAIL 1 through the whole import: 56 identical copies, 1 collision, both paths."""
    model = model_for_import(retail, "DIY", None)
    run = import_path(model, shutil.copytree(RETAIL, tmp_path / "retail"))
    assert run.report["identical_copies"] == 56
    assert [(c["name"], c["kept_package_dir"], c["other_package_dir"]) for c in run.report["collisions"]] == [
        ("Contact.isDIYRecord__c", "diy-base", "diy-pd-pack")]
    kept = Component.objects.get(model=model, type="CustomField", name_key="contact.isdiyrecord__c")
    assert (kept.label, kept.source_path.split("/")[0]) == ("isDIYRecord", "diy-base")
    versions = set(Component.objects.filter(model=model, type="BotVersion").values_list("full_name", flat=True))
    assert versions == {"DIY_Employee_Agent.v1", "DIY_Service_Agent.v1"}
    assert run.report["files"] == 1125 and run.report["skipped_total"] == len(run.report["skipped"]) == 10


def test_the_api_gives_the_report_and_the_project(people: dict[str, Any], retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Apps", None)
    run = import_path(model, two_apps(tmp_path / "p", label_b="Other"))
    api = ApiClient(people["vera"])
    body = api.call("GET", f"/models/{model.pk}").json_body
    assert body["project"]["packageDirectories"][1]["path"] == "app-b"
    one = api.call("GET", f"/models/{model.pk}/runs/{run.pk}").json_body
    assert one["report"]["collisions"][0]["name"] == "Account.Tier__c"
    assert one["report"]["skipped"] and one["report"]["skipped_total"] == 2
    listed = api.call("GET", f"/models/{model.pk}/runs").json_body
    assert [r["id"] for r in listed] == [run.pk]
    assert "skipped" not in listed[0]["report"] and listed[0]["report"]["skipped_total"] == 2
    # Another Space's person gets 404, for the model's runs as for the model.
    assert ApiClient(people["mallory"]).call("GET", f"/models/{model.pk}/runs/{run.pk}").status_code == 404


def test_the_run_page_and_the_model_page_show_them(people: dict[str, Any], retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Apps", None)
    run = import_path(model, two_apps(tmp_path / "p", label_b="Other"))
    client = Client()
    client.force_login(people["vera"])
    page = client.get(f"/uploads/s/acme/runs/{run.pk}/").content.decode()
    assert "Import report" in page and "app-b/main/default/objects/Account/fields/Tier__c.field-meta.xml" in page
    assert "app-b/main/default/notes.txt" in page and "1 collision" in page
    dictionary = client.get(f"/m/{model.pk}/").content.decode()
    assert 'id="project-facts"' in dictionary and "AppA" in dictionary and "Base@2.0.0.LATEST" in dictionary


def test_orgbook_import_json_lists_skipped_files_and_collisions(people: dict[str, Any], retail: Any,
                                                                 tmp_path: Path, capsys: Any) -> None:
    call_command("import", str(two_apps(tmp_path / "p", label_b="Other")), "--space", "acme", "--implementation",
                 "Retail", "--model", "Apps", "--json")
    body = json.loads(capsys.readouterr().out)
    assert body["collisions"][0]["other"] == "app-b/main/default/objects/Account/fields/Tier__c.field-meta.xml"
    assert {s["path"] for s in body["skipped"]} == {"app-b/main/default/notes.txt", "sfdx-project.json"}
    assert body["skipped_total"] == 2 and body["project"]["name"] == "Two apps"
    assert SyncRun.objects.get(pk=body["run_id"]).report["skipped_total"] == 2


def test_the_other_copy_of_a_collision_is_kept_and_shown_on_the_component(people: dict[str, Any], retail: Any,
                                                                          tmp_path: Path) -> None:
    """Corpus fact RETAIL 1: both copies of `Contact.isDIYRecord__c` are kept. The model holds
    diy-base's (the first package directory); diy-pd-pack's is reachable from the field's page
    and the API, with the difference, and stays through a re-import that skips unchanged files."""
    model = model_for_import(retail, "DIY", None)
    project = shutil.copytree(RETAIL, tmp_path / "retail")
    for _ in range(2):
        import_path(model, project)
        kept = Component.objects.get(model=model, type="CustomField", name_key="contact.isdiyrecord__c")
        [copy] = ComponentCopy.objects.filter(model=model)
        assert copy.component == kept and kept.label == "isDIYRecord"
        assert (copy.source_path, copy.package_dir) == (
            "diy-pd-pack/main/default/objects/Contact/fields/isDIYRecord__c.field-meta.xml", "diy-pd-pack")
        assert "<label>DIY Record</label>" in copy.definition() and "<label>isDIYRecord</label>" in kept.definition()
    client = Client()
    client.force_login(people["vera"])
    page = client.get(f"/m/{model.pk}/c/CustomField/Contact.isDIYRecord__c").content.decode()
    assert 'id="copies"' in page and "diy-pd-pack/main/default/objects/Contact/fields/isDIYRecord__c.field-meta.xml" in page
    assert ", differs." in page and "<table class=\"diff\"" in page  # with the side-by-side difference
    same = client.get(f"/m/{model.pk}/c/CustomObject/Contact").content.decode()  # in both, identical
    assert "Contact" in same and 'id="copies"' not in same
    body = ApiClient(people["vera"]).call("GET", f"/models/{model.pk}/components/CustomField/Contact.isDIYRecord__c").json_body
    assert body["source_path"] == "diy-base/main/default/objects/Contact/fields/isDIYRecord__c.field-meta.xml"
    assert [(c["package_dir"], c["differs"]) for c in body["copies"]] == [("diy-pd-pack", True)]
    assert "<label>DIY Record</label>" in body["copies"][0]["definition"]


def test_a_copy_made_identical_is_no_longer_kept_and_the_page_moves_on(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Apps", None)
    import_path(model, two_apps(tmp_path / "p", label_b="Customer tier"))
    assert ComponentCopy.objects.filter(model=model).count() == 1
    stamp = OrgModel.objects.get(pk=model.pk).content_stamp
    run = import_path(model, two_apps(tmp_path / "p", label_b="Tier"))  # app-b's copy now says the same
    assert run.version == 1 and run.report["collisions"] == [] and run.report["identical_copies"] == 1
    assert not ComponentCopy.objects.filter(model=model).exists()
    assert OrgModel.objects.get(pk=model.pk).content_stamp == stamp + 1  # no new version, yet cached pages move on
