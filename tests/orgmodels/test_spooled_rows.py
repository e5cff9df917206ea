"""New components wait for the write in a spool file, a chunk at a time (`ingest._Created`): a chunk
ends at `CHUNK` rows, or sooner at `CHUNK_EDGES` edges (a profile has one per field it grants).
Wherever the chunks end, an import stores the same rows, edges and history, and the keys read are
the same whether they were kept on disk or in memory (`ingest.KEYS_ON_DISK_BELOW`)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from orgbook.orgmodels import ingest
from orgbook.orgmodels.models import Dependency
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.corpus import PMM
from tests.orgmodels.test_parallel_reading import model_digest


def _import(retail: Any, name: str) -> tuple[str, int, dict[str, Any]]:
    model = model_for_import(retail, name, "reference")
    run = import_path(model, PMM)
    assert run.status == "succeeded"
    return model_digest(model), Dependency.objects.filter(model=model).count(), run.report


@pytest.mark.django_db
def test_chunks_ended_by_rows_or_by_edges_store_the_same_model(retail: Any, settings: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ORGBOOK_READ_WORKERS = 0
    whole = _import(retail, "PMM, default chunks")
    monkeypatch.setattr(ingest._Created, "CHUNK", 7)  # sizes only: every boundary falls somewhere else
    by_rows = _import(retail, "PMM, chunks of 7 rows")
    monkeypatch.setattr(ingest._Created, "CHUNK", 10**6)
    monkeypatch.setattr(ingest._Created, "CHUNK_EDGES", 25)
    by_edges = _import(retail, "PMM, chunks of 25 edges")
    assert whole[1] > 2000  # edges enough to end a hundred chunks of 25
    assert by_rows == whole
    assert by_edges == whole


@pytest.mark.django_db
def test_keys_kept_in_memory_give_the_model_kept_on_disk(retail: Any, settings: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ORGBOOK_READ_WORKERS = 0
    on_disk = _import(retail, "PMM, keys on disk")
    monkeypatch.setattr(ingest, "KEYS_ON_DISK_BELOW", 0)
    in_memory = _import(retail, "PMM, keys in memory")
    assert in_memory == on_disk


@pytest.mark.django_db
def test_an_import_leaves_no_file_in_the_data_directory(retail: Any, settings: Any) -> None:
    """The spool and the keys' database are nameless files in the data directory (which a
    container may leave as the only place Orgbook can write): none is left once the import ends."""
    before = set(os.listdir(settings.DATA_DIR))
    _import(retail, "PMM")
    assert set(os.listdir(settings.DATA_DIR)) - before == set()
