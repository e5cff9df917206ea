"""Uploading a zip into an org model from the browser, imported by a worker, with progress."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from orgbook.orgmodels.models import Component, OrgModel

from .conftest import DREAMHOUSE


def _zip_of(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@pytest.fixture
def eager() -> Iterator[None]:
    from orgbook.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_uploads_an_sfdx_zip_and_follows_it_to_the_result(people: dict[str, Any], retail: Any,
                                                                      eager: None) -> None:
    upload = SimpleUploadedFile("dreamhouse.zip", _zip_of(DREAMHOUSE), content_type="application/zip")
    r = _client(people["eddie"]).post(f"/uploads/s/acme/i/{retail.pk}/", {"model": "Design", "kind": "reference",
                                                                         "file": upload})
    assert r.status_code == 302
    page = _client(people["vera"]).get(r["Location"]).content.decode()
    assert "Imported into Design" in page and "added" in page
    model = OrgModel.objects.get(implementation=retail, name="Design")
    assert Component.objects.filter(model=model, type="CustomField").count() == 32


def test_a_zip_with_path_traversal_fails_and_changes_nothing(people: dict[str, Any], retail: Any, eager: None) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("package.xml", "<Package/>")
        zf.writestr("../evil.object", "<x/>")
    upload = SimpleUploadedFile("evil.zip", buffer.getvalue(), content_type="application/zip")
    r = _client(people["eddie"]).post(f"/uploads/s/acme/i/{retail.pk}/", {"model": "Design", "file": upload})
    page = _client(people["eddie"]).get(r["Location"]).content.decode()
    assert "The import failed and changed nothing" in page
    assert not Component.objects.filter(model__implementation=retail).exists()


def test_not_a_zip_is_refused_on_the_form(people: dict[str, Any], retail: Any) -> None:
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    r = _client(people["eddie"]).post(f"/uploads/s/acme/i/{retail.pk}/", {"model": "Design", "file": upload})
    assert r.status_code == 400 and "Upload a .zip" in r.content.decode()


def test_viewers_cannot_upload_and_other_spaces_see_nothing(people: dict[str, Any], retail: Any) -> None:
    assert _client(people["vera"]).get(f"/uploads/s/acme/i/{retail.pk}/").status_code == 403
    assert _client(people["mallory"]).get(f"/uploads/s/acme/i/{retail.pk}/").status_code == 404


def test_the_upload_page_lists_the_skipped_files_with_their_reasons(people: dict[str, Any], retail: Any,
                                                                    eager: None) -> None:
    # Issue 14: dreamhouse with a stray note in a package directory: the page says why it gave no component.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        with zipfile.ZipFile(io.BytesIO(_zip_of(DREAMHOUSE))) as source:
            for name in source.namelist():
                zf.writestr(name, source.read(name))
        zf.writestr("force-app/main/default/classes/README.txt", "What the classes do.")
    upload = SimpleUploadedFile("dreamhouse.zip", buffer.getvalue(), content_type="application/zip")
    r = _client(people["eddie"]).post(f"/uploads/s/acme/i/{retail.pk}/", {"model": "Design", "kind": "reference",
                                                                         "file": upload})
    assert r.status_code == 302
    page = _client(people["vera"]).get(r["Location"]).content.decode()
    assert "Imported into Design" in page and "Import report" in page
    assert ("<code>force-app/main/default/classes/README.txt</code></td>"
            "<td>not a ApexClass file, although it is in a classes/ folder</td>") in page
