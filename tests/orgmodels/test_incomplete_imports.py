"""Issue 19, point 1: a bad or empty import never empties a model. The probe's seven inputs, through
`orgbook import` (in-process, so the same test runs on SQLite and, with DATABASE_URL, PostgreSQL)
and through the upload page: each fails with its reasons and leaves the model byte for byte as it
was. The rule itself is orgmodels/completeness.py."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from orgbook.orgmodels.models import OrgModel
from orgbook.runs.imports import import_path

from .conftest import DREAMHOUSE, model_digest, write_mdapi

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
PACKAGE = f'<?xml version="1.0"?><Package {NS}><types><members>*</members><name>{{t}}</name></types>' \
          '<version>62.0</version></Package>'
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
          f'<CustomObject {NS}><label>&lol2;</label></CustomObject>')
DEEP = f"<CustomObject {NS}>" + "<a>" * 300 + "</a>" * 300 + "</CustomObject>"
OVER_LIMIT = 64 * 1024 * 1024 + 1  # one byte over the readers' per-file limit (metadata/archive.py)


def _zip(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


# The probe's inputs (issue 19, point 1), each built in a folder of its own. `refused`: a file the
# error must name with its reason; None when the reading is empty or the archive refused whole.
CASES: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    "empty zip": (lambda d: _zip(d / "empty.zip", {}), None),
    "only file has a DOCTYPE": (lambda d: _zip(d / "doctype.zip", {"objects/Evil__c.object": LAUGHS}), None),
    "entity expansion beside package.xml": (
        lambda d: _zip(d / "laughs.zip", {"package.xml": PACKAGE.format(t="CustomObject"),
                                          "objects/Evil__c.object": LAUGHS}), "objects/Evil__c.object"),
    "malformed XML": (
        lambda d: _zip(d / "malformed.zip", {"package.xml": PACKAGE.format(t="CustomObject"),
                                             "objects/Bad__c.object": f"<CustomObject {NS}><label>x</CustomObject>"}),
        "objects/Bad__c.object"),
    "nesting over 256 levels": (
        lambda d: _zip(d / "deep.zip", {"package.xml": PACKAGE.format(t="CustomObject"),
                                        "objects/Deep__c.object": DEEP}), "objects/Deep__c.object"),
    "package.xml naming only unknown types": (
        lambda d: _zip(d / "unknown.zip", {"package.xml": PACKAGE.format(t="NoSuchType")}), None),
    "member name with NUL": (
        lambda d: _zip(d / "nul.zip", {"package.xml": PACKAGE.format(t="CustomObject"),
                                       "objects/A\x00B.object": f"<CustomObject {NS}><label>A</label></CustomObject>"}),
        None),
}


def _big_folder(d: Path) -> Path:
    """A Metadata API folder whose only object file is over the size limit (sparse: no disk used)."""
    (d / "big" / "objects").mkdir(parents=True)
    (d / "big" / "package.xml").write_text(PACKAGE.format(t="CustomObject"))
    with (d / "big" / "objects" / "Huge__c.object").open("wb") as fh:
        fh.truncate(OVER_LIMIT)
    return d / "big"


def _big_zip(d: Path) -> Path:
    """The upload page takes zips: the same over-limit object file, zipped."""
    path = d / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("objects/Huge__c.object", "w",
                                                                          force_zip64=True) as fh:
        chunk = b" " * (1024 * 1024)
        for _ in range(64):
            fh.write(chunk)
        fh.write(b" ")
    return path


CLI_CASES = {**CASES, "only object file over the size limit": (_big_folder, "objects/Huge__c.object")}
WEB_CASES = {**CASES, "only object file over the size limit": (_big_zip, None)}


@pytest.fixture
def design(retail: Any, people: dict[str, Any]) -> OrgModel:
    """A reference model holding dreamhouse (93 components), imported as Acme's admin would."""
    model = OrgModel.objects.create(implementation=retail, name="Design")
    import_path(model, DREAMHOUSE)
    model.refresh_from_db()
    assert model.components.filter(status="present").count() > 90
    return model


