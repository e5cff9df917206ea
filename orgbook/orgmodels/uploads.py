"""Uploaded folders (a zip of an SFDX project or a Metadata API folder), kept until a worker imports
them (runs/tasks.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from orgbook.errors import Invalid
from orgbook.orgmodels.models import SyncRun
from orgbook.orgmodels.services import discard_new_model
from orgbook.pathnames import hide_server_paths
from orgbook.spaces import audit
from orgbook.spaces.models import AuditEvent, Space


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


REJECTED = "upload.rejected"


def reject_new_model(run: SyncRun, exc: Exception) -> None:
    """An upload into a model made for it was rejected: the model goes (a rejected import creates
    nothing), with the run. The audit log keeps why, and the run's page shows it from there."""
    model = run.model
    implementation = model.implementation
    refused = getattr(exc, "details", {}).get("refused", [])
    message = hide_server_paths(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        if not discard_new_model(model):
            return  # written to since: it stays, and its run shows the failure
        audit.record(implementation.space, None, REJECTED, run,
                     after={"implementation": implementation.pk, "model": model.name, "error": message[:4000],
                            "refused": refused})


def rejected_upload(space: Space, run_id: int) -> dict[str, Any] | None:
    """What `reject_new_model` recorded for the run `run_id` of `space`, or None."""
    event = AuditEvent.objects.filter(space=space, action=REJECTED, target_type=SyncRun.__name__,
                                      target_id=str(run_id)).first()
    return event.after if event is not None else None
