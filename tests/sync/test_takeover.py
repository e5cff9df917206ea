"""A sync whose worker died is taken over once its heartbeat lapses, into the same run record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import InterfaceError, OperationalError
from django.test import Client
from django.utils import timezone

from orgbook.implementations import lifecycle
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import Dependency, SyncRun
from orgbook.orgmodels.services import model_for_import
from orgbook.orgmodels.sync import model_for
from orgbook.orgmodels.syncing import interrupted_connections, is_syncing
from orgbook.runs.syncs import sync_connection
from orgbook.runs.tasks import import_upload, queue_import, sync_org

ROWS = [{"from": "ApexClass:PropertyController", "to": "CustomField:Property__c.Price__c"}]


def _dead_attempt(conn: OrgConnection, *, lapsed: bool, stage: str = "retrieving (1 of 3 chunks)") -> SyncRun:
    """What a worker killed mid-sync leaves: its run "running", its lease not renewed any more."""
    until = timezone.now() + timedelta(seconds=-1 if lapsed else 60)
    OrgConnection.objects.filter(pk=conn.pk).update(sync_lease_until=until, sync_lease_owner="dead-attempt",
                                                    status="syncing", status_reason="")  # it opened its run
    return SyncRun.objects.create(model=model_for(conn), trigger="scheduled", stage=stage, task_id="dead-task",
                                  full=True)


def test_sync_now_works_again_once_the_dead_holders_heartbeat_lapses(people: dict[str, Any], connected: Any,
                                                                     settings: Any) -> None:
    from orgbook.celery import app

    path = f"/api/v1/spaces/acme/implementations/{connected.implementation_id}/connections/{connected.pk}/syncs"
    client = Client()
    client.force_login(people["alice"])
    dead = _dead_attempt(connected, lapsed=False)
    assert client.post(path).status_code == 409  # its heartbeat may still come: wait
    OrgConnection.objects.filter(pk=connected.pk).update(sync_lease_until=timezone.now() - timedelta(seconds=1))
    assert not is_syncing(connected)
    app.conf.task_always_eager = True
    try:
        assert client.post(path).status_code == 202
    finally:
        app.conf.task_always_eager = False
    runs = list(SyncRun.objects.filter(model__connection=connected))
    assert [r.pk for r in runs] == [dead.pk]  # taken over: one run record
    assert runs[0].status == SyncRun.Status.SUCCEEDED and runs[0].version == 1
    assert any("Interrupted (the worker stopped) during retrieving" in w["message"] and "resumed" in w["message"]
               for w in runs[0].warnings)
    assert runs[0].task_id == "dead-task"  # its own late redelivery will find it finished


def test_a_late_redelivery_of_a_finished_task_does_nothing(connected: Any) -> None:
    dead = _dead_attempt(connected, lapsed=True)
    sync_connection(connected, "manual")
    assert sync_org.apply(args=[connected.pk, "scheduled"], task_id=dead.task_id).get() == {
        "skipped": "this task's sync already finished"}
    assert SyncRun.objects.filter(model__connection=connected).count() == 1


def test_the_scheduler_requeues_a_sync_whose_heartbeat_lapsed(connected: Any) -> None:
    _dead_attempt(connected, lapsed=False)
    assert interrupted_connections() == []  # the holder may be alive
    OrgConnection.objects.filter(pk=connected.pk).update(sync_lease_until=timezone.now() - timedelta(seconds=1))
    assert interrupted_connections() == [connected.pk]
    OrgConnection.objects.filter(pk=connected.pk).update(status="needs_reauth")
    assert interrupted_connections() == []  # the task would stop at once: not re-queued every tick


def test_a_run_cut_off_after_its_commit_is_finished_and_shown_completed(connected: Any, emu: Any) -> None:
    """The worker died during "dependencies from Salesforce": the version stands, the step is run later."""
    emu.set_dependencies("acme", ROWS)
    first = sync_connection(connected, "first")
    model = first.model
    wanted = sorted(Dependency.objects.filter(model=model).values_list("source_id", "target_key", "origin"))
    Dependency.objects.filter(model=model, origin="salesforce").delete()
    Dependency.objects.filter(model=model, origin="both").update(origin="metadata")
    SyncRun.objects.filter(pk=first.pk).update(status=SyncRun.Status.RUNNING, stage="dependencies from Salesforce",
                                               steps_done=[], finished_at=None)
    OrgConnection.objects.filter(pk=connected.pk).update(sync_lease_until=None)

    later = sync_connection(connected, "scheduled")

    first.refresh_from_db()
    assert first.status == SyncRun.Status.SUCCEEDED and first.version == 1 and not first.error
    assert first.steps_done == ["salesforce dependencies", "documentation", "notifications"]
    assert sorted(Dependency.objects.filter(model=model).values_list("source_id", "target_key", "origin")) == wanted
    assert later.pk != first.pk and later.version == 1  # nothing changed since


def test_infrastructure_errors_are_retried_with_backoff_and_deterministic_ones_are_not(
        people: dict[str, Any], tmp_path: Path) -> None:
    for task in (sync_org, import_upload):
        assert {OperationalError, InterfaceError} <= set(task.autoretry_for)
        assert task.retry_backoff and task.retry_jitter and task.max_retries == 5
        assert not any(issubclass(ValueError, kind) for kind in task.autoretry_for)
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    run = queue_import(model_for_import(impl, "Upload", "reference"), bad)
    result = import_upload.apply(args=[run.pk, str(bad)])
    assert result.state == "SUCCESS" and "failed" in result.get()  # no retry: it would fail the same way
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED


def test_a_run_written_by_its_earlier_attempt_meanwhile_is_not_written_twice(people: dict[str, Any]) -> None:
    """An attempt whose lease lapsed while it was still writing (a heartbeat cut off from the database)
    commits the run after a second attempt took it over and began reading. The second then finds
    the run written and goes on to its steps after the commit; it failed with "Another sync of this
    org model finished first", and the run never got Salesforce's dependency rows (issue 19, item 14)."""
    from orgbook.metadata import iter_components
    from orgbook.orgmodels.ingest import ingest
    from orgbook.orgmodels.models import Component, ComponentChange, OrgModel
    from tests.corpus import DREAMHOUSE

    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    model = OrgModel.objects.create(implementation=impl, name="Production")
    run = SyncRun.objects.create(model=model, trigger="scheduled", full=True, stage="reading")

    def reading_while_the_first_attempt_commits() -> Any:
        earlier = True
        for item in iter_components(DREAMHOUSE):
            if earlier:
                ingest(OrgModel.objects.get(pk=model.pk), iter_components(DREAMHOUSE),
                       run=SyncRun.objects.get(pk=run.pk))
                earlier = False
            yield item

    ingest(model, reading_while_the_first_attempt_commits(), run=run)
    assert run.version == 1 and run.is_committed()
    model.refresh_from_db()
    assert model.version == 1
    components = Component.objects.filter(model=model).count()
    assert components > 90 and ComponentChange.objects.filter(model=model).count() == components
