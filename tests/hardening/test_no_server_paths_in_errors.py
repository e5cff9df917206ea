"""Error texts never show where the server keeps things: the data directory, temporary folders, the
installation. A user sees their own names (the zip they uploaded, the path they typed) and paths
inside their project. Once, an upload that was not a zip said `/srv/orgbook/var/uploads/3f….zip is
neither a folder nor a zip file`, and a redelivered upload named its file in the data directory."""

from __future__ import annotations

import io
import json
import sys
import sysconfig
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from orgbook.orgmodels.models import SyncRun
from orgbook.orgmodels.services import model_for_import
from orgbook.spaces.models import AuditEvent

pytestmark = pytest.mark.django_db
SFDX = '{"packageDirectories": [{"path": "force-app", "default": true}]}'
FIELDS = "force-app/main/default/objects/Thing__c"


def server_paths() -> list[str]:
    roots = {str(settings.DATA_DIR), str(Path(settings.DATA_DIR).resolve()), tempfile.gettempdir(),
             str(Path(tempfile.gettempdir()).resolve()), sysconfig.get_paths()["purelib"], sys.prefix,
             str(Path(__file__).resolve().parents[2])}
    return sorted(roots, key=len, reverse=True)


def assert_no_server_path(text: str, where: str) -> None:
    for root in server_paths():
        assert root not in text, f"{where} shows the server path {root}: {text[:600]}"
    assert "site-packages" not in text, f"{where}: {text[:600]}"


def _zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _corrupt_deflate() -> bytes:
    good = _zip({"sfdx-project.json": SFDX, f"{FIELDS}/Thing__c.object-meta.xml": "<CustomObject>" + "x" * 4000
                 + "</CustomObject>"})
    at = good.index(b"Thing__c.object-meta.xml") + len("Thing__c.object-meta.xml") + 20
    return good[:at] + bytes(b ^ 0x5A for b in good[at:at + 40]) + good[at + 40:]


BAD_UPLOADS: dict[str, bytes] = {
    "not-a-zip.zip": b"hello, I am not a zip",
    "lying-header.zip": b"PK\x03\x04" + b"\x00" * 60,
    "empty.zip": _zip({}),
    "malformed-xml.zip": _zip({"sfdx-project.json": SFDX,
                               f"{FIELDS}/Thing__c.object-meta.xml": "<CustomObject><label>oops</CustomObject>"}),
    "doctype.zip": _zip({"sfdx-project.json": SFDX, f"{FIELDS}/Thing__c.object-meta.xml":
                         '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><CustomObject>&e;</CustomObject>'}),
    "corrupt-deflate.zip": _corrupt_deflate(),
}


@pytest.fixture
def eager() -> Iterator[None]:
    from orgbook.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _everything_shown(client: Client, response: Any) -> str:
    """The answer, the page it leads to, and what the run and the audit log keep for the pages."""
    shown = [response.content.decode()]
    if response.status_code == 302:
        shown.append(client.get(response["Location"]).content.decode())
    for run in SyncRun.objects.all():
        shown += [run.error, json.dumps(run.warnings), run.stage]
    shown += [json.dumps(e.after) for e in AuditEvent.objects.all()]
    return "\n".join(shown)


@pytest.mark.parametrize("name", sorted(BAD_UPLOADS))
def test_a_bad_upload_names_the_users_file_never_a_server_path(name: str, people: dict[str, Any], retail: Any,
                                                               eager: None) -> None:
    client = Client()
    client.force_login(people["eddie"])
    upload = SimpleUploadedFile(name, BAD_UPLOADS[name], content_type="application/zip")
    response = client.post(f"/uploads/s/acme/i/{retail.pk}/", {"model": "Design", "kind": "reference", "file": upload})
    shown = _everything_shown(client, response)
    assert "failed" in shown.lower() or "refused" in shown.lower() or "could not" in shown.lower(), shown[:2000]
    assert_no_server_path(shown, name)


def test_a_redelivered_upload_whose_file_is_gone_names_no_server_path(people: dict[str, Any], retail: Any) -> None:
    from orgbook.orgmodels.uploads import upload_dir
    from orgbook.runs.tasks import import_upload

    model = model_for_import(retail, "Design", "reference")
    run = SyncRun.objects.create(model=model, trigger="upload", stage="waiting for a worker")
    import_upload.run(run.pk, str(upload_dir() / "0123abcd.zip"), name="design.zip")
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and "design.zip" in run.error
    assert_no_server_path(run.error, "the run's error")
    client = Client()
    client.force_login(people["eddie"])
    assert_no_server_path(client.get(f"/uploads/s/acme/runs/{run.pk}/").content.decode(), "the run page")


def test_an_exception_text_with_a_server_path_is_cleaned_before_it_is_shown() -> None:
    from orgbook.pathnames import hide_server_paths

    upload = Path(settings.DATA_DIR) / "uploads" / "3f2a.zip"
    text = hide_server_paths(f"FileNotFoundError: [Errno 2] No such file or directory: '{upload}'")
    assert text == "FileNotFoundError: [Errno 2] No such file or directory: 'uploads/3f2a.zip'"
    package = Path(sysconfig.get_paths()["purelib"]) / "lxml" / "etree.py"
    assert hide_server_paths(f"in {package}, line 3") == "in lxml/etree.py, line 3"
    assert hide_server_paths("force-app/main/default/objects/A__c.object-meta.xml: line 2") \
        == "force-app/main/default/objects/A__c.object-meta.xml: line 2"
