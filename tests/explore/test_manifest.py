"""The sandbox-to-production manifest (issue 17, part 3) on real corpus metadata: dreamhouse as the
production org, and a UAT sandbox read once as refreshed from it and again after its changes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from orgbook.implementations import lifecycle
from orgbook.orgmodels import manifest
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path

from .conftest import FIELDS, add_field, change_price_precision, copy_corpus

NEW = ("add", "CustomField", "Property__c.Discount__c")
CHANGED = ("change", "CustomField", "Property__c.Price__c")
REMOVED = ("delete", "CustomField", "Property__c.Price_Sold__c")


@pytest.fixture
def uat(dreamhouse: Any, tmp_path: Path) -> Any:
    """UAT read at its refresh (version 1, production's copy), then after its work (version 2): Price__c
    precision 12, a new Discount__c field, the Price_Sold__c field removed. Meanwhile production
    changed Broker__c's label itself (production's version 2)."""
    root = copy_corpus(tmp_path / "uat")
    model = model_for_import(dreamhouse.implementation, "UAT", "sandbox")
    import_path(model, root)
    change_price_precision(root, 12)
    add_field(root, "Discount__c", "Discount")
    (root / FIELDS / "Price_Sold__c.field-meta.xml").unlink()
    import_path(model, root)
    prod = copy_corpus(tmp_path / "prod")
    broker = prod / FIELDS / "Broker__c.field-meta.xml"
    broker.write_text(broker.read_text().replace("<label>Broker</label>", "<label>Listing broker</label>"))
    import_path(dreamhouse, prod)
    model.refresh_from_db()
    dreamhouse.refresh_from_db()
    assert (model.version, dreamhouse.version) == (2, 2)
    return model


def _actions(found: manifest.Manifest) -> set[tuple[str, str, str]]:
    return {(e.action, e.type, e.full_name) for e in found.entries}


def test_since_the_refresh_the_manifest_holds_the_sandboxes_work_and_not_productions(dreamhouse: Any, uat: Any) -> None:
    found = manifest.build(uat, dreamhouse, since_version=1)
    assert {NEW, CHANGED, REMOVED} <= _actions(found)
    # Production's own label change after the refresh is listed, never deployed back over it.
    assert ("production_changed", "CustomField", "Property__c.Broker__c") in _actions(found)
    assert "Broker__c" not in found.package_xml()
    assert found.of("add", "change", "delete") == [e for e in found.entries if e.action in ("add", "change", "delete")]
    assert "<members>Property__c.Price_Sold__c</members>" in found.destructive_xml()
    assert "<members>Property__c.Price_Sold__c</members>" not in found.package_xml()


def test_without_a_baseline_everything_that_differs_is_in_the_package(dreamhouse: Any, uat: Any) -> None:
    found = manifest.build(uat, dreamhouse)
    assert found.baseline == 0
    assert {NEW, CHANGED, REMOVED} <= _actions(found)
    # Version 0: the sandbox's copy of Broker__c counts as its own (it never saw production's change).
    assert ("change", "CustomField", "Property__c.Broker__c") in _actions(found)


def test_a_date_picks_the_sandbox_version_read_by_then(dreamhouse: Any, uat: Any) -> None:
    from orgbook.orgmodels.models import SyncRun

    first = SyncRun.objects.get(model=uat, version=1)
    at = first.finished_at.isoformat()
    assert manifest.build(uat, dreamhouse, since=manifest.parse_since(at)).baseline == 1
    with pytest.raises(Exception, match="since must be a date"):
        manifest.parse_since("last tuesday")


def test_the_manifest_api(dreamhouse: Any, uat: Any, web_as: Any) -> None:
    r = web_as("vera").get(f"/api/v1/models/{uat.pk}/manifest/{dreamhouse.pk}", {"since_version": 1})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["baseline_version"] == 1
    assert body["counts"]["add"] == 1 and body["counts"]["delete"] == 1
    assert {(e["action"], e["type"], e["full_name"]) for e in body["entries"]} >= {NEW, CHANGED, REMOVED}
    assert "<name>CustomField</name>" in body["package_xml"]
    assert "Price_Sold__c" in body["destructive_changes_xml"]
    bad = web_as("vera").get(f"/api/v1/models/{uat.pk}/manifest/{dreamhouse.pk}", {"since": "yesterday"})
    assert bad.status_code == 400 and "since must be a date" in bad.json()["error"]["message"]
    bad = web_as("vera").get(f"/api/v1/models/{uat.pk}/manifest/{dreamhouse.pk}", {"since_version": 9})
    assert bad.status_code == 400


def test_the_manifest_of_another_spaces_model_is_not_found(uat: Any, people: Any, web_as: Any) -> None:
    from orgbook.spaces.models import Membership, Role

    Membership.objects.create(space=people["globex"], user=people["vera"], role=Role.VIEWER)
    theirs = model_for_import(lifecycle.create_implementation(people["globex"], people["mallory"], "G"), "G", None)
    client = web_as("vera")
    for url in (f"/api/v1/models/{uat.pk}/manifest/{theirs.pk}", f"/m/{uat.pk}/manifest/?to={theirs.pk}",
                f"/m/{uat.pk}/manifest/package.xml?to={theirs.pk}"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert b"Discount__c" not in r.content
    assert web_as("mallory").get(f"/api/v1/models/{uat.pk}/manifest/{theirs.pk}").status_code == 404


def test_the_manifest_page_and_its_downloads(dreamhouse: Any, uat: Any, web_as: Any) -> None:
    client = web_as("vera")
    page = client.get(f"/m/{uat.pk}/manifest/", {"to": dreamhouse.pk, "since_version": 1}).content.decode()
    assert "New in UAT (1)" in page and "Property__c.Discount__c" in page
    assert "Removed from UAT (destructiveChanges.xml) (1)" in page
    assert "Changed in Dreamhouse since, left out" in page and "Property__c.Broker__c" in page
    query = {"to": dreamhouse.pk, "since_version": 1}
    package = client.get(f"/m/{uat.pk}/manifest/package.xml", query)
    assert package.status_code == 200 and package["Content-Disposition"] == 'attachment; filename="package.xml"'
    assert b"<members>Property__c.Discount__c</members>" in package.content
    destructive = client.get(f"/m/{uat.pk}/manifest/destructiveChanges.xml", query).content
    assert b"<members>Property__c.Price_Sold__c</members>" in destructive
    with zipfile.ZipFile(io.BytesIO(client.get(f"/m/{uat.pk}/manifest/manifest.zip", query).content)) as zf:
        assert sorted(zf.namelist()) == ["destructiveChanges.xml", "package.xml"]
        assert zf.read("package.xml") == package.content


def test_the_manifest_command_writes_both_files(dreamhouse: Any, uat: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    from orgbook.orgmodels.models import SyncRun

    first = SyncRun.objects.get(model=uat, version=1).finished_at.isoformat()  # the refresh's reading
    call_command("manifest", "--from", str(uat.pk), "--to", str(dreamhouse.pk), "--since", first,
                 "--out", str(tmp_path), stdout=out)
    assert "1 add, 1 change, 1 delete" in out.getvalue()
    assert "<members>Property__c.Discount__c</members>" in (tmp_path / "package.xml").read_text()
    assert "<members>Property__c.Price_Sold__c</members>" in (tmp_path / "destructiveChanges.xml").read_text()
    out = io.StringIO()
    call_command("manifest", "--from", str(uat.pk), "--to", str(dreamhouse.pk), "--json", "--out", str(tmp_path),
                 stdout=out)
    assert {"action": "add", "type": "CustomField", "full_name": "Property__c.Discount__c", "label": "Discount",
            "changed_version": 2} in json.loads(out.getvalue())["entries"]
    with pytest.raises(CommandError, match="No org model 999999"):
        call_command("manifest", "--from", "999999", "--to", str(dreamhouse.pk), "--out", str(tmp_path))
    with pytest.raises(CommandError, match="since must be a date"):
        call_command("manifest", "--from", str(uat.pk), "--to", str(dreamhouse.pk), "--since", "soon",
                     "--out", str(tmp_path))


def test_the_manifest_form_says_what_to_fix_under_the_field_and_keeps_the_values(
        dreamhouse: Any, uat: Any, web_as: Any) -> None:
    from tests.web.forms_html import dangling
    from tests.web.test_form_errors import _under

    client = web_as("vera")
    late = client.get(f"/m/{uat.pk}/manifest/", {"to": dreamhouse.pk, "since_version": 99})
    assert late.status_code == 400
    html = late.content.decode()
    assert _under(html, "id_since_version") == f"Give a number of {uat.version} or less."
    assert 'value="99"' in html and f'<option value="{dreamhouse.pk}" selected>' in html  # kept as typed
    assert "New in UAT" not in html and not dangling(html)
    nowhere = client.get(f"/m/{uat.pk}/manifest/", {"since_version": 1}).content.decode()
    assert _under(nowhere, "id_to") == "Choose the production model to deploy to."
    assert client.get(f"/m/{uat.pk}/manifest/").status_code == 200  # the empty form, no complaint yet


def test_the_manifest_page_opens_its_model_once(dreamhouse: Any, uat: Any, web_as: Any) -> None:
    """The page's access check opens the sandbox's model; building the manifest used to open it again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web_as("vera")
    query = {"to": dreamhouse.pk, "since_version": 1}
    client.get(f"/m/{uat.pk}/manifest/", query)  # session and caches warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/m/{uat.pk}/manifest/", query).status_code == 200
    assert len(queries.captured_queries) <= 12, [q["sql"][:120] for q in queries.captured_queries]
