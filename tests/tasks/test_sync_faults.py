"""Faults during a sync, on PostgreSQL and Redis: the model ends exactly as a clean sync leaves it.

Issue 19, item 14. A real `celery -A orgbook worker` (prefork, one child) syncs a generated org
(bench/generate_org.py, about 1,000 components with lookups, formulas, Apex, flows, profiles and
reports: tens of thousands of edges less than the probe's 20,000 but the same kinds) from the
emulator, through a redis-server of the test's own (append-only, as docs/deploy.md asks). For each
fault, one sync is hit at every stage in turn (listing, retrieving, reading, writing, and the step
after the commit that adds Salesforce's dependency rows), each time once the run shows that stage:

- worker killed: SIGKILL to the worker's child (Celery gives the message back at once);
- broker restarted: redis-server stopped and started again on the same port under the running task.

The database connection cut has a trial of its own: the worker reaches PostgreSQL through a proxy
(tests/pgcut.py) that ends every session of the worker (the sync's and its heartbeat's, with
pg_terminate_backend) at exact points of the conversation: as listing goes on, once the first
chunk landed, between two chunks read, once every chunk is read, mid-COPY of the components and of
the edges (a cut anywhere in the write transaction is the same rollback), at the commit once the
server committed but before the worker hears so, and while Salesforce's dependency rows are
written. Each cut is one failed attempt that the task retries.

Then it must finish unattended, with one run record, and the model must equal a clean sync's of
the same org: a digest of the components (type, full name, content hash, status) and one of the
edges (source, target, where, who found it) compare equal, no component or history row is doubled,
and the run says each interruption ("Interrupted … resumed" or "Retried after …").
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.db import connection
from django.db.models import Count

from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import Component, ComponentChange, OrgModel, SyncRun
from tests.emulator import acme_with
from tests.pgcut import Cut, cut_proxy
from tests.redis_server import RedisServer, own_redis, wait_until
from tests.tasks.faults import (
    STEPS_AFTER_THE_COMMIT,
    Digest,
    Worker,
    clean_digest,
    database_url,
    digest,
    finished,
    interruptions,
    poll,
    the_run,
    worker_env,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
COMPONENTS = 1000
CUT_COMPONENTS = 400  # the connection cut's org: eight cuts, ten attempts, in CI's time
POLL_MS = 50
STAGES = ("listing", "retrieving", "reading", "writing", "dependencies from Salesforce")
SALESFORCE_ROWS = [  # an edge only Salesforce knows, and one both find (the class queries Account)
    {"from": "ApexClass:AccountService00000", "to": "CustomField:Contact.F01_Number__c"},
    {"from": "ApexClass:AccountService00000", "to": "CustomObject:Account"},
]


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_org", REPO / "bench" / "generate_org.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def org_folders(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """The generated org of about `n` components, written once per test run."""
    gen, folders = _load_generator(), dict[int, Path]()

    def folder(n: int) -> Path:
        if n not in folders:
            folders[n] = tmp_path_factory.mktemp(f"org{n}") / "metadata"
            gen.write_org(folders[n], gen.Sizes.for_components(n), 1, gen._no_mut)
        return folders[n]

    return folder


@pytest.fixture
def org_size(request: pytest.FixtureRequest) -> int:
    """About how many components the generated org has: COMPONENTS, or what a test asks for."""
    return int(getattr(request, "param", COMPONENTS))


@pytest.fixture
def emu(org_folders: Callable[[int], Path], org_size: int) -> Iterator[Any]:
    from fakeforce import Emulator

    with Emulator.from_config({**acme_with(str(org_folders(org_size))), "retrieve_polls": 2}) as emulator:
        emulator.set_dependencies("acme", SALESFORCE_ROWS)
        yield emulator


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own: the broker-restart fault never touches a shared one."""
    with own_redis(tmp_path, appendonly=True) as server:
        yield server


def clean(conn: OrgConnection, org_size: int) -> Digest:
    return clean_digest(conn, f"generated-{org_size}")


