"""Re-importing into the same model skips files whose digest is unchanged, and ends where a full re-read ends.

The reference for "the same result" is the same import sequence with skipping off (the
components handed to `ingest` as a plain generator, which is how every import ran before).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from orgbook.metadata import KnownChildren, ParsedComponent, ReadProblem, iter_components
from orgbook.orgmodels.ingest import ingest
from orgbook.orgmodels.models import ChangeKind, Component, ComponentChange, Dependency, OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.corpus import imported

from .conftest import DREAMHOUSE, SFDX_AMOUNT, SFDX_OBJECT, write_mdapi

SFDX_PROJECT = '{"packageDirectories": [{"path": "force-app", "default": true}], "sourceApiVersion": "62.0"}'
SFDX_STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Status__c</fullName>
    <label>Status</label>
    <type>Picklist</type>
    <valueSet><valueSetDefinition>
        <value><fullName>Open</fullName><default>true</default><label>Open</label></value>
    </valueSetDefinition></valueSet>
</CustomField>
"""


CLASS_META = """<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>
"""


def write_class(classes: Path, name: str, body: str) -> Path:
    classes.mkdir(parents=True, exist_ok=True)
    (classes / f"{name}.cls-meta.xml").write_text(CLASS_META)
    (classes / f"{name}.cls").write_text(body)
    return classes / f"{name}.cls"


def write_sfdx(root: Path) -> Path:
    """The Invoice object of `write_mdapi`, decomposed in source format."""
    obj = root / "force-app" / "main" / "default" / "objects" / "Invoice__c"
    (obj / "fields").mkdir(parents=True)
    (root / "sfdx-project.json").write_text(SFDX_PROJECT)
    (obj / "Invoice__c.object-meta.xml").write_text(SFDX_OBJECT)
    (obj / "fields" / "Amount__c.field-meta.xml").write_text(SFDX_AMOUNT)
    (obj / "fields" / "Status__c.field-meta.xml").write_text(SFDX_STATUS)
    return root


def plain(path: Path) -> Iterator[ParsedComponent | ReadProblem]:
    """Every file read and parsed, and every definition parsed again for its dependencies: how
    imports ran before files could be skipped and the reader's parse was reused."""
    for item in iter_components(path):
        assert isinstance(item, ParsedComponent)
        yield dataclasses.replace(item, element=None)


def state(model: OrgModel) -> dict[str, Any]:
    """What a user can see of a model: components, their history, their dependencies."""
    components = sorted(Component.objects.filter(model=model).values_list(
        "type", "name_key", "full_name", "label", "parent_key", "content_hash", "status", "attributes",
        "definition_z", "body_z", "added_version", "changed_version", "warning"))
    history = sorted(ComponentChange.objects.filter(model=model).values_list(
        "type", "full_name", "kind", "version", "attribute_diff", "old_hash", "new_hash"))
    edges = sorted(Dependency.objects.filter(model=model).values_list(
        "source__type", "source__name_key", "target_type", "target_key", "where"))
    return {"components": [(*c[:8], bytes(c[8]), bytes(c[9]) if c[9] else None, *c[10:]) for c in components],
            "history": history, "edges": edges, "version": OrgModel.objects.get(pk=model.pk).version}


def imported_copy(retail: Any, tmp_path: Path) -> tuple[Any, Path]:
    """A writable copy of dreamhouse-lwc, imported once into a reference model."""
    folder = tmp_path / "dh"
    shutil.copytree(DREAMHOUSE, folder)
    return imported(retail, "Dreamhouse", "reference", folder), folder


def test_a_re_import_of_an_unchanged_folder_parses_nothing_and_writes_nothing(retail: Any) -> None:
    model = imported(retail, "Dreamhouse", "reference", DREAMHOUSE)
    before = state(model)
    stream = iter_components(DREAMHOUSE)
    run = ingest(model, stream)
    skipped = stream.skipped
    assert (run.added, run.changed, run.removed) == (0, 0, 0)
    assert run.unchanged == len([c for c in before["components"] if c[6] == "present"])
    parsed_files = {c.file_path for c in plain(DREAMHOUSE) if not c.synthetic}
    assert set(skipped) == parsed_files  # every file skipped, none parsed
    assert state(model) == before


