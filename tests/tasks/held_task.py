"""A task for worker tests (loaded with the worker's --include): it says it started, then holds its
message unacknowledged until the test lets it go, so the test decides what happens meanwhile."""

from __future__ import annotations

import time
from pathlib import Path

from celery import shared_task

HOLD_SECONDS = 120  # a test that never releases it still ends


@shared_task(name="tests.tasks.held_task.hold", acks_late=True)
def hold(folder: str, name: str) -> str:
    base = Path(folder)
    (base / f"{name}.started").touch()
    deadline = time.monotonic() + HOLD_SECONDS
    while not (base / f"{name}.release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    (base / f"{name}.done").touch()
    return name