def env(emu: Any, broker: RedisServer, **more: Any) -> dict[str, str]:
    return worker_env(emu, broker.url, poll_ms=POLL_MS, chunk_files=60, ORGBOOK_TASK_RETRY_BACKOFF_SECONDS="1",
                      **more)


def restart(server: RedisServer) -> None:
    server.stop()
    server.start()  # same port, same append-only file


def fault_at(stage: str, conn: OrgConnection, fault: Callable[[], Any]) -> str:
    """Wait for the run to reach `stage`, then fault; returns the stage the database showed."""
    def reached() -> SyncRun | None:
        run = the_run(conn.pk)
        if run is not None and run.status == SyncRun.Status.SUCCEEDED:
            raise AssertionError(f"the sync finished before the fault at {stage!r}")
        return run if run is not None and run.stage.startswith(stage) else None

    poll(reached, 120, f"run at stage {stage!r}")
    fault()
    run = the_run(conn.pk)
    assert run is not None
    return run.stage


def send_first_sync(conn: OrgConnection, broker: RedisServer) -> None:
    Celery("fault-test", broker=broker.url, set_as_current=False).send_task(
        "orgbook.orgmodels.tasks.sync_org", args=[conn.pk, "first"])


def sync_through_faults(kind: str, conn: OrgConnection, emu: Any, broker: RedisServer,
                        tmp_path: Path) -> tuple[SyncRun, list[str]]:
    worker = Worker(env(emu, broker), tmp_path / "worker.log")
    faults: dict[str, Callable[[], Any]] = {"worker killed": worker.kill_child, "broker restarted": lambda: restart(broker)}
    seen: list[str] = []
    try:
        send_first_sync(conn, broker)
        for stage in STAGES:
            seen.append(fault_at(stage, conn, faults[kind]))
        run = finished(conn, 150)
    finally:
        worker.stop()
    print(f"{kind} with the run at: {seen}")  # shown with -s
    return run, seen


def assert_clean_model(conn: OrgConnection, run: SyncRun, clean: Digest, log: str) -> None:
    """One run record, the first version, every step after the commit, and the clean sync's model."""
    assert SyncRun.objects.filter(model__connection=conn).count() == 1, log
    assert run.trigger == "first" and run.version == 1 and run.stage == "done"
    assert run.steps_done == STEPS_AFTER_THE_COMMIT
    conn.refresh_from_db()
    assert conn.status == "up_to_date" and conn.sync_lease_until is None
    got = digest(run.model)
    assert (got.components, got.counts) == (clean.components, clean.counts)
    assert got.edges == clean.edges, got.differ(clean)
    doubled = (Component.objects.filter(model=run.model).values("type", "name_key").annotate(n=Count("id"))
               .filter(n__gt=1))
    assert not doubled.exists()
    history = (ComponentChange.objects.filter(model=run.model).values("component").annotate(n=Count("id"))
               .filter(n__gt=1))
    assert not history.exists()  # one baseline entry per component, however many attempts wrote


@pytest.mark.parametrize("kind", ["worker killed", "broker restarted"])
def test_a_sync_faulted_at_every_stage_ends_with_the_model_a_clean_sync_gives(
        kind: str, conn: OrgConnection, emu: Any, org_size: int, broker: RedisServer, tmp_path: Path) -> None:
    model = clean(conn, org_size)
    run, seen = sync_through_faults(kind, conn, emu, broker, tmp_path)
    assert_clean_model(conn, run, model, (tmp_path / "worker.log").read_text(errors="replace")[-3000:])
    notes = interruptions(run)
    if kind == "broker restarted":
        assert notes == [], notes  # the task ran on through each restart: nothing was interrupted
    else:
        assert len(notes) == len(STAGES), (seen, notes)
        assert any("Interrupted (the worker stopped) during" in n and "resumed by the next attempt" in n
                   for n in notes), notes


def test_redis_server_restarts_on_the_same_port_keeping_its_queue(broker: RedisServer) -> None:
    """The broker fault above depends on it: what was queued before a restart is there after."""
    import redis

    client = redis.Redis.from_url(broker.url)
    client.rpush("celery", b"message")
    wait_until(lambda: client.info("persistence").get("aof_rewrite_in_progress") == 0, 10, "append-only file")
    restart(broker)
    assert redis.Redis.from_url(broker.url).lrange("celery", 0, -1) == [b"message"]