def test_one_changed_file_is_read_again_and_only_its_change_is_recorded(retail: Any, tmp_path: Path) -> None:
    model, folder = imported_copy(retail, tmp_path)
    field = folder / "force-app/main/default/objects/Property__c/fields/Price__c.field-meta.xml"
    field.write_text(field.read_text().replace("<label>Asking Price</label>", "<label>List Price</label>"))
    stream = iter_components(folder)
    run = ingest(model, stream)
    skipped = stream.skipped
    assert (run.added, run.changed, run.removed) == (0, 1, 0)
    assert str(field.relative_to(folder)) not in skipped and len(skipped) > 90
    change = ComponentChange.objects.get(model=model, kind=ChangeKind.UPDATED)
    assert change.full_name == "Property__c.Price__c"
    assert Component.objects.get(model=model, name_key="property__c.price__c").label == "List Price"


def test_a_deleted_file_deletes_its_components_even_when_everything_else_is_skipped(retail: Any, tmp_path: Path) -> None:
    model, folder = imported_copy(retail, tmp_path)
    (folder / "force-app/main/default/objects/Property__c/fields/Price__c.field-meta.xml").unlink()
    run = import_path(model, folder)
    assert (run.added, run.changed, run.removed) == (0, 0, 1)
    assert Component.objects.get(model=model, name_key="property__c.price__c").status == "deleted"


def test_a_body_change_is_seen_though_the_meta_file_is_the_same(retail: Any, tmp_path: Path) -> None:
    folder = tmp_path / "dh"
    shutil.copytree(DREAMHOUSE, folder)
    body = write_class(folder / "force-app/main/default/classes", "PropertyService", "public class PropertyService {}")
    model = model_for_import(retail, "Dreamhouse", "reference")
    import_path(model, folder)
    body.write_text("public class PropertyService { Property__c p; }")
    run = import_path(model, folder)
    assert (run.added, run.changed, run.removed) == (0, 1, 0)
    assert ComponentChange.objects.get(model=model, kind=ChangeKind.UPDATED).full_name == "PropertyService"
    uses = Dependency.objects.filter(model=model, source__name_key="propertyservice")
    assert ("CustomObject", "property__c") in set(uses.values_list("target_type", "target_key"))


