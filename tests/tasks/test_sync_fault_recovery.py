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

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import Component, Dependency, OrgModel, SyncRun
from orgbook.runs.syncs import sync_connection
from tests.connections.conftest import CLIENT_ID, CLIENT_SECRET, login_as
from tests.sync.conftest import config

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("ORGBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STAGES = ("listing", "retrieving", "reading", "writing", "dependencies from Salesforce")
LEASE_SECONDS = 3  # short, so each takeover comes quickly; the product's default is 60
SALESFORCE_ROWS = [  # what only Salesforce knows, and an edge both find
    {"from": "ApexClass:PropertyController", "to": "CustomField:Property__c.Price__c"},
    {"from": "CustomField:Property__c.Broker__c", "to": "CustomObject:Broker__c"},
]
_clean: dict[str, str] = {}


@pytest.fixture
def emu() -> Iterator[Any]:
    from fakeforce import Emulator

    with Emulator.from_config({**config(), "retrieve_polls": 3}) as emulator:
        emulator.set_dependencies("acme", SALESFORCE_ROWS)
        yield emulator


@pytest.fixture
def conn(people: dict[str, Any], emu: Any, settings: Any) -> OrgConnection:
    """Acme's org connected (committed: the worker process reads it), its first sync not yet run."""
    from orgbook.implementations import connect, lifecycle

    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...")  # the marker already deselects it elsewhere
    settings.ORGBOOK_SF_CLIENT_ID, settings.ORGBOOK_SF_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.ORGBOOK_SF_LOGIN_URL, settings.ORGBOOK_SF_SANDBOX_LOGIN_URL = emu.login_url, emu.sandbox_login_url
    settings.ORGBOOK_SF_POLL_MS = 100
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    state, code = login_as(emu, connect.begin(people["alice"], impl, "production"), "ann@acme.com")
    return connect.complete(people["alice"], state, code)


def digest(model: OrgModel) -> str:
    """The model's content, free of ids: components and every dependency edge with who found it."""
    components = sorted(Component.objects.filter(model=model).values_list("type", "full_name", "content_hash",
                                                                          "status"))
    edges = sorted(Dependency.objects.filter(model=model).values_list(
        "source__type", "source__full_name", "target_type", "target_key", "where", "origin"))
    assert any(e[-1] == "salesforce" for e in edges) and any(e[-1] == "both" for e in edges)
    return hashlib.sha256(repr((components, edges)).encode()).hexdigest()


def clean_digest(conn: OrgConnection) -> str:
    """A clean sync of the same org in this process (once per test run); its model is then deleted,
    so the faulty sync starts from nothing too."""
    if "digest" not in _clean:
        run = sync_connection(conn, "first")
        _clean["digest"] = digest(run.model)
        OrgModel.objects.filter(pk=run.model_id).delete()
    return _clean["digest"]


def worker_env(emu: Any) -> dict[str, str]:
    db = connection.settings_dict
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "orgbook.settings", "ORGBOOK_DATA_DIR": str(settings.DATA_DIR),
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": REDIS_URL, "ORGBOOK_SF_CLIENT_ID": CLIENT_ID,
            "ORGBOOK_SF_CLIENT_SECRET": CLIENT_SECRET, "ORGBOOK_SF_LOGIN_URL": emu.login_url,
            "ORGBOOK_SF_SANDBOX_LOGIN_URL": emu.sandbox_login_url, "ORGBOOK_SF_POLL_MS": "100",
            "ORGBOOK_SYNC_CHUNK_FILES": "12", "ORGBOOK_SYNC_LEASE_SECONDS": str(LEASE_SECONDS),
            "ORGBOOK_BROKER_VISIBILITY_TIMEOUT": "4"}


class Worker:
    """`celery -A orgbook worker` with one prefork child, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "orgbook", "worker", "--pool", "prefork", "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "-n", f"fault-{uuid.uuid4().hex[:8]}@%h"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def child(self, deadline: float = 60) -> int:
        return poll(lambda: next(iter(psutil.Process(self.proc.pid).children()), None), deadline, "a worker child").pid

    def kill_child(self) -> None:
        os.kill(self.child(), signal.SIGKILL)

    def kill_all(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.kill_all()
        self.log.close()


def poll(check: Callable[[], Any], deadline: float, what: str, every: float = 0.005) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"no {what} within {deadline} s")


def the_run(conn_id: int) -> SyncRun | None:
    return SyncRun.objects.filter(model__connection_id=conn_id).order_by("id").first()


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
    clean_digest(conn)
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = worker_env(emu)
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

        def finished() -> SyncRun | None:
            run = the_run(conn.pk)
            return run if run is not None and run.status == SyncRun.Status.SUCCEEDED else None

        run = poll(finished, 180, "finished sync", every=0.2)
    finally:
        worker.stop()
    print(f"killed ({'whole worker' if whole else 'child'}) with the run at: {seen}")  # shown with -s
    return run, seen


def assert_recovered(conn: OrgConnection, run: SyncRun, seen: list[str], log: Path) -> None:
    assert SyncRun.objects.filter(model__connection=conn).count() == 1, log.read_text()[-3000:]
    assert run.trigger == "first" and run.task_id
    assert run.version == 1 and run.stage == "done"
    assert run.steps_done == ["salesforce dependencies", "documentation", "notifications"]
    assert sum("Interrupted (the worker stopped)" in w["message"] for w in run.warnings) == len(STAGES), seen
    conn.refresh_from_db()
    assert conn.status == "up_to_date" and conn.sync_lease_until is None
    assert digest(run.model) == clean_digest(conn)


def test_a_sync_whose_worker_child_is_killed_at_every_stage_finishes_by_itself(
        conn: OrgConnection, emu: Any, tmp_path: Path) -> None:
    run, seen = sync_through_faults(conn, emu, tmp_path, whole=False)
    assert_recovered(conn, run, seen, tmp_path / "worker.log")


def test_a_sync_whose_whole_worker_is_killed_at_every_stage_finishes_on_a_new_worker(
        conn: OrgConnection, emu: Any, tmp_path: Path) -> None:
    run, seen = sync_through_faults(conn, emu, tmp_path, whole=True)
    assert_recovered(conn, run, seen, tmp_path / "worker.log")
