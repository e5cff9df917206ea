"""Imports and uploads of a folder or zip: one run record, the ingest, then the steps after it."""

from __future__ import annotations

import os

from django.utils import timezone

from orgbook.orgmodels.ingest import Progress
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.orgmodels.services import ingest_path
from orgbook.orgmodels.sync import SyncReporter
from orgbook.pathnames import hide_server_paths
from orgbook.runs import after


def import_path(model: OrgModel, path: str | os.PathLike[str], progress: Progress | None = None,
                run: SyncRun | None = None, *, allow_removals: bool = False, name: str = "") -> SyncRun:
    """`orgbook import` and the upload task. `run`: the upload's, opened when it was queued.
    `allow_removals`: the user confirmed a reading with refused files or many removals. `name`: the
    uploaded file's name, which errors show instead of where the upload waits on the server."""
    run = run or SyncRun.objects.create(model=model, trigger="import", stage="reading")
    try:
        if not run.is_committed():  # a redelivered upload whose worker died after the commit skips this
            ingest_path(model, path, progress=progress, run=run, allow_removals=allow_removals, name=name)
    except Exception as exc:
        fail(run, exc)
        raise
    return after.finish(run, SyncReporter(run).stage)


def fail(run: SyncRun, exc: Exception) -> None:
    """The run failed and wrote nothing; the files the readers refused are its warnings, with reasons."""
    message = hide_server_paths(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
    refused = getattr(exc, "details", {}).get("refused", [])
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.FAILED, error=message[:4000], stage="failed",
                                             finished_at=timezone.now(), warnings=[*run.warnings, *refused][:1000])