def _cli(*args: str) -> tuple[dict[str, Any], str]:
    """`orgbook import ... --json` in-process: the JSON it printed, and the CommandError's message."""
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import", *args, "--space", "acme", "--implementation", "Retail", "--json", stdout=out)
    return json.loads(out.getvalue()), str(failed.value)


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_the_cli_refuses_each_bad_input_and_the_model_is_unchanged(case: str, design: OrgModel,
                                                                   tmp_path: Path) -> None:
    build, refused = CLI_CASES[case]
    before = model_digest(design)
    body, message = _cli(str(build(tmp_path)), "--model", "Design")
    assert "left as it was" in message or "Nothing was imported" in message
    assert body["error"]["code"] in ("incomplete_reading", "invalid")
    if refused:
        listed = body["error"]["details"]["refused"]
        assert [r["path"] for r in listed] == [refused] and listed[0]["message"]
    assert model_digest(design) == before
    assert design.runs.latest("id").status == "failed"


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_a_rejected_import_into_a_new_name_makes_no_model(case: str, retail: Any, tmp_path: Path) -> None:
    build, _ = CLI_CASES[case]
    _cli(str(build(tmp_path)), "--model", "Fresh")
    assert not OrgModel.objects.filter(implementation=retail).exists()


def test_an_import_that_would_remove_most_of_the_model_asks_for_allow_removals(design: OrgModel,
                                                                              tmp_path: Path) -> None:
    before = model_digest(design)
    folder = write_mdapi(tmp_path / "invoice")  # 3 components, none of dreamhouse's 93
    body, message = _cli(str(folder), "--model", "Design")
    details = body["error"]["details"]
    assert details["removes"] == details["present"] > 90 and "--allow-removals" in message
    assert model_digest(design) == before
    call_command("import", str(folder), "--space", "acme", "--implementation", "Retail", "--model", "Design",
                 "--allow-removals", stdout=io.StringIO())
    assert design.components.filter(status="present").count() == 3


def test_refused_files_are_stored_only_when_confirmed(design: OrgModel, tmp_path: Path) -> None:
    """With --allow-removals the rest of a reading is stored; the refused file is its warning."""
    project = shutil.copytree(DREAMHOUSE, tmp_path / "dreamhouse")
    broken = next(project.rglob("*.field-meta.xml"))
    broken.write_text("<CustomField><unclosed></CustomField>")
    before = model_digest(design)
    body, _ = _cli(str(project), "--model", "Design")
    assert body["error"]["details"]["refused"][0]["path"].endswith(broken.name)
    assert model_digest(design) == before
    stored = _rows(design)
    run = import_path(design, project, allow_removals=True)
    assert run.status == "succeeded" and run.changed == 0 and run.removed == 0
    assert any(w["path"].endswith(broken.name) for w in run.warnings)
    assert _rows(design) == stored  # the refused field keeps its stored content (it was blanked)


def _rows(model: OrgModel) -> list[tuple[Any, ...]]:
    """Every stored component as a user sees it: status, hash, content, attributes, versions."""
    return [(*row[:4], bytes(row[4]) if row[4] is not None else None, *row[5:])
            for row in model.components.order_by("type", "name_key").values_list(
                "type", "full_name", "status", "content_hash", "definition_z", "attributes", "label",
                "changed_version", "warning")]


def test_a_refused_object_file_leaves_the_object_and_its_fields_as_stored(retail: Any, people: dict[str, Any],
                                                                          tmp_path: Path) -> None:
    """Issue 19: with --allow-removals, a Metadata API object file refused this time (malformed)
    once replaced the stored object with an empty one, and its fields, read from that file last
    time, were removed. They all stay exactly as stored; the rest of the reading is stored."""
    folder = write_mdapi(tmp_path / "invoice")
    (folder / "objects" / "Payment__c.object").write_text(
        f'<?xml version="1.0"?><CustomObject {NS}><label>Payment</label><fields><fullName>Paid__c</fullName>'
        "<label>Paid</label><type>Checkbox</type><defaultValue>false</defaultValue></fields></CustomObject>")
    call_command("import", str(folder), "--space", "acme", "--implementation", "Retail", "--model", "Invoices",
                 stdout=io.StringIO())
    model = OrgModel.objects.get(implementation=retail, name="Invoices")
    invoice = [r for r in _rows(model) if r[1].startswith("Invoice__c")]
    assert [r[:3] for r in invoice] == [("CustomField", "Invoice__c.Amount__c", "present"),
                                        ("CustomField", "Invoice__c.Status__c", "present"),
                                        ("CustomObject", "Invoice__c", "present")]
    (folder / "objects" / "Invoice__c.object").write_text(f"<CustomObject {NS}><label>Invoice</CustomObject>")
    payment = folder / "objects" / "Payment__c.object"
    payment.write_text(payment.read_text().replace("<label>Paid</label>", "<label>Paid?</label>"))
    body, message = _cli(str(folder), "--model", "Invoices")
    assert [r["path"] for r in body["error"]["details"]["refused"]] == ["objects/Invoice__c.object"]
    out = io.StringIO()
    call_command("import", str(folder), "--space", "acme", "--implementation", "Retail", "--model", "Invoices",
                 "--allow-removals", "--json", stdout=out)
    assert json.loads(out.getvalue())["removed"] == 0
    assert [r for r in _rows(model) if r[1].startswith("Invoice__c")] == invoice
    paid = model.components.get(full_name="Payment__c.Paid__c")
    assert paid.label == "Paid?"  # the rest of the reading was stored
    run = model.runs.latest("id")
    assert run.status == "succeeded" and (run.added, run.changed, run.removed) == (0, 1, 0)


