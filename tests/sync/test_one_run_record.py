"""One run record per sync or upload, and the steps after the commit run once (no signal)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgbook.implementations import lifecycle
from orgbook.orgmodels.models import OrgModel, SyncRun
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.syncs import sync_connection
from orgbook.runs.tasks import import_upload, queue_import
from tests.corpus import DREAMHOUSE

SNAPSHOT_TABLE = "documentation_coveragesnapshot"


def _snapshot_writes(queries: CaptureQueriesContext) -> int:
    """Coverage snapshots written, as the database saw them (one per day, so count statements)."""
    return sum(1 for q in queries.captured_queries
               if SNAPSHOT_TABLE in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")))


def test_a_sync_writes_one_run_and_one_coverage_snapshot(connected: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        run = sync_connection(connected, "first")
    assert _snapshot_writes(queries) == 1
    assert list(SyncRun.objects.filter(model=run.model).values_list("pk", flat=True)) == [run.pk]
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED and run.version == 1
    assert run.steps_done == ["salesforce dependencies", "documentation", "notifications"]
    assert run.changes.count() == run.added  # the history rows belong to the one run


def test_an_upload_writes_one_run_and_one_coverage_snapshot(people: dict[str, Any], tmp_path: Path) -> None:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    model: OrgModel = model_for_import(impl, "Dreamhouse", "reference")
    archive = Path(shutil.make_archive(str(tmp_path / "dreamhouse"), "zip", DREAMHOUSE))
    with CaptureQueriesContext(connection) as queries:
        queued = queue_import(model, archive)
        import_upload.apply(args=[queued.pk, str(archive)])
    assert _snapshot_writes(queries) == 1
    runs = list(SyncRun.objects.filter(model=model))
    assert [r.pk for r in runs] == [queued.pk]
    assert runs[0].status == SyncRun.Status.SUCCEEDED and runs[0].added > 80
    assert runs[0].steps_done == ["documentation"]
    assert runs[0].changes.count() == runs[0].added
