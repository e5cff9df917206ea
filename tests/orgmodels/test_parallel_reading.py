"""Files parsed in worker processes (orgbook/metadata/parallel.py) give exactly what one process
gives: the same components in the same order, the same report and problems, and an imported
model with the same rows, edges and history. A worker that dies leaves its files to be read in the
importing process, and the import still stores everything."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from orgbook.metadata import ParsedComponent, ReadProblem, iter_components, parallel
from orgbook.orgmodels.models import Component, ComponentChange, Dependency, OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.corpus import EDA, LFC, PMM


@pytest.fixture
def small_batches(monkeypatch: Any) -> None:
    """Batches of four files, workers started at the first: a corpus project then spans many
    batches and every kind of file goes through a worker. (Sizes, not behaviour: the defaults
    only make batches larger.)"""
    monkeypatch.setattr(parallel, "BATCH_FILES", 4)
    monkeypatch.setattr(parallel, "START_AFTER", 1)


def reading(folder: Path, workers: int) -> tuple[list[Any], list[ReadProblem], Any, int]:
    problems: list[ReadProblem] = []
    with parallel.ReadPool(workers) as pool:
        stream = iter_components(folder, on_problem=problems.append, pool=pool)
        items = [_form(item) for item in stream]
        started = pool.started
    return items, problems, stream.report, started


def _form(item: Any) -> Any:
    if not isinstance(item, ParsedComponent):
        return item
    return (item.type, item.full_name, item.file_path, item.content_hash, item.definition, item.body,
            repr(item.attributes), item.label, item.parent_type, item.parent_name, item.namespace, item.project,
            item.format, item.synthetic, item.error, item.source_digest, item.source_stat, item.element_digest,
            item.package_dir)


@pytest.mark.parametrize("folder", [PMM, LFC], ids=["mdapi-and-source", "source-with-bundles"])
def test_workers_yield_what_one_process_yields_in_the_same_order(folder: Path, small_batches: None) -> None:
    alone, alone_problems, alone_report, none_started = reading(folder, 0)
    shared, shared_problems, shared_report, started = reading(folder, 2)
    assert none_started == 0 and started == 2
    assert len(shared) > 500
    assert shared == alone
    assert shared_problems == alone_problems
    assert (shared_report.skipped, shared_report.parts, shared_report.files) == (
        alone_report.skipped, alone_report.parts, alone_report.files)


def test_a_broken_file_read_by_a_worker_is_reported_and_kept(tmp_path: Path, small_batches: None) -> None:
    folder = tmp_path / "pmm"
    shutil.copytree(PMM, folder)
    broken = next(folder.rglob("*.object-meta.xml"))
    broken.write_bytes(broken.read_bytes()[:200])  # cut off mid-element
    alone, alone_problems, _, _ = reading(folder, 0)
    shared, shared_problems, _, started = reading(folder, 2)
    assert started == 2
    assert [p.path for p in shared_problems] == [p.path for p in alone_problems] and shared_problems
    assert "malformed" in {p.kind for p in shared_problems}
    kept = [c for c in shared if isinstance(c, tuple) and c[2].endswith(broken.name) and c[14]]
    assert kept, "the broken file's component is kept, with its error"
    assert shared == alone


def test_a_worker_that_dies_leaves_its_files_to_the_reading_process(small_batches: None) -> None:
    alone, _, _, _ = reading(PMM, 0)
    with parallel.ReadPool(2) as pool:
        stream = iter_components(PMM, pool=pool)
        items = [_form(next(stream))]
        pool._workers[0].proc.kill()  # as the kernel's OOM killer would
        items.extend(_form(item) for item in stream)
        assert pool.read_here >= 1
    assert items == alone


def test_a_small_reading_starts_no_worker() -> None:
    from tests.corpus import V4S

    with parallel.ReadPool(2) as pool:
        components = [c for c in iter_components(V4S / "src" / "layouts", pool=pool)
                      if isinstance(c, ParsedComponent)]
        assert components and pool.started == 0


def model_digest(model: OrgModel) -> str:
    """Everything an import stores for a model, free of ids and times."""
    components = sorted(Component.objects.filter(model=model).values_list(
        "type", "full_name", "name_key", "parent_type", "parent_key", "label", "namespace", "content_hash",
        "attributes", "status", "definition_z", "body_z", "warning", "source_path", "source_digest",
        "element_digest"))
    edges = sorted(Dependency.objects.filter(model=model).values_list(
        "source__type", "source__full_name", "target_type", "target_key", "target_name", "where", "origin"))
    history = sorted(ComponentChange.objects.filter(model=model).values_list(
        "type", "full_name", "kind", "version", "new_hash"))
    return hashlib.sha256(repr((components, edges, history)).encode()).hexdigest()


@pytest.mark.django_db
def test_an_import_parsed_by_workers_stores_what_one_process_stores(retail: Any, settings: Any) -> None:
    found = {}
    for workers in (0, 2):
        settings.ORGBOOK_READ_WORKERS = workers
        model = model_for_import(retail, f"EDA read by {workers}", "reference")
        run = import_path(model, EDA)
        assert run.status == "succeeded"
        assert run.stages["read_workers"] == workers and run.stages["read_here"] == 0
        found[workers] = (model_digest(model), run.added, run.report, run.warnings)
    assert found[2] == found[0]
    assert found[2][1] > 5000
