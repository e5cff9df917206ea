"""A sync parses each fetched chunk in worker processes (ORGBOOK_READ_WORKERS) while the next
chunks are retrieved, and stores exactly what a sync parsing in its own process stores."""

from __future__ import annotations

from typing import Any

from orgbook.metadata import parallel
from orgbook.orgmodels.models import OrgModel
from orgbook.runs.syncs import sync_connection

from .test_retrieves_in_flight import digest


def test_a_sync_parsed_by_workers_stores_what_one_process_stores(connected: Any, emu: Any, settings: Any,
                                                                 monkeypatch: Any) -> None:
    # Small chunks and batches so that dreamhouse-lwc spans several retrieves and many batches.
    monkeypatch.setattr(parallel, "BATCH_FILES", 3)
    monkeypatch.setattr(parallel, "START_AFTER", 1)
    settings.ORGBOOK_SYNC_CHUNK_FILES = 40
    found = {}
    for workers in (0, 2):
        settings.ORGBOOK_READ_WORKERS = workers
        run = sync_connection(connected, "first")
        assert run.status == "succeeded" and run.version == 1
        assert run.stages["read_workers"] == workers and run.stages["read_here"] == 0
        found[workers] = (digest(run.model), run.added, run.warnings, run.report)
        OrgModel.objects.filter(pk=run.model_id).delete()  # the next sync starts from nothing too
        connected.refresh_from_db()
    assert found[2] == found[0]
    assert found[2][1] > 80
