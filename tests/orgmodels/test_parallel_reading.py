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

from orgbook.metadata import KnownChildren, ParsedComponent, ReadProblem, iter_components, parallel
from orgbook.orgmodels.models import Component, ComponentChange, Dependency, OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.corpus import EDA, LFC, PMM, V4S


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


def _changed_copy(tmp_path: Path) -> Path:
    """Volunteers for Salesforce (Metadata API format: objects and workflows hold their children)
    with one field of an object, one workflow alert and one class changed."""
    folder = tmp_path / "v4s"
    shutil.copytree(V4S, folder)
    for rel, old, new in [
        ("src/objects/Volunteer_Job__c.object", "If provided, the VolunteersJobListingFS page",
         "When set, the VolunteersJobListingFS page"),
        ("src/workflows/Contact.workflow", "<fullName>Volunteer_Signup_Thank_You_Sent_Contact</fullName>",
         "<fullName>Volunteer_Signup_Thank_You_Sent_Contact</fullName>\n        <description>Sent once</description>"),
    ]:
        path = folder / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    cls = folder / "src" / "classes" / "DatabaseDml.cls-meta.xml"
    text = cls.read_text(encoding="utf-8")
    assert "<status>Active</status>" in text
    cls.write_text(text.replace("<status>Active</status>", "<status>Deleted</status>"), encoding="utf-8")
    return folder


def rereading(folder: Path, first: list[ParsedComponent], workers: int) -> tuple[list[Any], int]:
    """`folder` read as an ingest re-reads it after storing `first`: files whose digest is known
    skipped, the others compared with the hashes stored for the components last read from them."""
    stream = iter_components(folder, pool=None)
    known: dict[str, tuple[str, str]] = {}
    hashes: dict[tuple[str, str], tuple[str, str]] = {}
    keys: dict[str, list[tuple[str, str]]] = {}
    for pc in first:
        key = (pc.type, pc.full_name.lower())
        hashes[key] = (pc.content_hash, pc.element_digest)
        keys.setdefault(pc.file_path, []).append(key)
        if pc.source_digest:
            known[pc.file_path] = (pc.source_digest, pc.source_stat)
    with parallel.ReadPool(workers) as pool:
        stream = iter_components(folder, pool=pool)
        stream.known, stream.known_hashes, stream.known_keys = known, hashes, keys
        items = [_form(item) for item in stream]
        return items, pool.started


def test_workers_re_read_changed_files_as_one_process_does(tmp_path: Path, small_batches: None) -> None:
    first = [c for c in iter_components(V4S) if isinstance(c, ParsedComponent)]
    changed = _changed_copy(tmp_path)
    alone, none_started = rereading(changed, first, 0)
    shared, started = rereading(changed, first, 2)
    assert none_started == 0 and started == 2, "the changed files were parsed by the workers"
    assert shared == alone
    parsed = {c[1] for c in shared if isinstance(c, tuple)}
    # The changed field is parsed; its object's seventeen other fields were passed over by their
    # element digests, in the worker as in one process.
    assert "Volunteer_Job__c.External_Signup_Url__c" in parsed
    passed_over = {name for k in shared if isinstance(k, KnownChildren) for _, name, _, _ in k.children}
    assert "Volunteer_Job__c.Number_of_Volunteers__c" in passed_over
    assert len(parsed) < 30, parsed


@pytest.mark.django_db
def test_a_re_import_parsed_by_workers_stores_what_one_process_stores(retail: Any, settings: Any, tmp_path: Path,
                                                                      small_batches: None) -> None:
    changed = _changed_copy(tmp_path)
    found = {}
    for workers in (0, 2):
        settings.ORGBOOK_READ_WORKERS = workers
        model = model_for_import(retail, f"V4S read by {workers}", "reference")
        assert import_path(model, V4S).status == "succeeded"
        run = import_path(model, changed)
        assert run.status == "succeeded"
        assert run.stages["read_workers"] == workers and run.stages["read_here"] == 0
        found[workers] = (model_digest(model), run.added, run.changed, run.removed, run.unchanged, run.report,
                          run.warnings)
    assert found[2] == found[0]
    assert found[2][2] == 3, "the field, the alert and the class changed"
