"""Importing folders into an org model: versions, history from the first import, and bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from orgbook.errors import Invalid
from orgbook.orgmodels.models import ChangeKind, Component, ComponentChange, OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path

from .conftest import DREAMHOUSE, write_mdapi


def test_the_first_import_records_a_baseline_for_every_component(retail: Any) -> None:
    model = model_for_import(retail, "Dreamhouse", "reference")
    run = import_path(model, DREAMHOUSE)
    assert run.status == "succeeded" and run.added > 90
    fields = Component.objects.filter(model=model, type="CustomField")
    assert fields.count() == 32
    price = fields.get(name_key="property__c.price__c")
    assert price.full_name == "Property__c.Price__c" and price.label == "Asking Price"
    assert price.parent_key == "property__c"
    assert ComponentChange.objects.filter(model=model, kind=ChangeKind.BASELINE).count() == run.added
    assert model.version == 1


def test_importing_the_same_folder_again_writes_nothing_but_its_run(retail: Any) -> None:
    model = model_for_import(retail, "Dreamhouse", "reference")
    import_path(model, DREAMHOUSE)
    changes = ComponentChange.objects.count()
    again = import_path(model, DREAMHOUSE)
    assert (again.added, again.changed, again.removed) == (0, 0, 0) and again.unchanged > 90
    assert ComponentChange.objects.count() == changes
    model.refresh_from_db()
    assert model.version == 1


def test_a_changed_field_is_recorded_with_which_attributes_changed(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    import_path(model, write_mdapi(tmp_path / "v1"))
    run = import_path(model, write_mdapi(tmp_path / "v2", precision=18,
                                         extra_value="<value><fullName>Paid</fullName><default>false</default><label>Paid</label></value>"))
    assert run.changed == 2 and run.added == 0
    amount = ComponentChange.objects.get(full_name="Invoice__c.Amount__c", kind=ChangeKind.UPDATED)
    assert amount.attribute_diff["precision"] == [16, 18]
    status = ComponentChange.objects.get(full_name="Invoice__c.Status__c", kind=ChangeKind.UPDATED)
    changed_keys = set(status.attribute_diff)
    assert changed_keys and all(k for k in changed_keys)
    assert "Paid" in str(status.attribute_diff)


def test_a_component_missing_from_the_next_import_is_marked_deleted_not_dropped(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    import_path(model, write_mdapi(tmp_path / "v1"))
    v2 = write_mdapi(tmp_path / "v2")
    text = (v2 / "objects" / "Invoice__c.object").read_text()
    start = text.index("    <fields>\n        <fullName>Status__c")
    end = text.index("</fields>", start) + len("</fields>\n")
    (v2 / "objects" / "Invoice__c.object").write_text(text[:start] + text[end:])
    run = import_path(model, v2)
    assert run.removed == 1
    gone = Component.objects.get(model=model, name_key="invoice__c.status__c")
    assert gone.status == "deleted"
    assert ComponentChange.objects.filter(component=gone, kind=ChangeKind.DELETED).count() == 1


def test_a_zip_with_path_traversal_is_refused_and_nothing_is_stored(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    import_path(model, write_mdapi(tmp_path / "v1"))
    before = list(Component.objects.filter(model=model).values_list("name_key", "content_hash", "status"))
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("package.xml", "<Package/>")
        zf.writestr("../../etc/evil.object", "<x/>")
    with pytest.raises(Invalid, match="Nothing was imported"):
        import_path(model, bad)
    assert list(Component.objects.filter(model=model).values_list("name_key", "content_hash", "status")) == before
    assert OrgModel.objects.get(pk=model.pk).version == 1


def test_a_missing_path_says_what_to_give(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    with pytest.raises(Invalid, match="SFDX project folder"):
        import_path(model, tmp_path / "nope")


def test_a_deletion_is_recorded_under_the_name_as_salesforce_spells_it(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    import_path(model, write_mdapi(tmp_path / "v1"))
    v2 = write_mdapi(tmp_path / "v2")
    (v2 / "objects" / "Invoice__c.object").rename(v2 / "objects" / "Receipt__c.object")  # a reading is never empty
    import_path(model, v2)
    deleted = ComponentChange.objects.filter(model=model, kind=ChangeKind.DELETED).values_list("full_name", flat=True)
    assert "Invoice__c.Amount__c" in set(deleted)
