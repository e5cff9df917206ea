"""Imports and uploads of a folder or zip: one run record, the ingest, then the steps after it."""

from __future__ import annotations

import os

from django.utils import timezone

from orgbook.orgmodels.ingest import Progress
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.orgmodels.services import ingest_path
from orgbook.orgmodels.sync import SyncReporter
from orgbook.runs import after


def import_path(model: OrgModel, path: str | os.PathLike[str], progress: Progress | None = None,
                  run: SyncRun | None = None) -> SyncRun:
    """`orgbook import` and the upload task. `run`: the upload's, opened when it was queued."""
    run = run or SyncRun.objects.create(model=model, trigger="import", stage="reading")
    try:
        if not run.is_committed():  # a redelivered upload whose worker died after the commit skips this
            ingest_path(model, path, progress=progress, run=run)
    except Exception as exc:
        fail(run, exc)
        raise
    return after.finish(run, SyncReporter(run).stage)


def fail(run: SyncRun, exc: Exception) -> None:
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.FAILED, error=message[:4000], stage="failed",
                                             finished_at=timezone.now())
