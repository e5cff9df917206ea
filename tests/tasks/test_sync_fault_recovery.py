"""Kill the worker at each stage of a sync, on PostgreSQL and Redis: the sync finishes unattended.

A real `celery -A orgbook worker` (prefork, one child) syncs the emulator's dreamhouse org through
Redis. The test polls the run's stage in the database and SIGKILLs, at each stage in turn
(listing, retrieving, reading, writing, dependencies from Salesforce), either the worker's child
(Celery redelivers the message at once) or the whole worker (a new one is started; Redis gives the
message back after its visibility timeout). Each later attempt takes the run over when the dead
one's heartbeat lapses. The model must end identical to a clean sync's, Salesforce's dependency
rows included, with one run record.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import SyncRun
from tests.emulator import emulator_fixture
from tests.sync.conftest import config
from tests.tasks.faults import (
    STEPS_AFTER_THE_COMMIT,
    Worker,
    clean_digest,
    digest,
    finished,
    poll,
    the_run,
    worker_env,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("ORGBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STAGES = ("listing", "retrieving", "reading", "writing", "dependencies from Salesforce")
POLL_MS = 100
SALESFORCE_ROWS = [  # what only Salesforce knows, and an edge both find
    {"from": "ApexClass:PropertyController", "to": "CustomField:Property__c.Price__c"},
    {"from": "CustomField:Property__c.Broker__c", "to": "CustomObject:Broker__c"},
]


emu = emulator_fixture(lambda: {**config(), "retrieve_polls": 3},
                       prepare=lambda emulator: emulator.set_dependencies("acme", SALESFORCE_ROWS))


def kill_at(stage: str, conn: OrgConnection, kill: Callable[[], None]) -> str:
    """Wait for the run to reach `stage`, kill; returns the stage the database shows after the kill."""
    def reached() -> bool:
        run = the_run(conn.pk)
        return run is not None and run.status == SyncRun.Status.RUNNING and run.stage.startswith(stage)

    poll(reached, 120, f"run at stage {stage!r}")
    kill()
    run = the_run(conn.pk)
    assert run is not None and run.status == SyncRun.Status.RUNNING, "killed after the run had finished"
    return run.stage


def sync_through_faults(conn: OrgConnection, emu: Any, tmp_path: Path, whole: bool) -> tuple[SyncRun, list[str]]:
    clean_digest(conn, "dreamhouse")
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = worker_env(emu, REDIS_URL, poll_ms=POLL_MS, chunk_files=12)
    worker = Worker(env, tmp_path / "worker.log")
    seen: list[str] = []
    try:
        sender = Celery("fault-test", broker=REDIS_URL, set_as_current=False)
        sender.send_task("orgbook.orgmodels.tasks.sync_org", args=[conn.pk, "first"])
        for stage in STAGES:
            if whole:
                seen.append(kill_at(stage, conn, worker.kill_all))
                worker.stop()
                worker = Worker(env, tmp_path / "worker.log")  # no one else will: start a new worker
            else:
                seen.append(kill_at(stage, conn, worker.kill_child))  # the worker starts a new child itself
        run = finished(conn, 180)
    finally:
        worker.stop()
    print(f"killed ({'whole worker' if whole else 'child'}) with the run at: {seen}")  # shown with -s
    return run, seen


def assert_recovered(conn: OrgConnection, run: SyncRun, seen: list[str], log: Path) -> None:
    assert SyncRun.objects.filter(model__connection=conn).count() == 1, log.read_text()[-3000:]
    assert run.trigger == "first" and run.task_id
    assert run.version == 1 and run.stage == "done"
    assert run.steps_done == STEPS_AFTER_THE_COMMIT
    assert sum("Interrupted (the worker stopped)" in w["message"] for w in run.warnings) == len(STAGES), seen
    conn.refresh_from_db()
    assert conn.status == "up_to_date" and conn.sync_lease_until is None
    got, clean = digest(run.model), clean_digest(conn, "dreamhouse")
    assert (got.components, got.counts) == (clean.components, clean.counts)
    assert got.edges == clean.edges, got.differ(clean)


def test_a_sync_whose_worker_child_is_killed_at_every_stage_finishes_by_itself(
        conn: OrgConnection, emu: Any, tmp_path: Path) -> None:
    run, seen = sync_through_faults(conn, emu, tmp_path, whole=False)
    assert_recovered(conn, run, seen, tmp_path / "worker.log")


def test_a_sync_whose_whole_worker_is_killed_at_every_stage_finishes_on_a_new_worker(
        conn: OrgConnection, emu: Any, tmp_path: Path) -> None:
    run, seen = sync_through_faults(conn, emu, tmp_path, whole=True)
    assert_recovered(conn, run, seen, tmp_path / "worker.log")