def test_a_few_removals_need_no_confirmation(design: OrgModel, tmp_path: Path) -> None:
    project = shutil.copytree(DREAMHOUSE, tmp_path / "dreamhouse")
    for gone in sorted(project.rglob("*.field-meta.xml"))[:3]:
        gone.unlink()
    run = import_path(design, project)
    assert run.status == "succeeded" and run.removed == 3


def test_nothing_is_made_in_a_suspended_implementation(retail: Any, people: dict[str, Any]) -> None:
    from orgbook.implementations import lifecycle

    lifecycle.suspend(retail, people["alice"], reason="test")
    out = io.StringIO()
    with pytest.raises(CommandError, match="suspended"):
        call_command("import", str(DREAMHOUSE), "--space", "acme", "--implementation", "Retail", "--model", "New",
                     "--json", stdout=out)
    assert json.loads(out.getvalue())["error"]["code"] == "implementation_suspended"
    assert not OrgModel.objects.filter(implementation=retail).exists()


# --- the upload page ------------------------------------------------------------------------------------


@pytest.fixture
def eager() -> Iterator[None]:
    from orgbook.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _upload(user: Any, retail: Any, path: Path, model: str, **extra: str) -> str:
    client = Client()
    client.force_login(user)
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")
    r = client.post(f"/uploads/s/acme/i/{retail.pk}/", {"model": model, "file": upload, **extra})
    assert r.status_code == 302, r.content.decode()[:2000]
    page = client.get(r["Location"])
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.parametrize("case", list(WEB_CASES))
def test_the_upload_page_refuses_each_bad_input_and_the_model_is_unchanged(
        case: str, design: OrgModel, people: dict[str, Any], retail: Any, eager: None, tmp_path: Path) -> None:
    build, refused = WEB_CASES[case]
    before = model_digest(design)
    page = _upload(people["eddie"], retail, build(tmp_path), "Design")
    assert "The import failed and changed nothing" in page
    if refused:
        assert f"<code>{refused}</code>" in page
    assert model_digest(design) == before


@pytest.mark.parametrize("case", list(WEB_CASES))
def test_a_rejected_upload_into_a_new_name_makes_no_model(case: str, people: dict[str, Any], retail: Any,
                                                          eager: None, tmp_path: Path) -> None:
    build, _ = WEB_CASES[case]
    page = _upload(people["eddie"], retail, build(tmp_path), "Fresh")
    assert "The import failed and changed nothing" in page and "No model called Fresh was made" in page
    assert not OrgModel.objects.filter(implementation=retail).exists()


def test_the_upload_page_stores_a_large_removal_once_confirmed(design: OrgModel, people: dict[str, Any],
                                                               retail: Any, eager: None, tmp_path: Path) -> None:
    folder = write_mdapi(tmp_path / "invoice")
    zipped = _zip(tmp_path / "invoice.zip", {p.relative_to(folder).as_posix(): p.read_bytes()
                                             for p in folder.rglob("*") if p.is_file()})
    before = model_digest(design)
    assert "would remove" in _upload(people["eddie"], retail, zipped, "Design")
    assert model_digest(design) == before
    assert "Imported into Design" in _upload(people["eddie"], retail, zipped, "Design", allow_removals="on")
    assert design.components.filter(status="present").count() == 3
