"""`orgbook serve` as people run it, in a child process on a fresh data directory: several gunicorn web
processes on the embedded SQLite default (writes from two processes at once stay correct), the
Celery worker and the demo's emulator outliving a web process that is replaced, a clean stop, and
waitress where gunicorn is not wanted."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import requests

ORGBOOK = [sys.executable, "-c", "from orgbook.cli import main; main()"]

SETUP = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from orgbook.implementations import lifecycle
from orgbook.spaces.models import Membership, PersonalAccessToken, Role
call_command("migrate", verbosity=0)
users = [get_user_model().objects.create_user(username=f"{n}@example.com", email=f"{n}@example.com")
         for n in ("alice", "eddie")]
acme = lifecycle.create_space("Acme", users[0], plan="paid", licences=3)
Membership.objects.create(space=acme, user=users[1], role=Role.ADMIN)
for name in ("A", "B"):
    lifecycle.create_implementation(acme, users[0], name)
print(json.dumps([PersonalAccessToken.issue(u, "race")[1] for u in users]))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "ORGBOOK_"))}
    return {**env, "ORGBOOK_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "orgbook.settings",
            "ORGBOOK_DEMO_CORPUS": ""}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[str], str]]:
    """The server's base URL, its process and its first line, once it answers; stopped with SIGTERM."""
    port = _port()
    proc = subprocess.Popen([*ORGBOOK, "serve", "--port", str(port), *args], env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    try:
        banner = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if requests.get(f"{url}/login/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise AssertionError(f"orgbook serve never answered: {banner}")
        yield url, proc, banner
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _gone(processes: list[psutil.Process]) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=30)
    return not alive


def _web_processes(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    return [p for p in psutil.Process(proc.pid).children() if "celery" not in " ".join(p.cmdline())
            and "fakeforce" not in " ".join(p.cmdline())]


def _wait_for_web(proc: subprocess.Popen[str], n: int) -> list[psutil.Process]:
    """The web processes once there are `n` (the first answers while the others still start)."""
    deadline = time.monotonic() + 30
    while len(web := _web_processes(proc)) < n and time.monotonic() < deadline:
        time.sleep(0.2)
    return web


def test_several_web_processes_share_sqlite_and_two_parallel_writes_stay_correct(tmp_path: Path) -> None:
    tokens = json.loads(subprocess.run([sys.executable, "-c", SETUP], env=_env(tmp_path), check=True,
                                       capture_output=True, text=True).stdout)
    expected = min(len(os.sched_getaffinity(0)) + 1, 8)  # the default: a process per core, plus one
    with serving(tmp_path, "--no-worker") as (url, proc, banner):
        assert f"gunicorn: {expected} processes x 4 threads" in banner
        assert len(_wait_for_web(proc, expected)) == expected
        for attempt in range(5):  # the last licence, taken by two web processes at once, several times
            barrier = threading.Barrier(2)
            results: list[requests.Response] = []

            def create(token: str, name: str) -> None:
                barrier.wait()
                results.append(requests.post(f"{url}/api/v1/spaces/acme/implementations", json={"name": name},
                                             headers={"Authorization": f"Bearer {token}"}, timeout=60))

            threads = [threading.Thread(target=create, args=(t, f"C{attempt}-{i}")) for i, t in enumerate(tokens)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
            made = next(r.json() for r in results if r.status_code == 201)
            r = requests.delete(f"{url}/api/v1/spaces/acme/implementations/{made['id']}", json={"confirm": made["name"]},
                                headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=60)
            assert r.status_code == 204, r.text
        web = _web_processes(proc)
    assert proc.returncode == 0
    assert _gone(web)


def test_the_demo_keeps_its_worker_and_emulator_when_a_web_process_is_replaced(tmp_path: Path) -> None:
    with serving(tmp_path, "--demo", "--workers", "2") as (url, proc, banner):
        children = psutil.Process(proc.pid).children()
        worker = next(p for p in children if "celery" in " ".join(p.cmdline()))
        emulator = next(p for p in children if "fakeforce" in " ".join(p.cmdline()))
        web = _wait_for_web(proc, 2)
        assert len(web) == 2
        web[0].terminate()  # gunicorn replaces it; the stopping fork must not stop what the parent owns
        assert _gone([web[0]])
        assert len(_wait_for_web(proc, 2)) == 2
        assert worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE
        assert emulator.is_running() and emulator.status() != psutil.STATUS_ZOMBIE
        assert requests.get(f"{url}/login/", timeout=10).status_code == 200
    assert proc.returncode == 0
    assert _gone([worker, emulator])


def test_waitress_serves_in_one_process(tmp_path: Path) -> None:
    with serving(tmp_path, "--no-worker", "--server", "waitress") as (url, proc, banner):
        assert "waitress: 1 process x 8 threads" in banner
        assert _web_processes(proc) == []
        assert requests.get(f"{url}/login/", timeout=10).status_code == 200
    assert proc.returncode == 0


def test_waitress_refuses_several_processes(tmp_path: Path) -> None:
    r = subprocess.run([*ORGBOOK, "serve", "--server", "waitress", "--workers", "2"], env=_env(tmp_path),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "waitress runs one process" in r.stderr
