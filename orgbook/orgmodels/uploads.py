"""Uploaded folders (a zip of an SFDX project or a Metadata API folder) imported in the background."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from orgbook.errors import Invalid
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.orgmodels.services import import_path

log = logging.getLogger(__name__)


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


def queue_import(model: OrgModel, path: Path) -> SyncRun:
    """A run the page can follow at once; the worker fills it in."""
    run = SyncRun.objects.create(model=model, trigger="upload", stage="waiting for a worker")
    import_upload.delay(run.pk, str(path))
    return run


@shared_task(name="orgbook.orgmodels.uploads.import_upload", acks_late=True)
def import_upload(run_id: int, path: str) -> dict[str, Any]:
    holder = SyncRun.objects.select_related("model__implementation").filter(pk=run_id).first()
    if holder is None:
        return {"skipped": "run deleted"}

    def progress(stage: str, n: int) -> None:
        SyncRun.objects.filter(pk=run_id).update(stage=f"{stage}: {n:,} components", progress=50)

    SyncRun.objects.filter(pk=run_id).update(stage="reading", progress=10)
    try:
        result = import_path(holder.model, path, progress=progress)
    except Exception as exc:
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        SyncRun.objects.filter(pk=run_id).update(status=SyncRun.Status.FAILED, error=message[:4000], stage="failed")
        return {"failed": message}
    finally:
        Path(path).unlink(missing_ok=True)
    holder.refresh_from_db()
    holder.absorb(result, warnings=result.warnings, stages=result.stages)
    return {"run": run_id, "added": result.added, "changed": result.changed, "removed": result.removed}
