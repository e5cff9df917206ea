"""Uploaded folders (a zip of an SFDX project or a Metadata API folder), kept until a worker imports
them (runs/tasks.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from orgbook.errors import Invalid


def upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(upload: UploadedFile) -> Path:
    """Stream the upload to the data directory; the zip itself is checked when it is read."""
    if upload.size and upload.size > settings.ORGBOOK_MAX_UPLOAD_MB * 1024 * 1024:
        raise Invalid(f"The file is {upload.size // (1024 * 1024)} MB; the limit is {settings.ORGBOOK_MAX_UPLOAD_MB} MB "
                      "(ORGBOOK_MAX_UPLOAD_MB). Import larger folders with `orgbook import`.")
    if not (upload.name or "").lower().endswith(".zip"):
        raise Invalid("Upload a .zip of an SFDX project or of a Metadata API folder (with package.xml).")
    dest = upload_dir() / f"{uuid.uuid4().hex}.zip"
    with dest.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return dest