def _stage_set(name: str) -> bytes:
    """The statement that records a run's stage (Django binds values into the SQL it sends)."""
    return f"\"stage\" = '{name}".encode()


# The points where the worker's sessions are ended, in the order a sync meets them, each keyed on a
# statement every sync sends (the statements a clean sync sends through the proxy, `proxy.recent`).
# The chunks are retrieved several at once and each is read as it lands (orgmodels/sync.py, Fetch):
# there is no stage where every chunk is retrieved and none read, so "retrieving" is the first
# chunk on disk before its reading starts, and "reading" is between two chunks, one read and the
# next handed over. Each cut ends one attempt, and the task retries five times at most: so two
# first syncs of the org, four cuts each.
CUTS: dict[str, list[Cut]] = {
    "before the write": [
        Cut("listing", arm=_stage_set("listing"), kind=None),  # at the next statement, whoever sends it
        # The first chunk landed: the stage says so before the reader opens it.
        Cut("retrieving", arm=_stage_set("retrieving (0 of"), at=_stage_set("reading")),
        Cut("reading", arm=_stage_set("reading (1 of"), at=_stage_set("reading (2 of")),  # chunk 1 read
        Cut("every chunk read", arm=_stage_set("reading"), at=_stage_set("writing")),
    ],
    "at and after the write": [
        Cut("components mid-COPY", arm=b'COPY "orgmodels_component"', kind=b"d", how="after"),
        Cut("edges mid-COPY", arm=b'COPY "orgmodels_dependency"', kind=b"d", how="after"),
        Cut("commit done, its answer lost", arm=b"FOR UPDATE", at=b"COMMIT", how="answer"),
        Cut("Salesforce's dependency rows", arm=_stage_set("dependencies from Salesforce"),
            at=b'INSERT INTO "orgmodels_dependency"'),
    ],
}


@pytest.mark.parametrize("org_size", [CUT_COMPONENTS], indirect=True)
def test_a_sync_whose_database_connection_is_cut_at_every_point_ends_with_the_clean_model(
        conn: OrgConnection, emu: Any, org_size: int, broker: RedisServer, tmp_path: Path) -> None:
    """The probe's fault (issue 19, item 14: 280 edges short after a cut while writing) at every
    point a sync meets, the same points on every run. The broker's visibility timeout is long, so
    only the task's own retries can finish a sync (a redelivery after 4 s once hid that a cut
    mid-COPY failed the task for good)."""
    model = clean(conn, org_size)
    db = connection.settings_dict
    admin = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"
    with cut_proxy((db["HOST"], int(db["PORT"])), admin, []) as proxy:
        url = database_url("127.0.0.1", proxy.port, sslmode="disable", gssencmode="disable")
        worker = Worker(env(emu, broker, db_url=url, visibility_timeout=600), tmp_path / "worker.log")
        try:
            for group, cuts in CUTS.items():
                OrgModel.objects.filter(connection=conn).delete()  # a first sync each time
                proxy.expect([dataclasses.replace(c) for c in cuts])
                made = len(proxy.fired)
                send_first_sync(conn, broker)
                try:
                    run = finished(conn, 120)
                except AssertionError:
                    raise AssertionError(f"{group}: cuts made {proxy.fired}, left {[c.name for c in proxy.pending]}; "
                                         f"last statements: {list(proxy.recent)}\n{worker.tail()}") from None
                print(f"{group}: cut at {proxy.fired[made:]}")  # shown with -s
                assert [f.split(":")[0] for f in proxy.fired[made:]] == [c.name for c in cuts], proxy.fired
                assert_clean_model(conn, run, model, worker.tail())
                notes = interruptions(run)  # one per cut, saying what failed (the worker never stopped)
                assert len(notes) == len(cuts) and all(n.startswith("Retried after: OperationalError") for n in notes), notes
        finally:
            worker.stop()
