"""A worker killed mid-sync leaves the previous version whole; the next sync resumes the same run and finishes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import config

SETUP = """
import django, json, sys, requests
from urllib.parse import parse_qs, urlsplit
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from orgbook.implementations import connect, lifecycle
cfg = json.loads(sys.argv[1])
alice = get_user_model().objects.create_user(username="a@example.com", email="a@example.com", password="x-long-password")
space = lifecycle.create_space("Acme", alice, plan="paid", licences=1)
impl = lifecycle.create_implementation(space, alice, "Retail")
requests.post(cfg["control"] + "/__fakeforce/set_auto_approve", json={"username": "ann@acme.com"}, timeout=10)
r = requests.get(connect.begin(alice, impl, "production"), allow_redirects=False, timeout=10)
q = parse_qs(urlsplit(r.headers["Location"]).query)
conn = connect.complete(alice, q["state"][0], q["code"][0])
print(conn.pk)
"""


def _env(tmp_path: Path, emu: Any) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "orgbook.settings", "ORGBOOK_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "CELERY_BROKER_URL": "memory://",
            "ORGBOOK_SF_CLIENT_ID": "orgbook-connect-tests", "ORGBOOK_SF_CLIENT_SECRET": "s3cret-connect",
            "ORGBOOK_SF_LOGIN_URL": emu.login_url, "ORGBOOK_SF_SANDBOX_LOGIN_URL": emu.sandbox_login_url,
            "ORGBOOK_SF_POLL_MS": "150", "ORGBOOK_SYNC_CHUNK_FILES": "12", "ORGBOOK_SYNC_LEASE_SECONDS": "2"}


def _count(tmp_path: Path, sql: str) -> Any:
    import sqlite3

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


def _wait_for_the_lease_to_lapse(tmp_path: Path, deadline: float = 30) -> None:
    """The killed process's heartbeat stopped: its lease lapses within ORGBOOK_SYNC_LEASE_SECONDS."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if _count(tmp_path, "SELECT COUNT(*) FROM implementations_orgconnection "
                            "WHERE sync_lease_until > strftime('%Y-%m-%d %H:%M:%f', 'now')") == [(0,)]:
            return
        time.sleep(0.2)
    raise AssertionError("the killed sync's lease never lapsed")


@pytest.mark.django_db(transaction=True)
def test_a_killed_sync_resumes_from_fetched_chunks_without_duplicates(tmp_path: Path) -> None:
    from fakeforce import Emulator

    with Emulator.from_config(config()) as emu:
        emu.settings.retrieve_polls = 3
        env = _env(tmp_path, emu)
        setup = subprocess.run([sys.executable, "-c", SETUP, json.dumps({"control": emu.login_url})], env=env,
                               capture_output=True, text=True, timeout=120)
        assert setup.returncode == 0, setup.stderr[-2000:]
        conn_id = setup.stdout.strip().splitlines()[-1]
        sync = [sys.executable, "-m", "orgbook.cli", "sync", conn_id]
        worker = subprocess.Popen(sync, env=env, stderr=subprocess.PIPE, text=True)
        assert worker.stderr is not None
        for line in worker.stderr:  # wait until two chunks are on disk (and read), then kill -9
            if re.search(r"^\[ *\d+%\] (retrieving|reading) \(2 of", line):
                break
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        assert _count(tmp_path, "SELECT version FROM orgmodels_orgmodel") == [(0,)]
        assert _count(tmp_path, "SELECT COUNT(*) FROM orgmodels_component") == [(0,)]
        _wait_for_the_lease_to_lapse(tmp_path)

        again = subprocess.run(sync, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        # Several retrieves are in flight: the two read, and any that landed before the kill.
        resumed = re.search(r"resuming: (\d+) of (\d+) chunks fetched", again.stderr)
        assert resumed is not None and 2 <= int(resumed[1]) <= int(resumed[2]), again.stderr[-2000:]
        assert _count(tmp_path, "SELECT COUNT(*) FROM orgmodels_component WHERE type = 'CustomField'") == [(32,)]
        assert _count(tmp_path, "SELECT COUNT(*), COUNT(DISTINCT type || name_key) FROM orgmodels_component")[0][0] == \
            _count(tmp_path, "SELECT COUNT(*), COUNT(DISTINCT type || name_key) FROM orgmodels_component")[0][1]
        runs = _count(tmp_path, "SELECT status, warnings FROM orgmodels_syncrun ORDER BY id")
        assert len(runs) == 1, runs  # one run record: the killed attempt's, resumed
        assert runs[0][0] == "succeeded"
        assert re.search(r"Interrupted \(the worker stopped\) during (retrieving|reading) \(2 of", runs[0][1])
        assert "resumed" in runs[0][1]
        assert _count(tmp_path, "SELECT version FROM orgmodels_orgmodel") == [(1,)]


@pytest.mark.django_db(transaction=True)
def test_a_sync_killed_while_its_workers_parse_leaves_none_of_them_running_and_resumes(tmp_path: Path) -> None:
    """The reading workers (ORGBOOK_READ_WORKERS) of a killed sync stop with it (they read their
    orders from a pipe the dead process held), and the next attempt stores every component once."""
    import psutil

    from fakeforce import Emulator
    from tests.corpus import PMM
    from tests.emulator import acme_with

    with Emulator.from_config(acme_with(str(PMM))) as emu:
        env = {**_env(tmp_path, emu), "ORGBOOK_SYNC_CHUNK_FILES": "600", "ORGBOOK_READ_WORKERS": "2"}
        setup = subprocess.run([sys.executable, "-c", SETUP, json.dumps({"control": emu.login_url})], env=env,
                               capture_output=True, text=True, timeout=120)
        assert setup.returncode == 0, setup.stderr[-2000:]
        conn_id = setup.stdout.strip().splitlines()[-1]
        sync = [sys.executable, "-m", "orgbook.cli", "sync", conn_id]
        worker = subprocess.Popen(sync, env=env, stderr=subprocess.DEVNULL)
        readers: list[psutil.Process] = []
        end = time.monotonic() + 120
        while len(readers) < 2 and time.monotonic() < end and worker.poll() is None:
            readers = [p for p in psutil.Process(worker.pid).children() if "_worker_main" in " ".join(p.cmdline())]
            time.sleep(0.05)
        assert len(readers) == 2, "the sync never started its reading workers"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        gone, alive = psutil.wait_procs(readers, timeout=15)
        assert not alive, f"reading workers outlived the killed sync: {alive}"
        assert _count(tmp_path, "SELECT COUNT(*) FROM orgmodels_component") == [(0,)]
        _wait_for_the_lease_to_lapse(tmp_path)

        again = subprocess.run(sync, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        total, distinct = _count(tmp_path, "SELECT COUNT(*), COUNT(DISTINCT type || name_key) FROM orgmodels_component")[0]
        assert total == distinct > 1000
        runs = _count(tmp_path, "SELECT status, stages FROM orgmodels_syncrun ORDER BY id")
        assert len(runs) == 1 and runs[0][0] == "succeeded", runs
        assert json.loads(runs[0][1])["read_workers"] == 2
