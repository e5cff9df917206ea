"""What the sync fault suites share (test_sync_faults.py, test_sync_fault_recovery.py): a real Celery
worker in its own process group, its environment, polling, and digests of a model's components and
edges compared with a clean sync's of the same org."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from django.conf import settings
from django.db import connection

from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import Component, Dependency, OrgModel, SyncRun
from orgbook.runs.syncs import sync_connection
from tests.emulator import CLIENT_ID, CLIENT_SECRET

LEASE_SECONDS = 3  # short, so a takeover after a dead attempt comes quickly; the product's default is 60
STEPS_AFTER_THE_COMMIT = ["salesforce dependencies", "documentation", "notifications"]
_clean: dict[str, Digest] = {}


@dataclass(frozen=True)
class Digest:
    components: str
    edges: str
    counts: tuple[int, int]
    rows: tuple[Any, ...]  # the edges themselves, to say which differ

    def differ(self, other: Digest) -> str:
        mine, theirs = Counter(self.rows), Counter(other.rows)
        return f"only here: {list((mine - theirs).items())[:10]}; only there: {list((theirs - mine).items())[:10]}"


def digest(model: OrgModel) -> Digest:
    """The model's content, free of ids and versions: components, and every edge with who found it."""
    components = sorted(Component.objects.filter(model=model).values_list("type", "full_name", "content_hash",
                                                                          "status"))
    edges = sorted(Dependency.objects.filter(model=model).values_list(
        "source__type", "source__full_name", "target_type", "target_key", "where", "origin"))
    origins = Counter(e[-1] for e in edges)
    assert origins["salesforce"] and origins["both"], origins  # Salesforce's rows are part of the digest
    return Digest(hashlib.sha256(repr(components).encode()).hexdigest(),
                  hashlib.sha256(repr(edges).encode()).hexdigest(), (len(components), len(edges)), tuple(edges))


def clean_digest(conn: OrgConnection, org: str) -> Digest:
    """A clean sync of `org` in this process (once per test run and org); its model is then
    deleted, so the faulted sync starts from nothing too."""
    if org not in _clean:
        run = sync_connection(conn, "first")
        _clean[org] = digest(run.model)
        OrgModel.objects.filter(pk=run.model_id).delete()
    return _clean[org]


def database_url(host: str | None = None, port: int | None = None, **options: str) -> str:
    """The test database's URL for a worker, at another address (a proxy) and with options."""
    db = connection.settings_dict
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return f"postgres://{db['USER']}@{host or db['HOST']}:{port or db['PORT']}/{db['NAME']}" + (
        f"?{query}" if query else "")


def worker_env(emu: Any, broker_url: str, *, poll_ms: int, chunk_files: int, visibility_timeout: int = 4,
               db_url: str | None = None, **more: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "orgbook.settings", "ORGBOOK_DATA_DIR": str(settings.DATA_DIR),
            "DATABASE_URL": db_url or database_url(), "CELERY_BROKER_URL": broker_url,
            "ORGBOOK_SF_CLIENT_ID": CLIENT_ID, "ORGBOOK_SF_CLIENT_SECRET": CLIENT_SECRET,
            "ORGBOOK_SF_LOGIN_URL": emu.login_url, "ORGBOOK_SF_SANDBOX_LOGIN_URL": emu.sandbox_login_url,
            "ORGBOOK_SF_POLL_MS": str(poll_ms), "ORGBOOK_SYNC_CHUNK_FILES": str(chunk_files),
            "ORGBOOK_SYNC_LEASE_SECONDS": str(LEASE_SECONDS),
            "ORGBOOK_BROKER_VISIBILITY_TIMEOUT": str(visibility_timeout), **more}


def poll(check: Callable[[], Any], deadline: float, what: str, every: float = 0.005) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"no {what} within {deadline} s")


class Worker:
    """`celery -A orgbook worker` with one prefork child, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log_path = log
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

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def the_run(conn_id: int) -> SyncRun | None:
    return SyncRun.objects.filter(model__connection_id=conn_id).order_by("id").first()


def finished(conn: OrgConnection, deadline: float) -> SyncRun:
    """Wait for the run to succeed and its attempt to let go of the org: its lease, then its status
    (these come last: stopping the worker before them left the connection "syncing")."""
    def done() -> SyncRun | None:
        run = the_run(conn.pk)
        free = OrgConnection.objects.filter(pk=conn.pk, sync_lease_until__isnull=True, status="up_to_date").exists()
        return run if run is not None and run.status == SyncRun.Status.SUCCEEDED and free else None

    return poll(done, deadline, "finished sync", every=0.2)


def interruptions(run: SyncRun) -> list[str]:
    """The run's notes of its interruptions: one per attempt that did not finish it."""
    return [w["message"] for w in run.warnings if w["message"].startswith(("Interrupted", "Retried after"))]
