"""Issue 19, point 3: a model of 300,000 components, past SQLite's 32,766 and PostgreSQL's 65,535
parameters in one statement, is re-imported, deleted with its implementation and purged. Rows are
generated straight into the tables through the ingest's own bulk path (about 10 s for 300,000
components with their history on SQLite), not read from files."""

from __future__ import annotations

import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from django.db import connection

from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation
from orgbook.orgmodels.ingest import _CHANGE_COLUMNS, _COLUMNS, _DEPENDENCY_COLUMNS, _insert
from orgbook.orgmodels.models import Component, ComponentChange, Dependency, OrgModel, SyncRun
from orgbook.runs.imports import import_path
from orgbook.spaces.models import AuditEvent
from tests.orgmodels.conftest import write_mdapi

LARGE = 300_000
DEFINITION = zlib.compress(b"<CustomField/>", 1)


def fill(model: OrgModel, count: int = LARGE, *, history: bool = True) -> None:
    """`count` CustomFields on 1,000 objects as one baseline version, with a baseline history row
    each (`history`) and a dependency for every third (rows that refer to the components: the
    cascade's work). In key order, as the indexes are: a third faster than in random order."""
    run = SyncRun.objects.create(model=model, trigger="import", status="succeeded", version=1)
    per_object = -(-count // 1000)
    names = [(f"Object{i // per_object:04d}__c.Field{i:06d}__c", f"Object{i // per_object:04d}__c")
             for i in range(count)]
    values = {c: None for c in _COLUMNS}

    def row(full_name: str, parent: str) -> tuple[Any, ...]:
        values.update(type="CustomField", full_name=full_name, name_key=full_name.lower(), parent_type="CustomObject",
                      parent_key=parent.lower(), label="", namespace="", sf_id="", created_by="", last_modified_by="",
                      definition_z=DEFINITION, content_hash=full_name, attributes="{}", status="present",
                      added_version=1, changed_version=1, warning="", source_path="", source_digest="",
                      source_stat="", element_digest="")
        return (model.pk, *(values[c] for c in _COLUMNS))

    _insert(Component, ["model", *_COLUMNS], (row(n, p) for n, p in names))
    ids = list(Component.objects.filter(model=model).values_list("pk", "full_name"))
    if history:
        _insert(ComponentChange, _CHANGE_COLUMNS, ((model.pk, pk, run.pk, "CustomField", name, "baseline", 1, None,
                                                    "", "{}", None, "", name) for pk, name in ids))
    _insert(Dependency, _DEPENDENCY_COLUMNS, ((model.pk, pk, "CustomObject", name.split(".")[0].lower(),
                                               name.split(".")[0], "", "metadata") for pk, name in ids[::3]))
    OrgModel.objects.filter(pk=model.pk).update(version=1)
    model.refresh_from_db()


def large_model(implementation: Implementation, *, history: bool = True) -> OrgModel:
    model = OrgModel.objects.create(implementation=implementation, name="Everything")
    t0 = time.perf_counter()
    fill(model, history=history)
    print(f"\ngenerated {LARGE:,} components in {time.perf_counter() - t0:.1f} s")
    return model


def test_a_re_import_that_removes_300000_components_then_deleting_the_implementation(
        people: dict[str, Any], tmp_path: Path) -> None:
    # No baseline history: the re-import writes a history row for every component it removes.
    large = large_model(lifecycle.create_implementation(people["acme"], people["alice"], "Large"), history=False)
    t0 = time.perf_counter()
    run = import_path(large, write_mdapi(tmp_path / "small"), allow_removals=True)
    t1 = time.perf_counter()
    assert run.status == "succeeded" and run.removed == LARGE and run.added == 3
    assert ComponentChange.objects.filter(run=run, kind="deleted").count() == LARGE
    implementation = large.implementation
    lifecycle.delete_implementation(implementation, people["alice"], confirm=implementation.name)
    t2 = time.perf_counter()
    print(f"re-import removing {LARGE:,}: {t1 - t0:.1f} s; implementation delete: {t2 - t1:.1f} s")
    assert not Implementation.objects.filter(pk=implementation.pk).exists()
    assert not Component.objects.exists() and not ComponentChange.objects.exists() and not Dependency.objects.exists()


SUSPENDED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _hold(implementation: Implementation) -> None:
    """Make the database itself refuse to delete `implementation` (a trigger): a purge that fails
    for real, without touching our code."""
    table, pk = Implementation._meta.db_table, implementation.pk
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"CREATE TRIGGER held BEFORE DELETE ON {table} WHEN OLD.id = {pk} "
                           "BEGIN SELECT RAISE(ABORT, 'held for the test'); END")
        else:
            cursor.execute(f"CREATE FUNCTION held() RETURNS trigger AS $$ BEGIN IF OLD.id = {pk} THEN "
                           "RAISE EXCEPTION 'held for the test'; END IF; RETURN OLD; END $$ LANGUAGE plpgsql")
            cursor.execute(f"CREATE TRIGGER held BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION held()")


def test_the_purge_removes_300000_components_and_goes_on_past_one_that_fails(people: dict[str, Any]) -> None:
    held = lifecycle.create_implementation(people["acme"], people["alice"], "Held")  # first in the purge's order
    large = lifecycle.create_implementation(people["acme"], people["alice"], "Large")
    large_model(large)
    with time_machine.travel(SUSPENDED_AT, tick=False):
        lifecycle.suspend(held, None, reason="renewal")
        lifecycle.suspend(large, None, reason="renewal")
    _hold(held)
    with time_machine.travel(SUSPENDED_AT + timedelta(days=241), tick=False):
        t0 = time.perf_counter()
        outcome = lifecycle.purge_due()
        print(f"purge of {LARGE:,} components: {time.perf_counter() - t0:.1f} s")
        assert outcome.purged == ["Large"]
        assert len(outcome.failed) == 1 and outcome.failed[0].startswith("Held") and "held for the test" in outcome.failed[0]
        assert not Component.objects.exists() and not ComponentChange.objects.exists()
        assert Implementation.objects.filter(pk=held.pk).exists()
        failure = AuditEvent.objects.get(action="implementation.purge_failed")
        assert failure.target_id == str(held.pk) and "held for the test" in failure.after["error"]
        # The hourly job reports it too, and stays on its feet.
        from orgbook.implementations.tasks import daily_lifecycle

        report = daily_lifecycle()
        assert report["purged"] == [] and report["purge_failed"][0].startswith("Held")
