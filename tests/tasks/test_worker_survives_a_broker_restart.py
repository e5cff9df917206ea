"""A worker outlives a Redis restart that happens while it runs a task (issue 20, item 4).

With kombu's own Redis transport the worker logged "Unrecoverable error: AttributeError('NoneType'
object has no attribute 'hostname')" when the connection dropped under an unacknowledged message,
finished the task and exited; later work waited for someone to restart it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from tests.redis_server import RedisServer, own_redis, wait_until

REPO = Path(__file__).resolve().parents[2]
WORKER_START_SECONDS = 60  # generous: CI's machine is shared
RECONNECT_SECONDS = 60
TASK = "tests.tasks.held_task.hold"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with own_redis(tmp_path) as server:
        yield server


class Worker:
    """`orgbook worker`'s command (prefork pool of 2, acks_late from the settings), plus the test task.

    Two processes, as `orgbook worker` has by default, matter: with a free one the worker is still
    waiting on Redis for the next message when the connection drops, which is when it broke."""

    def __init__(self, broker: str, folder: Path) -> None:
        self.log = folder / "worker.log"
        env = {**os.environ, "CELERY_BROKER_URL": broker, "ORGBOOK_DATA_DIR": str(folder / "data")}
        env.pop("ORGBOOK_TASKS_EAGER", None)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "orgbook", "worker", "--concurrency=2", "--loglevel=INFO",
                 f"--include={TASK.rsplit('.', 1)[0]}", "-n", f"restart-test-{os.getpid()}@%h"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)

    def said(self, text: str) -> int:
        return self.log.read_text(errors="replace").count(text)

    def alive(self) -> bool:
        return self.process.poll() is None

    def broken(self) -> bool:
        """Exited, or on its way out (it finishes its task first, which could take a while)."""
        return not self.alive() or self.said("Unrecoverable error") > 0

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.mark.redis
def test_the_worker_runs_new_tasks_after_redis_restarts_under_a_running_task(
        redis_server: RedisServer, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    publisher = Celery("restart-test-publisher", broker=redis_server.url, set_as_current=False)
    worker = Worker(redis_server.url, tmp_path)
    try:
        wait_until(lambda: worker.said("ready.") > 0 or not worker.alive(), WORKER_START_SECONDS, "the worker to start")
        assert worker.alive(), worker.log.read_text()

        publisher.send_task(TASK, args=[str(marks), "first"])
        wait_until((marks / "first.started").exists, WORKER_START_SECONDS, "the first task to start")

        # Redis goes away while the first task's message is unacknowledged, and comes back.
        redis_server.stop()
        wait_until(lambda: worker.said("Connection to broker lost") > 0, RECONNECT_SECONDS, "the worker to notice")
        redis_server.start()
        wait_until(lambda: worker.said("Connected to redis") >= 2 or worker.broken(), RECONNECT_SECONDS,
                   "the worker to reconnect")
        assert not worker.broken(), worker.log.read_text(errors="replace")

        (marks / "first.release").touch()
        wait_until((marks / "first.done").exists, RECONNECT_SECONDS, "the first task to finish")

        # Queued after the restart: only a worker that stayed up and consumes again runs it.
        (marks / "second.release").touch()
        publisher.send_task(TASK, args=[str(marks), "second"])
        wait_until(lambda: (marks / "second.done").exists() or worker.broken(), RECONNECT_SECONDS,
                   "the task queued after the restart")
        log = worker.log.read_text(errors="replace")
        assert not worker.broken(), log
        assert (marks / "second.done").exists(), log
    finally:
        worker.stop()
        publisher.close()