def test_moving_to_source_format_records_no_change_and_the_next_import_skips(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    import_path(model, write_mdapi(tmp_path / "mdapi"))
    history = ComponentChange.objects.filter(model=model).count()
    run = import_path(model, write_sfdx(tmp_path / "sfdx"))
    assert (run.added, run.changed, run.removed) == (0, 0, 0) and run.unchanged == 3
    assert ComponentChange.objects.filter(model=model).count() == history
    amount = Component.objects.get(model=model, name_key="invoice__c.amount__c")
    assert amount.source_path.endswith("fields/Amount__c.field-meta.xml")
    stream = iter_components(tmp_path / "sfdx")
    run = ingest(model, stream)
    assert run.unchanged == 3 and len(stream.skipped) == 3


LABELS = """<?xml version="1.0" encoding="UTF-8"?>
<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">{labels}</CustomLabels>
"""
LABEL = "<labels><fullName>{name}</fullName><language>en_US</language><protected>false</protected><value>{value}</value></labels>"


def write_labels(folder: Path, name: str, *labels: tuple[str, str]) -> None:
    (folder / "labels").mkdir(parents=True, exist_ok=True)
    text = "".join(LABEL.format(name=n, value=v) for n, v in labels)
    (folder / "labels" / f"{name}.labels").write_text(LABELS.format(labels=text))


def test_a_component_given_twice_keeps_the_first_file_across_re_imports(retail: Any, tmp_path: Path) -> None:
    # Two files define the same label: the first one wins. When the first drops it, a full read
    # takes it from the second: skipping the (unchanged) second file must not lose it.
    folder = write_mdapi(tmp_path / "twice")
    write_labels(folder, "A", ("Greeting", "Hello"), ("Bye", "Bye"))
    write_labels(folder, "B", ("Greeting", "Hi"), ("Other", "Other"))
    model, reference = model_for_import(retail, "Skip", None), model_for_import(retail, "Full", None)
    for _ in range(2):
        run = import_path(model, folder)
        ingest(reference, plain(folder))
        assert any("appears twice" in w["message"] for w in run.warnings)
    write_labels(folder, "A", ("Bye", "Bye"))
    run = import_path(model, folder)
    ingest(reference, plain(folder))
    assert run.removed == 0 and run.changed == 1
    assert Component.objects.get(model=model, type="CustomLabel", name_key="greeting").status == "present"
    assert state(model) == state(reference)


def test_a_sequence_of_imports_gives_what_full_re_reads_give(retail: Any, tmp_path: Path) -> None:
    """Changes, a deleted file, a new file and a move between formats, against a model that reads everything."""
    folder = tmp_path / "dh"
    shutil.copytree(DREAMHOUSE, folder)
    skipping, reference = model_for_import(retail, "Skipping", None), model_for_import(retail, "Reference", None)
    base = folder / "force-app/main/default"

    def change_label() -> None:
        f = base / "objects/Property__c/fields/Price__c.field-meta.xml"
        f.write_text(f.read_text().replace("<label>Asking Price</label>", "<label>List Price</label>"))

    def delete_and_add() -> None:
        (base / "objects/Broker__c/fields/Phone__c.field-meta.xml").unlink()
        new = base / "objects/Broker__c/fields/Fax__c.field-meta.xml"
        new.write_text(SFDX_AMOUNT.replace("Amount__c", "Fax__c").replace("Amount", "Fax"))

    def add_a_class() -> None:
        write_class(base / "classes", "Pricing", "public class Pricing { Decimal p = Property__c.Price__c; }")

    def change_a_body() -> None:
        write_class(base / "classes", "Pricing", "public class Pricing { Broker__c b; }")

    for step in (lambda: None, lambda: None, change_label, delete_and_add, add_a_class, change_a_body, lambda: None):
        step()
        import_path(skipping, folder)
        ingest(reference, plain(folder))
        assert state(skipping) == state(reference)
    for precision in (16, 18):  # another folder in the other format (one field changed in it), then back
        mdapi = write_mdapi(tmp_path / f"mdapi{precision}", precision=precision)
        import_path(skipping, mdapi, allow_removals=True)  # another project: most of the model goes
        ingest(reference, plain(mdapi))
        assert state(skipping) == state(reference)
    import_path(skipping, folder)
    ingest(reference, plain(folder))
    assert state(skipping) == state(reference)


def test_a_model_stored_before_digests_existed_gets_them_without_history(retail: Any) -> None:
    model = imported(retail, "Dreamhouse", "reference", DREAMHOUSE)
    Component.objects.filter(model=model).update(source_path="", source_digest="")  # as the migration leaves it
    before = state(model)
    run = import_path(model, DREAMHOUSE)
    assert (run.added, run.changed, run.removed) == (0, 0, 0)
    assert state(model) == before
    stream = iter_components(DREAMHOUSE)
    ingest(model, stream)
    assert len(stream.skipped) > 90


def test_in_a_changed_object_file_only_the_changed_field_is_read_in_full(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    import_path(model, write_mdapi(tmp_path / "v1"))
    v2 = write_mdapi(tmp_path / "v2", precision=18)
    stream = iter_components(v2)
    stream.known_hashes = {(t, k): (h, e) for t, k, h, e in Component.objects.filter(model=model).values_list(
        "type", "name_key", "content_hash", "element_digest")}
    items = list(stream)
    read = {c.full_name: c for c in items if isinstance(c, ParsedComponent)}
    known = [child[1] for c in items if isinstance(c, KnownChildren) for child in c.children]
    assert sorted(name for name, c in read.items() if not c.unchanged) == ["Invoice__c.Amount__c"]
    assert known == ["Invoice__c.Status__c"]  # not hashed, no attributes: the stored ones stand
    run = import_path(model, v2)
    assert (run.added, run.changed, run.removed) == (0, 1, 0)


def test_reformatting_a_field_in_an_object_file_records_nothing_and_is_skipped_next_time(retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", None)
    import_path(model, write_mdapi(tmp_path / "v1"))
    history = ComponentChange.objects.filter(model=model).count()
    v2 = write_mdapi(tmp_path / "v2")
    obj = v2 / "objects" / "Invoice__c.object"
    obj.write_text(obj.read_text().replace("<scale>2</scale>", "<scale>\n            2\n        </scale>"))
    run = import_path(model, v2)
    assert (run.added, run.changed, run.removed) == (0, 0, 0)
    assert ComponentChange.objects.filter(model=model).count() == history
    stream = iter_components(v2)
    ingest(model, stream)
    assert stream.skipped == ["objects/Invoice__c.object"]


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(retail: Any, tmp_path: Path) -> None:
    model, folder = imported_copy(retail, tmp_path)
    field = folder / "force-app/main/default/objects/Property__c/fields/Price__c.field-meta.xml"
    before = field.stat()
    field.write_text(field.read_text().replace("<label>Asking Price</label>", "<label>Asking Prize</label>"))
    os.utime(field, ns=(before.st_atime_ns, before.st_mtime_ns))  # as unzip or cp -p would leave it
    assert field.stat().st_size == before.st_size
    run = import_path(model, folder)
    assert (run.added, run.changed, run.removed) == (0, 1, 0)
    assert Component.objects.get(model=model, name_key="property__c.price__c").label == "Asking Prize"


def test_a_fresh_copy_with_the_same_bytes_is_skipped_and_remembered(retail: Any, tmp_path: Path) -> None:
    model = imported(retail, "Dreamhouse", "reference", DREAMHOUSE)
    copy = tmp_path / "copy"
    shutil.copytree(DREAMHOUSE, copy)  # other inodes and times, same bytes
    signatures = dict(Component.objects.filter(model=model).values_list("pk", "source_stat"))
    stream = iter_components(copy)
    run = ingest(model, stream)
    assert (run.added, run.changed, run.removed) == (0, 0, 0) and len(stream.skipped) > 90
    after = dict(Component.objects.filter(model=model).values_list("pk", "source_stat"))
    assert sum(after[pk] != signatures[pk] for pk in after) == len(stream.skipped)  # the copy's signatures, kept


def test_a_zip_re_import_skips_unchanged_members_and_sees_a_changed_one(retail: Any, tmp_path: Path) -> None:
    def zip_of(folder: Path, name: str) -> Path:
        target = tmp_path / name
        with zipfile.ZipFile(target, "w") as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(folder).as_posix())
        return target

    folder = tmp_path / "dh"
    shutil.copytree(DREAMHOUSE, folder)
    model = model_for_import(retail, "Dreamhouse", "reference")
    import_path(model, zip_of(folder, "v1.zip"))
    stream = iter_components(zip_of(folder, "v1-again.zip"))
    run = ingest(model, stream)
    assert (run.added, run.changed, run.removed) == (0, 0, 0) and len(stream.skipped) > 90
    field = folder / "force-app/main/default/objects/Property__c/fields/Price__c.field-meta.xml"
    field.write_text(field.read_text().replace("<label>Asking Price</label>", "<label>Asking Prize</label>"))
    run = import_path(model, zip_of(folder, "v2.zip"))
    assert (run.added, run.changed, run.removed) == (0, 1, 0)


OBJECT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>{label}</label>
    <pluralLabel>Invoices</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
{fields}
    <enableHistory>false</enableHistory>
</CustomObject>
"""


def field_xml(name: str, label: str, *, full_name_first: bool = True, indent: str = "    ") -> str:
    inner = [f"<label>{label}</label>", "<type>Text</type>", "<length>80</length>"]
    inner.insert(0 if full_name_first else 2, f"<fullName>{name}</fullName>")
    body = "".join(f"\n{indent}    {line}" for line in inner)
    return f"{indent}<fields>{body}\n{indent}</fields>"


def test_edits_inside_an_object_file_give_what_full_re_reads_give(retail: Any, tmp_path: Path) -> None:
    """Unchanged fields of a re-read `.object` are recognised by their own bytes (and passed on
    in batches between the changed ones); every kind of edit around them ends where a model that
    reads everything ends, with the same warnings and counts."""
    folder = write_mdapi(tmp_path / "obj")
    obj = folder / "objects" / "Invoice__c.object"
    skipping, reference = model_for_import(retail, "Skipping", None), model_for_import(retail, "Reference", None)
    f = {n: field_xml(f"F{n}__c", f"Field {n}") for n in range(6)}
    renamed, other = field_xml("F2__c", "Renamed"), field_xml("F0__c", "Other")

    def write(*parts: str, label: str = "Invoice") -> None:
        obj.write_text(OBJECT_HEAD.format(label=label, fields="\n".join(parts)))

    steps: list[tuple[str, Callable[[], object], set[str]]] = [
        ("baseline", lambda: write(*f.values()), {"0", "1", "2", "3", "4", "5"}),
        ("one field's label", lambda: write(f[0], f[1], renamed, f[3], f[4], f[5]), {"0", "1", "2", "3", "4", "5"}),
        ("a field removed", lambda: write(f[0], f[1], renamed, f[4], f[5]), {"0", "1", "2", "4", "5"}),
        ("children reordered", lambda: write(f[5], f[4], renamed, f[1], f[0]), {"0", "1", "2", "4", "5"}),
        ("a field added", lambda: write(f[5], f[0], field_xml("F9__c", "New"), renamed, f[1], f[4]),
         {"0", "1", "2", "4", "5", "9"}),
        # The same field twice: the first (unchanged) copy wins in a full read, the second is a duplicate.
        ("a changed duplicate after an unchanged field", lambda: write(f[0], f[1], other, f[3]), {"0", "1", "3"}),
        ("the first copy gone", lambda: write(f[1], other, f[3]), {"0", "1", "3"}),
        ("only the object's own element", lambda: write(f[1], other, f[3], label="Bill"), {"0", "1", "3"}),
        ("fullName not the first child", lambda: write(field_xml("F1__c", "Field 1", full_name_first=False), f[3],
                                                        label="Bill"), {"1", "3"}),
        ("reindented: new bytes, same content", lambda: write(field_xml("F1__c", "Field 1", indent="  "),
                                                               field_xml("F3__c", "Field 3", indent="\t"), label="Bill"),
         {"1", "3"}),
        ("labels: one changed, one removed", lambda: write_labels(folder, "Custom", ("A", "a"), ("B", "b2")), {"1", "3"}),
        ("back to the start", lambda: (write(*f.values()), write_labels(folder, "Custom", ("A", "a"), ("B", "b"), ("C", "c"))),
         {"0", "1", "2", "3", "4", "5"}),
    ]
    write_labels(folder, "Custom", ("A", "a"), ("B", "b"), ("C", "c"))
    for name, step, present in steps:
        step()
        stream = iter_components(folder)
        run = ingest(skipping, stream)
        full = ingest(reference, plain(folder))
        assert state(skipping) == state(reference), name
        assert run.warnings == full.warnings, name
        assert (run.added, run.changed, run.removed, run.unchanged) == (
            full.added, full.changed, full.removed, full.unchanged), name
        fields = Component.objects.filter(model=skipping, type="CustomField", status="present")
        assert {n.removeprefix("invoice__c.f").removesuffix("__c") for n in fields.values_list("name_key", flat=True)} == present, name
    assert Component.objects.get(model=skipping, name_key="invoice__c.f0__c").label == "Field 0"
    stream = iter_components(folder)
    ingest(skipping, stream)
    assert sorted(stream.skipped) == ["labels/Custom.labels", "objects/Invoice__c.object"]


def test_unchanged_children_of_a_re_read_file_come_in_document_order_between_the_changed_ones(
        retail: Any, tmp_path: Path) -> None:
    folder = write_mdapi(tmp_path / "obj")
    obj = folder / "objects" / "Invoice__c.object"
    f = {n: field_xml(f"F{n}__c", f"Field {n}") for n in range(5)}
    obj.write_text(OBJECT_HEAD.format(label="Invoice", fields="\n".join(f.values())))
    model = model_for_import(retail, "Billing", None)
    import_path(model, folder)
    obj.write_text(OBJECT_HEAD.format(label="Invoice", fields="\n".join(
        [f[0], f[1], field_xml("F2__c", "Changed"), f[3], f[4]])))
    stream = iter_components(folder)
    stream.known_hashes = {(t, k): (h, e) for t, k, h, e in Component.objects.filter(model=model).values_list(
        "type", "name_key", "content_hash", "element_digest")}
    order = [[c[1] for c in item.children] if isinstance(item, KnownChildren) else item.full_name
             for item in stream if isinstance(item, KnownChildren | ParsedComponent)]
    assert order == [["Invoice__c.F0__c", "Invoice__c.F1__c"], "Invoice__c.F2__c",
                     ["Invoice__c.F3__c", "Invoice__c.F4__c"], "Invoice__c"]
